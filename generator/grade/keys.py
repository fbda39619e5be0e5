"""What each answer sheet was printed with: question order, choice order and key, read from manifest.json.

A sheet is either a form (A형, B형) or, once personal copies exist, a copy with its own order and key.
``ExamKey.sheet_key`` is the one place that decides which key applies to a response row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from generator.bank.schema import QuestionType


@dataclass(frozen=True)
class KeyItem:
    """One question as printed on one sheet."""

    number: int  # printed question number
    question_id: str
    type: QuestionType
    points: float
    choice_order: tuple[int, ...] = ()  # printed position i (0-based) shows bank choice choice_order[i]
    answer: int | None = None  # printed 1-based position of the correct choice (MCQ)

    @property
    def choice_count(self) -> int:
        return len(self.choice_order)

    def bank_choice(self, printed: int) -> int:
        """0-based bank index of the choice printed at 1-based position ``printed``."""
        return self.choice_order[printed - 1]


@dataclass(frozen=True)
class SheetKey:
    """The key of one form or copy."""

    name: str  # "A", or a copy id
    label: str  # "A형"
    items: tuple[KeyItem, ...]

    @cached_property
    def by_number(self) -> dict[int, KeyItem]:
        return {item.number: item for item in self.items}


@dataclass(frozen=True)
class ExamKey:
    exam_id: str
    title: str
    forms: dict[str, SheetKey]
    copies: dict[str, SheetKey] = field(default_factory=dict)
    wrong_penalty: float = 0.0  # share of a question's points lost for a wrong (or multiple) mark
    copy_of_student: dict[str, str] = field(default_factory=dict)  # 수험번호 -> copy code (roster builds)

    @property
    def first(self) -> SheetKey:
        return next(iter(self.forms.values()))

    @property
    def question_ids(self) -> tuple[str, ...]:
        """Questions in the first form's order: the order of every table and report."""
        return tuple(item.question_id for item in self.first.items)

    @cached_property
    def reference(self) -> dict[str, KeyItem]:
        """Question id -> the item as printed on the first form (numbers and ①–⑤ in reports)."""
        return {item.question_id: item for item in self.first.items}

    @property
    def total_points(self) -> float:
        return sum(item.points for item in self.first.items)

    def sheet_key(self, form: str, copy: str, student_id: str = "") -> SheetKey | str:
        """The key that applies to a row with this form, copy and 수험번호, or why none does (a message).

        A named copy's key wins (given by its code, or found by the student's 수험번호), then the form's."""
        if not copy and student_id in self.copy_of_student:
            copy = self.copy_of_student[student_id]
        if copy:
            if copy in self.copies:
                return self.copies[copy]
            if self.copies:
                return f"copy '{copy}' is not in the manifest"
            if not form:  # plain form builds: a copy number without a known copy cannot be graded
                return f"copy '{copy}' given, but this exam has no personal copies: fill in the form (문형)"
        name = normalise_form(form)
        if not name:
            if len(self.forms) == 1:
                return self.first
            return f"no form (문형): this exam has forms {', '.join(self.forms)}"
        if name not in self.forms:
            return f"form '{form}' does not exist in this exam (forms: {', '.join(self.forms)})"
        return self.forms[name]


def normalise_form(text: str) -> str:
    """'A', 'a', 'A형', ' A ' -> 'A'."""
    text = text.strip()
    return text.removesuffix("형").strip().upper() if text.isascii() or text.endswith("형") else text.strip()


def _sheet(record: dict[str, Any], name: str, label: str) -> SheetKey:
    items = []
    for section in record["sections"]:
        kind = QuestionType(section["type"])
        for item in section["items"]:
            order = tuple(int(i) for i in item.get("choice_order", ()))
            answer = item.get("answer")
            items.append(KeyItem(int(item["number"]), str(item["id"]), kind, float(item["points"]), order,
                                 int(answer) if answer is not None else None))
    return SheetKey(name, label, tuple(sorted(items, key=lambda i: i.number)))


def exam_key(manifest: dict[str, Any]) -> ExamKey:
    """Keys of every form (and copy, when the manifest has any) of a manifest dict."""
    forms = {str(f["name"]): _sheet(f, str(f["name"]), f"{f['name']}형") for f in manifest["forms"]}
    copies = {}
    by_student = {}
    for copy in manifest.get("copies", ()) or ():  # named copies (build --roster)
        copy_id = str(copy.get("copy") or copy.get("id"))
        if "sections" in copy:
            sheet = _sheet(copy, copy_id, str(copy.get("label") or copy_id))
        elif "order" in copy:
            sheet = _own_order(copy, copy_id, next(iter(forms.values())))
        else:
            sheet = forms[str(copy["form"])]
        copies[copy_id] = sheet
        if copy.get("student_id"):
            by_student[str(copy["student_id"])] = copy_id
    blueprint = manifest.get("blueprint", {})
    scoring = blueprint.get("scoring") or {}
    return ExamKey(str(manifest["exam_id"]), str(blueprint.get("title", "")), forms, copies,
                   float(scoring.get("wrong_penalty", 0.0)), by_student)


def _own_order(copy: dict[str, Any], copy_id: str, first: SheetKey) -> SheetKey:
    """A copy with its own question and choice order: types and points from the first form, key from the
    bank answer that form records (the same question has the same correct bank choice everywhere)."""
    by_id = {item.question_id: item for item in first.items}
    items = []
    for entry in copy["order"]:
        ref = by_id[str(entry["id"])]
        order = tuple(int(i) for i in entry.get("choice_order", ()))
        answer = None
        if ref.answer is not None and order:
            answer = order.index(ref.bank_choice(ref.answer)) + 1
        items.append(KeyItem(int(entry["number"]), ref.question_id, ref.type, ref.points, order, answer))
    return SheetKey(copy_id, f"개인 문항 순서({copy.get('student_id', copy_id)})", tuple(sorted(items, key=lambda i: i.number)))


def rekey(key: ExamKey, answers: dict[str, int]) -> ExamKey:
    """The same exam with the bank's current MCQ answers (1-based bank positions per question id)."""
    def fix(sheet: SheetKey) -> SheetKey:
        items = tuple(
            KeyItem(i.number, i.question_id, i.type, i.points, i.choice_order,
                    i.choice_order.index(answers[i.question_id] - 1) + 1
                    if i.answer is not None and i.question_id in answers else i.answer)
            for i in sheet.items)
        return SheetKey(sheet.name, sheet.label, items)

    return ExamKey(key.exam_id, key.title, {n: fix(s) for n, s in key.forms.items()},
                   {n: fix(s) for n, s in key.copies.items()}, key.wrong_penalty, key.copy_of_student)
