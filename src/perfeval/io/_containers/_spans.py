"""Grids from tables of text cells with spans: the common end of the Word and HTML readers.

A table arrives as anchors ``(row, col, rowspan, colspan, text)``; the covered cells take the
anchor's text and point to it (``top``/``left``) as a merged range in a workbook does. Paragraphs
written above a table (the title "项目支出绩效自评表", "（2021年度）") come first as rows merged
across the table's width, as they are in the Excel form. Every value is text; the form readers
parse numbers from text ("6177.00", "98.47%") as they do for csv.
"""
from __future__ import annotations

import numpy as np

from .._grid import Grid, _make_grid


def grid_from_anchors(anchors: list[tuple[int, int, int, int, str]], leads: list[str], file: str,
                      sheet: str) -> Grid:
    """A merge-filled Grid of text cells; ``leads`` are title lines put above the table."""
    lead = len(leads)
    nrows = lead + max((r + rs for r, _, rs, _, _ in anchors), default=1)
    ncols = max((c + cs for _, c, _, cs, _ in anchors), default=1)
    raw = np.full((nrows, ncols), None, dtype=object)
    top = np.repeat(np.arange(nrows)[:, None], ncols, axis=1)
    left = np.repeat(np.arange(ncols)[None, :], nrows, axis=0)
    cells = [(i, 0, 1, ncols, t) for i, t in enumerate(leads)] + [(r + lead, c, rs, cs, t) for r, c, rs, cs, t in anchors]
    for r0, c0, rs, cs, text in cells:  # one step per table cell
        text = text.strip()
        raw[r0:r0 + rs, c0:c0 + cs] = text or None
        top[r0:r0 + rs, c0:c0 + cs] = r0
        left[r0:r0 + rs, c0:c0 + cs] = c0
    fmt = np.full((nrows, ncols), "General", dtype=object)
    return _make_grid(raw, fmt, top, left, file, sheet)
