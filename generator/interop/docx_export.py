"""DOCX export: the same booklets and key as the HWPX export, as Word documents with real Word equations.

python-docx writes the document (A4, two columns after the title, 바탕 as the East Asian font, ``<보기>``
boxes as bordered 1×1 tables); formulas become Office Math (OMML) through latex2mathml and ``omml.py``;
what cannot be mapped is written as readable text and reported.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Sequence

from generator.assemble.exam import Exam
from generator.interop.hwpx_adapter import TITLE_SIZE, Paragraph, readable_math
from generator.interop.hwpx_export import write_papers
from generator.interop.omml import Unsupported, latex_to_omml
from generator.render.writers import RenderContext

EAST_ASIAN_FONT = "바탕"
LATIN_FONT = "Times New Roman"
CODE_FONT = "Consolas"


class DocxBook:
    """A Word document being written through python-docx (see hwpx_export.Book)."""

    def __init__(self) -> None:
        from docx import Document
        from docx.oxml.ns import qn
        from docx.shared import Mm, Pt

        self.doc: Any = Document()
        self.fallbacks: list[str] = []
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(18)
        section.top_margin = section.bottom_margin = Mm(20)
        normal = self.doc.styles["Normal"]
        normal.font.name, normal.font.size = LATIN_FONT, Pt(10)
        fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
        normal.paragraph_format.space_after = Pt(3)

    def start_columns(self) -> None:
        """A continuous section break: the title stays one column, the rest is set in two."""
        from docx.enum.section import WD_SECTION
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        section = self.doc.add_section(WD_SECTION.CONTINUOUS)
        columns = section._sectPr.find(qn("w:cols"))
        if columns is None:
            columns = OxmlElement("w:cols")
            section._sectPr.append(columns)
        columns.set(qn("w:num"), "2")
        columns.set(qn("w:space"), "340")
        columns.set(qn("w:sep"), "1")

    def paragraph(self, runs: Paragraph, bold: bool = False) -> None:
        self._fill(self.doc.add_paragraph(), runs, bold)

    def _fill(self, paragraph: Any, runs: Paragraph, bold: bool = False) -> None:
        from docx.oxml import parse_xml
        from docx.shared import Pt

        for run in runs:
            if run.kind == "math":
                try:
                    math = latex_to_omml(run.text)
                except Unsupported:
                    self.fallbacks.append(run.text)
                    paragraph.add_run(readable_math(run.text)).italic = True
                    continue
                paragraph._p.append(parse_xml(ET.tostring(math, encoding="unicode")))
            elif run.kind == "title" and run.text:
                title = paragraph.add_run(run.text)
                title.bold, title.font.size = True, Pt(TITLE_SIZE)
            elif run.kind == "code" and run.text:
                paragraph.add_run(run.text).font.name = CODE_FONT
            elif run.text:
                paragraph.add_run(run.text).bold = bold or run.kind == "bold"

    def box(self, title: str, lines: Sequence[Paragraph]) -> None:
        table = self.doc.add_table(rows=1, cols=1)
        table.style = "Table Grid"
        cell = table.cell(0, 0)
        cell.paragraphs[0].add_run(title).bold = True
        cell.paragraphs[0].alignment = 1  # centred, as on Korean papers
        for line in lines:
            self._fill(cell.add_paragraph(), line)
        self.doc.add_paragraph()

    def table(self, rows: Sequence[Sequence[str]]) -> None:
        if not rows or not rows[0]:
            return
        table = self.doc.add_table(rows=len(rows), cols=len(rows[0]))
        table.style = "Table Grid"
        for r, row in enumerate(rows):
            for c, text in enumerate(row[: len(rows[0])]):
                table.cell(r, c).text = text

    def picture(self, data: bytes, image_format: str, width_mm: float, height_mm: float) -> None:
        from docx.shared import Mm

        self.doc.add_picture(io.BytesIO(data), width=Mm(width_mm))

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def docx_bytes(book: DocxBook, _name: str) -> bytes:
    return book.to_bytes()


def write(exam: Exam, ctx: RenderContext, out_dir: Path) -> list[Path]:
    return write_papers(exam, ctx, out_dir, ".docx", DocxBook, docx_bytes)


