"""Two-column pagination of measured blocks: a pure function, so that WeasyPrint never balances columns.

Each question is laid out once at column width (see ``booklet.measure``); its height, split into pieces
at its top-level Markdown blocks, is all this module sees. A block is kept whole in one column unless it
is taller than an empty column; then it is split between pieces.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence


@dataclass(frozen=True)
class Block:
    pieces: tuple[tuple[str, float], ...]  # (key, height) in layout order
    gap: float = 0.0  # space above the block, dropped at the top of a column
    keep_with_next: bool = False  # headings: never the last thing in a column

    @property
    def height(self) -> float:
        return sum(height for _, height in self.pieces)


@dataclass(frozen=True)
class Placed:
    key: str
    gap: float  # space above this piece in its column


Column = list[Placed]


def _units(blocks: Sequence[Block]) -> list[Block]:
    """Merge every keep-with-next block into the block after it."""
    units: list[Block] = []
    pending: Block | None = None
    for block in blocks:
        if pending is not None:
            block = Block(pending.pieces + block.pieces, pending.gap, block.keep_with_next)
            pending = None
        if block.keep_with_next:
            pending = block
        else:
            units.append(block)
    if pending is not None:
        units.append(Block(pending.pieces, pending.gap))
    return units


def paginate(blocks: Sequence[Block], capacity: Callable[[int], float]) -> list[Column]:
    """Fill columns in order (page 1 left, page 1 right, page 2 left, …).

    ``capacity(i)`` is the usable height of column ``i``. Returns the pieces of every column with the gap
    to leave above each one. Deterministic, and linear in the number of pieces.
    """
    columns: list[Column] = [[]]
    used = [0.0]

    def new_column() -> None:
        columns.append([])
        used.append(0.0)

    def room() -> float:
        return capacity(len(columns) - 1) - used[-1]

    def put(key: str, height: float, gap: float) -> None:
        gap = gap if columns[-1] else 0.0
        columns[-1].append(Placed(key, gap))
        used[-1] += gap + height

    for unit in _units(blocks):
        gap = unit.gap if columns[-1] else 0.0
        if unit.height + gap <= room():
            fits_here = True
        elif unit.height <= capacity(len(columns)) and columns[-1]:
            new_column()
            fits_here = True
        else:
            fits_here = False
        if fits_here:
            for index, (key, height) in enumerate(unit.pieces):
                put(key, height, unit.gap if index == 0 else 0.0)
            continue
        # taller than a column: split between pieces, starting here if the first two pieces fit
        head = sum(height for _, height in unit.pieces[:2])
        if columns[-1] and head + gap > room():
            new_column()
        for index, (key, height) in enumerate(unit.pieces):
            piece_gap = unit.gap if index == 0 else 0.0
            if columns[-1] and height + (piece_gap if columns[-1] else 0) > room():
                new_column()
            put(key, height, piece_gap)
    if not columns[-1] and len(columns) > 1:
        columns.pop()
    return columns


def pages(columns: list[Column], per_page: int = 2) -> list[list[Column]]:
    """Group columns into pages (the last page may have an empty right column)."""
    padded = columns + [[] for _ in range(-len(columns) % per_page)]
    return [padded[i:i + per_page] for i in range(0, len(padded), per_page)]
