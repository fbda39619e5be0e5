"""The default bank is one an instructor can trust: coverage, balance and seed provenance."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from conftest import PROJECT

from generator.bank.lint import lint
from generator.bank.loader import load_bank
from generator.bank.schema import EssayMeta, McqMeta, QuestionType, ShortMeta

SEEDS = PROJECT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def bank():
    return load_bank(PROJECT / "bank")


def test_quantities_and_coverage_per_leaf(bank):
    by_type = Counter(q.type for q in bank.questions)
    assert by_type[QuestionType.MCQ] >= 240 and by_type[QuestionType.SHORT] >= 60
    for leaf in bank.taxonomy.leaves:
        in_leaf = Counter(q.type for q in bank.questions if q.topic == leaf)
        assert in_leaf[QuestionType.MCQ] >= 8 and in_leaf[QuestionType.SHORT] >= 2, leaf
    assert {q.difficulty for q in bank.questions} == {1, 2, 3, 4, 5}


def test_mcqs_have_five_choices_an_explanation_and_spread_answers(bank):
    mcqs = [q for q in bank.questions if isinstance(q.meta, McqMeta)]
    assert all(len(q.meta.choices) == 5 and q.body.explanation for q in mcqs)
    positions = Counter(q.meta.answer for q in mcqs)
    for position in range(1, 6):
        assert 0.15 <= positions[position] / len(mcqs) <= 0.25


def test_essays_have_model_answers_and_rubrics_of_three_to_six_points(bank):
    for q in bank.questions:
        if isinstance(q.meta, EssayMeta):
            assert q.body.model_answer and 3 <= len(q.meta.rubric) <= 6, q.id


def test_no_chatbot_leftovers_corrupted_wording_or_notes_about_the_seeds(bank):
    leftovers = re.compile(r"물론입니다|설명해\s?드리겠습니다|유틸리티어|활성화 학습|비연형|시드 답안|시드의 답|원 자료|원래 자료")
    for q in bank.questions:
        text = "\n".join(filter(None, [q.body.stem, q.body.explanation, q.body.model_answer,
                                       *getattr(q.meta, "choices", ()), *getattr(q.meta, "answers", ())]))
        assert not leftovers.search(text), q.id


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed documents not beside the project")
def test_every_usable_seed_essay_and_short_answer_is_in_the_bank(bank):
    catalog = json.loads((SEEDS / "catalog.json").read_text(encoding="utf-8"))
    cited = {source for q in bank.questions for source in q.meta.source}
    cited_files = {source.split(":")[0] for source in cited}
    assert cited_files <= {p.name for p in SEEDS.glob("*.txt")}
    missing = [f"{e['file']}:{e['line']} {e['question'][:30]}" for e in catalog
               if e["type"] in ("essay", "short") and e["quality"] != "fragment"
               and f"{e['file']}:{e['line']}" not in cited]
    assert missing == []
    lines = {(s.split(":")[0], int(s.split(":")[1])) for s in cited}
    unused_statements = [e["qid"] for e in catalog if e["type"] == "mcq_statements" and e["quality"] == "clean"
                         and not any(f == e["file"] and e["line"] <= n <= e["end_line"] for f, n in lines)]
    assert unused_statements == []


def test_short_answers_list_korean_and_english_spellings(bank):
    hangul = re.compile(r"[가-힣]")
    for q in bank.questions:
        if isinstance(q.meta, ShortMeta) and any(hangul.search(a) for a in q.meta.answers):
            assert len(q.meta.answers) >= 2 or q.meta.answers[0].replace(".", "").isdigit(), q.id


def test_lint_finds_no_unexplained_near_duplicates(bank):
    report = lint(bank)
    assert [w for w in report.warnings if w.field == "duplicate"] == []
