"""Give-away cues: an MCQ's key picked out by its form, without knowing the subject.

- ``giveaway-hedge``: the key is the only hedged choice ("~수 있다"), or the only one not hedged;
- ``giveaway-absolute``: the key is the only choice with an absolute ("항상", "반드시", "모든", "사라진다" …),
  or the only one without;
- ``giveaway-longest``: the key is clearly the longest choice;
- ``giveaway-ending``: every other choice ends the same way (e.g. "~위해서이다") and the key does not.

A question silences a check with ``lint_ok: {giveaway-hedge: "why this is fair"}``. At most
:data:`JUSTIFIED_SHARE` of the bank's MCQs may carry such a justification.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from generator.bank import frontmatter
from generator.bank.model import Question
from generator.bank.schema import McqMeta
from generator.problems import Problem, display_path

CODES = ("giveaway-hedge", "giveaway-absolute", "giveaway-longest", "giveaway-ending")
ENDING = 4  # characters compared at the end of each choice
KNOWN_OK = (*CODES, "leak")  # codes `lint_ok` may silence ("leak": see generator/bank/leaks.py)
JUSTIFIED_SHARE = 0.05
LONGEST_RATIO = 1.3  # key length / next longest choice
LONGEST_FROM = 12  # characters: shorter choices are labels or terms
_HEDGE = re.compile(
    r"수\s*(도\s*)?있(다|으며|고|어|는)|가능성이\s*있|경우가\s*있|대체로|흔히|일반적으로|경향이\s*있|편이다|기도\s*한다|곤\s*한다"
)
_ABSOLUTE = re.compile(
    r"항상|반드시|절대|언제나|모든|모두|전혀|결코|오직|완전히|사라진다|사라지|필요가\s*없|위험이\s*없|"
    r"뿐이다|만으로\s*충분|할\s*수\s*없다|불가능|없다$|에만\s|만\s(하면|고치면|바꾸면|조정하면)"
)
_MARKUP = re.compile(r"[\s`*_$\\{}]+")


def _length(choice: str) -> int:
    return len(_MARKUP.sub("", choice))


def _singled_out(marked: Sequence[bool], key: int) -> bool:
    """The key alone has the mark, or alone lacks it (with at least 4 choices)."""
    if len(marked) < 4:
        return False
    others = [m for i, m in enumerate(marked) if i != key]
    return (marked[key] and not any(others)) or (not marked[key] and all(others))


def cues(meta: McqMeta) -> list[str]:
    """The give-away codes that apply to one MCQ."""
    key = meta.answer - 1
    found = []
    if _singled_out([bool(_HEDGE.search(c)) for c in meta.choices], key):
        found.append("giveaway-hedge")
    if _singled_out([bool(_ABSOLUTE.search(c.rstrip(". "))) for c in meta.choices], key):
        found.append("giveaway-absolute")
    lengths = [_length(c) for c in meta.choices]
    others = [n for i, n in enumerate(lengths) if i != key]
    if lengths[key] >= LONGEST_FROM and others and lengths[key] > LONGEST_RATIO * max(others):
        found.append("giveaway-longest")
    endings = [choice.strip().strip("'\"").rstrip(". ")[-ENDING:] for choice in meta.choices]
    rest = {e for i, e in enumerate(endings) if i != key}
    if len(meta.choices) >= 4 and max(lengths) >= LONGEST_FROM and len(rest) == 1 and endings[key] not in rest:
        found.append("giveaway-ending")
    return found


_MESSAGES = {
    "giveaway-hedge": "the key is the only choice hedged with '~수 있다' (or the only one not hedged)",
    "giveaway-absolute": "the key is the only choice with an absolute ('항상', '모든', '사라진다' …) "
                         "(or the only one without)",
    "giveaway-longest": f"the key is more than {LONGEST_RATIO}× as long as any other choice",
    "giveaway-ending": "every other choice ends the same way and the key does not (a grammar cue)",
}


def giveaway_cues(questions: Iterable[Question]) -> tuple[list[Problem], list[str]]:
    """Warnings for unjustified cues, and a bank note when too many MCQs are justified."""
    warnings: list[Problem] = []
    questions = list(questions)
    for question in questions:
        for code in question.meta.lint_ok:
            if code not in KNOWN_OK:
                warnings.append(_problem(question, "lint_ok", "lint_ok",
                                         f"unknown check {code!r}: use one of {', '.join(KNOWN_OK)}"))
    mcqs = [q for q in questions if isinstance(q.meta, McqMeta)]
    justified = 0
    for question in mcqs:
        assert isinstance(question.meta, McqMeta)
        allowed = question.meta.lint_ok
        found = cues(question.meta)
        if any(code in allowed for code in found):
            justified += 1
        for code in found:
            if code not in allowed:
                warnings.append(_problem(question, "choices", code,
                                         f"{_MESSAGES[code]}: make the distractors alike, or justify it with "
                                         f"`lint_ok: {{{code}: reason}}`"))
        for code in allowed:
            if code in CODES and code not in found:
                warnings.append(_problem(question, "lint_ok", "lint_ok",
                                         f"{code} is justified but not flagged any more: remove it"))
    notes = []
    if mcqs and justified > JUSTIFIED_SHARE * len(mcqs):
        notes.append(f"{justified} of {len(mcqs)} MCQs ({justified / len(mcqs):.1%}) keep a justified give-away cue; "
                     f"at most {JUSTIFIED_SHARE:.0%} may: rewrite some of them")
    return warnings, notes


def _problem(question: Question, key: str, field: str, message: str) -> Problem:
    text = frontmatter.decode(question.path.read_bytes())
    line = frontmatter.top_level_key_lines(text, 1).get(key, 1)
    return Problem(display_path(question.path), line, field, message)
