"""Expert-panel statistics: combining the experts' scores and measuring how far they agree.

`kendall_w` is the single implementation of Kendall's coefficient of concordance in perfeval
(Delphi rounds in `perfeval.weights.delphi` import it from here). `aggregate` combines the
scores of a panel per project and indicator by a named rule (mean, trimmed mean, median,
authority-weighted mean); `agreement` reports Kendall's W, the Shrout & Fleiss intraclass
correlations ICC(2,1)/ICC(2,k) and the experts whose scores lean systematically high or low.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from . import compare
from ._matrix import MethodResult, as_matrix
from .errors import InputError, Location

KENDALL_W_FORMULA = ("W = 12·S / (m²(n³−n) − m·ΣT)，T = Σ(t³−t) 为每位专家的同分组校正；"
                     "χ² = m(n−1)·W，df = n−1 (Siegel & Castellan 1988, §9.4)")


@dataclass(frozen=True, kw_only=True)
class KendallW(MethodResult):
    """Kendall's W for m raters (rows) ranking n objects (columns), with tie correction.

    `rank_sums` are the column rank sums R_j with rank 1 = highest score (average ranks for ties);
    `chi2` = m(n−1)W is compared with χ² on n−1 degrees of freedom (large-sample test; for
    n ≤ 7 Siegel & Castellan give exact critical values of S instead, which is noted in
    `conventions`).
    """

    w: float
    chi2: float
    df: int
    p_value: float
    n_raters: int
    n_objects: int
    S: float
    ties_correction: float
    rank_sums: pd.Series

    def _repr_html_(self) -> str:
        table = pd.DataFrame({"协调系数 W": [self.w], "χ²": [self.chi2], "自由度 df": [self.df],
                              "P 值": [self.p_value], "专家数 m": [self.n_raters],
                              "对象数 n": [self.n_objects]})
        return "<b>肯德尔协调系数 (Kendall's W)</b>" + table.to_html(index=False)


def kendall_w(scores, ties: str = "corrected") -> KendallW:
    """Kendall's coefficient of concordance W with tie correction.

    `scores`: raters × objects (rows = experts, columns = the indicators or projects they score);
    an array-like or DataFrame. Each row is ranked across the columns (average ranks for ties).
    `ties`: "corrected" (default, Kendall's T = Σ(t³ − t) per rater subtracted from the
    denominator) or "uncorrected" (the textbook formula without it).

    Raises InputError for missing cells, fewer than 2 raters or objects, or when W is undefined
    (every rater gives every object the same score).
    """
    frame = as_matrix(scores, name="专家评分 (scores)")
    if ties not in ("corrected", "uncorrected"):
        raise InputError("未知的同分处理方式 (unknown ties option)",
                         expected="corrected / uncorrected", found=ties)
    m, n = frame.shape
    if m < 2:
        raise InputError("肯德尔 W 至少需要 2 位专家 (at least 2 raters needed)",
                         expected="≥ 2 行 (rows = raters)", found=m)
    if n < 2:
        raise InputError("肯德尔 W 至少需要 2 个被评对象 (at least 2 objects needed)",
                         expected="≥ 2 列 (columns = objects)", found=n)
    values = frame.to_numpy()
    ranks = stats.rankdata(-values, method="average", axis=1)
    # Size of each element's tie group = max rank − min rank + 1; Σ_elements (t² − 1) = Σ_groups (t³ − t).
    group = (stats.rankdata(values, method="max", axis=1)
             - stats.rankdata(values, method="min", axis=1) + 1.0)
    ties_sum = float((group ** 2 - 1.0).sum()) if ties == "corrected" else 0.0
    rank_sums = ranks.sum(axis=0)
    S = float(((rank_sums - rank_sums.mean()) ** 2).sum())
    denominator = m ** 2 * (n ** 3 - n) - m * ties_sum
    if denominator <= 0:
        raise InputError("所有专家对所有对象给分相同，W 无定义 (W undefined: every rater ties all objects)",
                         found="每行评分全部相同 (every row constant)")
    w = 12.0 * S / denominator
    chi2 = m * (n - 1) * w
    df = n - 1
    p_value = float(stats.chi2.sf(chi2, df))
    conventions = {
        "formula": KENDALL_W_FORMULA,
        "orientation": "行 = 专家 (raters)，列 = 被评对象 (objects ranked by each rater)",
        "ranking": "每位专家内按得分从高到低排秩，同分取平均秩 (average ranks for ties)",
        "ties": "同分校正 (tie-corrected)" if ties == "corrected" else "未校正 (uncorrected)",
        "test": "大样本 χ² 近似，n ≤ 7 时宜查 S 的精确临界值 (chi-square approximation; "
                "for n ≤ 7 use exact critical values of S)",
    }
    tables = {
        "ranks": pd.DataFrame(ranks, index=frame.index, columns=frame.columns),
        "rank_sums": pd.DataFrame({"rank_sum": rank_sums}, index=frame.columns),
    }
    return KendallW(w=float(w), chi2=float(chi2), df=int(df), p_value=p_value, n_raters=int(m),
                    n_objects=int(n), S=S, ties_correction=ties_sum,
                    rank_sums=pd.Series(rank_sums, index=frame.columns, name="rank_sum"),
                    conventions=conventions, tables=tables)


# ---------------------------------------------------------------------------------------------
# Intraclass correlation (Shrout & Fleiss 1979)
# ---------------------------------------------------------------------------------------------

ICC_MODEL = ("Shrout & Fleiss (1979)：ICC(2,1) 与 ICC(2,k) 为双向随机、绝对一致 (two-way random, "
             "absolute agreement)；另给出 ICC(1,·) 单向随机与 ICC(3,·) 双向混合一致性以便对照")


@dataclass(frozen=True, kw_only=True)
class ICC(MethodResult):
    """Intraclass correlations of n targets (rows) rated by k judges (columns), Shrout & Fleiss 1979."""

    icc_2_1: float
    icc_2_k: float
    icc_1_1: float
    icc_1_k: float
    icc_3_1: float
    icc_3_k: float
    n_targets: int
    n_judges: int

    def _repr_html_(self) -> str:
        table = pd.DataFrame({"单个评分者": [self.icc_1_1, self.icc_2_1, self.icc_3_1],
                              "k 位平均": [self.icc_1_k, self.icc_2_k, self.icc_3_k]},
                             index=["ICC(1) 单向随机", "ICC(2) 双向随机·绝对一致", "ICC(3) 双向混合·一致性"])
        return "<b>组内相关系数 (ICC)</b>" + table.to_html(float_format=lambda v: f"{v:.3f}")


def icc(ratings) -> ICC:
    """Shrout & Fleiss intraclass correlations; `ratings` is targets × judges (complete, no gaps).

    ICC(2,1) = (BMS − EMS) / (BMS + (k−1)EMS + k(JMS − EMS)/n) and
    ICC(2,k) = (BMS − EMS) / (BMS + (JMS − EMS)/n), with the two-way ANOVA mean squares for targets
    (BMS), judges (JMS) and residual (EMS). Raises InputError for fewer than 2 targets or judges,
    or when every rating is identical (the coefficients are 0/0).
    """
    frame = as_matrix(ratings, name="评分矩阵 (ratings: targets × judges)")
    x = frame.to_numpy()
    n, k = x.shape
    if n < 2 or k < 2:
        raise InputError("ICC 至少需要 2 个被评对象和 2 位评分者 (need ≥ 2 targets and ≥ 2 judges)",
                         found=f"{n} 个对象 × {k} 位评分者")
    grand = x.mean()
    ss_targets = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_judges = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ss_total = ((x - grand) ** 2).sum()
    ss_error = max(ss_total - ss_targets - ss_judges, 0.0)
    bms = ss_targets / (n - 1)
    jms = ss_judges / (k - 1)
    ems = ss_error / ((n - 1) * (k - 1))
    wms = (ss_judges + ss_error) / (n * (k - 1))
    if ss_total == 0:
        raise InputError("所有评分完全相同，ICC 无定义 (every rating identical: ICC undefined)",
                         found=f"全部为 {x.flat[0]:g}")
    values = {
        "icc_1_1": (bms - wms) / (bms + (k - 1) * wms),
        "icc_1_k": (bms - wms) / bms if bms > 0 else 0.0,
        "icc_2_1": (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n),
        "icc_2_k": (bms - ems) / (bms + (jms - ems) / n),
        "icc_3_1": (bms - ems) / (bms + (k - 1) * ems) if bms + (k - 1) * ems > 0 else 0.0,
        "icc_3_k": (bms - ems) / bms if bms > 0 else 0.0,
    }
    anova = pd.DataFrame({"SS": [ss_targets, ss_judges, ss_error, ss_total],
                          "df": [n - 1, k - 1, (n - 1) * (k - 1), n * k - 1],
                          "MS": [bms, jms, ems, ss_total / (n * k - 1)]},
                         index=["对象间 (targets, BMS)", "评分者间 (judges, JMS)", "残差 (error, EMS)", "合计 (total)"])
    conventions = {"model": ICC_MODEL,
                   "orientation": "行 = 被评对象 (targets)，列 = 评分者 (judges)",
                   "zero_variance": "某均方为 0 使分母为 0 时该系数记为 0 (a zero denominator gives 0)"}
    return ICC(**{key: float(val) for key, val in values.items()}, n_targets=int(n), n_judges=int(k),
               conventions=conventions, tables={"anova": anova})


# ---------------------------------------------------------------------------------------------
# Combining the panel's scores
# ---------------------------------------------------------------------------------------------

LONG_COLUMNS = ("project_id", "indicator", "expert", "score")
AGGREGATION_RULES = {
    "mean": "算术平均 (arithmetic mean)",
    "trimmed": "去掉 {trim} 个最高分和 {trim} 个最低分后平均 (trimmed mean dropping {trim} highest and {trim} lowest)",
    "median": "中位数 (median)",
    "weighted": "按专家权威系数加权平均 (authority-weighted mean; weights renormalised within each cell)",
}


def _long_scores(scores, project: str = "项目") -> pd.DataFrame:
    """Validate and return the tidy frame project_id, indicator, expert, score (original row order).

    A wide frame (experts × indicators, one project) is melted first; its project id is `project`.
    """
    if not isinstance(scores, pd.DataFrame):
        raise InputError("专家评分须为 DataFrame (scores must be a DataFrame)",
                         expected=f"长表列 {', '.join(LONG_COLUMNS)}，或宽表 专家 × 指标",
                         found=type(scores).__name__)
    present = [c for c in LONG_COLUMNS if c in scores.columns]
    if not present:
        wide = as_matrix(scores, name="专家评分宽表 (experts × indicators)")
        long = wide.rename_axis(index="expert", columns="indicator").stack().rename("score").reset_index()
        long.insert(0, "project_id", project)
        return long[list(LONG_COLUMNS)]
    missing = [c for c in LONG_COLUMNS if c not in scores.columns]
    if missing:
        raise InputError("专家评分长表缺少列 (long table is missing columns)",
                         expected=", ".join(LONG_COLUMNS), found=f"缺少 {missing}")
    long = scores[list(LONG_COLUMNS)].reset_index(drop=True)
    for column in ("project_id", "indicator", "expert"):
        if long[column].isna().any():
            row = int(np.argmax(long[column].isna().to_numpy()))
            raise InputError("标识列有空值 (missing identifier)", where=Location(row=row + 1, column=column),
                             expected="非空 (not empty)", found=None)
    numeric = pd.to_numeric(long["score"], errors="coerce")
    bad = numeric.isna() | ~np.isfinite(numeric.fillna(0.0))
    if bad.any():
        row = int(np.argmax(bad.to_numpy()))
        raise InputError("评分缺失或非数值 (missing or non-numeric score)",
                         where=Location(row=row + 1, column="score"), expected="数值 (a number)",
                         found=f"项目 {long.at[row, 'project_id']!r}，指标 {long.at[row, 'indicator']!r}，"
                               f"专家 {long.at[row, 'expert']!r}：{long.at[row, 'score']!r}")
    long = long.assign(score=numeric.astype(float))
    duplicated = long.duplicated(["project_id", "indicator", "expert"], keep=False)
    if duplicated.any():
        row = int(np.argmax(duplicated.to_numpy()))
        raise InputError("同一专家对同一项目同一指标评分多次 (duplicate score)",
                         where=Location(row=row + 1),
                         found=f"项目 {long.at[row, 'project_id']!r}，指标 {long.at[row, 'indicator']!r}，"
                               f"专家 {long.at[row, 'expert']!r}")
    return long


@dataclass(frozen=True, kw_only=True)
class PanelAggregate(MethodResult):
    """Aggregated panel scores: one row per (project_id, indicator)."""

    table: pd.DataFrame

    @property
    def score(self) -> pd.Series:
        return self.table.set_index(["project_id", "indicator"])["score"]

    def to_frame(self, chinese: bool = False) -> pd.DataFrame:
        if not chinese:
            return self.table.copy()
        return self.table.rename(columns={
            "project_id": "项目", "indicator": "指标", "score": "合成得分", "n_experts": "专家数",
            "min": "最低分", "max": "最高分", "std": "标准差", "dropped": "剔除的专家", "rule": "合成规则"})

    def _repr_html_(self) -> str:
        return ("<b>专家评分合成</b>（" + self.conventions["rule"] + "）"
                + self.to_frame(chinese=True).to_html(index=False, float_format=lambda v: f"{v:.2f}"))


def aggregate(scores, method: str = "mean", trim: int = 1, expert_weights=None,
              project: str = "项目") -> PanelAggregate:
    """Combine the experts' scores per (project_id, indicator) by a named rule.

    `scores`: long/tidy frame with columns project_id, indicator, expert, score — or a wide frame
    experts × indicators for a single project (its project id is `project`). `method`: "mean",
    "trimmed" (drop `trim` highest and `trim` lowest, then average; fewer than 2·trim + 1 experts
    in a cell raises InputError — never a silent fall-back), "median", or "weighted" with
    `expert_weights` (dict/Series by expert, e.g. authority coefficients; renormalised within each
    cell). Output per cell: score, n_experts, min, max, std (sample, ddof = 1; 0 for a single
    expert), the experts dropped by the trim (equal scores: the expert listed later is dropped
    from the top, the one listed earlier from the bottom — the trimmed mean is the same either
    way) and the rule used.
    """
    if method not in AGGREGATION_RULES:
        raise InputError("未知的合成规则 (unknown aggregation method)",
                         expected=" / ".join(AGGREGATION_RULES), found=method)
    if method == "trimmed" and (not isinstance(trim, (int, np.integer)) or trim < 1):
        raise InputError("trim 须为正整数 (trim must be a positive integer)", found=trim)
    long = _long_scores(scores, project)
    keys = ["project_id", "indicator"]
    long = long.assign(_order=np.arange(len(long)))
    grouped = long.groupby(keys, sort=False)
    stats_frame = grouped["score"].agg(n_experts="size", min="min", max="max", std="std")
    stats_frame["std"] = stats_frame["std"].fillna(0.0)
    dropped = pd.Series("", index=stats_frame.index)

    if method == "mean":
        value = grouped["score"].mean()
    elif method == "median":
        value = grouped["score"].median()
    elif method == "trimmed":
        too_small = stats_frame["n_experts"] < 2 * trim + 1
        if too_small.any():
            where = too_small[too_small].index[0]
            raise InputError(f"去掉 {trim} 个最高分和 {trim} 个最低分至少需要 {2 * trim + 1} 位专家 "
                             f"(trimmed mean needs ≥ {2 * trim + 1} experts)",
                             expected=f"≥ {2 * trim + 1} 位专家",
                             found=f"项目 {where[0]!r}，指标 {where[1]!r}：{int(stats_frame.loc[where, 'n_experts'])} 位")
        ordered = long.sort_values(keys + ["score", "_order"], kind="stable")
        position = ordered.groupby(keys, sort=False).cumcount()
        size = ordered.groupby(keys, sort=False)["score"].transform("size")
        kept = (position >= trim) & (position < size - trim)
        value = ordered[kept].groupby(keys, sort=False)["score"].mean()
        removed = ordered[~kept]
        dropped = (removed.assign(expert=removed["expert"].astype(str))
                   .groupby(keys, sort=False)["expert"].agg("、".join))
    else:
        if expert_weights is None:
            raise InputError("加权合成须给出专家权重 (weighted aggregation needs expert_weights)")
        weight_map = pd.to_numeric(pd.Series(expert_weights, dtype=object), errors="coerce")
        per_row = long["expert"].map(weight_map)
        if per_row.isna().any():
            row = int(np.argmax(per_row.isna().to_numpy()))
            raise InputError("缺少某位专家的权重 (missing weight for an expert)",
                             expected="每位专家一个数值权重", found=long.at[row, "expert"])
        if (per_row < 0).any():
            raise InputError("专家权重不能为负 (negative expert weight)",
                             found=long.loc[per_row < 0, "expert"].iloc[0])
        weighted = long.assign(_w=per_row, _ws=per_row * long["score"]).groupby(keys, sort=False)[["_w", "_ws"]].sum()
        if (weighted["_w"] <= 0).any():
            where = weighted.index[weighted["_w"] <= 0][0]
            raise InputError("某单元格的专家权重之和为 0 (expert weights sum to 0 in a cell)",
                             found=f"项目 {where[0]!r}，指标 {where[1]!r}")
        value = weighted["_ws"] / weighted["_w"]

    rule = AGGREGATION_RULES[method].format(trim=trim)
    table = stats_frame.assign(score=value.reindex(stats_frame.index),
                               dropped=dropped.reindex(stats_frame.index).fillna(""), rule=rule)
    table = table.reset_index()[["project_id", "indicator", "score", "n_experts", "min", "max",
                                 "std", "dropped", "rule"]]
    table["n_experts"] = table["n_experts"].astype(int)
    conventions = {"method": method, "rule": rule,
                   "std": "样本标准差 (ddof = 1)；仅 1 位专家时记为 0",
                   "trim_ties": "同分时按原始行序决定剔除哪一位，合成分数不受影响" if method == "trimmed" else "—"}
    return PanelAggregate(table=table, conventions=conventions, tables={"scores": long.drop(columns="_order")})


# ---------------------------------------------------------------------------------------------
# Agreement of the panel
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PanelAgreement(MethodResult):
    """Kendall's W and ICCs per group, and the experts whose scores lean systematically."""

    table: pd.DataFrame
    experts: pd.DataFrame

    @property
    def flagged(self) -> list:
        return self.experts.index[self.experts["flagged"]].tolist()

    def _repr_html_(self) -> str:
        groups = self.table.rename(columns={
            "group": "分组", "n_experts": "专家数", "n_objects": "对象数", "kendall_w": "肯德尔 W",
            "chi2": "χ²", "df": "自由度", "p_value": "P 值", "icc_2_1": "ICC(2,1)",
            "icc_2_k": "ICC(2,k)", "note": "说明"})
        experts = self.experts.rename(columns={
            "n_cells": "评分单元数", "mean_signed_deviation": "平均偏差（有符号）",
            "mean_abs_deviation": "平均绝对偏差", "direction": "倾向", "flagged": "提示"})
        return ("<b>专家一致性</b>（" + self.conventions["grouping"] + "）"
                + groups.to_html(index=False, float_format=lambda v: f"{v:.3f}")
                + "<b>专家系统性偏差</b>" + experts.to_html(float_format=lambda v: f"{v:.2f}"))


def agreement(scores, across: str = "indicators", threshold: float = 1.0,
              project: str = "项目") -> PanelAgreement:
    """How far the panel agrees: Kendall's W (tie-corrected), χ², p, ICC(2,1), ICC(2,k), and biased experts.

    `across="indicators"` (default): for each project the experts are the raters and the project's
    indicators the objects — "do the experts order this project's indicators alike?". With
    `across="projects"`: for each indicator the objects are the projects. Every expert must have
    scored every object of a group (InputError names the first gap). A group whose statistics are
    undefined (fewer than 2 experts or objects, or every score identical) gets NaN there with the
    reason in the `note` column — never a silent NaN.

    Systematic deviation: for every cell scored by ≥ 2 experts, an expert's deviation is the
    score minus the mean of the other experts (leave-one-out); an expert is flagged when the mean
    signed deviation over all their cells exceeds `threshold` (in score points) in absolute value.
    """
    if across not in ("indicators", "projects"):
        raise InputError("across 须为 indicators 或 projects", expected="indicators / projects", found=across)
    if not np.isfinite(threshold) or threshold < 0:
        raise InputError("偏差阈值须为非负数 (threshold must be non-negative)", found=threshold)
    long = _long_scores(scores, project)
    group_key, object_key = ("project_id", "indicator") if across == "indicators" else ("indicator", "project_id")

    rows = []
    for group, part in long.groupby(group_key, sort=False):  # one pass per project (or indicator)
        wide = part.pivot(index="expert", columns=object_key, values="score")
        row = {"group": group, "n_experts": wide.shape[0], "n_objects": wide.shape[1],
               "kendall_w": np.nan, "chi2": np.nan, "df": np.nan, "p_value": np.nan,
               "icc_2_1": np.nan, "icc_2_k": np.nan, "note": ""}
        if wide.isna().any().any():  # one incomplete group must not stop the others: say why it has no figures
            i, j = np.argwhere(wide.isna().to_numpy())[0]
            row["note"] = (f"专家评分不完整，未计算一致性 (incomplete panel)：专家 {wide.index[i]!r} "
                           f"缺少 {object_key} {wide.columns[j]!r}")
            rows.append(row)
            continue
        notes = []
        try:
            kw = kendall_w(wide)
            row.update(kendall_w=kw.w, chi2=kw.chi2, df=kw.df, p_value=kw.p_value)
        except InputError as error:
            notes.append("W：" + error.reason)
        try:
            coefficients = icc(wide.T)
            row.update(icc_2_1=coefficients.icc_2_1, icc_2_k=coefficients.icc_2_k)
        except InputError as error:
            notes.append("ICC：" + error.reason)
        row["note"] = "；".join(notes)
        rows.append(row)
    table = pd.DataFrame(rows)

    cell = ["project_id", "indicator"]
    grouped = long.groupby(cell, sort=False)["score"]
    cell_sum = grouped.transform("sum")
    cell_n = grouped.transform("size")
    usable = cell_n >= 2
    others_mean = (cell_sum - long["score"]) / np.where(usable, cell_n - 1, 1)
    deviation = (long["score"] - others_mean)[usable]
    by_expert = pd.DataFrame({"expert": long.loc[usable, "expert"], "deviation": deviation})
    experts = by_expert.groupby("expert", sort=False)["deviation"].agg(
        n_cells="size", mean_signed_deviation="mean",
        mean_abs_deviation=lambda d: float(np.abs(d).mean()))
    experts["direction"] = np.where(experts["mean_signed_deviation"] > 0, "偏高",
                                    np.where(experts["mean_signed_deviation"] < 0, "偏低", "—"))
    experts["flagged"] = compare.gt(experts["mean_signed_deviation"].abs(), threshold)

    conventions = {
        "grouping": ("每个项目内，专家对各指标的评分 (per project, across indicators)" if across == "indicators"
                     else "每个指标上，专家对各项目的评分 (per indicator, across projects)"),
        "kendall_w": KENDALL_W_FORMULA,
        "icc": ICC_MODEL,
        "deviation": ("专家得分减去其他专家的平均分（留一法），对其全部评分单元取平均；"
                      f"|平均有符号偏差| > {threshold:g} 分时提示"),
        "threshold": float(threshold),
        "undefined": "统计量无定义的分组记为 NaN，并在“说明”列写明原因",
    }
    return PanelAgreement(table=table, experts=experts, conventions=conventions,
                          tables={"groups": table.copy(), "experts": experts.copy()})
