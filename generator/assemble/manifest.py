"""``manifest.json``: everything needed to re-render or grade an exam later (versioned schema)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.assemble import points as pts
from generator.assemble.blueprint import Blueprint
from generator.assemble.exam import Exam, ExamCopy, ExamForm, ExamItem, ExamSection
from generator.bank.model import Bank
from generator.bank.schema import McqMeta
from generator.problems import UserError, display_path

MANIFEST_SCHEMA = "mockexam.manifest/1"
MANIFEST_NAME = "manifest.json"


def manifest_dict(exam: Exam) -> dict[str, Any]:
    """The manifest as plain data; contains no time or path, so equal inputs give equal bytes."""
    return {
        "schema": MANIFEST_SCHEMA,
        "exam_id": exam.exam_id,
        "seed": exam.seed,
        "bank": {"content_hash": exam.bank.content_hash, "questions": len(exam.bank.questions)},
        "blueprint": exam.blueprint.model_dump(mode="json"),
        "total_points": exam.total_points,
        "forms": [_form_dict(form) for form in exam.forms],
        **({"copies": [_copy_dict(copy) for copy in exam.copies]} if exam.copies else {}),
    }


def _copy_dict(copy: ExamCopy) -> dict[str, Any]:
    """A named copy: who, which form (or its own order), and its key."""
    record: dict[str, Any] = {"copy": copy.code, "student_id": copy.student_id, "name": copy.name}
    if copy.klass:
        record["class"] = copy.klass
    if copy.seat:
        record["seat"] = copy.seat
    if copy.own_order:
        own = _form_dict(copy.form)
        record["order"] = [{"number": item.number, "id": item.question.id,
                            **({"choice_order": list(item.choice_order)} if item.choice_order else {})}
                           for item in copy.form.items]
        record["key"] = own["key"]
    else:
        record["form"] = copy.form.name
    return record


def _form_dict(form: ExamForm) -> dict[str, Any]:
    return {
        "name": form.name,
        "sections": [
            {
                "name": section.name,
                "type": section.type.value,
                "instructions": section.instructions,
                "items": [_item_dict(item) for item in section.items],
            }
            for section in form.sections
        ],
        "key": {str(item.number): item.answer if item.answer is not None else list(
            getattr(item.question.meta, "answers", ())) for item in form.items},
    }


def _item_dict(item: ExamItem) -> dict[str, Any]:
    record: dict[str, Any] = {"number": item.number, "id": item.question.id, "points": item.points}
    if item.choice_order:
        record["choice_order"] = list(item.choice_order)
        record["answer"] = item.answer
    return record


def manifest_json(exam: Exam) -> str:
    return json.dumps(manifest_dict(exam), ensure_ascii=False, indent=2) + "\n"


def read_manifest(path: Path) -> dict[str, Any]:
    shown = display_path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{shown}: no such manifest (build the exam first with `mockexam build`)") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UserError(f"{shown}: not a valid manifest: {error}") from None
    if not isinstance(data, dict) or data.get("schema") != MANIFEST_SCHEMA:
        raise UserError(f"{shown}: unsupported manifest schema {data.get('schema') if isinstance(data, dict) else None!r}"
                        f" (this mockexam reads {MANIFEST_SCHEMA})")
    return data


def exam_from_manifest(data: dict[str, Any], bank: Bank, shown: str) -> Exam:
    """Rebuild the exam exactly as recorded (order, choices), with the bank's current text."""
    blueprint = Blueprint.model_validate(data["blueprint"])
    problems = []
    forms: list[ExamForm] = []
    for form in data["forms"]:
        sections: list[ExamSection] = []
        for section in form["sections"]:
            items = []
            for record in section["items"]:
                question = bank.by_id.get(record["id"])
                if question is None:
                    problems.append(f"{shown}: form {form['name']} question {record['number']}: "
                                    f"'{record['id']}' is no longer in the bank")
                    continue
                order = tuple(record.get("choice_order", ()))
                if isinstance(question.meta, McqMeta) and sorted(order) != list(range(len(question.meta.choices))):
                    problems.append(f"{shown}: '{record['id']}' now has {len(question.meta.choices)} choices, "
                                    f"the exam was built with {len(order)}: build a new exam instead")
                    continue
                items.append(ExamItem(record["number"], question, pts.tidy(record["points"]), order))
            sections.append(ExamSection(section["name"], blueprint.sections[len(sections)].type,
                                        section["instructions"], tuple(items)))
        forms.append(ExamForm(form["name"], tuple(sections)))
    if problems:
        raise UserError("\n".join(problems))
    copies = tuple(_copy_from(record, index, forms, blueprint, shown)
                   for index, record in enumerate(data.get("copies", ()), 1))
    return Exam(data["exam_id"], blueprint, data["seed"], bank, tuple(forms), copies)


def _copy_from(record: dict[str, Any], number: int, forms: list[ExamForm], blueprint: Blueprint,
               shown: str) -> ExamCopy:
    """A copy as recorded: its form by name, or its own order rebuilt from the recorded permutation."""
    from generator.assemble.copies import OWN_ORDER_LABEL

    student_id, name = str(record["student_id"]), str(record["name"])
    klass, seat = str(record.get("class", "")), str(record.get("seat", ""))
    if "form" in record:
        form = next((f for f in forms if f.name == record["form"]), None)
        if form is None:
            raise UserError(f"{shown}: copy {record.get('copy')}: form {record['form']!r} is not in the manifest")
        return ExamCopy(number, student_id, name, form, klass, seat)
    order = {entry["id"]: entry for entry in record["order"]}
    number_of = {entry["id"]: entry["number"] for entry in record["order"]}
    sections = []
    for section in forms[0].sections:
        items = sorted((ExamItem(number_of[item.question.id], item.question, item.points,
                                 tuple(order[item.question.id].get("choice_order", ())))
                        for item in section.items), key=lambda item: item.number)
        sections.append(ExamSection(section.name, section.type, section.instructions, tuple(items)))
    own = ExamForm(f"#{student_id}", tuple(sections), OWN_ORDER_LABEL)
    return ExamCopy(number, student_id, name, own, klass, seat, own_order=True)
