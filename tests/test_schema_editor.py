"""The JSON Schema as an editor's YAML language server uses it: it must accept every shipped question."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import PROJECT

from generator.bank.frontmatter import decode, split
from generator.bank.loader import question_files

SHIPPED = question_files(PROJECT / "bank")


def front_matter(path: Path) -> object:
    """The front matter as a YAML language server reads it (plain types; PyYAML's safe_load is close)."""
    return yaml.safe_load(split(decode(path.read_bytes())).front_matter)


@pytest.fixture(scope="module")
def bank_schema(tmp_path_factory) -> dict:
    from click.testing import CliRunner

    from generator.cli import cli

    result = CliRunner().invoke(cli, ["schema", "--bank", str(PROJECT / "bank")])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_every_shipped_question_validates_against_the_schema(bank_schema):
    assert len(SHIPPED) > 400
    validator = jsonschema.validators.validator_for(bank_schema)(bank_schema)
    assert validator.META_SCHEMA["$schema"].startswith("http://json-schema.org/draft-07")
    failures = {}
    for path in SHIPPED:
        errors = list(validator.iter_errors(front_matter(path)))
        if errors:
            failures[path.name] = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors][:2]
    assert not failures, failures


def test_the_bank_schema_lists_its_topics_and_rejects_others(bank_schema):
    topics = bank_schema["$defs"]["McqMeta"]["properties"]["topic"]["enum"]
    assert "model.training" in topics and "data.cleaning" in topics
    good = front_matter(SHIPPED[0])
    jsonschema.validate(good, bank_schema)
    for bad in ({**good, "topic": "model.trainin"}, {**good, "difficulty": 7}, {**good, "points": 0},
                {**good, "points": 1001}, {**good, "unknown": 1}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, bank_schema)


def test_the_schema_accepts_the_loaders_lenient_forms(run):
    schema = json.loads(run("schema").output)
    text = """\
id: q-forms
type: mcq
topic: model.xai
difficulty: "3"
points: 2.5
tags: [정규화, cnn]
source: 003_x.txt:20
choices: [0.50, yes, 1e-3, "`code`"]
answer: 1
shuffle_choices: no
"""
    data = yaml.safe_load(text)
    assert data["choices"][:2] == [0.5, True]  # a YAML 1.1/1.2 parser's types; the loader keeps the text
    jsonschema.validate(data, schema)
    essay = {"id": "e", "type": "essay", "topic": "model.xai", "difficulty": 3, "points": 5,
             "rubric": [{"point": "핵심", "score": 2.5}, {"point": 2024, "score": 2.5}]}
    jsonschema.validate(essay, schema)
