"""WeasyPrint plumbing: one FontConfiguration per build and a url_fetcher that never touches the network."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlparse

from generator.paths import TEMPLATES_DIR

_log = logging.getLogger(__name__)


class FetchRefused(ValueError):
    pass


class Fetcher:
    """Serves ``data:`` URLs and files under the templates and bank folders; refuses everything else."""

    def __init__(self, *roots: Path) -> None:
        self.roots = tuple(root.resolve() for root in (TEMPLATES_DIR, *roots))
        self.refused: list[str] = []

    def __call__(self, url: str, timeout: int = 10, ssl_context=None) -> dict:
        from weasyprint import default_url_fetcher

        if url.startswith("data:"):
            return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)
        parsed = urlparse(url)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path)).resolve()
            if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
                return {"file_obj": path.open("rb"), "mime_type": None, "filename": path.name}
        self.refused.append(url)
        _log.warning("refused to fetch %s", url)
        raise FetchRefused(f"mockexam does not fetch {url}")


class Engine:
    """Shared state of one build: fonts are parsed once and reused by every document."""

    def __init__(self, bank_root: Path) -> None:
        from weasyprint.text.fonts import FontConfiguration

        self.font_config = FontConfiguration()
        self.fetcher = Fetcher(bank_root)
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
