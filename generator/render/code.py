"""Code blocks that fit their column: shrink the font down to a floor, then break lines at token boundaries.

The code font (NanumGothicCoding) is monospaced: a Latin character takes half an em, a Hangul one a full
em, so a line's printed width is known from its text. ``fit_code`` picks the font scale that makes the
widest line fit; at the floor it breaks the lines that are still too long before the token that crosses
the edge, and the continuation starts with a visible ↪ mark. ``overlong_lines`` tells ``lint`` which
lines would be broken that way.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

CODE_PT = 8.0  # code font size of the PDF outputs (paper.css: pre.hl)
MIN_SCALE = 0.7  # never smaller than 70 % of CODE_PT
PT_PER_MM = 72 / 25.4
MARK = "\ue000"  # private-use placeholder for the continuation mark, replaced after highlighting
MARK_COLUMNS = 2  # the ↪ mark and its gap take two half-width cells
CONTINUATION_HTML = (
    '<img class="code-cont" alt="↪" style="width:0.8em;height:0.8em;margin-right:0.2em;vertical-align:-0.05em" '
    'src="data:image/svg+xml;base64,'
    'PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxMCAxMCI+PHBhdGggZD0iTTIgMS41djQu'
    'NWg2LjIiIGZpbGw9Im5vbmUiIHN0cm9rZT0iIzY2NiIgc3Ryb2tlLXdpZHRoPSIxLjEiLz48cGF0aCBkPSJNNi4yIDMuOGwyLjMgMi4y'
    'LTIuMyAyLjIiIGZpbGw9Im5vbmUiIHN0cm9rZT0iIzY2NiIgc3Ryb2tlLXdpZHRoPSIxLjEiLz48L3N2Zz4=">'
)


@dataclass(frozen=True)
class CodeBox:
    """Where a code block prints: the width for its text, in mm (column less indent, padding, border)."""

    text_mm: float

    def columns(self, scale: float = 1.0) -> int:
        """Half-width cells that fit on one line at ``scale`` × CODE_PT."""
        cell_mm = CODE_PT * scale * 0.5 / PT_PER_MM
        return int(self.text_mm / cell_mm + 1e-9)


def _pre_chrome_mm(pt: float = CODE_PT) -> float:
    """Horizontal padding and border of ``pre.hl`` (paper.css: padding 0.6em, border 0.5pt)."""
    return (2 * 0.6 * pt + 2 * 0.5) / PT_PER_MM


def code_box(column_mm: float, indent_mm: float) -> CodeBox:
    return CodeBox(column_mm - indent_mm - _pre_chrome_mm())


# The booklet's question text: 88 mm column less the 2.05em (10 pt) question indent. Lint checks against it.
BOOKLET_CODE = code_box(88.0, 2.05 * 10 / PT_PER_MM)


@lru_cache(maxsize=8192)
def cells(text: str) -> int:
    """Half-width cells a string takes in the code font (wide and full-width characters take two)."""
    count = 0
    for char in text:
        if char == "\t":
            count += 4 - count % 4
        elif unicodedata.east_asian_width(char) in "WF":
            count += 2
        elif not unicodedata.combining(char):
            count += 1
    return count


def scale_for(lines: list[str], box: CodeBox) -> float:
    """The font scale (MIN_SCALE..1) at which the widest line fits, or MIN_SCALE when none does."""
    widest = max((cells(line) for line in lines), default=0)
    if widest <= box.columns():
        return 1.0
    for step in range(100, int(MIN_SCALE * 100) - 1, -1):
        if widest <= box.columns(step / 100):
            return step / 100
    return MIN_SCALE


def overlong_lines(code: str, box: CodeBox = BOOKLET_CODE) -> list[tuple[int, int]]:
    """(1-based line, width in cells) of the lines that print broken even at the smallest code font."""
    limit = box.columns(MIN_SCALE)
    return [(number, cells(line)) for number, line in enumerate(code.split("\n"), 1) if cells(line) > limit]


Token = tuple[object, str]


def wrap_tokens(tokens: list[Token], limit: int) -> Iterator[Token]:
    """Highlighter tokens with line breaks before the token that would cross ``limit`` cells.

    A continuation line starts with ``MARK`` (then ``MARK_COLUMNS`` cells are taken); whitespace at a
    break is dropped; a single token longer than a line is cut where it has to be.
    """
    column = 0
    for kind, value in tokens:
        parts = value.split("\n")
        for index, part in enumerate(parts):
            if index:
                yield kind, "\n"
                column = 0
            while part:
                width = cells(part)
                if column + width <= limit:
                    yield kind, part
                    column += width
                    break
                if part.isspace():
                    part = ""
                    yield kind, "\n" + MARK
                    column = MARK_COLUMNS
                    break
                if column > MARK_COLUMNS:  # break before this token
                    yield kind, "\n" + MARK
                    column = MARK_COLUMNS
                    continue
                head = _take(part, limit - column)  # token longer than a line: cut it
                yield kind, head
                yield kind, "\n" + MARK
                column = MARK_COLUMNS
                part = part[len(head):]


def _take(text: str, room: int) -> str:
    """The longest prefix of ``text`` within ``room`` cells (at least one character)."""
    used, end = 0, 0
    for end, char in enumerate(text, 1):
        used += cells(char)
        if used > room:
            return text[: max(1, end - 1)]
    return text
