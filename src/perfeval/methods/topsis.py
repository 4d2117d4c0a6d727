"""TOPSIS (逼近理想解排序法): rank projects by their relative closeness to the ideal point.

Hwang & Yoon (1981) as printed in the Chinese textbooks (domain.md §8.7): normalise each column,
weight it, take the column best as the ideal and the column worst as the anti-ideal, measure the
Euclidean distances D⁺ and D⁻ and report C = D⁻ / (D⁺ + D⁻) ∈ [0, 1]. Every choice (normalisation,
treatment of constant or all-zero columns, the degenerate case of identical projects, the tie
rule) is recorded in the result.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._matrix import RANK_RULE, MethodResult, as_matrix, as_weights, parse_types, rank_desc
from ..errors import InputError

NORMALIZATIONS = {
    "vector": "向量规范化 z = x / √(Σx²)；成本型指标的理想值取列最小 (vector normalisation; "
              "for cost criteria the ideal is the column minimum)",
    "minmax": "极差变换 z = (x − min)/(max − min)，成本型 z = (max − x)/(max − min) (linear min–max; "
              "cost criteria reversed so that larger is better)",
}


def weights_note(weight_vector) -> str:
    """Say whether the weights were used as given or rescaled to sum 1 (shared by the methods)."""
    if weight_vector.rescaled:
        return (f"权重之和为 {weight_vector.original_sum:g}，已按比例归一化为 1 "
                f"(weights summed to {weight_vector.original_sum:g}; rescaled to sum 1)")
    return "权重之和为 1，按原值使用 (weights sum to 1; used as given)"


@dataclass(frozen=True, kw_only=True)
class TopsisResult(MethodResult):
    """TOPSIS closeness (贴近度) and ranks, labelled by the input's alternatives."""

    closeness: pd.Series
    ranks: pd.Series
    d_plus: pd.Series
    d_minus: pd.Series
    weights: pd.Series

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"d_plus": self.d_plus, "d_minus": self.d_minus,
                             "closeness": self.closeness, "rank": self.ranks})

    def _repr_html_(self) -> str:
        table = self.to_frame().rename(columns={
            "d_plus": "距正理想解 D⁺", "d_minus": "距负理想解 D⁻", "closeness": "贴近度", "rank": "排名"})
        return (f"<b>TOPSIS 逼近理想解排序</b>（{self.conventions['normalization']}）"
                + table.to_html(float_format=lambda v: f"{v:.4f}"))


def topsis(matrix, weights=None, types=None, normalization: str = "vector") -> TopsisResult:
    """Rank alternatives (rows) by TOPSIS relative closeness to the ideal solution.

    `weights`: a weights result, Series, dict or array (None = equal weights); weights that do not
    sum to 1 are rescaled and the result says so. `types`: 'max'/'min' (benefit/cost, 1/−1) per
    criterion, None = all benefit. `normalization`: "vector" (Hwang & Yoon, the textbook default)
    or "minmax".

    Degenerate cases: an all-zero column (vector) or a constant column (min–max) carries no
    information — every alternative gets the same normalised value, so it adds nothing to either
    distance. When every alternative is identical on all weighted criteria (including a single
    alternative), D⁺ = D⁻ = 0 and the closeness is defined as 0.5 for all (equally close to the
    ideal and the anti-ideal); the result records this in `conventions["degenerate"]`.
    """
    if normalization not in NORMALIZATIONS:
        raise InputError("未知的规范化方法 (unknown normalization)",
                         expected=" / ".join(NORMALIZATIONS), found=normalization)
    frame = as_matrix(matrix, name="决策矩阵 (decision matrix)")
    directions = parse_types(types, list(frame.columns))
    weight_vector = as_weights(weights, frame.columns)
    x = frame.to_numpy()
    w = weight_vector.values.to_numpy()

    if normalization == "vector":
        norms = np.sqrt((x ** 2).sum(axis=0))
        safe = np.where(norms > 0, norms, 1.0)
        z = np.where(norms > 0, x / safe, 0.0)
        better_is_larger = directions > 0
        constant_rule = "全零列规范化后为 0，不影响距离 (an all-zero column becomes 0 and adds nothing)"
    else:
        low, high = x.min(axis=0), x.max(axis=0)
        span = high - low
        z = (x - low) / np.where(span > 0, span, 1.0)
        cost = directions < 0
        if cost.any():
            z[:, cost] = 1.0 - z[:, cost]
        z[:, span <= 0] = 1.0
        better_is_larger = np.ones_like(directions, dtype=bool)
        constant_rule = "常数列规范化后全为 1，不影响距离 (a constant column becomes 1 and adds nothing)"

    v = z * w
    ideal = np.where(better_is_larger, v.max(axis=0), v.min(axis=0))
    anti_ideal = np.where(better_is_larger, v.min(axis=0), v.max(axis=0))
    d_plus = np.sqrt(((v - ideal) ** 2).sum(axis=1))
    d_minus = np.sqrt(((v - anti_ideal) ** 2).sum(axis=1))
    total = d_plus + d_minus
    degenerate = bool((total == 0).all())
    closeness = np.where(total > 0, d_minus / np.where(total > 0, total, 1.0), 0.5)

    index, columns = frame.index, frame.columns
    closeness_s = pd.Series(closeness, index=index, name="closeness")
    ranks = rank_desc(closeness_s).rename("rank")
    conventions = {
        "method": "TOPSIS (Hwang & Yoon 1981)",
        "normalization": NORMALIZATIONS[normalization],
        "ideal": "正理想解取各列加权规范值的最优值，负理想解取最劣值 (ideal = column best, "
                 "anti-ideal = column worst of the weighted normalised matrix)",
        "distance": "欧氏距离 (Euclidean)",
        "closeness": "C = D⁻ / (D⁺ + D⁻)",
        "weights": weights_note(weight_vector),
        "constant_columns": constant_rule,
        "degenerate": ("所有方案在加权指标上完全相同（含只有一个方案），D⁺ = D⁻ = 0，贴近度记为 0.5 "
                       "(all alternatives identical: closeness defined as 0.5)" if degenerate
                       else "无 (none)"),
        "rank_rule": RANK_RULE,
    }
    tables = {
        "normalized": pd.DataFrame(z, index=index, columns=columns),
        "weighted": pd.DataFrame(v, index=index, columns=columns),
        "ideal_points": pd.DataFrame([ideal, anti_ideal], index=["正理想解 V⁺", "负理想解 V⁻"],
                                     columns=columns),
        "distances": pd.DataFrame({"d_plus": d_plus, "d_minus": d_minus, "closeness": closeness,
                                   "rank": ranks.to_numpy()}, index=index),
    }
    return TopsisResult(closeness=closeness_s, ranks=ranks,
                        d_plus=pd.Series(d_plus, index=index, name="d_plus"),
                        d_minus=pd.Series(d_minus, index=index, name="d_minus"),
                        weights=weight_vector.values.rename("weight"),
                        conventions=conventions, tables=tables)
