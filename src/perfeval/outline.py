"""Report content from scorecards, following the official outline (财预〔2020〕10号 附件3).

The report notebooks hold no scoring logic: they call these functions and display what they
return. Every section is a DataFrame with Chinese labels or a list of Chinese sentences, so the
same content serves notebooks, HTML, Excel and tests. User-typed strings stay as typed; the HTML
helpers escape them, and the notebooks display HTML, never Markdown built from user text (a
Markdown link in a project name would become a live link). A grade withheld by the review
(None/NaN) reads "未定级".
"""
from __future__ import annotations

import hashlib
import html
from pathlib import Path

import numpy as np
import pandas as pd

from .report.markup import GRADE_WITHHELD, escape_html, grade_label, heading_html, paragraph_html  # noqa: F401
from .review import FLAG_INFO, is_blank_text

SUGGESTIONS = {  # review code -> improvement suggestion (改进建议)
    "SUM_MISMATCH": "复核自评表总分的计算，确保总分等于预算执行得分与各项指标得分之和。",
    "POINTS_TOTAL": "按指标体系重新分配分值，使预算执行率与各项指标分值合计等于满分。",
    "GRADE_MISMATCH": "按评分方案的等级标准（见附表“评价等级”）核定评价等级。",
    "OVER_POINTS": "得分不得超过该指标分值，请更正超分的指标。",
    "MET_BUT_DEDUCTED": "目标已完成的指标如扣分，应在“偏差原因分析及改进措施”中写明扣分理由。",
    "UNMET_FULL_MARKS": "未完成年度指标值的指标不应得满分，应按完成比例或评分标准扣分并说明原因。",
    "MISSING_REASON": "对未完成目标或扣分的指标，逐项填写偏差原因分析及改进措施。",
    "AWARD_DEVIATES": "自评得分与评分规则计算结果不一致，请对照评分标准复核并说明理由。",
    "LOW_EXEC_ALL_MET": "预算执行率偏低而产出指标全部完成，应核实完成情况的真实性，并加快预算执行或调整预算。",
    "TARGET_TOO_EASY": "实际完成值远超年度指标值，下一年度申报绩效目标时应参考历史完成情况适当提高指标值。",
    "UNPARSED_TARGET": "年度指标值应清晰、可衡量（写明运算符、数值和计量单位），便于评价。",
    "UNIT_MISMATCH": "实际完成值应与年度指标值使用相同的计量单位。",
    "UNIT_ASSUMED": "实际完成值应写明计量单位（如 96%、100万元），避免 0.96 与 96% 之类的误读。",
    "TOTALS_ROW_INCONSISTENT": "核对项目资金表，年度资金总额应等于各资金来源明细之和。",
    "NO_BUDGET": "补充全年预算数与全年执行数，以便计算预算执行率。",
    "RATE_MISMATCH": "执行率应由全年执行数除以全年预算数计算，并按统一规则保留小数。",
    "NOT_SCORED": "为每项指标填写得分，或提供可计算得分的年度指标值与实际完成值。",
    "NO_ROWS": "补充该项目的绩效指标及完成情况后再评价。",
}


def _fmt_money(yuan) -> str:
    if yuan is None or (isinstance(yuan, float) and np.isnan(yuan)):
        return "—"
    return f"{yuan / 10_000:,.2f} 万元"


def _fmt_pct(rate) -> str:
    return "—" if rate is None or rate != rate else f"{rate * 100:.2f}%"


def _fmt_num(value) -> str:
    return "—" if value is None or value != value else f"{value:g}"


def display_name(meta: dict, card, project_id) -> str:
    """The project's name for headings: projects.csv, else the form, else the project id."""
    for value in (meta.get("project_name"),
                  card.totals.loc[card.totals.project_id == project_id, "project_name"].head(1).squeeze()
                  if "project_name" in card.totals else None):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return str(project_id)


def report_heading(name, title: str, project_id, scheme_name: str) -> str:
    """The report's heading as HTML: the project's name, the kind of report, its code and scheme."""
    return (heading_html(name, 1) + f"<p><strong>{escape_html(title)}</strong>（项目编码 {escape_html(project_id)}，"
            f"评分方案 {escape_html(scheme_name)}）</p>")


def basic_info(card, project_id, meta: dict | None = None) -> pd.DataFrame:
    """基本情况: the project's header, money and goals as a two-column table."""
    t = card.project(project_id).totals.iloc[0]
    meta = dict(meta or {})
    items = [
        ("项目名称", meta.get("project_name") or t.get("project_name")),
        ("项目编码", str(project_id)),
        ("主管部门", meta.get("department") or t.get("department")),
        ("实施单位", meta.get("unit") or t.get("unit")),
        ("所属领域", meta.get("sector")),
        ("年初预算数", _fmt_money(t.get("budget_initial"))),
        ("全年预算数", _fmt_money(t.get("budget_full_year"))),
        ("全年执行数", _fmt_money(t.get("spent"))),
        ("预算执行率", _fmt_pct(t.get("exec_rate"))),
        ("年度总体目标（预期）", meta.get("goal_expected")),
        ("年度总体目标（实际完成）", meta.get("goal_actual")),
    ]
    rows = [(k, v) for k, v in items if v is not None and not (isinstance(v, float) and np.isnan(v))]
    return pd.DataFrame(rows, columns=["项目", "内容"])


def conclusion(card, project_id) -> dict:
    """综合评价结论: total, grade and one sentence saying so."""
    t = card.project(project_id).totals.iloc[0]
    n_flags = int(t.get("n_flags", 0))
    execution = (f"其中预算执行率 {_fmt_pct(t['exec_rate'])}，执行得分 {_fmt_num(t['exec_score'])} 分"
                 f"（分值 {_fmt_num(t['exec_points'])}）；绩效指标得分 {_fmt_num(t['rows_score'])} 分。"
                 if t["exec_points"] > 0 else
                 f"预算执行率 {_fmt_pct(t['exec_rate'])}（作为指标计分，不单列执行得分）。")
    grade = grade_label(t["grade"])
    total = float(t["total"]) if t["total"] is not None and t["total"] == t["total"] else None
    if grade == GRADE_WITHHELD:
        verdict = (f"经评价，该项目综合得分 {_fmt_num(total)} 分；因复核发现须先更正的错误（见“存在的问题”），"
                   f"暂不评定等级（{GRADE_WITHHELD}）。")
    else:
        verdict = f"经评价，该项目综合得分 {_fmt_num(total)} 分，评价等级为“{grade}”。"
    sentence = (verdict + execution
                + (f"复核发现 {n_flags} 处需关注的问题。" if n_flags else "复核未发现问题。"))
    return {"total": total, "grade": None if grade == GRADE_WITHHELD else grade, "text": sentence}


def level_table(card, project_id) -> pd.DataFrame:
    """Score and score rate per level-1 indicator (预算执行率 first)."""
    lv = card.project(project_id).levels
    l1 = lv[lv.level == 1][["level1", "points", "score", "rate"]]
    out = l1.rename(columns={"level1": "一级指标", "points": "分值", "score": "得分", "rate": "得分率"})
    out["得分率"] = out["得分率"].map(lambda r: "" if r != r else f"{r * 100:.1f}%")
    return out.reset_index(drop=True)


def indicator_table(card, project_id) -> pd.DataFrame:
    """绩效指标分析: every indicator's target, actual, points, scores and findings."""
    r = card.project(project_id).rows
    titles = r["flags"].map(lambda s: "；".join(FLAG_INFO[c][1] for c in s.split(",") if c) if s else "")
    out = pd.DataFrame({
        "一级指标": r["level1"], "二级指标": r["level2"], "三级指标": r["level3"],
        "年度指标值": r["target"], "实际完成值": r["actual"], "分值": r["points"],
        "规则得分": r["reference_score"], "自评得分": r["awarded_score"], "得分": r["score"],
        "偏差原因分析及改进措施": r["reason"], "复核提示": titles,
    })
    return out.reset_index(drop=True)


def problems(card, project_id) -> list[str]:
    """存在的问题及原因分析: one sentence per finding, then the units' own deviation reasons."""
    one = card.project(project_id)
    out = [f"{FLAG_INFO[f.code][1]}" + (f"（{f.level3}）" if isinstance(f.level3, str) else "")
           + f"：{f.message.split('：', 1)[-1]}" for f in one.flags.itertuples()]
    rows = one.rows
    lost = rows[(rows["score"] < rows["points"] - card.scheme.review.tolerance) & ~is_blank_text(rows["reason"])]
    out += [f"{r.level3}：得分 {r.score:g}/{r.points:g}，扣分说明：{r.reason}。" for r in lost.itertuples()]
    return out


def suggestions(card, project_id) -> list[str]:
    """改进建议: one suggestion per kind of finding, in order of severity."""
    codes = list(dict.fromkeys(card.project(project_id).flags["code"]))
    return [SUGGESTIONS[c] for c in codes if c in SUGGESTIONS]


def conventions_table(card) -> pd.DataFrame:
    """附表: every convention used."""
    return pd.DataFrame({"约定": list(card.conventions), "取值": [str(v) for v in card.conventions.values()]})


def fingerprint(paths) -> pd.DataFrame:
    """附表: the inputs' file names, sizes and sha256 — what this report was made from."""
    rows = []
    for p in sorted(Path(x) for x in paths):
        data = p.read_bytes()
        rows.append((p.name, len(data), hashlib.sha256(data).hexdigest()))
    return pd.DataFrame(rows, columns=["文件", "字节数", "SHA-256"])


def html_list(items) -> str:
    """An HTML list of user-facing sentences, escaped."""
    if not items:
        return "<p>无。</p>"
    return "<ol>" + "".join(f"<li>{html.escape(str(x))}</li>" for x in items) + "</ol>"


def table_html(frame: pd.DataFrame, float_format="{:g}".format) -> str:
    """A DataFrame as escaped HTML without the index, blanks for missing values."""
    frame = frame.copy()
    for col in frame.columns[frame.dtypes == object]:
        frame[col] = frame[col].where(frame[col].notna(), "")
    return frame.to_html(index=False, na_rep="", escape=True, float_format=float_format, border=0,
                         classes="perfeval-table")


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


def department_table(totals: pd.DataFrame, projects: pd.DataFrame, labels=("优", "良", "中", "差")) -> pd.DataFrame:
    """部门汇总表: per department the projects, money (万元), execution rate, mean total, grades, findings."""
    t = totals.assign(**{g: totals["grade"].eq(g) for g in labels})
    dept = t.groupby("department").agg(项目数=("project_id", "size"), 全年预算数=("budget_full_year", "sum"),
                                       全年执行数=("spent", "sum"), 平均总分=("total", "mean"),
                                       **{g: (g, "sum") for g in labels}, 复核提示=("n_flags", "sum"))
    dept["执行率"] = (dept["全年执行数"] / dept["全年预算数"]).map("{:.2%}".format)
    if "key_evaluation" in projects:
        dept["重点评价项目"] = projects.groupby("department")["key_evaluation"].sum().reindex(dept.index) \
            .fillna(0).astype(int)
    dept[["全年预算数", "全年执行数"]] = (dept[["全年预算数", "全年执行数"]] / 1e4).round(2)
    dept = dept.rename(columns={"全年预算数": "全年预算数(万元)", "全年执行数": "全年执行数(万元)"})
    return dept.sort_values("平均总分", ascending=False).rename_axis("主管部门").reset_index()


def rank_comparison(totals: pd.DataFrame, other_ranks: pd.Series, label: str, names: pd.Series | None = None,
                    top: int = 10) -> tuple[pd.DataFrame, float, pd.DataFrame]:
    """(both ranks, Spearman's ρ, the ``top`` projects whose ranks differ most) — 1 = best, ties min."""
    score_rank = totals.set_index("project_id")["total"].rank(ascending=False, method="min")
    both = pd.DataFrame({"总分排名": score_rank, label: other_ranks}).dropna().astype(int)
    rho = float(both.corr(method="spearman").iloc[0, 1])
    diff = both.assign(差异=(both[label] - both["总分排名"]).abs()).sort_values("差异", ascending=False,
                                                                              kind="stable").head(top)
    if names is not None:
        diff["项目名称"] = names.reindex(diff.index)
    return both, rho, diff.rename_axis("项目编码").reset_index()
