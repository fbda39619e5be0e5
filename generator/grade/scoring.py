"""Scoring response rows against the key of each student's sheet (pure: no file access).

Rules (docs/grading.md): an MCQ earns its points when exactly the key is marked; blank earns 0; a wrong
mark or several marks count as wrong and lose ``wrong_penalty`` × points (0 by default); written questions
(단답형, 서술형) take the grader's score, 0 … points. The total is never below 0.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Sequence

from generator.assemble.roster import Student
from generator.bank.schema import CIRCLED, QuestionType
from generator.grade.keys import ExamKey, KeyItem, SheetKey
from generator.grade.responses import ResponseRow
from generator.problems import Problem, UserError, did_you_mean

REVIEW = "?"
_SPLIT = re.compile(r"[|,/ ]+")


class Status(StrEnum):
    CORRECT = "correct"
    WRONG = "wrong"
    BLANK = "blank"
    MULTIPLE = "multiple"
    SCORED = "scored"  # written question with a grader score


@dataclass(frozen=True)
class Answer:
    """One student's result on one question."""

    question_id: str
    number: int  # printed number on this student's sheet
    status: Status
    marks: tuple[int, ...]  # printed choice positions marked (MCQ)
    chosen: int | None  # 0-based bank index of the single marked choice (MCQ), else None
    earned: float  # points earned without penalty (the statistics use this)
    score: float  # points counted in the total (with the wrong-answer penalty)
    points: float  # maximum

    @property
    def correct(self) -> bool:
        return self.earned >= self.points


@dataclass(frozen=True)
class StudentScore:
    student_id: str
    name: str
    sheet: SheetKey  # the form or copy this student answered
    source: str
    row: int
    answers: dict[str, Answer]  # by question id
    unscored_written: int = 0  # written questions left empty (counted as 0)

    @property
    def total(self) -> float:
        return max(0.0, round(sum(a.score for a in self.answers.values()), 6))


def parse_marks(text: str) -> tuple[int, ...] | None:
    """'3', '③', '2|4' -> printed positions; '' -> (); None when not choice numbers."""
    text = text.strip()
    if not text:
        return ()
    marks = set()
    for part in _SPLIT.split(text):
        if not part:
            continue
        if part in CIRCLED:
            marks.add(CIRCLED.index(part) + 1)
        elif part.removesuffix("번").isdigit():
            marks.add(int(part.removesuffix("번")))
        else:
            return None
    return tuple(sorted(marks))


def score_mcq(item: KeyItem, marks: tuple[int, ...], penalty: float) -> Answer:
    if not marks:
        return Answer(item.question_id, item.number, Status.BLANK, (), None, 0.0, 0.0, item.points)
    if len(marks) > 1:
        return Answer(item.question_id, item.number, Status.MULTIPLE, marks, None, 0.0, -penalty * item.points,
                      item.points)
    chosen = item.bank_choice(marks[0])
    if marks[0] == item.answer:
        return Answer(item.question_id, item.number, Status.CORRECT, marks, chosen, item.points, item.points,
                      item.points)
    return Answer(item.question_id, item.number, Status.WRONG, marks, chosen, 0.0, -penalty * item.points,
                  item.points)


def _score_cell(item: KeyItem, text: str, penalty: float) -> Answer | str:
    """The answer of one cell, or a message saying what is wrong with it."""
    if item.type is QuestionType.MCQ:
        marks = parse_marks(text)
        if marks is None:
            return f"'{text}' is not a choice number (write 1–{item.choice_count}, 2|4 for several, empty for none)"
        bad = [m for m in marks if not 1 <= m <= item.choice_count]
        if bad:
            return f"choice {bad[0]} does not exist: question {item.number} has {item.choice_count} choices"
        return score_mcq(item, marks, penalty)
    if not text.strip():
        return Answer(item.question_id, item.number, Status.BLANK, (), None, 0.0, 0.0, item.points)
    try:
        value = float(text.replace("점", "").strip())
    except ValueError:
        return f"'{text}' is not a score (write a number from 0 to {item.points:g})"
    if not math.isfinite(value) or value < 0:
        return f"score {text} is negative or not a number"
    if value > item.points + 1e-9:
        return f"score {value:g} is above the maximum {item.points:g} of question {item.number}"
    return Answer(item.question_id, item.number, Status.SCORED, (), None, value, value, item.points)


def _roster_id(sid: str, by_id: dict[str, Student]) -> str:
    """The roster's spelling of a 수험번호 whose leading zeros a spreadsheet dropped (101 → 0101)."""
    if sid in by_id or not sid.isdigit():
        return sid
    return next((known for known in by_id if known.isdigit() and int(known) == int(sid)), sid)


def grade_rows(rows: Sequence[ResponseRow], key: ExamKey, roster: Sequence[Student] | None = None) -> list[StudentScore]:
    """Score every row; raises UserError listing every bad cell and every '?' left to review."""
    by_id = {s.student_id: s for s in roster or ()}
    problems: list[Problem] = []
    reviews: list[Problem] = []
    seen: dict[str, int] = {}
    results = []
    for row in rows:
        sid = _roster_id(row.student_id.strip(), by_id)
        here = len(problems)
        student = by_id.get(sid)
        if not sid:
            problems.append(Problem(row.source, row.row, "수험번호", "empty 수험번호: fill it in or delete the row"))
        elif sid in seen:
            problems.append(Problem(row.source, row.row, "수험번호", f"student {sid} appears twice (row {seen[sid]} "
                                                                   f"and row {row.row}): keep one row"))
        elif roster is not None and student is None:
            problems.append(Problem(row.source, row.row, "수험번호", f"unknown 수험번호 {sid}: not on the roster"
                                                                   f"{did_you_mean(sid, by_id)}"))
        if sid and sid not in seen:
            seen[sid] = row.row
        form = row.form or (student.form if student else "")
        sheet = key.sheet_key(form, row.copy.strip(), sid)
        if isinstance(sheet, str):
            problems.append(Problem(row.source, row.row, "문형", sheet))
            continue
        answers: dict[str, Answer] = {}
        for number, text in sorted(row.cells.items()):
            item = sheet.by_number.get(number)
            if item is None:
                if text.strip():
                    problems.append(Problem(row.source, row.row, f"{number}번",
                                            f"{sheet.label} has no question {number}"))
                continue
            if text.strip() == REVIEW:
                reviews.append(Problem(row.source, row.row, f"{number}번",
                                       "doubtful mark '?' not yet reviewed: decide it (scans/review.html → "
                                       "overrides.csv) or type the answer"))
                continue
            answer = _score_cell(item, text, key.wrong_penalty)
            if isinstance(answer, str):
                problems.append(Problem(row.source, row.row, f"{number}번", answer))
            else:
                answers[item.question_id] = answer
        missing = [i.number for i in sheet.items if i.number not in row.cells]
        if missing and not any(p.field == "header" for p in problems):
            problems.append(Problem(row.source, row.row, "header", f"no column for question(s) "
                                                                  f"{', '.join(map(str, missing))}"))
        if len(problems) > here:
            continue
        name = row.name or (student.name if student else "")
        unscored = sum(1 for i in sheet.items if i.type is not QuestionType.MCQ and not row.cells.get(i.number, "").strip())
        results.append(StudentScore(sid, name, sheet, row.source, row.row, answers, unscored))
    if reviews and not problems:
        raise UserError([Problem(r.path, r.line, r.field, r.message) for r in reviews])
    if problems:
        raise UserError(sorted(problems) + reviews)
    if not results:
        raise UserError(f"{rows[0].source if rows else 'responses'}: no student rows to grade")
    return results
