"""Roll-up of 二级预算单位 into their 一级预算单位 under a named rule (dept-overall.md §5, §8.5).

:func:`rollup` takes the checked hierarchy (:mod:`.units`), the unit rows of the tidy frame (:mod:`.rows`) and
the data sheet (:mod:`.basic`) and returns a :class:`Rollup` holding every intermediate table:

* ``weights``: each unit's money (the rule's 资金额度) and its share of its department (units with a form);
* ``rows``: the unit rows with their weight inside their indicator group, the data-sheet value of formula rows
  (a typed value is kept as reported, a difference flagged in ``differs``), score share;
* ``groups``: one consolidated row per department and indicator: the aggregated target and actual (sum for
  amounts, money-weighted for rates, or the formula over the summed sheet), the department's points
  (Σ unit share × unit points: an indicator only one unit carries weighs by that unit's money), the
  aggregate-first score, the money-weighted and plain means of the unit score shares, the score used and how;
* ``units``: unit totals; ``departments``: both views — the consolidated total (Σ group scores) and the
  money-weighted mean of unit totals — their grades and a flag where the grades differ, and the total of the
  department's own consolidated form where one was read (``entity == "department"`` rows: compared, not used);
* ``coverage`` (:class:`.coverage.Coverage`): missing forms, money checks, typed-vs-computed differences.

Everything is grouped frames (pandas/numpy), never a loop per unit. Worked example of §5.1 (tests): units with
全年预算数 300 and 100 report 政府采购执行率 98 % and 70 %, target ≥ 90 %, A = 4 → aggregate first 91 % → 4.00;
score first 4 and 3.11 → money-weighted 3.78, plain mean 3.56.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..conventions import GradeBands
from ..rules import apply_rules
from .basic import consolidate
from .coverage import Coverage, check_coverage
from .formulas import derive
from .rows import prepare_rows
from .rules import RollupRule, get_rule

KIND_BY_OP = {">=": "positive", "<=": "reverse", "=": "equal"}
JUDGED_KINDS = ("coefficient", "expert", "checklist", "qualitative")  # rolled up by score shares
TOLERANCE_PP = 0.05  # percentage points between a typed rate and the data sheet's


@dataclass(frozen=True)
class Rollup:
    """The roll-up of one year: the rule and every table it produced (the audit trail)."""

    rule: RollupRule
    year: int
    weights: pd.DataFrame
    rows: pd.DataFrame
    groups: pd.DataFrame
    units: pd.DataFrame
    departments: pd.DataFrame
    consolidated_sheet: pd.DataFrame
    derived: pd.DataFrame
    coverage: Coverage
    bands: GradeBands = field(default_factory=GradeBands)

    def conventions(self) -> dict:
        """What the numbers rest on, in Chinese, for every report page."""
        return {"汇总规则 (roll-up rule)": self.rule.describe(),
                "部门得分（合并视图）": "部门各汇总指标得分之和（合并评价，公开做法 [D13]）",
                "部门得分（单位均值视图）": "所属单位总分按资金额度加权平均（perfeval 推断口径，用于单位排序）",
                "等级 (grade bands)": self.bands.describe(),
                "基础数据公式": "比率 = 分子/分母 × 100%；分母为 0 或未提供时不计算（不视为 0）",
                "表内填报与计算值": f"表内填报值按填报保留；与基础数据表计算值相差超过 {TOLERANCE_PP} 个百分点时标记",
                "金额单位": "元"}


def _params(value):
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip():
        return json.loads(value)
    return None


def _sheet_of_year(basic: pd.DataFrame, year: int | None) -> tuple[pd.DataFrame, int]:
    year = int(basic["year"].max()) if year is None else int(year)
    return basic[basic["year"] == year].reset_index(drop=True), year


def _weights(r: pd.DataFrame, sheet: pd.DataFrame, units: pd.DataFrame, weight: str) -> pd.DataFrame:
    """Each unit with a form: its money and share of its department (NaN for the whole department when one of
    its units has no money figure: shares that do not add up are not shares)."""
    formed = units.loc[units["unit_id"].isin(r["unit_id"]), ["unit_id", "unit_name", "department_id", "level"]]
    formed = formed.assign(money=formed["unit_id"].map(sheet.set_index("unit_id")[weight]).to_numpy())
    g = formed.groupby("department_id")["money"]
    complete = g.transform("count") == g.transform("size")
    total = g.transform("sum")
    formed["share"] = (formed["money"] / total).where(complete & (total > 0))
    return formed.reset_index(drop=True)


def _aggregate(r: pd.DataFrame, rule: RollupRule, dept_derived: pd.DataFrame) -> pd.DataFrame:
    """One row per department and indicator, every candidate figure side by side."""
    keys = ["gid"]  # (department_id, indicator) numbered once, in sorted order
    r = r.assign(wa=r["weight"] * r["a"], wt=r["weight"] * r["t"], wr=r["weight"] * r["ratio"],
                 sp=r["share"] * r["points"])
    g = r.groupby(keys, sort=True)
    first = g[["department_id", "indicator", "level1", "level2", "level3", "formula", "measure", "op", "rule",
               "rule_params", "standard"]].first()
    n = g.size().rename("n_units")
    counts = g[["a", "t", "ratio", "weight", "sp"]].count().add_prefix("n_")
    sums = g[["a", "t", "wa", "wt", "wr", "sp"]].sum()
    out = pd.concat([first, n, counts, sums, g["ratio"].mean().rename("ratio_mean")], axis=1).reset_index(drop=True)
    full = {c: out[f"n_{c}"] == out["n_units"] for c in ("a", "t", "ratio", "weight", "sp")}
    amount, rate = out["measure"] == "amount", out["measure"] == "rate"
    out["points"] = out["sp"].where(full["sp"])
    out["target"] = np.where(amount, out["t"], np.where(rate, out["wt"], np.nan))
    out["target"] = out["target"].where(full["t"] & full["weight"])
    out["actual"] = np.where(amount, out["a"], np.where(rate, out["wa"], np.nan))
    out["actual"] = out["actual"].where(full["a"] & full["weight"])
    out["actual_rule"] = np.where(amount, "累加", np.where(rate, "资金额度加权平均", ""))
    if rule.rates == "ratio_of_sums":
        d = dept_derived.set_index(["department_id", "formula"])["value"]
        ros = pd.Series(list(zip(out["department_id"], out["formula"]))).map(d).to_numpy()
        use = rate.to_numpy() & out["formula"].notna().to_numpy()
        out.loc[use, "actual"] = ros[use]
        out.loc[use, "actual_rule"] = "汇总后分子/分母重新计算"
    out["score_first"] = (out["wr"] * out["points"]).where(full["ratio"] & full["weight"])
    out["score_first_plain"] = (out["ratio_mean"] * out["points"]).where(full["ratio"])
    judged = out["rule"].isin(JUDGED_KINDS).to_numpy()  # a coefficient or a panel's judgement is not re-scored
    quantitative = (out["measure"] != "qualitative").to_numpy() & ~judged
    kind = out["rule"].where(out["rule"].notna(), out["op"].map(KIND_BY_OP)).fillna("positive").to_numpy(dtype=object)
    kind = np.where(quantitative, kind, "none")
    given = out["rule_params"].notna()
    if given.any():  # parse each distinct parameter text once
        codes, uniques = pd.factorize(out["rule_params"].astype(str).where(given))
        parsed = [_params(u) for u in uniques]
        params = [parsed[c] if c >= 0 else None for c in codes]
    else:
        params = None
    scored = apply_rules(kind, out["points"], out["target"], out["actual"], None, params=params)
    out["score_aggregate_first"] = scored.reference
    out["rule_kind"] = kind
    agg = rule.order == "aggregate_first"
    use_agg = agg & quantitative & ~np.isnan(scored.reference)
    out["score"] = np.where(use_agg, scored.reference, out["score_first"])
    out["method"] = np.where(use_agg, "先汇总完成数，再计算得分",
                             np.where(judged, "得分系数或评议类规则：得分率按资金额度加权平均",
                             np.where(~quantitative, "定性：得分率按资金额度加权平均",
                                      np.where(agg, "先逐单位计分再加权平均（汇总完成数或指标值缺失）",
                                               "先逐单位计分，再按资金额度加权平均"))))
    return out.drop(columns=["t", "a", "wa", "wt", "wr", "sp"])


def rollup(units: pd.DataFrame, rows: pd.DataFrame, basic: pd.DataFrame, rule: "str | RollupRule | None" = None,
           *, year: int | None = None, bands: GradeBands | None = None, blocks: pd.DataFrame | None = None,
           projects: pd.DataFrame | None = None) -> Rollup:
    """Roll the units' rows into their departments under ``rule`` (see the module docstring).

    ``units``: checked ``units.csv`` (:func:`.units.check_units`); ``rows``: the tidy frame (:mod:`.rows`), of
    which the ``entity == "unit"`` rows are rolled up (``project`` rows are used by coverage only); ``basic``:
    checked ``dept_basic.csv`` (the latest year unless ``year``); ``blocks``: optional money blocks of the
    departments' own forms (``department_id`` + any of budget_initial, budget_full_year, spent) to check
    against Σ units; ``projects``: optional project list (``project_id, unit_id``) to check every project is in.
    """
    rule = get_rule(rule)
    bands = bands or GradeBands()
    sheet, year = _sheet_of_year(basic, year)
    prepared = prepare_rows(rows, units)
    row_year = pd.to_numeric(prepared["year"], errors="coerce")
    prepared = prepared[row_year.isna() | (row_year == year)].reset_index(drop=True)  # rows of other years out
    r = prepared[prepared["entity"] == "unit"].reset_index(drop=True)
    derived = derive(sheet, "unit_id")
    d = derived.dropna(subset=["value"])[["unit_id", "formula", "value"]].rename(columns={"value": "derived_actual"})
    r = r.merge(d, on=["unit_id", "formula"], how="left", validate="many_to_one")
    r["reported_actual"] = r["a"]
    r["a"] = r["a"].fillna(r["derived_actual"])
    r["actual_source"] = np.where(r["reported_actual"].notna(), "表内填报",
                                  np.where(r["a"].notna(), "基础数据表计算", ""))
    r["differs"] = ((r["reported_actual"] - r["derived_actual"]).abs() > TOLERANCE_PP).to_numpy()
    r.loc[r["formula"].notna() & r["a"].notna() & r["t"].notna(), "measure"] = "rate"
    weights = _weights(r, sheet, units, rule.weight)
    wi = weights.set_index("unit_id")
    r["money"] = r["unit_id"].map(wi["money"])
    r["share"] = r["unit_id"].map(wi["share"])
    r["gid"] = r.groupby(["department_id", "indicator"], sort=True).ngroup()
    group_money = r.groupby("gid")["money"].transform("sum")
    r["weight"] = (r["money"] / group_money).where(group_money > 0).where(r["share"].notna())
    with np.errstate(divide="ignore", invalid="ignore"):
        r["ratio"] = (r["score"] / r["points"]).where(r["points"] > 0)
    consolidated = consolidate(sheet, units)
    dept_derived = derive(consolidated, "department_id")
    groups = _aggregate(r, rule, dept_derived)
    units_table, departments = _totals(r, groups, weights, bands)
    published = prepared[prepared["entity"] == "department"]  # the departments' own consolidated forms, as read
    departments["published_total"] = departments["department_id"].map(
        published.groupby("unit_id")["score"].sum(min_count=1)).astype(float)
    coverage = check_coverage(units, sheet, prepared, consolidated, r, blocks=blocks, projects=projects)
    return Rollup(rule, year, weights, r, groups, units_table, departments, consolidated, dept_derived,
                  coverage, bands)


def _totals(r: pd.DataFrame, groups: pd.DataFrame, weights: pd.DataFrame, bands: GradeBands):
    """Unit totals and both department views with their grades."""
    ug = r.groupby("unit_id", sort=True)
    units = pd.DataFrame({"total": ug["score"].sum(), "points": ug["points"].sum(),
                          "n_rows": ug.size(), "n_unscored": r["score"].isna().groupby(r["unit_id"], sort=True).sum()})
    units["total"] = units["total"].where(units["n_unscored"] == 0)
    units = weights.merge(units.reset_index(), on="unit_id", how="left")
    units["grade"] = bands.grade(units["total"].to_numpy())
    dg = groups.groupby("department_id", sort=True)
    dep = pd.DataFrame({"consolidated_total": dg["score"].sum(), "points": dg["points"].sum(min_count=1),
                        "n_indicators": dg.size(),
                        "n_unscored": groups["score"].isna().groupby(groups["department_id"], sort=True).sum()})
    dep["consolidated_total"] = dep["consolidated_total"].where(dep["n_unscored"] == 0)
    units["weighted_total"] = units["share"] * units["total"]
    ug2 = units.groupby("department_id", sort=True)
    complete = ug2["weighted_total"].count() == ug2.size()
    dep["mean_of_units"] = ug2["weighted_total"].sum().where(complete)
    dep["n_units_with_forms"] = ug2.size()
    dep["money"] = ug2["money"].sum(min_count=1)
    dep = dep.reset_index()
    dep["grade_consolidated"] = bands.grade(dep["consolidated_total"].to_numpy())
    dep["grade_mean_of_units"] = bands.grade(dep["mean_of_units"].to_numpy())
    known = dep["grade_consolidated"].notna() & dep["grade_mean_of_units"].notna()
    dep["grades_differ"] = known & (dep["grade_consolidated"] != dep["grade_mean_of_units"])
    return units.drop(columns=["weighted_total"]), dep
