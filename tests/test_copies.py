"""Named copies for a roster: roster checks, per-form and per-student copies, QR codes, collation, workers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader

from generator.assemble.roster import load_roster
from generator.bank.schema import CIRCLED
from generator.cli import cli
from generator.problems import UserError
from generator.render.text import WJ


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


BANK = Path(__file__).parent / "fixtures" / "render_bank"
NAMES = ["김민준", "이서연", "박지호", "최수아", "정예준"]
BLUEPRINT = """\
title: 중간고사 모의평가
session: 제2회
subject: 인공지능
duration_minutes: 50
forms: [홀수, 짝수]
seed: 5
sections:
  - {type: mcq, count: 6, points: 3}
  - {type: short, count: 2, points: 4}
  - {type: essay, count: 1, points: 10}
copies: {order: ORDER}
"""


def write_roster(path: Path, rows: list[str], header: str = "수험번호,성명,반,번호") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def roster_rows(count: int = 5) -> list[str]:
    return [f"2026{i:04d},{NAMES[i % len(NAMES)]},1,{i}" for i in range(1, count + 1)]


def build(tmp_path: Path, order: str, *extra: str, rows: list[str] | None = None,
          header: str = "수험번호,성명,반,번호") -> tuple[Path, dict]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    blueprint = tmp_path / "mid.yaml"
    blueprint.write_text(BLUEPRINT.replace("ORDER", order), encoding="utf-8")
    roster = write_roster(tmp_path / "students.csv", rows or roster_rows(), header)
    out = tmp_path / "out"
    result = invoke("build", str(blueprint), "--bank", str(BANK), "--roster", str(roster), "--out", str(out), *extra)
    assert result.exit_code == 0, result.output
    folder = out / "mid-5"
    return folder, json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def page_texts(path: Path) -> list[str]:
    return [re.sub(r"\s+", "", page.extract_text().replace(WJ, "")) for page in PdfReader(path).pages]


def copy_pages(texts: list[str], manifest: dict) -> list[str]:
    """The booklet text of each copy (a copy's first page carries its name in the title block)."""
    starts = [i for i, text in enumerate(texts) if "수험자유의사항" in text]
    assert len(starts) == len(manifest["copies"])
    return ["".join(texts[a:b]) for a, b in zip(starts, [*starts[1:], len(texts)])]


def stem_snippet(bank_dir: Path, question_id: str) -> str:
    path = next(bank_dir.rglob(f"{question_id}.md"))
    stem = path.read_text(encoding="utf-8").split("---", 2)[2].split("## ", 1)[0]
    first = re.split(r"[$`<*!\[\n(]", stem.strip(), maxsplit=1)[0]
    return re.sub(r"\s+", "", first)[:10]


@pytest.fixture(scope="module")
def own_order(tmp_path_factory) -> tuple[Path, dict]:
    return build(tmp_path_factory.mktemp("own"), "student", "--collate")


def test_each_copy_prints_its_own_name_and_question_order(own_order):
    folder, manifest = own_order
    texts = copy_pages(page_texts(folder / "booklets.pdf"), manifest)
    orders = set()
    for record, text in zip(manifest["copies"], texts):
        assert record["name"] in text and "개별형" in text
        assert "".join(record["student_id"]) in text  # the 수험번호 digits in the title block
        order = [entry["id"] for entry in sorted(record["order"], key=lambda entry: entry["number"])]
        orders.add(tuple(order))
        position = 0
        for question_id in order:
            found = text.find(stem_snippet(BANK, question_id), position)
            assert found >= position, (record["copy"], question_id)
            position = found
    assert len(orders) > 1  # students do not all share one order


def test_each_copy_key_matches_its_printed_choices(own_order):
    from generator.bank.loader import load_bank

    folder, manifest = own_order
    bank = load_bank(BANK)
    texts = copy_pages(page_texts(folder / "booklets.pdf"), manifest)
    for record, text in zip(manifest["copies"], texts):
        for entry in record["order"]:
            question = bank.by_id[entry["id"]]
            if "choice_order" not in entry:
                continue
            meta = question.meta
            printed = [meta.choices[i] for i in entry["choice_order"]]
            key = record["key"][str(entry["number"])]
            assert printed[key - 1] == meta.choices[meta.answer - 1]
            plain = [re.sub(r"\s+", "", c) for c in printed if not re.search(r"[$`]", c) and len(c) > 2]
            if len(plain) >= 3:
                start = text.find(stem_snippet(BANK, entry["id"]))
                positions = [text.find(c, start) for c in plain]
                assert -1 not in positions and positions == sorted(positions), (record["copy"], entry["id"])
    key_text = "".join(page_texts(folder / "key.pdf"))
    assert "수험자별정답표" in key_text
    for record in manifest["copies"]:  # its row: 수험번호, 성명, then its own key in question order
        own_key = "".join(CIRCLED[answer - 1] for _, answer in sorted(
            (int(number), answer) for number, answer in record["key"].items() if isinstance(answer, int)))
        assert f"{record['student_id']}{record['name']}{own_key}" in key_text, record["copy"]


def test_answer_sheet_qr_codes_name_the_copy_and_page(own_order):
    import pypdfium2
    import zxingcpp

    folder, manifest = own_order
    document = pypdfium2.PdfDocument(str(folder / "answer-sheets.pdf"))
    payloads = []
    for index in range(len(document)):
        image = document[index].render(scale=150 / 72).to_pil()
        payloads += [code.text for code in zxingcpp.read_barcodes(image) if code.text.startswith("mockexam:")]
    from generator.render.sheet_layout import parse_payload
    from generator.scan.layout import load_layout

    copies = [record["copy"] for record in manifest["copies"]]
    per_copy = len(payloads) // len(copies)
    assert per_copy >= 2 and len(payloads) == per_copy * len(copies)  # main page + essay page at least
    layout = load_layout(folder)
    for number, code in enumerate(copies):
        for page in range(per_copy):
            payload = parse_payload(payloads[number * per_copy + page])
            assert payload is not None and (payload.exam_id, payload.form, payload.copy, payload.page) == \
                ("mid-5", "S", code, page + 1)
            found = layout.by_hash(payload.layout_hash)  # the scanner finds the template page it was printed from
            assert found is not None and found.page == page + 1 and found.file == "answer-sheet-blank.pdf"
    sheet_text = "".join(page_texts(folder / "answer-sheets.pdf"))
    assert all(record["name"] in sheet_text for record in manifest["copies"])


def test_scanning_named_copies_reads_each_students_answers(own_order, tmp_path):
    """Filled-in named sheets scan back to their copy and 수험번호 (pre-filled), with the marked answers."""
    import csv
    import random
    import shutil

    from generator.scan.layout import load_layout
    from generator.scan.simulate import Truth, mark_page, render_blank, write_pdf

    folder, manifest = own_order
    exam = tmp_path / "mid-5"
    shutil.copytree(folder, exam)
    layout = load_layout(exam)
    per_copy = len(layout.pages)
    rng = random.Random(3)
    images, truths = [], []
    for number, record in enumerate(manifest["copies"][:3]):
        truth = Truth(record["student_id"], "S")
        for page in range(per_copy):
            printed = render_blank(exam / "answer-sheets.pdf", number * per_copy + page, 200)
            images.append(mark_page(printed, 200, layout.pages[page], truth, {"pen": 1.0}, rng))
        truths.append(truth)
    write_pdf(images, tmp_path / "scan.pdf", 200)
    result = invoke("scan", str(exam), str(tmp_path / "scan.pdf"))
    assert result.exit_code == 0, result.output
    with (exam / "scans" / "responses.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["copy"], row["student_id"]) for row in rows] == \
        [(record["copy"], record["student_id"]) for record in manifest["copies"][:3]]
    for row, truth in zip(rows, truths):
        for question, value in truth.answers.items():
            assert row[question] == value, (row["copy"], question)


def test_collated_copies_pad_each_part_for_duplex(own_order):
    folder, manifest = own_order
    files = sorted((folder / "copies").iterdir())
    assert [f.name for f in files] == [f"{r['copy'][1:]}-{r['student_id']}.pdf" for r in manifest["copies"]]
    booklet_pages = len(PdfReader(folder / "booklets.pdf").pages) // len(files)
    sheet_pages = len(PdfReader(folder / "answer-sheets.pdf").pages) // len(files)
    for path in files:
        assert len(PdfReader(path).pages) == booklet_pages + booklet_pages % 2 + sheet_pages + sheet_pages % 2


def test_per_form_copies_follow_the_roster_or_alternate(tmp_path):
    rows = ["20260001,김민준,1,1,짝수형", "20260002,이서연,1,2,", "20260003,박지호,1,3,", "20260004,최수아,1,4,홀수"]
    folder, manifest = build(tmp_path, "form", rows=rows, header="수험번호,성명,반,번호,문형")
    assert [record["form"] for record in manifest["copies"]] == ["짝수", "홀수", "짝수", "홀수"]
    texts = copy_pages(page_texts(folder / "booklets.pdf"), manifest)
    for record, text in zip(manifest["copies"], texts):
        assert record["name"] in text and f"{record['form']}형" in text
    assert not (folder / "booklet-홀수.pdf").exists()


def test_rerender_from_the_manifest_keeps_every_copy(own_order, tmp_path):
    import shutil

    folder, manifest = own_order
    copy = tmp_path / "mid-5"
    shutil.copytree(folder, copy)
    before = page_texts(copy / "booklets.pdf")
    result = invoke("render", str(copy / "manifest.json"), "--bank", str(BANK))
    assert result.exit_code == 0, result.output
    assert page_texts(copy / "booklets.pdf") == before


def test_worker_processes_make_the_same_copies(tmp_path):
    folder_one, _ = build(tmp_path / "one", "student")
    folder_two, _ = build(tmp_path / "two", "student", "--jobs", "2")
    assert page_texts(folder_one / "booklets.pdf") == page_texts(folder_two / "booklets.pdf")
    assert page_texts(folder_one / "answer-sheets.pdf") == page_texts(folder_two / "answer-sheets.pdf")


def test_copies_on_a_dask_cluster_match_local_ones(tmp_path):
    distributed = pytest.importorskip("distributed")
    from generator.render.copies import CopyOptions, render_copies

    folder, _ = build(tmp_path / "local", "student")
    from generator.assemble.manifest import exam_from_manifest, read_manifest
    from generator.bank.loader import load_bank
    from generator.render.pdf import Engine

    data = read_manifest(folder / "manifest.json")
    exam = exam_from_manifest(data, load_bank(BANK), "manifest.json")
    out = tmp_path / "dask"
    out.mkdir()
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        render_copies(exam, Engine(exam.bank.root), out, CopyOptions(dask=cluster.scheduler_address, batch_size=2))
    assert page_texts(out / "booklets.pdf") == page_texts(folder / "booklets.pdf")


# --- roster problems: file:row messages, nothing written ------------------------------------------------


@pytest.mark.parametrize(("rows", "message"), [
    (["20260001,김민준", "20260001,이서연"], "students.csv:3: 수험번호: 20260001 is already used in row 2"),
    (["20260001,"], "students.csv:2: 성명: empty"),
    (["2026A001,김민준"], "students.csv:2: 수험번호: '2026A001' must be 1 to 8 digits"),
    ([",김민준"], "students.csv:2: 수험번호: empty"),
])
def test_bad_roster_rows_are_reported_by_row(tmp_path, rows, message):
    roster = write_roster(tmp_path / "students.csv", rows, header="수험번호,성명")
    with pytest.raises(UserError) as caught:
        load_roster(roster, ("A",))
    assert message in str(caught.value)


def test_roster_form_must_exist(tmp_path):
    roster = write_roster(tmp_path / "students.csv", ["20260001,김민준,C"], header="수험번호,성명,문형")
    with pytest.raises(UserError, match=r"students.csv:2: 문형: 'C' is not a form of this exam \(forms: A, B\)"):
        load_roster(roster, ("A", "B"))


def test_roster_needs_id_and_name_columns(tmp_path):
    roster = write_roster(tmp_path / "students.csv", ["김민준,1"], header="이름표,반")
    with pytest.raises(UserError, match="no '수험번호' column"):
        load_roster(roster, ("A",))


def test_cp949_roster_gets_the_iconv_help(tmp_path):
    roster = tmp_path / "students.csv"
    roster.write_bytes("수험번호,성명\n20260001,김민준\n".encode("cp949"))
    with pytest.raises(UserError, match="CP949.*iconv"):
        load_roster(roster, ("A",))


def test_xlsx_roster_with_bom_free_headers(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["수험번호", "성명", "반"])
    sheet.append([20260001, "김민준", 3])
    sheet.append([20260002, "이서연", 3])
    book.save(tmp_path / "students.xlsx")
    students = load_roster(tmp_path / "students.xlsx", ("A",))
    assert [(s.student_id, s.name, s.klass) for s in students] == [("20260001", "김민준", "3"), ("20260002", "이서연", "3")]


def test_a_bad_roster_writes_nothing(tmp_path):
    blueprint = tmp_path / "mid.yaml"
    blueprint.write_text(BLUEPRINT.replace("ORDER", "form"), encoding="utf-8")
    roster = write_roster(tmp_path / "students.csv", ["20260001,김민준", "20260001,이서연"], header="수험번호,성명")
    out = tmp_path / "out"
    result = invoke("build", str(blueprint), "--bank", str(BANK), "--roster", str(roster), "--out", str(out))
    assert result.exit_code == 1 and "already used in row 2" in result.output
    assert not out.exists()


def test_copy_options_need_a_roster(tmp_path):
    result = invoke("build", "whatever.yaml", "--collate")
    assert result.exit_code == 1 and "add --roster" in result.output
