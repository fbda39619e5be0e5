"""Answer leaks: one question printing another question's answer in its stem or choices.

A leak is derived for

- a short answer whose accepted answer (3+ characters, not a bare number) appears in another
  question's stem or choices, and
- a term MCQ (every choice a short term) whose key appears in another question's stem or choices
  while none of its distractors does: that text decides the item.

Texts are compared in the form of the short-answer rule (:func:`normalize_answer` without dropping
parentheses), so ``K-fold`` in a stem matches the answer ``K fold``. Pairs that share a ``group``
never meet in an exam anyway. Pairs a check cannot see are declared with ``conflicts: [other-id]``
(either file is enough). ``lint_ok: {leak: reason}`` silences lint for a question whose answer
terms occur inside other terms (``정규화`` in ``배치 정규화``); assembly still keeps those pairs apart. Assembly keeps every derived and declared pair out of one exam; lint
reports the derived pairs that are not declared, so an author sees each one once and decides.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Sequence

from generator.bank import frontmatter
from generator.bank.model import Question
from generator.bank.schema import McqMeta, ShortMeta
from generator.problems import Problem, display_path

MIN_TERM = 3  # shorter answers ("AI", "CV") occur everywhere by chance
MAX_TERM_CHOICE = 24  # an MCQ is a term item when every choice is at most this long (normalized)
_DROPPED = re.compile(r"[\s\-‐‑‒–—―−_·ㆍ•'\"`‘’“”*$\\{}]+")
_PARENS = re.compile(r"\([^()]*\)")
_NOT_A_TERM = re.compile(r"^[\d.,/%+\-−×^eE]*$")  # numbers and formulas leak nothing


def flat(text: str) -> str:
    """Text in the comparable form: NFKC, lower case, no spaces, hyphens, quotes or Markdown marks."""
    return _DROPPED.sub("", unicodedata.normalize("NFKC", text).lower())


def _term(answer: str) -> str | None:
    without = flat(_PARENS.sub("", answer))
    term = (without or flat(answer)).rstrip(".")
    if len(term) < MIN_TERM or _NOT_A_TERM.match(term):
        return None
    return term


def visible_text(question: Question) -> str:
    """What a student reads on the paper: stem and choices."""
    return "\n".join([question.body.stem, *getattr(question.meta, "choices", ())])


@dataclass(frozen=True)
class Leak:
    owner: Question  # whose answer leaks
    shown_in: Question  # whose stem or choices print it
    term: str  # the answer as written in the owner's file


def _answer_terms(question: Question) -> tuple[list[tuple[str, str]], list[str]]:
    """(term, written answer) pairs that leak the answer, and terms that must be absent for a leak."""
    meta = question.meta
    if isinstance(meta, ShortMeta):
        return [(t, a) for a in meta.answers if (t := _term(a))], []
    if isinstance(meta, McqMeta) and len(meta.choices) >= 3:
        if max(len(flat(choice)) for choice in meta.choices) > MAX_TERM_CHOICE:
            return [], []
        terms = [_term(choice) for choice in meta.choices]
        if any(t is None for t in terms):
            return [], []
        key = meta.answer - 1
        decoys = [t for i, t in enumerate(terms) if i != key and t]
        return [(terms[key], meta.choices[key])] if terms[key] else [], decoys  # type: ignore[list-item]
    return [], []


_ASCII_WORD = re.compile(r"[a-z0-9]")


def _whole(text: str, start: int, term: str) -> bool:
    """An ASCII term must not sit inside a longer ASCII word (PSI is not in epsilon)."""
    end = start + len(term)
    before = start > 0 and _ASCII_WORD.match(text[start - 1]) and _ASCII_WORD.match(term[0])
    after = end < len(text) and _ASCII_WORD.match(text[end]) and _ASCII_WORD.match(term[-1])
    return not before and not after


def _occurs(term: str, text: str) -> bool:
    start = text.find(term)
    while start >= 0:
        if _whole(text, start, term):
            return True
        start = text.find(term, start + 1)
    return False


def derived_leaks(questions: Sequence[Question]) -> list[Leak]:
    """Every pair (owner, shown_in) outside one group where shown_in's paper text gives owner's answer.

    One pass over all texts with the answer terms keyed by their first characters and length (a dict
    lookup per text position), so a bank of 100,000 questions takes seconds, not a scan per answer.
    """
    texts = [flat(visible_text(q)) for q in questions]
    # first characters -> term length -> term -> owners (index, answer as written)
    by_prefix: dict[str, dict[int, dict[str, list[tuple[int, str]]]]] = defaultdict(lambda: defaultdict(dict))
    decoys: dict[int, list[str]] = {}
    for index, owner in enumerate(questions):
        answers, decoys[index] = _answer_terms(owner)
        for term, written in answers:
            by_prefix[term[:MIN_TERM]][len(term)].setdefault(term, []).append((index, written))
    found: dict[tuple[str, str], Leak] = {}
    for position, text in enumerate(texts):
        other = questions[position]
        for start in range(len(text) - MIN_TERM + 1):
            lengths = by_prefix.get(text[start:start + MIN_TERM])
            if not lengths:
                continue
            for length, owners in lengths.items():
                term = text[start:start + length]
                for index, written in owners.get(term, ()) if _whole(text, start, term) else ():
                    owner = questions[index]
                    if index == position or (owner.id, other.id) in found:
                        continue
                    if owner.group is not None and owner.group == other.group:
                        continue
                    if any(_occurs(decoy, text) for decoy in decoys[index] if decoy not in term):
                        continue  # the other text names the distractors too: it decides nothing
                    found[(owner.id, other.id)] = Leak(owner, other, written)
    return list(found.values())


def declared_pairs(questions: Iterable[Question]) -> set[frozenset[str]]:
    return {frozenset((q.id, other)) for q in questions for other in q.meta.conflicts if other != q.id}


def exclusive_pairs(questions: Sequence[Question]) -> set[frozenset[str]]:
    """Pairs that must not meet in one exam: derived leaks and declared ``conflicts``."""
    ids = {q.id for q in questions}
    pairs = declared_pairs(questions) | {frozenset((leak.owner.id, leak.shown_in.id)) for leak in derived_leaks(questions)}
    return {pair for pair in pairs if pair <= ids}


def _line(question: Question, key: str) -> int:
    text = frontmatter.decode(question.path.read_bytes())
    return frontmatter.top_level_key_lines(text, 1).get(key, 1)


def answer_leaks(questions: Sequence[Question]) -> list[Problem]:
    """Lint: derived leaks not declared with ``conflicts``, and ``conflicts`` naming unknown ids."""
    declared = declared_pairs(questions)
    ids = {q.id for q in questions}
    found = []
    for leak in derived_leaks(questions):
        if frozenset((leak.owner.id, leak.shown_in.id)) in declared or "leak" in leak.owner.meta.lint_ok:
            continue
        key = "answers" if leak.owner.type.value == "short" else "answer"
        found.append(Problem(
            display_path(leak.owner.path), _line(leak.owner, key), "leak",
            f"the answer '{leak.term}' is printed in {leak.shown_in.id} ({display_path(leak.shown_in.path)}): "
            f"reword one of them, give both one group, or add `conflicts: [{leak.shown_in.id}]`",
        ))
    for question in questions:
        for other in question.meta.conflicts:
            if other not in ids:
                found.append(Problem(display_path(question.path), _line(question, "conflicts"), "conflicts",
                                     f"no question has the id {other!r}: correct or remove it"))
    return found
