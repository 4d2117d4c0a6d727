"""Tests of perfeval.weights.ahp: RI tables, single matrices, group AHP and hierarchies."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval.errors import InputError
from perfeval.weights import RI_TABLES, ahp, ahp_hierarchy, group_ahp, parse_pairwise, random_index

# ----------------------------------------------------------------------------------------------
# RI tables, entry by entry
# ----------------------------------------------------------------------------------------------

SAATY_1980 = {3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49, 11: 1.51,
              12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59}
CN_TEXTBOOK = {3: 0.52, 4: 0.89, 5: 1.12, 6: 1.26, 7: 1.36, 8: 1.41, 9: 1.46, 10: 1.49, 11: 1.52,
               12: 1.54, 13: 1.56, 14: 1.58, 15: 1.59}


@pytest.mark.parametrize("n, expected", sorted(SAATY_1980.items()))
def test_saaty1980_ri_entry(n, expected):
    """Saaty (1980) RI row of domain.md §8.2 [S43], checked entry by entry (n = 3…15).

    Guards against the RI[n] / RI[n−1] and padded-leading-zero bug pattern [S43f].
    """
    assert random_index(n, "saaty1980") == expected
    assert RI_TABLES["saaty1980"]["values"][n] == expected


@pytest.mark.parametrize("n, expected", sorted(CN_TEXTBOOK.items()))
def test_cn_textbook_ri_entry(n, expected):
    """CN textbook RI row of domain.md §8.2 [S43e], checked entry by entry (n = 3…15)."""
    assert random_index(n, "cn") == expected
    assert RI_TABLES["cn"]["values"][n] == expected


@pytest.mark.parametrize("table", ["saaty1980", "cn", "saaty2005", "donegan_dodd"])
@pytest.mark.parametrize("n", [1, 2])
def test_ri_is_zero_for_one_and_two(table, n):
    assert random_index(n, table) == 0.0


def test_saaty2005_table_as_transcribed():
    """Saaty (2005), Theory and Applications of the ANP, p. 31, as transcribed in AHPy
    (PhilipGriffith/AHPy, random_index='saaty'); the book itself was not consulted."""
    expected = {3: 0.52, 4: 0.89, 5: 1.11, 6: 1.25, 7: 1.35, 8: 1.40, 9: 1.45, 10: 1.49,
                11: 1.52, 12: 1.54, 13: 1.56, 14: 1.58, 15: 1.59}
    assert {n: random_index(n, "saaty2005") for n in expected} == expected


def test_donegan_dodd_table_as_transcribed():
    """Donegan & Dodd (1991), Math. Comput. Modelling 15(10):135–137, as transcribed in AHPy
    (random_index='dd'); the paper itself was not consulted."""
    expected = {3: 0.4914, 4: 0.8286, 5: 1.0591, 6: 1.1797, 7: 1.2519, 8: 1.3171, 9: 1.3733,
                10: 1.4055, 11: 1.4213, 12: 1.4497, 13: 1.4643, 14: 1.4822, 15: 1.4969}
    assert {n: random_index(n, "donegan_dodd") for n in expected} == expected


def test_tummala_ling_is_not_shipped_unverified():
    with pytest.raises(InputError, match="未能核实"):
        random_index(5, "tummala_ling")
    with pytest.raises(InputError):
        ahp([[1, 2, 3], ["1/2", 1, 2], ["1/3", "1/2", 1]], ri="tummala_ling")
    assert "NOT AVAILABLE" in RI_TABLES["tummala_ling"]["source"]


def test_ri_outside_table_and_custom_tables():
    with pytest.raises(InputError, match="n = 16"):
        random_index(16, "saaty1980")
    assert random_index(16, "donegan_dodd") == 1.5078
    assert random_index(4, {3: 0.5, 4: 0.8}) == 0.8
    assert random_index(4, 0.95) == 0.95
    assert random_index(2, 0.95) == 0.0
    with pytest.raises(InputError):
        random_index(4, "no-such-table")


def test_ri_table_changes_cr_and_is_recorded():
    a = [[1, 3, 5], ["1/3", 1, 2], ["1/5", "1/2", 1]]
    saaty, cn = ahp(a, ri="saaty1980"), ahp(a, ri="cn")
    assert saaty.ri == 0.58 and cn.ri == 0.52
    assert cn.cr == pytest.approx(saaty.ci / 0.52)
    assert saaty.conventions["ri_table"] == "saaty1980"
    assert saaty.conventions["ri_values"][3] == 0.58


# ----------------------------------------------------------------------------------------------
# Published single-matrix examples
# ----------------------------------------------------------------------------------------------

HOUSE_LABELS = ["size", "transport", "neighborhood", "age", "yard", "modern", "condition", "financing"]
HOUSE = [[1, 5, 3, 7, 6, 6, "1/3", "1/4"],
         ["1/5", 1, "1/3", 5, 3, 3, "1/5", "1/7"],
         ["1/3", 3, 1, 6, 3, 4, 6, "1/5"],
         ["1/7", "1/5", "1/6", 1, "1/3", "1/4", "1/7", "1/8"],
         ["1/6", "1/3", "1/3", 3, 1, "1/2", "1/5", "1/6"],
         ["1/6", "1/3", "1/4", 4, 2, 1, "1/5", "1/6"],
         [3, 5, "1/6", 7, 5, 5, 1, "1/2"],
         [4, 7, 5, 8, 6, 6, 2, 1]]


def test_saaty_house_example_eigenvector():
    """Saaty, T. L. (1990). How to make a decision: The Analytic Hierarchy Process. European
    Journal of Operational Research 48, 9–26, Table 2 (choosing a house, eight criteria):
    priorities .173 .054 .188 .018 .031 .036 .167 .333, λmax = 9.669, C.I. = 0.238, C.R. = 0.169."""
    r = ahp(HOUSE, labels=HOUSE_LABELS)
    printed = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]
    assert r.weights.round(3).tolist() == printed
    assert list(r.weights.index) == HOUSE_LABELS
    assert round(r.lambda_max, 3) == 9.669
    assert round(r.ci, 3) == 0.238
    assert round(r.cr, 3) == 0.169
    assert r.ri == 1.41 and r.n == 8
    assert not r.consistent


def test_saaty_house_example_suggest_names_the_inconsistent_judgement():
    """Same example (Saaty 1990, Table 2): the judgement 'neighborhood vs general condition = 6'
    deviates most from the derived priorities (w3/w7 ≈ 1.13); changing it to 1 brings CR below 0.10."""
    r = ahp(HOUSE, labels=HOUSE_LABELS)
    s = r.suggest(top=3)
    first = s.iloc[0]
    assert (first["行指标"], first["列指标"]) == ("neighborhood", "condition")
    assert first["原判断"] == 6
    assert first["建议值"] == "1"
    assert first["一致比值 w_i/w_j"] == pytest.approx(0.188 / 0.167, abs=0.01)
    assert first["修改后CR"] < 0.10 < r.cr
    assert list(s["|ln ε|"]) == sorted(s["|ln ε|"], reverse=True)
    assert len(s) == 3


def test_saaty_drinks_example():
    """Saaty, T. L. (2008). Decision making with the analytic hierarchy process. Int. J. Services
    Sciences 1(1), 83–98, Table 2 ("Which drink is consumed more in the U.S.?", also in Saaty,
    Decision Making for Leaders, ch. 5): derived scale coffee .177, wine .019, tea .042,
    beer .116, sodas .190, milk .129, water .327."""
    labels = ["coffee", "wine", "tea", "beer", "sodas", "milk", "water"]
    a = [[1, 9, 5, 2, 1, 1, "1/2"],
         ["1/9", 1, "1/3", "1/9", "1/9", "1/9", "1/9"],
         ["1/5", 3, 1, "1/3", "1/4", "1/3", "1/9"],
         ["1/2", 9, 3, 1, "1/2", 1, "1/3"],
         [1, 9, 4, 2, 1, 2, "1/2"],
         [1, 9, 3, 1, "1/2", 1, "1/3"],
         [2, 9, 9, 3, 2, 3, 1]]
    r = ahp(a, labels=labels)
    assert r.weights.round(3).tolist() == [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327]
    assert r.consistent


# ----------------------------------------------------------------------------------------------
# Estimators and their formulas
# ----------------------------------------------------------------------------------------------

def test_geometric_and_arithmetic_follow_their_formulas():
    a = parse_pairwise(HOUSE).values.to_numpy()
    g = np.prod(a, axis=1) ** (1 / 8)
    geo = ahp(HOUSE, method="geometric")
    assert geo.weights.to_numpy() == pytest.approx(g / g.sum(), abs=1e-12)
    arith = ahp(HOUSE, method="arithmetic")
    expected = (a / a.sum(axis=0)).mean(axis=1)
    assert arith.weights.to_numpy() == pytest.approx(expected, abs=1e-12)
    for r in (geo, arith):
        w = r.weights.to_numpy()
        assert r.lambda_max == pytest.approx(np.mean(a @ w / w), abs=1e-12)
        assert r.ci == pytest.approx((r.lambda_max - 8) / 7)
        assert r.cr == pytest.approx(r.ci / 1.41)
    assert ahp(HOUSE, method="方根法").weights.equals(geo.weights)
    assert ahp(HOUSE, method="和积法").weights.equals(arith.weights)
    with pytest.raises(InputError, match="method"):
        ahp(HOUSE, method="median")


def test_explain_tables_per_method():
    eig = ahp(HOUSE).explain()
    assert {"判断矩阵", "特征向量迭代", "一致性计算"} <= set(eig)
    last = eig["特征向量迭代"].iloc[-1].to_numpy()
    assert last == pytest.approx(ahp(HOUSE).weights.to_numpy(), abs=1e-9)
    assert "行几何平均" in ahp(HOUSE, method="geometric").explain()
    assert {"列和", "列归一化矩阵"} <= set(ahp(HOUSE, method="arithmetic").explain())
    r = ahp(HOUSE)
    t = r.explain()
    t["判断矩阵"].iloc[0, 0] = 99.0
    assert r.explain()["判断矩阵"].iloc[0, 0] == 1.0


def test_n_one_and_two_are_consistent():
    one = ahp([[1]])
    assert one.weights.tolist() == [1.0] and one.cr == 0.0 and one.consistent
    assert one.suggest().empty and list(one.suggest().columns) == list(ahp(HOUSE).suggest().columns)
    two = ahp([[1, 3], ["1/3", 1]], labels=["甲", "乙"])
    assert two.weights.to_numpy() == pytest.approx([0.75, 0.25])
    assert two.lambda_max == pytest.approx(2.0)
    assert two.cr == 0.0 and two.ri == 0.0 and two.consistent
    for method in ("geometric", "arithmetic"):
        assert ahp([[1, 3], ["1/3", 1]], method=method).weights.to_numpy() == pytest.approx([0.75, 0.25])


# ----------------------------------------------------------------------------------------------
# Input forms and validation
# ----------------------------------------------------------------------------------------------

def test_input_forms_agree():
    nested = [[1, 2, 4], ["1/2", 1, 2], ["1/4", "1/2", 1]]
    numeric = np.array([[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]])
    frame = pd.DataFrame(numeric, index=list("abc"), columns=list("abc"))
    fullwidth = [[1, 2, 4], ["1／2", 1, 2], [" 1/4 ", "1/2", "1"]]
    expected = np.array([4, 2, 1]) / 7
    for m in (nested, numeric, fullwidth):
        assert ahp(m).weights.to_numpy() == pytest.approx(expected)
    r = ahp(frame)
    assert list(r.weights.index) == list("abc")
    assert r.weights.to_numpy() == pytest.approx(expected)
    reordered = frame.loc[:, ["c", "a", "b"]]
    assert ahp(reordered).weights.to_numpy() == pytest.approx(expected)
    assert ahp(nested).weights.index.tolist() == [0, 1, 2]


def test_validation_names_the_cell():
    labels = ["决策", "过程", "产出"]
    with pytest.raises(InputError, match="方阵"):
        ahp([[1, 2, 3], [0.5, 1, 2]])
    with pytest.raises(InputError, match="行索引"):
        ahp(pd.DataFrame({"指标": ["a", "b"], "a": [1, 0.5], "b": [2, 1]}))
    with pytest.raises(InputError, match="缺少判断值") as exc:
        ahp([[1, 2, 3], ["1/2", 1, None], ["1/3", "1/2", 1]], labels=labels)
    assert "'过程'" in str(exc.value) and "'产出'" in str(exc.value)
    with pytest.raises(InputError, match="正数"):
        ahp([[1, -2, 3], ["1/2", 1, 2], ["1/3", "1/2", 1]])
    with pytest.raises(InputError, match="互反") as exc:
        ahp([[1, 3, 3], [3, 1, 2], ["1/3", "1/2", 1]], labels=labels)
    assert "'决策'" in str(exc.value) and "'过程'" in str(exc.value)
    with pytest.raises(InputError, match="无法识别"):
        ahp([[1, "three", 3], ["1/3", 1, 2], ["1/3", "1/2", 1]])
    with pytest.raises(InputError, match="对角线"):
        ahp([[2, 1], [1, 1]])
    with pytest.raises(InputError, match="标签"):
        ahp(pd.DataFrame(np.ones((2, 2)), index=["a", "b"], columns=["a", "c"]))


def test_reciprocal_tolerance_accepts_rounded_entries():
    r = ahp([[1, 3, 8], [0.33, 1, 3], [0.13, 0.33, 1]])
    assert r.conventions["reciprocal_tol"] == 0.05
    rounded = ahp([[1, 3, 9], [0.33, 1, 3], [0.11, 0.33, 1]])  # consistent but for the rounding
    assert rounded.lambda_max < 3 and rounded.ci == 0.0 and rounded.cr == 0.0
    assert any("λmax" in n for n in rounded.conventions["notes"])
    with pytest.raises(InputError):
        ahp([[1, 3, 8], [0.33, 1, 3], [0.13, 0.33, 1]], reciprocal_tol=0.01)


def test_from_upper_fills_lower_triangle():
    upper = [[1, 3, 5], [None, 1, 2], [None, None, 1]]
    with pytest.raises(InputError, match="from_upper"):
        ahp(upper)
    r = ahp(upper, from_upper=True)
    full = ahp([[1, 3, 5], ["1/3", 1, 2], ["1/5", "1/2", 1]])
    assert r.weights.to_numpy() == pytest.approx(full.weights.to_numpy())
    assert r.as_written.iat[2, 0] == "1/5"
    assert r.conventions["filled_from_upper"] and r.conventions["notes"]


def test_repr_html_shows_chinese_labels_and_consistency():
    html = ahp(HOUSE, labels=HOUSE_LABELS)._repr_html_()
    assert "指标" in html and "权重" in html and "CR = 0.1691" in html and "未通过" in html


# ----------------------------------------------------------------------------------------------
# Properties
# ----------------------------------------------------------------------------------------------

positive_weights = st.lists(st.floats(min_value=0.05, max_value=20.0), min_size=1, max_size=9)
saaty_values = st.sampled_from([1 / 9, 1 / 7, 1 / 5, 1 / 3, 1 / 2, 1, 2, 3, 5, 7, 9])


@settings(max_examples=60, deadline=None)
@given(raw=positive_weights, method=st.sampled_from(["eigen", "geometric", "arithmetic"]))
def test_consistent_matrix_returns_its_weights_with_cr_zero(raw, method):
    w = np.asarray(raw) / np.sum(raw)
    a = w[:, None] / w[None, :]
    r = ahp(a, method=method, reciprocal_tol=1e-6)
    assert r.weights.to_numpy() == pytest.approx(w, abs=1e-9)
    assert r.lambda_max == pytest.approx(len(w), abs=1e-9)
    assert abs(r.cr) < 1e-9 and r.consistent


@st.composite
def reciprocal_matrices(draw):
    n = draw(st.integers(min_value=3, max_value=8))
    upper = draw(st.lists(saaty_values, min_size=n * (n - 1) // 2, max_size=n * (n - 1) // 2))
    a = np.ones((n, n))
    iu = np.triu_indices(n, k=1)
    a[iu] = upper
    a[(iu[1], iu[0])] = 1.0 / np.asarray(upper)
    return a


@settings(max_examples=60, deadline=None)
@given(a=reciprocal_matrices(), method=st.sampled_from(["eigen", "geometric", "arithmetic"]),
       seed=st.integers(0, 10_000))
def test_weights_valid_and_permutation_equivariant(a, method, seed):
    r = ahp(a, method=method)
    w = r.weights.to_numpy()
    assert (w > 0).all() and w.sum() == pytest.approx(1.0)
    assert r.lambda_max >= a.shape[0] - 1e-9
    perm = np.random.default_rng(seed).permutation(a.shape[0])
    rp = ahp(a[np.ix_(perm, perm)], method=method)
    assert rp.weights.to_numpy() == pytest.approx(w[perm], abs=1e-9)
    assert rp.cr == pytest.approx(r.cr, abs=1e-9)
    s = r.suggest(top=100)
    assert len(s) == a.shape[0] * (a.shape[0] - 1) // 2
    assert set(s["建议值数值"]) <= {1 / 9, 1 / 8, 1 / 7, 1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2,
                                 1, 2, 3, 4, 5, 6, 7, 8, 9}


# ----------------------------------------------------------------------------------------------
# Group AHP
# ----------------------------------------------------------------------------------------------

def test_group_ahp_weighted_geometric_mean():
    e1 = [[1, 3, 5], ["1/3", 1, 2], ["1/5", "1/2", 1]]
    e2 = [[1, 1, 3], [1, 1, 3], ["1/3", "1/3", 1]]
    r = group_ahp({"张": e1, "李": e2}, expert_weights=[3, 1], labels=["A", "B", "C"])
    a1, a2 = parse_pairwise(e1).values.to_numpy(), parse_pairwise(e2).values.to_numpy()
    expected = a1 ** 0.75 * a2 ** 0.25
    assert r.matrix.to_numpy() == pytest.approx(expected)
    assert (r.matrix.to_numpy() * r.matrix.to_numpy().T) == pytest.approx(np.ones((3, 3)))
    assert r.weights.to_numpy() == pytest.approx(ahp(expected).weights.to_numpy())
    assert r.expert_weights.tolist() == [0.75, 0.25]
    assert r.conventions["expert_weights_rescaled"]
    assert any("归一化" in n for n in r.conventions["notes"])
    assert set(r.individual) == {"张", "李"}
    assert r.explain()["专家一致性"]["专家"].tolist() == ["张", "李"]


def test_group_of_identical_matrices_equals_single():
    single = ahp(HOUSE)
    g = group_ahp([HOUSE, HOUSE, HOUSE])
    assert g.weights.to_numpy() == pytest.approx(single.weights.to_numpy(), abs=1e-12)
    assert g.cr == pytest.approx(single.cr)
    assert any("未通过" in n for n in g.conventions["notes"])


def test_group_ahp_label_mismatch():
    a = pd.DataFrame([[1, 2], [0.5, 1]], index=["x", "y"], columns=["x", "y"])
    b = pd.DataFrame([[1, 2], [0.5, 1]], index=["x", "z"], columns=["x", "z"])
    with pytest.raises(InputError, match="不一致"):
        group_ahp([a, b])
    with pytest.raises(InputError, match="专家名称"):
        group_ahp({"张": a, "李": a}, expert_weights={"张": 1, "王": 1})


# ----------------------------------------------------------------------------------------------
# Hierarchies
# ----------------------------------------------------------------------------------------------

ALTS = ["Tom", "Dick", "Harry"]
LEADER = {
    "name": "Goal", "elements": ["Experience", "Education", "Charisma", "Age"],
    "matrix": [[1, 4, 3, 7], ["1/4", 1, "1/3", 3], ["1/3", 3, 1, 5], ["1/7", "1/3", "1/5", 1]],
    "children": [
        {"name": "Experience", "elements": ALTS, "matrix": [[1, "1/4", 4], [4, 1, 9], ["1/4", "1/9", 1]]},
        {"name": "Education", "elements": ALTS, "matrix": [[1, 3, "1/5"], ["1/3", 1, "1/7"], [5, 7, 1]]},
        {"name": "Charisma", "elements": ALTS, "matrix": [[1, 5, 9], ["1/5", 1, 4], ["1/9", "1/4", 1]]},
        {"name": "Age", "elements": ALTS, "matrix": [[1, "1/3", 5], [3, 1, 9], ["1/5", "1/9", 1]]},
    ],
}


def test_leader_example_global_priorities():
    """'Analytic hierarchy process – leader example' (Wikipedia, the worked example of the AHP
    article; criteria/Charisma/Age judgements also in the R package ahp, file
    inst/extdata/tom_dick_harry.ahp): criteria weights .547 .127 .270 .056, overall priorities
    Tom .358, Dick .493, Harry .149. The printed .547 for Experience is 0.5476 truncated, so the
    criteria are checked to one unit of the last printed digit."""
    h = ahp_hierarchy(LEADER)
    assert h.leaf_weights.round(3).to_dict() == {"Tom": 0.358, "Dick": 0.493, "Harry": 0.149}
    assert h.weights is h.leaf_weights
    crit = h.nodes["Goal"].local_weights
    assert crit.to_numpy() == pytest.approx([0.547, 0.127, 0.270, 0.056], abs=0.001)
    assert h.weights.sum() == pytest.approx(1.0)
    assert any("各路径之和" in n for n in h.conventions["notes"])


def test_leader_example_overall_cr_formula():
    h = ahp_hierarchy(LEADER)
    nodes = h.nodes.values()
    num = sum(n.weight * n.ci for n in nodes)
    den = sum(n.weight * n.ri for n in nodes)
    assert h.cr == pytest.approx(num / den)
    assert h.ci_weighted == pytest.approx(num) and h.ri_weighted == pytest.approx(den)
    goal = h.nodes["Goal"]
    assert goal.weight == 1.0 and goal.ri == 0.90
    assert h.nodes["Charisma"].weight == pytest.approx(goal.local_weights["Charisma"])
    assert h.nodes["Charisma"].global_weights.to_numpy() == pytest.approx(
        goal.local_weights["Charisma"] * h.nodes["Charisma"].local_weights.to_numpy())
    assert h.consistent and h.cr < 0.10
    levels = h.explain()["各层一致性"]
    assert levels["层级"].tolist() == [1, 2]


UNBALANCED = {
    "name": "项目支出绩效", "elements": ["决策", "过程", "产出", "效益"],
    "matrix": [[1, "1/2", "1/3", "1/4"], [2, 1, "1/2", "1/2"], [3, 2, 1, "1/2"], [4, 2, 2, 1]],
    "children": [
        {"name": "产出", "elements": ["产出数量", "产出质量", "产出时效", "产出成本"],
         "matrix": [[1, 2, 3, 3], ["1/2", 1, 2, 2], ["1/3", "1/2", 1, 1], ["1/3", "1/2", 1, 1]]},
        {"name": "效益", "weights": {"经济效益": 1, "社会效益": 2, "生态效益": 1},
         "children": [{"name": "社会效益", "elements": ["就业", "公众满意度"],
                       "matrix": [[1, "1/3"], [3, 1]]}]},
        {"name": "过程", "elements": ["资金管理"]},
    ],
}


def test_unbalanced_hierarchy():
    h = ahp_hierarchy(UNBALANCED)
    top = h.nodes["项目支出绩效"].local_weights
    out = h.nodes["产出"].local_weights
    leaf = h.leaf_weights
    # leaves in the order an indicator table is read: each element followed by its subtree
    assert leaf.index.tolist() == ["决策", "资金管理", "产出数量", "产出质量", "产出时效", "产出成本",
                                   "经济效益", "就业", "公众满意度", "生态效益"]
    assert leaf["决策"] == pytest.approx(top["决策"])
    assert leaf["资金管理"] == pytest.approx(top["过程"])
    assert leaf["产出质量"] == pytest.approx(top["产出"] * out["产出质量"])
    assert leaf["经济效益"] == pytest.approx(top["效益"] * 0.25)
    assert leaf["公众满意度"] == pytest.approx(top["效益"] * 0.5 * 0.75)
    assert leaf.sum() == pytest.approx(1.0)
    assert h.nodes["效益"].source == "weights" and h.nodes["效益"].cr == 0.0
    assert any("归一化" in n for n in h.conventions["notes"])
    assert h.nodes["过程"].source == "single"
    assert h.nodes["社会效益"].level == 3
    table = h.explain()["综合权重"]
    assert table.loc[table["末级"], "综合权重"].sum() == pytest.approx(1.0)
    html = h._repr_html_()
    assert "综合权重" in html and "CR" in html


def test_hierarchy_errors():
    bad_child = {"name": "G", "elements": ["a", "b"], "matrix": [[1, 2], ["1/2", 1]],
                 "children": [{"name": "c", "elements": ["x"]}]}
    with pytest.raises(InputError, match="elements"):
        ahp_hierarchy(bad_child)
    no_judgement = {"name": "G", "elements": ["a", "b"]}
    with pytest.raises(InputError, match="matrix"):
        ahp_hierarchy(no_judgement)
    both = {"name": "G", "elements": ["a", "b"], "matrix": [[1, 2], ["1/2", 1]], "weights": [1, 1]}
    with pytest.raises(InputError):
        ahp_hierarchy(both)
    bad_matrix = {"name": "G", "elements": ["a", "b"], "matrix": [[1, 2], [2, 1]]}
    with pytest.raises(InputError, match="节点 G"):
        ahp_hierarchy(bad_matrix)
    wrong_names = {"name": "G", "elements": ["a", "b"], "weights": {"a": 1, "c": 2}}
    with pytest.raises(InputError, match="权重名称"):
        ahp_hierarchy(wrong_names)
    duplicate = {"name": "G", "elements": ["a", "b"], "weights": [1, 1],
                 "children": [{"name": "a", "elements": ["x", "y"], "weights": [1, 1]},
                              {"name": "b", "elements": ["x", "y"], "weights": [1, 1],
                               "children": [{"name": "x", "elements": ["p"]}]},
                              ]}
    h = ahp_hierarchy(duplicate)  # shared leaf 'y' under a and b; 'x' is a leaf under a only
    assert h.leaf_weights.to_dict() == pytest.approx({"x": 0.25, "y": 0.5, "p": 0.25})
