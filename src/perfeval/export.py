"""Export of scorecards to Excel: summary, indicator scores, review findings and conventions.

One workbook a run, Chinese headers, column widths that fit Chinese text; cells are written with
the form writer's helpers (text such as "=0件" stays text, control characters are dropped) and the
file is saved atomically with fixed timestamps, so equal scorecards give equal bytes.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import PatternFill

from .io import _xlsx as X

FIXED_TIME = datetime(2000, 1, 1)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def _sheet(wb: Workbook, title: str, frame: pd.DataFrame, number_format=None) -> None:
    """One sheet: bold header, cells left-aligned text, or centred numbers in ``number_format(column)``
    (an Excel format, or None for a plain column)."""
    ws = wb.create_sheet(title)
    formats = [number_format(str(c)) if number_format else None for c in frame.columns]
    for j, col in enumerate(frame.columns, start=1):
        X.set_cell(ws, 1, j, str(col), font=X.FONT_BOLD).fill = HEAD_FILL
    for i, row in enumerate(frame.itertuples(index=False), start=2):  # Excel is written cell by cell
        for j, (v, fmt) in enumerate(zip(row, formats), start=1):
            value = None if v is None or (isinstance(v, float) and np.isnan(v)) else v
            X.set_cell(ws, i, j, value.item() if isinstance(value, np.generic) else value,
                       align=X.CENTER if fmt else X.LEFT, number_format=fmt)
    texts = [[str(c)] + ["" if pd.isna(v) else (f"{v:,.2f}" if fmt and isinstance(v, float) else str(v))
                         for v in frame[c].tolist()[:500]] for c, fmt in zip(frame.columns, formats)]
    X.fit_columns(ws, {j: float(min(60, max(8, int(X.display_widths(col).max()) + 2)))  # one vectorised pass a column
                       for j, col in enumerate(texts, start=1)})
    ws.freeze_panes = "A2"


def write_sheets(path, sheets: dict, number_format=None) -> Path:
    """Write frames to one .xlsx, a sheet each in the given order (header row bold and frozen,
    CJK-aware widths); atomic and byte-reproducible. ``number_format``: column header → Excel number
    format or None (see `_sheet`). Returns the path."""
    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    for title, frame in sheets.items():  # a handful of sheets
        _sheet(wb, title, frame, number_format)
    path.parent.mkdir(parents=True, exist_ok=True)
    X.save_workbook(wb, path, FIXED_TIME)
    return path


def write_scorecard_xlsx(card, path) -> Path:
    """Write the scorecard to ``path`` (.xlsx): 汇总 / 指标得分 / 复核提示 / 评分约定."""
    flags = card.flags.rename(columns={"project_id": "项目编码", "code": "代码", "severity": "级别",
                                       "row": "行号", "level3": "三级指标", "message": "说明"})
    return write_sheets(path, {
        "汇总": card.summary(), "指标得分": card.indicator_table(),
        "复核提示": flags[[c for c in ("项目编码", "代码", "级别", "行号", "三级指标", "说明") if c in flags]],
        "评分约定": pd.DataFrame({"约定 (convention)": list(card.conventions),
                              "取值 (value)": [str(v) for v in card.conventions.values()]})})
