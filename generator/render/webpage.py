"""exam.html: one self-contained page (fonts, math, images inline) to print or to practise in a browser."""

from __future__ import annotations

import json
from pathlib import Path

from markupsafe import Markup

from generator.assemble.exam import Exam, ExamItem
from generator.bank.schema import DIFFICULTY_LABELS, QuestionType
from generator.render.booklet import ID_DIGITS
from generator.render.common import (
    accepted_answers,
    add_points,
    booklet_markdown,
    choice_columns,
    environment,
    font_face_css,
    general_instructions,
    read_template_file,
    rendered_choices,
    rubric,
)
from generator.render.fonts import subset_sources
from generator.render.markdown import MarkdownRenderer

FONT_CSS_SLOT = "/*@@FONTS@@*/"


def _item_view(exam: Exam, item: ExamItem, md: MarkdownRenderer) -> dict:
    question = item.question
    blocks = add_points(md.blocks(question.body.stem, question.path), item.points)
    return {
        "item": item,
        "type": question.type.value,
        "stem": Markup("".join(blocks)),
        "choices": rendered_choices(item, md) if item.choices else [],
        "columns": choice_columns(item.choices) if item.choices else 1,
    }


def _item_data(exam: Exam, item: ExamItem) -> dict:
    question = item.question
    points = rubric(item)
    rubric_total = sum(score for _, score in points) or 1
    return {
        "n": item.number,
        "id": question.id,
        "type": question.type.value,
        "points": item.points,
        "topic": question.topic,
        "topicLabel": exam.bank.taxonomy.label(question.topic),
        "answer": item.answer,
        "answerLabel": item.answer_label,
        "accepted": list(accepted_answers(item)),
        "rubric": [{"point": point, "score": round(score * item.points / rubric_total, 2)} for point, score in points],
    }


def exam_html(exam: Exam) -> str:
    md = booklet_markdown(exam.bank.root, inline_svg=True)
    bp = exam.blueprint
    forms = []
    for form in exam.forms:
        sections = [{"section": s, "views": [_item_view(exam, item, md) for item in s.items]} for s in form.sections]
        forms.append({"form": form, "sections": sections, "instructions": general_instructions(exam, form)})
    explanations = []
    rendered: dict[tuple[str | None, Path], Markup] = {}  # MCQ explanations differ per form, the rest do not

    def html(text: str | None, path: Path) -> Markup:
        if (text, path) not in rendered:
            rendered[(text, path)] = Markup(md.html(text, path))
        return rendered[(text, path)]

    for form in exam.forms:
        for item in form.items:
            question = item.question
            explanations.append({
                "form": form.name,
                "id": question.id,
                "topic": exam.bank.taxonomy.label(question.topic),
                "difficulty": DIFFICULTY_LABELS.get(question.difficulty, ""),
                "explanation": html(item.explanation, question.path),  # ①–⑤ as printed on this form
                "model_answer": html(question.body.model_answer, question.path),
            })
    data = {
        "examId": exam.exam_id,
        "title": bp.title,
        "durationMinutes": bp.duration_minutes,
        "forms": {form.name: [_item_data(exam, item) for item in form.items] for form in exam.forms},
    }
    css = "\n".join([FONT_CSS_SLOT, read_template_file("exam_html.css")])
    markup = environment().get_template("exam.html.j2").render(
        css=Markup(css),
        script=Markup("\n".join(read_template_file(name) for name in ("short_answer.js", "practice.js"))
                      .replace("</", "<\\/")),
        exam=exam,
        bp=bp,
        forms=forms,
        explanations=explanations,
        data=data,
        id_digits=ID_DIGITS,
        QuestionType=QuestionType,
    )
    # accepted answers and rubric lines reach the page as escaped JSON: subset their glyphs too
    fonts = font_face_css(subset_sources(markup + json.dumps(data, ensure_ascii=False)))
    return markup.replace(FONT_CSS_SLOT, fonts, 1)


def render_html(exam: Exam, out_dir: Path) -> Path:
    target = out_dir / "exam.html"
    target.write_text(exam_html(exam), encoding="utf-8")
    return target
