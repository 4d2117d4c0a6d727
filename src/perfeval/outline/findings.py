"""Findings and suggestions from the evidence: every lost point, review finding and panel comment.

A published report's 存在的问题及原因分析 and 有关建议 must come from the evaluation itself, one
suggestion per problem (real-reports.md §2, §6): here every indicator that lost points yields a
finding (the target, the actual, the points lost, the unit's own explanation) and a suggestion worded
for that indicator; a budget that lagged or was recovered at year end is a finding even where the
execution score was full; review findings (自评复核) become findings on the form's quality; a key
evaluation's panel comments (评议意见) are the panel's findings. Findings are grouped by dimension
(预算执行, 决策, 过程, 产出, 效益, 满意度, 自评表填报质量) in that order.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import display as fmt

DIMENSION_ORDER = ("预算执行", "决策", "过程", "产出", "效益", "满意度", "自评表填报质量")
QUALITY = "自评表填报质量"


@dataclass(frozen=True)
class Finding:
    """One problem with its cause and the advice that answers it (``advice`` may name ``{name}``: the
    indicator, or several indicators when findings with the same advice are answered together)."""

    dimension: str
    indicator: str | None
    problem: str
    cause: str | None
    advice: str
    points_lost: float = 0.0
    score: str | None = None  # "8.00/10": what the indicator got of its points (lost-point findings)

    @property
    def suggestion(self) -> str:
        return self.advice.format(name=f"“{self.indicator}”" if self.indicator else "")


def dimension_of(level1) -> str:
    """The dimension a 一级指标 belongs to: 产出指标 → 产出, 满意度指标 → 满意度, 决策 → 决策 …"""
    text = str(level1 or "")
    for name in DIMENSION_ORDER:
        if text.startswith(name):
            return name
    return "预算执行" if "执行" in text else (text.removesuffix("指标") or "其他")


# level-2 category → how to answer a shortfall ({name} is the indicator)
SUGGEST_BY_LEVEL2 = {
    "数量": "加快{name}相关工作进度，对未完成部分制定补做计划、明确完成时限，确保年度目标按期实现",
    "质量": "加强质量管控和过程监管，对{name}未达标部分限期整改并组织复验，留存验收资料",
    "时效": "细化实施计划和时间节点，按月跟踪{name}相关工作进度，防止再次延误",
    "成本": "加强成本测算与控制，对照支出标准核定{name}，超支部分说明原因并报批",
    "经济效益": "跟踪{name}的实现情况，分析未达预期的原因，完善配套措施",
    "社会效益": "跟踪{name}的实现情况，针对未达预期的环节完善服务和宣传",
    "生态效益": "加强后期管护（如补植补造、养护管理），巩固并提升{name}",
    "可持续影响": "建立健全长效管护机制，明确管护主体、责任和经费，保障{name}",
    "满意度": "开展满意度回访，针对意见集中的问题改进服务，提升{name}",
    "项目立项": "严格履行立项程序，充分论证立项依据（{name}），完善可行性研究和集体决策资料",
    "绩效目标": "科学设置并细化量化绩效目标，补充质量、时效、成本等指标（{name}）",
    "资金投入": "加强预算编制的测算论证，按支出标准和实际需求核定预算（{name}）",
    "资金管理": "严格执行资金管理办法，按合同节点和进度支付资金，规范资金使用（{name}）",
    "组织实施": "完善项目管理制度并严格执行，规范合同、验收和档案管理（{name}）",
    "项目效益": "跟踪项目效益发挥情况，建立长效管护机制，巩固{name}",
}
SUGGEST_DEFAULT = "分析{name}未达预期的原因，制定整改措施并跟踪落实"
# an indicator whose target was met yet lost points: nothing to put right in the work, only in the scoring
SUGGEST_MET = "核实{name}的扣分依据：已达到年度指标值的按评分规则计分，确需扣分的在偏差原因中写明理由"

# review code → (problem prefix, suggestion): findings on the form's quality (自评复核)
REVIEW_TEXTS = {
    "UNMET_FULL_MARKS": ("未完成年度指标值却自评满分", "按实际完成比例如实评分；复核后该项按评分规则计分"),
    "QUALITATIVE_VS_QUANTITATIVE": ("定性指标评为满分，与同一方面定量指标的完成情况不符",
                                    "按同一方面定量指标的实际完成情况重新评定{name}，使定性评价与实际效果相符"),
    "MET_BUT_DEDUCTED": ("已完成年度指标值却扣分，且未说明理由", "在偏差原因分析中写明扣分理由，无理由的扣分应予更正"),
    "MISSING_REASON": ("扣分但未填写偏差原因", "逐项填写偏差原因分析及改进措施，说明未完成的原因和整改安排"),
    "AWARD_DEVIATES": ("自评得分与评分规则不一致", "对照评分规则复核自评得分，偏离规则的应说明理由"),
    "TARGET_TOO_EASY": ("实际完成值远超年度指标值，目标明显偏低", "申报下一年度绩效目标时参考历史完成情况，合理提高指标值"),
    "UNPARSED_TARGET": ("年度指标值缺失或无法衡量", "年度指标值应写明运算符、数值和计量单位，做到清晰、可衡量"),
    "UNIT_MISMATCH": ("实际完成值与年度指标值计量单位不一致", "实际完成值应使用与年度指标值相同的计量单位"),
    "UNIT_ASSUMED": ("实际完成值未写计量单位且数量级可疑", "实际完成值应写明计量单位（如 96%、100万元）"),
    "LOW_EXEC_ALL_MET": ("预算执行率偏低而产出指标全部完成，完成情况的真实性需要核实",
                         "核实产出完成情况与资金支付的对应关系，据实填报"),
    "SUM_MISMATCH": ("表内总分与各项得分之和不符", "复核总分计算，使总分等于预算执行得分与各项指标得分之和"),
    "GRADE_MISMATCH": ("表内评价等级与总分不符", "按评价等级标准（优 ≥90、良 80–90、中 60–80、差 <60）核定等级"),
    "RATE_MISMATCH": ("表内执行率与金额不符", "执行率应由全年执行数除以全年预算数计算，并按统一规则保留小数"),
    "TOTALS_ROW_INCONSISTENT": ("项目资金表的年度资金总额与明细行不符", "核对项目资金表，年度资金总额应等于各资金来源明细之和"),
    "FORM_SUBTOTAL_MISMATCH": ("表内小计或分组分值与其下各指标分值之和不符", "核对该组各指标的分值和得分，使小计与分项一致"),
    "EXEC_SCORE_OVER_POINTS": ("表内预算执行得分超过其分值", "预算执行得分以分值为上限，执行率超过 100% 时按分值计"),
    "OVER_BUDGET": ("全年执行数超过全年预算数", "核实超预算支出的依据，按规定履行预算调整程序"),
    "POINTS_TOTAL": ("各项分值合计不等于满分", "按指标体系分配分值，使预算执行与各项指标分值合计等于满分"),
    "SCHEME_MISMATCH": ("评分方案的分值与表内分值不符", "按表内分值选用相应的评分方案"),
    "NO_POINTS": ("各项指标均无分值", "按指标体系为各项指标填写分值"),
    "NOT_SCORED": ("有指标未评分", "为每项指标填写自评得分"),
    "OVER_POINTS": ("得分超过该指标分值", "更正超过分值的得分"),
    "MONEY_UNREADABLE": ("项目资金表无法读取", "按规范格式填写项目资金表的预算数和执行数"),
    "MONEY_INVALID": ("项目资金表金额有误（负数或异常值）", "核对并更正项目资金表金额"),
    "NO_BUDGET": ("缺少全年预算数或全年执行数", "补充全年预算数和全年执行数，以便计算预算执行率"),
    "NO_ROWS": ("没有绩效指标", "补充绩效指标及完成情况"),
}
# row findings a lost point already explains: shown once, under the indicator's dimension
_ABSORBED = {"AWARD_DEVIATES", "MISSING_REASON"}
# row findings the lost-point finding of the same row states in full (target met, points lost, no reason)
_SAID_BY_LOST_POINTS = {"MET_BUT_DEDUCTED"}


def advice_for(level2) -> str:
    """The advice (with ``{name}``) answering a shortfall on an indicator of a 二级 category."""
    key = next((k for k in SUGGEST_BY_LEVEL2 if str(level2 or "").startswith(k)
                or str(level2 or "").removeprefix("产出").startswith(k)), None)
    return SUGGEST_BY_LEVEL2[key] if key else SUGGEST_DEFAULT


def weak_point(comment) -> str | None:
    """What a panel comment finds wanting: the part after its last “但”, else the whole comment."""
    if not isinstance(comment, str) or not comment.strip():
        return None
    text = fmt.clause(comment)
    for mark in ("但", "然而", "不过"):
        if mark in text:
            text = text.rsplit(mark, 1)[-1]
            break
    return text.strip("，、；。 ") or None


def lost_points(card, project_id, panel_comments: pd.DataFrame | None = None) -> list[Finding]:
    """A finding for every counted indicator that scored below its points."""
    rows = card.project(project_id).rows
    tol = card.scheme.review.tolerance
    pts = rows["points"].to_numpy(dtype=float)
    used = rows["reviewed_score"].to_numpy(dtype=float) if card.scheme.headline == "reviewed" \
        else rows["score"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        lost = rows["counted"].to_numpy(dtype=bool) & (pts > 0) & (used < pts - tol)
    comments = {}
    if panel_comments is not None and len(panel_comments) and "code" in rows:
        mine = panel_comments[panel_comments["project_id"] == str(project_id)]
        comments = dict(zip(mine["indicator"].astype(str), mine["comment"]))
    out = []
    for r, score_used in zip(rows[lost].itertuples(), used[lost]):  # the few rows that lost points
        name = r.level3
        got = f"{fmt.score(score_used)}/{fmt.points(r.points)}"
        reason = r.reason if isinstance(r.reason, str) and r.reason.strip() not in ("", "—", "-", "/", "无", "0") \
            else None
        advice = advice_for(r.level2)
        if getattr(r, "scored_by", None) == "panel":
            comment = comments.get(str(getattr(r, "code", ""))) or (
                reason if reason and not reason.startswith("专家评议：") else None)  # not the experts' score list
            problem = f"{name}：评价组评分 {got}" + (f"，{fmt.clause(comment)}" if comment else "")
            cause = None
            weak = weak_point(comment)
            if weak:  # the suggestion answers what the panel found wanting, in its words
                advice = ("针对评价组指出的“" + weak.replace("{", "{{").replace("}", "}}") + f"”（评分 {got}），"
                          + advice)
        else:
            target = "" if pd.isna(r.target) else str(r.target)
            actual = "" if pd.isna(r.actual) else str(r.actual)
            detail = f"（年度指标值 {target}，实际完成 {actual}）"
            if r.met == 1:
                problem = f"{name}已完成年度指标值{detail}，但得分 {got}"
                advice = SUGGEST_MET
            elif r.met == 0:
                problem = f"{name}未达到年度指标值{detail}，得分 {got}"
            else:
                problem = f"{name}完成情况为“{actual}”（年度指标值 {target}），得分 {got}"
            cause = fmt.clause(reason) if reason else ("单位未说明偏差原因" if card.scheme.blank_scores == "not_scored"
                                                      else "未说明扣分原因")
        out.append(Finding(dimension_of(r.level1), name, problem, cause, advice, float(r.points - score_used), got))
    return out


def budget_findings(card, project_id, budget: dict | None = None) -> list[Finding]:
    """Execution below 100 %, and a budget that lagged (June, October lists) or was partly recovered.

    ``budget``: the project's monitoring facts (see :func:`perfeval.outline.project.budget_facts`).
    """
    t = card.project(project_id).totals.iloc[0]
    out = []
    rate, pts, got = t.get("exec_rate"), t.get("exec_points"), t.get("exec_score")
    if pts and pts > 0 and rate == rate and got == got and got < pts - card.scheme.review.tolerance:
        out.append(Finding("预算执行", "预算执行率", f"预算执行率 {fmt.pct(rate)}，全年预算未全部支出，执行得分 "
                           f"{fmt.points(got)}/{fmt.points(pts)}", None,
                           f"加快预算执行进度，对未支出的 {fmt.wan_text(t.get('budget_full_year') - t.get('spent'))} 按合同节点"
                           "及时支付；对确实无法支出的资金及早按程序调整", float(pts - got),
                           f"{fmt.score(got)}/{fmt.points(pts)}"))
    b = budget or {}
    if b.get("recovered", 0) and b["recovered"] > 0:
        when = "10 月底仍未支出，" if b.get("october_zero") else ("6 月底执行进度滞后，" if b.get("june_lagging") else "")
        out.append(Finding(
            "预算执行", None,
            f"{when}年底收回统筹 {fmt.wan_text(b['recovered'])}（占年初预算的 {fmt.pct(b['recovered_share'], 1)}），"
            f"全年预算调减为 {fmt.wan_text(b['budget_full_year'])}；执行率按调减后的预算计算",
            None, f"加强项目前期论证和准备，按序时进度执行预算；次年预算参考本年实际支出 {fmt.wan_text(b.get('spent'))} "
                  "按实际需求核定，避免资金闲置"))
    elif b.get("june_lagging") or b.get("october_zero"):
        when = "10 月底仍未支出" if b.get("october_zero") else "6 月底预算执行进度滞后于序时进度"
        out.append(Finding("预算执行", None, f"{when}，经督促后年底执行率 {fmt.pct(rate)}", None,
                           f"按序时进度编制 {fmt.wan_text(t.get('budget_full_year'))} 的用款计划，加快前期工作，"
                           "避免年底集中支出"))
    return out


def review_findings(card, project_id) -> list[Finding]:
    """Review findings (自评复核) as findings on the form's quality, one per code and indicator."""
    flags = card.project(project_id).flags
    rows_flagged = set(zip(flags["code"], flags["level3"]))
    out = []
    for f in flags.itertuples():
        if f.code in ("OVER_BUDGET", "EXEC_BASE_FALLBACK") or f.code not in REVIEW_TEXTS or f.code in _SAID_BY_LOST_POINTS:
            continue  # a budget fact, or a note on how the rate was computed (其他需要说明的问题)
        if f.code in _ABSORBED and any((c, f.level3) in rows_flagged for c in ("UNMET_FULL_MARKS", "MET_BUT_DEDUCTED")):
            continue  # the same row's sharper finding says it
        prefix, suggestion = REVIEW_TEXTS[f.code]
        detail = f.message.split("：", 1)[-1]
        where = f"“{f.level3}”" if isinstance(f.level3, str) and f.level3 else "自评表"
        named = f.level3 if isinstance(f.level3, str) and f.level3 else None
        out.append(Finding(QUALITY, named, f"{where}{prefix}（{fmt.clause(detail)}）", None,
                           suggestion if "{name}" in suggestion else suggestion + ("（{name}）" if named else "")))
    return out


def all_findings(card, project_id, budget: dict | None = None, panel_comments=None) -> list[Finding]:
    """Every finding of a project, grouped by dimension in the report's order."""
    found = budget_findings(card, project_id, budget) + lost_points(card, project_id, panel_comments) \
        + review_findings(card, project_id)
    order = {d: i for i, d in enumerate(DIMENSION_ORDER)}
    return sorted(found, key=lambda f: order.get(f.dimension, len(order)))  # stable within a dimension


def grouped(findings: list[Finding]) -> list[tuple[str, list[Finding]]]:
    """(dimension, findings) in the report's order, dimensions without findings left out."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.dimension, []).append(f)
    return list(groups.items())


__all__ = ["Finding", "DIMENSION_ORDER", "weak_point", "QUALITY", "dimension_of", "advice_for", "lost_points", "budget_findings",
           "review_findings", "all_findings", "grouped"]
