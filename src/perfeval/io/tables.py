"""Plain tables a bureau exports (payment lists, score sheets): every cell as text, plus the raw values.

An import of a list (国库集中支付明细, 专家评分表) does not read a form by its labels: it finds the header row
and takes the columns below it. :func:`read_tables` gives, for each sheet of a workbook (.xlsx, .xls/.et,
.ods, via :func:`perfeval.io._grid.load_grids`) or for one csv file (UTF-8 or GBK/GB18030, decoded by
:func:`perfeval.io._grid.decode_csv`, parsed by pandas in one step — a million-row export is read without a
Python loop per row), a :class:`Table`: the cells as text (Excel's rendering), the raw values (numbers and
dates as numbers and dates; the text for csv) and where they came from. :func:`find_header` picks the header
row by the columns a caller recognises.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Location
from ._grid import _FULLWIDTH, decode_csv, load_grids

HEADER_SCAN = 30  # rows searched for the header


@dataclass(frozen=True, eq=False)
class Table:
    """One sheet (or csv file): ``text`` and ``raw`` are frames of the same shape, columns 0..n-1,
    row index = 0-based row of the sheet (Excel row / csv line = index + 1)."""

    text: pd.DataFrame
    raw: pd.DataFrame
    file: str
    sheet: str | None
    notes: tuple[str, ...] = ()
    is_date: pd.DataFrame | None = None   # True where a workbook cell is a date (None for csv)

    def where(self, row: int | None = None, col: int | None = None) -> Location:
        from openpyxl.utils import get_column_letter

        return Location(file=self.file, sheet=self.sheet, row=None if row is None else row + 1,
                        column=None if col is None else get_column_letter(col + 1))


def per_unique(values: pd.Series, fn) -> pd.Series:
    """``fn`` (a vectorised function of a Series) applied to the distinct values only, mapped back: an export
    of a million payments has a few hundred dates, codes and names."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    done = fn(pd.Series(uniques, dtype=object))
    return done.iloc[codes].set_axis(values.index) if isinstance(done, pd.DataFrame) else \
        pd.Series(np.asarray(done)[codes], index=values.index)


def norm_label(values) -> pd.Series:
    """Header/name form of text: no whitespace, full-width brackets, colon and digits as ASCII."""
    s = pd.Series(values, dtype=object).fillna("").astype(str)
    return s.str.translate(_FULLWIDTH).str.replace(r"\s+", "", regex=True)


def _csv_table(path: Path) -> Table:
    content, encoding = decode_csv(path.read_bytes(), path.name)
    first = next((ln for ln in content[:65536].splitlines() if ln.strip()), "")
    sep = "\t" if first.count("\t") > first.count(",") else ","
    try:
        frame = pd.read_csv(io.BytesIO(content.encode("utf-8")), encoding="utf-8", sep=sep, header=None, dtype=str, keep_default_na=False,
                            skip_blank_lines=False, engine="c")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise InputError("csv 文件无法解析 (cannot parse csv)", where=Location(file=path.name),
                         expected="逗号分隔、每行一条记录的文本", found=str(exc)) from None
    frame = frame.apply(lambda col: per_unique(col, lambda u: u.str.strip()))  # one step per column
    notes = () if encoding == "utf-8-sig" else (f"csv 文件编码为 {encoding.upper()}，已按此解码",)
    return Table(text=frame, raw=frame, file=path.name, sheet=None, notes=notes)


def read_tables(path) -> list[Table]:
    """Every sheet of a workbook, or the one table of a csv/txt file, as :class:`Table` objects."""
    path = Path(path)
    if not path.is_file():
        raise InputError("找不到文件 (file not found)", where=Location(file=str(path)), expected="存在的表格文件")
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):
        return [_csv_table(path)]
    grids, notes = load_grids(path)
    return [Table(text=pd.DataFrame(g.text), raw=pd.DataFrame(g.raw), file=g.file, sheet=g.sheet, notes=tuple(notes),
                  is_date=pd.DataFrame(g.is_date)) for g in grids]


def find_header(table: Table, classify) -> tuple[int, dict[str, int]] | None:
    """(header row, {field: column}) of the first of the top rows where ``classify`` (a function from a
    row's normalised header cells to {field: column}, or None when the row is no header) accepts a row."""
    top = table.text.head(HEADER_SCAN)
    for r in range(len(top)):  # at most HEADER_SCAN rows
        found = classify(list(norm_label(top.iloc[r].to_numpy())))
        if found:
            return int(top.index[r]), found
    return None


def cell_numbers(raw: pd.Series, text: pd.Series) -> pd.Series:
    """Numbers of a column: raw numbers as they are; text with thousands separators, full-width digits,
    ¥/￥, a trailing 元 or parentheses for negatives ("(1,200.00)") parsed; NaN where not a number."""
    direct = (pd.to_numeric(raw, errors="coerce") if raw is not text
              else pd.Series(np.nan, index=raw.index))  # a csv has no raw numbers: its text is parsed
    first = pd.to_numeric(text, errors="coerce")  # plain numbers in one C pass; the rest cleaned below
    rest = first.isna() & direct.isna()
    if not rest.any():
        return direct.fillna(first)
    s = norm_label(text[rest].to_numpy()).set_axis(text.index[rest])
    negative = s.str.match(r"^\(.*\)$")
    s = s.str.replace(r"^\((.*)\)$", r"\1", regex=True).str.replace(r"[,¥￥]|元$", "", regex=True)
    parsed = pd.to_numeric(s.where(s != ""), errors="coerce")
    parsed = parsed.where(~negative, -parsed).reindex(text.index)
    return direct.fillna(first).fillna(parsed)


__all__ = ["HEADER_SCAN", "Table", "cell_numbers", "find_header", "norm_label", "per_unique", "read_tables"]
