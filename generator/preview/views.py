"""Questions and the assembled exam as JSON-ready records with the booklet's own question HTML."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import escape

from generator.assemble.blueprint import DEFAULT_INSTRUCTIONS, Blueprint
from generator.assemble.exam import Exam, ExamForm, ExamItem, ExamSection
from generator.bank.model import Bank, Question
from generator.bank.query import searchable_text
from generator.bank.schema import CIRCLED, DIFFICULTY_LABELS, EssayMeta, McqMeta, ShortMeta
from generator.problems import display_path
from generator.render.booklet import item_pieces, section_head
from generator.render.markdown import MarkdownRenderer

_MATH_IMG = re.compile(r'<img class="math" style="([^"]*)" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" alt="">')


@dataclass
class MathStore:
    """Formulas served by URL (``/math/<digest>.svg``) instead of inline: keeps the page's JSON and DOM small
    (a bank's formulas as inline SVG are ~10 MB) and lets the browser cache and lazy-load them."""

    svgs: dict[str, bytes] = field(default_factory=dict)

    def externalize(self, html: str) -> str:
        def swap(match: re.Match[str]) -> str:
            data = base64.b64decode(match.group(2))
            digest = hashlib.blake2b(data, digest_size=10).hexdigest()
            self.svgs.setdefault(digest, data)
            return f'<img class="math" style="{match.group(1)}" src="/math/{digest}.svg" alt="" loading="lazy">'

        return _MATH_IMG.sub(swap, html)


def bank_order_item(question: Question, number: int = 1, points: int | None = None) -> ExamItem:
    """A question as printed with its choices in the order written in the bank."""
    meta = question.meta
    order = tuple(range(len(meta.choices))) if isinstance(meta, McqMeta) else ()
    return ExamItem(number, question, question.points if points is None else points, order)


def question_html(item: ExamItem, md: MarkdownRenderer) -> str:
    """The question exactly as the booklet lays it out (number, stem, [n점], choices)."""
    return "".join(f'<div class="piece">{piece}</div>' for piece in item_pieces(item, md))


def key_html(item: ExamItem) -> str:
    """The key of a question: ③, the accepted short answers, or the essay rubric."""
    meta = item.question.meta
    if isinstance(meta, McqMeta) and item.answer is not None:
        return f'<span class="key-mcq">{CIRCLED[item.answer - 1]}</span>'
    if isinstance(meta, ShortMeta):
        return " · ".join(f"<span class=\"key-short\">{escape(answer)}</span>" for answer in meta.answers)
    if isinstance(meta, EssayMeta):
        rows = "".join(f"<tr><td>{escape(r.point)}</td><td class=\"num\">{r.score}</td></tr>" for r in meta.rubric)
        return f'<table class="rubric"><tr><th>채점 요소</th><th>배점</th></tr>{rows}</table>'
    return ""


@dataclass
class QuestionViews:
    """Renders question records, keeping each by the digest of its file (re-rendered only when it changes)."""

    md: MarkdownRenderer
    _records: dict[str, dict[str, Any]]
    math: MathStore = field(default_factory=MathStore)

    @classmethod
    def for_bank(cls, root: Path) -> "QuestionViews":
        return cls(MarkdownRenderer(root, inline_svg=False), {})  # formulas as images, as in the booklet PDF

    def record(self, bank: Bank, question: Question, revision: str) -> dict[str, Any]:
        cached = self._records.get(revision)
        if cached is None:
            cached = self._render(bank, question, revision)
            self._records[revision] = cached
        return cached

    def forget_except(self, revisions: set[str]) -> None:
        for stale in set(self._records) - revisions:
            del self._records[stale]

    def _render(self, bank: Bank, question: Question, revision: str) -> dict[str, Any]:
        meta = question.meta
        item = bank_order_item(question)
        path = question.path
        return {
            "rev": revision,
            "id": question.id,
            "path": _bank_path(bank, path),
            "shownPath": display_path(path),
            "type": question.type.value,
            "typeLabel": question.type.label,
            "topic": question.topic,
            "area": question.area,
            "topicLabel": bank.taxonomy.label(question.topic),
            "difficulty": question.difficulty,
            "difficultyLabel": DIFFICULTY_LABELS.get(question.difficulty, ""),
            "points": question.points,
            "tags": list(meta.tags),
            "group": question.group or "",
            "source": _source_text(meta),
            "shuffle": getattr(meta, "shuffle_choices", True),
            "html": self.math.externalize(question_html(item, self.md)),
            "key": key_html(item),
            "explanation": self.math.externalize(self.md.html(question.body.explanation, path)),
            "modelAnswer": self.math.externalize(self.md.html(question.body.model_answer, path)),
            "search": searchable_text(question).casefold(),
        }


def _bank_path(bank: Bank, path: Path) -> str:
    try:
        return path.relative_to(bank.root).as_posix()
    except ValueError:
        return str(path)


def _source_text(meta: Any) -> str:
    source = getattr(meta, "source", None)
    if not source:
        return ""
    if isinstance(source, (list, tuple)):
        return ", ".join(map(str, source))
    return str(source)


def exam_record(exam: Exam, md: MarkdownRenderer, math: MathStore) -> dict[str, Any]:
    """Every form of an assembled exam: section heads and questions as the booklet prints them, with keys."""
    bp = exam.blueprint
    forms = []
    for form in exam.forms:
        sections = []
        for section in form.sections:
            items = [{"n": item.number, "id": item.question.id, "html": math.externalize(question_html(item, md)),
                      "key": key_html(item), "points": item.points,
                      "explanation": math.externalize(md.html(item.explanation, item.question.path)),
                      "topicLabel": exam.bank.taxonomy.label(item.question.topic),
                      "difficulty": item.question.difficulty}
                     for item in section.items]
            sections.append({"head": section_head(section), "items": items})
        key = "".join(CIRCLED[a - 1] for a in form.mcq_key)
        forms.append({"name": form.name, "label": form.label, "sections": sections, "mcqKey": key})
    return {
        "examId": exam.exam_id,
        "title": " ".join(part for part in (bp.session, bp.title) if part),
        "facts": f"{bp.subject} 영역 · 시험 시간 {bp.duration_minutes}분 · {len(exam.forms[0].items)}문항 · "
                 f"{exam.total_points}점 만점",
        "forms": forms,
    }


def single_question_exam(question: Question, bank: Bank, blueprint: Blueprint | None = None) -> Exam:
    """A one-question, one-form exam: the booklet writer lays it out exactly as in a real booklet."""
    kind = question.type
    base = {"title": "문항 미리보기", "session": "미리보기", "duration_minutes": 1}
    if blueprint is not None:
        base = {"title": blueprint.title, "session": blueprint.session, "subject": blueprint.subject,
                "duration_minutes": blueprint.duration_minutes}
    bp = Blueprint.model_validate({**base, "forms": ["A"], "sections": [{"type": kind.value, "count": 1}]})
    section = ExamSection(kind.label, kind, DEFAULT_INSTRUCTIONS[kind], (bank_order_item(question),))
    return Exam(f"preview-{question.id}", bp, 0, bank, (ExamForm("A", (section,)),))
