"""QTI 1.2 import (Canvas-style zip or a bare assessment .xml): multiple choice, true/false, short answer, essay."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from generator.interop.drafts import Draft, Losses
from generator.interop.lmstext import html_to_markdown
from generator.interop.qti_export import MODEL_ANSWER_HEADING, RUBRIC_HEADING
from generator.problems import Problem, UserError, display_path

KINDS = {"multiple_choice_question": "mcq", "true_false_question": "mcq", "short_answer_question": "short",
         "essay_question": "essay"}
_RUBRIC_ITEM = re.compile(r"^(?P<point>.+?)\s*\((?P<score>\d+)\s*점\)\s*$")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(element, name: str):
    return next((e for e in element.iter() if _local(e.tag) == name), None)


def _all(element, name: str) -> list:
    return [e for e in element.iter() if _local(e.tag) == name]


def _mattext(element) -> str:
    found = _find(element, "mattext") if element is not None else None
    return (found.text or "") if found is not None else ""


def _documents(path: Path) -> list[tuple[str, bytes, dict[str, bytes]]]:
    """(name, assessment XML, images by file name) for a zip package or a bare XML file."""
    if path.suffix.lower() != ".zip":
        return [(display_path(path), path.read_bytes(), {})]
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise UserError(f"{display_path(path)}: not a zip file; export the quiz again as QTI") from None
    with archive:
        images = {Path(n).name: archive.read(n) for n in archive.namelist()
                  if Path(n).suffix.lower() in (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")}
        names = [n for n in archive.namelist() if n.endswith(".xml") and Path(n).name not in
                 ("imsmanifest.xml", "assessment_meta.xml")]
        return [(f"{display_path(path)}!{n}", archive.read(n), images) for n in names]


def read_qti(path: Path, losses: Losses) -> tuple[list[Draft], list[Problem]]:
    from lxml import etree

    drafts: list[Draft] = []
    problems: list[Problem] = []
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for shown, data, images in _documents(path):
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as error:
            raise UserError(f"{shown}:{error.lineno or 1}: xml: not well-formed XML ({error.msg})") from None
        for item in _all(root, "item"):
            fields = {(_find(f, "fieldlabel").text or ""): (_find(f, "fieldentry").text or "")
                      for f in _all(item, "qtimetadatafield")
                      if _find(f, "fieldlabel") is not None and _find(f, "fieldentry") is not None}
            kind = fields.get("question_type", "")
            line = item.sourceline or 1
            if kind not in KINDS:
                losses.add(f"{kind or 'untyped'} items (not imported)")
                continue
            draft = Draft(shown, line, KINDS[kind], "")
            draft.id = item.get("ident")
            if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", draft.id or ""):
                draft.id = None
            presentation = _find(item, "presentation")
            stem_html = _mattext(presentation)
            draft.stem, used = html_to_markdown(stem_html)
            for name in used:
                if name in images:
                    draft.images[name] = images[name]
            try:
                points = float(fields.get("points_possible", ""))
                draft.points = int(points) if points.is_integer() and points > 0 else None
            except ValueError:
                pass
            correct = [(_find(c, "varequal").text or "").strip() for c in _all(item, "respcondition")
                       if _find(c, "varequal") is not None and _find(c, "setvar") is not None
                       and (_find(c, "setvar").text or "").strip() in ("100", "100.0")]
            if draft.type == "mcq":
                labels = _all(presentation, "response_label")
                idents = [label.get("ident") for label in labels]
                for label in labels:
                    text, used = html_to_markdown(_mattext(label))
                    draft.choices.append(re.sub(r"\s*\n\s*", " ", text))
                render = _find(presentation, "render_choice")
                draft.shuffle_choices = render is None or render.get("shuffle", "Yes") != "No"
                if kind == "true_false_question":
                    draft.shuffle_choices = False
                hits = [idents.index(c) + 1 for c in correct if c in idents]
                if len(hits) != 1:
                    problems.append(draft.problem("answer", "needs exactly one correct choice"))
                    continue
                draft.answer = hits[0]
            elif draft.type == "short":
                draft.answers = correct
                if not correct:
                    problems.append(draft.problem("answer", "no accepted answer"))
                    continue
            feedback_html = "".join(_mattext(f) for f in _all(item, "itemfeedback") if f.get("ident") == "general_fb")
            if draft.type == "essay":
                feedback_html = _essay_parts(draft, feedback_html)
            draft.explanation = html_to_markdown(feedback_html)[0] or None if feedback_html else None
            drafts.append(draft)
    return drafts, problems


def _essay_parts(draft: Draft, html: str) -> str:
    """Our essay feedback: 모범답안 section, 채점 기준 list, then the 해설; returns what is left."""
    match = re.match(rf"\s*<h4>{MODEL_ANSWER_HEADING}</h4>(.*?)<h4>{RUBRIC_HEADING}</h4>\s*<ul>(.*?)</ul>(.*)$",
                     html, re.DOTALL)
    if not match:
        draft.model_answer = html_to_markdown(html)[0] or None
        return ""
    draft.model_answer = html_to_markdown(match.group(1))[0] or None
    for item in re.findall(r"<li>(.*?)</li>", match.group(2), re.DOTALL):
        found = _RUBRIC_ITEM.match(html_to_markdown(item)[0])
        if found:
            draft.rubric.append((found["point"], int(found["score"])))
    return match.group(3)
