"""A teacher's own bank prints as written: 4 choices, decimal points, Hangul in math, Korean SQL, wide tables.

The bank in tests/fixtures/teacher_bank is a small 정보처리기사 필기 bank (4-choice questions, 2.5 points each,
forms 홀수형/짝수형). The PDFs are checked through their words' boxes (``pdftotext -bbox``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import PROJECT
from pypdf import PdfReader

from generator.render.code import MARK, MIN_SCALE, CodeBox, cells, scale_for, wrap_tokens
from generator.render.mathtext import MathPart, hangul_left_in_math, split_math_text

FIXTURE = PROJECT / "tests" / "fixtures" / "teacher_bank"
MM = 72 / 25.4
# booklet geometry (booklet.Geometry): 13 mm side margins, two 88 mm columns 8 mm apart
COLUMNS = ((13 * MM, 101 * MM), (109 * MM, 197 * MM))
TOLERANCE = 0.6  # pt


def words(pdf: Path) -> list[list[tuple[str, float, float, float, float]]]:
    """Per page: (text, xMin, yMin, xMax, yMax) of every word, from poppler's pdftotext."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in xhtml.split("<page ")[1:]:
        pages.append([(text, float(x0), float(y0), float(x1), float(y1)) for x0, y0, x1, y1, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page)])
    return pages


def text_of(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages).replace("\u2060", "")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    bank = tmp_path_factory.mktemp("teacher") / "bank"
    shutil.copytree(FIXTURE, bank)
    from click.testing import CliRunner

    from generator.cli import cli

    out = bank.parent / "out"
    result = CliRunner().invoke(cli, ["build", str(bank / "blueprints" / "pilgi.yaml"), "--bank", str(bank),
                                      "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out / "pilgi-3"


def test_booklets_print_what_the_blueprint_and_questions_say(built):
    for form in ("홀수형", "짝수형"):
        text = text_of(built / f"booklet-{form}.pdf")
        assert "정보처리기사 필기 모의고사" in text and "제1과목데이터베이스구축" in text.replace(" ", "")  # letter-spaced
        assert "영역" not in text and "AI 전문가" not in text, "invented title text"
        assert f"{form}형" not in text and form in text  # 홀수형, not 홀수형형
        assert "①~④ 중에서" in text and "①~⑤" not in text
        assert "8문항 · 20점 만점" in text and "(8문항, 20점)" in text
        assert text.count("[2.5점]") == 8
        assert "SELECT 이름 FROM 학생" in text  # Korean identifiers in code print as text
        assert "정수인 키이다" in text and "원소 수" in text  # Hangul from \text{…} inside math
        assert "단답형" not in text and "서술형" not in text, "instructions for sections the exam does not have"
    key = text_of(built / "key.pdf")
    assert "[2.5점]" in key and "20점 만점" in key and "영역" not in key


def test_nothing_leaves_its_column(built):
    for form in ("홀수형", "짝수형"):
        pages = words(built / f"booklet-{form}.pdf")
        for number, page in enumerate(pages, 1):
            # below the title block (page 1) or the running head, above the page number
            top = min(y0 for text, _, y0, _, _ in page if text == "객관식") if number == 1 else 16 * MM
            body = [w for w in page if w[2] >= top - 1 and w[4] <= 281 * MM]
            assert len(body) > 20
            for text, x0, _, x1, _ in body:
                assert any(left - TOLERANCE <= x0 and x1 <= right + TOLERANCE for left, right in COLUMNS), \
                    f"{form} page {number}: {text!r} ({x0:.1f}–{x1:.1f} pt) leaves its column"


def test_answer_sheet_has_exactly_four_bubble_columns(built):
    for form, mark in (("홀수형", "홀"), ("짝수형", "짝")):
        (page,) = words(built / f"answer-sheet-{form}.pdf")
        numbers = [w for w in page if w[0] == "문번"]
        panel_x, header_y = numbers[0][3], numbers[0][2]
        head = [w for w in page if w[0] in ("답", "란") and abs(w[2] - header_y) < 1 and w[1] > panel_x]
        bubbles = [w for w in page if w[1] > panel_x and w[2] > header_y + 5 and w[0].isdigit()
                   and w[4] - w[2] < 7.5]  # bubble labels: small type
        rows: dict[float, list[str]] = {}
        for text, _, y0, _, _ in bubbles:
            rows.setdefault(round(y0), []).append(text)
        assert len(rows) == 8 and all(labels == ["1", "2", "3", "4"] for labels in rows.values()), rows
        # the 답 란 heading spans exactly the bubble columns (an empty fifth column would shift it)
        heading = (min(w[1] for w in head) + max(w[3] for w in head)) / 2
        columns = sorted({round((x0 + x1) / 2, 1) for _, x0, _, x1, _ in bubbles})
        assert abs(heading - (columns[0] + columns[-1]) / 2) < 2.5
        texts = [w[0] for w in page]
        assert "홀수형" in texts and "짝수형" in texts and mark in texts  # bubble mark and full name
        assert not any("영역" in t for t in texts)


def test_manifest_records_decimal_points(built):
    import json

    data = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert data["total_points"] == 20
    assert {item["points"] for s in data["forms"][0]["sections"] for item in s["items"]} == {2.5}
    assert all(len(item["choice_order"]) == 4 for item in data["forms"][0]["sections"][0]["items"])


def test_html_prints_hangul_math_text_and_code_without_error_boxes(built):
    html = (built / "exam.html").read_text(encoding="utf-8")
    assert '<span class="math-text">(단, </span>' in html.replace("\u2060", "")
    assert "border: 1px solid #FF0000" not in html  # Pygments' error-token style
    assert "①~④" in html


def test_lint_reports_code_lines_the_booklet_breaks(run, tmp_path):
    bank = tmp_path / "bank"
    shutil.copytree(FIXTURE, bank)
    output = run("lint", "--bank", bank).output
    assert re.search(r"sql-korean-select\.md:17: code: code line is 117 columns wide; the booklet fits \d+", output)
    assert "test-boundary.md:18: code:" in output
    assert "Hangul inside math" not in output  # \text{단, …} at the top level prints fine
    assert "⑤" not in output  # a 4-choice bank is not told to use ⑤


# --- units ------------------------------------------------------------------------------------------------

def test_hangul_text_runs_are_cut_out_of_the_formula():
    assert split_math_text(r"\text{(단, } k \text{는 정수)}") == [
        MathPart("(단, ", True), MathPart(" k "), MathPart("는 정수)", True)]
    assert split_math_text(r"x^2 + \text{ if } y") == [MathPart(r"x^2 + \text{ if } y")]  # no Hangul: untouched
    assert split_math_text(r"\frac{\text{합계}}{n}") == [MathPart(r"\frac{\text{합계}}{n}")]
    assert hangul_left_in_math(r"\frac{\text{합계}}{n}") and not hangul_left_in_math(r"n \text{개}")


def test_code_shrinks_before_it_breaks_and_breaks_between_tokens():
    box = CodeBox(60.0)
    full = box.columns()
    assert scale_for(["x" * full], box) == 1.0
    assert MIN_SCALE < scale_for(["x" * (full + 5)], box) < 1.0
    assert scale_for(["x" * 400], box) == MIN_SCALE
    tokens = [("kw", "SELECT"), ("ws", " "), ("name", "학과코드"), ("ws", " "), ("kw", "FROM"), ("ws", " "),
              ("name", "학생")]
    wrapped = "".join(value for _, value in wrap_tokens(tokens, 15))
    assert wrapped == f"SELECT 학과코드\n{MARK}FROM 학생"  # never inside 학과코드, and the break is marked
    assert all(cells(line.replace(MARK, "  ")) <= 15 for line in wrapped.split("\n"))
