"""What an export writes: the questions of an exam (form A's order, the bank's own choice order, the exam's
points) or of a bank selection wrapped as a one-form exam, plus shared naming (categories, tags)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from generator.assemble.blueprint import Blueprint, SectionSpec
from generator.assemble.exam import Exam, ExamForm, ExamItem, ExamSection
from generator.bank.model import Bank, Question
from generator.bank.schema import QuestionType
from generator.interop.drafts import Losses

DIFFICULTY_TAG = "난이도-"  # LMS tags carrying fields the LMS has no place for; never a bank tag (ASCII)
GROUP_TAG = "그룹-"
FIXED_ORDER_TAG = "순서고정"  # GIFT only (Moodle XML has <shuffleanswers>)
COLLECTION_TITLE = "문항 모음"


@dataclass(frozen=True)
class Exported:
    question: Question
    points: int


def exported(exam: Exam) -> list[Exported]:
    return [Exported(item.question, item.points) for item in exam.forms[0].items]


def bank_exam(bank: Bank, questions: Sequence[Question], title: str = COLLECTION_TITLE) -> Exam:
    """A one-form exam of ``questions`` in the order given (sections by type), unshuffled."""
    sections, specs = [], []
    number = 0
    duration = 60  # a collection has no time limit; the blueprint needs one
    for kind in QuestionType:
        chosen = [q for q in questions if q.type == kind]
        if not chosen:
            continue
        items = []
        for question in chosen:
            number += 1
            order = tuple(range(len(getattr(question.meta, "choices", ()))))
            items.append(ExamItem(number, question, question.points, order))
        spec = SectionSpec(type=kind, count=len(chosen))
        specs.append(spec)
        sections.append(ExamSection(spec.title, kind, spec.instruction_text, tuple(items)))
    blueprint = Blueprint(title=title, duration_minutes=duration, sections=tuple(specs))
    return Exam("questions", blueprint, 0, bank, (ExamForm("A", tuple(sections)),))


def category_parts(exam: Exam, topic: str) -> list[str]:
    """Area label and leaf label of a topic, for LMS category paths."""
    taxonomy = exam.bank.taxonomy
    area = topic.split(".")[0]
    return [taxonomy.label(area), taxonomy.label(topic)]


def lms_tags(question: Question) -> list[str]:
    tags = [*question.meta.tags, f"{DIFFICULTY_TAG}{question.difficulty}"]
    if question.group:
        tags.append(f"{GROUP_TAG}{question.group}")
    return tags


def read_lms_tags(tags: Sequence[str], losses: Losses | None = None) -> tuple[list[str], int | None, str | None]:
    """Split LMS tags into bank tags, a difficulty and a group (written by ``lms_tags``); tags with nothing
    left after making them kebab-case ASCII are counted in ``losses``."""
    plain, difficulty, group = [], None, None
    for tag in tags:
        tag = tag.strip()
        if tag.startswith(DIFFICULTY_TAG) and tag[len(DIFFICULTY_TAG):].isdigit():
            difficulty = int(tag[len(DIFFICULTY_TAG):])
        elif tag.startswith(GROUP_TAG):
            group = tag[len(GROUP_TAG):]
        elif tag and tag != FIXED_ORDER_TAG:
            plain.append(slug_tag(tag))
            if not plain[-1] and losses is not None:
                losses.add("tags without ASCII letters (dropped)")
    return [t for t in plain if t], difficulty, group


def slug_tag(tag: str) -> str:
    """A bank tag (lowercase kebab-case ASCII) from an LMS tag; empty when nothing is left."""
    return re.sub(r"[^a-z0-9]+", "-", tag.lower()).strip("-")
