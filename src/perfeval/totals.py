"""Project totals: execution rate and score, total, grade — and the grade withheld when it cannot be trusted.

:func:`project_totals` adds to the budget frame (one row per project) everything a scorecard's
``totals`` holds: the execution points (the form's own 分值, else the scheme's), the execution rate on the scheme's base (the other
budget column when the form has only that one), the execution score (its own rounding), the sum
of the counted row scores, the total and its grade, and the same after review (an awarded score
above what the rule allows counts at the rule's top: ``reviewed_total``, ``reviewed_grade``). Amounts that are negative, not finite or
beyond ``ReviewSettings.max_money`` give no rate. :func:`withhold` then takes the grade (and the
total) away from every project with a review finding that makes the total unreliable
(``review.WITHHOLDING``): perfeval never prints a confident total it cannot stand behind.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import compare
from .conventions import apply_rounding
from .rules import execution_rate, execution_score

MONEY_FIELDS = ("budget_initial", "budget_full_year", "spent")
OTHER_BASE = {"budget_full_year": "budget_initial", "budget_initial": "budget_full_year"}


def money_invalid(t: pd.DataFrame, max_money: float) -> np.ndarray:
    """True where an amount of the project is negative, infinite or above ``max_money`` 元."""
    bad = np.zeros(len(t), dtype=bool)
    for col in MONEY_FIELDS:
        if col in t:
            v = t[col].to_numpy(dtype=float)
            with np.errstate(invalid="ignore"):
                bad |= ~np.isnan(v) & (~np.isfinite(v) | (v < 0) | (v > max_money))
    return bad


def _exec_points(t: pd.DataFrame, sch) -> np.ndarray:
    """The form's own 分值 of execution (scheme source "form"), else the scheme's."""
    if sch.exec_points_source != "form" or "exec_points" not in t:
        return np.full(len(t), sch.exec_points)
    return t["exec_points"].fillna(sch.exec_points).to_numpy(dtype=float)


def _rate_base(t: pd.DataFrame, sch) -> tuple[np.ndarray, np.ndarray]:
    """The budget the rate is computed on, and where the other column stood in for a missing one."""
    base_col = "budget_full_year" if sch.exec_base == "full_year" else "budget_initial"
    nan = np.full(len(t), np.nan)
    base = t[base_col].to_numpy(dtype=float) if base_col in t else nan
    other = t[OTHER_BASE[base_col]].to_numpy(dtype=float) if OTHER_BASE[base_col] in t else nan
    fallback = np.isnan(base) & ~np.isnan(other) & (other > 0)
    return np.where(fallback, other, base), fallback


def project_totals(res: pd.DataFrame, b: pd.DataFrame, sch, project_codes: np.ndarray) -> pd.DataFrame:
    """The totals frame: ``b`` (budget, one row per project in code order) plus every computed column."""
    n = len(b)
    counted = res["counted"].to_numpy()
    sc = np.where(counted, np.nan_to_num(res["score"].to_numpy(dtype=float)), 0.0)
    rv = np.where(counted, np.nan_to_num(res["reviewed_score"].to_numpy(dtype=float)), 0.0)
    pts = np.where(counted, np.nan_to_num(res["points"].to_numpy(dtype=float)), 0.0)
    rows_score = np.bincount(project_codes, weights=sc, minlength=n)
    reviewed_rows = np.bincount(project_codes, weights=rv, minlength=n)
    rows_points = np.bincount(project_codes, weights=pts, minlength=n)
    n_rows = np.bincount(project_codes, minlength=n)

    t = b.copy()
    t["form_exec_points"] = t["exec_points"].to_numpy(dtype=float) if "exec_points" in t else np.nan
    exec_points = _exec_points(t, sch)
    base, fallback = _rate_base(t, sch)
    spent = t["spent"].to_numpy(dtype=float) if "spent" in t else np.full(n, np.nan)
    invalid = money_invalid(t, sch.review.max_money)
    raw_rate = np.where(invalid, np.nan, execution_rate(spent, base))
    rate = apply_rounding(raw_rate * 100.0, sch.rate_rounding) / 100.0
    exec_score = apply_rounding(execution_score(exec_points, rate), sch.exec_score_rounding)
    exec_score = np.where(exec_points == 0, 0.0, exec_score)  # NaN where execution counts but has no rate
    t["exec_points"] = exec_points
    t["exec_base_fallback"] = fallback
    t["money_invalid"] = invalid
    t["exec_rate_raw"] = raw_rate
    t["exec_rate"] = rate
    t["exec_score"] = exec_score
    t["rows_points"] = rows_points
    t["rows_score"] = apply_rounding(rows_score, sch.score_rounding)
    t["n_rows"] = n_rows
    total_unrounded = compare.snap(exec_score + rows_score)
    t["total_unrounded"] = total_unrounded
    t["total"] = apply_rounding(total_unrounded, sch.score_rounding)
    graded = total_unrounded if sch.grades.on == "unrounded" else t["total"].to_numpy()
    t["grade"] = np.where(n_rows > 0, sch.grades.grade(graded), None)  # no indicators, no grade
    reviewed = compare.snap(exec_score + reviewed_rows)
    t["reviewed_total"] = apply_rounding(reviewed, sch.score_rounding)
    graded = reviewed if sch.grades.on == "unrounded" else t["reviewed_total"].to_numpy()
    t["reviewed_grade"] = np.where(n_rows > 0, sch.grades.grade(graded), None)
    for col in ("project_name", "published_total", "published_grade", "published_rate", "published_exec_score",
                "money_problem", "reader_notes"):
        if col not in t:
            t[col] = np.nan if col.startswith("published_") and col != "published_grade" else None
    if t["project_name"].isna().any() and "project_name" in res:
        names = res.drop_duplicates("project_id").set_index("project_id")["project_name"]
        t["project_name"] = t["project_name"].fillna(t["project_id"].map(names))
    return t


def withhold(t: pd.DataFrame, flags: pd.DataFrame, withholding: dict) -> pd.DataFrame:
    """No grade and no total for projects with a withholding finding; ``withheld`` says why ("" if graded)."""
    hits = flags[flags["code"].isin(list(withholding))]
    reasons = hits.drop_duplicates(["project_id", "code"]).groupby("project_id", sort=False)["code"].agg(
        lambda codes: "；".join(withholding[c] for c in codes))
    why = t["project_id"].map(reasons).astype(object)
    why = why.where(why.notna(), "")
    held = (why != "").to_numpy()
    t = t.copy()
    t["withheld"] = why.to_numpy(dtype=object)
    t["graded"] = ~held & t["grade"].notna().to_numpy()
    for col in ("total", "total_unrounded", "reviewed_total"):
        t[col] = np.where(held, np.nan, t[col].to_numpy(dtype=float))
    for col in ("grade", "reviewed_grade"):
        t[col] = np.where(held, None, t[col].to_numpy(dtype=object))
    return t
