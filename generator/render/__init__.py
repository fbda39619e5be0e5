"""Rendering: every output is a writer over the same assembled Exam.

``render_exam`` runs the build writers of ``render/writers.py`` (the one table of outputs, which also holds
the ``mockexam export`` formats) and writes, into an existing empty folder:
  booklet-<form>.pdf       문제지 (two columns, paginated in Python: see booklet.py)
  answer-sheet-<form>.pdf  답안지 (OMR bubbles, corner markers, QR code per page)
  key.pdf                  정답 및 해설
  exam.html                self-contained page for printing and practice
or, for a roster build (``exam.copies``), booklets.pdf and answer-sheets.pdf with one named copy per
student (render/copies.py) instead of the per-form booklets and sheets.

The writers are independent, so on a multi-core machine they run in forked worker processes (``RenderPool``),
each with its own WeasyPrint FontConfiguration, reused for every document of that worker. A writer may be
split (the booklets' pieces are laid out in parts, one per worker, and joined here), so that no core waits
for the longest writer. ``mockexam build`` starts the pool before it loads the bank: the workers import
WeasyPrint and load their fonts while the parent selects the questions. ``MOCKEXAM_RENDER_JOBS=1`` forces a
serial build.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.assemble.exam import Exam
from generator.render.writers import BUILD_OUTPUT_ORDER, Progress, RenderContext, Writer, build_writers, writer

if TYPE_CHECKING:
    from concurrent.futures import Future
    from contextlib import ExitStack

    from generator.render.copies import CopyOptions

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


def _jobs() -> int:
    env = os.environ.get("MOCKEXAM_RENDER_JOBS")
    if env:
        return max(1, int(env))
    if not sys.platform.startswith("linux"):
        return 1  # fork is the only start method that shares the loaded exam cheaply
    return max(1, min(2, len(os.sched_getaffinity(0))))


# --- worker side: state of one forked worker process ------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(parent: int, queue: Any, modules: tuple[str, ...]) -> None:
    """Render workers die with their parent (Ctrl-C is the build's to handle; a killed build kills them),
    then warm up (nothing to do when forked from a zygote that did)."""
    import signal

    from generator.render.worker_life import die_with_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    die_with_parent(parent)
    _WORKER.update(queue=queue, exam=None, digest=None, ctx=None)
    _prepare(modules)


def _prepare(modules: tuple[str, ...]) -> None:
    """Import the writers and lay out a first document, which loads the fonts."""
    import importlib

    from generator.render.pdf import import_weasyprint, warm_up

    import_weasyprint()
    for module in modules:
        importlib.import_module(module)
    warm_up()


def _worker_exam(payload: bytes) -> tuple[Exam, Path]:
    """The (exam, out_dir) of a task: unpickled once per worker, not once per task."""
    digest = hashlib.blake2b(payload, digest_size=16).digest()
    if _WORKER.get("digest") != digest:
        exam, out_dir = pickle.loads(payload)
        _WORKER.update(digest=digest, exam=(exam, out_dir), ctx=RenderContext(exam.bank.root))
    return _WORKER["exam"]


def _worker_ctx(exam: Exam, copy_options: CopyOptions | None) -> RenderContext:
    ctx: RenderContext = _WORKER["ctx"]
    ctx.say, ctx.copy_options = _WORKER["queue"].put, copy_options
    return ctx


def _write(payload: bytes, task: str, copy_options: CopyOptions | None) -> tuple[list[Path], float]:
    exam, out_dir = _worker_exam(payload)
    ctx = _worker_ctx(exam, copy_options)
    return run_task(exam, task, out_dir, ctx.say, ctx)


def _lay_out_part(payload: bytes, task: str, part: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    exam, _ = _worker_exam(payload)
    result = writer(task).step(1)(_worker_ctx(exam, None), part)
    return result, time.perf_counter() - start


# --- parent side --------------------------------------------------------------------------------------------


class RenderPool:
    """Render workers that exist before the exam does; each task carries the exam (pickled once).

    With ``early`` (a build that has yet to load its bank) the workers are forked by a zygote that imports
    the renderer meanwhile (render/zygote.py); otherwise they are forked from this process, which has
    imported it already.
    """

    def __init__(self, jobs: int | None = None, early: bool = False) -> None:
        import multiprocessing

        self.jobs = jobs or _jobs()
        context = multiprocessing.get_context("fork")
        self.messages = context.SimpleQueue()
        modules = tuple(module for w in build_writers() for module in (w.module, *w.imports))
        self._executor: Any
        if early:
            from generator.render.zygote import Zygote

            self._executor = Zygote(self.jobs, partial(_prepare, modules), _init_worker, (self.messages, ()))
        else:
            from concurrent.futures import ProcessPoolExecutor

            _prepare(modules)  # once here, inherited by every worker of this and later pools
            self._executor = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context, initializer=_init_worker,
                                                 initargs=(os.getpid(), self.messages, modules))
            self._executor.submit(int)  # fork the workers now: they warm up while the caller goes on

    def __enter__(self) -> RenderPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(failed=exc[0] is not None)

    def close(self, failed: bool = False) -> None:
        """Stop the workers; after an error, Ctrl-C or SIGTERM at once, not when they finish."""
        from concurrent.futures import ProcessPoolExecutor

        if not isinstance(self._executor, ProcessPoolExecutor):
            self._executor.shutdown(kill=failed)
            return
        if failed:
            for process in list((getattr(self._executor, "_processes", None) or {}).values()):
                process.kill()
        self._executor.shutdown(wait=True, cancel_futures=True)

    def render(self, exam: Exam, out_dir: Path, say: Progress, copy_options: CopyOptions | None = None
               ) -> dict[str, tuple[list[Path], float]]:
        """Run every build writer of ``exam``; split writers lay out one part per worker and join here."""
        from concurrent.futures import FIRST_COMPLETED, wait

        payload = pickle.dumps((exam, out_dir), protocol=pickle.HIGHEST_PROTOCOL)
        writers = build_writers(exam)
        split = [w for w in writers if w.split is not None and self.jobs > 1]
        futures: dict[Future, str] = {}
        for w in writers:  # the whole writers first: they start while the split ones are planned here
            if w not in split:
                futures[self._executor.submit(_write, payload, w.name, copy_options)] = w.name
        plans: dict[str, tuple[Any, float]] = {}
        parts: dict[str, list[Future]] = {}
        ctx = RenderContext(exam.bank.root, say=say)
        for w in split:
            started = time.perf_counter()
            state, inputs = w.step(0)(exam, ctx, self.jobs)
            plans[w.name] = (state, time.perf_counter() - started)
            parts[w.name] = [self._executor.submit(_lay_out_part, payload, w.name, part) for part in inputs]
        pending = set(futures) | {future for group in parts.values() for future in group}
        results: dict[str, tuple[list[Path], float]] = {}
        while pending:
            done, pending = wait(pending, timeout=0.05, return_when=FIRST_COMPLETED)
            self._drain(say)
            for future in done:
                if future in futures:
                    results[futures[future]] = future.result()
                else:
                    future.result()  # raises a worker's error now
        self._drain(say)
        for w in split:
            state, seconds = plans[w.name]
            laid = [future.result() for future in parts[w.name]]
            started = time.perf_counter()
            paths = w.step(2)(exam, ctx, state, [result for result, _ in laid], out_dir)
            seconds += sum(part_seconds for _, part_seconds in laid) + time.perf_counter() - started
            results[w.name] = (paths, seconds)
        return results

    def _drain(self, say: Progress) -> None:
        while not self.messages.empty():
            say(self.messages.get())


def early_pool(stack: ExitStack) -> RenderPool | None:
    """A RenderPool for a build that has yet to load its bank (None when rendering is serial); ``stack``
    closes it, killing the workers if the build fails."""
    if _jobs() <= 1:
        return None
    return stack.enter_context(RenderPool(early=True))


def render_exam(exam: Exam, out_dir: Path, progress: Progress | None = None, jobs: int | None = None,
                timings: dict[str, float] | None = None, copy_options: CopyOptions | None = None,
                pool: RenderPool | None = None) -> list[Path]:
    """Write every output of ``exam`` into ``out_dir``; returns the paths (booklets, sheets, key, html).

    ``progress`` is called with e.g. "booklet A" as each output starts. ``timings``, when given, receives
    the seconds spent per task (CPU of all its parts). ``pool`` is a RenderPool started earlier.
    """
    say = progress or (lambda _message: None)
    out_dir = Path(out_dir)
    jobs = jobs or (pool.jobs if pool is not None else _jobs())
    if copy_options is not None and (copy_options.jobs > 1 or copy_options.dask):
        jobs = 1  # the named copies spread over their own workers
    if jobs <= 1:
        ctx = RenderContext(exam.bank.root, copy_options=copy_options)
        results = {task: run_task(exam, task, out_dir, say, ctx) for task in (w.name for w in build_writers(exam))}
    elif pool is not None:
        results = pool.render(exam, out_dir, say, copy_options)
    else:
        with RenderPool(jobs) as own:
            results = own.render(exam, out_dir, say, copy_options)
    if timings is not None:
        timings.update({task: seconds for task, (_, seconds) in results.items()})
    return [path for task in BUILD_OUTPUT_ORDER if task in results for path in results[task][0]]


__all__ = ["render_exam", "run_task", "RenderPool", "early_pool", "TASKS", "RenderContext", "Writer"]
