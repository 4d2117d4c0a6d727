"""The score basis of a city's year: which self-evaluation total and grade every page states.

A self-evaluation has two totals: the one the unit filled in (单位自评得分, ``total``/``grade``) and
the one after review (复核后得分, ``reviewed_total``/``reviewed_grade``: a score above what the rule
allows counts at the rule's top). A city states ONE of them everywhere — the project reports, the
index, the portfolio's department averages, the annual report, the results applied to next year's
budget and the disclosure tables — and says which. The basis is a setting of the year: ``score_basis``
in the data folder's ``city.yaml`` (``reviewed`` or ``self``; 复核后得分 / 单位自评得分 are accepted too;
read by :func:`perfeval.settings.score_basis`), ``reviewed`` when the folder does not say.

This module is low in the house: it knows only frames and labels.
"""
from __future__ import annotations

import pandas as pd

from .errors import InputError

SCORE_BASES = {"reviewed": "复核后得分", "self": "单位自评得分"}
DEFAULT_BASIS = "reviewed"
_ALIASES = {**{k: k for k in SCORE_BASES}, **{v: k for k, v in SCORE_BASES.items()}, "复核后": "reviewed", "自评": "self"}


def check(basis) -> str:
    """``basis`` as a code (``reviewed``/``self``; the Chinese labels are accepted); an InputError otherwise."""
    code = _ALIASES.get(str(basis).strip()) if basis is not None else None
    if code is None:
        raise InputError("得分口径应为 reviewed（复核后得分）或 self（单位自评得分）(score basis)",
                         expected="reviewed | self", found=basis)
    return code


def columns(basis: str) -> dict:
    """{"total", "grade", "score"} → the scorecard columns holding them on this basis."""
    if check(basis) == "reviewed":
        return {"total": "reviewed_total", "grade": "reviewed_grade", "score": "reviewed_score"}
    return {"total": "total", "grade": "grade", "score": "score"}


def on_basis(totals: pd.DataFrame, basis: str) -> pd.DataFrame:
    """Scorecard totals whose ``total``/``grade`` are the basis's; the unit's own are kept as ``self_total`` /
    ``self_grade`` (for the tables that show both). Frames without review columns are returned as they are."""
    cols = columns(basis)
    out = totals.copy()
    if "self_total" not in out and "total" in out:
        out["self_total"] = out["total"]
    if "self_grade" not in out and "grade" in out:
        out["self_grade"] = out["grade"]
    for key in ("total", "grade"):
        if cols[key] in totals and cols[key] != key:
            out[key] = totals[cols[key]]
    return out


def label(basis: str) -> str:
    """复核后得分 / 单位自评得分."""
    return SCORE_BASES[check(basis)]


def sentence(basis: str) -> str:
    """One sentence stating the basis, for every page's settings or notes."""
    if check(basis) == "reviewed":
        return ("单位自评得分以复核后得分为准（自评得分高于评分规则允许的最高分的，按最高分计），"
                "本年度各报告、索引、结果应用和公开表均采用同一口径")
    return "单位自评得分以单位自评表填报的得分为准，本年度各报告、索引、结果应用和公开表均采用同一口径"


__all__ = ["DEFAULT_BASIS", "SCORE_BASES", "check", "columns", "label", "on_basis", "sentence"]
