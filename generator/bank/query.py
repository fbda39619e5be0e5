"""Filtering and summarising the questions of a bank (for ``list`` and ``stats``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable

from generator.bank.model import Bank, Question
from generator.bank.schema import QuestionType


@dataclass(frozen=True)
class QuestionFilter:
    """What ``mockexam list`` selects; ``None`` fields match everything."""

    type: QuestionType | None = None
    topic: str | None = None  # a leaf or an area
    difficulty: frozenset[int] | None = None
    tag: str | None = None
    search: str | None = None  # case-insensitive, in stem, choices, answers and explanation

    def matches(self, question: Question, bank: Bank) -> bool:
        if self.type is not None and question.type != self.type:
            return False
        if self.topic is not None and not bank.taxonomy.matches(question.topic, self.topic):
            return False
        if self.difficulty is not None and question.difficulty not in self.difficulty:
            return False
        if self.tag is not None and self.tag not in question.meta.tags:
            return False
        return self.search is None or self.search.casefold() in searchable_text(question).casefold()


def searchable_text(question: Question) -> str:
    """Everything a user might search a question by."""
    meta = question.meta
    parts = [question.id, question.body.stem, question.body.explanation or "", question.body.model_answer or ""]
    parts += list(getattr(meta, "choices", ())) + list(getattr(meta, "answers", ()))
    return "\n".join(parts)


def select(bank: Bank, where: QuestionFilter) -> list[Question]:
    return [q for q in bank.questions if where.matches(q, bank)]


def as_record(question: Question, bank: Bank) -> dict[str, Any]:
    """A question as a JSON-ready dict (front matter, body parts and path)."""
    record = question.meta.model_dump(mode="json")
    record.update(
        path=question.path.relative_to(bank.root).as_posix(),
        stem=question.body.stem,
        explanation=question.body.explanation,
        model_answer=question.body.model_answer,
    )
    return record


@dataclass(frozen=True)
class CoverageRow:
    topic: str
    label: str
    by_type: dict[QuestionType, int]
    by_difficulty: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.by_type.values())


def coverage(bank: Bank, questions: Iterable[Question] | None = None) -> list[CoverageRow]:
    """Per leaf topic (in taxonomy order) the count by type and by difficulty."""
    by_type: dict[str, Counter[QuestionType]] = {leaf: Counter() for leaf in bank.taxonomy.leaves}
    by_difficulty: dict[str, Counter[int]] = {leaf: Counter() for leaf in bank.taxonomy.leaves}
    for question in bank.questions if questions is None else questions:
        by_type[question.topic][question.type] += 1
        by_difficulty[question.topic][question.difficulty] += 1
    return [
        CoverageRow(
            topic=leaf,
            label=label,
            by_type={t: by_type[leaf][t] for t in QuestionType},
            by_difficulty={d: by_difficulty[leaf][d] for d in range(1, 6)},
        )
        for leaf, label in bank.taxonomy.leaves.items()
    ]
