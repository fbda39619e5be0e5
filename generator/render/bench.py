"""Render benchmark for the CLI: ``run(exam)`` builds every output into a temporary folder and times it."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from generator.assemble.exam import Exam


def run(exam: Exam, jobs: int | None = None, keep: Path | None = None) -> dict:
    """Seconds per output task and in total (wall), plus page counts; ``jobs=1`` times a serial build.

    Task times overlap when the writers run in parallel worker processes, so their sum exceeds ``total``.
    """
    from generator.render import render_exam

    with tempfile.TemporaryDirectory(prefix="mockexam-bench-") as tmp:
        out = keep or Path(tmp)
        started: dict[str, float] = {}
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        def mark(name: str) -> None:
            started.setdefault(name, time.perf_counter() - t0)

        paths = render_exam(exam, out, mark, jobs=jobs, timings=timings)
        total = time.perf_counter() - t0
        pages = {}
        for path in paths:
            if path.suffix == ".pdf":
                from pypdf import PdfReader

                pages[path.name] = len(PdfReader(path).pages)
        sizes = {path.name: path.stat().st_size for path in paths}
    return {
        "questions": len(exam.forms[0].items),
        "forms": len(exam.forms),
        "seconds": {task: round(seconds, 3) for task, seconds in timings.items()},
        "started": {name: round(at, 3) for name, at in started.items()},
        "total": round(total, 3),
        "pages": pages,
        "bytes": sizes,
    }
