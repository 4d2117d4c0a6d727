"""The results applied to next year's budget (评价结果应用), as a report section: sentences and tables.

Used by the city-wide comparison (portfolio) and the city's annual report. ``applied`` is a
:class:`perfeval.budget.ResultsApplied` — in the reports the view of this year's projects in the ledger
of next year's decisions (:meth:`perfeval.budget.Decisions.applied`), so that a project's decision and
amount are those of the priority report and of 结果应用.xlsx. Money in 万元 (two decimals) in tables and sentences; an
empty list of projects cut or stopped is a sentence, never an empty table.
"""
from __future__ import annotations

import pandas as pd

from .. import display as fmt

HIT = ("cut", "stop", "none", "revise")


def counts_text(applied) -> str:
    """"优先保障 171 个（151,416.17 万元）、保持 16 个（…）" — only the actions that occur, in order."""
    s = applied.summary()
    s = s[s["projects"] > 0]
    return "、".join(f"{a} {int(n)} 个（本年度预算 {fmt.wan_text(b)}）" for a, n, b in zip(s["action"], s["projects"], s["budget"]))


def overview(applied) -> list[str]:
    """What the rules gave for the city: counts and money per action, the projects affected, deadlines."""
    t = applied.table
    conv = applied.conventions()
    out = [f"按照评价结果应用规则（{rules_sentence(applied.rules)}；{conv['采用的等级']}），对 {len(t)} 个项目提出下一年度"
           "预算处理意见：" + counts_text(applied)]
    if "决定规则顺序" in conv:  # the decisions ledger: one decision per project, in this rule order
        out.append("每个项目只作一个决定，依次适用" + fmt.clause(conv["决定规则顺序"].split("；")[0]))
    if "requested" in t:
        asked = t[t["requested"].notna()]
        if len(asked):
            out.append(f"其中 {len(asked)} 个项目申报了下一年度预算（申请 {fmt.wan_text(asked['requested'].sum())}），按上述规则和资金控制数"
                       f"内的择优排序安排 {fmt.wan_text(asked['suggested'].sum())}；其余 {len(t) - len(asked)} 个项目未申报，按本年度全年预算数"
                       "测算建议安排金额")
    hit = t[t["action_code"].isin(HIT)]
    if len(hit):
        cut = t[t["action_code"] == "cut"]
        stop = t[t["action_code"].isin(["stop", "none"])]
        revise = t[t["action_code"] == "revise"]
        parts = []
        if len(cut):
            parts.append(f"压减 {len(cut)} 个项目 {fmt.wan_text((cut['budget'] - cut['suggested']).sum())}")
        if len(stop):
            parts.append(f"取消、暂停或不予安排 {len(stop)} 个项目（本年度预算 {fmt.wan_text(stop['budget'].sum())}）")
        if len(revise):
            parts.append(f"退回修改绩效目标 {len(revise)} 个项目（本年度预算 {fmt.wan_text(revise['budget'].sum())}），修改审核通过前不安排")
        out.append("下一年度预算据此" + "，".join(parts))
    else:
        out.append("本年度没有评价等级为“中”“差”的项目，也没有未编报绩效目标、未开展自评或绩效目标须退回修改的项目，"
                   "无需压减、取消或暂停预算")
    gated = t[t["hard_rules"] != ""]
    if len(gated):
        out.append(f"其中 {len(gated)} 个项目因{'、'.join(sorted(set('、'.join(gated['hard_rules']).split('、'))))}，"
                   "按硬性规则不予安排，不论评价等级")
    changed = key_overrides(applied)
    if len(changed):
        moved = changed[changed["按自评等级应为"] != changed["按重点评价等级为"]]
        pairs = moved.groupby(["按自评等级应为", "按重点评价等级为"], sort=False).size()
        detail = "、".join(f"{n} 个由“{a}”改为“{b}”" for (a, b), n in pairs.items())
        out.append(f"{len(changed)} 个项目的重点评价等级与单位自评等级不同，按重点评价等级处理" + (f"，其中 {detail}" if detail else ""))
    out.append(f"评价{fmt.clause(conv['结果反馈'])}；{fmt.clause(conv['整改计划'])}")
    return [fmt.sentence(x) for x in out]


def rules_sentence(rules) -> str:
    """"评价为“优”的优先保障、“良”的保持、“中”的压减 10%、“差”的取消或暂停"."""
    from ..budget.apply import ACTIONS, GRADES

    by_grade = dict(rules.actions)
    share = rules.share_of

    def what(code):
        s = share[code]
        extra = "" if code in ("stop", "none") or abs(s) < 1e-12 else f" {abs(s):.0%}"
        return ACTIONS[code] + extra

    return "评价为" + "、".join(f"“{g}”的{what(by_grade[g])}" for g in GRADES)


def summary_table(applied) -> pd.DataFrame:
    return applied.summary_table()


def affected(applied) -> pd.DataFrame:
    """The projects cut, stopped or not funded, with why (empty frame when there are none)."""
    t = applied.table
    hit = t[t["action_code"].isin(HIT)]
    table = applied.chinese_table().loc[hit.index]
    return table[["项目名称", "主管部门", "采用等级", "等级来源", "处理", "本年度全年预算（万元）", "建议安排（万元）",
                  "整改计划期限", "说明"]].reset_index(drop=True)


def key_overrides(applied) -> pd.DataFrame:
    """Projects whose key-evaluation grade differs from their self-evaluation grade, and what it changed."""
    t = applied.table
    diff = t[(t["grade_source"] == "重点评价") & t["grade"].notna() & (t["grade"] != t["grade_used"])]
    by_grade = dict(applied.rules.actions)
    from ..budget.apply import ACTIONS

    by_key = diff["grade_action"] if "grade_action" in diff else diff["action"]  # the grade's action, before later rules
    return pd.DataFrame({"项目名称": diff["project_name"], "主管部门": diff["department"], "自评等级": diff["grade"],
                         "重点评价等级": diff["grade_used"],
                         "按自评等级应为": diff["grade"].map(by_grade).map(ACTIONS), "按重点评价等级为": by_key,
                         "处理": diff["action"], "建议安排（万元）": diff["suggested"].map(fmt.wan)}).reset_index(drop=True)


def rules_table(applied) -> pd.DataFrame:
    conv = applied.conventions()
    return pd.DataFrame({"规则": list(conv), "设置": [fmt.clause(v) for v in conv.values()]})


__all__ = ["affected", "counts_text", "key_overrides", "overview", "rules_sentence", "rules_table", "summary_table"]
