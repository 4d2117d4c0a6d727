"""Shared input handling for the weighting and multi-criteria methods.

Every method takes a decision matrix (rows = alternatives/projects, columns = criteria/indicators)
as an array-like or DataFrame, criterion types, and optional weights. These helpers turn them into
labelled float frames with clear errors (the offending cell is named), so that no method has to
repeat the checks and no NaN travels silently.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError

_TYPE_WORDS = {"max": 1, "benefit": 1, "正向": 1, "+": 1, 1: 1,
               "min": -1, "cost": -1, "反向": -1, "-": -1, -1: -1}


def _clean_numeric(matrix) -> pd.DataFrame | None:
    """A float frame when ``matrix`` is a non-empty, finite numeric array or frame; else None."""
    if isinstance(matrix, np.ndarray) and matrix.ndim == 2 and matrix.size and \
            np.issubdtype(matrix.dtype, np.number) and np.isfinite(matrix).all():
        return pd.DataFrame(matrix.astype(float))
    if isinstance(matrix, pd.DataFrame) and matrix.size and \
            all(np.issubdtype(dt, np.number) for dt in matrix.dtypes):
        arr = matrix.to_numpy(dtype=float)
        if np.isfinite(arr).all():
            return pd.DataFrame(arr, index=matrix.index, columns=matrix.columns)
    return None


def as_matrix(matrix, name: str = "matrix", allow_negative: bool = True) -> pd.DataFrame:
    """Return a float DataFrame with string-able labels (0…n−1 where the input has none).

    Raises InputError naming the first missing or non-numeric cell.
    """
    fast = _clean_numeric(matrix)
    if fast is not None:  # already numeric and finite: no per-column conversion (large matrices)
        if not allow_negative and (fast.to_numpy() < 0).any():
            i, j = np.argwhere(fast.to_numpy() < 0)[0]
            raise InputError(f"{name} 不允许负值 (negative value not allowed)",
                             found=f"行 {fast.index[i]!r}，列 {fast.columns[j]!r}：{fast.iat[i, j]}")
        return fast
    if isinstance(matrix, pd.DataFrame):
        frame = matrix.copy()
    else:
        arr = np.asarray(matrix, dtype=object)
        if arr.ndim == 1:
            arr = arr.reshape(1, -1)
        if arr.ndim != 2:
            raise InputError(f"{name} 须为二维矩阵 (must be 2-D)", found=f"{arr.ndim}-D")
        frame = pd.DataFrame(arr)
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise InputError(f"{name} 为空 (empty)", found=frame.shape)
    numeric = frame.apply(pd.to_numeric, errors="coerce").astype(float)
    bad = numeric.isna().to_numpy()
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise InputError(f"{name} 有缺失或非数值单元格 (missing or non-numeric cell)",
                         expected="数值 (a number)",
                         found=f"行 {frame.index[i]!r}，列 {frame.columns[j]!r}：{frame.iat[i, j]!r}")
    if not np.isfinite(numeric.to_numpy()).all():
        i, j = np.argwhere(~np.isfinite(numeric.to_numpy()))[0]
        raise InputError(f"{name} 有无穷大值 (infinite value)",
                         found=f"行 {frame.index[i]!r}，列 {frame.columns[j]!r}")
    if not allow_negative and (numeric.to_numpy() < 0).any():
        i, j = np.argwhere(numeric.to_numpy() < 0)[0]
        raise InputError(f"{name} 不允许负值 (negative value not allowed)",
                         found=f"行 {frame.index[i]!r}，列 {frame.columns[j]!r}：{numeric.iat[i, j]}")
    return numeric


def parse_types(types, columns) -> np.ndarray:
    """Criterion directions as +1 (benefit/max) or −1 (cost/min); None means all benefit."""
    n = len(columns)
    if types is None:
        return np.ones(n, dtype=int)
    if isinstance(types, dict):
        unknown = [k for k in types if k not in set(columns)]
        if unknown:
            raise InputError("指标类型中有不存在的指标 (types name unknown criteria)", expected=list(columns),
                             found=unknown)
        types = [types.get(c, "max") for c in columns]
    if isinstance(types, pd.Series):
        types = types.reindex(columns).tolist()
    types = list(types)
    if len(types) != n:
        raise InputError("指标类型个数与指标列数不符 (types length != number of criteria)",
                         expected=n, found=len(types))
    out = []
    for k, t in enumerate(types):
        key = t.lower() if isinstance(t, str) else (int(t) if isinstance(t, (int, float, np.integer)) else t)
        if key not in _TYPE_WORDS:
            raise InputError("未知的指标类型 (unknown criterion type)",
                             expected="max/min, benefit/cost, 1/-1", found=f"{columns[k]!r}: {t!r}")
        out.append(_TYPE_WORDS[key])
    return np.asarray(out, dtype=int)


@dataclass(frozen=True)
class WeightVector:
    """Weights aligned to criteria, normalised to sum 1; `rescaled` says whether input was rescaled."""

    values: pd.Series
    rescaled: bool
    original_sum: float


def as_weights(weights, columns, name: str = "weights") -> WeightVector:
    """Align weights to `columns`; None → equal weights. Normalises to sum 1 and says so."""
    n = len(columns)
    if weights is None:
        return WeightVector(pd.Series(np.full(n, 1.0 / n), index=columns), False, 1.0)
    if hasattr(weights, "weights") and isinstance(getattr(weights, "weights"), pd.Series):
        weights = weights.weights
    labelled = isinstance(weights, dict) or (
        isinstance(weights, pd.Series) and not weights.index.equals(pd.RangeIndex(len(weights))))
    if isinstance(weights, dict):
        weights = pd.Series(weights)
    if labelled:  # labels must name the criteria: never fall back to position
        missing = [c for c in columns if c not in set(weights.index)]
        extra = [c for c in weights.index if c not in set(columns)]
        if missing or extra:
            raise InputError(f"{name} 的标签与指标不一致 (weight labels do not match the criteria)",
                             expected=list(columns), found=f"缺少 {missing}，多出 {extra}")
        series = weights.reindex(columns)
    else:
        arr = np.asarray(weights, dtype=float).ravel()
        if arr.size != n:
            raise InputError(f"{name} 个数与指标列数不符 (length != number of criteria)",
                             expected=n, found=arr.size)
        series = pd.Series(arr, index=columns)
    series = pd.to_numeric(series, errors="coerce").astype(float)
    if series.isna().any():
        raise InputError(f"{name} 有缺失值 (missing weight)", found=series[series.isna()].index[0])
    if (series < 0).any():
        raise InputError(f"{name} 不能为负 (negative weight)", found=series[series < 0].index[0])
    total = float(series.sum())
    if total <= 0:
        raise InputError(f"{name} 之和须为正 (weights must sum to a positive number)", found=total)
    rescaled = not np.isclose(total, 1.0, rtol=0, atol=1e-12)
    return WeightVector(series / total, rescaled, total)


def rank_desc(values, index=None, method: str = "min") -> pd.Series:
    """Ranks with 1 = best (largest value); ties get the minimum rank (1, 2, 2, 4) by default."""
    s = pd.Series(values, index=index) if not isinstance(values, pd.Series) else values
    return s.rank(ascending=False, method=method).astype(int)


RANK_RULE = "1 = 最优；并列取最小名次 (ties get the minimum rank: 1, 2, 2, 4)"


@dataclass(frozen=True, kw_only=True)
class MethodResult:
    """Base of every weighting / multi-criteria result: immutable, labelled, explainable.

    `conventions` records every choice made (normalisation, RI table, rank rule …);
    `tables` holds the intermediate frames returned by `explain()` for the audit trail.
    """

    conventions: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def explain(self) -> dict[str, pd.DataFrame]:
        """The intermediate tables (copies), in computation order, for reports."""
        return {k: v.copy() for k, v in self.tables.items()}


def named_items(items, prefix: str, what: str) -> tuple[list[str], list]:
    """Names and values of a dict (its keys) or a list/tuple (named prefix1, prefix2, …)."""
    if isinstance(items, dict):
        return [str(k) for k in items], list(items.values())
    if isinstance(items, (list, tuple)):
        return [f"{prefix}{k + 1}" for k in range(len(items))], list(items)
    raise InputError(f"{what}须以列表或字典给出 (must be a list or a dict)", found=type(items).__name__)
