""".xls (Excel 97-2003, BIFF), WPS .et and .xlsb workbooks read with python-calamine into Grids.

calamine gives each sheet's values (numbers, text, dates as ``datetime``, booleans) and its merged
ranges, but not the cells' number formats. So a number is rendered plainly: ``0.9847`` shown in
Excel as ``98.47%`` reads ``0.9847`` here, ``1215457.6`` shown as ``1,215,457.60`` reads
``1215457.6``; dates are rendered ``yyyy-mm-dd``. The money block's 执行率 is still read right (a
fraction stays a fraction), and a sheet with fractional numbers gets a note asking to check
indicator values that Excel may show as percentages.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import python_calamine as pc

from ...errors import InputError, Location
from .._grid import Grid, _make_grid

FORMAT_NOTE = ("工作表“{}”所在的工作簿格式（.xls/.et/.xlsb）不提供单元格的数字格式，数值按原值读取（如 0.95 不显示为 95%）；"
               "请核对以百分比显示的指标值/完成值")


def _open(path: Path):
    try:
        return pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError:
        raise InputError("工作簿设置了打开密码（已加密），无法读取 (encrypted workbook)", where=Location(file=path.name),
                         expected="在 Excel/WPS 中输入密码打开，取消密码后重新保存再提交") from None
    except Exception as exc:  # calamine raises CalamineError, ValueError, … on damaged BIFF
        text = str(exc)
        if "password" in text.lower() or "encrypt" in text.lower():
            raise InputError("工作簿设置了打开密码（已加密），无法读取 (encrypted workbook)",
                             where=Location(file=path.name),
                             expected="在 Excel/WPS 中输入密码打开，取消密码后重新保存再提交") from None
        raise InputError("文件已损坏或不是可读的 Excel 97-2003 工作簿，无法打开 (cannot open workbook)",
                         where=Location(file=path.name), expected="在 Excel/WPS 中打开后另存为 .xlsx 再提交",
                         found=f"{type(exc).__name__}: {text[:200]}") from None


def _sheet_grid(sheet, name: str) -> tuple[Grid, bool]:
    rows = sheet.to_python(skip_empty_area=False)  # from A1: positions are the sheet's own
    raw = pd.DataFrame(rows or [[None]], dtype=object).to_numpy(dtype=object)  # short rows padded
    flat = pd.Series(raw.ravel(), dtype=object)
    flat = flat.map(lambda v: None if (isinstance(v, str) and v == "") or v is None
                    else (dt.datetime(1899, 12, 30) + v) if isinstance(v, dt.timedelta) else v)
    raw = np.array(flat.to_numpy(dtype=object)).reshape(raw.shape)  # a writable copy
    nrows, ncols = raw.shape
    top = np.repeat(np.arange(nrows)[:, None], ncols, axis=1)
    left = np.repeat(np.arange(ncols)[None, :], nrows, axis=0)
    fmt = np.full(raw.shape, "General", dtype=object)
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:  # one step per merged range
        if r0 >= nrows or c0 >= ncols:
            continue
        raw[r0:r1 + 1, c0:c1 + 1] = raw[r0, c0]
        top[r0:r1 + 1, c0:c1 + 1] = r0
        left[r0:r1 + 1, c0:c1 + 1] = c0
    numbers = flat.map(lambda v: isinstance(v, float) and 0 < abs(v) <= 1.5 and v != round(v))
    return _make_grid(raw, fmt, top, left, name, sheet.name), bool(numbers.any())


def load_xls_grids(path: Path) -> tuple[list[Grid], list[str]]:
    """Every worksheet of an .xls/.et workbook as a merge-filled Grid, and notes on what is not known."""
    wb = _open(path)
    grids, notes = [], []
    try:
        for name in wb.sheet_names:  # a handful of sheets
            grid, fractions = _sheet_grid(wb.get_sheet_by_name(name), path.name)
            grids.append(grid)
            if fractions:
                notes.append(FORMAT_NOTE.format(name))
    except InputError:
        raise
    except Exception as exc:
        raise InputError("工作表无法读取，文件可能已损坏 (cannot read sheet)", where=Location(file=path.name),
                         expected="在 Excel/WPS 中打开后另存为 .xlsx 再提交",
                         found=f"{type(exc).__name__}: {str(exc)[:200]}") from None
    if not grids:
        raise InputError("工作簿中没有工作表 (no sheets)", where=Location(file=path.name),
                         expected="含自评表的工作簿")
    return grids, notes
