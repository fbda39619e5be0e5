"""Points with up to two decimals (2.5 × 40 = 100): exact sums and how they are written.

Points are floats in the bank and the blueprint. Sums are taken in hundredths (integers) so that
0.1 + 0.2 prints as 0.3, and values are handed to templates as ``int`` when whole (``3``, not ``3.0``)
and as a float rounded to two decimals otherwise (``2.5``), so ``{{ points }}`` prints what a teacher
wrote.
"""

from __future__ import annotations

from typing import Iterable

SCALE = 100  # points are counted in hundredths: CP-SAT and exact sums need integers
DECIMALS = 2

Points = int | float


def hundredths(points: float) -> int:
    """Points as a whole number of hundredths (2.5 -> 250)."""
    return round(points * SCALE)


def tidy(points: float) -> Points:
    """2.0 -> 2, 2.50 -> 2.5, 0.30000000000000004 -> 0.3."""
    cents = hundredths(points)
    return cents // SCALE if cents % SCALE == 0 else cents / SCALE


def total(values: Iterable[float]) -> Points:
    """An exact sum of points."""
    return tidy(sum(hundredths(value) for value in values) / SCALE)


def has_at_most_two_decimals(points: float) -> bool:
    return abs(points * SCALE - hundredths(points)) < 1e-6


def label(points: float) -> str:
    """As printed after a question: [2.5점]."""
    return f"[{tidy(points)}점]"
