"""Named conventions: rounding and grade bands.

Grade bands: 财预〔2020〕10号 as unified by MOF 预算司 ([S1]: 90–100 优, 80–89 良, 60–79 中, 0–59 差) and
the half-open provincial wording ([S2]: "90分(含)~100分 优; 80分(含)~90分 良; 60分(含)~80分 中;
60分以下 差"), applied to the unrounded total (domain.md §1.3).
"""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval.conventions import ROUNDINGS, GradeBands, apply_rounding
from perfeval.errors import InputError


@pytest.mark.parametrize("name,value,expected", [
    ("half_up_2dp", 1.005, 1.01), ("half_up_2dp", 2.675, 2.68), ("half_up_2dp", 9.994999, 9.99),
    ("half_up_2dp", 0.125, 0.13), ("int", 89.5, 90), ("int", 89.49, 89), ("floor_int", 9.99, 9),
    ("ceil_2dp", 9.501, 9.51), ("ceil_2dp", 9.5, 9.5), ("trunc_2dp", 9.879, 9.87), ("half_up_1dp", 9.85, 9.9),
    ("none", 9.87654, 9.87654),
])
def test_rounding_examples(name, value, expected):
    assert apply_rounding(value, name) == pytest.approx(expected, abs=1e-12)


def test_rounding_keeps_nan_and_series():
    import pandas as pd
    s = pd.Series([1.005, np.nan], index=["a", "b"], name="x")
    out = apply_rounding(s, "half_up_2dp")
    assert out.index.tolist() == ["a", "b"] and out.iloc[0] == 1.01 and np.isnan(out.iloc[1])


def test_unknown_rounding_is_a_clear_error():
    with pytest.raises(InputError, match="half_up_2dp"):
        apply_rounding(1.0, "banker")


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=0, max_value=1e4, allow_nan=False), st.sampled_from(sorted(set(ROUNDINGS) - {"none"})))
def test_rounding_is_close_and_idempotent(x, name):
    r = apply_rounding(x, name)
    step = 1.0 if name in ("int", "floor_int") else (0.1 if name == "half_up_1dp" else 0.01)
    assert abs(r - x) <= step + 1e-9
    assert apply_rounding(r, name) == pytest.approx(r, abs=1e-12)


def test_grade_bands_published_boundaries():
    g = GradeBands()
    assert list(g.grade([100, 90, 89.99, 80, 79.999, 60, 59.99, 0])) == ["优", "优", "良", "良", "中", "中", "差", "差"]


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=0, max_value=100, allow_nan=False))
def test_grade_bands_half_open(total):
    label = GradeBands().grade([total])[0]
    expected = "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"
    assert label == expected


def test_label_variants_and_custom_bands():
    g = GradeBands()
    assert [g.normalize_label(x) for x in ["优秀", "良好", "合格", "一般", "不合格", " 优 "]] == ["优", "良", "中", "中", "差", "优"]
    g2 = GradeBands(lower_bounds=(85, 70), labels=("A", "B", "C"))
    assert list(g2.grade([85, 84.9, 69])) == ["A", "B", "C"]
    with pytest.raises(InputError):
        GradeBands(lower_bounds=(60, 80), labels=("a", "b", "c"))
    assert math.isnan(float("nan")) and g.grade([float("nan")])[0] is None
