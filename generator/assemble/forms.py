"""Parallel forms: shuffled question order and MCQ choices, with a balanced answer key. Pure functions."""

from __future__ import annotations

import random
from typing import Sequence

from generator.assemble import points as pts
from generator.assemble.blueprint import Blueprint
from generator.assemble.exam import ExamForm, ExamItem, ExamSection
from generator.bank.model import Question
from generator.bank.schema import MAX_CHOICES, McqMeta

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

    The answer counts are as even as the slots allow (the sum of squared counts is minimal: with
    questions of 5 choices only, counts differ by at most one; a 4-choice question never takes ⑤, a
    pinned one keeps its answer), and no position appears more than MAX_RUN times in a row whenever
    the slots and those counts allow it.
    """
    if not slots:
        return []
    masks = [_mask(slot) for slot in slots]
    width = max(masks).bit_length()
    inside = _inside_counts(masks, width)
    binding = _binding_sets(masks)
    quota = _even_quota(masks, width, inside[0], binding, rng)
    for _ in range(40):
        found = _search(slots, inside, binding, quota, rng, avoid_runs=True)
        if found is not None:
            return found
    found = _search(slots, inside, binding, quota, rng, avoid_runs=False)  # cannot dead-end: see _search
    assert found is not None, "a quota that passes Hall's condition always has a key"
    return found


def _mask(slot: frozenset[int]) -> int:
    """The positions of a slot as a bit set (bit 0 = position 1)."""
    return sum(1 << (position - 1) for position in slot)


def _inside_counts(masks: Sequence[int], width: int) -> list[list[int]]:
    """``inside[i][S]``: how many of the slots ``i:`` allow only positions in the set S (a bit mask)."""
    subsets = 1 << width
    inside = [[0] * subsets]
    for mask in reversed(masks):
        row = list(inside[-1])
        for subset in range(subsets):
            if mask & ~subset == 0:
                row[subset] += 1
        inside.append(row)
    inside.reverse()
    return inside


def _binding_sets(masks: Sequence[int]) -> list[int]:
    """The sets of positions whose Hall condition can bind: unions of slot masks.

    Any other set S holds exactly the slots of the largest such union inside it, with no more quota,
    so checking these suffices (one set when every slot allows the same positions).
    """
    found = set(masks)
    frontier = set(found)
    while frontier:
        frontier = {a | b for a in frontier for b in set(masks)} - found
        found |= frontier
    return sorted(found)


def _even_quota(masks: Sequence[int], width: int, inside: list[int], binding: list[int],
                rng: random.Random) -> dict[int, int]:
    """The most even answer counts the slots allow (ties broken at random).

    The count vectors the slots can produce form an integral polymatroid (Hall: a set S of positions
    receives at most as many answers as there are slots that allow some position of S), so raising the
    lowest count that can still grow, one answer at a time, ends at a vector of least squared sum.
    Only complements of the binding sets can limit growth: any other S touches as many slots as the
    larger complement that contains it.
    """
    full = (1 << width) - 1
    limits = {full & ~union: len(masks) - inside[union] for union in binding}  # S -> slots touching S
    counts = [0] * width
    usable = [position for position in range(width) if any(mask >> position & 1 for mask in masks)]
    holding = {p: [s for s in limits if s >> p & 1] for p in usable}  # limiting sets S containing p
    taken = dict.fromkeys(limits, 0)  # answers already given to positions in S
    for _ in range(len(masks)):
        growable = [p for p in usable if all(taken[s] < limits[s] for s in holding[p])]
        lowest = min(counts[p] for p in growable)
        chosen = rng.choice([p for p in growable if counts[p] == lowest])
        counts[chosen] += 1
        for subset in holding[chosen]:
            taken[subset] += 1
    return {p + 1: counts[p] for p in usable}


def _search(slots: Sequence[frozenset[int]], inside: list[list[int]], binding: list[int],
            quota: dict[int, int], rng: random.Random, avoid_runs: bool) -> list[int] | None:
    """Randomised backtracking over answer positions that meet ``quota`` exactly.

    Every step keeps Hall's condition for the slots still to fill (no set of positions has less quota
    left than the slots confined to it), so without run avoidance the search never backtracks.
    """
    subsets = len(inside[0])
    left = [sum(count for p, count in quota.items() if s >> (p - 1) & 1) for s in range(subsets)]
    holding = {p: [s for s in binding if s >> (p - 1) & 1] for p in quota}  # binding sets S containing p
    remaining = dict(quota)
    key: list[int] = []

    def fits(index: int, position: int) -> bool:
        after = inside[index + 1]
        return all(after[s] < left[s] for s in holding[position])

    def take(position: int, step: int) -> None:
        remaining[position] -= step
        for s in holding[position]:
            left[s] -= step

    def options(index: int) -> list[int]:
        found = [p for p in slots[index] if remaining.get(p, 0) > 0 and fits(index, p)]
        if avoid_runs:
            found = [p for p in found if _run_length(key, slots, index, p) <= MAX_RUN]
        rng.shuffle(found)
        found.sort(key=lambda p: -remaining[p])  # stable: random among equals
        return found

    untried: list[list[int]] = []  # per placed answer (and the slot being filled): positions left to try
    for _ in range(len(slots) + _SEARCH_BUDGET):  # iterative depth-first search: no recursion limit
        if len(key) == len(slots):
            return key
        untried.append(options(len(key)))
        while not untried[-1]:  # dead end: take back the previous answer and try its next option
            untried.pop()
            if not untried:
                return None
            take(key.pop(), -1)
        position = untried[-1].pop(0)
        take(position, 1)
        key.append(position)
    return key if len(key) == len(slots) else None


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
            items.append(ExamItem(number, question, pts.tidy(spec.points or question.points), order))
        choices = max((len(item.choice_order) for item in items), default=MAX_CHOICES)
        sections.append(ExamSection(spec.title, spec.type, spec.instruction_text(choices), tuple(items)))
    return ExamForm(name, tuple(sections))


def make_forms(blueprint: Blueprint, selected: Sequence[Sequence[Question]], seed: int,
               form_names: Sequence[str] | None = None) -> tuple[ExamForm, ...]:
    """Every form of the exam: the same questions, each form shuffled on its own."""
    return tuple(make_form(name, blueprint, selected, seed) for name in form_names or blueprint.forms)
