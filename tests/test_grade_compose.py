"""성적표 composition: numbers and names set from pieces read back right, workers write the same files as one
process, and ``PieceLibrary`` files draw exactly what ``PageWriter`` files draw."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.assemble.manifest import read_manifest
from generator.bank.loader import load_bank
from generator.grade.keys import exam_key
from generator.grade.report import _num, _pct
from generator.grade.runs import flow
from generator.grade.simulate import simulate, write_responses
from generator.render.compose import PX_PER_MM, Box, ComposedPage, PageWriter, Piece, PieceSet, lay_out, rect_ops
from tests.test_grade import build_exam, write_csv

NAMES = ["김하나", "Emma Smith", "Maximilian Alexander Schmidt-Hohenberg", "남궁 민수"]  # Latin: whole pieces
SIDE_TABLE_X_PT = (15 + 87) * 72 / 25.4  # the units table's left edge


def word_lines(pdf: Path, page: int = 1) -> list[list[tuple[float, str]]]:
    """The words of a page as poppler reads them, grouped into lines by their bottoms, left to right."""
    xhtml = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    words = [(float(w.get("yMax", 0)), float(w.get("xMin", 0)), (w.text or "").replace("\u2060", ""))
             for w in ElementTree.fromstring(xhtml).iter("{http://www.w3.org/1999/xhtml}word")]
    lines: list[list[tuple[float, float, str]]] = []
    for word in sorted(words):
        if lines and word[0] - lines[-1][-1][0] < 2.5:  # big and small type in one row differ a little
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted((x, text) for _, x, text in line) for line in lines]


def joined(line: list[tuple[float, str]], min_x: float = 0.0) -> str:
    return " ".join(text for x, text in line if x >= min_x)


@pytest.fixture
def graded_exam(bank, run, tmp_path) -> Path:
    exam = build_exam(bank, run, tmp_path)
    key = exam_key(read_manifest(exam / "manifest.json"))
    write_responses(simulate(key, len(NAMES), seed=5), exam / "scans" / "responses.csv")
    return exam


def roster_for(exam: Path, tmp_path: Path) -> Path:
    import csv

    with (exam / "scans" / "responses.csv").open(encoding="utf-8-sig") as handle:
        ids = [row[0] for row in csv.reader(handle)][1:]
    return write_csv(tmp_path / "roster.csv", [["수험번호", "성명"], *[[i, n] for i, n in zip(ids, NAMES)]])


def test_numbers_and_names_composed_from_pieces_read_back(bank, run, tmp_path, graded_exam):
    from generator.grade.run import grade_exam

    exam = graded_exam
    outcome = grade_exam(exam, load_bank(bank.root), roster=roster_for(exam, tmp_path), jobs=1)
    graded, t = outcome.graded, outcome.graded.analysis.test
    for result in graded.students:
        score = result.score
        pdf = outcome.folder / "students" / f"성적표-{score.student_id}.pdf"
        lines = word_lines(pdf)
        head = next(i for i, line in enumerate(lines) if joined(line).startswith("수험번호 성명 문형"))
        row = joined(lines[head + 1])
        if len(score.name) > 20:  # laid out as a row of its own, where the name wraps over lines
            end = next(i for i, line in enumerate(lines) if joined(line) == "영역별 득점률")
            cells = " ".join(map(joined, lines[head + 1:end])).split()
            assert all(any(cell.startswith(part) for cell in cells)
                       for part in [score.student_id, *re.split(r"[ -]", score.name), score.sheet.label])
        else:
            assert row == (f"{score.student_id} {score.name or '—'} {score.sheet.label} {_num(result.total)} / "
                           f"{_num(graded.max_points)} {t.mean:.1f} {t.sd:.1f} {result.percentile:.0f} "
                           f"{result.rank} / {t.n}")
        units = [joined(line, SIDE_TABLE_X_PT) for line in lines]
        for unit, label in graded.units:
            expected = (f"{label} {_num(graded.unit_points[unit])} {_num(result.unit_earned[unit])} "
                        f"{_pct(graded.unit_rate(result, unit))} {_pct(graded.unit_class_rates[unit])}")
            assert expected in units, (expected, units)
        footer = joined(lines[-1])
        assert footer.endswith(f"수험번호 {score.student_id}" + (f" {score.name}" if score.name else ""))


def test_workers_write_the_same_files_as_one_process(bank, run, tmp_path, graded_exam):
    from generator.grade.run import grade_exam

    exam = graded_exam
    roster = roster_for(exam, tmp_path)
    serial = grade_exam(exam, load_bank(bank.root), roster=roster, jobs=1)
    first = {p.name: p.read_bytes() for p in (serial.folder / "students").iterdir()}
    first_text = subprocess.run(["pdftotext", str(serial.folder / "class-report.pdf"), "-"], capture_output=True,
                                text=True, check=True).stdout
    pooled = grade_exam(exam, load_bank(bank.root), roster=roster, jobs=2)
    second = {p.name: p.read_bytes() for p in (pooled.folder / "students").iterdir()}
    assert len(first) == len(NAMES) and first == second
    assert first_text == subprocess.run(["pdftotext", str(pooled.folder / "class-report.pdf"), "-"],
                                        capture_output=True, text=True, check=True).stdout
    assert {p.name for p in pooled.folder.iterdir()} == {"scores.csv", "scores.xlsx", "items.csv",
                                                         "class-report.pdf", "class-report.html", "students"}


def test_piece_library_draws_what_page_writer_draws(tmp_path):
    import pikepdf

    from generator.grade.pdfsplice import PieceLibrary
    from generator.render.pdf import Engine

    pieces = [Piece("a", "<p>가나다 <b>123</b></p>", 60), Piece("b", '<p style="color:#b03a2e">내 답 ③</p>', 40, True),
              Piece("c", "<table><tr><td>표</td><td>9</td></tr></table>", 80)]
    laid = lay_out(Engine(tmp_path), "", pieces)
    pages = []
    for shift in (0.0, 50.0):
        page = ComposedPage()
        page.place("a", 15, 20 + shift)
        page.place("b", 100, 20 + shift)
        page.place("c", 15, 60 + shift)
        page.drawing.append(rect_ops(20, 120 + shift, 30, 5, (0.2, 0.4, 0.6)))
        pages.append(page)
    writer = PageWriter(laid)
    for page in pages:
        writer.add(page)
    (tmp_path / "writer.pdf").write_bytes(writer.to_bytes())
    (tmp_path / "library.pdf").write_bytes(PieceLibrary(laid).pdf(pages))
    with pikepdf.open(tmp_path / "library.pdf") as pdf:
        assert len(pdf.pages) == 2 and pdf.check_pdf_syntax() == []
    images = []
    for name in ("writer", "library"):
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)],
                       check=True)
        images.append([(tmp_path / f"{name}-{n}.png").read_bytes() for n in (1, 2)])
    assert images[0] == images[1]
    texts = [subprocess.run(["pdftotext", str(tmp_path / f"{name}.pdf"), "-"], capture_output=True, text=True,
                            check=True).stdout for name in ("writer", "library")]
    assert texts[0] == texts[1] and "가나다 123" in texts[1]


@given(st.lists(st.lists(st.floats(1, 60), min_size=1, max_size=4), max_size=40), st.floats(40, 180))
def test_flow_fills_lines_in_order_within_the_width(words_mm, width):
    boxes = {" ": Box(0, 0, 1.5 * PX_PER_MM, 10)}
    words = []
    for w, parts in enumerate(words_mm):
        words.append([f"{w}.{p}" for p in range(len(parts))])
        boxes.update({f"{w}.{p}": Box(0, 0, part * PX_PER_MM, 10) for p, part in enumerate(parts)})
    laid = PieceSet(b"", {}, {}, boxes)
    lines = flow(laid, words, " ", width)
    assert [k for line in lines for k, _ in line if k != " "] == [k for word in words for k in word]
    for line in lines:
        assert line == [] or line[0][1] == 0 and line[0][0] != " " and line[-1][0] != " "
        end = line[-1][1] + boxes[line[-1][0]].width / PX_PER_MM if line else 0
        first_word = next((w for w in words if w[0] == line[0][0]), None) if line else None
        assert end <= width + 1e-6 or sum(boxes[k].width for k in first_word or []) / PX_PER_MM > width
        xs = [x for _, x in line]
        assert xs == sorted(xs)


@pytest.mark.parametrize("where", ["worker", "main"])
def test_a_failing_report_writes_nothing_and_stops_the_worker(bank, run, tmp_path, graded_exam, monkeypatch, where):
    import time

    from generator.grade import report
    from generator.grade.run import grade_exam
    from generator.grade.student_pdf import StudentComposer

    def fail(*_args):
        raise RuntimeError("broken on purpose")

    def slow_class_report(*_args):
        time.sleep(30)

    if where == "worker":  # forked after the patch: the class report's worker inherits it
        monkeypatch.setattr(report, "write_class_report", fail)
    else:
        monkeypatch.setattr(report, "write_class_report", slow_class_report)
        monkeypatch.setattr(StudentComposer, "lay_out", fail)
    started = time.perf_counter()
    with pytest.raises(RuntimeError, match="broken on purpose"):
        grade_exam(graded_exam, load_bank(bank.root), jobs=2)
    assert time.perf_counter() - started < 20  # the sleeping worker was killed, not waited for
    assert not (graded_exam / "results").exists() and not (bank.root / "stats").exists()
