"""Drafts -> bank question files: map topics, fill defaults, validate everything with the real loader in a
temporary copy, then write all files (never overwriting) or none."""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.bank import skeleton
from generator.bank.loader import TOPICS_FILE, load_bank
from generator.bank.model import Taxonomy
from generator.bank.schema import SLUG_PATTERN, QuestionType
from generator.interop.drafts import Draft, Losses
from generator.problems import Problem, UserError, display_path

IMAGES_DIR = "images"  # per area: questions/<area>/images/<id>-<name>
DEFAULT_DIFFICULTY = 3
ESSAY_RUBRIC_POINT = "모범답안의 핵심 내용을 빠짐없이 서술함"
MISSING_MODEL_ANSWER = "TODO 모범답안을 쓰세요."


@dataclass
class Planned:
    """A question file (and its images) ready to be written."""

    draft: Draft
    path: Path
    text: str
    images: dict[Path, bytes] = field(default_factory=dict)


def normalise_label(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def topic_lookup(taxonomy: Taxonomy, mapping: dict[str, str]) -> dict[str, str]:
    """Every accepted spelling of a topic -> its leaf: the slug, the Korean label, 'area label/leaf label'
    and the mapping file's entries."""
    lookup: dict[str, str] = {}
    for leaf, label in taxonomy.leaves.items():
        area = leaf.split(".")[0]
        for spelling in (leaf, label, f"{taxonomy.label(area)}/{label}", f"{area}/{leaf.split('.')[1]}"):
            lookup.setdefault(normalise_label(spelling), leaf)
    for key, leaf in mapping.items():
        lookup[normalise_label(key)] = leaf
    return lookup


def resolve_topic(draft: Draft, lookup: dict[str, str], default: str | None) -> str | None:
    for text in (draft.topic, draft.category):
        if not text:
            continue
        found = lookup.get(normalise_label(text))
        if found is None and draft.category == text:  # a category path: try its last two, then last part
            parts = [p for p in re.split(r"(?<!/)/(?!/)", text) if p and p not in ("$course$", "top")]
            for tail in ("/".join(parts[-2:]), parts[-1] if parts else ""):
                found = found or lookup.get(normalise_label(tail.replace("//", "/")))
        if found:
            return found
        if draft.topic == text:
            return None  # an explicit but unknown topic is an error, not a fallback to --topic
    return default


def plan(drafts: list[Draft], root: Path, taxonomy: Taxonomy, default_topic: str | None,
         mapping: dict[str, str], losses: Losses) -> tuple[list[Planned], list[Problem]]:
    """Decide each draft's id, topic and file; collect every problem instead of stopping at the first."""
    lookup = topic_lookup(taxonomy, mapping)
    taken = skeleton.existing_ids(root)
    problems: list[Problem] = []
    planned: list[Planned] = []
    claimed: dict[str, Draft] = {}
    for draft in drafts:
        topic = resolve_topic(draft, lookup, default_topic)
        if topic is None:
            what = draft.topic or draft.category
            hint = (f"'{what}' is neither a topic of {TOPICS_FILE} nor in the mapping file"
                    if what else "no topic given")
            problems.append(draft.problem("topic", f"{hint}: add a topic (e.g. model.training), a mapping "
                                                   "entry (--map) or pass --topic LEAF"))
            continue
        fill_defaults(draft, losses)
        kind = QuestionType(draft.type)
        question_id = draft.id
        if question_id and not re.match(SLUG_PATTERN, question_id):
            losses.add("ids that are not kebab-case (a new id was given)")
            question_id = None
        if question_id and (question_id in taken or question_id in claimed):
            other = claimed.get(question_id)
            where = f"{other.where}" if other else f"the bank {display_path(root)}"
            problems.append(draft.problem("id", f"id '{question_id}' is already used by {where}; "
                                                "change or clear the id to get a fresh one"))
            continue
        question_id = question_id or skeleton.fresh_id(topic, kind, taken | set(claimed))
        claimed[question_id] = draft
        path = skeleton.skeleton_path(root, topic, question_id)
        images = {}
        for name, data in draft.images.items():
            image_path = path.parent / IMAGES_DIR / f"{question_id}-{safe_name(name)}"
            images[image_path] = data
            relative = f"{IMAGES_DIR}/{image_path.name}"
            for attr in ("stem", "explanation", "model_answer"):
                value = getattr(draft, attr)
                if value:
                    setattr(draft, attr, value.replace(f"]({name})", f"]({relative})"))
        planned.append(Planned(draft, path, question_text(draft, question_id, topic), images))
    return planned, problems


def safe_name(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name).name).strip("-.")
    return stem or "image.png"


def fill_defaults(draft: Draft, losses: Losses) -> None:
    if draft.difficulty is None:
        draft.difficulty = DEFAULT_DIFFICULTY
        losses.add(f"no difficulty (set to {DEFAULT_DIFFICULTY})")
    if draft.type == "essay":
        if not draft.rubric:
            points = draft.points or skeleton.DEFAULT_POINTS[QuestionType.ESSAY]
            draft.rubric = [(ESSAY_RUBRIC_POINT, points)]
            losses.add("essays without a rubric (one rubric line for all points)")
        if draft.points is None:
            draft.points = sum(score for _, score in draft.rubric)
        if not draft.model_answer:
            draft.model_answer = MISSING_MODEL_ANSWER
            losses.add("essays without a model answer (TODO left in 모범답안)")
    if draft.points is None:
        draft.points = skeleton.DEFAULT_POINTS[QuestionType(draft.type)]


try:  # libyaml's emitter; the representers below stay Python
    _Base: type = yaml.CSafeDumper
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeDumper


class _Dumper(_Base):  # type: ignore[valid-type,misc]
    pass


def _flow_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = all(isinstance(x, str) and re.fullmatch(r"[a-z0-9-]+", x) for x in data)  # tags stay [a, b]
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _flow_list)


def question_text(draft: Draft, question_id: str, topic: str) -> str:
    """The question file in the bank's format (front matter + Markdown body)."""
    meta: dict[str, object] = {"id": question_id, "type": draft.type, "topic": topic,
                               "difficulty": draft.difficulty, "points": draft.points}
    if draft.tags:
        meta["tags"] = list(draft.tags)
    if draft.group:
        meta["group"] = draft.group
    if draft.type == "mcq":
        meta["choices"] = list(draft.choices)
        meta["answer"] = draft.answer
        if not draft.shuffle_choices:
            meta["shuffle_choices"] = False
    elif draft.type == "short":
        meta["answers"] = list(draft.answers)
    else:
        meta["rubric"] = [{"point": point, "score": score} for point, score in draft.rubric]
    front = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10**6)
    parts = ["---\n", front, "---\n", draft.stem.strip(), "\n"]
    if draft.explanation and draft.explanation.strip():
        parts += ["\n## 해설\n", draft.explanation.strip(), "\n"]
    if draft.type == "essay":
        parts += ["\n## 모범답안\n", (draft.model_answer or "").strip(), "\n"]
    return "".join(parts)


def validate_planned(planned: list[Planned], root: Path) -> list[Problem]:
    """Load the new files with the real loader in a temporary bank; problems point at the drafts."""
    problems: list[Problem] = []
    for item in planned:
        if item.path.exists():
            problems.append(item.draft.problem("id", f"{display_path(item.path)} already exists; not overwriting it"))
        for image in item.images:
            if image.exists():
                problems.append(item.draft.problem("image", f"{display_path(image)} already exists; not overwriting it"))
    with tempfile.TemporaryDirectory(prefix="mockexam-import-") as folder:
        temp = Path(folder)
        shutil.copy(root / TOPICS_FILE, temp / TOPICS_FILE)
        by_shown: dict[str, Planned] = {}
        for item in planned:
            target = temp / item.path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(item.text, encoding="utf-8")
            for image, data in item.images.items():
                image_target = temp / image.relative_to(root)
                image_target.parent.mkdir(parents=True, exist_ok=True)
                image_target.write_bytes(data)
            by_shown[display_path(target)] = item
        if planned:
            try:
                load_bank(temp)
            except UserError as error:
                for problem in error.problems:
                    owner = by_shown.get(problem.path)
                    if owner is None:  # pragma: no cover - the temporary bank holds only our files
                        problems.append(problem)
                        continue
                    line = owner.text.split("\n")[problem.line - 1].strip() if problem.line else ""
                    problems.append(owner.draft.problem(problem.field, f"{problem.message} (in the generated "
                                                        f"file: {line[:60]!r})"))
    return problems


def write_planned(planned: list[Planned]) -> list[Path]:
    """Create every file (exclusive create); on any failure remove what this call created."""
    created: list[Path] = []
    made_dirs: list[Path] = []
    try:
        for item in planned:
            for path, data in [*item.images.items(), (item.path, item.text.encode("utf-8"))]:
                for parent in reversed(path.parents):
                    if not parent.exists():
                        parent.mkdir()
                        made_dirs.append(parent)
                with path.open("xb") as handle:
                    created.append(path)
                    handle.write(data)
    except BaseException:
        for path in reversed(created):
            path.unlink(missing_ok=True)
        for folder in reversed(made_dirs):
            try:
                folder.rmdir()
            except OSError:
                pass
        raise
    return [item.path for item in planned]

