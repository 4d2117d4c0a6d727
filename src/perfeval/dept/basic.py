"""The department data sheet (``dept_basic.csv``): one row per unit and year, the inputs of the 2013
formulas, in 元 (dept-overall.md §4.6 附件3 基础数据表 [D5], generalised in §8.1).

:data:`BASIC_FIELDS` names every column with its Chinese label. Required: ``unit_id, year,
budget_initial, budget_full_year, spent``; every other field is optional and a blank is *absent*, never
zero (a formula over it gives NaN and says which input is missing). Checked: numbers where numbers are due
(the cell named), one row per unit and year, units listed in ``units.csv``, and — reported by
:func:`split_problems`, not raised — 基本 (人员 + 公用) + 项目 = total, for budget and spending.
:func:`consolidate` sums the units of each department: amounts add (the ``sum`` rule of §5.1); dates keep
the latest (a department has published when its last unit has).
"""
from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from .. import compare
from .._frames import numeric_column
from ..errors import InputError, Location
from ._csv import read_text_csv, require_columns

KEYS = ("unit_id", "year")
BASIC_FIELDS = MappingProxyType({
    "budget_initial": "年初预算数", "budget_full_year": "全年预算数", "spent": "全年执行数",
    "budget_personnel": "基本支出·人员经费（全年预算）", "budget_public": "基本支出·公用经费（全年预算）",
    "budget_project": "项目支出（全年预算）",
    "spent_personnel": "基本支出·人员经费（执行）", "spent_public": "基本支出·公用经费（执行）",
    "spent_project": "项目支出（执行）",
    "income_general": "一般公共预算", "income_fund": "政府性基金", "income_special": "财政专户管理资金",
    "income_other": "其他资金",
    "adjustment": "预算调整数（追加、调减的绝对额合计）",
    "staff_quota": "编制数", "staff_actual": "在职人数",
    "sangong_budget": "三公经费预算数（本年）", "sangong_budget_last": "三公经费预算数（上年）",
    "sangong_spent": "三公经费支出数（本年）", "sangong_spent_last": "三公经费支出数（上年）",
    "procurement_budget": "政府采购预算", "procurement_spent": "政府采购执行金额",
    "carryover_start": "结转结余（年初）", "carryover_end": "结转结余（年末）",
    "assets_total": "固定资产总额", "assets_in_use": "在用固定资产",
    "key_project_spending": "重点项目支出",
    "budget_published": "部门预算公开日期", "final_published": "部门决算公开日期",
})
REQUIRED = KEYS + ("budget_initial", "budget_full_year", "spent")
DATE_FIELDS = ("budget_published", "final_published")
AMOUNT_FIELDS = tuple(f for f in BASIC_FIELDS if f not in DATE_FIELDS)
# (total, parts) checked by split_problems: 基本 (人员 + 公用) + 项目 = total [D16]
SPLITS = (("budget_full_year", ("budget_personnel", "budget_public", "budget_project")),
          ("spent", ("spent_personnel", "spent_public", "spent_project")))
TOLERANCE = 100.0  # 元: 0.01 万元, the precision of a form in 万元 (§8.5)


def check_basic(frame: pd.DataFrame, units: pd.DataFrame | None = None, file: str = "dept_basic.csv") -> pd.DataFrame:
    """The sheet with numeric amounts (float, NaN = not given), ``year`` int and dates parsed; raises
    InputError naming the bad cell. With ``units``, every unit must be listed there."""
    require_columns(frame, REQUIRED, file)
    df = frame.reset_index(drop=True).copy()
    df["unit_id"] = df["unit_id"].astype(str).str.strip()
    year = numeric_column(df, "year", file=file, first_row=2, required=True)
    df["year"] = year.astype(int)
    for col in AMOUNT_FIELDS:
        if col in df:
            df[col] = numeric_column(df, col, file=file, first_row=2, required=col in REQUIRED)
        else:
            df[col] = np.nan
    for col in DATE_FIELDS:
        raw = df[col] if col in df else pd.Series(np.nan, index=df.index, dtype=object)
        parsed = pd.to_datetime(raw, errors="coerce")
        bad = np.flatnonzero((parsed.isna() & raw.notna()).to_numpy())
        if len(bad):
            raise InputError(f"“{col}”须为日期 (must be a date)",
                             where=Location(file=file, row=int(bad[0]) + 2, column=col),
                             expected="如 2021-02-10", found=raw.iloc[bad[0]])
        df[col] = parsed
    neg = [(c, np.flatnonzero(compare.lt(df[c].to_numpy(), 0.0))) for c in AMOUNT_FIELDS if c != "adjustment"]
    for col, rows in neg:
        if len(rows):
            raise InputError(f"“{col}”（{BASIC_FIELDS[col]}）不得为负 (must not be negative)",
                             where=Location(file=file, row=int(rows[0]) + 2, column=col), found=df[col].iloc[rows[0]])
    dup = np.flatnonzero(df.duplicated(list(KEYS)).to_numpy())
    if len(dup):
        raise InputError("同一单位同一年度只能有一行 (one row per unit and year)",
                         where=Location(file=file, row=int(dup[0]) + 2, column="unit_id"),
                         found=df["unit_id"].iloc[dup[0]])
    if units is not None:
        unknown = np.flatnonzero(~df["unit_id"].isin(units["unit_id"]).to_numpy())
        if len(unknown):
            raise InputError("单位不在 units.csv 中 (unit not listed in units.csv)",
                             where=Location(file=file, row=int(unknown[0]) + 2, column="unit_id"),
                             found=df["unit_id"].iloc[unknown[0]])
    extra = [c for c in df.columns if c not in KEYS and c not in BASIC_FIELDS]
    return df[list(KEYS) + list(BASIC_FIELDS) + extra]


def read_basic(path: str | Path, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """``dept_basic.csv`` read and checked (:func:`check_basic`)."""
    return check_basic(read_text_csv(path), units, file=Path(path).name)


def split_problems(basic: pd.DataFrame, tolerance: float = TOLERANCE) -> pd.DataFrame:
    """Rows where 人员 + 公用 + 项目 ≠ the total (only where every part is given): unit, year, which total,
    the total, the sum of parts, the difference."""
    out = []
    for total, parts in SPLITS:
        given = basic[list(parts)].notna().all(axis=1) & basic[total].notna()
        parts_sum = basic[list(parts)].sum(axis=1, min_count=1)
        diff = basic[total] - parts_sum
        bad = given & (diff.abs() > tolerance)
        out.append(pd.DataFrame({"unit_id": basic.loc[bad, "unit_id"], "year": basic.loc[bad, "year"],
                                 "check": f"{BASIC_FIELDS[total]} = 人员经费 + 公用经费 + 项目支出",
                                 "total": basic.loc[bad, total], "parts": parts_sum[bad], "difference": diff[bad]}))
    return pd.concat(out, ignore_index=True)


def consolidate(basic: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """The department's sheet: Σ of its units' amounts per year (NaN only where no unit gave the field;
    ``n_units`` and ``n_given_<field>`` say how many units carried each), latest publication dates."""
    frame = basic.merge(units[["unit_id", "department_id"]], on="unit_id", how="left", validate="many_to_one")
    grouped = frame.groupby(["department_id", "year"], sort=True)
    sums = grouped[list(AMOUNT_FIELDS)].sum(min_count=1)
    dates = grouped[list(DATE_FIELDS)].max()
    counts = grouped[list(AMOUNT_FIELDS)].count().add_prefix("n_given_")
    n = grouped.size().rename("n_units")
    return pd.concat([sums, dates, n, counts], axis=1).reset_index()
