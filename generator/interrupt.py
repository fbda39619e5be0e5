"""Signals during a command: Ctrl-C and SIGTERM unwind like an error, so staging folders are removed.

Python turns SIGINT into ``KeyboardInterrupt``; SIGTERM and SIGHUP would kill the process without running
any ``finally``, so while a command runs they raise ``Terminated`` instead. Native code that installs its
own SIGINT handler (OR-Tools' CP-SAT does, unless told not to) is undone by ``reinstall_handlers``.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from types import FrameType
from typing import Any, Iterator

_TERMINATING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
_HANDLED = (signal.SIGINT, *_TERMINATING)


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM, SIGHUP); the exit status is 128 + the signal number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise Terminated(signum)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _install(handlers: dict[int, Any]) -> None:
    for signum, handler in handlers.items():
        signal.signal(signum, signal.SIG_DFL if handler is None else handler)


@contextmanager
def handle_signals() -> Iterator[None]:
    """While the block runs: SIGINT raises KeyboardInterrupt, SIGTERM/SIGHUP raise Terminated."""
    if not _main_thread():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in _HANDLED}
    _install({signal.SIGINT: signal.default_int_handler, **{s: _terminate for s in _TERMINATING}})
    try:
        yield
    finally:
        _install(previous)


def reinstall_handlers() -> None:
    """Install Python's handlers again at the C level (after native code replaced them)."""
    if _main_thread():
        _install({signum: signal.getsignal(signum) for signum in _HANDLED})


@contextmanager
def deferred_signals() -> Iterator[None]:
    """Finish the block before acting on Ctrl-C or SIGTERM (for the few renames that publish an exam)."""
    if not _main_thread():
        yield
        return
    received: list[int] = []
    previous = {signum: signal.getsignal(signum) for signum in _HANDLED}
    _install({signum: (lambda number, _frame: received.append(number)) for signum in _HANDLED})
    try:
        yield
    finally:
        _install(previous)
        if received:
            signal.raise_signal(received[0])
