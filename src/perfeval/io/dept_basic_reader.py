"""Reader of the department data sheet printed with a department evaluation (部门整体支出绩效评价基础数据表,
湖南 附件3, dept-overall.md §4.6) into one long, tidy frame.

The sheet is a stack of small blocks, each a heading row (block label | column headings) followed by
rows of numbers: 财政供养人员情况 | 编制数 | 实际在职人数 | 控制率; 经费控制情况 | 上年决算数 | 本年预算数 |
本年决算数 with rows 三公经费 (公务用车购置和维护, 公车购置, 公车运行维护, 出国, 公务接待), 项目支出, 公用经费,
政府采购金额, 部门整体支出预算调整 … :func:`read_basic_data` returns one row per number: block, item (the
row label as written, "其中" kept), column (the heading as written), value (money in 元, rates as
fractions, counts as written), kind (money / rate / count), source_row. Mapping the items onto the
department data sheet (``dept_basic.csv``) is the department code's business, not the reader's.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Location
from . import _cells as C
from ._grid import Grid, load_grids
from .selfeval_model import MONEY_FACTORS

BASIC_TITLE = r"基础数据表|财政供养人员情况|经费控制情况"
COUNT_HEADING = r"编制数|人数|在职|个数|人员"
BASIC_COLUMNS = ["block", "item", "column", "value", "kind", "source_row", "source_file", "source_sheet"]


def is_basic_sheet(g: Grid) -> bool:
    return bool((g.is_anchor() & C.match(g.norm, BASIC_TITLE)).any())


def _numbers(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(value, is_percent) of cell texts; NaN where the cell is not a number."""
    t = texts.astype(str).str.translate(str.maketrans({"，": ",", "％": "%"})).str.replace(r"\s+|,", "", regex=True)
    pct = t.str.endswith("%").to_numpy()
    value = pd.to_numeric(t.str.rstrip("%").str.replace(r"(?:万元|元|人|个)$", "", regex=True), errors="coerce")
    return np.where(pct, value / 100.0, value).astype(float), pct


def read_basic_grid(g: Grid) -> pd.DataFrame:
    """The long frame of one data sheet (see the module docstring)."""
    unit = "万元"
    hits = pd.Series(g.norm[g.is_anchor()], dtype=object).astype(str).str.extract(r"单位:?(万元|元|亿元)")[0].dropna()
    if not hits.empty:
        unit = hits.iloc[0]
    factor = MONEY_FACTORS[unit]
    anchor = g.is_anchor() & (g.text != "")
    out, block, headings = [], None, {}
    for r in range(g.shape[0]):  # a few dozen rows
        cols = np.flatnonzero(anchor[r])
        if len(cols) == 0:
            continue
        values, pct = _numbers(pd.Series(g.text[r, cols], dtype=object))
        numeric = ~np.isnan(values)
        if not numeric.any():
            if len(cols) >= 2:  # a heading row: block label | column headings
                block, headings = g.text[r, cols[0]], {int(c): g.text[r, c] for c in cols[1:]}
            continue
        if block is None:
            raise InputError("基础数据表中数字行之前没有表头行 (no heading above the numbers)", where=g.where(r, int(cols[0])),
                             expected="如“经费控制情况 | 上年决算数 | 本年预算数 | 本年决算数”的表头行",
                             found=g.row_text(r))
        label_cols = cols[~numeric]
        item = g.text[r, label_cols[0]] if len(label_cols) else block
        for c, v, p in zip(cols[numeric], values[numeric], pct[numeric]):
            column = headings.get(int(c)) or next((h for k, h in sorted(headings.items()) if k <= c), "")
            kind = "rate" if p or re.search(r"率", column) else "count" if re.search(COUNT_HEADING, column) else "money"
            out.append({"block": block, "item": item, "column": column,
                        "value": v * factor if kind == "money" else v, "kind": kind, "source_row": r + 1})
    frame = pd.DataFrame(out, columns=BASIC_COLUMNS[:-2])
    return frame.assign(source_file=g.file, source_sheet=g.sheet)[BASIC_COLUMNS]


def read_basic_data(path) -> pd.DataFrame:
    """Every 基础数据表 sheet of a file as one long frame; InputError when the file has none."""
    path = Path(path)
    grids, _ = load_grids(path)
    sheets = [g for g in grids if is_basic_sheet(g)]
    if not sheets:
        raise InputError("文件中没有找到部门整体支出绩效评价基础数据表 (no data sheet found)",
                         where=Location(file=path.name, sheet=grids[0].sheet, row=1, column="A"),
                         expected="含“财政供养人员情况”“经费控制情况”或标题“基础数据表”的工作表",
                         found="工作表：" + "、".join(str(g.sheet) for g in grids))
    return pd.concat([read_basic_grid(g) for g in sheets], ignore_index=True)
