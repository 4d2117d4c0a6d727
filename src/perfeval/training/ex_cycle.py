"""Module 1 — 预算绩效管理全流程: the chain of the cycle, how an indicator system lays out its points,
and the sample city's ex-ante conclusions and year-end recovery (perfeval.systems, perfeval.exante,
perfeval.monitor on the sample city).
"""
from __future__ import annotations

from functools import lru_cache

from .. import exante, monitor
from ..systems import load_system
from .answers import number, whole
from .registry import exercise

CHAIN = ["事前绩效评估", "绩效目标管理", "绩效运行监控", "绩效评价", "结果应用"]  # 中发〔2018〕34号 [S50]
CHAIN_WHY = {
    "事前绩效评估": "新增项目在申请预算之前评估立项必要性、投入经济性等，决定是否立项",
    "绩效目标管理": "申报预算时同时申报绩效目标，财政部门审核后随预算批复",
    "绩效运行监控": "预算执行中对照目标监控执行进度和目标完成情况（双监控）",
    "绩效评价": "年度结束后单位自评，财政部门选择重点项目开展重点评价",
    "结果应用": "评价结果与下一年度预算安排挂钩，并公开",
}


@exercise("m1-chain", 1, "全流程的五个环节",
          f"把这五个环节按预算绩效管理的先后顺序排好：{'、'.join(sorted(CHAIN))}。答案写成列表。",
          placeholder=[], solution=list(CHAIN))
def _chain(answer, data):
    if not isinstance(answer, (list, tuple)):
        return [], [f"答案应写成列表，如 [\"事前绩效评估\", …]，现在是 {type(answer).__name__}。"], []
    given = [str(x).strip() for x in answer]
    right, wrong = [], []
    unknown = [g for g in given if g not in CHAIN]
    wrong += [f"“{g}”不是五个环节之一（{'、'.join(CHAIN)}）。" for g in unknown]
    if len(given) != len(CHAIN) or len(set(given)) != len(given):
        wrong.append(f"应排好全部 {len(CHAIN)} 个环节，每个一次；现在有 {len(given)} 项。")
    for pos, item in enumerate(given):
        if item in CHAIN and CHAIN.index(item) == pos:
            right.append(f"第 {pos + 1} 步“{item}”：{CHAIN_WHY[item]}。")
        elif item in CHAIN:
            wrong.append(f"“{item}”不在第 {pos + 1} 步：{CHAIN_WHY[item]}——想一想它需要前面哪一步的结果。")
    return right, wrong, []


def _points(data=None):
    frame = load_system("mof-2020-self").to_frame()
    top = frame[frame["depth"] == 1]
    return dict(zip(top["name"], top["points"].astype(float)))


@exercise("m1-points", 1, "自评表的分值怎么分",
          "单位自评表（指标体系 mof-2020-self）的一级指标各占多少分？答案写成 {\"预算执行率\": 分, \"产出指标\": 分, "
          "\"效益指标\": 分, \"满意度指标\": 分}。",
          placeholder={"预算执行率": None, "产出指标": None, "效益指标": None, "满意度指标": None}, solution=_points)
def _points_check(answer, data):
    truth = _points()
    right, wrong = [], []
    values = {}
    for name, pts in truth.items():
        given = answer.get(name) if isinstance(answer, dict) else None
        value = number(given)
        if given is None or (isinstance(given, str) and not given.strip()):
            wrong.append(f"还没有填写“{name}”的分值。")
            continue
        if value is None:
            wrong.append(f"“{name}”的分值应是一个数，现在是 {given!r}。")
            continue
        values[name] = value
        if abs(value - pts) < 1e-9:
            right.append(f"{name} {pts:g} 分。")
        else:
            wrong.append(f"{name}不是 {value:g} 分：用 perfeval.load_system(\"mof-2020-self\").render_tree() 查看各一级指标的分值。")
    total = sum(values.values())
    if wrong and len(values) == len(truth) and abs(total - 100) > 1e-9:
        wrong.append(f"你填的分值合计 {total:g} 分，而自评表满分是 100 分。")
    return right, wrong, []


@lru_cache(maxsize=4)
def _assessment(folder: str):
    return exante.assess(folder).totals


def _refused(data):
    t = _assessment(str(data))
    return sorted(t.loc[t["conclusion"] == "不予支持", "project_id"])


@exercise("m1-exante", 1, "事前评估：哪些项目不予支持",
          "按默认规则（≥80 予以支持，60（含）–80 部分支持，<60 不予支持），示例市哪些候选项目不予支持？答案写成项目编码的列表。",
          placeholder=[], needs_data=True, solution=_refused)
def _exante(answer, data):
    totals = _assessment(str(data)).set_index("project_id")
    truth = set(_refused(data))
    given = {str(x).strip() for x in ([answer] if isinstance(answer, str) else answer)}
    right = [f"{p}：总分 {totals.loc[p, 'total']:.2f}，低于 60 分，不予支持。" for p in sorted(given & truth)]
    wrong = []
    for p in sorted(given - truth):
        if p in totals.index:
            wrong.append(f"{p}：总分 {totals.loc[p, 'total']:.2f}，结论是“{totals.loc[p, 'conclusion']}”，不是不予支持；"
                         "注意 60 分本身属于“部分支持”。")
        else:
            wrong.append(f"{p} 不是事前评估的候选项目（候选项目编码形如 SZ2022-N01）。")
    if truth - given:
        wrong.append(f"还有 {len(truth - given)} 个不予支持的项目没有列出。")
    return right, wrong, []


@exercise("m1-recovery", 1, "年底收回统筹",
          "年底执行率低于 95% 的项目，未支付的余额收回统筹。示例市有几个项目被收回、共多少万元？"
          "答案写成 {\"项目数\": 数, \"金额（万元）\": 数}（两位小数）。",
          placeholder={"项目数": None, "金额（万元）": None}, needs_data=True,
          solution=lambda data: {"项目数": int((monitor.year_end_recovery(*monitor.load(data))["recovered"] > 0).sum()),
                                 "金额（万元）": round(float(monitor.year_end_recovery(*monitor.load(data))["recovered"].sum())
                                                  / 1e4, 2)})
def _recovery(answer, data):
    rec = monitor.year_end_recovery(*monitor.load(data))
    n, amount = int((rec["recovered"] > 0).sum()), round(float(rec["recovered"].sum()) / 1e4, 2)
    right, wrong = [], []
    given_n = answer.get("项目数") if isinstance(answer, dict) else None
    given_a = answer.get("金额（万元）") if isinstance(answer, dict) else None
    if given_n is None or str(given_n).strip() == "":
        wrong.append("还没有填写项目数。")
    elif whole(given_n) is None:
        wrong.append(f"项目数应是一个整数，现在是 {given_n!r}。")
    elif whole(given_n) == n:
        right.append(f"{n} 个项目被收回统筹。")
    else:
        wrong.append(f"项目数不是 {given_n}：只数收回金额大于 0 的项目（执行率已达 95% 的项目不收回）。")
    if given_a is None or str(given_a).strip() == "":
        wrong.append("还没有填写金额。")
    elif number(given_a) is None:
        wrong.append(f"金额应是一个数（万元），现在是 {given_a!r}。")
    elif abs(number(given_a) - amount) < 0.006:
        right.append(f"共收回 {amount:,.2f} 万元。")
    else:
        wrong.append(f"金额不是 {given_a} 万元：收回的是预算数减全年支付；表中金额单位是元，除以 10 000 换算为万元。")
    return right, wrong, []
