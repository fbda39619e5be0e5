"""GIFT import: multiple choice, true/false (as a 2-choice MCQ 참/거짓), short answer and essay questions.

Blocks are separated by blank lines; ``$CATEGORY:`` sets the category of the following questions;
``// [id:…] [tag:…]`` comments give ids and tags (Moodle's convention). Numeric, matching and
missing-word questions are reported as not carried.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from generator.interop.drafts import Draft, Losses
from generator.interop.exportset import FIXED_ORDER_TAG, read_lms_tags
from generator.interop.gift_export import EXPLANATION_HEADING, MODEL_ANSWER_HEADING
from generator.interop.lmstext import html_to_markdown, tex_to_dollars
from generator.interop.moodle_import import TRUE_FALSE
from generator.interop.spreadsheet import decode_csv
from generator.problems import Problem, display_path

_ESCAPED = re.compile(r"\\(.)", re.DOTALL)
UNSUPPORTED = "unsupported: "


@dataclass
class Block:
    line: int
    text: str
    category: str | None
    comments: list[str]


def unescape(text: str) -> str:
    return _ESCAPED.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def blocks(text: str) -> list[Block]:
    """Question blocks with their first line, the category in force and the comments before them."""
    found: list[Block] = []
    category: str | None = None
    comments: list[str] = []
    lines: list[str] = []
    start = 0

    def flush() -> None:
        nonlocal lines, comments
        if lines:
            found.append(Block(start, "\n".join(lines), category, comments))
        lines, comments = [], []

    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if stripped.startswith("//"):
            comments.append(stripped[2:])
            continue
        if stripped.startswith("$CATEGORY:") and not lines:
            category = stripped[len("$CATEGORY:"):].strip()
            comments = []
            continue
        if not lines:
            start = number
        lines.append(line)
    flush()
    return found


def _split_unescaped(text: str, marks: str) -> list[tuple[str, str]]:
    """Split an answer block at unescaped ``marks`` characters: [(mark, text), …]."""
    parts: list[tuple[str, str]] = []
    mark, current, index = "", [], 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current.append(text[index:index + 2])
            index += 2
            continue
        if char in marks:
            if current or mark:
                parts.append((mark, "".join(current)))
            mark, current = char, []
        else:
            current.append(char)
        index += 1
    if current or mark:
        parts.append((mark, "".join(current)))
    return parts


def _find_unescaped(text: str, char: str, start: int = 0) -> int:
    index = start
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == char:
            return index
        index += 1
    return -1


def _markdown(raw: str, fmt: str) -> str:
    text = unescape(raw).strip()
    if fmt == "html":
        return html_to_markdown(text)[0]
    return tex_to_dollars(text)


def read_gift(path: Path, losses: Losses) -> tuple[list[Draft], list[Problem]]:
    text = decode_csv(path.read_bytes()).replace("\r\n", "\n").replace("\r", "\n")
    shown = display_path(path)
    drafts: list[Draft] = []
    problems: list[Problem] = []
    for block in blocks(text):
        draft = Draft(shown, block.line, "mcq", "")
        body = block.text.strip()
        title = None
        if body.startswith("::"):
            end = body.find("::", 2)
            if end > 0:
                title, body = unescape(body[2:end]).strip(), body[end + 2:].lstrip()
        fmt = "moodle"
        format_match = re.match(r"^\[(html|markdown|plain|moodle)\]", body)
        if format_match:
            fmt, body = format_match.group(1), body[format_match.end():]
        open_at = _find_unescaped(body, "{")
        close_at = _find_unescaped(body, "}", open_at + 1) if open_at >= 0 else -1
        if open_at < 0 or close_at < 0:
            problems.append(draft.problem("answer", "no answer block {…}: a GIFT question ends with its answers in "
                                                    "braces, e.g. {=정답 ~오답}"))
            continue
        after = body[close_at + 1:].strip()
        stem_raw = body[:open_at] + (" ___ " + after if after else "")
        if after:
            losses.add("missing-word questions (text after the answers joined with ___)")
        draft.stem = _markdown(stem_raw, fmt)
        answer_block = body[open_at + 1:close_at]
        general = None
        feedback_at = answer_block.find("####")
        if feedback_at >= 0:
            raw_feedback = unescape(answer_block[feedback_at + 4:]).strip()
            answer_block = answer_block[:feedback_at]
            if fmt == "html" and raw_feedback.startswith(MODEL_ANSWER_HEADING):  # our essay feedback
                model, _, rest = raw_feedback[len(MODEL_ANSWER_HEADING):].partition(EXPLANATION_HEADING)
                draft.model_answer = html_to_markdown(model)[0] or None
                raw_feedback = rest
            general = (html_to_markdown(raw_feedback)[0] if fmt == "html" else tex_to_dollars(raw_feedback)) or None
        comment = " ".join(block.comments)
        ids = re.findall(r"\[id:([^\]]+)\]", comment)
        raw_tags = re.findall(r"\[tag:([^\]]+)\]", comment)
        draft.id = ids[0].strip() if ids else title
        draft.tags, draft.difficulty, draft.group = read_lms_tags(raw_tags, losses)
        draft.category = block.category
        answer_text = answer_block.strip()
        kind_problem = _answers(draft, answer_text, fmt, losses)
        if kind_problem and kind_problem.startswith(UNSUPPORTED):
            losses.add(kind_problem.removeprefix(UNSUPPORTED))
            continue
        if FIXED_ORDER_TAG in raw_tags:
            draft.shuffle_choices = False
        if kind_problem:
            problems.append(draft.problem("answer", kind_problem))
            continue
        if draft.type == "essay" and draft.model_answer is None:  # another tool's essay: feedback = model answer
            draft.model_answer, general = general, None
        draft.explanation = general
        if not draft.stem:
            problems.append(draft.problem("text", "the question text is empty"))
            continue
        drafts.append(draft)
    return drafts, problems


def _answers(draft: Draft, text: str, fmt: str, losses: Losses) -> str | None:
    """Fill type and answers from the inside of ``{…}``; a message when the kind is not supported."""
    if not text:
        draft.type = "essay"
        return None
    if re.fullmatch(r"(T|F|TRUE|FALSE)(\s*#.*)?", text, re.DOTALL):
        draft.choices, draft.shuffle_choices = list(TRUE_FALSE), False
        draft.answer = 1 if text.startswith("T") else 2
        return None
    if text.startswith("#"):
        return UNSUPPORTED + "numeric questions (not imported: write them as short answers)"
    parts = [(mark, value) for mark, value in _split_unescaped(text, "=~") if mark or value.strip()]
    if any("->" in value for _, value in parts):
        return UNSUPPORTED + "matching questions (not imported)"
    if any(not mark for mark, _ in parts):
        return "answers must start with = (right) or ~ (wrong)"
    answers = []
    for mark, value in parts:
        weight = re.match(r"^\s*%(-?[\d.]+)%", value)
        percent = float(weight.group(1)) if weight else (100.0 if mark == "=" else 0.0)
        if weight:
            value = value[weight.end():]
        feedback_at = _find_unescaped(value, "#")
        if feedback_at >= 0:
            losses.add("per-answer feedback (dropped; 해설 kept)")
            value = value[:feedback_at]
        answers.append((percent, _markdown(value, fmt), unescape(value).strip()))
    if all(mark == "=" for mark, _ in parts):
        draft.type = "short"
        draft.answers = [raw for percent, _, raw in answers if percent == 100]  # answers are plain text
        if len(draft.answers) < len(answers):
            losses.add("short answers with partial credit (dropped)")
        return None if draft.answers else "no answer with full credit (=…)"
    correct = [n for n, (percent, _, _) in enumerate(answers, 1) if percent == 100]
    if len(correct) != 1:
        return "a multiple-choice question needs exactly one right answer (=)"
    if any(0 < percent < 100 for percent, _, _ in answers):
        losses.add("partial credit on wrong choices (dropped)")
    if not 2 <= len(answers) <= 5:
        return f"{len(answers)} choices: mockexam MCQs have 2 to 5"
    draft.type = "mcq"
    draft.choices = [re.sub(r"\s*\n\s*", " ", value) for _, value, _ in answers]
    draft.answer = correct[0]
    return None
