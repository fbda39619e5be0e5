"""The class list (명렬표) for named copies: a CSV or .xlsx file with one student per row.

Columns (Korean or English headers, any order): 수험번호 (student_id), 성명 (name), optional 반 (class),
번호 (seat) and 문형 (form). Every problem is reported as ``file:row: column: message``; nothing is built
from a bad roster.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from generator.bank.frontmatter import FileProblem, decode
from generator.problems import Problem, UserError, display_path
from generator.sheets import first_sheet_rows

ID_DIGITS = 8  # 수험번호 bubbles on the answer sheet
MAX_STUDENTS = 200_000
HEADERS = {
    "student_id": ("수험번호", "student_id", "id"),
    "name": ("성명", "이름", "name"),
    "class": ("반", "class"),
    "seat": ("번호", "seat"),
    "form": ("문형", "form"),
}


@dataclass(frozen=True)
class Student:
    """One row of the roster."""

    student_id: str
    name: str
    klass: str = ""
    seat: str = ""
    form: str = ""  # the form the roster assigns, if any
    row: int = 0  # row in the roster file (for messages)


def load_roster(path: Path, forms: Sequence[str]) -> tuple[Student, ...]:
    """Read and check a roster; ``forms`` are the blueprint's form names."""
    shown = display_path(path)
    try:
        rows = _xlsx_rows(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows(path.read_bytes())
    except FileNotFoundError:
        raise UserError(f"{shown}: no such roster file") from None
    except FileProblem as problem:
        raise UserError([Problem(shown, problem.line, problem.field, problem.message)]) from None
    return check_rows(rows, forms, f"{shown}:{{row}}")


def _csv_rows(raw: bytes) -> list[tuple[int, list[str]]]:
    text = decode(raw)
    reader = csv.reader(io.StringIO(text))
    return [(index, [cell.strip() for cell in row]) for index, row in enumerate(reader, 1)]


def _xlsx_rows(path: Path) -> list[tuple[int, list[str]]]:
    return list(enumerate(first_sheet_rows(path), 1))


def check_rows(rows: list[tuple[int, list[str]]], forms: Sequence[str], where: str) -> tuple[Student, ...]:
    """Students from (row number, cells) pairs whose first non-empty row is the header."""
    rows = [(number, cells) for number, cells in rows if any(cells)]
    if not rows:
        raise UserError(f"{where.format(row=1)}: the roster is empty; write a header row "
                        "(수험번호, 성명, and optionally 반, 번호, 문형) and one row per student")
    header_row, header = rows[0]
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        normalised = re.sub(r"\s+", "", title).lower()
        for field, names in HEADERS.items():
            if normalised in {n.lower() for n in names} and field not in columns:
                columns[field] = index
    problems = []
    for field in ("student_id", "name"):
        if field not in columns:
            problems.append(f"{where.format(row=header_row)}: header: no '{HEADERS[field][0]}' column; "
                            f"the header row needs 수험번호 and 성명 (found: {', '.join(h for h in header if h) or 'nothing'})")
    if problems:
        raise UserError("\n".join(problems))
    if len(rows) - 1 > MAX_STUDENTS:
        raise UserError(f"{where.format(row=header_row)}: {len(rows) - 1} students; at most {MAX_STUDENTS} per build")
    students: list[Student] = []
    first_row: dict[str, int] = {}
    for number, cells in rows[1:]:
        values = {field: cells[index].strip() if index < len(cells) else "" for field, index in columns.items()}
        at = where.format(row=number)
        student_id, name, form = values["student_id"], values["name"], values.get("form", "")
        if not student_id:
            problems.append(f"{at}: 수험번호: empty; every student needs a 수험번호")
        elif not re.fullmatch(rf"\d{{1,{ID_DIGITS}}}", student_id):
            problems.append(f"{at}: 수험번호: '{student_id}' must be 1 to {ID_DIGITS} digits "
                            "(the answer sheet has digit bubbles)")
        elif student_id in first_row:
            problems.append(f"{at}: 수험번호: {student_id} is already used in row {first_row[student_id]}")
        else:
            first_row[student_id] = number
        if not name:
            problems.append(f"{at}: 성명: empty; write the student's name")
        elif len(name) > 40:
            problems.append(f"{at}: 성명: longer than 40 characters")
        if form:
            form = re.sub(r"형$", "", form)
            if form not in forms:
                problems.append(f"{at}: 문형: '{form}' is not a form of this exam (forms: {', '.join(forms)})")
        students.append(Student(student_id, name, values.get("class", ""), values.get("seat", ""), form, number))
    if problems:
        raise UserError("\n".join(problems))
    if not students:
        raise UserError(f"{where.format(row=header_row)}: the roster has a header but no students")
    return tuple(students)
