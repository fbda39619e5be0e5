"""The record of built exams, so that ``exclude_recent`` can avoid recently used questions.

``<out>/history.json`` is read and rewritten by every build into ``<out>``; concurrent builds take turns
through the lock file ``<out>/.mockexam.lock`` and the file is replaced atomically, so no record is lost.
A damaged history stops the build with a message before anything is written: it is never half-used and
never silently replaced.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from filelock import FileLock

from generator.atomic import write_text_atomic
from generator.problems import UserError, display_path

HISTORY_SCHEMA = "mockexam.history/1"
HISTORY_NAME = "history.json"
LOCK_NAME = ".mockexam.lock"


def out_lock(out_root: Path) -> FileLock:
    """The lock that builds into one ``--out`` take while they publish an exam or change the history."""
    out_root.mkdir(parents=True, exist_ok=True)
    return FileLock(str(out_root / LOCK_NAME))


def read_history(path: Path) -> list[dict[str, Any]]:
    """The recorded exams, oldest first; raises UserError when the file is damaged."""
    if not path.exists():
        return []
    if not path.is_file():  # a FIFO would block the read forever
        raise _damaged(path, "it is not a regular file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _damaged(path, "it is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise _damaged(path, "it is nested too deeply") from None
    except json.JSONDecodeError as error:
        raise _damaged(path, f"line {error.lineno}: not valid JSON ({error.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("exams"), list):
        raise _damaged(path, "expected an object with an \"exams\" list")
    if data.get("schema") != HISTORY_SCHEMA:
        raise _damaged(path, f"unknown schema {data.get('schema')!r} (this mockexam writes {HISTORY_SCHEMA})")
    for number, exam in enumerate(data["exams"], 1):
        if not (isinstance(exam, dict) and isinstance(exam.get("exam_id"), str) and isinstance(exam.get("bank"), str)
                and isinstance(exam.get("question_ids"), list)
                and all(isinstance(qid, str) for qid in exam["question_ids"])):
            raise _damaged(path, f"record {number} needs \"exam_id\", \"bank\" and a \"question_ids\" list of ids")
    return data["exams"]


def _damaged(path: Path, what: str) -> UserError:
    return UserError(f"{display_path(path)}: the exam history is damaged ({what}). It records which questions "
                     "recent exams used; fix it, restore it from a backup, or move it away to start a new history. "
                     "Nothing was written.")


def recent_question_ids(path: Path, bank_root: Path, count: int, exam_id: str) -> frozenset[str]:
    """Questions of the last ``count`` exams built from this bank (not counting ``exam_id`` itself)."""
    exams = read_history(path)  # read even when unused: a damaged history is reported before any work
    if count == 0:
        return frozenset()
    same_bank = [e for e in exams if e["bank"] == str(bank_root) and e["exam_id"] != exam_id]
    return frozenset(qid for exam in same_bank[-count:] for qid in exam["question_ids"])


def record_exam(path: Path, bank_root: Path, exam_id: str, question_ids: list[str], locked: bool = False) -> None:
    """Add (or move to the end) the record of an exam, under the ``--out`` lock unless ``locked``."""
    if not locked:
        with out_lock(path.parent):
            record_exam(path, bank_root, exam_id, question_ids, locked=True)
        return
    exams = [e for e in read_history(path) if not (e["exam_id"] == exam_id and e["bank"] == str(bank_root))]
    exams.append({"exam_id": exam_id, "bank": str(bank_root), "question_ids": sorted(question_ids)})
    write_text_atomic(path, json.dumps({"schema": HISTORY_SCHEMA, "exams": exams}, ensure_ascii=False, indent=2) + "\n")
