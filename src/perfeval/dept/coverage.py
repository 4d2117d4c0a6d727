"""Coverage and consistency checks of a department roll-up (dept-overall.md §5.2, §8.5).

* every unit with money (全年预算数 > 0) has a self-evaluation ("都要纳入一级预算单位考核范围"; the seed);
* every unit with a self-evaluation has a data-sheet money figure (else its weight is unknown);
* every project of the department's units is included (when a project list is given; MOF coverage 100 % [D36]);
* Σ units = the department's money block, within 0.01 万元 (when the department's form block is given);
* 基本 (人员 + 公用) + 项目 = total on every data-sheet row [D16];
* typed form values that disagree with the data sheet.

Nothing here raises: the findings are tables for the report, each with a Chinese ``note``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .basic import BASIC_FIELDS, TOLERANCE, split_problems

BLOCK_FIELDS = ("budget_initial", "budget_full_year", "spent")


@dataclass(frozen=True)
class Coverage:
    """The findings of the checks, one table each (empty when all is well)."""

    missing_forms: pd.DataFrame      # units with money and no self-evaluation
    no_money: pd.DataFrame           # units with a form and no money figure
    missing_projects: pd.DataFrame   # projects of the units not in the rows
    money_block: pd.DataFrame        # department block ≠ Σ units
    splits: pd.DataFrame             # 人员 + 公用 + 项目 ≠ total
    differs: pd.DataFrame            # typed value ≠ data sheet

    def ok(self) -> bool:
        return all(len(t) == 0 for t in (self.missing_forms, self.no_money, self.missing_projects,
                                         self.money_block, self.splits, self.differs))

    def summary(self) -> dict:
        """Counts per check, Chinese labels."""
        return {"有资金未提交自评表的单位": len(self.missing_forms), "有自评表无资金数据的单位": len(self.no_money),
                "未纳入的项目": len(self.missing_projects), "部门资金与所属单位合计不符": len(self.money_block),
                "基本支出+项目支出≠合计": len(self.splits), "表内填报值与基础数据表计算值不符": len(self.differs)}


def check_coverage(units: pd.DataFrame, sheet: pd.DataFrame, rows: pd.DataFrame, consolidated: pd.DataFrame,
                   unit_rows: pd.DataFrame, *, blocks: pd.DataFrame | None = None,
                   projects: pd.DataFrame | None = None) -> Coverage:
    """All checks on one year (``sheet`` and ``consolidated`` of that year; ``rows`` prepared, every entity)."""
    money = units.merge(sheet[["unit_id", "budget_full_year"]], on="unit_id", how="left")
    with_form = set(rows.loc[rows["entity"] == "unit", "unit_id"])
    has_money = (money["budget_full_year"] > 0).to_numpy()
    missing = money[has_money & ~money["unit_id"].isin(with_form).to_numpy()]
    missing = missing[["department_id", "unit_id", "unit_name", "level", "budget_full_year"]].assign(
        note="有资金但未提交单位自评表（谁花钱评价谁：须纳入一级预算单位考核范围）")
    no_money = money[money["unit_id"].isin(with_form).to_numpy() & money["budget_full_year"].isna().to_numpy()]
    no_money = no_money[["department_id", "unit_id", "unit_name"]].assign(note="有自评表但基础数据表无全年预算数，无法按资金额度加权")
    if projects is not None and "project_id" in projects:
        listed = set(rows.loc[rows["entity"] == "project", "project_id"].dropna().astype(str))
        p = projects.assign(project_id=projects["project_id"].astype(str))
        missing_projects = p[~p["project_id"].isin(listed)].assign(note="部门所属项目未纳入自评")
    else:
        missing_projects = pd.DataFrame(columns=["project_id", "note"])
    money_block = _money_block(consolidated, blocks)
    diff = unit_rows[unit_rows["differs"]]
    differs = diff[["department_id", "unit_id", "level3", "reported_actual", "derived_actual"]].assign(
        difference=(diff["reported_actual"] - diff["derived_actual"]).to_numpy(),
        note="表内填报值与基础数据表计算值不符（按填报值保留）")
    return Coverage(missing.reset_index(drop=True), no_money.reset_index(drop=True),
                    missing_projects.reset_index(drop=True), money_block, split_problems(sheet),
                    differs.reset_index(drop=True))


def _money_block(consolidated: pd.DataFrame, blocks: pd.DataFrame | None) -> pd.DataFrame:
    """Department block vs Σ units, per field given in ``blocks``; long: department, field, block, units, diff."""
    cols = ["department_id", "field", "block", "sum_of_units", "difference", "note"]
    if blocks is None:
        return pd.DataFrame(columns=cols)
    fields = [f for f in BLOCK_FIELDS if f in blocks]
    b = blocks.melt(id_vars=["department_id"], value_vars=fields, var_name="field", value_name="block")
    c = consolidated.melt(id_vars=["department_id"], value_vars=fields, var_name="field", value_name="sum_of_units")
    m = b.merge(c, on=["department_id", "field"], how="left")
    m["difference"] = m["block"].astype(float) - m["sum_of_units"]
    bad = m["block"].notna() & (m["sum_of_units"].isna() | (m["difference"].abs() > TOLERANCE))
    m = m[bad.to_numpy()].copy()
    m["note"] = np.where(m["sum_of_units"].isna(), "所属单位无基础数据，无法核对",
                         "部门表资金（" + m["field"].map(BASIC_FIELDS) + "）与所属单位合计不符")
    return m[cols].reset_index(drop=True)
