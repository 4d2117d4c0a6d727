"""Excel output plumbing: styles, CJK column widths, print setup, byte-reproducible atomic saves.

openpyxl stamps the current time into docProps/core.xml and into every zip entry; a save here
fixes both to a constant so that the same workbook content always gives the same bytes, and
writes through `perfeval._files.atomic_write` (temp file in the target folder, then ``os.replace``).
"""
from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile

import numpy as np
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from .._files import atomic_write

FONT_NAME = "宋体"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FONT = Font(name=FONT_NAME, size=10)
FONT_BOLD = Font(name=FONT_NAME, size=10, bold=True)
FONT_TITLE = Font(name=FONT_NAME, size=16, bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
MONEY_FORMAT = "0.00"
RATE_FORMAT = "0.00%"
TEXT_FORMAT = "@"
LINE_HEIGHT = 14.0  # points per wrapped line at 10 pt
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def display_widths(texts) -> np.ndarray:
    """Widths in Excel character units, vectorised: East-Asian wide/full-width characters count 2;
    a multi-line text is as wide as its widest line."""
    s = pd.Series(list(texts), dtype=object)
    s = s.where(s.notna(), "").astype(str)
    lines = s.str.split("\n").explode()
    wide = [ch for ch in set("".join(lines.unique()))  # one check per distinct character
            if unicodedata.east_asian_width(ch) in "WF"]
    width = lines.str.len()
    if wide:
        width = width + lines.str.count("[" + re.escape("".join(sorted(wide))) + "]")
    return width.groupby(level=0).max().reindex(s.index).fillna(0).to_numpy(dtype=int)


def display_width(text) -> int:
    """Width of one text in Excel character units (CJK = 2)."""
    return 0 if text is None else int(display_widths([text])[0])


def wrapped_lines(texts, widths) -> np.ndarray:
    """Lines each wrapped text needs at the given column widths (character units)."""
    s = pd.Series(list(texts), dtype=object).astype(str)
    usable = np.maximum(np.asarray(widths, dtype=float) - 1.0, 1.0)
    lines = s.str.split("\n").explode()
    per_line = np.maximum(1, np.ceil(display_widths(lines.to_numpy()) / usable[lines.index.to_numpy()]))
    return pd.Series(per_line, index=lines.index).groupby(level=0).sum().reindex(s.index).to_numpy()


def set_cell(ws, row: int, col: int, value, *, font=FONT, align=CENTER, number_format=None, border=True):
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters Excel cannot store
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # "=0件" is a target, not a formula
    cell.font = font
    cell.alignment = align
    if number_format:
        cell.number_format = number_format
    if border:
        cell.border = BORDER
    return cell


def merge(ws, r0: int, c0: int, r1: int, c1: int) -> None:
    if (r0, c0) != (r1, c1):
        ws.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)


def frame_borders(ws, r0: int, r1: int, c0: int, c1: int) -> None:
    """Thin borders on every cell of a block, merged ones included (Excel draws them per cell)."""
    for row in ws.iter_rows(min_row=r0, max_row=r1, min_col=c0, max_col=c1):
        for cell in row:
            cell.border = BORDER


def fit_columns(ws, widths: dict[int, float]) -> None:
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = round(width, 1)


def fit_row_heights(ws, first_row: int, last_row: int, widths: dict[int, float], base: float = 20.0) -> None:
    """Row heights for wrapped text: lines needed by the widest cell of each row (merges spread)."""
    cells = pd.DataFrame([(c.row, c.column, c.value) for row in ws.iter_rows(  # read back what was written
        min_row=first_row, max_row=last_row, min_col=1, max_col=max(widths)) for c in row if c.value is not None],
        columns=["row", "col", "value"])
    spans = pd.DataFrame([(r.min_row, r.min_col, r.max_row - r.min_row + 1,
                           sum(widths.get(c, 8.43) for c in range(r.min_col, r.max_col + 1)))
                          for r in ws.merged_cells.ranges], columns=["row", "col", "nrows", "width"])
    cells = cells.merge(spans, on=["row", "col"], how="left")
    cells["nrows"] = cells["nrows"].fillna(1)
    cells["width"] = cells["width"].fillna(cells["col"].map(widths)).fillna(8.43)
    cells["lines"] = np.ceil(wrapped_lines(cells["value"], cells["width"]) / cells["nrows"]) if len(cells) else []
    lines = cells.groupby("row")["lines"].max().reindex(range(first_row, last_row + 1), fill_value=1)
    for r, n in lines.items():  # openpyxl sets row heights one by one
        ws.row_dimensions[r].height = max(base, float(n) * LINE_HEIGHT + 6)


def print_setup(ws, title_rows: str | None = None) -> None:
    """A4 landscape, fit to one page wide, centred."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if title_rows:
        ws.print_title_rows = title_rows


def workbook_bytes(wb, stamp: dt.datetime) -> bytes:
    """The workbook as .xlsx bytes with docProps times and zip entry times fixed to constants."""
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "perfeval"
    wb.properties.lastModifiedBy = "perfeval"
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()  # not save_workbook(): it would stamp `modified` with now()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():  # a dozen package parts
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def save_workbook(wb, path, stamp: dt.datetime) -> None:
    atomic_write(path, workbook_bytes(wb, stamp))
