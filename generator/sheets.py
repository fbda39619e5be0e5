"""Spreadsheets as text: opening an .xlsx workbook and reading its cells, for import, rosters and grading."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from generator.problems import UserError, display_path


def cell_text(value: object) -> str:
    """A cell as the text a teacher sees: 3.0 -> '3', None -> '', True -> 'TRUE', line breaks as \\n."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def import_openpyxl() -> None:
    """Import openpyxl without numpy: openpyxl only imports it to accept numpy numbers in cells, which we never
    write, and that import costs 0.3 s of the 2 s budget for 100 questions."""
    if "openpyxl" in sys.modules or "numpy" in sys.modules:
        return
    sys.modules["numpy"] = None  # type: ignore[assignment]  # makes `import numpy` raise ImportError
    try:
        import openpyxl  # noqa: F401
    finally:
        del sys.modules["numpy"]


def open_workbook(path: Path) -> Any:
    """The workbook at ``path``, read-only with cell values; a damaged or non-xlsx file is a UserError."""
    import_openpyxl()
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or non-xlsx file
        raise UserError(f"{display_path(path)}: cannot read as an Excel .xlsx file ({error}); "
                        "save it again from Excel as .xlsx") from None


def first_sheet_rows(path: Path) -> list[list[str]]:
    """Every row of the workbook's first sheet, as text cells."""
    book = open_workbook(path)
    try:
        return [[cell_text(value) for value in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
