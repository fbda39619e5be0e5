"""The assembled exam: what every writer (booklet, answer sheet, key, HTML) renders."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from generator.assemble import points as pts
from generator.assemble.blueprint import Blueprint
from generator.assemble.choice_refs import remap_choice_refs
from generator.bank.model import Bank, Question
from generator.bank.schema import CIRCLED, McqMeta, QuestionType


@dataclass(frozen=True)
class ExamItem:
    """A question as placed on one form."""

    number: int  # 1-based number on the form
    question: Question
    points: int | float  # points in this exam, tidied (3, 2.5); the blueprint may override the question's own
    choice_order: tuple[int, ...] = ()  # displayed position i shows original choice choice_order[i] (0-based)

    @property
    def choices(self) -> tuple[str, ...]:
        """MCQ choices in the order printed on this form."""
        meta = self.question.meta
        return tuple(meta.choices[i] for i in self.choice_order) if isinstance(meta, McqMeta) else ()

    @property
    def answer(self) -> int | None:
        """1-based printed position of the correct choice (MCQ only)."""
        meta = self.question.meta
        if not isinstance(meta, McqMeta):
            return None
        return self.choice_order.index(meta.answer - 1) + 1

    @property
    def explanation(self) -> str | None:
        """The 해설 with its ①–⑤ references renumbered to this form's choice order."""
        text = self.question.body.explanation
        return remap_choice_refs(text, self.choice_order) if text and self.choice_order else text

    @property
    def answer_label(self) -> str:
        """The key as printed: ③ for MCQ, the first accepted answer for short, '서술형' for essays."""
        meta = self.question.meta
        if self.answer is not None:
            return CIRCLED[self.answer - 1]
        answers = getattr(meta, "answers", None)
        return answers[0] if answers else "서술형"


@dataclass(frozen=True)
class ExamSection:
    name: str  # 객관식 / 단답형 / 서술형
    type: QuestionType
    instructions: str
    items: tuple[ExamItem, ...]

    @property
    def points(self) -> int | float:
        return pts.total(item.points for item in self.items)


@dataclass(frozen=True)
class ExamForm:
    name: str  # "A"
    sections: tuple[ExamSection, ...]

    @property
    def items(self) -> tuple[ExamItem, ...]:
        return tuple(item for section in self.sections for item in section.items)

    @property
    def label(self) -> str:
        """The form as printed: A형, or the name itself when it already ends in 형 (홀수형)."""
        return self.name if self.name.endswith("형") else f"{self.name}형"

    @property
    def mcq_key(self) -> tuple[int, ...]:
        return tuple(item.answer for item in self.items if item.answer is not None)


@dataclass(frozen=True)
class Exam:
    exam_id: str  # folder name and QR payload id
    blueprint: Blueprint
    seed: int
    bank: Bank
    forms: tuple[ExamForm, ...]

    @cached_property
    def question_ids(self) -> frozenset[str]:
        return frozenset(item.question.id for item in self.forms[0].items)

    @property
    def total_points(self) -> int | float:
        return pts.total(section.points for section in self.forms[0].sections)

    def form(self, name: str) -> ExamForm:
        return next(form for form in self.forms if form.name == name)
