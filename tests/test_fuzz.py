"""Fuzzing the inputs a user writes or edits: question files, blueprints, manifests (issue 9).

Whatever the input, the loaders either accept it or report problems (UserError / FileProblem): never
another exception, never a hang (Hypothesis' deadline flags a slow example).
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.assemble.blueprint import Blueprint, load_blueprint
from generator.assemble.manifest import exam_from_manifest, manifest_json, read_manifest
from generator.bank.loader import _load_file, load_bank
from generator.build import plan_exam
from generator.problems import UserError

PROJECT = Path(__file__).resolve().parent.parent
RENDER_BANK = PROJECT / "tests" / "fixtures" / "render_bank"
BANK = load_bank(RENDER_BANK)
FUZZ = settings(max_examples=int(os.environ.get("MOCKEXAM_FUZZ_EXAMPLES", "120")), deadline=3000, suppress_health_check=[HealthCheck.too_slow])
WORK = Path(tempfile.mkdtemp(prefix="mockexam-fuzz-"))

VALID_QUESTION = (RENDER_BANK / "questions" / "model" / "rt-attention-heads.md").read_text(encoding="utf-8")
VALID_BLUEPRINT = """\
title: 연습 시험
duration_minutes: 30
forms: [A, B]
seed: 3
sections:
  - {type: mcq, count: 4, points: 3}
  - {type: short, count: 1, points: 4}
topics: {model: 0.6, data: 0.4}
difficulty: {2: 0.5, 3: 0.5}
include_ids: [rt-short-cv]
exclude_recent: 1
"""
QUESTION_KEYS = ["id", "type", "topic", "difficulty", "points", "choices", "answer", "answers", "rubric", "tags",
                 "group", "source", "shuffle_choices"]
BLUEPRINT_KEYS = list(Blueprint.model_fields)

scalars = (st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20)
           | st.sampled_from(["mcq", "short", "essay", "model.training", "A", "", "---", "## 해설", "\x00"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5)
                      | st.dictionaries(st.text(max_size=8) | st.integers(1, 5), inner, max_size=4), max_leaves=12)


def _mutate(text: str, data: st.DataObject) -> str:
    """A valid file, changed the way a slip of the keyboard or a bad merge would."""
    lines = text.split("\n")
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, max(0, len(lines) - 1)))
        action = data.draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "indent", "truncate", "replace"]))
        if action == "delete" and lines:
            del lines[index]
        elif action == "duplicate" and lines:
            lines.insert(index, lines[index])
        elif action == "swap" and len(lines) > 1:
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif action == "insert":
            lines.insert(index, data.draw(st.text(max_size=30)))
        elif action == "indent" and lines:
            lines[index] = data.draw(st.sampled_from(["  ", "\t", "- ", "? ", "& ", "*"])) + lines[index]
        elif action == "truncate" and lines:
            lines[index] = lines[index][: data.draw(st.integers(0, len(lines[index])))]
        elif action == "replace" and lines:
            line = lines[index]
            position = data.draw(st.integers(0, len(line)))
            lines[index] = line[:position] + data.draw(st.text(min_size=1, max_size=5)) + line[position + 1:]
    return "\n".join(lines)


# ---------------------------------------------------------------- question files


def _load_question(raw: bytes) -> None:
    question, problems = _load_file(WORK / "questions" / "q.md", raw, BANK.taxonomy, WORK)
    assert (question is None) == bool(problems)
    for problem in problems:
        assert problem.line >= 1 and problem.message


@FUZZ
@given(st.binary(max_size=2000))
def test_question_loader_survives_random_bytes(raw):
    _load_question(raw)


@FUZZ
@given(st.dictionaries(st.sampled_from(QUESTION_KEYS) | st.text(max_size=8), values, max_size=10), st.text(max_size=80))
def test_question_loader_survives_random_yaml_structures(front, body):
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + body
    _load_question(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.data())
def test_question_loader_survives_mutated_valid_files(data):
    _load_question(_mutate(VALID_QUESTION, data).encode("utf-8", "surrogatepass"))


# ---------------------------------------------------------------- blueprints


def _load_blueprint(raw: bytes) -> None:
    path = WORK / "blueprint.yaml"
    path.write_bytes(raw)
    try:
        load_blueprint(path, BANK.taxonomy)
    except UserError as error:
        assert error.text


@FUZZ
@given(st.binary(max_size=2000))
def test_blueprint_loader_survives_random_bytes(raw):
    _load_blueprint(raw)


@FUZZ
@given(st.dictionaries(st.sampled_from(BLUEPRINT_KEYS) | st.text(max_size=8), values, max_size=10))
def test_blueprint_loader_survives_random_yaml_structures(data):
    _load_blueprint(yaml.safe_dump(data, allow_unicode=True).encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.data())
def test_blueprint_loader_survives_mutated_valid_files(data):
    _load_blueprint(_mutate(VALID_BLUEPRINT, data).encode("utf-8", "surrogatepass"))


# ---------------------------------------------------------------- manifests (what `render` reads)


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    path = WORK / "quiz.yaml"
    path.write_text(VALID_BLUEPRINT.split("topics:")[0], encoding="utf-8")
    exam, _ = plan_exam(BANK, load_blueprint(path, BANK.taxonomy), "quiz-3", WORK / "out")
    return json.loads(manifest_json(exam))


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@FUZZ
@given(st.data())
def test_render_survives_mutated_manifests(manifest, data):
    document = copy.deepcopy(manifest)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(document)[1:]))
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        action = data.draw(st.sampled_from(["delete", "replace", "extra", "duplicate"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = data.draw(values)
        elif action == "extra" and isinstance(parent[path[-1]], dict):
            parent[path[-1]][data.draw(st.text(max_size=8))] = data.draw(values)
        elif action == "duplicate" and isinstance(parent[path[-1]], list) and parent[path[-1]]:
            parent[path[-1]].append(copy.deepcopy(parent[path[-1]][0]))
    file = WORK / "manifest.json"
    file.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8", errors="surrogatepass")
    try:
        exam = exam_from_manifest(read_manifest(file), BANK, "manifest.json")
    except UserError as error:
        assert error.text
        return
    # accepted: then it is an exam every writer can render (same questions on every form)
    assert len({frozenset(i.question.id for i in form.items) for form in exam.forms}) == 1
    assert all(item.points > 0 for form in exam.forms for item in form.items)


@FUZZ
@given(st.binary(max_size=500))
def test_render_survives_random_manifest_bytes(raw):
    file = WORK / "manifest.json"
    file.write_bytes(raw)
    with pytest.raises(UserError):
        read_manifest(file)
