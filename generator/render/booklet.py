"""문제지 (question booklet): every distinct piece laid out once, pages composed by placement.

A question is split into pieces: its stem blocks (split at top-level Markdown blocks), the text of each
choice, its number and the circled choice marks. Each distinct piece is typeset once by WeasyPrint
(``compose.lay_out``); ``paginate`` assigns blocks to columns; pages are then composed by placing the
pieces (``compose.PageWriter``). A form, or a student's personal copy with its own question and choice
order, costs placement, not layout: the choice grid is computed here from the measured cell sizes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

from markupsafe import Markup, escape

from generator.assemble.exam import Exam, ExamForm, ExamItem, ExamSection
from generator.bank.schema import CIRCLED, QuestionType
from generator.render.common import (
    add_points,
    booklet_markdown,
    choice_columns,
    environment,
    equal_choice_cells,
    font_face_css,
    general_instructions,
    read_template_file,
)
from generator.render.compose import (
    ComposedPage,
    PageWriter,
    Piece,
    PieceSet,
    character_keys,
    lay_out,
    line_ops,
    side_by_side,
    text_width,
)
from generator.render.markdown import MarkdownRenderer
from generator.render.paginate import Block, Column, paginate
from generator.render.paginate import pages as group_pages
from generator.render.pdf import Engine
from generator.render.text import keep_words

PX_PER_MM = 96 / 25.4
ID_DIGITS = 8
EM_MM = 10 * 25.4 / 72  # the booklet's body text is 10 pt


@dataclass(frozen=True)
class Geometry:
    """A4 page geometry of the booklet, in mm."""

    top: float = 16
    bottom: float = 16
    side: float = 13
    gap: float = 8
    title_h: float = 78
    page_w: float = 210
    page_h: float = 297
    question_gap: float = 7  # between questions
    section_gap: float = 9  # above a section heading
    indent: float = 2.05 * EM_MM  # question text right of its number
    mark_w: float = 1.3 * EM_MM  # choice text right of its ①

    @property
    def content_w(self) -> float:
        return self.page_w - 2 * self.side

    @property
    def content_h(self) -> float:
        return self.page_h - self.top - self.bottom

    @property
    def col_w(self) -> float:
        return (self.page_w - 2 * self.side - self.gap) / 2

    def capacity_px(self, column: int) -> float:
        height = self.content_h - (self.title_h if column < 2 else 0)
        return height * PX_PER_MM - 2  # 2px of slack for rounding


GEOMETRY = Geometry()


def css_string(text: str) -> Markup:
    """A CSS string literal's content (for @page margin boxes)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return Markup(escaped)


def stylesheet() -> str:
    return "\n".join([read_template_file(name) for name in ("paper.css", "booklet.css", "title_block.css")])


# --- pieces ---------------------------------------------------------------------------------------------


def stem_pieces(item: ExamItem, md: MarkdownRenderer) -> list[str]:
    """HTML of a question's stem split at its top-level blocks; the first marks where the number goes."""
    question = item.question
    blocks = add_points(md.blocks(question.body.stem, question.path), item.points)
    parts = [f'<div class="q q-stem">{block}</div>' for block in blocks]
    parts[0] = parts[0].replace('<div class="q q-stem">',
                                '<div class="q q-stem"><span class="qnum" data-anchor="qnum"></span>', 1)
    if question.type == QuestionType.ESSAY:
        parts.append('<div class="q"><p class="essay-note">※ 답은 답안지의 서술형 답란에 쓰시오.</p></div>')
    return parts


def item_pieces(item: ExamItem, md: MarkdownRenderer) -> list[str]:
    """A whole question as one flow of HTML blocks (number, stem, choices), for on-screen previews."""
    parts = stem_pieces(item, md)
    parts[0] = parts[0].replace('<span class="qnum" data-anchor="qnum"></span>',
                                f'<span class="qnum">{item.number}.</span>', 1)
    if item.choices:
        columns = choice_columns(item.choices)
        layout = f"c{columns} even n{len(item.choices)}" if columns == 5 and equal_choice_cells(item.choices) \
            else f"c{columns}"
        lis = "".join(f'<li><span class="cn">{CIRCLED[i]}</span>{md.inline(text, item.question.path)}</li>'
                      for i, text in enumerate(item.choices))
        parts.append(f'<div class="q"><ol class="choices {layout}">{lis}</ol></div>')
    return parts


def section_head(section: ExamSection) -> str:
    return environment().from_string(
        '<div class="sec-head"><span class="sec-title">{{ s.name }}</span>'
        '<span class="sec-meta">({{ s.items|length }}문항, {{ s.points }}점)</span>'
        '<p class="sec-inst">{{ s.instructions }}</p></div>'
    ).render(s=section)


@dataclass(frozen=True)
class ChoiceGrid:
    """How a question's choices sit: ``columns`` per row (1, 2 or 5) and the width of each cell."""

    columns: int
    cell_mm: float  # width of a cell (text width = cell less the mark and the right padding)
    pad_mm: float  # right padding of a cell
    natural: bool  # five on one line with cells as wide as their text


def choice_grid(choices: Sequence[str], geometry: Geometry = GEOMETRY) -> ChoiceGrid:
    line = geometry.col_w - geometry.indent
    columns = choice_columns(tuple(choices))
    if columns == 5:  # all on one line: equal cells (a fifth, a quarter, … of the line) or as wide as their text
        even = equal_choice_cells(tuple(choices))
        share = {5: 0.198, 4: 0.248, 3: 0.33, 2: 0.498}.get(len(choices), 0.198)
        return ChoiceGrid(5, share * line, 0.8 * EM_MM, natural=not even)
    if columns == 2:
        return ChoiceGrid(2, line / 2, 0.5 * EM_MM, natural=False)
    return ChoiceGrid(1, line, 0.0, natural=False)


def choice_key(question_id: str, index: int, grid: ChoiceGrid) -> str:
    return f"ch:{question_id}:{index}:{grid.columns}{'n' if grid.natural else ''}"


@dataclass
class Furniture:
    """Keys of the pieces around the questions of one form (header, footer, title block)."""

    title: str
    head: str
    label: str  # the form label at the right of the footer


class BookletPieces:
    """Every distinct piece of a set of forms, collected before one layout pass."""

    def __init__(self, exam: Exam, md: MarkdownRenderer, geometry: Geometry = GEOMETRY) -> None:
        self.exam: Exam | None = exam
        self.md: MarkdownRenderer | None = md
        self.g = geometry
        self.pieces: dict[str, Piece] = {}
        self.stems: dict[tuple[str, float], list[str]] = {}
        self.grids: dict[str, ChoiceGrid] = {}

    def __getstate__(self) -> dict:
        """Workers only place pieces: they need the keys and grids, not the renderer or the bank."""
        return {**self.__dict__, "exam": None, "md": None, "pieces": {}}

    def add(self, key: str, html: str, width_mm: float, shrink: bool = False) -> str:
        if key not in self.pieces:
            self.pieces[key] = Piece(key, keep_words(html), width_mm, shrink)
        return key

    def question(self, item: ExamItem) -> list[str]:
        """Stem piece keys of an item (added on first use); choices are added alongside."""
        question = item.question
        cache_key = (question.id, item.points)
        if cache_key not in self.stems:
            assert self.md is not None, "every question is added before pickling"
            keys = [self.add(f"st:{question.id}:{item.points}:{index}", html, self.g.col_w)
                    for index, html in enumerate(stem_pieces(item, self.md))]
            self.stems[cache_key] = keys
            if item.choices:
                base = tuple(getattr(question.meta, "choices", ()))
                grid = choice_grid(base, self.g)
                self.grids[question.id] = grid
                for index, text in enumerate(base):
                    html = f'<div class="cht">{self.md.inline(text, question.path)}</div>'
                    width = grid.cell_mm - self.g.mark_w - grid.pad_mm
                    if grid.natural:
                        width = self.g.col_w - self.g.indent - self.g.mark_w
                    self.add(choice_key(question.id, index, grid), html, width, shrink=grid.natural)
        return self.stems[cache_key]

    def form(self, form: ExamForm) -> Furniture:
        for index, section in enumerate(form.sections):
            self.add(f"sec:{index}", section_head(section), self.g.col_w)
            for item in section.items:
                self.question(item)
        for number, mark in enumerate(CIRCLED, 1):
            self.add(f"mark:{number}", f'<span class="cn-c">{mark}</span>', 10, shrink=True)
        assert self.exam is not None
        title = self.add(f"title:{form.label}", title_block_html(self.exam, form), self.g.content_w)
        head = self.add(f"head:{form.label}", running_head_html(self.exam, form), self.g.content_w)
        label = self.add(f"label:{form.label}", f'<span class="foot-form">{escape(form.label)}</span>', 30, shrink=True)
        self.numerals()
        return Furniture(title, head, label)

    def numerals(self) -> None:
        """Digits for question numbers (``12.``) and footers (``3 / 8``), composed by placement: any number
        costs no layout, and N in ``n / N`` is known only after pagination."""
        for digit in "0123456789":
            self.add(f"qn:{digit}", f'<span class="qnum-c">{digit}</span>', 6, shrink=True)
            self.add(f"fn:{digit}", f'<span class="foot-c">{digit}</span>', 6, shrink=True)
        self.add("qn:.", '<span class="qnum-c">.</span>', 6, shrink=True)
        self.add("fn:/", '<span class="foot-c">&#160;/&#160;</span>', 12, shrink=True)



def title_block_html(exam: Exam, form: ExamForm) -> str:
    bp = exam.blueprint
    return environment().get_template("title_block.html.j2").render(
        session=bp.session, title=bp.title, subject=bp.subject, duration=bp.duration_minutes,
        item_count=len(form.items), total_points=exam.total_points, id_digits=ID_DIGITS, form=form,
        instructions=general_instructions(exam, form))


def running_head_html(exam: Exam, form: ExamForm) -> str:
    bp = exam.blueprint
    text = escape(" · ".join(part for part in (bp.title, bp.subject) if part))
    return f'<div class="run-head">{text}<span class="run-form">{escape(form.label)}</span></div>'


def piece_css() -> str:
    return "\n".join([font_face_css(), stylesheet(), read_template_file("booklet_pieces.css")])


# --- placement ------------------------------------------------------------------------------------------


@dataclass
class Laid:
    """A block's content relative to its top-left corner: (piece key, dx mm, dy mm)."""

    parts: list[tuple[str, float, float]] = field(default_factory=list)
    height_px: float = 0.0


def choice_block(item: ExamItem, pieces: PieceSet, grid: ChoiceGrid, geometry: Geometry = GEOMETRY) -> Laid:
    """Place the choices of ``item`` in its printed order: marks ①… at the cells, texts beside them."""
    em_px = EM_MM * PX_PER_MM
    laid = Laid()
    y = 0.15 * em_px  # ol margin-top
    x0 = geometry.indent
    line_mm = geometry.col_w - geometry.indent
    row: list[tuple[int, int, float]] = []  # (position, original index, x mm)

    def flush(y_px: float) -> float:
        height = 0.0
        for position, original, x_mm in row:
            key = choice_key(item.question.id, original, grid)
            dy = y_px / PX_PER_MM + 0.05 * EM_MM
            laid.parts.append((f"mark:{position}", x_mm, dy))
            laid.parts.append((key, x_mm + geometry.mark_w, dy))
            height = max(height, pieces.height(key))
        row.clear()
        return y_px + height + 0.1 * em_px

    x = x0
    for position, original in enumerate(item.choice_order, 1):
        key = choice_key(item.question.id, original, grid)
        if grid.natural:
            width = geometry.mark_w + pieces.width(key) / PX_PER_MM + grid.pad_mm
        else:
            width = grid.cell_mm if grid.columns > 1 else line_mm
            if grid.columns == 5:
                width = max(width, geometry.mark_w + pieces.width(key) / PX_PER_MM + grid.pad_mm)
        full = len(row) >= grid.columns or (row and x + width > x0 + line_mm + 0.01)
        if full:
            y = flush(y)
            x = x0
        row.append((position, original, x))
        x += width
    y = flush(y)
    laid.height_px = y
    return laid


def form_blocks(form: ExamForm, book: BookletPieces, pieces: PieceSet,
                geometry: Geometry = GEOMETRY) -> tuple[list[Block], dict[str, Laid]]:
    """Blocks for pagination and, for every virtual piece key, what it places."""
    blocks: list[Block] = []
    laid: dict[str, Laid] = {}
    gap = {"section": geometry.section_gap * PX_PER_MM, "question": geometry.question_gap * PX_PER_MM}
    for index, section in enumerate(form.sections):
        key = f"sec:{index}"
        laid[key] = Laid([(key, 0.0, 0.0)], pieces.height(key))
        blocks.append(Block(((key, pieces.height(key)),), gap["section"], keep_with_next=True))
        for item in section.items:
            keys = book.question(item)
            entries = []
            for position, stem in enumerate(keys):
                virtual = f"{stem}@{item.number}"
                parts = [(stem, 0.0, 0.0)]
                anchor = pieces.anchors.get(stem, {}).get("qnum")
                if position == 0 and anchor is not None:
                    parts += numeral(pieces, "qn", f"{item.number}.", anchor.x / PX_PER_MM, anchor.y / PX_PER_MM)
                laid[virtual] = Laid(parts, pieces.height(stem))
                entries.append((virtual, pieces.height(stem)))
            if item.choices:
                choices = choice_block(item, pieces, book.grids[item.question.id], geometry)
                # choices stay with the stem's last block (as one piece, a question never ends on its stem)
                last_key, last_h = entries.pop()
                laid[last_key].parts.extend((k, dx, dy + last_h / PX_PER_MM) for k, dx, dy in choices.parts)
                laid[last_key].height_px = last_h + choices.height_px
                entries.append((last_key, last_h + choices.height_px))
            blocks.append(Block(tuple(entries), gap["question"]))
    return blocks, laid


@dataclass(frozen=True)
class Personal:
    """What a named copy prints in the title block: the student's name and 수험번호."""

    name: str
    student_id: str


def compose_form(form: ExamForm, book: BookletPieces, pieces: PieceSet, furniture: Furniture,
                 personal: Personal | None = None, names: PieceSet | None = None,
                 geometry: Geometry = GEOMETRY) -> list[ComposedPage]:
    """The pages of one booklet as placements; a ``personal`` copy writes the student's name and 수험번호
    (pieces from ``names``) into the title block."""
    # the columns start below the title block, whatever its measured height (the blueprint decides its text)
    geometry = replace(geometry, title_h=round(pieces.height(furniture.title) / PX_PER_MM + 0.5, 1))
    blocks, laid = form_blocks(form, book, pieces, geometry)
    columns: list[Column] = paginate(blocks, geometry.capacity_px)
    grouped = group_pages(columns)
    result = []
    for page_index, page_columns in enumerate(grouped):
        page = ComposedPage()
        top = geometry.top + (geometry.title_h if page_index == 0 else 0)
        if page_index == 0:
            page.place(furniture.title, geometry.side, geometry.top)
            if personal is not None and names is not None:
                _place_personal(page, pieces.anchors.get(furniture.title, {}), names, personal, geometry)
        else:
            page.place(furniture.head, geometry.side, geometry.top - 7)
        _place_footer(page, pieces, furniture, page_index + 1, len(grouped), geometry)
        rule_x = geometry.side + geometry.col_w + geometry.gap / 2
        page.drawing.append(line_ops(rule_x, top, rule_x, geometry.page_h - geometry.bottom, 0.6))
        for column_index, column in enumerate(page_columns):
            x = geometry.side + column_index * (geometry.col_w + geometry.gap)
            y_px = 0.0
            for placed in column:
                y_px += placed.gap
                block = laid[placed.key]
                for key, dx, dy in block.parts:
                    page.place(key, x + dx, top + y_px / PX_PER_MM + dy)
                y_px += block.height_px
        result.append(page)
    return result


def numeral(pieces: PieceSet, family: str, text: str, x_mm: float, y_mm: float) -> list[tuple[str, float, float]]:
    """Placements that write ``text`` (digits, '.', '/') from single-character pieces, left to right."""
    return [(key, left, y_mm) for key, left in side_by_side(pieces, character_keys(family, text), x_mm)]


def _place_footer(page: ComposedPage, pieces: PieceSet, furniture: Furniture, number: int, total: int,
                  geometry: Geometry) -> None:
    """``n / N`` centred under the page, the form label at the right."""
    width = text_width(pieces, "fn", f"{number}/{total}")
    bottom = geometry.page_h - geometry.bottom + 9
    for key, dx, dy in numeral(pieces, "fn", f"{number}/{total}", geometry.side + (geometry.content_w - width) / 2, 0):
        page.place(key, dx, bottom - pieces.height(key) / PX_PER_MM + dy)
    label_w = pieces.width(furniture.label) / PX_PER_MM
    page.place(furniture.label, geometry.side + geometry.content_w - label_w,
               bottom - pieces.height(furniture.label) / PX_PER_MM)


def _place_personal(page: ComposedPage, anchors: dict, pieces: PieceSet, personal: Personal,
                    geometry: Geometry) -> None:
    name_box = anchors.get("name")
    name_key = f"name:{personal.name}"
    if name_box is not None and name_key in pieces.boxes:
        height = pieces.height(name_key) / PX_PER_MM
        page.place(name_key, geometry.side + name_box.x / PX_PER_MM + 2,
                   geometry.top + (name_box.y + name_box.height / 2) / PX_PER_MM - height / 2)
    for index, digit in enumerate(personal.student_id[:ID_DIGITS]):
        box = anchors.get(f"d{index}")
        key = f"digit:{digit}"
        if box is None or key not in pieces.boxes:
            continue
        width, height = pieces.width(key) / PX_PER_MM, pieces.height(key) / PX_PER_MM
        page.place(key, geometry.side + (box.x + box.width / 2) / PX_PER_MM - width / 2,
                   geometry.top + (box.y + box.height / 2) / PX_PER_MM - height / 2)


# --- writers --------------------------------------------------------------------------------------------


@dataclass
class BookletLayout:
    """Everything laid out for a set of booklets: pieces, their measurements and each form's furniture."""

    book: BookletPieces
    pieces: PieceSet
    furniture: dict[str, Furniture]


@dataclass
class BookletPlan:
    """The distinct pieces of a set of booklets, before layout (picklable: workers lay out its parts)."""

    book: BookletPieces
    furniture: dict[str, Furniture]

    def parts(self, count: int) -> list[list[Piece]]:
        """The pieces in ``count`` groups of about equal text, for layout in parallel."""
        groups: list[list[Piece]] = [[] for _ in range(max(1, count))]
        sizes = [0] * len(groups)
        for piece in sorted(self.book.pieces.values(), key=lambda piece: -len(piece.html)):
            smallest = sizes.index(min(sizes))
            groups[smallest].append(piece)
            sizes[smallest] += len(piece.html) + 200  # a piece's own page costs too
        return [group for group in groups if group]


def plan_booklets(exam: Exam, forms: Sequence[ExamForm]) -> BookletPlan:
    """Every distinct piece of ``forms`` as HTML (Markdown, formulas and code rendered; nothing laid out)."""
    book = BookletPieces(exam, booklet_markdown(exam.bank.root))
    return BookletPlan(book, {form.name: book.form(form) for form in forms})


def lay_out_part(engine: Engine, pieces: Sequence[Piece]) -> PieceSet:
    """One WeasyPrint pass over some of the pieces."""
    return lay_out(engine, piece_css(), pieces)


def lay_out_booklets(exam: Exam, engine: Engine, forms: Sequence[ExamForm]) -> BookletLayout:
    """One WeasyPrint pass over every distinct piece of ``forms``."""
    plan = plan_booklets(exam, forms)
    return BookletLayout(plan.book, lay_out_part(engine, list(plan.book.pieces.values())), plan.furniture)


def write_booklets(layout: BookletLayout, forms: Sequence[ExamForm], out_dir: Path,
                   progress: Callable[[str], None] | None = None) -> list[Path]:
    """booklet-<form>.pdf for every form, by placement (``progress`` hears of the second form on; the first
    is announced when its layout starts)."""
    paths = []
    for index, form in enumerate(forms):
        if progress and index:
            progress(f"booklet {form.name}")
        writer = PageWriter(layout.pieces)
        for page in compose_form(form, layout.book, layout.pieces, layout.furniture[form.name]):
            writer.add(page)
        target = out_dir / f"booklet-{form.name}.pdf"
        writer.save(target)
        paths.append(target)
    return paths


def render_booklets(exam: Exam, engine: Engine, out_dir: Path, forms: list[ExamForm] | None = None,
                    progress: Callable[[str], None] | None = None) -> list[Path]:
    """Write booklet-<form>.pdf for every form: one layout pass for all pieces, then placement."""
    forms = list(forms or exam.forms)
    if progress:
        progress(f"booklet {forms[0].name}")
    return write_booklets(lay_out_booklets(exam, engine, forms), forms, out_dir, progress)
