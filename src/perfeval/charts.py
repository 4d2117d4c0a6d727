"""Charts for the reports (matplotlib/seaborn), every Chinese glyph rendered.

Each function takes frames perfeval produced and returns a matplotlib Figure; CJK fonts are
set up first (a system font when present, else the font shipped with perfeval's dependencies).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

GRADE_ORDER = ["优", "良", "中", "差"]
GRADE_COLORS = {"优": "#2e7d32", "良": "#1976d2", "中": "#f9a825", "差": "#c62828"}


def _setup():
    from .report.fonts import set_theme

    set_theme(style="whitegrid")
    import matplotlib.pyplot as plt

    return plt


def level1_rates(levels: pd.DataFrame, title: str = "各一级指标得分率"):
    """Horizontal bars: score rate (得分/分值) per level-1 indicator of one project."""
    plt = _setup()
    lv = levels[levels.level == 1]
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(lv) + 1.2))
    rates = lv["rate"].to_numpy(dtype=float) * 100
    ax.barh(lv["level1"].astype(str), rates, color="#1976d2")
    for y, (r, s, p) in enumerate(zip(rates, lv["score"], lv["points"])):
        ax.text(min(r, 100) + 1, y, f"{r:.1f}%（{s:g}/{p:g}）", va="center", fontsize=9)
    ax.set_xlim(0, 125)
    ax.invert_yaxis()
    ax.set_xlabel("得分率（%）")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def grade_distribution(totals: pd.DataFrame, by: str | None = None, title: str = "评价等级分布",
                       labels=tuple(GRADE_ORDER)):
    """Count of projects per grade (in the scheme's label order), optionally split by a column."""
    plt = _setup()
    import seaborn as sns

    fig, ax = plt.subplots(figsize=(6, 3.6))
    labels = list(labels)
    data = totals.assign(等级=pd.Categorical(totals["grade"], labels, ordered=True))
    palette = dict(zip(labels, GRADE_COLORS.values())) if not by else None
    sns.countplot(data=data, x="等级", hue=by or "等级", ax=ax, palette=palette, order=labels, legend=bool(by))
    for c in ax.containers:
        ax.bar_label(c, fontsize=9)
    ax.set_xlabel("评价等级")
    ax.set_ylabel("项目数")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def score_vs_execution(totals: pd.DataFrame, hue: str | None = None, title: str = "总分与预算执行率",
                       bounds=(90.0, 80.0)):
    """Scatter of total score against execution rate, one dot per project; lines at the grade bounds."""
    plt = _setup()
    import seaborn as sns

    fig, ax = plt.subplots(figsize=(7, 4.2))
    data = totals.assign(执行率=totals["exec_rate"] * 100, 总分=totals["total"])
    sns.scatterplot(data=data, x="执行率", y="总分", hue=hue, ax=ax, s=28)
    for bound, color in zip(bounds, GRADE_COLORS.values()):
        ax.axhline(bound, color=color, lw=0.8, ls="--")
    ax.set_xlabel("预算执行率（%）")
    ax.set_ylabel("总分")
    ax.set_title(title)
    if hue:
        ax.legend(fontsize=8, loc="lower left", ncol=2)
    fig.tight_layout()
    return fig


def mean_by(totals: pd.DataFrame, column: str, label: str, title: str):
    """Mean total score per group (department, sector), sorted, with the count of projects."""
    plt = _setup()
    g = totals.groupby(column)["total"].agg(["mean", "size"]).sort_values("mean", ascending=False)
    fig, ax = plt.subplots(figsize=(7, 0.32 * len(g) + 1.2))
    ax.barh(g.index.astype(str), g["mean"], color="#1976d2")
    for y, (m, n) in enumerate(zip(g["mean"], g["size"])):
        ax.text(m + 0.3, y, f"{m:.1f}（{n}项）", va="center", fontsize=8)
    ax.set_xlim(0, 105)
    ax.invert_yaxis()
    ax.set_xlabel("平均总分")
    ax.set_ylabel(label)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def strip_by(totals: pd.DataFrame, column: str, label: str, title: str, bounds=(90.0, 80.0), labels=GRADE_ORDER):
    """One dot per project on a 0–100 scale, a row per group (department, sector), coloured by grade,
    with the grade bounds drawn and labelled; groups ordered by their mean total."""
    plt = _setup()
    data = totals[totals["total"].notna()].copy()
    order = data.groupby(column)["total"].mean().sort_values(ascending=False).index.astype(str).tolist()
    pos = {g: i for i, g in enumerate(order)}
    fig, ax = plt.subplots(figsize=(8, 0.34 * len(order) + 1.6))
    jitter = (np.arange(len(data)) % 5 - 2) * 0.06  # deterministic spread of overlapping dots
    y = data[column].astype(str).map(pos).to_numpy(dtype=float) + jitter
    colors = data["grade"].map(GRADE_COLORS).fillna("#9e9e9e")
    ax.scatter(data["total"], y, c=colors.tolist(), s=22, edgecolors="white", linewidths=0.4, zorder=3)
    for bound, name in zip(bounds, ("优", "良")):
        ax.axvline(bound, color=GRADE_COLORS[name], lw=1, ls="--", zorder=1)
        ax.text(bound, -0.9, f"{bound:g}（{name}）", color=GRADE_COLORS[name], fontsize=8, ha="center")
    ax.set_yticks(range(len(order)), order, fontsize=8)
    ax.set_ylim(len(order) - 0.4, -1.2)
    ax.set_xlim(0, 101.5)
    ax.set_xlabel("自评总分（0–100）")
    ax.set_ylabel(label)
    ax.set_title(title)
    handles = [plt.Line2D([], [], marker="o", ls="", color=GRADE_COLORS[g], label=g) for g in labels if g in GRADE_COLORS]
    ax.legend(handles=handles, title="评价等级", fontsize=8, title_fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


def self_vs_key(table: pd.DataFrame, title: str = "单位自评与重点评价得分对比"):
    """Per key-evaluated project its self-evaluation total and its key-evaluation total, joined by a line."""
    plt = _setup()
    t = table.dropna(subset=["自评", "重点评价"]).iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(t) + 1.4))
    y = np.arange(len(t))
    ax.hlines(y, t["重点评价"], t["自评"], color="#9e9e9e", lw=1.2)
    ax.scatter(t["自评"], y, color="#1976d2", s=26, label="单位自评", zorder=3)
    ax.scatter(t["重点评价"], y, color="#c62828", s=26, label="重点评价", zorder=3)
    for bound, name in ((90.0, "优"), (80.0, "良")):
        ax.axvline(bound, color=GRADE_COLORS[name], lw=1, ls="--")
    ax.set_yticks(y, t["项目名称"].astype(str), fontsize=8)
    ax.set_xlim(max(0, float(np.floor(t[["自评", "重点评价"]].min().min() / 10) * 10) - 5), 100)
    ax.set_xlabel("得分")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


def rank_comparison(score_rank: pd.Series, other_rank: pd.Series, other_label: str,
                    title: str = "综合评价排名与总分排名"):
    """Scatter of two rankings of the same projects (1 = best); the diagonal is agreement."""
    plt = _setup()
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.scatter(score_rank, other_rank.reindex(score_rank.index), s=14)
    n = len(score_rank)
    ax.plot([1, n], [1, n], color="grey", lw=0.8, ls="--")
    ax.set_xlabel("总分排名")
    ax.set_ylabel(other_label)
    ax.set_title(title)
    fig.tight_layout()
    return fig


STATUS_COLORS = {"全额安排": "#2e7d32", "部分安排": "#f9a825", "未安排（资金线以下）": "#9e9e9e"}


def funding_line(table: pd.DataFrame, cap: float, title: str = "择优排序与资金控制线"):
    """Ranked projects as bars of their amounts stacked end to end (cumulative, 万元), coloured by what
    they get, with the cap drawn as a vertical line: the funding line is where the bars cross it.

    ``table``: ``project_name``, ``amount`` and ``funded`` (元), ``status`` — the ranked rows only.
    """
    plt = _setup()
    t = table.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 0.34 * len(t) + 1.6))
    start = np.r_[0.0, np.cumsum(t["amount"].to_numpy(dtype=float))[:-1]] / 1e4
    width = t["amount"].to_numpy(dtype=float) / 1e4
    colors = t["status"].map({**STATUS_COLORS, "部分安排": "#9e9e9e"}).fillna("#9e9e9e").tolist()  # unfunded part grey
    y = np.arange(len(t))
    ax.barh(y, width, left=start, color=colors, linewidth=0, height=0.7)
    partial = t["status"] == "部分安排"
    ax.barh(y[partial], (t.loc[partial, "funded"].to_numpy(dtype=float)) / 1e4, left=start[partial.to_numpy()],
            color=STATUS_COLORS["部分安排"], linewidth=0, height=0.7)
    ax.axvline(cap / 1e4, color="#c62828", lw=1.2, ls="--")
    ax.text(cap / 1e4, -0.9, f"资金控制数 {cap / 1e4:,.0f} 万元", color="#c62828", fontsize=8, ha="center")
    ax.set_yticks(y, [f"{i + 1}. {n}" for i, n in enumerate(t["project_name"].astype(str))], fontsize=8)
    ax.set_ylim(len(t) - 0.4, -1.4)
    ax.set_xlabel("累计金额（万元）")
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:,.0f}")
    ax.set_title(title)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c, label=s) for s, c in STATUS_COLORS.items()
               if s in set(t["status"])]
    ax.legend(handles=handles, fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


LIGHT_COLORS = {"绿灯": "#2e7d32", "黄灯": "#f9a825", "红灯": "#c62828", "—": "#9e9e9e"}


def lights_by_department(counts: pd.DataFrame, title: str = "各部门项目预警灯"):
    """Stacked horizontal bars: per department the number of projects per light (绿灯, 黄灯, 红灯).

    ``counts``: index department, columns the light labels (as :meth:`perfeval.monitor.Status.light_counts`).
    Departments with red first, then yellow, then by size.
    """
    plt = _setup()
    c = counts.copy()
    c = c.loc[c.sort_values([k for k in ("红灯", "黄灯") if k in c] + [], ascending=False, kind="stable").index]
    fig, ax = plt.subplots(figsize=(8, 0.2 * len(c) + 1.4))
    left = np.zeros(len(c))
    y = np.arange(len(c))
    for label in [k for k in LIGHT_COLORS if k in c]:
        v = c[label].to_numpy(dtype=float)
        ax.barh(y, v, left=left, color=LIGHT_COLORS[label], label=label, height=0.65, linewidth=0)
        left += v
    ax.set_yticks(y, c.index.astype(str), fontsize=7)
    ax.set_ylim(len(c) - 0.4, -0.6)
    ax.set_xlabel("项目数")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def execution_vs_schedule(curve: pd.DataFrame, as_of: int, title: str = "全市累计执行率与序时进度"):
    """Cumulative execution by month (solid, up to ``as_of``), the forecast path to year end (dashed)
    and the schedule line (序时进度) with the 80 % / 60 % light bounds. ``curve``: month, rate,
    schedule, and optionally forecast (shares)."""
    plt = _setup()
    fig, ax = plt.subplots(figsize=(7.5, 4))
    m = curve["month"].to_numpy()
    ax.plot(m, curve["schedule"] * 100, color="#616161", lw=1.2, label="序时进度")
    ax.fill_between(m, curve["schedule"] * 60, curve["schedule"] * 80, color="#f9a825", alpha=0.15, label="黄灯区间")
    ax.fill_between(m, 0, curve["schedule"] * 60, color="#c62828", alpha=0.08, label="红灯区间")
    done = curve[curve["month"] <= as_of]
    ax.plot(done["month"], done["rate"] * 100, color="#1976d2", lw=2.2, marker="o", ms=4, label="累计执行率")
    if "forecast" in curve:
        ahead = curve[curve["month"] >= as_of]
        ax.plot(ahead["month"], ahead["forecast"] * 100, color="#1976d2", lw=1.4, ls="--", label="预计")
    ax.set_xticks(range(1, 13), [f"{i}月" for i in range(1, 13)], fontsize=8)
    ax.set_ylim(0, 105)
    ax.set_ylabel("占预算的比例（%）")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig
