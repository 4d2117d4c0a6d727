"""Module 3 — 自评打分与等级: scoring rules, rounding and grade bands, a self-evaluation to fill in,
and three flawed published-style forms to review.

Every checker scores with the real :func:`perfeval.score` (rules, rounding, execution score, grade
bands and review flags of the ``mof-2020`` scheme). Feedback names the rule and the direction of a
mistake, never the reference number (the library's own flag messages carry it, so they are not shown).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..review.codes import FLAG_INFO
from ..schemes import get_scheme
from ..scoring import score
from .answers import number
from .registry import exercise

ROW_COLUMNS = ["level1", "level2", "level3", "target", "actual", "points"]
TOLERANCE = 0.005  # scores are compared at 2 decimals
RULE_TEXT = {  # the rule of each kind as a participant should apply it (domain.md §1.4)
    "positive": "正向指标（≥）：实际值达到目标值得满分，否则得分 = 实际值 ÷ 目标值 × 分值，保留两位小数（四舍五入）",
    "reverse": "反向指标（≤）：实际值不超过目标值得满分；超过时得分 = (1 − 超出部分 ÷ 目标值) × 分值；达到目标值 2 倍及以上得 0 分",
    "equal": "等于指标（=）：实际值等于目标值得满分，否则按实际值 ÷ 目标值计分",
    "qualitative": "定性指标：达成目标得分值的 80%–100%，部分达成 60%–80%，未达成 60% 以下，由评价人在区间内确定",
    "date": "时间指标：按期或提前完成得满分",
    "execution": "预算执行率得分 = 分值 × 全年执行数 ÷ 全年预算数（不超过分值）",
}
WHY = {  # why each review flag matters (the form reviewer's view)
    "MISSING_REASON": "扣了分就要在“偏差原因分析及改进措施”中写明原因，否则无法判断扣分是否合理，也无从整改",
    "UNMET_FULL_MARKS": "实际值没有达到目标值，按规则不能得满分，打满分会抬高总分",
    "MET_BUT_DEDUCTED": "目标已经完成却扣分，又没有说明原因，得分与完成情况不一致",
    "AWARD_DEVIATES": "自评得分应按评分规则计算",
    "SUM_MISMATCH": "总分应等于预算执行率得分加各指标得分之和",
    "GRADE_MISMATCH": "等级按总分所在的分数段确定：90 分（含）以上优，80（含）–90 良，60（含）–80 中，60 以下差",
    "OVER_POINTS": "任何一项得分都不能超过该项分值",
    "POINTS_TOTAL": "各项分值之和应为满分 100 分（预算执行率 10 分 + 指标 90 分）",
    "NOT_SCORED": "每个指标都要打分",
    "LOW_EXEC_ALL_MET": "钱只花了一小部分，产出却全部完成：要么目标定低了，要么完成情况不实",
    "TARGET_TOO_EASY": "实际完成值远远超过目标值，说明目标定得太低，下一年应据实提高",
    "OVER_BUDGET": "执行数不应超过预算数",
}
HINT_AREA = {
    "MISSING_REASON": "看扣了分的行的“偏差原因”一列", "UNMET_FULL_MARKS": "逐行比较实际完成值、目标值和得分",
    "MET_BUT_DEDUCTED": "逐行比较实际完成值、目标值和得分", "SUM_MISMATCH": "把执行率得分和各行得分加起来，与表尾总分比较",
    "GRADE_MISMATCH": "看表尾的总分和评价等级", "OVER_POINTS": "比较每行的分值和得分",
    "POINTS_TOTAL": "把各行分值加起来", "LOW_EXEC_ALL_MET": "看项目资金的执行率和产出指标的完成情况",
    "TARGET_TOO_EASY": "比较目标值和实际完成值的差距", "OVER_BUDGET": "看项目资金表",
}
PROBLEMS = {FLAG_INFO[c][1]: c for c in HINT_AREA}  # the menu a participant picks from (Chinese titles)
OPTIONAL = {"AWARD_DEVIATES"}  # accompanies UNMET_FULL_MARKS / MET_BUT_DEDUCTED: naming it is neither required nor wrong


def _frame(pid: str, rows: list[tuple], **extra) -> pd.DataFrame:
    columns = (ROW_COLUMNS + ["score", "reason"])[: len(rows[0])]
    return pd.DataFrame(rows, columns=columns).assign(project_id=pid, **extra)


CJK = re.compile(r"[\u4e00-\u9fff]")
MIN_REASON_CHARS = 4  # a deviation reason is a sentence: at least this many Chinese characters (not "。" or markup)


# --- rules -----------------------------------------------------------------------------------
RULES_CASE = _frame("GZ-01", [
    ("产出指标", "数量指标", "培训人次", "≥1000人次", "850人次", 10),
    ("产出指标", "成本指标", "人均培训成本", "≤200元/人次", "250元/人次", 10),
    ("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥90%", "95%", 10),
    ("效益指标", "社会效益指标", "学员投诉率", "≤2%", "5%", 10),
])


def _rules_solution(data=None):
    card = score(RULES_CASE)
    return dict(zip(card.rows["level3"], card.rows["reference_score"].round(2).tolist()))


@exercise("m3-rules", 3, "按评分规则计算得分",
          "表中四个指标各 10 分。请按评分规则算出每个指标的得分（保留两位小数）：答案写成 {指标名称: 得分}。",
          placeholder={"培训人次": None, "人均培训成本": None, "参训人员满意度": None, "学员投诉率": None},
          solution=_rules_solution)
def _rules(answer, data):
    card = score(RULES_CASE)
    right, wrong, hints = [], [], []
    for rec in card.rows.itertuples():
        given = number(answer.get(rec.level3)) if isinstance(answer, dict) else None
        rule = RULE_TEXT.get(rec.rule, rec.rule)
        if given is None:
            wrong.append(f"“{rec.level3}”还没有得分（应填一个数）。")
        elif abs(given - rec.reference_score) <= TOLERANCE:
            right.append(f"“{rec.level3}”{given:g} 分正确（{rule}）。")
        else:
            side = "高了" if given > rec.reference_score else "低了"
            extra = "；得分不能超过分值" if given > rec.points else ""
            wrong.append(f"“{rec.level3}”{given:g} 分{side}：目标值 {rec.target}，实际值 {rec.actual}。规则：{rule}{extra}。")
    return right, wrong, hints


# --- grade bands -----------------------------------------------------------------------------
BAND_TOTALS = (95.0, 89.995, 80.0, 79.99, 60.0, 59.5)


@exercise("m3-bands", 3, "总分对应的等级",
          "按 mof-2020 方案的等级区间，写出每个总分（未取舍的总分）的等级：答案写成 {总分: 等级}。",
          placeholder={t: "" for t in BAND_TOTALS},
          solution=lambda data: dict(zip(BAND_TOTALS, get_scheme("mof-2020").grades.grade(BAND_TOTALS).tolist())))
def _bands(answer, data):
    bands = get_scheme("mof-2020").grades
    truth = dict(zip(BAND_TOTALS, bands.grade(BAND_TOTALS)))
    rule = "等级按未取舍的总分定，区间含下限：" + bands.describe()
    right, wrong = [], []
    by_total = {number(k): v for k, v in answer.items()} if isinstance(answer, dict) else {}  # "95" and 95 alike
    for total, grade in truth.items():
        given = str(by_total.get(total, "") or "").strip()
        given = bands.normalize_label(given) if given else given
        if not given:
            wrong.append(f"{total:g} 分还没有填写等级。")
        elif given == grade:
            right.append(f"{total:g} 分 → {given}。")
        else:
            near = [b for b in bands.lower_bounds if abs(total - b) < 0.5]
            why = (f"{total:g} 分紧挨 {near[0]:g} 分的分界点：分界点本身属于较高的一档，分界点以下哪怕差一点也属于较低的一档；"
                   "显示为两位小数时的取舍不改变等级") if near else rule
            wrong.append(f"{total:g} 分不是“{given}”：{why}。")
    return right, wrong, ([rule] if wrong else [])


# --- a self-evaluation to fill in --------------------------------------------------------------
SELF_ROWS = _frame("GC-01", [
    ("产出指标", "数量指标", "改造农村公厕数量", "≥50座", "42座", 20),
    ("产出指标", "质量指标", "工程验收合格率", "=100%", "100%", 10),
    ("产出指标", "时效指标", "完工时间", "≤2021年11月", "2021年10月", 10),
    ("产出指标", "成本指标", "单座改造成本", "≤2万元", "1.9万元", 10),
    ("效益指标", "社会效益指标", "群众如厕条件", "明显改善", "明显改善", 15),
    ("效益指标", "可持续影响指标", "设施使用年限", "≥10年", "≥10年", 15),
    ("满意度指标", "服务对象满意度指标", "村民满意度", "≥90%", "82%", 10),
])
SELF_BUDGET = pd.DataFrame([{"project_id": "GC-01", "project_name": "农村公厕改造项目", "budget_full_year": 1_000_000.0,
                             "spent": 700_000.0}])
SELF_NAMES = SELF_ROWS["level3"].tolist()


def _self_solution(data=None):
    card = score(SELF_ROWS, SELF_BUDGET)
    scores = card.rows["band_high"].round(2)
    reasons = {r.level3: "（写明未完成的原因和改进措施）" for r in card.rows.itertuples() if r.reference_score < r.points}
    total = round(float(scores.sum() + card.totals["exec_score"].iloc[0]), 2)
    return {"得分": dict(zip(SELF_NAMES, scores.tolist())), "偏差原因": reasons, "总分": total,
            "等级": str(get_scheme("mof-2020").grades.grade([total])[0])}


@exercise("m3-selfeval", 3, "填一张自评表",
          "“农村公厕改造项目”全年预算 100 万元、执行 70 万元（预算执行率 10 分），指标 90 分。请为每个指标打分、为扣分的指标"
          "写偏差原因，并算出总分和等级：答案写成 {\"得分\": {指标: 分}, \"偏差原因\": {指标: 文字}, \"总分\": 数, \"等级\": 字}。",
          placeholder={"得分": {n: None for n in SELF_NAMES}, "偏差原因": {}, "总分": None, "等级": ""},
          solution=_self_solution)
def _selfeval(answer, data):
    if not isinstance(answer, dict):
        return [], [f"答案应是字典（得分、偏差原因、总分、等级），现在是 {type(answer).__name__}。"], []
    scores, reasons = answer.get("得分") or {}, answer.get("偏差原因") or {}
    written = {n: str(reasons.get(n) or "").strip() for n in SELF_NAMES}
    too_short = [n for n, text in written.items() if text and len(CJK.findall(text)) < MIN_REASON_CHARS]
    rows = SELF_ROWS.assign(score=[number(scores.get(n)) for n in SELF_NAMES],
                            reason=["" if n in too_short else written[n] for n in SELF_NAMES])
    rows["score"] = rows["score"].astype(float)
    budget = SELF_BUDGET.assign(published_total=number(answer.get("总分")),
                                published_grade=str(answer.get("等级") or "").strip() or None)
    card = score(rows, budget)
    right, wrong, hints = [], [], []
    wrong += [f"“{n}”的偏差原因“{written[n]}”不是一句说明：请用至少 {MIN_REASON_CHARS} 个汉字写明未完成的原因和改进措施。"
              for n in too_short]
    for rec in card.rows.itertuples():
        rule = RULE_TEXT.get(rec.rule, rec.rule)
        if np.isnan(rec.awarded_score):
            wrong.append(f"“{rec.level3}”还没有打分。")
        elif rec.band_low - TOLERANCE <= rec.awarded_score <= rec.band_high + TOLERANCE:
            right.append(f"“{rec.level3}”{rec.awarded_score:g} 分符合规则（{rule}）。")
        else:
            side = "高了" if rec.awarded_score > rec.band_high else "低了"
            wrong.append(f"“{rec.level3}”{rec.awarded_score:g} 分{side}：目标值 {rec.target}，实际值 {rec.actual}。规则：{rule}。")
    for code, group in card.flags.groupby("code", sort=False):
        if code in {"AWARD_DEVIATES", "UNMET_FULL_MARKS", "MET_BUT_DEDUCTED", "NOT_SCORED", "OVER_POINTS"}:
            continue  # already said row by row above
        where = "、".join(f"“{x}”" for x in group["level3"].dropna().unique())
        wrong.append(f"{FLAG_INFO[code][1]}{('：' + where) if where else ''}。为什么：{WHY.get(code, '')}。")
    t = card.totals.iloc[0]
    if number(answer.get("总分")) is None:
        wrong.append("还没有填写总分（= 预算执行率得分 + 各指标得分）。")
    elif "SUM_MISMATCH" not in set(card.flags["code"]) and t["graded"]:
        right.append(f"总分 {number(answer.get('总分')):g} 与各项得分相符（含预算执行率得分）。")
    if not str(answer.get("等级") or "").strip():
        wrong.append("还没有填写等级。")
    elif "GRADE_MISMATCH" not in set(card.flags["code"]) and t["graded"]:
        right.append(f"等级“{answer.get('等级')}”与总分相符。")
    if not t["graded"] and t["withheld"]:
        hints.append(f"这张表目前不能定级：{t['withheld']}。")
    hints.append(RULE_TEXT["execution"] + "。")
    return right, wrong, hints


# --- three flawed published-style forms --------------------------------------------------------
FORMS = {
    "m3-form-a": (_frame("JZ-01", [
        ("产出指标", "数量指标", "日间照料服务人次", "≥12000人次", "12600人次", 15, 15, ""),
        ("产出指标", "数量指标", "新增照料床位", "≥40张", "32张", 15, 15, ""),
        ("产出指标", "质量指标", "服务安全事故", "=0起", "0起", 10, 10, ""),
        ("产出指标", "时效指标", "补助资金拨付时间", "≤2021年6月", "2021年6月", 10, 10, ""),
        ("效益指标", "社会效益指标", "老年人助餐覆盖率", "≥80%", "72%", 30, 27, ""),
        ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", "93%", 10, 10, ""),
    ], ), dict(project_name="社区日间照料中心运营补助", budget_full_year=5_000_000.0, spent=4_800_000.0,
               published_total=96.6, published_grade="优")),
    "m3-form-b": (_frame("LD-02", [
        ("产出指标", "数量指标", "维护路灯数量", "≥3000盏", "3050盏", 20, 20, ""),
        ("产出指标", "质量指标", "路灯亮灯率", "≥98%", "99%", 10, 8, ""),
        ("产出指标", "时效指标", "故障修复时限", "≤24小时", "20小时", 10, 10, ""),
        ("产出指标", "成本指标", "单盏年维护成本", "≤500元", "480元", 10, 10, ""),
        ("效益指标", "社会效益指标", "夜间道路交通事故下降", "≥5%", "6%", 30, 30, ""),
        ("满意度指标", "服务对象满意度指标", "市民满意度", "≥90%", "92%", 10, 10, ""),
    ]), dict(project_name="城区道路照明维护", budget_full_year=2_000_000.0, spent=1_960_000.0,
             published_total=99.8, published_grade="优")),
    "m3-form-c": (_frame("XA-03", [
        ("产出指标", "数量指标", "改造校园安全设施学校数", "≥10所", "30所", 20, 20, ""),
        ("产出指标", "质量指标", "设施验收合格率", "=100%", "100%", 10, 10, ""),
        ("产出指标", "时效指标", "完工时间", "≤2021年9月", "2021年8月", 10, 10, ""),
        ("产出指标", "成本指标", "校均改造成本", "≤30万元", "28万元", 10, 10, ""),
        ("效益指标", "社会效益指标", "校园安全事件发生率下降", "≥10%", "12%", 30, 30, ""),
        ("满意度指标", "服务对象满意度指标", "师生家长满意度", "≥90%", "95%", 10, 10, ""),
    ]), dict(project_name="中小学校园安全设施改造", budget_full_year=6_000_000.0, spent=3_600_000.0,
             published_total=96.0, published_grade="良")),
}
def form_frames(exercise_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows, budget) of a flawed form, as :func:`perfeval.score` takes them."""
    rows, head = FORMS[exercise_id]
    return rows.copy(), pd.DataFrame([{"project_id": rows["project_id"].iloc[0], **head}])


def show_form(exercise_id: str) -> pd.DataFrame:
    """A flawed form as the published table shows it (Chinese headers, money in 万元, the footer last)."""
    rows, budget = form_frames(exercise_id)
    b = budget.iloc[0]
    table = rows[ROW_COLUMNS + ["score", "reason"]].rename(columns={
        "level1": "一级指标", "level2": "二级指标", "level3": "三级指标", "target": "年度指标值", "actual": "实际完成值",
        "points": "分值", "score": "得分", "reason": "偏差原因分析及改进措施"})
    rate = b["spent"] / b["budget_full_year"]
    exec_score = float(np.floor(10 * rate * 100 + 0.5) / 100)
    extra = pd.DataFrame([
        {"一级指标": "预算执行率", "年度指标值": f"全年预算数 {b['budget_full_year'] / 1e4:.2f} 万元",
         "实际完成值": f"全年执行数 {b['spent'] / 1e4:.2f} 万元（执行率 {rate:.2%}）", "分值": 10, "得分": exec_score},
        {"一级指标": "总分", "分值": 100, "得分": b["published_total"], "偏差原因分析及改进措施": f"评价等级：{b['published_grade']}"},
    ])
    out = pd.concat([extra.iloc[:1], table, extra.iloc[1:]], ignore_index=True).fillna("")
    return out[list(table.columns)]


def _form_problems(exercise_id: str) -> list[str]:
    rows, budget = form_frames(exercise_id)
    codes = score(rows, budget).flags["code"]
    return [c for c in dict.fromkeys(codes) if c not in OPTIONAL]


def _form_checker(exercise_id: str):
    def checker(answer, data):
        picked = [answer] if isinstance(answer, str) else list(answer)
        truth = _form_problems(exercise_id)
        right, wrong, hints = [], [], []
        named = []
        for item in picked:
            text = str(item).strip()
            code = PROBLEMS.get(text, text if text in FLAG_INFO else None)
            if code is None:
                wrong.append(f"“{text}”不是问题清单中的说法，请从 training.PROBLEM_LIST 中选。")
            elif code in OPTIONAL:
                continue
            elif code in truth:
                right.append(f"找到了：{FLAG_INFO[code][1]}。为什么是问题：{WHY.get(code, '')}。")
                named.append(code)
            else:
                wrong.append(f"这张表没有“{FLAG_INFO[code][1]}”的问题（{HINT_AREA.get(code, '')}再核对一下）。")
        missed = [c for c in truth if c not in named]
        if missed:
            wrong.append(f"还有 {len(missed)} 个问题没有找到。")
            hints += [f"{HINT_AREA.get(c, '再看一遍表格')}。" for c in missed]
        return right, wrong, hints
    return checker


for _id, _title in (("m3-form-a", "找问题：社区日间照料中心运营补助"), ("m3-form-b", "找问题：城区道路照明维护"),
                    ("m3-form-c", "找问题：中小学校园安全设施改造")):
    exercise(_id, 3, _title, "这是一张已公开的自评表（示意）。请找出表中的全部问题，从问题清单 training.PROBLEM_LIST 中选出，"
             "答案写成列表，如 [\"扣分未填写偏差原因\"]。",
             placeholder=[], solution=lambda data, _i=_id: [FLAG_INFO[c][1] for c in _form_problems(_i)]
             )(_form_checker(_id))

PROBLEM_LIST = list(PROBLEMS)
__all__ = ["FORMS", "PROBLEM_LIST", "form_frames", "show_form"]
