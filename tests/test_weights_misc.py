"""Tests of perfeval.weights.combine (combine, to_points) and perfeval.weights.delphi."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval.errors import InputError
from perfeval.weights import ahp, combine, delphi, entropy, to_points

LABELS = ["决策", "过程", "产出", "效益"]
SUBJECTIVE = pd.Series([0.108, 0.187, 0.293, 0.412], index=LABELS)  # domain.md §1.2 [S33] AHP shares
OBJECTIVE = pd.Series([0.30, 0.20, 0.25, 0.25], index=LABELS)

# ----------------------------------------------------------------------------------------------
# combine
# ----------------------------------------------------------------------------------------------


def test_linear_combination():
    r = combine([SUBJECTIVE, OBJECTIVE])
    assert r.weights.to_numpy() == pytest.approx(0.5 * SUBJECTIVE.to_numpy() + 0.5 * OBJECTIVE.to_numpy())
    assert r.coefficients.tolist() == [0.5, 0.5]
    r7 = combine({"AHP": SUBJECTIVE, "熵权": OBJECTIVE}, alpha=0.7)
    assert r7.weights.to_numpy() == pytest.approx(0.7 * SUBJECTIVE.to_numpy() + 0.3 * OBJECTIVE.to_numpy())
    assert r7.coefficients.to_dict() == pytest.approx({"AHP": 0.7, "熵权": 0.3})
    three = combine([SUBJECTIVE, OBJECTIVE, OBJECTIVE], alpha=[2, 1, 1])
    assert three.coefficients.tolist() == [0.5, 0.25, 0.25]
    assert three.conventions["coefficients_rescaled"]
    assert list(r.weights.index) == LABELS


def test_linear_accepts_results_and_reorders_labels():
    a = ahp([[1, 2], ["1/2", 1]], labels=["x", "y"])
    other = pd.Series({"y": 0.5, "x": 0.5})
    r = combine([a, other], alpha=0.5)
    assert r.weights.to_dict() == pytest.approx({"x": (2 / 3 + 0.5) / 2, "y": (1 / 3 + 0.5) / 2})


def test_unnormalised_inputs_are_rescaled_and_reported():
    r = combine([SUBJECTIVE * 100, OBJECTIVE])
    assert r.weights.sum() == pytest.approx(1.0)
    assert r.conventions["rescaled_inputs"] == {"权重1": True, "权重2": False}
    assert any("归一化" in n for n in r.conventions["notes"])


def test_multiplicative_combination():
    r = combine([SUBJECTIVE, OBJECTIVE], method="multiplicative")
    prod = SUBJECTIVE.to_numpy() * OBJECTIVE.to_numpy()
    assert r.weights.to_numpy() == pytest.approx(prod / prod.sum())
    assert r.coefficients is None


def test_game_theory_combination_solves_the_optimality_condition():
    """Game-theory combination (博弈论组合赋权, domain.md §8.5): the raw coefficients solve
    Σ_k α_k w_l·w_k = w_l·w_l for every l; no published worked example with printed numbers was
    found, so the defining system is checked directly."""
    r = combine({"AHP": SUBJECTIVE, "熵权": OBJECTIVE}, method="game")
    W = np.vstack([SUBJECTIVE.to_numpy(), OBJECTIVE.to_numpy()])
    raw = np.array(list(r.conventions["raw_coefficients"].values()))
    G = W @ W.T
    assert G @ raw == pytest.approx(np.diag(G))
    assert r.coefficients.sum() == pytest.approx(1.0)
    assert r.coefficients.to_numpy() == pytest.approx(np.abs(raw) / np.abs(raw).sum())
    assert r.weights.to_numpy() == pytest.approx(r.coefficients.to_numpy() @ W)
    assert "Gram矩阵" in r.explain()


def test_game_theory_of_identical_vectors_returns_that_vector():
    r = combine([SUBJECTIVE, SUBJECTIVE], method="game")
    assert r.weights.to_numpy() == pytest.approx(SUBJECTIVE.to_numpy() / SUBJECTIVE.sum())


def test_combine_errors():
    with pytest.raises(InputError, match="至少"):
        combine([SUBJECTIVE])
    with pytest.raises(InputError, match="不一致"):
        combine([SUBJECTIVE, pd.Series([0.5, 0.5], index=["决策", "其他"])])
    with pytest.raises(InputError):
        combine([SUBJECTIVE, OBJECTIVE], method="game", alpha=0.5)
    with pytest.raises(InputError):
        combine([SUBJECTIVE, OBJECTIVE], alpha=1.5)
    with pytest.raises(InputError):
        combine([SUBJECTIVE, OBJECTIVE], method="average")
    with pytest.raises(InputError):
        combine([SUBJECTIVE, -OBJECTIVE])


@settings(max_examples=50, deadline=None)
@given(raw=st.lists(st.lists(st.floats(0.01, 10.0), min_size=4, max_size=4), min_size=2, max_size=4),
       method=st.sampled_from(["linear", "multiplicative", "game"]))
def test_combined_weights_are_valid(raw, method):
    r = combine([np.asarray(v) for v in raw], method=method)
    w = r.weights.to_numpy()
    assert (w >= 0).all() and w.sum() == pytest.approx(1.0)
    if method == "linear":
        lo = np.min([np.asarray(v) / np.sum(v) for v in raw], axis=0)
        hi = np.max([np.asarray(v) / np.sum(v) for v in raw], axis=0)
        assert ((w >= lo - 1e-12) & (w <= hi + 1e-12)).all()


# ----------------------------------------------------------------------------------------------
# to_points
# ----------------------------------------------------------------------------------------------

def test_to_points_largest_remainder():
    r = to_points(SUBJECTIVE)
    assert r.points.tolist() == [11, 19, 29, 41]
    assert r.points.sum() == 100 and r.points.dtype == np.int64
    one_dp = to_points(pd.Series([1, 1, 1], index=list("abc")), total=10, decimals=1)
    assert one_dp.points.tolist() == [3.4, 3.3, 3.3]
    assert one_dp.points.sum() == pytest.approx(10.0)
    assert one_dp.conventions["weights_rescaled"]


def test_to_points_tie_rule():
    thirds = to_points([1, 1, 1])
    assert thirds.points.tolist() == [34, 33, 33]  # equal remainders and weights: first listed
    ties = to_points(pd.Series([0.15, 0.25, 0.60], index=["甲", "乙", "丙"]), total=10)
    assert ties.points.to_dict() == {"甲": 1, "乙": 3, "丙": 6}  # equal remainders: larger weight
    assert "权重较大者" in ties.conventions["tie_rule"]
    table = ties.explain()["分值分配"]
    assert table["补足"].tolist() == [0.0, 1.0, 0.0]


def test_to_points_exact_shares_need_no_rounding():
    r = to_points({"产出": 0.5, "效益": 0.3, "满意度": 0.1, "预算执行率": 0.1})
    assert r.points.to_dict() == {"产出": 50, "效益": 30, "满意度": 10, "预算执行率": 10}
    html = r._repr_html_()
    assert "分值" in html and "权重" in html


def test_to_points_errors():
    with pytest.raises(InputError):
        to_points([0.5, 0.5], total=10.5)
    with pytest.raises(InputError):
        to_points([0.5, 0.5], decimals=3)
    with pytest.raises(InputError):
        to_points([0.5, -0.5])
    with pytest.raises(InputError):
        to_points([0.0, 0.0])


@settings(max_examples=80, deadline=None)
@given(raw=st.lists(st.floats(0.0, 100.0), min_size=1, max_size=30).filter(lambda v: sum(v) > 1e-6),
       total=st.sampled_from([10, 20, 100, 1000]), decimals=st.sampled_from([0, 1]))
def test_points_sum_exactly_and_stay_within_one_unit(raw, total, decimals):
    r = to_points(raw, total=total, decimals=decimals)
    unit = 10.0 ** -decimals
    units = np.round(r.points.to_numpy(dtype=float) / unit).astype(int)
    assert units.sum() == total * 10 ** decimals
    exact = np.asarray(raw) / np.sum(raw) * total
    assert (np.abs(r.points.to_numpy(dtype=float) - exact) < unit + 1e-9).all()
    assert (r.points.to_numpy(dtype=float) >= 0).all()


# ----------------------------------------------------------------------------------------------
# delphi
# ----------------------------------------------------------------------------------------------

# Siegel (1956), Nonparametric Statistics for the Behavioral Sciences, ch. 9, coefficient of
# concordance: three executives rank six job applicants.
SIEGEL_RANKS = pd.DataFrame([[1, 6, 3, 2, 5, 4], [1, 5, 6, 4, 2, 3], [6, 3, 2, 5, 4, 1]],
                            index=["X", "Y", "Z"], columns=list("abcdef"))


def test_delphi_kendall_w_siegel_example():
    """Siegel, S. (1956). Nonparametric Statistics for the Behavioral Sciences, ch. 9 (Kendall
    coefficient of concordance W): three executives rank six applicants; rank sums 8, 14, 11,
    11, 11, 8, s = 25.5, W = 0.16. Ranks are turned into scores (7 − rank, so rank 1 scores
    highest); W does not change."""
    scores = 7 - SIEGEL_RANKS
    d = delphi(scores)
    row = d.rounds.iloc[0]
    assert round(row["W"], 2) == 0.16
    assert row["W"] == pytest.approx(12 * 25.5 / (3 ** 2 * (6 ** 3 - 6)))
    assert row["χ²"] == pytest.approx(3 * 5 * row["W"])
    assert row["自由度"] == 5


def test_delphi_statistics_and_weights():
    r1 = pd.DataFrame({"A": [5, 4, 3], "B": [3, 3, 3], "C": [1, 2, 4]}, index=["e1", "e2", "e3"])
    r2 = pd.DataFrame({"A": [5, 5, 4], "B": [3, 3, 3], "C": [2, 2, 3]}, index=["e1", "e2", "e3"])
    d = delphi({"第一轮": r1, "第二轮": r2}, cv_threshold=0.25)
    first = d.indicators[d.indicators["轮次"] == "第一轮"].set_index("指标")
    assert first.loc["A", "均值"] == pytest.approx(4.0)
    assert first.loc["A", "标准差"] == pytest.approx(1.0)
    assert first.loc["A", "变异系数 CV"] == pytest.approx(0.25)
    assert not first.loc["A", "达成共识"]  # CV < 0.25 is required
    assert first.loc["B", "变异系数 CV"] == 0.0 and first.loc["B", "达成共识"]
    assert d.rounds["轮次"].tolist() == ["第一轮", "第二轮"]
    means = np.array([14 / 3, 3.0, 7 / 3])
    assert d.weights.to_numpy() == pytest.approx(means / means.sum())
    assert d.weights.index.tolist() == ["A", "B", "C"]
    assert d.conventions["consensus_rule"].startswith("CV < 0.25")
    assert "德尔菲法" in d._repr_html_()


def test_delphi_authority_coefficient():
    scores = 7 - SIEGEL_RANKS
    ratings = pd.DataFrame({"判断依据": [0.9, 0.8, 0.6], "熟悉程度": [0.7, 0.8, 0.3]}, index=["X", "Y", "Z"])
    d = delphi(scores, self_ratings=ratings)
    assert d.authority["Cr"].tolist() == pytest.approx([0.8, 0.8, 0.45])
    assert any("低于 0.7" in n for n in d.conventions["notes"])
    assert not delphi(scores, self_ratings=ratings, authority_threshold=0.6).conventions["notes"]
    with pytest.raises(InputError, match="Ca"):
        delphi(scores, self_ratings=pd.DataFrame({"x": [1, 1, 1]}, index=["X", "Y", "Z"]))


def test_delphi_errors():
    r1 = pd.DataFrame({"A": [5, 4], "B": [3, 2]}, index=["e1", "e2"])
    with pytest.raises(InputError, match="不一致"):
        delphi([r1, r1.rename(columns={"B": "C"})])
    with pytest.raises(InputError) as exc:
        delphi(pd.DataFrame({"A": [5, None], "B": [3, 2]}, index=["e1", "e2"]))
    assert "'e2'" in str(exc.value)
    with pytest.raises(InputError, match="Kendall"):
        delphi(pd.DataFrame({"A": [5], "B": [3]}, index=["e1"]))
    with pytest.raises(InputError):
        delphi(pd.DataFrame({"A": [5, -1], "B": [3, 2]}))


def test_weights_results_show_chinese_table():
    r = entropy([[1, 2], [2, 1], [3, 5]])
    frame = r.to_frame()
    assert list(frame.columns) == ["指标", "权重"]
    assert frame["权重"].sum() == pytest.approx(1.0, abs=1e-3)
