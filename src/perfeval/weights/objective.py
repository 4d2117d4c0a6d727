"""Objective weights from the data themselves: entropy (熵权法), CRITIC and standard deviation.

Rows are alternatives (projects), columns are criteria (indicators). Every computation is one
numpy pass over the whole matrix, so a 100 000 × 20 matrix takes milliseconds.

Formulas (domain.md §8.1, §8.3, §8.4):

* min–max standardisation: benefit z = (x − min)/(max − min), cost z = (max − x)/(max − min);
  optionally shifted into [floor, 1] (z' = floor + (1 − floor) z; [S44] uses floor = 0.002).
* entropy: p_ij = z_ij / Σ_i z_ij; e_j = −(1/ln m) Σ_i p_ij ln p_ij with 0·ln 0 := 0;
  d_j = 1 − e_j; w_j = d_j / Σ_k d_k.
* CRITIC (Diakoulaki, Mavrotas & Papayannakis 1995): σ_j = standard deviation of z_j; conflict
  R_j = Σ_k (1 − r_jk) (``correlation="abs"``: 1 − |r_jk|); C_j = σ_j R_j; w_j = C_j / Σ C.
* standard deviation: w_j = σ_j / Σ σ.

Degenerate data, defined once for all three methods and recorded in ``conventions["notes"]``:

* a constant column carries no information: its entropy divergence d_j = 0, its σ_j = 0 (so
  CRITIC's C_j = 0) and its correlation with every other column is defined as 0;
* an all-zero column under ``standardize="none"`` carries no information either (d_j = 0);
* when no column carries information (all constant, or a single alternative) every criterion
  gets the equal weight 1/n, and the result says so;
* negative values: min–max standardisation handles them; ``standardize="none"`` and ``"max"``
  need non-negative data and raise InputError naming the cell;
* missing or non-numeric cells raise InputError naming the cell.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._matrix import as_matrix, parse_types
from ..compare import snap
from ..errors import InputError
from .combine import WeightResult

STANDARDIZATIONS = {
    "minmax": "极差标准化 (min–max: benefit (x−min)/(max−min), cost (max−x)/(max−min))",
    "none": "不标准化，直接按列求比重 (raw values, p = x / Σx)",
    "max": "最大值标准化 (benefit x/max, cost 1 − x/max)",
}


def _numeric_frame(matrix, name: str = "决策矩阵") -> pd.DataFrame:
    """Float frame of the decision matrix (``as_matrix`` has the fast path for clean numeric input)."""
    return as_matrix(matrix, name=name)


def _column_reduce(a: np.ndarray, ufunc, block: int = 32) -> np.ndarray:
    """``ufunc.reduce(a, axis=0)`` for a tall, narrow C-ordered array, several times faster.

    numpy reduces axis 0 of a (m × 20) array one short row at a time; viewing blocks of `block`
    rows as one long row lets the inner loop run over block × n contiguous values instead.
    """
    m, n = a.shape
    full = (m // block) * block
    if not a.flags.c_contiguous or full == 0:
        return ufunc.reduce(a, axis=0)
    out = ufunc.reduce(ufunc.reduce(a[:full].reshape(m // block, block * n), axis=0).reshape(block, n),
                       axis=0)
    if full < m:
        out = ufunc(out, ufunc.reduce(a[full:], axis=0))
    return out


def _first_cell(frame: pd.DataFrame, mask: np.ndarray) -> str:
    i, j = np.argwhere(mask)[0]
    return f"行 {frame.index[i]!r}，列 {frame.columns[j]!r}：{frame.iat[i, j]!r}"


def _standardize(frame: pd.DataFrame, signs: np.ndarray, how: str, floor: float):
    """Standardised array and a boolean mask of columns that carry no information."""
    x = frame.to_numpy(dtype=float)
    if how == "minmax":
        lo, hi = _column_reduce(x, np.minimum), _column_reduce(x, np.maximum)
        span = hi - lo
        constant = span <= 1e-12 * np.maximum(1.0, np.maximum(np.abs(lo), np.abs(hi)))
        inv = np.where(constant, 0.0, 1.0 / np.where(constant, 1.0, span))
        z = x - np.where(signs > 0, lo, hi)
        z *= inv * signs  # cost columns: (x − max)/span · (−1) = (max − x)/span
        if floor:
            z *= 1.0 - floor
            z += floor
        return z, constant
    if _column_reduce(x, np.minimum).min() < 0:
        raise InputError(f"standardize={how!r} 不允许负值，请改用 minmax "
                         f"(negative values need min–max standardisation)",
                         expected="非负数 (non-negative)", found=_first_cell(frame, x < 0))
    if how == "none":
        lo, hi = _column_reduce(x, np.minimum), _column_reduce(x, np.maximum)
        constant = (hi - lo) <= 1e-12 * np.maximum(1.0, hi)
        return x, constant  # may be a view of the caller's array: not kept in the result
    # how == "max"
    hi = _column_reduce(x, np.maximum)
    lo = _column_reduce(x, np.minimum)
    zero = hi <= 0
    z = x / np.where(zero, 1.0, hi)
    z = np.where(signs > 0, z, 1.0 - z)
    constant = (hi - lo) <= 1e-12 * np.maximum(1.0, hi)
    return z, constant | zero


def _check_choice(value, choices, what: str):
    if value not in choices:
        raise InputError(f"未知的{what} (unknown {what})", expected=" / ".join(choices), found=value)


def _labels(frame):
    return list(frame.columns)


def _equal(n: int) -> np.ndarray:
    return np.full(n, 1.0 / n)


@dataclass(frozen=True, kw_only=True, eq=False)
class EntropyResult(WeightResult):
    """Entropy weights; `.entropy` (e_j) and `.divergence` (d_j = 1 − e_j) per criterion."""

    entropy: pd.Series
    divergence: pd.Series


@dataclass(frozen=True, kw_only=True, eq=False)
class CriticResult(WeightResult):
    """CRITIC weights; `.sigma`, `.conflict` (Σ(1 − r)), `.information` (C_j) and `.correlation`."""

    sigma: pd.Series
    conflict: pd.Series
    information: pd.Series
    correlation: pd.DataFrame


@dataclass(frozen=True, kw_only=True, eq=False)
class StdevResult(WeightResult):
    """Standard-deviation weights; `.sigma` per criterion."""

    sigma: pd.Series


def _base_conventions(method, how, floor, signs, labels, m):
    conv = {"method": method, "standardize": how, "standardize_rule": STANDARDIZATIONS[how],
            "types": dict(zip(labels, np.where(signs > 0, "max", "min").tolist())),
            "alternatives": m}
    if how == "minmax":
        conv["floor"] = floor
    return conv


def entropy(matrix, types=None, standardize: str = "minmax", floor: float = 0.0) -> EntropyResult:
    """Entropy weights (熵权法) of the criteria (columns) of a decision matrix.

    ``standardize``: ``"minmax"`` (default, as in Chinese practice; cost criteria reversed),
    ``"none"`` (raw proportions p = x/Σx, the form of Hwang & Yoon and Xu 2004; criterion types do
    not enter), ``"max"`` (x/max, cost 1 − x/max). ``floor`` shifts min–max values into
    [floor, 1] (e.g. 0.002) so that no value is exactly zero.
    """
    _check_choice(standardize, STANDARDIZATIONS, "标准化方式 standardize")
    if not 0.0 <= floor < 1.0:
        raise InputError("floor 须在 [0, 1) 内 (floor must lie in [0, 1))", found=floor)
    frame = _numeric_frame(matrix)
    labels = _labels(frame)
    m, n = frame.shape
    signs = parse_types(types, labels)
    z, constant = _standardize(frame, signs, standardize, floor)
    conventions = _base_conventions("熵权法 (entropy weight)", standardize, floor, signs, labels, m)
    conventions["log_zero_rule"] = "0·ln 0 = 0"
    notes = []
    if standardize == "none" and (signs < 0).any():
        notes.append("standardize='none' 时直接用原始比重，指标方向不参与计算 "
                     "(criterion types are not used with raw proportions)")

    col_sum = _column_reduce(z, np.add)
    no_info = constant | (col_sum <= 0)
    # p = z / Σz by one multiplication; columns whose sum is too small to invert (subnormal)
    # are divided directly, and all-zero columns stay 0
    invertible = col_sum > 1.0 / np.finfo(float).max
    p = z * np.divide(1.0, col_sum, out=np.zeros_like(col_sum), where=invertible)
    tiny_sum = ~invertible & (col_sum > 0)
    if tiny_sum.any():
        p[:, tiny_sum] = z[:, tiny_sum] / col_sum[tiny_sum]
    if m > 1:
        # p·ln p with 0·ln 0 = 0: ln(max(p, tiny)) is finite, and 0 times it is 0
        plogp = np.maximum(p, np.finfo(float).tiny)
        np.log(plogp, out=plogp)
        plogp *= p
        e = -_column_reduce(plogp, np.add) / np.log(m)
    else:
        e = np.ones(n)
    e = np.where(no_info, 1.0, np.minimum(e, 1.0))
    d = np.where(no_info, 0.0, np.maximum(1.0 - e, 0.0))
    if d.sum() > 0:
        w = d / d.sum()
    else:
        w = _equal(n)
        notes.append("单个评价对象，无法区分，各指标等权 (a single alternative: equal weights)" if m == 1
                     else "所有指标均为常数列，无信息，各指标等权 (every column is constant: equal weights)")
    if no_info.any() and d.sum() > 0:
        cols = "、".join(str(c) for c, flag in zip(labels, no_info) if flag)
        notes.append(f"常数列或全零列无信息，熵权为 0：{cols} (constant or all-zero columns get weight 0)")
    conventions["no_information_columns"] = [c for c, flag in zip(labels, no_info) if flag]
    conventions["notes"] = notes

    per_column = pd.DataFrame({"指标": labels, "熵值 e": e, "差异系数 d": d, "权重": w})
    tables = {}
    if standardize != "none":  # with raw proportions the standardised matrix is the input itself
        tables["标准化矩阵"] = pd.DataFrame(z, index=frame.index, columns=frame.columns, copy=False)
    tables["比重矩阵"] = pd.DataFrame(p, index=frame.index, columns=frame.columns, copy=False)
    tables["熵值与权重"] = per_column
    return EntropyResult(weights=pd.Series(w, index=labels, name="权重"),
                         entropy=pd.Series(e, index=labels, name="熵值"),
                         divergence=pd.Series(d, index=labels, name="差异系数"),
                         conventions=conventions, tables=tables)


def _sigma(z: np.ndarray, m: int) -> np.ndarray:
    return z.std(axis=0, ddof=1) if m > 1 else np.zeros(z.shape[1])


def critic(matrix, types=None, correlation: str = "signed") -> CriticResult:
    """CRITIC weights (Diakoulaki et al. 1995) of the criteria of a decision matrix.

    The matrix is min–max standardised by criterion type; σ_j is the sample standard deviation
    (n − 1; the weights do not depend on that choice); r is Pearson's correlation, with the
    correlation of a constant column defined as 0. ``correlation="abs"`` uses 1 − |r| as conflict.
    """
    _check_choice(correlation, ("signed", "abs"), "相关系数用法 correlation")
    frame = _numeric_frame(matrix)
    labels = _labels(frame)
    m, n = frame.shape
    signs = parse_types(types, labels)
    z, constant = _standardize(frame, signs, "minmax", 0.0)
    sigma = _sigma(z, m)
    sigma = np.where(constant, 0.0, sigma)
    if m > 1:
        centred = z - z.mean(axis=0)
        cov = centred.T @ centred / (m - 1)
        safe = np.where(sigma > 0, sigma, 1.0)
        r = cov / np.outer(safe, safe)
        zero_var = sigma <= 0
        r[zero_var, :] = 0.0
        r[:, zero_var] = 0.0
        np.clip(r, -1.0, 1.0, out=r)
        np.fill_diagonal(r, 1.0)
    else:
        r = np.eye(n)
    used = np.abs(r) if correlation == "abs" else r
    # At the stated precision: perfectly correlated columns give r = 1 up to rounding noise, and
    # that noise must not decide the weights (nor make them depend on the order of the rows).
    conflict = snap((1.0 - used).sum(axis=0))
    info = sigma * conflict
    notes = []
    if info.sum() > 0:
        w = info / info.sum()
        if constant.any():
            cols = "、".join(str(c) for c, f in zip(labels, constant) if f)
            notes.append(f"常数列 σ = 0，信息量为 0：{cols} (constant columns: σ = 0, weight 0)")
    else:
        w = _equal(n)
        notes.append("单个评价对象，无法区分，各指标等权 (a single alternative: equal weights)" if m == 1
                     else "所有指标无差异或完全相关，信息量均为 0，各指标等权 (no information: equal weights)")
    conventions = _base_conventions("CRITIC", "minmax", 0.0, signs, labels, m)
    conventions.update(correlation=("1 − r" if correlation == "signed" else "1 − |r|"),
                       correlation_kind="Pearson", sigma_ddof=1,
                       constant_column_rule="常数列 σ = 0，与其他指标的相关系数记为 0 "
                                            "(a constant column has σ = 0 and correlation 0)",
                       notes=notes)
    corr = pd.DataFrame(r, index=labels, columns=labels)
    per_column = pd.DataFrame({"指标": labels, "标准差 σ": sigma, "冲突性 Σ(1−r)": conflict,
                               "信息量 C": info, "权重": w})
    tables = {"标准化矩阵": pd.DataFrame(z, index=frame.index, columns=frame.columns, copy=False),
              "相关系数矩阵": corr, "信息量与权重": per_column}
    return CriticResult(weights=pd.Series(w, index=labels, name="权重"),
                        sigma=pd.Series(sigma, index=labels, name="标准差"),
                        conflict=pd.Series(conflict, index=labels, name="冲突性"),
                        information=pd.Series(info, index=labels, name="信息量"),
                        correlation=corr, conventions=conventions, tables=tables)


def stdev(matrix, types=None, standardize: str = "minmax") -> StdevResult:
    """Standard-deviation weights: w_j = σ_j / Σ σ of the standardised columns.

    ``standardize="none"`` uses the raw columns (only sensible when all criteria share one scale).
    """
    _check_choice(standardize, ("minmax", "none"), "标准化方式 standardize")
    frame = _numeric_frame(matrix)
    labels = _labels(frame)
    m, n = frame.shape
    signs = parse_types(types, labels)
    if standardize == "minmax":
        z, constant = _standardize(frame, signs, "minmax", 0.0)
    else:
        z = frame.to_numpy(dtype=float, copy=True)
        constant = np.ptp(z, axis=0) <= 0
    sigma = np.where(constant, 0.0, _sigma(z, m))
    notes = []
    if sigma.sum() > 0:
        w = sigma / sigma.sum()
    else:
        w = _equal(n)
        notes.append("单个评价对象，无法区分，各指标等权 (a single alternative: equal weights)" if m == 1
                     else "所有指标均为常数列，各指标等权 (every column is constant: equal weights)")
    conventions = {"method": "标准差法 (standard deviation)", "standardize": standardize,
                   "types": dict(zip(labels, np.where(signs > 0, "max", "min").tolist())),
                   "sigma_ddof": 1, "alternatives": m, "notes": notes}
    tables = {"标准化矩阵": pd.DataFrame(z, index=frame.index, columns=frame.columns, copy=False),
              "标准差与权重": pd.DataFrame({"指标": labels, "标准差 σ": sigma, "权重": w})}
    return StdevResult(weights=pd.Series(w, index=labels, name="权重"),
                       sigma=pd.Series(sigma, index=labels, name="标准差"),
                       conventions=conventions, tables=tables)
