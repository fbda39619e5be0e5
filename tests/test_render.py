"""Rendering: PDFs (booklet, answer sheet, key) and the self-contained HTML, on the fixture bank."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from generator.assemble.blueprint import Blueprint
from generator.assemble.exam import Exam
from generator.assemble.forms import make_forms
from generator.bank.loader import load_bank
from generator.bank.schema import CIRCLED
from generator.render import render_exam
from generator.render.markdown import MarkdownRenderer
from generator.render.pdf import FetchRefused, make_fetcher
from generator.render.text import WJ

BANK = Path(__file__).parent / "fixtures" / "render_bank"
ALLOWED_FONTS = ("mx-serif", "mx-sans", "mx-code")  # our @font-face families (never a system font)


def make_exam() -> Exam:
    bank = load_bank(BANK)
    bp = Blueprint(title="AI 전문가 인증 모의고사", session="제1회", duration_minutes=100, forms=("A", "B"),
                   sections=[{"type": "mcq", "count": 6, "points": 3}, {"type": "short", "count": 2},
                             {"type": "essay", "count": 1}])
    selected = [[q for q in bank.questions if q.type == s.type][: s.count] for s in bp.sections]
    return Exam("demo-exam", bp, 7, bank, make_forms(bp, selected, 7))


@pytest.fixture(scope="module")
def exam() -> Exam:
    return make_exam()


@pytest.fixture(scope="module")
def rendered(exam, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("render")
    messages: list[str] = []
    real_connect = socket.socket.connect

    def no_network(self, address):  # any connection attempt fails the build
        raise AssertionError(f"network access attempted: {address}")

    socket.socket.connect = no_network
    try:
        paths = render_exam(exam, out, messages.append)
    finally:
        socket.socket.connect = real_connect
    assert [p.name for p in paths] == ["booklet-A.pdf", "booklet-B.pdf", "answer-sheet-A.pdf",
                                       "answer-sheet-B.pdf", "key.pdf", "exam.html"]
    assert sorted(messages) == sorted(["booklet A", "booklet B", "answer sheet A", "answer sheet B", "key", "html"])
    return out


def pdf_text(path: Path) -> list[str]:
    """Text of each page with word joiners and all whitespace removed."""
    return [re.sub(r"\s+", "", page.extract_text().replace(WJ, "")) for page in PdfReader(path).pages]


def snippet(stem: str) -> str:
    """The first plain-text words of a stem (before any Markdown or math), without spaces."""
    first = re.split(r"[$`<*!\[\n(]", stem.strip(), maxsplit=1)[0]
    return re.sub(r"\s+", "", first)[:12]


def test_booklets_hold_every_question_in_form_order(exam, rendered):
    for form in exam.forms:
        text = "".join(pdf_text(rendered / f"booklet-{form.name}.pdf"))
        position = 0
        for item in form.items:
            found = text.find(snippet(item.question.body.stem), position)
            assert found >= 0, f"{form.name} {item.number}: {snippet(item.question.body.stem)!r} not in order"
            position = found
        assert form.label in text and "성명" in text and "수험번호" in text and "[3점]" in text
        assert "<보기>" in text and "1/" in text  # 보기 box title, page footer n / N


def test_booklet_choices_follow_the_form(exam, rendered):
    for form in exam.forms:
        text = "".join(pdf_text(rendered / f"booklet-{form.name}.pdf"))
        for item in form.items:
            plain = [re.sub(r"\s+", "", c) for c in item.choices if not re.search(r"[$`]", c) and len(c) > 2]
            if len(plain) >= 3:
                start = text.find(snippet(item.question.body.stem))
                positions = [text.find(c, start) for c in plain]
                assert -1 not in positions and positions == sorted(positions), (form.name, item.number)


def page_fonts(resources, seen=None) -> list:
    """Fonts of a page, including those of the form XObjects it draws (composed booklets place pieces)."""
    seen = set() if seen is None else seen
    fonts = [font.get_object() for font in resources.get("/Font", {}).values()]
    for xobject in resources.get("/XObject", {}).values():
        if xobject.idnum in seen:
            continue
        seen.add(xobject.idnum)
        xobject = xobject.get_object()
        if "/Resources" in xobject:
            fonts += page_fonts(xobject["/Resources"], seen)
    return fonts


def assert_only_project_fonts_embedded(path: Path) -> None:
    names = set()
    for page in PdfReader(path).pages:
        for font in page_fonts(page["/Resources"]):
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, (path.name, font["/BaseFont"])
            names.add(str(font["/BaseFont"]).split("+")[-1])
    assert names and all(name.startswith(ALLOWED_FONTS) for name in names), (path.name, names)


def test_pdfs_embed_only_project_fonts(rendered):
    for path in sorted(rendered.glob("*.pdf")):
        assert_only_project_fonts_embedded(path)


def test_answer_sheet_pages_have_markers_and_qr(exam, rendered):
    for form in exam.forms:
        pages = pdf_text(rendered / f"answer-sheet-{form.name}.pdf")
        essays = [i for i in form.items if i.question.type.value == "essay"]
        assert len(pages) == 1 + len(essays)
        for number, text in enumerate(pages, 1):
            assert f"mockexam:{exam.exam_id}:{form.name}::{number}:" in text
        assert "수험번호" in pages[0] and "객관식답란" in pages[0] and "단답형답란" in pages[0]
        for essay, text in zip(essays, pages[1:]):
            assert f"서술형{essay.number}번" in text


def test_key_agrees_with_every_form(exam, rendered):
    text = "".join(pdf_text(rendered / "key.pdf"))
    for item in exam.forms[0].items:
        head = f"{item.number}번정답{item.answer_label if item.answer else ''}"
        assert head in text, head
    for form in exam.forms:
        mcqs = [i for i in form.items if i.answer is not None]
        row = "정답" + "".join(CIRCLED[i.answer - 1] for i in mcqs[:10])
        assert row in text, (form.name, row)
    essay = next(i for i in exam.forms[0].items if i.question.type.value == "essay")
    assert "모범답안" in text and "채점기준" in text
    for rubric_item in essay.question.meta.rubric:
        assert re.sub(r"\s+", "", rubric_item.point) in text
    assert "Cross-validation" in text and "인정답안" in text


def test_raw_html_is_escaped(rendered):
    text = "".join(pdf_text(rendered / "booklet-A.pdf"))
    assert '<script>alert("xss")</script>' in text
    html = (rendered / "exam.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_html_is_self_contained(rendered):
    html = (rendered / "exam.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html
    assert html.count("data:font/woff;base64,") >= 3
    assert "<svg" in html and "data:image/png;base64," in html
    assert len(html) < 2_000_000


def test_images_only_from_the_bank(tmp_path):
    md = MarkdownRenderer(BANK)
    base = BANK / "questions" / "model" / "q.md"
    assert "data:image/png" in md.html("![a](img/grid.png)", base)
    for src in ("https://example.com/x.png", "../../../outside.png", "/etc/passwd", "file:///etc/hosts",
                "data:image/png;base64,AAAA"):
        html = md.html(f"![x]({src})", base)
        assert "<img" not in html, src  # refused by us (img-refused) or by markdown-it's link validation


def test_fetcher_refuses_the_network_and_foreign_files():
    fetcher = make_fetcher(BANK)
    for url in ("http://example.com/a.css", "https://example.com/f.ttf", "file:///etc/hosts", "ftp://x/y"):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
    assert fetcher.refused == ["http://example.com/a.css", "https://example.com/f.ttf", "file:///etc/hosts",
                               "ftp://x/y"]


def test_math_svgs_have_unique_ids():
    md = MarkdownRenderer(BANK)
    html = md.html("$x^2$ 와 $x^2$ 그리고 $$\\frac{a}{b}$$", BANK / "q.md")
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert ids and len(ids) == len(set(ids))


def test_serial_build_matches(exam, tmp_path):
    paths = render_exam(exam, tmp_path, jobs=1)
    assert [p.name for p in paths][-2:] == ["key.pdf", "exam.html"] and all(p.stat().st_size > 1000 for p in paths)


def test_hangul_renders_without_system_fonts(exam, tmp_path):
    """A fontconfig that knows only DejaVu: the booklet still carries Hangul in the project's own fonts."""
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    "<dir>/usr/share/fonts/truetype/dejavu</dir>"
                    f"<cachedir>{tmp_path}/cache</cachedir></fontconfig>")
    script = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
        "from test_render import make_exam; from generator.render.pdf import Engine;"
        "from generator.render.booklet import render_booklets; e = make_exam();"
        "render_booklets(e, Engine(e.bank.root), Path(sys.argv[2]), forms=[e.forms[0]])"
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    subprocess.run([sys.executable, "-c", script, str(Path(__file__).parent), str(tmp_path)], check=True, env=env,
                   timeout=120)
    text = "".join(pdf_text(tmp_path / "booklet-A.pdf"))
    assert "데이터정제에대한설명으로옳은것은?" in text
    assert_only_project_fonts_embedded(tmp_path / "booklet-A.pdf")  # not DejaVu boxes


# --- browser (practice mode) -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page(rendered, browser):
    tab = browser.new_page()
    requests: list[str] = []
    errors: list[str] = []
    tab.on("request", lambda r: requests.append(r.url))
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto((rendered / "exam.html").as_uri())
    tab.requests, tab.errors = requests, errors
    yield tab
    tab.close()


def answer_form(page, form, correct: bool, short_variant=lambda a: a) -> dict:
    page.select_option("#form-select", form.name)
    page.click("#reset-btn")
    for item in form.items:
        question = f'.paper[data-form="{form.name}"] .question[data-n="{item.number}"]'
        if item.answer is not None:
            value = item.answer if correct else item.answer % len(item.choices) + 1
            page.locator(f'{question} input[value="{value}"]').locator("xpath=..").click()  # its <label>
        elif item.question.type.value == "short":
            answer = item.question.meta.answers[-1] if correct else "모르겠음"
            page.fill(f"{question} .short-input", short_variant(answer))
    submit(page)
    return page.eval_on_selector("#score-total", "e => ({score: +e.dataset.score, max: +e.dataset.max})")


def submit(page) -> None:
    """Grade; the essays are left empty, so confirm the warning about unanswered questions."""
    page.click("#submit-btn")
    if page.locator("#confirm-dialog[open]").count():
        page.click("#confirm-grade")


def objective_points(form) -> int:
    return sum(item.points for item in form.items if item.question.type.value != "essay")


@pytest.mark.browser
def test_practice_full_score_with_the_key(exam, page):
    for form in exam.forms:
        result = answer_form(page, form, correct=True)
        assert result == {"score": objective_points(form), "max": exam.total_points}, form.name
        assert page.locator(f'.paper[data-form="{form.name}"] .question.wrong').count() == 0
        topics = page.locator("#topic-rows tr").count()
        assert topics == len({item.question.topic for item in form.items})
    assert page.errors == []
    assert all(url.startswith(("file:", "data:")) for url in page.requests)


@pytest.mark.browser
def test_practice_wrong_answers_score_lower_and_explain(exam, page):
    form = exam.forms[1]
    result = answer_form(page, form, correct=False)
    assert result["score"] == 0 and result["max"] == exam.total_points
    assert page.locator(f'.paper[data-form="{form.name}"] .feedback:visible .explain').count() == len(form.items)
    essay = page.locator(f'.paper[data-form="{form.name}"] .rubric-check').first
    essay.check()
    assert page.eval_on_selector("#score-total", "e => +e.dataset.score") > 0


@pytest.mark.browser
def test_practice_short_answers_ignore_case_spaces_and_gloss(exam, page):
    form = exam.forms[0]
    variants = [lambda a: a.upper(), lambda a: " ".join(a.replace(" ", "")) + " ", lambda a: a + " (gloss)"]
    for variant in variants:
        result = answer_form(page, form, correct=True, short_variant=variant)
        assert result["score"] == objective_points(form)
    page.select_option("#form-select", form.name)
    page.click("#reset-btn")
    short = next(i for i in form.items if i.question.id == "rt-short-cv")
    sel = f'.paper[data-form="{form.name}"] .question[data-n="{short.number}"]'
    for typed, ok in (("교차검증", True), ("cross validation", True), ("cross-VALIDATION", True), ("cv", True),
                     ("cross", False)):
        page.fill(f"{sel} .short-input", typed)
        submit(page)
        assert (page.locator(f"{sel}.correct").count() == 1) is ok, typed


@pytest.mark.browser
def test_html_uses_embedded_fonts(page):
    families = page.evaluate("""async () => { await document.fonts.ready;
        const texts = ['가', 'A'];
        await Promise.all(['mx-serif', 'mx-sans'].map(f => document.fonts.load('16px ' + f, '가')));
        return [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family.replace(/"/g, '')); }""")
    assert {"mx-serif", "mx-sans"} <= set(families)


def test_choice_references_in_explanations_follow_each_form(exam, rendered):
    """The key numbers choices as on form A; the practice page as on the form being practised."""
    printed = {form.name: next(i for i in form.items if i.question.id == "rt-attention-heads") for form in exam.forms}
    a_answer = CIRCLED[printed["A"].answer - 1]
    key_text = "".join(pdf_text(rendered / "key.pdf"))
    assert f"정답은{a_answer}" in key_text
    html = (rendered / "exam.html").read_text(encoding="utf-8")
    for name, item in printed.items():
        block = html.split(f'data-form="{name}" data-qid="rt-attention-heads"', 1)[1].split("</div>\n  </div>", 1)[0]
        assert f"정답은 {CIRCLED[item.answer - 1]}" in block.replace("\u2060", "")
        first_choice_now = CIRCLED[item.choice_order.index(0)]
        assert f"{first_choice_now}" in block


def test_replayed_svg_paths_draw_the_same_pdf(tmp_path, monkeypatch):
    """The path memo (render/svg_paths.py) only saves time: a page of SVG formulas (as the grading reports
    embed them) is byte-identical without it."""
    from weasyprint import svg

    from generator.render import svg_paths
    from generator.render.common import paper_css
    from generator.render.markdown import MarkdownRenderer
    from generator.render.pdf import Engine

    md = MarkdownRenderer(tmp_path, inline_svg=False)
    text = r"오차 $\sum_{i=1}^{n} (y_i - \hat{y}_i)^2$ 와 $$\frac{\partial L}{\partial w} = x^\top (\hat{y} - y)$$"
    markup = f"<html><head><style>{paper_css('key.css')}</style></head><body>{md.html(text, tmp_path)}</body></html>"
    assert markup.count("<img") == 2
    svg_paths.install()
    memoised = svg.TAGS["path"]
    assert getattr(memoised, "memoised", False)
    Engine(tmp_path).write(markup, tmp_path / "with.pdf")
    Engine(tmp_path).write(markup, tmp_path / "with-again.pdf")  # replayed from the memo this time
    monkeypatch.setattr(svg_paths, "install", lambda: None)
    monkeypatch.setitem(svg.TAGS, "path", memoised.original)
    Engine(tmp_path).write(markup, tmp_path / "without.pdf")
    assert (tmp_path / "with-again.pdf").read_bytes() == (tmp_path / "without.pdf").read_bytes()


def test_build_writes_every_output_and_render_applies_a_bank_fix(tmp_path, run):
    """`mockexam build` writes all files at once; `mockexam render` re-renders with the fixed text."""
    import json
    import shutil

    bank = tmp_path / "bank"
    shutil.copytree(BANK, bank)
    blueprint = tmp_path / "quiz.yaml"
    blueprint.write_text("title: 연습 시험\nduration_minutes: 30\nforms: [A, B]\nseed: 3\nsections:\n"
                         "  - {type: mcq, count: 4, points: 3}\n  - {type: short, count: 1, points: 4}\n",
                         encoding="utf-8")
    out = tmp_path / "out"
    result = run("build", blueprint, "--bank", bank, "--out", out)
    assert result.exit_code == 0, result.output
    folder = out / "quiz-3"
    assert sorted(p.name for p in folder.iterdir()) == [
        ".mockexam-exam.json", "answer-sheet-A.pdf", "answer-sheet-B.pdf", "booklet-A.pdf", "booklet-B.pdf",
        "exam.html", "key.pdf", "layout.json", "manifest.json"]
    assert "booklet-A.pdf" in result.output and "rendering" in result.output
    before = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    first = before["forms"][0]["sections"][0]["items"][0]["id"]
    path = next(bank.rglob(f"{first}.md"))
    text = path.read_text(encoding="utf-8")
    stem_start = text.index("---\n", 4) + 4
    path.write_text(text[:stem_start] + "수정된문항표시 " + text[stem_start:], encoding="utf-8")

    result = run("render", folder / "manifest.json", "--bank", bank)
    assert result.exit_code == 0, result.output
    assert "bank changed" in result.output
    after = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert after["forms"] == before["forms"], "same questions, order, choices and key"
    assert "수정된문항표시" in "".join(pdf_text(folder / "booklet-A.pdf"))


def test_answer_sheets_reuse_their_cached_layout_and_come_out_the_same(exam, tmp_path, monkeypatch):
    """A second build of the same sheet shape lays nothing out again and writes byte-identical sheets."""
    from generator.render.pdf import Engine
    from generator.render.sheet_compose import render_answer_sheets

    monkeypatch.setenv("MOCKEXAM_CACHE_DIR", str(tmp_path / "cache"))
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    render_answer_sheets(exam, Engine(exam.bank.root), first)

    class NoLayout(Engine):
        def document(self, markup: str):
            raise AssertionError("laid out again")

    render_answer_sheets(exam, NoLayout(exam.bank.root), second)
    names = sorted(path.name for path in first.iterdir())
    assert names == ["answer-sheet-A.pdf", "answer-sheet-B.pdf", "layout.json"]
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    monkeypatch.setenv("MOCKEXAM_CACHE_DIR", "")  # no cache: laid out afresh
    with pytest.raises(AssertionError, match="laid out again"):
        render_answer_sheets(exam, NoLayout(exam.bank.root), second)


def _pid_and_parent(_: object) -> tuple[int, int]:
    return os.getpid(), os.getppid()


def _fail_to_prepare() -> None:
    raise OSError("cannot load library 'libpango-1.0-0.so'")


def test_zygote_forks_the_workers_and_reports_their_errors():
    """Calls run in workers forked by the zygote (not by the build); a worker's error and a failed
    preparation (e.g. WeasyPrint without Pango) reach the caller as themselves."""
    from generator.render.zygote import Zygote

    zygote = Zygote(2, lambda: None, lambda *_: None, ())
    try:
        pid, parent = zygote.submit(_pid_and_parent, None).result(timeout=30)
        assert parent == zygote.pid and pid not in (os.getpid(), zygote.pid)
        with pytest.raises(ValueError, match="invalid literal"):
            zygote.submit(int, "three").result(timeout=30)
    finally:
        zygote.shutdown()
    broken = Zygote(2, _fail_to_prepare, lambda *_: None, ())
    try:
        with pytest.raises(OSError, match="libpango"):
            broken.submit(int, "3").result(timeout=30)
    finally:
        broken.shutdown(kill=True)
