"""Leaf scoring rules (perfeval.rules): worked cases and properties.

Rule definitions: domain.md §1.4 — the production rules of a provincial budget-integration
system's performance module ("pmkpi" config SQL, [S7]); qualitative tiers from a county
self-evaluation note ([S3] 中江县水利局 2022 自评表); deductions from the 部门整体支出 framework
([S17]: 在职人员控制率 ≤100% full, −0.1 per percentage point over; 三公经费变动率 −0.3 per point).
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval.rules import apply_rules, execution_rate, execution_score, infer_kind


def one(kind, w, t, a, level=None, params=None, text=None, **kw):
    out = apply_rules([kind], [w], [t], [a], [level], actual_text=[text],
                      params=[params] if params is not None else None, **kw)
    return out.reference[0], out.low[0], out.high[0], out.met[0]


def test_positive_met_and_proportional():
    """[S7] 正向: a ≥ t → w; a < t → a/t × w."""
    assert one("positive", 10, 95, 98)[0] == 10
    assert one("positive", 10, 100, 95)[0] == pytest.approx(9.5)
    assert one("positive", 10, 735, 735)[3] == 1.0
    assert one("positive", 10, 100, 95)[3] == 0.0


def test_reverse_linear_and_ratio():
    """[S7] 反向: a ≤ t → w; t < a < 2t → (1 − (a − t)/t) × w; a ≥ 2t → 0. Ratio variant t/a × w."""
    assert one("reverse", 10, 90, 80)[0] == 10
    assert one("reverse", 10, 90, 99)[0] == pytest.approx(9.0)
    assert one("reverse", 10, 90, 180)[0] == 0
    assert one("reverse", 10, 90, 200)[0] == 0
    assert one("reverse", 10, 100, 125, reverse_variant="ratio")[0] == pytest.approx(8.0)
    assert one("reverse", 10, 100, 125, params={"variant": "ratio"})[0] == pytest.approx(8.0)


def test_equal_with_zero_target():
    """[S7] 等于: t = 0 → a ≤ 0 full else 0; t > 0 → as 正向."""
    assert one("equal", 5, 0, 0)[0] == 5
    assert one("equal", 5, 0, 1)[0] == 0
    assert one("equal", 10, 100, 96)[0] == pytest.approx(9.6)


def test_qualitative_tiers_and_binary():
    """[S3][S7] 达成 100–80 %, 部分达成 80–60 %, 未达成 60–0 % of the points; 是/否 full or zero."""
    ref, lo, hi, met = one("qualitative", 10, np.nan, np.nan, level="full")
    assert (ref, lo, hi, met) == (10, 8, 10, 1)
    ref, lo, hi, _ = one("qualitative", 10, np.nan, np.nan, level="basic")
    assert (ref, lo, hi) == (8, 8, 10)
    ref, lo, hi, met = one("qualitative", 10, np.nan, np.nan, level="partial")
    assert (ref, lo, hi, met) == (6, 6, 8, 0)
    assert one("qualitative", 10, np.nan, np.nan, level="none")[:3] == (0, 0, 6)
    assert np.isnan(one("qualitative", 10, np.nan, np.nan, level=None)[0])
    assert one("binary", 4, np.nan, np.nan, level="full")[0] == 4
    assert one("binary", 4, np.nan, np.nan, level="none")[0] == 0


def test_step_bands():
    """[S14] 预算执行率 full marks if > 95 %; bands as (threshold, share) descending."""
    bands = [[95, 1.0], [90, 0.8], [80, 0.5]]
    assert one("step", 10, np.nan, 96, params={"bands": bands})[0] == 10
    assert one("step", 10, np.nan, 92, params={"bands": bands})[0] == 8
    assert one("step", 10, np.nan, 85, params={"bands": bands})[0] == 5
    assert one("step", 10, np.nan, 50, params={"bands": bands})[0] == 0
    # on the rate a/t × 100
    assert one("step", 10, 200, 190, params={"bands": bands, "on": "rate"})[0] == 10


def test_deduction_floors_at_zero():
    """[S17] 在职人员控制率 ≤100 %: −0.1 per percentage point over; 三公经费变动率 −0.3 per point; 扣完为止."""
    assert one("deduction", 3, 100, 105, params={"per_unit": 0.1})[0] == pytest.approx(2.5)
    assert one("deduction", 3, 0, 4, params={"per_unit": 0.3})[0] == pytest.approx(1.8)
    assert one("deduction", 3, 0, 40, params={"per_unit": 0.3})[0] == 0
    assert one("deduction", 3, 100, 95, params={"per_unit": 0.1})[0] == 3
    assert one("deduction", 2, 95, 90, params={"per_unit": 0.2, "direction": "under"})[0] == pytest.approx(1.0)


def test_checklist_and_date_and_expert():
    items = [{"name": "设有目标", "points": 1}, {"name": "目标明确", "points": 1}, {"name": "指标量化", "points": 2}]
    assert one("checklist", 4, np.nan, np.nan, params={"items": items}, text="设有目标、指标量化")[0] == 3
    assert one("date", 5, 20211231, 20211130)[0] == 5
    assert one("date", 5, 20211231, 20220331)[0] == 0
    assert one("date", 5, 20211231, 20220331, params={"late_share": 0.5})[0] == 2.5
    assert np.isnan(one("expert", 5, 1, 1)[0])


def test_missing_values_give_no_reference():
    assert np.isnan(one("positive", 10, np.nan, 5)[0])
    assert np.isnan(one("positive", 10, 5, np.nan)[3])


def test_infer_kind_from_operator():
    kinds = infer_kind([">=", "<=", "=", None, None, None, None],
                       ["quantitative"] * 4 + ["date", "qualitative", "unparsed"],
                       [None] * 7, None)
    assert list(kinds) == ["positive", "reverse", "equal", "positive", "date", "qualitative", "none"]
    assert infer_kind([None], ["quantitative"], [None], None, implicit_op="=")[0] == "equal"


def test_execution_rate_and_score_capped():
    """real-tables.md §1: 得分 = 分值 × 执行率, capped at 分值; 执行率 = 全年执行数 / 全年预算数."""
    rate = execution_rate([95, 110, 5], [100, 100, 0])
    assert rate[0] == pytest.approx(0.95) and rate[1] == pytest.approx(1.1) and np.isnan(rate[2])
    assert list(execution_score([10, 20], [0.95, 1.1])) == pytest.approx([9.5, 20])


finite = st.floats(min_value=0, max_value=1e6, allow_nan=False)
points = st.floats(min_value=0.5, max_value=50, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["positive", "reverse", "equal", "date"]), points,
       st.floats(min_value=-1e3, max_value=1e6, allow_nan=False), st.floats(min_value=-1e3, max_value=1e6))
def test_score_within_zero_and_points(kind, w, t, a):
    ref = one(kind, w, t, a)[0]
    assert 0 <= ref <= w


@settings(max_examples=200, deadline=None)
@given(points, st.floats(min_value=0.01, max_value=1e6), finite, finite)
def test_positive_monotone(w, t, a1, a2):
    lo, hi = sorted([a1, a2])
    assert one("positive", w, t, lo)[0] <= one("positive", w, t, hi)[0]


@settings(max_examples=200, deadline=None)
@given(points, st.floats(min_value=0.01, max_value=1e6), finite, finite)
def test_reverse_antitone(w, t, a1, a2):
    lo, hi = sorted([a1, a2])
    assert one("reverse", w, t, lo)[0] >= one("reverse", w, t, hi)[0]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["positive", "reverse", "equal", "date"]), points, finite, finite)
def test_met_target_gets_full_marks(kind, w, t, a):
    ref, _, _, met = one(kind, w, t, a)
    if met == 1:
        assert ref == w


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["positive", "reverse", "equal"]), points, finite, finite),
                min_size=1, max_size=40))
def test_vectorised_equals_one_by_one(cases):
    kinds, ws, ts, as_ = zip(*cases)
    out = apply_rules(list(kinds), list(ws), list(ts), list(as_), [None] * len(cases))
    for i, c in enumerate(cases):
        assert out.reference[i] == one(*c)[0]


def test_deduction_from_a_fixed_limit():
    """dept-overall.yaml: 在职人员控制率 deducts from the fixed base 100 % whatever the row's target ([S17])."""
    params = {"per_unit": 0.1, "unit_size": 1, "direction": "over", "limit": 100}
    assert one("deduction", 3, np.nan, 104, params=params)[0] == pytest.approx(2.6)


def test_binary_compares_the_actual_with_the_target():
    """rule_kinds.py: 实际情况与指标值（是/否）一致得满分 — a 否 target met by 否 gets full marks."""
    out = apply_rules(["binary"] * 4, [10] * 4, [np.nan] * 4, [np.nan] * 4, ["none", "full", "full", "none"],
                      t_level=["none", "none", "full", "full"])
    assert list(out.reference) == [10, 0, 10, 0] and list(out.met) == [1, 0, 1, 0]


def test_zero_target_without_operator_must_stay_at_zero():
    kinds = infer_kind([None, None, ">="], ["quantitative"] * 3, [None] * 3, [0.0, 5.0, 0.0])
    assert list(kinds) == ["equal", "positive", "positive"]
    assert infer_kind([None], ["quantitative"], [None], [0.0], implicit_op_zero=">=")[0] == "positive"
