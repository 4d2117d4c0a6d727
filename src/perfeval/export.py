"""Export of scorecards to Excel: summary, indicator scores, review findings and conventions.

One workbook a run, Chinese headers, column widths that fit Chinese text, written atomically.
"""
from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .textable import display_width

FIXED_TIME = datetime(2000, 1, 1)  # docProps timestamps fixed so equal inputs give equal bytes


def _sheet(wb: Workbook, title: str, frame: pd.DataFrame) -> None:
    ws = wb.create_sheet(title)
    ws.append([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and pd.isna(v)) else v for v in row])
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = head_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for j, col in enumerate(frame.columns, start=1):
        values = [str(col)] + ["" if pd.isna(v) else str(v) for v in frame.iloc[:, j - 1].tolist()[:500]]
        width = min(60, max(display_width(v) for v in values) + 2)
        ws.column_dimensions[get_column_letter(j)].width = max(8, width)
    ws.freeze_panes = "A2"


def write_scorecard_xlsx(card, path) -> Path:
    """Write the scorecard to ``path`` (.xlsx): 汇总 / 指标得分 / 复核提示 / 评分约定."""
    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "汇总", card.summary())
    _sheet(wb, "指标得分", card.indicator_table())
    flags = card.flags.rename(columns={"project_id": "项目编码", "code": "代码", "severity": "级别",
                                       "row": "行号", "level3": "三级指标", "message": "说明"})
    _sheet(wb, "复核提示", flags[[c for c in ("项目编码", "代码", "级别", "行号", "三级指标", "说明") if c in flags]])
    conv = pd.DataFrame({"约定 (convention)": list(card.conventions), "取值 (value)":
                         [str(v) for v in card.conventions.values()]})
    _sheet(wb, "评分约定", conv)
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "perfeval"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path
