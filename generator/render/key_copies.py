"""수험자별 정답표 by placement: the per-student keys of a roster build, as pages composed from characters.

Every text of the table (numbers, 수험번호, names, the ①–⑤ keys, the headers) is set from single-character
pieces laid out once, and the grid is drawn as lines, so a roster of any size costs the layout of its
distinct characters, never of its rows: 100,000 students need no more layout or memory per page than 30.
The pages follow the 해설 in key.pdf, with their own page numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from generator.assemble.exam import Exam
from generator.render.common import paper_css
from generator.render.compose import (
    A4,
    PX_PER_MM,
    ComposedPage,
    PageWriter,
    PieceSet,
    character_pieces,
    lay_out,
    line_ops,
    rect_ops,
    text_width,
    write_text,
)
from generator.render.pdf import Engine

CELL, HEAD, TITLE, NOTE, FOOT = "kc", "kh", "kt", "kn", "kf"
CLASSES = {CELL: "kx-cell", HEAD: "kx-head", TITLE: "kx-title", NOTE: "kx-note", FOOT: "kx-foot"}
TOP, SIDE, BOTTOM = 16.0, 17.0, 17.0  # key.css page margins (mm)
ROW_MM, HEAD_MM, TITLE_MM = 4.4, 5.2, 11.0
GREY = (0.9, 0.9, 0.9)


@dataclass(frozen=True)
class Table:
    """Columns (header, width mm) and rows of cell texts; ``title`` and ``note`` head the first page."""

    title: str
    note: str
    columns: tuple[tuple[str, float], ...]
    rows: tuple[tuple[str, ...], ...]


def copy_key_table(exam: Exam, span: int = 10) -> Table | None:
    """The 수험자별 정답표 of a roster build: per student their own key (own order), or their form."""
    if not exam.copies:
        return None
    width = A4[0] - 2 * SIDE
    own = any(copy.own_order for copy in exam.copies)
    if own:
        numbers = [item.number for item in exam.forms[0].items if item.answer is not None]
        spans = [numbers[i:i + span] for i in range(0, len(numbers), span)]
        fixed = (("번호", 8.0), ("수험번호", 17.0), ("성명", 17.0))
        rest = (width - sum(w for _, w in fixed)) / max(1, len(spans))
        columns = fixed + tuple((f"{group[0]}–{group[-1]}번", rest) for group in spans)
        rows = []
        for copy in exam.copies:
            answers = {item.number: item.answer_label for item in copy.form.items if item.answer is not None}
            cells = ["".join(answers.get(n, "·") for n in group[:5]) + " " + "".join(answers.get(n, "·") for n in group[5:])
                     for group in spans]
            rows.append((str(copy.number), copy.student_id, copy.name, *cells))
        note = f"({len(exam.copies)}명, 수험자마다 문항·선택지 순서가 다름)"
        return Table("수험자별 정답표", note, columns, tuple(rows))
    triple = (("번호", 9.0), ("수험번호", 19.0), ("성명", width / 3 - 40.0), ("문형", 12.0))
    flat = [(str(copy.number), copy.student_id, copy.name, copy.form.label) for copy in exam.copies]
    rows = [tuple(cell for row in flat[i:i + 3] for cell in row) for i in range(0, len(flat), 3)]
    return Table("수험자별 문형", f"({len(exam.copies)}명)", triple * 3, tuple(rows))


def _fit(pieces: PieceSet, family: str, text: str, width: float) -> str:
    """``text``, cut with … when wider than ``width`` mm (a name in a narrow column; the 수험번호 identifies)."""
    if text_width(pieces, family, text) <= width:
        return text
    while text and text_width(pieces, family, text + "…") > width:
        text = text[:-1]
    return text + "…"


def compose_table(table: Table, pieces: PieceSet) -> list[ComposedPage]:
    """The table's pages: a header row on each, rows in a ruled grid, page numbers at the foot."""
    height = A4[1] - TOP - BOTTOM
    first_rows = int((height - TITLE_MM - HEAD_MM) // ROW_MM)
    per_page = int((height - HEAD_MM) // ROW_MM)
    chunks = [table.rows[:first_rows]]
    chunks += [table.rows[i:i + per_page] for i in range(first_rows, len(table.rows), per_page)]
    pages = []
    for number, rows in enumerate(chunks, 1):
        page = ComposedPage()
        top = TOP
        if number == 1:
            write_text(page, pieces, TITLE, table.title, SIDE, top)
            write_text(page, pieces, NOTE, table.note, SIDE + text_width(pieces, TITLE, table.title) + 2,
                       top + (pieces.height(f"{TITLE}:{table.title[0]}") - pieces.height(f"{NOTE}:(")) / PX_PER_MM)
            top += TITLE_MM
        _row(page, pieces, HEAD, [name for name, _ in table.columns], table.columns, top, HEAD_MM, header=True)
        y = top + HEAD_MM
        for row in rows:
            _row(page, pieces, CELL, list(row), table.columns, y, ROW_MM)
            y += ROW_MM
        _grid(page, table.columns, top, y)
        footer = f"정답 및 해설 · {table.title} {number} / {len(chunks)}"
        write_text(page, pieces, FOOT, footer, (A4[0] - text_width(pieces, FOOT, footer)) / 2, A4[1] - BOTTOM + 6)
        pages.append(page)
    return pages


def _row(page: ComposedPage, pieces: PieceSet, family: str, cells: Sequence[str],
         columns: Sequence[tuple[str, float]], y: float, height: float, header: bool = False) -> None:
    x = SIDE
    if header:
        page.background.append(rect_ops(SIDE, y, sum(w for _, w in columns), height, GREY))
    for text, (_, width) in zip(cells, columns):
        text = _fit(pieces, family, text, width - 1.0)
        if text:
            text_h = pieces.height(f"{family}:{text[0]}") / PX_PER_MM
            write_text(page, pieces, family, text, x + (width - text_width(pieces, family, text)) / 2,
                       y + (height - text_h) / 2)
        x += width


def _grid(page: ComposedPage, columns: Sequence[tuple[str, float]], top: float, bottom: float) -> None:
    right = SIDE + sum(w for _, w in columns)
    page.drawing.append(line_ops(SIDE, top, right, top, 0.7))
    page.drawing.append(line_ops(SIDE, bottom, right, bottom, 0.7))
    page.drawing.append(line_ops(SIDE, top + HEAD_MM, right, top + HEAD_MM, 0.5))
    x = SIDE
    for index, (_, width) in enumerate(columns):
        page.drawing.append(line_ops(x, top, x, bottom, 0.7 if index == 0 else 0.3))
        x += width
    page.drawing.append(line_ops(right, top, right, bottom, 0.7))
    y = top + HEAD_MM + 5 * ROW_MM
    while y < bottom - 0.1:  # a finer rule every five rows helps the eye along a long table
        page.drawing.append(line_ops(SIDE, y, right, y, 0.3))
        y += 5 * ROW_MM


def render_copy_key(table: Table, engine: Engine) -> tuple[bytes, int]:
    """The table's pages as PDF bytes, and their count."""
    texts = {CELL: ["".join({c for row in table.rows for cell in row for c in cell}), "…"],
             HEAD: [name for name, _ in table.columns], TITLE: [table.title], NOTE: [table.note],
             FOOT: [f"정답 및 해설 · {table.title} 0123456789/"]}
    pieces = lay_out(engine, paper_css("key.css"), character_pieces(texts, CLASSES))
    pages = compose_table(table, pieces)
    writer = PageWriter(pieces)
    for page in pages:
        writer.add(page)
    return writer.to_bytes(), len(pages)
