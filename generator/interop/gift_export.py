"""GIFT export (Moodle's plain-text question format).

Each question is one block: ``// [id:…] [tag:…]`` comment, ``::id::[html]text{answers####해설}``;
``$CATEGORY:`` lines follow the taxonomy. Text is HTML, as in Moodle's own GIFT export: in ``[markdown]``
Moodle's Markdown would eat the backslash of ``\\(…\\)`` math and pass ``<보기>`` on as a tag. Short
answers stay plain text. GIFT has no points, images or rubrics: they are dropped and the user is told.
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.assemble.exam import Exam
from generator.atomic import write_text_atomic
from generator.bank.schema import EssayMeta, McqMeta, ShortMeta
from generator.interop.exportset import FIXED_ORDER_TAG, category_parts, exported, lms_tags
from generator.interop.lmstext import Attachments, LmsHtml
from generator.interop.moodle_export import category_path
from generator.render.writers import RenderContext

FILE_NAME = "questions.gift.txt"
MODEL_ANSWER_HEADING = "<h4>모범답안</h4>"
EXPLANATION_HEADING = "<h4>해설</h4>"
_SPECIAL = re.compile(r"([\\~=#{}:])")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")


def escape(text: str) -> str:
    """GIFT text: special characters escaped, newlines as ``\\n`` (a block may not hold a blank line)."""
    return _SPECIAL.sub(r"\\\1", text).replace("\n", "\\n")


class _Text:
    """Question Markdown -> escaped GIFT HTML (images replaced by their alt text and counted)."""

    def __init__(self, exam: Exam, dropped: dict[str, int]) -> None:
        self.lms = LmsHtml(exam.bank.root)
        self.dropped = dropped

    def _no_images(self, markdown: str) -> str:
        if _IMAGE.search(markdown):
            self.dropped["images"] = self.dropped.get("images", 0) + len(_IMAGE.findall(markdown))
            markdown = _IMAGE.sub(lambda m: f"[그림: {m.group(1) or '생략'}]", markdown)
        return markdown

    def html(self, markdown: str, base: Path) -> str:
        return self.lms.html(self._no_images(markdown), base, Attachments())

    def inline(self, markdown: str, base: Path) -> str:
        return self.lms.inline(self._no_images(markdown), base, Attachments())


def gift_document(exam: Exam) -> tuple[str, dict[str, int]]:
    """The GIFT text and what it dropped (points, images, rubrics)."""
    dropped: dict[str, int] = {}
    text = _Text(exam, dropped)
    blocks: list[str] = []
    current = None
    for entry in exported(exam):
        question, meta = entry.question, entry.question.meta
        parts = category_parts(exam, question.topic)
        if parts != current:
            current = parts
            blocks.append(f"$CATEGORY: {category_path(parts)}")
        tags = lms_tags(question) + ([FIXED_ORDER_TAG] if not getattr(meta, "shuffle_choices", True) else [])
        comment = " ".join([f"[id:{question.id}]", *(f"[tag:{tag}]" for tag in tags)])
        base = question.path
        head = f"// {comment}\n::{escape(question.id)}::[html]{escape(text.html(question.body.stem, base))}"
        feedback = text.html(question.body.explanation, base) if question.body.explanation else ""
        if isinstance(meta, McqMeta):
            lines = [("=" if number == meta.answer else "~") + escape(text.inline(choice, base))
                     for number, choice in enumerate(meta.choices, 1)]
        elif isinstance(meta, ShortMeta):
            lines = ["=" + escape(answer) for answer in meta.answers]
        else:
            assert isinstance(meta, EssayMeta)
            lines = []
            dropped["rubrics"] = dropped.get("rubrics", 0) + 1
            model = text.html(question.body.model_answer or "", base)
            feedback = MODEL_ANSWER_HEADING + model + (EXPLANATION_HEADING + feedback if feedback else "")
        if feedback:
            lines.append("####" + escape(feedback))
        dropped["points"] = dropped.get("points", 0) + 1
        body = "".join(f"\n\t{line}" for line in lines)
        blocks.append(f"{head}{{{body}\n}}" if lines else f"{head}{{}}")
    return "\n\n".join(blocks) + "\n", dropped


def write(exam: Exam, ctx: RenderContext, out_dir: Path) -> list[Path]:
    text, dropped = gift_document(exam)
    target = out_dir / FILE_NAME
    write_text_atomic(target, text)
    labels = {"points": "points (배점) of {n} questions", "images": "{n} images (replaced by [그림: …])",
              "rubrics": "rubrics of {n} essays (the model answer is kept as general feedback)"}
    lost = [labels[key].format(n=count) for key, count in dropped.items() if count]
    ctx.notes.append("warning: GIFT has no place for " + "; ".join(lost) if lost else "GIFT kept every field")
    return [target]
