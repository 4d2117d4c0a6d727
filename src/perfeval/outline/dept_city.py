"""The city-wide department comparison (部门整体支出绩效评价) of the portfolio and the annual report: grade
counts of the departments, the top and bottom few with scores, the departments whose two views' grades differ,
and the treatments of next year's budget. Every number is read from ONE evaluation — the ledger's
:class:`perfeval.dept.DeptDecisions` (``CityReport.decisions.dept``), the same figures as the department
reports (:mod:`.dept`). Without ``units.csv`` one sentence says no department evaluation was carried out.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import display as fmt

ABSENT = "未开展部门整体支出绩效评价（未提供 units.csv 等部门整体数据），本节从略"
GRADES = ("优", "良", "中", "差")


def absent_text() -> list[str]:
    return [fmt.sentence(ABSENT)]


def _names(dd) -> pd.Series:
    return dd.units.set_index("unit_id")["unit_name"]


def grade_counts(dd) -> pd.DataFrame:
    """部门数 per consolidated grade (the same counts as the department summary)."""
    counts = dd.evaluation.ranking.departments["grade_consolidated"].value_counts()
    return pd.DataFrame({"等级": list(GRADES), "部门数（个）": [int(counts.get(g, 0)) for g in GRADES]})


def _ranked(dd) -> pd.DataFrame:
    d = dd.evaluation.ranking.departments
    return d[d["consolidated_total"].notna()]


def _rows(d: pd.DataFrame, dd) -> pd.DataFrame:
    return pd.DataFrame({"排名": d["rank"].map(lambda v: str(int(v))).to_numpy(),
                         "部门": d["department_id"].map(_names(dd)).to_numpy(),
                         "合并评价得分": d["consolidated_total"].map(fmt.score).to_numpy(),
                         "等级": d["grade_consolidated"].fillna("—").to_numpy(),
                         "单位加权平均": d["mean_of_units"].map(fmt.score).to_numpy(),
                         "等级（单位均值）": d["grade_mean_of_units"].fillna("—").to_numpy()})


def top_bottom(dd, n: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``n`` best and the ``n`` lowest departments by consolidated score (rank order)."""
    d = _ranked(dd)
    return _rows(d.head(n), dd), _rows(d.tail(min(n, max(len(d) - n, 0))), dd)


def differ_table(dd) -> pd.DataFrame:
    """Departments whose consolidated grade differs from the money-weighted mean of their units'."""
    d = dd.evaluation.ranking.departments
    return _rows(d[d["grades_differ"].fillna(False).to_numpy(dtype=bool)], dd)


def facts(dd) -> dict | None:
    """The numbers the texts state (None: no department evaluation)."""
    if dd is None:
        return None
    d = dd.evaluation.ranking.departments
    g = grade_counts(dd)
    return {"year": dd.year, "n_departments": int(len(d)), "n_graded": int(d["grade_consolidated"].notna().sum()),
            "n_units": int(len(dd.units)), "mean": float(d["consolidated_total"].mean()),
            "grades": dict(zip(g["等级"], g["部门数（个）"])), "n_differ": int(d["grades_differ"].fillna(False).sum()),
            "treatments": dd.counts("department"), "unit_treatments": dd.counts("unit"),
            "n_missing_forms": int(len(dd.evaluation.rollup.coverage.missing_forms))}


def section_text(dd) -> list[str]:
    """The portfolio's department section in sentences."""
    f = facts(dd)
    if f is None:
        return absent_text()
    grades = "、".join(f"“{g}”{n} 个" for g, n in f["grades"].items() if n)
    out = [f"{f['year']} 年全市 {f['n_departments']} 个部门（{f['n_units']} 个预算单位）开展部门整体支出绩效自评，"
           f"合并评价平均 {fmt.score(f['mean'])} 分，等级为{grades}"]
    out.append(f"{f['n_differ']} 个部门合并评价等级与所属单位资金加权平均等级不同，以合并评价为准" if f["n_differ"]
               else "各部门合并评价等级与所属单位资金加权平均等级一致")
    out.append("下一年度部门预算：" + "、".join(f"{k} {n} 个部门" for k, n in f["treatments"].items()))
    if f["n_missing_forms"]:
        out.append(f"{f['n_missing_forms']} 个有资金的预算单位未提交自评表，没有等级，结果应用不作结论")
    return [fmt.sentence(x) for x in out]


def annual_paragraph(dd) -> str:
    """One paragraph of the annual report: departments evaluated, grades, treatments."""
    f = facts(dd)
    if f is None:
        return fmt.sentence("本年度未开展部门整体支出绩效评价")
    grades = "、".join(f"“{g}”{n} 个" for g, n in f["grades"].items() if n)
    text = (f"组织 {f['n_departments']} 个部门（含所属 {f['n_units']} 个预算单位）开展部门整体支出绩效自评，按“谁花钱谁评价”"
            f"将二级预算单位纳入一级预算单位汇总评价，部门合并评价等级为{grades}；评价结果与下一年度部门预算挂钩："
            + "、".join(f"{k} {n} 个部门" for k, n in f["treatments"].items()))
    if f["n_missing_forms"]:
        text += f"；{f['n_missing_forms']} 个预算单位未提交自评表，不作结论，责成补报"
    return fmt.sentence(text)


__all__ = ["ABSENT", "absent_text", "annual_paragraph", "differ_table", "facts", "grade_counts", "section_text",
           "top_bottom"]
