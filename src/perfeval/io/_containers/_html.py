"""HTML pages holding the form as a table (web systems, "save as web page", .xls that is HTML).

Parsed with lxml.html. Each outermost ``<table>`` is one Grid; ``colspan``/``rowspan`` are laid on an
occupancy map as a browser does and become merged ranges; ``<br>`` is a line break; a cell's
nested tables are not read. Headings and paragraphs between the previous table and this one (the
form's title and year) become the grid's first rows. The charset is taken from a BOM, then from
``<meta charset>`` / ``http-equiv`` in the first bytes, else UTF-8 and then GB18030 (GBK) are tried.
"""
from __future__ import annotations

import re
from pathlib import Path

from lxml import etree, html

from ...errors import InputError, Location
from .._grid import Grid
from ._spans import grid_from_anchors

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
LEAD_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "caption", "title"}
MAX_LEADS = 3
MAX_SPAN = 1000  # browsers cap rowspan/colspan too


def decode_html(data: bytes, name: str) -> tuple[str, str]:
    """(text, encoding) of an HTML file: BOM, then the meta charset, then UTF-8, then GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace"), "utf-16"
    found = META_CHARSET.search(data[:4096])
    tries = ([found.group(1).decode("ascii").lower()] if found else []) + ["utf-8", "gb18030"]
    for enc in tries:
        enc = "gb18030" if enc in ("gbk", "gb2312", "gb18030") else enc
        try:
            return data.decode(enc), enc
        except (UnicodeDecodeError, LookupError):
            continue
    raise InputError("无法识别网页文件的编码 (cannot decode HTML)", where=Location(file=name),
                     expected="UTF-8 或 GBK 编码的网页", found="无法解码的字节")


def _cell_text(cell) -> str:
    for br in cell.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for block in cell.iter("p", "div", "li"):  # paragraphs in a cell are lines, as in Excel
        block.tail = "\n" + (block.tail or "")
    parts = [cell.text or ""] + [t for child in cell if child.tag != "table"
                                 for t in (etree.tostring(child, method="text", encoding="unicode", with_tail=False),
                                           child.tail or "")]
    lines = "".join(parts).replace("\xa0", " ").split("\n")
    return "\n".join(re.sub(r"[ \t\r\f\v]+", " ", ln).strip() for ln in lines).strip()


def _span(cell, attr: str) -> int:
    try:
        return max(1, min(int(re.sub(r"\D", "", cell.get(attr, "1")) or 1), MAX_SPAN))
    except ValueError:
        return 1


def _table_anchors(table) -> list[tuple[int, int, int, int, str]]:
    rows = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    taken: set[tuple[int, int]] = set()
    anchors = []
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr.xpath("./td | ./th"):  # one step per cell
            while (r, c) in taken:
                c += 1
            rs, cs = _span(cell, "rowspan"), _span(cell, "colspan")
            rs = min(rs, len(rows) - r)
            anchors.append((r, c, rs, cs, _cell_text(cell)))
            taken.update((r + i, c + j) for i in range(rs) for j in range(cs))
            c += cs
    return anchors


def load_html_grids(path: Path) -> tuple[list[Grid], list[str]]:
    """Every outermost table of an HTML page as a merge-filled Grid, and a note on the encoding."""
    text, encoding = decode_html(path.read_bytes(), path.name)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses a str with an encoding declaration
    try:
        root = html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise InputError("网页文件无法解析 (cannot parse HTML)", where=Location(file=path.name),
                         expected="含自评表表格的网页", found=f"{type(exc).__name__}: {exc}") from None
    grids, leads = [], []
    for el in root.iter(*LEAD_TAGS, "table"):  # document order
        if el.tag != "table":
            if el.tag != "caption" and next(el.iterancestors("table"), None) is None:
                line = re.sub(r"\s+", " ", el.text_content()).strip()
                if line and el.tag != "title":
                    leads.append(line)
            continue
        if next(el.iterancestors("table"), None) is not None:
            continue
        caption = el.find("caption")
        mine = leads[-MAX_LEADS:] + ([caption.text_content().strip()] if caption is not None else [])
        anchors = _table_anchors(el)
        if anchors:
            grids.append(grid_from_anchors(anchors, [t for t in mine if t], path.name, f"表格{len(grids) + 1}"))
        leads = []
    if not grids:
        raise InputError("网页中没有表格 (no table in the page)", where=Location(file=path.name),
                         expected="以表格（<table>）呈现的自评表", found="没有 <table> 的网页")
    notes = [] if encoding in ("utf-8", "utf-8-sig") else [f"网页编码为 {encoding.upper()}，已按此解码"]
    return grids, notes
