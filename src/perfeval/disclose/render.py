"""Public tables as pages and workbooks: escaped HTML in the reports' style, formatted .xlsx, atomic writes.

Pages use the reports' Jinja2 layout and stylesheet (``report/templates/base.html``,
``perfeval.css``) with this package's templates in front (``disclose/templates``), autoescaped. The
table body is built for the whole frame at once: every text cell is escaped for HTML *and* made
inert for Markdown (``[x](http://…)``, ``*``, ``` ` ```, ``$`` written as character references: the
browser shows the character, a Markdown-aware publishing system sees no syntax), so what anyone
typed into a spreadsheet shows as typed and never becomes a link, a script or a formula. Workbooks
write every text as a string cell (``=HYPERLINK(…)`` stays text), money as numbers in 万元 with two
decimals. Same inputs → same bytes; every file is written atomically.
"""
from __future__ import annotations

import functools
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from .._files import atomic_write
from ..report.pages import TEMPLATES as REPORT_TEMPLATES
from ..report.pages import stylesheet, trusted
from .fields import TableSpec

TEMPLATES = Path(__file__).with_name("templates")
_HTML = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;", ord("'"): "&#x27;"}
_MARKDOWN = {ord(ch): f"&#{ord(ch)};" for ch in "\\`*_{}[]()#+-.!|~$:="}
_TEXT = {**_MARKDOWN, **_HTML}
_WIDE = {"项目名称": ' class="name"', "主管部门": ' class="dept"', "年度总体目标": ' class="name"'}
DISCLOSE_CSS = """
table.perfeval-disclose { width: 100%; }
table.perfeval-disclose th { white-space: nowrap; text-align: center; }
table.perfeval-disclose td.num { text-align: right; white-space: nowrap; }
table.perfeval-disclose td.name { min-width: 9em; }
table.perfeval-disclose td.dept { min-width: 6em; }
p.disclose-nav { font-size: 13px; margin: 0; }
@media print {
  @page { size: A4 landscape; margin: 12mm 10mm; }
  p.disclose-nav { display: none; }
  table.perfeval-disclose { font-size: 8.5pt; }
}
"""


def escape_text(values: pd.Series) -> pd.Series:
    """Text cells for HTML: ``& < > " '`` escaped, Markdown characters as references, line breaks as ``<br>``."""
    s = values.astype(str).str.translate(_TEXT)
    return s.str.replace("\r\n", "\n", regex=False).str.replace("\r", "\n", regex=False).str.replace(
        "\n", "<br>", regex=False)


def escape_plain(values: pd.Series) -> pd.Series:
    """Generated cells (numbers, dates): HTML-escaped only."""
    return values.astype(str).str.translate(_HTML)


def rows_html(display: pd.DataFrame, spec: TableSpec) -> str:
    """The ``<tr>`` rows of a public table, for all rows at once. Per-project columns (序号 and
    ``spec.per_project``) are written once per project, spanning its rows."""
    if display.empty:
        return ""
    kinds = {f.header: f.kind for f in spec.fields}
    spanning = {"序号"} | {f.header for f in spec.fields if f.source in spec.per_project}
    group = display["序号"]
    first = (group != group.shift()).to_numpy()
    size = group.map(group.value_counts()).astype(str)
    multi = len(spec.per_project) > 0 and (~first).any()
    row = pd.Series("<tr>", index=display.index)
    for col in display.columns:
        kind = kinds.get(col, "count")
        text = escape_text(display[col]) if kind == "text" else escape_plain(display[col])
        cls = ' class="num"' if kind != "text" else _WIDE.get(col, "")
        if multi and col in spanning:
            cell = pd.Series(np.where(first, "<td" + cls + ' rowspan="' + size + '">' + text + "</td>", ""),
                             index=display.index)
        else:
            cell = "<td" + cls + ">" + text + "</td>"
        row = row + cell
    return "\n".join((row + "</tr>").tolist())


@functools.lru_cache(maxsize=1)
def _environment():
    import jinja2

    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(TEMPLATES)),
                                  jinja2.FileSystemLoader(str(REPORT_TEMPLATES))])
    return jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)


def render(template: str, **context) -> str:
    """One of the disclosure templates, in the reports' layout and stylesheet."""
    return _environment().get_template(template).render(css=trusted(stylesheet() + DISCLOSE_CSS), **context)


def table_page(table) -> str:
    """The page of one public table (a sentence instead of an empty table)."""
    return render("disclosure.html", title=table.title, lead=table.lead, headers=list(table.public.columns),
                  rows=trusted(rows_html(table.display, table.spec)), empty=table.empty_text, notes=table.notes)


def index_page(disclosure) -> str:
    """The index: each table with its count and links, the whitelist, what is not published, the conventions."""
    from .fields import NOT_PUBLISHED, whitelist_table

    wl = whitelist_table()
    first = ~wl["公开表"].duplicated()
    span = wl["公开表"].map(wl["公开表"].value_counts()).where(first, 0)
    fields = [{"table": a, "header": b, "note": c, "span": int(n)}  # two dozen fields
              for (a, b, c), n in zip(wl.itertuples(index=False), span)]
    tables = [{"title": t.title, "summary": t.lead, "count": t.count_text, "html": t.html_name,
               "xlsx": t.xlsx_name if not t.public.empty else None} for t in disclosure.tables]
    return render("disclosure_index.html", title=disclosure.title, lead=disclosure.lead, tables=tables,
                  fields=fields, withheld=list(NOT_PUBLISHED), conventions=list(disclosure.conventions().items()))


# --------------------------------------------------------------------------- Excel


FORMATS = {"money": "#,##0.00", "score": "0.00", "rate": "0.00%"}
WRAP_OVER = 48  # columns wider than this (characters) wrap their text


def _cells(table) -> pd.DataFrame:
    """The data cells: texts cleaned of what Excel cannot store, numbers as numbers, a missing number "—"."""
    from ..io import _xlsx as X

    kinds = {f.header: f.kind for f in table.spec.fields}
    data = {}
    for col in table.public.columns:
        v = table.public[col]
        if kinds.get(col, "count") == "text":
            data[col] = v.astype(str).str.replace(X.ILLEGAL_CHARACTERS_RE.pattern, "", regex=True)
        else:
            data[col] = v.astype(object).where(v.notna(), "—")
    return pd.DataFrame(data, index=table.public.index)


def _workbook(table, frame: pd.DataFrame):
    """The workbook with the title, the headers and the rows of ``frame``, formatted by openpyxl."""
    from openpyxl import Workbook
    from openpyxl.utils.indexed_list import IndexedList

    from ..export import HEAD_FILL
    from ..io import _xlsx as X

    kinds = {f.header: f.kind for f in table.spec.fields}
    wb = Workbook()
    wb._fonts = IndexedList([X.FONT])  # the default font of every cell: 宋体 10 pt, like the official forms
    ws = wb.active
    ws.title = table.spec.title[:31]
    ncol = len(frame.columns)
    X.set_cell(ws, 1, 1, table.title, font=X.FONT_TITLE, border=False)
    X.merge(ws, 1, 1, 1, ncol)
    for j, col in enumerate(frame.columns, start=1):
        X.set_cell(ws, 2, j, col, font=X.FONT_BOLD).fill = HEAD_FILL
    for values in frame.itertuples(index=False):  # Excel is written row by row
        ws.append([x.item() if isinstance(x, np.generic) else x for x in values])
    widths = {}
    for j, col in enumerate(frame.columns, start=1):
        kind = kinds.get(col, "count")
        width = int(X.display_widths([col] + table.display[col].tolist()[:2000]).max()) + 2
        widths[j] = float(min(WRAP_OVER, max(6, width)))
        cells = [row[0] for row in ws.iter_rows(min_row=3, max_row=len(frame) + 2, min_col=j, max_col=j)]
        for cell in cells:
            if kind in FORMATS:
                cell.number_format = FORMATS[kind]
            elif isinstance(cell.value, str):
                cell.data_type = "s"  # "=HYPERLINK(…)" is text, never a formula
                if width > WRAP_OVER:
                    cell.alignment = X.LEFT
    X.fit_columns(ws, widths)
    ws.freeze_panes = "A3"
    X.print_setup(ws, "1:2")
    ws.print_options.gridLines = True
    notes = wb.create_sheet("说明")
    for i, note in enumerate(table.notes, start=1):
        X.set_cell(notes, i, 1, note, align=X.LEFT, border=False)
    X.fit_columns(notes, {1: 100.0})
    return wb


def _rows_xml(frame: pd.DataFrame, public: pd.DataFrame, styles: dict, first_row: int) -> str:
    """Sheet rows in SpreadsheetML for the whole frame at once, as openpyxl writes them: texts as
    inline strings (XML-escaped), numbers as numbers, each column with its template cell's style."""
    from openpyxl.utils import get_column_letter

    r = pd.Series(np.arange(len(frame)) + first_row, index=frame.index).astype(str)
    xml = '<row r="' + r + '">'
    for j, col in enumerate(frame.columns, start=1):
        style = styles.get(get_column_letter(j), "0")
        ref = '<c r="' + get_column_letter(j) + r + '" ' + ("" if style == "0" else f's="{style}" ')
        v = frame[col]
        text = v.astype(str).str.replace("&", "&amp;", regex=False).str.replace("<", "&lt;", regex=False) \
            .str.replace(">", "&gt;", regex=False)
        as_text = ref + 't="inlineStr"><is><t>' + text + "</t></is></c>"
        if pd.api.types.is_numeric_dtype(public[col]):
            digits = public[col].astype(str).str.replace(r"\.0$", "", regex=True)  # 6177.0 → 6177, as openpyxl
            number = ref + 't="n"><v>' + digits + "</v></c>"
            xml = xml + pd.Series(np.where(public[col].isna(), as_text, number), index=frame.index)
        else:
            xml = xml + as_text
    return "".join((xml + "</row>").tolist())


def workbook_bytes(table, fast: bool = True) -> bytes:
    """One public table as an .xlsx: title row, Chinese headers, money/scores as numbers with two
    decimals (rates as percentages), every text a string cell (a text starting with "=" stays text,
    never a formula), long texts wrapped; printed A4 landscape with gridlines and the header repeated;
    a 说明 sheet with the notes.

    ``fast``: openpyxl formats the title, headers and first data row; the other rows are written as
    XML for the whole frame at once in the same form and styles (openpyxl serialises a cell at a time:
    minutes for a city of 10,000 projects). ``fast=False`` lets openpyxl write every row (the tests
    check both give the same cells)."""
    from ..export import FIXED_TIME
    from ..io import _xlsx as X

    frame = _cells(table)
    if not fast or len(frame) < 2:
        return X.workbook_bytes(_workbook(table, frame), FIXED_TIME)
    template = X.workbook_bytes(_workbook(table, frame.head(1)), FIXED_TIME)
    sheet_name = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(io.BytesIO(template)) as z:
        parts = [(info.filename, z.read(info.filename)) for info in z.infolist()]  # a dozen package parts
    sheet = dict(parts)[sheet_name].decode("utf-8")
    row = re.search(r'<row r="3"[^>]*>.*?</row>', sheet, flags=re.S)
    styles = dict(re.findall(r'<c r="([A-Z]+)3"[^>]*?\bs="(\d+)"', row.group(0)))
    rows = _rows_xml(frame, table.public, styles, first_row=3)
    from openpyxl.utils import get_column_letter

    last = f"{get_column_letter(len(frame.columns))}{len(frame) + 2}"
    sheet = sheet[:row.start()] + rows + sheet[row.end():]
    sheet = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="A1:{last}"', sheet, count=1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=X.ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, sheet.encode("utf-8") if name == sheet_name else data)
    return out.getvalue()


def write(disclosure, out) -> dict:
    """Write the pages, workbooks and index into ``out`` (created if missing), each atomically; a
    workbook of a table that is now empty is removed. Returns {file name: sha256}."""
    from ..errors import InputError, Location

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError("--out 应为文件夹，而不是一个文件 (--out names a file)", where=Location(file=str(out)),
                         expected="输出文件夹")
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for table in disclosure.tables:  # three tables
        written[table.html_name] = atomic_write(out / table.html_name, table_page(table).encode("utf-8"))
        if table.public.empty:
            (out / table.xlsx_name).unlink(missing_ok=True)  # a stale workbook from an earlier run
        else:
            written[table.xlsx_name] = atomic_write(out / table.xlsx_name, workbook_bytes(table))
    written["index.html"] = atomic_write(out / "index.html", index_page(disclosure).encode("utf-8"))
    return written


__all__ = ["escape_text", "escape_plain", "rows_html", "table_page", "index_page", "workbook_bytes", "write",
           "DISCLOSE_CSS"]
