"""Observed item statistics kept next to the bank: ``<bank>/stats/item-stats.jsonl``.

One JSON line per (exam, question), holding counts (not only rates) so that classes pool exactly. Grading an
exam again replaces that exam's lines. Question files are never touched. ``key_hash`` fingerprints the
choices and the answer at grading time: records of a question whose key or choices changed since are stale
and ignored by lint and by observed difficulty.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from generator.bank.model import Question
from generator.bank.schema import McqMeta

STATS_FILE = Path("stats") / "item-stats.jsonl"
SCHEMA = "mockexam.item-stats/1"
MIN_POOLED_N = 20  # fewer pooled responses: too uncertain for observed difficulty and lint
# observed 정답률 → difficulty level (docs/grading.md)
P_LEVELS = ((0.85, 1), (0.70, 2), (0.50, 3), (0.30, 4), (-1.0, 5))


def stats_path(bank_root: Path) -> Path:
    return bank_root / STATS_FILE


def key_hash(question: Question) -> str:
    meta = question.meta
    payload = json.dumps([list(meta.choices), meta.answer] if isinstance(meta, McqMeta)
                         else [getattr(meta, "answers", None), meta.points], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]


def read_records(bank_root: Path) -> list[dict[str, Any]]:
    """Every record of the statistics file (empty when there is none); unreadable lines are skipped."""
    path = stats_path(bank_root)
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and record.get("schema") == SCHEMA:
            records.append(record)
    return records


def merged_text(existing: Iterable[dict[str, Any]], exam_id: str, new: Iterable[dict[str, Any]]) -> str:
    """The file's new text: other exams' records kept, this exam's replaced."""
    kept = [r for r in existing if r.get("exam") != exam_id]
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in [*kept, *new])


@dataclass(frozen=True)
class Observed:
    """A question's statistics pooled over every current record."""

    question_id: str
    n: int
    exams: int
    p: float
    d: float | None
    r: float | None
    option_counts: tuple[int, ...]  # bank order
    upper_counts: tuple[int, ...]
    key: int | None  # 0-based bank index

    @property
    def level(self) -> int:
        """Observed difficulty on the 1–5 scale of the bank."""
        return next(level for floor, level in P_LEVELS if self.p >= floor)


def pool(records: Iterable[dict[str, Any]], questions: Iterable[Question]) -> dict[str, Observed]:
    """Per question id: n-weighted means of p, D and r, summed option counts; stale records ignored."""
    current = {q.id: key_hash(q) for q in questions}
    grouped: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        qid = record.get("question")
        if qid in current and record.get("key_hash") == current[qid]:
            grouped.setdefault(qid, []).append(record)
    pooled = {}
    for qid, rows in grouped.items():
        n = sum(int(r["n"]) for r in rows)
        if n == 0:
            continue

        def mean(name: str, rows: list[dict[str, Any]] = rows) -> float | None:
            have = [r for r in rows if r.get(name) is not None]
            weight = sum(int(r["n"]) for r in have)
            return sum(float(r[name]) * int(r["n"]) for r in have) / weight if weight else None

        width = max((len(r.get("options", ())) for r in rows), default=0)
        options = tuple(sum((r.get("options") or [0] * width)[i] for r in rows) for i in range(width))
        upper = tuple(sum((r.get("upper") or [0] * width)[i] for r in rows) for i in range(width))
        p = mean("p")
        pooled[qid] = Observed(qid, n, len(rows), p if p is not None else math.nan, mean("d"), mean("r"),
                               options, upper, rows[-1].get("key"))
    return pooled


def observed(bank_root: Path, questions: Iterable[Question]) -> dict[str, Observed]:
    return pool(read_records(bank_root), list(questions))


def observed_cells(bank_root: Path, questions: Iterable[Question]) -> dict[str, tuple[str, str]]:
    """For ``list``: question id -> (observed 정답률, discrimination) as short texts; empty without records."""
    return {qid: (f"{o.p:.2f}", "" if o.d is None else f"{o.d:+.2f}")
            for qid, o in observed(bank_root, questions).items()}


def topic_p(bank_root: Path, questions: Iterable[Question]) -> dict[str, float]:
    """For ``stats``: leaf topic -> mean observed 정답률 of its questions that have records."""
    questions = list(questions)
    seen = observed(bank_root, questions)
    by_topic: dict[str, list[float]] = {}
    for question in questions:
        if question.id in seen:
            by_topic.setdefault(question.topic, []).append(seen[question.id].p)
    return {topic: sum(values) / len(values) for topic, values in by_topic.items()}
