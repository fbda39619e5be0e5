"""Unexpected errors (bugs): the traceback goes to a file, the user gets one line saying where."""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path

from generator import __version__
from generator.disk_cache import cache_dir

EXIT_INTERNAL_ERROR = 70  # EX_SOFTWARE (sysexits.h)


def _cwd() -> str:
    try:
        return os.getcwd()
    except OSError:
        return "?"


def save_crash_report(error: BaseException) -> Path | None:
    """Write the traceback of ``error`` to ``<cache>/crash-<time>-<pid>.txt`` (or the temp folder)."""
    text = (f"mockexam {__version__} on Python {platform.python_version()} ({sys.platform})\n"
            f"command: {' '.join(sys.argv)}\ncwd: {_cwd()}\n\n"
            + "".join(traceback.format_exception(error)))
    name = f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    for folder in (cache_dir(), Path(tempfile.gettempdir()) / "mockexam"):
        if folder is None:
            continue
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    return None
