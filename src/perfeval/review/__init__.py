"""Review of self-evaluation forms (自评复核): the findings a reviewer looks for.

Each check is a boolean mask over the scored rows (:mod:`.rows`) or the project totals
(:mod:`.projects`); findings become rows of one flags frame (project_id, code, severity, row,
level3, message, expected, found), sorted by project, row and code. :data:`FLAG_INFO` lists every
code with its severity and Chinese title; the codes in :data:`WITHHOLDING` take the project's grade
away (see :func:`perfeval.totals.withhold`).
"""
from __future__ import annotations

import pandas as pd

from .codes import FLAG_COLUMNS, FLAG_INFO, SEVERITY_LABELS, WITHHOLDING, empty_flags, is_blank_text
from .projects import project_findings
from .rows import row_findings


def review(res: pd.DataFrame, totals: pd.DataFrame, scheme, codes) -> pd.DataFrame:
    """All findings for scored rows ``res`` and ``totals`` under ``scheme`` (its ReviewSettings)."""
    frames = [f for f in row_findings(res, scheme) + project_findings(res, totals, scheme, codes) if len(f)]
    if not frames:
        return empty_flags()
    flags = pd.concat(frames, ignore_index=True)
    order = pd.Index(totals["project_id"]).get_indexer(flags["project_id"])
    rank = {code: i for i, code in enumerate(FLAG_INFO)}
    flags = flags.assign(_o=order, _r=flags["row_index"].astype(float).fillna(-1), _c=flags["code"].map(rank))
    return flags.sort_values(["_o", "_r", "_c"], kind="stable").drop(columns=["_o", "_r", "_c"]).reset_index(drop=True)


def summarize(flags: pd.DataFrame) -> pd.DataFrame:
    """Count of findings per code and severity, with the Chinese title."""
    if flags.empty:
        return pd.DataFrame(columns=["code", "severity", "title", "count"])
    c = flags.groupby(["code", "severity"]).size().rename("count").reset_index()
    c["title"] = c["code"].map(lambda k: FLAG_INFO[k][1])
    return c[["code", "severity", "title", "count"]].sort_values("count", ascending=False, kind="stable")


__all__ = ["review", "summarize", "FLAG_INFO", "FLAG_COLUMNS", "SEVERITY_LABELS", "WITHHOLDING", "is_blank_text"]


def __getattr__(name: str):  # the target review (绩效目标审核) is imported on first use
    if name in ("review_targets", "TargetReview", "TargetRules"):
        from . import targets

        return getattr(targets, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
