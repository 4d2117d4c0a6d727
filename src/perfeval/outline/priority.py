"""The priority-ranking report (项目支出择优排序情况): the ranked list, the funding line and why.

核定金额 is the amount the ranking funds: the ex-ante suggestion of a new project (requested less the
items found uneconomic), the request of a continuing one (limited after a year-end recovery, adjusted
by its grade's share). The ranking is the view of the ledger of next year's decisions
(:func:`perfeval.budget.decisions_from_data`): each project's 处理 and amount are those of 结果应用.xlsx,
the portfolio and the annual report, and its reasons name every rule that applied, in order.

一、基本情况 (requests, money asked, the cap, the evidence used) · 二、决定规则与排序规则 (the rule order, gates, ordering, tiers,
funding — every setting printed) · 三、排序结果与资金控制线 (the ranked list above and below the line,
a chart) · 四、不予安排的项目 · 五、逐项说明 (what put each project above or below the line) · 附录
(规则, 输入文件). ``build_priority_report(data_dir, cap=None, …)`` decides the data folder's year and
shows the ranking.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import datasets
from ..errors import InputError
from .. import display as fmt
from .exante import short_label

TITLE = "项目支出择优排序情况"


@dataclass
class PriorityReport:
    result: object      # budget.Priority: the ranking view of the decisions ledger
    evidence: object    # budget.Evidence
    city: str
    inputs: list
    decisions: object = None  # budget.Decisions: the ledger

    @property
    def year(self):
        return self.evidence.year

    @property
    def title(self) -> str:
        return f"{self.city} {self.year or ''} 年度{TITLE}".replace("  ", " ")

    @property
    def ranked(self) -> pd.DataFrame:
        t = self.result.table
        return t[t["rank"].notna()]

    def overview(self) -> list[str]:
        c, t, r = self.evidence.candidates, self.result.table, self.result
        kinds = c["kind"].astype(str).value_counts()
        text = (f"{self.year or '下一'} 年度申请安排的项目 {len(c)} 个（新增 {int(kinds.get('新增', 0))} 个、延续 "
                f"{int(kinds.get('延续', 0))} 个），申请资金 {fmt.wan_text(c['requested'].astype(float).sum())}；"
                f"可安排的资金控制数为 {fmt.wan_text(r.cap)}")
        sources = []
        if self.evidence.exante is not None:
            sources.append(f"新增项目的事前绩效评估结论（{len(self.evidence.exante.totals)} 个项目）")
        if self.evidence.review is not None:
            sources.append(f"绩效目标审核结论（{len(self.evidence.review.summary)} 份申报表）")
        sources.append("延续项目上年度的绩效评价结果（有重点评价的以重点评价为准，其余以单位自评复核后结果为准）及年底收回统筹情况")
        return [fmt.sentence(text), fmt.sentence("排序依据：" + "；".join(sources)),
                fmt.sentence(r.summary())]

    def rules_table(self) -> pd.DataFrame:
        conv = self.result.conventions
        return pd.DataFrame({"规则": list(conv), "设置": [fmt.clause(v) for v in conv.values()]})

    def _table(self, rows: pd.DataFrame) -> pd.DataFrame:
        new = rows["kind_label"] == "新增"
        verdict = rows["exante_conclusion"].astype(object).fillna("").map(short_label) + "（事前评估）"
        funded = rows["status"].isin(["全额安排", "部分安排"])
        return pd.DataFrame({
            "排序": rows["rank"].map(lambda r: str(int(r))), "项目名称": rows["project_name"], "类型": rows["kind_label"],
            "优先档次": rows["tier"].map(lambda t: "—" if pd.isna(t) else f"第{'〇一二三四五六七八九'[int(t)]}档"),
            "事前评估或上年评价": verdict.where(new, rows["last_text"]), "得分": rows["score"].map(fmt.score),
            "目标审核": rows["target_grade"].fillna("未申报"), "申请金额（万元）": rows["requested"].map(fmt.wan),
            "核定金额（万元）": rows["amount"].map(fmt.wan), "安排金额（万元）": rows["funded"].map(fmt.wan),
            "累计安排（万元）": rows["cumulative"].map(fmt.wan).where(funded, ""), "结果": rows["status"],
            **({"处理": rows["decision"]} if "decision" in rows else {})})

    def above(self) -> pd.DataFrame:
        r = self.ranked
        return self._table(r[r["status"].isin(["全额安排", "部分安排"])])

    def below(self) -> pd.DataFrame:
        r = self.ranked
        return self._table(r[~r["status"].isin(["全额安排", "部分安排"])])

    def line_text(self) -> str:
        r, res = self.ranked, self.result
        funded = r[r["status"].isin(["全额安排", "部分安排"])]
        below = r[~r["status"].isin(["全额安排", "部分安排"])]
        text = f"按排序依次安排，资金控制线以上 {len(funded)} 个项目共安排 {fmt.wan_text(res.used)}"
        if len(below):
            first = below.iloc[0]
            text += (f"；资金控制线以下 {len(below)} 个项目未安排，申请 {fmt.wan_text(below['amount'].sum())}，"
                     f"其中排在线下第一位的是“{first['project_name']}”（{fmt.wan_text(first['amount'])}）")
        text += f"；控制数剩余 {fmt.wan_text(res.remaining)}"
        return fmt.sentence(text)

    def gated(self) -> pd.DataFrame:
        """The projects kept out of the ranking (不予安排, 取消或暂停, 退回修改) and why."""
        t = self.result.table
        g = t[t["rank"].isna()]
        if g.empty:
            return pd.DataFrame()
        why = g["gates"].str.replace("不予安排：", "", regex=False)
        if "decision" in g:  # the ledger's reason for the projects not gated but stopped or returned
            why = why.where(g["decision"] == "不予安排", g["reason"].str.split("；决定：").str[0])
        return pd.DataFrame({"项目名称": g["project_name"], "类型": g["kind_label"],
                             "申请金额（万元）": g["requested"].map(fmt.wan), "处理": g["status"], "原因": why})

    def reasons(self) -> list[str]:
        t = self.result.table
        return [fmt.sentence(f"{name}：{fmt.clause(reason)}") for name, reason in zip(t["project_name"], t["reason"])]

    def chart_rows(self) -> pd.DataFrame:
        return self.ranked[["project_name", "amount", "funded", "status"]]


def build_priority_report(data_dir, cap=None, *, funding: str = "whole", skip: bool = False,
                          exante_rule: str = "default", city: str | None = None) -> PriorityReport:
    """The ranking of the next year's requests of a data folder under ``cap`` (元; default
    ``next_year/control.csv``): the view of the data folder's decisions ledger."""
    from ..budget import DecisionRules, PriorityRules, decisions_from_data
    from ..settings import city_name

    data = Path(data_dir)
    if cap is None and datasets.next_year_cap(data) is None:
        raise InputError("没有资金控制数 (no cap)：在参数 cap 中给出，或在 next_year/control.csv 中写明",
                         expected="以元为单位的数值")
    rules = DecisionRules(priority=PriorityRules(funding=funding, skip=skip))
    decisions = decisions_from_data(data, rules=rules, cap=cap, exante_rule=exante_rule)
    evidence, result = decisions.evidence, decisions.priority
    if result is None:
        raise InputError("没有下一年度预算申请 (no requests)", expected="数据目录中的 next_year/requests.csv")
    names = datasets.projects(data)["department"] if (data / "projects.csv").is_file() else evidence.candidates[
        "department"]
    inputs = [data / "next_year" / n for n in ("requests.csv", "control.csv") if (data / "next_year" / n).is_file()]
    inputs += datasets.next_year_declarations(data) + sorted((data / "exante").glob("*.csv"))
    inputs += [data / n for n in ("projects.csv", "payments.csv") if (data / n).is_file()]  # grades, recoveries
    return PriorityReport(result=result, evidence=evidence, city=city_name(data, names, city), inputs=inputs,
                          decisions=decisions)


__all__ = ["PriorityReport", "TITLE", "build_priority_report"]
