"""Classical item analysis (pure numpy): 정답률, 변별도, item–rest correlation, option shares, reliability.

Formulas and thresholds are documented in docs/grading.md; every statistic is checked in the tests against
hand-computed values and an independent implementation (scipy.stats).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

GROUP_SHARE = 0.27  # upper and lower groups: 27 % of the class each (Kelley)
EASY_P = 0.90
HARD_P = 0.25
LOW_D = 0.20
MIN_FLAG_N = 10  # fewer students: no flags at all, the numbers are only shown
MIN_UNUSED_N = 20  # fewer students: an unchosen distractor says nothing
BLANK = -1
MULTIPLE = -2


@dataclass(frozen=True)
class Flag:
    code: str  # negative_d, low_d, easy, hard, unused_distractor, upper_prefers_distractor
    text: str  # Korean advice shown in the reports; "{choice}" stands for the choice's printed label
    choice: int | None = None  # 0-based bank index of the choice the flag is about

    def describe(self, label: Callable[[int], str]) -> str:
        return self.text.replace("{choice}", label(self.choice)) if self.choice is not None else self.text


@dataclass(frozen=True)
class ItemStats:
    index: int
    p: float  # mean share of the points earned (정답률 for MCQ)
    d: float | None  # upper minus lower group p
    d_se: float | None
    r_rest: float | None  # correlation of the item score with the rest of the test
    r_se: float | None
    p_upper: float
    p_lower: float
    # per bank choice (MCQ): share of all / upper / lower students who marked it; empty for written items
    options_all: tuple[float, ...] = ()
    options_upper: tuple[float, ...] = ()
    options_lower: tuple[float, ...] = ()
    option_counts: tuple[int, ...] = ()
    upper_counts: tuple[int, ...] = ()
    lower_counts: tuple[int, ...] = ()
    blank: float = 0.0  # share blank or several marks
    flags: tuple[Flag, ...] = ()


@dataclass(frozen=True)
class TestStats:
    n: int
    k: int
    mean: float
    sd: float  # population SD (divides by n)
    minimum: float
    maximum: float
    median: float
    reliability: float | None
    reliability_name: str  # "KR-20" or "Cronbach α"
    sem: float | None
    group_size: int


@dataclass(frozen=True)
class Analysis:
    test: TestStats
    items: tuple[ItemStats, ...]
    upper: tuple[int, ...] = field(default=())  # student indexes of the upper group
    lower: tuple[int, ...] = field(default=())


def group_size(n: int) -> int:
    return max(1, int(round(GROUP_SHARE * n))) if n else 0


def groups(totals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Upper and lower 27 % by total; ties are broken by row order (earlier rows rank higher)."""
    n = len(totals)
    g = group_size(n)
    order = np.lexsort((np.arange(n), -totals))
    return order[:g], order[n - g:]


def pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    sx, sy = x.std(), y.std()
    if sx == 0 or sy == 0:
        return None
    return float(((x - x.mean()) * (y - y.mean())).mean() / (sx * sy))


def d_standard_error(p_upper: float, p_lower: float, g: int) -> float:
    """SE of D = p_U − p_L, groups of g, proportions shrunk as (g·p + 1)/(g + 2) so 0 and 1 still vary."""
    pu, pl = (g * p_upper + 1) / (g + 2), (g * p_lower + 1) / (g + 2)
    return math.sqrt(pu * (1 - pu) / g + pl * (1 - pl) / g)


def r_standard_error(r: float | None, n: int) -> float | None:
    """Large-sample SE of a correlation: (1 − r²)/√(n − 1); 0.19 at n = 30 for r near 0."""
    if n < 3:
        return None
    return (1 - (r or 0.0) ** 2) / math.sqrt(n - 1)


def reliability(earned: np.ndarray) -> float | None:
    """Cronbach's α = k/(k−1)·(1 − Σ var(item)/var(total)); equals KR-20 for 0/1 items."""
    n, k = earned.shape
    if k < 2 or n < 2:
        return None
    total_var = earned.sum(axis=1).var()
    if total_var == 0:
        return None
    return float(k / (k - 1) * (1 - earned.var(axis=0).sum() / total_var))


def analyse(earned: np.ndarray, maxima: np.ndarray, chosen: np.ndarray, keys: list[int | None],
            choice_counts: list[int]) -> Analysis:
    """Item and test statistics.

    ``earned``: n × k points earned (no penalty); ``maxima``: k maximum points; ``chosen``: n × k bank choice
    index (0-based) of the single mark, BLANK or MULTIPLE (ignored for written items); ``keys``: the bank index
    of the correct choice per item (None for written items); ``choice_counts``: choices per item (0 written).
    """
    n, k = earned.shape
    totals = earned.sum(axis=1)
    upper, lower = groups(totals)
    g = len(upper)
    rates = earned / maxima
    items = []
    for j in range(k):
        rest = totals - earned[:, j]
        p = float(rates[:, j].mean())
        p_upper, p_lower = float(rates[upper, j].mean()), float(rates[lower, j].mean())
        d = p_upper - p_lower if n >= 2 else None
        r = pearson(earned[:, j], rest) if n >= 3 else None
        stats = ItemStats(j, p, d, d_standard_error(p_upper, p_lower, g) if d is not None else None,
                          r, r_standard_error(r, n), p_upper, p_lower)
        if keys[j] is not None:
            stats = _with_options(stats, chosen[:, j], choice_counts[j], upper, lower)
        items.append(_with_flags(stats, keys[j], n))
    rel = reliability(earned)
    sd = float(totals.std()) if n else 0.0
    dichotomous = all(key is not None for key in keys)
    test = TestStats(n, k, float(totals.mean()) if n else 0.0, sd, float(totals.min()) if n else 0.0,
                     float(totals.max()) if n else 0.0, float(np.median(totals)) if n else 0.0, rel,
                     "KR-20" if dichotomous else "Cronbach α",
                     sd * math.sqrt(1 - rel) if rel is not None and rel <= 1 else None, g)
    return Analysis(test, tuple(items), tuple(int(i) for i in upper), tuple(int(i) for i in lower))


def _counts(column: np.ndarray, count: int) -> tuple[int, ...]:
    return tuple(int((column == c).sum()) for c in range(count))


def _with_options(stats: ItemStats, column: np.ndarray, count: int, upper: np.ndarray,
                  lower: np.ndarray) -> ItemStats:
    n, g = len(column), max(1, len(upper))
    all_counts, up, low = _counts(column, count), _counts(column[upper], count), _counts(column[lower], count)
    return ItemStats(**{**stats.__dict__,
                        "options_all": tuple(c / n for c in all_counts),
                        "options_upper": tuple(c / g for c in up),
                        "options_lower": tuple(c / g for c in low),
                        "option_counts": all_counts, "upper_counts": up, "lower_counts": low,
                        "blank": float((column < 0).mean())})


def _with_flags(stats: ItemStats, key: int | None, n: int) -> ItemStats:
    if n < MIN_FLAG_N:
        return stats
    flags = []
    d_note = f" (±{stats.d_se:.2f})" if stats.d_se is not None else ""
    if (stats.d is not None and stats.d < 0) or (stats.r_rest is not None and stats.r_rest < 0):
        flags.append(Flag("negative_d", f"변별도가 음수({stats.d:+.2f}{d_note}): 하위 집단이 더 많이 맞힘"))
    elif stats.d is not None and stats.d < LOW_D:
        flags.append(Flag("low_d", f"변별도 낮음({stats.d:.2f}{d_note})"))
    if stats.p > EASY_P:
        flags.append(Flag("easy", f"너무 쉬움(정답률 {stats.p:.0%})"))
    elif stats.p < HARD_P:
        flags.append(Flag("hard", f"너무 어려움(정답률 {stats.p:.0%})"))
    if key is not None and stats.option_counts:
        unused = [c for c, count in enumerate(stats.option_counts) if c != key and count == 0]
        if unused and n >= MIN_UNUSED_N:
            flags += [Flag("unused_distractor", "아무도 고르지 않은 오답지 {choice}", c) for c in unused]
        best = max(range(len(stats.upper_counts)), key=lambda c: stats.upper_counts[c])
        if best != key and stats.upper_counts[best] > stats.upper_counts[key]:
            flags.append(Flag("upper_prefers_distractor",
                              "상위 집단이 정답보다 오답지 {choice} 쪽을 더 많이 고름: 정답이 맞는지 확인", best))
    return ItemStats(**{**stats.__dict__, "flags": tuple(flags)})
