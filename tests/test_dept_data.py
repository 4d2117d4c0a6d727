"""The department data model (dept-overall.md §8.1): units.csv checks, dept_basic.csv checks and consolidation,
and the formula indicators against hand-computed values (§3 worked examples), a typed value kept and a difference
flagged."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from perfeval.dept import (FORMULAS, check_basic, check_reported, check_units, consolidate, derive, read_basic,
                           read_units, split_problems)
from perfeval.errors import InputError


def units_frame(**changes):
    frame = pd.DataFrame({"unit_id": ["D1", "U1", "U2", "D2"], "unit_name": ["局机关", "中心甲", "中心乙", "委机关"],
                          "department_id": ["D1", "D1", "D1", "D2"], "level": ["1", "2", "2", "1"],
                          "parent_id": [None, "D1", "D1", None]})
    for col, (row, value) in changes.items():
        frame.loc[row, col] = value
    return frame


def test_a_valid_hierarchy_is_read_with_depths(tmp_path):
    path = tmp_path / "units.csv"
    units_frame().to_csv(path, index=False, encoding="gb18030")
    units = read_units(path)
    assert units.set_index("unit_id")["depth"].to_dict() == {"D1": 0, "U1": 1, "U2": 1, "D2": 0}
    assert units["level"].dtype.kind == "i"


@pytest.mark.parametrize("changes, column, row, words", [
    ({"unit_id": (2, "U1")}, "unit_id", 4, "重复"),                       # listed twice: two parents
    ({"level": (1, "3")}, "level", 3, "级次"),
    ({"department_id": (0, "D9")}, "department_id", 2, "一级预算单位即部门本身"),
    ({"parent_id": (1, None)}, "parent_id", 3, "须填写上级单位"),
    ({"parent_id": (1, "X9")}, "parent_id", 3, "不在单位清单"),
    ({"parent_id": (1, "D2")}, "parent_id", 3, "另一个部门"),
    ({"parent_id": (3, "D1")}, "parent_id", 5, "不应有上级"),
])
def test_bad_hierarchies_are_refused_naming_row_and_column(changes, column, row, words):
    with pytest.raises(InputError) as info:
        check_units(units_frame(**changes))
    msg = str(info.value)
    assert words in msg and f"列 {column}" in msg and f"第 {row} 行" in msg and "units.csv" in msg


def test_a_cycle_of_parents_is_refused():
    frame = units_frame(parent_id=(1, "U2"))
    frame.loc[2, "parent_id"] = "U1"
    with pytest.raises(InputError, match="循环"):
        check_units(frame)


def basic_frame():
    return pd.DataFrame({
        "unit_id": ["D1", "U1", "U2"], "year": ["2021"] * 3,
        "budget_initial": ["1000", "500", "300"], "budget_full_year": ["1150", "500", "300"],
        "spent": ["1100", "480", "290"], "adjustment": ["150", "4", ""],
        "budget_personnel": ["600", "300", "200"], "budget_public": ["250", "100", "50"],
        "budget_project": ["300", "100", "50"],
        "staff_quota": ["50", "20", "10"], "staff_actual": ["52", "19", "10"],
        "sangong_budget": ["27", "5", "3"], "sangong_budget_last": ["25", "5", "3"],
        "procurement_budget": ["200", "", "50"], "procurement_spent": ["196", "", "35"],
    })


def test_formulas_match_hand_computed_values():
    """§3 worked examples: 三公 27.0 on 25.0 → +8.00 %; 追加 150 on 年初 1,000 → 15.00 %; 调剂 4 on 年初 500 → 0.80 %."""
    units = check_units(units_frame())
    basic = check_basic(basic_frame(), units)
    d = derive(basic).set_index(["unit_id", "formula"])["value"]
    assert d["D1", "sangong_change"] == pytest.approx(8.0)
    assert d["D1", "budget_adjustment"] == pytest.approx(15.0)
    assert d["U1", "budget_adjustment"] == pytest.approx(0.8)
    assert d["D1", "staff_control"] == pytest.approx(104.0)
    assert d["D1", "procurement_rate"] == pytest.approx(98.0)
    assert d["U2", "procurement_rate"] == pytest.approx(70.0)
    assert d["D1", "completion"] == pytest.approx(1100 / 1150 * 100)


def test_absent_inputs_give_no_value_and_say_why():
    units = check_units(units_frame())
    d = derive(check_basic(basic_frame(), units)).set_index(["unit_id", "formula"])
    assert np.isnan(d.loc[("U2", "budget_adjustment"), "value"])
    assert d.loc[("U2", "budget_adjustment"), "missing"] == "未提供预算调整数（追加、调减的绝对额合计）"
    assert np.isnan(d.loc[("U1", "assets_use"), "value"]) and "未提供" in d.loc[("U1", "assets_use"), "missing"]
    # consolidated: U1 gave no procurement figures, so the department's rate is not a sum of what was given
    cons = consolidate(check_basic(basic_frame(), units), units)
    dd = derive(cons, "department_id").set_index(["department_id", "formula"])
    assert np.isnan(dd.loc[("D1", "procurement_rate"), "value"])
    assert dd.loc[("D1", "procurement_rate"), "missing"] == "部分单位未提供数据，不汇总计算"
    assert dd.loc[("D1", "staff_control"), "value"] == pytest.approx(81 / 80 * 100)  # ratio of sums


def test_every_formula_has_a_source_and_inputs_of_the_data_sheet():
    for f in FORMULAS.values():
        assert f.source.startswith("§3") and f.direction in ("lower", "higher")
        assert "×" in f.text()


def test_a_typed_value_is_kept_and_a_difference_flagged():
    units = check_units(units_frame())
    derived = derive(check_basic(basic_frame(), units))
    rows = pd.DataFrame({"unit_id": ["D1", "U1", "U2", "D1"],
                         "level3": ["财政供养人员控制率", "“三公经费”变动率", "政府采购执行率", "实际完成率"],
                         "actual": ["100%", "0.00%", None, "95%"]})
    out = check_reported(rows, derived).set_index("unit_id", append=True)
    assert out["actual_value"].tolist() == [100.0, 0.0, 70.0, 95.0]  # typed kept; blank filled from the sheet
    assert out["actual_source"].tolist() == ["表内填报", "表内填报", "基础数据表计算", "表内填报"]
    assert out["differs"].tolist() == [True, False, False, False]  # 104 computed vs 100 typed


def test_data_sheet_checks(tmp_path):
    units = check_units(units_frame())
    bad = basic_frame()
    bad.loc[1, "spent"] = "四百八十"
    with pytest.raises(InputError, match="spent") as info:
        check_basic(bad, units)
    assert "第 3 行" in str(info.value)
    dup = pd.concat([basic_frame(), basic_frame().iloc[[1]]], ignore_index=True)
    with pytest.raises(InputError, match="一行"):
        check_basic(dup, units)
    stranger = basic_frame()
    stranger.loc[2, "unit_id"] = "X1"
    with pytest.raises(InputError, match="units.csv"):
        check_basic(stranger, units)
    path = tmp_path / "dept_basic.csv"
    basic_frame().drop(columns=["spent"]).to_csv(path, index=False)
    with pytest.raises(InputError, match="缺少列 spent"):
        read_basic(path)


def test_split_problems_and_consolidation():
    units = check_units(units_frame())
    basic = check_basic(basic_frame(), units)
    assert split_problems(basic).empty  # 600 + 250 + 300 = 1150 …
    off = basic_frame()
    off.loc[1, "budget_project"] = "1500"  # 元: beyond the 0.01 万元 tolerance
    problems = split_problems(check_basic(off, units))
    assert problems["unit_id"].tolist() == ["U1"] and problems["difference"].tolist() == [-1400.0]
    cons = consolidate(basic, units).set_index("department_id")
    assert cons.loc["D1", "budget_full_year"] == 1950 and cons.loc["D1", "n_units"] == 3
    assert cons.loc["D1", "n_given_procurement_budget"] == 2
