"""문제지 (question booklet): measure every question once at column width, paginate in Python, render.

WeasyPrint's own multi-column balancing costs ~3 s per booklet with 3x outliers (DESIGN.md). Here each
question piece is laid out once in a single column-wide page (``measure``), ``paginate`` assigns pieces to
columns, and the final document places them in absolutely positioned column boxes: two plain block
layouts, whose cost does not depend on the question order.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from markupsafe import Markup, escape

from generator.assemble.exam import Exam, ExamForm, ExamItem
from generator.bank.schema import QuestionType
from generator.render.common import (
    add_points,
    booklet_markdown,
    choice_columns,
    environment,
    equal_choice_cells,
    font_face_css,
    general_instructions,
    read_template_file,
    rendered_choices,
)
from generator.render.markdown import MarkdownRenderer
from generator.render.paginate import Block, Column, paginate
from generator.render.paginate import pages as group_pages
from generator.render.pdf import Engine
from generator.render.text import keep_words

PX_PER_MM = 96 / 25.4
ID_DIGITS = 8


@dataclass(frozen=True)
class Geometry:
    """A4 page geometry of the booklet, in mm."""

    top: float = 16
    bottom: float = 16
    side: float = 13
    gap: float = 8
    title_h: float = 78  # replaced by the measured height of each booklet's title block
    page_w: float = 210
    page_h: float = 297
    question_gap: float = 7  # between questions
    section_gap: float = 9  # above a section heading

    @property
    def content_h(self) -> float:
        return self.page_h - self.top - self.bottom

    @property
    def col_w(self) -> float:
        return (self.page_w - 2 * self.side - self.gap) / 2

    @property
    def text_w(self) -> float:
        return self.page_w - 2 * self.side

    def capacity_px(self, column: int) -> float:
        height = self.content_h - (self.title_h if column < 2 else 0)
        return height * PX_PER_MM - 2  # 2px of slack for rounding


GEOMETRY = Geometry()


@dataclass
class FormPieces:
    form: ExamForm
    title_block: str = ""  # HTML of the first page's title block
    html: dict[str, str] = field(default_factory=dict)  # piece key -> HTML (word joiners inserted)
    blocks: list[list[str]] = field(default_factory=list)  # keys of each block
    kinds: list[str] = field(default_factory=list)  # "section" | "question"
    # piece key -> key of the layout it shares with other forms (same HTML apart from the absolutely
    # positioned question number, or choices whose height does not depend on their order)
    shared: dict[str, str] = field(default_factory=dict)


def css_string(text: str) -> Markup:
    """A CSS string literal's content (for @page margin boxes)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return Markup(escaped)


def item_pieces(item: ExamItem, md: MarkdownRenderer) -> list[str]:
    """HTML of a question split at its top-level blocks; the first carries the number."""
    question = item.question
    blocks = add_points(md.blocks(question.body.stem, question.path), item.points)
    parts = [f'<div class="q q-stem">{block}</div>' for block in blocks]
    parts[0] = parts[0].replace('<div class="q q-stem">',
                                f'<div class="q q-stem"><span class="qnum">{item.number}.</span>', 1)
    if item.choices:
        columns = choice_columns(item.choices)
        layout = f"c{columns} even n{len(item.choices)}" if columns == 5 and equal_choice_cells(item.choices) \
            else f"c{columns}"
        lis = "".join(f'<li><span class="cn">{c.mark}</span>{c.html}</li>' for c in rendered_choices(item, md))
        parts.append(f'<div class="q"><ol class="choices {layout}">{lis}</ol></div>')
    elif question.type == QuestionType.ESSAY:
        parts.append('<div class="q"><p class="essay-note">※ 답은 답안지의 서술형 답란에 쓰시오.</p></div>')
    return parts


def section_head(section) -> str:
    env = environment()
    return env.from_string(
        '<div class="sec-head"><span class="sec-title">{{ s.name }}</span>'
        '<span class="sec-meta">({{ s.items|length }}문항, {{ s.points }}점)</span>'
        '<p class="sec-inst">{{ s.instructions }}</p></div>'
    ).render(s=section)


def title_block_html(exam: Exam, form: ExamForm) -> str:
    """The first page's title block, exactly as the blueprint says (nothing is made up)."""
    bp = exam.blueprint
    return keep_words(environment().get_template("title_block.html.j2").render(
        title=bp.title, session=bp.session, subject=bp.subject, form=form, duration=bp.duration_minutes,
        item_count=len(form.items), total_points=exam.total_points, id_digits=ID_DIGITS,
        instructions=general_instructions(exam, form)))


def build_pieces(form: ExamForm, md: MarkdownRenderer, exam: Exam | None = None) -> FormPieces:
    result = FormPieces(form, title_block_html(exam, form) if exam is not None else "")
    for s_index, section in enumerate(form.sections):
        key = f"{form.name}-s{s_index}"
        result.html[key] = keep_words(section_head(section))
        result.shared[key] = f"s{s_index}"
        result.blocks.append([key])
        result.kinds.append("section")
        for item in section.items:
            keys = []
            parts = item_pieces(item, md)
            for p_index, html in enumerate(parts):
                key = f"{form.name}-q{item.number}-{p_index}"
                result.html[key] = keep_words(html)
                keys.append(key)
                shared = f"{item.question.id}-{item.points}-{p_index}"
                if item.choices and p_index == len(parts) - 1 and choice_columns(item.choices) == 2:
                    shared += "-" + ".".join(map(str, item.choice_order))  # two per row: order matters
                result.shared[key] = shared
            result.blocks.append(keys)
            result.kinds.append("question")
    return result


def stylesheet() -> str:
    return "\n".join([read_template_file(name) for name in ("paper.css", "booklet.css", "title_block.css")])


TITLE_KEY = "title-block:"


def measure(engine: Engine, forms: list[FormPieces], geometry: Geometry = GEOMETRY) -> dict[str, float]:
    """Height in px of every distinct piece (by its ``shared`` key), laid out once at column width."""
    body, seen = [], set()
    for pieces in forms:
        for key, html in pieces.html.items():
            shared = pieces.shared.get(key, key)
            if shared not in seen:
                seen.add(shared)
                body.append(f'<div class="piece" data-k="{shared}">{html}</div>')
        if pieces.title_block:  # laid out at the page's full width (wider than this measuring page)
            body.append(f'<div class="piece" style="width: {geometry.text_w}mm" data-k="{TITLE_KEY}{pieces.form.name}">'
                        f"{pieces.title_block}</div>")
    markup = (f"<!DOCTYPE html><html lang=\"ko\"><head><meta charset=\"utf-8\"><style>{font_face_css()}\n{stylesheet()}\n"
              f"@page {{ size: {geometry.col_w}mm 20000mm; margin: 0; }}</style></head><body>"
              + "".join(body) + "</body></html>")
    document = engine.document(markup)
    heights: dict[str, float] = {}
    stack = [page._page_box for page in document.pages]
    while stack:
        box = stack.pop()
        element = getattr(box, "element", None)
        if element is not None and getattr(box, "element_tag", None) == "div":
            key = element.get("data-k")
            if key is not None:
                heights[key] = heights.get(key, 0.0) + box.margin_height()
                continue
        stack.extend(getattr(box, "children", ()))
    return heights


def form_geometry(pieces: FormPieces, heights: dict[str, float], geometry: Geometry = GEOMETRY) -> Geometry:
    """The booklet's geometry with its title block's measured height."""
    measured = heights.get(f"{TITLE_KEY}{pieces.form.name}")
    return geometry if measured is None else replace(geometry, title_h=round(measured / PX_PER_MM + 0.5, 1))


def layout(pieces: FormPieces, heights: dict[str, float], geometry: Geometry = GEOMETRY) -> list[Column]:
    geometry = form_geometry(pieces, heights, geometry)
    gap_px = {"section": geometry.section_gap * PX_PER_MM, "question": geometry.question_gap * PX_PER_MM}
    blocks = [
        Block(tuple((key, heights[pieces.shared.get(key, key)]) for key in keys), gap_px[kind],
              keep_with_next=kind == "section")
        for keys, kind in zip(pieces.blocks, pieces.kinds)
    ]
    return paginate(blocks, geometry.capacity_px)


def booklets_html(exam: Exam, laid_out: list[tuple[FormPieces, list[Column]]],
                  geometry: Geometry = GEOMETRY, heights: dict[str, float] | None = None) -> str:
    """One HTML document holding the booklets of several forms, one after the other."""
    bp = exam.blueprint
    booklets = []
    for pieces, columns in laid_out:
        top = form_geometry(pieces, heights or {}, geometry).title_h
        pages = [{"top": top if index == 0 else 0, "columns": page_columns}
                 for index, page_columns in enumerate(group_pages(columns))]
        booklets.append({
            "form": pieces.form,
            "pages": pages,
            "title_block": Markup(pieces.title_block or title_block_html(exam, pieces.form)),
            "pieces": {key: Markup(html) for key, html in pieces.html.items()},
        })
    return environment().get_template("booklet.html.j2").render(
        css=Markup(font_face_css() + "\n" + stylesheet()),
        g=geometry,
        title=bp.title,
        header_left=Markup(keep_words(str(escape(" · ".join(part for part in (bp.title, bp.subject) if part))))),
        booklets=booklets,
    )


def render_booklets(exam: Exam, engine: Engine, out_dir: Path, forms: list[ExamForm] | None = None,
                    progress=None) -> list[Path]:
    """Write booklet-<form>.pdf for every form: one measuring layout, one final layout for all forms."""
    md = booklet_markdown(exam.bank.root)
    forms = list(forms or exam.forms)
    if progress:
        progress(f"booklet {forms[0].name}")
    all_pieces = [build_pieces(form, md, exam) for form in forms]
    heights = measure(engine, all_pieces)
    laid_out = [(pieces, layout(pieces, heights)) for pieces in all_pieces]
    document = engine.document(booklets_html(exam, laid_out, heights=heights))
    paths, first = [], 0
    for index, (pieces, columns) in enumerate(laid_out):
        if progress and index:
            progress(f"booklet {pieces.form.name}")
        count = len(group_pages(columns))
        target = out_dir / f"booklet-{pieces.form.name}.pdf"
        document.copy(document.pages[first:first + count]).write_pdf(target)
        first += count
        paths.append(target)
    return paths
