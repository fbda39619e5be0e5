"""Rendering: every output is a writer over the same assembled Exam.

``render_exam`` runs the build writers of ``render/writers.py`` (the one table of outputs, which also holds
the ``mockexam export`` formats) and writes, into an existing empty folder:
  booklet-<form>.pdf       문제지 (two columns, paginated in Python: see booklet.py)
  answer-sheet-<form>.pdf  답안지 (OMR bubbles, corner markers, QR code per page)
  key.pdf                  정답 및 해설
  exam.html                self-contained page for printing and practice

The writers are independent, so on a multi-core machine they run in forked worker processes (each with its
own WeasyPrint FontConfiguration, reused for every document of that worker). ``MOCKEXAM_RENDER_JOBS=1``
forces a serial build.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from generator.assemble.exam import Exam
from generator.render.writers import BUILD_OUTPUT_ORDER, Progress, RenderContext, Writer, build_writers, writer

# heaviest first: the pool starts them in this order
TASKS = tuple(w.name for w in build_writers())


def run_task(exam: Exam, task: str, out_dir: Path, say: Progress,
             ctx: RenderContext | None = None) -> tuple[list[Path], float]:
    """Write the outputs of one writer; returns their paths and the seconds it took.

    ``ctx`` carries the engine between writers of one process; without it the writer gets a fresh one.
    """
    start = time.perf_counter()
    ctx = ctx or RenderContext(exam.bank.root)
    ctx.say = say
    paths = writer(task).write(exam, ctx, out_dir)
    return paths, time.perf_counter() - start


# state inherited by forked workers (never pickled); each worker creates its own engine on first use
_JOB: dict = {}


def _worker(task: str) -> tuple[list[Path], float]:
    queue = _JOB["queue"]
    return run_task(_JOB["exam"], task, _JOB["out_dir"], queue.put, _JOB["ctx"])


def _jobs() -> int:
    env = os.environ.get("MOCKEXAM_RENDER_JOBS")
    if env:
        return max(1, int(env))
    if not sys.platform.startswith("linux"):
        return 1  # fork is the only start method that shares the loaded exam cheaply
    return max(1, min(2, len(os.sched_getaffinity(0))))


def render_exam(exam: Exam, out_dir: Path, progress: Progress | None = None, jobs: int | None = None,
                timings: dict[str, float] | None = None) -> list[Path]:
    """Write every output of ``exam`` into ``out_dir``; returns the paths (booklets, sheets, key, html).

    ``progress`` is called with e.g. "booklet A" as each output starts. ``timings``, when given, receives
    the seconds spent per task.
    """
    say = progress or (lambda _message: None)
    out_dir = Path(out_dir)
    jobs = jobs or _jobs()
    results: dict[str, tuple[list[Path], float]] = {}
    if jobs <= 1:
        ctx = RenderContext(exam.bank.root)
        for task in TASKS:
            results[task] = run_task(exam, task, out_dir, say, ctx)
    else:
        results = _parallel(exam, out_dir, say, jobs)
    if timings is not None:
        timings.update({task: seconds for task, (_, seconds) in results.items()})
    return [path for task in BUILD_OUTPUT_ORDER for path in results[task][0]]


def _parallel(exam: Exam, out_dir: Path, say: Progress, jobs: int) -> dict[str, tuple[list[Path], float]]:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    # imported once here and inherited by the forked workers
    for task in TASKS:
        writer(task).load()

    context = multiprocessing.get_context("fork")
    messages = context.SimpleQueue()
    _JOB.update(exam=exam, out_dir=out_dir, queue=messages, ctx=RenderContext(exam.bank.root))
    results = {}
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = {pool.submit(_worker, task): task for task in TASKS}
            pending = set(futures)
            while pending:
                done, pending = wait(pending, timeout=0.05, return_when=FIRST_COMPLETED)
                while not messages.empty():
                    say(messages.get())
                for future in done:
                    results[futures[future]] = future.result()
            while not messages.empty():
                say(messages.get())
    finally:
        _JOB.clear()
    return results


__all__ = ["render_exam", "run_task", "TASKS", "RenderContext", "Writer"]
