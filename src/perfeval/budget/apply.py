"""Evaluation results applied to next year's budget (评价结果应用).

The seed report: "对评价结果优秀且绩效突出的项目，优先纳入年度预算编审流程，保障并拨付预算资金；对于评价结果不合格、
整改不力或明显达不到预期绩效的，将中止预算执行或调整执行中的预算资金拨付，并不予考虑项目实施单位下一年度新增预算需求，
及时向项目实施单位反馈评价结果" and "对未制定项目绩效目标或目标制定不完整，及上年度未开展绩效自评的项目一律不予安排预算".

:func:`apply_results` takes one row per project with this year's grades and budget
(:func:`results_from_data` builds it from a data folder) and gives each project:

1. the grade used — the key evaluation's where there is one (``key_precedence``, a setting), else the
   self-evaluation's reviewed grade;
2. the action for next year's budget by grade (domain.md §6 [S28][S29]; every share a setting):
   优 → 优先保障, 良 → 保持, 中 → 压减 (by ``cut_share``), 差 → 取消或暂停; a project without a grade
   (the review withheld it) gets ``ungraded_action``;
3. the seed's hard rules, which win over any grade: no performance targets, or no self-evaluation
   this year → 不予安排 (where the data say so; unknown is not a "no");
4. the suggested amount = 全年预算数 × (1 + change share), and the rectification deadlines: results
   fed back within ``feedback_days`` of the results notice, the unit's rectification plan within
   ``plan_days`` of receiving them ([S2]: 20 and 30 days), for the actions in ``rectify``.

Everything is vectorised over the frame; every setting is printed by :meth:`ResultsApplied.conventions`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import compare, datasets
from ..errors import InputError, Location

GRADES = ("优", "良", "中", "差")
ACTIONS = {"priority": "优先保障", "keep": "保持", "cut": "压减", "stop": "取消或暂停", "none": "不予安排"}
ACTION_ORDER = tuple(ACTIONS.values())
SOURCES = {"key": "重点评价", "self": "单位自评"}
HARD_RULES = {  # code: (Chinese title, source)
    "NO_TARGETS": ("未编报绩效目标", "“对未制定项目绩效目标或目标制定不完整……的项目一律不予安排预算”"),
    "NO_SELF_EVALUATION": ("本年度未开展绩效自评", "“……及上年度未开展绩效自评的项目一律不予安排预算”"),
}
RESULT_COLUMNS = ("project_id", "project_name", "department", "grade", "key_grade", "budget", "has_targets",
                  "self_evaluated")


@dataclass(frozen=True)
class ApplyRules:
    """How grades turn into next year's budget actions (every field printed with the result).

    ``actions`` maps each grade to an action code (priority/keep/cut/stop); ``shares`` maps each
    action code to its change of the budget (0.0 = same amount, −0.1 = 10 % less, −1.0 = nothing).
    A better grade must never get a smaller share, and 差 never an increase.
    """

    actions: tuple = (("优", "priority"), ("良", "keep"), ("中", "cut"), ("差", "stop"))
    priority_share: float = 0.0
    keep_share: float = 0.0
    cut_share: float = -0.10
    stop_share: float = -1.0
    ungraded_action: str = "keep"
    key_precedence: bool = True
    hard_rules: tuple = ("NO_TARGETS", "NO_SELF_EVALUATION")
    notice_date: str | dt.date | None = None
    feedback_days: int = 20
    plan_days: int = 30
    rectify: tuple = ("cut", "stop", "none")
    score_basis: str = "reviewed"   # the self-evaluation grade used (perfeval.basis): reviewed or self

    @property
    def self_grade_label(self) -> str:
        """单位自评复核后等级 / 单位自评等级: what the self-evaluation grade is, as the reasons say it."""
        return "单位自评复核后等级" if self.score_basis == "reviewed" else "单位自评等级"

    def __post_init__(self):
        problems = []
        by_grade = dict(self.actions)
        if set(by_grade) != set(GRADES):
            problems.append(f"actions 须为 优、良、中、差 各一个动作：{self.actions}")
        bad = [a for a in list(by_grade.values()) + [self.ungraded_action] if a not in ("priority", "keep", "cut", "stop")]
        problems += [f"未知的处理方式 {a}（应为 priority、keep、cut、stop）" for a in bad]
        shares = self.share_of
        for name, v in shares.items():
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v) or v < -1:
                problems.append(f"{name}_share 须为不小于 −1 的数：{v!r}")
        if not problems:
            seq = [shares[by_grade[g]] for g in GRADES]
            if any(compare.lt(seq[i], seq[i + 1]) for i in range(3)):
                problems.append("较好等级的增减比例不得低于较差等级（优 ≥ 良 ≥ 中 ≥ 差）："
                                + "，".join(f"{g} {s:+.0%}" for g, s in zip(GRADES, seq)))
            if compare.gt(seq[3], 0):
                problems.append(f"“差”不得增加预算：{seq[3]:+.0%}")
        problems += [f"未知的硬性规则 {h}" for h in self.hard_rules if h not in HARD_RULES]
        if self.score_basis not in ("reviewed", "self"):
            problems.append(f"score_basis 须为 reviewed 或 self：{self.score_basis!r}")
        problems += [f"未知的整改处理方式 {a}" for a in self.rectify if a not in ACTIONS]
        for name in ("feedback_days", "plan_days"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                problems.append(f"{name} 须为非负整数：{v!r}")
        try:
            self.notice
        except (TypeError, ValueError):
            problems.append(f"notice_date 须为日期（如 2022-06-30）：{self.notice_date!r}")
        if problems:
            raise InputError("结果应用规则有误 (invalid result-application rules)",
                             expected="见 perfeval.budget.ApplyRules", found="；".join(problems))

    @property
    def share_of(self) -> dict:
        return {"priority": self.priority_share, "keep": self.keep_share, "cut": self.cut_share,
                "stop": self.stop_share, "none": -1.0}

    @property
    def notice(self) -> pd.Timestamp | None:
        return None if self.notice_date in (None, "") else pd.Timestamp(self.notice_date).normalize()

    def describe(self) -> dict:
        """The rules in Chinese, one line each."""
        by_grade = dict(self.actions)
        notice = self.notice
        return {
            "评价等级与处理": "；".join(f"“{g}”→{ACTIONS[by_grade[g]]}（{_share_text(self.share_of[by_grade[g]])}）"
                                for g in GRADES),
            "未定级的项目": f"{ACTIONS[self.ungraded_action]}（{_share_text(self.share_of[self.ungraded_action])}），"
                            "待自评表更正、重新定级后按等级处理",
            "采用的等级": f"有重点评价的以重点评价等级为准，其余以{self.self_grade_label}为准" if self.key_precedence
            else f"一律以{self.self_grade_label}为准",
            "硬性规则": "；".join(f"{HARD_RULES[h][0]}的项目不予安排（{HARD_RULES[h][1]}），不论评价等级"
                              for h in self.hard_rules) or "不设",
            "建议安排金额": "本年度全年预算数 + 增减额（全年预算数 × 增减比例，四舍五入到分）；不予安排、取消或暂停的为 0",
            "结果反馈": (f"结果通知（{notice:%Y-%m-%d}）后 {self.feedback_days} 日内反馈项目实施单位" if notice is not None
                     else f"结果通知之日起 {self.feedback_days} 日内反馈项目实施单位"),
            "整改计划": f"{'、'.join(ACTIONS[a] for a in self.rectify)}的项目，单位收到反馈后 {self.plan_days} 日内报送整改计划"
                        "（按最迟反馈日计算）",
            "比较精度": compare.DESCRIPTION,
        }


def _eq(a, b) -> bool:
    return bool(compare.le(a, b) & compare.ge(a, b))


def _share_text(share: float) -> str:
    if _eq(share, -1.0):
        return "不安排"
    if _eq(share, 0.0):
        return "按本年度规模安排"
    return f"{'增加' if share > 0 else '压减'} {abs(share):.0%}"


@dataclass(frozen=True, kw_only=True)
class ResultsApplied:
    """Per project the grade used, the action, the change share, the suggested amount, the reason and
    the rectification deadlines (``table``), with the rules that made them."""

    table: pd.DataFrame
    rules: ApplyRules
    order: tuple = ACTION_ORDER  # the actions summarised, in order (the decisions' view adds 退回修改)

    def conventions(self) -> dict:
        return self.rules.describe()

    def summary(self) -> pd.DataFrame:
        """One row per action (all five, in order): projects, this year's budget, suggested, change (元)."""
        t = self.table
        g = t.groupby("action", sort=False).agg(projects=("project_id", "size"), budget=("budget", "sum"),
                                                suggested=("suggested", "sum"))
        g = g.reindex(list(self.order)).fillna(0)
        g["projects"] = g["projects"].astype(int)
        g["change"] = g["suggested"] - g["budget"]
        return g.rename_axis("action").reset_index()

    def counts(self) -> dict:
        """{action: number of projects} in the order of the actions."""
        s = self.summary()
        return dict(zip(s["action"], s["projects"].astype(int)))

    def chinese_table(self) -> pd.DataFrame:
        """Chinese headers, money in 万元 (two decimals), dates as text: the workbook's and reports' table."""
        t = self.table
        rule = self.rules
        feedback = _due_text(t["feedback_due"], f"结果通知之日起 {rule.feedback_days} 日内")
        plan = _due_text(t["plan_due"], f"收到反馈后 {rule.plan_days} 日内").where(t["rectify"], "—")
        return pd.DataFrame({
            "项目编码": t["project_id"], "项目名称": t["project_name"], "主管部门": t["department"],
            "采用等级": t["grade_used"].fillna("未定级"), "等级来源": t["grade_source"].fillna("—"),
            "处理": t["action"], "增减比例": t["change_share"].map(lambda v: "—" if pd.isna(v) else f"{v:+.0%}".replace("+0%", "0%").replace("-0%", "0%")),
            "本年度全年预算（万元）": t["budget"].map(_wan), "建议安排（万元）": t["suggested"].map(_wan),
            "反馈期限": feedback, "整改计划期限": plan, "说明": t["reason"]})

    def summary_table(self) -> pd.DataFrame:
        s = self.summary()
        total = pd.DataFrame([{"action": "合计", "projects": int(s["projects"].sum()), "budget": s["budget"].sum(),
                               "suggested": s["suggested"].sum(), "change": s["change"].sum()}])
        s = pd.concat([s, total], ignore_index=True)
        return pd.DataFrame({"处理": s["action"], "项目数（个）": s["projects"].astype(int),
                             "本年度全年预算（万元）": s["budget"].map(_wan), "建议安排（万元）": s["suggested"].map(_wan),
                             "增减（万元）": s["change"].map(_wan)})

    def to_xlsx(self, path, date: str | None = None):
        """结果应用 / 处理汇总 / 应用规则, formatted, atomic and byte-reproducible (``date``: the report date in
        Chinese, from the settings)."""
        from ..export import write_sheets

        conv = self.conventions()
        return write_sheets(path, {"结果应用": self.chinese_table(), "处理汇总": self.summary_table(),
                                   "应用规则": pd.DataFrame({"规则": list(conv), "设置": list(conv.values())})},
                           title="绩效评价结果应用", date=date)

    def _repr_html_(self) -> str:
        from ..display import table_html

        return "<b>评价结果应用</b>" + table_html(self.summary_table()) + table_html(self.chinese_table().head(50))


def _wan(v) -> str:
    return "" if pd.isna(v) else f"{v / 1e4:,.2f}"


def _due_text(dates: pd.Series, fallback: str) -> pd.Series:
    return dates.dt.strftime("%Y-%m-%d").where(dates.notna(), fallback)


# --------------------------------------------------------------------------------------------
# the rules applied
# --------------------------------------------------------------------------------------------

def _clean(results: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(results, pd.DataFrame):
        raise InputError("评价结果须为 DataFrame (results must be a DataFrame)", found=type(results).__name__)
    missing = [c for c in ("project_id", "grade", "budget") if c not in results]
    if missing:
        raise InputError("评价结果表缺少列 (missing columns)", where=Location(file="results"),
                         expected=", ".join(RESULT_COLUMNS), found=f"缺少 {', '.join(missing)}")
    r = results.reset_index(drop=True).copy()
    r["project_id"] = r["project_id"].astype(str).str.strip()
    dup = r["project_id"].duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError("项目编码重复 (duplicate project_id)", where=Location(file="results", row=i + 2,
                                                                           column="project_id"), found=_plain(r.at[i, "project_id"]))
    for column, value in (("project_name", None), ("department", None), ("key_grade", None), ("has_targets", None),
                          ("self_evaluated", None)):
        if column not in r:
            r[column] = value
    r["project_name"] = r["project_name"].where(r["project_name"].notna(), r["project_id"])
    for column in ("grade", "key_grade"):
        g = _per_value(r[column], lambda x: (None if x.strip() in ("", "未定级") else x.strip()) if isinstance(x, str) else x)
        bad = g.notna() & ~g.isin(GRADES)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError("评价等级须为 优、良、中、差 或空 (grade)", where=Location(file="results", row=i + 2, column=column),
                             expected="优 / 良 / 中 / 差", found=_plain(r.at[i, column]))
        r[column] = g
    budget = pd.to_numeric(r["budget"], errors="coerce")
    bad = budget.isna() | ~np.isfinite(budget.fillna(0)) | compare.lt(budget.fillna(-1), 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError("全年预算数须为非负数 (budget must be a non-negative number)",
                         where=Location(file="results", row=i + 2, column="budget"), expected="≥ 0 的金额（元）",
                         found=_plain(r.at[i, "budget"]))
    r["budget"] = budget.astype(float)
    for column in ("has_targets", "self_evaluated"):  # True / False / unknown (missing)
        v = _per_value(r[column], _truth)
        bad = v.isna() & r[column].notna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(f"{column} 须为 true/false 或空", where=Location(file="results", row=i + 2, column=column),
                             expected="true / false / 空（未知）", found=_plain(r.at[i, column]))
        r[column] = v.astype(object)
    return r


def _per_value(column: pd.Series, func) -> pd.Series:
    """``func`` applied once per distinct value (a column of a few grades or flags), then spread back."""
    codes, uniques = pd.factorize(column.astype(object), use_na_sentinel=True)
    mapped = np.array([func(u) for u in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=column.index, dtype=object)


_TRUE = {"true", "1", "yes", "是", "t", "y"}
_FALSE = {"false", "0", "no", "否", "f", "n"}


def _truth(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def apply_results(results: pd.DataFrame, rules: ApplyRules | None = None) -> ResultsApplied:
    """Next year's action, change share, suggested amount, reason and deadlines for every project.

    ``results``: ``project_id, grade`` (self-evaluation, 优/良/中/差 or missing), ``budget`` (元,
    this year's 全年预算数); as available ``project_name, department, key_grade, has_targets,
    self_evaluated`` (booleans; missing = unknown, and an unknown never triggers a hard rule).
    """
    rules = rules or ApplyRules()
    r = _clean(results)
    n = len(r)
    use_key = r["key_grade"].notna().to_numpy() & rules.key_precedence
    grade_used = np.where(use_key, r["key_grade"], r["grade"])
    source = np.where(use_key, SOURCES["key"], np.where(pd.notna(grade_used), SOURCES["self"], None))
    by_grade = dict(rules.actions)
    code = pd.Series(grade_used, dtype=object).map(by_grade).fillna(rules.ungraded_action).to_numpy(dtype=object)
    hard = pd.Series("", index=r.index, dtype=object)
    masks = _hard_masks(r)
    for h in rules.hard_rules:  # two named rules
        hit = masks[h]
        hard = hard.where(~hit, hard + np.where(hard != "", "、", "") + HARD_RULES[h][0])
    gated = (hard != "").to_numpy()
    code = np.where(gated, "none", code)
    share = pd.Series(code).map(rules.share_of).to_numpy(dtype=float)
    budget = r["budget"].to_numpy()
    change = _to_fen(budget * share)
    suggested = np.where(share <= -1.0, 0.0, np.maximum(budget + change, 0.0))
    action = pd.Series(code).map(ACTIONS).to_numpy(dtype=object)
    notice = rules.notice
    feedback = pd.Series(pd.NaT, index=r.index, dtype="datetime64[ns]") if notice is None else \
        pd.Series(notice + pd.Timedelta(days=rules.feedback_days), index=r.index)
    rectify = pd.Series(code).isin(rules.rectify).to_numpy()
    plan = (feedback + pd.Timedelta(days=rules.plan_days)).where(rectify)
    table = pd.DataFrame({
        "project_id": r["project_id"], "project_name": r["project_name"], "department": r["department"],
        "grade": r["grade"], "key_grade": r["key_grade"], "grade_used": grade_used, "grade_source": source,
        "action_code": code, "action": action, "change_share": share, "budget": r["budget"],
        "suggested": suggested, "hard_rules": hard.to_numpy(), "rectify": rectify,
        "feedback_due": feedback, "plan_due": plan})
    table["reason"] = _reasons(table, rules)
    return ResultsApplied(table=table, rules=rules)


def _hard_masks(r: pd.DataFrame) -> dict[str, np.ndarray]:
    """{hard rule code: boolean array} over a cleaned results frame (an unknown flag never fires)."""
    return {"NO_TARGETS": (r["has_targets"] == False).to_numpy(dtype=bool),  # noqa: E712
            "NO_SELF_EVALUATION": (r["self_evaluated"] == False).to_numpy(dtype=bool)}  # noqa: E712


def _to_fen(amount) -> np.ndarray:
    """Money rounded half-up (away from zero) to the fen, after snapping float noise."""
    amount = np.asarray(amount, dtype=float)
    return np.sign(amount) * np.floor(compare.snap(np.abs(amount) * 100) + 0.5) / 100


def _text(values) -> np.ndarray:
    """A column as a numpy object array of str (missing → ""), for fast element-wise concatenation."""
    v = pd.Series(values).astype(object)
    return v.where(v.notna(), "").astype(str).to_numpy(dtype=object)


def _reasons(t: pd.DataFrame, rules: ApplyRules) -> np.ndarray:
    """One Chinese sentence per project: written once per distinct case (grades, source, action, hard
    rules), then joined with each project's amount."""
    positive = t["suggested"].to_numpy() > 0
    case = pd.DataFrame({"used": _text(t["grade_used"]), "own": _text(t["grade"]), "source": _text(t["grade_source"]),
                         "code": t["action_code"].to_numpy(dtype=object), "rectify": t["rectify"].to_numpy(),
                         "hard": _text(t["hard_rules"]), "positive": positive})
    codes, uniques = pd.MultiIndex.from_frame(case).factorize()
    what = {"priority": "优先纳入下一年度预算编审流程、保障资金" + ("" if _eq(rules.priority_share, 0.0) else
                                                      f"（增加 {rules.priority_share:.0%}）"),
            "keep": "按本年度规模据实安排", "cut": f"按规则压减 {abs(rules.cut_share):.0%}",
            "stop": "取消或暂停下一年度预算安排，不予考虑新增预算需求", "none": ""}
    heads, tails = [], []
    for used, own, source, code, rectify, hard, pos in uniques:  # a few dozen distinct cases at most
        if not used:
            basis = "单位自评未定级（复核暂不定级）"
        elif source == SOURCES["key"]:
            basis = f"重点评价等级为“{used}”" + (f"（单位自评为“{own}”，以重点评价为准）" if own and own != used else "")
        else:
            basis = f"{rules.self_grade_label}为“{used}”"
        if hard:
            heads.append(f"{hard}，按硬性规则不予安排下一年度预算，不论评价等级（{basis}）；须限期整改。")
            tails.append("")
            continue
        rect = "；须限期整改并报送整改计划" if rectify else ""
        if pos:
            heads.append(f"{basis}，{what[code]}，建议安排 ")
            tails.append(f" 万元{rect}。")
        else:
            heads.append(f"{basis}，{what[code]}，下一年度不安排资金{rect}。")
            tails.append("")
    heads, tails = np.array(heads, dtype=object)[codes], np.array(tails, dtype=object)[codes]
    amount = np.full(len(t), "", dtype=object)
    show = tails != ""
    amount[show] = _wan_all(t["suggested"].to_numpy()[show])
    return heads + amount + tails


def _wan_all(values: np.ndarray) -> np.ndarray:
    """元 → "1,234.56" (万元) for a whole column (no missing values)."""
    return np.array(list(map("{:,.2f}".format, np.asarray(values, dtype=float) / 1e4)), dtype=object)


# --------------------------------------------------------------------------------------------
# the results of a data folder
# --------------------------------------------------------------------------------------------

def results_from_data(data_dir, *, self_totals: pd.DataFrame | None = None,
                      key_totals: pd.DataFrame | None = None, score_basis: str | None = None) -> pd.DataFrame:
    """This year's results per project of a data folder (the sample city's layout).

    ``project_id, project_name, department`` from ``projects.csv``; ``grade`` the self-evaluation's
    reviewed grade (:func:`perfeval.score`, missing where withheld or not self-evaluated);
    ``key_grade`` the key evaluation's (:func:`perfeval.keyeval.evaluate`; NaN where not key-evaluated);
    ``budget`` 全年预算数 (元); ``has_targets`` whether the project declared targets (``targets.csv`` or
    ``declarations/``; unknown when the folder has neither); ``self_evaluated``.

    ``self_totals`` / ``key_totals``: the scorecard totals already computed for this folder (as the
    city-wide report has them), so that nothing is scored twice. ``score_basis``: the self-evaluation
    grade used (:mod:`perfeval.basis`; the folder's setting when None).
    """
    from .. import basis, settings
    from .. import keyeval
    from ..city.year import Year
    from .candidates import last_year_results

    data = Path(data_dir)
    projects = datasets.projects(data)
    ids = projects["project_id"].astype(str).tolist()
    if self_totals is None:
        own = last_year_results(data, ids, key_precedence=False, score_basis=score_basis).set_index("project_id")
        grade, evaluated = own["last_grade"], own["self_evaluated"]
    else:
        t = self_totals.assign(project_id=self_totals["project_id"].astype(str)).set_index("project_id")
        grade_column = basis.columns(settings.score_basis(data_dir, score_basis))["grade"]
        grade, evaluated = t[grade_column], pd.Series(True, index=t.index)
    key = pd.Series(dtype=object)
    if key_totals is not None:
        key = key_totals.assign(project_id=key_totals["project_id"].astype(str)).set_index("project_id")["grade"]
    elif Year.load(data).has("key_indicators"):  # header-only = absent: no key grades
        key = keyeval.evaluate(keyeval.load(data)).totals.set_index("project_id")["grade"]
    out = pd.DataFrame({"project_id": ids, "project_name": projects["project_name"].to_numpy(),
                        "department": projects["department"].to_numpy()})
    out["grade"] = out["project_id"].map(grade)
    out["key_grade"] = out["project_id"].map(key)
    if "budget_full_year" not in projects:
        raise InputError("项目清单缺少全年预算数列 (missing column)", where=Location(file=str(data / "projects.csv"),
                                                                        column="budget_full_year"),
                         expected="budget_full_year（全年预算数，元）", found="、".join(map(str, projects.columns)))
    budget = pd.to_numeric(projects["budget_full_year"], errors="coerce")
    bad = budget.isna() | ~np.isfinite(budget.fillna(0)) | compare.lt(budget.fillna(-1), 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError("全年预算数须为非负数 (budget must be a non-negative number)",
                         where=Location(file=str(data / "projects.csv"), row=i + 2, column="budget_full_year"),
                         expected="≥ 0 的金额（元）", found=_plain(projects["budget_full_year"].iloc[i]))
    out["budget"] = budget.to_numpy(dtype=float)
    out["has_targets"] = _declared(data, out["project_id"])
    if self_totals is None and not datasets.has_self_evaluations(data):
        # no self-evaluations in the folder at all: unknown, not "none self-evaluated" (which would
        # refuse every project's budget by the hard rule)
        out["self_evaluated"] = None
    else:
        out["self_evaluated"] = out["project_id"].map(evaluated).fillna(False).astype(bool)
    return out


def _plain(value):
    """A cell value as the user typed it (numpy scalars as Python ones) for error messages."""
    return value.item() if isinstance(value, np.generic) else value


def _declared(data: Path, ids: pd.Series) -> pd.Series:
    """Whether each project declared targets; None (unknown) when the folder keeps no targets at all."""
    declared: set[str] = set()
    known = False
    if (data / "targets.csv").is_file():
        known = True
        declared |= set(datasets.read_table(data / "targets.csv")["project_id"].astype(str))
    folder = data / "declarations"
    if folder.is_dir():
        known = True
        declared |= {p.stem for p in folder.iterdir() if p.suffix.lower() in (".xlsx", ".csv")}
    if not known:
        return pd.Series([None] * len(ids), index=ids.index, dtype=object)
    return ids.isin(declared).astype(object)


__all__ = ["ACTIONS", "ApplyRules", "HARD_RULES", "ResultsApplied", "apply_results", "results_from_data"]
