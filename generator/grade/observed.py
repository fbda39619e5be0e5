"""Observed difficulty for assembly (``difficulty_source: observed`` in a blueprint)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Sequence

from generator.bank.loader import TOPICS_FILE
from generator.bank.model import Question
from generator.grade.bankstats import MIN_POOLED_N, observed


def bank_root_of(questions: Sequence[Question]) -> Path | None:
    """The bank folder the questions were loaded from (the nearest parent holding topics.yaml)."""
    for question in questions[:1]:
        for parent in question.path.parents:
            if (parent / TOPICS_FILE).is_file():
                return parent
    return None


def with_observed_difficulty(questions: Sequence[Question]) -> list[Question]:
    """Copies of the questions whose difficulty is the level of their pooled observed 정답률 (when at least
    MIN_POOLED_N responses are recorded); the others keep their written difficulty."""
    root = bank_root_of(questions)
    stats = observed(root, questions) if root else {}
    result = []
    for question in questions:
        seen = stats.get(question.id)
        if seen is None or seen.n < MIN_POOLED_N or seen.level == question.difficulty:
            result.append(question)
            continue
        changed = copy.copy(question)
        object.__setattr__(changed, "difficulty", seen.level)  # frozen dataclass: a private copy
        result.append(changed)
    return result
