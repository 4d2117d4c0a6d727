"""Indicators whose actual follows from the data sheet (dept-overall.md §3, §8.1): computed for every unit (or
department) at once, in %, and set beside the value typed on the form.

Each :class:`Formula` is a ratio ``numerator / denominator × 100`` or a change ``(current − base) / base × 100``
over columns of ``dept_basic`` (:mod:`.basic`). A denominator that is 0 or absent, or an input a unit did not
give, yields NaN with the reason (absent data are not zero). On a consolidated sheet (:func:`.basic.consolidate`)
the same formula is the ``ratio_of_sums`` roll-up, and an input only some units gave makes it NaN too.

:func:`check_reported` keeps a value typed on the form as reported, fills a blank one from the data sheet, and
flags a difference beyond the tolerance (percentage points). Indicator names are matched after dropping quotes
and blanks, with the aliases of §4.9 (在职人员控制率 = 财政供养人员控制率).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from .basic import BASIC_FIELDS


@dataclass(frozen=True)
class Formula:
    """One derived indicator: Chinese name (and aliases), inputs, form, better direction, source."""

    key: str
    name: str
    numerator: str
    denominator: str
    change: bool = False          # (numerator − denominator) / denominator instead of a ratio
    direction: str = "lower"      # lower | higher: which way is better
    aliases: tuple[str, ...] = ()
    source: str = ""

    def text(self) -> str:
        num, den = BASIC_FIELDS[self.numerator], BASIC_FIELDS[self.denominator]
        body = f"({num} − {den}) / {den}" if self.change else f"{num} / {den}"
        return f"{self.name} = {body} × 100%"


FORMULAS = MappingProxyType({f.key: f for f in (
    Formula("staff_control", "在职人员控制率", "staff_actual", "staff_quota", aliases=("财政供养人员控制率",),
            source="§3 [D1]"),
    Formula("sangong_change", "三公经费变动率", "sangong_budget", "sangong_budget_last", change=True,
            source="§3 [D1][D5]: 预算数对预算数"),
    Formula("sangong_control", "三公经费控制率", "sangong_spent", "sangong_budget", source="§3 [D4][D14b]"),
    Formula("budget_adjustment", "预算调整率", "adjustment", "budget_initial", source="§3 [D4][D5]"),
    Formula("carryover_rate", "结转结余率", "carryover_end", "budget_full_year", source="§3 [D4][D14b]"),
    Formula("carryover_change", "结转结余变动率", "carryover_end", "carryover_start", change=True, source="§3 [D6]"),
    Formula("public_control", "公用经费控制率", "spent_public", "budget_public", source="§3 [D14b][D15]"),
    Formula("procurement_rate", "政府采购执行率", "procurement_spent", "procurement_budget", direction="higher",
            source="§3 [D14b][D15]"),
    Formula("assets_use", "固定资产利用率", "assets_in_use", "assets_total", direction="higher", source="§3 [D14b]"),
    Formula("key_share", "重点支出安排率", "key_project_spending", "budget_project", direction="higher",
            source="§3 [D1][D4]"),
    Formula("completion", "预算完成率", "spent", "budget_full_year", direction="higher", aliases=("预算执行率",),
            source="§3 [D5]"),
)})

_QUOTES = re.compile(r"[\s“”\"'‘’「」『』]")


def normalise_name(names) -> pd.Series:
    """Indicator names without quotes and blanks (“三公经费”变动率 → 三公经费变动率)."""
    s = pd.Series(names, dtype=object).fillna("").astype(str)
    codes, uniques = pd.factorize(s)  # each distinct name once
    clean = pd.Series(uniques, dtype=object).str.replace(_QUOTES, "", regex=True).to_numpy(dtype=object)
    return pd.Series(clean[codes] if len(s) else [], index=s.index, dtype=object)


NAME_TO_KEY = MappingProxyType({n: f.key for f in FORMULAS.values() for n in (f.name, *f.aliases)})


def derive(sheet: pd.DataFrame, id_column: str = "unit_id") -> pd.DataFrame:
    """Every formula for every row of the sheet, long: id, year, formula, indicator, value (%), numerator,
    denominator, missing (Chinese reason, "" where computed). Vectorised per formula, not per row."""
    out = []
    n_units = sheet["n_units"] if "n_units" in sheet else None
    for f in FORMULAS.values():  # eleven formulas, each over the whole sheet
        num = sheet[f.numerator].astype(float)
        den = sheet[f.denominator].astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = ((num - den) if f.change else num) / den * 100.0
        value = value.where(den > 0)
        missing = np.where(num.isna(), f"未提供{BASIC_FIELDS[f.numerator]}", "")
        missing = np.where((missing == "") & den.isna(), f"未提供{BASIC_FIELDS[f.denominator]}", missing)
        missing = np.where((missing == "") & (den <= 0), f"{BASIC_FIELDS[f.denominator]}为0，无法计算", missing)
        if n_units is not None:  # a consolidated sheet: an input some units did not give is not a sum
            partial = (sheet[f"n_given_{f.numerator}"] < n_units) | (sheet[f"n_given_{f.denominator}"] < n_units)
            missing = np.where((missing == "") & partial, "部分单位未提供数据，不汇总计算", missing)
            value = value.where(~partial)
        out.append(pd.DataFrame({id_column: sheet[id_column].to_numpy(), "year": sheet["year"].to_numpy(),
                                 "formula": f.key, "indicator": f.name, "value": value.to_numpy(),
                                 "numerator": num.to_numpy(), "denominator": den.to_numpy(), "missing": missing}))
    return pd.concat(out, ignore_index=True)


_NUMBER = re.compile(r"(-?\d+(?:\.\d+)?)")


def _number(text) -> pd.Series:
    """The first number written in the cell (95.5% → 95.5), NaN where none."""
    s = pd.Series(text, dtype=object)
    return pd.to_numeric(s.astype(str).str.extract(_NUMBER.pattern, expand=False).where(s.notna()), errors="coerce")


def check_reported(rows: pd.DataFrame, derived: pd.DataFrame, id_column: str = "unit_id",
                   tolerance: float = 0.05) -> pd.DataFrame:
    """The rows with ``formula``, ``derived_actual``, ``reported_actual`` (the typed number), ``actual_value``
    (reported where typed, else derived), ``actual_source`` (表内填报 / 基础数据表计算) and ``differs`` (typed and
    derived disagree by more than ``tolerance`` percentage points). Rows of other indicators pass unchanged."""
    out = rows.copy()
    out["formula"] = normalise_name(out["level3"]).map(NAME_TO_KEY).to_numpy()
    keys = [id_column, "formula"] + (["year"] if "year" in out and "year" in derived else [])
    table = derived.drop_duplicates(keys)[keys + ["value"]].rename(columns={"value": "derived_actual"})
    out = out.merge(table, on=keys, how="left", validate="many_to_one")
    out["reported_actual"] = _number(out["actual"]).to_numpy() if "actual" in out else np.nan
    typed = out["reported_actual"].notna()
    out["actual_value"] = out["reported_actual"].where(typed, out["derived_actual"])
    out["actual_source"] = np.where(typed, "表内填报", np.where(out["derived_actual"].notna(), "基础数据表计算", ""))
    diff = (out["reported_actual"] - out["derived_actual"]).abs()
    out["differs"] = (diff > tolerance).to_numpy()
    return out
