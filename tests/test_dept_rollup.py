"""Roll-up of units into their department (dept-overall.md §5, §8.5): the §5.1 worked example under each named
rule, coverage checks, both views and their grades, ranking and treatment; properties — weights sum to 1, the
roll-up of one unit is that unit, reordering units changes nothing."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval.dept import RollupRule, check_basic, check_units, consequences, evaluate, rank_departments, rollup
from perfeval.errors import InputError


def hierarchy(n_units=2, dept="D1"):
    ids = [dept] + [f"{dept}-U{i}" for i in range(1, n_units + 1)]
    return check_units(pd.DataFrame({"unit_id": ids, "unit_name": ids, "department_id": dept,
                                     "level": [1] + [2] * n_units, "parent_id": [None] + [dept] * n_units}))


def sheet(units, money, **cols):
    frame = pd.DataFrame({"unit_id": units["unit_id"], "year": 2021, "budget_initial": money,
                          "budget_full_year": money, "spent": money, **cols})
    return check_basic(frame, units)


def procurement_rows():
    """§5.1: units with 全年预算数 300 and 100 report 政府采购执行率 98 % and 70 %; target ≥ 90 %, A = 4."""
    return pd.DataFrame({"entity": "unit", "unit_id": ["D1-U1", "D1-U2"], "level1": "过程", "level2": "预算执行",
                         "level3": "政府采购执行率", "target": "≥90%", "actual": ["98%", "70%"], "points": 4.0,
                         "score": [4.0, 70 / 90 * 4]})


def test_the_worked_example_aggregate_first_and_score_first():
    units = hierarchy()
    basic = sheet(units, [0, 300, 100])
    g = rollup(units, procurement_rows(), basic).groups.iloc[0]
    assert g["actual"] == pytest.approx(91.0) and g["score"] == pytest.approx(4.0)
    assert g["method"] == "先汇总完成数，再计算得分"
    assert round(g["score_first"], 2) == 3.78 and round(g["score_first_plain"], 2) == 3.56
    s = rollup(units, procurement_rows(), basic, "score_first").groups.iloc[0]
    assert round(s["score"], 2) == 3.78 and s["method"] == "先逐单位计分，再按资金额度加权平均"


def test_ratio_of_sums_recomputes_the_formula_on_the_summed_sheet():
    units = hierarchy()
    basic = sheet(units, [0, 300, 100], procurement_budget=[0, 100, 100], procurement_spent=[0, 98, 70])
    r = rollup(units, procurement_rows(), basic, "ratio_of_sums")
    g = r.groups.iloc[0]
    assert g["actual"] == pytest.approx(84.0) and g["actual_rule"] == "汇总后分子/分母重新计算"
    assert g["score"] == pytest.approx(84 / 90 * 4)
    assert "相对值按汇总后的分子/分母重新计算" in r.conventions()["汇总规则 (roll-up rule)"]


def test_amounts_add_and_qualitative_rows_weigh_score_shares():
    units = hierarchy()
    rows = pd.DataFrame({"entity": "unit", "unit_id": ["D1-U1", "D1-U2"] * 2, "level1": "产出指标",
                         "level2": ["数量指标"] * 2 + ["质量指标"] * 2, "level3": ["办件数"] * 2 + ["服务质量"] * 2,
                         "target": ["≥100件", "≥30件", "高", "高"], "actual": ["90件", "45件", "高", "较高"],
                         "points": [10, 10, 5, 5], "score": [9.0, 10.0, 5.0, 4.0]})
    g = rollup(units, rows, sheet(units, [0, 300, 100])).groups.set_index("level3")
    assert g.loc["办件数", "measure"] == "amount" and g.loc["办件数", "actual"] == 135 and g.loc["办件数", "target"] == 130
    assert g.loc["办件数", "score"] == 10  # 135 ≥ 130: the department met its summed target
    assert g.loc["服务质量", "measure"] == "qualitative"
    assert g.loc["服务质量", "score"] == pytest.approx(5 * (0.75 * 1.0 + 0.25 * 0.8))


def test_coefficient_rows_roll_up_by_score_shares_not_by_re_scoring():
    """重庆 得分系数 rows [D14]: the unit's score is 权重 × 系数, a judgement; the department takes its money-weighted mean."""
    units = hierarchy()
    rows = procurement_rows().assign(rule="coefficient", coefficient=[100.0, 50.0], score=[4.0, 2.0])
    g = rollup(units, rows, sheet(units, [0, 300, 100])).groups.iloc[0]
    assert g["score"] == pytest.approx(0.75 * 4 + 0.25 * 2)
    assert g["method"] == "得分系数或评议类规则：得分率按资金额度加权平均"


def test_rows_of_other_years_are_left_out_and_a_published_department_form_is_set_beside():
    units = hierarchy()
    rows = pd.concat([procurement_rows().assign(year=2021),
                      procurement_rows().assign(year=2020, actual=["10%", "10%"], score=[0.4, 0.4]),
                      pd.DataFrame({"entity": ["department"], "unit_id": ["D1"], "level1": "过程", "level2": "预算执行",
                                    "level3": "政府采购执行率", "points": 4.0, "score": 3.5, "year": 2021})],
                     ignore_index=True)
    r = rollup(units, rows, sheet(units, [0, 300, 100]))
    assert r.groups.iloc[0]["actual"] == pytest.approx(91.0)  # 2020's rows did not enter
    assert r.departments.iloc[0]["published_total"] == 3.5 and r.departments.iloc[0]["consolidated_total"] == 4.0


def test_a_typed_rate_that_disagrees_with_the_data_sheet_is_kept_and_flagged():
    units = hierarchy()
    basic = sheet(units, [0, 300, 100], procurement_budget=[0, 100, 100], procurement_spent=[0, 98, 60])
    r = rollup(units, procurement_rows(), basic)
    assert r.rows.set_index("unit_id").loc["D1-U2", "a"] == 70.0  # as reported
    assert r.coverage.differs["unit_id"].tolist() == ["D1-U2"]
    assert r.coverage.differs["difference"].tolist() == pytest.approx([10.0])
    blank = procurement_rows().assign(actual=[None, None])
    filled = rollup(units, blank, basic).rows
    assert filled["a"].tolist() == [98.0, 60.0] and set(filled["actual_source"]) == {"基础数据表计算"}


def test_coverage_lists_units_with_money_and_no_form_and_money_blocks_that_do_not_add_up():
    units = hierarchy(3)
    basic = sheet(units, [0, 300, 100, 50])
    blocks = pd.DataFrame({"department_id": ["D1"], "budget_full_year": [450.0], "spent": [650.0]})
    r = rollup(units, procurement_rows(), basic, blocks=blocks,
               projects=pd.DataFrame({"project_id": ["P1"], "unit_id": ["D1-U1"]}))
    c = r.coverage
    assert c.missing_forms["unit_id"].tolist() == ["D1-U3"] and "未提交" in c.missing_forms["note"].iloc[0]
    assert c.money_block["field"].tolist() == ["spent"]  # 650 vs 450 元 (the budget matches)
    assert c.missing_projects["project_id"].tolist() == ["P1"]
    assert not c.ok() and c.summary()["有资金未提交自评表的单位"] == 1
    # the unit without a form is not weighted in: its department's shares come from the units that reported
    assert r.weights["share"].sum() == pytest.approx(1.0)


def test_a_unit_with_a_form_but_no_money_leaves_the_department_unweighted():
    units = hierarchy()
    basic = sheet(units, [0, 300, 100])
    r = rollup(units, procurement_rows(), basic[basic["unit_id"] != "D1-U2"])  # U2 has no data-sheet row
    assert r.coverage.no_money["unit_id"].tolist() == ["D1-U2"]
    assert r.weights["share"].isna().all()
    assert np.isnan(r.departments["mean_of_units"].iloc[0])  # no silent number


def test_both_views_and_a_flag_where_their_grades_differ():
    """Unit-only indicators weigh by money: the consolidated total and the mean of unit totals can part."""
    units = hierarchy()
    rows = pd.DataFrame({"entity": "unit", "unit_id": ["D1-U1", "D1-U1", "D1-U2", "D1-U2"], "level1": "产出指标",
                         "level2": "数量指标", "level3": ["甲", "乙", "甲", "丙"],
                         "target": ["≥100", "≥10", "≥100", "≥10"], "actual": ["100", "10", "50", "10"],
                         "points": [50, 50, 50, 50], "score": [50, 50, 25, 50]})
    r = rollup(units, rows, sheet(units, [0, 300, 100]))
    d = r.departments.iloc[0]
    assert d["mean_of_units"] == pytest.approx(0.75 * 100 + 0.25 * 75)  # 93.75 → 优
    # 甲 is an amount: 150 of 200 → 0.75 × its 50 points; 乙 and 丙 keep their money share of 50 points each
    assert d["consolidated_total"] == pytest.approx(0.75 * 50 + 37.5 + 12.5)  # 87.5 → 良
    assert r.groups["points"].sum() == pytest.approx(100)
    assert (d["grade_consolidated"], d["grade_mean_of_units"], d["grades_differ"]) == ("良", "优", True)


def test_grades_differ_flag():
    units = hierarchy()
    rows = pd.DataFrame({"entity": "unit", "unit_id": ["D1-U1", "D1-U2"], "level1": "产出指标", "level2": "数量指标",
                         "level3": "办件数", "target": ["≥100", "≥100"], "actual": ["100", "60"], "points": 100,
                         "score": [100.0, 60.0]})
    r = rollup(units, rows, sheet(units, [0, 100, 100]))
    d = r.departments.iloc[0]  # amounts add: 160 of 200 → 80 (良); units 100 and 60 → mean 80 (良)
    assert d["consolidated_total"] == pytest.approx(80) and d["mean_of_units"] == pytest.approx(80)
    rows["target"] = ["≥100", "≥40"]  # targets add to 140: 160 ≥ 140 → 100 (优); units 100 and 60 → 80 (良)
    d = rollup(units, rows, sheet(units, [0, 100, 100])).departments.iloc[0]
    assert d["grade_consolidated"] == "优" and d["grade_mean_of_units"] == "良" and d["grades_differ"]


def test_ranking_grades_and_treatment():
    deps = pd.DataFrame({"department_id": ["A", "B", "C", "D"], "consolidated_total": [91.0, 85.0, 91.0, np.nan]})
    units = pd.DataFrame({"department_id": ["A", "A", "B"], "unit_id": ["a1", "a2", "b1"], "total": [70.0, 90.0, 88.0]})
    r = rank_departments(deps, units)
    assert r.departments["department_id"].tolist() == ["A", "C", "B", "D"]
    assert r.departments["rank"].tolist()[:3] == [1, 1, 3] and pd.isna(r.departments["rank"].iloc[3])
    assert r.units.set_index("unit_id")["rank_in_department"].to_dict() == {"a2": 1, "a1": 2, "b1": 1}
    with pytest.raises(InputError):
        rank_departments(deps, units, by="nope")
    t = consequences(pd.DataFrame({"unit_id": ["a", "b", "c", "d", "e"], "grade": ["优", "良", "中", "差", None]}),
                     cut_share=0.2)
    assert t["treatment"].tolist() == ["优先保障", "据实合理保障", "一定比例核减", "取消或暂停下一年度预算安排",
                                       "无等级（数据不全），不作结论"]
    assert t["cut_share"].tolist()[:4] == [0.0, 0.0, 0.2, 1.0] and np.isnan(t["cut_share"].iloc[4])


def test_evaluate_checks_raw_frames_and_prints_the_rule():
    units = hierarchy()
    raw_basic = pd.DataFrame({"unit_id": units["unit_id"], "year": "2021", "budget_initial": ["0", "300", "100"],
                              "budget_full_year": ["0", "300", "100"], "spent": ["0", "300", "100"]})
    e = evaluate(units.drop(columns="depth"), procurement_rows(), raw_basic)
    assert e.ranking.departments["rank"].tolist() == [1]
    conv = e.conventions()
    assert conv["汇总规则 (roll-up rule)"].startswith("汇总规则 aggregate_first") and "排序依据" in conv
    with pytest.raises(InputError, match="未知的汇总规则"):
        rollup(units, procurement_rows(), check_basic(raw_basic, units), "mean")
    with pytest.raises(InputError):
        RollupRule(weight="money")


# ----------------------------------------------------------------------------- properties
@st.composite
def departments(draw, max_units=6):
    n = draw(st.integers(min_value=1, max_value=max_units))
    money = draw(st.lists(st.floats(min_value=1, max_value=1e7), min_size=n, max_size=n))
    targets = draw(st.lists(st.floats(min_value=1, max_value=100), min_size=n, max_size=n))
    actuals = draw(st.lists(st.floats(min_value=0, max_value=150), min_size=n, max_size=n))
    shares = draw(st.lists(st.floats(min_value=0, max_value=1), min_size=n, max_size=n))
    return n, money, targets, actuals, shares


def _case(n, money, targets, actuals, shares):
    units = hierarchy(n)
    ids = units.loc[units["level"] == 2, "unit_id"].tolist()
    t, a = np.asarray(targets), np.asarray(actuals)
    rate_score = np.minimum(a / t, 1.0) * 10  # the positive rule's own score: a unit scored by the rule
    rows = pd.concat([
        pd.DataFrame({"entity": "unit", "unit_id": ids, "level1": "产出", "level2": "质量", "level3": "达标率",
                      "target_value": t, "actual_value": a, "op": ">=", "unit": "%", "points": 10.0,
                      "score": rate_score}),
        pd.DataFrame({"entity": "unit", "unit_id": ids, "level1": "效益", "level2": "社会效益", "level3": "群众评价",
                      "target": "显著", "actual": "较好", "points": 20.0, "score": np.asarray(shares) * 20}),
    ], ignore_index=True)
    basic = sheet(units, [0.0] + list(money))
    return units, rows, basic


@settings(max_examples=30, deadline=None)
@given(departments())
def test_weights_sum_to_one(case):
    r = rollup(*_case(*case))
    assert r.weights["share"].sum() == pytest.approx(1.0)
    assert r.rows.groupby("indicator")["weight"].sum().to_numpy() == pytest.approx(1.0)


@settings(max_examples=30, deadline=None)
@given(departments(max_units=1))
def test_the_rollup_of_one_unit_is_that_unit(case):
    units, rows, basic = _case(*case)
    r = rollup(units, rows, basic)
    g = r.groups.set_index("level3")
    one = rows.set_index("level3")
    assert g.loc["达标率", "actual"] == pytest.approx(one.loc["达标率", "actual_value"])
    assert g.loc["达标率", "target"] == pytest.approx(one.loc["达标率", "target_value"])
    assert g["score"].to_numpy() == pytest.approx(one.loc[g.index, "score"].to_numpy())
    d = r.departments.iloc[0]
    assert d["consolidated_total"] == pytest.approx(rows["score"].sum())
    assert d["mean_of_units"] == pytest.approx(rows["score"].sum())
    assert not d["grades_differ"]


@settings(max_examples=25, deadline=None)
@given(departments(), st.randoms(use_true_random=False))
def test_reordering_units_changes_nothing(case, rnd):
    units, rows, basic = _case(*case)
    before = rollup(units, rows, basic)
    order = list(range(len(rows)))
    rnd.shuffle(order)
    u_order = list(range(len(units)))
    rnd.shuffle(u_order)
    after = rollup(units.iloc[u_order], rows.iloc[order], basic.iloc[::-1])
    pd.testing.assert_frame_equal(before.groups, after.groups, check_exact=False, rtol=1e-9)
    pd.testing.assert_frame_equal(before.departments, after.departments, check_exact=False, rtol=1e-9)
    pd.testing.assert_frame_equal(before.units.sort_values("unit_id").reset_index(drop=True),
                                  after.units.sort_values("unit_id").reset_index(drop=True), check_exact=False,
                                  rtol=1e-9)
