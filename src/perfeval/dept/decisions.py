"""Department results applied to next year's budget (部门整体结果应用): ONE treatment per department and per
unit of the year, from its grade through :func:`.ranking.consequences` (优 优先保障 / 良 据实合理保障 /
中 一定比例核减 / 差 取消或暂停), each with its reason.

A department's treatment follows its consolidated grade (合并评价, the published practice); a unit's its own
self-evaluation grade. A department or unit without a grade (no form, data incomplete) gets no treatment and
the row says why — never a decision from nothing. The budget ledger (:mod:`perfeval.budget.decisions`) holds
this view beside the projects' ledger; :func:`dept_decisions_from_data` builds it where ``units.csv`` exists.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .ranking import DEFAULT_CUT_SHARE, consequences

UNITS_FILE, BASIC_FILE, ROWS_FILE = "units.csv", "dept_basic.csv", "dept_rows.csv"
LEVEL = {"department": "部门", "unit": "单位"}


@dataclass(frozen=True)
class DeptDecisions:
    """The year's department evaluation (computed once) and its treatments: ``table`` has one row per department
    (``level`` = department) then per unit: ids, names, score, grade, treatment, cut_share, reason."""

    evaluation: object  # perfeval.dept.DeptEvaluation
    units: pd.DataFrame
    table: pd.DataFrame
    cut_share: float = DEFAULT_CUT_SHARE

    @property
    def year(self) -> int:
        return self.evaluation.rollup.year

    @property
    def departments(self) -> pd.DataFrame:
        return self.table[self.table["level"] == "department"].reset_index(drop=True)

    def counts(self, level: str = "department") -> dict:
        """Treatment → number of departments (or units) with it, in the order of the grades; no grade last."""
        t = self.table[self.table["level"] == level]
        order = list(dict.fromkeys(consequences(pd.DataFrame({"unit_id": ["优", "良", "中", "差"],
                                                              "grade": ["优", "良", "中", "差"]}))["treatment"]))
        c = t["treatment"].where(t["grade"].notna(), "无等级").value_counts()
        return {k: int(c[k]) for k in order + ["无等级"] if k in c}

    def conventions(self) -> dict:
        return {"部门处理依据": "部门合并评价等级（优 优先保障／良 据实合理保障／中 一定比例核减／差 取消或暂停）",
                "单位处理依据": "单位自评总分等级，同上",
                "核减比例（中）": f"{self.cut_share:.0%}（perfeval 默认设定，非公开标准）",
                "无等级": "未提交自评表或数据不全的部门、单位不作处理结论"}

    def chinese_table(self) -> pd.DataFrame:
        """部门整体结果应用: Chinese headers, the score and the cut share as numbers."""
        t = self.table
        return pd.DataFrame({"层级": t["level"].map(LEVEL), "部门": t["department_name"], "单位": t["unit_name"],
                             "排名": t["rank"], "得分（分）": t["score"].round(2), "等级": t["grade"].fillna("—"),
                             "下一年度处理": t["treatment"], "核减比例": t["cut_share"], "说明": t["reason"]})


def _reason(score, grade, what: str, missing: pd.Series | None = None) -> np.ndarray:
    s = pd.Series(score).map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
    text = (what + "得分 " + s + " 分，等级“" + pd.Series(grade).fillna("").astype(str) + "”").to_numpy(dtype=object)
    none = pd.Series(grade).isna().to_numpy()
    why = np.full(len(text), f"无{what}等级（数据不全），不作处理结论", dtype=object)
    if missing is not None:
        why = np.where(missing.to_numpy(dtype=bool), "未提交单位自评表，没有等级，不作处理结论，须先补报自评", why)
    return np.where(none, why, text)


def dept_decisions(evaluation, units: pd.DataFrame, cut_share: float = DEFAULT_CUT_SHARE) -> DeptDecisions:
    """Each department (consolidated grade) and each unit of ``units`` (own grade) with one treatment."""
    names = units.set_index("unit_id")["unit_name"]
    dep = evaluation.ranking.departments
    dc = consequences(dep, grade_column="grade_consolidated", id_column="department_id", cut_share=cut_share)
    reason = _reason(dep["consolidated_total"], dep["grade_consolidated"], "合并评价")
    differ = dep["grades_differ"].fillna(False).to_numpy(dtype=bool)
    reason = np.where(differ & dep["grade_consolidated"].notna().to_numpy(), reason + "（所属单位加权平均等级“"
                      + dep["grade_mean_of_units"].fillna("—").astype(str).to_numpy(dtype=object) + "”，两口径不同，按合并评价）",
                      reason)
    d = pd.DataFrame({"level": "department", "department_id": dep["department_id"].to_numpy(),
                      "unit_id": dep["department_id"].to_numpy(), "rank": dep["rank"].to_numpy(),
                      "score": dep["consolidated_total"].to_numpy(dtype=float), "grade": dc["grade"].to_numpy(),
                      "treatment": dc["treatment"].to_numpy(), "cut_share": dc["cut_share"].to_numpy(), "reason": reason})
    ranked = evaluation.ranking.units
    u = units[["unit_id", "department_id"]].merge(ranked[["unit_id", "total", "grade", "rank_in_department"]],
                                                  on="unit_id", how="left")
    u = u.sort_values(["department_id", "rank_in_department", "unit_id"], kind="mergesort", na_position="last")
    uc = consequences(u, grade_column="grade", cut_share=cut_share)
    missing = u["unit_id"].isin(evaluation.rollup.coverage.missing_forms["unit_id"])
    u = pd.DataFrame({"level": "unit", "department_id": u["department_id"].to_numpy(), "unit_id": u["unit_id"].to_numpy(),
                      "rank": u["rank_in_department"].to_numpy(), "score": u["total"].to_numpy(dtype=float),
                      "grade": uc["grade"].to_numpy(), "treatment": uc["treatment"].to_numpy(),
                      "cut_share": uc["cut_share"].to_numpy(),
                      "reason": _reason(u["total"], u["grade"], "单位自评", missing.reset_index(drop=True))})
    table = pd.concat([d, u], ignore_index=True)
    table["grade"] = table["grade"].astype(object).where(table["grade"].notna(), None)
    table["rank"] = pd.array(table["rank"], dtype="Int64")
    table.insert(2, "department_name", table["department_id"].map(names).to_numpy())
    table.insert(4, "unit_name", table["unit_id"].map(names).where(table["level"] == "unit", "").to_numpy())
    return DeptDecisions(evaluation, units, table, cut_share)


def has_dept_data(data_dir) -> bool:
    data = Path(data_dir)
    return all((data / f).is_file() for f in (UNITS_FILE, BASIC_FILE, ROWS_FILE))


def dept_decisions_from_data(data_dir, year: int | None = None,
                             cut_share: float = DEFAULT_CUT_SHARE) -> DeptDecisions | None:
    """The folder's department evaluation and treatments; None when ``units.csv`` (or the department data
    sheet / rows) is not given — no department evaluation was carried out, nothing is concluded."""
    from . import evaluate
    from ._csv import read_text_csv
    from .basic import read_basic
    from .units import read_units

    data = Path(data_dir)
    if not has_dept_data(data):
        return None
    units = read_units(data / UNITS_FILE)
    evaluation = evaluate(units, read_text_csv(data / ROWS_FILE), read_basic(data / BASIC_FILE, units), year=year)
    return dept_decisions(evaluation, units, cut_share)


__all__ = ["DeptDecisions", "dept_decisions", "dept_decisions_from_data", "has_dept_data"]
