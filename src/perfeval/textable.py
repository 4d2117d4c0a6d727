"""Plain-text tables that line up Chinese text in a terminal (CJK characters are two columns wide)."""
from __future__ import annotations

import pandas as pd

from .io._xlsx import display_width


def _cell(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    if isinstance(v, float):
        return f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else f"{int(v)}"
    return str(v).replace("\n", " ")


def format_table(frame: pd.DataFrame, max_width: int = 24) -> str:
    """Render a frame as an aligned text table; long cells are cut with an ellipsis."""
    def cut(s: str) -> str:
        if display_width(s) <= max_width:
            return s
        out, w = "", 0
        for ch in s:
            cw = display_width(ch)
            if w + cw > max_width - 1:
                break
            out, w = out + ch, w + cw
        return out + "…"

    header = [cut(str(c)) for c in frame.columns]
    body = [[cut(_cell(v)) for v in row] for row in frame.itertuples(index=False)]
    widths = [max([display_width(h)] + [display_width(r[i]) for r in body]) for i, h in enumerate(header)]

    def line(cells):
        return "  ".join(c + " " * (w - display_width(c)) for c, w in zip(cells, widths)).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), sep] + [line(r) for r in body])
