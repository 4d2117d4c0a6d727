"""Project-level review checks: the money block, the points, the totals and the published grade.

MONEY_UNREADABLE, MONEY_INVALID, NO_BUDGET, EXEC_BASE_FALLBACK, OVER_BUDGET, EXEC_SCORE_OVER_POINTS,
SCHEME_MISMATCH, POINTS_TOTAL, NO_POINTS, NO_ROWS, SUM_MISMATCH, GRADE_MISMATCH, RATE_MISMATCH,
TOTALS_ROW_INCONSISTENT, LOW_EXEC_ALL_MET, FORM_SUBTOTAL_MISMATCH (the reader's 小计 and group-points checks) —
each a boolean mask over the totals frame.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import compare
from .codes import findings, num, text

MONEY_NAMES = {"budget_initial": "年初预算数", "budget_full_year": "全年预算数", "spent": "全年执行数"}


def reproducible_rate(published: np.ndarray, raw: np.ndarray, tolerance: float) -> np.ndarray:
    """True where the published rate is the computed rate printed at the published precision.

    The precision is read off the published number (98 % → 0 dp, 98.6 % → 1 dp, 98.57 % → 2 dp of
    percent); half-up and truncated roundings at that precision are both seen on real forms.
    Otherwise the two must agree within ``tolerance`` (a fraction, ReviewSettings.rate_tolerance).
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


def _label_map(grades):
    """Grade labels → canonical labels, computed once per distinct label (100 000 projects, a few labels)."""
    def normalize(labels: pd.Series) -> pd.Series:
        distinct = pd.unique(labels.dropna())
        return labels.map({lab: grades.normalize_label(lab) for lab in distinct})
    return normalize


def _invalid_money(s: pd.DataFrame, max_money: float) -> pd.Series:
    """"全年执行数 -5 元为负数" for each flagged project (a loop over the three amounts, not projects)."""
    parts = pd.Series("", index=s.index, dtype=object)
    for col, name in MONEY_NAMES.items():
        if col not in s:
            continue
        v = s[col].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            why = np.where(~np.isfinite(v) & ~np.isnan(v), "不是有限数", np.where(
                v < 0, "为负数", np.where(v > max_money, f"超过上限 {max_money:g} 元", "")))
        hit = why != ""
        parts = parts.where(~hit, parts + np.where(parts != "", "；", "") + name + " " + num(v).to_numpy()
                            + " 元" + why)
    return parts.reset_index(drop=True) + "，不计算执行率、不评定等级"


def _points_checks(tot: pd.DataFrame, work: pd.DataFrame, scheme, has_points: np.ndarray) -> list:
    """SCHEME_MISMATCH, POINTS_TOTAL and NO_POINTS: do the points of form and scheme add up to the full score?"""
    full = scheme.total_points
    exec_pts = tot["exec_points"].to_numpy(dtype=float)
    rows_pts = tot["rows_points"].to_numpy(dtype=float)
    form_exec = pd.to_numeric(tot["form_exec_points"], errors="coerce").to_numpy(dtype=float)
    off = np.abs(exec_pts + rows_pts - full) > 1e-6
    form_fits = ~np.isnan(form_exec) & (np.abs(form_exec + rows_pts - full) <= 1e-6)
    mismatch = off & form_fits & (np.abs(form_exec - exec_pts) > 1e-9)
    work["_points_sum"] = exec_pts + rows_pts
    work["_form_exec"] = form_exec
    total = f"{full:g}"

    def points_total(s):
        rows = s["rows_points"].to_numpy(dtype=float)
        hint = np.where(np.abs(rows - full) <= 1e-6,
                        "；表内指标分值已为满分，预算执行不应另计分，请用 --scheme exec-0（或 --exec-points 0）",
                        np.where(np.abs(rows - 1) <= 1e-6,
                                 "；各指标“分值”合计为 1，像是相对权重：请换算为分值（权重 × 满分）后再评分",
                                 "；请核对表内分值"))
        return ("执行分值 " + num(s["exec_points"]) + " + 指标分值 " + num(s["rows_points"]) + " = "
                + num(s["_points_sum"]) + "，满分应为 " + total + pd.Series(hint, dtype=object))

    return [
        ("SCHEME_MISMATCH", mismatch,
         lambda s: ("方案 " + scheme.name + " 的执行分值 " + num(s["exec_points"]) + " + 表内指标分值 "
                    + num(s["rows_points"]) + " = " + num(s["_points_sum"]) + "，满分应为 " + total + "；表内执行分值为 "
                    + num(s["_form_exec"]) + "，请改用与表一致的方案（如 --scheme mof-2020）或 --exec-points "
                    + num(s["_form_exec"])),
         lambda s: np.full(len(s), full), lambda s: s["_points_sum"]),
        ("POINTS_TOTAL", (rows_pts > 0) & off & ~mismatch & has_points, points_total,
         lambda s: np.full(len(s), full), lambda s: s["_points_sum"]),
        ("NO_POINTS", (tot["n_rows"].to_numpy() > 0) & ~has_points,
         "表内各指标行都没有分值（如叙述式自评表），无法计算总分，不评定等级；可按指标体系补齐分值后再评分",
         None, None),
    ]


def project_findings(res: pd.DataFrame, tot: pd.DataFrame, scheme, codes) -> list[pd.DataFrame]:
    """Project-level findings for the totals frame ``tot`` (rows ``res`` for the output-indicator checks)."""
    cfg = scheme.review
    n = len(tot)
    work = tot.copy()
    pub_total = pd.to_numeric(tot["published_total"], errors="coerce").to_numpy(dtype=float)
    pub_exec = pd.to_numeric(tot["published_exec_score"], errors="coerce").to_numpy(dtype=float)
    work["_exec_used"] = np.where(np.isnan(pub_exec), tot["exec_score"].to_numpy(dtype=float), pub_exec)
    work["_expected_total"] = compare.snap(work["_exec_used"] + tot["rows_score"].to_numpy(dtype=float))
    work["_pub_total"] = pub_total
    work["_pub_exec"] = pub_exec
    work["_grade_basis"] = np.where(np.isnan(pub_total), tot["total_unrounded"].to_numpy(dtype=float), pub_total)
    work["_due_grade"] = scheme.grades.grade(work["_grade_basis"].to_numpy())
    normalize = _label_map(scheme.grades)
    pub_grade = normalize(tot["published_grade"])
    pub_rate = pd.to_numeric(tot["published_rate"], errors="coerce").to_numpy(dtype=float)
    raw = tot["exec_rate_raw"].to_numpy(dtype=float)
    work["_pub_rate"] = pub_rate
    rate = tot["exec_rate"].to_numpy(dtype=float)
    exec_pts = tot["exec_points"].to_numpy(dtype=float)
    form_exec = pd.to_numeric(tot["form_exec_points"], errors="coerce").to_numpy(dtype=float)
    work["_exec_limit"] = np.where(np.isnan(form_exec), exec_pts, form_exec)
    problem = tot["money_problem"].notna().to_numpy() & (tot["money_problem"].astype(str).str.strip() != "").to_numpy()
    # the reader's checks of subtotals and group points ("问题：…" notes): a 小计 or a group's points that
    # disagree with its rows are flagged, never silently dropped
    checks_text = tot["reader_notes"].fillna("").astype(str).str.findall(r"问题：[^\n]*").str.join("；")
    work["_reader_checks"] = checks_text
    invalid = tot["money_invalid"].to_numpy(dtype=bool)
    counted = res["counted"].to_numpy(dtype=bool)
    is_output_name = np.array(["产出" in str(x) for x in codes.level1_names], dtype=bool)
    output = counted & is_output_name[codes.level1]
    n_output = np.bincount(codes.project, weights=output, minlength=n)
    n_output_met = np.bincount(codes.project, weights=output & (res["met"].to_numpy() == 1), minlength=n)
    all_met = (n_output > 0) & (n_output_met == n_output)
    pts = res["points"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        has_points = np.bincount(codes.project, weights=counted & (pts > 0), minlength=n) > 0
    other_base = "年初预算数" if scheme.exec_base == "full_year" else "全年预算数"
    own_base = "全年预算数" if scheme.exec_base == "full_year" else "年初预算数"

    checks = [
        ("MONEY_UNREADABLE", problem, lambda s: text(s["money_problem"]) + "；不计算执行得分、不评定等级", None,
         lambda s: s["money_problem"]),
        ("FORM_SUBTOTAL_MISMATCH", (checks_text != "").to_numpy(), lambda s: s["_reader_checks"].str.replace(
            "问题：", "", regex=False), None, None),
        ("MONEY_INVALID", invalid & ~problem, lambda s: _invalid_money(s, cfg.max_money), None, None),
        ("NO_BUDGET", np.isnan(rate) & (exec_pts > 0) & ~problem & ~invalid,
         lambda s: ("表内没有可用的预算数（全年预算数、年初预算数为空或为 0）或执行数，无法计算执行得分（执行分值 "
                    + num(s["exec_points"]) + "），不评定等级"), None, None),
        ("EXEC_BASE_FALLBACK", tot["exec_base_fallback"].to_numpy(dtype=bool),
         f"表内没有{own_base}，执行率按{other_base}计算", None, None),
        ("OVER_BUDGET", compare.gt(raw, 1.0),
         lambda s: ("执行率 " + pd.Series(np.char.mod("%.2f%%", s["exec_rate_raw"].to_numpy() * 100))
                    + "：全年执行数超过预算数，执行得分以分值为上限；请核实是否超预算支出"),
         lambda s: np.ones(len(s)), lambda s: s["exec_rate_raw"]),
        ("EXEC_SCORE_OVER_POINTS", compare.gt(pub_exec, work["_exec_limit"].to_numpy(dtype=float) + cfg.tolerance),
         lambda s: "表内执行得分 " + num(s["_pub_exec"]) + " 超过执行分值 " + num(s["_exec_limit"]),
         lambda s: s["_exec_limit"], lambda s: s["_pub_exec"]),
        *_points_checks(tot, work, scheme, has_points),
        ("SUM_MISMATCH", ~np.isnan(pub_total) & (np.abs(pub_total - work["_expected_total"].to_numpy()) > cfg.tolerance),
         lambda s: "表内总分 " + num(s["_pub_total"]) + "，执行得分 " + num(s["_exec_used"]) + " + 指标得分合计 "
         + num(s["rows_score"]) + " = " + num(s["_expected_total"]),
         lambda s: s["_expected_total"], lambda s: s["_pub_total"]),
        ("GRADE_MISMATCH", (pub_grade.notna() & pd.Series(work["_due_grade"]).notna()
                            & (pub_grade != normalize(pd.Series(work["_due_grade"], index=tot.index)))).to_numpy(),
         lambda s: "表内等级 “" + text(s["published_grade"]) + "”，总分 " + num(s["_grade_basis"])
         + " 对应等级 “" + text(s["_due_grade"]) + "”",
         lambda s: s["_due_grade"], lambda s: s["published_grade"]),
        ("RATE_MISMATCH", ~np.isnan(pub_rate) & ~np.isnan(raw)
         & ~reproducible_rate(np.nan_to_num(pub_rate), np.nan_to_num(raw), cfg.rate_tolerance),
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
                           lambda s, tr=tr, dt=dt, label=label: label + "：总额行 " + num(s[tr]) + " 元，明细行合计 "
                           + num(s[dt]) + " 元",
                           lambda s, dt=dt: s[dt], lambda s, tr=tr: s[tr]))
    checks += [
        ("LOW_EXEC_ALL_MET", all_met & compare.lt(rate, cfg.low_exec_threshold),
         lambda s: "执行率 " + pd.Series(np.char.mod("%.2f%%", s["exec_rate"].to_numpy() * 100))
         + " 低于 " + f"{cfg.low_exec_threshold:.0%}" + "，产出指标却全部完成",
         lambda s: np.full(len(s), cfg.low_exec_threshold), lambda s: s["exec_rate"]),
        ("NO_ROWS", tot["n_rows"].to_numpy() == 0, "预算表中有该项目，但没有任何绩效指标行，未评定等级", None, None),
    ]
    return [findings(code, work[np.asarray(mask, dtype=bool)], message, expected, found, row_level=False)
            for code, mask, message, expected, found in checks]
