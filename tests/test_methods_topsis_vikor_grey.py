"""TOPSIS, VIKOR and grey relational analysis: published worked examples, pymcdm cross-checks,
degenerate data and properties."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from perfeval._matrix import RANK_RULE
from perfeval.errors import InputError
from perfeval.methods import grey_relational, topsis, vikor

# ---------------------------------------------------------------------------------------------
# TOPSIS
# ---------------------------------------------------------------------------------------------


def test_topsis_tzeng_huang_2011_example():
    """Tzeng, G.-H. & Huang, J.-J. (2011), *Multiple Attribute Decision Making: Methods and
    Applications*, CRC Press, TOPSIS worked example: 4 alternatives × 3 benefit criteria, weights
    (0.3, 0.4, 0.3), vector normalisation; printed closeness 0.5037, 0.6581, 0.7482, 0.3340
    (as also used in the scikit-criteria test suite, test_TOPSIS_tzeng2011multiple)."""
    matrix = [[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]]
    result = topsis(matrix, weights=[0.3, 0.4, 0.3])
    assert np.round(result.closeness.to_numpy(), 4).tolist() == [0.5037, 0.6581, 0.7482, 0.3340]
    assert result.ranks.tolist() == [3, 2, 1, 4]


def test_topsis_mcda_r_package_documented_ideal_points():
    """R package MCDA (Bigaret, Meyer et al.), `TOPSIS` help-page example (cars Corsa/Clio/Fiesta,
    weights 0.35/0.25/0.25/0.15, purchase price minimised): the documented positive and negative
    ideal solutions of the weighted vector-normalised matrix, printed to 9 decimals."""
    matrix = pd.DataFrame([[5490, 51.4, 8.5, 285], [6500, 70.6, 7, 288], [6489, 54.3, 7.5, 290]],
                          index=["Corsa", "Clio", "Fiesta"],
                          columns=["Purchase Price", "Economy", "Aesthetics", "Boot Capacity"])
    result = topsis(matrix, weights=[0.35, 0.25, 0.25, 0.15], types=["min", "max", "max", "max"])
    ideal = result.explain()["ideal_points"]
    np.testing.assert_allclose(ideal.iloc[0].to_numpy(),
                               [0.179573776, 0.171636015, 0.159499658, 0.087302767], atol=5e-10)
    np.testing.assert_allclose(ideal.iloc[1].to_numpy(),
                               [0.212610118, 0.124958799, 0.131352659, 0.085797547], atol=5e-10)
    assert list(result.closeness.index) == ["Corsa", "Clio", "Fiesta"]


@pytest.mark.parametrize("normalization", ["vector", "minmax"])
def test_topsis_matches_pymcdm(normalization):
    pymcdm = pytest.importorskip("pymcdm")
    from pymcdm import normalizations as pn
    rng = np.random.default_rng(7)
    x = rng.uniform(1, 100, size=(40, 6))
    w = rng.dirichlet(np.ones(6))
    types = np.array([1, -1, 1, 1, -1, 1])
    function = pn.vector_normalization if normalization == "vector" else pn.minmax_normalization
    reference = pymcdm.methods.TOPSIS(function)(x, w, types)
    ours = topsis(x, w, types.tolist(), normalization=normalization)
    np.testing.assert_allclose(ours.closeness.to_numpy(), reference, rtol=0, atol=1e-12)


def test_topsis_records_conventions_and_tables():
    result = topsis([[1, 2], [3, 1], [2, 2]], weights={0: 2, 1: 2})
    assert "已按比例归一化" in result.conventions["weights"]
    assert result.conventions["rank_rule"] == RANK_RULE
    tables = result.explain()
    assert list(tables) == ["normalized", "weighted", "ideal_points", "distances"]
    tables["weighted"].iloc[0, 0] = -99.0  # explain() returns copies
    assert result.explain()["weighted"].iloc[0, 0] != -99.0
    assert "贴近度" in result._repr_html_() and "排名" in result._repr_html_()


def test_topsis_ties_get_minimum_rank():
    result = topsis([[1, 1], [1, 1], [0, 0], [2, 2]])
    assert result.ranks.tolist() == [2, 2, 4, 1]


def test_topsis_degenerate_columns_and_single_alternative():
    with_zero = topsis([[0, 3], [0, 5], [0, 1]])
    without = topsis([[3], [5], [1]])
    np.testing.assert_allclose(with_zero.closeness.to_numpy(), without.closeness.to_numpy())
    constant = topsis([[7, 3], [7, 5], [7, 1]], normalization="minmax")
    np.testing.assert_allclose(constant.closeness.to_numpy(),
                               topsis([[3], [5], [1]], normalization="minmax").closeness.to_numpy())
    single = topsis([[4, 5, 6]])
    assert single.closeness.tolist() == [0.5] and single.ranks.tolist() == [1]
    assert "0.5" in single.conventions["degenerate"]
    assert np.isfinite(topsis([[2, 2], [2, 2]]).closeness).all()


def test_topsis_bad_input_names_the_cell():
    frame = pd.DataFrame({"a": [1.0, np.nan], "b": [2.0, 3.0]}, index=["p1", "p2"])
    with pytest.raises(InputError, match="p2"):
        topsis(frame)
    with pytest.raises(InputError, match="normalization|规范化"):
        topsis([[1, 2]], normalization="log")
    with pytest.raises(InputError):
        topsis([[1, 2], [3, 4]], weights=[1, 2, 3])


matrices = arrays(np.float64, st.tuples(st.integers(2, 7), st.integers(1, 5)),
                  elements=st.floats(0.5, 1000, allow_nan=False))


@settings(max_examples=30, deadline=None)
@given(matrices, st.floats(0.01, 1000), st.data())
def test_topsis_properties(x, factor, data):
    """Closeness in [0, 1]; invariant to scaling a column; permuting alternatives permutes results."""
    k = x.shape[1]
    w = np.asarray(data.draw(st.lists(st.floats(0.01, 1), min_size=k, max_size=k)))
    types = data.draw(st.lists(st.sampled_from(["max", "min"]), min_size=k, max_size=k))
    for normalization in ("vector", "minmax"):
        base = topsis(x, w, types, normalization).closeness.to_numpy()
        assert ((base >= 0) & (base <= 1)).all()
        scaled = x.copy()
        scaled[:, 0] *= factor
        np.testing.assert_allclose(topsis(scaled, w, types, normalization).closeness.to_numpy(),
                                   base, atol=1e-9)
        perm = np.random.default_rng(k).permutation(x.shape[0])
        np.testing.assert_allclose(topsis(x[perm], w, types, normalization).closeness.to_numpy(),
                                   base[perm], atol=1e-12)


# ---------------------------------------------------------------------------------------------
# VIKOR
# ---------------------------------------------------------------------------------------------

OT2007 = np.array([
    [4184.3, 2914.0, 407.2, 251.0, 195, 244, 15, 2.41],
    [5211.9, 3630.0, 501.7, 308.3, 282, 346, 21, 1.41],
    [5021.3, 3920.5, 504.0, 278.6, 12, 56, 3, 4.42],
    [5566.1, 3957.9, 559.5, 335.3, 167, 268, 16, 3.36],
    [5060.5, 3293.5, 514.1, 284.2, 69, 90, 7, 4.04],
    [4317.9, 2925.9, 432.8, 239.3, 12, 55, 3, 4.36],
])
OT2007_TYPES = ["max", "min", "max", "max", "min", "min", "min", "max"]


@pytest.mark.parametrize("weights, S, R, Q, ranks, compromise, advantage", [
    ([1] * 8, [0.692, 0.7, 0.29, 0.423, 0.28, 0.346], [0.125, 0.125, 0.121, 0.125, 0.067, 0.125],
     [0.991, 1.0, 0.473, 0.670, 0.0, 0.578], [5, 6, 2, 4, 1, 3], ["A5"], True),
    ([2, 2, 2, 2, 1, 1, 1, 1], [0.701, 0.6, 0.386, 0.365, 0.317, 0.459],
     [0.167, 0.114, 0.161, 0.167, 0.089, 0.167], [1.0, 0.533, 0.552, 0.563, 0.0, 0.686],
     [6, 2, 3, 4, 1, 5], ["A5"], True),
    ([1, 1, 1, 1, 2, 2, 2, 2], [0.683, 0.8, 0.193, 0.48, 0.243, 0.232],
     [0.113, 0.167, 0.08, 0.122, 0.044, 0.083], [0.684, 1.0, 0.147, 0.554, 0.041, 0.191],
     [5, 6, 2, 4, 1, 3], ["A5", "A3", "A6"], False),
    ([1, 1, 1, 1, 3.2, 3.2, 3.2, 3.2], [0.678, 0.857, 0.138, 0.513, 0.222, 0.167],
     [0.129, 0.190, 0.057, 0.139, 0.042, 0.060], [0.668, 1.0, 0.051, 0.588, 0.058, 0.078],
     [5, 6, 1, 4, 2, 3], ["A3", "A5", "A6"], False),
])
def test_vikor_opricovic_tzeng_2007(weights, S, R, Q, ranks, compromise, advantage):
    """Opricovic, S. & Tzeng, G.-H. (2007), "Extended VIKOR method in comparison with outranking
    methods", EJOR 178(2):514–529, numerical example (6 reservoir alternatives × 8 criteria) for
    four weight sets: S, R, Q printed to 3 decimals, ranking by Q and the compromise set.
    The weights do not sum to 1 and must be rescaled."""
    frame = pd.DataFrame(OT2007, index=[f"A{i}" for i in range(1, 7)])
    result = vikor(frame, weights, OT2007_TYPES)
    assert np.round(result.S.to_numpy(), 3).tolist() == pytest.approx(S, abs=1e-12)
    assert np.round(result.R.to_numpy(), 3).tolist() == pytest.approx(R, abs=1e-12)
    assert np.round(result.Q.to_numpy(), 3).tolist() == pytest.approx(Q, abs=1e-12)
    assert result.ranks.tolist() == ranks
    assert result.compromise == compromise
    assert result.acceptable_advantage is advantage and result.acceptable_stability is True
    assert result.dq == pytest.approx(0.2)
    assert "已按比例归一化" in result.conventions["weights"]


def test_vikor_opricovic_tzeng_2004_example():
    """Opricovic, S. & Tzeng, G.-H. (2004), "Compromise solution by MCDM methods: a comparative
    analysis of VIKOR and TOPSIS", EJOR 156(2):445–455, numerical example: f1 (minimised)
    = 1, 2, 5; f2 (maximised) = 3000, 3750, 4500; equal weights. S = (0.5, 0.375, 0.5),
    R = (0.5, 0.25, 0.5), Q = (1, 0, 1); A2 is the compromise solution."""
    result = vikor(pd.DataFrame([[1, 3000], [2, 3750], [5, 4500]], index=["A1", "A2", "A3"]),
                   [0.5, 0.5], ["min", "max"])
    assert result.S.tolist() == pytest.approx([0.5, 0.375, 0.5])
    assert result.R.tolist() == pytest.approx([0.5, 0.25, 0.5])
    assert result.Q.tolist() == pytest.approx([1.0, 0.0, 1.0])
    assert result.compromise == ["A2"] and result.ranks.tolist() == [2, 1, 2]


def test_vikor_matches_pymcdm():
    pymcdm = pytest.importorskip("pymcdm")
    rng = np.random.default_rng(11)
    x = rng.uniform(1, 50, size=(30, 5))
    w = rng.dirichlet(np.ones(5))
    types = np.array([1, -1, 1, -1, 1])
    for v in (0.2, 0.5, 0.9):
        reference = pymcdm.methods.VIKOR(v=v)(x, w, types)
        np.testing.assert_allclose(vikor(x, w, types.tolist(), v=v).Q.to_numpy(), reference, atol=1e-12)


def test_vikor_compromise_when_only_stability_fails():
    """C1 holds but the best by Q is best by neither S nor R → {a′, a″} (Opricovic & Tzeng 2004)."""
    x = np.array([[1.0, 101, 1, 101, 1], [101, 1, 101, 1, 101], [1, 1, 1, 1, 101],
                  [11, 11, 11, 16, 61], [56, 56, 56, 56, 56]])
    result = vikor(pd.DataFrame(x, index=list("ABCDE")), None, ["min"] * 5)
    assert result.acceptable_advantage and not result.acceptable_stability
    assert result.compromise == ["D", "E"]


def test_vikor_degenerate_and_invalid():
    single = vikor([[3, 4, 5]])
    assert single.Q.tolist() == [0.0] and single.compromise == [0]
    constant = vikor([[1, 5], [1, 3], [1, 4]])
    assert np.isfinite(constant.Q).all() and constant.compromise[0] == 0
    identical = vikor([[2, 2], [2, 2]])
    assert identical.Q.tolist() == [0.0, 0.0] and identical.ranks.tolist() == [1, 1]
    with pytest.raises(InputError, match="v"):
        vikor([[1, 2], [2, 1]], v=1.5)
    assert "折衷值 Q" in constant._repr_html_()


# ---------------------------------------------------------------------------------------------
# Grey relational analysis
# ---------------------------------------------------------------------------------------------

SUPPLIERS = np.array([
    [0.83, 0.90, 0.99, 0.92, 0.87, 0.95],
    [326, 295, 340, 287, 310, 303],
    [21, 38, 25, 19, 27, 10],
    [3.2, 2.4, 2.2, 2.0, 0.9, 1.7],
    [0.20, 0.25, 0.12, 0.33, 0.20, 0.09],
    [0.15, 0.20, 0.14, 0.09, 0.15, 0.17],
    [250, 180, 300, 200, 150, 175],
    [0.23, 0.15, 0.27, 0.30, 0.18, 0.26],
    [0.87, 0.95, 0.99, 0.89, 0.82, 0.94],
]).T
SUPPLIER_TYPES = ["max", "min", "min", "min", "max", "max", "max", "max", "max"]


def test_grey_relational_si_shoukui_supplier_example():
    """司守奎、孙玺菁《数学建模算法与应用》(国防工业出版社), 第14章 灰色关联分析例 (6 suppliers ×
    9 indicators, program ex14_5.m; 价格、地理位置、售后服务 are cost-type; min–max
    normalisation, reference = column best, ρ = 0.5, equal weights). Relational grades as printed
    (6 dp) in the public reproduction xyfJASON/mathematical-modeling-python, "灰色关联分析法":
    0.462992, 0.555994, 0.649074, 0.652723, 0.493562, 0.613015 → order 4, 3, 6, 2, 5, 1."""
    result = grey_relational(SUPPLIERS, types=SUPPLIER_TYPES, rho=0.5)
    assert np.round(result.grade.to_numpy(), 6).tolist() == [0.462992, 0.555994, 0.649074,
                                                             0.652723, 0.493562, 0.613015]
    assert result.ranks.tolist() == [6, 4, 2, 1, 5, 3]
    # printed coefficient of supplier 1 on indicator 2 (产品价格): 0.40458015
    assert result.coefficients.iloc[0, 1] == pytest.approx(0.40458015, abs=5e-9)
    assert "关联度" in result._repr_html_()


def test_grey_relational_weights_rho_and_reference():
    equal = grey_relational(SUPPLIERS, types=SUPPLIER_TYPES)
    weighted = grey_relational(SUPPLIERS, weights=[2] + [1] * 8, types=SUPPLIER_TYPES)
    expected = equal.coefficients.to_numpy() @ (np.array([2] + [1] * 8) / 10)
    np.testing.assert_allclose(weighted.grade.to_numpy(), expected)
    assert "已按比例归一化" in weighted.conventions["weights"]
    sharper = grey_relational(SUPPLIERS, types=SUPPLIER_TYPES, rho=0.2)
    assert sharper.grade.std() > equal.grade.std()
    best = SUPPLIERS.max(axis=0)
    best[1:4] = SUPPLIERS[:, 1:4].min(axis=0)
    explicit = grey_relational(SUPPLIERS, types=SUPPLIER_TYPES, reference=best)
    np.testing.assert_allclose(explicit.grade.to_numpy(), equal.grade.to_numpy())
    with pytest.raises(InputError, match="参考序列"):
        grey_relational(SUPPLIERS, reference=[1, 2, 3])


def test_grey_relational_degenerate_and_invalid():
    single = grey_relational([[1, 2, 3]])
    assert single.grade.tolist() == [1.0]
    constant = grey_relational([[5, 1], [5, 3], [5, 2]])
    assert constant.coefficients.iloc[:, 0].tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(InputError, match="ρ|rho"):
        grey_relational([[1, 2], [2, 1]], rho=0)
    with pytest.raises(InputError, match="列均值"):
        grey_relational([[1, 0], [2, 0]], normalization="mean")
    mean = grey_relational([[1, 4], [2, 2], [3, 1]], types=["max", "min"], normalization="mean")
    # hand computation: Δ = |x/mean − reference/mean|, Δmin = 0, Δmax = 9/7
    np.testing.assert_allclose(mean.grade.to_numpy(), [0.3623188, 0.58125, 1.0], atol=1e-7)


@settings(max_examples=50, deadline=None)
@given(matrices, st.floats(0.05, 1.0))
def test_grey_relational_properties(x, rho):
    """Grades lie in (0, 1], the ideal alternative scores 1, and permuting rows permutes grades."""
    result = grey_relational(x, rho=rho)
    grades = result.grade.to_numpy()
    assert ((grades > 0) & (grades <= 1 + 1e-12)).all()
    dominant = np.vstack([x, x.max(axis=0)])
    assert grey_relational(dominant, rho=rho).grade.iloc[-1] == pytest.approx(1.0)
    perm = np.random.default_rng(x.shape[0]).permutation(x.shape[0])
    np.testing.assert_allclose(grey_relational(x[perm], rho=rho).grade.to_numpy(), grades[perm], atol=1e-12)


def test_weights_result_objects_are_accepted():
    """Any object with a `.weights` Series (e.g. a perfeval.weights result) can be passed as weights."""
    from types import SimpleNamespace
    frame = pd.DataFrame([[1.0, 9.0], [4.0, 3.0], [2.0, 5.0]], columns=["成本", "效益"])
    given = SimpleNamespace(weights=pd.Series({"效益": 0.75, "成本": 0.25}))
    by_object = topsis(frame, given, ["min", "max"])
    by_list = topsis(frame, [0.25, 0.75], ["min", "max"])
    np.testing.assert_allclose(by_object.closeness.to_numpy(), by_list.closeness.to_numpy())
    assert by_object.weights.to_dict() == {"成本": 0.25, "效益": 0.75}
    assert vikor(frame, given, ["min", "max"]).weights.to_dict() == {"成本": 0.25, "效益": 0.75}


@settings(max_examples=50, deadline=None)
@given(matrices, st.floats(0.0, 1.0))
def test_vikor_properties(x, v):
    """Q lies in [0, 1], the compromise set is never empty, and permuting rows permutes S, R, Q."""
    result = vikor(x, v=v)
    q = result.Q.to_numpy()
    assert ((q >= -1e-12) & (q <= 1 + 1e-12)).all() and len(result.compromise) >= 1
    perm = np.random.default_rng(x.shape[0]).permutation(x.shape[0])
    permuted = vikor(x[perm], v=v)
    np.testing.assert_allclose(permuted.S.to_numpy(), result.S.to_numpy()[perm], atol=1e-12)
    np.testing.assert_allclose(permuted.Q.to_numpy(), q[perm], atol=1e-12)
