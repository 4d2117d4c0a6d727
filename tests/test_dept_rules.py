"""The rule kinds department-overall forms need (dept-overall.md §3, §8.4): the note's worked examples, and
properties — a rate never scores more as it worsens, a whole-step deduction is a step function, scores stay in
[0, points]."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval.errors import ValidationError
from perfeval.rules import RULE_KINDS, apply_rules, check_rule
from perfeval.rules.kinds_dept import met_within_band
from perfeval.systems import Rule

ADJ_BANDS = [[0, 1.0], [10, 2 / 3], [20, 1 / 3], [30, 1 / 6]]  # 预算调整率 3/2/1/0.5/0 [D4]


def score(kind, actual, points=6.0, target=np.nan, **params):
    a = np.atleast_1d(np.asarray(actual, dtype=float))
    n = len(a)
    out = apply_rules(np.full(n, kind, dtype=object), np.full(n, points), np.full(n, target), a, None,
                      params=[params] * n)
    return out.reference


def test_whole_step_deduction_matches_the_worked_example():
    """§3: 预算完成率, −2 per FULL 5 points below 100, A = 6: 96.4 → 6; 93.0 → 4; 89.9 → 2."""
    got = score("deduction", [96.4, 93.0, 89.9, 100.0, 0.0], per_unit=2, unit_size=5, direction="under", limit=100,
                whole_units=True)
    assert got.tolist() == pytest.approx([6, 4, 2, 6, 0])
    continuous = score("deduction", [96.4, 93.0, 89.9], per_unit=0.4, direction="under", limit=100)
    assert continuous.tolist() == pytest.approx([4.56, 3.20, 1.96])  # the continuous rule the note contrasts


def test_a_deduction_exactly_on_a_step_counts_that_step():
    """95.0 is a full 5 points below 100 (one step), even though 100 − 95 is not exact in binary floats."""
    assert score("deduction", [95.0, 90.0, 85.001, 85.0], per_unit=2, unit_size=5, direction="under", limit=100,
                 whole_units=True).tolist() == pytest.approx([4, 2, 2, 0])


def test_reverse_step_bands_have_inclusive_upper_bounds():
    """§3: 追加 150 on 年初 1,000 = 15 % → 1; exactly 10 % → 2 (bound inclusive); 0 → 3; > 30 → 0."""
    got = score("step_reverse", [15.0, 10.0, 0.0, 0.01, 30.0, 30.01], points=3, bands=ADJ_BANDS)
    assert got.tolist() == pytest.approx([1, 2, 3, 2, 0.5, 0])


def test_linear_penalty_matches_the_worked_example():
    """§3 编制准确, A = 10: 调剂 4 on 年初 500 (0.8 %) → 9.2; 12 % → 0; 10 % itself → 0 by the formula, not the cap."""
    got = score("linear_penalty", [0.8, 12.0, 0.0, 5.0], points=10, factor=10, zero_above=10)
    assert got.tolist() == pytest.approx([9.2, 0, 10, 5])


def test_per_event_deducts_per_count_down_to_zero():
    got = score("per_event", [0, 1, 2, 7], points=5, per_event=1)
    assert got.tolist() == [5, 4, 3, 0]


def test_sangong_change_deduction_matches_the_worked_example():
    """§3: 三公经费变动率 +8.00 %, −0.8 per point over 0, A = 6 → 0."""
    assert score("deduction", [8.0, 0.0, -3.0, 2.5], per_unit=0.8, limit=0).tolist() == pytest.approx([0, 6, 6, 4])


def test_share_met_with_an_overshoot_band():
    """§3 目标实现, A = 10: 20 project quantity indicators, 15 met, 2 missed, 3 over by > 30 % → 7.5."""
    target = np.full(20, 100.0)
    actual = np.r_[np.full(15, 110.0), [90.0, 50.0], np.full(3, 140.0)]
    met = met_within_band(actual, target, high=1.3)
    assert met.sum() == 15
    share = np.nanmean(met) * 100
    assert score("share_met", [share], points=10).tolist() == pytest.approx([7.5])
    assert np.isnan(met_within_band([np.nan, 5.0], [100.0, 0.0])).all()  # unknown is not a miss


def test_coefficient_is_points_times_the_coefficient():
    """§4.4: 权重 5 and 得分系数 80 % → 4; a coefficient above 100 % is capped."""
    assert score("coefficient", [80.0, 100.0, 130.0, 0.0], points=5).tolist() == pytest.approx([4, 5, 5, 0])


def test_new_kinds_are_registered_with_chinese_descriptions_and_checked_params():
    for kind in ("step_reverse", "per_event", "linear_penalty", "share_met", "coefficient"):
        spec = RULE_KINDS[kind]
        assert spec.score is not None and any("\u4e00" <= ch <= "\u9fff" for ch in spec.description)
    assert check_rule({"kind": "step_reverse", "bands": [[10, 1.0], [0, 0.5]]}, "r")  # bounds must ascend
    assert check_rule({"kind": "step_reverse", "bands": [[0, 0.5], [10, 1.0]]}, "r")  # shares must not increase
    assert check_rule({"kind": "step_reverse", "bands": ADJ_BANDS}, "r") == []
    assert check_rule({"kind": "per_event"}, "r")  # per_event is required
    assert check_rule({"kind": "deduction", "per_unit": 2, "whole_units": "yes"}, "r")
    with pytest.raises(ValidationError):
        Rule("linear_penalty", {"factor": 0})


def test_absent_actual_gets_no_score_not_zero():
    for kind, params in (("step_reverse", {"bands": ADJ_BANDS}), ("per_event", {"per_event": 1}),
                         ("linear_penalty", {"factor": 10}), ("coefficient", {}), ("share_met", {})):
        assert np.isnan(score(kind, [np.nan], **params)).all(), kind


# ----------------------------------------------------------------------------- properties
rates = st.floats(min_value=-50, max_value=300, allow_nan=False)
points = st.floats(min_value=0.5, max_value=20, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(rates, rates, points)
def test_a_lower_is_better_rate_never_scores_more_as_it_worsens(x, y, w):
    lo, hi = sorted((x, y))
    for kind, params in (("step_reverse", {"bands": ADJ_BANDS}), ("linear_penalty", {"factor": 10, "zero_above": 10}),
                         ("deduction", {"per_unit": 0.5, "limit": 100}),
                         ("deduction", {"per_unit": 2, "unit_size": 5, "limit": 0, "whole_units": True})):
        s = score(kind, [lo, hi], points=w, **params)
        assert s[1] <= s[0] + 1e-12, (kind, lo, hi, s)
        assert 0 <= s.min() and s.max() <= w + 1e-12


@settings(max_examples=200, deadline=None)
@given(rates, rates, points)
def test_a_higher_is_better_rate_never_scores_more_as_it_falls(x, y, w):
    lo, hi = sorted((x, y))
    for kind, params in (("deduction", {"per_unit": 2, "unit_size": 5, "direction": "under", "limit": 100,
                                        "whole_units": True}), ("coefficient", {}), ("share_met", {})):
        s = score(kind, [lo, hi], points=w, **params)
        assert s[0] <= s[1] + 1e-12, (kind, lo, hi, s)
        assert 0 <= s.min() and s.max() <= w + 1e-12


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0, max_value=100, allow_nan=False), st.floats(min_value=0.5, max_value=10))
def test_a_whole_step_deduction_is_a_step_function(rate, step):
    """Constant inside each step: the score at a rate equals the score in the middle of its step, and is the
    points less one deduction per full step."""
    params = {"per_unit": 1, "unit_size": step, "direction": "under", "limit": 100, "whole_units": True}
    steps = np.floor(np.round((100 - rate) / step, 9))
    middle = 100 - (steps + 0.5) * step  # same number of full steps below 100, away from the step's ends
    s = score("deduction", [rate, middle], points=50, **params)
    assert s[0] == pytest.approx(s[1])
    assert s[0] == pytest.approx(max(50 - steps, 0))


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=50), points, st.floats(min_value=0.1, max_value=5))
def test_per_event_scores_stay_within_points_and_fall_with_each_event(n, w, per):
    s = score("per_event", [n, n + 1], points=w, per_event=per)
    assert 0 <= s[1] <= s[0] <= w
