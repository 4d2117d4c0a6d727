"""The target declaration form (项目支出绩效目标申报表): reader, model and tidy frames.

A declaration (domain.md §4.1) has the header of the self-evaluation form (项目名称, 项目编码,
主管部门, 实施单位, 项目负责人), 资金情况 (年度资金总额, 其中：财政拨款, 其他资金 — values right of
their labels or below them, in 万元 or 元), the 年度总体目标 (or 总体目标 with 中期目标 / 年度目标)
and the indicator table (一级/二级/三级指标, 指标值 or 年度指标值 beside a 中期指标值, the
指标性质/指标值/度量单位 split). It is read with the self-evaluation reader's pieces (grids,
label-based blocks, the indicator table with all its hazards); an optional column of last year's
actual values (上年实际完成值, 历史值) is kept as ``history``. Anything unreadable raises
:class:`~perfeval.errors.InputError` naming file, sheet, row and column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Location
from . import _cells as C
from ._grid import Grid, load_grids
from ._indicators import heading_columns, read_indicator_rows
from .selfeval_model import MONEY_FACTORS
from .selfeval_reader import _FormReader, _looks_like_form, indicator_heading

HISTORY = r"^(?:上年(?:度)?(?:实际)?(?:完成)?值|上年实际完成情况|上年完成情况|历史值|基期值|\d{4}年(?:度)?实际(?:完成)?值)"
TOTAL_FUNDS = r"年度资金总额|年度资金|资金总额|年度总金额|项目资金总额|资金合计"
FISCAL_FUNDS = r"其中:?(?:当年)?财政(?:拨款|资金)|(?:当年)?财政拨款|财政资金"
OTHER_FUNDS = r"(?:其中:?)?其他资金|自筹资金"
MONEY_LABEL_RE = re.compile(f"^(?:{TOTAL_FUNDS}|{FISCAL_FUNDS}|{OTHER_FUNDS}|中期资金总额)(?:\\(.*\\))?:?$")
ANNUAL_GOAL = r"^(?:年度总体目标|年度绩效目标|年度目标)$"
OVERALL_GOAL = r"^总体目标$"
IRRELEVANT_NOTES = ("表内无分值列", "表内无得分列")
ROW_COLUMNS = ["project_id", "project_name", "level1", "level2", "level3", "target", "history", "source_file",
               "source_sheet", "source_row"]
HEADER_COLUMNS = ["project_id", "project_name", "department", "unit", "manager", "year", "money_unit", "funds",
                  "fiscal", "other", "goal", "reader_notes", "source_file", "source_sheet"]


@dataclass(frozen=True, eq=False, repr=False)
class Declaration:
    """One 绩效目标申报表 as written: money in 元 (NaN where the form gives none), texts as shown.

    ``rows``: level1, level2, level3, target, history (last year's actual, None if not given), source_row.
    """

    project_id: str
    project_name: str | None
    department: str | None
    unit: str | None
    manager: str | None
    year: int | None
    money_unit: str
    funds: float
    fiscal: float
    other: float
    goal: str | None
    rows: pd.DataFrame
    source_file: str
    source_sheet: str | None
    notes: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return (f"Declaration(project_id={self.project_id!r}, project_name={self.project_name!r}, "
                f"rows={len(self.rows)}, funds={self.funds!r}, notes={len(self.notes)})")

    def _repr_html_(self) -> str:
        from ..display import table_html, wan_text

        head = (f"<b>绩效目标申报表</b> {escape(self.project_name or '')}（{escape(str(self.project_id))}）<br>"
                f"主管部门：{escape(self.department or '')}；年度资金总额：{escape(wan_text(self.funds))}<br>"
                f"年度总体目标：{escape(self.goal or '（未填写）')}")
        rows = self.rows.rename(columns={"level1": "一级指标", "level2": "二级指标", "level3": "三级指标",
                                         "target": "指标值", "history": "上年实际完成值", "source_row": "行号"})
        return head + table_html(rows)


def read_declarations(path) -> list[Declaration]:
    """Every target declaration in a form file: each sheet of a workbook (.xlsx, .xls/.et, .ods), each
    table of a Word .docx or HTML page, or one .csv (see ``_containers``).

    Sheets without the form's labels are skipped and noted; a file without any declaration raises
    InputError naming what it found.
    """
    path = Path(path)
    grids, notes = load_grids(path)
    taken = [g for g in grids if _looks_like_form(g)]
    if not taken:
        raise InputError("文件中没有找到绩效目标申报表 (no target declaration found)",
                         where=Location(file=path.name, sheet=grids[0].sheet, row=1, column="A"),
                         expected="含“项目名称”“一级指标/二级指标/三级指标”等标签的工作表",
                         found="工作表：" + "、".join(str(g.sheet) for g in grids))
    for g in grids:
        if g not in taken:
            notes.append(f"工作表“{g.sheet}”不含申报表标签，已跳过")
    return [_DeclarationReader(g, notes).read() for g in taken]  # one step per sheet


class _DeclarationReader(_FormReader):
    """Reads one sheet with the self-evaluation reader's label lookups."""

    def __init__(self, grid: Grid, extra_notes: list[str]):
        super().__init__(grid)
        self.extra = list(extra_notes)

    def read(self) -> Declaration:
        g = self.g
        found = indicator_heading(g)
        if found is None:
            raise InputError("找不到绩效指标表头行 (indicator heading row not found)", where=g.where(0, 0),
                             expected="含“一级指标”“二级指标”“三级指标”“指标值”的表头行",
                             found=g.row_text(min(1, g.shape[0] - 1)))
        h = found[0]
        header = {k: self.labelled(p, (0, h)) for k, p in C.HEADER_LABELS.items()}
        unit = self._money_unit(h, None)
        factor = MONEY_FACTORS[unit]
        total, col = self._amount(TOTAL_FUNDS, h, None)
        fiscal, _ = self._amount(FISCAL_FUNDS, h, col)
        other, _ = self._amount(OTHER_FUNDS, h, col)
        if np.isnan(total):
            self.notes.append("未找到年度资金总额")
        table = read_indicator_rows(g, h, self.notes)
        rows = table.rows[["level1", "level2", "level3", "target", "source_row"]].copy()
        rows.insert(4, "history", self._history(h, table))
        code = header["code"]
        stem = Path(g.file).stem
        notes = [n for n in self.notes if not n.startswith(IRRELEVANT_NOTES)] + self.extra
        return Declaration(
            project_id=code if code else (f"{stem}:{g.sheet}" if g.sheet is not None else stem),
            project_name=header["project_name"], department=header["department"], unit=header["unit"],
            manager=header["manager"], year=self._year(h), money_unit=unit, funds=total * factor,
            fiscal=fiscal * factor, other=other * factor, goal=self._goal(h), rows=rows, source_file=g.file,
            source_sheet=g.sheet, notes=tuple(notes))

    def _amount(self, pattern: str, top_end: int, near_col: int | None) -> tuple[float, int | None]:
        """The amount beside (or below) a money label; the one in ``near_col``'s column when there are several."""
        g = self.g
        hits = self.find(f"^(?:{pattern})(?:\\(.*\\))?:?$", (0, top_end))
        if not hits:
            return np.nan, None
        if near_col is not None and len(hits) > 1:
            hits = sorted(hits, key=lambda rc: abs(rc[1] - near_col))
        r, c = hits[0]
        text, col = self.right_value(r, c)
        if text is not None and _is_label(g.norm[r, col]):  # the next money label, not an amount
            text, col = None, None
        row = r
        if text is None and r + 1 < top_end and g.text[r + 1, c] and not _is_label(g.norm[r + 1, c]):
            row, col = r + 1, c
        if col is None:  # a blank amount (or a formula with no cached value): NaN, the review reports it
            return np.nan, c
        value = C.parse_numbers(g, np.array([row]), col, "资金金额", "数字，如 505.80")[0][0]
        return float(value), c

    def _goal(self, top_end: int) -> str | None:
        """年度总体目标 (or 年度目标 under 总体目标): the text right of the label, else below it."""
        g = self.g
        for pattern in (ANNUAL_GOAL, OVERALL_GOAL):
            hits = self.find(pattern, (0, top_end))
            if not hits:
                continue
            r, c = hits[0]
            text, _ = self.right_value(r, c)
            if text is None and r + 1 < top_end and g.text[r + 1, c] \
                    and not C.ALL_LABELS_RE.match(g.norm[r + 1, c]):
                text = g.text[r + 1, c]
            if text is not None and not C.is_blank([text])[0]:
                return str(text).strip()
        return None

    def _history(self, h: int, table) -> pd.Series:
        """Last year's actual values: a 上年实际完成值 column, else an 实际完成值 column (noted)."""
        g = self.g
        labels = g.norm[h].copy()
        if heading_columns(g, h)[1] == h + 2:  # a second heading row (指标性质/指标值/度量单位 …) names columns too
            labels = np.where((g.top[h + 1] == h + 1) & (g.norm[h + 1] != ""), g.norm[h + 1], labels)
        hits = np.flatnonzero(C.match(labels, HISTORY))
        rows = table.rows["source_row"].to_numpy(dtype=int) - 1
        if len(hits):
            text = pd.Series(g.text[rows, int(hits[0])], dtype=object)
        elif "actual" in table.columns:
            text = table.rows["actual"].astype(object).reset_index(drop=True)
            if text.notna().any():
                self.notes.append("申报表中的“实际完成值”列按上年实际完成值读取")
        else:
            return pd.Series([None] * len(rows), dtype=object)
        text = text.where(text.notna() & (text.astype(str).str.strip() != ""), None)
        blank = C.is_blank(text.fillna("").to_numpy())
        return text.where(~blank, None).reset_index(drop=True)


def _is_label(norm_text: str) -> bool:
    """A form label (the money labels 其中：财政拨款 / 其他资金 included), never an amount."""
    return bool(C.ALL_LABELS_RE.match(norm_text) or MONEY_LABEL_RE.match(norm_text))


def declarations_to_frames(declarations) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows, header): one row per declared indicator and one row per declaration (money in 元)."""
    decls = [declarations] if isinstance(declarations, Declaration) else list(declarations)
    rows = [d.rows.assign(project_id=d.project_id, project_name=d.project_name, source_file=d.source_file,
                          source_sheet=d.source_sheet) for d in decls]
    rows = (pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=ROW_COLUMNS))[ROW_COLUMNS]
    header = pd.DataFrame([{"project_id": d.project_id, "project_name": d.project_name, "department": d.department,
                            "unit": d.unit, "manager": d.manager, "year": d.year, "money_unit": d.money_unit,
                            "funds": d.funds, "fiscal": d.fiscal, "other": d.other, "goal": d.goal,
                            "reader_notes": "\n".join(d.notes), "source_file": d.source_file,
                            "source_sheet": d.source_sheet} for d in decls], columns=HEADER_COLUMNS)
    return rows.reset_index(drop=True), header


__all__ = ["Declaration", "declarations_to_frames", "read_declarations", "HEADER_COLUMNS", "ROW_COLUMNS"]
