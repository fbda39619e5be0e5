"""Moodle XML export (the contract is Moodle's question/format/xml/format.php).

Categories follow the taxonomy (``$course$/top/<area label>/<leaf label>``), points go to ``defaultgrade``,
해설 to ``generalfeedback``, an essay's rubric and model answer to ``graderinfo``, images are embedded as
``@@PLUGINFILE@@`` files, math is ``\\(…\\)``. Difficulty and concept group ride along as tags
(``난이도-3``, ``그룹-…``) so that an import gets them back.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from pathlib import Path

from generator.assemble.exam import Exam
from generator.atomic import write_bytes_atomic
from generator.bank.schema import EssayMeta, McqMeta, ShortMeta
from generator.interop.exportset import category_parts, exported, lms_tags
from generator.interop.lmstext import Attachments, LmsHtml
from generator.render.writers import RenderContext

FILE_NAME = "questions.xml"
RUBRIC_HEADING = "채점 기준"
MODEL_ANSWER_HEADING = "모범답안"


def category_path(parts: list[str]) -> str:
    return "/".join(["$course$", "top", *(part.replace("/", "//") for part in parts)])


def _text(parent: ET.Element, tag: str, html: str, attachments: Attachments | None = None,
          fmt: str = "html") -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt})
    ET.SubElement(element, "text").text = html
    for name, data in (attachments.files if attachments else {}).items():
        file = ET.SubElement(element, "file", {"name": name, "path": "/", "encoding": "base64"})
        file.text = base64.b64encode(data).decode("ascii")
    return element


def _value(parent: ET.Element, tag: str, value: object) -> None:
    ET.SubElement(parent, tag).text = str(value)


def quiz_xml(exam: Exam, ctx: RenderContext) -> bytes:
    lms = LmsHtml(exam.bank.root)
    quiz = ET.Element("quiz")
    current_category = None
    missing: list[str] = []
    for entry in exported(exam):
        question, meta = entry.question, entry.question.meta
        parts = category_parts(exam, question.topic)
        if parts != current_category:
            current_category = parts
            category = ET.SubElement(quiz, "question", {"type": "category"})
            element = ET.SubElement(category, "category")
            ET.SubElement(element, "text").text = category_path(parts)
            _text(category, "info", "")
            _value(category, "idnumber", question.topic)
        kind = {McqMeta: "multichoice", ShortMeta: "shortanswer", EssayMeta: "essay"}[type(meta)]
        node = ET.SubElement(quiz, "question", {"type": kind})
        name = ET.SubElement(node, "name")
        ET.SubElement(name, "text").text = question.id
        files = Attachments()
        _text(node, "questiontext", lms.html(question.body.stem, question.path, files), files)
        feedback = Attachments()
        _text(node, "generalfeedback", lms.html(question.body.explanation, question.path, feedback), feedback)
        _value(node, "defaultgrade", f"{entry.points:.7f}")
        _value(node, "penalty", "0.0000000")
        _value(node, "hidden", 0)
        _value(node, "idnumber", question.id)
        if isinstance(meta, McqMeta):
            _value(node, "single", "true")
            _value(node, "shuffleanswers", "true" if meta.shuffle_choices else "false")
            _value(node, "answernumbering", "123")
            _value(node, "showstandardinstruction", 0)
            for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
                _text(node, tag, "")
            for number, choice in enumerate(meta.choices, 1):
                files = Attachments()
                answer = _text(node, "answer", lms.inline(choice, question.path, files), files)
                answer.set("fraction", "100" if number == meta.answer else "0")
                _text(answer, "feedback", "")
                missing += files.missing
        elif isinstance(meta, ShortMeta):
            _value(node, "usecase", 0)
            for accepted in meta.answers:
                answer = _text(node, "answer", accepted, fmt="moodle_auto_format")
                answer.set("fraction", "100")
                _text(answer, "feedback", "")
        else:
            _value(node, "responseformat", "editor")
            _value(node, "responserequired", 1)
            _value(node, "responsefieldlines", 15)
            _value(node, "attachments", 0)
            _value(node, "attachmentsrequired", 0)
            grader = Attachments()
            items = "".join(f"<li>{lms.inline(item.point, question.path, grader)} ({item.score}점)</li>"
                            for item in meta.rubric)
            info = (f"<h4>{RUBRIC_HEADING}</h4><ul>{items}</ul><h4>{MODEL_ANSWER_HEADING}</h4>"
                    + lms.html(question.body.model_answer, question.path, grader))
            _text(node, "graderinfo", info, grader)
            _text(node, "responsetemplate", "")
        tags = ET.SubElement(node, "tags")
        for tag in lms_tags(question):
            ET.SubElement(ET.SubElement(tags, "tag"), "text").text = tag
        missing += files.missing + feedback.missing
    if missing:
        ctx.notes.append(f"images not found in the bank, written as text: {', '.join(sorted(set(missing)))}")
    ET.indent(quiz)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="utf-8") + b"\n"


def write(exam: Exam, ctx: RenderContext, out_dir: Path) -> list[Path]:
    target = out_dir / FILE_NAME
    write_bytes_atomic(target, quiz_xml(exam, ctx))
    ctx.notes.append("Moodle XML keeps every field; difficulty and group travel as tags (난이도-N, 그룹-…)")
    return [target]
