"""The practice page (exam.html) in Chromium at desktop and phone widths: saved answers, timer, warnings,
review and retry of wrong answers, per-topic score, layout at 390 px."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.assemble.blueprint import Blueprint
from generator.assemble.exam import Exam
from generator.assemble.forms import make_forms
from generator.bank.loader import load_bank
from generator.render.webpage import render_html

FIXTURE = Path(__file__).parent / "fixtures" / "render_bank"
WIDTHS = [1280, 390]
MINUTES = 20

WIDE = """\
---
id: rt-wide-table
type: mcq
topic: model.training
difficulty: 2
points: 3
choices: ["$a$", "$b$", "$c$", "$d$", "$e$"]
answer: 1
---
다음 표와 식을 보고 옳은 것을 고르시오.

| 하이퍼파라미터 | 학습률 | 배치 크기 | 에폭 수 | 드롭아웃 비율 | 가중치 감쇠 | 모멘텀 | 워밍업 단계 |
|---|---|---|---|---|---|---|---|
| 실험 A 설정값 | 0.0001 | 256 | 100 | 0.5 | 0.0005 | 0.9 | 10000 |

$$L(\\theta) = -\\frac{1}{N}\\sum_{i=1}^{N}\\sum_{k=1}^{K} y_{ik}\\log\\frac{\\exp(z_{ik})}{\\sum_{j=1}^{K}\\exp(z_{ij})} + \\lambda_1\\lVert\\theta\\rVert_1 + \\lambda_2\\lVert\\theta\\rVert_2^2 + \\lambda_3\\sum_{l=1}^{L}\\lVert W_l\\rVert_F^2$$

## 해설
| 구분 | 첫째 열 | 둘째 열 | 셋째 열 | 넷째 열 | 다섯째 열 | 여섯째 열 | 일곱째 열 | 여덟째 열 |
|---|---|---|---|---|---|---|---|---|
| 값 | 0.123456 | 0.234567 | 0.345678 | 0.456789 | 0.567891 | 0.678912 | 0.789123 | 0.891234 |
"""


@pytest.fixture(scope="module")
def exam(tmp_path_factory) -> Exam:
    root = tmp_path_factory.mktemp("practice") / "bank"
    shutil.copytree(FIXTURE, root)
    (root / "questions" / "model" / "rt-wide-table.md").write_text(WIDE, encoding="utf-8")
    bank = load_bank(root)
    bp = Blueprint(title="연습 모의고사", session="제2회", duration_minutes=MINUTES, forms=("A", "B"),
                   sections=[{"type": "mcq", "count": 7, "points": 3}, {"type": "short", "count": 2},
                             {"type": "essay", "count": 1}])
    selected = [[q for q in bank.questions if q.type == s.type][: s.count] for s in bp.sections]
    assert "rt-wide-table" in {q.id for q in selected[0]}
    return Exam("practice-exam", bp, 5, bank, make_forms(bp, selected, 5))


@pytest.fixture(scope="module")
def url(exam, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("practice-html")
    return render_html(exam, out).as_uri()


@pytest.fixture
def context(browser, request):
    """A fresh browser profile (empty localStorage) at the test's width."""
    width = getattr(request, "param", 1280)
    ctx = browser.new_context(viewport={"width": width, "height": 860})
    yield ctx
    ctx.close()


def open_page(context, url, fake_clock: bool = False):
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    if fake_clock:
        page.clock.install()
    page.goto(url)
    return page


def q(form: str, n: int) -> str:
    return f'.paper[data-form="{form}"] .question[data-n="{n}"]'


def mark(page, form, item, correct: bool = True) -> None:
    """Answer one question the way a student does (click a choice, type an answer)."""
    if item.answer is not None:
        value = item.answer if correct else item.answer % len(item.choices) + 1
        page.locator(f'{q(form.name, item.number)} input[value="{value}"]').locator("xpath=..").click()
    elif item.question.type.value == "short":
        page.fill(f"{q(form.name, item.number)} .short-input", item.question.meta.answers[0] if correct else "모름")
    else:
        page.fill(f"{q(form.name, item.number)} textarea", "미니배치 통계로 정규화하고 학습 가능한 스케일을 둔다.")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")


@pytest.mark.browser
@pytest.mark.parametrize("context", WIDTHS, indirect=True)
def test_answers_survive_a_reload(exam, url, context):
    page = open_page(context, url)
    a, b = exam.forms
    for item in a.items:
        mark(page, a, item)
    page.select_option("#form-select", "B")
    mark(page, b, b.items[0], correct=False)
    page.reload()
    assert page.input_value("#form-select") == "B"  # back on the form left
    wrong = b.items[0].answer % len(b.items[0].choices) + 1
    assert page.is_checked(f'{q("B", 1)} input[value="{wrong}"]')
    for item in a.items:
        if item.answer is not None:
            assert page.is_checked(f'{q("A", item.number)} input[value="{item.answer}"]')
        elif item.question.type.value == "short":
            assert page.input_value(f'{q("A", item.number)} .short-input') == item.question.meta.answers[0]
        else:
            assert "정규화" in page.input_value(f'{q("A", item.number)} textarea')
    keys = page.evaluate("Object.keys(localStorage)")
    assert any(k.startswith("mockexam:practice-exam:A:") for k in keys)
    assert any(k.startswith("mockexam:practice-exam:B:") for k in keys)
    page.select_option("#form-select", "A")
    assert "답한 문항 10 / 10" in page.inner_text("#progress")
    page.click("#reset-btn")  # 처음부터 다시: forgets this form's answers, also after a reload
    page.reload()
    page.select_option("#form-select", "A")
    assert page.locator('.paper[data-form="A"] input[type=radio]:checked').count() == 0
    assert page.errors == []


@pytest.mark.browser
@pytest.mark.parametrize("context", WIDTHS, indirect=True)
def test_timer_warns_before_the_end_and_stops_when_graded(exam, url, context):
    page = open_page(context, url, fake_clock=True)
    form = exam.forms[0]
    assert page.inner_text("#timer") == f"시험 시간 {MINUTES}:00"  # starts with the first answer
    mark(page, form, form.items[0])
    page.clock.run_for(2000)
    assert page.inner_text("#timer").startswith(f"남은 시간 {MINUTES - 1}:5")
    assert page.locator("#time-notice").is_hidden()
    page.clock.run_for((MINUTES - 5) * 60_000)  # 4:59 left
    assert page.get_attribute("#timer", "data-state") == "warn"
    assert page.locator("#time-notice").is_visible()
    assert "시험 종료 5분 전" in page.inner_text("#time-notice")
    page.reload()  # the clock keeps running across a reload
    page.clock.run_for(1000)
    assert page.get_attribute("#timer", "data-state") == "warn"
    page.clock.run_for(5 * 60_000)
    assert page.inner_text("#timer") == "시간 종료"
    assert "시험 시간이 끝났습니다" in page.inner_text("#time-notice")
    page.click("#time-notice-close")
    assert page.locator("#time-notice").is_hidden()
    page.click("#submit-btn")
    page.click("#confirm-grade")
    assert page.inner_text("#timer").startswith("걸린 시간")
    assert page.errors == []


@pytest.mark.browser
@pytest.mark.parametrize("context", WIDTHS, indirect=True)
def test_unanswered_questions_are_named_before_grading(exam, url, context):
    page = open_page(context, url)
    form = exam.forms[0]
    mark(page, form, form.items[0])
    page.click("#submit-btn")
    dialog = page.locator("#confirm-dialog")
    assert dialog.is_visible()
    text = dialog.inner_text()
    assert f"답하지 않은 문항이 {len(form.items) - 1}개" in text and "2번" in text and "1번" not in text.split("(")[1]
    page.click("#confirm-back")  # keep answering: nothing graded
    assert dialog.is_hidden() and page.locator("#result").is_hidden()
    for item in form.items[1:]:
        mark(page, form, item)
    page.click("#submit-btn")
    assert dialog.is_hidden() and page.locator("#result").is_visible()  # all answered: grades at once
    assert page.errors == []


@pytest.mark.browser
@pytest.mark.parametrize("context", WIDTHS, indirect=True)
def test_review_and_retry_the_wrong_answers(exam, url, context):
    page = open_page(context, url)
    form = exam.forms[1]
    page.select_option("#form-select", form.name)
    objective = [item for item in form.items if item.question.type.value != "essay"]
    right, wrong = objective[:3], objective[3:]
    for item in form.items:
        mark(page, form, item, correct=item in right)
    page.click("#submit-btn")

    # the score heading is below the sticky toolbar, not under it
    toolbar = page.eval_on_selector(".toolbar", "e => e.getBoundingClientRect().bottom")
    heading = page.eval_on_selector("#result-title", "e => e.getBoundingClientRect().top")
    assert toolbar <= heading < toolbar + 60

    # per-topic score adds up to the total
    rows = page.eval_on_selector_all("#topic-rows tr td:nth-child(3)", "cells => cells.map(c => c.textContent)")
    total = page.eval_on_selector("#score-total", "e => ({score: +e.dataset.score, max: +e.dataset.max})")
    assert sum(float(r.split("/")[0]) for r in rows) == total["score"] == sum(i.points for i in right)
    assert sum(int(r.split("/")[1]) for r in rows) == total["max"] == exam.total_points

    # review: every wrong answer, with its number and the key
    review = page.locator("#wrong-list li")
    assert review.count() == len(wrong)
    assert [review.nth(k).locator(".jump").inner_text() for k in range(len(wrong))] == [f"{i.number}번" for i in wrong]
    assert wrong[0].answer_label in review.first.inner_text()
    page.check("#only-wrong")
    assert page.locator(f'.paper[data-form="{form.name}"] .question:visible').count() == len(wrong)
    page.uncheck("#only-wrong")

    # retry: only the wrong ones, emptied; grading scores just them
    page.click("#retry-btn")
    assert page.locator("#retry-banner").is_visible()
    visible = page.locator(f'.paper[data-form="{form.name}"] .question:visible')
    assert [int(n) for n in visible.evaluate_all("qs => qs.map(q => q.dataset.n)")] == [i.number for i in wrong]
    assert page.locator(f'.paper[data-form="{form.name}"] .question:visible input[type=radio]:checked').count() == 0
    page.reload()  # still retrying after a reload
    assert page.locator("#retry-banner").is_visible()
    for item in wrong:
        mark(page, form, item)
    page.click("#submit-btn")  # every question in the retry is answered: no warning
    assert page.locator("#confirm-dialog").is_hidden()
    assert page.inner_text("#result-title") == "다시 푼 문제 채점 결과"
    retried = page.eval_on_selector("#score-total", "e => ({score: +e.dataset.score, max: +e.dataset.max})")
    assert retried == {"score": sum(i.points for i in wrong), "max": sum(i.points for i in wrong)}
    assert page.locator("#wrong-list li").count() == 0 and page.locator("#retry-btn").is_hidden()
    page.click("#show-all-btn")
    assert page.locator(f'.paper[data-form="{form.name}"] .question:visible').count() == len(form.items)
    assert no_sideways_scroll(page)
    assert page.errors == []


@pytest.mark.browser
@pytest.mark.parametrize("context", [390], indirect=True)
def test_phone_width_never_scrolls_sideways(exam, url, context):
    page = open_page(context, url)
    page.wait_for_timeout(100)
    for form in exam.forms:
        page.select_option("#form-select", form.name)
        assert no_sideways_scroll(page), form.name
        for item in form.items:
            mark(page, form, item, correct=False)
        page.click("#submit-btn")
        if page.locator("#confirm-dialog[open]").count():
            page.click("#confirm-grade")
        assert no_sideways_scroll(page), form.name  # with feedback, explanations and the score table
    wide = page.locator('.paper[data-form="B"] .stem table').first
    assert wide.evaluate("t => t.scrollWidth > t.clientWidth")  # the table scrolls inside its own box
    formula = page.locator('.paper[data-form="B"] .math-display').first
    assert formula.evaluate("m => m.scrollWidth > m.clientWidth && getComputedStyle(m).overflowX === 'auto'")
    assert page.errors == []
