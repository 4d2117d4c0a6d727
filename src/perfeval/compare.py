"""Where a number meets a band, a threshold or a target: compared at one stated precision.

Totals are sums of decimal points and scores (12.5 + 9.78 + …) computed in binary floating
point, so the same sum can come out as 90.00000000000001 on one machine and 89.99999999999999 on
another (the order of the additions depends on the BLAS kernel and the CPU). Every comparison
that decides a grade, a review flag, a monitoring light or whether a target was met goes through
this module: both sides are first rounded to ``DECIMALS`` decimal places, which removes that
noise and nothing a person ever writes on a form.
"""
from __future__ import annotations

import numpy as np

DECIMALS = 9
# what a reader's settings appendix says (the digits are the technical appendix's business, not the reader's)
DESCRIPTION = "分数与分数线比较时消除计算尾差，恰好等于分数线的按达到分数线计"
_LARGE = 1e15  # beyond this a double has no digits after the point left to snap


def snap(values, decimals: int = DECIMALS) -> np.ndarray:
    """Values rounded to ``decimals`` places (as float64 arrays); huge and non-finite values as they are."""
    arr = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        out = np.where(np.abs(arr) < _LARGE, np.round(arr, decimals), arr)
    return out + 0.0  # -0.0 → 0.0


def ge(a, b) -> np.ndarray:
    """a ≥ b at the stated precision (NaN on either side gives False)."""
    return snap(a) >= snap(b)


def gt(a, b) -> np.ndarray:
    return snap(a) > snap(b)


def le(a, b) -> np.ndarray:
    return snap(a) <= snap(b)


def lt(a, b) -> np.ndarray:
    return snap(a) < snap(b)


def band_index(values, lower_bounds, inclusive=True) -> np.ndarray:
    """For descending lower bounds, how many bounds each value falls below.

    0 is the best band; ``len(lower_bounds)`` the lowest. NaN values count as below every bound.
    ``inclusive`` (one flag, or one per bound): a value equal to an inclusive bound reaches it
    (≥, the default: "90分(含)以上"); an exclusive bound must be exceeded (>: "60分以上建议立项" read
    as "> 60").
    """
    x = snap(np.atleast_1d(values))
    bounds = snap(np.asarray(lower_bounds, dtype=float))
    flags = np.broadcast_to(np.asarray(inclusive, dtype=bool), bounds.shape)
    reached = np.where(flags[None, :], x[:, None] >= bounds[None, :], x[:, None] > bounds[None, :])
    return (~reached).sum(axis=1)


__all__ = ["DECIMALS", "DESCRIPTION", "snap", "ge", "gt", "le", "lt", "band_index"]
