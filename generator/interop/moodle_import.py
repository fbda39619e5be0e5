"""Moodle XML import: multichoice (single answer), truefalse (as a 2-choice MCQ 참/거짓), shortanswer, essay.

Categories become topics through the mapping file, the taxonomy's labels or ``--topic``; embedded
``<file>`` images become bank files; ``\\(…\\)`` math becomes ``$…$``. Anything else is reported.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path

from generator.interop.drafts import Draft, Losses
from generator.interop.exportset import read_lms_tags
from generator.interop.lmstext import html_to_markdown, tex_to_dollars
from generator.interop.moodle_export import MODEL_ANSWER_HEADING, RUBRIC_HEADING
from generator.problems import Problem, UserError, display_path

SUPPORTED = ("multichoice", "truefalse", "shortanswer", "essay")
TRUE_FALSE = ("참", "거짓")
_RUBRIC_ITEM = re.compile(r"^(?P<point>.+?)\s*\((?P<score>\d+)\s*점\)\s*$")


def _parse(path: Path):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)
    try:
        return etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as error:
        line = error.lineno or 1
        raise UserError(f"{display_path(path)}:{line}: xml: not well-formed XML ({error.msg}); "
                        "export the questions again from Moodle") from None


def _child_text(element, path: str) -> str:
    found = element.find(path)
    return (found.text or "") if found is not None and found.text is not None else ""


def _field(draft: Draft, element, losses: Losses) -> str:
    """A Moodle text field (format + text + files) as Markdown; its images go to the draft."""
    if element is None:
        return ""
    fmt = element.get("format", "html")
    text = _child_text(element, "text")
    files = {}
    for file in element.findall("file"):
        name = file.get("name") or "image.png"
        try:
            files[name] = base64.b64decode((file.text or "").strip(), validate=False)
        except (binascii.Error, ValueError):
            losses.add("images with broken base64 data (dropped)")
    if fmt == "markdown":
        markdown, used = tex_to_dollars(text), list[str]()
    else:
        markdown, used = html_to_markdown(text)
    for name in used:
        if name in files:
            draft.images[name] = files[name]
        else:
            losses.add("images not embedded in the file (link kept, image missing)")
    return markdown


def read_moodle(path: Path, losses: Losses) -> tuple[list[Draft], list[Problem]]:
    root = _parse(path)
    shown = display_path(path)
    if root.tag != "quiz":
        raise UserError(f"{shown}:{root.sourceline or 1}: xml: the root element is <{root.tag}>, not <quiz>; "
                        "this is not a Moodle XML question file")
    drafts: list[Draft] = []
    problems: list[Problem] = []
    category = None
    for element in root.findall("question"):
        kind = element.get("type", "")
        line = element.sourceline or 1
        if kind == "category":
            category = _child_text(element, "category/text").strip() or None
            continue
        probe = Draft(shown, line, "mcq", "")
        if kind not in SUPPORTED:
            losses.add(f"{kind} questions (not imported: mockexam has mcq, short and essay)")
            continue
        draft = Draft(shown, line, {"multichoice": "mcq", "truefalse": "mcq", "shortanswer": "short",
                                    "essay": "essay"}[kind], "")
        draft.category = category
        draft.stem = _field(draft, element.find("questiontext"), losses)
        if not draft.stem.strip():
            problems.append(probe.problem("questiontext", "the question text is empty"))
            continue
        draft.explanation = _field(draft, element.find("generalfeedback"), losses) or None
        number = _child_text(element, "idnumber").strip() or _child_text(element, "name/text").strip()
        draft.id = number if re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", number) else None
        grade = _child_text(element, "defaultgrade").strip()
        if grade:
            try:
                value = float(grade)
            except ValueError:
                value = 0.0
            if value.is_integer() and value > 0:
                draft.points = int(value)
            else:
                losses.add("non-whole or zero points (default points used)")
        raw_tags = [_child_text(tag, "text") for tag in element.findall("tags/tag")]
        draft.tags, draft.difficulty, draft.group = read_lms_tags(raw_tags, losses)
        answers = element.findall("answer")
        if kind in ("multichoice", "truefalse"):
            problem = _choices(draft, element, answers, kind, losses)
            if problem:
                problems.append(draft.problem("answer", problem))
                continue
        elif kind == "shortanswer":
            for answer in answers:
                text = _child_text(answer, "text").strip()
                if _fraction(answer) == 100 and text:
                    draft.answers.append(html_to_markdown(text)[0] if answer.get("format") == "html" else text)
                elif text:
                    losses.add("short answers with partial credit (dropped)")
            if not draft.answers:
                problems.append(draft.problem("answer", "no answer with fraction 100"))
                continue
        else:
            _grader_info(draft, element.find("graderinfo"), losses)
        if any(_child_text(a, "feedback/text").strip() for a in answers):
            losses.add("per-answer feedback (dropped; 해설 kept)")
        drafts.append(draft)
    return drafts, problems


def _fraction(answer) -> float:
    try:
        return float(answer.get("fraction", "0"))
    except ValueError:
        return 0.0


def _choices(draft: Draft, element, answers, kind: str, losses: Losses) -> str | None:
    if kind == "truefalse":
        correct = [a for a in answers if _fraction(a) == 100]
        if len(correct) != 1:
            return "a true/false question needs exactly one answer with fraction 100"
        is_true = _child_text(correct[0], "text").strip().lower() in ("true", "참", "1")
        draft.choices, draft.answer, draft.shuffle_choices = list(TRUE_FALSE), 1 if is_true else 2, False
        return None
    if _child_text(element, "single").strip().lower() in ("false", "0"):
        return "multiple-answer multichoice (<single>false</single>) has no counterpart: mockexam MCQs have one answer"
    if not 2 <= len(answers) <= 5:
        return f"{len(answers)} answers: mockexam MCQs have 2 to 5 choices"
    correct = [n for n, a in enumerate(answers, 1) if _fraction(a) == 100]
    if len(correct) != 1:
        return "needs exactly one answer with fraction 100"
    if any(0 < _fraction(a) < 100 for a in answers):
        losses.add("partial credit on wrong choices (dropped)")
    for answer in answers:
        markdown = _field(draft, answer, losses)
        draft.choices.append(re.sub(r"\s*\n\s*", " ", markdown).strip())
    draft.answer = correct[0]
    draft.shuffle_choices = _child_text(element, "shuffleanswers").strip().lower() not in ("false", "0")
    return None


def _grader_info(draft: Draft, element, losses: Losses) -> None:
    """Our own graderinfo (채점 기준 list + 모범답안) is read back exactly; other text becomes the model answer."""
    if element is None:
        return
    text = _child_text(element, "text")
    rubric_match = re.search(rf"<h4>{RUBRIC_HEADING}</h4>\s*<ul>(.*?)</ul>", text, re.DOTALL)
    if rubric_match:
        for item in re.findall(r"<li>(.*?)</li>", rubric_match.group(1), re.DOTALL):
            markdown = html_to_markdown(item)[0]
            match = _RUBRIC_ITEM.match(markdown)
            if match:
                draft.rubric.append((match["point"], int(match["score"])))
        text = text.split(f"<h4>{MODEL_ANSWER_HEADING}</h4>", 1)[-1]
        element.find("text").text = text
    draft.model_answer = _field(draft, element, losses) or None
