"""Review of self-evaluation forms (自评复核): the findings a reviewer looks for.

Each check is a boolean mask over the scored rows or the project totals; findings become rows
of one flags frame (project_id, code, severity, row, level3, message, expected, found). Codes:

row level     MET_BUT_DEDUCTED, UNMET_FULL_MARKS, MISSING_REASON, AWARD_DEVIATES, OVER_POINTS,
              TARGET_TOO_EASY, UNPARSED_TARGET, UNIT_MISMATCH, UNIT_ASSUMED, NOT_SCORED
project level SUM_MISMATCH, POINTS_TOTAL, GRADE_MISMATCH, RATE_MISMATCH, LOW_EXEC_ALL_MET,
              TOTALS_ROW_INCONSISTENT, NO_BUDGET, NO_ROWS
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import targets


# a literal 0 in the 偏差原因 column means "nothing to say" (real-tables.md); in a target it is a value
BLANK_MARKERS = targets.BLANK_MARKERS | {"0", "0.0"}

FLAG_INFO = {  # code: (severity, short Chinese title)
    "SUM_MISMATCH": ("error", "总分与各项得分之和不符"),
    "POINTS_TOTAL": ("error", "分值合计不等于满分"),
    "GRADE_MISMATCH": ("error", "评价等级与总分不符"),
    "OVER_POINTS": ("error", "得分超过分值"),
    "MET_BUT_DEDUCTED": ("warning", "目标已完成却扣分且未说明原因"),
    "UNMET_FULL_MARKS": ("warning", "目标未完成却得满分"),
    "MISSING_REASON": ("warning", "扣分未填写偏差原因"),
    "AWARD_DEVIATES": ("warning", "自评得分偏离评分规则"),
    "LOW_EXEC_ALL_MET": ("warning", "预算执行率低但产出指标全部完成"),
    "TARGET_TOO_EASY": ("warning", "实际值远超目标值，目标可能偏低"),
    "UNPARSED_TARGET": ("warning", "指标值无法识别"),
    "UNIT_MISMATCH": ("warning", "目标值与实际值单位不一致"),
    "UNIT_ASSUMED": ("warning", "实际值单位可疑"),
    "TOTALS_ROW_INCONSISTENT": ("warning", "年度资金总额与明细行不符"),
    "NO_BUDGET": ("warning", "缺少预算执行数据"),
    "NO_ROWS": ("error", "没有绩效指标"),
    "RATE_MISMATCH": ("info", "表内执行率与金额不符"),
    "NOT_SCORED": ("info", "未评分"),
}
ROW_FLAG_COLUMNS = ["project_id", "level3", "target", "actual", "points", "awarded_score", "score", "reference_score",
                    "band_low", "band_high", "rule", "t_base", "a_base", "t_unit", "a_unit", "source_row"]
FLAG_COLUMNS = ["project_id", "code", "severity", "row", "row_index", "level3", "message", "expected", "found"]


def is_blank_text(values: pd.Series) -> np.ndarray:
    """True where a free-text cell is empty or holds only a blank marker (— - / 无 0)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    blank_unique = np.array([str(u).strip().lower() in BLANK_MARKERS for u in uniques], dtype=bool)
    return np.where(codes < 0, True, blank_unique[np.maximum(codes, 0)] if len(uniques) else True)


def _num(values) -> pd.Series:
    """Numbers as short text ("9.5", "10"); blank for NaN. Called on flagged subsets only."""
    arr = np.asarray(values, dtype=float)
    finite = np.isfinite(arr)
    integral = finite & (np.abs(arr) < 1e15) & (arr == np.round(arr))
    text = np.where(integral, np.where(integral, arr, 0).astype(np.int64).astype(str),
                    np.round(arr, 6).astype(str))
    return pd.Series(np.where(finite, text, ""), dtype=object)


def _text(values) -> pd.Series:
    return pd.Series(values, dtype=object).fillna("").astype(str).reset_index(drop=True)


def _flags(code: str, sel: pd.DataFrame, message, expected=None, found=None, row_level=True) -> pd.DataFrame:
    """Flag rows for the selected records; ``message`` is built on the subset only (cheap)."""
    n = len(sel)
    if n == 0:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    msg = message(sel) if callable(message) else pd.Series([message] * n, dtype=object)
    val = (lambda v: [None] * n if v is None else np.asarray(v(sel) if callable(v) else v, dtype=object))
    if row_level:
        row = sel["source_row"].to_numpy(dtype=object) if "source_row" in sel else [None] * n
        row_index, level3 = sel.index.to_numpy(), sel["level3"].to_numpy(dtype=object)
    else:
        row, row_index, level3 = [None] * n, [np.nan] * n, [None] * n
    return pd.DataFrame({
        "project_id": sel["project_id"].to_numpy(), "code": code, "severity": FLAG_INFO[code][0],
        "row": row, "row_index": row_index, "level3": level3,
        "message": (FLAG_INFO[code][1] + "：" + pd.Series(msg, dtype=object).reset_index(drop=True)).to_numpy(),
        "expected": val(expected), "found": val(found),
    })


def _reproducible_rate(published: np.ndarray, raw: np.ndarray, tolerance: float) -> np.ndarray:
    """True where the published rate is the computed rate printed at the published precision.

    The precision is read off the published number (98 % → 0 dp, 98.6 % → 1 dp, 98.57 % → 2 dp of
    percent); half-up and truncated roundings at that precision are both seen on real forms. Otherwise the two must agree within ``tolerance`` (a fraction, ReviewSettings.rate_tolerance).
    """
    pct, pub = raw * 100.0, published * 100.0
    decimals = np.full(len(pub), 4)
    for d in (3, 2, 1, 0):  # the fewest decimals that still write the published number
        decimals = np.where(np.abs(np.round(pub, d) - pub) < 1e-9, d, decimals)
    scale = 10.0 ** decimals
    x = np.round(pct * scale, 9)
    ok = np.abs(pct - pub) <= tolerance * 100.0 + 1e-12
    for cand in (np.floor(x + 0.5), np.floor(x)):  # half-up and truncated (real-tables.md §2)
        ok |= np.abs(cand / scale - pub) < 1e-9
    return ok


def _target_actual(sel) -> pd.Series:
    return "目标值 " + _text(sel["target"]) + "，实际 " + _text(sel["actual"])


def review(res: pd.DataFrame, totals: pd.DataFrame, scheme, codes) -> pd.DataFrame:
    """All findings for scored rows ``res`` and ``totals`` under ``scheme`` (its ReviewSettings)."""
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
        return _target_actual(sel) + "，得分 " + _num(sel["awarded_score"]) + "/" + _num(sel["points"])

    def band_of(sel):
        low, high = sel["band_low"].to_numpy(dtype=float), sel["band_high"].to_numpy(dtype=float)
        band = np.where(low == high, _num(sel["reference_score"]), _num(low) + "–" + _num(high))
        return ("规则（" + _text(sel["rule"]) + "）参考得分 " + pd.Series(band, dtype=object)
                + "，自评得分 " + _num(sel["awarded_score"]))

    def ratio_of(sel):
        ratio = sel["a_base"].to_numpy(dtype=float) / sel["t_base"].to_numpy(dtype=float)
        return _target_actual(sel) + "，为目标的 " + _num(np.round(ratio, 1)) + " 倍"

    with np.errstate(invalid="ignore"):
        too_easy = counted & (rule == "positive") & (t_base > 0) & (a_base >= cfg.too_easy_ratio * t_base)
    checks = [
        ("MET_BUT_DEDUCTED", has_pts & (met == 1) & (awarded < pts - tol) & no_reason, score_of,
         "points", "awarded_score"),
        ("UNMET_FULL_MARKS", has_pts & (met == 0) & (awarded >= pts - tol), score_of,
         "reference_score", "awarded_score"),
        ("MISSING_REASON", has_pts & (met != 1) & (final < pts - tol) & no_reason,
         lambda sel: "得分 " + _num(sel["score"]) + "/" + _num(sel["points"]) + "，偏差原因为空", "points", "score"),
        ("AWARD_DEVIATES", counted & ~np.isnan(awarded) & ~np.isnan(ref) & ((awarded < lo - tol) | (awarded > hi + tol)),
         band_of, "reference_score", "awarded_score"),
        ("OVER_POINTS", counted & (awarded > pts + tol),
         lambda sel: "得分 " + _num(sel["awarded_score"]) + " 超过分值 " + _num(sel["points"]), "points", "awarded_score"),
        ("TARGET_TOO_EASY", too_easy, ratio_of, "t_base", "a_base"),
        ("UNPARSED_TARGET", counted & ((t_kind == "unparsed") | ((t_kind == "blank") & (a_kind != "blank")))
         & (rule != "expert"),
         lambda sel: "“" + _text(sel["target"]) + "”（三级指标 " + _text(sel["level3"]) + "）", None, "target"),
        ("UNIT_MISMATCH", counted & res["unit_clash"].to_numpy(dtype=bool), _target_actual, "t_unit", "a_unit"),
        ("UNIT_ASSUMED", counted & res["unit_assumed"].to_numpy(dtype=bool),
         lambda sel: _target_actual(sel) + "：实际值未写单位，已按目标值单位计分，但数量级可疑", "t_unit", "actual"),
        ("NOT_SCORED", has_pts & (pts > 0) & np.isnan(final), "无自评得分且无法按规则计算，按 0 分计入总分", None, None),
    ]
    narrow = res[[c for c in ROW_FLAG_COLUMNS if c in res]]
    frames = []
    for code, mask, message, expected, found in checks:
        sel = narrow[mask]
        frames.append(_flags(code, sel, message,
                             None if expected is None else (lambda s, c=expected: s[c].to_numpy(dtype=object)),
                             None if found is None else (lambda s, c=found: s[c].to_numpy(dtype=object))))
    frames += _project_checks(res, totals, scheme, codes)
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    flags = pd.concat(frames, ignore_index=True)
    order = pd.Index(totals["project_id"]).get_indexer(flags["project_id"])
    rank = pd.Series(list(FLAG_INFO)).reset_index().set_index(0)["index"]
    flags = flags.assign(_o=order, _r=flags["row_index"].astype(float).fillna(-1), _c=flags["code"].map(rank))
    return flags.sort_values(["_o", "_r", "_c"], kind="stable").drop(columns=["_o", "_r", "_c"]).reset_index(drop=True)


def _label_map(grades):
    """Grade labels → canonical labels, computed once per distinct label (100 000 projects, a few labels)."""
    def normalize(labels: pd.Series) -> pd.Series:
        distinct = pd.unique(labels.dropna())
        return labels.map({lab: grades.normalize_label(lab) for lab in distinct})
    return normalize


def _project_checks(res: pd.DataFrame, tot: pd.DataFrame, scheme, codes) -> list[pd.DataFrame]:
    cfg = scheme.review
    work = tot.copy()
    work["_points_sum"] = tot["exec_points"].to_numpy(dtype=float) + tot["rows_points"].to_numpy(dtype=float)
    pub_total = pd.to_numeric(tot["published_total"], errors="coerce").to_numpy(dtype=float)
    pub_exec = pd.to_numeric(tot["published_exec_score"], errors="coerce").to_numpy(dtype=float)
    work["_exec_used"] = np.where(np.isnan(pub_exec), tot["exec_score"].to_numpy(dtype=float), pub_exec)
    work["_expected_total"] = np.round(work["_exec_used"] + tot["rows_score"].to_numpy(dtype=float), 9)
    work["_pub_total"] = pub_total
    work["_grade_basis"] = np.where(np.isnan(pub_total), tot["total_unrounded"].to_numpy(dtype=float), pub_total)
    work["_due_grade"] = scheme.grades.grade(work["_grade_basis"].to_numpy())
    normalize = _label_map(scheme.grades)
    pub_grade = normalize(tot["published_grade"])
    pub_rate = pd.to_numeric(tot["published_rate"], errors="coerce").to_numpy(dtype=float)
    raw = tot["exec_rate_raw"].to_numpy(dtype=float)
    work["_pub_rate"] = pub_rate
    rate = tot["exec_rate"].to_numpy(dtype=float)
    exec_pts = tot["exec_points"].to_numpy(dtype=float)
    is_output_name = np.array(["产出" in str(n) for n in codes.level1_names], dtype=bool)
    output = res["counted"].to_numpy(dtype=bool) & is_output_name[codes.level1]
    n_output = np.bincount(codes.project, weights=output, minlength=len(tot))
    n_output_met = np.bincount(codes.project, weights=output & (res["met"].to_numpy() == 1), minlength=len(tot))
    all_met = (n_output > 0) & (n_output_met == n_output)

    total = f"{scheme.total_points:g}"
    checks = [
        ("POINTS_TOTAL", (tot["rows_points"].to_numpy() > 0) & (np.abs(work["_points_sum"].to_numpy() - scheme.total_points) > 1e-6),
         lambda s: "执行分值 " + _num(s["exec_points"]) + " + 指标分值 " + _num(s["rows_points"]) + " = "
         + _num(s["_points_sum"]) + "，满分应为 " + total,
         lambda s: np.full(len(s), scheme.total_points), lambda s: s["_points_sum"]),
        ("SUM_MISMATCH", ~np.isnan(pub_total) & (np.abs(pub_total - work["_expected_total"].to_numpy()) > cfg.tolerance),
         lambda s: "表内总分 " + _num(s["_pub_total"]) + "，执行得分 " + _num(s["_exec_used"]) + " + 指标得分合计 "
         + _num(s["rows_score"]) + " = " + _num(s["_expected_total"]),
         lambda s: s["_expected_total"], lambda s: s["_pub_total"]),
        ("GRADE_MISMATCH", (pub_grade.notna() & (pub_grade != normalize(work["_due_grade"]))).to_numpy(),
         lambda s: "表内等级 “" + _text(s["published_grade"]) + "”，总分 " + _num(s["_grade_basis"])
         + " 对应等级 “" + _text(s["_due_grade"]) + "”",
         lambda s: s["_due_grade"], lambda s: s["published_grade"]),
        ("RATE_MISMATCH", ~np.isnan(pub_rate) & ~np.isnan(raw) & ~_reproducible_rate(np.nan_to_num(pub_rate), np.nan_to_num(raw), cfg.rate_tolerance),
         lambda s: "表内执行率 " + pd.Series(np.char.mod("%.4g%%", s["_pub_rate"].to_numpy() * 100))
         + "，按金额计算为 " + pd.Series(np.char.mod("%.4f%%", s["exec_rate_raw"].to_numpy() * 100)),
         lambda s: s["exec_rate_raw"], lambda s: s["_pub_rate"]),
    ]
    for what, label in (("budget_full_year", "全年预算数"), ("spent", "全年执行数")):
        tr, dt = f"total_row_{what}", f"detail_{what}"
        if tr in tot and dt in tot:
            a = pd.to_numeric(tot[tr], errors="coerce").to_numpy(dtype=float)
            b = pd.to_numeric(tot[dt], errors="coerce").to_numpy(dtype=float)
            work[tr], work[dt] = a, b
            checks.append(("TOTALS_ROW_INCONSISTENT",
                           ~np.isnan(a) & ~np.isnan(b) & (np.abs(a - b) > cfg.money_tolerance),
                           lambda s, tr=tr, dt=dt, label=label: label + "：总额行 " + _num(s[tr]) + " 元，明细行合计 "
                           + _num(s[dt]) + " 元",
                           lambda s, dt=dt: s[dt], lambda s, tr=tr: s[tr]))
    checks += [
        ("LOW_EXEC_ALL_MET", all_met & (rate < cfg.low_exec_threshold),
         lambda s: "执行率 " + pd.Series(np.char.mod("%.2f%%", s["exec_rate"].to_numpy() * 100))
         + " 低于 " + f"{cfg.low_exec_threshold:.0%}" + "，产出指标却全部完成",
         lambda s: np.full(len(s), cfg.low_exec_threshold), lambda s: s["exec_rate"]),
        ("NO_BUDGET", np.isnan(rate) & (exec_pts > 0), "无法计算执行率（全年预算数为空或为 0），执行得分按 0 计",
         None, None),
        ("NO_ROWS", tot["n_rows"].to_numpy() == 0, "预算表中有该项目，但没有任何绩效指标行，未评定等级", None, None),
    ]
    return [_flags(code, work[mask], message, expected, found, row_level=False)
            for code, mask, message, expected, found in checks]


def summarize(flags: pd.DataFrame) -> pd.DataFrame:
    """Count of findings per code and severity, with the Chinese title."""
    if flags.empty:
        return pd.DataFrame(columns=["code", "severity", "title", "count"])
    c = flags.groupby(["code", "severity"]).size().rename("count").reset_index()
    c["title"] = c["code"].map(lambda k: FLAG_INFO[k][1])
    return c[["code", "severity", "title", "count"]].sort_values("count", ascending=False, kind="stable")


__all__ = ["review", "summarize", "FLAG_INFO", "is_blank_text"]
