"""Problems a user can fix, reported as ``path:line: field: message``."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence


@dataclass(frozen=True, order=True)
class Problem:
    """One actionable problem in one input file."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class UserError(Exception):
    """Bad input: carries the problems to print; the CLI exits non-zero without a traceback."""

    def __init__(self, problems: Sequence[Problem] | str) -> None:
        self.problems: tuple[Problem, ...] = () if isinstance(problems, str) else tuple(problems)
        self.text = problems if isinstance(problems, str) else "\n".join(map(str, self.problems))
        super().__init__(self.text)


def display_path(path: Path) -> str:
    """A path as the user should read it: relative to the working directory when inside it."""
    absolute = Path(path).resolve()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(absolute)


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate that ``word`` is most likely a typo of, if any is close enough."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for a close match, else an empty string."""
    match = closest(word, candidates)
    return f" (did you mean '{match}'?)" if match else ""
