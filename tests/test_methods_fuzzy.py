"""Fuzzy comprehensive evaluation: published examples, the four operators, multi-level trees,
membership builders and bad input."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval.errors import InputError
from perfeval.methods import (fuzzy_evaluate, fuzzy_evaluate_tree, membership_from_values,
                              membership_from_votes)

FIVE_GRADES = ["优秀", "良好", "一般", "较差", "差"]
STAFF_R = [[0.1, 0.5, 0.4, 0, 0], [0.2, 0.5, 0.2, 0.1, 0], [0.2, 0.5, 0.3, 0, 0], [0.2, 0.6, 0.2, 0, 0]]
STAFF_A = [0.25, 0.2, 0.25, 0.3]

# 司守奎《数学建模算法与应用》第14章 多层次模糊综合评判 data (mhdata.txt): 18 factors in 4 groups
MHDATA = np.array([
    [0.8, 0.15, 0.05, 0, 0], [0.2, 0.6, 0.1, 0.1, 0], [0.5, 0.4, 0.1, 0, 0], [0.1, 0.3, 0.5, 0.05, 0.05],
    [0.3, 0.5, 0.15, 0.05, 0], [0.2, 0.2, 0.4, 0.1, 0.1], [0.4, 0.4, 0.1, 0.1, 0], [0.1, 0.3, 0.3, 0.2, 0.1],
    [0.3, 0.2, 0.2, 0.2, 0.1], [0.1, 0.3, 0.5, 0.1, 0], [0.2, 0.3, 0.3, 0.1, 0.1], [0.2, 0.3, 0.35, 0.15, 0],
    [0.1, 0.3, 0.4, 0.1, 0.1], [0.1, 0.4, 0.3, 0.1, 0.1], [0.3, 0.4, 0.2, 0.1, 0], [0.1, 0.4, 0.3, 0.1, 0.1],
    [0.2, 0.3, 0.4, 0.1, 0], [0.4, 0.3, 0.2, 0.1, 0],
])


def test_staff_appraisal_one_level_example():
    """司守奎、孙玺菁《数学建模算法与应用》第14章 模糊综合评价 人事考核例: A = (0.25, 0.2, 0.25, 0.3),
    R as printed; B = A·R = (0.175, 0.53, 0.275, 0.02, 0) → 良好 (values as printed in the public
    reproduction xyfJASON/mathematical-modeling-python, "模糊综合评价法")."""
    result = fuzzy_evaluate(STAFF_R, STAFF_A, grades=FIVE_GRADES)
    np.testing.assert_allclose(result.B.to_numpy(), [0.175, 0.53, 0.275, 0.02, 0.0], atol=1e-12)
    assert result.grade == "良好" and not result.grade_tied
    assert list(result.B.index) == FIVE_GRADES
    assert "隶属度" in result._repr_html_()


@pytest.mark.parametrize("operator, expected", [
    ("M(^,v)", [0.2, 0.3, 0.25, 0.1, 0.0]),
    ("M(∧,∨)", [0.2, 0.3, 0.25, 0.1, 0.0]),
    ("M(.,v)", [0.06, 0.18, 0.1, 0.02, 0.0]),
    ("M(^,+)", [0.7, 1.0, 0.9, 0.1, 0.0]),
    ("M(·,⊕)", [0.175, 0.53, 0.275, 0.02, 0.0]),
])
def test_operators_on_the_staff_example(operator, expected):
    """The four operators of domain.md §8.6 applied by hand to the staff-appraisal example."""
    result = fuzzy_evaluate(STAFF_R, STAFF_A, operator=operator, grades=FIVE_GRADES)
    np.testing.assert_allclose(result.B.to_numpy(), expected, atol=1e-12)
    np.testing.assert_allclose(result.B_normalized.sum(), 1.0)
    assert result.grade == "良好"


def test_multilevel_staff_example():
    """司守奎《数学建模算法与应用》第14章 多层次模糊综合评判 (program ex14_3.m, data mhdata.txt):
    A = (0.4, 0.3, 0.2, 0.1); A1 = (0.2, 0.3, 0.3, 0.2), A2 = (0.3, 0.2, 0.1, 0.2, 0.2),
    A3 = (0.1, 0.2, 0.3, 0.2, 0.2), A4 = (0.3, 0.2, 0.2, 0.3); B = (0.288, 0.354, 0.2355, 0.0865,
    0.036) → 良好 (as printed in xyfJASON/mathematical-modeling-python)."""
    groups = [("工作绩效", slice(0, 4), [0.2, 0.3, 0.3, 0.2]),
              ("工作态度", slice(4, 9), [0.3, 0.2, 0.1, 0.2, 0.2]),
              ("工作能力", slice(9, 14), [0.1, 0.2, 0.3, 0.2, 0.2]),
              ("学习特长", slice(14, 18), [0.3, 0.2, 0.2, 0.3])]
    tree = {"name": "综合", "weights": [0.4, 0.3, 0.2, 0.1],
            "children": [{"name": name, "weights": w,
                          "membership": pd.DataFrame(MHDATA[rows], columns=FIVE_GRADES)}
                         for name, rows, w in groups]}
    result = fuzzy_evaluate_tree(tree, grade_scores=[95, 85, 75, 65, 50])
    np.testing.assert_allclose(result.B.to_numpy(), [0.288, 0.354, 0.2355, 0.0865, 0.036], atol=1e-12)
    assert result.grade == "良好"
    assert set(result.nodes) == {"综合", "工作绩效", "工作态度", "工作能力", "学习特长"}
    np.testing.assert_allclose(result.nodes["工作绩效"].B.to_numpy(), np.array([0.2, 0.3, 0.3, 0.2]) @ MHDATA[:4])
    assert result.score == pytest.approx(0.288 * 95 + 0.354 * 85 + 0.2355 * 75 + 0.0865 * 65 + 0.036 * 50)
    raw = fuzzy_evaluate_tree(tree, stack="raw")
    np.testing.assert_allclose(raw.B.to_numpy(), result.B.to_numpy(), atol=1e-12)


def test_tree_errors_name_the_node():
    tree = {"name": "根", "weights": [0.5, 0.5],
            "children": [{"name": "甲", "weights": [1], "membership": [[0.5, 0.5, 0, 0]]},
                         {"name": "乙", "weights": [1], "membership": [[1.5, 0, 0, 0]]}]}
    with pytest.raises(InputError, match="根/乙"):
        fuzzy_evaluate_tree(tree)
    with pytest.raises(InputError, match="membership"):
        fuzzy_evaluate_tree({"name": "x", "weights": [1]})


def test_scores_grades_labels_and_ties():
    result = fuzzy_evaluate([[0.5, 0.5, 0, 0], [0.5, 0.5, 0, 0]], [1, 1], grade_scores=(95, 85, 70, 50))
    assert result.grade == "优" and result.grade_tied
    assert result.score == pytest.approx(90.0)
    assert "已按比例归一化" in result.conventions["weights"]
    labelled = pd.DataFrame([[0.2, 0.8]], index=["满意度"], columns=["满意", "不满意"])
    assert fuzzy_evaluate(labelled, {"满意度": 1}).grade == "不满意"
    scored = fuzzy_evaluate(labelled, [1], grade_scores={"满意": 100, "不满意": 0})
    assert scored.score == pytest.approx(20.0)


def test_bad_fuzzy_input():
    with pytest.raises(InputError, match="满意度|第 1 行"):
        fuzzy_evaluate(pd.DataFrame([[1.2, -0.2, 0, 0]], index=["满意度"]), [1])
    with pytest.raises(InputError, match="算子|operator"):
        fuzzy_evaluate(STAFF_R, STAFF_A, operator="M(x,y)", grades=FIVE_GRADES)
    with pytest.raises(InputError, match="grades"):
        fuzzy_evaluate(STAFF_R, STAFF_A)  # 5 unnamed columns
    with pytest.raises(InputError, match="B"):
        fuzzy_evaluate([[0, 0, 0, 0]], [1])
    with pytest.raises(InputError):
        fuzzy_evaluate([[0.5, 0.5, 0, 0]], [1, 2])
    with pytest.raises(InputError, match="等级分值"):
        fuzzy_evaluate([[0.5, 0.5, 0, 0]], [1], grade_scores=[1, 2])
    with pytest.raises(InputError, match="缺失|missing"):
        fuzzy_evaluate([[0.5, np.nan, 0, 0]], [1])


def test_membership_from_votes():
    counts = pd.DataFrame([[3, 5, 2, 0], [0, 0, 10, 0]], index=["质量", "时效"])
    r = membership_from_votes(counts)
    assert list(r.columns) == ["优", "良", "中", "差"]
    np.testing.assert_allclose(r.loc["质量"].to_numpy(), [0.3, 0.5, 0.2, 0.0])
    votes = pd.DataFrame({"factor": ["质量"] * 4 + ["时效"] * 2,
                          "grade": ["优", "良", "良", "差", "中", "中"]})
    long = membership_from_votes(votes)
    assert list(long.index) == ["质量", "时效"]
    np.testing.assert_allclose(long.loc["质量"].to_numpy(), [0.25, 0.5, 0.0, 0.25])
    with pytest.raises(InputError, match="未知等级"):
        membership_from_votes(pd.DataFrame({"factor": ["a"], "grade": ["很好"]}))
    with pytest.raises(InputError, match="没有任何投票"):
        membership_from_votes(pd.DataFrame([[0, 0, 0, 0]], index=["空"]))


def test_membership_from_values():
    r = membership_from_values(pd.Series([90, 100, 75, 40, 85], index=list("abcde")), (95, 85, 70, 50))
    np.testing.assert_allclose(r.to_numpy(), [[0.5, 0.5, 0, 0], [1, 0, 0, 0], [0, 1 / 3, 2 / 3, 0],
                                              [0, 0, 0, 1], [0, 1, 0, 0]], atol=1e-12)
    cost = membership_from_values([1.5, 4.5], (1, 2, 3, 4))  # smaller is better
    np.testing.assert_allclose(cost.to_numpy(), [[0.5, 0.5, 0, 0], [0, 0, 0, 1]])
    with pytest.raises(InputError, match="单调"):
        membership_from_values([1], (90, 95, 70, 50))
    with pytest.raises(InputError):
        membership_from_values([1], (90, 80, 70))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-50, 150), min_size=1, max_size=20))
def test_membership_rows_sum_to_one(values):
    r = membership_from_values(values, (95, 85, 70, 50))
    np.testing.assert_allclose(r.sum(axis=1).to_numpy(), 1.0)
    assert ((r.to_numpy() >= 0) & (r.to_numpy() <= 1)).all()


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.data())
def test_weighted_average_is_convex_combination(n_factors, data):
    """With rows summing to 1, M(·,⊕) gives a B that sums to 1 and lies within the rows' range."""
    rows = [data.draw(st.lists(st.floats(0, 1), min_size=4, max_size=4).filter(lambda r: sum(r) > 0))
            for _ in range(n_factors)]
    r = np.asarray(rows) / np.asarray(rows).sum(axis=1, keepdims=True)
    a = np.asarray(data.draw(st.lists(st.floats(0.01, 1), min_size=n_factors, max_size=n_factors)))
    b = fuzzy_evaluate(r, a).B.to_numpy()
    assert b.sum() == pytest.approx(1.0)
    assert (b >= r.min(axis=0) - 1e-12).all() and (b <= r.max(axis=0) + 1e-12).all()
