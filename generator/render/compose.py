"""Lay out once, place many: pieces typeset once by WeasyPrint, pages composed by placement with pikepdf.

Every distinct piece (a question stem, one choice's text, a question number, a header) is laid out once,
each on a page of its own, in one WeasyPrint document. Each of those pages becomes a PDF form XObject, and
an output page is a short content stream that draws XObjects at positions (``q 1 0 0 1 x y cm /P Do Q``).
A copy therefore costs placement, not layout, and every copy in one PDF shares the same fonts and pieces.
"""

from __future__ import annotations

import io
from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from markupsafe import escape

if TYPE_CHECKING:

    from generator.render.pdf import Engine

PX_PER_MM = 96 / 25.4
PT_PER_MM = 72 / 25.4
A4 = (210.0, 297.0)
PIECE_PAGE_H_MM = 900.0  # tall enough for any piece; a piece never breaks across piece pages


@dataclass(frozen=True)
class Piece:
    """HTML laid out at ``width_mm`` (``shrink`` lays it out at its natural width, up to ``width_mm``)."""

    key: str
    html: str
    width_mm: float
    shrink: bool = False


@dataclass(frozen=True)
class Box:
    """A laid-out piece or an anchor inside one, in CSS px from the piece's top-left corner."""

    x: float
    y: float
    width: float
    height: float


@dataclass
class PieceSet:
    """Pieces laid out once: their sizes, named anchors inside them, and the PDF holding one per page."""

    pdf_bytes: bytes
    page_of: dict[str, int]
    page_h_mm: dict[str, float]
    boxes: dict[str, Box]
    anchors: dict[str, dict[str, Box]] = field(default_factory=dict)

    def height(self, key: str) -> float:
        return self.boxes[key].height

    def width(self, key: str) -> float:
        return self.boxes[key].width


def lay_out(engine: Engine, css: str, pieces: Iterable[Piece]) -> PieceSet:
    """Typeset every distinct piece once and return it as a page of its own.

    All pieces of one width are laid out one below the other on tall pages (WeasyPrint's cost per page is
    far higher than per block); each laid-out piece is then moved to the top of a page of its own
    (``split_pages``), so that drawing it draws nothing else. Elements with ``data-anchor="name"`` inside a
    piece are recorded (relative to the piece) so that content laid out elsewhere, such as a question number
    or a student's name, can be placed there.
    """
    distinct: dict[str, Piece] = {}
    for piece in pieces:
        distinct.setdefault(piece.key, piece)
    by_width: dict[float, list[Piece]] = {}
    for piece in distinct.values():
        by_width.setdefault(piece.width_mm, []).append(piece)
    rules, body = [], []
    for index, (width, group) in enumerate(sorted(by_width.items())):
        rules.append(f"@page w{index} {{ size: {width:.3f}mm {PIECE_PAGE_H_MM}mm; margin: 0; }}")
        for position, piece in enumerate(group):
            brk = ' style="break-before: page"' if position == 0 and index else ""
            classes = "piece shrink" if piece.shrink else "piece"
            body.append(f'<div class="slot" data-slot="{piece.key}"{brk}><div class="{classes}" data-k="{piece.key}">'
                        f"{piece.html}</div></div>")
    markup = ('<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8"><style>'
              f"{css}\n{' '.join(rules)}\n.slot {{ display: flow-root; break-inside: avoid; }} "
              ".piece.shrink { float: left; }</style></head><body>" + _page_groups(body, by_width) + "</body></html>")
    document = engine.document(markup)
    result = PieceSet(b"", {}, {}, {})
    for page in document.pages:
        _measure(page._page_box, None, result)
    pages = split_pages(document)
    for index, (key, page) in enumerate(pages):
        result.page_of[key] = index
        result.page_h_mm[key] = page.height / PX_PER_MM
    from generator.render.math_pdf import draw_formulas, find_formulas

    formulas = [find_formulas(page) for _, page in pages]
    result.pdf_bytes = draw_formulas(document.copy([page for _, page in pages]).write_pdf(), formulas)
    return result


def character_pieces(texts: Mapping[str, Iterable[str]], classes: Mapping[str, str]) -> list[Piece]:
    """One piece per distinct character of each family (``texts``: family -> strings; ``classes``: family ->
    CSS class of its characters). Text set from them (``write_text``) costs placement only: the bundled fonts
    have fixed-width digits and syllables and no kerning between them."""
    pieces = []
    for family, strings in texts.items():
        for char in sorted(set("".join(strings)) | {" "}):
            html = "&#160;" if char == " " else str(escape(char))
            pieces.append(Piece(f"{family}:{char}", f'<div class="{classes[family]}">{html}</div>', 20, shrink=True))
    return pieces


def run_width(pieces: PieceSet, keys: Sequence[str]) -> float:
    """Width (mm) of pieces set side by side."""
    return sum(pieces.width(key) for key in keys) / PX_PER_MM


def side_by_side(pieces: PieceSet, keys: Sequence[str], x_mm: float) -> list[tuple[str, float]]:
    """Each piece's left edge (mm) when set side by side from ``x_mm``."""
    placed = []
    for key in keys:
        placed.append((key, x_mm))
        x_mm += pieces.width(key) / PX_PER_MM
    return placed


def character_keys(family: str, text: str) -> list[str]:
    """The keys of ``character_pieces`` that spell ``text``."""
    return [f"{family}:{char}" for char in text]


def text_width(pieces: PieceSet, family: str, text: str) -> float:
    """Width in mm of ``text`` set from ``family``'s character pieces."""
    return run_width(pieces, character_keys(family, text))


def write_text(page: ComposedPage, pieces: PieceSet, family: str, text: str, x_mm: float, y_mm: float) -> None:
    """Place ``text`` character by character, its top-left corner at (x_mm, y_mm)."""
    for key, left in side_by_side(pieces, character_keys(family, text), x_mm):
        page.place(key, left, y_mm)


def piece_set_state(pieces: PieceSet) -> dict:
    """A PieceSet as JSON-ready data (bytes stay bytes), e.g. for a cache."""
    return {"pdf": pieces.pdf_bytes, "page_of": pieces.page_of, "page_h_mm": pieces.page_h_mm,
            "boxes": {key: list(astuple(box)) for key, box in pieces.boxes.items()},
            "anchors": {key: {name: list(astuple(box)) for name, box in anchors.items()}
                        for key, anchors in pieces.anchors.items()}}


def piece_set_from_state(state: dict) -> PieceSet:
    return PieceSet(state["pdf"], state["page_of"], state["page_h_mm"],
                    {key: Box(*box) for key, box in state["boxes"].items()},
                    {key: {name: Box(*box) for name, box in anchors.items()} for key, anchors in state["anchors"].items()})


def merge(sets: Sequence[PieceSet]) -> PieceSet:
    """One PieceSet from several laid out separately (e.g. in parallel): their PDFs joined, pages renumbered."""
    if len(sets) == 1:
        return sets[0]
    result = PieceSet(b"", {}, {}, {})
    first = 0
    for part in sets:
        result.page_of.update({key: first + page for key, page in part.page_of.items()})
        result.page_h_mm.update(part.page_h_mm)
        result.boxes.update(part.boxes)
        result.anchors.update(part.anchors)
        first += len(part.page_of)
    buffer = io.BytesIO()
    concatenate([part.pdf_bytes for part in sets], buffer)
    result.pdf_bytes = buffer.getvalue()
    return result


def _page_groups(body: list[str], by_width: dict[float, list[Piece]]) -> str:
    """Each width's pieces inside one block that selects that width's named page."""
    out, start = [], 0
    for index, (_width, group) in enumerate(sorted(by_width.items())):
        out.append(f'<div style="page: w{index}">' + "".join(body[start:start + len(group)]) + "</div>")
        start += len(group)
    return "".join(out)


def _measure(box, owner: str | None, result: PieceSet) -> None:
    """Record piece boxes and the anchors inside them (relative to their piece)."""
    element = getattr(box, "element", None)
    if element is not None and getattr(box, "element_tag", None):
        key = element.get("data-k")
        if key is not None and key not in result.boxes and "piece" in (element.get("class") or ""):
            result.boxes[key] = Box(box.position_x, box.position_y, box.margin_width(), box.margin_height())
            owner = key
        anchor = element.get("data-anchor")
        if anchor is not None and owner is not None:
            origin = result.boxes[owner]
            anchors = result.anchors.setdefault(owner, {})
            if anchor not in anchors:
                anchors[anchor] = Box(box.position_x - origin.x, box.position_y - origin.y,
                                      box.margin_width(), box.margin_height())
    for child in getattr(box, "children", ()):
        _measure(child, owner, result)


def split_pages(document) -> list[tuple[str, Any]]:
    """One WeasyPrint page per piece: each slot moved to the top of a copy of its tall page.

    This relies on WeasyPrint's box tree (``Page._page_box``, ``copy_with_children``, ``translate``), which
    is why the WeasyPrint version is pinned to a tested range in pyproject.toml.
    """
    from weasyprint.document import Page

    result = []
    for page in document.pages:
        page_box = page._page_box
        root = page_box.children[0]
        body = root.children[0]
        for group in body.children:
            for slot in getattr(group, "children", ()):
                element = getattr(slot, "element", None)
                if element is None or element.get("data-slot") is None:
                    continue
                height = slot.margin_height()
                slot.translate(dy=-slot.position_y)
                new_group = group.copy_with_children([slot])
                new_body = body.copy_with_children([new_group])
                new_root = root.copy_with_children([new_body])
                new_page = page_box.copy_with_children([new_root])
                new_page.height = max(height, 1.0)
                new_page.margin_top = new_page.margin_bottom = 0
                result.append((element.get("data-slot"), Page(new_page)))
    return result


def walk(page) -> Iterable:
    """The boxes of a WeasyPrint page that belong to an element, in document order."""
    stack = [page._page_box]
    while stack:
        box = stack.pop()
        if getattr(box, "element", None) is not None and getattr(box, "element_tag", None):
            yield box
        stack.extend(reversed(list(getattr(box, "children", ()))))


def page_anchors(document) -> list[dict[str, Box]]:
    """Per page, the boxes of elements with ``data-anchor`` (first box of each), in px from the page corner."""
    result = []
    for page in document.pages:
        anchors: dict[str, Box] = {}
        for box in walk(page):
            name = box.element.get("data-anchor")
            if name is not None and name not in anchors:
                anchors[name] = Box(box.position_x, box.position_y, box.margin_width(), box.margin_height())
        result.append(anchors)
    return result


@dataclass(frozen=True)
class Placement:
    """Draw piece ``key`` with its top-left corner at (x_mm, y_mm) from the page's top-left corner."""

    key: str
    x_mm: float
    y_mm: float


@dataclass
class ComposedPage:
    placements: list[Placement] = field(default_factory=list)
    drawing: list[str] = field(default_factory=list)  # raw PDF operators in mm-scaled page space (see PageWriter)
    background: list[str] = field(default_factory=list)  # the same, drawn before the pieces (e.g. shading)
    size_mm: tuple[float, float] = A4
    template: tuple[int, int] | None = None  # (template, page of it) drawn first, as the page's background

    def place(self, key: str, x_mm: float, y_mm: float) -> None:
        self.placements.append(Placement(key, x_mm, y_mm))


def line_ops(x1: float, y1: float, x2: float, y2: float, width_pt: float, page_h_mm: float = A4[1]) -> str:
    k = PT_PER_MM
    return (f"{width_pt:.2f} w {x1 * k:.2f} {(page_h_mm - y1) * k:.2f} m "
            f"{x2 * k:.2f} {(page_h_mm - y2) * k:.2f} l S")


def circle_ops(cx_mm: float, cy_mm: float, rx_mm: float, ry_mm: float, page_h_mm: float = A4[1]) -> str:
    """A filled ellipse (four Bézier arcs)."""
    k = PT_PER_MM
    cx, cy, rx, ry = cx_mm * k, (page_h_mm - cy_mm) * k, rx_mm * k, ry_mm * k
    c = 0.5523
    return (f"{cx + rx:.2f} {cy:.2f} m "
            f"{cx + rx:.2f} {cy + c * ry:.2f} {cx + c * rx:.2f} {cy + ry:.2f} {cx:.2f} {cy + ry:.2f} c "
            f"{cx - c * rx:.2f} {cy + ry:.2f} {cx - rx:.2f} {cy + c * ry:.2f} {cx - rx:.2f} {cy:.2f} c "
            f"{cx - rx:.2f} {cy - c * ry:.2f} {cx - c * rx:.2f} {cy - ry:.2f} {cx:.2f} {cy - ry:.2f} c "
            f"{cx + c * rx:.2f} {cy - ry:.2f} {cx + rx:.2f} {cy - c * ry:.2f} {cx + rx:.2f} {cy:.2f} c f")


def rect_ops(x_mm: float, y_mm: float, w_mm: float, h_mm: float, rgb: tuple[float, float, float] = (0, 0, 0),
             page_h_mm: float = A4[1]) -> str:
    """A filled rectangle with its top-left corner at (x_mm, y_mm), in colour ``rgb`` (0…1 each)."""
    k = PT_PER_MM
    r, g, b = rgb
    return (f"q {r:.3f} {g:.3f} {b:.3f} rg {x_mm * k:.3f} {(page_h_mm - y_mm - h_mm) * k:.3f} "
            f"{w_mm * k:.3f} {h_mm * k:.3f} re f Q")


def qr_ops(payload: str, x_mm: float, y_mm: float, size_mm: float, page_h_mm: float = A4[1]) -> str:
    """A QR code drawn as filled squares in module units: no image, no layout."""
    import segno

    # a fixed mask skips segno's evaluation of all eight (most of its time); any mask is a valid QR code
    matrix = segno.make(payload, error="m", micro=False, mask=2).matrix
    n = len(matrix)
    cell = size_mm / n * PT_PER_MM
    # module (col, row) -> page: x = x0 + col * cell, y = top - row * cell (rows grow downwards)
    ops = [f"q {cell:.4f} 0 0 {-cell:.4f} {x_mm * PT_PER_MM:.3f} {(page_h_mm - y_mm) * PT_PER_MM:.3f} cm 0 g"]
    for row_index, row in enumerate(matrix):
        col = 0
        while col < n:  # one rectangle per horizontal run of dark modules
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                ops.append(f"{start} {row_index} {col - start} 1 re")
            else:
                col += 1
    ops.append("f Q")
    return "\n".join(ops)


class PageWriter:
    """One output PDF: pages composed from the pieces of one or more PieceSets, plus full-page templates.

    Every page shares one resource dictionary holding each XObject used so far, so adding a page costs
    one content stream.
    """

    def __init__(self, *sources: PieceSet, templates: Sequence[bytes] = ()) -> None:
        import pikepdf

        self._pikepdf = pikepdf
        self.pdf = pikepdf.new()
        self._sources = [(pikepdf.open(io.BytesIO(source.pdf_bytes)), source) for source in sources]
        self._names: dict[str, tuple[str, float]] = {}  # piece key -> (resource name, source page height mm)
        self._template_pdfs = [pikepdf.open(io.BytesIO(data)) for data in templates]
        self._template_names: dict[tuple[int, int], str] = {}
        self._xobjects = pikepdf.Dictionary()
        self._resources = self.pdf.make_indirect(pikepdf.Dictionary(XObject=self._xobjects))

    def _register(self, page) -> str:
        name = f"/X{len(self._xobjects)}"
        self._xobjects[name] = self.pdf.copy_foreign(self._pikepdf.Page(page).as_form_xobject())
        return name

    def _piece(self, key: str) -> tuple[str, float]:
        found = self._names.get(key)
        if found is None:
            for pdf, source in self._sources:
                if key in source.page_of:
                    found = (self._register(pdf.pages[source.page_of[key]]), source.page_h_mm[key])
                    break
            else:
                raise KeyError(key)
            self._names[key] = found
        return found

    def _template(self, index: int, page_index: int) -> str:
        name = self._template_names.get((index, page_index))
        if name is None:
            name = self._register(self._template_pdfs[index].pages[page_index])
            self._template_names[(index, page_index)] = name
        return name

    def add(self, page: ComposedPage) -> None:
        k = PT_PER_MM
        width_mm, height_mm = page.size_mm
        ops: list[str] = []
        if page.template is not None:
            ops.append(f"q {self._template(*page.template)} Do Q")
        if page.background:
            ops.extend(["q 0 G 0 g", *page.background, "Q"])
        for placement in page.placements:
            name, source_h = self._piece(placement.key)
            ty = (height_mm - placement.y_mm - source_h) * k
            ops.append(f"q 1 0 0 1 {placement.x_mm * k:.3f} {ty:.3f} cm {name} Do Q")
        if page.drawing:
            ops.append("q 0 G 0 g")
            ops.extend(page.drawing)
            ops.append("Q")
        new_page = self.pdf.add_blank_page(page_size=(width_mm * k, height_mm * k))
        new_page.obj.Resources = self._resources
        new_page.obj.Contents = self.pdf.make_stream("\n".join(ops).encode("ascii"))

    def save(self, target) -> None:
        self.pdf.save(target, compress_streams=True, object_stream_mode=self._pikepdf.ObjectStreamMode.generate,
                      deterministic_id=True)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.save(buffer)
        return buffer.getvalue()


def concatenate(parts: Sequence[bytes | Path], target, pad_to_even: bool = False) -> list[int]:
    """Join PDFs (bytes, or files, which are read as needed) into one; returns each part's first page index."""
    import pikepdf

    out = pikepdf.new()
    starts = []
    opened = []  # pages are copied lazily: the parts stay open until the result is saved
    try:
        for data in parts:
            starts.append(len(out.pages))
            part = pikepdf.open(io.BytesIO(data) if isinstance(data, bytes) else data)
            opened.append(part)
            out.pages.extend(part.pages)
            if pad_to_even and len(part.pages) % 2:
                box = [float(v) for v in part.pages[0].MediaBox]
                out.add_blank_page(page_size=(box[2] - box[0], box[3] - box[1]))
        out.save(target, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                 deterministic_id=True)
    finally:
        for part in opened:
            part.close()
    return starts


__all__ = ["Piece", "PieceSet", "Placement", "ComposedPage", "PageWriter", "lay_out", "merge", "concatenate",
           "piece_set_state", "piece_set_from_state", "character_pieces", "character_keys", "run_width", "side_by_side", "text_width",
           "write_text",
           "qr_ops", "line_ops", "rect_ops", "circle_ops", "page_anchors", "PX_PER_MM", "PT_PER_MM", "A4"]
