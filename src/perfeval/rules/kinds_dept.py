"""The scoring functions of the rule kinds department-overall forms need (dept-overall.md §3, §8.4).

Same contract as :mod:`.kinds`: each takes the rows of one (kind, parameters) group as a
:class:`~.kinds.RuleInput` and returns ``(reference, low, high, met)`` arrays, numpy over the group.

* step_reverse: lower-is-better bands with INCLUSIVE upper bounds ("=0 → 3; (0,10] → 2; (10,20] → 1;
  (20,30] → 0.5; >30 → 0" [D4][D5]); above the last bound 0;
* per_event: w − per_event × count, 扣完为止 ("每发现一处违规扣1分" [D4]); the actual is the count;
* linear_penalty: (1 − factor × a / scale) × w, 0 above ``zero_above`` ("(1 − 10 × 调剂/年初) × A,
  0 above 10 %" [D9]);
* share_met: w × share of the department's project quantity indicators met, the share (in %) being the
  row's actual, computed by :func:`met_within_band` (a miss or an overshoot beyond the band = not met [D9]);
* coefficient: 指标得分 = 指标权重 × 得分系数 (重庆 [D14]); the actual is the coefficient in %.

The whole-step deduction ("每低于5%扣2分" [D5]) is the ``whole_units`` option of ``deduction``
(:func:`.kinds.deduction`).
"""
from __future__ import annotations

import numpy as np

from .. import compare
from .kinds import RuleInput, _fixed


def _value(x: RuleInput, p: dict) -> np.ndarray:
    """The actual itself, or the rate a/t × 100 (``on: rate``)."""
    if p.get("on", "actual") == "actual":
        return x.a
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(x.t != 0, x.a / x.t * 100.0, np.nan)


def step_reverse(x: RuleInput, p: dict):
    """Share of the points of the first band whose upper bound the value does not exceed (≤, inclusive)."""
    uppers = compare.snap(np.asarray([b[0] for b in p["bands"]], dtype=float))
    shares = np.asarray([b[1] for b in p["bands"]] + [0.0], dtype=float)
    value = _value(x, p)
    known = ~np.isnan(value)
    idx = np.searchsorted(uppers, compare.snap(np.where(known, value, 0.0)), side="left")
    share = shares[idx]
    return _fixed(share * x.w, share >= 1.0, known)


def per_event(x: RuleInput, p: dict):
    """w − per_event × count, floored at 0; met when there was no event."""
    count = np.clip(compare.snap(x.a), 0.0, None)
    score = np.clip(x.w - float(p["per_event"]) * count, 0.0, None)
    return _fixed(np.minimum(score, x.w), count == 0, ~np.isnan(x.a))


def linear_penalty(x: RuleInput, p: dict):
    """(1 − factor × a / scale) × w within [0, w]; 0 where a > zero_above (when given)."""
    ratio = np.clip(compare.snap(x.a), 0.0, None) / float(p.get("scale", 100.0))
    score = np.clip(1.0 - float(p["factor"]) * ratio, 0.0, 1.0) * x.w
    if p.get("zero_above") is not None:
        score = np.where(compare.gt(x.a, float(p["zero_above"])), 0.0, score)
    return _fixed(score, compare.le(x.a, 0.0), ~np.isnan(x.a))


def _share_of_points(x: RuleInput):
    share = np.clip(compare.snap(x.a) / 100.0, 0.0, 1.0)
    return _fixed(share * x.w, share >= 1.0, ~np.isnan(x.a))


def share_met(x: RuleInput, p: dict):
    """w × (met / all) where the actual is the share met in %."""
    return _share_of_points(x)


def coefficient(x: RuleInput, p: dict):
    """指标权重 × 得分系数 where the actual is the coefficient in % (clipped to [0, 100])."""
    return _share_of_points(x)


def met_within_band(actual, target, high: float = 1.3) -> np.ndarray:
    """1.0 where a project quantity indicator is met — a/t in [1, high] — 0.0 where missed or overshot
    beyond the band, NaN where either side is absent or the target is not positive (unknown, not a miss)."""
    a = np.asarray(actual, dtype=float)
    t = np.asarray(target, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.where(t > 0, a / t, np.nan)
    met = (compare.ge(ratio, 1.0) & compare.le(ratio, float(high))).astype(float)
    return np.where(np.isnan(ratio), np.nan, met)
