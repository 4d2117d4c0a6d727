"""Weight sensitivity: analytic grade probabilities, reproducibility, ranks, input forms and errors."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from perfeval.conventions import GradeBands
from perfeval.errors import InputError
from perfeval.methods import sensitivity
from perfeval.methods.sensitivity import _ranks_min


def test_boundary_project_probability_matches_beta_distribution():
    """Two indicators, rates (1.0, 0.8): total = 100·(0.8 + 0.2·w̃₁), so the grade is 优 exactly when
    w̃₁ ≥ 0.5, and w̃₁ ~ Beta(c·w₁, c·w₂) under the Dirichlet perturbation. The Monte Carlo
    frequency must match the Beta tail within a few standard errors."""
    scores = pd.DataFrame({"产出": [1.0, 0.7], "效益": [0.8, 0.65]}, index=["边界项目", "稳定项目"])
    for w1, concentration in ((0.5, 50.0), (0.55, 100.0)):
        result = sensitivity(scores, [w1, 1 - w1], n_draws=20_000, concentration=concentration, seed=1)
        expected = stats.beta.sf(0.5, concentration * w1, concentration * (1 - w1))
        assert result.grade_probabilities.loc["边界项目", "优"] == pytest.approx(expected, abs=0.015)
        assert result.grade_probabilities.loc["边界项目", "良"] == pytest.approx(1 - expected, abs=0.015)
    base = result.summary.loc["边界项目"]
    assert base["base_total"] == pytest.approx(100 * (0.55 + 0.45 * 0.8))
    assert base["base_grade"] == "优"
    assert base["p_grade_change"] == pytest.approx(1 - result.grade_probabilities.loc["边界项目", "优"])
    steady = result.summary.loc["稳定项目"]
    assert steady["p_grade_change"] == 0.0 and steady["modal_grade"] == steady["base_grade"] == "中"


def test_same_seed_same_result_and_chunking_does_not_matter():
    rng = np.random.default_rng(5)
    scores = pd.DataFrame(rng.uniform(0.4, 1.0, size=(60, 8)))
    weights = rng.dirichlet(np.ones(8))
    first = sensitivity(scores, weights, n_draws=3000, seed=42)
    again = sensitivity(scores, weights, n_draws=3000, seed=42, chunk_size=256)
    pd.testing.assert_frame_equal(first.summary, again.summary)
    pd.testing.assert_frame_equal(first.grade_probabilities, again.grade_probabilities)
    other = sensitivity(scores, weights, n_draws=3000, seed=43)
    assert not first.summary[["total_p05", "total_p95"]].equals(other.summary[["total_p05", "total_p95"]])
    assert "float32" in first.conventions["chunking"] and first.conventions["seed"] == 42


def test_ranks_intervals_and_ties():
    scores = pd.DataFrame([[1.0, 1.0, 1.0], [0.9, 0.5, 0.7], [0.9, 0.5, 0.7], [0.2, 0.3, 0.1]],
                          index=["最好", "并列甲", "并列乙", "最差"])
    result = sensitivity(scores, [0.2, 0.3, 0.5], n_draws=2000, seed=0)
    ranks = result.rank_interval
    assert ranks.loc["最好"].tolist() == [1, 1, 1, 1, 1]
    assert ranks.loc["并列甲"].tolist() == ranks.loc["并列乙"].tolist() == [2, 2, 2, 2, 2]
    assert ranks.loc["最差"].tolist() == [4, 4, 4, 4, 4]
    assert result.summary["base_rank"].tolist() == [1, 2, 2, 4]
    totals = result.total_interval
    assert (totals["total_p05"] <= result.base_total + 1e-9).all()
    assert (totals["total_p95"] >= result.base_total - 1e-9).all()
    assert "等级变动概率" in result._repr_html_()


def test_rank_interval_moves_for_crossing_projects():
    scores = pd.DataFrame([[1.0, 0.0], [0.0, 1.0]], index=["甲", "乙"])
    result = sensitivity(scores, [0.5, 0.5], n_draws=4000, seed=3, concentration=20)
    assert result.rank_interval.loc["甲", "rank_min"] == 1 and result.rank_interval.loc["甲", "rank_max"] == 2
    assert result.rank_interval.loc["甲", "rank_median"] in (1, 2)


def test_points_input_equals_rates_and_zero_weights_stay_zero():
    points = pd.Series({"决策": 20.0, "过程": 30.0, "产出": 50.0})
    rates = pd.DataFrame([[0.9, 0.8, 0.95], [0.5, 1.0, 0.7]], columns=points.index, index=["A", "B"])
    by_rate = sensitivity(rates, points, n_draws=500, seed=9)
    by_points = sensitivity(rates * points, points, score_type="points", n_draws=500, seed=9)
    pd.testing.assert_frame_equal(by_rate.summary, by_points.summary)
    assert "已按比例归一化" in by_rate.conventions["weights"] and by_points.conventions["total"] == 100.0
    with_zero = sensitivity(pd.DataFrame([[0.9, 0.0], [0.9, 1.0]]), [1.0, 0.0], n_draws=300, seed=0)
    assert with_zero.summary["total_p05"].tolist() == pytest.approx([90.0, 90.0], abs=1e-4)
    assert with_zero.summary["p_grade_change"].tolist() == [0.0, 0.0]


def test_rounded_grading_basis():
    scores = pd.DataFrame({"x": [0.89996]})
    unrounded = sensitivity(scores, [1.0], n_draws=10, seed=0)
    rounded = sensitivity(scores, [1.0], n_draws=10, seed=0, bands=GradeBands(on="rounded"))
    assert unrounded.base_grade.iloc[0] == "良" and rounded.base_grade.iloc[0] == "优"
    assert "四舍五入" in rounded.conventions["grading_basis"]


def test_sensitivity_rejects_bad_input():
    with pytest.raises(InputError, match="得分率"):
        sensitivity(pd.DataFrame({"a": [0.5, 1.2]}, index=["p1", "p2"]), [1.0], n_draws=10)
    with pytest.raises(InputError, match="分值"):
        sensitivity(pd.DataFrame({"a": [25.0]}), {"a": 20.0}, score_type="points", n_draws=10)
    with pytest.raises(InputError, match="p2"):
        sensitivity(pd.DataFrame({"a": [0.5, np.nan]}, index=["p1", "p2"]), [1.0], n_draws=10)
    with pytest.raises(InputError, match="n_draws"):
        sensitivity(pd.DataFrame({"a": [0.5]}), [1.0], n_draws=0)
    with pytest.raises(InputError, match="concentration"):
        sensitivity(pd.DataFrame({"a": [0.5]}), [1.0], concentration=-1)
    with pytest.raises(InputError, match="score_type"):
        sensitivity(pd.DataFrame({"a": [0.5]}), [1.0], score_type="percent")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 5), min_size=6, max_size=6), min_size=1, max_size=12))
def test_ranks_min_matches_pandas(rows):
    """The vectorised tie-aware ranking equals pandas' rank(method="min", ascending=False)."""
    totals = np.asarray(rows, dtype=float)
    expected = pd.DataFrame(totals).rank(axis=1, method="min", ascending=False).to_numpy()
    np.testing.assert_array_equal(_ranks_min(totals), expected)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 6), st.integers(1, 8), st.data())
def test_probabilities_are_a_distribution(n_indicators, n_projects, data):
    rates = np.asarray(data.draw(st.lists(st.lists(st.floats(0, 1), min_size=n_indicators,
                                                   max_size=n_indicators),
                                          min_size=n_projects, max_size=n_projects)))
    weights = np.asarray(data.draw(st.lists(st.floats(0.05, 1), min_size=n_indicators,
                                            max_size=n_indicators)))
    result = sensitivity(rates, weights, n_draws=200, seed=0)
    np.testing.assert_allclose(result.grade_probabilities.sum(axis=1).to_numpy(), 1.0)
    assert (result.summary["rank_min"] <= result.summary["rank_median"]).all()
    assert (result.summary["rank_median"] <= result.summary["rank_max"]).all()
    assert ((result.p_grade_change >= 0) & (result.p_grade_change <= 1)).all()


def test_rank_histogram_and_stored_ranks_agree(monkeypatch):
    """Up to 2 048 projects ranks are counted in a histogram, beyond that stored per draw; both give
    the same intervals (inverted-CDF quantiles)."""
    import importlib
    module = importlib.import_module("perfeval.methods.sensitivity")  # the attribute is the function
    rng = np.random.default_rng(12)
    scores = pd.DataFrame(rng.uniform(0.3, 1.0, size=(40, 5)))
    scores.iloc[7] = scores.iloc[3]  # identical projects must tie in every draw
    weights = rng.dirichlet(np.ones(5))
    by_histogram = sensitivity(scores, weights, n_draws=777, seed=2, concentration=30)
    monkeypatch.setattr(module, "_HISTOGRAM_MAX_PROJECTS", 0)
    by_storage = sensitivity(scores, weights, n_draws=777, seed=2, concentration=30)
    pd.testing.assert_frame_equal(by_histogram.summary, by_storage.summary)
    assert "直方图" in by_histogram.conventions["chunking"] and "逐次保存" in by_storage.conventions["chunking"]
    assert by_histogram.rank_interval.iloc[7].tolist() == by_histogram.rank_interval.iloc[3].tolist()


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 60), st.integers(1, 6), st.data())
def test_rank_quantiles_from_counts_match_numpy(n_draws, n_projects, data):
    from perfeval.methods.sensitivity import RANK_QUANTILES, _rank_quantiles_from_counts
    ranks = np.asarray(data.draw(st.lists(st.lists(st.integers(1, n_projects), min_size=n_projects,
                                                   max_size=n_projects),
                                          min_size=n_draws, max_size=n_draws)))
    counts = np.zeros((n_projects, n_projects), dtype=np.int64)
    np.add.at(counts, (np.tile(np.arange(n_projects), n_draws), ranks.ravel() - 1), 1)
    expected = np.quantile(ranks, RANK_QUANTILES, axis=0, method="inverted_cdf")
    np.testing.assert_array_equal(_rank_quantiles_from_counts(counts, n_draws), expected)


def test_points_that_do_not_sum_to_100_are_graded_on_the_percentage():
    """Grade bands are on a 100-point scale: 27 of 30 points is 90 %, i.e. 优."""
    import pandas as pd

    from perfeval.methods import sensitivity

    res = sensitivity(pd.DataFrame({"a": [18.0], "b": [9.0]}), {"a": 20, "b": 10}, score_type="points",
                      n_draws=200, seed=1)
    assert res.summary["base_total"].iloc[0] == pytest.approx(27.0)
    assert res.summary["base_grade"].iloc[0] == "优"
