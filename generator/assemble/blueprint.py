"""The exam specification (blueprint): a YAML file validated by pydantic."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from generator.assemble import points as pts
from generator.bank import frontmatter
from generator.bank.loader import read_yaml_file
from generator.bank.model import Taxonomy
from generator.bank.schema import CIRCLED, MAX_CHOICES, QuestionType, Slug
from generator.problems import Problem, UserError, did_you_mean, display_path

SHARE_TOLERANCE = 1e-6
FormName = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9가-힣]{1,4}$")]

DEFAULT_INSTRUCTIONS = {
    QuestionType.MCQ: "각 문항의 답을 ①~{last} 중에서 하나만 골라 답안지에 표기하시오.",  # {last}: ④ for 4 choices
    QuestionType.SHORT: "각 문항의 답을 답안지의 해당 칸에 단어 또는 수로 쓰시오.",
    QuestionType.ESSAY: "각 문항의 답을 답안지의 해당 쪽에 서술하시오. 채점 기준에 따라 부분 점수가 있다.",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SectionSpec(_Strict):
    """One section of the exam: a question type and how many of it."""

    name: str | None = Field(default=None, description="Heading on paper; default 객관식/단답형/서술형.")
    type: QuestionType
    count: int = Field(gt=0)
    points: float | None = Field(default=None, gt=0,
                                 description="Points per question, e.g. 2.5; default: the question's own.")
    instructions: str | None = None

    @property
    def title(self) -> str:
        return self.name or self.type.label

    def instruction_text(self, choices: int = MAX_CHOICES) -> str:
        """The section's instructions: the blueprint's own, else the default for its type, which names the
        choices the section's MCQs have (①~④ when the most any of them has is 4)."""
        return self.instructions or DEFAULT_INSTRUCTIONS[self.type].format(last=CIRCLED[choices - 1])


class Blueprint(_Strict):
    """Everything that defines an exam except the bank."""

    title: str = Field(min_length=1)
    session: str = Field(default="", description="e.g. 제1회")
    subject: str = Field(default="", description="Printed as written under the title, e.g. '제1과목 데이터베이스 구축'.")
    duration_minutes: int = Field(gt=0)
    instructions: str | None = Field(
        default=None, description="수험자 유의 사항 on the first page, one per line; replaces the default list.")
    forms: tuple[FormName, ...] = Field(default=("A",), min_length=1)
    seed: int = Field(default=0, ge=0)
    sections: tuple[SectionSpec, ...] = Field(min_length=1)
    topics: dict[str, float] = Field(default_factory=dict, description="Share of questions per area or leaf.")
    difficulty: dict[Annotated[int, Field(ge=1, le=5)], float] = Field(default_factory=dict)
    total_points: float | None = Field(default=None, gt=0, description="e.g. 100; decimals allowed (2.5 × 40).")
    require_tags: tuple[Slug, ...] = Field(default=(), description="Only questions with one of these tags.")
    exclude_tags: tuple[Slug, ...] = ()
    include_ids: tuple[Slug, ...] = Field(default=(), description="Questions that must be in the exam.")
    exclude_ids: tuple[Slug, ...] = ()
    exclude_recent: int = Field(default=0, ge=0, description="Avoid questions of the last N exams of this bank.")

    @model_validator(mode="after")
    def _consistent(self) -> "Blueprint":
        for name, shares in (("topics", self.topics), ("difficulty", self.difficulty)):
            if any(share < 0 for share in shares.values()):
                raise ValueError(f"{name}: shares must not be negative")
            if shares and abs(sum(shares.values()) - 1) > SHARE_TOLERANCE:
                raise ValueError(f"{name}: shares add up to {sum(shares.values()):.3g}, they must add up to 1")
        amounts = [("total_points", self.total_points)] + [
            (f"sections.{index}.points", section.points) for index, section in enumerate(self.sections)]
        for name, amount in amounts:
            if amount is not None and not pts.has_at_most_two_decimals(amount):
                raise ValueError(f"{name}: {amount} has more than two decimals; write e.g. 2.5 or 3.25")
        if len(set(self.forms)) != len(self.forms):
            raise ValueError("forms: form names must be distinct")
        if len({s.type for s in self.sections}) != len(self.sections):
            raise ValueError("sections: use one section per question type")
        clash = set(self.include_ids) & set(self.exclude_ids)
        if clash:
            raise ValueError(f"include_ids and exclude_ids both name {', '.join(sorted(clash))}")
        return self

    @property
    def question_count(self) -> int:
        return sum(section.count for section in self.sections)


def load_blueprint(path: Path, taxonomy: Taxonomy) -> Blueprint:
    """Read and validate a blueprint; topic keys are checked against the taxonomy."""
    text, data = read_yaml_file(path)
    shown = display_path(path)
    try:
        blueprint = Blueprint.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            loc = tuple(item["loc"])
            line = frontmatter.locate(text, 1, loc) or 1
            field = ".".join(str(part) for part in loc) or "blueprint"
            message = item["msg"].removeprefix("Value error, ")
            if item["type"] == "extra_forbidden":
                known = SectionSpec.model_fields if loc[0] == "sections" else Blueprint.model_fields
                message = f"unknown key '{loc[-1]}'{did_you_mean(str(loc[-1]), known)}"
            elif item["type"] == "missing":
                message = f"missing required key '{loc[-1]}'"
            problems.append(Problem(shown, line, field, message))
        raise UserError(problems) from None
    problems = []
    for topic in blueprint.topics:
        if topic not in taxonomy.areas and topic not in taxonomy.leaves:
            topics = list(taxonomy.areas) + list(taxonomy.leaves)
            line = frontmatter.locate(text, 1, ("topics", topic)) or 1
            problems.append(Problem(shown, line, f"topics.{topic}",
                                    f"unknown topic '{topic}'{did_you_mean(topic, topics)}: use an area or a leaf"))
    for topic in blueprint.topics:
        area = topic.split(".")[0]
        if topic != area and area in blueprint.topics:
            line = frontmatter.locate(text, 1, ("topics", topic)) or 1
            problems.append(Problem(shown, line, f"topics.{topic}",
                                    f"'{topic}' lies inside '{area}', which also has a share: give one or the other"))
    if problems:
        raise UserError(problems)
    return blueprint
