"""Row-level review checks: what a reviewer looks for on each indicator row.

MET_BUT_DEDUCTED, UNMET_FULL_MARKS, QUALITATIVE_VS_QUANTITATIVE (a qualitative indicator awarded full
marks while a quantitative indicator of the same 二级 dimension of the project fell short), MISSING_REASON, AWARD_DEVIATES, OVER_POINTS, TARGET_TOO_EASY,
UNPARSED_TARGET, UNIT_MISMATCH, UNIT_ASSUMED, NOT_SCORED — each a boolean mask over all rows of all
projects; messages are built on the flagged rows only.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import compare
from .codes import findings, is_blank_text, num, text

ROW_FLAG_COLUMNS = ["project_id", "level3", "target", "actual", "points", "awarded_score", "score", "reference_score",
                    "band_low", "band_high", "rule", "t_base", "a_base", "t_unit", "a_unit", "source_row"]


def rule_label(kinds) -> pd.Series:
    """The Chinese label of each rule kind (正向指标（≥） …), as a reader of the report knows it."""
    from ..rules import RULE_KINDS

    return text(kinds).map(lambda k: RULE_KINDS[k].label if k in RULE_KINDS else k)


def target_actual(sel) -> pd.Series:
    return "目标值 " + text(sel["target"]) + "，实际 " + text(sel["actual"])


def row_findings(res: pd.DataFrame, scheme) -> list[pd.DataFrame]:
    """Row-level findings for the scored rows ``res`` under ``scheme`` (its ReviewSettings)."""
    cfg = scheme.review
    tol = cfg.tolerance
    pts = res["points"].to_numpy(dtype=float)
    awarded = res["awarded_score"].to_numpy(dtype=float)
    final = res["score"].to_numpy(dtype=float)
    ref = res["reference_score"].to_numpy(dtype=float)
    met = res["met"].to_numpy(dtype=float)
    lo, hi = res["band_low"].to_numpy(dtype=float), res["band_high"].to_numpy(dtype=float)
    t_base, a_base = res["t_base"].to_numpy(dtype=float), res["a_base"].to_numpy(dtype=float)
    t_kind, a_kind = res["t_kind"].to_numpy(dtype=object), res["a_kind"].to_numpy(dtype=object)
    rule = res["rule"].to_numpy(dtype=object)
    counted = res["counted"].to_numpy(dtype=bool)
    has_pts = counted & ~np.isnan(pts)
    no_reason = is_blank_text(res["reason"])

    def score_of(sel):
        return target_actual(sel) + "，得分 " + num(sel["awarded_score"]) + "/" + num(sel["points"])

    def band_of(sel):
        low, high = sel["band_low"].to_numpy(dtype=float), sel["band_high"].to_numpy(dtype=float)
        band = np.where(low == high, num(sel["reference_score"]), num(low) + "–" + num(high))
        return ("按" + rule_label(sel["rule"]) + "规则，参考得分 " + pd.Series(band, dtype=object)
                + "，自评得分 " + num(sel["awarded_score"]))

    def not_scored(sel):
        ref = sel["reference_score"].to_numpy(dtype=float)
        return pd.Series(np.where(np.isnan(ref), "无自评得分，评分规则也无法计算参考分",
                                  "得分单元格为空；规则参考分 " + num(ref) + "，未代为填入"), dtype=object)

    def ratio_of(sel):
        ratio = sel["a_base"].to_numpy(dtype=float) / sel["t_base"].to_numpy(dtype=float)
        return target_actual(sel) + "，为目标的 " + num(np.round(ratio, 1)) + " 倍"

    # a qualitative (or panel-scored) indicator at full marks beside an unmet quantitative one of its 二级
    group = res["project_id"].astype(str) + "\x1f" + res["level2"].astype(str)
    short_q = counted & (t_kind == "quantitative") & (met == 0)
    shortfalls = (res.loc[short_q, "level3"].astype(str) + " " + text(res.loc[short_q, "actual"]).to_numpy()
                  + "（年度指标值 " + text(res.loc[short_q, "target"]).to_numpy() + "）").groupby(group[short_q]).agg("、".join)
    with np.errstate(invalid="ignore"):
        qual_full = has_pts & np.isin(rule, ("qualitative", "expert")) & (final >= pts - tol) \
            & group.isin(shortfalls.index).to_numpy()

    def qual_of(sel):
        return ("“" + text(sel["actual"]) + "”得 " + num(sel["score"]) + "/" + num(sel["points"]) + " 分；"
                + text(group[sel.index].map(shortfalls)))

    with np.errstate(invalid="ignore"):
        too_easy = counted & (rule == "positive") & (t_base > 0) & compare.ge(a_base, cfg.too_easy_ratio * t_base)
    checks = [
        ("MET_BUT_DEDUCTED", has_pts & (met == 1) & (awarded < pts - tol) & no_reason, score_of,
         "points", "awarded_score"),
        ("UNMET_FULL_MARKS", has_pts & (met == 0) & (awarded >= pts - tol), score_of,
         "reference_score", "awarded_score"),
        ("QUALITATIVE_VS_QUANTITATIVE", qual_full, qual_of, "points", "score"),
        ("MISSING_REASON", has_pts & (met != 1) & (final < pts - tol) & no_reason,
         lambda sel: "得分 " + num(sel["score"]) + "/" + num(sel["points"]) + "，偏差原因为空", "points", "score"),
        ("AWARD_DEVIATES", counted & ~np.isnan(awarded) & ~np.isnan(ref) & ((awarded < lo - tol) | (awarded > hi + tol)),
         band_of, "reference_score", "awarded_score"),
        ("OVER_POINTS", counted & (awarded > pts + tol),
         lambda sel: "得分 " + num(sel["awarded_score"]) + " 超过分值 " + num(sel["points"]), "points", "awarded_score"),
        ("TARGET_TOO_EASY", too_easy, ratio_of, "t_base", "a_base"),
        ("UNPARSED_TARGET", counted & ((t_kind == "unparsed") | ((t_kind == "blank") & (a_kind != "blank")))
         & (rule != "expert"),
         lambda sel: "“" + text(sel["target"]) + "”（三级指标 " + text(sel["level3"]) + "）", None, "target"),
        ("UNIT_MISMATCH", counted & res["unit_clash"].to_numpy(dtype=bool), target_actual, "t_unit", "a_unit"),
        ("UNIT_ASSUMED", counted & res["unit_assumed"].to_numpy(dtype=bool),
         lambda sel: target_actual(sel) + "：实际值未写单位，已按目标值单位计分，但数量级可疑", "t_unit", "actual"),
        ("NOT_SCORED", has_pts & (pts > 0) & np.isnan(final), not_scored, "reference_score", "awarded_score"),
    ]
    narrow = res[[c for c in ROW_FLAG_COLUMNS if c in res]]
    return [findings(code, narrow[mask], message,
                     None if expected is None else (lambda s, c=expected: s[c].to_numpy(dtype=object)),
                     None if found is None else (lambda s, c=found: s[c].to_numpy(dtype=object)))
            for code, mask, message, expected, found in checks]
