"""Answer sheets by placement: every distinct blank sheet laid out once, each printed sheet drawn on it.

A template (``answer_sheet.sheet_html``) holds everything but what differs between printed sheets of the same
shape: the form label, the footer, the QR code and its text (and, for named copies, the student's name and
수험번호). Those are drawn over the template page: the QR code as vector squares, the texts from
single-character pieces laid out once. Two forms of one exam, or a thousand named copies, cost one layout
per sheet shape.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import Any, Sequence

from generator.assemble.exam import Exam, ExamForm
from generator.atomic import write_text_atomic
from generator.render import layout_cache
from generator.render.answer_sheet import qr_payload, sheet_html
from generator.render.common import paper_css
from generator.render.compose import (
    PT_PER_MM,
    PX_PER_MM,
    Box,
    ComposedPage,
    PageWriter,
    PieceSet,
    character_pieces,
    lay_out,
    page_anchors,
    piece_set_from_state,
    piece_set_state,
    qr_ops,
    text_width,
    write_text,
)
from generator.render.pdf import Engine
from generator.render.sheet_layout import LAYOUT_NAME, layout_document, layout_json, measure_page

# character families drawn over a template: (piece key prefix, CSS class in answer_sheet.css)
LABEL, FOOT, QR_TEXT = "fl", "ft", "ql"
_CLASSES = {LABEL: "ov-label", FOOT: "ov-foot", QR_TEXT: "ov-qrl"}
LABEL_PAD_MM = 3.5  # answer_sheet.css: .sh-form span padding
LABEL_BORDER_PT = 1.6


@dataclass
class SheetTemplate:
    """A blank sheet laid out once: its PDF, and per page the anchors, layout hash and measured layout."""

    pdf_bytes: bytes
    anchors: list[dict[str, Box]]
    hashes: list[str]
    layouts: list[dict]
    form: str  # the first form drawn on it (named in layout.json when the template itself is printed)


@dataclass
class SheetLayout:
    """The templates of an exam's sheets (by shape) and the characters drawn over them."""

    templates: dict[tuple, SheetTemplate] = field(default_factory=dict)
    glyphs: PieceSet | None = None

    def index(self, form: ExamForm) -> int:
        return list(self.templates).index(template_signature(form))

    def template(self, form: ExamForm) -> SheetTemplate:
        return self.templates[template_signature(form)]

    @property
    def pdfs(self) -> list[bytes]:
        return [template.pdf_bytes for template in self.templates.values()]


def template_signature(form: ExamForm) -> tuple:
    """Forms with equal signatures have sheets of the same shape (one template)."""
    return (bool(form.title),
            tuple((item.number, item.question.type.value, len(item.choices), item.points) for item in form.items))


def footer_text(form: ExamForm, page: int, count: int) -> str:
    return f"{form.label} 답안지 · {page} / {count}"


def lay_out_sheets(exam: Exam, engine: Engine, forms: Sequence[ExamForm], qr_chars: str = "") -> SheetLayout:
    """One WeasyPrint pass for every distinct sheet shape of ``forms``, one for the characters drawn over them
    (form labels, footers, the QR texts of the forms and ``qr_chars``, e.g. the copy codes of named copies).

    The result is cached on disk by everything it is made of (markup, characters, fonts, WeasyPrint's
    version): the next build of a blueprint with the same sheet shape, whatever its seed, reuses it.
    """
    shapes: dict[tuple, ExamForm] = {}
    for form in forms:
        shapes.setdefault(template_signature(form), form)
    parts = [sheet_html(exam, form) for form in shapes.values()]
    bodies = [html.split("<body>", 1)[1].rsplit("</body>", 1)[0] for html, _ in parts]
    markup = parts[0][0].split("<body>", 1)[0] + "<body>" + "".join(bodies) + "</body></html>"
    # the characters of every QR text: the same for every seed of a blueprint (its exam ids differ in digits)
    names = "".join(form.name for form in forms)
    qr_chars = "".join(sorted(set(f"mockexam:{exam.exam_id}{names}0123456789abcdef{qr_chars}")))
    key = (markup, repr(list(shapes)), repr([(form.name, form.label) for form in forms]), qr_chars)
    cached = layout_cache.read("sheets", *key)
    if cached is not None:
        try:
            return _decode(cached)
        except (KeyError, TypeError, ValueError):
            pass  # laid out again below
    layout = _lay_out(exam, engine, forms, shapes, parts, markup, qr_chars)
    layout_cache.write(_encode(layout), "sheets", *key)
    return layout


def _lay_out(exam: Exam, engine: Engine, forms: Sequence[ExamForm], shapes: dict[tuple, ExamForm],
             parts: list[tuple[str, list]], markup: str, qr_chars: str) -> SheetLayout:
    layout = SheetLayout()
    document = engine.document(markup)
    anchors = page_anchors(document)
    first = 0
    for (signature, form), (_, pages) in zip(shapes.items(), parts):
        span = range(first, first + len(pages))
        layout.templates[signature] = SheetTemplate(
            document.copy([document.pages[i] for i in span]).write_pdf(), [anchors[i] for i in span],
            [page.hash for page in pages], [measure_page(document.pages[i]._page_box) for i in span], form.name)
        first += len(pages)
    texts = {LABEL: [form.label for form in forms], QR_TEXT: [qr_chars], FOOT: []}
    for form in forms:
        count = len(layout.template(form).hashes)
        texts[FOOT] += [footer_text(form, page, count) for page in range(1, count + 1)]
    layout.glyphs = lay_out(engine, paper_css("answer_sheet.css"), character_pieces(texts, _CLASSES))
    return layout


def _encode(layout: SheetLayout) -> dict:
    assert layout.glyphs is not None
    return {"templates": [[list(signature), template.pdf_bytes, [{n: astuple(b) for n, b in a.items()} for a in
                                                                    template.anchors],
                           template.hashes, template.layouts, template.form]
                          for signature, template in layout.templates.items()],
            "glyphs": piece_set_state(layout.glyphs)}


def _decode(data: dict) -> SheetLayout:
    layout = SheetLayout(glyphs=piece_set_from_state(data["glyphs"]))
    for signature, pdf, anchors, hashes, layouts, form in data["templates"]:
        layout.templates[_tupled(signature)] = SheetTemplate(
            pdf, [{n: Box(*b) for n, b in a.items()} for a in anchors], hashes, layouts, form)
    return layout


def _tupled(value: Any) -> Any:
    """JSON turned tuples into lists: the signature's tuples back."""
    return tuple(_tupled(v) for v in value) if isinstance(value, list) else value


def form_payload(exam: Exam, form: ExamForm, template: SheetTemplate, page: int, copy: str = "",
                 form_slot: str | None = None) -> str:
    return qr_payload(exam.exam_id, form.name if form_slot is None else form_slot, page, template.hashes[page - 1],
                      copy)


def sheet_page(layout: SheetLayout, form: ExamForm, page: int, payload: str) -> ComposedPage:
    """Page ``page`` (1-based) of ``form``'s sheet: its template with the QR code, its text, the footer and
    the form label drawn over it."""
    template = layout.template(form)
    glyphs = layout.glyphs
    assert glyphs is not None
    anchors = template.anchors[page - 1]
    composed = ComposedPage(template=(layout.index(form), page - 1))
    box = anchors.get("qr")
    if box is not None:
        composed.drawing.append(qr_ops(payload, box.x / PX_PER_MM, box.y / PX_PER_MM, box.width / PX_PER_MM))
    box = anchors.get("qr-label")
    if box is not None:
        right = (box.x + box.width) / PX_PER_MM
        write_text(composed, glyphs, QR_TEXT, payload, right - text_width(glyphs, QR_TEXT, payload), box.y / PX_PER_MM)
    box = anchors.get("foot")
    if box is not None:
        text = footer_text(form, page, len(template.hashes))
        centre = (box.x + box.width / 2) / PX_PER_MM
        write_text(composed, glyphs, FOOT, text, centre - text_width(glyphs, FOOT, text) / 2, box.y / PX_PER_MM)
    box = anchors.get("form-label")
    if box is not None:
        _draw_label(composed, glyphs, form.label, box)
    return composed


def _draw_label(page: ComposedPage, glyphs: PieceSet, label: str, box: Box) -> None:
    """The form label in its framed box, right-aligned where the template keeps room for it."""
    border = LABEL_BORDER_PT / PT_PER_MM
    width = text_width(glyphs, LABEL, label) + 2 * (LABEL_PAD_MM + border)
    right, top, height = (box.x + box.width) / PX_PER_MM, box.y / PX_PER_MM, box.height / PX_PER_MM
    left = right - width
    text_h = glyphs.height(f"{LABEL}:{label[0]}") / PX_PER_MM if label else 0
    write_text(page, glyphs, LABEL, label, left + border + LABEL_PAD_MM, top + (height - text_h) / 2)
    k, page_h = PT_PER_MM, page.size_mm[1]
    inset = border / 2
    page.drawing.append(f"{LABEL_BORDER_PT:.2f} w {(left + inset) * k:.2f} {(page_h - top - height + inset) * k:.2f} "
                        f"{(width - border) * k:.2f} {(height - border) * k:.2f} re S")


def layout_pages(exam: Exam, layout: SheetLayout, files: Sequence[tuple[str, ExamForm | None]]) -> list[dict]:
    """layout.json entries: for each printed file (its name, and the form printed in it or None for a blank
    template), one entry per page with its measured marks and bubbles."""
    pages = []
    for name, form in files:
        templates = [layout.template(form)] if form is not None else list(layout.templates.values())
        file_page = 0
        for template in templates:
            shown = form.name if form is not None else template.form
            for index, measured in enumerate(template.layouts):
                file_page += 1
                payload = form_payload(exam, form, template, index + 1) if form is not None else ""
                pages.append({"file": name, "file_page": file_page, "form": shown, "copy": "", "page": index + 1,
                              "hash": template.hashes[index], "payload": payload, **measured})
    return pages


def write_layout(exam: Exam, pages: list[dict], out_dir: Path) -> Path:
    """``layout.json``: the measured position of every mark, QR box and bubble of every sheet page."""
    target = out_dir / LAYOUT_NAME
    write_text_atomic(target, layout_json(layout_document(exam.exam_id, pages)))
    return target


def render_answer_sheets(exam: Exam, engine: Engine, out_dir: Path, progress=None) -> list[Path]:
    """answer-sheet-<form>.pdf for every form (one template per sheet shape) and layout.json."""
    if progress:
        progress(f"answer sheet {exam.forms[0].name}")
    layout = lay_out_sheets(exam, engine, exam.forms)
    assert layout.glyphs is not None
    paths = []
    for index, form in enumerate(exam.forms):
        if progress and index:
            progress(f"answer sheet {form.name}")
        writer = PageWriter(layout.glyphs, templates=layout.pdfs)
        template = layout.template(form)
        for page in range(1, len(template.hashes) + 1):
            writer.add(sheet_page(layout, form, page, form_payload(exam, form, template, page)))
        target = out_dir / f"answer-sheet-{form.name}.pdf"
        writer.save(target)
        paths.append(target)
    files = [(path.name, form) for path, form in zip(paths, exam.forms)]
    write_layout(exam, layout_pages(exam, layout, files), out_dir)
    return paths
