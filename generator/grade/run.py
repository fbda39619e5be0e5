"""``mockexam grade``: read responses, score, analyse, write ``EXAM_DIR/results/`` and the bank statistics."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from generator.assemble.manifest import MANIFEST_NAME, read_manifest
from generator.assemble.roster import Student, load_roster
from generator.atomic import atomic_directory, write_bytes_atomic, write_text_atomic
from generator.bank.model import Bank
from generator.bank.schema import McqMeta
from generator.grade import bankstats, tables
from generator.grade.keys import ExamKey, exam_key, rekey
from generator.grade.report import Context, write_reports
from generator.grade.responses import read_responses
from generator.grade.results import Graded, grade_class
from generator.grade.scoring import grade_rows
from generator.problems import UserError, display_path

RESULTS_DIR = "results"
SCANS_RESPONSES = Path("scans") / "responses.csv"
Say = Callable[[str], None]


@dataclass
class Outcome:
    graded: Graded
    folder: Path
    stats_file: Path
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def load_exam(exam_dir: Path) -> dict[str, Any]:
    if not (exam_dir / MANIFEST_NAME).is_file():
        raise UserError(f"{display_path(exam_dir)}: no {MANIFEST_NAME} here: pass an exam folder made by "
                        "`mockexam build` (e.g. output/full-mock-20261123)")
    return read_manifest(exam_dir / MANIFEST_NAME)


def key_notes(manifest: dict[str, Any], key: ExamKey, bank: Bank, use_bank_key: bool) -> tuple[ExamKey, list[str]]:
    """The key to grade with, and notes where the bank's key differs from the printed one."""
    notes = []
    if manifest.get("bank", {}).get("content_hash") != bank.content_hash:
        notes.append("the bank changed since this exam was built (topics and 해설 come from its current text)")
    current = {}
    for qid in key.question_ids:
        question = bank.by_id.get(qid)
        if question is None:
            notes.append(f"question {qid} is no longer in the bank: reported under '기타'")
        elif isinstance(question.meta, McqMeta):
            current[qid] = question.meta.answer
    changed = []
    for qid in key.question_ids:
        printed = key.reference[qid].answer
        if qid in current and printed is not None and key.reference[qid].bank_choice(printed) != current[qid] - 1:
            changed.append(qid)
    if changed and use_bank_key:
        notes.append(f"grading {', '.join(changed)} with the bank's corrected key")
        return rekey(key, {qid: current[qid] for qid in changed}), notes
    if changed:
        notes.append(f"the bank's key of {', '.join(changed)} differs from the printed one; graded with the "
                     "printed key (pass --key bank to use the bank's)")
    return key, notes


def roster_students(manifest: dict[str, Any], roster: Path | None) -> list[Student] | None:
    if roster is not None:
        return list(load_roster(roster, [form["name"] for form in manifest.get("forms", ())]))
    copies = [c for c in manifest.get("copies", ()) or () if c.get("student_id")]
    if copies:
        return [Student(str(c["student_id"]), str(c.get("name", "")), form=str(c.get("form", ""))) for c in copies]
    return None


def grade_exam(exam_dir: Path, bank: Bank, responses: Path | None = None, roster: Path | None = None,
               use_bank_key: bool = False, today: datetime.date | None = None, say: Say = lambda _m: None,
               jobs: int | None = None) -> Outcome:
    """Grade and write every output; raises UserError (and writes nothing) on bad responses."""
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    exam_dir = exam_dir.resolve()
    manifest = load_exam(exam_dir)
    key, notes = key_notes(manifest, exam_key(manifest), bank, use_bank_key)
    source = responses or exam_dir / SCANS_RESPONSES
    if responses is None and not source.is_file():
        raise UserError(f"{display_path(source)}: no scanned responses. Scan the sheets (`mockexam scan`), or type "
                        f"them: `mockexam grade {display_path(exam_dir)} --template responses.xlsx`, fill it in, then "
                        f"`mockexam grade {display_path(exam_dir)} --responses responses.xlsx`")
    students = roster_students(manifest, roster)
    scores = grade_rows(read_responses(source), key, students)
    unscored = sum(s.unscored_written for s in scores)
    if unscored:
        notes.append(f"{unscored} written answer(s) have no score and count as 0")
    blueprint = manifest.get("blueprint", {})
    context = Context(bank, str(blueprint.get("title", key.exam_id)), str(blueprint.get("session", "")),
                      str(blueprint.get("subject", "")), (today or datetime.date.today()).isoformat())
    graded = grade_class(key, bank, scores)
    seconds["grade"] = time.perf_counter() - start
    target = exam_dir / RESULTS_DIR
    with atomic_directory(target) as staging:
        started = time.perf_counter()
        say(f"writing {len(graded.students)} 성적표, the class report and the tables…")
        parts: dict[str, float] = {}
        # the spreadsheets are written while a worker draws the charts and the class report
        write_reports(graded, context, staging, jobs, parts, side=lambda: write_tables(graded, staging))
        seconds["reports and tables"] = time.perf_counter() - started
        seconds.update(parts)
    stats_file = bankstats.stats_path(bank.root)
    records = stats_records(graded, bank, context.graded_on)
    write_text_atomic(stats_file, bankstats.merged_text(bankstats.read_records(bank.root), key.exam_id, records))
    seconds["total"] = time.perf_counter() - start
    return Outcome(graded, target, stats_file, notes, seconds)


def write_tables(graded: Graded, folder: Path) -> None:
    """scores.csv, scores.xlsx and items.csv."""
    header, rows = tables.score_rows(graded)
    (folder / "scores.csv").write_bytes(tables.csv_bytes(header, rows))
    (folder / "scores.xlsx").write_bytes(tables.xlsx_bytes(graded))
    header, rows = tables.item_rows(graded)
    (folder / "items.csv").write_bytes(tables.csv_bytes(header, rows))


def stats_records(graded: Graded, bank: Bank, graded_on: str) -> list[dict[str, Any]]:
    records = []
    for info, stats in zip(graded.questions, graded.analysis.items):
        if info.question is None:
            continue
        record: dict[str, Any] = {
            "schema": bankstats.SCHEMA, "exam": graded.key.exam_id, "question": info.id, "graded": graded_on,
            "key_hash": bankstats.key_hash(info.question), "type": info.ref.type.value,
            "n": graded.analysis.test.n, "group": graded.analysis.test.group_size,
            "p": round(stats.p, 4), "d": None if stats.d is None else round(stats.d, 4),
            "r": None if stats.r_rest is None else round(stats.r_rest, 4),
        }
        if info.key_bank is not None:
            record.update(key=info.key_bank, options=list(stats.option_counts), upper=list(stats.upper_counts),
                          lower=list(stats.lower_counts))
        records.append(record)
    return records


def write_template(exam_dir: Path, target: Path, roster: Path | None, blank_rows: int) -> int:
    """Write a responses sheet to type answers into; returns its number of student rows."""
    from generator.grade.template import template_bytes

    manifest = load_exam(exam_dir.resolve())
    if target.exists():
        raise UserError(f"{display_path(target)} already exists; not overwriting it (choose another name)")
    if target.suffix.lower() != ".xlsx":
        raise UserError(f"{display_path(target)}: the template is an Excel file: name it *.xlsx")
    students = roster_students(manifest, roster) or []
    write_bytes_atomic(target, template_bytes(exam_key(manifest), students, blank_rows))
    return len(students) or blank_rows
