"""The record of built exams, so that ``exclude_recent`` can avoid recently used questions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.atomic import write_text_atomic
from generator.problems import UserError, display_path

HISTORY_SCHEMA = "mockexam.history/1"
HISTORY_NAME = "history.json"


def _read(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        exams = data["exams"]
        assert isinstance(exams, list)
        return exams
    except (ValueError, KeyError, AssertionError, TypeError):
        raise UserError(f"{display_path(path)}: the exam history is damaged; fix or delete it") from None


def recent_question_ids(path: Path, bank_root: Path, count: int, exam_id: str) -> frozenset[str]:
    """Questions of the last ``count`` exams built from this bank (not counting ``exam_id`` itself)."""
    if count == 0:
        return frozenset()
    same_bank = [e for e in _read(path) if e.get("bank") == str(bank_root) and e.get("exam_id") != exam_id]
    return frozenset(qid for exam in same_bank[-count:] for qid in exam.get("question_ids", ()))


def record_exam(path: Path, bank_root: Path, exam_id: str, question_ids: list[str]) -> None:
    """Add (or move to the end) the record of an exam; written atomically."""
    exams = [e for e in _read(path) if not (e.get("exam_id") == exam_id and e.get("bank") == str(bank_root))]
    exams.append({"exam_id": exam_id, "bank": str(bank_root), "question_ids": sorted(question_ids)})
    write_text_atomic(path, json.dumps({"schema": HISTORY_SCHEMA, "exams": exams}, ensure_ascii=False, indent=2) + "\n")
