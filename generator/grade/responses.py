"""Reading response sheets: ``scans/responses.csv`` (issue-13 format) or a sheet the teacher typed (CSV/XLSX).

Columns: ``student_id``/``수험번호``, ``name``/``성명`` (optional), ``form``/``문형``, ``copy``/``사본`` (optional),
then one column per printed question number. Rows that are entirely empty are skipped (blank template lines).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from generator.problems import Problem, UserError, display_path
from generator.sheets import first_sheet_rows

HEADER_ALIASES = {
    "student_id": "student_id", "수험번호": "student_id", "id": "student_id",
    "name": "name", "성명": "name", "이름": "name",
    "form": "form", "문형": "form", "유형": "form",
    "copy": "copy", "사본": "copy",
    "class": "class", "반": "class", "번호": "seat",
}


@dataclass(frozen=True)
class ResponseRow:
    source: str  # the file as shown to the user
    row: int  # 1-based row of the file (the header is row 1)
    student_id: str
    name: str
    form: str
    copy: str
    cells: dict[int, str]  # printed question number -> raw cell text


def read_table(path: Path) -> list[list[str]]:
    """The rows of a CSV (UTF-8, BOM optional) or the first sheet of an XLSX, as text cells."""
    shown = display_path(path)
    if not path.is_file():
        raise UserError(f"{shown}: no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return first_sheet_rows(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{shown}: not UTF-8 (Excel's 'CSV' is often CP949/EUC-KR): save it as 'CSV UTF-8', "
                        f"or convert it: iconv -f cp949 -t utf-8 {shown} > fixed.csv") from None
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]


def read_responses(path: Path) -> list[ResponseRow]:
    """Every non-empty data row; raises UserError for a header without 수험번호 or question columns."""
    shown = display_path(path)
    table = read_table(path)
    if not table:
        raise UserError(f"{shown}: the file is empty")
    header = table[0]
    roles: dict[str, int] = {}
    numbers: dict[int, int] = {}
    problems = []
    for column, name in enumerate(header):
        label = name.strip()
        if not label:
            continue
        if label.isdigit():
            if int(label) in numbers:
                problems.append(Problem(shown, 1, label, f"question {label} has two columns"))
            numbers[int(label)] = column
        elif label.lower() in HEADER_ALIASES or label in HEADER_ALIASES:
            roles[HEADER_ALIASES.get(label.lower(), HEADER_ALIASES.get(label, label))] = column
        else:
            problems.append(Problem(shown, 1, label, "unknown column: use 수험번호 (student_id), 성명, 문형 (form), "
                                                     "copy and question numbers 1, 2, …"))
    if "student_id" not in roles:
        problems.append(Problem(shown, 1, "header", "no 수험번호 (student_id) column"))
    if not numbers:
        problems.append(Problem(shown, 1, "header", "no question columns (1, 2, …)"))
    if problems:
        raise UserError(problems)
    return list(_rows(shown, table[1:], roles, numbers))


def _rows(shown: str, table: list[list[str]], roles: dict[str, int],
          numbers: dict[int, int]) -> Iterable[ResponseRow]:
    def get(row: list[str], column: int | None) -> str:
        return row[column] if column is not None and column < len(row) else ""

    for index, row in enumerate(table, start=2):
        if not any(cell.strip() for cell in row):
            continue
        yield ResponseRow(shown, index, get(row, roles.get("student_id")), get(row, roles.get("name")),
                          get(row, roles.get("form")), get(row, roles.get("copy")),
                          {number: get(row, column) for number, column in numbers.items()})
