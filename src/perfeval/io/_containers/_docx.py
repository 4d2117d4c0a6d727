"""Word .docx forms: every table of the document as a Grid (python-docx opens the package).

A cell's text is its paragraphs joined by line breaks. Horizontal merges are ``w:gridSpan``,
vertical ones ``w:vMerge`` (``restart`` opens a range, an empty ``vMerge`` continues the one above);
``w:gridBefore`` skipped columns are honoured. The paragraphs written between the previous table
and this one (the form's title and year) become the grid's first rows. Nested tables are not read.
"""
from __future__ import annotations

from pathlib import Path

from ...errors import InputError, Location
from .._grid import Grid
from ._spans import grid_from_anchors

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_LEADS = 3  # title lines kept above a table


def _text(el) -> str:
    """Text of a paragraph: its runs' text, tabs and line breaks."""
    return "".join((t.text or "") if t.tag == W + "t" else ("\t" if t.tag == W + "tab" else "\n")
                   for t in el.iter(W + "t", W + "tab", W + "br"))


def _cell_text(tc) -> str:
    return "\n".join(_text(p) for p in tc.findall(W + "p"))


def _val(el, path: str, default=None):
    found = el.find(path)
    return default if found is None else found.get(W + "val", "")


def _table_anchors(tbl) -> list[tuple[int, int, int, int, str]]:
    anchors: list[list] = []
    open_at: dict[int, list] = {}  # column → anchor of the vertical range running through it
    for r, tr in enumerate(tbl.xpath("./w:tr | ./w:sdt/w:sdtContent/w:tr")):
        c = int(_val(tr, f"{W}trPr/{W}gridBefore", 0) or 0)
        for tc in tr.xpath("./w:tc | ./w:sdt/w:sdtContent/w:tc"):  # one step per cell (content controls too)
            span = int(_val(tc, f"{W}tcPr/{W}gridSpan", 1) or 1)
            vmerge = _val(tc, f"{W}tcPr/{W}vMerge")
            if vmerge is not None and vmerge != "restart" and c in open_at:
                open_at[c][2] = r - open_at[c][0] + 1  # the range above grows by this row
            else:
                anchor = [r, c, 1, span, _cell_text(tc)]
                anchors.append(anchor)
                for k in range(c, c + span):
                    open_at.pop(k, None)
                if vmerge == "restart":
                    open_at[c] = anchor
            c += span
    return [tuple(a) for a in anchors]


def load_docx_grids(path: Path) -> list[Grid]:
    """Every table of a Word document as a merge-filled Grid of text cells."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        body = docx.Document(str(path)).element.body
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise InputError("Word 文档已损坏，无法打开 (cannot open .docx)", where=Location(file=path.name),
                         expected="在 Word/WPS 中打开后重新保存为 .docx 再提交",
                         found=f"{type(exc).__name__}: {exc}") from None
    grids, leads = [], []
    blocks = body.xpath("./w:p | ./w:tbl | ./w:sdt/w:sdtContent/w:p | ./w:sdt/w:sdtContent/w:tbl")
    for el in blocks:  # paragraphs and tables in document order
        if el.tag == W + "p":
            text = _text(el).strip()
            if text:
                leads.append(text)
        elif el.tag == W + "tbl":
            grids.append(grid_from_anchors(_table_anchors(el), leads[-MAX_LEADS:], path.name, f"表格{len(grids) + 1}"))
            leads = []
    if not grids:
        raise InputError("Word 文档中没有表格 (no table in the document)", where=Location(file=path.name),
                         expected="以 Word 表格填写的自评表", found="只有文字段落")
    return grids
