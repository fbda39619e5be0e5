"""Formulas drawn straight into the PDF: WeasyPrint lays out an empty box of the formula's size, we draw it.

ziamath writes a formula as SVG: glyph outlines (``<symbol>`` with a path of M/L/Q/C/Z commands) placed by
``<use>``, and rules (``<rect>``). WeasyPrint would parse and draw that SVG in Python for every formula on
every page, which was a large part of the key's and the booklet pieces' time. Here each glyph outline is
turned into PDF path operators once, each formula into a content stream once, and the pages are given
those streams at the boxes WeasyPrint laid out (``data-math`` placeholders, see markdown.py).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Sequence

ATTRIBUTE = "data-math"
_TAG = re.compile(r"<(symbol|use|rect|svg)\b([^>]*)>|<path\b([^>]*)/?>")
_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[A-Za-z]")
PX_TO_PT = 0.75


@dataclass(frozen=True)
class Placed:
    """A formula's box on a page, in CSS px from the page's top-left corner."""

    key: str
    x: float
    y: float
    width: float
    height: float


def _num(value: str) -> float:
    return float(value) if value else 0.0


def path_ops(d: str) -> str:
    """SVG path data (absolute M, L, H, V, Q, C, Z) as PDF path operators, y still pointing down."""
    tokens = _NUMBER.findall(d)
    ops: list[str] = []
    x = y = 0.0
    command = ""
    index = 0

    def take(count: int) -> list[float]:
        nonlocal index
        values = [float(tokens[index + i]) for i in range(count)]
        index += count
        return values

    while index < len(tokens):
        if tokens[index].isalpha():
            command = tokens[index]
            index += 1
            if command in "Zz":
                ops.append("h")
                continue
        if command == "M":
            x, y = take(2)
            ops.append(f"{x:.3f} {y:.3f} m")
            command = "L"  # further pairs are lines
        elif command == "L":
            x, y = take(2)
            ops.append(f"{x:.3f} {y:.3f} l")
        elif command == "H":
            (x,) = take(1)
            ops.append(f"{x:.3f} {y:.3f} l")
        elif command == "V":
            (y,) = take(1)
            ops.append(f"{x:.3f} {y:.3f} l")
        elif command == "Q":  # a quadratic Bézier as the equivalent cubic
            qx, qy, ex, ey = take(4)
            c1x, c1y = x + 2 / 3 * (qx - x), y + 2 / 3 * (qy - y)
            c2x, c2y = ex + 2 / 3 * (qx - ex), ey + 2 / 3 * (qy - ey)
            ops.append(f"{c1x:.3f} {c1y:.3f} {c2x:.3f} {c2y:.3f} {ex:.3f} {ey:.3f} c")
            x, y = ex, ey
        elif command == "C":
            c1x, c1y, c2x, c2y, x, y = take(6)
            ops.append(f"{c1x:.3f} {c1y:.3f} {c2x:.3f} {c2y:.3f} {x:.3f} {y:.3f} c")
        else:
            raise ValueError(f"unsupported path command {command!r}")
    return " ".join(ops)


@lru_cache(maxsize=4096)
def formula_ops(svg: str) -> tuple[str, tuple[float, float, float, float]]:
    """A formula SVG as PDF operators in its viewBox units (y down), and that viewBox."""
    symbols: dict[str, tuple[tuple[float, ...], str]] = {}
    ops: list[str] = []
    viewbox: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)
    current: str | None = None
    for match in _TAG.finditer(svg):
        tag, attrs_text = match.group(1), match.group(2) or match.group(3) or ""
        attrs = dict(_ATTR.findall(attrs_text))
        if tag == "svg":
            vb = [float(v) for v in attrs.get("viewBox", "0 0 1 1").split()]
            viewbox = (vb[0], vb[1], vb[2], vb[3])
        elif tag == "symbol":
            current = attrs.get("id", "")
            symbols[current] = (tuple(float(v) for v in attrs.get("viewBox", "0 0 1 1").split()), "")
        elif tag is None and current is not None:  # a symbol's path
            box, body = symbols[current]
            symbols[current] = (box, (body + " " if body else "") + path_ops(attrs.get("d", "")))
        elif tag == "use":
            box, body = symbols[(attrs.get("href") or attrs.get("xlink:href") or "").lstrip("#")]
            scale = _num(attrs.get("width", "")) / box[2] if box[2] else 1.0
            tx = _num(attrs.get("x", "")) - box[0] * scale
            ty = _num(attrs.get("y", "")) - box[1] * scale
            ops.append(f"q {scale:.5f} 0 0 {scale:.5f} {tx:.3f} {ty:.3f} cm {body} f Q")
        elif tag == "rect":
            ops.append(f"{_num(attrs.get('x', '')):.3f} {_num(attrs.get('y', '')):.3f} "
                       f"{_num(attrs.get('width', '')):.3f} {_num(attrs.get('height', '')):.3f} re f")
    return "\n".join(ops), viewbox


def draw_ops(placed: Placed, svg: str, page_h_px: float) -> str:
    """Operators drawing ``svg`` into the box of ``placed`` on a page ``page_h_px`` tall (PDF points)."""
    body, (vx, vy, vw, vh) = formula_ops(svg)
    scale = placed.width / vw * PX_TO_PT if vw else PX_TO_PT
    left = placed.x * PX_TO_PT
    top = (page_h_px - placed.y) * PX_TO_PT
    # viewBox (vx, vy) at the box's top-left corner; y flips: PDF grows upwards, SVG downwards
    return (f"q 0 g {scale:.6f} 0 0 {-scale:.6f} {left - vx * scale:.3f} {top + vy * scale:.3f} cm\n{body}\nQ")


def find_formulas(page: Any) -> list[Placed]:
    """The ``data-math`` placeholders of a laid-out WeasyPrint page."""
    from generator.render.compose import walk

    found = []
    for box in walk(page):
        key = box.element.get(ATTRIBUTE)
        if key is not None:
            found.append(Placed(key, box.border_box_x(), box.border_box_y(), box.border_width(), box.border_height()))
    return found


def draw_formulas(pdf_bytes: bytes, pages: Sequence[Iterable[Placed]]) -> bytes:
    """``pdf_bytes`` with every formula drawn on its page (``pages[i]``: the formulas of page i)."""
    if not any(pages):
        return pdf_bytes
    import pikepdf

    from generator.render.markdown import formula_svg

    pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    for page, formulas in zip(pdf.pages, pages):
        formulas = list(formulas)
        if not formulas:
            continue
        box = [float(v) for v in page.MediaBox]
        height_px = (box[3] - box[1]) / PX_TO_PT
        stream = "\n".join(draw_ops(placed, formula_svg(placed.key), height_px) for placed in formulas)
        # WeasyPrint's own stream leaves its coordinate system in place: wrap it in q … Q first
        page.contents_add(pdf.make_stream(b"q"), prepend=True)
        page.contents_add(pdf.make_stream(("Q\n" + stream).encode("ascii")), prepend=False)
    out = io.BytesIO()
    pdf.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate, deterministic_id=True)
    return out.getvalue()


__all__ = ["ATTRIBUTE", "Placed", "path_ops", "formula_ops", "draw_ops", "find_formulas", "draw_formulas"]
