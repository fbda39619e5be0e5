"""Parallel forms: shuffled question order and MCQ choices, with a balanced answer key. Pure functions."""

from __future__ import annotations

import random
from collections import Counter
from typing import Sequence

from generator.assemble.blueprint import Blueprint
from generator.assemble.exam import ExamForm, ExamItem, ExamSection
from generator.bank.model import Question
from generator.bank.schema import McqMeta

MAX_RUN = 2  # never the same answer three times in a row
_SEARCH_BUDGET = 2_000  # nodes per attempt: many short randomised attempts beat one deep search


def form_rng(seed: int, form: str) -> random.Random:
    """The random stream of one form: depends on nothing but the seed and the form name."""
    return random.Random(f"mockexam:{seed}:{form}")


def allowed_positions(question: Question) -> frozenset[int]:
    """1-based positions the correct choice of an MCQ may take on a form."""
    meta = question.meta
    assert isinstance(meta, McqMeta)
    if not meta.shuffle_choices:
        return frozenset({meta.answer})
    return frozenset(range(1, len(meta.choices) + 1))


def balanced_key(slots: Sequence[frozenset[int]], rng: random.Random) -> list[int]:
    """Answer positions for MCQs in printed order, each drawn from its slot's allowed set.

    Counts per position differ by at most one and no position appears more than MAX_RUN times in a
    row whenever the slots allow it; otherwise the most even key found is returned.
    """
    n = len(slots)
    if n == 0:
        return []
    pinned = Counter(next(iter(slot)) for slot in slots if len(slot) == 1)
    for _ in range(40):
        found = _search(slots, _even_quota(n, pinned, rng), rng, avoid_runs=True)
        if found is not None:
            return found
    base = n // 5
    for slack in range(1, n + 1):  # pinned or short choice lists: relax evenness, then runs
        quota = {p: max(base + 1, pinned[p]) + slack - 1 for p in range(1, 6)}
        for avoid_runs in (True, False):
            found = _search(slots, quota, rng, avoid_runs)
            if found is not None:
                return found
    raise AssertionError("unreachable: with unlimited quota every slot can be filled")


def _even_quota(n: int, pinned: Counter[int], rng: random.Random) -> dict[int, int]:
    """The most even answer counts that the pinned answers allow (ties broken at random)."""
    quota = {p: pinned[p] for p in range(1, 6)}
    for _ in range(n - sum(quota.values())):
        lowest = min(quota.values())
        quota[rng.choice([p for p in quota if quota[p] == lowest])] += 1
    return quota


def _search(slots: Sequence[frozenset[int]], quota: dict[int, int], rng: random.Random,
            avoid_runs: bool) -> list[int] | None:
    """Randomised backtracking; never spends a position that a later pinned answer still needs."""
    pinned_from: list[Counter[int]] = [Counter() for _ in range(len(slots) + 1)]  # pinned answers in slots[i:]
    for index in range(len(slots) - 1, -1, -1):
        pinned_from[index] = pinned_from[index + 1].copy()
        if len(slots[index]) == 1:
            pinned_from[index][next(iter(slots[index]))] += 1
    if any(pinned_from[0][p] > quota[p] for p in quota):
        return None
    remaining = dict(quota)
    key: list[int] = []
    budget = [_SEARCH_BUDGET]

    def extend(index: int) -> bool:
        if index == len(slots):
            return True
        budget[0] -= 1
        if budget[0] < 0:
            return False
        later = pinned_from[index + 1]
        options = [p for p in slots[index] if remaining[p] > later[p]]
        if avoid_runs:
            options = [p for p in options if _run_length(key, slots, index, p) <= MAX_RUN]
        rng.shuffle(options)
        options.sort(key=lambda p: -(remaining[p] - later[p]))  # stable: random among equals
        for position in options:
            remaining[position] -= 1
            key.append(position)
            if extend(index + 1):
                return True
            key.pop()
            remaining[position] += 1
        return False

    return key if extend(0) else None


def _forced_run(slots: Sequence[frozenset[int]]) -> bool:
    """Whether pinned slots alone already repeat one answer more than MAX_RUN times in a row."""
    return any(len(set(slots[i : i + MAX_RUN + 1])) == 1 and len(slots[i]) == 1
               for i in range(len(slots) - MAX_RUN))


def _run_length(key: list[int], slots: Sequence[frozenset[int]], index: int, position: int) -> int:
    """Length of the run of ``position`` that putting it at ``index`` makes, pinned slots ahead included."""
    length = 1
    for earlier in reversed(key):
        if earlier != position:
            break
        length += 1
    for slot in slots[index + 1 :]:
        if slot != frozenset({position}):
            break
        length += 1
    return length


def choice_order(question: Question, position: int, rng: random.Random) -> tuple[int, ...]:
    """A permutation of the choices that prints the correct one at ``position`` (1-based)."""
    meta = question.meta
    assert isinstance(meta, McqMeta)
    if not meta.shuffle_choices:
        return tuple(range(len(meta.choices)))
    others = [i for i in range(len(meta.choices)) if i != meta.answer - 1]
    rng.shuffle(others)
    others.insert(position - 1, meta.answer - 1)
    return tuple(others)


def make_form(name: str, blueprint: Blueprint, selected: Sequence[Sequence[Question]], seed: int) -> ExamForm:
    """One form: ``selected[i]`` are the questions of ``blueprint.sections[i]`` (any order)."""
    rng = form_rng(seed, name)
    for _ in range(50):  # reshuffle while pinned questions would force the same answer three times in a row
        ordered = []
        for questions in selected:
            section = sorted(questions, key=lambda q: q.id)
            rng.shuffle(section)
            ordered.append(section)
        mcqs = [q for section in ordered for q in section if isinstance(q.meta, McqMeta)]
        slots = [allowed_positions(q) for q in mcqs]
        if not _forced_run(slots):
            break
    positions = iter(balanced_key(slots, rng))
    sections, number = [], 0
    for spec, questions in zip(blueprint.sections, ordered):
        items = []
        for question in questions:
            number += 1
            order = choice_order(question, next(positions), rng) if isinstance(question.meta, McqMeta) else ()
            items.append(ExamItem(number, question, spec.points or question.points, order))
        sections.append(ExamSection(spec.title, spec.type, spec.instruction_text, tuple(items)))
    return ExamForm(name, tuple(sections))


def make_forms(blueprint: Blueprint, selected: Sequence[Sequence[Question]], seed: int,
               form_names: Sequence[str] | None = None) -> tuple[ExamForm, ...]:
    """Every form of the exam: the same questions, each form shuffled on its own."""
    return tuple(make_form(name, blueprint, selected, seed) for name in form_names or blueprint.forms)
