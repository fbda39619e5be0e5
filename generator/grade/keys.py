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

    def sheet_key(self, form: str, copy: str) -> SheetKey | str:
        """The key that applies to a row with this form and copy, or why none does (a message)."""
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
    for copy in manifest.get("copies", ()) or ():  # personal copies (roster builds): same shape as a form
        copy_id = str(copy.get("copy") or copy.get("id"))
        copies[copy_id] = _sheet(copy, copy_id, str(copy.get("label") or copy_id))
    blueprint = manifest.get("blueprint", {})
    scoring = blueprint.get("scoring") or {}
    return ExamKey(str(manifest["exam_id"]), str(blueprint.get("title", "")), forms, copies,
                   float(scoring.get("wrong_penalty", 0.0)))


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
                   {n: fix(s) for n, s in key.copies.items()}, key.wrong_penalty)
