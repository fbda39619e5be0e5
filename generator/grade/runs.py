"""Short text composed from pieces laid out once: a student's numbers, 수험번호 and name cost placement only.

Digits, Hangul syllables, spaces and a few marks are set one character per piece: the bundled fonts have
fixed-width digits and syllables and no kerning between them, so the characters placed side by side look as
if typeset together (as the booklet's question numbers do). Any other text is one piece of its own.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from markupsafe import escape

from generator.render.compose import PX_PER_MM, Piece, PieceSet, run_width, side_by_side
from generator.render.text import keep_words

PER_CHARACTER = re.compile(r"[0-9가-힣 .,/%()·:+\-]*")
RUN_WIDTH = 180.0  # the widest a whole-text piece may be (mm)


@dataclass(frozen=True)
class Style:
    """Markup around a run's text (``name`` goes into the piece keys). The outer element fixes the line box, so
    that the pieces of styles with the same outer element have the same height and baseline."""

    name: str
    open: str
    close: str = "</div>"


class Pieces:
    """Collects distinct pieces by content."""

    def __init__(self) -> None:
        self.pieces: dict[str, Piece] = {}
        self._seen: dict[tuple[str, float, bool, str | None], str] = {}  # most pieces recur across students

    def add(self, html: str, width: float, shrink: bool = False, key: str | None = None) -> str:
        seen = self._seen.get((html, width, shrink, key))
        if seen is not None:
            return seen
        markup = keep_words(str(html))
        found = key or "h" + hashlib.sha1(f"{width}|{shrink}|{markup}".encode()).hexdigest()[:16]
        self.pieces.setdefault(found, Piece(found, markup, width, shrink))
        self._seen[(html, width, shrink, key)] = found
        return found

    def run(self, style: Style, text: str, whole: bool = False) -> list[str]:
        """Keys of pieces that set ``text`` left to right in ``style``: one per character where that is safe,
        unless ``whole`` (a fixed label: one piece, so that it reads as a word when the PDF's text is extracted)."""
        parts = list(text) if PER_CHARACTER.fullmatch(text) and not whole else [text]
        return [self._text(style, part) for part in parts if part]

    def _text(self, style: Style, text: str) -> str:
        key = f"r-{style.name}-{text.encode('utf-8').hex()}"
        if key not in self.pieces:
            html = str(escape(text)).replace(" ", "&#160;")
            self.add(f"{style.open}{html}{style.close}", RUN_WIDTH, shrink=True, key=key)
        return key


def flow(laid: PieceSet, words: list[list[str]], space: str, width: float) -> list[list[tuple[str, float]]]:
    """Words (each a list of pieces) filled into lines of ``width`` mm with ``space`` between them."""
    lines: list[list[tuple[str, float]]] = [[]]
    gap = laid.width(space) / PX_PER_MM
    x = 0.0
    for word in words:
        w = run_width(laid, word)
        if lines[-1] and x + gap + w > width:
            lines.append([])
            x = 0.0
        elif lines[-1]:
            lines[-1].append((space, x))
            x += gap
        lines[-1].extend(side_by_side(laid, word, x))
        x += w
    return lines
