"""``manifest.json``: everything needed to re-render or grade an exam later (versioned schema)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.assemble import points as pts
from generator.assemble.blueprint import Blueprint
from generator.assemble.exam import Exam, ExamForm, ExamItem, ExamSection
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
    }


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
    return Exam(data["exam_id"], blueprint, data["seed"], bank, tuple(forms))
