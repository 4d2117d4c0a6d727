"""The vectorised scoring function of each rule kind, and the one qualitative tier table.

Every function takes the rows of one (kind, parameters) group as a :class:`RuleInput` and the
group's effective parameters, and returns ``(reference, low, high, met)`` arrays: the reference
score, the band of awarded scores the rule accepts and whether the target was met (1/0, NaN
unknown). Targets and actuals are compared at the precision of :mod:`perfeval.compare`. The
formulas follow the production rules of a provincial budget-integration system (domain.md §1.4
[S7]) and the deduction and step rules printed on real score sheets ([S14][S17]).
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from .. import compare


@dataclass(frozen=True)
class Tier:
    """One level of a qualitative indicator: reference share of the points and the accepted band."""

    label: str
    reference: float
    low: float
    high: float


# The one tier table ([S3][S7]: 达成 100–80 %, 部分达成 80–60 %, 未达成 60–0 % of the points);
# "basic" (基本达成) sits inside the 达成 band with its reference at the band's lower edge.
QUALITATIVE_TIERS = MappingProxyType({
    "full": Tier("达成年度指标", 1.0, 0.8, 1.0),
    "basic": Tier("基本达成年度指标", 0.8, 0.8, 1.0),
    "partial": Tier("部分达成并具有一定效果", 0.6, 0.6, 0.8),
    "none": Tier("未达成且效果较差", 0.0, 0.0, 0.6),
})


def tiers_from_bands(bands) -> dict:
    """Tiers from a rule's ``tiers`` parameter {level: [low, high]} over the default table: the
    reference is the band's top for "full" and its bottom otherwise."""
    out = dict(QUALITATIVE_TIERS)
    for level, (low, high) in (bands or {}).items():
        out[level] = Tier(QUALITATIVE_TIERS[level].label, float(high if level == "full" else low),
                          float(low), float(high))
    return out


@dataclass(frozen=True)
class RuleInput:
    """The rows of one rule group: points w, target t and actual a in one base unit (NaN where
    absent), the parsed levels of qualitative target and actual, and the actual's text."""

    w: np.ndarray
    t: np.ndarray
    a: np.ndarray
    a_level: np.ndarray
    t_level: np.ndarray
    actual_text: np.ndarray


def _fixed(score, met, known):
    """A rule with one reference score and no band: low = high = reference."""
    ref = np.where(known, score, np.nan)
    return ref, ref, ref, np.where(known, np.asarray(met, dtype=float), np.nan)


def _both(x: RuleInput):
    return ~np.isnan(x.t) & ~np.isnan(x.a)


def positive(x: RuleInput, p: dict):
    """a ≥ t → w; a < t → a/t × w (t ≤ 0: 0)."""
    met = compare.ge(x.a, x.t)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        partial = np.where(x.t > 0, np.clip(x.a / x.t, 0.0, 1.0) * x.w, 0.0)
    return _fixed(np.where(met, x.w, partial), met, _both(x))


def reverse(x: RuleInput, p: dict):
    """a ≤ t → w; ``linear``: (1 − (a − t)/t) × w, 0 from 2t; ``ratio``: t/a × w."""
    met = compare.le(x.a, x.t)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if p.get("variant", "linear") == "ratio":
            partial = np.where(x.a > 0, np.clip(x.t / x.a, 0.0, 1.0) * x.w, 0.0)
        else:
            partial = np.where(x.t > 0, np.clip(1.0 - (x.a - x.t) / x.t, 0.0, 1.0) * x.w, 0.0)
    return _fixed(np.where(met, x.w, partial), met, _both(x))


def equal(x: RuleInput, p: dict):
    """t = 0 → full marks if a ≤ 0, else 0; t > 0 → as positive."""
    zero = compare.snap(x.t) == 0
    ref, _, _, met = positive(x, p)
    at_most_zero = compare.le(x.a, 0.0)
    known = _both(x)
    score = np.where(zero, np.where(at_most_zero, x.w, 0.0), ref)
    return _fixed(score, np.where(zero, at_most_zero, met == 1), known)


def date(x: RuleInput, p: dict):
    """Done on or before the deadline → w; later → late_share × w."""
    met = compare.le(x.a, x.t)
    return _fixed(np.where(met, x.w, float(p.get("late_share", 0.0)) * x.w), met, _both(x))


def step(x: RuleInput, p: dict):
    """Share of the points from descending threshold bands on the actual or on a/t × 100."""
    bands = p["bands"]
    thresholds = [b[0] for b in bands]
    shares = np.asarray([b[1] for b in bands] + [0.0], dtype=float)
    on_actual = p.get("on", "actual") == "actual"
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        value = x.a if on_actual else np.where(x.t != 0, x.a / x.t * 100.0, np.nan)
    share = shares[compare.band_index(value, thresholds)]
    known = ~np.isnan(value)
    return _fixed(share * x.w, share >= 1.0, known)


def deduction(x: RuleInput, p: dict):
    """w − per_unit × deviation / unit_size, floored at 0 (扣完为止); deviation from ``limit``
    when the rule has one, else from the row's target. ``whole_units``: only FULL units count
    ("每低于5%扣2分": 7 points below is one step) [dept-overall.md §3 D5]; ``zero_above``: no points
    once the deviation exceeds it."""
    base = np.full(len(x.w), float(p["limit"])) if p.get("limit") is not None else x.t
    deviation = (x.a - base) if p.get("direction", "over") == "over" else (base - x.a)
    deviation = np.clip(compare.snap(deviation), 0.0, None)
    units = deviation / float(p.get("unit_size", 1.0))
    if p.get("whole_units", False):
        units = np.floor(compare.snap(units))
    score = np.clip(x.w - float(p["per_unit"]) * units, 0.0, None)
    if p.get("zero_above") is not None:
        score = np.where(compare.gt(deviation, float(p["zero_above"])), 0.0, score)
    return _fixed(np.minimum(score, x.w), deviation <= 0, ~np.isnan(base) & ~np.isnan(x.a))


def binary(x: RuleInput, p: dict):
    """是/否: full marks when the actual says what the target says (a target of 否 is met by 否)."""
    want = np.where(pd.isna(x.t_level), "full", x.t_level)
    known = np.isin(x.a_level, ("full", "none"))
    hit = known & (x.a_level == want)
    return _fixed(np.where(hit, x.w, 0.0), hit, known)


def qualitative(x: RuleInput, p: dict):
    """The actual's level (达成/基本/部分/未达成) picks a tier: reference and accepted band."""
    n = len(x.w)
    ref, low, high, met = (np.full(n, np.nan) for _ in range(4))
    for level, tier in tiers_from_bands(p.get("tiers")).items():  # four tiers, not rows
        sel = x.a_level == level
        ref[sel], low[sel], high[sel] = tier.reference * x.w[sel], tier.low * x.w[sel], tier.high * x.w[sel]
        met[sel] = 1.0 if level == "full" else (0.0 if level in ("partial", "none") else np.nan)
    return ref, low, high, met


def checklist(x: RuleInput, p: dict):
    """Σ points of the listed items the actual names, at most w."""
    text = pd.Series(x.actual_text, dtype=object).fillna("").astype(str)
    score = np.zeros(len(text))
    for item in p.get("items", []):  # loop over checklist items, not rows
        score += text.str.contains(str(item["name"]), regex=False).to_numpy() * float(item["points"])
    score = np.minimum(score, x.w)
    return _fixed(score, compare.ge(score, x.w), np.ones(len(score), dtype=bool))


def execution(points, rate) -> np.ndarray:
    """得分 = 分值 × min(执行率, 1) (real-tables.md: always capped at 分值)."""
    return np.asarray(points, dtype=float) * np.clip(np.asarray(rate, dtype=float), 0.0, 1.0)
