"""OpenDocument spreadsheets (.ods) read from their content.xml with lxml into Grids.

python-calamine reads .ods values but gives no merged ranges for them, so the sheet is read here:
each ``table:table-cell`` carries its value and type (``office:value-type`` float, percentage,
currency, date, boolean, string), the text LibreOffice/WPS shows (``text:p``) and its spans
(``table:number-columns-spanned`` / ``number-rows-spanned``); repeated rows and columns are
expanded, trailing empty repeats dropped. The shown text is kept as the cell's text, so a
percentage reads ``98.47%`` as on screen, and percentage cells are flagged like a % number format.
"""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
from lxml import etree

from ...errors import InputError, Location
from .._grid import Grid, _make_grid

NS = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
      "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
      "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0"}
T, O = "{%s}" % NS["table"], "{%s}" % NS["office"]
MAX_REPEAT = 1024  # repeats beyond this are the empty rest of the sheet


def _value(cell) -> tuple[object, str, bool]:
    """(raw value, shown text, is percentage) of one table cell."""
    kind = cell.get(O + "value-type")
    shown = "\n".join("".join(p.itertext()) for p in cell.iterfind("text:p", NS))
    try:
        if kind in ("float", "percentage", "currency"):
            return float(cell.get(O + "value")), shown, kind == "percentage"
        if kind == "date":
            return dt.datetime.fromisoformat(cell.get(O + "date-value")), shown, False
    except (TypeError, ValueError):  # a value attribute missing or odd: keep what is shown
        pass
    if kind == "boolean":
        return cell.get(O + "boolean-value") == "true", shown, False
    return (shown if shown.strip() else None), shown, False


def _sheet(table, name: str) -> Grid:
    anchors = []  # (row, col, rowspan, colspan, value, shown, percent)
    r = 0
    for row in table.iter(T + "table-row"):
        rrep = int(row.get(T + "number-rows-repeated", "1"))
        cells, c = [], 0
        for cell in row:
            if cell.tag not in (T + "table-cell", T + "covered-table-cell"):
                continue
            crep = int(cell.get(T + "number-columns-repeated", "1"))
            if cell.tag == T + "table-cell":
                value, shown, pct = _value(cell) if (cell.get(O + "value-type") or len(cell)) else (None, "", False)
                span = (int(cell.get(T + "number-rows-spanned", "1")), int(cell.get(T + "number-columns-spanned", "1")))
                if value is not None or span != (1, 1):  # an empty merged range still covers its cells
                    cells += [(c + k, span, value, shown, pct) for k in range(min(crep, MAX_REPEAT))]
            c += crep
        if cells:
            for k in range(min(rrep, MAX_REPEAT)):
                anchors += [(r + k, col, *span, v, s, p) for col, span, v, s, p in cells]
        r += rrep
    nrows = max((a[0] + a[2] for a in anchors), default=1)
    ncols = max((a[1] + a[3] for a in anchors), default=1)
    raw = np.full((nrows, ncols), None, dtype=object)
    shown = np.full((nrows, ncols), "", dtype=object)
    fmt = np.full((nrows, ncols), "General", dtype=object)
    top = np.repeat(np.arange(nrows)[:, None], ncols, axis=1)
    left = np.repeat(np.arange(ncols)[None, :], nrows, axis=0)
    for r0, c0, rs, cs, v, s, pct in anchors:  # one step per filled cell of the sheet
        raw[r0:r0 + rs, c0:c0 + cs] = v
        shown[r0:r0 + rs, c0:c0 + cs] = s
        fmt[r0:r0 + rs, c0:c0 + cs] = "0.00%" if pct else "General"
        top[r0:r0 + rs, c0:c0 + cs] = r0
        left[r0:r0 + rs, c0:c0 + cs] = c0
    return _make_grid(raw, fmt, top, left, name, table.get(T + "name"), shown=shown)


def load_ods_grids(path: Path) -> list[Grid]:
    """Every sheet of an .ods workbook as a merge-filled Grid with the text as shown."""
    try:
        with zipfile.ZipFile(path) as z:
            root = etree.fromstring(z.read("content.xml"), parser=etree.XMLParser(huge_tree=True))
    except (zipfile.BadZipFile, KeyError, OSError, etree.XMLSyntaxError) as exc:
        raise InputError("OpenDocument 表格已损坏，无法打开 (cannot open .ods)", where=Location(file=path.name),
                         expected="在 WPS/LibreOffice 中打开后另存为 .xlsx 再提交",
                         found=f"{type(exc).__name__}: {exc}") from None
    tables = root.findall(".//office:spreadsheet/table:table", NS)
    if not tables:
        raise InputError("OpenDocument 表格中没有工作表 (no sheets)", where=Location(file=path.name),
                         expected="含自评表的工作表")
    return [_sheet(t, path.name) for t in tables]
