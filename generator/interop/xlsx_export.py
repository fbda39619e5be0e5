"""Excel export: questions in the import template's layout, so a teacher can edit them in Excel and import
them again (`mockexam import`). Images cannot live in a cell: their Markdown reference stays in the text."""

from __future__ import annotations

from pathlib import Path

from generator.assemble.exam import Exam
from generator.atomic import write_bytes_atomic
from generator.bank.schema import EssayMeta, McqMeta, ShortMeta
from generator.interop.exportset import exported
from generator.interop.template import workbook_bytes
from generator.render.writers import RenderContext

FILE_NAME = "questions.xlsx"


def rows(exam: Exam) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for entry in exported(exam):
        question, meta = entry.question, entry.question.meta
        row: dict[str, object] = {
            "id": question.id, "주제": question.topic, "난이도": question.difficulty, "배점": entry.points,
            "문제": question.body.stem, "해설": question.body.explanation or None,
            "태그": ", ".join(meta.tags) or None, "그룹": question.group,
        }
        if isinstance(meta, McqMeta):
            row.update({"유형": "객관식", "정답": meta.answer, "순서고정": None if meta.shuffle_choices else "O"})
            row.update({f"보기{n}": choice for n, choice in enumerate(meta.choices, 1)})
        elif isinstance(meta, ShortMeta):
            row.update({"유형": "단답형", "정답": " | ".join(meta.answers)})
        else:
            assert isinstance(meta, EssayMeta)
            row.update({"유형": "서술형", "모범답안": question.body.model_answer,
                        "채점기준": "\n".join(f"{item.point} ({item.score}점)" for item in meta.rubric)})
        out.append(row)
    return out


def write(exam: Exam, ctx: RenderContext, out_dir: Path) -> list[Path]:
    target = out_dir / FILE_NAME
    write_bytes_atomic(target, workbook_bytes(rows(exam), exam.bank.taxonomy))
    if any("![" in (e.question.body.stem or "") for e in exported(exam)):
        ctx.notes.append("note: images stay as Markdown links (images/…) in the 문제 cells; import them into the "
                         "same bank, or copy the image files along")
    return [target]
