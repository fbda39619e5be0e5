"""Tolerant, incremental bank loading: keep every valid question, collect the problems of the rest.

``generator.bank.loader.load_bank`` refuses a bank with any problem (right for builds). While editing, the
preview wants the opposite: show what is valid and list the problems beside it. Files are re-parsed only
when their size, mtime or inode changed, so a save costs one file's parse, not the whole bank's.

File times are coarse (a clock tick, or seconds on some file systems): two saves of the same size within
one tick keep the same stamp. As in git's "racily clean" rule, a file whose mtime was less than
``SETTLE_NS`` before it was read is read again (and compared by content) on the next load.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.bank import frontmatter
from generator.bank.loader import TOPICS_FILE, _load_file, load_taxonomy, question_files
from generator.bank.model import Bank, Question, Taxonomy
from generator.problems import Problem, UserError, display_path

Stamp = tuple[int, int, int]  # mtime_ns, size, inode
SETTLE_NS = 2_000_000_000  # file time granularity to allow for (FAT: 2 s; ext4: a clock tick)


@dataclass(frozen=True)
class FileResult:
    stamp: Stamp
    digest: str  # of the file's bytes (and the taxonomy): identifies this version of the question
    question: Question | None
    problems: tuple[Problem, ...]
    settled: bool = False  # the stamp alone proves the file unchanged (its mtime was well before the read)


@dataclass(frozen=True)
class Snapshot:
    """What the preview shows: the valid questions (as a Bank) and every problem found."""

    bank: Bank | None  # None when topics.yaml itself cannot be read
    problems: tuple[Problem, ...]
    revisions: dict[str, str] = field(default_factory=dict)  # question id -> digest of its file
    parsed: int = 0  # files parsed by this load (the rest came from the cache)


def _stamp(path: Path) -> Stamp | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino


class TolerantLoader:
    """Loads one bank folder again and again, re-parsing only changed files."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._files: dict[Path, FileResult] = {}
        self._taxonomy: Taxonomy | None = None
        self._taxonomy_stamp: Stamp | None = None
        self._taxonomy_digest = ""

    def _load_taxonomy(self) -> Taxonomy:
        path = self.root / TOPICS_FILE
        stamp = _stamp(path)
        if self._taxonomy is None or stamp != self._taxonomy_stamp:
            self._taxonomy = None
            self._files.clear()  # topic labels and topic checks depend on the taxonomy
            taxonomy = load_taxonomy(self.root)
            self._taxonomy, self._taxonomy_stamp = taxonomy, stamp
            self._taxonomy_digest = hashlib.blake2b(path.read_bytes(), digest_size=8).hexdigest()
        return self._taxonomy

    def load(self) -> Snapshot:
        if not self.root.is_dir():
            return Snapshot(None, (Problem(display_path(self.root), 1, "bank", "bank folder not found"),))
        try:
            taxonomy = self._load_taxonomy()
        except UserError as error:
            problems = error.problems or (Problem(display_path(self.root / TOPICS_FILE), 1, "topics", error.text),)
            return Snapshot(None, tuple(problems))
        parsed = 0
        results: list[tuple[Path, FileResult]] = []
        for path in question_files(self.root):
            stamp = _stamp(path)
            cached = self._files.get(path)
            if stamp is None:
                continue  # deleted between listing and reading
            if cached is None or cached.stamp != stamp or not cached.settled:
                fresh = self._parse(path, stamp, taxonomy, cached)
                parsed += fresh is not cached and (cached is None or fresh.digest != cached.digest)
                self._files[path] = cached = fresh
            results.append((path, cached))
        live = {path for path, _ in results}
        for gone in set(self._files) - live:
            del self._files[gone]
        return self._assemble(taxonomy, results, parsed)

    def _parse(self, path: Path, stamp: Stamp, taxonomy: Taxonomy, cached: FileResult | None) -> FileResult:
        settled = stamp[0] < time.time_ns() - SETTLE_NS
        try:
            raw = path.read_bytes()
        except OSError as error:
            return FileResult(stamp, "", None, (Problem(display_path(path), 1, "file", str(error.strerror)),))
        digest = hashlib.blake2b(raw + self._taxonomy_digest.encode(), digest_size=8).hexdigest()
        if cached is not None and cached.digest == digest:
            return replace(cached, stamp=stamp, settled=settled)  # same bytes: no need to parse again
        question, problems = _load_file(path, raw, taxonomy)
        shown = display_path(path)
        return FileResult(stamp, digest, question, tuple(Problem(shown, p.line, p.field, p.message) for p in problems),
                          settled)

    def _assemble(self, taxonomy: Taxonomy, results: list[tuple[Path, FileResult]], parsed: int) -> Snapshot:
        questions: list[Question] = []
        problems: list[Problem] = []
        first_seen: dict[str, Path] = {}
        revisions: dict[str, str] = {}
        for path, result in results:
            problems += result.problems
            question = result.question
            if question is None:
                continue
            if question.id in first_seen:  # the same rule as load_bank: the first file (in path order) wins
                other = first_seen[question.id]
                problems.append(Problem(display_path(path), _id_line(path), "id",
                                        f"id '{question.id}' is already used by {display_path(other)}:"
                                        f"{_id_line(other)}; ids must be unique across the bank"))
                continue
            first_seen[question.id] = path
            revisions[question.id] = result.digest
            questions.append(question)
        bank = Bank(root=self.root, taxonomy=taxonomy, questions=tuple(questions), content_hash="")
        return Snapshot(bank, tuple(sorted(problems)), revisions, parsed)


def _id_line(path: Path) -> int:
    try:
        text = frontmatter.decode(path.read_bytes())
        return frontmatter.top_level_key_lines(text, 1).get("id", 1)
    except (OSError, frontmatter.FileProblem):
        return 1


__all__ = ["Snapshot", "TolerantLoader"]
