"""The indicator table of a department-overall form (部门整体支出绩效自评表 and its score sheets).

Department forms label their indicator tables in more ways than project forms (dept-overall.md §4):
the MOF layout (一级/二级/三级指标), the 湖北 20 + 80 form without a 分值 column, the system grid
(指标名称 | 计算符号 | 指标值 | … | 权重 | 实际得分), the 重庆 form (年初/调整指标值, 得分系数(%),
指标权重(分), 指标得分(分), 是否核心指标), 江西 blocks under 分解目标 with a 自评权重 per block, and score
sheets with 评分标准/计分标准 text, 指标解释/指标说明 and 自评得分, one 分值 column per level (湖南 指标表)
or points only in the labels ("产出指标（20分）", "相关性(5分)"). This module finds the heading, maps
the columns, reads the rows with the project reader's machinery and adds the department columns:
criterion (评分标准 text verbatim), explanation, level1_points/level2_points, score_coefficient,
target_adjusted, core, and the group checks (Σ rows = the group's points) as notes.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .. import compare
from . import _cells as C
from ._grid import Grid
from ._indicators import IndicatorTable, heading_columns, read_indicator_rows

DEPT_FIELDS = [  # (field, pattern): the first free column matching decides, in this order
    ("seq", r"^序号$"),
    ("level1", r"^(?:一级指标|一级$|一级\(|分解目标)"),
    ("level1_weight", r"^自评权重"),
    ("level2", r"^(?:二级指标|二级$|二级\()"),
    ("level3", r"^(?:三级指标|三级$|三级\(|指标名称)"),
    ("unit_name", r"^(?:预算单位|单位名称|所属单位)$"),
    ("target_nature", r"^(?:指标性质|指标方向|计算符号|符号)"),
    ("target_unit", r"^(?:度量单位|计量单位|单位)$"),
    ("actual", r"^(?:全年)?(?:实际完成值|实际完成|实际值|完成值|实际完成情况)"),
    ("target_adjusted", r"^(?:调整指标值|调整后指标值|全年\(调整\)指标值)"),
    ("target", r"^(?:年度指标值|指标值|年度目标值|目标值|年度目标|预期值|年初指标值|年初目标值)"),
    ("score_coefficient", r"^(?:得分系数|得分率|评分系数)"),
    ("criterion", r"(?:评分|计分|评价|评\(扣\)分|扣分)标准|^评分(?:依据|办法|细则)|^(?:得分|计分)计算方法"),
    ("explanation", r"^(?:指标解释|指标说明)"),
    ("points", r"^(?:分值|权重|标准分|满分|指标权重|指标分值)"),
    ("score", r"^(?:得分|自评得分|自评分|实际得分|指标得分|评分$|评分\()"),
    ("core", r"^是否核心指标"),
    ("reason", r"偏差|原因|改进措施|^说明$|^备注$"),
]
_PATTERNS = dict(DEPT_FIELDS)
LEVELS = ("level1", "level2", "level3")
NAME_POINTS = re.compile(r"\s*[(（]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]\s*$")  # "产出指标（20分）" → 20
EXTRA_COLUMNS = ["criterion", "explanation", "level1_points", "level2_points", "score_coefficient",
                 "target_initial", "target_adjusted", "core", "unit_name"]


def dept_heading(g: Grid, start: int = 0) -> int | None:
    """Row of the indicator heading: a row naming the indicator (三级指标 / 指标名称 / 三级) and at least
    two more indicator fields (levels, 指标值, 完成值, 分值/权重, 得分, 评分标准 …); None if none."""
    norm = g.norm
    name = C.match(norm, _PATTERNS["level3"]) & g.is_anchor()
    others = [f for f in ("level1", "level2", "target", "actual", "points", "score", "criterion",
                          "score_coefficient", "target_nature")]
    count = np.sum([C.match(norm, _PATTERNS[f]).any(axis=1) for f in others], axis=0)
    hits = np.flatnonzero(name.any(axis=1) & (count >= 2))
    hits = hits[hits >= start]
    return int(hits[0]) if len(hits) else None


def _map_columns(g: Grid, h: int, notes: list[str]) -> tuple[dict, int, list[int], dict]:
    """heading_columns with the department fields, and the 分值 column of each level (湖南 指标表:
    一级指标 | 分值 | 二级指标 | 分值 | 三级指标 | 分值): the one after a level names that level's points."""
    cols, start, other = heading_columns(g, h, DEPT_FIELDS)
    level_points: dict[str, int] = {}
    point_cols = np.flatnonzero(C.match(g.norm[h], r"^(?:分值|权重|指标分值)(?:\(.*\))?$"))
    level_cols = sorted((cols[f], f) for f in LEVELS if f in cols)
    if len(point_cols) > 1 and level_cols:
        for pc in point_cols:
            left = [f for c, f in level_cols if c < pc]
            if left:
                level_points.setdefault(left[-1], int(pc))
        if "level3" in level_points:
            cols["points"] = level_points.pop("level3")
            notes.append("表内每级指标各有分值列，三级指标的分值为各行分值，一级/二级指标的分值用于核对")
    return cols, start, other, level_points


def _numbers(g: Grid, rows: np.ndarray, col: int | None, what: str) -> np.ndarray:
    if col is None:
        return np.full(len(rows), np.nan)
    return C.parse_numbers(g, rows, col, what, "数字，如 10")[0]


def _label_points(names: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Names without a trailing "(20分)", and the points written there (NaN where none)."""
    s = names.astype(object)
    text = s.where(s.notna(), "").astype(str)
    found = pd.to_numeric(text.str.extract(NAME_POINTS)[0], errors="coerce").to_numpy(dtype=float)
    cleaned = text.str.replace(NAME_POINTS, "", regex=True).str.strip()
    return cleaned.where(s.notna(), None), found


def _group_checks(rows: pd.DataFrame, notes: list[str]) -> None:
    """Σ of a group's row points against the group's points (label, 自评权重 or level 分值 column)."""
    for level, col in (("level1", "level1_points"), ("level2", "level2_points")):
        if rows[col].notna().sum() == 0:
            continue
        keys = [rows["level1"].fillna("")] + ([rows["level2"].fillna("")] if level == "level2" else [])
        grouped = rows.assign(_p=rows["points"].where(rows["counted"])).groupby(keys, sort=False)
        got = grouped["_p"].sum(min_count=1)
        want = grouped[col].first()
        known = grouped["_p"].apply(lambda p: p.notna().all())
        bad = want.notna() & known & ~np.isclose(got.fillna(0), want.fillna(0))
        for key in want.index[bad.to_numpy()]:
            name = key if isinstance(key, str) else "/".join(key)
            notes.append(f"问题：“{name}”的分值为 {want[key]:g}，其下各指标分值合计 {got[key]:g}，不一致，请核对")


def read_dept_rows(g: Grid, h: int, notes: list[str]) -> IndicatorTable:
    """The indicator rows under the heading at row ``h`` with the department columns added."""
    cols, start, other, level_points = _map_columns(g, h, notes)
    plain = {k: v for k, v in cols.items() if k != "score_coefficient"}  # 系数 in % is handled below
    table = read_indicator_rows(g, h, notes, heading=(plain, start, other))
    rows = table.rows.copy()
    R = rows["source_row"].to_numpy(dtype=int) - 1
    for field in ("criterion", "explanation", "core", "unit_name", "target_adjusted"):
        text = g.text[R, cols[field]] if field in cols else np.full(len(R), "")
        rows[field] = pd.Series(text, dtype=object).where(lambda s: s != "", None)
    rows["level1_points"] = _numbers(g, R, level_points.get("level1", cols.get("level1_weight")), "一级指标分值")
    rows["level2_points"] = _numbers(g, R, level_points.get("level2"), "二级指标分值")
    # unmerged forms (csv, Word) write a group's points once: they hold for the rows below in the group
    rows["level1_points"] = rows.groupby(rows["level1"].fillna(""), sort=False)["level1_points"].ffill()
    rows["level2_points"] = rows.groupby([rows["level1"].fillna(""), rows["level2"].fillna("")],
                                         sort=False)["level2_points"].ffill()
    if "level1_weight" in cols:
        notes.append("表内“自评权重”为各分解目标（一级指标）的权重，用于核对其下各指标分值之和")
    for level in LEVELS:  # points written in the labels: "产出指标（20分）", "相关性(5分)"
        cleaned, found = _label_points(rows[level])
        has = ~np.isnan(found)
        if not has.any():
            continue
        rows[level] = cleaned
        if level == "level3":
            fill = has & rows["points"].isna().to_numpy()
            rows["points"] = np.where(fill, found, rows["points"])
            if fill.any():
                notes.append(f"第{'、'.join(map(str, rows['source_row'][fill]))}行的分值写在指标名称中，已按名称读取")
        else:
            col = f"{level}_points"
            rows[col] = np.where(np.isnan(rows[col].to_numpy(dtype=float)), found, rows[col])
            notes.append(f"{'一级' if level == 'level1' else '二级'}指标的分值写在标签中（如“{rows[level][has].iloc[0]}"
                         f"（{found[has][0]:g}分）”），已读出并从名称中去掉")
    _adjusted_targets(rows, notes)
    _template_prefix(rows, notes)
    _hazard_notes(rows, notes)
    _actual_units(rows, notes)
    optional = rows["level3"].fillna("").str.contains(r"[(（]可选项?[)）]")
    if optional.any():
        notes.append(f"第{'、'.join(map(str, rows['source_row'][optional]))}行为可选项指标（名称注明“可选项”），按表内分值计分")
    _points_from_groups(rows, notes)
    _coefficients(g, R, cols, rows, notes)
    if "points" not in cols and rows["points"].isna().all():
        notes[:] = [n for n in notes if n != "表内无分值列，各行分值为空"]
        notes.append("表内没有分值列，指标分值未列出（只有满分的行可以推知分值）；不据此推算，这些行不评定等级")
    _group_checks(rows, notes)
    return IndicatorTable(rows=rows, end=table.end, columns=cols)


def _points_from_groups(rows: pd.DataFrame, notes: list[str]) -> None:
    """A group's label points given to its single row when that row has no points of its own."""
    for level in ("level2", "level1"):
        keys = [rows["level1"].fillna("")] + ([rows["level2"].fillna("")] if level == "level2" else [])
        size = rows.groupby(keys, sort=False)["level3"].transform("size").to_numpy()
        fill = (size == 1) & rows["points"].isna().to_numpy() & rows[f"{level}_points"].notna().to_numpy()
        if fill.any():
            rows["points"] = np.where(fill, rows[f"{level}_points"], rows["points"])
            notes.append(f"第{'、'.join(map(str, rows['source_row'][fill]))}行没有分值单元格，该组只有一个指标，"
                         "分值取自组标签")
    multi = rows["points"].isna() & (rows["level2_points"].notna() | rows["level1_points"].notna())
    if multi.any():
        notes.append(f"第{'、'.join(map(str, rows['source_row'][multi]))}行的分值只写在分组标签中，组内有多个指标，"
                     "各行分值无法确定（不平均分摊），这些行不评定等级")


OCR_GE = r"^2(\d{2}(?:\.\d+)?%)$"  # "≥95%" read by OCR as "295%" (dept-overall.md §4.9)
OCR_LE = r"^[QqＱ](\d+(?:\.\d+)?%?)$"  # "≤" read as "Q"
NAME_TYPOS = {"日效性指标": "时效指标"}


def _hazard_notes(rows: pd.DataFrame, notes: list[str]) -> None:
    """Hazards of scanned and typed forms, noted and left as written (never silently corrected)."""
    target = rows["target"].fillna("").astype(str).str.replace(r"\s+", "", regex=True)
    for pattern, op, what in ((OCR_GE, "≥", "“≥”被识别为“2”"), (OCR_LE, "≤", "“≤”被识别为“Q”")):
        hit = target.str.match(pattern)
        if pattern == OCR_GE:
            hit &= pd.to_numeric(target.str.rstrip("%"), errors="coerce").gt(100) & target.str.endswith("%")
        for i in np.flatnonzero(hit.to_numpy()):
            guess = op + re.match(pattern, target.iloc[i]).group(1)
            notes.append(f"第{rows['source_row'].iloc[i]}行年度指标值“{target.iloc[i]}”疑为“{guess}”（扫描件{what}），"
                         "按原文读取，请核对原表")
    total = rows.loc[rows["counted"], "points"].sum()
    glued = rows["score"].isna() & rows["points"].ge(11) & rows["points"].lt(100) & (total > 100)
    for i in np.flatnonzero(glued.to_numpy()):
        p = f"{rows['points'].iloc[i]:g}"
        notes.append(f"第{rows['source_row'].iloc[i]}行分值“{p}”而得分为空，各行分值合计 {total:g} 超过 100："
                     f"疑为分值与得分写进同一单元格（{p[:-1]} 与 {p[-1]}），按原文读取，请核对原表")
    for typo, meant in NAME_TYPOS.items():
        hit = rows["level2"].fillna("").eq(typo)
        if hit.any():
            notes.append(f"第{'、'.join(map(str, rows['source_row'][hit]))}行二级指标写作“{typo}”，应为“{meant}”，按原文保留")


def _template_prefix(rows: pd.DataFrame, notes: list[str]) -> None:
    """The MOF template's "指标1：" before the indicator's name is dropped (the name is what follows)."""
    name = rows["level3"].fillna("").astype(str)
    prefixed = name.str.match(r"^指标\d+\s*[:：]\s*\S")
    if prefixed.any():
        rows["level3"] = name.str.replace(r"^指标\d+\s*[:：]\s*", "", regex=True).where(rows["level3"].notna(), None)
        notes.append(f"三级指标名称前的模板编号（如“{name[prefixed].iloc[0]}”中的“指标N：”）已去掉")


def _actual_units(rows: pd.DataFrame, notes: list[str]) -> None:
    """A bare number under 全年完成值/实际完成值 with the unit in a 计量单位 column gets that unit, as the target does."""
    unit = rows["target_unit"].fillna("").astype(str).str.strip().replace({"％": "%", "百分比": "%"})
    actual = rows["actual"]
    bare = actual.fillna("").astype(str).str.fullmatch(r"-?\d+(?:\.\d+)?") & (unit != "")
    if bare.any():
        rows["actual"] = actual.where(~bare, actual.astype(str) + unit)
        notes.append("实际完成值为不带单位的数字，已按计量单位列补上单位（如“"
                     f"{actual[bare].iloc[0]}{unit[bare].iloc[0]}”）")


def _adjusted_targets(rows: pd.DataFrame, notes: list[str]) -> None:
    """年初指标值 vs 调整指标值 (重庆): where an adjusted target is written it is the target the year is
    judged against; the year-start target is kept in ``target_initial``."""
    rows["target_initial"] = rows["target"]
    adjusted = rows["target_adjusted"]
    has = adjusted.notna().to_numpy()
    if not has.any():
        return
    unit = rows["target_unit"].fillna("").astype(str).str.strip().replace({"％": "%"})
    shown = adjusted.astype(str)
    with_unit = np.where(has & (unit != "").to_numpy() & ~np.strings.endswith(shown.to_numpy(dtype=str),
                                                                              unit.to_numpy(dtype=str)),
                         shown + unit, shown)
    rows["target_adjusted"] = pd.Series(with_unit, index=rows.index).where(has, None)
    rows["target"] = rows["target_adjusted"].where(has, rows["target"])
    notes.append(f"第{'、'.join(map(str, rows['source_row'][has]))}行有调整指标值，按调整后的指标值评价（年初指标值另列）")


def _coefficients(g: Grid, R: np.ndarray, cols: dict, rows: pd.DataFrame, notes: list[str]) -> None:
    """得分系数 as a fraction ("得分系数(%)" or a number above 1.5 → /100); score = 分值 × 系数 checked."""
    if "score_coefficient" not in cols:
        rows["score_coefficient"] = np.nan
        return
    c = cols["score_coefficient"]
    coef = C.parse_numbers(g, R, c, "得分系数", "百分数或小数，如 80 或 0.8")[0]
    percent = "%" in g.norm[R[0] - 1 if len(R) else 0, c] or bool((coef > 1.5).any())
    coef = np.where(g.percent[R, c], coef, coef / 100.0) if percent else coef
    rows["score_coefficient"] = coef
    product = compare.snap(rows["points"].to_numpy(dtype=float) * coef)
    missing = rows["score"].isna().to_numpy() & ~np.isnan(product)
    if missing.any():
        rows["score"] = np.where(missing, product, rows["score"])
        notes.append(f"第{'、'.join(map(str, rows['source_row'][missing]))}行得分为空，按 指标权重 × 得分系数 计算")
    off = ~missing & ~np.isnan(product) & ~np.isclose(rows["score"].to_numpy(dtype=float), product, atol=0.006)
    if off.any():
        notes.append(f"问题：第{'、'.join(map(str, rows['source_row'][off]))}行的指标得分与 指标权重 × 得分系数 不符，"
                     "按表内得分读取，请核对")
