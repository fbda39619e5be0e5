"""Lint checks that keep a bank trustworthy: answer leaks, give-away cues, the glossary; assembly keeps leaks apart."""

from __future__ import annotations

from pathlib import Path

from generator.assemble.blueprint import load_blueprint
from generator.assemble.select import select_questions
from generator.bank.lint import lint
from generator.bank.loader import load_bank

TERM = """\
---
id: {id}
type: short
topic: model.training
difficulty: 2
points: 4
{extra}answers: [가중치 감쇠, Weight decay]
---
매 갱신마다 가중치에 $(1-\\eta\\lambda)$를 곱해 크기를 줄이는 기법의 이름을 쓰시오.
"""

MCQ = """\
---
id: {id}
type: mcq
topic: model.training
difficulty: 2
points: 2
{extra}choices:
{choices}answer: {answer}
---
{stem}

## 해설
해설이다.
"""


def mcq(bank, qid: str, choices: list[str], answer: int, stem: str = "옳은 것은?", extra: str = "") -> Path:
    listed = "".join(f"  - {c}\n" for c in choices)
    return bank.write(f"{qid}.md", MCQ.format(id=qid, choices=listed, answer=answer, stem=stem, extra=extra))


def fields(report, field: str) -> list[str]:
    return [str(w) for w in report.warnings if w.field == field]


NEUTRAL = ["학습률을 크게 잡으면 발산한다.", "배치 크기는 메모리에 영향을 준다.", "모멘텀은 진동을 줄인다.",
           "에포크는 데이터를 한 번 도는 단위이다.", "검증 세트로 하이퍼파라미터를 고른다."]


def test_a_short_answer_printed_in_another_stem_is_a_leak_with_file_and_line(bank):
    bank.write("wd-term.md", TERM.format(id="wd-term", extra=""))
    mcq(bank, "adam-facts", NEUTRAL[:4] + ["가중치-감쇠를 분리한 변형이 AdamW이다."], 1)
    mcq(bank, "unrelated", NEUTRAL, 2)
    leaks = fields(lint(load_bank(bank.root)), "leak")
    assert len(leaks) == 1
    assert "wd-term.md:7: leak:" in leaks[0] and "adam-facts" in leaks[0] and "conflicts: [adam-facts]" in leaks[0]


def test_declared_conflicts_or_one_group_silence_the_leak_and_unknown_ids_are_reported(bank):
    bank.write("wd-term.md", TERM.format(id="wd-term", extra="conflicts: [adam-facts, no-such-id]\n"))
    mcq(bank, "adam-facts", NEUTRAL[:4] + ["가중치 감쇠를 분리한 변형이 AdamW이다."], 1)
    report = lint(load_bank(bank.root))
    assert fields(report, "leak") == []
    assert len(fields(report, "conflicts")) == 1 and "no-such-id" in fields(report, "conflicts")[0]


def test_ascii_terms_match_whole_words_only(bank):
    bank.write("psi-term.md", TERM.format(id="psi-term", extra="").replace("[가중치 감쇠, Weight decay]", "[PSI]"))
    mcq(bank, "eps", NEUTRAL[:4] + ["잡음 $\\epsilon$을 표준 정규분포에서 뽑는다."], 1)
    assert fields(lint(load_bank(bank.root)), "leak") == []


def test_a_term_mcq_key_printed_alone_elsewhere_leaks_but_not_when_the_distractors_are_named_too(bank):
    mcq(bank, "opt-name", ["SGD", "Adam", "RMSprop", "Adagrad", "Momentum"], 2, stem="다음 설명에 해당하는 옵티마이저는?")
    mcq(bank, "gives-it", NEUTRAL[:4] + ["Adam은 1차와 2차 모멘트를 함께 쓴다."], 1)
    mcq(bank, "lists-all", NEUTRAL[:4] + ["SGD, Adam, RMSprop 모두 학습률이 필요하다."], 1)
    leaks = fields(lint(load_bank(bank.root)), "leak")
    assert len(leaks) == 1 and "gives-it" in leaks[0]


def test_assembly_never_puts_a_leaking_pair_in_one_exam(bank, tmp_path):
    bank.write("wd-term.md", TERM.format(id="wd-term", extra=""))
    mcq(bank, "adam-facts", NEUTRAL[:4] + ["가중치 감쇠를 분리한 변형이 AdamW이다."], 1)
    for n in range(3):
        mcq(bank, f"other-{n}", [f"{c} ({n})" for c in NEUTRAL], 1 + n)
    blueprint = tmp_path / "bp.yaml"
    blueprint.write_text("title: t\nsubject: s\nsession: s\nduration_minutes: 10\nforms: [A]\nsections:\n  - {type: mcq, count: 2, points: 2}\n"
                         "  - {type: short, count: 1, points: 4}\n", encoding="utf-8")
    loaded = load_bank(bank.root)
    for seed in range(12):
        chosen = {q.id for q in select_questions(loaded.questions, load_blueprint(blueprint, loaded.taxonomy), loaded.taxonomy,
                                                 seed).questions}
        assert "wd-term" in chosen and "adam-facts" not in chosen


def test_give_away_cues_are_flagged_and_a_justification_silences_them(bank):
    hedged = ["과적합이 크게 줄어든다.", "학습이 훨씬 빨라진다.", "기울기가 점점 커진다.", "편향이 크게 줄어든다.",
              "일반화가 좋아질 수 있다."]
    mcq(bank, "hedge", hedged, 5)
    absolute = ["손실이 항상 수렴한다.", "모든 층에 적용한다.", "반드시 정규화해야 한다.", "오차는 절대 줄지 않는다.",
                "학습률에 따라 달라진다."]
    mcq(bank, "absolute", absolute, 5)
    mcq(bank, "longest", ["학습이 빨라진다.", "기울기가 커진다.", "편향이 줄어든다.", "분산이 커진다.",
                          "검증 손실이 다시 오르기 시작하는 시점에 학습을 멈춘다."], 5)
    mcq(bank, "ending", ["학습을 안정시키기 위해서이다.", "계산을 줄이기 위해서이다.", "메모리를 아끼기 위해서이다.",
                         "편향을 없애기 위해서이다.", "기울기가 작아지기 때문이다."], 5)
    mcq(bank, "fine", NEUTRAL, 3)
    mcq(bank, "justified", hedged, 5, extra="lint_ok: {giveaway-hedge: 모든 선택지가 '~수 있다'로 바꿔 쓸 수 없는 정의문이다}\n")
    report = lint(load_bank(bank.root))
    flagged = {(w.path.rsplit("/", 1)[-1], w.field) for w in report.warnings if w.field.startswith("giveaway")}
    assert flagged == {("hedge.md", "giveaway-hedge"), ("absolute.md", "giveaway-absolute"),
                       ("longest.md", "giveaway-longest"), ("ending.md", "giveaway-ending")}
    assert any("1 of 6 MCQs" in note for note in report.notes)  # 17 % justified: above the 5 % allowance


def test_glossary_violations_name_file_and_line_and_skip_accepted_answers(bank):
    (bank.root / "glossary.yaml").write_text(
        "- use: 미세 조정\n  avoid: [미세조정]\n  note: fine-tuning\n- use: 차분 프라이버시\n  avoid: 차등 프라이버시\n",
        encoding="utf-8")
    bank.write("ft.md", TERM.format(id="ft", extra="").replace("[가중치 감쇠, Weight decay]", "[미세 조정, 미세조정]")
               + "\n## 해설\n사전 학습 모델을 미세조정한다. 차등 프라이버시와는 다르다.\n")
    found = fields(lint(load_bank(bank.root)), "glossary")
    assert len(found) == 2 and all(":12: glossary:" in w for w in found)
    assert any("'미세조정': the bank writes '미세 조정'" in w for w in found)


def test_a_malformed_glossary_entry_is_reported_at_its_line(bank):
    (bank.root / "glossary.yaml").write_text("- use: 미세 조정\n  avoid: [미세조정]\n- use: 특성\n", encoding="utf-8")
    bank.write("wd-term.md", TERM.format(id="wd-term", extra=""))
    found = fields(lint(load_bank(bank.root)), "glossary")
    assert len(found) == 1 and found[0].endswith("(non-empty text)") and "glossary.yaml:3:" in found[0]


def test_an_unknown_lint_ok_code_is_reported(bank):
    mcq(bank, "typo", NEUTRAL, 1, extra="lint_ok: {giveaway-hedgee: 이유}\n")
    found = fields(lint(load_bank(bank.root)), "lint_ok")
    assert len(found) == 1 and "unknown check 'giveaway-hedgee'" in found[0]
