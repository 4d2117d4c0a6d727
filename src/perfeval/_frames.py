"""Column checks shared by the frame readers: numbers where numbers are due, with the cell named.

A non-numeric entry becomes an InputError naming file, sheet, row and column: the row is the
frame's own ``source_row`` when it has one (rows read from a form), else the position plus
``first_row`` (2 for a CSV whose line 1 is the header).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import InputError, Location


def numeric_column(frame: pd.DataFrame, col: str, *, file: str | None = None, first_row: int = 1,
                   required: bool = False) -> np.ndarray:
    """Float values of ``frame[col]``; blanks stay NaN unless ``required``."""
    raw = frame[col]
    num = pd.to_numeric(raw, errors="coerce")
    bad = num.isna().to_numpy().copy()
    if not required:  # a blank cell is allowed; text that is not a number is not
        blank = raw.isna().to_numpy().copy()
        text = ~blank & bad
        if text.any():
            blank[text] = (raw[text].astype(str).str.strip() == "").to_numpy()
        bad &= ~blank
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        rec = frame.iloc[i]
        row = int(rec["source_row"]) if "source_row" in frame and pd.notna(rec["source_row"]) else i + first_row
        where = Location(file=rec.get("source_file", file) if "source_file" in frame else file,
                         sheet=rec.get("source_sheet") if "source_sheet" in frame else None, row=row, column=col)
        raise InputError(f"“{col}”须为数字 (must be a number)", where=where, expected="数字", found=raw.iloc[i])
    return num.to_numpy(dtype=float)
