"""Choosing the exam's questions: every blueprint constraint at once, with OR-Tools CP-SAT.

Randomness comes only from the seed: each question gets a pseudo-random weight from
``hash(seed, id)`` and the solver maximises the total weight of the selection. Questions that
are interchangeable for the constraints (same type, topic, difficulty and points) are cut to the
few best-weighted ones per cell first, which keeps the model small for banks of 100,000 questions;
if that reduced model has no solution, the full model is solved.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Iterable, Sequence

from generator.assemble import points as pts
from generator.assemble.blueprint import Blueprint
from generator.assemble.cpsat import cp_model
from generator.bank.leaks import exclusive_pairs
from generator.bank.model import Question, Taxonomy
from generator.bank.schema import QuestionType
from generator.problems import UserError

SOLVER_SECONDS = 60.0
SOLVER_DETERMINISTIC_LIMIT = 10.0  # CP-SAT's machine-independent work units


@dataclass(frozen=True)
class Constraint:
    """One counted requirement: exactly ``count`` selected questions satisfy ``test``."""

    name: str  # e.g. "topic model.xai" (used in messages)
    describe: str  # what is counted, e.g. "questions in model.xai"
    count: int
    test: Callable[[Question], bool] = field(compare=False)


@dataclass(frozen=True)
class Selection:
    """The chosen questions per section (blueprint order) and how the constraints were met."""

    sections: tuple[tuple[Question, ...], ...]
    constraints: tuple[Constraint, ...]
    excluded_recent: int
    candidates: int

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for section in self.sections for q in section)


def largest_remainder(shares: dict, total: int) -> dict:
    """Whole counts proportional to ``shares`` summing to ``total`` (ties: file order)."""
    raw = {key: share * total for key, share in shares.items()}
    counts = {key: int(value) for key, value in raw.items()}
    left = total - sum(counts.values())
    # rounding keeps float noise (0.05 * 32 = 1.6000000000000001) from breaking ties; stable sort: file order
    by_remainder = sorted(raw, key=lambda key: -round(raw[key] - counts[key], 9))
    for key in by_remainder[:left]:
        counts[key] += 1
    return counts


def question_points(question: Question, blueprint: Blueprint) -> int | float:
    """The question's points in this exam (the section's points, else its own), tidied (3, 2.5)."""
    spec = next(s for s in blueprint.sections if s.type == question.type)
    return pts.tidy(spec.points or question.points)


def constraints_of(blueprint: Blueprint, taxonomy: Taxonomy) -> list[Constraint]:
    """The counted constraints of a blueprint: sections, topic shares, difficulty shares."""
    found = [
        Constraint(f"section {s.title}", f"{s.type.value} questions", s.count, partial(_of_type, s.type))
        for s in blueprint.sections
    ]
    total = blueprint.question_count
    for topic, count in largest_remainder(blueprint.topics, total).items():
        found.append(Constraint(f"topic {topic}", f"questions in {topic}", count,
                                partial(_in_topic, taxonomy, topic)))
    for level, count in largest_remainder(blueprint.difficulty, total).items():
        found.append(Constraint(f"difficulty {level}", f"questions of difficulty {level}", count,
                                partial(_of_difficulty, level)))
    return found


def _of_type(kind: QuestionType, question: Question) -> bool:
    return question.type == kind


def _in_topic(taxonomy: Taxonomy, topic: str, question: Question) -> bool:
    return taxonomy.matches(question.topic, topic)


def _of_difficulty(level: int, question: Question) -> bool:
    return question.difficulty == level


def weight(seed: int, question_id: str) -> int:
    """The seed's pseudo-random preference for a question (stable across bank order)."""
    digest = hashlib.blake2b(f"{seed}:{question_id}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") >> 12  # < 2**20 keeps objective sums small


def eligible(questions: Iterable[Question], blueprint: Blueprint, recent_ids: frozenset[str]) -> list[Question]:
    types = {s.type for s in blueprint.sections}
    excluded = set(blueprint.exclude_ids)
    required_tags, excluded_tags = set(blueprint.require_tags), set(blueprint.exclude_tags)
    included = set(blueprint.include_ids)
    chosen = []
    for q in questions:
        if q.id in included:
            chosen.append(q)
            continue
        if q.type not in types or q.id in excluded or q.id in recent_ids:
            continue
        tags = set(q.meta.tags)
        if (required_tags and not tags & required_tags) or tags & excluded_tags:
            continue
        chosen.append(q)
    return chosen


def select_questions(
    questions: Sequence[Question],
    blueprint: Blueprint,
    taxonomy: Taxonomy,
    seed: int,
    recent_ids: frozenset[str] = frozenset(),
) -> Selection:
    """Questions meeting every constraint of the blueprint; raises UserError naming the shortfall."""
    by_id = {q.id: q for q in questions}
    if blueprint.difficulty_source == "observed":  # difficulty levels from graded exams (docs/grading.md)
        from generator.grade.observed import with_observed_difficulty

        questions = with_observed_difficulty(questions)
    missing = [i for i in blueprint.include_ids if i not in by_id]
    if missing:
        raise UserError(f"include_ids: {', '.join(missing)} not in the bank")
    types = {spec.type for spec in blueprint.sections}
    sectionless = [i for i in blueprint.include_ids if by_id[i].type not in types]
    if sectionless:
        raise UserError(f"include_ids: {', '.join(sectionless)}: the blueprint has no section of their type")
    pool = eligible(questions, blueprint, recent_ids - set(blueprint.include_ids))
    constraints = constraints_of(blueprint, taxonomy)
    cells = _cells(pool, blueprint, constraints)
    _check_single_constraints(cells, constraints, blueprint)
    reduced = _reduce(cells, blueprint, constraints, seed)
    chosen = None
    if len(reduced) < len(pool):
        chosen = _solve(reduced, blueprint, constraints, seed, explain=False)
    if chosen is None:
        chosen = _solve(pool, blueprint, constraints, seed, explain=True)
    assert chosen is not None
    sections = tuple(
        tuple(sorted((by_id[q.id] for q in chosen if q.type == s.type), key=lambda q: q.id)) for s in blueprint.sections
    )
    excluded_recent = sum(1 for q in questions if q.id in recent_ids)
    return Selection(sections, tuple(constraints), excluded_recent, len(pool))


Cell = tuple[tuple[bool, ...], int | float]  # which constraints a question counts for, and its points


def _cells(pool: list[Question], blueprint: Blueprint, constraints: list[Constraint]) -> dict[Cell, list[Question]]:
    """Questions grouped by what the constraints see of them: members of a cell are interchangeable."""
    topic_keys = list(blueprint.topics)
    by_profile: dict[tuple, list[Question]] = defaultdict(list)
    for q in pool:
        topic = next((k for k in topic_keys if q.topic == k or q.topic.startswith(k + ".")), None)
        points = question_points(q, blueprint) if blueprint.total_points else 0
        by_profile[(q.type, topic, q.difficulty, points)].append(q)
    cells: dict[Cell, list[Question]] = defaultdict(list)
    for (_, _, _, points), members in by_profile.items():
        signature = tuple(c.test(members[0]) for c in constraints)  # tested once per profile
        cells[(signature, points)] += members
    return cells


def _check_single_constraints(cells: dict[Cell, list[Question]], constraints: list[Constraint],
                              blueprint: Blueprint) -> None:
    """Fast, precise messages for constraints the bank cannot meet even on their own."""
    keys = {cell: {q.group or q.id for q in members} for cell, members in cells.items()}
    problems = []
    for index, c in enumerate(constraints):
        applicable = [cell for cell in cells if cell[0][index]]
        matching = sum(len(cells[cell]) for cell in applicable)
        distinct = len(set().union(*(keys[cell] for cell in applicable)))
        if distinct < c.count:
            grouped = f" ({matching} before merging concept groups)" if matching != distinct else ""
            problems.append(f"{c.name}: needs {c.count} {c.describe}, the bank has {distinct} eligible{grouped}")
    if problems:
        raise UserError("the bank cannot satisfy the blueprint:\n  " + "\n  ".join(problems) + _pool_note(blueprint))


def _pool_note(blueprint: Blueprint) -> str:
    filters = [name for name, value in (
        ("exclude_recent", blueprint.exclude_recent), ("require_tags", blueprint.require_tags),
        ("exclude_tags", blueprint.exclude_tags), ("exclude_ids", blueprint.exclude_ids)) if value]
    return f"\n(eligible = after {', '.join(filters)})" if filters else ""


def _reduce(cells: dict[Cell, list[Question]], blueprint: Blueprint, constraints: list[Constraint],
            seed: int) -> list[Question]:
    """A seeded random sample of each cell: a few more questions than the cell could ever need."""
    included = set(blueprint.include_ids)
    kept: list[Question] = []
    for (signature, points), members in cells.items():
        need = min((c.count for c, applies in zip(constraints, signature) if applies), default=0)
        keep = 2 * need + 4  # slack for concept groups that block each other
        if len(members) <= keep:
            kept += members
            continue
        rng = random.Random(f"{seed}:{signature}:{points}")
        kept += [q for q in members if q.id in included] + rng.sample(members, keep)
    return list({q.id: q for q in kept}.values())


def _solve(pool: list[Question], blueprint: Blueprint, constraints: list[Constraint],
           seed: int, explain: bool) -> list[Question] | None:
    model = cp_model.CpModel()
    pool = sorted(pool, key=lambda q: q.id)  # the model must not depend on bank order
    weights = {q.id: weight(seed, q.id) for q in pool}
    x = {q.id: model.new_bool_var(q.id) for q in pool}
    guards: dict[int, str] = {}

    def require(expression, label: str) -> None:
        guard = model.new_bool_var(label)
        model.add(expression).only_enforce_if(guard)
        model.add_assumption(guard)
        guards[guard.index] = label

    for c in constraints:
        require(sum(x[q.id] for q in pool if c.test(q)) == c.count, f"{c.name}: {c.count} {c.describe}")
    groups: dict[str, list[str]] = defaultdict(list)
    for q in pool:
        if q.group:
            groups[q.group].append(q.id)
    for _, ids in sorted(groups.items()):
        if len(ids) > 1:
            model.add_at_most_one(x[i] for i in ids)
    for pair in sorted(map(sorted, exclusive_pairs(pool))):  # answer leaks: derived and `conflicts`
        model.add_at_most_one(x[i] for i in pair)
    for question_id in blueprint.include_ids:
        require(x[question_id] == 1, f"include_ids: {question_id}")
    if blueprint.total_points:
        # CP-SAT needs integers: points in hundredths (2.5 -> 250)
        require(sum(pts.hundredths(question_points(q, blueprint)) * x[q.id] for q in pool)
                == pts.hundredths(blueprint.total_points), f"total_points: {pts.tidy(blueprint.total_points)}")
    model.maximize(sum(weights[q.id] * x[q.id] for q in pool))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # deterministic
    solver.parameters.catch_sigint_signal = False  # leave Ctrl-C to Python (staging cleanup)
    solver.parameters.random_seed = seed % (2**31)
    # any selection near the best random weight is as good as the best: proving optimality can take
    # seconds for some seeds. Both limits are deterministic, so the result does not depend on the machine.
    solver.parameters.relative_gap_limit = 0.01
    solver.parameters.max_deterministic_time = SOLVER_DETERMINISTIC_LIMIT
    solver.parameters.max_time_in_seconds = SOLVER_SECONDS  # safety net only
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [q for q in pool if solver.value(x[q.id])]
    if not explain:
        return None
    if status == cp_model.INFEASIBLE:
        core = [guards[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in guards]
        raise UserError(_conflict_message(pool, constraints, core))
    raise UserError(f"the solver found no selection within {SOLVER_SECONDS:.0f} s; simplify the blueprint")


def _conflict_message(pool: list[Question], constraints: list[Constraint], core: list[str]) -> str:
    """Explain a set of constraints that cannot hold together, with the counts behind it."""
    lines = ["the bank cannot satisfy these blueprint constraints together:"]
    lines += [f"  {label}" for label in core] or ["  (the group and point constraints)"]
    involved = [c for c in constraints if any(label.startswith(c.name + ":") for label in core)]
    kinds = {c.name.split()[0] for c in involved}
    if {"topic", "difficulty"} <= kinds or ("section" in kinds and len(kinds) > 1):
        for first in involved:
            for second in involved:
                if first.name.split()[0] < second.name.split()[0]:
                    both = {q.group or q.id for q in pool if first.test(q) and second.test(q)}
                    lines.append(f"  {first.name} and {second.name}: the bank has {len(both)} eligible questions of both")
    lines.append("relax a share, add questions where they are missing (`mockexam stats`), or change the sections")
    return "\n".join(lines)


def describe_selection(selection: Selection, blueprint: Blueprint) -> list[tuple[str, int | float, int | float]]:
    """(constraint, required, achieved) for every counted constraint, for --dry-run."""
    chosen = selection.questions
    rows: list[tuple[str, int | float, int | float]] = [(c.name, c.count, sum(1 for q in chosen if c.test(q))) for c in selection.constraints]
    groups = Counter(q.group for q in chosen if q.group)
    rows.append(("concept groups used more than once", 0, sum(1 for n in groups.values() if n > 1)))
    rows.append(("questions giving another's answer away", 0, len(exclusive_pairs(chosen))))
    if blueprint.total_points:
        rows.append(("total points", pts.tidy(blueprint.total_points),
                     pts.total(question_points(q, blueprint) for q in chosen)))
    for question_id in blueprint.include_ids:
        rows.append((f"include {question_id}", 1, int(any(q.id == question_id for q in chosen))))
    return rows

