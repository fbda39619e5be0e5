"""`validate` rejects what would print wrong, or what the loader would silently misread: one test per rule,
each checking the file:line, the field and that the message says what to do."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest
from conftest import MCQ
from PIL import Image


def problems(result) -> list[str]:
    return [line for line in result.output.splitlines() if re.match(r"^\S+:\d+: ", line)]


def mcq(**changes: str) -> str:
    text = MCQ.format(id="q-mcq", topic="model.training", difficulty=3, answer=2)
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


STEM = "q-mcq 문항에 대한 설명으로 옳은 것은?"  # file line 15; ## 해설 is line 17


def one_problem(bank, run, text: str | bytes, name: str = "broken.md") -> tuple[str, int, str, str]:
    """Write one file, validate, and return (file name, line, field, message) of its single problem."""
    bank.write(name, text)
    result = run("validate", "--bank", bank.root)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    found = problems(result)
    assert len(found) == 1, result.output
    location, field, message = found[0].split(": ", 2)
    path, line = location.rsplit(":", 1)
    return path.rsplit("/", 1)[-1], int(line), field, message


@pytest.mark.parametrize(
    "changes, line, field, expected",
    [
        ({STEM: STEM + "\n\n# 해설\n정답은 2번이다."}, 17, "body", "write '## 해설'"),
        ({STEM: "# 문제\n" + STEM}, 15, "body", "headings in the text start at '###'"),
        ({STEM: STEM + "\n\n### 정답\n②"}, 17, "body", "would print the answer in the booklet"),
        ({STEM: STEM + "\n\n### 해설\n설명"}, 17, "body", "write '## 해설' to start the section"),
        ({STEM: STEM + "\n\n```python\nx = 1\n"}, 17, "body", "code block (```python) opened here is never closed"),
        ({STEM: STEM + "\n\n```보기\nㄱ. 가\nㄴ. 나\n"}, 17, "body", "box opened here is never closed"),
        ({"difficulty: 3\n": "difficulty: 3\npoints: 4\n"}, 7, "points", "appears twice (also on line 6)"),
        ({"answer: 2": "answer: ③"}, 13, "answer", "write the number 3, not ③"),
        ({"answer: 2": "answer: 0"}, 13, "answer", "answers count from 1"),
        ({"answer: 2": "answer: [2, 4]"}, 13, "answer", "exactly one correct answer, not [2, 4]: write one number"),
        ({"answer: 2": "answer: 2번"}, 13, "answer", "write just the number: answer: 2"),
        ({"  - 세 번째": "  - `x` 세 번째"}, 10, "front matter", "must be quoted: - \"`SELECT` 문\""),
        ({"  - 세 번째 선택지 q-mcq": "  - [2, 4]"}, 10, "choices.2", "quote it: - \"[2, 4]\""),
        ({"points: 3": "points: 100000000000000000000000000"}, 6, "points", "is too large"),
        ({"points: 3": "points: 10^26"}, 6, "points", "greater than 0 and at most 1000"),
        ({"points: 3": "points: 0"}, 6, "points", "greater than 0"),
        ({"points: 3": "points: .nan"}, 6, "points", "at most 1000"),
        ({"points: 3": "points: 2.555"}, 6, "points", "more than two decimals"),
        ({"difficulty: 3": "difficulty: 6"}, 5, "difficulty", "from 1 (쉬움) to 5 (어려움)"),
        ({"  - 첫 번째 선택지 q-mcq": "  - TODO 첫 번째 선택지"}, 8, "TODO", "replace each TODO with your text"),
        ({STEM: "TODO 문제를 쓰세요."}, 15, "TODO", "TODO markers are still there (lines 15)"),
        ({STEM: STEM + " $\\frac{1}{$"}, 15, "math", "the math engine cannot typeset"),
        ({STEM: STEM + " $x^$"}, 15, "math", "cannot typeset"),
        ({STEM: STEM + " $\\sofmax(x)$"}, 15, "math", "unknown math command \\sofmax"),
        ({STEM: STEM + "\n\n![그림](https://example.com/a.png)"}, 17, "image", "remote image"),
        ({STEM: STEM + "\n\n![그림](img/none.png)"}, 17, "image", "image not found: img/none.png"),
        ({STEM: STEM + "\n\n![그림](../../../outside.png)"}, 17, "image", "outside the bank folder"),
        ({STEM: STEM + "\n\n![그림](img/notes.txt)"}, 17, "image", "use one of gif, jpeg, jpg, png, svg, webp"),
        ({STEM: STEM + "\n\n![그림](img/broken.png)"}, 17, "image", "not a decodable image"),
        ({STEM: STEM + "\n\n![그림](img/huge.png)"}, 17, "image", "megapixels"),
        ({STEM: STEM + "\n\n![그림](img/big.jpg)"}, 17, "image", "(limit 5 MB)"),
        ({STEM: STEM + "\n\n![그림](img/bad.svg)"}, 17, "image", "not a readable SVG"),
        ({STEM: STEM + "\x00"}, 15, "characters", "U+0000 (NUL)"),
        ({"첫 번째": "첫\x1b 번째"}, 8, "characters", "U+001B"),
    ],
    ids=["h1-section", "h1", "h3-answer", "h3-section", "open-code", "open-bogi", "duplicate-key", "circled-answer",
         "answer-zero", "answer-list", "answer-beon", "backtick-choice", "list-choice", "huge-points", "caret-points",
         "zero-points", "nan-points", "decimals", "difficulty", "todo-choice", "todo-stem", "math-brace",
         "math-script", "math-command", "remote-image", "missing-image", "outside-image", "image-type",
         "broken-image", "image-pixels", "image-bytes", "bad-svg", "nul", "escape"],
)
def test_each_new_rule_gives_one_actionable_message(bank, run, tmp_path, changes, line, field, expected):
    if field == "image":
        _write_images(bank.root / "questions" / "model" / "img", tmp_path)
    name, got_line, got_field, message = one_problem(bank, run, mcq(**changes))
    assert (name, got_line, got_field) == ("broken.md", line, field), message
    assert expected in message


def _write_images(img, outside) -> None:
    img.mkdir(parents=True)
    (img / "notes.txt").write_text("not an image")
    (img / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20)
    Image.new("1", (6000, 5000)).save(img / "huge.png")  # 30 megapixels, yet a small file
    (img / "big.jpg").write_bytes(b"\xff\xd8" + os.urandom(5_100_000))
    (img / "bad.svg").write_text("<svg><g></svg>")
    (outside / "outside.png").write_bytes(_png())


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "PNG")
    return buffer.getvalue()


def test_good_images_math_and_fences_pass(bank, run):
    img = bank.root / "questions" / "model" / "img"
    img.mkdir(parents=True)
    (img / "plot.png").write_bytes(_png())
    (img / "d.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    body = (STEM + " $\\hat{y} = \\mathrm{softmax}(Wx + b)$\n\n![그래프](img/plot.png) ![도식](img/d.svg)\n\n"
            "````markdown\n```python\n# 주석\n```\n````\n\n```보기\nㄱ. $x^2$\nㄴ. 나\n```\n\n### 조건\n"
            "- # 은 주석 기호이다\n")
    bank.write("good.md", mcq(**{STEM: body}))
    result = run("validate", "--bank", bank.root)
    assert result.exit_code == 0, result.output


def test_a_formula_typeset_once_is_not_typeset_again(bank, run, monkeypatch):
    from generator.bank import checks

    bank.write("m.md", mcq(**{STEM: STEM + " $\\sqrt{a^2 + b^2}$"}))
    assert run("validate", "--bank", bank.root).exit_code == 0
    checks._MEMORY.clear()  # a new process: only the disk cache is left

    def fail(*_args):
        raise AssertionError("typeset again")

    monkeypatch.setattr(checks, "_typeset_problem", fail)
    assert run("validate", "--bank", bank.root).exit_code == 0


def test_a_question_file_outside_questions_is_reported(bank, run):
    bank.add("mcq", "q-ok")
    (bank.root / "stray.md").write_text(mcq(), encoding="utf-8")
    (bank.root / "README.md").write_text("# 내 문제은행\n", encoding="utf-8")
    (bank.root / "notes.md").write_text("그냥 메모\n", encoding="utf-8")
    result = run("validate", "--bank", bank.root)
    assert result.exit_code == 1
    (line,) = problems(result)
    assert line.endswith("never used: move it to questions/<area>/ (e.g. questions/data/stray.md)")
    assert "stray.md:1: file: a question file outside questions/" in line


def test_a_file_over_the_size_limit_is_refused_without_parsing(bank, run):
    text = mcq(**{STEM: STEM + "\n\n" + "가" * 400_000})  # 1.2 MB of UTF-8
    name, line, field, message = one_problem(bank, run, text)
    assert (line, field) == (1, "file") and "larger than 1 MB" in message


def test_a_fifo_named_md_is_skipped_with_a_warning(bank):
    bank.add("mcq", "q-ok")
    os.mkfifo(bank.root / "questions" / "model" / "pipe.md")
    result = subprocess.run([sys.executable, "-m", "generator", "validate", "--bank", str(bank.root)],
                            capture_output=True, text=True, timeout=120)  # opening the FIFO would block forever
    assert result.returncode == 0, result.stderr
    assert "1 questions OK" in result.stdout
    assert "warning: " in result.stderr and "pipe.md:1: file: skipped: not a regular file" in result.stderr


def test_deeply_nested_yaml_gets_a_message_not_a_traceback(bank, run):
    deep = "---\nid: deep\ntype: mcq\nchoices:\n" + "".join("  " * i + "-\n" for i in range(1, 600)) + "---\n본문\n"
    name, line, field, message = one_problem(bank, run, deep)
    assert field == "front matter" and "nested too deeply" in message


def test_points_may_have_decimals_and_print_as_written(bank, run):
    import json

    bank.write("half.md", mcq(**{"points: 3": "points: 2.5"}))
    bank.add("mcq", "whole")
    result = run("validate", "--bank", bank.root)
    assert result.exit_code == 0, result.output
    records = {r["id"]: r for r in json.loads(run("list", "--bank", bank.root, "--json").output)}
    assert records["q-mcq"]["points"] == 2.5 and records["whole"]["points"] == 3
    table = run("list", "--bank", bank.root).output
    assert re.search(r"q-mcq .* 2\.5 ", table) and re.search(r"whole .* 3 ", table) and "3.0" not in table


@pytest.mark.parametrize("count", [2, 3, 4, 5])
def test_mcqs_with_two_to_five_choices_are_valid(bank, run, count):
    choices = "".join(f"  - 선택지 {n}\n" for n in range(1, count + 1))
    text = ("---\nid: q-n\ntype: mcq\ntopic: model.training\ndifficulty: 3\npoints: 2\nchoices:\n" + choices
            + f"answer: {count}\n---\n문제?\n\n## 해설\n설명.\n")
    bank.write("q-n.md", text)
    assert run("validate", "--bank", bank.root).exit_code == 0


def test_six_choices_are_refused(bank, run):
    choices = "".join(f"  - 선택지 {n}\n" for n in range(1, 7))
    text = "---\nid: q-n\ntype: mcq\ntopic: model.training\ndifficulty: 3\npoints: 2\nchoices:\n" + choices + \
        "answer: 1\n---\n문제?\n"
    name, line, field, message = one_problem(bank, run, text)
    assert (line, field) == (7, "choices") and "at most 5" in message


def test_korean_tags_are_allowed(bank, run):
    bank.add("mcq", "q-tag", extra="tags: [정규화, batch-norm, 배치-정규화]\n")
    assert run("validate", "--bank", bank.root).exit_code == 0
    assert "q-tag" in run("list", "--bank", bank.root, "--tag", "정규화").output


def test_lint_measures_the_answer_spread_over_four_positions_in_a_four_choice_bank(bank, run):
    def four_choice(qid: str, answer: int) -> str:
        choices = "".join(f"  - {qid} 선택지 {n}\n" for n in range(1, 5))
        return (f"---\nid: {qid}\ntype: mcq\ntopic: model.training\ndifficulty: 3\npoints: 2\nchoices:\n{choices}"
                f"answer: {answer}\n---\n{qid} 문제?\n\n## 해설\n설명.\n")

    for number, answer in enumerate((1, 2, 3, 4)):
        bank.write(f"q{number}.md", four_choice(f"q{number}", answer))
    assert "unevenly spread" not in run("lint", "--bank", bank.root).output  # 25 % each is even for 4 choices
    bank.write("q3.md", four_choice("q3", 1))
    output = run("lint", "--bank", bank.root).output
    assert "(① 2 (50%), ② 1 (25%), ③ 1 (25%), ④ 0 (0%)); aim for 19%–31% each" in output and "⑤" not in output
