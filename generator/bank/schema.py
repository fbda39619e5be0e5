"""Pydantic models of a question file's front matter and of the topic taxonomy."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
TOPIC_PATTERN = r"^[a-z0-9-]+(\.[a-z0-9-]+)?$"
SOURCE_PATTERN = r"^[^:\s]+:\d+$"
MAX_CHOICES = 5  # the circled numbers ①–⑤ of Korean papers
CIRCLED = "①②③④⑤"

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
NonEmptyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class QuestionType(StrEnum):
    MCQ = "mcq"
    SHORT = "short"
    ESSAY = "essay"

    @property
    def label(self) -> str:
        """The Korean section name of this type."""
        return {"mcq": "객관식", "short": "단답형", "essay": "서술형"}[self.value]


DIFFICULTY_LABELS = {1: "쉬움", 2: "조금 쉬움", 3: "보통", 4: "조금 어려움", 5: "어려움"}


def _one_or_many(value: object) -> object:
    """Accept a single string where a list of strings is expected."""
    return [value] if isinstance(value, str) else value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RubricItem(_Strict):
    """One scoring point of an essay."""

    point: NonEmptyText = Field(description="What the answer must contain to earn the score.")
    score: int = Field(gt=0, description="Points for this scoring point.")


class _MetaBase(_Strict):
    id: Slug = Field(description="Unique, stable kebab-case id, e.g. 'reg-batchnorm-inference'.")
    topic: Annotated[str, StringConstraints(pattern=TOPIC_PATTERN)] = Field(
        description="A leaf of bank/topics.yaml, written area.leaf (e.g. model.training)."
    )
    difficulty: int = Field(ge=1, le=5, description="1 쉬움, 2 조금 쉬움, 3 보통, 4 조금 어려움, 5 어려움.")
    points: float = Field(gt=0, description="Points of the question, e.g. 3 or 2.5 (a blueprint may override them).")
    tags: tuple[Slug, ...] = Field(default=(), description="Lowercase kebab-case keywords.")
    group: Slug | None = Field(
        default=None, description="Concept group: an exam never holds two questions of one group."
    )
    source: Annotated[
        tuple[Annotated[str, StringConstraints(pattern=SOURCE_PATTERN)], ...],
        BeforeValidator(_one_or_many),
    ] = Field(default=(), description="Seed FILE:LINE this question derives from (one or a list).")
    conflicts: Annotated[tuple[Slug, ...], BeforeValidator(_one_or_many)] = Field(
        default=(), description="Ids of questions that give this one's answer away: never in one exam with it."
    )
    lint_ok: dict[Slug, NonEmptyText] = Field(
        default_factory=dict, description="Lint checks silenced for this question, each with the reason."
    )


class McqMeta(_MetaBase):
    type: Literal[QuestionType.MCQ] = Field(description="mcq: multiple choice with one correct answer.")
    choices: tuple[NonEmptyText, ...] = Field(
        min_length=2, max_length=MAX_CHOICES, description="2–5 distinct choices, inline Markdown allowed."
    )
    answer: int = Field(ge=1, description="1-based number of the correct choice.")
    shuffle_choices: bool = Field(
        default=True, description="false keeps the written order of the choices on every form."
    )

    @field_validator("choices")
    @classmethod
    def _distinct(cls, choices: tuple[str, ...]) -> tuple[str, ...]:
        seen: set[str] = set()
        for number, choice in enumerate(choices, 1):
            if choice in seen:
                raise PydanticCustomError(
                    "duplicate_choice",
                    "choice {number} repeats an earlier choice: {choice!r}",
                    {"number": number, "choice": choice},
                )
            seen.add(choice)
        return choices

    @field_validator("answer")
    @classmethod
    def _in_range(cls, answer: int, info: ValidationInfo) -> int:
        choices = info.data.get("choices")
        if choices is not None and answer > len(choices):
            raise ValueError(f"answer {answer} is out of range: there are {len(choices)} choices")
        return answer


class ShortMeta(_MetaBase):
    type: Literal[QuestionType.SHORT] = Field(description="short: a term or number as the answer.")
    answers: tuple[NonEmptyText, ...] = Field(
        min_length=1, description="Every accepted answer (Korean, English, abbreviations)."
    )


class EssayMeta(_MetaBase):
    type: Literal[QuestionType.ESSAY] = Field(description="essay: a written answer scored by a rubric.")
    rubric: tuple[RubricItem, ...] = Field(
        min_length=1, description="Scoring points; their scores add up to `points`."
    )

    @field_validator("rubric")
    @classmethod
    def _adds_up(cls, rubric: tuple[RubricItem, ...], info: ValidationInfo) -> tuple[RubricItem, ...]:
        points = info.data.get("points")
        total = sum(item.score for item in rubric)
        if points is not None and total != points:
            raise ValueError(f"rubric scores add up to {total}, but points is {points}")
        return rubric


QuestionMeta = Annotated[Union[McqMeta, ShortMeta, EssayMeta], Field(discriminator="type")]
META_ADAPTER: TypeAdapter[McqMeta | ShortMeta | EssayMeta] = TypeAdapter(QuestionMeta)
META_MODELS: dict[str, type[_MetaBase]] = {"mcq": McqMeta, "short": ShortMeta, "essay": EssayMeta}
ALL_KEYS: frozenset[str] = frozenset(key for model in META_MODELS.values() for key in model.model_fields)


class Area(_Strict):
    """A top-level topic area and its leaves (slug -> Korean label)."""

    label: NonEmptyText
    leaves: dict[Slug, NonEmptyText] = Field(min_length=1)


TAXONOMY_ADAPTER: TypeAdapter[dict[str, Area]] = TypeAdapter(dict[Slug, Area])


def front_matter_json_schema() -> dict:
    """JSON Schema of a question file's front matter, for editors (VS Code YAML and others)."""
    schema = META_ADAPTER.json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "mockexam question front matter"
    schema["description"] = "YAML front matter of one question file in a mockexam bank."
    return schema
