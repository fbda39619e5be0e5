"""`mockexam grade`: scoring per form, outputs, bad responses, template, bank statistics."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from generator.assemble.manifest import read_manifest
from generator.bank.loader import load_bank
from generator.grade import bankstats
from generator.grade.keys import exam_key
from generator.grade.observed import with_observed_difficulty
from generator.grade.responses import read_responses
from generator.grade.results import grade_class
from generator.grade.run import stats_records
from generator.grade.scoring import grade_rows
from generator.grade.simulate import simulate, write_responses

BLUEPRINT = """\
title: 채점 시험
session: 제2회
duration_minutes: 30
forms: [A, B]
seed: 4
sections:
  - {{type: mcq, count: 6, points: 2}}
  - {{type: short, count: 1}}
  - {{type: essay, count: 1}}
{extra}
"""


def build_exam(bank, run, tmp_path: Path, extra: str = "") -> Path:
    for index in range(8):
        bank.add("mcq", f"g-mcq-{index}", topic="model.training" if index % 2 else "data.cleaning",
                 answer=index % 5 + 1)
    bank.add("short", "g-short-0", topic="model.training")
    bank.add("essay", "g-essay-0", topic="model.training")
    blueprint = tmp_path / "grade.yaml"
    blueprint.write_text(BLUEPRINT.format(extra=extra), encoding="utf-8")
    result = run("build", blueprint, "--bank", bank.root, "--out", tmp_path / "out", "--no-render")
    assert result.exit_code == 0, result.output
    return tmp_path / "out" / "grade-4"


def pdf_pages(pdf: Path) -> list[str]:
    """Each page's text as poppler reads it (a 성적표 sets numbers one character piece at a time, which poppler
    joins by position), without word joiners and no-break spaces."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [page.replace("\u2060", "").replace("\xa0", " ") for page in text.split("\f")[:-1]]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\ufeff" + "\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    return path


HEADER = ["student_id", "form", "copy", *map(str, range(1, 9))]


def key_row(key, form: str) -> list[str]:
    """The printed key of a form as a row's answer cells, full marks on the written questions."""
    sheet = key.forms[form]
    return [str(i.answer) if i.answer is not None else f"{i.points:g}" for i in sheet.items]


def test_each_student_is_scored_against_the_key_of_their_own_form(bank, run, tmp_path):
    exam = build_exam(bank, run, tmp_path)
    key = exam_key(read_manifest(exam / "manifest.json"))
    assert key.forms["A"].items[0].question_id != key.forms["B"].items[0].question_id or \
        [i.answer for i in key.forms["A"].items] != [i.answer for i in key.forms["B"].items]
    path = write_csv(exam / "scans" / "responses.csv", [
        HEADER, ["1", "A", "", *key_row(key, "A")], ["2", "B", "", *key_row(key, "B")],
        ["3", "B", "", *key_row(key, "A")],
    ])
    scores = grade_rows(read_responses(path), key)
    total = key.total_points
    assert [s.total for s in scores[:2]] == [total, total]
    # B-form student answering with A's key: right only where both forms print the same answer at that number
    b, a = key.forms["B"], key.forms["A"]
    expected = sum(bi.points for bi, ai in zip(b.items, a.items)
                   if bi.answer is None or (ai.answer is not None and b.by_number[bi.number].choice_order[ai.answer - 1]
                                            == bi.choice_order[bi.answer - 1]))
    assert scores[2].total == expected < total


def test_grade_writes_every_result_and_bank_statistics_without_touching_the_rest(bank, run, tmp_path):
    exam = build_exam(bank, run, tmp_path)
    key = exam_key(read_manifest(exam / "manifest.json"))
    write_responses(simulate(key, 4, seed=2), exam / "scans" / "responses.csv")
    before = sorted(p.relative_to(exam) for p in exam.rglob("*"))
    result = run("grade", exam, "--bank", bank.root)
    assert result.exit_code == 0, result.output
    after = sorted(p.relative_to(exam) for p in exam.rglob("*") if not p.is_relative_to(exam / "results"))
    assert after == before
    results = exam / "results"
    assert {p.name for p in results.iterdir()} == {"scores.csv", "scores.xlsx", "items.csv", "class-report.pdf",
                                                   "class-report.html", "students"}
    scores = (results / "scores.csv").read_bytes()
    assert scores.startswith(b"\xef\xbb\xbf") and "수험번호,성명,문형,원점수,석차,백분위".encode() in scores
    pdfs = sorted((results / "students").glob("*.pdf"))
    assert len(pdfs) == 4
    text = "".join(pdf_pages(pdfs[0]))
    assert "개인 성적표" in text and "30101" in text and "학급 정답률" in text
    from openpyxl import load_workbook

    book = load_workbook(results / "scores.xlsx")
    assert [c.value for c in book["성적"][1]][:6] == ["수험번호", "성명", "문형", "원점수", "석차", "백분위"]
    assert "문항분석" in book.sheetnames
    assert "문항 분석표" in (results / "class-report.html").read_text(encoding="utf-8").replace("\u2060", "")
    class_text = "".join(p.extract_text() for p in PdfReader(results / "class-report.pdf").pages).replace("\u2060", "")
    assert "학급 성적 분석" in class_text and "Cronbach" in class_text
    stats_file = bank.root / "stats" / "item-stats.jsonl"
    lines = stats_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 8 and {json.loads(line)["exam"] for line in lines} == {"grade-4"}
    # grading again replaces this exam's records, never doubles them; other exams' records stay
    records = bankstats.read_records(bank.root)
    other = [{**r, "exam": "other-1"} for r in records[:3]]
    again = bankstats.merged_text([*other, *records], "grade-4", records)
    assert len(again.splitlines()) == 11 and again.count('"exam": "grade-4"') == 8
    listing = run("list", "--bank", bank.root)
    assert " p " in listing.output.splitlines()[0] + " " and " D " in listing.output.splitlines()[0] + " "


def test_doubtful_marks_stop_grading_with_the_list_to_review(bank, run, tmp_path):
    exam = build_exam(bank, run, tmp_path)
    key = exam_key(read_manifest(exam / "manifest.json"))
    row = key_row(key, "A")
    write_csv(exam / "scans" / "responses.csv", [HEADER, ["1", "A", "", *row], ["2", "A", "", "?", *row[1:4], "?",
                                                                               *row[5:]]])
    result = run("grade", exam, "--bank", bank.root)
    assert result.exit_code == 1
    assert "responses.csv:3: 1번: doubtful mark" in result.output and "responses.csv:3: 5번" in result.output
    assert "2 doubtful mark(s) left to review" in result.output
    assert not (exam / "results").exists() and not (bank.root / "stats").exists()


@pytest.mark.parametrize("change, message", [
    (lambda r: r.__setitem__(0, "9"), "responses.csv:2: 수험번호: unknown 수험번호 9: not on the roster"),
    (lambda r: r.__setitem__(3, "6"), "responses.csv:2: 1번: choice 6 does not exist"),
    (lambda r: r.__setitem__(1, "C"), "responses.csv:2: 문형: form 'C' does not exist"),
    (lambda r: r.__setitem__(10, "99"), "responses.csv:2: 8번: score 99 is above the maximum 10"),
    (lambda r: r.__setitem__(3, "x"), "responses.csv:2: 1번: 'x' is not a choice number"),
])
def test_bad_responses_name_file_and_row_and_write_nothing(bank, run, tmp_path, change, message):
    exam = build_exam(bank, run, tmp_path)
    key = exam_key(read_manifest(exam / "manifest.json"))
    row = ["1", "A", "", *key_row(key, "A")]
    change(row)
    write_csv(exam / "scans" / "responses.csv", [HEADER, row, ["2", "B", "", *key_row(key, "B")]])
    roster = write_csv(tmp_path / "roster.csv", [["수험번호", "성명"], ["1", "김하나"], ["2", "이둘"]])
    result = run("grade", exam, "--bank", bank.root, "--roster", roster)
    assert result.exit_code == 1
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert not (exam / "results").exists() and not (bank.root / "stats").exists()


def test_a_student_twice_is_reported_with_both_rows(bank, run, tmp_path):
    exam = build_exam(bank, run, tmp_path)
    key = exam_key(read_manifest(exam / "manifest.json"))
    write_csv(exam / "scans" / "responses.csv", [HEADER, ["7", "A", "", *key_row(key, "A")],
                                                 ["7", "B", "", *key_row(key, "B")]])
    result = run("grade", exam, "--bank", bank.root)
    assert result.exit_code == 1
    assert "responses.csv:3: 수험번호: student 7 appears twice (row 2 and row 3)" in result.output


def test_typed_template_with_a_roster_round_trips(bank, run, tmp_path):
    from openpyxl import load_workbook

    exam = build_exam(bank, run, tmp_path)
    key = exam_key(read_manifest(exam / "manifest.json"))
    roster = write_csv(tmp_path / "roster.csv", [["수험번호", "성명", "문형"], ["0101", "김하나", "A"],
                                                 ["0102", "이둘", "B"]])
    sheet = tmp_path / "responses.xlsx"
    result = run("grade", exam, "--bank", bank.root, "--template", sheet, "--roster", roster)
    assert result.exit_code == 0, result.output
    book = load_workbook(sheet)
    ws = book["응답"]
    assert [c.value for c in ws[1]][:4] == ["수험번호", "성명", "문형", 1]
    assert [ws.cell(r, 1).value for r in (2, 3)] == ["0101", "0102"]
    assert ws.data_validations.dataValidation  # choices and scores are validated
    for row, form in ((2, "A"), (3, "B")):
        for column, value in enumerate(key_row(key, form), start=4):
            ws.cell(row, column).value = float(value) if "." in value else int(value)
    book.save(sheet)
    assert run("grade", exam, "--bank", bank.root, "--template", sheet).exit_code == 1  # never overwrites
    graded = run("grade", exam, "--bank", bank.root, "--responses", sheet, "--roster", roster)
    assert graded.exit_code == 0, graded.output
    lines = (exam / "results" / "scores.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].startswith(f"0101,김하나,A형,{key.total_points:g},1,")


def test_wrong_answer_penalty_from_the_blueprint(bank, run, tmp_path):
    exam = build_exam(bank, run, tmp_path, extra="scoring: {wrong_penalty: 0.25}")
    key = exam_key(read_manifest(exam / "manifest.json"))
    assert key.wrong_penalty == 0.25
    row = key_row(key, "A")
    wrong = [str(key.forms["A"].items[0].answer % 5 + 1)]
    path = write_csv(tmp_path / "r.csv", [HEADER, ["1", "A", "", *wrong, *row[1:]],
                                          ["2", "A", "", "", *row[1:]], ["3", "A", "", "1|2", *row[1:]]])
    totals = [s.total for s in grade_rows(read_responses(path), key)]
    full = key.total_points
    assert totals == [full - 2 - 0.5, full - 2, full - 2 - 0.5]  # blank: no penalty; several marks: wrong


def test_statistics_feed_lint_list_and_observed_difficulty(bank, run, tmp_path):
    exam = build_exam(bank, run, tmp_path)
    loaded = load_bank(bank.root)
    key = exam_key(read_manifest(exam / "manifest.json"))
    suspect = key.forms["A"].items[0]
    wrong_choice = suspect.bank_choice(suspect.answer % suspect.choice_count + 1)
    rows = simulate(key, 80, seed=1, miskeyed={suspect.question_id: wrong_choice})
    path = write_responses(rows, tmp_path / "responses.csv")
    graded = grade_class(key, loaded, grade_rows(read_responses(path), key))
    text = bankstats.merged_text([], key.exam_id, stats_records(graded, loaded, "2026-11-28"))
    (bank.root / "stats").mkdir()
    (bank.root / "stats" / "item-stats.jsonl").write_text(text, encoding="utf-8")
    lint = run("lint", "--bank", bank.root)
    flagged = [line for line in lint.output.splitlines() if "possible wrong key" in line]
    assert flagged and all(f"{suspect.question_id}.md" in line for line in flagged)
    stats = run("stats", "--bank", bank.root)
    assert "p obs" in stats.output
    pooled = bankstats.observed(bank.root, loaded.questions)
    changed = {q.id: q.difficulty for q in with_observed_difficulty(loaded.questions)}
    for qid, seen in pooled.items():
        assert changed[qid] == seen.level
    # editing the key makes the old records stale: they are ignored
    target = loaded.by_id[suspect.question_id]
    meta = target.meta
    text = target.path.read_text(encoding="utf-8").replace(f"answer: {meta.answer}", f"answer: {wrong_choice + 1}")
    target.path.write_text(text, encoding="utf-8")
    assert suspect.question_id not in bankstats.observed(bank.root, load_bank(bank.root).questions)


def test_named_copies_with_their_own_order_are_graded_by_their_own_key(bank, run, tmp_path):
    build_exam(bank, run, tmp_path, extra="copies: {order: student}")
    roster = write_csv(tmp_path / "roster.csv", [["수험번호", "성명"], ["20301", "김하나"], ["20302", "이둘"]])
    result = run("build", tmp_path / "grade.yaml", "--bank", bank.root, "--out", tmp_path / "named", "--roster", roster,
                 "--no-render")
    assert result.exit_code == 0, result.output
    manifest = read_manifest(tmp_path / "named" / "grade-4" / "manifest.json")
    assert all("order" in copy for copy in manifest["copies"])
    key = exam_key(manifest)
    rows = []
    for copy in manifest["copies"]:
        sheet = key.copies[copy["copy"]]
        rows.append([copy["student_id"], "", "", *[str(i.answer) if i.answer is not None else f"{i.points:g}"
                                                  for i in sheet.items]])
    path = write_csv(tmp_path / "r.csv", [HEADER, *rows])
    scores = grade_rows(read_responses(path), key)
    assert [s.total for s in scores] == [key.total_points] * 2  # found by 수험번호, no form or copy column needed
    first = key.copies[manifest["copies"][0]["copy"]]
    assert [i.question_id for i in first.items] != [i.question_id for i in key.forms["A"].items] or \
        [i.answer for i in first.items] != [i.answer for i in key.forms["A"].items]


def test_missing_scans_and_cp949_sheets_get_a_clear_message(bank, run, tmp_path):
    exam = build_exam(bank, run, tmp_path)
    result = run("grade", exam, "--bank", bank.root)
    assert result.exit_code == 1 and "no scanned responses" in result.output and "--template" in result.output
    typed = tmp_path / "typed.csv"
    typed.write_bytes("수험번호,문형,1\n1,A,3\n".encode("cp949"))
    result = run("grade", exam, "--bank", bank.root, "--responses", typed)
    assert result.exit_code == 1 and "not UTF-8" in result.output and "iconv -f cp949" in result.output
    assert not (exam / "results").exists()


def test_student_report_is_composed_from_the_graded_result(bank, run, tmp_path):
    """Each 성적표 shows its student's numbers, every wrong question's head line and a footer on every page."""
    from generator.grade.run import grade_exam

    exam = build_exam(bank, run, tmp_path)
    key = exam_key(read_manifest(exam / "manifest.json"))
    write_responses(simulate(key, 5, seed=4), exam / "scans" / "responses.csv")
    outcome = grade_exam(exam, load_bank(bank.root))
    for result in outcome.graded.students:
        score = result.score
        pdf = outcome.folder / "students" / f"성적표-{score.student_id}.pdf"
        pages = pdf_pages(pdf)
        assert all(round(float(p.mediabox.width)) == 595 for p in PdfReader(pdf).pages)
        assert all(f"수험번호 {score.student_id}" in page for page in pages)
        assert all(f"{score.sheet.label}" in page for page in pages[:1])
        text = " ".join(" ".join(pages).split())
        assert "· 영역" not in text.replace("· 영역별", "")
        # poppler reads the small " / n" after the big rank with or without spaces, depending on position
        assert "석차" in text and f"{result.rank}/{outcome.graded.analysis.test.n}" in text.replace(" ", "")
        wrong = [item.number for item in score.sheet.items
                 if not ((a := score.answers.get(item.question_id)) is not None and a.correct)]
        assert f"틀린 문항 {len(wrong)}개" in text
        for number in wrong:
            assert f"{number}번 정답" in text
