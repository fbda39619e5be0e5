"""Building an exam end to end: bank + blueprint -> selection -> forms -> files. I/O lives here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from pydantic import ValidationError

from generator.assemble.blueprint import Blueprint
from generator.assemble.copies import make_copies
from generator.assemble.exam import Exam
from generator.assemble.forms import make_forms
from generator.assemble.history import HISTORY_NAME, out_lock, read_history, recent_question_ids, record_exam
from generator.assemble.manifest import MANIFEST_NAME, manifest_json
from generator.assemble.roster import Student
from generator.assemble.select import Selection, select_questions
from generator.bank.model import Bank
from generator.exam_folder import owned_files, staging_for
from generator.interrupt import deferred_signals, reinstall_handlers
from generator.problems import UserError

if TYPE_CHECKING:
    from generator.render import RenderPool
    from generator.render.copies import CopyOptions

Progress = Callable[[str], None]


def exam_id_for(blueprint_path: Path, seed: int) -> str:
    """Folder name of an exam: the blueprint's file name and the seed."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", blueprint_path.stem).strip("-") or "exam"
    return f"{stem}-{seed}"


def plan_exam(bank: Bank, blueprint: Blueprint, exam_id: str, out_root: Path,
              seed: int | None = None, forms: tuple[str, ...] | None = None,
              students: Sequence[Student] = ()) -> tuple[Exam, Selection]:
    """Select questions and make the forms (and a named copy per student); reads the history, writes nothing."""
    if seed is not None or forms is not None:
        blueprint = replace_blueprint(blueprint, seed, forms)
    recent = recent_question_ids(out_root / HISTORY_NAME, bank.root, blueprint.exclude_recent, exam_id)
    try:
        selection = select_questions(bank.questions, blueprint, bank.taxonomy, blueprint.seed, recent)
    finally:
        reinstall_handlers()  # native solver code must not leave Ctrl-C without Python's handler
    exam_forms = make_forms(blueprint, selection.sections, blueprint.seed)
    copies = make_copies(blueprint, exam_forms, students, selection.sections, blueprint.seed) if students else ()
    exam = Exam(exam_id, blueprint, blueprint.seed, bank, exam_forms, copies)
    return exam, selection


def replace_blueprint(blueprint: Blueprint, seed: int | None, forms: tuple[str, ...] | None) -> Blueprint:
    changes: dict[str, object] = {}
    if seed is not None:
        changes["seed"] = seed
    if forms is not None:
        changes["forms"] = forms
    try:
        return Blueprint.model_validate({**blueprint.model_dump(), **changes})
    except ValidationError as error:
        option = "--forms" if forms is not None else "--seed"
        raise UserError(f"{option}: {error.errors()[0]['msg'].removeprefix('Value error, ')}") from None


def write_exam(exam: Exam, out_root: Path, progress: Progress | None = None, render: bool = True,
               copy_options: CopyOptions | None = None, pool: RenderPool | None = None) -> Path:
    """Write the exam into ``out_root/<exam_id>`` and record it in the history (see exam_folder.py)."""
    target = out_root / exam.exam_id
    write_outputs(exam, target, progress, render, copy_options, history=out_root / HISTORY_NAME, pool=pool)
    return target


def write_outputs(exam: Exam, target: Path, progress: Progress | None = None, render: bool = True,
                  copy_options: CopyOptions | None = None, history: Path | None = None,
                  pool: RenderPool | None = None) -> None:
    """Stage the manifest and (unless ``render`` is off) the PDFs and HTML, then publish them into ``target``.

    Only files mockexam wrote in ``target`` are replaced; with ``history`` the exam is also recorded there.
    Everything that can refuse (a foreign folder, a damaged history) is checked before the slow rendering
    and again under the ``--out`` lock just before publishing.
    """
    owned_files(target)
    if history is not None:
        read_history(history)
    with staging_for(target) as staging:
        (staging.folder / MANIFEST_NAME).write_text(manifest_json(exam), encoding="utf-8")
        if render:
            render_into(exam, staging.folder, progress, copy_options, pool)
        with out_lock(target.parent), deferred_signals():
            if history is not None:
                read_history(history)
            staging.publish(owned_files(target))
            if history is not None:
                record_exam(history, exam.bank.root, exam.exam_id, sorted(exam.question_ids), locked=True)


def render_into(exam: Exam, folder: Path, progress: Progress | None,
                copy_options: CopyOptions | None = None, pool: RenderPool | None = None) -> list[Path]:
    from generator.render import render_exam  # heavy imports (WeasyPrint) only when rendering

    return render_exam(exam, folder, progress, copy_options=copy_options, pool=pool)
