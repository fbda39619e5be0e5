"""`mockexam init`: a new bank from an empty folder that validates and builds as it is; topics.yaml mistakes."""

from __future__ import annotations

import json
import re

import pytest

from generator.bank.starter import FILES


def test_init_writes_a_bank_that_validates_and_builds_from_its_blueprint(tmp_path, run, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no bank/ here: build must find the bank that holds the blueprint
    result = run("init", "mybank")
    assert result.exit_code == 0, result.output
    assert "mockexam build mybank/blueprints/sample.yaml" in result.output
    written = sorted(p.relative_to(tmp_path / "mybank").as_posix() for p in (tmp_path / "mybank").rglob("*")
                     if p.is_file())
    assert written == sorted(FILES)
    topics = (tmp_path / "mybank" / "topics.yaml").read_text(encoding="utf-8")
    assert topics.startswith("# 주제 분류 (taxonomy)") and "leaves:" in topics
    validated = run("validate", "--bank", "mybank")
    assert validated.exit_code == 0, validated.output
    assert "3 questions OK (1 mcq, 1 short, 1 essay)" in validated.output
    built = run("build", "mybank/blueprints/sample.yaml", "--no-render")
    assert built.exit_code == 0, built.output
    manifest = json.loads((tmp_path / "output" / "sample-1" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["total_points"] == 17.5  # 2.5 + 5 + 10: decimals as written
    mcq = next(q for q in manifest["forms"][0]["sections"][0]["items"])
    assert len(mcq["choice_order"]) == 4  # a 4-choice question


def test_init_never_overwrites(tmp_path, run):
    assert run("init", tmp_path / "b").exit_code == 0
    topics = tmp_path / "b" / "topics.yaml"
    topics.write_text("# 내가 고친 분류\n" + topics.read_text(encoding="utf-8"), encoding="utf-8")
    again = run("init", tmp_path / "b")
    assert again.exit_code == 1 and "not overwriting" in again.output
    assert topics.read_text(encoding="utf-8").startswith("# 내가 고친 분류")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "questions").mkdir()
    refused = run("init", tmp_path / "c")
    assert refused.exit_code == 1 and "already holds questions" in refused.output
    assert not (tmp_path / "c" / "topics.yaml").exists()


def test_build_refuses_a_bank_with_problems_and_prints_lint_for_its_selection(tmp_path, run, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run("init", "b")
    mcq_file = tmp_path / "b" / "questions" / "database" / "sql-group-by-having.md"
    text = mcq_file.read_text(encoding="utf-8")
    mcq_file.write_text(text.replace("## 해설", "# 해설"), encoding="utf-8")
    refused = run("build", "b/blueprints/sample.yaml", "--dry-run")
    assert refused.exit_code == 1 and "sql-group-by-having.md:" in refused.output and "'## 해설'" in refused.output
    mcq_file.write_text(text.split("## 해설")[0], encoding="utf-8")  # valid, but lint wants a 해설
    built = run("build", "b/blueprints/sample.yaml", "--dry-run")
    assert built.exit_code == 0, built.output
    assert re.search(r"lint: b/questions/database/sql-group-by-having\.md:\d+: 해설: MCQ without '## 해설'",
                     built.output)


def test_an_explicit_bank_wins_over_the_blueprints_folder(tmp_path, run):
    run("init", tmp_path / "b")
    result = run("build", tmp_path / "b" / "blueprints" / "sample.yaml", "--bank", tmp_path / "nowhere", "--dry-run")
    assert result.exit_code == 1 and "bank folder not found" in result.output


@pytest.mark.parametrize(
    "topics, line, field, message",
    [
        ("database: 데이터베이스\n", 1, "database", "area 'database' needs 'label:' and 'leaves:' under it"),
        ("database:\n  lable: DB\n  leaves:\n    sql: SQL\n", 2, "database.lable", "did you mean 'label'?"),
        ("database:\n  label: DB\n  leaves: [sql, modeling]\n", 3, "database.leaves", "are a list; write one"),
        ("database:\n  label: DB\n  leaves:\n    SQL문: SQL\n", 4, "database.leaves.SQL문", "is not a slug"),
        ("Database:\n  label: DB\n  leaves:\n    sql: SQL\n", 1, "Database", "area 'Database' is not a slug"),
        ("database:\n  label: DB\n  leaves:\n    sql: SQL\n    sql: 또\n", 5, "database.leaves.sql", "appears twice"),
        ("database:\n  label: DB\n  leaves:\n", 3, "database.leaves", "has no leaves"),
        ("database:\n  label: DB\n  leaves:\n    sql:\n", 4, "database.leaves.sql", "needs its Korean name"),
        ("- database\n- software\n", 1, "topics", "topics.yaml must list areas"),
        ("", 1, "topics", "topics.yaml must list areas"),
        ("database:\n  label: [DB\n", 3, "topics", "invalid YAML"),
    ],
    ids=["area-text", "typo", "leaves-list", "leaf-slug", "area-slug", "duplicate", "no-leaves", "no-label",
         "list", "empty", "yaml"],
)
def test_a_wrong_topics_yaml_gets_plain_messages(bank, run, topics, line, field, message):
    (bank.root / "topics.yaml").write_text(topics, encoding="utf-8")
    result = run("validate", "--bank", bank.root)
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert f"topics.yaml:{line}: {field}: " in first and message in first, result.output
    assert "Input should be" not in result.output and "Traceback" not in result.output
