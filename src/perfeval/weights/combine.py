"""Weight vectors as such: the result base every weighting method shares, combining several weight
vectors into one (组合赋权), and turning relative weights into the integer or one-decimal points an
indicator table prints (分值), summing exactly to the total.

Combination (domain.md §8.5):

* ``linear``: w = Σ_k α_k w_k (two vectors: α w₁ + (1 − α) w₂; α = 0.5 by default).
* ``multiplicative``: w_j = Π_k w_kj / Σ_i Π_k w_ki.
* ``game`` (博弈论组合赋权): the coefficients α minimise ‖Σ_k α_k w_k − w_l‖ for every l; the
  first-order conditions are the linear system G α = diag(G) with the Gram matrix G_kl = w_k·w_l.
  The solution is made non-negative and summing to one by α*_k = |α_k| / Σ|α|, the usual
  normalisation in the Chinese literature; both the raw and the normalised α are reported.

Points (``to_points``): the largest-remainder (Hamilton) method. Each indicator first gets the
floor of its exact share; the units still missing go one each to the largest remainders. Ties
between equal remainders go to the larger weight, then to the indicator listed first.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

import numpy as np
import pandas as pd

from .._matrix import MethodResult, as_weights, named_items
from ..errors import InputError

TIE_RULE_POINTS = ("余数相同时先给权重较大者，权重也相同时先给排列在前者 "
                   "(equal remainders: larger weight first, then the indicator listed first)")


@dataclass(frozen=True, kw_only=True, eq=False)
class WeightResult(MethodResult):
    """Base of every result of `perfeval.weights`: `.weights` is a Series indexed by criterion label.

    `eq=False` keeps identity comparison: element-wise comparison of Series has no single truth value.
    """

    weights: pd.Series

    def summary_lines(self) -> list[str]:
        """Lines shown above the weight table in notebooks (overridden by methods with more to say)."""
        method = self.conventions.get("method")
        return [f"方法 (method)：{method}"] if method else []

    def to_frame(self, decimals: int = 4) -> pd.DataFrame:
        """The weights as a two-column table with Chinese labels (指标, 权重)."""
        return pd.DataFrame({"指标": [str(i) for i in self.weights.index],
                             "权重": np.round(self.weights.to_numpy(dtype=float), decimals)})

    def _repr_html_(self) -> str:
        lines = "".join(f"<div>{escape(str(line))}</div>" for line in self.summary_lines())
        notes = self.conventions.get("notes") or []
        note_html = "".join(f"<div style='color:#a15c00'>注意：{escape(str(n))}</div>" for n in notes)
        table = self.to_frame().to_html(index=False)
        return f"<div>{lines}{note_html}{table}</div>"


def _vector_list(weight_vectors) -> tuple[list[str], list]:
    """Names and raw vectors from a list, tuple or dict of Series / arrays / results with `.weights`."""
    names, vectors = named_items(weight_vectors, "权重", "权重向量")
    if len(vectors) < 2:
        raise InputError("组合赋权至少需要两组权重 (at least two weight vectors are needed)",
                         found=len(vectors))
    vectors = [v.weights if isinstance(getattr(v, "weights", None), pd.Series) else v for v in vectors]
    return names, vectors


def _labels_of(vector):
    if isinstance(vector, pd.Series):
        return list(vector.index)
    if isinstance(vector, dict):
        return list(vector)
    return list(range(np.asarray(vector).size))


def _aligned_matrix(names, vectors):
    """Stack the vectors into a k × n array on the labels of the first; each row normalised to sum 1."""
    labels = _labels_of(vectors[0])
    rows, rescaled = [], {}
    for name, vec in zip(names, vectors):
        if isinstance(vec, (pd.Series, dict)) and set(_labels_of(vec)) != set(labels):
            missing = sorted(map(str, set(labels) - set(_labels_of(vec))))
            extra = sorted(map(str, set(_labels_of(vec)) - set(labels)))
            raise InputError(f"权重向量 {name} 的指标与第一组不一致 (criteria differ from the first vector)",
                             expected=", ".join(map(str, labels)),
                             found=f"缺少 {missing}，多出 {extra}")
        wv = as_weights(vec, labels, name=f"权重向量 {name}")
        rows.append(wv.values.to_numpy(dtype=float))
        rescaled[name] = wv.rescaled
    return labels, np.vstack(rows), rescaled


def _coefficients(alpha, k: int) -> tuple[np.ndarray, bool]:
    if alpha is None:
        return np.full(k, 1.0 / k), False
    if np.ndim(alpha) == 0:
        a = float(alpha)
        if k != 2:
            raise InputError("单个 alpha 只适用于两组权重 (a scalar alpha needs exactly two vectors)",
                             expected="长度为 %d 的系数列表" % k, found=alpha)
        if not 0.0 <= a <= 1.0:
            raise InputError("alpha 须在 0 与 1 之间 (alpha must lie in [0, 1])", found=alpha)
        return np.array([a, 1.0 - a]), False
    arr = np.asarray(alpha, dtype=float).ravel()
    if arr.size != k:
        raise InputError("组合系数个数与权重向量个数不符 (number of coefficients != number of vectors)",
                         expected=k, found=arr.size)
    if not np.isfinite(arr).all() or (arr < 0).any() or arr.sum() <= 0:
        raise InputError("组合系数须为非负数且和为正 (coefficients must be non-negative with a positive sum)",
                         found=arr.tolist())
    total = arr.sum()
    return arr / total, not np.isclose(total, 1.0, rtol=0, atol=1e-12)


@dataclass(frozen=True, kw_only=True, eq=False)
class CombinedWeights(WeightResult):
    """Combined weights; `.coefficients` holds the share of each input vector (None: multiplicative)."""

    coefficients: pd.Series | None = None

    def summary_lines(self) -> list[str]:
        lines = super().summary_lines()
        if self.coefficients is not None:
            parts = "，".join(f"{k} {v:.4f}" for k, v in self.coefficients.items())
            lines.append(f"组合系数 (coefficients)：{parts}")
        return lines


def combine(weight_vectors, method: str = "linear", alpha=None) -> CombinedWeights:
    """Combine two or more weight vectors (e.g. AHP and entropy) into one.

    ``weight_vectors`` is a list or a dict (name → vector) of Series, arrays or weight results.
    Vectors that do not sum to 1 are normalised first and the result records which were.
    ``alpha`` applies to ``linear`` only: a number α for two vectors (α w₁ + (1 − α) w₂) or one
    coefficient per vector; None means equal coefficients.
    """
    names, vectors = _vector_list(weight_vectors)
    labels, W, rescaled = _aligned_matrix(names, vectors)
    k = W.shape[0]
    notes = [f"权重向量 {n} 之和不为 1，已归一化 (rescaled to sum 1)" for n, r in rescaled.items() if r]
    conventions = {"rescaled_inputs": rescaled}
    tables: dict[str, pd.DataFrame] = {}

    if method == "linear":
        coef, coef_rescaled = _coefficients(alpha, k)
        combined = coef @ W
        conventions.update(method="线性加权组合 (linear: w = Σ α_k w_k)", coefficients_rescaled=coef_rescaled)
        if coef_rescaled:
            notes.append("组合系数之和不为 1，已归一化 (coefficients rescaled to sum 1)")
        coefficients = pd.Series(coef, index=names, name="组合系数")
    elif method == "multiplicative":
        if alpha is not None:
            raise InputError("乘法合成不使用 alpha (alpha applies to the linear method only)", found=alpha)
        product = np.prod(W, axis=0)
        if product.sum() <= 0:
            raise InputError("乘法合成后所有指标的乘积均为 0，无法归一化 "
                             "(every product is zero; multiplicative combination undefined)")
        combined = product / product.sum()
        conventions.update(method="乘法合成归一化 (multiplicative: w_j = Π w_kj / Σ Π w_ki)")
        coefficients = None
        tables["乘积"] = pd.DataFrame({"指标": labels, "乘积": product})
    elif method == "game":
        if alpha is not None:
            raise InputError("博弈论组合自行求解系数，不接受 alpha (game theory solves for the coefficients)",
                             found=alpha)
        gram = W @ W.T
        raw, *_ = np.linalg.lstsq(gram, np.diag(gram).copy(), rcond=None)
        if np.abs(raw).sum() <= 0:
            raise InputError("博弈论组合系数无解 (no coefficients found)")
        coef = np.abs(raw) / np.abs(raw).sum()
        combined = coef @ W
        conventions.update(method="博弈论组合赋权 (game theory: G α = diag G, α* = |α| / Σ|α|)",
                           raw_coefficients=dict(zip(names, raw.tolist())))
        coefficients = pd.Series(coef, index=names, name="组合系数")
        tables["Gram矩阵"] = pd.DataFrame(gram, index=names, columns=names)
        tables["组合系数"] = pd.DataFrame({"权重向量": names, "原始系数": raw, "归一化系数": coef})
    else:
        raise InputError("未知的组合方法 (unknown combination method)",
                         expected="linear / multiplicative / game", found=method)

    combined = combined / combined.sum()
    weights = pd.Series(combined, index=labels, name="权重")
    frame = pd.DataFrame(W.T, index=labels, columns=names)
    frame["组合权重"] = combined
    frame.index.name = "指标"
    tables = {"权重向量": frame, **tables}
    conventions["notes"] = notes
    return CombinedWeights(weights=weights, coefficients=coefficients,
                           conventions=conventions, tables=tables)


@dataclass(frozen=True, kw_only=True, eq=False)
class PointsResult(WeightResult):
    """Relative weights turned into points; `.points` sums exactly to `.total`."""

    points: pd.Series
    total: float
    decimals: int

    def to_frame(self, decimals: int = 4) -> pd.DataFrame:
        frame = super().to_frame(decimals)
        frame["分值"] = self.points.to_numpy()
        return frame

    def summary_lines(self) -> list[str]:
        return [f"总分 (total)：{self.total:g}，保留 {self.decimals} 位小数；最大余数法 (largest remainder)"]


def to_points(weights, total: float = 100, decimals: int = 0) -> PointsResult:
    """Turn relative weights into points with `decimals` decimals that sum exactly to `total`.

    Uses the largest-remainder method; ties between equal remainders go to the larger weight,
    then to the indicator listed first. Weights that do not sum to 1 are normalised (and the
    result says so).
    """
    if decimals not in (0, 1, 2):
        raise InputError("分值小数位须为 0、1 或 2 (decimals must be 0, 1 or 2)", found=decimals)
    if isinstance(getattr(weights, "weights", None), pd.Series):
        weights = weights.weights
    labels = _labels_of(weights)
    if not labels:
        raise InputError("权重为空 (no weights given)")
    wv = as_weights(weights, labels)
    w = wv.values.to_numpy(dtype=float)
    scale = 10 ** decimals
    units_float = float(total) * scale
    units_total = int(round(units_float))
    if not np.isfinite(units_float) or units_total <= 0 or abs(units_float - units_total) > 1e-9:
        raise InputError(f"总分须为正数且最多 {decimals} 位小数 (total must be positive with at most "
                         f"{decimals} decimals)", found=total)
    exact = w * units_total
    base = np.floor(np.round(exact, 9))
    remainder = np.round(exact - base, 9)
    missing = units_total - int(base.sum())
    # lexsort: the last key is primary → remainder desc, then weight desc, then position asc.
    order = np.lexsort((np.arange(w.size), -w, -remainder))
    bonus = np.zeros(w.size)
    bonus[order[:missing]] = 1.0
    units = base + bonus
    points = units / scale
    if decimals == 0:
        points_series = pd.Series(units.astype(np.int64), index=labels, name="分值")
    else:
        points_series = pd.Series(np.round(points, decimals), index=labels, name="分值")
    allocation = pd.DataFrame({"指标": labels, "权重": w, "精确分值": exact / scale,
                               "取整部分": base / scale, "余数": remainder / scale,
                               "补足": bonus / scale, "分值": points_series.to_numpy()})
    notes = ["权重之和不为 1，已归一化 (weights rescaled to sum 1)"] if wv.rescaled else []
    conventions = {"method": "最大余数法 (largest remainder / Hamilton)", "total": float(total),
                   "decimals": decimals, "tie_rule": TIE_RULE_POINTS,
                   "weights_rescaled": wv.rescaled, "original_sum": wv.original_sum, "notes": notes}
    return PointsResult(weights=pd.Series(w, index=labels, name="权重"), points=points_series,
                        total=float(total), decimals=decimals, conventions=conventions,
                        tables={"分值分配": allocation})
