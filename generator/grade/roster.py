"""A class roster (CSV or XLSX): 수험번호, 성명, optional 반, 번호 and 문형 — the format of ``build --roster``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.grade.responses import HEADER_ALIASES, read_table
from generator.problems import Problem, UserError, display_path


@dataclass(frozen=True)
class Student:
    student_id: str
    name: str
    form: str = ""
    klass: str = ""
    seat: str = ""


def read_roster(path: Path) -> list[Student]:
    shown = display_path(path)
    table = read_table(path)
    if not table:
        raise UserError(f"{shown}: the roster is empty")
    roles = {HEADER_ALIASES.get(h.strip().lower(), HEADER_ALIASES.get(h.strip(), "")): i
             for i, h in enumerate(table[0])}
    if "student_id" not in roles or "name" not in roles:
        raise UserError(f"{shown}:1: header: a roster needs the columns 수험번호 and 성명")
    students: list[Student] = []
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for row_number, row in enumerate(table[1:], start=2):
        cells = {role: (row[i].strip() if i < len(row) else "") for role, i in roles.items() if role}
        if not any(cells.values()):
            continue
        sid = cells["student_id"]
        if not sid:
            problems.append(Problem(shown, row_number, "수험번호", "empty 수험번호"))
        elif sid in seen:
            problems.append(Problem(shown, row_number, "수험번호", f"{sid} is already on row {seen[sid]}"))
        else:
            seen[sid] = row_number
            students.append(Student(sid, cells.get("name", ""), cells.get("form", ""), cells.get("class", ""),
                                    cells.get("seat", "")))
    if problems:
        raise UserError(problems)
    return students
