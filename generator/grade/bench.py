"""``mockexam bench grade``: a synthetic class graded with every output (target: 300 × 40 in ≤ 10 s)."""

from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Callable

from generator.assemble.blueprint import Blueprint
from generator.bank.model import Bank

Report = Callable[[str], None]


def synthetic_exam(folder: Path, questions: int = 40, forms: tuple[str, ...] = ("A", "B"),
                   bank_size: int = 400) -> tuple[Path, Bank]:
    """A synthetic bank and a built exam folder (manifest only) with ``questions`` questions."""
    from generator.bank.loader import load_bank
    from generator.build import plan_exam, write_outputs
    from generator.synthetic import write_synthetic_bank

    bank = load_bank(write_synthetic_bank(folder / "bank", bank_size, seed=3))
    written = max(0, min(6, questions // 6))
    sections = [{"type": "mcq", "count": questions - written, "points": 2}]
    if written:
        sections += [{"type": "short", "count": written - written // 2, "points": 4}]
    if written // 2:
        sections += [{"type": "essay", "count": written // 2}]
    blueprint = Blueprint.model_validate({"title": "합성 모의고사", "session": "제1회", "duration_minutes": 60,
                                          "forms": list(forms), "sections": sections})
    exam, _ = plan_exam(bank, blueprint, "synthetic-1", folder / "output", seed=1)
    target = folder / "output" / exam.exam_id
    write_outputs(exam, target, render=False)
    return target, bank


def difficulties(bank: Bank) -> dict[str, float]:
    """IRT b from the authored difficulty 1–5: (level − 3) × 0.7."""
    return {q.id: (q.difficulty - 3) * 0.7 for q in bank.questions}


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bench_grade(students: int = 300, questions: int = 40, report: Report = print) -> float:
    from generator.assemble.manifest import read_manifest
    from generator.grade.keys import exam_key
    from generator.grade.run import grade_exam
    from generator.grade.simulate import simulate, write_responses

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        exam_dir, bank = synthetic_exam(folder, questions)
        key = exam_key(read_manifest(exam_dir / "manifest.json"))
        write_responses(simulate(key, students, seed=7, difficulty=difficulties(bank)),
                        exam_dir / "scans" / "responses.csv")
        started, cpu = time.perf_counter(), _cpu_seconds()
        outcome = grade_exam(exam_dir, bank)
        elapsed, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        pdfs = len(list((outcome.folder / "students").glob("*.pdf")))
        t = outcome.graded.analysis.test
        report(f"graded {t.n} students × {t.k} questions ({len(key.forms)} forms): {pdfs} 성적표, class report, "
               f"tables; {t.reliability_name} {t.reliability:.2f}")
        report("phases: " + ", ".join(f"{k} {v:.2f} s" for k, v in outcome.seconds.items()))
        report(f"grade with every report: {elapsed:.2f} s wall, {cpu:.1f} s CPU in this process and its workers "
               f"(target <= 10 s wall); load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return elapsed
