"""Grey relational analysis (灰色关联分析, 邓聚龙): how closely each project follows a reference sequence.

After normalisation, Δ_i(k) = |x_0(k) − x_i(k)| against the reference sequence x_0 (by default the
best value of every indicator, i.e. the ideal project); the relational coefficient is
ξ_i(k) = (min_i min_k Δ + ρ max_i max_k Δ) / (Δ_i(k) + ρ max_i max_k Δ) with the distinguishing
coefficient ρ (0.5 by default), and the relational grade is r_i = Σ_k w_k ξ_i(k) (domain.md §8.8).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._matrix import RANK_RULE, MethodResult, as_matrix, as_weights, parse_types, rank_desc
from ..errors import InputError
from .topsis import weights_note

NORMALIZATIONS = {
    "minmax": "极差变换（区间化），成本型反向：(max − x)/(max − min) (min–max, cost criteria reversed)",
    "mean": "均值化 x / 列均值 (divide by the column mean)",
    "none": "不做无量纲化 (no normalisation: the data are already comparable)",
}


@dataclass(frozen=True, kw_only=True)
class GreyResult(MethodResult):
    """Grey relational grade (关联度) per alternative, its ranks and the coefficient matrix."""

    grade: pd.Series
    ranks: pd.Series
    coefficients: pd.DataFrame
    weights: pd.Series

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"grade": self.grade, "rank": self.ranks})

    def _repr_html_(self) -> str:
        table = self.to_frame().rename(columns={"grade": "关联度", "rank": "排名"})
        return (f"<b>灰色关联分析</b>（分辨系数 ρ = {self.conventions['rho']:g}）"
                + table.to_html(float_format=lambda v: f"{v:.4f}"))


def grey_relational(matrix, weights=None, types=None, rho: float = 0.5,
                    normalization: str = "minmax", reference=None) -> GreyResult:
    """Grey relational grade of each alternative (row) to the reference sequence.

    `reference`: None (the best value of every criterion: max for benefit, min for cost) or a
    sequence of raw values per criterion (e.g. targets); it is normalised together with the data.
    `normalization`: "minmax" (default, as in 司守奎《数学建模算法与应用》 ch. 14), "mean" or "none".

    Degenerate cases: a constant column is normalised to 1 under min–max (every project equals the
    reference there, ξ = 1 for all); if every Δ is 0 (a single alternative equal to the reference,
    or all identical), every coefficient is defined as 1. A zero column mean under "mean" raises
    InputError naming the column.
    """
    if not isinstance(rho, (int, float, np.integer, np.floating)) or not 0.0 < float(rho) <= 1.0:
        raise InputError("分辨系数 ρ 须在 (0, 1] 内 (rho must lie in (0, 1])", found=rho)
    rho = float(rho)
    if normalization not in NORMALIZATIONS:
        raise InputError("未知的无量纲化方法 (unknown normalization)",
                         expected=" / ".join(NORMALIZATIONS), found=normalization)
    frame = as_matrix(matrix, name="决策矩阵 (decision matrix)")
    columns = list(frame.columns)
    directions = parse_types(types, columns)
    weight_vector = as_weights(weights, frame.columns)
    x = frame.to_numpy()
    n_rows = x.shape[0]

    if reference is None:
        reference_raw = np.where(directions > 0, x.max(axis=0), x.min(axis=0))
        reference_rule = "各指标最优值组成的理想序列 (best value of every criterion)"
    else:
        reference_raw = _reference_values(reference, columns)
        reference_rule = "用户给定的参考序列 (user-supplied reference sequence)"
    stacked = np.vstack([reference_raw, x])

    if normalization == "minmax":
        low, high = stacked.min(axis=0), stacked.max(axis=0)
        span = high - low
        safe = np.where(span > 0, span, 1.0)
        scaled = np.where(directions > 0, (stacked - low) / safe, (high - stacked) / safe)
        stacked = np.where(span > 0, scaled, 1.0)
    elif normalization == "mean":
        means = x.mean(axis=0)
        if (means == 0).any():
            column = columns[int(np.argmax(means == 0))]
            raise InputError("均值化时列均值为 0，无法相除 (column mean is 0 under mean normalisation)",
                             found=f"列 {column!r}")
        stacked = stacked / means

    normalized_reference, normalized = stacked[0], stacked[1:]
    delta = np.abs(normalized - normalized_reference)
    delta_min, delta_max = float(delta.min()), float(delta.max())
    if delta_max == 0:
        xi = np.ones_like(delta)
    else:
        xi = (delta_min + rho * delta_max) / (delta + rho * delta_max)
    grade = xi @ weight_vector.values.to_numpy()

    index = frame.index
    grade_s = pd.Series(grade, index=index, name="grade")
    ranks = rank_desc(grade_s).rename("rank")
    coefficients = pd.DataFrame(xi, index=index, columns=frame.columns)
    conventions = {
        "method": "灰色关联分析 (grey relational analysis, Deng)",
        "rho": rho,
        "normalization": NORMALIZATIONS[normalization],
        "reference": reference_rule,
        "coefficient": "ξ = (min min Δ + ρ·max max Δ)/(Δ + ρ·max max Δ)，两级最值取遍全部方案与指标",
        "grade": "关联度 r = Σ w_k ξ(k)（等权时即平均）",
        "weights": weights_note(weight_vector),
        "degenerate": ("全部 Δ = 0（各方案与参考序列完全相同），关联系数记为 1 (all Δ = 0: ξ := 1)"
                       if delta_max == 0 else "无 (none)"),
        "rank_rule": RANK_RULE,
        "n_alternatives": n_rows,
    }
    tables = {
        "normalized": pd.DataFrame(normalized, index=index, columns=frame.columns),
        "reference": pd.DataFrame([reference_raw, normalized_reference],
                                  index=["参考序列（原值）", "参考序列（无量纲化）"], columns=frame.columns),
        "delta": pd.DataFrame(delta, index=index, columns=frame.columns),
        "delta_extremes": pd.DataFrame({"two_level_min": [delta_min], "two_level_max": [delta_max]}),
        "coefficients": coefficients,
        "grades": pd.DataFrame({"grade": grade, "rank": ranks.to_numpy()}, index=index),
    }
    return GreyResult(grade=grade_s, ranks=ranks, coefficients=coefficients,
                      weights=weight_vector.values.rename("weight"),
                      conventions=conventions, tables=tables)


def _reference_values(reference, columns) -> np.ndarray:
    """The user's reference sequence aligned to the criteria, checked like any matrix row."""
    if isinstance(reference, dict):
        reference = pd.Series(reference)
    if isinstance(reference, pd.Series):
        if set(reference.index) != set(columns):
            raise InputError("参考序列的指标与决策矩阵的列不符 (reference labels != criteria)",
                             expected=list(columns), found=list(reference.index))
        values = reference.reindex(columns).to_numpy(dtype=object)
    else:
        values = np.asarray(reference, dtype=object).ravel()
        if values.size != len(columns):
            raise InputError("参考序列的长度与指标列数不符 (reference length != number of criteria)",
                             expected=len(columns), found=values.size)
    row = pd.DataFrame([values], columns=columns, index=["参考序列"])
    return as_matrix(row, name="参考序列 (reference)").to_numpy().ravel()
