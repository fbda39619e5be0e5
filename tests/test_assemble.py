"""Exam assembly: every blueprint constraint met, fair forms, reproducible manifests, clear infeasibility."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest
from conftest import PROJECT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.assemble.blueprint import Blueprint
from generator.assemble.forms import allowed_positions, balanced_key, make_forms
from generator.assemble.select import largest_remainder, select_questions
from generator.bank.loader import load_taxonomy
from generator.bank.schema import McqMeta, QuestionType
from generator.problems import UserError
from generator.synthetic import synthetic_question

TAXONOMY = load_taxonomy(PROJECT / "bank")
LEAVES = list(TAXONOMY.leaves)


def test_largest_remainder_gives_whole_counts_that_add_up():
    assert largest_remainder({"data": 0.15, "model": 0.5, "system": 0.25, "trend": 0.1}, 32) == {
        "data": 5, "model": 16, "system": 8, "trend": 3}
    assert largest_remainder({1: 0.1, 2: 0.3, 3: 0.4, 4: 0.15, 5: 0.05}, 32) == {1: 3, 2: 10, 3: 13, 4: 5, 5: 1}
    assert sum(largest_remainder({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}, 10).values()) == 10


@st.composite
def feasible_cases(draw):
    """A random bank and a blueprint derived from a hidden feasible selection (the witness)."""
    seed = draw(st.integers(0, 2**31 - 1))
    rng = random.Random(seed)
    size = draw(st.integers(15, 120))
    group_every = draw(st.sampled_from([0, 2, 3]))
    pin_share = draw(st.sampled_from([0.0, 0.0, 0.3]))
    choice_counts = draw(st.sampled_from([(5,), (4,), (3,), (2,), (4, 5), (2, 3, 4, 5)]))
    questions = [
        synthetic_question(
            i, rng.choices(list(QuestionType), [6, 3, 1])[0], rng.choice(LEAVES[:draw(st.integers(2, len(LEAVES)))]),
            rng.randint(1, 5), rng, group=f"g{i // group_every}" if group_every else None,
            shuffle_choices=rng.random() >= pin_share, choices=rng.choice(choice_counts))
        for i in range(size)
    ]
    by_group = {}
    for q in rng.sample(questions, len(questions)):
        by_group.setdefault(q.group or q.id, q)
    witness = list(by_group.values())[: draw(st.integers(1, min(30, len(by_group))))]
    total = len(witness)
    types = Counter(q.type for q in witness)
    by_area = draw(st.booleans())
    topics = Counter(q.area if by_area else q.topic for q in witness)
    levels = Counter(q.difficulty for q in witness)
    blueprint = Blueprint(
        title="속성 시험", duration_minutes=30, forms=("A", "B"), seed=seed,
        sections=[{"type": t, "count": n, "points": 2 if t is QuestionType.MCQ else None} for t, n in types.items()],
        topics={k: n / total for k, n in topics.items()} if draw(st.booleans()) else {},
        difficulty={k: n / total for k, n in levels.items()} if draw(st.booleans()) else {},
        include_ids=[witness[0].id] if draw(st.booleans()) else [],
    )
    return questions, blueprint


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feasible_cases())
def test_every_exam_meets_all_constraints_and_keys_match_the_shuffled_choices(case):
    questions, blueprint = case
    selection = select_questions(questions, blueprint, TAXONOMY, blueprint.seed)
    chosen = selection.questions
    assert len({q.id for q in chosen}) == len(chosen) == blueprint.question_count
    for spec, section in zip(blueprint.sections, selection.sections):
        assert len(section) == spec.count and all(q.type == spec.type for q in section)
    for topic, count in largest_remainder(blueprint.topics, len(chosen)).items():
        assert sum(TAXONOMY.matches(q.topic, topic) for q in chosen) == count
    for level, count in largest_remainder(blueprint.difficulty, len(chosen)).items():
        assert sum(q.difficulty == level for q in chosen) == count
    groups = [q.group for q in chosen if q.group]
    assert len(groups) == len(set(groups)), "two questions of one concept group"
    assert set(blueprint.include_ids) <= {q.id for q in chosen}

    forms = make_forms(blueprint, selection.sections, blueprint.seed)
    assert [sorted(i.question.id for i in f.items) for f in forms] == [sorted(q.id for q in chosen)] * 2
    for form in forms:
        assert [i.number for i in form.items] == list(range(1, len(chosen) + 1))
        for item in form.items:
            meta = item.question.meta
            if isinstance(meta, McqMeta):
                assert item.choices[item.answer - 1] == meta.choices[meta.answer - 1]
                assert sorted(item.choices) == sorted(meta.choices)
                if not meta.shuffle_choices:
                    assert item.choices == meta.choices
        key = form.mcq_key
        slots = [allowed_positions(i.question) for i in form.items if isinstance(i.question.meta, McqMeta)]
        assert all(position in slot for position, slot in zip(key, slots))
        if key:
            assert squared_counts(key) == least_squared_counts(slots), (key, slots)
        if key and all(len(slot) > 1 for slot in slots):
            assert all(not (key[i] == key[i + 1] == key[i + 2]) for i in range(len(key) - 2))


def squared_counts(key) -> int:
    return sum(n * n for n in Counter(key).values())


def least_squared_counts(slots) -> int:
    """Oracle: the least sum of squared answer counts any key for ``slots`` can have (CP-SAT, exact)."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    positions = sorted(set().union(*slots))
    pick = {(i, p): model.new_bool_var(f"x{i}_{p}") for i, slot in enumerate(slots) for p in slot}
    for i, slot in enumerate(slots):
        model.add_exactly_one(pick[i, p] for p in slot)
    squares = []
    for p in positions:
        count = model.new_int_var(0, len(slots), f"n{p}")
        model.add(count == sum(var for (_, q), var in pick.items() if q == p))
        square = model.new_int_var(0, len(slots) ** 2, f"s{p}")
        model.add_multiplication_equality(square, [count, count])
        squares.append(square)
    model.minimize(sum(squares))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    return round(solver.objective_value)


slot_lists = st.lists(
    st.integers(2, 5).flatmap(lambda k: st.one_of(st.just(frozenset(range(1, k + 1))),
                                                  st.integers(1, k).map(lambda a: frozenset({a})))),
    min_size=1, max_size=45)


@settings(max_examples=150, deadline=None)
@given(slot_lists, st.integers(0, 2**32))
def test_balanced_keys_are_feasible_and_as_even_as_the_choice_counts_allow(slots, seed):
    key = balanced_key(slots, random.Random(seed))
    assert len(key) == len(slots)
    assert all(position in slot for position, slot in zip(key, slots)), "an answer the question cannot have"
    assert squared_counts(key) == least_squared_counts(slots)


@pytest.mark.parametrize("choices", [2, 3, 4, 5])
@given(n=st.integers(1, 60), seed=st.integers(0, 2**32))
@settings(max_examples=25, deadline=None)
def test_k_choice_keys_use_exactly_the_k_positions_evenly_without_runs(choices, n, seed):
    key = balanced_key([frozenset(range(1, choices + 1))] * n, random.Random(seed))
    counts = Counter(key)
    assert set(counts) <= set(range(1, choices + 1))
    assert max(counts.values()) - min(counts[p] for p in range(1, choices + 1)) <= 1
    assert all(not (key[i] == key[i + 1] == key[i + 2]) for i in range(len(key) - 2))


def test_mixed_choice_counts_spread_the_extra_answers_over_the_positions_all_share():
    slots = [frozenset(range(1, 5))] * 30 + [frozenset(range(1, 6))] * 10  # 40 answers: 8 each is possible
    assert sorted(Counter(balanced_key(slots, random.Random(3))).values()) == [8] * 5
    slots = [frozenset({1, 2})] * 10 + [frozenset(range(1, 6))] * 10  # ①② need 10 among them: 5, 5, then 4, 3, 3
    assert sorted(Counter(balanced_key(slots, random.Random(3))).values()) == [3, 3, 4, 5, 5]


def test_balanced_key_honours_pinned_positions_and_avoids_runs():
    slots = [frozenset({3})] * 3 + [frozenset(range(1, 6))] * 12
    key = balanced_key(slots, random.Random(1))
    assert key[:3] == [3, 3, 3]  # pinned answers cannot move: the only way
    assert all(not (key[i] == key[i + 1] == key[i + 2]) for i in range(3, len(key) - 2))
    assert max(Counter(key).values()) - min(Counter(key).values()) <= 1


def _bank_with_cells(bank, cells: dict[tuple[str, str, int], int]) -> None:
    number = 0
    for (kind, topic, difficulty), count in cells.items():
        for _ in range(count):
            number += 1
            bank.add(kind, f"q-{number:03d}", topic=topic, difficulty=difficulty, answer=number % 5 + 1)


BLUEPRINT = """\
title: 모의고사
session: 제1회
duration_minutes: 60
forms: [A, B]
seed: {seed}
sections:
  - {{type: mcq, count: 6, points: 3}}
  - {{type: short, count: 2, points: 5}}
topics: {{model: 0.5, data: 0.5}}
difficulty: {{2: 0.5, 3: 0.5}}
exclude_recent: {recent}
"""


@pytest.fixture
def exam_bank(bank):
    _bank_with_cells(bank, {("mcq", "model.training", 2): 4, ("mcq", "model.xai", 3): 4, ("mcq", "data.cleaning", 2): 4,
                            ("mcq", "data.collection", 3): 4, ("short", "model.training", 3): 2,
                            ("short", "data.cleaning", 2): 2})
    return bank


def _blueprint(tmp_path: Path, seed: int = 1, recent: int = 0, name: str = "mock") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(BLUEPRINT.format(seed=seed, recent=recent), encoding="utf-8")
    return path


def test_same_inputs_give_a_byte_identical_manifest_and_other_seeds_other_exams(exam_bank, run, tmp_path):
    blueprint = _blueprint(tmp_path)
    manifests = []
    for out in ("one", "two"):
        result = run("build", blueprint, "--bank", exam_bank.root, "--out", tmp_path / out, "--no-render")
        assert result.exit_code == 0, result.output
        manifests.append((tmp_path / out / "mock-1" / "manifest.json").read_bytes())
    assert manifests[0] == manifests[1]
    data = json.loads(manifests[0])
    assert data["schema"] == "mockexam.manifest/1" and data["seed"] == 1
    assert [f["name"] for f in data["forms"]] == ["A", "B"]
    ids = {tuple(sorted(i["id"] for s in f["sections"] for i in s["items"])) for f in data["forms"]}
    assert len(ids) == 1, "both forms hold the same questions"
    selections = set()
    for seed in range(2, 8):
        run("build", blueprint, "--bank", exam_bank.root, "--out", tmp_path / "seeds", "--seed", seed, "--no-render")
        data = json.loads((tmp_path / "seeds" / f"mock-{seed}" / "manifest.json").read_text(encoding="utf-8"))
        selections.add(tuple(sorted(i["id"] for s in data["forms"][0]["sections"] for i in s["items"])))
    assert len(selections) > 1


def test_manifest_key_matches_the_printed_choice_order(exam_bank, run, tmp_path):
    run("build", _blueprint(tmp_path), "--bank", exam_bank.root, "--out", tmp_path / "out", "--no-render")
    data = json.loads((tmp_path / "out" / "mock-1" / "manifest.json").read_text(encoding="utf-8"))
    for form in data["forms"]:
        for item in form["sections"][0]["items"]:
            original_answer = int(item["id"][2:]) % 5 + 1  # how _bank_with_cells wrote it
            assert item["choice_order"][item["answer"] - 1] == original_answer - 1
            assert form["key"][str(item["number"])] == item["answer"]


def test_infeasible_blueprint_names_the_constraint_and_writes_nothing(exam_bank, run, tmp_path):
    path = tmp_path / "hard.yaml"
    path.write_text(BLUEPRINT.format(seed=1, recent=0).replace("{model: 0.5, data: 0.5}", "{model.xai: 0.5, data: 0.5}")
                    .replace("count: 6", "count: 10"), encoding="utf-8")
    result = run("build", path, "--bank", exam_bank.root, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "topic model.xai: needs 6 questions in model.xai, the bank has 4 eligible" in result.output
    assert not (tmp_path / "out").exists()


def test_jointly_infeasible_constraints_are_explained(exam_bank, run, tmp_path):
    path = tmp_path / "joint.yaml"  # 4 questions of model at difficulty 3 exist, but only as mcq in model.xai
    path.write_text(BLUEPRINT.format(seed=1, recent=0).replace("{2: 0.5, 3: 0.5}", "{3: 1.0}")
                    .replace("{model: 0.5, data: 0.5}", "{model: 1.0}"), encoding="utf-8")
    result = run("build", path, "--bank", exam_bank.root, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "cannot satisfy" in result.output and "Traceback" not in result.output
    assert "difficulty 3" in result.output and "model" in result.output
    assert not (tmp_path / "out").exists()


def test_exclude_recent_avoids_the_last_exam_and_the_record_survives(bank, run, tmp_path):
    _bank_with_cells(bank, {("mcq", "model.training", 2): 8, ("mcq", "model.xai", 3): 8, ("mcq", "data.cleaning", 2): 8,
                            ("mcq", "data.collection", 3): 8, ("short", "model.training", 3): 4,
                            ("short", "data.cleaning", 2): 4})
    out = tmp_path / "out"
    first = run("build", _blueprint(tmp_path, seed=1, name="week1"), "--bank", bank.root, "--out", out, "--no-render")
    assert first.exit_code == 0, first.output
    second = run("build", _blueprint(tmp_path, seed=1, recent=1, name="week2"), "--bank", bank.root, "--out", out,
                 "--no-render")
    assert second.exit_code == 0, second.output

    def ids(name: str) -> set[str]:
        data = json.loads((out / name / "manifest.json").read_text(encoding="utf-8"))
        return {i["id"] for s in data["forms"][0]["sections"] for i in s["items"]}

    assert not ids("week1-1") & ids("week2-1")
    history = json.loads((out / "history.json").read_text(encoding="utf-8"))
    assert [e["exam_id"] for e in history["exams"]] == ["week1-1", "week2-1"]
    rebuilt = run("build", _blueprint(tmp_path, seed=1, recent=1, name="week2"), "--bank", bank.root, "--out", out,
                  "--no-render")
    assert rebuilt.exit_code == 0 and ids("week2-1") == ids("week2-1")  # its own record is not "recent"


def test_failed_build_leaves_no_record_and_no_folder(exam_bank, run, tmp_path, monkeypatch):
    import generator.build as build

    def explode(*_args, **_kwargs):
        raise UserError("rendering failed on purpose")

    monkeypatch.setattr(build, "render_into", explode)
    out = tmp_path / "out"
    result = run("build", _blueprint(tmp_path), "--bank", exam_bank.root, "--out", out)
    assert result.exit_code == 1 and "rendering failed on purpose" in result.output
    assert not (out / "mock-1").exists() and not (out / "history.json").exists()
    assert [p.name for p in out.iterdir()] == [] if out.exists() else True


def test_dry_run_shows_how_constraints_were_met_and_writes_nothing(exam_bank, run, tmp_path):
    result = run("build", _blueprint(tmp_path), "--bank", exam_bank.root, "--out", tmp_path / "out", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "topic model" in result.output and "NOT MET" not in result.output
    assert "form B MCQ key:" in result.output
    assert not (tmp_path / "out").exists()


def test_blueprint_mistakes_are_reported_with_file_and_line(exam_bank, run, tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text(BLUEPRINT.format(seed=1, recent=0).replace("duration_minutes", "duraton_minutes")
                    .replace("model: 0.5", "modle: 0.5"), encoding="utf-8")
    result = run("build", path, "--bank", exam_bank.root, "--dry-run")
    assert result.exit_code == 1
    assert "typo.yaml:3: duraton_minutes: unknown key 'duraton_minutes' (did you mean 'duration_minutes'?)" in result.output
    shares = tmp_path / "shares.yaml"
    shares.write_text(BLUEPRINT.format(seed=1, recent=0).replace("model: 0.5", "model: 0.4"), encoding="utf-8")
    assert "shares add up to 0.9" in run("build", shares, "--bank", exam_bank.root, "--dry-run").output


def test_default_blueprints_build_from_the_default_bank(run, tmp_path):
    for name in ("full-mock", "practice-quiz"):
        result = run("build", PROJECT / "bank" / "blueprints" / f"{name}.yaml", "--bank", PROJECT / "bank",
                     "--out", tmp_path, "--dry-run")
        assert result.exit_code == 0, result.output
        assert "NOT MET" not in result.output


def test_explanations_follow_the_shuffled_choices_with_correct_particles():
    from generator.assemble.choice_refs import remap_choice_refs

    order = (2, 0, 1, 3, 4)  # printed ① shows original ③, ② shows ①, ③ shows ②
    assert remap_choice_refs("정답은 ③이다. ①은 틀렸고 ②가 옳지 않다.", order) == "정답은 ①이다. ②는 틀렸고 ③이 옳지 않다."
    assert remap_choice_refs("②이 옳다, ⑤을 보라") == "②가 옳다, ⑤를 보라"


def test_lint_asks_for_circled_numbers_in_shuffled_explanations(bank, run):
    path = bank.add("mcq", "numbered")
    path.write_text(path.read_text(encoding="utf-8").replace("정답은 1번이다.", "정답은 1번이다. 2번은 틀렸다."),
                    encoding="utf-8")
    assert "numbered.md:17: 해설: refers to a choice as 'N번'" in run("lint", "--bank", bank.root).output


def test_decimal_points_add_up_exactly_in_selection_forms_and_manifest():
    from generator.assemble.exam import Exam
    from generator.assemble.manifest import manifest_dict
    from generator.bank.model import Bank, Taxonomy

    rng = random.Random(5)
    questions = [synthetic_question(i, QuestionType.MCQ, LEAVES[i % 4], 1 + i % 5, rng, choices=4) for i in range(60)]
    blueprint = Blueprint(title="정보처리기사 필기 모의고사", duration_minutes=60,
                          sections=[{"type": "mcq", "count": 40, "points": 2.5}], total_points=100)
    selection = select_questions(questions, blueprint, TAXONOMY, 1)
    (form,) = make_forms(blueprint, selection.sections, 1)
    assert {item.points for item in form.items} == {2.5}
    exam = Exam("x-1", blueprint, 1, Bank(PROJECT / "bank", Taxonomy(TAXONOMY.areas), tuple(questions)), (form,))
    assert exam.total_points == 100 and isinstance(exam.total_points, int)
    data = manifest_dict(exam)
    assert data["total_points"] == 100 and data["forms"][0]["sections"][0]["items"][0]["points"] == 2.5

    # question points with decimals count in hundredths: 3 × 1.1 + 2 × 0.35 = 4
    mixed = [synthetic_question(i, QuestionType.SHORT, LEAVES[0], 3, rng) for i in range(6)]
    mixed = [type(q)(q.meta.model_copy(update={"points": 1.1 if i < 3 else 0.35}), q.body, q.path)
             for i, q in enumerate(mixed)]
    blueprint = Blueprint(title="소수 배점", duration_minutes=10, sections=[{"type": "short", "count": 5}], total_points=4)
    chosen = select_questions(mixed, blueprint, TAXONOMY, 1).questions
    assert sorted(q.points for q in chosen) == [0.35, 0.35, 1.1, 1.1, 1.1]


def test_points_with_more_than_two_decimals_are_refused():
    with pytest.raises(ValueError, match="more than two decimals"):
        Blueprint(title="t", duration_minutes=10, sections=[{"type": "mcq", "count": 4, "points": 2.555}])
