"""The loaded, validated bank: questions, taxonomy and a content hash."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from generator.bank.frontmatter import Body
from generator.bank.schema import Area, EssayMeta, McqMeta, QuestionType, ShortMeta

AnyMeta = McqMeta | ShortMeta | EssayMeta


@dataclass(frozen=True)
class Question:
    """One question: validated front matter plus its Markdown parts.

    The most used metadata are copied to plain attributes: assembly reads them millions of times.
    """

    meta: AnyMeta
    body: Body
    path: Path  # absolute path of the file
    id: str = field(init=False)
    type: QuestionType = field(init=False)
    topic: str = field(init=False)
    difficulty: int = field(init=False)
    points: float = field(init=False)
    group: str | None = field(init=False)

    def __post_init__(self) -> None:
        for name in ("id", "type", "topic", "difficulty", "points", "group"):
            object.__setattr__(self, name, getattr(self.meta, name))

    @property
    def area(self) -> str:
        return self.topic.split(".", 1)[0]


@dataclass(frozen=True)
class Taxonomy:
    """Areas and their leaf topics, as written in ``topics.yaml``."""

    areas: dict[str, Area]

    @cached_property
    def leaves(self) -> dict[str, str]:
        """Leaf slug (``area.leaf``) -> Korean label, in file order."""
        return {f"{a}.{leaf}": label for a, area in self.areas.items() for leaf, label in area.leaves.items()}

    def label(self, topic: str) -> str:
        """Korean label of a leaf or an area."""
        if topic in self.areas:
            return self.areas[topic].label
        return self.leaves[topic]

    def matches(self, topic: str, wanted: str) -> bool:
        """Whether a leaf ``topic`` is ``wanted`` or lies in the area ``wanted``."""
        return topic == wanted or topic.startswith(wanted + ".")


@dataclass(frozen=True)
class Bank:
    """All questions of a bank folder, valid and cross-checked."""

    root: Path
    taxonomy: Taxonomy
    questions: tuple[Question, ...]
    content_hash: str = field(default="")

    @cached_property
    def by_id(self) -> dict[str, Question]:
        return {question.id: question for question in self.questions}
