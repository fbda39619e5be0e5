"""Hangul in formulas: ``\\text{…}`` runs with Hangul are cut out of the LaTeX and printed as body text.

The math font has no Hangul, so ``$x > 0 \\text{ (단, } x \\text{는 정수)}$`` would print boxes. Runs at
the formula's top level (not inside braces such as ``\\frac{…}{…}``) can be taken out: the formula is
typeset in pieces and the text between them is set in the surrounding font. Hangul anywhere else in a
formula cannot be printed; ``hangul_left_in_math`` finds it for ``lint``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

_HANGUL = re.compile(r"[\u1100-\u11ff\u3131-\u318e\uac00-\ud7a3]")
_TEXT_COMMAND = re.compile(r"\\(?:text|textrm|textnormal|mbox|mathrm)\s*\{")


@dataclass(frozen=True)
class MathPart:
    source: str  # LaTeX, or plain text when ``is_text``
    is_text: bool = False


def split_math_text(latex: str) -> list[MathPart]:
    """The formula as math and text parts; text parts are top-level ``\\text{}`` runs holding Hangul."""
    if not _HANGUL.search(latex):
        return [MathPart(latex)]
    parts: list[MathPart] = []
    start = resume = 0
    for index, char, depth in _characters(latex, 0, 0):
        if index < resume or char != "\\" or depth:
            continue
        match = _TEXT_COMMAND.match(latex, index)
        if match:
            end = _closing_brace(latex, match.end())
            if end is not None and _HANGUL.search(latex[match.end():end]):
                _add_math(parts, latex[start:index])
                _add_text(parts, latex[match.end():end])
                start = resume = end + 1
    _add_math(parts, latex[start:])
    return parts or [MathPart(latex)]


def _characters(latex: str, start: int, depth: int) -> Iterator[tuple[int, str, int]]:
    """(index, character, brace depth after it) from ``start``; an escape (``\\{``, ``\\\\``, a command's first
    letter) is one step, reported at its backslash. Depth never drops below zero."""
    index = start
    while index < len(latex):
        char = latex[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        yield index, char, depth
        index += 2 if char == "\\" else 1


def _closing_brace(latex: str, start: int) -> int | None:
    """The index of the brace closing a group opened just before ``start``."""
    return next((index for index, char, depth in _characters(latex, start, 1) if char == "}" and depth == 0), None)


def _add_math(parts: list[MathPart], source: str) -> None:
    if source.strip():
        parts.append(MathPart(source))
    elif source and parts and parts[-1].is_text and not parts[-1].source.endswith(" "):
        parts[-1] = MathPart(parts[-1].source + " ", True)


def _add_text(parts: list[MathPart], text: str) -> None:
    text = re.sub(r"\\([{}%$&#_ ])", r"\1", text).replace("~", "\u00a0")
    if parts and parts[-1].is_text:
        parts[-1] = MathPart(parts[-1].source + text, True)
    else:
        parts.append(MathPart(text, True))


def hangul_left_in_math(latex: str) -> bool:
    """Whether Hangul stays inside the typeset parts of a formula (it would print as boxes)."""
    return any(_HANGUL.search(part.source) for part in split_math_text(latex) if not part.is_text)
