"""Lint advice from graded exams: a probably wrong key, a distractor nobody picks, negative discrimination.

Uses the pooled records of ``<bank>/stats/item-stats.jsonl`` (bankstats) with at least MIN_POOLED_N
responses; records made before the question's choices or answer changed are ignored.
"""

from __future__ import annotations

from generator.bank.model import Bank
from generator.bank.schema import CIRCLED, McqMeta
from generator.grade.bankstats import MIN_POOLED_N, observed
from generator.problems import Problem


def observed_warnings(bank: Bank) -> list[Problem]:
    from generator.bank.lint import _warn

    found = []
    for qid, seen in sorted(observed(bank.root, bank.questions).items()):
        question = bank.by_id[qid]
        if seen.n < MIN_POOLED_N or not isinstance(question.meta, McqMeta):
            continue
        where = f"{seen.n} responses in {seen.exams} graded exam(s)"
        key = question.meta.answer - 1
        upper = seen.upper_counts
        if upper and key < len(upper):
            best = max(range(len(upper)), key=lambda c: upper[c])
            if best != key and upper[best] > upper[key]:
                found.append(_warn(question, "answer", "statistics",
                                   f"possible wrong key: the upper groups chose {CIRCLED[best]} ({upper[best]}) more "
                                   f"often than the answer {CIRCLED[key]} ({upper[key]}), {where}: check `answer`"))
        unused = [c for c, count in enumerate(seen.option_counts) if c != key and count == 0]
        if unused:
            found.append(_warn(question, "choices", "statistics",
                               f"distractor {', '.join(CIRCLED[c] for c in unused)} never chosen in {where}: "
                               "make it plausible"))
        if seen.d is not None and seen.d < 0:
            found.append(_warn(question, "answer", "statistics",
                               f"negative discrimination (D {seen.d:+.2f}, {where}): weaker students do better; "
                               "check the wording and the key"))
    return found
