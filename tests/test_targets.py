"""Tests for perfeval.targets: parsing 年度指标值 / 实际完成值 cells.

The table-driven cases are texts as printed in published self-evaluation and target tables:

* [S5] 池州市贵池区棠溪镇人民政府, 项目支出绩效自评表 (2022年度), 委托业务项目 — "≥50个", "≥100百分比",
  "≤90万元", "达成预期指标", "效果明显", "严格执行相关制度规定", "在项目计划完成时间内完成".
  http://www.anthempetcare.com/upload_cz/download?id=502364&siteId=2
* [S6] 永德县, 2022年项目支出绩效自评表 — "≧735人次" (受资助人数), "≥95%" (满意度).
  https://www.yongde.gov.cn/info/3003/116104.htm
* [S40] transfer-payment target declaration (高标准农田) as summarised in /work/shared/domain.md §4.1 and §9:
  "≥100公里", "≥20座", "1600元/亩", "≥500人", "≥1000人", "≥500亩", "≥20年", "≥95%", "100%".
* [S38] 宁晋 / 青山 education targets (domain.md §9): "2100", "780元/生/年", "≥90%", "均衡发展稳步提高".
* 德阳 (dyrmt.com) published indicator sheet, https://dyrmt.com/article-132779-22.html — "足额保障率=100%",
  "科目调整次数≤10次", "结余率(计算方法为:结余数/预算数)≤5%" (targets inside the indicator text).
* /work/shared/real-tables.md "Layouts and parsing hazards" — "≥266米", "215,457.6", "2023年12月", "=0件",
  blank markers "—", "-", "/", "无", units "百分比" and "%(百分比)".
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import string
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from perfeval.errors import InputError
from perfeval.targets import (
    COLUMNS, KINDS, LEVEL_SEVERITY, LEVEL_WORDS, OPERATOR_WORDS, UNIT_FACTORS, Target,
    normalise_unit, parse_target, parse_values, target_range, to_base,
)

Q, L, D, U, B = "quantitative", "qualitative", "date", "unparsed", "blank"

# text, op, value, unit, kind, base_value, base_unit, level
CASES = [
    # [S5] 棠溪镇 2022
    ("≥50个", ">=", 50.0, "个", Q, 50.0, "个", None),
    ("≥100百分比", ">=", 100.0, "%", Q, 100.0, "%", None),
    ("≤90万元", "<=", 90.0, "万元", Q, 900000.0, "元", None),
    ("90", None, 90.0, None, Q, 90.0, None, None),
    ("达成预期指标", None, None, None, L, None, None, "full"),
    ("效果明显", None, None, None, L, None, None, "full"),
    ("严格执行相关制度规定", None, None, None, L, None, None, None),
    ("在项目计划完成时间内完成", None, None, None, L, None, None, "full"),
    # [S6] 永德 2022
    ("≧735人次", ">=", 735.0, "人次", Q, 735.0, "人次", None),
    ("≥95%", ">=", 95.0, "%", Q, 95.0, "%", None),
    # [S40] 高标准农田 declaration
    ("≥100公里", ">=", 100.0, "公里", Q, 100.0, "公里", None),
    ("≥20座", ">=", 20.0, "座", Q, 20.0, "座", None),
    ("1600元/亩", None, 1600.0, "元/亩", Q, 1600.0, "元/亩", None),
    ("≥500人", ">=", 500.0, "人", Q, 500.0, "人", None),
    ("≥500亩", ">=", 500.0, "亩", Q, 500.0, "亩", None),
    ("≥20年", ">=", 20.0, "年", Q, 20.0, "年", None),
    ("100%", None, 100.0, "%", Q, 100.0, "%", None),
    # [S38] education
    ("2100", None, 2100.0, None, Q, 2100.0, None, None),
    ("780元/生/年", None, 780.0, "元/生/年", Q, 780.0, "元/生/年", None),
    ("≥90%", ">=", 90.0, "%", Q, 90.0, "%", None),
    ("均衡发展稳步提高", None, None, None, L, None, None, "full"),
    # 德阳 sheet
    ("=100%", "=", 100.0, "%", Q, 100.0, "%", None),
    ("≤10次", "<=", 10.0, "次", Q, 10.0, "次", None),
    ("≤5%", "<=", 5.0, "%", Q, 5.0, "%", None),
    # real-tables.md hazards
    ("≥266米", ">=", 266.0, "米", Q, 266.0, "米", None),
    ("215,457.6", None, 215457.6, None, Q, 215457.6, None, None),
    ("215,457.6元", None, 215457.6, "元", Q, 215457.6, "元", None),
    ("215，457.6元", None, 215457.6, "元", Q, 215457.6, "元", None),
    ("1,234,567.89元", None, 1234567.89, "元", Q, 1234567.89, "元", None),
    ("=0件", "=", 0.0, "件", Q, 0.0, "件", None),
    ("95%(百分比)", None, 95.0, "%", Q, 95.0, "%", None),
    ("2023年12月", None, 20231231.0, "date", D, 20231231.0, "date", None),
    # operators in all spellings
    (">=95%", ">=", 95.0, "%", Q, 95.0, "%", None),
    ("＞＝90%", ">=", 90.0, "%", Q, 90.0, "%", None),
    ("⩾95%", ">=", 95.0, "%", Q, 95.0, "%", None),
    ("大于等于95%", ">=", 95.0, "%", Q, 95.0, "%", None),
    ("不低于90%", ">=", 90.0, "%", Q, 90.0, "%", None),
    ("不少于20座", ">=", 20.0, "座", Q, 20.0, "座", None),
    ("≦5%", "<=", 5.0, "%", Q, 5.0, "%", None),
    ("<=90万元", "<=", 90.0, "万元", Q, 900000.0, "元", None),
    ("＜＝10次", "<=", 10.0, "次", Q, 10.0, "次", None),
    ("⩽5%", "<=", 5.0, "%", Q, 5.0, "%", None),
    ("小于等于5%", "<=", 5.0, "%", Q, 5.0, "%", None),
    ("不高于10%", "<=", 10.0, "%", Q, 10.0, "%", None),
    ("不超过90万元", "<=", 90.0, "万元", Q, 900000.0, "元", None),
    ("═100%", "=", 100.0, "%", Q, 100.0, "%", None),
    ("＝100%", "=", 100.0, "%", Q, 100.0, "%", None),
    ("等于100%", "=", 100.0, "%", Q, 100.0, "%", None),
    (">90%", ">=", 90.0, "%", Q, 90.0, "%", None),
    ("<5%", "<=", 5.0, "%", Q, 5.0, "%", None),
    ("95%以上", ">=", 95.0, "%", Q, 95.0, "%", None),
    ("90万元以内", "<=", 90.0, "万元", Q, 900000.0, "元", None),
    # full-width, spaces, percent spellings, money units
    ("９５％", None, 95.0, "%", Q, 95.0, "%", None),
    ("95 %", None, 95.0, "%", Q, 95.0, "%", None),
    (" ≥ 9 5 ％ ", ">=", 95.0, "%", Q, 95.0, "%", None),
    ("5‰", None, 5.0, "‰", Q, 0.5, "%", None),
    ("1.2亿元", None, 1.2, "亿元", Q, 1.2e8, "元", None),
    ("30千元", None, 30.0, "千元", Q, 30000.0, "元", None),
    ("5万元/公里", None, 5.0, "万元/公里", Q, 5.0, "万元/公里", None),
    ("-5%", None, -5.0, "%", Q, -5.0, "%", None),
    ("≤-3.5%", "<=", -3.5, "%", Q, -3.5, "%", None),
    # trailing words, units first, odd spacing
    ("100%（已完成）", None, 100.0, "%", Q, 100.0, "%", None),
    ("约500亩", None, 500.0, "亩", Q, 500.0, "亩", None),
    ("人数 2100人", None, 2100.0, "人", Q, 2100.0, "人", None),
    ("500余人", None, 500.0, "人", Q, 500.0, "人", None),
    ("3天内", "<=", 3.0, "天", Q, 3.0, "天", None),
    ("(万元)90", None, 90.0, "万元", Q, 900000.0, "元", None),
    ("第3季度完成80%", None, 80.0, "%", Q, 80.0, "%", None),
    ("2023年完成道路硬化5公里", None, 5.0, "公里", Q, 5.0, "公里", None),
    ("2023.12万元", None, 2023.12, "万元", Q, 20231200.0, "元", None),
    ("2000.5", None, 2000.5, None, Q, 2000.5, None, None),
    # ranges: op None, value = lower bound
    ("90%-95%", None, 90.0, "%", Q, 90.0, "%", None),
    ("90~100", None, 90.0, None, Q, 90.0, None, None),
    ("3至5年", None, 3.0, "年", Q, 3.0, "年", None),
    # dates: end of the period written
    ("2023年12月底", None, 20231231.0, "date", D, 20231231.0, "date", None),
    ("2023年12月31日前", "<=", 20231231.0, "date", D, 20231231.0, "date", None),
    ("2023年12月底前完成", "<=", 20231231.0, "date", D, 20231231.0, "date", None),
    ("2023-12-31", None, 20231231.0, "date", D, 20231231.0, "date", None),
    ("2023/12/31", None, 20231231.0, "date", D, 20231231.0, "date", None),
    ("2023.12", None, 20231231.0, "date", D, 20231231.0, "date", None),
    ("2023-12", None, 20231231.0, "date", D, 20231231.0, "date", None),
    ("2024年2月", None, 20240229.0, "date", D, 20240229.0, "date", None),
    ("2023年", None, 20231231.0, "date", D, 20231231.0, "date", None),
    ("2023年底", None, 20231231.0, "date", D, 20231231.0, "date", None),
    ("2023年6月15日", None, 20230615.0, "date", D, 20230615.0, "date", None),
    ("已于2023年11月20日完工", None, 20231120.0, "date", D, 20231120.0, "date", None),
    ("2023年第三季度", None, 20230930.0, "date", D, 20230930.0, "date", None),
    ("2023年上半年", None, 20230630.0, "date", D, 20230630.0, "date", None),
    ("≤2023年10月", "<=", 20231031.0, "date", D, 20231031.0, "date", None),
    ("12月底前", None, None, None, U, None, None, None),
    ("年底前", None, None, None, U, None, None, None),
    ("2023年2月30日", None, None, None, U, None, None, None),
    ("2023年1月至2023年12月", None, None, None, U, None, None, None),
    ("百分之九十五", None, None, None, U, None, None, None),
    ("≥", None, None, None, U, None, None, None),
    # qualitative levels (real-tables.md §5, domain.md §1.4)
    ("有效", None, None, None, L, None, None, "full"),
    ("显著提升", None, None, None, L, None, None, "full"),
    ("及时", None, None, None, L, None, None, "full"),
    ("是", None, None, None, L, None, None, "full"),
    ("满意", None, None, None, L, None, None, "full"),
    ("良好", None, None, None, L, None, None, "full"),
    ("2023年度任务已全部完成", None, None, None, L, None, None, "full"),
    ("已完成，无滞后", None, None, None, L, None, None, "full"),
    ("基本达到", None, None, None, L, None, None, "basic"),
    ("基本完成", None, None, None, L, None, None, "basic"),
    ("基本满意", None, None, None, L, None, None, "basic"),
    ("较好", None, None, None, L, None, None, "basic"),
    ("部分达成", None, None, None, L, None, None, "partial"),
    ("部分达成预期指标", None, None, None, L, None, None, "partial"),
    ("有所提高", None, None, None, L, None, None, "partial"),
    ("一般", None, None, None, L, None, None, "partial"),
    ("未达成预期指标", None, None, None, L, None, None, "none"),
    ("未完成", None, None, None, L, None, None, "none"),
    ("否", None, None, None, L, None, None, "none"),
    ("无效", None, None, None, L, None, None, "none"),
    ("不合格", None, None, None, L, None, None, "none"),
    ("不满意", None, None, None, L, None, None, "none"),
    ("较差", None, None, None, L, None, None, "none"),
    ("工程进度滞后", None, None, None, L, None, None, "none"),
    ("满意度未达到", None, None, None, L, None, None, "none"),
    # blank markers
    ("—", None, None, None, B, None, None, None),
    ("－", None, None, None, B, None, None, None),
    ("-", None, None, None, B, None, None, None),
    ("--", None, None, None, B, None, None, None),
    ("/", None, None, None, B, None, None, None),
    ("／", None, None, None, B, None, None, None),
    ("无", None, None, None, B, None, None, None),
    ("", None, None, None, B, None, None, None),
    ("   ", None, None, None, B, None, None, None),
]

FIELDS = ("op", "value", "unit", "kind", "base_value", "base_unit", "level")


def test_case_table_is_large_and_distinct():
    texts = [case[0] for case in CASES]
    assert len(set(texts)) == len(texts) >= 60


@pytest.mark.parametrize("text, op, value, unit, kind, base_value, base_unit, level", CASES)
def test_real_texts(text, op, value, unit, kind, base_value, base_unit, level):
    t = parse_target(text)
    assert t == Target(raw=text, op=op, value=value, unit=unit, kind=kind, base_value=base_value,
                       base_unit=base_unit, level=level, from_name=False)


def test_target_is_immutable():
    t = parse_target("≥95%")
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.value = 90.0


def test_real_texts_through_parse_values_match_table():
    frame = parse_values(pd.Series([c[0] for c in CASES], index=[f"r{i}" for i in range(len(CASES))]))
    assert list(frame.columns) == list(COLUMNS)
    assert list(frame.index) == [f"r{i}" for i in range(len(CASES))]
    for (text, *expected), (_, row) in zip(CASES, frame.iterrows()):
        got = [None if (isinstance(v, float) and math.isnan(v)) else v for v in row[list(FIELDS)]]
        assert got == expected, text
    assert not frame["from_name"].any()


# --- non-text cells ---------------------------------------------------------------------------

@pytest.mark.parametrize("cell", [None, float("nan"), np.nan, pd.NA, pd.NaT, np.float64("nan")])
def test_missing_cells_are_blank_with_raw_none(cell):
    assert parse_target(cell) == Target(None, None, None, None, B, None, None, None)


def test_numbers_are_quantitative_without_unit():
    assert parse_target(95) == Target("95", None, 95.0, None, Q, 95.0, None, None)
    assert parse_target(0.95).value == 0.95
    assert parse_target(np.int64(7)).value == 7.0
    assert parse_target(Decimal("12.5")).value == 12.5
    assert parse_target(float("inf")).kind == U
    assert parse_target(10 ** 400).kind == U


def test_date_objects_are_dates():
    for cell in (dt.date(2023, 12, 31), dt.datetime(2023, 12, 31, 8, 0), pd.Timestamp("2023-12-31"),
                 np.datetime64("2023-12-31")):
        t = parse_target(cell)
        assert (t.kind, t.value, t.base_value, t.base_unit) == (D, 20231231.0, 20231231.0, "date")


def test_odd_objects_never_raise():
    for cell in ([1, 2], {"a": 1}, object(), b"\xff", complex(1, 2)):
        assert parse_target(cell).kind in KINDS


# --- targets written in the indicator name ------------------------------------------------------

@pytest.mark.parametrize("cell", [None, float("nan"), "", "—", "/", "无"])
def test_target_from_name_when_cell_blank(cell):
    t = parse_target(cell, name="年度资金支付完成率100%")
    assert (t.op, t.value, t.unit, t.kind, t.from_name) == (None, 100.0, "%", Q, True)
    assert t.raw == (None if not isinstance(cell, str) else cell)


@pytest.mark.parametrize("name, op, value, unit", [
    ("受益户满意度≥95%", ">=", 95.0, "%"),
    ("足额保障率=100%", "=", 100.0, "%"),
    ("科目调整次数≤10次", "<=", 10.0, "次"),
    ("结余率(计算方法为:结余数/预算数)≤5%", "<=", 5.0, "%"),
    ("资金到位率（≥95%）", ">=", 95.0, "%"),
    ("新建道路5公里", None, 5.0, "公里"),
    ("项目成本90万元以内", "<=", 90.0, "万元"),
])
def test_target_inside_name_variants(name, op, value, unit):
    """德阳 sheet (https://dyrmt.com/article-132779-22.html) writes targets into the indicator text."""
    t = parse_target(None, name=name)
    assert (t.op, t.value, t.unit, t.kind, t.from_name) == (op, value, unit, Q, True)


def test_date_target_inside_name():
    t = parse_target("—", name="项目完工时间2023年12月底前")
    assert (t.op, t.value, t.kind, t.from_name) == ("<=", 20231231.0, D, True)


@pytest.mark.parametrize("name", ["指标1", "指标2", "2023年度资金执行率", "受益人口", "其中：2023年", None,
                                  float("nan")])
def test_placeholder_and_plain_names_give_no_target(name):
    t = parse_target(None, name=name)
    assert (t.kind, t.from_name, t.value) == (B, False, None)


def test_name_is_ignored_when_cell_has_a_value():
    t = parse_target("≥90%", name="年度资金支付完成率100%")
    assert (t.op, t.value, t.from_name) == (">=", 90.0, False)
    assert parse_target("有效", name="完成率100%").from_name is False


# --- options: year, level words, ranges, units --------------------------------------------------

def test_year_parameter_dates_month_only_texts():
    assert parse_target("12月底前", year=2023) == Target("12月底前", "<=", 20231231.0, "date", D,
                                                     20231231.0, "date", None)
    assert parse_target("年底前", year=2024).value == 20241231.0
    assert parse_target("6月", year=2023).value == 20230630.0
    assert parse_target("第三季度", year=2023).value == 20230930.0
    assert parse_target("2月30日", year=2023).kind == U


def test_level_words_can_be_extended():
    assert parse_target("圆满").level is None
    words = {**LEVEL_WORDS, "full": LEVEL_WORDS["full"] + ("圆满",)}
    assert parse_target("圆满", level_words=words).level == "full"
    assert parse_values(pd.Series(["圆满", "有效"]), level_words=words)["level"].tolist() == ["full", "full"]
    with pytest.raises(InputError, match="未知的定性等级"):
        parse_target("有效", level_words={"excellent": ("好",)})


def test_level_words_are_data_and_unambiguous():
    assert set(LEVEL_WORDS) == set(LEVEL_SEVERITY)
    seen = [w for words in LEVEL_WORDS.values() for w in words]
    assert len(seen) == len(set(seen)), "a word is listed under two levels"
    for word in LEVEL_WORDS["basic"]:
        assert parse_target(word).level == "basic", word
    for word in LEVEL_WORDS["none"]:
        assert parse_target(word).level == "none", word


def test_target_range_bounds():
    assert target_range("90%-95%") == (90.0, 95.0)
    assert target_range("100~90") == (90.0, 100.0)
    assert target_range("≥95%") is None
    assert target_range(None) is None


def test_to_base_and_unit_factors():
    assert to_base(90, "万元") == (900000.0, "元")
    assert to_base(1.2, "亿元") == (120000000.0, "元")
    assert to_base(0.01, "万元") == (100.0, "元")
    assert to_base(95, "百分比") == (95.0, "%")
    assert to_base(5, "‰") == (0.5, "%")
    assert to_base(1600, "元/亩") == (1600.0, "元/亩")
    assert to_base(3, None) == (3.0, None)
    assert to_base(None, "万元") == (None, "元")
    assert UNIT_FACTORS["万元"] == ("元", 1e4)
    with pytest.raises(InputError):
        to_base("abc", "元")


def test_normalise_unit():
    assert normalise_unit("％") == "%"
    assert normalise_unit("%(百分比)") == "%"
    assert normalise_unit(" 万元 ") == "万元"
    assert normalise_unit("㎡") == "平方米"
    assert normalise_unit("") is None
    assert normalise_unit(None) is None


# --- parse_values ---------------------------------------------------------------------------------

def _row_as_target(frame: pd.DataFrame, i: int) -> tuple:
    row = frame.iloc[i]
    return tuple(None if (isinstance(row[c], float) and math.isnan(row[c])) else row[c] for c in COLUMNS)


def _target_tuple(t: Target) -> tuple:
    return (t.op, t.value, t.unit, t.kind, t.base_value, t.base_unit, t.level, t.from_name)


def test_parse_values_dtypes_and_index():
    s = pd.Series(["≥95%", None, 3, "有效"], index=[10, 20, 30, 40])
    frame = parse_values(s)
    assert list(frame.index) == [10, 20, 30, 40]
    assert frame["op"].dtype == object and frame["value"].dtype == float
    assert frame["from_name"].dtype == bool
    assert frame["op"].tolist() == [">=", None, None, None]
    assert frame["kind"].tolist() == [Q, B, Q, L]


def test_parse_values_names_fill_blank_rows_only():
    values = pd.Series([None, "—", "≥90%", np.nan, None])
    names = ["年度资金支付完成率100%", "受益户满意度≥95%", "完成率100%", "指标1", None]
    frame = parse_values(values, names)
    assert frame["from_name"].tolist() == [True, True, False, False, False]
    assert frame["value"].tolist()[:3] == [100.0, 95.0, 90.0]
    assert frame["kind"].tolist() == [Q, Q, Q, B, B]
    for i, (v, n) in enumerate(zip(values, names)):
        assert _row_as_target(frame, i) == _target_tuple(parse_target(v, n))


def test_parse_values_numeric_column_with_names():
    values = pd.Series([95.0, np.nan, np.inf, np.nan])
    frame = parse_values(values, names=["a", "年度资金支付完成率100%", "b", "c"])
    assert frame["kind"].tolist() == [Q, Q, U, B]
    assert frame["from_name"].tolist() == [False, True, False, False]
    assert frame["unit"].tolist() == [None, "%", None, None]


@pytest.mark.parametrize("dtype", ["str", "category", "object"])
def test_parse_values_string_dtypes_agree(dtype):
    texts = ["≥95%", "≤90万元", None, "有效", "2023年12月", "≥95%"]
    frame = parse_values(pd.Series(texts, dtype=dtype))
    for i, text in enumerate(texts):
        assert _row_as_target(frame, i) == _target_tuple(parse_target(text))


def test_parse_values_nullable_bool_and_datetime_columns():
    ints = parse_values(pd.Series([1, None, 3], dtype="Int64"))
    assert ints["kind"].tolist() == [Q, B, Q] and ints["value"].tolist()[::2] == [1.0, 3.0]
    bools = parse_values(pd.Series([True, False]))
    assert bools["value"].tolist() == [1.0, 0.0]
    dates = parse_values(pd.Series(pd.to_datetime(["2023-12-31", None, "2024-02-29"])))
    assert dates["kind"].tolist() == [D, B, D]
    assert dates["base_value"].tolist()[::2] == [20231231.0, 20240229.0]
    assert dates["base_unit"].tolist() == ["date", None, "date"]


def test_parse_values_accepts_lists_and_unhashable_cells():
    frame = parse_values(["≥95%", [1, 2], None])
    assert frame["kind"].tolist()[0] == Q and frame["kind"].tolist()[2] == B
    assert frame["kind"].tolist()[1] in KINDS


def test_parse_values_rejects_bad_arguments():
    with pytest.raises(InputError, match="长度不一致"):
        parse_values(pd.Series(["≥95%", None]), names=["a"])
    with pytest.raises(InputError, match="parse_values"):
        parse_values("≥95%")


def test_million_rows_from_200_strings_map_back_correctly():
    """1.2 million rows drawn from 200 distinct texts: each row equals the parse of its text."""
    pool = [c[0] for c in CASES]
    pool += [f"≥{i}件" for i in range(200 - len(pool))]
    assert len(set(pool)) == 200
    rng = np.random.default_rng(2024)
    picks = rng.integers(0, len(pool), size=1_200_000)
    frame = parse_values(pd.Series(np.array(pool, dtype=object)[picks]))
    assert len(frame) == 1_200_000
    expected = [_target_tuple(parse_target(text)) for text in pool]
    for position in rng.integers(0, 1_200_000, size=300):
        assert _row_as_target(frame, int(position)) == expected[picks[position]]
    quantitative = np.array([e[3] == Q for e in expected])
    assert (frame["kind"].to_numpy() == Q).sum() == quantitative[picks].sum()


# --- properties (hypothesis) --------------------------------------------------------------------

TOKENS = ["≥", "≤", "=", "＞＝", "不少于", "不超过", "%", "％", "万元", "元", "人次", "年", "月", "日", "底", "前",
          "2023", "12", "31", "9", "5", ".", ",", "，", "-", "~", "/", "—", "基本", "未", "完成", "达到", "无",
          "(", "）", " ", "百分比", "第", "季度", "e", "E", "+", "∞", "NaN", "万", "亿"]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(st.sampled_from(TOKENS), max_size=8).map("".join)),
       st.one_of(st.none(), st.text(max_size=12), st.lists(st.sampled_from(TOKENS), max_size=6).map("".join)))
def test_parse_target_never_raises_on_text(text, name):
    t = parse_target(text, name=name)
    assert t.kind in KINDS and t.raw == text
    assert (t.value is None) == (t.kind in (L, U, B))
    if t.kind != Q:
        assert t.unit in (None, "date")
    if t.level is not None:
        assert t.kind == L and t.level in LEVEL_SEVERITY


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_parse_target_never_raises_on_floats(x):
    t = parse_target(x)
    if math.isnan(x):
        assert t.kind == B
    elif math.isinf(x):
        assert t.kind == U
    else:
        assert (t.kind, t.value, t.base_value, t.op, t.unit) == (Q, x, x, None, None)


OPS = [(word, {">": ">=", "<": "<="}.get(op, op)) for op, words in OPERATOR_WORDS.items() for word in words]
UNITS = ["%", "元", "万元", "亿元", "千元", "人次", "公里", "个", "件", "人", "座", "亩", "元/亩", "元/生/年",
         "万元/公里", "吨/年", "平方米", "km", "米", "次", "天", "小时", "分", "户", "辆", "人/天"]
FULL_WIDTH = str.maketrans(string.digits + ".", "０１２３４５６７８９．")


@st.composite
def numbers_as_text(draw):
    digits = draw(st.integers(0, 10 ** 9))
    places = draw(st.sampled_from([0, 1, 2, 3]))
    number = Decimal(digits).scaleb(-places)
    text = format(number, ",") if draw(st.booleans()) else str(number)
    if draw(st.booleans()):
        text = "-" + text
        number = -number
    return text, float(number)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(OPS + [("", None)]), numbers_as_text(), st.sampled_from(UNITS + [None]),
       st.booleans(), st.booleans())
def test_op_number_unit_roundtrip(op, number, unit, spaced, full_width):
    op_text, op_expected = op
    number_text, value = number
    assume(not (unit is None and re.fullmatch(r"-?(19|20)\d\d\.\d\d", number_text)))  # reads as a date
    if full_width:
        number_text = number_text.translate(FULL_WIDTH)
    gap = " " if spaced else ""
    text = f"{op_text}{gap}{number_text}{gap}{unit or ''}"
    t = parse_target(text)
    assert (t.kind, t.op, t.value, t.unit) == (Q, op_expected, value, unit), text


@settings(max_examples=200, deadline=None)
@given(numbers_as_text())
def test_wan_yuan_is_exactly_ten_thousand_yuan(number):
    number_text, value = number
    t = parse_target(f"≤{number_text}万元")
    assert t.base_unit == "元"
    assert math.isclose(t.base_value, value * 10000, rel_tol=1e-12, abs_tol=1e-9)
    base, base_unit = to_base(value, "万元")
    assert base_unit == "元" and math.isclose(base, value * 10000, rel_tol=1e-12, abs_tol=1e-9)


SAMPLE_TEXTS = [c[0] for c in CASES]
SAMPLE_NAMES = ["年度资金支付完成率100%", "受益户满意度≥95%", "指标1", "项目完工时间2023年12月底前", None, ""]
CELLS = st.one_of(st.sampled_from(SAMPLE_TEXTS), st.text(max_size=8), st.none(),
                  st.floats(allow_nan=True, allow_infinity=True), st.integers(-10 ** 6, 10 ** 6), st.booleans())


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(CELLS, st.one_of(st.none(), st.sampled_from(SAMPLE_NAMES), st.text(max_size=6))),
                max_size=25), st.booleans())
def test_parse_values_equals_parse_target(pairs, with_names):
    values = pd.Series([v for v, _ in pairs], dtype=object)
    names = [n for _, n in pairs] if with_names else None
    frame = parse_values(values, names)
    assert list(frame.columns) == list(COLUMNS) and len(frame) == len(pairs)
    for i, (v, n) in enumerate(pairs):
        assert _row_as_target(frame, i) == _target_tuple(parse_target(v, n if with_names else None)), (v, n)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=30),
       st.sampled_from(SAMPLE_NAMES))
def test_numeric_fast_path_equals_slow_path(xs, name):
    names = [name] * len(xs)
    fast = parse_values(pd.Series(xs, dtype=float), names)
    slow = parse_values(pd.Series(xs, dtype=object), names)
    pd.testing.assert_frame_equal(fast, slow)
    for i, x in enumerate(xs):
        assert _row_as_target(fast, i) == _target_tuple(parse_target(x, name))


@pytest.mark.parametrize("text,level", [("未全部完成", "none"), ("未能按期完成", "none"), ("未有效", "none"),
                                        ("未见明显改善", "none"), ("无明显变化", "none"), ("不太满意", "partial"),
                                        ("无滞后", "full"), ("未滞后", "full"), ("全部完成", "full")])
def test_negated_qualitative_levels(text, level):
    """A negation before a 'met' word turns it round (未全部完成 is not 全部完成); 无滞后 stays met."""
    assert parse_target(text).level == level


def test_negated_operator_words():
    assert (parse_target("未超过100人").op, parse_target("未低于90%").op) == ("<=", ">=")
