"""The short-answer matching rule, shared by every grader (the practice page has a JS twin).

An answer matches an accepted answer when both are equal after :func:`normalize_answer`:

1. Unicode NFKC (full-width letters and digits become ASCII, compatibility jamo are composed);
2. lower case (``Cross-Validation`` = ``cross-validation``);
3. a parenthesised part is dropped (``교차 검증(CV)`` = ``교차 검증``) unless nothing else is left;
4. spaces, hyphens and dashes, underscores, middle dots, quotes, backquotes and a leading ``@``
   are dropped (``K-fold`` = ``K fold`` = ``kfold``; ``@tf.function`` = ``tf.function``);
5. thousands separators between digits are dropped (``1,792`` = ``1792``), as is a final period.

Everything else must be listed in the question's ``answers``: Korean and English terms, other
Korean renderings (``가중치 감쇠``/``가중치 감쇄``) and abbreviations. ``templates/short_answer.js``
implements the same steps; ``tests/fixtures/short_answer_cases.json`` holds the cases both must pass.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

_PARENS = re.compile(r"\([^()]*\)")
_DROPPED = re.compile(r"[\s\-‐‑‒–—―−_·ㆍ•'\"`‘’“”]+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def normalize_answer(text: str) -> str:
    """The comparable form of a short answer (see the module docstring for the rule)."""
    flat = unicodedata.normalize("NFKC", text).lower().strip()
    without = _PARENS.sub("", flat)
    if _DROPPED.sub("", without).strip("."):
        flat = without
    flat = _DROPPED.sub("", flat.replace("(", "").replace(")", ""))
    flat = _THOUSANDS.sub("", flat).lstrip("@")
    return flat.rstrip(".")


def answer_matches(given: str, accepted: Iterable[str]) -> bool:
    """Whether ``given`` equals one of ``accepted`` under the matching rule (empty never matches)."""
    wanted = normalize_answer(given)
    return wanted != "" and any(normalize_answer(answer) == wanted for answer in accepted)
