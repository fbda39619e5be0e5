"""Pydantic models of a question file's front matter and of the topic taxonomy."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal, Sequence, Union

from pydantic import (
    AfterValidator,
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
TAG_PATTERN = r"^[a-z0-9가-힣]+(-[a-z0-9가-힣]+)*$"  # Korean tags are fine: they never become file names
TOPIC_PATTERN = r"^[a-z0-9-]+(\.[a-z0-9-]+)?$"
SOURCE_PATTERN = r"^[^:\s]+:\d+$"
MAX_CHOICES = 5  # the circled numbers ①–⑤ of Korean papers
MIN_CHOICES = 2
MAX_POINTS = 1000
CIRCLED = "①②③④⑤"

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Tag = Annotated[str, StringConstraints(pattern=TAG_PATTERN)]
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


def _whole_or_decimal(value: float) -> float:
    """Points as written: whole numbers stay ints (shown as 3), decimals keep at most two places (2.5)."""
    if round(value, 2) != value:
        raise PydanticCustomError("points_decimals", "{value} has more than two decimals: use e.g. 2.5 or 2.25",
                                  {"value": value})
    return int(value) if value.is_integer() else value


Points = Annotated[float, Field(gt=0, le=MAX_POINTS, allow_inf_nan=False), AfterValidator(_whole_or_decimal)]


def format_points(points: float) -> str:
    """``3`` for whole points, ``2.5`` for decimals (never ``2.50`` or ``3.0``)."""
    return f"{points:g}" if float(points).is_integer() else f"{round(points, 2):g}"


def _one_or_many(value: object) -> object:
    """Accept a single string where a list of strings is expected."""
    return [value] if isinstance(value, str) else value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RubricItem(_Strict):
    """One scoring point of an essay."""

    point: NonEmptyText = Field(description="What the answer must contain to earn the score.")
    score: Points = Field(description="Points for this scoring point (decimals such as 2.5 allowed).")


class _MetaBase(_Strict):
    id: Slug = Field(description="Unique, stable kebab-case id, e.g. 'reg-batchnorm-inference'.")
    topic: Annotated[str, StringConstraints(pattern=TOPIC_PATTERN)] = Field(
        description="A leaf of bank/topics.yaml, written area.leaf (e.g. model.training)."
    )
    difficulty: int = Field(ge=1, le=5, description="1 쉬움, 2 조금 쉬움, 3 보통, 4 조금 어려움, 5 어려움.")
    points: Points = Field(description=f"Points of the question, > 0 and <= {MAX_POINTS}; decimals such as 2.5 "
                           "allowed (a blueprint may override them).")
    tags: tuple[Tag, ...] = Field(default=(), description="Keywords: lowercase kebab-case, Korean allowed.")
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
        min_length=MIN_CHOICES, max_length=MAX_CHOICES, description="2–5 distinct choices, inline Markdown allowed."
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
        if points is not None and abs(total - points) > 1e-9:
            raise ValueError(f"rubric scores add up to {format_points(total)}, but points is {format_points(points)}")
        return rubric


QuestionMeta = Annotated[Union[McqMeta, ShortMeta, EssayMeta], Field(discriminator="type")]
META_ADAPTER: TypeAdapter[McqMeta | ShortMeta | EssayMeta] = TypeAdapter(QuestionMeta)
META_MODELS: dict[str, type[_MetaBase]] = {"mcq": McqMeta, "short": ShortMeta, "essay": EssayMeta}
ALL_KEYS: frozenset[str] = frozenset(key for model in META_MODELS.values() for key in model.model_fields)


class Area(_Strict):
    """A top-level topic area and its leaves (slug -> Korean label)."""

    label: NonEmptyText
    leaves: dict[Slug, NonEmptyText] = Field(min_length=1)



def front_matter_json_schema(topics: Sequence[str] | None = None) -> dict:
    """JSON Schema of a question file's front matter, for editors (VS Code YAML and others).

    It accepts every form the loader accepts as an editor's YAML 1.2 parser reads it: a single ``source``
    string, numbers or booleans where text is expected (``- 0.50`` is a choice), quoted numbers. With
    ``topics`` (a bank's leaves) ``topic`` is an enum, so editors complete it.
    """
    definitions = META_ADAPTER.json_schema()["$defs"]
    for name in ("McqMeta", "ShortMeta", "EssayMeta", "RubricItem"):
        _loosen(definitions[name]["properties"], topics)
    names = {kind: model.__name__ for kind, model in META_MODELS.items()}
    # draft-07 (what editors' validators such as AJV default to) and if/then per type instead of oneOf, so
    # that an editor reports the mistakes of the question's own type only
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "mockexam question front matter",
        "description": "YAML front matter of one question file in a mockexam bank.",
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"enum": list(names), "description": "mcq, short or essay"}},
        "allOf": [{"if": {"properties": {"type": {"const": kind}}, "required": ["type"]},
                   "then": {"$ref": f"#/$defs/{name}"}} for kind, name in names.items()],
        "$defs": definitions,
    }


_NUMBER_TEXT = r"^\s*[0-9]+(\.[0-9]+)?\s*$"
_BOOLEAN_TEXT = ["true", "false", "True", "False", "TRUE", "FALSE", "yes", "no", "Yes", "No", "YES", "NO",
                 "on", "off", "On", "Off", "ON", "OFF", "t", "f", "y", "n", "1", "0"]
_SCALAR = ["string", "number", "boolean"]


def _loosen(properties: dict[str, Any], topics: Sequence[str] | None) -> None:
    """Widen pydantic's schema to what the loader (which reads every scalar as text) accepts."""
    for key, spec in properties.items():
        if key in ("difficulty", "points", "answer", "score"):
            spec["type"] = [spec["type"], "string"]  # keywords like minimum apply to numbers only
            spec["pattern"] = _NUMBER_TEXT
        elif key in ("choices", "answers"):
            spec["items"]["type"] = _SCALAR
        elif key == "point":
            spec["type"] = _SCALAR
        elif key in ("tags", "id"):
            target = spec["items"] if key == "tags" else spec
            target["type"] = ["string", "integer"]  # `pattern` applies to strings only
        elif key == "shuffle_choices":
            spec.pop("type")
            spec["anyOf"] = [{"type": "boolean"}, {"enum": [0, 1]}, {"type": "string", "enum": _BOOLEAN_TEXT}]
        elif key == "source":
            item = spec["items"]
            spec.clear()
            spec.update(description="Seed FILE:LINE this question derives from (one, or a list).",
                        anyOf=[item, {"type": "array", "items": item}])
        elif key == "topic" and topics:
            spec["enum"] = list(topics)
