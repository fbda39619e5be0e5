"""A small on-disk cache for pure, slow computations (typeset formulas): keyed by a hash of the inputs.

The folder is ``$MOCKEXAM_CACHE_DIR``, else ``$XDG_CACHE_HOME/mockexam``, else ``~/.cache/mockexam``;
set ``MOCKEXAM_CACHE_DIR`` to an empty string to switch the cache off. Failing to read or write the
cache never fails a build: the value is simply computed again.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from generator.atomic import write_text_atomic


def cache_dir() -> Path | None:
    configured = os.environ.get("MOCKEXAM_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mockexam"


def _path(kind: str, key: tuple[object, ...]) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256("\0".join(map(repr, key)).encode("utf-8")).hexdigest()
    return folder / kind / digest[:2] / f"{digest}.txt"


def read(kind: str, *key: object) -> str | None:
    path = _path(kind, key)
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def write(value: str, kind: str, *key: object) -> None:
    path = _path(kind, key)
    if path is None:
        return
    try:
        write_text_atomic(path, value)
    except OSError:
        pass  # a read-only or full disk only costs speed
