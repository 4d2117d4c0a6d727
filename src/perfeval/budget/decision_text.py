"""The reasons of next year's decisions (:func:`perfeval.budget.decide`), in the order the rules applied.

One clause per rule that holds for a project — ① the hard gates, ② the grade (or a new project's ex-ante
conclusion), ③ the target review returned for revision, ④ the money recovered this year, ⑤ the request
and its place against the funding line — then the decision. Each step is written once per distinct
case and spread over the ledger (no loop over projects); ``REASON_CODES`` names every clause's code.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..exante.rules import short_label

SEP = "\x1f"  # between clauses while they are assembled (a clause may itself hold "；")
REASON_CODES = {
    "NO_TARGETS": "未编报绩效目标（否决）", "NO_SELF_EVALUATION": "本年度未开展绩效自评（否决）",
    "EXANTE_REJECTED": "事前评估不予支持（否决）", "NO_EXANTE": "新增项目未开展事前评估（否决）",
    "TARGETS_POOR": "绩效目标审核“差”（否决）",
    "GRADE_PRIORITY": "评价等级：优先保障", "GRADE_KEEP": "评价等级：保持", "GRADE_CUT": "评价等级：压减",
    "GRADE_STOP": "评价等级：取消或暂停", "UNGRADED": "未定级",
    "EXANTE_SUPPORT": "事前评估予以支持", "EXANTE_PARTIAL": "事前评估部分支持", "EXANTE_REJECT": "事前评估不予支持",
    "TARGETS_REVISE": "绩效目标审核退回修改", "RECOVERED": "本年度收回统筹", "RECOVERY_LIMIT": "按收回后预算限额核定",
    "FUNDED": "资金控制线以上，全额安排", "PARTIAL": "资金控制线上，部分安排", "BELOW_LINE": "资金控制线以下，未安排",
    "NO_CAP": "未提供资金控制数，未排序", "NOT_REQUESTED": "下一年度未申报，按本年度规模测算",
    "NO_REQUESTS": "未提供下一年度预算申请，按本年度规模测算",
}
_WHAT = {"priority": "优先保障", "keep": "保持（据实保障）", "stop": "取消或暂停（不予考虑新增预算需求）"}


def _wan(values) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return np.array(["" if np.isnan(x) else f"{x / 1e4:,.2f}" for x in v], dtype=object)


def _by_case(keys: pd.DataFrame, write) -> np.ndarray:
    """``write(*case)`` once per distinct row of ``keys``, spread back over the rows."""
    if keys.empty:
        return np.array([], dtype=object)
    codes, uniques = pd.MultiIndex.from_frame(keys.astype(object).where(keys.notna(), "")).factorize()
    return np.array([write(*u) for u in uniques], dtype=object)[codes]


def _grade(L: pd.DataFrame, rules) -> tuple[np.ndarray, np.ndarray]:
    cut = f"压减 {abs(rules.apply.cut_share):.0%}"
    keys = pd.DataFrame({"in": L["in_year"], "kind": L["kind"], "used": L["grade_used"], "own": L["grade"],
                         "src": L["grade_source"], "act": L["grade_action"], "out": L["exante_outcome"],
                         "ex": L["exante_conclusion"], "score": L["exante_score"].map(
                             lambda s: "" if pd.isna(s) else f"{float(s):.2f}")})

    def write(in_year, kind, used, own, src, act, outcome, conclusion, score):
        if kind == "new":
            if not outcome:
                return "新增项目没有事前绩效评估结论", "UNGRADED"
            label = short_label(str(conclusion)) if conclusion else {"support": "予以支持", "partial": "部分支持"}.get(
                outcome, outcome)
            what = _WHAT.get(act, cut if act == "cut" else act)
            stands = outcome in dict(rules.exante_actions)  # a rejected one is gated, it stands for no action
            return (f"新增项目事前绩效评估结论为“{label}”" + (f"（{score} 分）" if score else "")
                    + (f"，按默认规则视同{'压减（按事前评估建议金额）' if act == 'cut' else what}" if stands else "")), \
                f"EXANTE_{str(outcome).upper()}"
        if not used:
            basis = "单位自评未定级（复核暂不定级）" if in_year else "上年没有评价等级"
            code = "UNGRADED"
        elif src == "重点评价":
            basis = f"重点评价等级为“{used}”" + (f"（单位自评为“{own}”，以重点评价为准）" if own and own != used else "")
            code = f"GRADE_{act.upper()}"
        else:
            basis = (f"{rules.apply.self_grade_label}为“{used}”" if in_year else f"上年{src or '评价'}等级为“{used}”")
            code = f"GRADE_{act.upper()}"
        return f"{basis}，按评价结果应用规则{_WHAT.get(act, cut if act == 'cut' else act)}", code

    pairs = _by_case(keys, lambda *case: SEP.join(write(*case)))
    if not len(pairs):
        return pairs, pairs
    split = pd.Series(pairs).str.split(SEP, n=1, expand=True)
    text = split[0].to_numpy(dtype=object)
    code = split[1].to_numpy(dtype=object)
    return text, code


def reasons(L: pd.DataFrame, rules, rank_reason: np.ndarray, *, requests_given: bool, cap) -> tuple:
    """(list of clauses per project, the sentence, list of codes per project)."""
    n = len(L)
    if not n:
        empty = pd.Series([], dtype=object)
        return empty, empty, empty
    gated = (L["gates"] != "").to_numpy()
    asked, in_year = L["asked"].to_numpy(dtype=bool), L["in_year"].to_numpy(dtype=bool)
    code = L["decision_code"].to_numpy(dtype=object)
    steps, codes = [], []
    # ① the gates
    steps.append(np.where(gated, L["gates"] + "，按否决规则不予安排，不论评价等级", ""))
    codes.append(L["gate_codes"].to_numpy(dtype=object))
    # ② the grade or the ex-ante conclusion
    text, gcode = _grade(L, rules)
    req, sug = L["requested"].to_numpy(dtype=float), L["exante_suggested"].to_numpy(dtype=float)
    trimmed = (L["kind"] == "new").to_numpy() & ~np.isnan(sug) & (sug > 0) & (sug < req - 0.005)
    text = np.where(trimmed, text + "，核减不经济的支出后建议安排 " + _wan(sug) + " 万元（申请 " + _wan(req) + " 万元）", text)
    steps.append(text)
    codes.append(gcode)
    # ③ the target review returned for revision
    revise = asked & L["target_grade"].isin(rules.revise_grades).to_numpy()
    steps.append(np.where(revise, "下一年度申请 " + _wan(L["requested"]) + " 万元的绩效目标审核结论为“" + L["target_grade"].astype(str)
                          + "”，按财预〔2015〕88号退回单位修改后重新报送，审核通过前不安排预算", ""))
    codes.append(np.where(revise, "TARGETS_REVISE", ""))
    # ④ the money recovered this year
    rec = np.nan_to_num(L["recovered"].to_numpy(dtype=float)) > 0
    limit = L["recovery_capped"].to_numpy(dtype=bool)
    budget = _wan(L["budget"])
    tail = np.where(limit, "，核定金额以收回后的全年预算数 " + budget + " 万元为限（按实际执行能力核定）",
                    np.where(~asked, "，按收回后的全年预算数 " + budget + " 万元测算", ""))
    steps.append(np.where(rec, "本年度年底收回统筹 " + _wan(L["recovered"]) + " 万元" + tail, ""))
    codes.append(np.where(limit, "RECOVERY_LIMIT", np.where(rec, "RECOVERED", "")))
    # ⑤ the request and the funding line
    status = L["status"].to_numpy(dtype=object)
    ranked_text = pd.Series(rank_reason, dtype=object).str.rstrip("。").to_numpy(dtype=object)
    open_ = ~gated & (code != "stop")
    not_asked = ("下一年度未申报预算需求，不参加资金控制数内择优排序，按本年度全年预算数测算" if requests_given
                 else "未提供下一年度预算申请，按本年度全年预算数测算")
    step5 = np.select([ranked_text != "", asked & (status == "未排序"), ~asked & open_],
                      [ranked_text, "未提供资金控制数，未作择优排序，按核定金额 " + _wan(L["approved"]) + " 万元列示", not_asked],
                      default="")
    steps.append(step5)
    codes.append(np.select([status == "全额安排", status == "部分安排", status == "未安排（资金线以下）",
                            asked & (status == "未排序"), ~asked & open_],
                           ["FUNDED", "PARTIAL", "BELOW_LINE", "NO_CAP", "NOT_REQUESTED" if requests_given else "NO_REQUESTS"],
                           default=""))
    # the decision
    amount = L["amount"].to_numpy(dtype=float)
    # the project's own figure even where nothing is arranged: the request, else this year's budget
    money = np.where(amount > 0, np.where(asked, "，安排 ", "，建议安排 ") + _wan(amount) + " 万元",
                     "，下一年度不安排资金（" + np.where(asked, "申请 " + _wan(L["requested"]), "本年度全年预算 " + budget)
                     + " 万元）")
    after = np.where(code == "revise", "，须修改绩效目标后重新报送", np.where(L["rectify"].to_numpy(dtype=bool), "，须限期整改", ""))
    steps.append("决定：" + L["decision"].astype(str).to_numpy(dtype=object) + money + after)
    joined, joined_codes = _join(steps, SEP), _join(codes, ",")
    clauses = pd.Series(joined, dtype=object).str.split(SEP)
    sentence = pd.Series(joined, dtype=object).str.replace(SEP, "；", regex=False) + "。"
    code_lists = pd.Series(joined_codes, dtype=object).map(lambda s: s.split(",") if s else [])
    return clauses.to_numpy(dtype=object), sentence.to_numpy(dtype=object), code_lists.to_numpy(dtype=object)


def _join(parts: list, sep: str) -> np.ndarray:
    out = np.asarray(parts[0], dtype=object)
    for p in parts[1:]:
        p = np.asarray(p, dtype=object)
        out = np.where(p == "", out, np.where(out == "", p, out + sep + p))
    return out


__all__ = ["REASON_CODES", "reasons"]
