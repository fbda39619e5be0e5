"""Replay SVG path drawing: typeset formulas repeat the same glyph outlines hundreds of times.

WeasyPrint parses an SVG ``d`` attribute in Python each time it draws it; for a page of formulas that is
most of the PDF writing time. ``install()`` wraps WeasyPrint's path drawer so that the stream operations a
``d`` string produces are recorded once and replayed afterwards. Paths with percentages (which depend on the
viewport) are never memoised. Tests compare the PDF pages drawn with and without it.
"""

from __future__ import annotations

from typing import Any, Callable

_MEMO: dict[tuple[str, float], tuple[list[tuple[str, tuple[Any, ...]]], list[Any]]] = {}
_MAX_ENTRIES = 50_000


class _Recorder:
    """Stands in for the PDF stream while a path is drawn, recording each call."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def __getattr__(self, name: str) -> Callable[..., Any]:
        target = getattr(self._stream, name)

        def record(*args: Any) -> Any:
            self.calls.append((name, args))
            return target(*args)

        return record


def _memoised(original: Callable[..., None]) -> Callable[..., None]:
    def path(svg: Any, node: Any, font_size: float) -> None:
        d = node.get("d", "")
        key = (d, font_size)
        if "%" in d:
            original(svg, node, font_size)
            return
        hit = _MEMO.get(key)
        if hit is not None:
            calls, vertices = hit
            stream = svg.stream
            for name, args in calls:
                getattr(stream, name)(*args)
            node.vertices.extend(vertices)
            return
        stream, recorder = svg.stream, _Recorder(svg.stream)
        before = len(node.vertices)
        svg.stream = recorder
        try:
            original(svg, node, font_size)
        finally:
            svg.stream = stream
        if len(_MEMO) < _MAX_ENTRIES:
            _MEMO[key] = (recorder.calls, list(node.vertices)[before:])

    path.memoised = True  # type: ignore[attr-defined]
    path.original = original  # type: ignore[attr-defined]
    return path


def install() -> None:
    """Wrap WeasyPrint's SVG path drawer (idempotent; a no-op if WeasyPrint's layout changed)."""
    try:
        from weasyprint import svg
    except ImportError:  # pragma: no cover
        return
    drawer = getattr(svg, "TAGS", {}).get("path")
    if drawer is None or getattr(drawer, "memoised", False):
        return
    svg.TAGS["path"] = _memoised(drawer)
