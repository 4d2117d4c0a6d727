"""Module 2 — 如何设定绩效目标: participants rewrite weak targets and ``review_targets`` judges them.

Each case is a small 绩效目标申报表 as frames (rows: level1, level2, level3, target; header: funds and
the annual goal). The checker puts the participant's rewrite into the table, runs the real
:func:`perfeval.review.review_targets` and turns its findings into feedback: which rewritten
indicators are now measurable, and every finding still open with the review's own reason and fix.
"""
from __future__ import annotations

import pandas as pd

from ..review import review_targets
from ..review.targets import GRADES
from ..review.target_codes import TARGET_CODES
from .registry import exercise

COLUMNS = ["level1", "level2", "level3", "target"]
WHY = {  # the principle behind each review code, for the participant (the review gives the fix)
    "NO_INDICATORS": "没有指标就无法考核，也无法在年底自评",
    "NO_OUTPUT": "产出指标反映项目直接做成了什么，是自评中分值最大的一块",
    "NO_GOAL": "年度总体目标说明一年要做成什么，指标是对它的细化",
    "NO_FUNDS": "没有年度资金总额就无法判断目标与预算是否相称",
    "MISSING_CATEGORY": "产出（数量、质量、时效、成本）、效益、满意度各类都应有指标，才能全面反映绩效",
    "INDICATOR_INCOMPLETE": "每个指标都要有运算符、数值和单位，年底才能与实际完成值比较",
    "VAGUE_OUTPUT": "产出指标要能在年底用数字核对；定性表述无法判断是否完成，自评时也无法按比例计分",
    "LOW_MEASURABILITY": "绩效目标要细化、量化；定量（含时间）指标太少，目标就无法考核",
    "INPUT_AS_OUTPUT": "资金到位、预算执行、投入的人员和金额是投入，不是项目做成了什么；产出应写提供了多少服务、完成了多少任务",
    "COST_VS_BUDGET": "单位成本 × 数量应与年度资金大体相称，相差太大说明目标值或预算有一个不实",
    "BELOW_HISTORY": "目标值不高于上年已达到的水平，目标缺乏挑战性，年底“完成”也说明不了绩效",
    "SATISFACTION_100": "满意度 100% 几乎不可能达到，定得过满的目标不真实",
    "SATISFACTION_RANGE": "满意度应是 80%–100% 之间的百分比",
    "FUNDS_NOT_POSITIVE": "年度资金总额是预算申报数，只能是正数",
    "RATE_OVER_100": "准确率、合格率这类比率最多是 100%，超过 100% 的目标不可能达到，也无法考核",
    "HISTORY_UNIT_MISMATCH": "目标值与上年实际完成值单位不同，就看不出目标是否比上年更高",
}
YEAR = 2022  # the budget year of the exercises' declarations (the dates in TRAINING and READING)
COUNT_UNITS = ("人", "人次", "万人", "万人次")
DAY_UNITS = ("个工作日", "工作日", "天", "日", "个自然日", "自然日")
MAX_DAYS, MAX_HOURS = 30, 72  # a monthly subsidy's payment deadline: within a month; hours: within three days


def declaration(pid: str, name: str, funds: float, goal: str, rows: list[tuple]) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = pd.DataFrame(rows, columns=COLUMNS).assign(project_id=pid)
    header = pd.DataFrame([{"project_id": pid, "project_name": name, "department": "示例市民政局", "funds": funds,
                            "goal": goal}])
    return frame, header


ELDERLY = declaration("XL-01", "社区高龄老人养老服务补贴", 2_000_000, "为辖区 80 岁以上高龄老人按月发放养老服务补贴", [
    ("产出指标", "数量指标", "补贴发放人数", "按计划完成"),
    ("产出指标", "质量指标", "补贴发放准确率", "较高"),
    ("产出指标", "时效指标", "补贴发放及时性", "及时"),
    ("产出指标", "成本指标", "人均补贴标准", "≤2000元/人"),
    ("效益指标", "社会效益指标", "老年人基本生活保障", "有效改善"),
    ("满意度指标", "服务对象满意度指标", "受助老人满意度", "≥90%"),
])
TRAINING = declaration("PX-02", "基层农技人员能力提升培训", 1_500_000, "培训基层农技人员，提高农业技术推广服务能力", [
    ("产出指标", "数量指标", "资金到位率", "=100%"),
    ("产出指标", "数量指标", "投入培训工作人员", "≥20人"),
    ("产出指标", "质量指标", "培训考核合格率", "≥95%"),
    ("产出指标", "时效指标", "培训完成时间", "≤2022年10月"),
    ("产出指标", "成本指标", "人均培训成本", "≤1500元/人"),
    ("效益指标", "社会效益指标", "农技推广服务覆盖行政村比例", "≥90%"),
    ("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥90%"),
])
READING = declaration("YD-03", "全民阅读推广活动", 800_000, "开展全民阅读推广，提升市民阅读参与度", [
    ("产出指标", "数量指标", "阅读活动参与人次", "≥5000人次"),
    ("产出指标", "质量指标", "活动方案审核通过率", "=100%"),
    ("产出指标", "时效指标", "活动完成时间", "≤2022年12月"),
    ("产出指标", "成本指标", "活动总成本", "≤80万元"),
    ("效益指标", "社会效益指标", "图书借阅量增长率", "≥5%"),
    ("满意度指标", "服务对象满意度指标", "读者满意度", "=100%"),
])
READING_HISTORY = pd.DataFrame({"project_id": ["YD-03"], "level3": ["阅读活动参与人次"], "actual": ["6200人次"],
                                "target": ["≥5000人次"]})


def _names(frame: pd.DataFrame) -> list[str]:
    return frame["level3"].tolist()


def _not_a_dict(answer, what: str):
    return [], [f"答案应写成字典 {{指标名称: {what}}}，现在是 {type(answer).__name__}。"], []


def _senseless(info: pd.DataFrame, touched: list[str]) -> dict[str, list[str]]:
    """What a reviewer would still reject in a measurable rewrite: {indicator: [reasons]} (the review itself
    checks form, not sense: "≥0%", "≤1000人" as a minimum, "≥1000个" for a number of people)."""
    out: dict[str, list[str]] = {}
    for name in touched:
        if name not in info.index:
            continue
        row = info.loc[name]
        op, value, unit, kind, cat = row["op"], row["value"], row["unit"], row["kind"], row["category"]
        why = []
        if kind == "quantitative" and unit == "%" and value is not None and value <= 0:
            why.append(f"“{row['target']}”等于没有目标：比率目标应大于 0、不超过 100%")
        if kind == "quantitative" and name.endswith("率") and unit != "%":
            why.append("比率指标的目标值应写成百分比，如“≥…%”")
        if kind == "quantitative" and cat in ("数量", "质量") and op == "<=":
            why.append("数量、质量指标是要达到的下限，用“≥”或“=”；“≤”只是封顶，做得越少越“达标”")
        if kind == "quantitative" and name.endswith("人数") and unit not in COUNT_UNITS:
            why.append(f"人数的计量单位应是“人”或“人次”，现在是“{unit}”")
        if kind == "date" and value is not None and not (YEAR * 10000 + 101 <= value <= YEAR * 10000 + 1231):
            why.append(f"完成时间应在预算年度 {YEAR} 年内，年底才能考核")
        if kind == "quantitative" and cat == "时效" and (unit in DAY_UNITS or unit == "小时"):
            if op == ">=":
                why.append("时限是上限，用“≤”：发放得越快越好")
            limit = MAX_HOURS if unit == "小时" else MAX_DAYS
            if value is not None and value > limit:
                why.append(f"时限 {value:g} {unit}不合理：按月发放的补贴，发放时限应在 {limit} {unit}以内")
        if why:
            out[name] = why
    return out


def _review_feedback(rows, header, history, touched: list[str], right: list[str], wrong: list[str],
                     hints: list[str], sense: bool = False):
    """Run the real review on the rewritten table and add its findings to the feedback (``sense``: also
    the plausibility checks of :func:`_senseless` on the rewritten indicators)."""
    review = review_targets((rows, header), history=history, year=YEAR)
    info = review.rows.drop_duplicates("level3").set_index("level3")
    odd = _senseless(info, touched) if sense else {}
    wrong += [f"“{name}”：{reason}。" for name, reasons in odd.items() for reason in reasons]
    flagged = set(review.findings["indicator"].dropna()) | set(odd)
    for name in touched:  # right only when measurable and no finding names it
        kind = info.loc[name, "kind"] if name in info.index else None
        if name in info.index and bool(info.loc[name, "measurable"]) and name not in flagged:
            right.append(f"“{name}”的指标值“{info.loc[name, 'target']}”可以考核（"
                         f"{'时间' if kind == 'date' else '定量'}指标，有运算符、数值和单位）。")
    for f in review.findings.itertuples():
        where = f"“{f.indicator}”：" if isinstance(f.indicator, str) and f.indicator else ""
        wrong.append(f"{where}{f.message}。为什么：{WHY.get(f.code, TARGET_CODES[f.code][2])}（{f.family}）。怎么改：{f.fix}")
    s = review.summary.iloc[0]
    if len(review.findings):
        hints.append(f"审核结论目前为“{s['grade']}”（{s['grade_reason']}）：{s['consequence']}。改到没有问题才是“优”。")
    return right, wrong, hints


def _rewrite_targets(case, history=None, sense=False):
    rows0, header = case

    def checker(answer, data):
        if not isinstance(answer, dict):
            return _not_a_dict(answer, "新的指标值")
        right, wrong, hints = [], [], []
        unknown = [k for k in answer if k not in set(_names(rows0))]
        wrong += [f"申报表中没有“{k}”这个指标（请用表中的指标名称）。" for k in unknown]
        blank = [k for k, v in answer.items() if k not in unknown and not str(v or "").strip()]
        wrong += [f"“{k}”的新指标值是空的。" for k in blank]
        rows = rows0.copy()
        given = {k: str(v).strip() for k, v in answer.items() if k not in unknown and k not in blank}
        rows["target"] = rows["level3"].map(given).fillna(rows["target"])
        return _review_feedback(rows, header, history, list(given), right, wrong, hints, sense)
    return checker


exercise("m2-measurable", 2, "把定性表述改写为可考核的指标值",
         "“社区高龄老人养老服务补贴”的三个产出指标只写了“按计划完成”“较高”“及时”。请为它们写出可考核的指标值："
         "答案写成 {指标名称: 新的指标值}，如 {\"补贴发放人数\": \"≥…人\"}。注意人均补贴标准 × 人数要与年度资金 200 万元相称。",
         placeholder={}, solution={"补贴发放人数": "≥1000人", "补贴发放准确率": "≥98%", "补贴发放及时性": "≤3个工作日"},
         )(_rewrite_targets(ELDERLY, sense=True))

exercise("m2-ambition", 2, "目标值要有挑战性、满意度要合理",
         "“全民阅读推广活动”上年实际参与 6200 人次（上年目标 ≥5000 人次），今年仍报 ≥5000 人次；读者满意度报了 =100%。"
         "请改写这两个指标值：答案写成 {指标名称: 新的指标值}。",
         placeholder={}, solution={"阅读活动参与人次": "≥6500人次", "读者满意度": "≥90%"},
         )(_rewrite_targets(READING, READING_HISTORY))


@exercise("m2-relevance", 2, "投入不是产出",
          "“基层农技人员能力提升培训”把“资金到位率”和“投入培训工作人员”填成了产出数量指标。请把它们换成真正的产出："
          "答案写成 {原指标名称: (新指标名称, 新指标值)}。注意人均培训成本 ≤1500 元/人 × 培训人数要与年度资金 150 万元相称。",
          placeholder={}, solution={"资金到位率": ("培训基层农技人员人数", "≥1000人"),
                                    "投入培训工作人员": ("培训班期数", "≥10期")})
def _relevance(answer, data):
    rows0, header = TRAINING
    if not isinstance(answer, dict):
        return _not_a_dict(answer, "(新指标名称, 新指标值)")
    right, wrong, hints = [], [], []
    rows = rows0.copy()
    touched = []
    for old, new in answer.items():
        if old not in set(_names(rows0)):
            wrong.append(f"申报表中没有“{old}”这个指标（请用表中的指标名称）。")
            continue
        if not (isinstance(new, (tuple, list)) and len(new) == 2 and all(str(x or "").strip() for x in new)):
            wrong.append(f"“{old}”的答案应是 (新指标名称, 新指标值)，两项都要填写，现在是 {new!r}。")
            continue
        name, target = (str(x).strip() for x in new)
        if name in set(rows["level3"]) - {old}:
            wrong.append(f"“{old}”：新指标名称与表中已有指标“{name}”重复，请换一个反映培训产出的名称。")
            continue
        at = rows.index[rows["level3"] == old]
        rows.loc[at, "level3"], rows.loc[at, "target"] = name, target
        touched.append(name)
    return _review_feedback(rows, header, None, touched, right, wrong, hints)


@exercise("m2-grade", 2, "预判审核结论",
          "不运行审核，先按审核结论的规则判断：原样报送的“社区高龄老人养老服务补贴”申报表（三个产出指标为定性表述）"
          "审核结论是优、良、中还是差？答案写一个字。",
          placeholder="", solution="中")
def _grade(answer, data):
    rows, header = ELDERLY
    review = review_targets((rows, header))
    s = review.summary.iloc[0]
    given = str(answer).strip()
    meaning = {"优": "没有任何问题", "良": "只有建议修改的问题", "中": "有须修改的问题（但没有严重问题，须修改的问题不到 "
               f"{review.rules.major_limit} 类）", "差": f"有严重问题，或有 {review.rules.major_limit} 类以上须修改的问题"}
    if given not in meaning:
        return [], [f"答案应是“优”“良”“中”“差”之一，现在是“{given}”。"], []
    if given == s["grade"]:
        f = review.findings
        kinds = f.groupby("severity")["code"].nunique()
        found = (f"这份申报表有 {int(kinds.get('critical', 0))} 类严重问题、{int(kinds.get('major', 0))} 类须修改的问题、"
                 f"{int(kinds.get('minor', 0))} 类建议修改的问题")
        return [f"“{given}”表示{meaning[given]}；{found}。结果应用：{s['consequence']}。"], [], []
    worse = GRADES.index(s["grade"]) > GRADES.index(given)  # only the direction, never the counts
    side = "更差：这份申报表的问题比这更严重" if worse else "更好：这份申报表的问题没有这么严重"
    return [], [f"“{given}”表示{meaning[given]}；实际的审核结论比“{given}”{side}。"], \
        ["先数问题的性质：定性的产出指标（无法考核）属于哪一类？定量指标占比低于 60% 又属于哪一类？"]
