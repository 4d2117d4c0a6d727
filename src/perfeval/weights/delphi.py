"""Delphi rounds (德尔菲法): per-indicator statistics of the experts' importance scores, Kendall's W
per round, the experts' authority coefficient, and weights from the final round.

Input: one frame per round, rows = experts, columns = indicators, cells = importance scores (e.g.
1–5 or 1–9). Per round and indicator: mean, sample standard deviation (n − 1) and coefficient of
variation CV = sd / mean (CV = 0 when every expert gave the same score); an indicator reaches
consensus when CV < ``cv_threshold`` (0.25 by default; domain.md §8.9, a configurable,
unverified convention). Per round: Kendall's coefficient of concordance W with its χ² test
(``perfeval.panel.kendall_w``, tie-corrected). Authority: Cr = (Ca + Cs) / 2 per expert, Ca the
judgement-basis and Cs the familiarity coefficient the experts rate themselves.
Weights: the final round's mean scores normalised to sum 1.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import compare
from .._matrix import as_matrix
from ..errors import InputError
from ..panel import kendall_w
from .combine import WeightResult

CA_NAMES = ("Ca", "ca", "判断依据", "判断系数")
CS_NAMES = ("Cs", "cs", "熟悉程度", "熟悉系数")


@dataclass(frozen=True, kw_only=True, eq=False)
class DelphiResult(WeightResult):
    """Delphi statistics; `.indicators` (per round × indicator), `.rounds` (per round, with W),
    `.authority` (per expert Cr, or None) and `.weights` (final round's normalised means)."""

    indicators: pd.DataFrame
    rounds: pd.DataFrame
    authority: pd.DataFrame | None = None

    def summary_lines(self) -> list[str]:
        last = self.rounds.iloc[-1]
        lines = [f"德尔菲法：{len(self.rounds)} 轮；末轮 Kendall W = {last['W']:.4f}，"
                 f"χ² = {last['χ²']:.3f}，P = {last['P 值']:.4g}"]
        if self.authority is not None:
            lines.append(f"专家权威系数均值 Cr = {self.authority['Cr'].mean():.3f}")
        return lines


def _round_frames(rounds) -> list[tuple[str, pd.DataFrame]]:
    if isinstance(rounds, pd.DataFrame):
        items = [("第1轮", rounds)]
    elif isinstance(rounds, dict):
        items = [(str(k), v) for k, v in rounds.items()]
    elif isinstance(rounds, (list, tuple)):
        items = [(f"第{k + 1}轮", v) for k, v in enumerate(rounds)]
    else:
        raise InputError("德尔菲轮次须为表格、表格列表或字典 (rounds must be a frame, a list or a dict)",
                         found=type(rounds).__name__)
    if not items:
        raise InputError("没有德尔菲轮次数据 (no rounds given)")
    return [(name, as_matrix(frame, name=f"{name}专家评分", allow_negative=False)) for name, frame in items]


def _authority(self_ratings) -> pd.DataFrame:
    frame = self_ratings if isinstance(self_ratings, pd.DataFrame) else pd.DataFrame(self_ratings)
    ca = next((c for c in CA_NAMES if c in frame.columns), None)
    cs = next((c for c in CS_NAMES if c in frame.columns), None)
    if ca is None or cs is None:
        raise InputError("专家自评表须有判断依据 Ca 与熟悉程度 Cs 两列 (self-ratings need Ca and Cs)",
                         expected="列名 Ca/判断依据 与 Cs/熟悉程度", found=list(frame.columns))
    values = as_matrix(frame[[ca, cs]], name="专家自评 (self-ratings)", allow_negative=False)
    if (values.to_numpy() > 1).any():
        raise InputError("Ca、Cs 须在 0 与 1 之间 (coefficients must lie in [0, 1])",
                         found=values[(values > 1).any(axis=1)].index[0])
    out = pd.DataFrame({"Ca": values[ca], "Cs": values[cs]})
    out["Cr"] = (out["Ca"] + out["Cs"]) / 2.0
    out.index.name = "专家"
    return out


def delphi(rounds, self_ratings=None, cv_threshold: float = 0.25, authority_threshold: float = 0.7,
           ties: str = "corrected") -> DelphiResult:
    """Statistics of Delphi rounds and weights from the final round.

    ``rounds``: a frame (one round), a list of frames, or a dict round name → frame; each frame
    has experts as rows and indicators as columns (the same indicators in every round).
    ``self_ratings``: optional frame with one row per expert and columns Ca (判断依据) and Cs
    (熟悉程度); gives the authority coefficient Cr = (Ca + Cs)/2, and a note when the panel's mean
    Cr is below ``authority_threshold`` (0.7, the customary level; a configurable convention).
    """
    frames = _round_frames(rounds)
    indicators = list(frames[0][1].columns)
    stats_rows, round_rows = [], []
    for name, frame in frames:  # a handful of rounds
        if set(frame.columns) != set(indicators):
            raise InputError(f"{name}的指标与第一轮不一致 (indicators differ between rounds)",
                             expected=", ".join(map(str, indicators)),
                             found=", ".join(map(str, frame.columns)))
        frame = frame[indicators]
        m = frame.shape[0]
        mean = frame.mean(axis=0)
        sd = frame.std(axis=0, ddof=1) if m > 1 else pd.Series(0.0, index=indicators)
        cv = pd.Series(np.where(sd.to_numpy() > 0, sd.to_numpy() / np.where(mean > 0, mean, 1.0), 0.0),
                       index=indicators)
        stats_rows.append(pd.DataFrame({"轮次": name, "指标": indicators, "专家数": m,
                                        "均值": mean.to_numpy(), "标准差": sd.to_numpy(),
                                        "变异系数 CV": cv.to_numpy(),
                                        "达成共识": compare.lt(cv, cv_threshold)}))
        try:
            kw = kendall_w(frame, ties=ties)
        except InputError as exc:
            raise InputError(f"{name}：无法计算 Kendall W（{exc.reason}）", expected=exc.expected,
                             found=exc.found) from exc
        round_rows.append({"轮次": name, "专家数": m, "指标数": len(indicators), "W": kw.w,
                           "χ²": kw.chi2, "自由度": kw.df, "P 值": kw.p_value,
                           "CV 均值": float(cv.mean()), "达成共识指标数": int(compare.lt(cv, cv_threshold).sum())})
    per_indicator = pd.concat(stats_rows, ignore_index=True)
    per_round = pd.DataFrame(round_rows)
    final_mean = stats_rows[-1]["均值"].to_numpy()
    if final_mean.sum() <= 0:
        raise InputError("末轮所有指标的平均分均为 0，无法得出权重 (final-round means are all zero)")
    weights = pd.Series(final_mean / final_mean.sum(), index=indicators, name="权重")
    authority = _authority(self_ratings) if self_ratings is not None else None
    notes = []
    if authority is not None:
        last_experts = set(frames[-1][1].index)
        if not set(authority.index) >= last_experts:
            missing = sorted(map(str, last_experts - set(authority.index)))
            notes.append("以下专家缺少自评，未计入权威系数：" + "、".join(missing))
        if compare.lt(authority["Cr"].mean(), authority_threshold):
            notes.append(f"专家权威系数均值 {authority['Cr'].mean():.3f} 低于 {authority_threshold:g} "
                         f"(mean authority below the threshold)")
    conventions = {
        "method": "德尔菲法 (Delphi)", "sd_ddof": 1,
        "cv_rule": "CV = 标准差 / 均值；全体同分时 CV = 0",
        "consensus_rule": f"CV < {cv_threshold:g} 为达成共识 (consensus)", "cv_threshold": cv_threshold,
        "kendall": "perfeval.panel.kendall_w，行 = 专家，列 = 指标，" +
                   ("同分校正" if ties == "corrected" else "不作同分校正"),
        "authority_rule": "Cr = (Ca + Cs) / 2", "authority_threshold": authority_threshold, "weights_rule": "末轮各指标均值归一化 (final-round means / Σ)",
        "notes": notes,
    }
    tables = {"指标统计": per_indicator, "各轮协调系数": per_round}
    if authority is not None:
        tables["专家权威系数"] = authority.reset_index()
    return DelphiResult(weights=weights, indicators=per_indicator, rounds=per_round,
                        authority=authority, conventions=conventions, tables=tables)
