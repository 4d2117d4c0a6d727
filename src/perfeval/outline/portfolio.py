"""The city-wide comparison a finance-bureau director reads: tables and sentences in plain Chinese.

Overview and grade counts; self-evaluation against key evaluation (how many self-graded 优 the
panel rated lower, by how much, which projects); monitoring and budget changes (June reminders,
October zero-spend, year-end recovery, with amounts); departments and sectors; review findings by
kind and by project; and for the appendix the multi-criteria ranking and the grade robustness,
each with a sentence saying what it means. Money in 万元 (two decimals) in tables, 亿元 in text
for city totals; no code names; an empty result is a sentence, never an empty table.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..report.markup import grade_label
from ..review import FLAG_INFO
from .. import display as fmt
from ..settings import city_of  # noqa: F401  (the name outline callers use)


def grade_counts(self_totals: pd.DataFrame, key_totals: pd.DataFrame, labels) -> pd.DataFrame:
    """评价等级 | 单位自评（个） | 重点评价（个）, with 未定级 where any grade was withheld."""
    labels = list(labels)
    s = self_totals["grade"].map(grade_label).value_counts()
    k = key_totals["grade"].map(grade_label).value_counts()
    order = labels + [g for g in ("未定级",) if g in s.index or g in k.index]
    out = pd.DataFrame({"评价等级": order, "单位自评（个）": [int(s.get(g, 0)) for g in order],
                        "重点评价（个）": [int(k.get(g, 0)) for g in order]})
    total = pd.DataFrame([{"评价等级": "合计", "单位自评（个）": int(len(self_totals)),
                           "重点评价（个）": int(len(key_totals))}])
    out = pd.concat([out, total], ignore_index=True)
    # no key-evaluation data: no column of zeros (the overview says the data were not given)
    return out.drop(columns="重点评价（个）") if key_totals.attrs.get("absent") else out


def overview_text(city: str, year, projects: pd.DataFrame, self_totals: pd.DataFrame, key_totals: pd.DataFrame,
                  n_flags: int, n_flag_projects: int) -> list[str]:
    """总体情况 in sentences (city totals in 亿元)."""
    key = projects[projects.get("key_evaluation", False) == True]  # noqa: E712  (a boolean column)
    graded = self_totals["grade"].map(grade_label)
    excellent = int((graded == "优").sum())
    out = [
        f"{year} 年度，{city}纳入绩效自评的项目 {len(self_totals)} 个，涉及 {projects['department'].nunique()} 个部门，"
        f"全年预算 {fmt.yi_text(projects['budget_full_year'].sum())}，执行 {fmt.yi_text(projects['spent'].sum())}，"
        f"整体执行率 {fmt.pct(projects['spent'].sum() / projects['budget_full_year'].sum())}",
        f"单位自评中评为“优”的 {excellent} 个，占 {fmt.pct(excellent / max(len(self_totals), 1), 1)}；复核发现问题 "
        f"{n_flags} 条，涉及 {n_flag_projects} 个项目",
        key_totals.attrs.get("absent") or  # no key-evaluation data: said, not "0 projects"
        f"财政重点绩效评价 {len(key_totals)} 个项目，涉及资金 {fmt.yi_text(key['budget_full_year'].sum())}，评价结果为"
        + "、".join(f"“{g}”{n} 个" for g, n in key_totals["grade"].map(grade_label).value_counts()
                    .reindex(["优", "良", "中", "差", "未定级"]).dropna().astype(int).items() if n),
    ]
    return [fmt.sentence(x) for x in out]


def self_vs_key(self_totals: pd.DataFrame, key_totals: pd.DataFrame, projects: pd.DataFrame,
                key_levels: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[str]]:
    """自评与重点评价对比: a table per key-evaluated project (largest gap first) and what it shows."""
    s = self_totals.set_index("project_id")
    k = key_totals.set_index("project_id")
    ids = [p for p in k.index if p in s.index]
    info = projects.set_index("project_id")
    frame = pd.DataFrame({
        "项目名称": info["project_name"].reindex(ids).to_numpy(), "主管部门": info["department"].reindex(ids).to_numpy(),
        "_self": s.loc[ids, "total"].to_numpy(float), "_key": k.loc[ids, "total"].to_numpy(float),
        "自评等级": s.loc[ids, "grade"].map(grade_label).to_numpy(), "重点评价等级": k.loc[ids, "grade"].map(grade_label).to_numpy(),
    })
    frame["_gap"] = frame["_self"] - frame["_key"]
    frame = frame.sort_values("_gap", ascending=False, kind="stable").reset_index(drop=True)
    table = pd.DataFrame({"项目名称": frame["项目名称"], "主管部门": frame["主管部门"],
                          "自评总分": frame["_self"].map(fmt.score), "自评等级": frame["自评等级"],
                          "重点评价得分": frame["_key"].map(fmt.score), "重点评价等级": frame["重点评价等级"],
                          "差距（自评−重点评价）": frame["_gap"].map(fmt.score)})
    order = {"优": 0, "良": 1, "中": 2, "差": 3}
    lower = frame[frame["重点评价等级"].map(order).fillna(9) > frame["自评等级"].map(order).fillna(9)]
    excellent_lower = lower[lower["自评等级"] == "优"]
    text = []
    if len(frame):
        text.append(f"{len(frame)} 个重点评价项目的单位自评平均 {fmt.score(frame['_self'].mean())} 分，重点评价平均 "
                    f"{fmt.score(frame['_key'].mean())} 分，平均低 {fmt.score(frame['_gap'].mean())} 分")
    if len(excellent_lower):
        worst = excellent_lower.iloc[0]
        text.append(f"{len(excellent_lower)} 个项目自评为“优”而重点评价为“{'、'.join(sorted(set(excellent_lower['重点评价等级'])))}”，"
                    f"平均低 {fmt.score(excellent_lower['_gap'].mean())} 分；差距最大的是{worst['项目名称']}"
                    f"（自评 {fmt.score(worst['_self'])} 分，重点评价 {fmt.score(worst['_key'])} 分）")
        if key_levels is not None and len(key_levels):
            rates = key_levels[key_levels["level"] == 1].groupby("level1", sort=False)["rate"].mean().sort_values()
            low = [f"{name}（平均得分率 {fmt.pct(rate, 1)}）" for name, rate in rates.head(2).items()]
            text.append(f"重点评价的扣分主要集中在{'和'.join(low)}方面")
    elif len(frame):
        text.append("重点评价等级与单位自评等级一致，未发现自评明显偏高的项目")
    return table, [fmt.sentence(x) for x in text]


def monitoring_tables(mon, projects: pd.DataFrame, absent: str | None = None) -> dict:
    """绩效运行监控: June reminders, October zero-spend, year-end recovery — tables (万元) and sentences.

    ``mon`` None (no payments data): only the sentence ``absent`` ("未提供资金支付数据，本节从略"), no
    tables (``known`` False) — an empty list would say "no project lagged", a conclusion from nothing.
    Payments that cover some projects only: the sentence names how many are covered and which are not.
    """
    if mon is None:
        return {"known": False, "remind": None, "watch": None, "recovery": None,
                "text": [fmt.sentence(absent or "未提供资金支付数据，本节从略")]}
    info = projects.set_index("project_id")
    lists = mon.lists
    out = {}
    for action, title in (("remind", "6 月底执行进度滞后（提醒）"), ("watch", "10 月底仍未支出（重点关注台账）")):
        sel = lists[lists["action"] == action]
        final = mon.recovery.set_index("project_id")["exec_rate"]
        out[action] = pd.DataFrame({
            "项目名称": info["project_name"].reindex(sel["project_id"]).to_numpy(),
            "主管部门": info["department"].reindex(sel["project_id"]).to_numpy(),
            "预算数（万元）": sel["budget"].map(fmt.wan).to_numpy(),
            "截至当月支出（万元）": sel["cumulative"].map(fmt.wan).to_numpy(),
            "当月执行率": sel["rate"].map(fmt.pct).to_numpy(),
            "年底执行率（按调整后预算）": final.reindex(sel["project_id"]).map(fmt.pct).to_numpy(),
        })
    rec = mon.recovery[mon.recovery["recovered"] > 0]
    out["recovery"] = pd.DataFrame({
        "项目名称": info["project_name"].reindex(rec["project_id"]).to_numpy(),
        "主管部门": info["department"].reindex(rec["project_id"]).to_numpy(),
        "年初预算（万元）": rec["budget"].map(fmt.wan).to_numpy(), "收回统筹（万元）": rec["recovered"].map(fmt.wan).to_numpy(),
        "收回比例": (rec["recovered"] / rec["budget"]).map(lambda r: fmt.pct(r, 1)).to_numpy(),
        "调整后预算（万元）": rec["budget_full_year"].map(fmt.wan).to_numpy(),
    })
    n_remind, n_watch = len(out["remind"]), len(out["watch"])
    shares = rec.assign(share=rec["recovered"] / rec["budget"]).sort_values("share", ascending=False, kind="stable")
    top = shares.iloc[0] if len(shares) else None
    out["text"] = [fmt.sentence(
        f"6 月底对执行进度低于序时进度要求的 {n_remind} 个项目发出提醒；10 月底仍未支出的 {n_watch} 个项目列入重点关注台账；"
        f"年底对执行率仍低于要求的 {len(rec)} 个项目收回统筹资金 {fmt.wan_text(rec['recovered'].sum())}"
        + (f"，其中收回比例最高的是{info['project_name'].get(top['project_id'], '')}（{fmt.pct(top['share'], 1)}）"
           if len(rec) else ""))]
    missing = tuple(getattr(mon, "not_covered", ()))
    if missing:
        names = [str(info["project_name"].get(p, p)) for p in missing[:10]]
        out["text"].insert(0, fmt.sentence(
            f"资金支付数据只覆盖 {len(info) - len(missing)} 个项目；{len(missing)} 个项目（{'、'.join(names)}"
            f"{'等' if len(missing) > 10 else ''}）没有支付记录，以下监控情况不含这些项目"))
    out["known"] = True
    return out


def department_table(totals: pd.DataFrame, projects: pd.DataFrame, labels=("优", "良", "中", "差")) -> pd.DataFrame:
    """部门汇总表: per department the projects, money (万元), execution rate, mean total, grades, findings."""
    t = totals.assign(**{g: totals["grade"].map(grade_label).eq(g) for g in labels})
    dept = t.groupby("department").agg(项目数=("project_id", "size"), _budget=("budget_full_year", "sum"),
                                       _spent=("spent", "sum"), _mean=("total", "mean"),
                                       **{g: (g, "sum") for g in labels}, 复核发现=("n_flags", "sum"))
    dept = dept.sort_values("_mean", ascending=False)
    if "key_evaluation" in projects:
        dept["重点评价项目"] = projects.groupby("department")["key_evaluation"].sum().reindex(dept.index).fillna(0).astype(int)
    out = pd.DataFrame({"主管部门": dept.index, "项目数": dept["项目数"].to_numpy(),
                        "全年预算（万元）": dept["_budget"].map(fmt.wan).to_numpy(),
                        "全年执行（万元）": dept["_spent"].map(fmt.wan).to_numpy(),
                        "执行率": (dept["_spent"] / dept["_budget"]).map(fmt.pct).to_numpy(),
                        "平均得分": dept["_mean"].map(fmt.score).to_numpy()})
    for g in labels:
        out[g] = dept[g].astype(int).to_numpy()
    for col in ("重点评价项目", "复核发现"):
        if col in dept:
            out[col] = dept[col].astype(int).to_numpy()
    return out


def findings_by_kind(flags: pd.DataFrame) -> pd.DataFrame:
    """复核发现 by kind (Chinese titles, no codes), most frequent first."""
    if flags.empty:
        return pd.DataFrame(columns=["复核发现", "条数", "涉及项目"])
    g = flags.groupby("code").agg(条数=("project_id", "size"), 涉及项目=("project_id", "nunique"))
    g = g.sort_values(["条数"], ascending=False, kind="stable")
    return pd.DataFrame({"复核发现": [FLAG_INFO[c][1] for c in g.index], "条数": g["条数"].to_numpy(),
                         "涉及项目": g["涉及项目"].to_numpy()})


def findings_by_project(flags: pd.DataFrame, totals: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """Projects with review findings: what was found, and the total before and after review."""
    if flags.empty:
        return pd.DataFrame(columns=["项目名称", "主管部门", "复核发现", "自评总分", "复核后总分"])
    info = projects.set_index("project_id")
    t = totals.set_index("project_id")
    what = flags.assign(title=flags["code"].map(lambda c: FLAG_INFO[c][1]),
                        where=flags["level3"].map(lambda x: f"（{x}）" if isinstance(x, str) and x else ""))
    text = (what["title"] + what["where"]).groupby(what["project_id"], sort=False).agg("；".join)
    ids = text.index
    return pd.DataFrame({"项目名称": info["project_name"].reindex(ids).to_numpy(),
                         "主管部门": info["department"].reindex(ids).to_numpy(), "复核发现": text.to_numpy(),
                         "自评总分": t["self_total" if "self_total" in t else "total"].reindex(ids).map(fmt.score).to_numpy(),
                         "复核后总分": t["reviewed_total"].reindex(ids).map(fmt.score).to_numpy()})


def level_matrix(card) -> tuple[pd.DataFrame, pd.Series]:
    """(rates, points): projects × level-1 score rates and each level-1 indicator's typical points.

    The input of multi-criteria ranking and grade robustness across a portfolio; points are the
    median over projects (forms of one scheme share them). A project lacking one of the level-1
    indicators cannot be compared on them: it is left out, and ``rates.attrs["left_out"]`` lists it.
    """
    l1 = card.levels[card.levels.level == 1]
    rates = l1.pivot_table(index="project_id", columns="level1", values="rate", sort=False)
    points = l1.groupby("level1", sort=False)["points"].median().reindex(rates.columns)
    complete = rates.notna().all(axis=1)
    out = rates[complete].copy()
    out.attrs["left_out"] = rates.index[~complete].tolist()
    return out, points


def rank_comparison(totals: pd.DataFrame, other_ranks: pd.Series, label: str, names: pd.Series | None = None,
                    top: int = 10) -> tuple[pd.DataFrame, float, pd.DataFrame]:
    """(both ranks, Spearman's ρ, the ``top`` projects whose ranks differ most) — 1 = best, ties min."""
    score_rank = totals.set_index("project_id")["total"].rank(ascending=False, method="min")
    both = pd.DataFrame({"总分排名": score_rank, label: other_ranks}).dropna().astype(int)
    rho = float(both.corr(method="spearman").iloc[0, 1])
    diff = both.assign(排名差异=(both[label] - both["总分排名"]).abs()).sort_values("排名差异", ascending=False,
                                                                                  kind="stable").head(top)
    if names is not None:
        diff.insert(0, "项目名称", names.reindex(diff.index).to_numpy())
    return both, rho, diff.reset_index(drop=True)


def ranking_reading(rho: float, n: int) -> str:
    """What a Spearman ρ between two rankings means, in a sentence."""
    strength = "高度一致" if rho >= 0.8 else "基本一致" if rho >= 0.5 else "差异较大"
    return fmt.sentence(f"两种排名的斯皮尔曼相关系数为 {rho:.2f}（{n} 个项目），{strength}；排名差异大的项目，"
                        "各一级指标得分的均衡程度与总分所反映的不同，可作为复核时关注的对象")


def robustness_reading(fragile: pd.DataFrame, n: int, draws: int, threshold: float = 0.05) -> str:
    """What the weight-perturbation result means, in a sentence (never an empty table)."""
    if fragile.empty:
        return fmt.sentence(f"各一级指标权重在原分值附近随机扰动 {draws} 次后，{n} 个项目中没有一个项目的评价等级变动概率超过 "
                            f"{threshold:.0%}：等级结论对权重的小幅调整是稳健的")
    return fmt.sentence(f"各一级指标权重在原分值附近随机扰动 {draws} 次后，{len(fragile)} 个项目的评价等级变动概率超过 "
                        f"{threshold:.0%}，这些项目的总分接近等级界限，定级时宜结合复核情况审慎判断")
