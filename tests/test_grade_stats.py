"""Item analysis against a hand-computed class and an independent implementation (scipy.stats)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from generator.grade.analysis import BLANK, analyse, d_standard_error, group_size, r_standard_error
from generator.grade.results import ranks_and_percentiles

# 6 students × 4 one-point items; totals 4, 3, 2, 2, 1, 1 (worked by hand in docs/grading.md)
HAND = np.array([[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]], dtype=float)


def _analyse(earned: np.ndarray):
    """Every item an MCQ with key 0: choice 0 when right, 1 when wrong."""
    k = earned.shape[1]
    chosen = np.where(earned > 0, 0, 1)
    return analyse(earned, np.ones(k), chosen, [0] * k, [5] * k)


def test_hand_computed_class():
    result = _analyse(HAND)
    t = result.test
    assert t.group_size == 2  # round(0.27 × 6)
    assert [i.p for i in result.items] == pytest.approx([4 / 6, 4 / 6, 3 / 6, 2 / 6])
    # upper = students 1, 2; lower = students 5, 6
    assert result.upper == (0, 1) and result.lower == (4, 5)
    assert [i.d for i in result.items] == pytest.approx([1.0, 0.5, 1.0, 0.0])
    # item 4: r(item, rest) = −2/√82 by hand
    assert result.items[3].r_rest == pytest.approx(-2 / math.sqrt(82))
    # Σpq = 11/12, var(T) = 41/36 → α = KR-20 = 4/3 · (1 − 33/41) = 32/123
    assert t.reliability == pytest.approx(32 / 123)
    assert t.sem == pytest.approx(math.sqrt(41 / 36) * math.sqrt(1 - 32 / 123))
    assert t.mean == pytest.approx(13 / 6) and t.sd == pytest.approx(math.sqrt(41 / 36))


def test_item_rest_correlation_matches_scipy_point_biserial():
    rng = np.random.default_rng(5)
    ability = rng.normal(size=40)
    earned = (rng.normal(size=(40, 12)) + ability[:, None] > 0).astype(float)
    result = _analyse(earned)
    totals = earned.sum(axis=1)
    for j, item in enumerate(result.items):
        expected = sps.pointbiserialr(earned[:, j].astype(bool), totals - earned[:, j]).statistic
        assert item.r_rest == pytest.approx(expected, abs=1e-12)


def test_reliability_matches_an_independent_kr20_and_alpha():
    rng = np.random.default_rng(9)
    ability = rng.normal(size=50)
    earned = (rng.normal(size=(50, 15)) + ability[:, None] > 0).astype(float)
    p = earned.mean(axis=0)
    n, k = earned.shape
    kr20 = k / (k - 1) * (1 - (p * (1 - p)).sum() / np.var(earned.sum(axis=1)))
    assert _analyse(earned).test.reliability == pytest.approx(kr20)
    assert _analyse(earned).test.reliability_name == "KR-20"
    # with written items: Cronbach's α on sample variances (ddof cancels) via scipy's variance
    scores = np.hstack([earned, rng.integers(0, 11, size=(50, 2)).astype(float)])
    k = scores.shape[1]
    alpha = k / (k - 1) * (1 - sum(sps.tvar(scores[:, j]) for j in range(k)) / sps.tvar(scores.sum(axis=1)))
    maxima = np.array([1.0] * 15 + [10.0, 10.0])
    written = analyse(scores, maxima, np.full(scores.shape, BLANK), [0] * 15 + [None, None], [5] * 15 + [0, 0])
    assert written.test.reliability == pytest.approx(alpha)
    assert written.test.reliability_name == "Cronbach α"


def test_discrimination_uses_27_percent_groups_and_matches_a_direct_count():
    rng = np.random.default_rng(3)
    earned = (rng.random((30, 5)) < 0.6).astype(float)
    result = _analyse(earned)
    totals = earned.sum(axis=1)
    order = sorted(range(30), key=lambda i: (-totals[i], i))
    g = group_size(30)
    assert g == 8
    for j, item in enumerate(result.items):
        upper = sum(earned[i, j] for i in order[:g]) / g
        lower = sum(earned[i, j] for i in order[-g:]) / g
        assert item.d == pytest.approx(upper - lower)


def test_option_shares_and_flags_for_a_wrong_key_and_an_unused_distractor():
    # 20 students, one 4-choice item whose key is choice 0; the best students all choose choice 2
    n = 20
    ability = np.arange(n, 0, -1, dtype=float)  # student 0 is best
    other = (ability[:, None] > 10).astype(float) * np.ones((n, 3))  # three items the able ones get right
    chosen_item = np.array([2] * 8 + [0] * 6 + [1] * 6)
    earned = np.hstack([(chosen_item == 0).astype(float)[:, None], other])
    chosen = np.hstack([chosen_item[:, None], np.full((n, 3), BLANK)])
    result = analyse(earned, np.ones(4), chosen, [0, None, None, None], [4, 0, 0, 0])
    item = result.items[0]
    assert item.option_counts == (6, 6, 8, 0)
    # totals: students 8–9 have 4, 0–7 have 3 → upper 5 = 8, 9, 0, 1, 2: choices 0, 0, 2, 2, 2
    assert item.options_upper == pytest.approx((0.4, 0.0, 0.6, 0.0))
    assert item.options_lower == pytest.approx((0.0, 1.0, 0.0, 0.0))  # students 15–19 chose 1
    assert item.d == pytest.approx(0.4)
    codes = {flag.code for flag in item.flags}
    assert {"upper_prefers_distractor", "unused_distractor"} <= codes
    assert any(flag.choice == 3 for flag in item.flags if flag.code == "unused_distractor")


def test_standard_errors_follow_the_documented_formulas():
    assert r_standard_error(0.0, 30) == pytest.approx(1 / math.sqrt(29))  # ≈ 0.19 at n = 30
    assert round(r_standard_error(0.0, 30), 2) == 0.19
    assert d_standard_error(0.5, 0.5, 8) == pytest.approx(math.sqrt(2 * 0.25 / 8))
    assert d_standard_error(1.0, 0.0, 8) > 0  # shrinkage keeps extreme groups uncertain


def test_ranks_and_percentiles_as_in_the_korean_national_test():
    ranks, percentiles = ranks_and_percentiles([90, 80, 80, 70])
    assert ranks == [1, 2, 2, 4]
    # 백분위 = (below + same/2) / n × 100
    assert percentiles == pytest.approx([100 * 3.5 / 4, 100 * 2 / 4, 100 * 2 / 4, 100 * 0.5 / 4])


@settings(max_examples=40, deadline=None)
@given(st.integers(3, 40), st.integers(2, 10), st.integers(0, 10_000))
def test_statistics_stay_in_range_for_any_class(n, k, seed):
    rng = np.random.default_rng(seed)
    earned = (rng.random((n, k)) < rng.random(k)).astype(float)
    result = _analyse(earned)
    for item in result.items:
        assert 0 <= item.p <= 1
        assert item.d is None or -1 <= item.d <= 1
        assert item.r_rest is None or -1 - 1e-9 <= item.r_rest <= 1 + 1e-9
    assert result.test.reliability is None or result.test.reliability <= 1 + 1e-9
