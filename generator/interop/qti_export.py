"""QTI 1.2 export for Canvas: a zip with ``imsmanifest.xml``, one assessment and the images.

Follows the item shape Canvas itself exports (``question_type`` and ``points_possible`` in
``qtimetadata``, ``response_lid``/``response_str``, ``resprocessing`` setting SCORE to 100, general
feedback as ``itemfeedback``). Canvas has no difficulty, tags, concept group or rubric on quiz
questions: the essay's model answer and rubric go into its general feedback, the rest is dropped.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from generator.assemble.exam import Exam
from generator.atomic import write_bytes_atomic
from generator.bank.schema import EssayMeta, McqMeta, ShortMeta
from generator.interop.exportset import exported
from generator.interop.lmstext import Attachments, LmsHtml
from generator.render.writers import RenderContext

FILE_NAME = "questions-qti.zip"
QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
FILEBASE = "$IMS-CC-FILEBASE$"
IMAGE_FOLDER = "web_resources/images"
TYPES = {McqMeta: "multiple_choice_question", ShortMeta: "short_answer_question", EssayMeta: "essay_question"}
RUBRIC_HEADING = "채점 기준"
MODEL_ANSWER_HEADING = "모범답안"


def _meta(parent: ET.Element, fields: dict[str, str]) -> None:
    block = ET.SubElement(parent, "qtimetadata")
    for label, entry in fields.items():
        field = ET.SubElement(block, "qtimetadatafield")
        ET.SubElement(field, "fieldlabel").text = label
        ET.SubElement(field, "fieldentry").text = entry


def _material(parent: ET.Element, html: str) -> None:
    ET.SubElement(ET.SubElement(parent, "material"), "mattext", {"texttype": "text/html"}).text = html


def assessment_xml(exam: Exam, ident: str, files: Attachments) -> bytes:
    lms = LmsHtml(exam.bank.root, image_src=f"{FILEBASE}/images/{{name}}")
    root = ET.Element("questestinterop", {"xmlns": QTI_NS})
    assessment = ET.SubElement(root, "assessment", {"ident": ident, "title": exam.blueprint.title})
    _meta(assessment, {"cc_maxattempts": "1"})
    section = ET.SubElement(assessment, "section", {"ident": "root_section"})
    for entry in exported(exam):
        question, meta = entry.question, entry.question.meta
        item = ET.SubElement(section, "item", {"ident": question.id, "title": question.id})
        fields = {"question_type": TYPES[type(meta)], "points_possible": f"{entry.points:.1f}"}
        if isinstance(meta, McqMeta):
            fields["original_answer_ids"] = ",".join(f"{question.id}-{n}" for n in range(1, len(meta.choices) + 1))
        _meta(ET.SubElement(item, "itemmetadata"), fields)
        presentation = ET.SubElement(item, "presentation")
        _material(presentation, lms.html(question.body.stem, question.path, files))
        processing_conditions: list[tuple[str, str]] = []
        if isinstance(meta, McqMeta):
            response = ET.SubElement(presentation, "response_lid", {"ident": "response1", "rcardinality": "Single"})
            choices = ET.SubElement(response, "render_choice", {"shuffle": "Yes" if meta.shuffle_choices else "No"})
            for number, choice in enumerate(meta.choices, 1):
                label = ET.SubElement(choices, "response_label", {"ident": f"{question.id}-{number}"})
                _material(label, lms.inline(choice, question.path, files))
            processing_conditions = [(f"{question.id}-{meta.answer}", "100")]
        else:
            response = ET.SubElement(presentation, "response_str", {"ident": "response1", "rcardinality": "Single"})
            ET.SubElement(response, "render_fib", {"fibtype": "String", "prompt": "Box"})
            if isinstance(meta, ShortMeta):
                processing_conditions = [(answer, "100") for answer in meta.answers]
        feedback = lms.html(question.body.explanation, question.path, files)
        if isinstance(meta, EssayMeta):
            items = "".join(f"<li>{lms.inline(r.point, question.path, files)} ({r.score}점)</li>" for r in meta.rubric)
            feedback = (f"<h4>{MODEL_ANSWER_HEADING}</h4>{lms.html(question.body.model_answer, question.path, files)}"
                        f"<h4>{RUBRIC_HEADING}</h4><ul>{items}</ul>" + feedback)
        processing = ET.SubElement(item, "resprocessing")
        outcomes = ET.SubElement(processing, "outcomes")
        ET.SubElement(outcomes, "decvar", {"maxvalue": "100", "minvalue": "0", "varname": "SCORE", "vartype": "Decimal"})
        if feedback:
            condition = ET.SubElement(processing, "respcondition", {"continue": "Yes"})
            ET.SubElement(ET.SubElement(condition, "conditionvar"), "other")
            ET.SubElement(condition, "displayfeedback", {"feedbacktype": "Response", "linkrefid": "general_fb"})
        for value, score in processing_conditions:
            condition = ET.SubElement(processing, "respcondition", {"continue": "No"})
            ET.SubElement(ET.SubElement(condition, "conditionvar"), "varequal", {"respident": "response1"}).text = value
            ET.SubElement(condition, "setvar", {"action": "Set", "varname": "SCORE"}).text = score
        if feedback:
            flow = ET.SubElement(ET.SubElement(item, "itemfeedback", {"ident": "general_fb"}), "flow_mat")
            _material(flow, feedback)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode").encode("utf-8")


def manifest_xml(ident: str, image_names: list[str]) -> bytes:
    root = ET.Element("manifest", {"identifier": f"{ident}-manifest", "xmlns": CP_NS})
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, "schema").text = "IMS Content"
    ET.SubElement(metadata, "schemaversion").text = "1.1.3"
    ET.SubElement(root, "organizations")
    resources = ET.SubElement(root, "resources")
    resource = ET.SubElement(resources, "resource", {"identifier": ident, "type": "imsqti_xmlv1p2"})
    ET.SubElement(resource, "file", {"href": f"{ident}/{ident}.xml"})
    for number, name in enumerate(image_names, 1):
        href = f"{IMAGE_FOLDER}/{name}"
        image = ET.SubElement(resources, "resource", {"identifier": f"image{number}", "type": "webcontent",
                                                     "href": href})
        ET.SubElement(image, "file", {"href": href})
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode").encode("utf-8")


def package(exam: Exam, ctx: RenderContext) -> bytes:
    ident = "mockexam-" + "".join(c if c.isalnum() or c == "-" else "-" for c in exam.exam_id)
    files = Attachments()
    assessment = assessment_xml(exam, ident, files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", manifest_xml(ident, sorted(files.files)))
        archive.writestr(f"{ident}/{ident}.xml", assessment)
        for name, data in sorted(files.files.items()):
            archive.writestr(f"{IMAGE_FOLDER}/{name}", data)
    if files.missing:
        ctx.notes.append(f"images not found in the bank, written as text: {', '.join(sorted(set(files.missing)))}")
    return buffer.getvalue()


def write(exam: Exam, ctx: RenderContext, out_dir: Path) -> list[Path]:
    target = out_dir / FILE_NAME
    write_bytes_atomic(target, package(exam, ctx))
    ctx.notes.append("warning: Canvas quizzes have no place for difficulty, tags or concept groups (dropped); "
                     "an essay's model answer and rubric are in its general feedback")
    return [target]
