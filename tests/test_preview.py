"""mockexam preview: tolerant loading, the live page in Chromium (desktop and phone), the one-question PDF."""

from __future__ import annotations

import io
import os
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from generator.bank.loader import load_bank
from generator.preview.server import PreviewServer
from generator.preview.state import PreviewState
from generator.preview.tolerant import TolerantLoader
from generator.problems import UserError

BROKEN_YAML = "---\nid: broken-one\ntype: mcq\nchoices: [a, b\n---\n본문\n"


def fill(bank, count: int = 4) -> list[Path]:
    paths = [bank.add("mcq", f"pv-mcq-{i}", answer=i % 5 + 1) for i in range(count)]
    paths.append(bank.add("short", "pv-short"))
    paths.append(bank.add("essay", "pv-essay", topic="model.architecture"))
    return paths


# --- tolerant loading ---------------------------------------------------------------------------------------
def test_tolerant_load_keeps_valid_questions_and_reports_the_rest(bank):
    fill(bank)
    bank.write("broken-one.md", BROKEN_YAML)
    bank.write("zz-dup.md", (bank.root / "questions/model/pv-mcq-0.md").read_text(encoding="utf-8"))
    bank.add("mcq", "pv-bad-answer", answer=9)
    snapshot = TolerantLoader(bank.root).load()
    assert snapshot.bank is not None
    ids = {q.id for q in snapshot.bank.questions}
    assert ids == {"pv-mcq-0", "pv-mcq-1", "pv-mcq-2", "pv-mcq-3", "pv-short", "pv-essay"}
    with pytest.raises(UserError) as strict:  # the same problems as `mockexam validate`, one by one
        load_bank(bank.root)
    assert snapshot.problems == tuple(sorted(strict.value.problems))
    assert {Path(p.path).name for p in snapshot.problems} == {"broken-one.md", "zz-dup.md", "pv-bad-answer.md"}
    dup = [p for p in snapshot.problems if p.path.endswith("zz-dup.md")]
    assert dup and dup[0].field == "id" and "pv-mcq-0.md" in dup[0].message and dup[0].line == 2


def test_tolerant_load_parses_only_changed_files(bank):
    paths = fill(bank)
    loader = TolerantLoader(bank.root)
    assert loader.load().parsed == len(paths)
    assert loader.load().parsed == 0
    paths[1].write_text(paths[1].read_text(encoding="utf-8").replace("옳은 것은?", "옳지 않은 것은?"),
                        encoding="utf-8")
    again = loader.load()
    assert again.parsed == 1
    assert "옳지 않은 것은?" in again.bank.by_id["pv-mcq-1"].body.stem
    paths[2].unlink()
    assert "pv-mcq-2" not in loader.load().bank.by_id


MUTATIONS = {
    "fine": lambda text: text,
    "bad answer": lambda text: text.replace("answer: ", "answer: 9", 1),
    "bad yaml": lambda text: text.replace("type:", "type: [", 1),
    "unknown topic": lambda text: text.replace("topic: model.training", "topic: model.trainin", 1),
    "same size edit": lambda text: text.replace("옳은", "옳지", 1),
    "no front matter": lambda text: text.split("---", 2)[-1],
}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 4), st.sampled_from(sorted(MUTATIONS)), st.booleans()),
                      min_size=1, max_size=6))
def test_incremental_load_always_agrees_with_a_full_validation(tmp_path_factory, edits):
    """After any sequence of rapid edits (faster than file times tick), the incremental load shows exactly
    the questions and problems that a fresh `mockexam validate` run sees."""
    from conftest import BankBuilder

    builder = BankBuilder(tmp_path_factory.mktemp("incremental") / "bank")
    paths = [builder.add("mcq", f"inc-{i}", answer=i + 1) for i in range(5)]
    originals = [p.read_text(encoding="utf-8") for p in paths]
    loader = TolerantLoader(builder.root)
    loader.load()
    for index, mutation, duplicate in edits:
        text = MUTATIONS[mutation](originals[index])
        if duplicate:  # give it the id of another file
            text = text.replace(f"id: inc-{index}", f"id: inc-{(index + 1) % 5}", 1)
        paths[index].write_text(text, encoding="utf-8")
        now = time.time_ns()  # as on a file system that keeps whole seconds: saves in one second look alike
        os.utime(paths[index], ns=(now - now % 10**9,) * 2)
        incremental = loader.load()
        fresh = TolerantLoader(builder.root).load()
        assert incremental.problems == fresh.problems
        assert incremental.revisions == fresh.revisions
        assert [q.body for q in incremental.bank.questions] == [q.body for q in fresh.bank.questions]
        try:
            strict = load_bank(builder.root)
        except UserError as error:
            assert incremental.problems == tuple(sorted(error.problems))
        else:
            assert incremental.problems == () and [q.id for q in strict.questions] == list(incremental.revisions)


def test_broken_topics_yaml_is_a_problem_not_a_crash(bank):
    fill(bank)
    (bank.root / "topics.yaml").write_text("model: [\n", encoding="utf-8")
    snapshot = TolerantLoader(bank.root).load()
    assert snapshot.bank is None and snapshot.problems and snapshot.problems[0].path.endswith("topics.yaml")


# --- server --------------------------------------------------------------------------------------------------
@pytest.fixture
def server(bank):
    fill(bank)
    blueprint = bank.root.parent / "quiz.yaml"
    blueprint.write_text("title: 미리보기 퀴즈\nduration_minutes: 20\nforms: [A, B]\nsections:\n"
                         "  - {type: mcq, count: 3}\n  - {type: short, count: 1}\n", encoding="utf-8")
    state = PreviewState(bank.root, blueprint, out_root=bank.root.parent / "output")
    running = PreviewServer(state, port=0).start()
    yield running
    running.stop()
    assert not running._thread.is_alive()
    with pytest.raises(OSError):  # the port is closed again
        socket.create_connection(("127.0.0.1", running.port), timeout=1).close()


def get(url: str, headers: dict | None = None) -> tuple[int, bytes, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), ""


def test_question_pdf_is_rendered_in_the_booklet_layout(server, bank):
    status, body, kind = get(server.url + "pdf/pv-mcq-1")
    assert status == 200 and kind == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages).replace("\u2060", "")
    assert "pv-mcq-1" in text and "문항에대한설명으로옳은것은?" in text.replace(" ", "").replace("\n", "")
    assert "수험번호" in text.replace(" ", "")  # the booklet's title block
    assert get(server.url + "pdf/no-such-question")[0] == 404
    assert sorted(p.name for p in (bank.root / "questions" / "model").iterdir()) == sorted(
        p.name for p in bank.root.joinpath("questions", "model").glob("*.md"))  # nothing written into the bank


def test_other_host_names_are_refused(server):
    assert get(server.url)[0] == 200
    assert get(server.url, {"Host": "attacker.example"})[0] == 400


# --- browser -------------------------------------------------------------------------------------------------
def wait_version_after(page, version: int, timeout: float = 10.0) -> float:
    """Seconds until the page shows a newer state than ``version`` (it reloads itself on the pushed event)."""
    return wait_until(page, f"Number(document.body.dataset.version || 0) > {version}", timeout)


def wait_until(page, expression: str, timeout: float = 10.0) -> float:
    """Poll ``expression`` (page.wait_for_function would need 'unsafe-eval', which the page's CSP forbids)."""
    start = time.monotonic()
    while not page.evaluate(expression):
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not true after {timeout} s: {expression}")
        page.wait_for_timeout(30)
    return time.monotonic() - start


def version(page) -> int:
    return int(page.evaluate("document.body.dataset.version || 0"))


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_page_follows_edits_and_shows_problems(server, bank, browser, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url)
    page.wait_for_selector('.card[data-id="pv-essay"]')
    assert page.locator(".card").count() == 6
    assert page.locator('.card[data-id="pv-mcq-1"] .sheet .qnum').inner_text().strip() == "1."
    assert "②" in page.locator('.card[data-id="pv-mcq-1"] .key').inner_text()
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")

    # an edit appears without a reload
    path = bank.root / "questions" / "model" / "pv-mcq-1.md"
    text = path.read_text(encoding="utf-8")
    before = version(page)
    path.write_text(text.replace("옳은 것은?", "옳지 않은 것은? (수정됨)"), encoding="utf-8")
    wait_version_after(page, before)
    wait_until(page, "document.querySelector('.card[data-id=\"pv-mcq-1\"] .sheet').textContent.includes('수정됨')")

    # a broken file: its problem with file:line, the rest still shown
    before = version(page)
    path.write_text(text.replace("answer: 2", "answer: 9"), encoding="utf-8")
    wait_version_after(page, before)
    problem = page.locator("#problem-list li").first
    problem.wait_for()
    assert "questions/model/pv-mcq-1.md:" in problem.inner_text() and "answer" in problem.inner_text()
    assert page.locator("#problems").is_visible()
    assert page.locator(".card").count() == 5 and page.locator('.card[data-id="pv-mcq-1"]').count() == 0

    # the fix: problem gone, question back
    before = version(page)
    path.write_text(text, encoding="utf-8")
    wait_version_after(page, before)
    page.wait_for_selector('.card[data-id="pv-mcq-1"]')
    assert page.locator("#problems").is_hidden()
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    assert errors == []
    page.close()


@pytest.mark.browser
def test_filters_and_the_assembled_exam(server, bank, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server.url)
    page.wait_for_selector(".card")
    page.select_option("#f-type", "mcq")
    assert page.locator(".card:visible").count() == 4
    page.select_option("#f-type", "")
    page.select_option("#f-topic", "model.architecture")
    assert [c.get_attribute("data-id") for c in page.locator(".card:visible").all()] == ["pv-essay"]
    page.select_option("#f-topic", "")
    page.fill("#f-text", "pv-mcq-3")
    assert page.locator(".card:visible").count() == 1
    assert "6개 중 1개" in page.locator("#count").inner_text()

    page.click("#tab-exam")
    items = page.locator("#exam-view .exam-item")
    assert items.count() == 4
    assert "A형 객관식 정답" in page.locator(".mcq-key").inner_text()
    page.click(".form-pick button:has-text('B형')")
    assert page.locator(".mcq-key").inner_text().startswith("B형")

    # an impossible blueprint is explained on the page; the bank tab is unaffected
    before = version(page)
    blueprint = server.state.blueprint_path
    blueprint.write_text(blueprint.read_text(encoding="utf-8").replace("count: 3", "count: 30"), encoding="utf-8")
    wait_version_after(page, before)
    wait_until(page, "!document.getElementById('exam-problems').hidden")  # replanned after the bank's reload
    assert "mcq" in page.locator("#exam-problems").inner_text()
    page.close()


def test_cli_refuses_a_missing_blueprint_and_a_busy_port(bank, run, tmp_path):
    fill(bank)
    result = run("preview", "--bank", bank.root, "--no-open", tmp_path / "nope.yaml")
    assert result.exit_code == 1 and "file not found" in result.output and "Traceback" not in result.output
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    try:
        with pytest.raises(UserError, match="--port 0"):
            PreviewServer(PreviewState(bank.root), port=busy.getsockname()[1])
    finally:
        busy.close()
