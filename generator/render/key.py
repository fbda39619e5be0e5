"""정답 및 해설 (answer key): key tables of every form, then answers, explanations and rubrics."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from generator.assemble.exam import Exam
from generator.bank.schema import DIFFICULTY_LABELS
from generator.render.booklet import css_string
from generator.render.code import PT_PER_MM, code_box
from generator.render.common import accepted_answers, environment, paper_css, rubric
from generator.render.compose import concatenate
from generator.render.key_copies import Table, copy_key_table, render_copy_key
from generator.render.markdown import MarkdownRenderer
from generator.render.pdf import Engine
from generator.render.text import keep_words

KEY_TEXT_MM = 210 - 2 * 17 - 3  # A4 less the page margins and the 해설 indent (key.css)
KEY_CODE = code_box(KEY_TEXT_MM, 0)
KEY_WIDTH_EM = KEY_TEXT_MM * PT_PER_MM / 9.5  # key.css: 9.5 pt text


def key_entries(exam: Exam, md: MarkdownRenderer) -> list[dict]:
    first, others = exam.forms[0], exam.forms[1:]
    entries = []
    for item in first.items:
        question = item.question
        elsewhere = []
        for form in others:
            twin = next(i for i in form.items if i.question.id == question.id)
            text = f"{form.label} {twin.number}번"
            if twin.answer is not None:
                text += f" 정답 {twin.answer_label}"
            elsewhere.append(text)
        points = rubric(item)
        entries.append({
            "item": item,
            "topic": exam.bank.taxonomy.label(question.topic),
            "difficulty": DIFFICULTY_LABELS.get(question.difficulty, str(question.difficulty)),
            "others": elsewhere,
            "accepted": accepted_answers(item),
            "explanation": Markup(md.html(item.explanation, question.path)),  # ①–⑤ as printed on this form
            "model_answer": Markup(md.html(question.body.model_answer, question.path)),
            "rubric": points,
            "rubric_total": sum(score for _, score in points),
        })
    return entries


def key_tables(exam: Exam) -> list[dict]:
    tables = []
    for form in exam.forms:
        mcqs = [item for item in form.items if item.answer is not None]
        tables.append({
            "form": form,
            "mcq_rows": [mcqs[i:i + 10] for i in range(0, len(mcqs), 10)],
            "others": [item for item in form.items if item.answer is None],
        })
    return tables


def key_html(exam: Exam, md: MarkdownRenderer | None = None, copies: tuple[Table, int] | None = None) -> str:
    """The key's HTML; with named copies (their 수험자별 정답표 and its page count) it says where that table
    follows (``key_copies``)."""
    md = md or MarkdownRenderer(exam.bank.root, inline_svg=False, code_box=KEY_CODE, width_em=KEY_WIDTH_EM,
                             drawn_math=True)
    bp = exam.blueprint
    note = None
    if copies is not None:
        table, pages = copies
        note = {"title": table.title, "note": table.note, "count": len(exam.copies), "pages": pages}
    html = environment().get_template("key.html.j2").render(
        css=paper_css("key.css"),
        exam=exam,
        bp=bp,
        header=css_string(f"{bp.title} 정답 및 해설"),
        tables=key_tables(exam),
        copies=note,
        first=exam.forms[0],
        entries=key_entries(exam, md),
        item_count=len(exam.forms[0].items),
    )
    return keep_words(html)


def render_key(exam: Exam, engine: Engine, out_dir: Path) -> Path:
    """key.pdf: the key and 해설 (WeasyPrint), then for named copies the composed 수험자별 정답표."""
    target = out_dir / "key.pdf"
    table = copy_key_table(exam)
    if table is None:
        engine.write(key_html(exam), target)
        return target
    pdf, pages = render_copy_key(table, engine)
    concatenate([engine.pdf(key_html(exam, copies=(table, pages)))[0], pdf], target)
    return target
