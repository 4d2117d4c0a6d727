"""Grades never depend on floating-point noise: every band, threshold and target is compared at one
stated precision (perfeval.compare, 9 decimals).

The failure this guards against was seen on a machine of another CPU type: a base total of
26.999999999999996 (18/20 + 9/10 on 30 points, i.e. 90 %) graded 良, and a grade-change probability
of 0.77 for a project whose weights cannot matter. Grade bands: 优 ≥ 90, 良 80–<90, 中 60–<80, 差 < 60,
lower bound inclusive (domain.md §1.3 [S1][S2]).
"""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfeval as pe
from perfeval import compare
from perfeval.methods import sensitivity

BANDS = {90: "优", 80: "良", 60: "中"}


def _cents_summing_to(total_cents: int, draw_cuts: list[int]) -> list[int]:
    cuts = sorted(c % (total_cents + 1) for c in draw_cuts)
    return [b - a for a, b in zip([0, *cuts], [*cuts, total_cents])]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(BANDS)), st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=14),
       st.randoms(use_true_random=False))
def test_decimal_scores_summing_to_a_boundary_get_the_higher_grade_in_any_order(bound, cuts, rnd):
    """Scores with two decimals that add up to exactly 90 (80, 60) are 优 (良, 中) however they are summed."""
    scores = [c / 100 for c in _cents_summing_to(bound * 100, cuts)]
    rnd.shuffle(scores)
    arr = np.array(scores)
    sums = [sum(scores), sum(reversed(scores)), float(np.sum(arr)), float(arr @ np.ones(len(arr))),
            float(np.add.reduce(arr[::-1])), math.fsum(scores), float(np.cumsum(arr)[-1])]
    grades = pe.GradeBands().grade(sums)
    assert set(grades) == {BANDS[bound]}, (scores, sums)


@pytest.mark.parametrize("bound", sorted(BANDS))
def test_one_ulp_below_a_boundary_is_the_boundary_but_a_real_shortfall_is_not(bound):
    below = np.nextafter(float(bound), -np.inf)
    assert pe.GradeBands().grade([below, bound])[0] == BANDS[bound]
    assert pe.GradeBands().grade([bound - 1e-6])[0] != BANDS[bound]  # the precision is 1e-9, not coarser
    assert compare.ge(below, bound) and not compare.gt(below, bound) and compare.lt(bound - 1e-6, bound)


def _rows(points: list[float], scores: list[float], pid="P1") -> pd.DataFrame:
    """Rows scored by hand; points sum to 100 by a last row awarded 0 (so no review finding withholds)."""
    rest = round(100 - sum(points), 2)
    pts, sc = [*points, rest], [*scores, 0.0]
    return pd.DataFrame({
        "project_id": pid, "level1": "产出指标", "level2": "数量指标",
        "level3": [f"指标{i}" for i in range(len(pts))], "target": "≥1个", "actual": "1个",
        "points": pts, "score": sc, "reason": "已说明"})


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(BANDS)), st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=10),
       st.randoms(use_true_random=False))
def test_score_grades_a_total_of_exactly_a_boundary_with_the_higher_grade(bound, cuts, rnd):
    scores = [c / 100 for c in _cents_summing_to(bound * 100, cuts)]
    rnd.shuffle(scores)
    card = pe.score(_rows(scores, scores), None, "exec-0", score_rounding="none")
    t = card.totals.iloc[0]
    assert t.grade == BANDS[bound] and t.total_unrounded == bound


def test_weights_that_cannot_matter_never_change_the_grade():
    """18/20 and 9/10 are both 90 %: any weights give 90 %, i.e. 优, with probability 1 (issue 7 §1)."""
    res = sensitivity(pd.DataFrame({"a": [18.0], "b": [9.0]}), {"a": 20, "b": 10}, score_type="points",
                      n_draws=2000, seed=1)
    assert res.summary["base_grade"].iloc[0] == "优"
    assert res.summary["p_grade_change"].iloc[0] == 0.0
    assert res.grade_probabilities.loc[0, "优"] == 1.0


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=5),
       st.lists(st.lists(st.integers(min_value=0, max_value=100), min_size=6, max_size=6), min_size=1, max_size=4))
def test_sensitivity_base_grade_equals_the_scorecard_grade(cuts, rates):
    """The same points and scores graded by score() and by sensitivity(score_type="points") agree."""
    points = [c for c in _cents_summing_to(100, cuts)]  # whole points summing to 100
    table, frames = {}, []
    for k, percents in enumerate(rates):
        scores = [round(p * q / 100, 2) for p, q in zip(points, percents)]
        table[f"P{k}"] = scores
        frames.append(_rows([float(p) for p in points], scores, f"P{k}"))
    card = pe.score(pd.concat(frames, ignore_index=True), None, "exec-0", score_rounding="none")
    scores = pd.DataFrame(table, index=[f"c{i}" for i in range(len(points))]).T
    res = sensitivity(scores, dict(zip(scores.columns, points)), score_type="points", n_draws=50, seed=0)
    graded = card.totals.set_index("project_id").loc[scores.index, "grade"]
    assert list(res.summary["base_grade"]) == list(graded)
