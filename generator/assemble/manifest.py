"""``manifest.json``: everything needed to re-render or grade an exam later (versioned schema)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from generator.assemble import points as pts
from generator.assemble.blueprint import MAX_POINTS, MAX_QUESTIONS, MAX_SEED, Blueprint
from generator.assemble.exam import Exam, ExamCopy, ExamForm, ExamItem, ExamSection
from generator.bank import frontmatter
from generator.bank.model import Bank
from generator.bank.schema import MAX_CHOICES, McqMeta, QuestionType
from generator.problems import Problem, UserError, display_path

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


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ItemRecord(_Record):
    number: int = Field(ge=1, le=MAX_QUESTIONS)
    id: str = Field(min_length=1, max_length=200)
    points: float = Field(gt=0, le=MAX_POINTS)
    choice_order: tuple[Annotated[int, Field(ge=0, lt=MAX_CHOICES)], ...] | None = Field(default=None,
                                                                                         max_length=MAX_CHOICES)
    answer: int | None = Field(default=None, ge=1, le=MAX_CHOICES)


class SectionRecord(_Record):
    name: str
    type: QuestionType
    instructions: str
    items: tuple[ItemRecord, ...] = Field(min_length=1)


class FormRecord(_Record):
    name: str
    sections: tuple[SectionRecord, ...] = Field(min_length=1)
    key: dict[str, int | list[str]]


class BankRecord(_Record):
    content_hash: str
    questions: int = Field(ge=0)


class OrderRecord(_Record):
    number: int = Field(ge=1, le=MAX_QUESTIONS)
    id: str = Field(min_length=1, max_length=200)
    choice_order: tuple[Annotated[int, Field(ge=0, lt=MAX_CHOICES)], ...] | None = Field(default=None,
                                                                                         max_length=MAX_CHOICES)


class CopyRecord(_Record):
    code: str = Field(alias="copy")
    student_id: str
    name: str
    class_: str | None = Field(default=None, alias="class")
    seat: str | None = None
    form: str | None = None
    order: tuple[OrderRecord, ...] | None = None
    key: dict[str, int | list[str]] | None = None


class ManifestRecord(_Record):
    schema_: str = Field(alias="schema")
    exam_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,200}$")
    seed: int = Field(ge=0, le=MAX_SEED)
    bank: BankRecord
    blueprint: dict[str, Any]
    total_points: float = Field(ge=0)
    forms: tuple[FormRecord, ...] = Field(min_length=1)
    copies: tuple[CopyRecord, ...] | None = None


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest as plain data, checked key by key; raises UserError naming file and line."""
    shown = display_path(path)
    if path.exists() and not path.is_file():  # a FIFO or device would block the read forever
        raise UserError(f"{shown}: not a regular file; pass the manifest.json of an exam folder")
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except FileNotFoundError:
        raise UserError(f"{shown}: no such manifest (build the exam first with `mockexam build`)") from None
    except IsADirectoryError:
        raise UserError(f"{shown}: is a folder; pass the manifest.json inside it") from None
    except RecursionError:
        raise UserError(f"{shown}:1: not a valid manifest: nested too deeply") from None
    except json.JSONDecodeError as error:
        raise UserError(f"{shown}:{error.lineno}: not a valid manifest: {error.msg}") from None
    except UnicodeDecodeError:
        raise UserError(f"{shown}:1: not a valid manifest: not UTF-8 text") from None
    if not isinstance(data, dict) or data.get("schema") != MANIFEST_SCHEMA:
        raise UserError(f"{shown}:1: unsupported manifest schema {data.get('schema') if isinstance(data, dict) else None!r}"
                        f" (this mockexam reads {MANIFEST_SCHEMA})")
    problems = _structure_problems(data, text, shown)
    if problems:
        raise UserError(sorted(set(problems)))
    return data


def _structure_problems(data: dict[str, Any], text: str, shown: str) -> list[Problem]:
    def at(loc: tuple[str | int, ...], field: str, message: str) -> Problem:
        return Problem(shown, _line(text, loc), field, message)

    try:
        record = ManifestRecord.model_validate_json(text)
    except ValidationError as error:
        return [at(tuple(item["loc"]), _field(tuple(item["loc"])), _message(item)) for item in error.errors()]
    try:
        blueprint = Blueprint.model_validate(record.blueprint)
    except ValidationError as error:
        return [at(("blueprint", *item["loc"]), _field(("blueprint", *item["loc"])), _message(item))
                for item in error.errors()]
    problems: list[Problem] = []
    names = [form.name for form in record.forms]
    if tuple(names) != blueprint.forms:
        wrong = next((i for i, name in enumerate(names) if i >= len(blueprint.forms) or name != blueprint.forms[i]),
                     len(names) - 1)
        problems.append(at(("forms", wrong, "name"), f"forms.{wrong}.name", f"forms {names} do not match the "
                           f"blueprint's {list(blueprint.forms)}"))
    first_ids: list[str] | None = None
    for f, form in enumerate(record.forms):
        kinds = tuple(section.type for section in form.sections)
        if kinds != tuple(spec.type for spec in blueprint.sections):
            problems.append(at(("forms", f, "sections"), f"forms.{f}.sections",
                               f"form {form.name} has sections {[k.value for k in kinds]}, the blueprint "
                               f"{[spec.type.value for spec in blueprint.sections]}"))
        items = [item for section in form.sections for item in section.items]
        ids = [item.id for item in items]
        if len(set(ids)) != len(ids):
            problems.append(at(("forms", f), f"forms.{f}", f"form {form.name} holds a question twice"))
        if first_ids is not None and sorted(ids) != first_ids:
            problems.append(at(("forms", f), f"forms.{f}", f"form {form.name} holds other questions than form "
                               f"{record.forms[0].name}"))
        first_ids = first_ids if first_ids is not None else sorted(ids)
        numbers = [item.number for item in items]
        if numbers != list(range(1, len(items) + 1)):
            problems.append(at(("forms", f), f"forms.{f}", f"form {form.name}: questions must be numbered "
                               f"1 to {len(items)} in order"))
        for s, section in enumerate(form.sections):
            for i, item in enumerate(section.items):
                order = item.choice_order or ()
                if sorted(order) != list(range(len(order))):
                    loc = ("forms", f, "sections", s, "items", i, "choice_order")
                    problems.append(at(loc, _field(loc), f"{list(order)} is not an order of the choices"))
    for c, copy in enumerate(record.copies or ()):
        if (copy.form is None) == (copy.order is None):
            problems.append(at(("copies", c), f"copies.{c}", f"copy {copy.code}: give either a form or an order"))
        elif copy.form is not None and copy.form not in names:
            problems.append(at(("copies", c, "form"), f"copies.{c}.form", f"copy {copy.code}: form {copy.form!r} "
                               "is not in the manifest"))
        elif copy.order is not None and (sorted(entry.id for entry in copy.order) != first_ids
                                         or sorted(entry.number for entry in copy.order)
                                         != list(range(1, len(copy.order) + 1))):
            problems.append(at(("copies", c, "order"), f"copies.{c}.order", f"copy {copy.code}: the order must "
                               "number every question of the exam once"))
    return problems


def _line(text: str, loc: tuple[str | int, ...]) -> int:
    if len(text) > 5_000_000:
        return 1
    try:
        return frontmatter.locate(text, 1, loc) or 1  # JSON as written by mockexam is also YAML
    except RecursionError:
        return 1


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "manifest"


def _message(item: Any) -> str:
    if item["type"] == "missing":
        return f"missing required key '{item['loc'][-1]}'"
    if item["type"] == "extra_forbidden":
        return f"unknown key '{item['loc'][-1]}'"
    return str(item["msg"]).removeprefix("Value error, ")


def exam_from_manifest(data: dict[str, Any], bank: Bank, shown: str) -> Exam:
    """Rebuild the exam exactly as recorded (order, choices), with the bank's current text.

    ``data`` comes from ``read_manifest`` (structure checked); this checks it against the bank.
    """
    blueprint = Blueprint.model_validate(data["blueprint"])
    problems = []
    forms: list[ExamForm] = []
    for form in data["forms"]:
        sections: list[ExamSection] = []
        for section in form["sections"]:
            items = []
            kind = blueprint.sections[len(sections)].type
            for record in section["items"]:
                question = bank.by_id.get(record["id"])
                if question is None:
                    problems.append(f"{shown}: form {form['name']} question {record['number']}: "
                                    f"'{record['id']}' is no longer in the bank")
                    continue
                if question.type != kind:
                    problems.append(f"{shown}: form {form['name']} question {record['number']}: '{record['id']}' "
                                    f"is now of type {question.type.value}, but the exam has it in its {kind.value} section: "
                                    "build a new exam instead")
                    continue
                order = tuple(record.get("choice_order") or ()) if isinstance(question.meta, McqMeta) else ()
                if isinstance(question.meta, McqMeta) and sorted(order) != list(range(len(question.meta.choices))):
                    problems.append(f"{shown}: '{record['id']}' now has {len(question.meta.choices)} choices, "
                                    f"the exam was built with {len(order)}: build a new exam instead")
                    continue
                items.append(ExamItem(record["number"], question, pts.tidy(record["points"]), order))
            sections.append(ExamSection(section["name"], kind,
                                        section["instructions"], tuple(items)))
        forms.append(ExamForm(form["name"], tuple(sections)))
    if problems:
        raise UserError("\n".join(dict.fromkeys(problems)))
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
