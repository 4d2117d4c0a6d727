"""Export of scorecards and every perfeval workbook to Excel: one shared sheet writer.

Every workbook a clerk opens has the same furniture: a title row, a line with the unit (单位：万元) and the date,
a bold header row frozen below them, and print setup (A4 landscape, fit to one page wide, the header repeated
on every page). Numbers are stored as numbers with number formats — ``#,##0.00`` for 万元, ``0%``/``0.0%`` for
shares, ``0`` for counts — so SUM works; a column whose header says 万元 / % / 率 / 比例 / （个） but that was
given as display text ("6,177.00", "+10%") is read back into numbers (a text such as "未申报" or "—" in it stays
text). Cells are written with the form writer's helpers (text such as "=0件" stays text, control characters are
dropped) and the file is saved atomically with fixed timestamps, so equal frames give equal bytes.
"""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from .io import _xlsx as X

FIXED_TIME = datetime(2000, 1, 1)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
MONEY_FORMAT = "#,##0.00"
SHARE_FORMAT = "0.0%"
SIGNED_SHARE_FORMAT = "+0%;-0%;0%"
COUNT_FORMAT = "0"
HEADER_ROW = 3  # row 1 the title, row 2 the unit and the date
FONT_TITLE = Font(name=X.FONT_NAME, size=14, bold=True)
_MONEY = re.compile(r"[（(]\s*(万元|元)\s*[）)]|金额|预算数|执行数")
_SHARE = re.compile(r"[（(]\s*%\s*[）)]|%$|比例|占比|率$")
_COUNT = re.compile(r"[（(]\s*(个|项|件|人|次)\s*[）)]|个数$|项目数$")


def column_kind(header: str) -> str | None:
    """``money`` / ``share`` / ``count`` from a column header (its unit or its name), else None."""
    h = str(header)
    return "money" if _MONEY.search(h) else "share" if _SHARE.search(h) else "count" if _COUNT.search(h) else None


def _numbers(values: pd.Series, kind: str) -> tuple[pd.Series, bool]:
    """(values with display texts of numbers read back into numbers, whether any is signed); texts that are not
    numbers ("—", "未申报") are kept as they are."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return values, False
    values = values.astype(object)
    text = values.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)).astype(object)
    text = text.str.strip().str.replace(",", "", regex=False).str.replace("，", "", regex=False)
    pct = text.str.endswith("%").to_numpy(dtype=bool)
    number = pd.to_numeric(text.str.rstrip("%").str.lstrip("+"), errors="coerce").astype(float)
    number = number.where(~pct, number / 100.0)
    if kind == "money":
        number = number.round(2)
    ok = number.notna() & values.map(lambda v: isinstance(v, (str, int, float)) and not isinstance(v, bool))
    signed = bool(text[ok].str.startswith(("+", "-")).any()) if kind == "share" else False
    values = values.where(~ok, number.astype(object))
    return values.where(text.ne("").to_numpy(), None), signed


def _formats(frame: pd.DataFrame, number_format) -> tuple[pd.DataFrame, list]:
    """The frame with numbers as numbers and each column's Excel format (None: text)."""
    out, formats = frame.astype(object), []
    for c in frame.columns:  # a dozen columns
        own = number_format(str(c)) if number_format else None
        kind = column_kind(c)
        if own:
            formats.append(own)
            continue
        if kind is None:
            formats.append(None)
            continue
        values, signed = _numbers(frame[c], kind)
        out[c] = values
        numeric = values.map(lambda v: isinstance(v, (int, float, np.number)) and not isinstance(v, bool))
        if not numeric.any():
            formats.append(None)
        elif kind == "money":
            formats.append(MONEY_FORMAT)
        elif kind == "share":  # a fraction (0.93); a column of percent points (93.0) keeps its plain numbers
            fractions = pd.to_numeric(values[numeric], errors="coerce").abs().max() <= 1.5
            formats.append((SIGNED_SHARE_FORMAT if signed else SHARE_FORMAT) if fractions else None)
        else:
            formats.append(COUNT_FORMAT)
    return out, formats


def _unit(frame: pd.DataFrame, unit) -> str | None:
    if unit is not None:
        return unit or None
    return "万元" if any("万元" in str(c) for c in frame.columns) else None


def _sheet(wb: Workbook, name: str, frame: pd.DataFrame, number_format=None, *, title=None, unit=None,
           date=None) -> None:
    """One sheet: title row, unit/date row, bold frozen header, numbers as numbers in their formats (centred),
    texts left-aligned; A4 landscape, fit to width, header repeated."""
    ws = wb.create_sheet(name)
    frame, formats = _formats(frame, number_format)
    width = max(1, len(frame.columns))
    X.set_cell(ws, 1, 1, f"{title}—{name}" if title and title != name else name, font=FONT_TITLE, border=False)
    X.merge(ws, 1, 1, 1, width)
    ws.row_dimensions[1].height = 26
    line = "　　".join(t for t in (f"单位：{_unit(frame, unit)}" if _unit(frame, unit) else "",
                                  f"日期：{date}" if date else "") if t)
    if line:
        X.set_cell(ws, 2, 1, line, align=X.LEFT, border=False)
        X.merge(ws, 2, 1, 2, width)
    for j, col in enumerate(frame.columns, start=1):
        X.set_cell(ws, HEADER_ROW, j, str(col), font=X.FONT_BOLD).fill = HEAD_FILL
    for i, row in enumerate(frame.itertuples(index=False), start=HEADER_ROW + 1):  # Excel is written cell by cell
        for j, (v, fmt) in enumerate(zip(row, formats), start=1):
            value = None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else v
            number = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
            X.set_cell(ws, i, j, value.item() if isinstance(value, np.generic) else value,
                       align=X.CENTER if fmt and number else X.LEFT, number_format=fmt if number else None)
    texts = [[str(c)] + ["" if pd.isna(v) else (f"{v:,.2f}" if fmt and isinstance(v, float) else str(v))
                         for v in frame[c].tolist()[:500]] for c, fmt in zip(frame.columns, formats)]
    X.fit_columns(ws, {j: float(min(60, max(8, int(X.display_widths(col).max()) + 2)))  # one vectorised pass a column
                       for j, col in enumerate(texts, start=1)})
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    X.print_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}")


def write_sheets(path, sheets: dict, number_format=None, *, title: str | None = None, unit: str | None = None,
                 date: str | None = None) -> Path:
    """Write frames to one .xlsx, a sheet each in the given order; atomic and byte-reproducible.

    Each sheet: row 1 ``title—sheet name``, row 2 ``单位：… 日期：…`` (the unit is 万元 when a header says so,
    ``unit=""`` for none; the date only when given — a date from the data or the settings, never today's),
    row 3 the header (bold, frozen), numbers as numbers (see `column_kind`); ``number_format``: column header →
    Excel number format or None, overriding the header's reading. Returns the path."""
    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in sheets.items():  # a handful of sheets
        _sheet(wb, name, frame, number_format, title=title, unit=unit, date=date)
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
        "评分约定": pd.DataFrame({"约定": list(card.conventions),
                              "取值": [str(v) for v in card.conventions.values()]})}, title="绩效自评评分结果")


def workbook_problems(path) -> list[str]:
    """What a clerk would trip over in a workbook perfeval wrote, in Chinese (empty: none): a sheet without a
    title row above its header, or a column whose header says 万元 / % / 率 / 比例 / （个） holding numbers as text
    ("6,177.00", "10%": SUM gives 0)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    found = []
    try:
        for ws in wb.worksheets:  # a handful of sheets
            rows = list(ws.iter_rows(min_row=1, max_row=ws.max_row or 1, values_only=True))
            head_at = next((i for i, r in enumerate(rows[:10]) if sum(v is not None for v in r) >= 2), None)
            if head_at is None:
                continue
            if head_at == 0 or rows[0][0] in (None, ""):
                found.append(f"{Path(path).name}（{ws.title}）：表头之上没有标题行")
            head = rows[head_at]
            frame = pd.DataFrame(rows[head_at + 1:], columns=range(len(head)))
            for j, h in enumerate(head):  # a dozen columns
                if h is None or column_kind(h) is None:
                    continue
                values = frame[j].dropna()
                text = values[values.map(lambda v: isinstance(v, str))].astype(str).astype(object)
                text = text.str.replace(",", "").str.rstrip("%")
                as_text = pd.to_numeric(text.str.lstrip("+"), errors="coerce").notna()
                if as_text.any():
                    found.append(f"{Path(path).name}（{ws.title}）“{h}”列有 {int(as_text.sum())} 个数字以文本存储，"
                                 f"如“{values[as_text.index[as_text]].iloc[0]}”")
    finally:
        wb.close()
    return found
