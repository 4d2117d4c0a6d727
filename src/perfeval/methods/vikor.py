"""VIKOR compromise ranking: group utility S, individual regret R and the compromise index Q.

Opricovic & Tzeng (2004, 2007): with the best f* and worst f⁻ value of every criterion,
S_i = Σ_j w_j (f*_j − f_ij)/(f*_j − f⁻_j), R_i = max_j of the same terms, and
Q_i = v (S_i − S*)/(S⁻ − S*) + (1 − v)(R_i − R*)/(R⁻ − R*). Lower is better for all three.
The compromise solution is the best alternative by Q if it has an acceptable advantage
(Q(a″) − Q(a′) ≥ DQ = 1/(J − 1)) and acceptable stability (also best by S or R); otherwise a
compromise set is proposed, exactly as in the papers.
"""
from __future__ import annotations

from html import escape

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._matrix import RANK_RULE, MethodResult, as_matrix, as_weights, parse_types, rank_desc
from ..errors import InputError
from .topsis import weights_note

_TOLERANCE = 1e-12  # comparisons of Q differences with DQ are made with this slack


@dataclass(frozen=True, kw_only=True)
class VikorResult(MethodResult):
    """S, R, Q (lower is better), ranks by Q and the proposed compromise set."""

    S: pd.Series
    R: pd.Series
    Q: pd.Series
    ranks: pd.Series
    compromise: list
    acceptable_advantage: bool
    acceptable_stability: bool
    dq: float
    weights: pd.Series

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame({"S": self.S, "R": self.R, "Q": self.Q, "rank": self.ranks})
        frame["compromise"] = frame.index.isin(self.compromise)
        return frame

    def _repr_html_(self) -> str:
        table = self.to_frame().rename(columns={
            "S": "群体效用 S", "R": "个体遗憾 R", "Q": "折衷值 Q", "rank": "排名", "compromise": "折衷解"})
        verdict = (f"可接受优势 (C1)：{'是' if self.acceptable_advantage else '否'}；"
                   f"决策稳定性 (C2)：{'是' if self.acceptable_stability else '否'}；"
                   f"折衷解：{escape(', '.join(map(str, self.compromise)))}")
        return ("<b>VIKOR 折衷排序</b>（v = {:g}）".format(self.conventions["v"])
                + table.to_html(float_format=lambda x: f"{x:.4f}") + f"<p>{verdict}</p>")


def _scaled_difference(values: np.ndarray) -> np.ndarray:
    """(x − min)/(max − min); 0 everywhere when all values are equal (the term carries no information)."""
    low, high = values.min(), values.max()
    if high - low <= 0:
        return np.zeros_like(values)
    return (values - low) / (high - low)


def vikor(matrix, weights=None, types=None, v: float = 0.5) -> VikorResult:
    """VIKOR ranking of alternatives (rows) with the Opricovic–Tzeng compromise rule.

    `v` ∈ [0, 1] is the weight of the strategy of maximum group utility (0.5 = consensus).
    Degenerate cases: a constant criterion (f* = f⁻) contributes 0 to S and R for everyone; if all
    S (or all R) are equal, that term of Q is 0; a single alternative gets Q = 0 and is the
    compromise solution by itself. All of this is recorded in `conventions`.
    """
    if not isinstance(v, (int, float, np.integer, np.floating)) or not 0.0 <= float(v) <= 1.0:
        raise InputError("VIKOR 的 v 须在 [0, 1] 内 (v must lie in [0, 1])", found=v)
    v = float(v)
    frame = as_matrix(matrix, name="决策矩阵 (decision matrix)")
    directions = parse_types(types, list(frame.columns))
    weight_vector = as_weights(weights, frame.columns)
    x = frame.to_numpy()
    w = weight_vector.values.to_numpy()

    best = np.where(directions > 0, x.max(axis=0), x.min(axis=0))
    worst = np.where(directions > 0, x.min(axis=0), x.max(axis=0))
    span = best - worst
    gap = np.where(span != 0, (best - x) / np.where(span != 0, span, 1.0), 0.0)
    regret = gap * w
    S = regret.sum(axis=1)
    R = regret.max(axis=1)
    Q = v * _scaled_difference(S) + (1.0 - v) * _scaled_difference(R)

    n_alternatives = x.shape[0]
    order = np.argsort(Q, kind="stable")
    first = order[0]
    if n_alternatives == 1:
        dq = 1.0
        advantage = stability = True
        members = [first]
    else:
        dq = 1.0 / (n_alternatives - 1)
        advantage = bool(Q[order[1]] - Q[first] >= dq - _TOLERANCE)
        stability = bool(S[first] <= S.min() + _TOLERANCE or R[first] <= R.min() + _TOLERANCE)
        if advantage and stability:
            members = [first]
        elif advantage:
            members = [first, order[1]]
        else:
            members = [i for i in order if Q[i] - Q[first] < dq - _TOLERANCE]

    index = frame.index
    S_s = pd.Series(S, index=index, name="S")
    R_s = pd.Series(R, index=index, name="R")
    Q_s = pd.Series(Q, index=index, name="Q")
    ranks = rank_desc(-Q_s).rename("rank")
    compromise = [index[i] for i in members]
    conventions = {
        "method": "VIKOR (Opricovic & Tzeng 2004, 2007)",
        "v": v,
        "normalization": "线性：(f* − f)/(f* − f⁻)，f* 为最优值、f⁻ 为最劣值 (linear, per criterion)",
        "weights": weights_note(weight_vector),
        "constant_columns": "常数指标 f* = f⁻ 时该项记为 0 (a constant criterion contributes 0)",
        "flat_S_or_R": "若所有方案 S（或 R）相同，Q 中对应项记为 0 (if S or R is flat, its term is 0)",
        "compromise_rule": ("C1 可接受优势 Q(a″) − Q(a′) ≥ DQ = 1/(J − 1)；C2 决策稳定性：a′ 按 S 或 R 也最优；"
                            "仅 C2 不满足取 {a′, a″}，C1 不满足取 Q(a) − Q(a′) < DQ 的全部方案"),
        "rank_rule": "按 Q 由小到大，" + RANK_RULE,
    }
    tables = {
        "best_worst": pd.DataFrame([best, worst], index=["最优值 f*", "最劣值 f⁻"], columns=frame.columns),
        "weighted_regret": pd.DataFrame(regret, index=index, columns=frame.columns),
        "S_R_Q": pd.DataFrame({"S": S, "R": R, "Q": Q, "rank_S": rank_desc(-S_s).to_numpy(),
                               "rank_R": rank_desc(-R_s).to_numpy(), "rank_Q": ranks.to_numpy()},
                              index=index),
    }
    return VikorResult(S=S_s, R=R_s, Q=Q_s, ranks=ranks, compromise=compromise,
                       acceptable_advantage=advantage, acceptable_stability=stability, dq=dq,
                       weights=weight_vector.values.rename("weight"),
                       conventions=conventions, tables=tables)
