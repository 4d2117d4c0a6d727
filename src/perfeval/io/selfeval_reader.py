"""Reader of the official self-evaluation form (项目支出绩效自评表, 财预〔2020〕10号 附件2).

Blocks are located by their labels, never by fixed coordinates: header (项目名称, 主管部门,
实施单位, 项目负责人, 项目编码), the money block (项目资金, in 万元 or 元), 年度总体目标, the
indicator table and the footer (总分, 评价等级). Every hazard of real published tables is
tolerated and written to ``notes``: merged cells, the 指标性质/指标值/度量单位 split, money in
元 with thousands separators, percent and date cells, blank markers, targets written in the
indicator name, placeholder and empty rows, "其中" sub-rows, one score per 二级 group, no 分值
column, a 年度资金总额 row of zeros. Anything unreadable raises
:class:`~perfeval.errors.InputError` naming file, sheet, row and column.
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Location
from . import _cells as C
from ._grid import Grid, load_grids
from ._indicators import read_indicator_rows
from ._money import MoneyReader
from .selfeval_model import SelfEvaluationForm

FORM_MARKERS = r"^(?:一级指标|二级指标|三级指标|项目名称|主管部门|实施单位|年度总体目标|全年预算数|全年执行数)(?:\(.*\))?$"


def read_self_evaluation(path) -> list[SelfEvaluationForm]:
    """Read every self-evaluation form in a file: each sheet of a workbook (.xlsx, .xls/.et, .ods), each
    table of a Word .docx or HTML page, or one .csv / tab text; the container is chosen by content
    (see ``_containers``), so an .xlsx or HTML page saved under an .xls name is read too.

    Sheets without the form's labels are skipped and noted; a file without any form, or with a
    form that cannot be read, raises InputError.
    """
    path = Path(path)
    grids, extra_notes = load_grids(path)
    from ._dept_table import dept_heading
    from .dept_reader import is_dept_form, read_dept_sheets  # department-overall forms (dept_reader imports us)

    dept = [g for g in grids if is_dept_form(g)]
    projects = [g for g in grids if g not in dept and _looks_like_form(g) and indicator_heading(g) is not None]
    if any(dept_heading(g) is not None for g in dept) or (dept and not projects):
        # department forms: read by the department reader, scored like project forms; project forms in
        # the same file (部门决算: 部门整体支出绩效自评表 + 项目支出绩效自评表) read as projects
        forms = [f.as_selfeval() for f in read_dept_sheets([g for g in grids if g not in projects], dept)]
        return forms + [_FormReader(g).read() for g in projects]
    like_forms = [g for g in grids if _looks_like_form(g)]
    with_table = [g for g in like_forms if indicator_heading(g) is not None]
    if not like_forms:
        raise InputError("文件中没有找到项目支出绩效自评表 (no self-evaluation form found)",
                         where=Location(file=path.name, sheet=grids[0].sheet, row=1, column="A"),
                         expected="含“项目名称”“一级指标/二级指标/三级指标”等标签的工作表",
                         found="工作表：" + "、".join(str(g.sheet) for g in grids))
    if not with_table:  # the form's labels but no indicator table anywhere: say where it is missing
        _FormReader(like_forms[0]).read()
    forms = [_FormReader(g).read() for g in with_table]  # one step per sheet
    taken = "、".join(f"“{g.sheet}”" for g in with_table)
    for g in grids:
        if g in with_table:
            continue
        why = "有项目名称等标签（如封面）但没有绩效指标表" if g in like_forms else "不含自评表标签"
        extra_notes.append(f"工作表“{g.sheet}”{why}，已跳过；自评表取自工作表{taken}")
    if extra_notes:
        forms = [_with_notes(f, extra_notes) for f in forms]
    return forms


def indicator_heading(grid: Grid) -> tuple[int, int] | None:
    """(row, column) of the 一级指标 label whose row also names 二级指标 or 三级指标; None if there is none."""
    label = grid.is_anchor() & C.match(grid.norm, r"^一级指标")
    other = (grid.is_anchor() & C.match(grid.norm, r"^(?:二级指标|三级指标)")).any(axis=1)
    hits = np.argwhere(label & other[:, None])
    return (int(hits[0][0]), int(hits[0][1])) if len(hits) else None


def _with_notes(form: SelfEvaluationForm, notes: list[str]) -> SelfEvaluationForm:
    return replace(form, notes=tuple(form.notes) + tuple(notes))


def _looks_like_form(grid: Grid) -> bool:
    labels = grid.norm[grid.is_anchor() & C.match(grid.norm, FORM_MARKERS)]
    return len(set(re.sub(r"\(.*", "", str(v)) for v in labels)) >= 2


class _FormReader:
    """Reads one sheet; collects what it tolerated in ``notes``."""

    def __init__(self, grid: Grid):
        self.g = grid
        self.notes: list[str] = []
        self.anchor = grid.is_anchor()
        self.last_row = 0  # last row of a recognised block, for "missing heading" errors

    # -- cell lookup ------------------------------------------------------------------------
    def find(self, pattern: str, rows: tuple[int, int] | None = None, cols: tuple[int, int] | None = None
             ) -> list[tuple[int, int]]:
        """Anchor cells whose label text matches `pattern`, row-major, within the given spans."""
        mask = self.anchor & C.match(self.g.norm, pattern)
        if rows is not None:
            mask[: rows[0]] = False
            mask[rows[1]:] = False
        if cols is not None:
            mask[:, : cols[0]] = False
            mask[:, cols[1]:] = False
        return [(int(r), int(c)) for r, c in np.argwhere(mask)]

    def right_value(self, row: int, col: int, stop_at_labels: bool = True) -> tuple[str | None, int | None]:
        """The first non-empty cell right of the (merged) label at (row, col), unless it is a label."""
        g = self.g
        for j in range(col + 1, g.shape[1]):  # a handful of columns
            if g.left[row, j] != j:  # inside a merged range (the label's own, or a value's tail)
                continue
            if not g.text[row, j]:
                continue
            if stop_at_labels and C.ALL_LABELS_RE.match(g.norm[row, j]):
                return None, None
            return g.text[row, j], j
        return None, None

    def labelled(self, pattern: str, rows: tuple[int, int]) -> str | None:
        """Value of a header field: inline ("项目名称：…") or in the cell right of the label."""
        inline = self.find(f"^(?:{pattern}):(.+)$", rows)
        if inline:
            r, c = inline[0]
            self.last_row = max(self.last_row, r)
            return re.split(r"[:：]", self.g.text[r, c], maxsplit=1)[1].strip() or None
        hits = self.find(f"^(?:{pattern})(?:\\(.*\\))?:?$", rows)
        if not hits:
            return None
        r, c = hits[0]
        self.last_row = max(self.last_row, r)
        return self.right_value(r, c)[0]

    # -- the form ---------------------------------------------------------------------------
    def read(self) -> SelfEvaluationForm:
        g = self.g
        found = indicator_heading(g)
        heading = [found] if found else []
        top_end = heading[0][0] if heading else g.shape[0]
        header = {k: self.labelled(p, (0, top_end)) for k, p in C.HEADER_LABELS.items()}
        year = self._year(top_end)
        money = MoneyReader(g, top_end, self.notes)
        money_heading = money.heading_row()
        block = money.read(self._money_unit(top_end, money_heading[0] if money_heading else None), money_heading)
        if block.end:
            self.last_row = max(self.last_row, block.end - 1)
        goal_expected, goal_actual = self._goals(block.end, top_end)
        if not heading:
            row = min(self.last_row + 1, g.shape[0] - 1)
            raise InputError("找不到绩效指标表头行 (indicator heading row not found)", where=g.where(row, 0),
                             expected="含“一级指标”“二级指标”“三级指标”“年度指标值”“实际完成值”的表头行",
                             found=g.row_text(row))
        table = read_indicator_rows(g, heading[0][0], self.notes)
        total, grade = self._footer(table.end, table.columns)
        code = header["code"]
        stem = Path(g.file).stem
        project_id = code if code else (f"{stem}:{g.sheet}" if g.sheet is not None else stem)
        return SelfEvaluationForm(
            project_id=project_id, project_name=header["project_name"], department=header["department"],
            unit=header["unit"], manager=header["manager"], year=year, money_unit=block.unit, money=block.table,
            goal_expected=goal_expected, goal_actual=goal_actual, rows=table.rows, published_total=total,
            published_grade=grade, source_file=g.file, source_sheet=g.sheet, notes=tuple(self.notes),
            money_problem=block.problem, code_given=bool(code))

    def _year(self, top_end: int) -> int | None:
        texts = self.g.norm[:top_end][self.anchor[:top_end]]
        years = pd.Series(texts, dtype=object).astype(str).str.extract(r"(\d{4})年度")[0].dropna()
        if years.empty:
            titles = pd.Series(texts, dtype=object).astype(str)
            years = titles[titles.str.contains("自评表")].str.extract(r"(\d{4})年")[0].dropna()
        return int(years.iloc[0]) if not years.empty else None

    def _money_unit(self, top_end: int, heading_row: int | None) -> str:
        top = self.g.norm[:top_end]
        short = self.anchor[:top_end] & (pd.Series(top.ravel(), dtype=object).astype(str).str.len()
                                         .to_numpy().reshape(top.shape) <= 16)
        found = {}
        for kind, pattern in (("note", r"单位:?(万元|亿元|元)\)?$"),
                              ("title", r"^(?:项目资金|资金情况|项目资金情况|资金|预算资金)\S*?\((万元|亿元|元)\)$"),
                              ("heading", r"^(?:年初|全年|调整|年度|预算|执行|实际|合计|本级|到位)\S*?\((万元|亿元|元)\)$")):
            units = pd.Series(top[short], dtype=object).astype(str).str.extract(pattern)[0].dropna()
            if not units.empty:
                found[kind] = units.iloc[0]
        if not found:
            if heading_row is not None:
                self.notes.append("表内未注明金额单位，按万元读取")
            return "万元"
        unit = found.get("note") or found.get("title") or found["heading"]
        if unit != "万元":
            self.notes.append(f"金额单位为{unit}（据表内标注），已按{unit}读取，汇总时换算为元")
        if len(set(found.values())) > 1:
            self.notes.append(f"金额单位标注不一致（{'、'.join(sorted(set(found.values())))}），按“单位”说明读为{unit}")
        return unit

    def _goals(self, start: int, top_end: int) -> tuple[str | None, str | None]:
        """年度总体目标: 预期目标 / 实际完成情况 labels with their texts below (or to the right);
        without them, the text right of the 年度总体目标 label."""
        expected = self.find(C.GOAL_EXPECTED, (start, top_end)) or self.find(C.GOAL_EXPECTED, (0, top_end))
        if expected:
            r = expected[0][0]
            actual = self.find(C.GOAL_ACTUAL, (r, r + 1)) or self.find(C.GOAL_ACTUAL, (r, top_end))
            texts = [self._text_below_or_right(*expected[0], top_end),
                     self._text_below_or_right(*actual[0], top_end) if actual else None]
            self.last_row = max(self.last_row, r + 1)
            return texts[0], texts[1]
        hits = self.find(C.GOAL_LABEL, (start, top_end)) or self.find(C.GOAL_LABEL, (0, top_end))
        if not hits:
            self.notes.append("未找到年度总体目标")
            return None, None
        r, c = hits[0]
        self.last_row = max(self.last_row, r)
        return self.right_value(r, c)[0], None

    def _text_below_or_right(self, r: int, c: int, top_end: int) -> str | None:
        g = self.g
        below = r + 1
        if below < top_end and g.top[below, c] == below and g.text[below, c] \
                and not C.ALL_LABELS_RE.match(g.norm[below, c]):
            return g.text[below, c]
        return self.right_value(r, c)[0]

    def _footer(self, start: int, columns: dict) -> tuple[float | None, str | None]:
        """总分 and 评价等级 below the indicator table (label left, value right, or "总分：96")."""
        g = self.g
        total = grade = None
        hits = self.find(C.FOOTER_TOTAL, (start, g.shape[0]))
        if hits:
            total = self._total_value(*hits[0], columns)
        hits = self.find(C.FOOTER_GRADE, (start, g.shape[0]))
        if hits:
            r, c = hits[0]
            inline = re.match(C.FOOTER_GRADE, g.norm[r, c]).group("v")
            value = inline if inline else self.right_value(r, c)[0]
            grade = None if value is None or C.is_blank([value])[0] else str(value).strip()
        return total, grade

    def _total_value(self, r: int, c: int, columns: dict) -> float | None:
        """The published total: inline, else under the 得分 column when the footer is aligned
        with the table (MOF: 分值 100 | 得分 96), else the first value right of the label."""
        g = self.g
        inline = re.match(C.FOOTER_TOTAL, g.norm[r, c]).group("v")
        if inline:
            value = pd.to_numeric(pd.Series([inline.rstrip("分")]), errors="coerce").iloc[0]
            if pd.isna(value):
                raise InputError("总分无法识别为数字 (total is not a number)", where=g.where(r, c),
                                 expected="数字", found=g.text[r, c])
            return float(value)
        score_col, points_col = columns.get("score"), columns.get("points")
        table_col = points_col if points_col is not None else score_col
        first_col = self.right_value(r, c, stop_at_labels=False)[1]
        if score_col is not None and score_col > c and first_col is not None and first_col >= table_col:
            # footer aligned with the table (MOF: 总分 | 分值 100 | 得分 96): the total is under 得分
            if not g.text[r, score_col] or g.left[r, score_col] != score_col:
                return None
            value = C.parse_numbers(g, np.array([r]), score_col, "总分", "数字，如 96.5")[0][0]
            return None if np.isnan(value) else float(value)
        text, col = self.right_value(r, c)
        if text is None:
            return None
        value = C.parse_numbers(g, np.array([r]), col, "总分", "数字，如 96.5")[0][0]
        return None if np.isnan(value) else float(value)
