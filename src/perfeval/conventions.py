"""Named conventions: rounding rules and grade bands.

Every number perfeval prints passes through a convention that has a name, so that a report can say
which one it used. Rounding is vectorised and decimal-safe: values are first snapped to 9 decimals
to undo binary noise (1.005 * 100 = 100.49999...), then rounded the way the name says.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import compare
from .errors import InputError

ROUNDINGS = {
    "half_up_2dp": "四舍五入保留两位小数 (half-up, 2 dp)",
    "int": "四舍五入取整 (half-up to an integer)",
    "floor_int": "向下取整 (floor to an integer)",
    "ceil_2dp": "向上保留两位小数 (ceiling, 2 dp)",
    "trunc_2dp": "截断保留两位小数 (truncate, 2 dp)",
    "half_up_1dp": "四舍五入保留一位小数 (half-up, 1 dp)",
    "none": "不取舍 (no rounding)",
}


def check_rounding(name: str) -> str:
    if name not in ROUNDINGS:
        raise InputError("未知的取舍规则 (unknown rounding convention)",
                         expected=" / ".join(ROUNDINGS), found=name)
    return name


def apply_rounding(values, name: str = "half_up_2dp"):
    """Round `values` (scalar, array or Series) by the named convention; NaN stays NaN."""
    check_rounding(name)
    if name == "none":
        return values
    arr = np.asarray(values, dtype=float)
    decimals = {"half_up_2dp": 2, "int": 0, "floor_int": 0, "ceil_2dp": 2,
                "trunc_2dp": 2, "half_up_1dp": 1}[name]
    scale = 10.0 ** decimals
    scaled = np.round(arr * scale, 9)
    if name in ("half_up_2dp", "int", "half_up_1dp"):
        out = np.sign(scaled) * np.floor(np.abs(scaled) + 0.5)
    elif name == "floor_int":
        out = np.floor(scaled)
    elif name == "ceil_2dp":
        out = np.ceil(scaled)
    else:  # trunc_2dp
        out = np.trunc(scaled)
    out = out / scale + 0.0  # +0.0 turns -0.0 into 0.0
    if isinstance(values, pd.Series):
        return pd.Series(out, index=values.index, name=values.name)
    if np.ndim(values) == 0:
        return float(out)
    return out


GRADE_LABEL_VARIANTS = {
    "优": "优", "优秀": "优",
    "良": "良", "良好": "良",
    "中": "中", "合格": "中", "一般": "中", "及格": "中",
    "差": "差", "不合格": "差", "较差": "差",
}


@dataclass(frozen=True)
class GradeBands:
    """Half-open grade bands on the (by default unrounded) total: lower bound inclusive.

    Default: 优 ≥ 90, 良 80–<90, 中 60–<80, 差 < 60 (财预〔2020〕10号; provincial rule
    "90分(含)~100分 优; 80分(含)~90分 良; 60分(含)~80分 中; 60分以下 差").
    """

    lower_bounds: tuple[float, ...] = (90.0, 80.0, 60.0)
    labels: tuple[str, ...] = ("优", "良", "中", "差")
    on: str = "unrounded"  # or "rounded": grade the total after score rounding
    name: str = "mof-2020"
    label_variants: dict = field(default_factory=lambda: dict(GRADE_LABEL_VARIANTS))

    def __post_init__(self):
        if len(self.labels) != len(self.lower_bounds) + 1:
            raise InputError("等级标签数应比分界点多一个 (labels must be one more than bounds)",
                             expected=len(self.lower_bounds) + 1, found=len(self.labels))
        if list(self.lower_bounds) != sorted(self.lower_bounds, reverse=True):
            raise InputError("等级分界点须从高到低排列 (bounds must descend)",
                             found=self.lower_bounds)
        if self.on not in ("unrounded", "rounded"):
            raise InputError("定级依据须为 unrounded 或 rounded", found=self.on)

    def index(self, totals) -> np.ndarray:
        """Index of each total's label (0 = best), compared at the precision of :mod:`perfeval.compare`
        (half-open bands, lower bound inclusive: 89.99999999999999 is 90, i.e. 优)."""
        return compare.band_index(totals, self.lower_bounds)

    def grade(self, totals):
        """Vectorised grading; returns an array of labels (None where the total is NaN)."""
        arr = np.atleast_1d(np.asarray(totals, dtype=float))
        labels = np.asarray(self.labels, dtype=object)[self.index(arr)]
        labels[np.isnan(arr)] = None
        return labels

    def normalize_label(self, label):
        """Map a published label variant (优秀, 合格, 不合格…) onto this scale's labels."""
        if label is None or (isinstance(label, float) and np.isnan(label)):
            return None
        text = str(label).strip()
        canon = self.label_variants.get(text, text)
        return canon

    def describe(self) -> str:
        parts = []
        upper = None
        for lab, lo in zip(self.labels, list(self.lower_bounds) + [None]):
            if lo is None:
                parts.append(f"{lab} <{upper:g}")
            elif upper is None:
                parts.append(f"{lab} ≥{lo:g}")
            else:
                parts.append(f"{lab} {lo:g}–<{upper:g}")
            upper = lo if lo is not None else upper
        basis = "未取舍总分" if self.on == "unrounded" else "取舍后总分"
        return f"{'；'.join(parts)}（按{basis}定级，恰好等于分数线的按达到计）"
