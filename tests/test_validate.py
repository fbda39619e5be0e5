"""`mockexam validate`: every mistake is reported once, as path:line: field: message, exit 1, no traceback."""

from __future__ import annotations

import re

import pytest
from conftest import ESSAY, MCQ, SHORT


def problems(result) -> list[str]:
    return [line for line in result.output.splitlines() if re.match(r"^\S+\.md:\d+: ", line)]


def test_valid_bank_prints_counts_by_type(bank, run):
    bank.add("mcq", "q-one")
    bank.add("short", "q-two")
    bank.add("essay", "q-three")
    result = run("validate", "--bank", bank.root)
    assert result.exit_code == 0
    assert "3 questions OK (1 mcq, 1 short, 1 essay)" in result.output


def mcq_with(**changes: str) -> str:
    text = MCQ.format(id="q-mcq", topic="model.training", difficulty=3, answer=2)
    for old, new in changes.items():
        text = text.replace(old.replace("_", " "), new)
    return text


@pytest.mark.parametrize(
    "text, line, field, message",
    [
        ("---\nid: a\ntype: mcq\n  topic: [x\n---\n본문", 4, "front matter", "invalid YAML"),
        ("그냥 본문만 있는 파일\n", 1, "front matter", "no front matter"),
        (mcq_with(**{"type: mcq": "type: mc"}), 3, "type", "unknown type 'mc' (did you mean 'mcq'?)"),
        (mcq_with(**{"difficulty: 3": "dificulty: 3"}), 5, "dificulty", "unknown key 'dificulty' (did you mean 'difficulty'?)"),
        (mcq_with(**{"points: 3\n": ""}), 2, "points", "missing required key 'points'"),
        (mcq_with(**{"topic: model.training": "topic: model.train"}), 4, "topic", "unknown topic 'model.train' (did you mean 'model.training'?)"),
        (mcq_with(**{"topic: model.training": "topic: model"}), 4, "topic", "the leaves of 'model' are"),
        (mcq_with(**{"answer: 2": "answer: 7"}), 13, "answer", "answer 7 is out of range: there are 5 choices"),
        (mcq_with(**{"두 번째 선택지 q-mcq": "첫 번째 선택지 q-mcq"}), 9, "choices.1", "choice 2 repeats an earlier choice"),
        ("---\nid: q-mcq\ntype: mcq\ntopic: model.training\ndifficulty: 3\npoints: 3\nchoices: [하나]\nanswer: 1\n---\n문제?\n",
         7, "choices", "at least 2 items"),
        (SHORT.format(id="q-s", topic="model.training", difficulty=2).replace("[교차 검증, Cross-validation]", "[]"),
         7, "answers", "at least 1 item"),
        (ESSAY.format(id="q-e", topic="model.training", difficulty=4).replace("score: 4", "score: 3"),
         7, "rubric", "rubric scores add up to 9, but points is 10"),
        (mcq_with().split("---\n")[0] + "---\n" + mcq_with().split("---\n")[1] + "---\n\n## 해설\n설명만 있다.\n",
         15, "body", "the question text is empty"),
        (mcq_with(**{"## 해설": "## 풀이"}), 17, "body", "unknown section '## 풀이'"),
    ],
    ids=["yaml", "no-front-matter", "unknown-type", "unknown-key", "missing-key", "topic-typo", "topic-area",
         "answer-range", "duplicate-choice", "too-few-choices", "no-short-answer", "rubric-sum", "empty-text",
         "unknown-section"],
)
def test_each_mistake_gets_one_clear_message(bank, run, text, line, field, message):
    path = bank.write("broken.md", text)
    result = run("validate", "--bank", bank.root)
    assert result.exit_code == 1
    found = problems(result)
    assert len(found) == 1, result.output
    location, rest = found[0].split(": ", 1)
    assert location.endswith(f"{path.name}:{line}")
    assert rest.startswith(f"{field}: ")
    assert message in rest
    assert "Traceback" not in result.output


def test_duplicate_id_names_both_files(bank, run):
    first = bank.add("mcq", "same-id")
    bank.write("other.md", MCQ.format(id="same-id", topic="model.xai", difficulty=2, answer=1))
    result = run("validate", "--bank", bank.root)
    assert result.exit_code == 1
    (line,) = problems(result)
    assert ":2: id: id 'same-id' is already used by " in line
    assert first.name in line and "other.md" in line


def test_cp949_file_is_named_with_its_encoding_and_a_fix(bank, run):
    text = MCQ.format(id="q-cp", topic="model.training", difficulty=3, answer=1)
    bank.write("q-cp.md", text.encode("cp949"))
    result = run("validate", "--bank", bank.root)
    assert result.exit_code == 1
    (line,) = problems(result)
    assert "q-cp.md:8: encoding: file is not UTF-8" in line
    assert "CP949/EUC-KR" in line and "iconv -f CP949 -t UTF-8" in line


def test_bom_and_crlf_are_accepted_silently(bank, run):
    text = MCQ.format(id="q-win", topic="model.training", difficulty=3, answer=1).replace("\n", "\r\n")
    bank.write("q-win.md", b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = run("validate", "--bank", bank.root)
    assert result.exit_code == 0, result.output


def test_all_problems_of_a_run_are_reported_at_once(bank, run):
    bank.write("a.md", mcq_with(**{"answer: 2": "answer: 9"}))
    bank.write("b.md", "본문만\n")
    bank.write("c.md", mcq_with(**{"type: mcq": "type: essayy", "id: q-mcq": "id: q-c"}))
    result = run("validate", "--bank", bank.root)
    assert result.exit_code == 1
    assert len(problems(result)) == 3
    assert "3 problems found" in result.output


def test_a_choice_yaml_reads_as_a_mapping_gets_a_quoting_hint(bank, run):
    bank.write("q.md", mcq_with(**{"- 두 번째 선택지 q-mcq": "- 정답: 두 번째"}))
    result = run("validate", "--bank", bank.root)
    (line,) = problems(result)
    assert ":9: choices.1: expected text" in line and "quotes" in line


def test_missing_bank_folder_is_an_error_not_a_traceback(tmp_path, run):
    result = run("validate", "--bank", tmp_path / "nowhere")
    assert result.exit_code == 1
    assert "bank folder not found" in result.output


def test_the_default_bank_is_valid(run):
    result = run("validate")
    assert result.exit_code == 0, result.output
