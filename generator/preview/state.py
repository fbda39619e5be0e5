"""The preview's model: the latest snapshot of the bank, its rendered records and the assembled exam.

``PreviewState.reload`` runs in a worker thread after every save; it returns quickly when little changed
because files are parsed and questions rendered again only when their bytes changed.
"""

from __future__ import annotations

import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.preview.tolerant import Snapshot, TolerantLoader
from generator.preview.views import QuestionViews, exam_record, single_question_exam
from generator.problems import Problem, UserError


def problem_record(problem: Problem) -> dict[str, Any]:
    return {"path": problem.path, "line": problem.line, "field": problem.field, "message": problem.message,
            "text": str(problem)}


def _error_records(error: UserError) -> list[dict[str, Any]]:
    if error.problems:
        return [problem_record(p) for p in error.problems]
    return [{"path": "", "line": 0, "field": "", "message": error.text, "text": error.text}]


@dataclass
class ExamView:
    blueprint_path: Path
    record: dict[str, Any] | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class View:
    """One published state of the preview (immutable once published)."""

    version: int
    snapshot: Snapshot
    order: list[str]  # question revisions in bank order
    records: dict[str, dict[str, Any]]  # revision -> record
    exam: ExamView | None
    seconds: float  # time the reload took

    def payload(self, have: set[str]) -> dict[str, Any]:
        """JSON for the page; records the page already holds (by revision) are left out."""
        bank = self.snapshot.bank
        taxonomy = bank.taxonomy if bank else None
        return {
            "version": self.version,
            "bankOk": bank is not None,
            "order": self.order,
            "records": {rev: rec for rev, rec in self.records.items() if rev not in have},
            "problems": [problem_record(p) for p in self.snapshot.problems],
            "topics": [{"area": a, "label": area.label,
                        "leaves": [{"topic": f"{a}.{leaf}", "label": label} for leaf, label in area.leaves.items()]}
                       for a, area in taxonomy.areas.items()] if taxonomy else [],
            "exam": None if self.exam is None else {
                "blueprint": self.exam.blueprint_path.name,
                "record": self.exam.record,
                "problems": self.exam.problems,
            },
            "seconds": round(self.seconds, 3),
        }


class PreviewState:
    """Loads the bank tolerantly, renders changed questions and plans the blueprint's exam."""

    def __init__(self, bank_root: Path, blueprint_path: Path | None = None, out_root: Path | None = None) -> None:
        self.loader = TolerantLoader(bank_root)
        self.views = QuestionViews.for_bank(self.loader.root)
        self.blueprint_path = blueprint_path.resolve() if blueprint_path else None
        self.out_root = (out_root or Path("output")).resolve()
        self.view: View | None = None
        self._lock = threading.Lock()  # one reload at a time
        self._pdf_lock = threading.Lock()  # WeasyPrint documents are laid out one at a time
        self._engine: Any = None
        self._blueprint: Any = None

    def reload(self) -> View:
        """Load the bank and plan the exam: the first view."""
        self.reload_bank()
        return self.replan()

    def reload_bank(self) -> View:
        """Re-read changed files and publish the bank; the exam stays as it was until ``replan``."""
        with self._lock:
            start = time.perf_counter()
            snapshot = self.loader.load()
            order, records = [], {}
            if snapshot.bank is not None:
                for question in snapshot.bank.questions:
                    revision = snapshot.revisions[question.id]
                    records[revision] = self.views.record(snapshot.bank, question, revision)
                    order.append(revision)
                self.views.forget_except(set(order))
            exam = self.view.exam if self.view else None
            return self._publish(View(0, snapshot, order, records, exam, time.perf_counter() - start))

    def replan(self) -> View:
        """Assemble the blueprint's exam from the current bank (CP-SAT: the slow part of a reload)."""
        with self._lock:
            assert self.view is not None, "reload_bank first"
            if self.blueprint_path is None:
                return self.view
            start = time.perf_counter()
            exam = self._plan(self.view.snapshot)
            view = self.view
            return self._publish(View(0, view.snapshot, view.order, view.records, exam,
                                      view.seconds + time.perf_counter() - start))

    def _publish(self, view: View) -> View:
        view.version = (self.view.version + 1) if self.view else 1
        self.view = view
        return view

    def _plan(self, snapshot: Snapshot) -> ExamView:
        from generator.assemble.blueprint import load_blueprint
        from generator.build import exam_id_for, plan_exam

        assert self.blueprint_path is not None
        result = ExamView(self.blueprint_path)
        self._blueprint = None
        if snapshot.bank is None:
            result.problems = [{"path": "", "line": 0, "field": "", "message": "", "text":
                                "topics.yaml를 읽을 수 없어 시험지를 조립하지 않았습니다."}]
            return result
        try:
            blueprint = load_blueprint(self.blueprint_path, snapshot.bank.taxonomy)
            self._blueprint = blueprint
            exam, _ = plan_exam(snapshot.bank, blueprint, exam_id_for(self.blueprint_path, blueprint.seed),
                                self.out_root)
        except UserError as error:
            result.problems = _error_records(error)
            return result
        result.record = exam_record(exam, self.views.md, self.views.math)
        return result

    def question_pdf(self, question_id: str) -> bytes | None:
        """The booklet's rendering of one question (title block, column, numbering), or None if unknown."""
        view = self.view
        bank = view.snapshot.bank if view else None
        question = bank.by_id.get(question_id) if bank else None
        if question is None or bank is None:
            return None
        from generator.render.booklet import render_booklets
        from generator.render.pdf import Engine

        with self._pdf_lock:
            if self._engine is None:
                self._engine = Engine(bank.root)
            exam = single_question_exam(question, bank, self._blueprint)
            with tempfile.TemporaryDirectory(prefix="mockexam-preview-") as folder:
                [path] = render_booklets(exam, self._engine, Path(folder))
                return path.read_bytes()
