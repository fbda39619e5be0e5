"""Synthetic classes for tests and benchmarks: students with an ability, items with a difficulty → responses.

A 3-parameter logistic model: P(correct) = c + (1 − c) / (1 + exp(−1.7 (θ − b))), c = 1/choices; wrong answers
fall on the distractors with unequal attractiveness. Written questions get a score around points × P.
The output is a ``responses.csv`` in the scan format of issue 13 (UTF-8 with BOM).
"""

from __future__ import annotations

import csv
import io
import math
import random
from pathlib import Path
from typing import Sequence

from generator.bank.schema import QuestionType
from generator.grade.keys import ExamKey


def simulate(key: ExamKey, n: int, seed: int = 0, difficulty: dict[str, float] | None = None,
             blank_rate: float = 0.02, multiple_rate: float = 0.005, miskeyed: dict[str, int] | None = None,
             ids: Sequence[str] | None = None) -> list[dict[str, str]]:
    """``n`` response rows. ``difficulty``: b per question id (default 0); ``miskeyed``: question id → bank
    choice that able students pick instead of the key (simulates a wrong key)."""
    rng = random.Random(seed)
    forms = list(key.forms.values())
    rows = []
    for index in range(n):
        sheet = forms[index % len(forms)]
        theta = rng.gauss(0, 1)
        row = {"student_id": ids[index] if ids else f"{30101 + index}", "form": sheet.name, "copy": ""}
        for item in sheet.items:
            b = (difficulty or {}).get(item.question_id, 0.0)
            chance = 1 / item.choice_count if item.type is QuestionType.MCQ else 0.0
            p = chance + (1 - chance) / (1 + math.exp(-1.7 * (theta - b)))
            if item.type is not QuestionType.MCQ:
                score = round(item.points * min(1.0, max(0.0, p + rng.gauss(0, 0.1))))
                row[str(item.number)] = str(score)
                continue
            draw = rng.random()
            if draw < blank_rate:
                row[str(item.number)] = ""
                continue
            if draw < blank_rate + multiple_rate:
                row[str(item.number)] = "|".join(map(str, sorted(rng.sample(range(1, item.choice_count + 1), 2))))
                continue
            assert item.answer is not None
            target = item.answer
            if miskeyed and item.question_id in miskeyed:
                target = item.choice_order.index(miskeyed[item.question_id]) + 1
            if rng.random() < p:
                choice = target
            else:
                others = [c for c in range(1, item.choice_count + 1) if c != target]
                weights = [1.0 / (1 + rank) ** 1.5 for rank in range(len(others))]
                choice = rng.choices(others, weights)[0]
            row[str(item.number)] = str(choice)
        rows.append(row)
    return rows


def responses_csv(rows: Sequence[dict[str, str]]) -> str:
    """Rows as the scan's responses.csv text (columns student_id, form, copy, 1, 2, …)."""
    numbers = sorted({int(k) for row in rows for k in row if k.isdigit()})
    header = ["student_id", "form", "copy", *map(str, numbers)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue()


def write_responses(rows: Sequence[dict[str, str]], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\ufeff" + responses_csv(rows), encoding="utf-8")
    return path
