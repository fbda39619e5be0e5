"""Browsing and authoring commands: list, stats, new, schema, lint."""

from __future__ import annotations

import json

import jsonschema
import yaml
from conftest import MCQ


def test_list_filters_by_type_topic_area_difficulty_tag_and_text(bank, run):
    bank.add("mcq", "a-cnn", topic="model.architecture", difficulty=2, extra="tags: [cnn]\n")
    bank.add("mcq", "b-drift", topic="system.monitoring", difficulty=4)
    bank.add("short", "c-cv", topic="model.training", difficulty=3)

    def ids(*args: str) -> list[str]:
        result = run("list", "--bank", bank.root, "--json", *args)
        assert result.exit_code == 0, result.output
        return [record["id"] for record in json.loads(result.output)]

    assert ids() == ["a-cnn", "c-cv", "b-drift"]
    assert ids("--type", "mcq") == ["a-cnn", "b-drift"]
    assert ids("--topic", "model") == ["a-cnn", "c-cv"]
    assert ids("--topic", "system.monitoring") == ["b-drift"]
    assert ids("--difficulty", "3-4") == ["c-cv", "b-drift"]
    assert ids("--difficulty", "2,4") == ["a-cnn", "b-drift"]
    assert ids("--tag", "cnn") == ["a-cnn"]
    assert ids("--search", "CROSS-VALIDATION") == ["c-cv"]


def test_list_table_is_readable_and_unknown_topics_are_refused(bank, run):
    bank.add("mcq", "a-cnn", topic="model.architecture")
    result = run("list", "--bank", bank.root)
    assert "a-cnn" in result.output and "a-cnn 문항에 대한 설명으로" in result.output
    assert "1 of 1 questions" in result.output
    refused = run("list", "--bank", bank.root, "--topic", "model.archtecture")
    assert refused.exit_code == 1 and "did you mean 'model.architecture'" in refused.output


def test_stats_shows_the_topic_by_type_matrix(bank, run):
    bank.add("mcq", "a1", topic="model.xai", difficulty=1)
    bank.add("mcq", "a2", topic="model.xai", difficulty=5)
    bank.add("essay", "a3", topic="data.cleaning", difficulty=3)
    result = run("stats", "--bank", bank.root, "--json")
    rows = {row["topic"]: row for row in json.loads(result.output)}
    assert rows["model.xai"]["mcq"] == 2 and rows["model.xai"]["difficulty"] == {"1": 1, "2": 0, "3": 0, "4": 0, "5": 1}
    assert rows["data.cleaning"]["essay"] == 1 and rows["trend.recent"]["mcq"] == 0
    table = run("stats", "--bank", bank.root).output
    xai_line = next(line for line in table.splitlines() if line.strip().startswith("model.xai"))
    assert "XAI" in xai_line and xai_line.split()[2:6] == ["2", "·", "·", "2"]


def test_new_writes_a_valid_commented_skeleton_and_never_overwrites(bank, run):
    for kind in ("mcq", "short", "essay"):
        result = run("new", "--bank", bank.root, "--type", kind, "--topic", "model.xai")
        assert result.exit_code == 0, result.output
    created = sorted(p.name for p in (bank.root / "questions" / "model").iterdir())
    assert created == ["xai-essay-001.md", "xai-mcq-001.md", "xai-short-001.md"]
    assert "# 1 쉬움" in (bank.root / "questions/model/xai-mcq-001.md").read_text(encoding="utf-8")
    assert run("validate", "--bank", bank.root).exit_code == 0
    again = run("new", "--bank", bank.root, "--type", "mcq", "--topic", "model.xai")
    assert "xai-mcq-002.md" in again.output
    taken = run("new", "--bank", bank.root, "--type", "mcq", "--topic", "model.xai", "--id", "xai-mcq-001")
    assert taken.exit_code == 1 and "already used" in taken.output
    lint = run("lint", "--bank", bank.root)
    assert "still contains the skeleton's TODO markers" in lint.output


def test_new_refuses_an_unknown_topic(bank, run):
    result = run("new", "--bank", bank.root, "--type", "mcq", "--topic", "model.xia")
    assert result.exit_code == 1 and "did you mean 'model.xai'" in result.output


def test_schema_accepts_real_front_matter_and_rejects_mistakes(run):
    schema = json.loads(run("schema").output)
    good = yaml.safe_load(MCQ.format(id="q-1", topic="model.xai", difficulty=2, answer=3).split("---\n")[1])
    jsonschema.validate(good, schema)
    for bad in ({**good, "dificulty": 2}, {**good, "type": "mc"}, {**good, "difficulty": 9}):
        try:
            jsonschema.validate(bad, schema)
        except jsonschema.ValidationError:
            continue
        raise AssertionError(f"schema accepted {bad}")


def test_lint_finds_reworded_duplicates_unless_grouped(bank, run):
    stem = "배치 정규화를 추론 단계에서 적용할 때 사용하는 통계량으로 옳은 것은?"
    reworded = "추론 단계에서 배치 정규화를 적용할 때 사용하는 통계량으로 옳은 것은 무엇인가?"
    for qid, text in (("bn-a", stem), ("bn-b", reworded)):
        path = bank.add("mcq", qid)
        path.write_text(path.read_text(encoding="utf-8").replace(f"{qid} 문항에 대한 설명으로 옳은 것은?", text)
                        .replace(f"선택지 {qid}\n", "선택지 통계\n"), encoding="utf-8")
    bank.add("mcq", "other", topic="data.collection")
    output = run("lint", "--bank", bank.root).output
    assert "bn-b.md" in output and "near-duplicate of bn-a" in output
    assert "other" not in output.split("near-duplicate")[0].split("\n")[-1]
    for qid in ("bn-a", "bn-b"):
        path = bank.root / "questions" / "model" / f"{qid}.md"
        path.write_text(path.read_text(encoding="utf-8").replace("points: 3\n", "points: 3\ngroup: bn-inference\n"),
                        encoding="utf-8")
    assert "near-duplicate" not in run("lint", "--bank", bank.root).output


def test_lint_flags_missing_explanation_give_away_choices_and_answer_spread(bank, run):
    path = bank.add("mcq", "give-away", answer=1)
    text = path.read_text(encoding="utf-8").replace(
        "첫 번째 선택지 give-away", "학습 중에는 미니배치 통계를, 추론 중에는 이동 평균으로 누적한 통계를 사용한다")
    path.write_text(text.split("## 해설")[0], encoding="utf-8")
    output = run("lint", "--bank", bank.root, "--strict")
    assert output.exit_code == 1
    assert "give-away.md:13: 해설: MCQ without '## 해설'" in output.output
    assert "give-away.md:7: choices: the correct choice is by far the longest" in output.output
    assert "answer positions are unevenly spread (① 1 (100%)" in output.output


def test_lint_notes_pinned_answers_that_pile_up(bank, run):
    for number in range(10):
        bank.add("mcq", f"pinned-{number}", answer=3 if number < 6 else number % 5 + 1,
                 extra="shuffle_choices: false\n")
    output = run("lint", "--bank", bank.root).output
    assert "answers of MCQs with shuffle_choices: false pile up" in output and "③ 7 (70%)" in output


def test_lint_flags_hangul_inside_math(bank, run):
    path = bank.add("mcq", "korean-math")
    path.write_text(path.read_text(encoding="utf-8").replace("옳은 것은?", "옳은 것은? $\\frac{\\text{바이트}}{N}$"),
                    encoding="utf-8")
    assert "korean-math.md:2: math: Hangul inside math cannot be printed" in run("lint", "--bank", bank.root).output
    # a \text{…} run at the formula's top level prints in the body font: nothing to say
    path.write_text(path.read_text(encoding="utf-8").replace("\\frac{\\text{바이트}}{N}", "16N \\text{ 바이트}"),
                    encoding="utf-8")
    assert "Hangul inside math" not in run("lint", "--bank", bank.root).output
