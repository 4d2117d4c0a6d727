"""Sheet grids: the cells of one worksheet (or csv) as aligned arrays, merge-aware.

Official forms are read by their labels, not by coordinates, so the readers need every cell as
Excel shows it. A :class:`Grid` holds, for one sheet, the raw values, the text as Excel renders
it (``0.95`` with format ``0%`` → ``"95%"``, a date with ``yyyy"年"m"月"`` → ``"2023年12月"``),
label-normalised text for matching, and the anchor of the merged range covering each cell.
Merged ranges are filled from their top-left cell (openpyxl leaves the others empty).
"""
from __future__ import annotations

import csv
import io
import itertools
import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from ..errors import InputError, Location

_FULLWIDTH = str.maketrans({"（": "(", "）": ")", "：": ":", "　": "", "０": "0", "１": "1", "２": "2",
                            "３": "3", "４": "4", "５": "5", "６": "6", "７": "7", "８": "8", "９": "9",
                            "．": ".", "，": ",", "％": "%"})
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True, eq=False)
class Grid:
    """One sheet's cells; row/column indices are 0-based (Excel row = index + 1)."""

    raw: np.ndarray        # object: numbers, str, datetime or None; merged ranges filled
    text: np.ndarray       # object (str): the cell as Excel shows it, '' when empty
    norm: np.ndarray       # object (str): text without spaces, full-width ( ) : → ASCII, for labels
    percent: np.ndarray    # bool: a number shown with a % number format
    is_date: np.ndarray    # bool: a date/time cell
    top: np.ndarray        # int: row of the anchor of the merged range covering the cell (own row if none)
    left: np.ndarray       # int: column of that anchor
    file: str
    sheet: str | None

    @property
    def shape(self) -> tuple[int, int]:
        return self.text.shape

    def where(self, row: int | None = None, col: int | None = None) -> Location:
        """Location of a cell for error messages: 1-based row, column letter."""
        return Location(file=self.file, sheet=self.sheet,
                        row=None if row is None else row + 1,
                        column=None if col is None else get_column_letter(col + 1))

    def is_anchor(self) -> np.ndarray:
        rows, cols = np.indices(self.shape)
        return (self.top == rows) & (self.left == cols)

    def vertical_follower(self) -> np.ndarray:
        """True where a cell is covered by a merged range that starts in a row above."""
        return self.top < np.arange(self.shape[0])[:, None]

    def row_text(self, row: int) -> str:
        cells = [t for t, a in zip(self.text[row], self.is_anchor()[row]) if a and t]
        return " | ".join(cells) if cells else "（空行）"


def normalise_labels(text: np.ndarray) -> np.ndarray:
    """Label form of cell text: no whitespace, full-width brackets/colon/digits as ASCII."""
    flat = pd.Series(text.ravel(), dtype=object).astype(str)
    flat = flat.str.translate(_FULLWIDTH).str.replace(r"\s+", "", regex=True)
    return flat.to_numpy(dtype=object).reshape(text.shape)


_NUM_FORMAT = re.compile(r"^(?P<sep>#,##)?0(?:\.(?P<dec>0+))?(?:_\S*|\\?\s*)?$")
_PCT_FORMAT = re.compile(r"0(?:\.(0+))?%")
_DATE_TOKENS = re.compile(r'"[^"]*"|\\.|yyyy|yy|mm|m|dd|d|hh|h|ss|s|\[[^\]]*\]|AM/PM|.', re.I)


def render_numbers(values: np.ndarray, fmt: str) -> np.ndarray:
    """Numbers as Excel shows them under one number format (percent, fixed, #,##0, General)."""
    values = np.asarray(values, dtype=float)
    fmt = (fmt or "General").split(";")[0]
    pct = _PCT_FORMAT.search(fmt)
    if pct:
        return np.char.mod(f"%.{len(pct.group(1) or '')}f%%", values * 100.0).astype(object)
    fixed = _NUM_FORMAT.match(fmt.replace('"', ""))
    if fixed:
        text = pd.Series(np.char.mod(f"%.{len(fixed.group('dec') or '')}f", values), dtype=object)
        if fixed.group("sep"):  # thousands separators in the integer part
            parts = text.str.split(".", n=1, expand=True).reindex(columns=[0, 1])
            ints = parts[0].str.replace(r"(?<=\d)(?=(?:\d{3})+$)", ",", regex=True)
            text = ints.where(parts[1].isna(), ints + "." + parts[1].astype(str))
        return text.to_numpy(dtype=object)
    integral = np.isfinite(values) & (np.abs(values) < 1e15) & (values == np.round(values))
    whole = np.where(integral, values, 0).astype(np.int64).astype(str)
    return np.where(integral, whole, np.char.mod("%.10g", values)).astype(object)


def render_dates(values: pd.Series, fmt: str) -> np.ndarray:
    """Dates as Excel shows them under one date format (yyyy"年"m"月", yyyy-mm-dd …)."""
    when = pd.to_datetime(pd.Series(list(values), dtype=object).map(
        lambda v: dt.datetime.combine(dt.date(1899, 12, 31), v) if isinstance(v, dt.time) else v))
    fmt = (fmt or "").split(";")[0]
    if not re.search(r"[ydhs]", fmt, re.I):
        fmt = "yyyy-mm-dd"
    parts = {"yyyy": when.dt.year.astype(str).str.zfill(4), "yy": (when.dt.year % 100).astype(str).str.zfill(2),
             "month": when.dt.month.astype(str), "minute": when.dt.minute.astype(str),
             "d": when.dt.day.astype(str), "h": when.dt.hour.astype(str), "s": when.dt.second.astype(str)}
    out = pd.Series("", index=when.index, dtype=object)
    after_hour = False
    for tok in _DATE_TOKENS.findall(fmt):  # a handful of tokens per format
        low = tok.lower()
        if tok.startswith('"'):
            out = out + tok[1:-1]
        elif tok.startswith("\\"):
            out = out + tok[1:]
        elif tok.startswith("["):
            continue
        elif low in ("yyyy", "yy"):
            out = out + parts[low]
        elif low in ("mm", "m"):
            part = parts["minute" if after_hour else "month"]
            out = out + (part.str.zfill(2) if low == "mm" else part)
        elif low in ("dd", "d", "hh", "h", "ss", "s"):
            after_hour = after_hour or low[0] == "h"
            out = out + (parts[low[0]].str.zfill(2) if len(low) == 2 else parts[low[0]])
        else:
            out = out + tok
    return out.to_numpy(dtype=object)


def _render_number(value: float, fmt: str) -> str:
    return render_numbers(np.array([value]), fmt)[0]


def _render_date(value, fmt: str) -> str:
    return render_dates(pd.Series([value], dtype=object), fmt)[0]


def render_cells(raw: np.ndarray, formats: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(text, percent, is_date) for a block of raw cell values and their number formats."""
    flat = pd.Series(raw.ravel(), dtype=object)
    fmt = pd.Series(formats.ravel(), dtype=object).fillna("General").astype(str)
    kind = flat.map(lambda v: "none" if v is None else "bool" if isinstance(v, bool)
                    else "num" if isinstance(v, (int, float, np.number))
                    else "date" if isinstance(v, (dt.datetime, dt.date, dt.time)) else "str")
    text = pd.Series("", index=flat.index, dtype=object)
    is_str, is_num, is_date = kind == "str", kind == "num", kind == "date"
    text[is_str] = flat[is_str].astype(str).str.strip()
    text[kind == "bool"] = flat[kind == "bool"].map({True: "是", False: "否"})
    for f in fmt[is_num].unique():  # one step per distinct number format
        sel = is_num & (fmt == f)
        text[sel] = render_numbers(pd.to_numeric(flat[sel]).to_numpy(dtype=float), f)
    for f in fmt[is_date].unique():
        sel = is_date & (fmt == f)
        text[sel] = render_dates(flat[sel], f)
    percent = is_num & fmt.str.contains(r"0%|0\.0*%", regex=True)
    shape = raw.shape
    return (text.to_numpy(dtype=object).reshape(shape), percent.to_numpy().reshape(shape),
            is_date.to_numpy().reshape(shape))


def _make_grid(raw, formats, top, left, file, sheet, shown=None) -> Grid:
    """A Grid from merge-filled arrays. ``shown``: text as the container displays the cells (ODS keeps
    it), used instead of the rendering wherever it is a non-empty string."""
    filled = ~pd.isna(raw)
    rows, cols = np.flatnonzero(filled.any(axis=1)), np.flatnonzero(filled.any(axis=0))
    nr, nc = (rows[-1] + 1 if len(rows) else 1), (cols[-1] + 1 if len(cols) else 1)
    raw, formats, top, left = raw[:nr, :nc], formats[:nr, :nc], top[:nr, :nc], left[:nr, :nc]  # drop empty margins
    text, percent, is_date = render_cells(raw, formats)
    if shown is not None:
        shown = shown[:nr, :nc]
        given = pd.Series(shown.ravel(), dtype=object).map(lambda v: isinstance(v, str) and v.strip() != "")
        text = np.where(given.to_numpy(bool).reshape(text.shape) & filled[:nr, :nc], shown, text).astype(object)
    return Grid(raw=raw, text=text, norm=normalise_labels(text), percent=percent, is_date=is_date,
                top=top, left=left, file=file, sheet=sheet)


def load_xlsx_grids(path: Path) -> list[Grid]:
    """Every worksheet of an .xlsx workbook as a merge-filled Grid (formulas give cached values)."""
    name = path.name
    try:
        source = path if path.suffix.lower() in (".xlsx", ".xlsm") else io.BytesIO(path.read_bytes())
        wb = load_workbook(source, data_only=True)  # openpyxl refuses other names: an .xlsx saved as .xls
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError) as exc:
        raise InputError("无法打开 Excel 工作簿（文件已损坏或不是 .xlsx）(cannot open workbook)",
                         where=Location(file=name), expected="Excel 2007+ 工作簿 (.xlsx)",
                         found=f"{type(exc).__name__}: {exc}") from None
    grids = []
    for ws in wb.worksheets:
        nrows, ncols = max(ws.max_row, 1), max(ws.max_column, 1)
        cells = list(ws.iter_rows(min_row=1, max_row=nrows, min_col=1, max_col=ncols))
        raw = np.array([[c.value for c in row] for row in cells], dtype=object).reshape(nrows, ncols)
        fmt = np.array([[c.number_format for c in row] for row in cells], dtype=object).reshape(nrows, ncols)
        top = np.repeat(np.arange(nrows)[:, None], ncols, axis=1)
        left = np.repeat(np.arange(ncols)[None, :], nrows, axis=0)
        for rng in ws.merged_cells.ranges:  # one step per merged range, not per data row
            r0, c0, r1, c1 = rng.min_row - 1, rng.min_col - 1, min(rng.max_row, nrows), min(rng.max_col, ncols)
            raw[r0:r1, c0:c1] = raw[r0, c0]
            fmt[r0:r1, c0:c1] = fmt[r0, c0]
            top[r0:r1, c0:c1] = r0
            left[r0:r1, c0:c1] = c0
        grids.append(_make_grid(raw, fmt, top, left, name, ws.title))
    wb.close()
    return grids


def decode_csv(data: bytes, name: str) -> tuple[str, str]:
    """The text of a csv file and the encoding that decoded it: UTF-8 (with or without BOM), else
    GB18030 (a superset of GBK, as Excel saves "CSV" on Chinese Windows). ``name`` is for messages."""
    encodings = ("utf-16",) if data.startswith((b"\xff\xfe", b"\xfe\xff")) else CSV_ENCODINGS  # Excel's Unicode text
    for encoding in encodings:
        try:
            content = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError("无法识别 csv 文件编码 (cannot decode csv)", where=Location(file=name),
                         expected="UTF-8 或 GB18030/GBK 编码的文本", found="二进制或其他编码")
    if "\x00" in content:
        raise InputError("csv 文件含二进制内容 (csv holds binary data)", where=Location(file=name),
                         expected="逗号分隔的文本", found="二进制数据")
    return content, encoding


def read_csv_text(path: str | Path, name: str | None = None) -> tuple[str, str]:
    """`decode_csv` of a file: (text, encoding). Every csv input of perfeval is read through here."""
    path = Path(path)
    return decode_csv(path.read_bytes(), path.name if name is None else name)


def load_csv_grid(path: Path, delimiter: str = ",") -> tuple[Grid, str]:
    """A csv form (or tab-separated text) as a Grid of text cells; returns the grid and the encoding
    that decoded it."""
    content, encoding = read_csv_text(path)
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    try:
        lines = list(reader)
    except csv.Error as exc:  # e.g. a cell longer than the csv module's field limit
        raise InputError("csv 文件无法解析 (cannot parse csv)", where=Location(file=path.name, row=reader.line_num),
                         expected=f"逗号分隔的文本，每个单元格不超过 {csv.field_size_limit():,} 个字符",
                         found=str(exc)) from None
    columns = list(itertools.zip_longest(*lines, fillvalue=None))  # pads short lines
    frame = pd.DataFrame(np.array(columns, dtype=object).T if columns else [[None]], dtype=object)
    frame = frame.where(frame.notna() & frame.astype(str).apply(lambda col: col.str.strip() != ""), None)
    raw = frame.to_numpy(dtype=object)
    nrows, ncols = raw.shape
    top = np.repeat(np.arange(nrows)[:, None], ncols, axis=1)
    left = np.repeat(np.arange(ncols)[None, :], nrows, axis=0)
    fmt = np.full((nrows, ncols), "General", dtype=object)
    return _make_grid(raw, fmt, top, left, path.name, None), encoding


def load_grids(path) -> tuple[list[Grid], list[str]]:
    """Every table of a form file as Grids, and the notes on reading it. The container is chosen by
    content as well as by suffix (see :mod:`perfeval.io._containers`): .xlsx, .xls/.et, .ods, .csv
    (UTF-8/GB18030), Word .docx tables, HTML tables. A missing or unreadable file is an InputError."""
    from ._containers import read_grids  # the containers build on this module

    return read_grids(Path(path))
