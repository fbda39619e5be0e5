"""The graded class as one value: per-student totals, ranks, percentiles, per-topic rates, item statistics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from generator.bank.model import Bank, Question
from generator.bank.schema import CIRCLED, QuestionType, ShortMeta
from generator.grade.analysis import BLANK, MULTIPLE, Analysis, analyse
from generator.grade.keys import ExamKey, KeyItem
from generator.grade.scoring import StudentScore

UNKNOWN_UNIT = ("?", "기타")


@dataclass(frozen=True)
class QuestionInfo:
    """A question of the exam, numbered and labelled as on the first form."""

    ref: KeyItem
    question: Question | None  # None when it is no longer in the bank
    unit: str  # topic area (or leaf when the exam covers one area)
    unit_label: str

    @property
    def id(self) -> str:
        return self.ref.question_id

    @property
    def key_bank(self) -> int | None:
        """0-based bank index of the correct choice (MCQ)."""
        return self.ref.bank_choice(self.ref.answer) if self.ref.answer is not None else None

    def choice_label(self, bank_index: int) -> str:
        """How the bank choice was printed on the first form: ①…⑤."""
        return CIRCLED[self.ref.choice_order.index(bank_index)]

    @property
    def key_label(self) -> str:
        if self.ref.answer is not None:
            return CIRCLED[self.ref.answer - 1]
        meta = self.question.meta if self.question else None
        return meta.answers[0] if isinstance(meta, ShortMeta) else "서술형"


@dataclass(frozen=True)
class StudentResult:
    score: StudentScore
    total: float
    rank: int  # 1 + students with a higher total
    percentile: float  # 백분위 as in 수능: 100 × (students below + half of those with the same total) / n
    unit_earned: dict[str, float]

    @property
    def student_id(self) -> str:
        return self.score.student_id


@dataclass(frozen=True)
class Graded:
    key: ExamKey
    questions: tuple[QuestionInfo, ...]
    units: tuple[tuple[str, str], ...]  # (unit, Korean label) in taxonomy order
    unit_points: dict[str, float]
    students: tuple[StudentResult, ...]
    analysis: Analysis
    unit_class_rates: dict[str, float]

    @property
    def max_points(self) -> float:
        return sum(q.ref.points for q in self.questions)

    def unit_rate(self, student: StudentResult, unit: str) -> float:
        return student.unit_earned[unit] / self.unit_points[unit] if self.unit_points[unit] else 0.0


def ranks_and_percentiles(totals: Sequence[float]) -> tuple[list[int], list[float]]:
    values = np.asarray(totals, dtype=float)
    n = len(values)
    ranks = [int((values > v).sum()) + 1 for v in values]
    percentiles = [100.0 * ((values < v).sum() + 0.5 * (values == v).sum()) / n for v in values]
    return ranks, percentiles


def question_infos(key: ExamKey, bank: Bank) -> tuple[QuestionInfo, ...]:
    refs = [key.reference[qid] for qid in key.question_ids]
    found = [bank.by_id.get(ref.question_id) for ref in refs]
    areas = {q.area for q in found if q is not None}
    infos = []
    for ref, question in zip(refs, found):
        if question is None:
            unit, label = UNKNOWN_UNIT
        elif len(areas) == 1:
            unit, label = question.topic, bank.taxonomy.label(question.topic)
        else:
            unit, label = question.area, bank.taxonomy.label(question.area)
        infos.append(QuestionInfo(ref, question, unit, label))
    return tuple(infos)


def grade_class(key: ExamKey, bank: Bank, scores: Sequence[StudentScore]) -> Graded:
    """Everything the tables and reports show, computed once."""
    questions = question_infos(key, bank)
    order = {name: i for i, name in enumerate(list(bank.taxonomy.areas) + list(bank.taxonomy.leaves))}
    units = tuple(sorted({(q.unit, q.unit_label) for q in questions}, key=lambda u: order.get(u[0], 10**6)))
    unit_points = {u: sum(q.ref.points for q in questions if q.unit == u) for u, _ in units}
    n, k = len(scores), len(questions)
    earned = np.zeros((n, k))
    chosen = np.full((n, k), BLANK, dtype=int)
    for i, score in enumerate(scores):
        for j, info in enumerate(questions):
            answer = score.answers.get(info.id)
            if answer is None:
                continue
            earned[i, j] = answer.earned
            if answer.chosen is not None:
                chosen[i, j] = answer.chosen
            elif len(answer.marks) > 1:
                chosen[i, j] = MULTIPLE
    analysis = analyse(earned, np.array([q.ref.points for q in questions]), chosen,
                       [q.key_bank for q in questions],
                       [q.ref.choice_count if q.ref.type is QuestionType.MCQ else 0 for q in questions])
    totals = [s.total for s in scores]
    ranks, percentiles = ranks_and_percentiles(totals)
    students = []
    for i, score in enumerate(scores):
        unit_earned = {u: float(sum(earned[i, j] for j, q in enumerate(questions) if q.unit == u)) for u, _ in units}
        students.append(StudentResult(score, totals[i], ranks[i], percentiles[i], unit_earned))
    class_rates = {u: (sum(s.unit_earned[u] for s in students) / (n * unit_points[u]) if unit_points[u] else 0.0)
                   for u, _ in units}
    return Graded(key, questions, units, unit_points, tuple(students), analysis, class_rates)
