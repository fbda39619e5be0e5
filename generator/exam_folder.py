"""The exam folder ``<out>/<exam>``: written by build and render, shared with the user's own files.

An exam folder carries a marker, ``.mockexam-exam.json``, listing the files mockexam wrote there. A
build or render

* refuses to touch ``<out>/<exam>`` when it is a file, a link, or a folder with other content and no
  marker (a folder mockexam did not make);
* writes every output into a hidden staging folder beside it (``<out>/.mockexam-staging-<exam>-<pid>-…``,
  guarded by a lock file), and only when all of them are complete moves them in;
* replaces only the files the marker lists, never a file it did not write (``grades.csv``, ``scans/``, …).

Guarantee: a new exam folder appears whole with one ``rename``. Into an existing folder each file is
replaced atomically by its own ``rename`` (``manifest.json`` last), all within milliseconds after every
output is complete: an error or interruption before that step changes nothing, and only a crash of the
machine inside that step can leave a mix of old and new outputs (the marker lists both; build again).

A staging folder whose process is gone (killed with SIGKILL, power loss) is removed by the next build
or render into the same ``--out``: its name carries the pid and its lock file is held while the process
(or one of its render workers) lives, so a folder is removed only when both say it is dead.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from filelock import FileLock, Timeout

from generator.atomic import write_text_atomic
from generator.problems import UserError, display_path

MARKER_NAME = ".mockexam-exam.json"
MARKER_SCHEMA = "mockexam.exam-folder/1"
STAGING_PREFIX = ".mockexam-staging-"
_STAGING = re.compile(rf"^{re.escape(STAGING_PREFIX)}.*-(\d+)-[0-9a-f]{{8}}$")
# what builds before the marker existed wrote: such a folder is adopted as mockexam's own
_LEGACY_OUTPUT = re.compile(r"^(manifest\.json|key\.pdf|exam\.html|(booklet|answer-sheet)-[A-Z0-9가-힣]{1,4}\.pdf)$")


def owned_files(target: Path) -> frozenset[str]:
    """Names mockexam wrote in ``target`` (empty when it does not exist yet).

    Raises UserError when ``target`` is not an exam folder mockexam may write into.
    """
    shown = display_path(target)
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise UserError(f"{shown} exists and is not an exam folder: mockexam will not replace it; "
                        "move it away or build into another --out")
    if not target.exists():
        return frozenset()
    marker = target / MARKER_NAME
    if marker.is_file() and not marker.is_symlink():
        try:
            data = json.loads(marker.read_text(encoding="utf-8"))
            if data.get("schema") != MARKER_SCHEMA:
                raise ValueError
            names = data["files"]
            if not isinstance(names, list) or not all(isinstance(n, str) and _plain_name(n) for n in names):
                raise ValueError
            return frozenset(names)
        except (ValueError, KeyError, AttributeError, RecursionError, UnicodeDecodeError):
            raise UserError(f"{display_path(marker)}: the exam-folder marker is damaged, so mockexam cannot tell "
                            "its files from yours; move your own files out and delete the folder, "
                            "or build into another --out") from None
    entries = [entry.name for entry in target.iterdir()]
    if entries and all(_LEGACY_OUTPUT.match(name) for name in entries) and "manifest.json" in entries:
        return frozenset(entries)  # made by an older mockexam: only its own outputs are there
    if entries:
        raise UserError(f"{shown} holds files mockexam did not write and has no {MARKER_NAME}: mockexam will not "
                        "write into it; move it away or build into another --out")
    return frozenset()


def _plain_name(name: str) -> bool:
    return bool(name) and name not in (".", "..", MARKER_NAME) and "/" not in name and "\\" not in name


def _marker_text(names: frozenset[str]) -> str:
    return json.dumps({"schema": MARKER_SCHEMA, "files": sorted(names)}, ensure_ascii=False, indent=2) + "\n"


class Staging:
    """A hidden folder beside the exam folder, alive while its lock is held."""

    def __init__(self, target: Path) -> None:
        self.target = target
        name = f"{STAGING_PREFIX}{target.name}-{os.getpid()}-{secrets.token_hex(4)}"
        self.folder = target.parent / name
        self.lock = FileLock(str(target.parent / f"{name}.lock"))

    def publish(self, previous: frozenset[str]) -> None:
        """Move every staged output into the target; remove the outputs of ``previous`` it no longer has."""
        new = frozenset(entry.name for entry in self.folder.iterdir())
        if not self.target.exists():
            write_text_atomic(self.folder / MARKER_NAME, _marker_text(new))
            os.replace(self.folder, self.target)
            return
        clashes = sorted(name for name in new if name not in previous and (self.target / name).exists())
        if clashes:
            raise UserError(f"{display_path(self.target)}: {', '.join(clashes)} would be replaced, but mockexam did "
                            "not write it; move it away and run again")
        # the marker lists old and new outputs while they are moved in, so every file stays accounted for
        write_text_atomic(self.target / MARKER_NAME, _marker_text(previous | new))
        for name in sorted(new, key=lambda n: n == "manifest.json"):  # the manifest last
            source, destination = self.folder / name, self.target / name
            if destination.is_dir() and not destination.is_symlink():
                retired = self.folder / f".retired-{name}"
                os.replace(destination, retired)
            os.replace(source, destination)
        for name in sorted(previous - new):
            _remove(self.target / name)
        write_text_atomic(self.target / MARKER_NAME, _marker_text(new))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


@contextmanager
def staging_for(target: Path) -> Iterator[Staging]:
    """A locked staging folder for ``target``; removed (with its lock) however the block ends."""
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale_staging(target.parent)
    staging = Staging(target)
    staging.lock.acquire()
    try:
        staging.folder.mkdir()
        yield staging
    finally:
        shutil.rmtree(staging.folder, ignore_errors=True)
        staging.lock.release()
        Path(staging.lock.lock_file).unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # on Windows os.kill(pid, 0) would terminate the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def sweep_stale_staging(folder: Path) -> list[Path]:
    """Remove staging folders in ``folder`` whose process is dead and whose lock is free; returns them."""
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _STAGING.match(entry.name.removesuffix(".lock"))
        if match is None or _pid_alive(int(match.group(1))):
            continue
        staging = entry.with_name(match.group(0))
        lock = FileLock(str(staging.with_name(staging.name + ".lock")))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            continue  # a render worker of the dead build still runs: it goes with its parent
        try:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
                removed.append(staging)
        finally:
            lock.release()
            Path(lock.lock_file).unlink(missing_ok=True)
    return removed
