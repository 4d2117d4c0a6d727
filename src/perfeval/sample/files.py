"""The files of the sample city, and numbers as text: what the generator (`generate`) and its extras (the
in-year monitoring of `monitoring`, next year's requests of `next_year`) all write with.

A small module both sides import, so that no module of the package imports one that imports it back.
Every file is written byte-reproducibly: CSVs in UTF-8 with BOM, fixed float format; workbooks with a
fixed timestamp.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..io import _xlsx as X
from . import story as S

FLOAT_FORMAT = "%.12g"
XLSX_STAMP = pd.Timestamp(f"{S.YEAR + 1}-03-31").to_pydatetime()


def step_decimals(step: np.ndarray) -> np.ndarray:
    """How many decimals a value on a grid of ``step`` needs (0 to 3)."""
    step = np.asarray(step, dtype=float)
    return np.clip(np.ceil(-np.log10(step) - 1e-9), 0, 3).astype(int)


def number_text(values: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """Numbers as text with the given decimals, trailing zeros of the fraction dropped."""
    values = np.asarray(values, dtype=float)
    out = np.empty(len(values), dtype=object)
    for d in np.unique(decimals):  # three or four distinct precisions
        sel = decimals == d
        out[sel] = np.char.mod(f"%.{d}f", values[sel])
    text = pd.Series(out, dtype=object).str.replace(r"(\.\d*?)0+$", r"\1", regex=True).str.replace(r"\.$", "",
                                                                                                  regex=True)
    return text.to_numpy(dtype=object)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with BOM (Excel opens it), '\\n' line ends, fixed float format; atomic."""
    text = frame.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    X.atomic_write(path, ("\ufeff" + text).encode("utf-8"))


def write_declaration(path: Path, project: pd.Series, rows: pd.DataFrame, goal: str | None, *,
                      year: int = S.YEAR, funds: float | None = None, other: float = 0.0) -> None:
    """绩效目标申报表 of one project: header, 资金情况, 年度总体目标 and the declared indicators.

    ``funds`` (元, default the project's initial budget) of which ``other`` from other sources;
    ``year`` names the budget year in the title. A missing goal leaves its cell empty.
    """
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "绩效目标申报表"
    n = 4
    X.set_cell(ws, 1, 1, "项目支出绩效目标申报表", font=X.FONT_TITLE, border=False)
    X.merge(ws, 1, 1, 1, n)
    X.set_cell(ws, 2, 1, f"（{year}年度）", border=False)
    X.merge(ws, 2, 1, 2, n)
    header = [("项目名称", project["project_name"], None, None), ("项目编码", project["project_id"], "项目负责人",
                                                               project["manager"]),
              ("主管部门", project["department"], "实施单位", project["unit"])]
    for i, (l1, v1, l2, v2) in enumerate(header):  # three header lines
        r = 3 + i
        X.set_cell(ws, r, 1, l1, font=X.FONT_BOLD)
        X.set_cell(ws, r, 2, v1, align=X.LEFT, number_format=X.TEXT_FORMAT)
        if l2 is None:
            X.merge(ws, r, 2, r, n)
        else:
            X.set_cell(ws, r, 3, l2, font=X.FONT_BOLD)
            X.set_cell(ws, r, 4, v2, align=X.LEFT, number_format=X.TEXT_FORMAT)
    X.set_cell(ws, 6, 1, "资金情况（万元）", font=X.FONT_BOLD)
    X.merge(ws, 6, 1, 8, 1)
    budget = float(project["budget_initial"] if funds is None else funds) / 1e4
    for i, (label, value) in enumerate([("年度资金总额", budget), ("其中：财政拨款", budget - other / 1e4),
                                        ("其他资金", other / 1e4)]):
        X.set_cell(ws, 6 + i, 2, label, align=X.LEFT)
        X.set_cell(ws, 6 + i, 3, round(value, 2), number_format=X.MONEY_FORMAT)
        X.merge(ws, 6 + i, 3, 6 + i, n)
    X.set_cell(ws, 9, 1, "年度总体目标", font=X.FONT_BOLD)
    X.set_cell(ws, 9, 2, goal, align=X.LEFT)
    X.merge(ws, 9, 2, 9, n)
    for j, label in enumerate(["一级指标", "二级指标", "三级指标", "指标值"]):
        X.set_cell(ws, 10, 1 + j, label, font=X.FONT_BOLD)
    values = rows[["level1", "level2_name", "name", "target"]].to_numpy(dtype=object)
    for i, line in enumerate(values):  # openpyxl writes cell by cell
        for j, v in enumerate(line):
            X.set_cell(ws, 11 + i, 1 + j, v, align=X.LEFT if j == 2 else X.CENTER,
                       number_format=X.TEXT_FORMAT if j == 3 else None)
    last = 10 + len(values)
    for col, keys in ((1, rows["level1"]), (2, rows["level1"] + "\u0001" + rows["level2_name"])):
        keys = keys.reset_index(drop=True)
        runs = (keys != keys.shift()).cumsum()
        spans = pd.DataFrame({"run": runs, "pos": np.arange(len(keys))}).groupby("run")["pos"].agg(["min", "max"])
        for a, b in zip(spans["min"], spans["max"]):  # one step per merged group
            X.merge(ws, 11 + a, col, 11 + b, col)
    X.frame_borders(ws, 3, last, 1, n)
    widths = {1: 16.0, 2: 20.0, 3: float(min(max(X.display_width(t) for t in values[:, 2]) + 2, 34)), 4: 22.0}
    X.fit_columns(ws, widths)
    ws.row_dimensions[1].height = 30
    X.fit_row_heights(ws, 3, last, widths)
    X.print_setup(ws, "10:10")
    X.save_workbook(wb, path, XLSX_STAMP)


__all__ = ["FLOAT_FORMAT", "XLSX_STAMP", "number_text", "step_decimals", "write_csv", "write_declaration"]
