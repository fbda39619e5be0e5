"""WeasyPrint plumbing: one FontConfiguration per build and a url_fetcher that never touches the network."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlparse

from generator.paths import TEMPLATES_DIR

_log = logging.getLogger(__name__)


class FetchRefused(ValueError):
    pass


def make_fetcher(*roots: Path):
    """A WeasyPrint URL fetcher serving ``data:`` URLs and files under the templates and ``roots`` only.

    Everything else (http, https, ftp, files elsewhere) is refused and recorded in ``fetcher.refused``.
    """
    from weasyprint.urls import URLFetcher

    allowed = tuple(root.resolve() for root in (TEMPLATES_DIR, *roots))

    class LocalFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parsed = urlparse(url)
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if any(path.is_relative_to(root) for root in allowed) and path.is_file():
                    return super().fetch(path.as_uri(), headers)
            self.refused.append(url)
            _log.warning("refused to fetch %s", url)
            raise FetchRefused(f"mockexam does not fetch {url}")

    return LocalFetcher()


_FONT_CONFIG: list = []  # one FontConfiguration per process, shared by every engine


def import_weasyprint() -> None:
    """Import WeasyPrint with a quick library lookup.

    WeasyPrint loads Pango, HarfBuzz and fontconfig through cffi, trying several names each; every name that
    is not a file name makes ``ctypes.util.find_library`` run ldconfig, gcc and ld (about 50 processes,
    a third of a second). While WeasyPrint is imported, the lookup reads ``ldconfig -p`` once instead.
    """
    import sys

    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        import weasyprint  # noqa: F401
        return
    import ctypes.util
    import os
    import re
    import struct
    import subprocess

    try:
        listing = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, timeout=10,
                                 env={"LC_ALL": "C", "LANG": "C"}).stdout
    except (OSError, subprocess.SubprocessError):
        listing = b""
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    abi = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
           "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}.get(machine, "libc6")
    original = ctypes.util.find_library

    def find_library(name: str) -> str | None:  # ctypes.util's ldconfig lookup, on one listing
        found = re.search(os.fsencode(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({abi}"), listing)
        return os.fsdecode(found.group(1)) if found else None

    ctypes.util.find_library = find_library if listing else original
    try:
        import weasyprint  # noqa: F401
    finally:
        ctypes.util.find_library = original


def font_config():  # type: ignore[no-untyped-def]
    import_weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    if not _FONT_CONFIG:
        _FONT_CONFIG.append(FontConfiguration())
    return _FONT_CONFIG[0]


def warm_up() -> None:
    """Lay out a line in every bundled font, so that a render worker's first real document does not pay for
    loading them."""
    from generator.render.common import FONTS, font_face_css

    if _FONT_CONFIG:
        return  # this process (or the one it was forked from) has laid out a document already
    lines = "".join(f'<p style="font-family: {family}; font-weight: {weight}">가 A ①</p>'
                    for family, faces in FONTS.items() for _, weight in faces)
    Engine(TEMPLATES_DIR).document(f"<style>{font_face_css()}</style>{lines}").write_pdf()


class Engine:
    """Shared state of one build: fonts are parsed once and reused by every document."""

    def __init__(self, bank_root: Path) -> None:
        import_weasyprint()
        from generator.render import svg_paths

        svg_paths.install()
        self.bank_root = bank_root
        self.font_config = font_config()
        self.fetcher = make_fetcher(bank_root)
        self.base_url = TEMPLATES_DIR.as_uri() + "/"

    def document(self, markup: str):
        from weasyprint import HTML

        html = HTML(string=markup, base_url=self.base_url, url_fetcher=self.fetcher)
        return html.render(font_config=self.font_config)

    def pdf(self, markup: str) -> tuple[bytes, int]:
        """Lay out a PDF (formulas of a ``drawn_math`` renderer drawn in); returns it and its page count."""
        from generator.render.math_pdf import draw_formulas, find_formulas

        document = self.document(markup)
        formulas = [find_formulas(page) for page in document.pages]
        return draw_formulas(document.write_pdf(), formulas), len(document.pages)

    def write(self, markup: str, target: Path) -> int:
        """Lay out and write a PDF; returns the page count."""
        data, pages = self.pdf(markup)
        target.write_bytes(data)
        return pages
