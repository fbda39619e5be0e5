"""Exchange formats: spreadsheet/GIFT/Moodle/QTI import, Moodle/GIFT/QTI/HWPX export, round trips."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from generator.bank.loader import load_bank
from generator.interop.gift_export import escape
from generator.interop.gift_import import unescape
from generator.interop.hwpx_adapter import equation_script, equation_scripts, extract_text
from generator.render.writers import WRITERS, build_writers, export_formats

PROJECT = Path(__file__).resolve().parent.parent
RENDER_BANK = PROJECT / "tests" / "fixtures" / "render_bank"
FIXTURES = PROJECT / "tests" / "fixtures" / "interop"
NODE_DIR = PROJECT / ".cache" / "node"

_MD = MarkdownIt("commonmark", {"html": False}).enable("table")
_MD.use(dollarmath_plugin, allow_space=True, allow_digits=False, double_inline=True)


def same_markdown(text: str | None) -> str:
    """Markdown compared by what it renders to (blank lines between blocks do not matter; an imported image
    lives at images/<id>-<name>, so images compare by their file name)."""
    html = re.sub(r'src="[^"]*?([^/"]+)"', lambda m: f'src="{m.group(1).split("-")[-1]}"', _MD.render(text or ""))
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


@pytest.fixture
def source_bank(tmp_path: Path) -> Path:
    """The render fixture bank (<보기>, math, code, tables, a bank image), external images removed."""
    root = tmp_path / "source"
    shutil.copytree(RENDER_BANK, root)
    image_question = root / "questions" / "model" / "rt-image-overfit.md"
    text = image_question.read_text(encoding="utf-8")
    image_question.write_text(re.sub(r"\n외부 이미지.*\n", "\n", text), encoding="utf-8")
    return root


def empty_bank(tmp_path: Path, name: str = "target") -> Path:
    root = tmp_path / name
    (root / "questions").mkdir(parents=True)
    shutil.copy(RENDER_BANK / "topics.yaml", root / "topics.yaml")
    return root


def compare(source: Path, target: Path, fields: list[str]) -> None:
    """Every question of ``target`` equals its namesake in ``source`` in ``fields``."""
    before, after = load_bank(source), load_bank(target)
    assert sorted(q.id for q in after.questions) == sorted(q.id for q in before.questions)
    for question in after.questions:
        original = before.by_id[question.id]
        for field in fields:
            if field in ("stem", "explanation", "model_answer"):
                got, want = same_markdown(getattr(question.body, field)), same_markdown(getattr(original.body, field))
            else:
                got, want = getattr(question.meta, field, None), getattr(original.meta, field, None)
            assert got == want, f"{question.id}.{field}"


def files_of(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


# ---------------------------------------------------------------- registry


def test_one_table_of_writers_serves_build_render_and_export():
    names = [w.name for w in WRITERS]
    assert len(names) == len(set(names))
    assert [w.name for w in build_writers()] == ["booklets", "key", "html", "sheets"]
    assert set(export_formats()) >= {"hwpx", "moodle-xml", "gift", "qti"}
    for writer in WRITERS:  # every row names an importable module with its write function
        writer.load()
        module = __import__(writer.module, fromlist=[writer.function])
        assert callable(getattr(module, writer.function))


# ---------------------------------------------------------------- spreadsheets


def test_template_has_korean_headers_drop_downs_and_imports_cleanly(tmp_path, run):
    from openpyxl import load_workbook

    template = tmp_path / "questions.xlsx"
    result = run("import", "--template", template, "--bank", RENDER_BANK)
    assert result.exit_code == 0, result.output
    book = load_workbook(template)
    sheet = book["문항"]
    headers = [c.value for c in sheet[1]]
    assert headers[:6] == ["id", "유형", "주제", "난이도", "배점", "문제"] and "보기5" in headers and "해설" in headers
    rules = {str(v.sqref).split(":")[0][0]: v for v in sheet.data_validations.dataValidation}
    type_col = sheet.cell(1, headers.index("유형") + 1).column_letter
    level_col = sheet.cell(1, headers.index("난이도") + 1).column_letter
    assert rules[type_col].type == "list" and "객관식" in rules[type_col].formula1
    assert (rules[level_col].type, rules[level_col].formula1, rules[level_col].formula2) == ("whole", "1", "5")
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["객관식", "단답형", "서술형"]

    bank = empty_bank(tmp_path)
    result = run("import", template, "--bank", bank)
    assert result.exit_code == 0, result.output
    loaded = load_bank(bank)
    assert sorted(q.type.value for q in loaded.questions) == ["essay", "mcq", "short"]
    essay = next(q for q in loaded.questions if q.type.value == "essay")
    assert [(r.point, r.score) for r in essay.meta.rubric][0] == ("무작위로 뉴런을 끈다는 설명", 4)
    short = next(q for q in loaded.questions if q.type.value == "short")
    assert short.meta.answers == ("교차 검증", "Cross-validation", "CV")


def write_rows(path: Path, rows: list[list[object]], sheet: str = "문항") -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    book.save(path)


HEADER = ["유형", "주제", "난이도", "배점", "문제", "보기1", "보기2", "보기3", "정답", "해설", "태그", "id"]


def test_xlsx_problems_name_sheet_and_row_and_nothing_is_written(tmp_path, run):
    source = tmp_path / "questions.xlsx"
    write_rows(source, [
        HEADER,
        ["객관식", "model.training", 3, 3, "좋은 문항?", "가", "나", "다", 2, "", "", ""],
        ["객관식", "model.training", 3, 3, "정답 번호가 틀린 문항?", "가", "나", "", 4, "", "", ""],
        ["선택형?", "model.training", 3, 3, "유형이 틀린 문항", "", "", "", "", "", "", ""],
        ["단답형", "없는.주제", 2, 4, "주제가 틀린 문항", "", "", "", "답", "", "", ""],
        ["객관식", "model.training", 9, 3, "난이도가 틀린 문항", "가", "나", "", 1, "", "", ""],
    ])
    bank = empty_bank(tmp_path)
    result = run("import", source, "--bank", bank)
    assert result.exit_code == 1
    shown = result.output
    assert "questions.xlsx:문항!3: answer:" in shown  # caught by the real loader (answer 4 of 2 choices)
    assert "questions.xlsx:문항!4: 유형:" in shown
    assert "questions.xlsx:문항!5: topic:" in shown
    assert "questions.xlsx:문항!6: 난이도:" in shown
    assert "Traceback" not in shown
    assert not list((bank / "questions").rglob("*.md"))  # all or nothing


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949"])
def test_csv_as_korean_excel_saves_it(tmp_path, run, encoding):
    source = tmp_path / "questions.csv"
    with source.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerow(["객관식", "AI 모델 학습 및 평가", "2", "3", "여러 줄\n문제", "가", "나", "다", "③", "해설", "a, b",
                         "csv-one"])
        writer.writerow(["단답형", "", "4", "", "용어를 쓰시오.", "", "", "", "교차 검증|CV", "", "", ""])
    bank = empty_bank(tmp_path)
    result = run("import", source, "--bank", bank, "--topic", "data.cleaning")
    assert result.exit_code == 0, result.output
    loaded = load_bank(bank)
    mcq = loaded.by_id["csv-one"]
    assert (mcq.topic, mcq.meta.answer, mcq.meta.tags, mcq.body.stem) == ("model.training", 3, ("a", "b"), "여러 줄\n문제")
    short = next(q for q in loaded.questions if q.type.value == "short")
    assert (short.topic, short.meta.answers, short.points) == ("data.cleaning", ("교차 검증", "CV"), 4)


def test_import_never_overwrites_and_dry_run_writes_nothing(tmp_path, run):
    source = tmp_path / "q.csv"
    source.write_text(",".join(HEADER) + "\n객관식,model.training,3,3,문제?,가,나,다,1,,,rt-one\n", encoding="utf-8")
    bank = empty_bank(tmp_path)
    before = files_of(bank)
    result = run("import", source, "--bank", bank, "--dry-run")
    assert result.exit_code == 0 and "would write" in result.output
    assert files_of(bank) == before
    assert run("import", source, "--bank", bank).exit_code == 0
    written = (bank / "questions" / "model" / "rt-one.md").read_bytes()
    again = run("import", source, "--bank", bank)
    assert again.exit_code == 1 and "q.csv:2: id: id 'rt-one' is already used" in again.output
    assert (bank / "questions" / "model" / "rt-one.md").read_bytes() == written


# ---------------------------------------------------------------- Moodle XML and GIFT fixtures


def test_moodle_fixture_of_each_type_imports_with_images_math_and_report(tmp_path, run):
    bank = empty_bank(tmp_path)
    result = run("import", FIXTURES / "moodle_sample.xml", "--bank", bank)
    assert result.exit_code == 0, result.output
    loaded = load_bank(bank)
    by_type = {q.type.value: [] for q in loaded.questions}
    for question in loaded.questions:
        by_type[question.type.value].append(question)
    assert {k: len(v) for k, v in by_type.items()} == {"mcq": 2, "short": 1, "essay": 1}
    assert all(q.topic == "model.fundamentals" for q in loaded.questions)  # category "…/신경망 기초" = the leaf label
    relu = next(q for q in by_type["mcq"] if "max" in q.body.stem)
    assert "$f(x) = \\max(0, x)$" in relu.body.stem
    assert relu.meta.choices[relu.meta.answer - 1] == "ReLU" and relu.points == 2 and relu.meta.tags == ("activation",)
    image = re.search(r"\]\(([^)]+)\)", relu.body.stem).group(1)
    assert (relu.path.parent / image).read_bytes().startswith(b"\x89PNG")
    true_false = loaded.by_id["dropout-inference-tf"]
    assert true_false.meta.choices == ("참", "거짓") and true_false.meta.answer == 2
    assert not true_false.meta.shuffle_choices
    short = by_type["short"][0]
    assert short.meta.answers == ("교차 검증", "Cross-validation")
    assert "<보기>" in short.body.stem and "$k$" in short.body.stem
    essay = by_type["essay"][0]
    assert essay.points == 10 and "$\\gamma$" in essay.body.model_answer
    report = result.output
    assert "matching questions" in report and "partial credit" in report and "tags without ASCII" in report


def test_gift_fixture_imports_and_skips_what_it_cannot_carry(tmp_path, run):
    bank = empty_bank(tmp_path)
    result = run("import", FIXTURES / "gift_sample.txt", "--bank", bank)
    assert result.exit_code == 0, result.output
    loaded = load_bank(bank)
    assert len(loaded.questions) == 4
    relu = loaded.by_id["gift-relu"]
    assert relu.meta.choices == ("시그모이드", "ReLU", "tanh") and relu.meta.answer == 2
    assert relu.body.stem == "다음 중 $f(x) = \\max(0, x)$인 활성화 함수는?"
    assert relu.body.explanation == "음수 입력을 0으로 만든다."
    assert "numeric questions" in result.output


def test_unknown_category_asks_for_a_topic(tmp_path, run):
    source = tmp_path / "q.gift"
    source.write_text("$CATEGORY: $course$/top/기타\n\n::q::질문?{=답}\n", encoding="utf-8")
    bank = empty_bank(tmp_path)
    result = run("import", source, "--bank", bank)
    assert result.exit_code == 1 and "q.gift:3: topic:" in result.output and "--topic" in result.output
    mapping = tmp_path / "map.yaml"
    mapping.write_text("topics:\n  $course$/top/기타: data.collection\n", encoding="utf-8")
    assert run("import", source, "--bank", bank, "--map", mapping).exit_code == 0
    assert load_bank(bank).questions[0].topic == "data.collection"


# ---------------------------------------------------------------- round trips


def export(run, bank: Path, fmt: str, out: Path) -> str:
    result = run("export", "--bank", bank, "--format", fmt, "--out", out)
    assert result.exit_code == 0, result.output
    return result.output


ALL_FIELDS = ["stem", "explanation", "model_answer", "choices", "answer", "shuffle_choices", "answers", "rubric",
              "points", "difficulty", "tags", "group", "topic"]


def test_moodle_xml_round_trip_keeps_every_field_and_images(tmp_path, run, source_bank):
    out = tmp_path / "quiz.xml"
    export(run, source_bank, "moodle-xml", out)
    text = out.read_text(encoding="utf-8")
    assert "&amp;lt;보기&amp;gt;" in text or "&amp;lt;보 기&amp;gt;" in text  # <보기> escaped inside the HTML
    assert "\\(" in text and "@@PLUGINFILE@@/grid.png" in text and "<defaultgrade>" in text
    target = empty_bank(tmp_path)
    result = run("import", out, "--bank", target)
    assert result.exit_code == 0, result.output
    compare(source_bank, target, ALL_FIELDS)
    original = source_bank / "questions" / "model" / "img" / "grid.png"
    copied = list((target / "questions").rglob("*grid.png"))
    assert len(copied) == 1 and copied[0].read_bytes() == original.read_bytes()


def test_gift_round_trip_keeps_what_gift_can_carry(tmp_path, run, source_bank):
    out = tmp_path / "quiz.gift"
    notes = export(run, source_bank, "gift", out)
    assert "GIFT has no place for points" in notes and "images" in notes and "rubrics" in notes
    target = empty_bank(tmp_path)
    assert run("import", out, "--bank", target).exit_code == 0
    no_image = [f for f in ALL_FIELDS if f not in ("points", "rubric")]
    before = load_bank(source_bank)
    image_id = "rt-image-overfit"
    shutil.rmtree(source_bank / "questions" / "model" / "img")  # GIFT drops images: compare without that question
    (source_bank / "questions" / "model" / f"{image_id}.md").unlink()
    (target / "questions" / "model" / f"{image_id}.md").unlink()
    compare(source_bank, target, no_image)
    assert before.by_id[image_id]


def test_qti_round_trip_keeps_text_keys_points_and_essay_parts(tmp_path, run, source_bank):
    out = tmp_path / "canvas.zip"
    export(run, source_bank, "qti", out)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        manifest = archive.read("imsmanifest.xml").decode()
    assert "imsmanifest.xml" in names and any(n.endswith("grid.png") for n in names)
    assert 'type="imsqti_xmlv1p2"' in manifest
    target = empty_bank(tmp_path)
    result = run("import", out, "--bank", target, "--topic", "model.training")
    assert result.exit_code == 0, result.output
    compare(source_bank, target, ["stem", "explanation", "model_answer", "choices", "answer", "shuffle_choices",
                                  "answers", "rubric", "points"])


@pytest.mark.skipif(shutil.which("node") is None and not os.environ.get("CI"), reason="node is not installed")
def test_gift_output_is_read_by_an_independent_parser(tmp_path, run, source_bank):
    """gift-pegjs (npm, installed by setup.sh into .cache/node) parses our GIFT to the same questions."""
    if not (NODE_DIR / "node_modules" / "gift-pegjs").is_dir():
        if os.environ.get("CI"):
            pytest.fail("gift-pegjs missing: setup.sh installs it into .cache/node")
        pytest.skip("gift-pegjs not installed (run setup.sh)")
    out = tmp_path / "quiz.gift"
    export(run, source_bank, "gift", out)
    script = PROJECT / "tests" / "gift_parse.js"
    parsed = json.loads(subprocess.run(["node", str(script), str(out)], capture_output=True, text=True, check=True,
                                       env={**os.environ, "NODE_PATH": str(NODE_DIR / "node_modules")}).stdout)
    questions = [q for q in parsed if q["type"] != "Category"]
    bank = load_bank(source_bank)
    assert [q["title"] for q in questions] == [q.id for q in _export_order(bank)]
    from generator.interop.lmstext import html_to_markdown

    for item in questions:
        question = bank.by_id[item["title"]]
        assert item["type"] == {"mcq": "MC", "short": "Short", "essay": "Essay"}[question.type.value]
        assert item["stem"]["format"] == "html"
        if "![" not in question.body.stem:
            assert same_markdown(html_to_markdown(item["stem"]["text"])[0]) == same_markdown(question.body.stem)
        assert "<보기>" not in item["stem"]["text"]  # escaped, or Moodle would drop it as an unknown tag
        if question.type.value == "mcq":
            assert [html_to_markdown(c["text"]["text"])[0] for c in item["choices"]] == list(question.meta.choices)
            assert [c["isCorrect"] for c in item["choices"]].index(True) + 1 == question.meta.answer
        if question.type.value == "short":
            assert [c["text"]["text"] for c in item["choices"]] == list(question.meta.answers)


def _export_order(bank):
    return [q for kind in ("mcq", "short", "essay") for q in bank.questions if q.type.value == kind]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.text(alphabet=st.sampled_from(list("가나 ab:=~#{}\\$\n{}1")), min_size=1, max_size=30))
def test_gift_escaping_round_trips_any_text(text):
    assert unescape(escape(text)) == text
    assert "\n" not in escape(text)


# ---------------------------------------------------------------- HWPX


def test_hwpx_booklets_and_key_validate_and_read_back(tmp_path, run, source_bank):
    from generator.interop.hwpx_adapter import package_problems, reopen_problems

    out = tmp_path / "exam.hwpx"
    result = run("export", "--bank", source_bank, "--format", "hwpx", "--out", out)
    assert result.exit_code == 0, result.output
    key = tmp_path / "exam-key.hwpx"
    assert out.is_file() and key.is_file()
    for path in (out, key):
        assert package_problems(path.read_bytes()) == [] and reopen_problems(path) == []
    with zipfile.ZipFile(out) as archive:
        section = archive.read("Contents/section0.xml").decode()
        assert any(n.startswith("BinData/") for n in archive.namelist())  # the bank image
    assert 'colCount="2"' in section  # two columns after the title
    assert 'rowCnt="1" colCnt="1"' in section  # the <보기> box
    text = extract_text(out)
    bank = load_bank(source_bank)
    bogi = bank.by_id["rt-bogi-regularization"]
    assert "<보 기>" in text and "ㄱ." in text
    assert bogi.body.stem.split("\n")[0][:20] in text
    for position, choice in enumerate(bogi.meta.choices):
        assert f"{'①②③④⑤'[position]} {choice}" in text
    scripts = equation_scripts(out)
    assert scripts and any("over" in s or "sqrt" in s or "^" in s for s in scripts)
    key_text = extract_text(key)
    assert "정답" in key_text and "모범답안" in key_text and "채점 기준" in key_text


def test_hwpx_export_of_a_built_exam_has_one_booklet_per_form(tmp_path, run):
    bank = tmp_path / "bank"
    shutil.copytree(RENDER_BANK, bank)
    blueprint = tmp_path / "quiz.yaml"
    blueprint.write_text("title: 퀴즈\nduration_minutes: 30\nforms: [A, B]\nsections:\n  - {type: mcq, count: 3}\n"
                         "  - {type: short, count: 1}\n", encoding="utf-8")
    assert run("build", blueprint, "--bank", bank, "--out", tmp_path / "out", "--no-render").exit_code == 0
    exam_dir = next((tmp_path / "out").iterdir())
    while not (exam_dir / "manifest.json").is_file():
        exam_dir = next(p for p in (tmp_path / "out").iterdir() if p.is_dir())
    out = tmp_path / "quiz.hwpx"
    result = run("export", exam_dir, "--bank", bank, "--format", "hwpx", "--out", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("quiz*.hwpx")) == ["quiz-booklet-B.hwpx", "quiz-key.hwpx", "quiz.hwpx"]
    assert "B형" in extract_text(tmp_path / "quiz-booklet-B.hwpx")


def test_equations_convert_with_normalisation_and_fall_back_to_text():
    assert equation_script(r"\frac{a}{b}") == "{a} over {b}"
    assert equation_script(r"\mathbb{R}^n") is not None and equation_script(r"\displaystyle \sum_i x_i") is not None
    assert equation_script(r"\lfloor x \rfloor") is None


def test_unknown_export_format_is_a_clear_error(tmp_path, run):
    result = run("export", "--bank", RENDER_BANK, "--format", "moodle", "--out", tmp_path / "x.xml")
    assert result.exit_code == 1 and "did you mean 'moodle-xml'" in result.output


# ---------------------------------------------------------------- DOCX


def test_docx_has_two_columns_word_equations_and_boxes(tmp_path, run, source_bank):
    import docx

    out = tmp_path / "exam.docx"
    result = run("export", "--bank", source_bank, "--format", "docx", "--out", out)
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs)
    bogi = load_bank(source_bank).by_id["rt-bogi-regularization"]
    assert bogi.body.stem.split("\n")[0][:20] in text
    assert any("<보 기>" in t.cell(0, 0).text and "ㄱ." in t.cell(0, 0).text for t in document.tables)
    with zipfile.ZipFile(out) as archive:
        body = archive.read("word/document.xml").decode()
    assert 'w:num="2"' in body and body.count("<m:oMath") >= 3 and "<m:f>" in body
    assert (tmp_path / "exam-key.docx").is_file()
    if shutil.which("pandoc") is None:  # an independent reader of Word equations, installed by setup.sh
        if os.environ.get("CI"):
            pytest.fail("pandoc missing: setup.sh installs it")
        return
    markdown = subprocess.run(["pandoc", str(out), "-t", "markdown"], capture_output=True, text=True,
                              check=True).stdout
    softmax = load_bank(source_bank).by_id["rt-softmax-math"]
    assert "\\frac" in markdown and "\\sum" in markdown, softmax.body.stem


def test_a_failure_while_writing_removes_the_files_of_this_import(tmp_path, run, monkeypatch):
    """All or nothing also when the disk fails midway: the files already created are removed."""
    source = tmp_path / "q.csv"
    rows = [",".join(HEADER)] + [f"객관식,model.training,3,3,문제 {n}?,가,나,다,1,,,disk-{n}" for n in range(3)]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    bank = empty_bank(tmp_path)
    before = files_of(bank)
    real_open = Path.open
    opened: list[Path] = []

    def failing_open(self, mode="r", *args, **kwargs):
        if mode == "xb":
            opened.append(self)
            if len(opened) == 3:
                raise OSError(28, "No space left on device", str(self))
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", failing_open)
    result = run("import", source, "--bank", bank)
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert len(opened) == 3 and files_of(bank) == before


def test_xlsx_export_round_trips_every_field_through_import(tmp_path, run, source_bank):
    """Excel out (the template's layout) and back in: a teacher can edit questions in Excel."""
    out = tmp_path / "questions.xlsx"
    export(run, source_bank, "xlsx", out)
    target = empty_bank(tmp_path)
    result = run("import", out, "--bank", target)
    assert result.exit_code == 0, result.output
    (source_bank / "questions" / "model" / "rt-image-overfit.md").unlink()  # images do not live in cells
    (target / "questions" / "model" / "rt-image-overfit.md").unlink()
    compare(source_bank, target, ALL_FIELDS)


_TRICKY = st.one_of(
    st.sampled_from(["yes", "0.50", "null", "~", "- a", "1e-3", "3", "'a'", "[x]", "a: b", "#c"]),
    st.text(alphabet=st.sampled_from(list("가나 ab:#-*&!|>'\"%@`[]{},?=~\\$")), min_size=1, max_size=12),
).map(str.strip).filter(bool)


@settings(max_examples=60, deadline=None)
@given(st.lists(_TRICKY, min_size=2, max_size=5, unique=True), _TRICKY, st.lists(_TRICKY, min_size=1, max_size=3))
def test_generated_files_read_back_as_written(choices, point, answers):
    """Whatever text a spreadsheet cell holds, the front matter we write reads back to the same values."""
    from generator.bank import frontmatter
    from generator.bank.schema import META_ADAPTER
    from generator.interop.bankwrite import question_text
    from generator.interop.drafts import Draft

    for draft in (Draft("x", 1, "mcq", "문제", difficulty=2, points=3, choices=choices, answer=len(choices)),
                  Draft("x", 1, "short", "문제", difficulty=2, points=3, answers=answers),
                  Draft("x", 1, "essay", "문제", difficulty=2, points=4, rubric=[(point, 4)], model_answer="답")):
        parts = frontmatter.split(question_text(draft, "q-1", "model.training"))
        meta = META_ADAPTER.validate_python(frontmatter.parse_yaml(parts.front_matter, 2, scalars_as_text=True))
        if draft.type == "mcq":
            assert list(meta.choices) == choices and meta.answer == len(choices)
        elif draft.type == "short":
            assert list(meta.answers) == answers
        else:
            assert meta.rubric[0].point == point


def test_mapping_file_renames_columns_and_maps_topic_names(tmp_path, run):
    source = tmp_path / "theirs.csv"
    source.write_text("종류,단원,질문,답,비고\n단답형,딥러닝,용어를 쓰시오.,역전파,\n", encoding="utf-8")
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  종류: 유형\n  단원: 주제\n  질문: 문제\n  답: 정답\n  비고: 해설\n"
                       "topics:\n  딥러닝: model.fundamentals\n", encoding="utf-8")
    bank = empty_bank(tmp_path)
    result = run("import", source, "--bank", bank, "--map", mapping)
    assert result.exit_code == 0, result.output
    question = load_bank(bank).questions[0]
    assert (question.topic, question.meta.answers, question.body.stem) == ("model.fundamentals", ("역전파",),
                                                                          "용어를 쓰시오.")
    mapping.write_text("topics:\n  딥러닝: model.nothing\n", encoding="utf-8")
    wrong = run("import", source, "--bank", bank, "--map", mapping)
    assert wrong.exit_code == 1 and "map.yaml: topics: '딥러닝' maps to 'model.nothing'" in wrong.output


def test_title_rows_above_the_header_extra_columns_and_multiline_csv_cells(tmp_path, run):
    sheet = tmp_path / "수행평가.xlsx"
    write_rows(sheet, [["2학기 AI 문항"], [], [*HEADER, "출처"],
                       ["객관식", "model.training", 3, 3, "문제?", "가", "나", "다", 7, "", "", "", "교과서"]])
    bank = empty_bank(tmp_path)
    result = run("import", sheet, "--bank", bank)
    assert result.exit_code == 1 and "수행평가.xlsx:문항!4: 정답:" in result.output  # the row number in Excel
    source = tmp_path / "q.csv"
    source.write_text(",".join([*HEADER, "출처"]) + '\n단답형,model.training,3,4,"첫 줄\n둘째 줄",,,,답,,,,책\n'
                      "단답형,model.training,9,4,셋째 줄 문제,,,,답,,,,책\n", encoding="utf-8")
    result = run("import", source, "--bank", bank)
    assert result.exit_code == 1 and "q.csv:4: 난이도:" in result.output  # the file line, after a 2-line cell
    source.write_text(source.read_text(encoding="utf-8").replace(",9,", ",2,"), encoding="utf-8")
    result = run("import", source, "--bank", bank)
    assert result.exit_code == 0 and "column '출처'" in result.output
