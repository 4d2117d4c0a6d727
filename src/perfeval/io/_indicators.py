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

from . import _cells as C
from ._grid import Grid
from .selfeval_model import ROW_COLUMNS

PLACEHOLDER = r"^(?:指标\d*:?|(?:指标)?…+|\.{2,}|—+|-+|/)$"
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


def heading_columns(g: Grid, h: int) -> tuple[dict, int]:
    """Field → column for the heading at row `h`, and the first body row."""
    nrows, ncols = g.shape
    has_sub = h + 1 < nrows and bool(
        ((g.top[h + 1] == h + 1) & C.match(g.norm[h + 1], C.SUBHEADING) & g.is_anchor()[h + 1]).any())
    labels = g.norm[h].copy()
    if has_sub:
        own_sub = (g.top[h + 1] == h + 1) & (g.norm[h + 1] != "")
        labels = np.where(own_sub, g.norm[h + 1], labels)
    cols: dict[str, int] = {}
    for field, pattern in C.INDICATOR_FIELDS:  # ten fields over a dozen columns
        free = [c for c in np.flatnonzero(C.match(labels, pattern)) if c not in cols.values()]
        if free:
            cols[field] = int(free[0])
    if "target_nature" in cols or "target_unit" in cols:
        if "target" in cols:
            cols["target_value"] = cols.pop("target")
    return cols, h + (2 if has_sub else 1)


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


def read_indicator_rows(g: Grid, h: int, notes: list[str]) -> IndicatorTable:
    cols, start = heading_columns(g, h)
    end = body_end(g, start, cols)
    R = np.arange(start, end)
    follower = g.vertical_follower()
    n = len(R)

    def filled(field):
        return pd.Series(g.text[R, cols[field]] if field in cols else np.full(n, ""), dtype=object).astype(str)

    def own(field):
        if field not in cols:
            return pd.Series(np.full(n, ""), dtype=object)
        c = cols[field]
        return pd.Series(np.where(follower[R, c], "", g.text[R, c]), dtype=object).astype(str)

    # 一级/二级 names: merged ranges are already filled; unmerged blanks take the name above
    l1_raw, l2_raw = filled("level1"), filled("level2")
    l1 = l1_raw.replace("", np.nan).ffill()
    group = (l1 != l1.shift()).cumsum()
    l2 = l2_raw.replace("", np.nan).groupby(group).ffill()
    filled_blank = ((l1_raw == "") & l1.notna()) | ((l2_raw == "") & l2.notna())
    merged_names = pd.Series(np.zeros(n, bool))
    for field in ("level1", "level2"):
        if field in cols:
            merged_names |= follower[R, cols[field]]

    level3_own = own("level3")
    has_level3 = (level3_own != "").to_numpy()
    others = ["target", "target_nature", "target_value", "target_unit", "actual", "points", "score", "reason"]
    others_blank = np.logical_and.reduce([C.is_blank(own(f).to_numpy()) for f in others])
    empty_row = ~has_level3 & others_blank
    l3_norm = pd.Series(g.norm[R, cols["level3"]], dtype=object).astype(str)
    placeholder = C.match(l3_norm.where(has_level3, ""), PLACEHOLDER) & others_blank & ~empty_row
    kept_rows = np.flatnonzero(~(empty_row | placeholder))
    last_kept = kept_rows[-1] if len(kept_rows) else -1
    inner_empty = empty_row & (np.arange(n) < last_kept)
    if placeholder.any():
        names = "、".join(dict.fromkeys(level3_own[placeholder]))
        notes.append(f"{C.row_list(R[placeholder] + 1)}为占位行（{names}），已忽略")
    if inner_empty.any():
        notes.append(f"{C.row_list(R[inner_empty] + 1)}为空行，已忽略")

    keep = ~(empty_row | placeholder)
    if "points" in cols:
        points = C.parse_numbers(g, R, cols["points"], "分值", "数字，如 10 或 12.5")[0]
    else:
        points = np.full(n, np.nan)
        notes.append("表内无分值列，各行分值为空")
    if "score" in cols:
        score = C.parse_numbers(g, R, cols["score"], "得分", "数字，如 9.5（空白表示未评分）")[0]
    else:
        score = np.full(n, np.nan)
        notes.append("表内无得分列，各行得分为空")
    pts_follow = follower[R, cols["points"]] if "points" in cols else np.zeros(n, bool)
    score_follow = follower[R, cols["score"]] if "score" in cols else np.zeros(n, bool)
    points = np.where(pts_follow, np.nan, points)
    score = np.where(score_follow, np.nan, score)
    group_follower = (pts_follow | score_follow) & keep
    counted = ~group_follower
    if group_follower.any():
        notes.append(f"{C.row_list(R[group_follower] + 1)}的分值/得分与上方行合并（按二级指标统一计分），"
                     "只计首行，这些行不计分")

    # targets: split layout composed; otherwise the target cell as shown
    split = "target_nature" in cols or "target_unit" in cols
    nature, value, unit = filled("target_nature"), filled("target_value"), filled("target_unit")
    target = _compose_targets(nature, value, unit) if split else filled("target")
    if split:
        notes.append("指标值分列为指标性质/指标值/度量单位，已合成年度指标值")
    level3 = filled("level3")
    name_match = level3.str.extract(TARGET_IN_NAME)
    from_name = keep & (target == "").to_numpy() & name_match["target"].notna().to_numpy()
    from_name &= ~C.match(level3.to_numpy(), SUB_ROW)
    if from_name.any():
        extracted = name_match["target"].str.replace(r"\s+", "", regex=True)
        target = target.where(~from_name, extracted)
        shown = "、".join(f"“{t}”" for t in extracted[from_name])
        notes.append(f"{C.row_list(R[from_name] + 1)}的指标值写在三级指标名称中，年度指标值单元格为空，"
                     f"已从名称中提取（{shown}）")

    # "其中" sub-rows: without points they do not count; with points, their total row does not
    is_sub = C.match(level3.to_numpy(), SUB_ROW) & keep
    parent = np.cumsum(~is_sub)
    sub_points = pd.Series(is_sub & ~np.isnan(points)).groupby(parent).transform("any").to_numpy(bool)
    total_rows = ~is_sub & keep & sub_points & ~np.isnan(points)
    sub_no_points = is_sub & np.isnan(points)
    counted &= ~total_rows & ~sub_no_points
    if total_rows.any():
        notes.append(f"{C.row_list(R[total_rows] + 1)}为合计行，分值已由下方“其中”行分项列出，合计行不计分以免重复")
    if sub_no_points.any():
        notes.append(f"{C.row_list(R[sub_no_points] + 1)}为“其中”子项，无分值，不计分")

    text_cols = [cols[f] for f in ("target", "target_value", "actual") if f in cols]
    if text_cols:
        pct = np.logical_or.reduce([g.percent[R, c] for c in text_cols]) & keep
        dates = np.logical_or.reduce([g.is_date[R, c] for c in text_cols]) & keep
        if pct.any():
            notes.append(f"{C.row_list(R[pct] + 1)}的百分比格式数值按显示读为文本（如“"
                         f"{g.text[R[pct][0], [c for c in text_cols if g.percent[R[pct][0], c]][0]]}”）")
        if dates.any():
            first = R[dates][0]
            shown = g.text[first, [c for c in text_cols if g.is_date[first, c]][0]]
            notes.append(f"{C.row_list(R[dates] + 1)}的指标值/完成值为日期单元格，按显示格式读为“{shown}”")
    if (merged_names & keep).any():
        notes.append("一级/二级指标为合并单元格，已按合并区域填充到各行")
    if (filled_blank.to_numpy() & keep & ~merged_names.to_numpy()).any():
        rows_filled = R[filled_blank.to_numpy() & keep & ~merged_names.to_numpy()] + 1
        notes.append(f"{C.row_list(rows_filled)}的一级/二级指标为空，按上方指标补齐")
    reason = filled("reason")
    marker = (C.is_blank(reason.to_numpy()) | (reason.str.strip() == "0").to_numpy()) & (reason != "").to_numpy() & keep
    if marker.any():
        shown = "、".join(dict.fromkeys(reason[marker]))
        notes.append(f"偏差原因列含空白标记（{shown}），按原文保留")

    def none_if_empty(s: pd.Series) -> pd.Series:
        s = s.astype(object)
        return s.where(s.notna() & (s != ""), None)

    rows = pd.DataFrame({
        "level1": none_if_empty(l1), "level2": none_if_empty(l2), "level3": none_if_empty(level3),
        "target": none_if_empty(target), "actual": none_if_empty(filled("actual")),
        "points": points, "score": score, "reason": none_if_empty(reason), "counted": counted,
        "target_nature": none_if_empty(nature) if split else None,
        "target_value": none_if_empty(value) if split else None,
        "target_unit": none_if_empty(unit) if split else None,
        "source_row": R + 1,
    })[ROW_COLUMNS]
    rows = rows[keep].reset_index(drop=True)
    rows["points"] = rows["points"].astype(float)
    rows["score"] = rows["score"].astype(float)
    rows["counted"] = rows["counted"].astype(bool)
    rows["source_row"] = rows["source_row"].astype(int)
    return IndicatorTable(rows=rows, end=end, columns=cols)
