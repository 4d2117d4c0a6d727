"""The sections of one project's report, in the outline of 财预〔2020〕10号 附件3.

一、基本情况 (项目概况: money, budget changes; 绩效目标: the declared targets) · 二、绩效评价工作开展情况 ·
三、综合评价情况及评价结论 · 四、绩效评价指标分析 (a paragraph per 一级 dimension) · 五、主要经验及做法、
存在的问题及原因分析 · 六、有关建议 · 七、其他需要说明的问题 · 附表 (评分表, conventions, inputs).
Each function returns a frame with Chinese headers or a list of sentences; the notebook displays
them. Money is in 万元 with two decimals, scores with two decimals.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..report.markup import GRADE_WITHHELD, grade_label
from . import findings as F
from .. import display as fmt

KIND_TITLES = {"self": "项目支出绩效自评报告", "key": "项目支出重点绩效评价报告"}
# reader notes about layout only (merged cells, number formats): not worth a published reader's time
ROUTINE_NOTES = ("合并单元格", "百分比格式", "千位分隔符", "日期单元格", "空白标记", "占位行", "为空行", "已按此解码")


def display_name(meta: dict, card, project_id) -> str:
    """The project's name for headings: projects.csv, else the form, else the project id."""
    for value in (meta.get("project_name"),
                  card.totals.loc[card.totals.project_id == project_id, "project_name"].head(1).squeeze()
                  if "project_name" in card.totals else None):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return str(project_id)


def budget_facts(meta: dict, monitoring=None, absent: str | None = None) -> dict:
    """The project's money through the year: initial and final budget, spent, recovered, and whether
    monitoring listed it (June reminder, October zero-spend).

    ``absent``: the sentence saying the project's payments are not known (no payments data, or none
    for this project); then the monitoring facts are None — unknown, not "not listed" — and the
    report says the sentence instead of concluding anything from them.
    """
    def num(key):
        value = meta.get(key)
        return float(value) if value is not None and value == value else float("nan")

    pid = str(meta.get("project_id"))
    lists = getattr(monitoring, "lists", None)
    listed = set() if lists is None else set(lists.loc[lists["project_id"] == pid, "action"])
    initial, recovered = num("budget_initial"), num("recovered")
    return {"budget_initial": initial, "budget_full_year": num("budget_full_year"), "spent": num("spent"),
            "recovered": 0.0 if recovered != recovered else recovered,
            "recovered_share": recovered / initial if initial and initial == initial and recovered == recovered else 0.0,
            "june_lagging": None if absent else "remind" in listed,
            "october_zero": None if absent else "watch" in listed, "monitoring_absent": absent}


def overview(card, project_id, meta: dict, budget: dict | None = None) -> pd.DataFrame:
    """项目概况 as a two-column table (money in 万元)."""
    t = card.project(project_id).totals.iloc[0]
    b = budget or {}
    initial = b.get("budget_initial", t.get("budget_initial"))
    items = [
        ("项目名称", display_name(meta, card, project_id)), ("项目编码", str(project_id)),
        ("主管部门", meta.get("department") or t.get("department")), ("实施单位", meta.get("unit") or t.get("unit")),
        ("所属领域", meta.get("sector")),
        ("年初预算数（万元）", fmt.wan(initial)),
        ("年底收回统筹（万元）", fmt.wan(b["recovered"]) if b.get("recovered") else None),
        ("全年预算数（万元）", fmt.wan(t.get("budget_full_year"))),
        ("全年执行数（万元）", fmt.wan(t.get("spent"))), ("预算执行率", fmt.pct(t.get("exec_rate"))),
    ]
    rows = [(k, v) for k, v in items if v is not None and not (isinstance(v, float) and np.isnan(v)) and v != ""]
    return pd.DataFrame(rows, columns=["项目", "内容"])


def overview_text(card, project_id, meta: dict, budget: dict | None = None) -> list[str]:
    """项目概况 in sentences: what the project is for, and where its money went through the year."""
    t = card.project(project_id).totals.iloc[0]
    b = budget or {}
    out = []
    goal = meta.get("goal_expected")
    if isinstance(goal, str) and goal.strip():
        goal = re.sub(r"^\s*\d{4}\s*年度?(?:总体)?目标[:：]", "", goal)
        out.append(fmt.sentence(f"项目主要内容和年度总体目标：{fmt.clause(goal)}"))
    money = (f"项目年初预算 {fmt.wan_text(b.get('budget_initial', t.get('budget_initial')))}，"
             f"全年预算 {fmt.wan_text(t.get('budget_full_year'))}，全年执行 {fmt.wan_text(t.get('spent'))}，"
             f"预算执行率 {fmt.pct(t.get('exec_rate'))}")
    if b.get("recovered"):
        when = "10 月底仍未支出，" if b.get("october_zero") else ("6 月底执行进度滞后，" if b.get("june_lagging") else "")
        money += (f"；{when}年底收回统筹 {fmt.wan_text(b['recovered'])}（占年初预算的 "
                  f"{fmt.pct(b['recovered_share'], 1)}），执行率按调减后的全年预算计算")
    elif b.get("june_lagging"):
        money += "；6 月底执行进度滞后于序时进度，已督促加快执行"
    out.append(fmt.sentence(money))
    if b.get("monitoring_absent"):
        out.append(fmt.sentence(b["monitoring_absent"].replace("本节从略", "月度执行监控情况从略")))
    actual = meta.get("goal_actual")
    if isinstance(actual, str) and actual.strip():
        actual = re.sub(r"^\s*(?:\d{4}\s*年度?|全年)?完成情况[:：]", "", actual)
        out.append(fmt.sentence(f"年度目标完成情况（单位填报）：{fmt.clause(actual)}"))
    return out


def targets_table(declared: pd.DataFrame | None) -> pd.DataFrame:
    """绩效目标: the targets declared with the budget (targets.csv of the data folder)."""
    if declared is None or declared.empty:
        return pd.DataFrame(columns=["一级指标", "二级指标", "三级指标", "年度指标值"])
    cols = {"level1": "一级指标", "level2": "二级指标", "level3": "三级指标", "target": "年度指标值"}
    return declared[list(cols)].rename(columns=cols).reset_index(drop=True)


def work_text(kind: str, card, *, n_experts: int | None = None, system_title: str | None = None,
              aggregation: str | None = None, year=None) -> list[str]:
    """绩效评价工作开展情况: object, basis, method, scheme and process."""
    scheme = card.scheme
    if kind == "self":
        return [
            fmt.sentence(f"评价对象为该项目 {year or ''} 年度预算资金的使用及绩效目标完成情况，依据为项目实施单位填报的"
                         "《项目支出绩效自评表》"),
            fmt.sentence(f"评价按“{scheme.title}”执行：预算执行率 {fmt.points(scheme.exec_points)} 分、绩效指标 "
                         f"{fmt.points(scheme.total_points - scheme.exec_points)} 分，逐项解析年度指标值与实际完成值，按评分规则"
                         "计算参考得分，保留单位自评得分；自评得分高于评分规则允许的最高分时，按复核后得分计"),
            fmt.sentence("复核内容包括分值与总分、评价等级、预算执行率与金额、偏差原因说明和目标设置的合理性；"
                         "复核发现的问题列入本报告“存在的问题”"),
        ]
    rows = card.rows[card.rows["counted"]] if "counted" in card.rows else card.rows
    n_panel = int((rows["scored_by"] == "panel").sum()) if "scored_by" in rows else 0
    n_data = len(rows) - n_panel
    return [
        fmt.sentence(f"受财政部门委托，对该项目 {year or ''} 年度预算资金开展重点绩效评价，评价对象为项目资金的决策、过程、"
                     "产出和效益情况"),
        fmt.sentence(f"评价依据“{system_title or scheme.title}”指标体系：{n_data} 项定量指标按年度指标值与实际完成值计分；"
                     f"决策、组织实施和效益中的 {n_panel} 项定性指标由 {n_experts or '若干'} 名专家组成的评价组独立评分"
                     + (f"，专家分按“{aggregation}”合成" if aggregation else "")),
        fmt.sentence("评价工作包括资料核查、数据分析和专家评议，评价组意见列入本报告“存在的问题”"),
    ]


def _headline(card, t) -> tuple[float | None, str | None, str]:
    """(total, grade, label) the report leads with, by the scheme's headline setting."""
    if card.scheme.headline == "reviewed" and "reviewed_total" in t:
        total, grade, label = t["reviewed_total"], t["reviewed_grade"], "复核后得分"
    else:
        total, grade, label = t["total"], t["grade"], "得分"
    total = float(total) if total is not None and total == total else None
    grade = grade_label(grade)
    return total, (None if grade == GRADE_WITHHELD else grade), label


def conclusion(card, project_id, kind: str = "self", self_result: dict | None = None) -> dict:
    """综合评价结论: the headline total and grade, and sentences saying how they arose.

    ``self_result`` (key reports): the project's own self-evaluation {total, grade} to compare with.
    """
    t = card.project(project_id).totals.iloc[0]
    total, grade, label = _headline(card, t)
    parts = []
    if grade is None:
        why = t.get("withheld") or "复核发现须先更正的问题"
        parts.append(f"因{fmt.clause(why)}（见“其他需要说明的问题”），暂不给出总分和评价等级（{GRADE_WITHHELD}）")
    else:
        parts.append(f"经评价，该项目{'复核后' if label == '复核后得分' and kind == 'self' else ''}综合得分 {fmt.score(total)} 分，"
                     f"评价等级为“{grade}”")
    if t["exec_points"] and t["exec_points"] > 0:
        parts.append(f"其中预算执行率 {fmt.pct(t['exec_rate'])}，执行得分 {fmt.score(t['exec_score'])} 分（分值 "
                     f"{fmt.points(t['exec_points'])} 分）")
    if kind == "self" and grade is not None:
        self_total, reviewed = t.get("total"), t.get("reviewed_total")
        if self_total == self_total and reviewed == reviewed and abs(self_total - reviewed) > 0.005:
            parts.append(f"单位自评总分 {fmt.score(self_total)} 分（{grade_label(t['grade'])}），其中有自评得分高于评分规则"
                         f"允许的最高分，复核后总分 {fmt.score(reviewed)} 分（{grade_label(t['reviewed_grade'])}）；"
                         f"本报告以{'复核后得分' if card.scheme.headline == 'reviewed' else '单位自评得分'}为准")
    if self_result and self_result.get("total") is not None and total is not None:
        gap = self_result["total"] - total
        parts.append(f"该项目单位自评总分 {fmt.score(self_result['total'])} 分（{grade_label(self_result.get('grade'))}），"
                     + (f"重点评价得分比自评低 {fmt.score(gap)} 分" if gap > 0.005 else
                        f"重点评价得分比自评高 {fmt.score(-gap)} 分" if gap < -0.005 else "与重点评价得分一致"))
    return {"total": total, "grade": grade, "text": "".join(fmt.sentence(p) for p in parts)}


def score_table(card, project_id, kind: str = "self") -> pd.DataFrame:
    """评分汇总: per 一级 indicator its points, score (self and reviewed) and score rate."""
    one = card.project(project_id)
    lv = one.levels[one.levels.level == 1]
    rows = one.rows
    counted = rows[rows["counted"]]
    reviewed = counted.groupby("level1", sort=False)["reviewed_score"].sum(min_count=1)
    t = one.totals.iloc[0]
    table = pd.DataFrame({"一级指标": lv["level1"].to_numpy(), "分值": lv["points"].map(fmt.points).to_numpy()})
    if kind == "self":
        table["自评得分"] = lv["score"].map(fmt.score).to_numpy()
        rv = lv["level1"].map(reviewed).where(lv["level1"] != "预算执行率", lv["score"])
        table["复核后得分"] = rv.map(fmt.score).to_numpy()
        used = rv if card.scheme.headline == "reviewed" else lv["score"]
    else:
        table["评价得分"] = lv["score"].map(fmt.score).to_numpy()
        used = lv["score"]
    with np.errstate(invalid="ignore", divide="ignore"):
        table["得分率"] = [fmt.pct(u / p, 1) if p else "—" for u, p in zip(used.to_numpy(float), lv["points"].to_numpy(float))]
    total_row = {"一级指标": "合计", "分值": fmt.points(lv["points"].sum())}
    if kind == "self":
        total_row.update({"自评得分": fmt.score(t["total"]), "复核后得分": fmt.score(t["reviewed_total"])})
    else:
        total_row["评价得分"] = fmt.score(t["total"])
    total_row["得分率"] = ""
    return pd.concat([table, pd.DataFrame([total_row])], ignore_index=True)


def dimension_analysis(card, project_id, found: list, kind: str = "self") -> list[tuple[str, str]]:
    """绩效评价指标分析: (heading, paragraph) per 一级 dimension: points, score, what was met, what lost points."""
    one = card.project(project_id)
    rows = one.rows[one.rows["counted"]]
    lv = one.levels[one.levels.level == 1].set_index("level1")
    t = one.totals.iloc[0]
    by_dim = {d: fs for d, fs in F.grouped(found)}
    out = []
    if t["exec_points"] and t["exec_points"] > 0:
        text = (f"预算执行率分值 {fmt.points(t['exec_points'])} 分，得分 {fmt.score(t['exec_score'])} 分。全年预算 "
                f"{fmt.wan_text(t['budget_full_year'])}，执行 {fmt.wan_text(t['spent'])}，执行率 {fmt.pct(t['exec_rate'])}。")
        text += "".join(fmt.sentence(f.problem) for f in by_dim.get("预算执行", []) if f.indicator is None)
        out.append(("预算执行情况", text))
    for level1, group in rows.groupby("level1", sort=False):
        dim = F.dimension_of(level1)
        score_col = "reviewed_score" if card.scheme.headline == "reviewed" and kind == "self" else "score"
        got = group[score_col].sum(min_count=1)
        pts = group["points"].sum()
        full = int((group[score_col] >= group["points"] - card.scheme.review.tolerance).sum())
        n = len(group)
        text = (f"{level1}分值 {fmt.points(pts)} 分，得分 {fmt.score(got)} 分，得分率 "
                f"{fmt.pct(got / pts if pts else np.nan, 1)}。共 {n} 项指标，{full} 项得满分"
                + (f"，{n - full} 项扣分" if n - full else "") + "。")
        lost = [f for f in by_dim.get(dim, []) if f.indicator is not None and f.score]
        if lost:  # names and scores only: the problems and their causes are said once, in 五
            text += ("扣分指标为" + "、".join(f"{f.indicator}（{f.score} 分）" for f in lost)
                     + "，问题及原因见第五部分。")
        else:
            best = group.sort_values("points", ascending=False).head(3)
            text += fmt.sentence("各项指标均得满分，如" + "、".join(_with_actual(r) for r in best.itertuples()))
        out.append((str(level1), text))
    return out


def _with_actual(r) -> str:
    """“苗木成活率（实际 92%）”: an indicator named with what it achieved, when that is known."""
    actual = getattr(r, "actual", None)
    return f"{r.level3}（实际 {actual}）" if isinstance(actual, str) and actual.strip() else str(r.level3)


def experience(card, project_id, kind: str = "self", comments: pd.DataFrame | None = None) -> list[str]:
    """主要经验及做法, from the evidence: full-marks dimensions, execution, satisfaction, and the panel's
    comments on indicators that kept all their points (key evaluations)."""
    one = card.project(project_id)
    t = one.totals.iloc[0]
    rows = one.rows[one.rows["counted"] & (one.rows["points"] > 0)]
    used = rows["reviewed_score" if card.scheme.headline == "reviewed" else "score"]
    short = (used < rows["points"] - card.scheme.review.tolerance).groupby(rows["level1"], sort=False).any()
    out = []
    if t["exec_rate"] == t["exec_rate"] and t["exec_rate"] >= 0.95:
        out.append(f"预算执行较好，全年预算 {fmt.wan_text(t['budget_full_year'])}，执行 {fmt.wan_text(t['spent'])}，"
                   f"执行率 {fmt.pct(t['exec_rate'])}")
    full = [str(level1) for level1, lost in short.items() if not lost]
    for level1 in full:  # an experience is drawn only from indicators that kept all their points
        mine = rows[rows["level1"] == level1]
        out.append(f"{level1}{len(mine)}项全部达到年度指标值，如"
                   + "、".join(_with_actual(r) for r in mine.sort_values("points", ascending=False, kind="stable")
                              .head(2).itertuples()))
    sat = one.rows[one.rows["level1"].astype(str).str.contains("满意度") & one.rows["counted"]]
    sat_short = bool(short[[k for k in short.index if "满意度" in str(k)]].any()) if len(short) else False
    # a lesson only from indicators that kept all their points, and not said twice
    if len(sat) and (sat["met"] == 1).all() and not sat_short and not any("满意度" in x for x in full):
        out.append("服务对象满意度达到年度指标值（" + "，".join(f"{r.level3} {r.actual}" for r in sat.itertuples()) + "）")
    if comments is not None and len(comments):
        mine = comments[(comments["project_id"] == str(project_id))
                        & (comments["score"] >= comments["points"] - card.scheme.review.tolerance)]
        out += [f"{r.level3}：{fmt.clause(r.comment)}" for r in mine.itertuples()]
    return [fmt.sentence(x) for x in out]


def problems(found: list) -> list[tuple[str, list[str]]]:
    """存在的问题及原因分析: (dimension, numbered sentences) — a problem and its cause each."""
    out = []
    for dim, fs in F.grouped(found):
        items = [fmt.clause(f.problem) + (f"。原因：{fmt.clause(f.cause)}" if f.cause else "") for f in fs]
        out.append((dim, fmt.numbered(items)))
    return out


def suggestions(found: list) -> list[tuple[str, list[str]]]:
    """有关建议: a suggestion answering every problem of a dimension; problems with the same advice
    (two 决策 indicators answered by the same measure) get one suggestion naming them and the problems
    it answers ("针对问题一、二")."""
    digits = "一二三四五六七八九十"
    out = []
    for dim, fs in F.grouped(found):
        groups: dict[str, list[int]] = {}
        for i, f in enumerate(fs):
            groups.setdefault(f.advice, []).append(i)
        items = []
        for advice, idx in groups.items():
            names = [fs[i].indicator for i in idx if fs[i].indicator]
            text = advice.format(name="、".join(f"“{n}”" for n in dict.fromkeys(names)))
            if len(idx) > 1:
                text = "（针对问题" + "、".join(digits[i] if i < 10 else str(i + 1) for i in idx) + "）" + text
            items.append(text)
        out.append((dim, fmt.numbered(items)))
    return out


def no_findings_text(kind: str = "self", card=None, project_id=None) -> tuple[str, str]:
    """What 五 and 六 say when the evaluation found nothing to correct, in the project's own figures
    (its number of indicators, execution rate and the indicator furthest above its target)."""
    if card is None:
        return ("经评价和复核，该项目各项指标均达到年度指标值，预算执行正常，未发现需要整改的问题。",
                "建议继续做好项目管理和资金支付，在申报下一年度绩效目标时参考本年度完成情况，合理设定并适当提高指标值。")
    one = card.project(project_id)
    t = one.totals.iloc[0]
    rows = one.rows[one.rows["counted"]]
    problem = (f"经评价和复核，该项目 {len(rows)} 项绩效指标均达到年度指标值，全年执行 "
               f"{fmt.wan_text(t.get('spent'))}、执行率 {fmt.pct(t.get('exec_rate'))}，本次评价未发现需要整改的问题。")
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = rows["a_base"].astype(float) / rows["t_base"].astype(float) if "a_base" in rows else pd.Series(dtype=float)
    ratio = ratio[(rows.get("rule") == "positive") & np.isfinite(ratio) & (ratio > 1)] if len(ratio) else ratio
    if len(ratio):
        r = rows.loc[ratio.idxmax()]
        advice = (f"申报下一年度绩效目标时参考本年度完成情况，如“{r['level3']}”实际完成 {r['actual']}、年度指标值 "
                  f"{r['target']}，可相应提高指标值；继续按进度支付 {fmt.wan_text(t.get('budget_full_year'))} 的项目资金。")
    else:
        advice = (f"保持“{rows['level3'].iloc[0] if len(rows) else '各项指标'}”等指标的完成水平，申报下一年度绩效目标时"
                  f"结合本年度 {len(rows)} 项指标的完成情况细化量化目标。")
    return problem, advice


def other_matters(card, project_id, kind: str = "self") -> list[str]:
    """其他需要说明的问题: why a grade is withheld, how the form was read, the limits of the evaluation."""
    one = card.project(project_id)
    t = one.totals.iloc[0]
    out = []
    if isinstance(t.get("withheld"), str) and t["withheld"]:
        errors = one.flags[one.flags["severity"] == "error"]["message"].tolist()
        out.append(f"因{t['withheld']}，本报告暂不评定等级：" + "；".join(fmt.clause(m) for m in errors))
    for f in one.flags.itertuples():
        if f.code == "EXEC_BASE_FALLBACK":
            out.append(f.message.split("：", 1)[-1])
    notes = [n for n in str(t.get("reader_notes") or "").split("\n")
             if n.strip() and not any(w in n for w in ROUTINE_NOTES)]
    if notes:
        out.append("读表说明：" + "；".join(fmt.clause(n) for n in notes))
    out.append("本报告的评价数据来自单位填报的自评表和有关资料，评价结论以资料真实、完整为前提"
               if kind == "self" else "本报告的评价数据来自被评价单位提供的资料和评价组核查，评价结论以资料真实、完整为前提")
    return [fmt.sentence(x) for x in out]


def indicator_table(card, project_id, kind: str = "self") -> pd.DataFrame:
    """附表 评分表: every indicator's target, actual, points and scores (and who scored it, for key reports)."""
    r = card.project(project_id).rows
    out = pd.DataFrame({"一级指标": r["level1"], "二级指标": r["level2"], "三级指标": r["level3"],
                        "年度指标值": r["target"], "实际完成值": r["actual"], "分值": r["points"].map(fmt.points)})
    if kind == "self":
        out["自评得分"] = r["awarded_score"].map(fmt.score)
        out["复核后得分"] = r["reviewed_score"].map(fmt.score)
        out["偏差原因分析及改进措施"] = r["reason"]
    else:
        panel = (r["scored_by"] == "panel") if "scored_by" in r else pd.Series(False, index=r.index)
        out["评分方式"] = np.where(panel, "评价组评议", "按数据计分")
        out["得分"] = r["score"].map(fmt.score)
        out["评议意见或扣分说明"] = r["reason"]
    return out.reset_index(drop=True)


def conventions_table(card) -> pd.DataFrame:
    """附表: every convention used, as the scorecard records it (the scheme and system by their titles)."""
    shown = dict(card.conventions)
    scheme_key, system_key = "方案 (scheme)", "指标体系 (indicator system)"
    if scheme_key in shown:
        shown[scheme_key] = f"{card.scheme.title}"
    if shown.get(system_key):
        from ..systems import load_system

        try:
            shown[system_key] = load_system(shown[system_key]).title
        except Exception:  # noqa: BLE001  (a custom system not on this machine: keep its name)
            pass
    values = pd.Series([fmt.clause(v) if isinstance(v, str) else fmt.points(v) if isinstance(v, (int, float))
                        else str(v) for v in shown.values()], dtype=object)
    # the reader's appendix is Chinese only: "(half-up, 2 dp)", "(form's own)" are the scorecard's own glosses
    values = values.str.replace(r"\s*[（(][A-Za-z0-9 ,.'’:;/_+\-]*[A-Za-z][A-Za-z0-9 ,.'’:;/_+\-]*[)）]", "", regex=True)
    return pd.DataFrame({"约定": [k.split(" (")[0] for k in shown], "取值": values.str.strip().tolist()})


def fingerprint(paths) -> pd.DataFrame:
    """附表: the inputs' file names, sizes and SHA-256 — what this report was made from."""
    rows = []
    for p in sorted(Path(x) for x in paths):
        data = p.read_bytes()
        rows.append((p.name, f"{len(data):,}", hashlib.sha256(data).hexdigest()))
    return pd.DataFrame(rows, columns=["文件", "字节数", "SHA-256"])
