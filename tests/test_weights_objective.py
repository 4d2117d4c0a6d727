"""Tests of perfeval.weights.objective: entropy, CRITIC and standard-deviation weights."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from perfeval.errors import InputError
from perfeval.weights import critic, entropy, stdev

# ----------------------------------------------------------------------------------------------
# Published examples
# ----------------------------------------------------------------------------------------------


def test_entropy_xu_2004():
    """Xu, X. (2004). A note on the subjective and objective integrated approach to determine
    attribute weights. European Journal of Operational Research 156(2), 530–532: entropy weights
    of the raw proportions 0.4630, 0.3992, 0.1378, 0.0000 (values as printed there and transcribed
    in the crispyn / pyrepo-mcda test suites)."""
    x = [[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]]
    r = entropy(x, standardize="none")
    assert r.weights.round(4).tolist() == [0.4630, 0.3992, 0.1378, 0.0000]


def test_entropy_zavadskas_podvezko_2016():
    """Zavadskas, E. K. & Podvezko, V. (2016). Integrated determination of objective criteria
    weights in MCDM. Int. J. Information Technology & Decision Making 15(2), 267–283: entropy
    weights 0.1146, 0.1981, 0.4185, 0.2689 (raw proportions; the criterion directions do not
    enter the entropy). Printed values as transcribed in the crispyn test suite."""
    x = [[3.0, 100, 10, 7], [2.5, 80, 8, 5], [1.8, 50, 20, 11], [2.2, 70, 12, 9]]
    r = entropy(x, types=["min", "max", "min", "max"], standardize="none")
    assert r.weights.round(4).tolist() == [0.1146, 0.1981, 0.4185, 0.2689]
    assert any("方向不参与" in n for n in r.conventions["notes"])


def test_entropy_lee_chang_2018():
    """Lee, H. C. & Chang, C. T. (2018). Comparative analysis of MCDM methods for ranking renewable
    energy sources in Taiwan. Renewable and Sustainable Energy Reviews 92, 883–896: entropy weights
    0.026 0.154 0.089 0.199 0.115 0.040 0.080 0.123 0.172 0.002 (raw proportions; as transcribed
    in the crispyn test suite)."""
    x = [[4550, 30, 6.74, 20, 15, 5, 85, 150, 0.87, 4.76],
         [3005, 60.86, 2.4, 35, 27, 4, 26, 200, 0.17, 4.51],
         [2040, 14.85, 1.7, 90, 25, 5, 26, 500, 0.27, 4.19],
         [3370, 99.4, 3.25, 25.3, 54, 3, 45, 222, 0.21, 3.78],
         [3920, 112.6, 4.93, 11.4, 71.7, 2, 50, 100, 0.25, 4.11]]
    r = entropy(x, standardize="none")
    assert r.weights.round(3).tolist() == [0.026, 0.154, 0.089, 0.199, 0.115, 0.040, 0.080,
                                           0.123, 0.172, 0.002]


def test_critic_tus_aytac_adali_2019():
    """Tuş, A. & Aytaç Adalı, E. (2019). The new combination with CRITIC and WASPAS methods for the
    time and attendance software selection problem. OPSEARCH 56(2), 528–538: CRITIC weights
    0.157 0.249 0.168 0.121 0.154 0.151 (as transcribed in the crispyn test suite; reproduced
    with every criterion min–max normalised as a benefit criterion)."""
    x = [[5000, 3, 3, 4, 3, 2], [680, 5, 3, 2, 2, 1], [2000, 3, 2, 3, 4, 3],
         [600, 4, 3, 1, 2, 2], [800, 2, 4, 3, 3, 4]]
    r = critic(x)
    assert r.weights.round(3).tolist() == [0.157, 0.249, 0.168, 0.121, 0.154, 0.151]


def test_stdev_salabun_2020():
    """Sałabun, W., Wątróbski, J. & Shekhovtsov, A. (2020). Are MCDA methods benchmarkable?
    Symmetry 12(9), 1549: standard-deviation weights 0.217 0.294 0.488 of the raw matrix (as
    transcribed in the crispyn test suite)."""
    x = [[0.619, 0.449, 0.447], [0.862, 0.466, 0.006], [0.458, 0.698, 0.771],
         [0.777, 0.631, 0.491], [0.567, 0.992, 0.968]]
    assert stdev(x, standardize="none").weights.round(3).tolist() == [0.217, 0.294, 0.488]


# ----------------------------------------------------------------------------------------------
# Formulas on small hand-checked cases
# ----------------------------------------------------------------------------------------------

def test_entropy_minmax_by_hand():
    x = pd.DataFrame({"完成率": [0.9, 0.8, 1.0], "成本": [100, 120, 80], "满意度": [90, 95, 85]},
                     index=["P1", "P2", "P3"])
    r = entropy(x, types=["max", "min", "max"])
    z = np.array([[0.5, 0.5, 0.5], [0.0, 0.0, 1.0], [1.0, 1.0, 0.0]])
    p = z / z.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0.0)
    e = -plogp.sum(axis=0) / np.log(3)
    expected = (1 - e) / (1 - e).sum()
    assert r.weights.to_numpy() == pytest.approx(expected)
    assert list(r.weights.index) == ["完成率", "成本", "满意度"]
    assert r.explain()["标准化矩阵"].to_numpy() == pytest.approx(z)
    assert r.entropy.to_numpy() == pytest.approx(e)
    assert r.conventions["types"] == {"完成率": "max", "成本": "min", "满意度": "max"}
    assert r.conventions["log_zero_rule"] == "0·ln 0 = 0"


def test_entropy_floor_and_max_standardization():
    x = np.array([[1.0, 4.0], [2.0, 2.0], [4.0, 1.0]])
    shifted = entropy(x, floor=0.002)
    z = np.array([[0.0, 1.0], [1 / 3, 1 / 3], [1.0, 0.0]]) * 0.998 + 0.002
    assert shifted.explain()["标准化矩阵"].to_numpy() == pytest.approx(z)
    assert shifted.conventions["floor"] == 0.002
    by_max = entropy(x, types=["max", "min"], standardize="max")
    assert by_max.explain()["标准化矩阵"].to_numpy() == pytest.approx(
        np.array([[0.25, 0.0], [0.5, 0.5], [1.0, 0.75]]))
    with pytest.raises(InputError, match="standardize"):
        entropy(x, standardize="zscore")
    with pytest.raises(InputError):
        entropy(x, floor=1.0)


def test_critic_by_hand_and_abs_variant():
    x = np.array([[1.0, 3.0, 2.0], [2.0, 1.0, 2.5], [4.0, 2.0, 1.0], [3.0, 5.0, 4.0]])
    z = (x - x.min(0)) / (x.max(0) - x.min(0))
    s = z.std(axis=0, ddof=1)
    r = np.corrcoef(z.T)
    signed = critic(x)
    c = s * (1 - r).sum(axis=0)
    assert signed.weights.to_numpy() == pytest.approx(c / c.sum())
    assert signed.correlation.to_numpy() == pytest.approx(r)
    assert signed.information.to_numpy() == pytest.approx(c)
    absolute = critic(x, correlation="abs")
    c_abs = s * (1 - np.abs(r)).sum(axis=0)
    assert absolute.weights.to_numpy() == pytest.approx(c_abs / c_abs.sum())
    assert absolute.conventions["correlation"] == "1 − |r|"
    flipped = critic(x, types=["min", "max", "max"])
    assert flipped.correlation.iloc[0, 1] == pytest.approx(-r[0, 1])
    with pytest.raises(InputError):
        critic(x, correlation="spearman")


def test_stdev_minmax_default():
    x = np.array([[1.0, 10.0], [2.0, 30.0], [4.0, 20.0]])
    z = (x - x.min(0)) / (x.max(0) - x.min(0))
    s = z.std(axis=0, ddof=1)
    assert stdev(x).weights.to_numpy() == pytest.approx(s / s.sum())


# ----------------------------------------------------------------------------------------------
# Degenerate data
# ----------------------------------------------------------------------------------------------

def test_constant_column_gets_zero_weight():
    x = pd.DataFrame({"a": [1.0, 2.0, 4.0], "常数": [5.0, 5.0, 5.0], "c": [3.0, 1.0, 2.0]})
    for result in (entropy(x), entropy(x, standardize="none"), critic(x), stdev(x)):
        assert result.weights["常数"] == 0.0
        assert result.weights.sum() == pytest.approx(1.0)
    r = entropy(x)
    assert r.divergence["常数"] == 0.0 and "常数" in r.conventions["no_information_columns"]
    assert any("常数列" in n for n in r.conventions["notes"])
    c = critic(x)
    assert c.sigma["常数"] == 0.0 and c.information["常数"] == 0.0
    assert c.correlation.loc["常数", "a"] == 0.0 and c.correlation.loc["常数", "常数"] == 1.0


def test_all_columns_constant_gives_equal_weights_and_says_so():
    x = np.array([[2.0, 7.0, 0.0], [2.0, 7.0, 0.0]])
    for result in (entropy(x), entropy(x, standardize="none"), critic(x), stdev(x)):
        assert result.weights.tolist() == pytest.approx([1 / 3] * 3)
        assert any("等权" in n for n in result.conventions["notes"])


def test_single_alternative_gives_equal_weights_with_note():
    for result in (entropy([[1, 2, 3]]), critic([[1, 2, 3]]), stdev([[1, 2, 3]])):
        assert result.weights.tolist() == pytest.approx([1 / 3] * 3)
        assert any("单个评价对象" in n for n in result.conventions["notes"])


def test_zeros_and_all_zero_column_under_raw_proportions():
    x = pd.DataFrame({"a": [0.0, 3.0, 1.0], "全零": [0.0, 0.0, 0.0], "b": [2.0, 2.0, 0.0]})
    r = entropy(x, standardize="none")  # would raise under filterwarnings=error on any 0·ln 0 warning
    assert r.weights["全零"] == 0.0
    assert np.isfinite(r.weights.to_numpy()).all() and r.weights.sum() == pytest.approx(1.0)
    assert np.isfinite(r.entropy.to_numpy()).all()


def test_negative_values():
    x = pd.DataFrame({"增长率": [-0.2, 0.1, 0.3], "得分": [60.0, 80.0, 90.0]}, index=["甲", "乙", "丙"])
    assert entropy(x).weights.sum() == pytest.approx(1.0)
    for how in ("none", "max"):
        with pytest.raises(InputError, match="负值") as exc:
            entropy(x, standardize=how)
        assert "'甲'" in str(exc.value) and "'增长率'" in str(exc.value)


def test_missing_value_names_the_cell():
    x = pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": [1.0, 2.0, 3.0]}, index=["P1", "P2", "P3"])
    for fn in (entropy, critic, stdev):
        with pytest.raises(InputError, match="缺失") as exc:
            fn(x)
        assert "'P2'" in str(exc.value) and "'a'" in str(exc.value)
    with pytest.raises(InputError):
        entropy([[1, "n/a"], [2, 3]])


def test_types_validation():
    with pytest.raises(InputError):
        entropy(np.ones((3, 2)) + np.eye(3, 2), types=["max"])
    with pytest.raises(InputError):
        critic(np.ones((3, 2)) + np.eye(3, 2), types=["max", "upward"])


def test_repr_html_and_explain():
    r = critic(pd.DataFrame({"甲": [1.0, 2.0, 3.0], "乙": [3.0, 1.0, 2.0]}))
    html = r._repr_html_()
    assert "指标" in html and "权重" in html and "CRITIC" in html
    assert set(r.explain()) == {"标准化矩阵", "相关系数矩阵", "信息量与权重"}
    assert set(entropy([[1, 2], [2, 1], [3, 3]]).explain()) == {"标准化矩阵", "比重矩阵", "熵值与权重"}


# ----------------------------------------------------------------------------------------------
# Properties
# ----------------------------------------------------------------------------------------------

matrices = arrays(np.float64, st.tuples(st.integers(2, 12), st.integers(2, 6)),
                  elements=st.floats(min_value=0.0, max_value=1000.0, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(x=matrices, seed=st.integers(0, 10_000))
def test_weights_nonnegative_sum_one_and_permutation_behaviour(x, seed):
    rng = np.random.default_rng(seed)
    rows = rng.permutation(x.shape[0])
    cols = rng.permutation(x.shape[1])
    for fn in (entropy, critic, stdev, lambda m: entropy(m, standardize="none")):
        w = fn(x).weights.to_numpy()
        assert np.isfinite(w).all() and (w >= 0).all()
        assert w.sum() == pytest.approx(1.0)
        assert fn(x[rows]).weights.to_numpy() == pytest.approx(w, abs=1e-9)
        assert fn(x[:, cols]).weights.to_numpy() == pytest.approx(w[cols], abs=1e-9)


# data on a 0.1 grid, as indicator values are recorded: no column is constant only up to rounding
grid_matrices = arrays(np.float64, st.tuples(st.integers(2, 12), st.integers(2, 6)),
                       elements=st.integers(0, 10_000).map(lambda v: v / 10))


@settings(max_examples=40, deadline=None)
@given(x=grid_matrices, scale=st.floats(min_value=0.01, max_value=100.0), shift=st.floats(-50, 50))
def test_minmax_methods_invariant_to_affine_column_change(x, scale, shift):
    y = x.copy()
    y[:, 0] = y[:, 0] * scale + shift
    for fn in (entropy, critic, stdev):
        assert fn(y).weights.to_numpy() == pytest.approx(fn(x).weights.to_numpy(), abs=1e-6)


def test_critic_of_perfectly_correlated_columns_does_not_depend_on_the_row_order():
    """Found by the property test above: one non-zero row makes every pair of columns perfectly
    correlated; r = 1 up to rounding noise must give the same weights in any row order."""
    x = np.zeros((10, 3))
    x[3] = [249.0, 449.875, 1.0]
    rows = np.random.default_rng(1).permutation(10)
    here, there = critic(x).weights.to_numpy(), critic(x[rows]).weights.to_numpy()
    assert here == pytest.approx(there, abs=1e-9)
    assert here == pytest.approx([1 / 3] * 3)
