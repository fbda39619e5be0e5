"""The neutral record every reader produces and every importer writes: one question as drafted."""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.problems import Problem


@dataclass(frozen=True, order=True)
class PlaceProblem(Problem):
    """A problem at a place that is not a file line, e.g. ``questions.xlsx:문항!7`` (``path`` = file,
    ``place`` = ``문항!7``; ``line`` keeps the sort order)."""

    place: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.place}" if self.place else f"{self.path}:{self.line}"
        return f"{where}: {self.field}: {self.message}"


@dataclass
class Draft:
    """One question read from a foreign format, before it becomes a bank file.

    Text fields are bank Markdown (``$…$`` math, ```` ```보기 ```` boxes). ``source``/``line``/``place`` say
    where it came from (``file:line`` or ``file:sheet!row``); ``images`` maps a file name used in the text
    to its bytes.
    """

    source: str  # the input file as shown to the user
    line: int
    type: str  # mcq | short | essay
    stem: str
    id: str | None = None
    topic: str | None = None
    category: str | None = None  # the source's own category/topic text, mapped to a leaf later
    difficulty: int | None = None
    points: int | None = None
    tags: list[str] = field(default_factory=list)
    group: str | None = None
    choices: list[str] = field(default_factory=list)
    answer: int | None = None
    shuffle_choices: bool = True
    answers: list[str] = field(default_factory=list)
    rubric: list[tuple[str, int]] = field(default_factory=list)
    explanation: str | None = None
    model_answer: str | None = None
    images: dict[str, bytes] = field(default_factory=dict)
    place: str = ""  # e.g. 문항!7 for a spreadsheet row

    @property
    def where(self) -> str:
        return f"{self.source}:{self.place or self.line}"

    def problem(self, field: str, message: str) -> Problem:
        return PlaceProblem(self.source, self.line, field, message, self.place)


@dataclass
class Losses:
    """What a format could not carry, counted per kind, for the summary after an import or export."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, count: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + count

    def lines(self) -> list[str]:
        return [f"{what}: {count}" for what, count in self.counts.items()]
