"""The review codes (自评复核提示), their severity and title, and the frame every finding becomes.

A finding is one row of the flags frame: project_id, code, severity, row (the form's row),
row_index (the scorecard row), level3, message, expected, found. Codes in ``WITHHOLDING`` make a
project's total unreliable: scoring then gives it no grade and no total (``totals.withhold``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import targets

# a literal 0 in the 偏差原因 column means "nothing to say" (real-tables.md); in a target it is a value
BLANK_MARKERS = targets.BLANK_MARKERS | {"0", "0.0"}

FLAG_INFO = {  # code: (severity, short Chinese title); the order is the order findings are listed in
    "MONEY_UNREADABLE": ("error", "项目资金表无法读取"),
    "MONEY_INVALID": ("error", "金额为负数、非有限数或大得不合理"),
    "NO_BUDGET": ("error", "缺少预算执行数据"),
    "SCHEME_MISMATCH": ("error", "评分方案的分值与表内分值不符"),
    "POINTS_TOTAL": ("error", "分值合计不等于满分"),
    "NO_POINTS": ("error", "各指标均无分值"),
    "NO_ROWS": ("error", "没有绩效指标"),
    "NOT_SCORED": ("error", "未评分"),
    "OVER_POINTS": ("error", "得分超过分值"),
    "SUM_MISMATCH": ("error", "总分与各项得分之和不符"),
    "GRADE_MISMATCH": ("error", "评价等级与总分不符"),
    "EXEC_SCORE_OVER_POINTS": ("error", "表内执行得分超过执行分值"),
    "OVER_BUDGET": ("warning", "执行数超过预算数"),
    "MET_BUT_DEDUCTED": ("warning", "目标已完成却扣分且未说明原因"),
    "UNMET_FULL_MARKS": ("warning", "目标未完成却得满分"),
    "QUALITATIVE_VS_QUANTITATIVE": ("warning", "定性指标得满分而同一二级指标的定量指标未达标"),
    "MISSING_REASON": ("warning", "扣分未填写偏差原因"),
    "AWARD_DEVIATES": ("warning", "自评得分偏离评分规则"),
    "LOW_EXEC_ALL_MET": ("warning", "预算执行率低但产出指标全部完成"),
    "TARGET_TOO_EASY": ("warning", "实际值远超目标值，目标可能偏低"),
    "UNPARSED_TARGET": ("warning", "指标值无法识别"),
    "UNIT_MISMATCH": ("warning", "目标值与实际值单位不一致"),
    "UNIT_ASSUMED": ("warning", "实际值单位可疑"),
    "TOTALS_ROW_INCONSISTENT": ("warning", "年度资金总额与明细行不符"),
    "FORM_SUBTOTAL_MISMATCH": ("warning", "表内小计或分组分值与分项不符"),
    "RATE_MISMATCH": ("info", "表内执行率与金额不符"),
    "EXEC_BASE_FALLBACK": ("info", "执行率按另一预算列计算"),
}
# findings after which the total cannot be trusted: no total and no grade, and the reason why
WITHHOLDING = {code: FLAG_INFO[code][1] for code in (
    "MONEY_UNREADABLE", "MONEY_INVALID", "NO_BUDGET", "SCHEME_MISMATCH", "POINTS_TOTAL", "NO_POINTS", "NO_ROWS",
    "NOT_SCORED", "OVER_POINTS")}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
FLAG_COLUMNS = ["project_id", "code", "severity", "row", "row_index", "level3", "message", "expected", "found"]


def empty_flags() -> pd.DataFrame:
    return pd.DataFrame(columns=FLAG_COLUMNS)


def is_blank_text(values: pd.Series) -> np.ndarray:
    """True where a free-text cell is empty or holds only a blank marker (— - / 无 0)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    blank_unique = np.array([str(u).strip().lower() in BLANK_MARKERS for u in uniques], dtype=bool)
    return np.where(codes < 0, True, blank_unique[np.maximum(codes, 0)] if len(uniques) else True)


def num(values) -> pd.Series:
    """Numbers as short text ("9.5", "10"); blank for NaN. Called on flagged subsets only."""
    arr = np.asarray(values, dtype=float)
    finite = np.isfinite(arr)
    with np.errstate(over="ignore", invalid="ignore"):
        integral = finite & (np.abs(arr) < 1e15) & (arr == np.round(arr))
        rounded = np.where(np.abs(arr) < 1e15, np.round(arr, 6), arr)
    text = np.where(integral, np.where(integral, arr, 0).astype(np.int64).astype(str), rounded.astype(str))
    return pd.Series(np.where(finite, text, np.where(np.isnan(arr), "", arr.astype(str))), dtype=object)


def text(values) -> pd.Series:
    return pd.Series(values, dtype=object).fillna("").astype(str).reset_index(drop=True)


def findings(code: str, sel: pd.DataFrame, message, expected=None, found=None, row_level=True) -> pd.DataFrame:
    """Flag rows for the selected records; ``message`` is built on the subset only (cheap)."""
    n = len(sel)
    if n == 0:
        return empty_flags()
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
