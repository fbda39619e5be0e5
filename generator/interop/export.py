"""`mockexam export`: run one writer of the registry on a built exam or a bank selection, into --out."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from generator.assemble.exam import Exam
from generator.assemble.manifest import MANIFEST_NAME, exam_from_manifest, read_manifest
from generator.bank import query
from generator.bank.model import Bank
from generator.interop.exportset import bank_exam
from generator.problems import UserError, did_you_mean, display_path
from generator.render.writers import WRITERS, RenderContext, export_formats, writer


def load_exam(bank: Bank, exam_dir: Path | None, where: query.QuestionFilter | None) -> Exam:
    if exam_dir is not None:
        manifest = exam_dir / MANIFEST_NAME
        if not manifest.is_file():
            raise UserError(f"{display_path(exam_dir)}: no {MANIFEST_NAME}; pass a folder written by `mockexam build`")
        return exam_from_manifest(read_manifest(manifest), bank, display_path(manifest))
    questions = query.select(bank, where or query.QuestionFilter())
    if not questions:
        raise UserError("no question matches the filters; see `mockexam list` with the same filters")
    return bank_exam(bank, questions)


def output_paths(out: Path, written: list[Path]) -> list[Path]:
    """The first file becomes ``out``; further files (another form, the key) ``<out stem>-<their stem>``."""
    targets = [out]
    for path in written[1:]:
        targets.append(out.with_name(f"{out.stem}-{path.stem}{path.suffix}"))
    return targets


def export(bank: Bank, exam_dir: Path | None, where: query.QuestionFilter | None, fmt: str,
           out: Path) -> tuple[list[Path], list[str]]:
    """Write format ``fmt`` to ``out`` (and siblings); returns the paths and notes for the user."""
    names = [w.name for w in WRITERS]
    if fmt not in names:
        raise UserError(f"--format: unknown format '{fmt}'{did_you_mean(fmt, names)}; "
                        f"use one of {', '.join(export_formats())} (or a build output: "
                        f"{', '.join(n for n in names if n not in export_formats())})")
    exam = load_exam(bank, exam_dir, where)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    ctx = RenderContext(bank.root)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    try:
        written = writer(fmt).write(exam, ctx, staging)
        targets = output_paths(out, written)
        for source, target in zip(written, targets):
            os.chmod(source, 0o644)
            os.replace(source, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return targets, ctx.notes
