"""How report content is written: money in 万元, scores with two decimals, sentences that end once.

Every number a published report shows goes through here, so that a table has one money unit (in
its header), scores and rates have the same decimals everywhere, and a sentence built from parts
ends with exactly one "。" (never "。。"). The HTML helpers escape every value: names come from
spreadsheets anyone can type into (`report.markup`).

A low room (the layers of DESIGN.md): it imports only the report engine's markup, so domain objects use it
for their notebook display (``_repr_html_``) and the outline for its report content.
"""
from __future__ import annotations

import math
import re

import pandas as pd

from .report.markup import escape_html, grade_label, heading_html, paragraph_html

WAN = 10_000.0
_END = re.compile(r"[。；;，,、\s]+$")


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def wan(yuan, decimals: int = 2) -> str:
    """An amount in 元 as 万元 with thousands separators and two decimals ("6,177.00"); "—" if missing."""
    return "—" if _missing(yuan) else f"{float(yuan) / WAN:,.{decimals}f}"


def wan_text(yuan) -> str:
    """An amount for a sentence: "6,177.00 万元"."""
    return "—" if _missing(yuan) else f"{wan(yuan)} 万元"


def yi_text(yuan) -> str:
    """A large amount for a sentence: "20.33 亿元"."""
    return "—" if _missing(yuan) else f"{float(yuan) / 1e8:,.2f} 亿元"


def score(value) -> str:
    """A score or points with two decimals ("98.86", "10.00"); "—" if missing."""
    return "—" if _missing(value) else f"{float(value):.2f}"


def points(value) -> str:
    """Points as written on forms: 10, 12.5 (no trailing zeros)."""
    return "—" if _missing(value) else f"{float(value):g}"


def pct(rate, decimals: int = 2) -> str:
    """A fraction as a percentage ("98.47%"); "—" if missing."""
    return "—" if _missing(rate) else f"{float(rate) * 100:.{decimals}f}%"


def sentence(text) -> str:
    """Text ending with exactly one "。" (a trailing "。", "；" or "，" is replaced, never doubled)."""
    text = _END.sub("", str(text).strip())
    return text + "。" if text else ""


def clause(text) -> str:
    """Text without its final punctuation, to be continued: "……扣分说明：原因" + "。"."""
    return _END.sub("", str(text).strip())


_ENGLISH_GLOSS = re.compile(r"\s*\((?=[A-Za-z])[^()]*\)")


def chinese(text) -> str:
    """Text without its English glosses in brackets: "算术平均 (arithmetic mean)；…" → "算术平均；…"."""
    return _ENGLISH_GLOSS.sub("", str(text))


def numbered(items, style: str = "一是") -> list[str]:
    """Items numbered as Chinese reports do: 一是…；二是… ("一是") or （一）… ("（一）")."""
    digits = "一二三四五六七八九十"
    label = (lambda i: f"{digits[i]}是" if i < 10 else f"第{i + 1}") if style == "一是" else \
        (lambda i: f"（{digits[i]}）" if i < 10 else f"（{i + 1}）")
    return [label(i) + clause(x) + "。" for i, x in enumerate(items)]


def table_html(frame: pd.DataFrame, empty: str | None = None) -> str:
    """A frame as an escaped HTML table without the index (text left-aligned, numbers right-aligned,
    in JupyterLab as in the exported report); blanks for missing values.

    Values are shown as they are: format numbers first (`wan`, `score`, `pct`). An empty frame is
    never an empty table: ``empty`` (a sentence) is shown instead, or nothing.
    """
    if frame is None or len(frame) == 0:
        return paragraph_html(sentence(empty)) if empty else ""
    # a short label column (一级/二级 indicators, grades) never wraps a character per line in print
    longest = frame.astype(str).apply(lambda c: c.str.len().max()).to_numpy()
    short = [NOWRAP if n <= SHORT_COLUMN else MID_WIDTH if n <= MID_COLUMN else WIDE for n in longest]
    # headers may wrap (a 5-character header over 2-character values), short values may not
    head = "".join(f'<th style="text-align:left"{"" if s == NOWRAP and len(str(c)) > 4 else s}>{escape_html(c)}</th>'
                   for c, s in zip(frame.columns, short))
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    body = []
    for row in frame.itertuples(index=False):  # report tables have tens of rows
        cells = []
        for value, is_num, s in zip(row, numeric, short):
            text = "" if _missing(value) else (f"{value:g}" if isinstance(value, float) else str(value))
            # inline alignment: JupyterLab right-aligns table cells unless told otherwise
            cells.append(f'<td class="num" style="text-align:right">{escape_html(text)}</td>'
                         if is_num or _looks_numeric(text) else
                         f'<td style="text-align:left"{s}>{escape_html(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="perfeval-table"><thead><tr>{head}</tr></thead><tbody>' + "".join(body)
            + "</tbody></table>")


SHORT_COLUMN = 10  # characters: a column no wider than this is printed without wrapping
NOWRAP = ' class="nw"'
MID_COLUMN = 20  # characters: a column of names no longer than this keeps a readable width (6em) in print
MID_WIDTH = ' class="mid"'
WIDE = ' class="wide"'  # a column of sentences: wide enough to read (12em), never squeezed by the label columns


def technical_html(frame: pd.DataFrame, title: str = "输入文件") -> str:
    """A technical table (input file names, sizes, SHA-256) in a section the report export moves out of the
    reader's page into the technical appendix file (`perfeval.report.furniture.split_technical`)."""
    return (f'<section class="perfeval-technical"><h3>{escape_html(title)}</h3>' + table_html(frame)
            + "</section>")


_NUMERIC_TEXT = re.compile(r"^[−\-+]?[\d,]+(?:\.\d+)?%?$")


def _looks_numeric(text: str) -> bool:
    return bool(_NUMERIC_TEXT.match(text))


def html_list(items, ordered: bool = True) -> str:
    """A list of sentences as escaped HTML; an empty list gives nothing (callers say why in a sentence)."""
    items = [x for x in items if x]
    if not items:
        return ""
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{escape_html(x)}</li>" for x in items) + f"</{tag}>"


def paragraphs_html(texts) -> str:
    return "".join(paragraph_html(t) for t in texts if t)


__all__ = ["technical_html", "wan", "wan_text", "yi_text", "score", "points", "pct", "sentence", "clause", "chinese", "numbered",
           "table_html", "html_list", "paragraphs_html", "paragraph_html", "heading_html", "escape_html", "grade_label"]
