"""Views of the decisions ledger (:class:`perfeval.budget.Decisions`): 结果应用 (this year's projects, as a
:class:`~perfeval.budget.ResultsApplied` the workbook and the report sections already read), the
ledger's Chinese table and its summary. No number is computed here that the ledger does not hold.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .apply import ResultsApplied


def _wan(v) -> str:
    return "" if pd.isna(v) else f"{v / 1e4:,.2f}"


@dataclass(frozen=True, kw_only=True)
class DecisionsApplied(ResultsApplied):
    """结果应用 as a view of the decisions ledger: the action is the project's one decision, 建议安排
    its amount, and the settings are the decisions' (the rule order first)."""

    settings: dict
    dept: object | None = None  # dept.DeptDecisions of the same ledger (None without units.csv)

    def conventions(self) -> dict:
        return dict(self.settings)

    def to_xlsx(self, path, date: str | None = None):
        """结果应用 / 处理汇总 / 应用规则, and 部门整体结果应用 where the departments were evaluated."""
        from ..export import write_sheets
        from .decisions import DEPT_SHEET

        conv = self.conventions()
        sheets = {"结果应用": self.chinese_table(), "处理汇总": self.summary_table(),
                  "应用规则": pd.DataFrame({"规则": list(conv), "设置": list(conv.values())})}
        if self.dept is not None:
            sheets[DEPT_SHEET] = self.dept.chinese_table()
        return write_sheets(path, sheets, title="绩效评价结果应用", date=date)

    def chinese_table(self) -> pd.DataFrame:
        table = super().chinese_table()
        table.insert(len(table.columns) - 1, "下一年度申请（万元）", self.table["requested"].map(_wan).replace("", "未申报"))
        return table


def applied_view(d) -> DecisionsApplied:
    """The ledger's rows of this year's projects, with the columns of :func:`~.apply.apply_results`."""
    from .decisions import DECISION_ORDER, DECISIONS

    t = d.ledger[d.ledger["in_year"]].reset_index(drop=True)
    budget = t["budget"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(budget > 0, t["amount"].to_numpy(dtype=float) / budget - 1.0, np.nan)
    table = pd.DataFrame({
        "project_id": t["project_id"], "project_name": t["project_name"], "department": t["department"],
        "grade": t["grade"], "key_grade": t["key_grade"], "grade_used": t["grade_used"], "grade_source": t["grade_source"],
        "action_code": t["decision_code"], "action": t["decision"], "change_share": change, "budget": t["budget"],
        "suggested": t["amount"], "hard_rules": t["gates"], "rectify": t["rectify"], "feedback_due": t["feedback_due"],
        "plan_due": t["plan_due"], "reason": t["reason"], "grade_action": t["grade_action"].map(DECISIONS),
        "requested": t["requested"], "status": t["status"], "reason_codes": t["reason_codes"]})
    return DecisionsApplied(table=table, rules=d.rules.apply, order=DECISION_ORDER, settings=d.conventions(),
                            dept=getattr(d, "dept", None))


KIND = {"new": "新增", "continuing": "延续"}


def ledger_table(d) -> pd.DataFrame:
    """Chinese headers, money in 万元: one row per project of the ledger."""
    t = d.ledger
    kind = t["kind"].map(KIND).where(t["asked"], "未申报")
    return pd.DataFrame({
        "项目编码": t["project_id"], "项目名称": t["project_name"], "主管部门": t["department"], "下一年度": kind,
        "采用等级": t["grade_used"].fillna("—"), "等级来源": t["grade_source"].fillna("—"),
        "事前评估": t["exante_outcome"].map({"support": "予以支持", "partial": "部分支持", "reject": "不予支持"}).fillna("—"),
        "目标审核": t["target_grade"].fillna("—").where(t["asked"], "—"),
        "本年度全年预算（万元）": t["budget"].map(_wan), "收回统筹（万元）": t["recovered"].map(_wan),
        "申请金额（万元）": t["requested"].map(_wan), "核定金额（万元）": t["approved"].map(_wan),
        "排序": t["rank"].map(lambda r: "" if pd.isna(r) else str(int(r))), "决定": t["decision"],
        "金额（万元）": t["amount"].map(_wan), "依据规则": t["reason_codes"].map(",".join), "说明": t["reason"]})


def summary_table(d) -> pd.DataFrame:
    """One row per decision and a total: projects, this year's budget, requested, amount (万元)."""
    s = d.summary()
    total = pd.DataFrame([{"decision": "合计", "projects": int(s["projects"].sum()), "budget": s["budget"].sum(),
                           "requested": s["requested"].sum(), "amount": s["amount"].sum()}])
    s = pd.concat([s, total], ignore_index=True)
    return pd.DataFrame({"决定": s["decision"], "项目数（个）": s["projects"].astype(int),
                         "本年度全年预算（万元）": s["budget"].map(_wan), "下一年度申请（万元）": s["requested"].map(_wan),
                         "金额（万元）": s["amount"].map(_wan)})


__all__ = ["DecisionsApplied", "applied_view", "ledger_table", "summary_table"]
