"""Reading answer sheets back: layout.json against the PDF, synthetic scans of every kind, outputs, overrides."""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
from functools import partial
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_render import make_exam

from generator.render.sheet_layout import Payload, parse_payload
from generator.scan import simulate as sim
from generator.scan.layout import load_layout
from generator.scan.run import scan

DPI = 150


@pytest.fixture(scope="module")
def exam_dir(tmp_path_factory) -> Path:
    """Answer sheets (2 pages per form: MCQs, short answers and an essay) with layout.json."""
    from generator.render.pdf import Engine
    from generator.render.sheet_compose import render_answer_sheets

    folder = tmp_path_factory.mktemp("exam")
    exam = make_exam()
    render_answer_sheets(exam, Engine(exam.bank.root), folder)  # its own fonts, not another module's engine
    return folder


@pytest.fixture
def exam(exam_dir, tmp_path) -> Path:
    """A private copy, so each test's scans/ starts empty."""
    target = tmp_path / "exam"
    shutil.copytree(exam_dir, target)
    return target


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel shows Korean only with a BOM
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def sheets(exam: Path, students: int, spec: sim.Degrade, mix: dict[str, float], seed: int = 1, **kw):
    return sim.student_sheets(exam, load_layout(exam), students, mix, spec, seed, **kw)


def check(rows: list[dict[str, str]], truths: list[sim.Truth], allow_review: bool) -> int:
    """Every question right, or flagged '?' where that is allowed; returns the number flagged."""
    by_id = {row["student_id"]: row for row in rows}
    flagged = 0
    for truth in truths:
        row = by_id[truth.student_id]
        assert row["form"] == truth.form
        for question, expected in truth.answers.items():
            got = row[question]
            if got == "?" and (allow_review or expected.startswith("?")):
                flagged += 1
                continue
            assert got == expected.lstrip("?"), (truth.student_id, question, truth.kinds[question], got, expected)
    return flagged


# ---------------------------------------------------------------- the printed sheet


def darkest(gray: np.ndarray, scale: float, x_mm: float, y_mm: float) -> int:
    """The darkest pixel within 0.15 mm of a point."""
    x, y = int(round(x_mm * scale)), int(round(y_mm * scale))
    return int(gray[y - 1:y + 2, x - 1:x + 2].min())


def test_layout_json_matches_the_pdf(exam_dir):
    data = json.loads((exam_dir / "layout.json").read_text(encoding="utf-8"))
    scale = 8.0
    for page in data["pages"]:
        document = pdfium.PdfDocument(str(exam_dir / page["file"]))
        gray = np.array(document[page["file_page"] - 1].render(scale=scale * 25.4 / 72).to_pil().convert("L"))
        document.close()

        px = partial(darkest, gray, scale)

        for mark in page["marks"]:
            half = mark["size_mm"] / 2
            assert mark["x_mm"] - half >= 10 and mark["y_mm"] - half >= 10  # ≥ 10 mm from the paper edge
            assert page["width_mm"] - mark["x_mm"] - half >= 10 and page["height_mm"] - mark["y_mm"] - half >= 10
            assert px(mark["x_mm"], mark["y_mm"]) < 60 and px(mark["x_mm"] + half * 0.8, mark["y_mm"]) < 60
            assert px(mark["x_mm"] + half * 1.3, mark["y_mm"]) > 200
        fields = {b["field"] for b in page["bubbles"]}
        assert "score" in fields
        for bubble in page["bubbles"]:
            x, y, r, ry = bubble["x_mm"], bubble["y_mm"], bubble["r_mm"], bubble["ry_mm"]
            for dx, dy in ((r, 0), (-r, 0), (0, ry), (0, -ry)):  # the printed oval passes through these
                assert px(x + dx, y + dy) < 225, (page["payload"], bubble, dx, dy)
            for dx, dy in ((r + 0.45, 0), (-r - 0.45, 0)):  # and nothing is drawn just outside it
                assert px(x + dx, y + dy) > 225, (page["payload"], bubble, dx, dy)
        import zxingcpp

        hits = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)
        assert [hit.text for hit in hits] == [page["payload"]]
        box = page["qr_box"]
        assert abs(hits[0].position.top_left.x / scale - box["x_mm"]) < 0.5


def test_layout_lists_every_question_and_bubble_kind(exam_dir):
    exam = make_exam()
    layout = load_layout(exam_dir)
    form = exam.forms[0]
    assert layout.questions() == [item.number for item in form.items]
    first = next(p for p in layout.pages if p.form == form.name and p.page == 1)
    assert {(b.field) for b in first.bubbles} == {"answer", "student_id", "form", "score"}
    assert len([b for b in first.bubbles if b.field == "student_id"]) == 80
    for item in form.items:
        answers = [b for p in layout.pages if p.form == form.name for b in p.bubbles
                   if b.key == str(item.number) and b.field == "answer"]
        scores = [b for p in layout.pages if p.form == form.name for b in p.bubbles
                  if b.key == str(item.number) and b.field == "score"]
        if item.answer is not None:
            assert [b.value for b in answers] == [str(i + 1) for i in range(len(item.choices))]
        else:  # written: 0..points plus a half point
            assert [b.value for b in scores] == [f"{v:g}" for v in range(int(item.points) + 1)] + ["0.5"]


@given(st.text(min_size=1, max_size=30), st.text("ABCDE", min_size=1, max_size=2), st.text("0123456789", max_size=4),
       st.integers(1, 99), st.text("0123456789abcdef", min_size=8, max_size=8))
def test_payload_round_trip(exam_id, form, copy, page, layout_hash):
    payload = Payload(exam_id, form, copy, page, layout_hash)
    assert parse_payload(str(payload)) == payload


def test_foreign_payloads_are_not_ours():
    assert parse_payload("https://example.com") is None
    assert parse_payload("mockexam:x:A::notanumber:abcd") is None


# ---------------------------------------------------------------- reading scans


def test_clean_scans_read_exactly(exam, tmp_path):
    images, truths = sheets(exam, 4, sim.Degrade(dpi=DPI), sim.CLEAN_MIX)
    sim.write_pdf(images, tmp_path / "class.pdf", DPI)
    summary = scan(exam, [tmp_path / "class.pdf"])
    assert (summary.pages, summary.read, summary.rejected, summary.review) == (8, 8, 0, 0)
    rows = read_csv(exam / "scans" / "responses.csv")
    questions = [str(n) for n in load_layout(exam).questions()]
    assert list(rows[0]) == ["student_id", "form", "copy", *questions]
    assert len(rows) == 4
    assert check(rows, truths, allow_review=False) == 0
    kinds = {kind for truth in truths for kind in truth.kinds.values()}
    assert {"pen", "score"} <= kinds
    assert sorted(p.name for p in (exam / "scans").iterdir()) == ["pages.csv", "responses.csv", "review.html"]


@pytest.mark.parametrize("kind", ["pencil", "erased", "double", "blank", "stray"])
def test_each_kind_of_mark_reads_as_meant(exam, tmp_path, kind):
    images, truths = sheets(exam, 2, sim.Degrade(dpi=DPI, rotate=2, blur=0.5, noise=3, jpeg=80), {kind: 1.0},
                            seed=7)
    sim.write_pdf(images, tmp_path / "k.pdf", DPI)
    summary = scan(exam, [tmp_path / "k.pdf"])
    assert summary.rejected == 0
    assert check(read_csv(exam / "scans" / "responses.csv"), truths, allow_review=False) == 0


@pytest.mark.parametrize("kind", ["partial", "check"])
def test_half_marks_are_read_or_sent_to_review_never_guessed(exam, tmp_path, kind):
    images, truths = sheets(exam, 2, sim.Degrade(dpi=DPI), {kind: 1.0}, seed=3)
    sim.write_pdf(images, tmp_path / "k.pdf", DPI)
    summary = scan(exam, [tmp_path / "k.pdf"])
    flagged = check(read_csv(exam / "scans" / "responses.csv"), truths, allow_review=False)
    if kind == "check":
        assert flagged > 0 and summary.review >= flagged
        assert "불분명한 표기" in (exam / "scans" / "review.html").read_text(encoding="utf-8")


def test_g4_tiff_and_sideways_phone_photos(exam, tmp_path):
    images, truths = sheets(exam, 1, sim.Degrade(dpi=DPI, rotate=4, noise=4), sim.REAL_MIX, seed=5)
    sim.write_tiff_g4(images, tmp_path / "office.tif", DPI)
    photos, photo_truths = sheets(exam, 2, sim.PRESETS["phone"], sim.REAL_MIX, seed=6, rotate_quarter=True,
                                  first_id=30000001)
    from PIL import Image

    for index, photo in enumerate(photos):  # phone photos: JPEG, and one PNG
        Image.fromarray(photo).save(tmp_path / f"photo-{index}.{'png' if index == 1 else 'jpg'}", quality=70)
    summary = scan(exam, [tmp_path / "office.tif", *sorted(tmp_path.glob("photo-*"))])
    assert summary.rejected == 0 and summary.sheets == 3
    check(read_csv(exam / "scans" / "responses.csv"), truths + photo_truths, allow_review=True)


def test_rejected_pages_are_reported_with_the_reason(exam, tmp_path):
    from PIL import Image

    images, _ = sheets(exam, 1, sim.Degrade(dpi=DPI), sim.CLEAN_MIX)
    Image.new("L", (1240, 1754), 255).save(tmp_path / "a-blank.png")
    covered = images[0].copy()
    scale = DPI / 25.4
    covered[int(270 * scale):, :] = 255  # bottom corner marks cut off
    Image.fromarray(covered).save(tmp_path / "b-cropped.png")
    Image.fromarray(images[1]).save(tmp_path / "c-ok.png")
    (tmp_path / "d-broken.jpg").write_bytes(b"not a jpeg")
    scan(exam, [tmp_path])
    pages = read_csv(exam / "scans" / "pages.csv")
    status = {Path(p["file"]).name: (p["status"], p["reason"]) for p in pages}
    assert status["a-blank.png"][0] == "rejected" and "QR 코드 없음" in status["a-blank.png"][1]
    assert status["b-cropped.png"][0] == "rejected" and "모서리 표시" in status["b-cropped.png"][1]
    assert status["d-broken.jpg"][0] == "rejected" and "읽을 수 없음" in status["d-broken.jpg"][1]
    # page 2 has no page 1 before it to join: reported, not dropped
    assert status["c-ok.png"][0] == "rejected" and "1쪽" in status["c-ok.png"][1]
    review = (exam / "scans" / "review.html").read_text(encoding="utf-8")
    assert review.count('class="item page"') == 4


def test_a_changed_layout_rejects_old_printouts(exam, tmp_path):
    images, _ = sheets(exam, 1, sim.Degrade(dpi=DPI), sim.CLEAN_MIX)
    sim.write_pdf(images, tmp_path / "old.pdf", DPI)
    layout = json.loads((exam / "layout.json").read_text(encoding="utf-8"))
    for page in layout["pages"]:
        page["hash"] = "0000" + page["hash"][4:]
    (exam / "layout.json").write_text(json.dumps(layout), encoding="utf-8")
    summary = scan(exam, [tmp_path / "old.pdf"])
    assert summary.rejected == 2
    assert all("배치 불일치" in p["reason"] for p in read_csv(exam / "scans" / "pages.csv"))


def test_a_rescan_replaces_never_doubles(exam, tmp_path):
    images, truths = sheets(exam, 3, sim.Degrade(dpi=DPI), sim.CLEAN_MIX, seed=2)
    sim.write_pdf(images, tmp_path / "first.pdf", DPI)
    sim.write_pdf(images[2:4], tmp_path / "rescan.pdf", DPI)  # the second student's sheet again
    summary = scan(exam, [tmp_path / "first.pdf", tmp_path / "rescan.pdf"])
    assert (summary.sheets, summary.duplicates) == (3, 2)
    rows = read_csv(exam / "scans" / "responses.csv")
    assert len(rows) == 3
    check(rows, truths, allow_review=False)
    pages = read_csv(exam / "scans" / "pages.csv")
    assert [p["status"] for p in pages] == ["read", "read", "duplicate", "duplicate", "read", "read", "read", "read"]
    assert "rescan.pdf" in pages[2]["reason"]


def test_overrides_win_on_rerun(exam, tmp_path):
    images, truths = sheets(exam, 2, sim.Degrade(dpi=DPI), {"check": 0.5, "pen": 0.5}, seed=11)
    sim.write_pdf(images, tmp_path / "s.pdf", DPI)
    scan(exam, [tmp_path / "s.pdf"])
    rows = read_csv(exam / "scans" / "responses.csv")
    pages = read_csv(exam / "scans" / "pages.csv")
    first = next(p for p in pages if p["sheet_page"] == "1" and p["student_id"] == truths[0].student_id)
    doubtful = [q for q, v in rows[0].items() if v == "?"]
    assert doubtful
    lines = ["scan,field,question,value"] + [f"{first['scan']},answer,{q},5" for q in doubtful]
    lines.append(f"{first['scan']},answer,1,2|3")  # overrides a clear reading too
    lines.append(f"{first['scan']},student_id,,99999999")
    (exam / "scans" / "overrides.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = (exam / "scans" / "overrides.csv").read_bytes()
    scan(exam, [tmp_path / "s.pdf"])
    rows = read_csv(exam / "scans" / "responses.csv")
    row = next(r for r in rows if r["student_id"] == "99999999")
    assert all(row[q] == "5" for q in doubtful if q != "1") and row["1"] == "2|3"
    assert (exam / "scans" / "overrides.csv").read_bytes() == before  # the teacher's file is never rewritten
    html = (exam / "scans" / "review.html").read_text(encoding="utf-8")
    assert first["scan"] in html and "적용된 수정" in html


def test_bad_overrides_name_the_line(exam, tmp_path, run):
    images, _ = sheets(exam, 1, sim.Degrade(dpi=DPI), sim.CLEAN_MIX)
    sim.write_pdf(images, tmp_path / "s.pdf", DPI)
    (exam / "scans").mkdir()
    (exam / "scans" / "overrides.csv").write_text("scan,field,question,value\nabc,answer,x,3\n", encoding="utf-8")
    result = run("scan", exam, tmp_path / "s.pdf")
    assert result.exit_code == 1 and "overrides.csv:2:" in result.output
    assert not (exam / "scans" / "responses.csv").exists()


def test_scan_command_writes_only_scans(exam, tmp_path, run):
    images, _ = sheets(exam, 1, sim.Degrade(dpi=DPI), sim.CLEAN_MIX)
    sim.write_pdf(images, tmp_path / "s.pdf", DPI)
    before = sorted(p.name for p in exam.iterdir())
    result = run("scan", exam, tmp_path / "s.pdf")
    assert result.exit_code == 0, result.output
    assert "2 pages: 2 read" in result.output
    assert sorted(p.name for p in exam.iterdir()) == sorted(before + ["scans"])
    (exam / "layout.json").unlink()
    result = run("scan", exam, tmp_path / "s.pdf")
    assert result.exit_code == 1 and "layout.json" in result.output and "Traceback" not in result.output


def test_random_sheets_never_read_wrong_without_a_flag(exam, tmp_path):
    rng = random.Random(4)
    spec = sim.Degrade(dpi=rng.choice((150, 200)), rotate=5, perspective=0.02, blur=0.8, noise=5, jpeg=60,
                       light=0.3, background=120)
    images, truths = sheets(exam, 2, spec, sim.REAL_MIX, seed=rng.randrange(1000))
    sim.write_pdf(images, tmp_path / "x.pdf", spec.dpi)
    summary = scan(exam, [tmp_path / "x.pdf"])
    assert summary.rejected == 0
    check(read_csv(exam / "scans" / "responses.csv"), truths, allow_review=True)


def test_pages_with_a_copy_number_join_by_it_in_any_order(tmp_path):
    from generator.scan.decide import Decision
    from generator.scan.inputs import PageRef
    from generator.scan.layout import PageLayout
    from generator.scan.page import PageResult
    from generator.scan.run import join_pages

    def page(copy: str, number: int, sid: str = "") -> PageResult:
        layout = PageLayout("answer-sheet-A.pdf", number, "A", copy, number, "h", "p", 210, 297, (), 5, (0, 0, 19),
                            ())
        decisions = [Decision("student_id", str(i + 1), digit, False, ()) for i, digit in enumerate(sid)]
        return PageResult(PageRef(tmp_path / "s.pdf", 1), scan=f"{copy}-{number}", layout=layout,
                          decisions=decisions)

    # a roster build: pages sorted by page number, not by student; copy 2 rescanned at the end
    results = [page("1", 1, "11"), page("2", 1, "22"), page("1", 2), page("2", 2), page("2", 1, "22")]
    sheets = join_pages(results, {})
    assert [(s.copy, sorted(s.pages)) for s in sheets] == [("1", [1, 2]), ("2", [1, 2])]
    assert sheets[1].pages[1] is results[4] and results[1].status == "duplicate"


@pytest.mark.browser
def test_review_page_writes_the_overrides_the_teacher_types(exam, tmp_path, browser):
    """In Chromium: the decisions typed into review.html become overrides.csv lines, kept ones included."""
    images, _ = sheets(exam, 1, sim.Degrade(dpi=DPI), {"check": 1.0}, seed=3)
    sim.write_pdf(images, tmp_path / "s.pdf", DPI)
    (exam / "scans").mkdir()
    (exam / "scans" / "overrides.csv").write_text("scan,field,question,value\nabc123,page,,ignore\n",
                                                  encoding="utf-8")
    scan(exam, [tmp_path / "s.pdf"])
    tab = browser.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto((exam / "scans" / "review.html").as_uri())
    box = tab.locator('input.v[data-field="answer"]').first
    key, scan_id = box.get_attribute("data-key"), box.get_attribute("data-scan")
    box.fill("4")
    lines = tab.input_value("#csv").splitlines()
    assert lines[0] == "scan,field,question,value"
    assert "abc123,page,,ignore" in lines and f"{scan_id},answer,{key},4" in lines
    assert tab.locator(".item.mark img").count() == tab.locator(".item.mark").count() > 0
    assert not errors
    tab.close()
