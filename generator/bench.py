"""Benchmarks (``mockexam bench …``): wall-clock figures for validation, assembly and a full build."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from generator.assemble.blueprint import Blueprint
from generator.assemble.forms import make_forms
from generator.assemble.select import select_questions
from generator.bank.loader import load_taxonomy
from generator.paths import PROJECT_ROOT
from generator.synthetic import synthetic_questions, write_synthetic_bank

Report = Callable[[str], None]


def bench_validate(count: int = 10_000, repeat: int = 3, report: Report = print) -> float:
    """Wall time of ``mockexam validate`` (a fresh process) on a synthetic bank of ``count`` questions."""
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        root = write_synthetic_bank(Path(folder) / "bank", count)
        report(f"wrote {count} synthetic questions in {time.perf_counter() - started:.1f} s")
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            result = subprocess.run([sys.executable, "-m", "generator", "validate", "--bank", str(root)],
                                    capture_output=True, text=True, check=False)
            times.append(time.perf_counter() - started)
            if result.returncode != 0:
                raise RuntimeError(result.stdout + result.stderr)
        report(result.stdout.strip())
    best, median = min(times), statistics.median(times)
    report(f"validate {count} questions: median {median:.2f} s, best {best:.2f} s (target <= 3 s)")
    return median


def bench_assemble(count: int = 100_000, questions: int = 40, seeds: int = 5, report: Report = print,
                   choices: int = 5) -> float:
    """Selection + 2 forms for a ``questions``-item exam from ``count`` in-memory questions.

    MCQs have ``choices`` choices; the time to shuffle the forms (balanced keys) is reported on its own.
    """
    taxonomy = load_taxonomy(PROJECT_ROOT / "bank")
    started = time.perf_counter()
    bank = synthetic_questions(count, list(taxonomy.leaves), seed=1, group_every=3, choices=choices)
    report(f"made {count} synthetic questions in {time.perf_counter() - started:.1f} s")
    blueprint = Blueprint.model_validate({
        "title": "벤치마크", "duration_minutes": 100, "forms": ["A", "B"],
        "sections": [{"type": "mcq", "count": questions - 8, "points": 2},
                     {"type": "short", "count": 5, "points": 4}, {"type": "essay", "count": 3}],
        "topics": {"data": 0.15, "model": 0.5, "system": 0.25, "trend.recent": 0.10},
        "difficulty": {1: 0.1, 2: 0.3, 3: 0.4, 4: 0.15, 5: 0.05},
    })
    times, form_times = [], []
    for seed in range(seeds):
        started = time.perf_counter()
        selection = select_questions(bank, blueprint, taxonomy, seed)
        shuffled = time.perf_counter()
        make_forms(blueprint, selection.sections, seed)
        times.append(time.perf_counter() - started)
        form_times.append(time.perf_counter() - shuffled)
    median = statistics.median(times)
    report(f"forms ({choices} choices): median {statistics.median(form_times) * 1000:.1f} ms, "
           f"max {max(form_times) * 1000:.1f} ms")
    report(f"assemble {questions} questions x 2 forms from {count}: median {median:.3f} s, "
           f"max {max(times):.3f} s over {seeds} seeds (target <= 1 s)")
    return median


def bench_build(blueprint_path: Path, bank_dir: Path, seeds: int = 10, report: Report = print) -> float:
    """Complete builds (all PDFs + HTML) over several seeds: median, worst/median ratio, time per writer.

    The writers run in parallel worker processes, so their times add up to more than the wall time.
    """
    from generator.assemble.blueprint import load_blueprint
    from generator.bank.loader import load_bank
    from generator.build import plan_exam
    from generator.render import render_exam

    bank = load_bank(bank_dir)
    blueprint = load_blueprint(blueprint_path, bank.taxonomy)
    times = []
    writers: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()  # the process's first build also imports WeasyPrint and loads the fonts
        exam, _ = plan_exam(bank, blueprint, "bench-first", Path(folder), seed=0)
        (Path(folder) / exam.exam_id).mkdir()
        render_exam(exam, Path(folder) / exam.exam_id)
        report(f"first build in this process (imports, fonts; not counted): {time.perf_counter() - started:.2f} s")
        for seed in range(1, seeds + 1):
            started = time.perf_counter()
            exam, _ = plan_exam(bank, blueprint, f"bench-{seed}", Path(folder), seed=seed)
            out = Path(folder) / exam.exam_id
            out.mkdir()
            timings: dict[str, float] = {}
            render_exam(exam, out, timings=timings)
            times.append(time.perf_counter() - started)
            for writer, seconds in timings.items():
                writers.setdefault(writer, []).append(seconds)
            report(f"seed {seed}: {times[-1]:.2f} s ({len(exam.question_ids)} questions, {len(exam.forms)} forms)")
    report("writers (median): " + ", ".join(f"{w} {statistics.median(s):.2f} s" for w, s in writers.items()))
    median = statistics.median(times)
    report(f"build: median {median:.2f} s, worst {max(times):.2f} s = {max(times) / median:.2f}x median "
           f"(targets <= 8 s, stretch <= 4 s; worst <= 1.5x)")
    return median
