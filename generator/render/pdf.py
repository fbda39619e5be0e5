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


class Engine:
    """Shared state of one build: fonts are parsed once and reused by every document."""

    def __init__(self, bank_root: Path) -> None:
        from weasyprint.text.fonts import FontConfiguration

        from generator.render import svg_paths

        svg_paths.install()
        self.bank_root = bank_root
        self.font_config = FontConfiguration()
        self.fetcher = make_fetcher(bank_root)
        self.base_url = TEMPLATES_DIR.as_uri() + "/"

    def document(self, markup: str):
        from weasyprint import HTML

        html = HTML(string=markup, base_url=self.base_url, url_fetcher=self.fetcher)
        return html.render(font_config=self.font_config)

    def write(self, markup: str, target: Path) -> int:
        """Lay out and write a PDF; returns the page count."""
        document = self.document(markup)
        document.write_pdf(target)
        return len(document.pages)
