"""Weight sensitivity of grades and ranks: would this project's grade change if the weights moved a little?

Every key-evaluation report is asked this. We draw many weight vectors from a Dirichlet
distribution centred on the chosen weights (α = concentration × w, so E[w̃] = w and a larger
concentration means smaller perturbations), rescore every project with each draw and report per
project: the base total and grade, the probability of each grade, the modal grade, the probability
that the grade differs from the base grade, the 5 %–95 % interval of the total and the rank
interval (min, 5 %, median, 95 %, max). Draws are processed in chunks (matrix products and
argsort over whole chunks); besides one chunk, memory holds each draw's totals as float32 (for the
total interval) and a projects × ranks histogram (ranks per draw beyond 2 048 projects). A seed
makes the result reproducible, whatever the chunk size.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import compare
from .._matrix import MethodResult, as_matrix, as_weights
from ..conventions import GradeBands, apply_rounding
from ..errors import InputError, Location
from .topsis import weights_note

RANK_QUANTILES = (0.0, 0.05, 0.5, 0.95, 1.0)
_CHUNK_ELEMENTS = 2_000_000  # draws × projects per chunk (≈ 16 MB of float64 totals)
_HISTOGRAM_MAX_PROJECTS = 2048  # up to here ranks are counted in a projects × ranks histogram (≤ 32 MB)


@dataclass(frozen=True, kw_only=True)
class SensitivityResult(MethodResult):
    """Per-project robustness of the grade and the rank under perturbed weights."""

    summary: pd.DataFrame
    grade_probabilities: pd.DataFrame
    n_draws: int
    seed: int | None

    @property
    def base_total(self) -> pd.Series:
        return self.summary["base_total"]

    @property
    def base_grade(self) -> pd.Series:
        return self.summary["base_grade"]

    @property
    def modal_grade(self) -> pd.Series:
        return self.summary["modal_grade"]

    @property
    def p_grade_change(self) -> pd.Series:
        return self.summary["p_grade_change"]

    @property
    def total_interval(self) -> pd.DataFrame:
        return self.summary[["total_p05", "total_p95"]]

    @property
    def rank_interval(self) -> pd.DataFrame:
        return self.summary[["rank_min", "rank_p05", "rank_median", "rank_p95", "rank_max"]]

    def to_frame(self, chinese: bool = False) -> pd.DataFrame:
        """The summary joined with the grade probabilities; `chinese=True` for report column labels."""
        frame = self.summary.join(self.grade_probabilities.add_prefix("p_"))
        if not chinese:
            return frame
        labels = {"base_total": "基准总分", "base_grade": "基准等级", "base_rank": "基准排名",
                  "modal_grade": "最可能等级", "p_grade_change": "等级变动概率",
                  "total_p05": "总分 5%", "total_p95": "总分 95%", "rank_min": "排名最好",
                  "rank_p05": "排名 5%", "rank_median": "排名中位数", "rank_p95": "排名 95%",
                  "rank_max": "排名最差"}
        labels.update({f"p_{g}": f"P({g})" for g in self.grade_probabilities.columns})
        return frame.rename(columns=labels)

    def _repr_html_(self) -> str:
        return (f"<b>权重敏感性分析</b>（{self.n_draws} 次狄利克雷抽样，集中度 "
                f"{self.conventions['concentration']:g}，种子 {self.seed}）"
                + self.to_frame(chinese=True).to_html(float_format=lambda v: f"{v:.3f}"))


def _rates(frame: pd.DataFrame, points: np.ndarray | None) -> np.ndarray:
    """Score rates in [0, 1]; scores are divided by the indicator's points when points are given."""
    values = frame.to_numpy()
    if points is not None:
        limit = points[None, :]
        bad = (values < 0) | (values > limit + 1e-9)
        what, expected = "得分超出 0 至该指标分值 (score outside 0…points)", "0 ≤ 得分 ≤ 分值"
    else:
        bad = (values < 0) | (values > 1 + 1e-9)
        what, expected = "得分率超出 [0, 1] (score rate outside [0, 1])", "0 ≤ 得分率 ≤ 1"
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise InputError(what, where=Location(row=int(i) + 1, column=str(frame.columns[j])),
                         expected=expected, found=f"项目 {frame.index[i]!r}：{values[i, j]}")
    if points is None:
        return values
    return np.where(points > 0, values / np.where(points > 0, points, 1.0), 0.0)


def _sorted_ranks(totals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the project at each sorted position (best first) and its 0-based rank there.

    Ties share the minimum rank: the rank at a position is the position where its run of equal
    totals starts. The order among equal totals does not matter, so a plain argsort will do.
    """
    order = np.argsort(totals, axis=1)[:, ::-1]
    ordered = np.take_along_axis(totals, order, axis=1)
    new_group = np.empty(order.shape, dtype=bool)
    new_group[:, 0] = True
    np.not_equal(ordered[:, 1:], ordered[:, :-1], out=new_group[:, 1:])
    starts = np.multiply(new_group, np.arange(totals.shape[1]))
    np.maximum.accumulate(starts, axis=1, out=starts)
    return order, starts


def _ranks_min(totals: np.ndarray) -> np.ndarray:
    """Ranks within each row, 1 = highest, ties get the minimum rank; fully vectorised."""
    order, starts = _sorted_ranks(totals)
    ranks = np.empty(order.shape, dtype=np.int64)
    np.put_along_axis(ranks, order, starts + 1, axis=1)
    return ranks


def _quantile_targets(n_draws: int) -> np.ndarray:
    """How many draws must lie at or below the q-quantile (inverted CDF, as numpy computes it)."""
    g = np.asarray(RANK_QUANTILES) * n_draws
    return np.maximum(np.ceil(g), 1).astype(np.int64)


def _rank_quantiles_from_counts(counts: np.ndarray, n_draws: int) -> np.ndarray:
    """Inverted-CDF quantiles of each project's rank from its rank histogram (projects × ranks)."""
    cumulative = counts.cumsum(axis=1)
    targets = _quantile_targets(n_draws)
    return np.stack([(cumulative < t).sum(axis=1) + 1 for t in targets])  # five quantiles


def sensitivity(scores, weights, *, score_type: str = "rate", total: float | None = None,
                bands: GradeBands | None = None, n_draws: int = 10_000, concentration: float = 200.0,
                seed: int | None = 0, chunk_size: int | None = None) -> SensitivityResult:
    """Grade and rank robustness of every project under Dirichlet-perturbed weights.

    `scores`: projects × indicators frame. With `score_type="rate"` (default) the cells are score
    rates in [0, 1]; with `score_type="points"` they are scores out of each indicator's points and
    `weights` must then be those points (e.g. 20, 15, …). `weights`: relative weights or points (a
    weights result, Series, dict or array); they are normalised to w (Σw = 1) and the result says
    so. `total`: the full score (None → the sum of the points for "points", 100 for "rate"); a
    project's total is total × Σ_j w_j · rate_j. `bands`: grade bands (default 优 ≥ 90 / 良 ≥ 80 /
    中 ≥ 60 / 差). `n_draws` weight vectors w̃ ~ Dirichlet(concentration · w) are drawn with
    `numpy.random.default_rng(seed)`; indicators with weight 0 stay at 0. Same seed → identical
    result. `chunk_size` (draws per chunk) defaults to about 2 million draws × projects.
    """
    if score_type not in ("rate", "points"):
        raise InputError("score_type 须为 rate 或 points", expected="rate / points", found=score_type)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise InputError("随机种子须为整数或 None (seed must be an integer)", found=seed)
    if isinstance(n_draws, bool) or not isinstance(n_draws, (int, np.integer)) or n_draws < 1:
        raise InputError("抽样次数须为正整数 (n_draws must be a positive integer)", found=n_draws)
    if not np.isfinite(concentration) or concentration <= 0:
        raise InputError("集中度须为正数 (concentration must be positive)", found=concentration)
    bands = bands or GradeBands()
    frame = as_matrix(scores, name="项目得分 (scores)")
    weight_vector = as_weights(weights, frame.columns)
    w = weight_vector.values.to_numpy()
    points = None
    if score_type == "points":
        points = weight_vector.values.to_numpy() * weight_vector.original_sum
    rates = _rates(frame, points)
    if total is None:
        total = weight_vector.original_sum if score_type == "points" else 100.0
    total = float(total)

    n_projects = rates.shape[0]
    labels = np.asarray(bands.labels, dtype=object)

    def grade_index(totals: np.ndarray) -> np.ndarray:
        """Index into the labels, as GradeBands grades (lower bound inclusive, compared at a stated precision)."""
        percent = totals * (100.0 / total)  # bands are on the 100-point scale whatever the full score
        graded = apply_rounding(percent, "half_up_2dp") if bands.on == "rounded" else percent
        return bands.index(graded.ravel()).reshape(np.shape(graded))

    base_total = total * (rates @ w)
    base_grade_idx = grade_index(base_total)
    base_rank = _ranks_min(base_total[None, :])[0]

    active = w > 0
    alpha = concentration * w[active]
    if chunk_size is None:
        chunk_size = max(1, _CHUNK_ELEMENTS // max(n_projects, 1))
    chunk_size = int(min(chunk_size, n_draws))
    rng = np.random.default_rng(seed)
    active_rates = rates[:, active]
    # Identical projects are scored once, so that they tie exactly whatever the BLAS kernel does.
    unique_rates, inverse = np.unique(active_rates, axis=0, return_inverse=True)
    has_duplicates = unique_rates.shape[0] < n_projects
    score_rows = unique_rates if has_duplicates else active_rates
    use_histogram = n_projects <= _HISTOGRAM_MAX_PROJECTS
    all_totals = np.empty((n_draws, n_projects), dtype=np.float32)
    if use_histogram:
        rank_counts = np.zeros(n_projects * n_projects, dtype=np.int64)
    else:
        rank_dtype = np.min_scalar_type(n_projects)
        all_ranks = np.empty((n_draws, n_projects), dtype=rank_dtype)
    grade_counts = np.zeros(n_projects * labels.size, dtype=np.int64)
    project_offsets = np.arange(n_projects) * labels.size
    for start in range(0, n_draws, chunk_size):
        stop = min(start + chunk_size, n_draws)
        if alpha.size > 1:
            drawn = rng.dirichlet(alpha, size=stop - start)
        else:  # a single weighted indicator cannot move
            drawn = np.ones((stop - start, 1))
        totals = total * (drawn @ score_rows.T)
        if has_duplicates:
            totals = totals[:, inverse]
        all_totals[start:stop] = totals
        order, starts = _sorted_ranks(totals)
        if use_histogram:
            cell = np.multiply(order, n_projects)
            cell += starts
            rank_counts += np.bincount(cell.ravel(), minlength=rank_counts.size)
        else:
            ranks = np.empty(order.shape, dtype=np.int64)
            np.put_along_axis(ranks, order, starts + 1, axis=1)
            all_ranks[start:stop] = ranks
        cells = grade_index(totals) + project_offsets
        grade_counts += np.bincount(cells.ravel(), minlength=grade_counts.size)

    probabilities = grade_counts.reshape(n_projects, labels.size) / n_draws
    modal_idx = probabilities.argmax(axis=1)  # ties go to the better (earlier) grade
    total_q = np.quantile(all_totals, [0.05, 0.95], axis=0).astype(float)
    if use_histogram:
        rank_q = _rank_quantiles_from_counts(rank_counts.reshape(n_projects, n_projects), n_draws)
        rank_storage = "排名以直方图累计（项目数² 个计数）"
    else:
        rank_q = np.quantile(all_ranks, RANK_QUANTILES, axis=0, method="inverted_cdf").astype(int)
        rank_storage = f"排名以 {np.dtype(rank_dtype).name} 逐次保存"

    index = frame.index
    summary = pd.DataFrame({
        "base_total": base_total,
        "base_grade": labels[base_grade_idx],
        "base_rank": base_rank.astype(int),
        "modal_grade": labels[modal_idx],
        "p_grade_change": 1.0 - probabilities[np.arange(n_projects), base_grade_idx],
        "total_p05": total_q[0], "total_p95": total_q[1],
        "rank_min": rank_q[0], "rank_p05": rank_q[1], "rank_median": rank_q[2],
        "rank_p95": rank_q[3], "rank_max": rank_q[4],
    }, index=index)
    grade_probabilities = pd.DataFrame(probabilities, index=index, columns=list(bands.labels))
    conventions = {
        "method": "权重狄利克雷扰动 (Dirichlet perturbation of the weights)",
        "perturbation": "w̃ ~ Dirichlet(concentration × w)，E[w̃] = w；权重为 0 的指标保持为 0",
        "concentration": float(concentration),
        "n_draws": int(n_draws),
        "seed": seed,
        "rng": "numpy.random.default_rng(seed)（PCG64）；同一种子结果完全相同",
        "chunking": (f"每批 {chunk_size} 次抽样（矩阵乘法与 argsort 按批向量化）；各次抽样的总分以 float32 "
                     f"保存用于分位数，{rank_storage}"),
        "ties": ("排名并列取最小名次；得分率完全相同的项目只计算一次，保证始终并列 "
                 "(projects with identical rates are scored once and always tie)"),
        "score_type": ("得分率 0–1 (score rates)" if score_type == "rate"
                       else "按指标分值计分，得分率 = 得分 / 分值 (scores out of points)"),
        "total": total,
        "weights": weights_note(weight_vector),
        "grade_bands": bands.describe(),
        "comparison": compare.DESCRIPTION,
        "grading_basis": ("按百分制（总分 ÷ 满分 × 100）定级；"
                          + ("定级前四舍五入保留两位小数" if bands.on == "rounded" else "按未取舍总分定级")),
        "modal_grade": "概率最大的等级；并列取较优等级 (ties go to the better grade)",
        "total_interval": "总分 5% 与 95% 分位数（线性插值）",
        "rank_rule": "1 = 最优；并列取最小名次；排名分位数取经验分布的逆（inverted CDF，整数名次）",
    }
    tables = {
        "base": summary[["base_total", "base_grade", "base_rank"]].copy(),
        "grade_probabilities": grade_probabilities.copy(),
        "rank_interval": summary[["rank_min", "rank_p05", "rank_median", "rank_p95", "rank_max"]].copy(),
        "weights": pd.DataFrame({"weight": weight_vector.values}),
    }
    return SensitivityResult(summary=summary, grade_probabilities=grade_probabilities,
                             n_draws=int(n_draws), seed=seed, conventions=conventions, tables=tables)
