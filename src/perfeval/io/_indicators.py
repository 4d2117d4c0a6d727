"""The indicator table of a self-evaluation form: heading, body rows and their hazards.

Given the row of the 一级指标 heading, maps columns by their labels (also a second heading
row such as 指标性质/指标值/度量单位 under a merged 年度指标值), finds where the body ends
(总分, 评价等级, 注…), and turns the body into the tidy rows frame. All row work is
vectorised over the body; notes record every tolerated hazard.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import compare
from ..targets import parse_values
from . import _cells as C
from ._grid import Grid
from .selfeval_model import ROW_COLUMNS

PLACEHOLDER = r"^(?:指标\d*:?|(?:指标)?…+|\.{2,}|—+|-+|/)$"
POINTS_IN_NAME = r"[(（]?\s*(\d+(?:\.\d+)?)\s*分\s*[)）]?\s*$"  # "档案管理规范性（5分）": the row's points
SUB_ROW = r"^其中"
# Target written into the indicator name: "年度资金支付完成率100%", "受益人数≥500人", "满意度(≥90%)"
TARGET_IN_NAME = re.compile(
    r"^(?P<name>.*?\D)[(（]?\s*(?P<target>(?:>=|<=|[≥≧≤≦=＝═><])?\s*\d+(?:[.,]\d+)*\s*"
    r"(?:%|％|[\u4e00-\u9fa5]{1,4}(?:/[\u4e00-\u9fa5]{1,2})?|[A-Za-z]{1,4})?)\s*[)）]?$")
NATURE_OPERATORS = {"正向": "≥", "正向指标": "≥", "大于等于": "≥", "不低于": "≥", "不少于": "≥", "≥": "≥",
                    "反向": "≤", "反向指标": "≤", "小于等于": "≤", "不高于": "≤", "不超过": "≤", "不多于": "≤",
                    "等于": "=", "定性": "", "定性指标": "", "定量": "", "定量指标": ""}
PERCENT_UNITS = {"%", "％", "百分比", "%(百分比)", "％(百分比)", "%（百分比）", "百分率"}


@dataclass(frozen=True)
class IndicatorTable:
    rows: pd.DataFrame   # ROW_COLUMNS
    end: int             # first grid row after the body (where the footer starts)
    columns: dict        # field → 0-based column


def heading_columns(g: Grid, h: int, fields=None) -> tuple[dict, int, list[int]]:
    """Field → column for the heading at row `h`, the first body row, and the other columns whose
    heading also names a score (得分 and 自评分 side by side: the one holding numbers is used).
    ``fields`` is the (field, pattern) list (default: the project form's ``INDICATOR_FIELDS``)."""
    fields = C.INDICATOR_FIELDS if fields is None else fields
    nrows, ncols = g.shape
    has_sub = h + 1 < nrows and bool(
        ((g.top[h + 1] == h + 1) & C.match(g.norm[h + 1], C.SUBHEADING) & g.is_anchor()[h + 1]).any())
    labels = g.norm[h].copy()
    if has_sub:
        own_sub = (g.top[h + 1] == h + 1) & (g.norm[h + 1] != "")
        labels = np.where(own_sub, g.norm[h + 1], labels)
    cols: dict[str, int] = {}
    for field, pattern in fields:  # ten fields over a dozen columns
        free = [c for c in np.flatnonzero(C.match(labels, pattern)) if c not in cols.values()]
        if free:
            cols[field] = int(free[0])
    if "target_nature" in cols or "target_unit" in cols:
        if "target" in cols:
            cols["target_value"] = cols.pop("target")
    score_pattern = dict(fields)["score"]
    other_scores = [int(c) for c in np.flatnonzero(C.match(labels, score_pattern)) if c not in cols.values()]
    return cols, h + (2 if has_sub else 1), other_scores


def body_end(g: Grid, start: int, cols: dict) -> int:
    limit = max(cols.get("level2", cols.get("level1", 0)), cols.get("level1", 0))
    labels = C.match(g.norm, C.FOOTER_TOTAL) | C.match(g.norm, C.FOOTER_GRADE) | C.match(g.norm, C.TABLE_END)
    mask = g.is_anchor() & labels
    mask[:start] = False
    mask[:, limit + 1:] = False
    hits = np.flatnonzero(mask.any(axis=1))
    return int(hits[0]) if len(hits) else g.shape[0]


def _compose_targets(nature: pd.Series, value: pd.Series, unit: pd.Series) -> pd.Series:
    """指标性质 + 指标值 + 度量单位 → one target text (定性 → value only)."""
    n = nature.str.replace(r"\s+", "", regex=True)
    op = n.map(NATURE_OPERATORS).fillna(n)
    qualitative = n.str.startswith("定性")
    u = unit.str.strip()
    u = u.where(~u.isin(PERCENT_UNITS), "%")
    has_unit = np.strings.endswith(value.to_numpy(dtype=str), u.where(u != "", "\0").to_numpy(dtype=str))
    append_unit = (u != "") & ~has_unit & ~qualitative
    composed = op + value + u.where(append_unit, "")
    return composed.where(~qualitative, value).where(value != "", "")


class _Body:
    """Column access over the body rows R: text as shown (merges filled) or own text only."""

    def __init__(self, g: Grid, cols: dict, rows: np.ndarray):
        self.g, self.cols, self.R, self.n = g, cols, rows, len(rows)
        self.follower = g.vertical_follower()[rows]

    def filled(self, field: str) -> pd.Series:
        if field not in self.cols:
            return pd.Series(np.full(self.n, ""), dtype=object)
        return pd.Series(self.g.text[self.R, self.cols[field]], dtype=object).astype(str)

    def own(self, field: str) -> pd.Series:
        """Text only where the cell is not the tail of a vertical merge."""
        if field not in self.cols:
            return pd.Series(np.full(self.n, ""), dtype=object)
        c = self.cols[field]
        return pd.Series(np.where(self.follower[:, c], "", self.g.text[self.R, c]), dtype=object).astype(str)

    def follows(self, field: str) -> np.ndarray:
        return self.follower[:, self.cols[field]] if field in self.cols else np.zeros(self.n, bool)

    def rows_text(self, mask) -> str:
        return C.row_list(self.R[np.asarray(mask, bool)] + 1)


def _group_names(b: _Body) -> tuple[pd.Series, pd.Series, np.ndarray, np.ndarray]:
    """一级/二级 names: merged ranges are filled already; unmerged blanks take the name above."""
    l1_raw, l2_raw = b.filled("level1"), b.filled("level2")
    l1 = l1_raw.replace("", np.nan).ffill()
    l2 = l2_raw.replace("", np.nan).groupby((l1 != l1.shift()).cumsum()).ffill()
    blank_filled = (((l1_raw == "") & l1.notna()) | ((l2_raw == "") & l2.notna())).to_numpy()
    merged = b.follows("level1") | b.follows("level2")
    return l1, l2, blank_filled & ~merged, merged


def _dropped_rows(b: _Body, notes: list[str]) -> np.ndarray:
    """Placeholder rows (指标1, 指标2：, ……) and empty rows, noted; returns the keep mask."""
    level3 = b.own("level3")
    has_level3 = (level3 != "").to_numpy()
    others = ["target", "target_nature", "target_value", "target_unit", "actual", "points", "score", "reason"]
    others_blank = np.logical_and.reduce([C.is_blank(b.own(f).to_numpy()) for f in others])
    empty = ~has_level3 & others_blank
    names = pd.Series(b.g.norm[b.R, b.cols["level3"]], dtype=object).astype(str).where(has_level3, "")
    placeholder = C.match(names, PLACEHOLDER) & others_blank & ~empty
    keep = ~(empty | placeholder)
    last_kept = np.flatnonzero(keep)[-1] if keep.any() else -1
    inner_empty = empty & (np.arange(b.n) < last_kept)  # trailing empty rows are outside the table
    if placeholder.any():
        notes.append(f"{b.rows_text(placeholder)}为占位行（{'、'.join(dict.fromkeys(level3[placeholder]))}），已忽略")
    if inner_empty.any():
        notes.append(f"{b.rows_text(inner_empty)}为空行，已忽略")
    return keep


def _awarded_scores(b: _Body, keep: np.ndarray, points: np.ndarray, notes: list[str], other_scores: list[int]
                    ) -> np.ndarray:
    """得分 as floats (blank = not awarded = NaN). An empty 得分 column next to one that holds the
    scores (自评分) gives way to it; with no scores at all, a 得分系数 column gives 分值 × 系数."""
    g, cols = b.g, b.cols
    if "score" not in cols and not other_scores:
        notes.append("表内无得分列，各行得分为空")
        return np.full(b.n, np.nan)
    candidates = ([cols["score"]] if "score" in cols else []) + other_scores
    parsed = [C.parse_numbers(g, b.R, c, "得分", "数字，如 9.5（空白表示未评分）")[0] for c in candidates]
    filled = [int((~np.isnan(v) & keep).sum()) for v in parsed]
    best = int(np.argmax(filled))
    score = parsed[best]
    if best > 0 and filled[0] == 0:
        cols["score"] = candidates[best]  # the footer's total sits under the column that holds the scores
        notes.append(f"“{g.text[b.R[0] - 1, candidates[0]] or '得分'}”列为空，自评得分取自“{g.norm[b.R[0] - 1, candidates[best]]}”列")
    if filled[best] == 0 and "score_coefficient" in cols:
        coef = C.parse_numbers(g, b.R, cols["score_coefficient"], "得分系数", "0 到 1 之间的数字，如 0.9")[0]
        if (~np.isnan(coef) & keep).any():
            score = compare.snap(points * coef)
            notes.append("得分列为空，按 分值 × 得分系数 计算自评得分")
    return score


def _points_and_scores(b: _Body, keep: np.ndarray, notes: list[str], other_scores: list[int]
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """分值/得分 as floats (blank 得分 = not awarded = NaN); merged group scores count once."""
    g, cols = b.g, b.cols
    if "points" in cols:
        points = C.parse_numbers(g, b.R, cols["points"], "分值", "数字，如 10 或 12.5")[0]
    else:
        points = np.full(b.n, np.nan)
        notes.append("表内无分值列，各行分值为空")
    score = _awarded_scores(b, keep, points, notes, other_scores)
    points = np.where(b.follows("points"), np.nan, points)
    score = np.where(b.follows("score"), np.nan, score)
    in_name = pd.to_numeric(b.own("level3").str.extract(POINTS_IN_NAME)[0], errors="coerce").to_numpy(dtype=float)
    from_name = keep & np.isnan(points) & ~np.isnan(in_name) & ~b.follows("points")
    if from_name.any():
        points = np.where(from_name, in_name, points)
        notes.append(f"{b.rows_text(from_name)}的分值单元格为空，分值写在三级指标名称中（如“{b.own('level3')[from_name].iloc[0]}”），"
                     "已按名称中的分值读取")
    group_follower = (b.follows("points") | b.follows("score")) & keep
    if group_follower.any():
        notes.append(f"{b.rows_text(group_follower)}的分值/得分与上方行合并（按二级指标统一计分），只计首行，"
                     "这些行不计分")
    return points, score, ~group_follower


def _targets(b: _Body, keep: np.ndarray, notes: list[str]) -> tuple[pd.Series, bool]:
    """年度指标值 as shown; the split layout composed; a target written in the name extracted."""
    split = "target_nature" in b.cols or "target_unit" in b.cols
    if split:
        target = _compose_targets(b.filled("target_nature"), b.filled("target_value"), b.filled("target_unit"))
        notes.append("指标值分列为指标性质/指标值/度量单位，已合成年度指标值")
    else:
        target = b.filled("target")
    level3 = b.filled("level3")
    found = level3.str.extract(TARGET_IN_NAME)["target"]
    # only where the target parser also reads a target at the end of the name ("G20峰会保障",
    # "PM2.5浓度", "改造3号楼" are names, not targets): the reader and the scorer must agree
    in_name = parse_values(pd.Series([None] * len(level3), dtype=object), names=level3)["from_name"]
    from_name = keep & (target == "").to_numpy() & found.notna().to_numpy() & ~C.match(level3, SUB_ROW) \
        & in_name.fillna(False).to_numpy(dtype=bool)
    if from_name.any():
        extracted = found.str.replace(r"\s+", "", regex=True)
        target = target.where(~from_name, extracted)
        shown = "、".join(f"“{t}”" for t in extracted[from_name])
        notes.append(f"{b.rows_text(from_name)}的指标值写在三级指标名称中，年度指标值单元格为空，已从名称中提取（{shown}）")
    return target, split


def _sub_rows(b: _Body, keep: np.ndarray, points: np.ndarray, notes: list[str]) -> np.ndarray:
    """“其中” sub-rows: without points they do not count; with points, their total row does not.
    Returns the mask of rows that must not be counted."""
    is_sub = C.match(b.filled("level3"), SUB_ROW) & keep
    parent = np.cumsum(~is_sub)
    sub_points = pd.Series(is_sub & ~np.isnan(points)).groupby(parent).transform("any").to_numpy(bool)
    total_rows = ~is_sub & keep & sub_points & ~np.isnan(points)
    sub_no_points = is_sub & np.isnan(points)
    if total_rows.any():
        notes.append(f"{b.rows_text(total_rows)}为合计行，分值已由下方“其中”行分项列出，合计行不计分以免重复")
    if sub_no_points.any():
        notes.append(f"{b.rows_text(sub_no_points)}为“其中”子项，无分值，不计分")
    return total_rows | sub_no_points


def _subtotals(b: _Body, keep: np.ndarray, points: np.ndarray, score: np.ndarray, counted: np.ndarray,
               notes: list[str]) -> np.ndarray:
    """小计 rows: a group's subtotal, never an indicator. Their 分值 (and 得分) are checked against the
    rows above them (back to the previous 小计); a mismatch is noted as a problem. Returns the mask."""
    own = [b.own(f) for f in ("level1", "level2", "level3")]
    label = np.logical_or.reduce([C.match(o.str.replace(r"\s+", "", regex=True), C.SUBTOTAL) for o in own])
    sub = label & keep
    if not sub.any():
        return sub
    group = np.concatenate([[0], np.cumsum(sub)[:-1]])  # rows up to and including a 小计 share its number
    item = keep & ~sub & counted
    frame = pd.DataFrame({"g": group, "p": np.where(item, points, np.nan), "s": np.where(item, score, np.nan)})
    sums = frame.groupby("g")[["p", "s"]].sum(min_count=1)
    at = np.flatnonzero(sub)
    expected_p, expected_s = sums["p"].reindex(group[at]).to_numpy(), sums["s"].reindex(group[at]).to_numpy()
    bad_p = ~np.isnan(points[at]) & ~np.isclose(points[at], np.nan_to_num(expected_p, nan=np.inf))
    bad_s = ~np.isnan(score[at]) & ~np.isnan(expected_s) & ~np.isclose(score[at], expected_s)
    notes.append(f"{b.rows_text(sub)}为小计行（分组合计），不是指标，不计分")
    for i, bp, bs, ep, es in zip(at, bad_p, bad_s, expected_p, expected_s):
        if bp or bs:
            what = (f"分值 {points[i]:g} 与上方各指标分值合计 {0 if np.isnan(ep) else ep:g}" if bp else
                    f"得分 {score[i]:g} 与上方各指标得分合计 {es:g}")
            notes.append(f"问题：第{int(b.R[i]) + 1}行小计{what}不符，请核对该组指标的分值和得分")
    return sub


def _cell_notes(b: _Body, keep: np.ndarray, notes: list[str]) -> None:
    """Notes on percent and date cells read as shown, and on blank markers in the reasons."""
    g = b.g
    text_cols = [b.cols[f] for f in ("target", "target_value", "actual") if f in b.cols]
    for flags, what in ((g.percent, "的百分比格式数值按显示读为文本（如“{}”）"),
                        (g.is_date, "的指标值/完成值为日期单元格，按显示格式读为“{}”")):
        if not text_cols:
            break
        hit = np.logical_or.reduce([flags[b.R, c] for c in text_cols]) & keep
        if hit.any():
            first = b.R[hit][0]
            shown = g.text[first, next(c for c in text_cols if flags[first, c])]
            notes.append(b.rows_text(hit) + what.format(shown))
    reason = b.filled("reason")
    marker = (C.is_blank(reason) | (reason.str.strip() == "0").to_numpy()) & (reason != "").to_numpy() & keep
    if marker.any():
        notes.append(f"偏差原因列含空白标记（{'、'.join(dict.fromkeys(reason[marker]))}），按原文保留")


def _none_if_empty(s: pd.Series) -> pd.Series:
    s = s.astype(object)
    return s.where(s.notna() & (s != ""), None)


def read_indicator_rows(g: Grid, h: int, notes: list[str], heading=None) -> IndicatorTable:
    """The tidy rows of the indicator table whose heading is at row `h` (0-based); ``heading`` is
    :func:`heading_columns`'s result when the caller mapped the columns itself."""
    cols, start, other_scores = heading if heading is not None else heading_columns(g, h)
    end = body_end(g, start, cols)
    b = _Body(g, cols, np.arange(start, end))
    l1, l2, blank_filled, merged_names = _group_names(b)
    keep = _dropped_rows(b, notes)
    points, score, counted = _points_and_scores(b, keep, notes, other_scores)
    target, split = _targets(b, keep, notes)
    counted &= ~_sub_rows(b, keep, points, notes)
    keep = keep & ~_subtotals(b, keep, points, score, counted, notes)
    _cell_notes(b, keep, notes)
    if (merged_names & keep).any():
        notes.append("一级/二级指标为合并单元格，已按合并区域填充到各行")
    if (blank_filled & keep).any():
        notes.append(f"{b.rows_text(blank_filled & keep)}的一级/二级指标为空，按上方指标补齐")
    parts = {f: _none_if_empty(b.filled(f)) if split else None for f in ("target_nature", "target_value",
                                                                          "target_unit")}
    rows = pd.DataFrame({
        "level1": _none_if_empty(l1), "level2": _none_if_empty(l2), "level3": _none_if_empty(b.filled("level3")),
        "target": _none_if_empty(target), "actual": _none_if_empty(b.filled("actual")),
        "points": points, "score": score, "reason": _none_if_empty(b.filled("reason")), "counted": counted,
        **parts, "source_row": b.R + 1,
    })[ROW_COLUMNS]
    rows = rows[keep].reset_index(drop=True)
    return IndicatorTable(rows=rows.astype({"points": float, "score": float, "counted": bool, "source_row": int}),
                          end=end, columns=cols)
