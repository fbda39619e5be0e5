"""One short-answer matching rule: the Python grader and the practice page's JS agree on shared cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import PROJECT
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.bank.answers import answer_matches, normalize_answer

CASES = json.loads((PROJECT / "tests" / "fixtures" / "short_answer_cases.json").read_text(encoding="utf-8"))
SCRIPT = (PROJECT / "templates" / "short_answer.js").read_text(encoding="utf-8")
CHROMIUM = Path("/usr/bin/chromium")


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
def js_page():
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
        page = browser.new_page()
        page.set_content(f"<!doctype html><meta charset=utf-8><script>{SCRIPT}</script>")
        yield page
        browser.close()


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
