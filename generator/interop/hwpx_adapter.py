"""The only module that talks to python-hwpx (pinned in pyproject.toml: alpha, one maintainer, API moving).

Our writers describe a document as paragraphs of runs (text, bold text, LaTeX math), 1×1 boxes, tables
and pictures; this adapter turns them into an HWPX package, checks it with the library's own validators
and reads text back for tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

COLUMN_GAP = 1700  # HWPUNIT (1/7200 in): about 6 mm between the two columns
TITLE_SIZE = 16  # pt
CODE_FONT = "D2Coding"  # 한글's bundled coding font
BOX_WIDTH = 22000  # HWPUNIT: a little less than one column of an A4 two-column page


@dataclass(frozen=True)
class Run:
    """A piece of a paragraph: ``kind`` is ``text``, ``bold``, ``title``, ``code`` or ``math`` (LaTeX, without ``$``)."""

    kind: str
    text: str


Paragraph = Sequence[Run]

# LaTeX the converter does not know, normalised first; what still fails is written as readable text
_NORMALISE = [
    (re.compile(r"\\(displaystyle|textstyle|left|right|big|Big|bigg|Bigg)(?![A-Za-z])"), ""),
    (re.compile(r"\\(mathbb|operatorname|mathcal|mathsf)\{"), r"\\mathrm{"),
    (re.compile(r"\\(boldsymbol|bm)\{"), r"\\mathbf{"),
    (re.compile(r"\\(parallel|Vert|lVert|rVert)(?![A-Za-z])|\\\|"), "||"),
    (re.compile(r"\\top(?![A-Za-z])"), "T"),
    (re.compile(r"\\(arg|odot)(?![A-Za-z])"), r"\\mathrm{\1}"),
    (re.compile(r"\\[,;:! ]|\\(quad|qquad)(?![A-Za-z])"), " "),
    (re.compile(r"\\(lvert|rvert)(?![A-Za-z])"), "|"),
    (re.compile(r"\\langle(?![A-Za-z])"), "<"),
    (re.compile(r"\\rangle(?![A-Za-z])"), ">"),
    (re.compile(r"\\text\{([^{}]*)\}"), r"\\mathrm{\1}"),
]


def equation_script(latex: str) -> str | None:
    """Hancom equation script for ``latex``, or None when it cannot be converted."""
    from hwpx.equation.authoring import latex_to_eqedit

    text = latex.strip()
    for pattern, replacement in _NORMALISE:
        text = pattern.sub(replacement, text)
    for candidate in (latex.strip(), text):
        try:
            return latex_to_eqedit(candidate)
        except Exception:  # noqa: BLE001 - UnsupportedLatexError, EquationConversionError, parser errors
            continue
    return None


def readable_math(latex: str) -> str:
    """A readable plain-text fallback for a formula: LaTeX commands become words or symbols."""
    symbols = {r"\times": "×", r"\cdot": "·", r"\le": "≤", r"\ge": "≥", r"\neq": "≠", r"\approx": "≈",
               r"\infty": "∞", r"\sum": "Σ", r"\prod": "Π", r"\partial": "∂", r"\nabla": "∇", r"\to": "→",
               r"\in": "∈", r"\sigma": "σ", r"\mu": "μ", r"\lambda": "λ", r"\theta": "θ", r"\alpha": "α",
               r"\beta": "β", r"\gamma": "γ", r"\epsilon": "ε", r"\eta": "η", r"\pi": "π", r"\parallel": "∥",
               r"\lfloor": "⌊", r"\rfloor": "⌋", r"\lceil": "⌈", r"\rceil": "⌉", r"\langle": "⟨", r"\rangle": "⟩"}
    text = latex
    for command, symbol in sorted(symbols.items(), key=lambda item: -len(item[0])):
        text = re.sub(re.escape(command) + r"(?![A-Za-z])", symbol, text)
    text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)", text)
    text = re.sub(r"\\sqrt\{([^{}]*)\}", r"√(\1)", text)
    text = re.sub(r"\\[A-Za-z]+", "", text)
    return re.sub(r"[{}]", "", text).strip()


class HwpxBook:
    """One HWPX document being written: a title area, then two columns."""

    def __init__(self, columns: int = 2) -> None:
        from hwpx import HwpxDocument

        self.doc: Any = HwpxDocument.new()
        self.columns = columns
        self._columns_set = False
        self.fallbacks: list[str] = []  # formulas written as text

    def start_columns(self) -> None:
        """Everything after this point is set in ``columns`` columns (the title area stays full width)."""
        if not self._columns_set and self.columns > 1:
            self.doc.page.set_columns(self.columns, same_gap=COLUMN_GAP, separator_type="SOLID",
                                      paragraph=self.doc.add_paragraph(""))
            self._columns_set = True

    def paragraph(self, runs: Paragraph, bold: bool = False) -> None:
        self._fill(self.doc.add_paragraph("", include_run=False, inherit_style=False), runs, bold)

    def _fill(self, paragraph: Any, runs: Paragraph, bold: bool = False) -> None:
        if not runs:
            paragraph.add_run("")
        for run in runs:
            if run.kind == "math":
                script = equation_script(run.text)
                if script is not None:
                    try:
                        paragraph.add_equation(script)
                        continue
                    except Exception:  # noqa: BLE001 - the library refuses some scripts it produced
                        pass
                self.fallbacks.append(run.text)
                paragraph.add_run(readable_math(run.text), italic=True)
            elif run.kind == "title" and run.text:
                paragraph.add_run(run.text, bold=True, size=TITLE_SIZE)
            elif run.kind == "code" and run.text:
                paragraph.add_run(run.text, font=CODE_FONT, expand_special_characters=True)
            elif run.text:
                paragraph.add_run(run.text, bold=bold or run.kind == "bold")

    def box(self, title: str, lines: Sequence[Paragraph]) -> None:
        """A ``<보기>`` box: a 1×1 table whose cell holds the title line and the given lines."""
        table = self.doc.add_table(1, 1, width=BOX_WIDTH)
        cell = table.cell(0, 0)
        first = cell.paragraphs[0]
        first.add_run(title, bold=True)
        self.doc.styles.apply_paragraph_format(paragraphs=[first], alignment="CENTER")
        for line in lines:
            self._fill(cell.add_paragraph(""), line)

    def table(self, rows: Sequence[Sequence[str]]) -> None:
        if not rows or not rows[0]:
            return
        table = self.doc.add_table(len(rows), len(rows[0]), width=BOX_WIDTH)
        for r, row in enumerate(rows):
            for c, text in enumerate(row[: len(rows[0])]):
                table.set_cell_text(r, c, text)

    def picture(self, data: bytes, image_format: str, width_mm: float, height_mm: float) -> None:
        self.doc.add_picture(data, image_format, width_mm=width_mm, height_mm=height_mm)

    def to_bytes(self) -> bytes:
        return self.doc.to_bytes()

    def problems(self) -> list[str]:
        """Schema problems of the document as built (the library's own validator)."""
        report = self.doc.validate()
        return [str(issue) for issue in report.issues]


def package_problems(data: bytes) -> list[str]:
    """Errors of the library's package validator (ZIP, manifest, parts); warnings are ignored."""
    from hwpx.tools.package_validator import validate_package

    report = validate_package(data)
    return [f"{issue.part_name}: {issue.message}" for issue in report.issues if getattr(issue, "level", "error") != "warning"]


def reopen_problems(path: Path) -> list[str]:
    """Open a written file again with python-hwpx and validate it (what a reader sees, not what we built)."""
    from hwpx import HwpxDocument

    document = HwpxDocument.open(str(path))
    return [str(issue) for issue in document.validate().issues]


def extract_text(path: Path) -> str:
    """The text of an HWPX file, paragraph by paragraph (table cells included)."""
    from hwpx.tools.text_extractor import TextExtractor

    with TextExtractor(str(path)) as extractor:
        return extractor.extract_text(object_behavior="nested")


def equation_scripts(path: Path) -> list[str]:
    """The equation scripts stored in an HWPX file."""
    import zipfile

    from lxml import etree

    scripts = []
    with zipfile.ZipFile(path) as archive:
        for name in sorted(n for n in archive.namelist() if re.match(r"Contents/section\d+\.xml$", n)):
            root = etree.fromstring(archive.read(name))
            scripts += [node.text or "" for node in root.iter("{*}script")]
    return scripts
