"""One short-answer matching rule: the Python grader and the practice page's JS agree on shared cases."""

from __future__ import annotations

import json

import pytest
from conftest import PROJECT
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.bank.answers import answer_matches, normalize_answer

CASES = json.loads((PROJECT / "tests" / "fixtures" / "short_answer_cases.json").read_text(encoding="utf-8"))
SCRIPT = (PROJECT / "templates" / "short_answer.js").read_text(encoding="utf-8")


@pytest.mark.parametrize(("text", "expected"), CASES["normalize"])
def test_normalize_cases(text, expected):
    assert normalize_answer(text) == expected


@pytest.mark.parametrize("case", CASES["match"], ids=lambda c: f"{c['given']}->{c['ok']}")
def test_match_cases(case):
    assert answer_matches(case["given"], case["accepted"]) is case["ok"]


@given(st.text(alphabet=st.sampled_from("aA가 -_()·.,1@Ｋ검증"), max_size=20))
def test_normalizing_twice_changes_nothing(text):
    once = normalize_answer(text)
    assert normalize_answer(once) == once


@pytest.fixture(scope="module")
def js_page(browser):
    page = browser.new_page()
    page.set_content(f"<!doctype html><meta charset=utf-8><script>{SCRIPT}</script>")
    yield page
    page.close()


@pytest.mark.browser
def test_the_page_script_passes_the_same_cases(js_page):
    normalized = js_page.evaluate("cases => cases.map(c => window.shortAnswer.normalize(c[0]))", CASES["normalize"])
    assert normalized == [expected for _, expected in CASES["normalize"]]
    matched = js_page.evaluate("cases => cases.map(c => window.shortAnswer.matches(c.given, c.accepted))",
                               CASES["match"])
    assert matched == [case["ok"] for case in CASES["match"]]


@pytest.mark.browser
@settings(max_examples=5, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("aBç가힣 -‐_()·.,19@ＫＣ'`ㆍ/"), max_size=16), min_size=20, max_size=40))
def test_the_page_script_agrees_with_python_on_any_text(js_page, texts):
    assert js_page.evaluate("ts => ts.map(t => window.shortAnswer.normalize(t))", texts) == \
        [normalize_answer(t) for t in texts]


def test_the_practice_page_embeds_glyphs_for_every_accepted_answer(monkeypatch):
    """Accepted answers appear only in the page's JSON (escaped), yet the feedback line prints them."""
    from generator.assemble.blueprint import Blueprint
    from generator.assemble.exam import Exam
    from generator.assemble.forms import make_forms
    from generator.bank.loader import load_bank
    from generator.render import webpage

    bank = load_bank(PROJECT / "bank")
    short = [q for q in bank.questions if q.id == "arch-global-average-pooling"]
    bp = Blueprint(title="t", session="s", duration_minutes=10, forms=("A",),
                   sections=[{"type": "short", "count": 1, "points": 4}])
    seen: list[str] = []
    monkeypatch.setattr(webpage, "subset_sources", lambda text: seen.append(text) or {})
    monkeypatch.setattr(webpage, "font_face_css", lambda sources: "")
    webpage.exam_html(Exam("x", bp, 1, bank, make_forms(bp, [short], 1)))
    needed = set("".join(short[0].meta.answers))
    assert needed <= set(seen[0]), sorted(needed - set(seen[0]))
