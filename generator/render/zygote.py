"""A process forked early that prepares the renderer once and then forks the render workers.

``mockexam build`` forks it before it loads the bank: while the parent loads the bank and runs the solver
on one core, the zygote imports WeasyPrint and loads the fonts on the other, and the workers it forks
afterwards inherit all of that (workers forked by the parent would each import for themselves). The parent
submits calls through a pipe; the zygote runs them in its own process pool and sends the results back.
"""

from __future__ import annotations

import itertools
import os
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any, Callable


class Zygote:
    """``submit(fn, *args) -> Future`` like an executor; ``fn`` runs in a worker forked by the zygote."""

    def __init__(self, jobs: int, prepare: Callable[[], None], initializer: Callable[..., None],
                 initargs: tuple[Any, ...]) -> None:
        import multiprocessing

        self._conn, child = multiprocessing.get_context("fork").Pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the zygote
            code = 1
            try:
                self._conn.close()
                _serve(child, parent, jobs, prepare, initializer, initargs)
                code = 0
            finally:
                os._exit(code)
        child.close()
        self.pid = pid
        self._futures: dict[int, Future] = {}
        self._ids = itertools.count()
        self._lock = threading.Lock()
        threading.Thread(target=self._receive, daemon=True, name="render-results").start()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        future: Future = Future()
        with self._lock:
            key = next(self._ids)
            self._futures[key] = future
        self._conn.send((key, fn, args))
        return future

    def _receive(self) -> None:
        while True:
            try:
                key, ok, value = self._conn.recv()
            except (EOFError, OSError):
                break
            with self._lock:
                future = self._futures.pop(key)
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
        with self._lock:
            pending = list(self._futures.values())
            self._futures.clear()
        for future in pending:
            future.set_exception(BrokenProcessPool("the render workers ended unexpectedly"))

    def shutdown(self, kill: bool = False) -> None:
        """Stop the zygote and its workers: at once with ``kill``, else once they finish their calls."""
        if kill:
            os.kill(self.pid, signal.SIGKILL)  # its workers get SIGKILL too (they die with their parent)
        else:
            try:
                self._conn.send(None)
            except OSError:
                pass
        os.waitpid(self.pid, 0)
        self._conn.close()


def _serve(conn: Any, parent: int, jobs: int, prepare: Callable[[], None], initializer: Callable[..., None],
           initargs: tuple[Any, ...]) -> None:
    from generator.render.worker_life import die_with_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    die_with_parent(parent)
    try:
        prepare()
    except Exception as error:  # noqa: BLE001 - e.g. WeasyPrint without Pango: every call reports it
        _refuse(conn, error)
        return
    import multiprocessing

    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=initializer, initargs=(os.getpid(), *initargs))
    sending = threading.Lock()

    def reply(key: int, future: Future) -> None:
        error = future.exception()
        message = (key, True, future.result()) if error is None else (key, False, error)
        with sending:
            try:
                conn.send(message)
            except Exception:  # noqa: BLE001 - an unpicklable error still ends the call
                conn.send((key, False, RuntimeError(repr(error))))

    while True:
        try:
            request = conn.recv()
        except EOFError:
            break
        if request is None:
            break
        key, fn, args = request
        pool.submit(fn, *args).add_done_callback(partial(reply, key))
    pool.shutdown(wait=True)


def _refuse(conn: Any, error: Exception) -> None:
    """Answer every call with the error that stopped the zygote from preparing."""
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        try:
            conn.send((request[0], False, error))
        except Exception:  # noqa: BLE001 - an unpicklable error still ends the call
            conn.send((request[0], False, RuntimeError(repr(error))))
