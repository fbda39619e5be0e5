"""Choice references (①–⑤) in explanations follow the choices when a form shuffles them."""

from __future__ import annotations

import re
from typing import Sequence

from generator.bank.schema import CIRCLED

# Korean particles depend on whether the number's reading ends in a consonant: 일, 이, 삼, 사, 오.
_FINAL_CONSONANT = {"①": True, "②": False, "③": True, "④": False, "⑤": False}
_PARTICLES = {"이": ("이", "가"), "가": ("이", "가"), "은": ("은", "는"), "는": ("은", "는"),
              "을": ("을", "를"), "를": ("을", "를"), "과": ("과", "와"), "와": ("과", "와")}
_REFERENCE = re.compile(rf"([{CIRCLED}])(?:(으로|로|이|가|은|는|을|를|과|와)(?![가-힣]))?")


def _particle(number: str, particle: str | None) -> str:
    if particle is None:
        return ""
    if particle in ("으로", "로"):
        return "으로" if number == "③" else "로"  # 일로 (ㄹ takes 로), 삼으로, 이로/사로/오로
    with_consonant, without = _PARTICLES[particle]
    return with_consonant if _FINAL_CONSONANT[number] else without


def remap_choice_refs(text: str, order: Sequence[int] = (0, 1, 2, 3, 4)) -> str:
    """Rewrite ①–⑤ (bank order) to the printed positions of ``order`` and fix the particle after each.

    ``order[i]`` is the original (0-based) choice printed at position i, as in ``ExamItem.choice_order``.
    With the identity order only the particles are corrected.
    """
    printed = {CIRCLED[original]: CIRCLED[position] for position, original in enumerate(order)}

    def replace(match: re.Match[str]) -> str:
        number = printed.get(match.group(1), match.group(1))
        return number + _particle(number, match.group(2))

    return _REFERENCE.sub(replace, text)
