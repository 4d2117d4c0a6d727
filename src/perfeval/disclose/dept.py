"""The source of 部门整体支出绩效自评结果公开表: one row per department — its name, consolidated score, grade
and main deviation reasons (the indicators that lost most points in the roll-up, with the units' reasons). Read
from the same evaluation as the department reports and the ledger (:func:`perfeval.dept.decisions.dept_decisions_from_data`);
None without ``units.csv`` (no table, not an empty one). No unit code reaches the frame's public columns.
"""
from __future__ import annotations

import pandas as pd

MAX_REASONS = 3  # indicators listed per department, largest deduction first


def _reasons(evaluation) -> pd.Series:
    """department_id → "三级指标扣 x.xx 分（原因）；…" (the largest ``MAX_REASONS`` deductions), "无扣分" if none."""
    g = evaluation.rollup.groups
    lost = g.assign(lost=g["points"] - g["score"])
    lost = lost[lost["lost"] > 0.005]
    r = evaluation.rollup.rows
    r = r[r["reason"].notna()]
    why = r.groupby(["department_id", "indicator"])["reason"].agg(lambda s: "；".join(dict.fromkeys(map(str, s))))
    lost = lost.sort_values(["department_id", "lost", "indicator"], ascending=[True, False, True], kind="mergesort")
    lost = lost.groupby("department_id", sort=False).head(MAX_REASONS)
    said = pd.Series(list(zip(lost["department_id"], lost["indicator"]))).map(why).to_numpy()
    text = (lost["level3"].astype(str) + "扣 " + lost["lost"].map("{:.2f}".format) + " 分").to_numpy(dtype=object)
    text = pd.Series([t if pd.isna(s) else f"{t}（{s}）" for t, s in zip(text, said)], index=lost.index)
    return text.groupby(lost["department_id"].to_numpy()).agg("；".join)


def dept_source(data) -> pd.DataFrame | None:
    """department, score, grade, reasons per department, in rank order; None without the department files."""
    from ..dept.decisions import dept_decisions_from_data

    dd = dept_decisions_from_data(data)
    if dd is None:
        return None
    d = dd.departments
    reasons = _reasons(dd.evaluation)
    return pd.DataFrame({"department": d["department_name"].to_numpy(), "score": d["score"].to_numpy(dtype=float),
                         "grade": d["grade"].fillna("未定级").to_numpy(),
                         "reasons": d["department_id"].map(reasons).fillna("无扣分指标").to_numpy()})


__all__ = ["MAX_REASONS", "dept_source"]
