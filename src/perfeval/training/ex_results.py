"""Module 5 — 监控与结果应用: reading the monitoring at the end of June and October (the existing
:mod:`perfeval.monitor` API), deciding next year's budget from grades, and the priority ranking
under a cap (:func:`perfeval.budget.prioritise`).

The grade → action rules are not restated here: the answers are judged by
:func:`perfeval.budget.apply_results` under its default :class:`~perfeval.budget.ApplyRules` (domain.md §6:
优 优先保障, 良 保持, 中 压减, 差 取消或暂停; key grades first; feedback within 20 days, a rectification plan
within 30 [S2]), the same rules that make the city's 结果应用.xlsx, so the course and the reports never disagree.
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from .. import budget, monitor
from .answers import whole
from .registry import exercise

# five projects with last year's grade and where it comes from (key evaluation overrides self-evaluation)
GRADED = pd.DataFrame({
    "项目": ["老年助餐服务补贴", "城区道路照明维护", "农村公厕改造", "校园安全设施改造", "旅游宣传推广"],
    "单位自评等级": ["优", "优", "良", "优", "中"],
    "重点评价等级": [None, "良", None, "中", "差"],
})
RULES = budget.ApplyRules()
ACTIONS = [budget.ACTIONS[code] for code in ("priority", "keep", "cut", "stop")]
DEADLINES = {"反馈评价结果": RULES.feedback_days, "报送整改计划": RULES.plan_days}


def applied(graded: pd.DataFrame = GRADED, rules: budget.ApplyRules = RULES) -> pd.DataFrame:
    """The library's decision for each project of ``graded`` (action, grade used, its source, reason)."""
    results = pd.DataFrame({"project_id": graded["项目"], "project_name": graded["项目"], "department": "",
                            "grade": graded["单位自评等级"], "key_grade": graded["重点评价等级"], "budget": 1_000_000.0,
                            "has_targets": True, "self_evaluated": True})
    return budget.apply_results(results, rules).table.set_index("project_id")


def grade_used() -> pd.Series:
    """The grade that counts: the key evaluation's where there is one, else the self-evaluation's."""
    return applied()["grade_used"].rename_axis("项目")


@exercise("m5-actions", 5, "按评价等级决定下一年度预算",
          f"表 GRADED 是五个延续项目上年的评价等级。请为每个项目选择下一年度预算的处理（{' / '.join(ACTIONS)}）："
          "答案写成 {项目: 处理}。注意同一项目既有单位自评又有重点评价时以哪个为准。",
          placeholder={p: "" for p in GRADED["项目"]},
          solution=lambda data: applied()["action"].to_dict())
def _actions(answer, data):
    decided = applied()
    by_self = applied(GRADED.assign(重点评价等级=None))["action"]  # what the self-grades alone would give
    right, wrong = [], []
    for project, row in decided.iterrows():
        given = str((answer or {}).get(project, "") if isinstance(answer, dict) else "").strip()
        if not given:
            wrong.append(f"“{project}”还没有选择处理。")
        elif given not in ACTIONS:
            wrong.append(f"“{project}”：“{given}”不在可选处理中（{' / '.join(ACTIONS)}）。")
        elif given == row["action"]:
            right.append(f"“{project}”{given}：{row['reason'].split('，建议安排')[0]}。")
        elif row["grade_source"] == "重点评价" and given == by_self[project]:
            wrong.append(f"“{project}”：“{given}”是按单位自评等级作出的；有重点评价的项目以重点评价结果为准。")
        else:
            wrong.append(f"“{project}”：“{given}”与它采用的等级不符。规则：{RULES.describe()['评价等级与处理']}。")
    return right, wrong, []


@exercise("m5-deadlines", 5, "结果反馈与整改的时限",
          "评价结果确定后多少天内反馈给被评价单位？单位收到后多少天内报送整改计划？答案写成 {\"反馈评价结果\": 天数, \"报送整改计划\": 天数}。",
          placeholder={"反馈评价结果": None, "报送整改计划": None}, solution=dict(DEADLINES))
def _deadlines(answer, data):
    right, wrong = [], []
    for step, days in DEADLINES.items():
        given = (answer or {}).get(step) if isinstance(answer, dict) else None
        if given is None or str(given).strip() == "":
            wrong.append(f"还没有填写“{step}”的天数。")
        elif whole(given, strip_units=True) is None:
            wrong.append(f"{step}：应填写天数（一个整数，如 10 或“10天”），现在是 {given!r}。")
        elif whole(given, strip_units=True) == days:
            right.append(f"{step}：{days} 天（省级结果应用规定 [S2]，perfeval 的默认设置）。")
        else:
            wrong.append(f"{step}：不是 {given} 天。先反馈、后整改，整改的时限比反馈长；回看笔记本中“结果应用规定”一段。")
    return right, wrong, []




def _june(data):
    payments, projects = monitor.load(data)
    lists = monitor.checkpoint_lists(payments, projects)
    return lists[lists["month"] == 6]


def _october(data):
    payments, projects = monitor.load(data)
    lists = monitor.checkpoint_lists(payments, projects)
    return lists[lists["month"] == 10]


@exercise("m5-june", 5, "6 月底：哪个部门被提醒的项目最多",
          "用 monitor.checkpoint_lists 读 6 月底的提醒名单（进度比低于序时进度 80%）。答案写成 {\"提醒项目数\": 数, \"最多的部门\": 部门名称}。",
          placeholder={"提醒项目数": None, "最多的部门": ""}, needs_data=True,
          solution=lambda data: {"提醒项目数": len(_june(data)),
                                 "最多的部门": str(_june(data)["department"].value_counts().idxmax())})
def _june_check(answer, data):
    june = _june(data)
    counts = june["department"].value_counts()
    right, wrong = [], []
    n = (answer or {}).get("提醒项目数") if isinstance(answer, dict) else None
    dept = str((answer or {}).get("最多的部门", "") if isinstance(answer, dict) else "").strip()
    if n is None or str(n).strip() == "":
        wrong.append("还没有填写提醒项目数。")
    elif whole(n) is None:
        wrong.append(f"提醒项目数应是一个整数，现在是 {n!r}。")
    elif whole(n) == len(june):
        right.append(f"6 月底提醒 {len(june)} 个项目：累计支付 ÷ 预算数 ÷ (6/12) 低于 80% 的项目。")
    else:
        wrong.append(f"提醒项目数不是 {n}：只数 6 月底的名单（month == 6），10 月底的未破零名单是另一张表；"
                     "进度比 = 累计执行率 ÷ 序时进度（6 月为 50%）。")
    if not dept:
        wrong.append("还没有填写部门。")
    elif dept == counts.idxmax():
        right.append(f"{dept}被提醒的项目最多（{int(counts.max())} 个）。")
    elif dept in counts.index:
        wrong.append(f"{dept}有 {int(counts[dept])} 个项目被提醒，但不是最多的：按 department 列计数比较。")
    else:
        wrong.append(f"“{dept}”不在 6 月底的提醒名单中（部门名称要与名单中的写法一致）。")
    return right, wrong, []


@exercise("m5-october", 5, "10 月底：仍未破零的项目",
          "10 月底仍未支付一分钱（未破零）的项目列入重点关注台账。答案写成项目编码的列表。",
          placeholder=[], needs_data=True, solution=lambda data: _october(data)["project_id"].tolist())
def _october_check(answer, data):
    truth = set(_october(data)["project_id"])
    given = {str(x).strip() for x in ([answer] if isinstance(answer, str) else answer)}
    right = [f"{p} 到 10 月底仍未破零，列入重点关注台账。" for p in sorted(given & truth)]
    wrong = [f"{p} 不在 10 月底的台账中：它已经有支付（或不是本年项目），不是“未破零”。" for p in sorted(given - truth)]
    if truth - given:
        wrong.append(f"还有 {len(truth - given)} 个未破零的项目没有列出。")
    return right, wrong, ["未破零 = 1–10 月累计支付为 0；6 月底的提醒名单是另一条规则（进度比 < 80%）。"] if wrong else []


@lru_cache(maxsize=4)
def _ranking(folder: str) -> pd.DataFrame:
    """The sample's ranking under 2.30 亿元 (cached: the evidence takes seconds to gather)."""
    evidence = budget.candidates_from_data(folder)
    result = budget.prioritise(evidence.candidates, cap=230_000_000)
    return result.table


def _below_line(data) -> pd.DataFrame:
    return _ranking(str(data)).copy()


@exercise("m5-priority", 5, "择优排序：谁在资金控制线以下",
          "按 budget.prioritise（控制数 2.30 亿元，全额安排）排序后，哪些项目在资金控制线以下（不是被否决的）？答案写成项目编码的列表。",
          placeholder=[], needs_data=True,
          solution=lambda data: _below_line(data).loc[lambda t: t["status"].str.contains("资金线以下"), "project_id"].tolist())
def _priority(answer, data):
    table = _below_line(data)
    below = set(table.loc[table["status"].str.contains("资金线以下"), "project_id"])
    vetoed = set(table.loc[table["status"] == "不予安排", "project_id"])
    given = {str(x).strip() for x in ([answer] if isinstance(answer, str) else answer)}
    reasons = table.set_index("project_id")["reason"]
    right = [f"{p}：{reasons[p]}" for p in sorted(given & below)]
    wrong = [f"{p} 被否决规则排除（不予安排），不是排在资金控制线以下：否决在排序之前。" for p in sorted(given & vetoed)]
    wrong += [f"{p} 在资金控制线以上（已安排）或不是申请项目。" for p in sorted(given - below - vetoed)]
    if below - given:
        wrong.append(f"还有 {len(below - given)} 个资金线以下的项目没有列出：看排序结果中“未安排”的项目。")
    return right, wrong, []
