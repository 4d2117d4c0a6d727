"""Reading numbers out of a participant's answer: one place for whole numbers, amounts and day counts.

An answer typed in a notebook may be an int, a float, a numeric string ("20", "20.0", "20天") or
something else entirely (True, inf, "1e400", 3.7). These helpers return the number when it is a
proper one and ``None`` otherwise, so a checker can say "this is not a whole number" instead of
crashing (OverflowError) or silently truncating (3.7 read as 3).
"""
from __future__ import annotations

import math
import re

_UNIT_SUFFIX = re.compile(r"\s*(天|日|个|份|分|万元)\s*$")


def number(value, *, strip_units: bool = False) -> float | None:
    """A finite number, or None (booleans, blanks, NaN, infinities and non-numbers are not numbers)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if strip_units:
            text = _UNIT_SUFFIX.sub("", text)
        if not text:
            return None
        value = text
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return v if math.isfinite(v) else None


def whole(value, *, strip_units: bool = False) -> int | None:
    """A whole number (finite and integral: 20, 20.0, "20", "20天" with strip_units), or None (3.7, inf, True)."""
    v = number(value, strip_units=strip_units)
    if v is None or v != int(v):
        return None
    return int(v)


__all__ = ["number", "whole"]
