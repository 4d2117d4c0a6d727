"""One decision per project for next year's budget (下一年度预算安排的唯一决定), from all the evidence.

:func:`decide` takes this year's results (one row per project of ``projects.csv``: grades, 全年预算数,
targets declared, self-evaluated, money recovered at year end) and next year's requests (new and
continuing projects: ex-ante conclusion, 2022 target-review grade, request) with the cap, and gives
every project — this year's and every candidate, new ones too — ONE decision among
优先保障 / 保持 / 压减 / 取消或暂停 / 不予安排 / 退回修改, ONE amount and EVERY reason, in the order the
rules applied (``reasons`` a list of sentences, ``reason`` the sentence they make, ``reason_codes``):

1. **否决规则 → 不予安排** (each a rule of the seed or of domain.md): 未编报绩效目标 and 上年度未开展绩效
   自评 ("对未制定项目绩效目标或目标制定不完整，及上年度未开展绩效自评的项目一律不予安排预算"); 事前绩效评估
   不予支持 and 新增项目未经事前评估 (§3 [S20][S21]); 绩效目标审核“差” (§4.2, 88号 [S22]: may not enter the
   budget process). A gated project never gets money, whatever its grade.
2. **评价等级 → 处理与增减比例** (§6 [S28][S29], :class:`~.apply.ApplyRules`): the last grade (key
   evaluation over self-evaluation, ``key_precedence``) gives 优先保障 / 保持 / 压减 / 取消或暂停 and the
   change share; “差” → 取消或暂停 (amount 0). A new project has no grade: its ex-ante conclusion stands in
   (予以支持 → 优先保障, 部分支持 → 压减 to the ex-ante suggestion) — *perfeval's default*.
3. **绩效目标审核“中” → 退回修改** (§4.2, 88号 [S22]: the unit revises and resubmits): no money until the
   revised declaration passes review.
4. **收回统筹 → 按实际执行能力核定** (*perfeval's default*; domain.md §5 only says results feed next year's
   budget): a continuing project whose money was recovered this year is approved at most this year's
   全年预算数 after the recovery.
5. **资金控制数内择优排序** (the seed's "按照轻重缓急，对备选项目进行合理排序"; :class:`~.priority.PriorityRules`):
   the requests left are approved (核定金额 = the request, or a new project's ex-ante suggestion, after
   steps 2 and 4), ranked and funded within the cap; the funded amount is the decision's amount, a
   project below the funding line is 不予安排 (and says so), one funded in part is 压减.
   A project of this year that asked nothing for next year is not ranked: its amount is 全年预算数 ×
   (1 + the grade's share), as a suggestion (*perfeval's default*).

The first rule that decides wins; the later ones are still stated as reasons. Everything is
vectorised over the ledger; the views — 结果应用.xlsx (:meth:`Decisions.applied`), the priority report
(:attr:`Decisions.priority`), the portfolio's and the annual report's sections — read this one ledger.

Departments and units (issue 19): where ``units.csv`` is given, :attr:`Decisions.dept` holds the year's ONE
department evaluation and each department's and unit's treatment from its grade
(:class:`perfeval.dept.decisions.DeptDecisions`), written as the sheet 部门整体结果应用 of 结果应用.xlsx.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import compare, settings
from ..errors import InputError
from . import apply as A
from . import priority as P
from .decision_text import reasons as _reasons

DECISIONS = {**A.ACTIONS, "revise": "退回修改"}
DECISION_ORDER = tuple(DECISIONS.values())
GATE_ORDER = ("NO_TARGETS", "NO_SELF_EVALUATION", "EXANTE_REJECTED", "NO_EXANTE", "TARGETS_POOR")
GATE_TITLES = {"NO_TARGETS": "未编报绩效目标", "NO_SELF_EVALUATION": "本年度未开展绩效自评",
               **{k: P.GATES[k][0] for k in GATE_ORDER[2:]}}
GATE_SOURCES = {**{k: A.HARD_RULES[k][1] for k in GATE_ORDER[:2]}, **{k: P.GATES[k][1] for k in GATE_ORDER[2:]}}
STEPS = ("① 否决规则", "② 评价等级", "③ 目标审核", "④ 收回统筹", "⑤ 择优排序")
_CODES = ("priority", "keep", "cut")


@dataclass(frozen=True)
class DecisionRules:
    """The settings of every step (printed by :meth:`describe`): the grade rules (``apply``), the
    ranking (``priority``), the target-review grades returned for revision, the recovery limit and
    the action a new project's ex-ante conclusion stands for."""

    apply: A.ApplyRules = field(default_factory=A.ApplyRules)
    priority: P.PriorityRules = field(default_factory=P.PriorityRules)
    revise_grades: tuple = ("中",)
    recovery_cap: bool = True
    exante_actions: tuple = (("support", "priority"), ("partial", "cut"))

    def __post_init__(self):
        problems = []
        if not isinstance(self.apply, A.ApplyRules):
            problems.append(f"apply 须为 ApplyRules：{type(self.apply).__name__}")
        if not isinstance(self.priority, P.PriorityRules):
            problems.append(f"priority 须为 PriorityRules：{type(self.priority).__name__}")
        problems += [f"退回修改的审核结论须为 优、良、中：{g!r}" for g in self.revise_grades if g not in ("优", "良", "中")]
        problems += [f"事前评估结论对应的处理有误：{o!r} → {a!r}" for o, a in self.exante_actions
                     if o not in ("support", "partial") or a not in _CODES]
        if problems:
            raise InputError("下一年度预算决定规则有误 (invalid decision rules)", expected="见 perfeval.budget.DecisionRules",
                             found="；".join(problems))

    @property
    def gates(self) -> tuple:
        """The hard gates in force, in the order they are stated (LAST_GRADE_POOR is step 2's “差”)."""
        on = set(self.apply.hard_rules) | (set(self.priority.gates) - {"LAST_GRADE_POOR"})
        return tuple(g for g in GATE_ORDER if g in on)

    def describe(self, cap: float | None = None) -> dict:
        """The rule order and every setting in Chinese, one line each (the reports' settings section)."""
        a, p = self.apply.describe(), self.priority.describe()
        ex = dict(self.exante_actions)
        revise = "、".join(f"“{g}”" for g in self.revise_grades)
        return {
            "决定规则顺序": "①否决规则（不予安排）→ ②评价等级（评价结果应用：优先保障、保持、压减、取消或暂停）→ ③绩效目标审核"
                      f"{revise or '（不设）'}退回修改 → ④收回统筹的项目按实际执行能力核定 → ⑤资金控制数内择优排序（资金控制线以下不予安排）；"
                      "先适用的规则决定结果，其后的规则仍列为理由；每个项目只有一个决定和一个金额",
            f"{STEPS[0]}": "；".join(f"{GATE_TITLES[g]}（{GATE_SOURCES[g]}）" for g in self.gates) + "：不予安排，不论评价等级"
            if self.gates else "不设",
            f"{STEPS[1]}": a["评价等级与处理"] + "；“差”的取消或暂停，不参加排序",
            "未定级的项目": a["未定级的项目"],
            "采用的等级": a["采用的等级"],
            "新增项目": "没有评价等级，以事前评估结论代替（默认规则）："
                    + "；".join(f"{'予以支持' if o == 'support' else '部分支持'}→{DECISIONS[c]}" for o, c in ex.items())
                    + "；核定金额为事前评估建议安排金额",
            f"{STEPS[2]}": (f"下一年度绩效目标审核结论为{revise}的，退回单位修改后重新报送（财预〔2015〕88号），审核通过前不安排、不参加排序"
                            if revise else "不设") + "；“良”的商定目标后进入预算编审",
            f"{STEPS[3]}": ("本年度收回统筹的延续项目，下一年度核定金额不超过收回后的全年预算数（按实际执行能力核定，默认规则）；"
                            "未提供资金支付数据时不适用" if self.recovery_cap else "不设"),
            "核定金额": "延续项目为申请金额（经④限额）按②的增减比例调整（四舍五入到分）；新增项目为事前评估建议安排金额"
            if self.priority.amount == "suggested" else "申请金额（经④限额）按②的增减比例调整",
            f"{STEPS[4]}": p["排序依据"] + "；" + p["优先档次"] + "；" + p["资金安排"],
            "资金控制线以下": "不予安排（控制数不足，不须整改），部分安排的记为压减（默认规则）",
            "资金控制数": "—" if cap is None else f"{cap / 1e4:,.2f} 万元",
            "未申报下一年度预算的项目": "不参加排序，按本年度全年预算数（收回统筹后）×（1 + ②的增减比例）测算建议安排金额（默认规则）",
            "建议安排金额": "决定的金额：参加排序的为安排金额，未申报的为测算金额；不予安排、取消或暂停、退回修改的为 0",
            "结果反馈": a["结果反馈"],
            "整改计划": a["整改计划"].replace("的项目", "、退回修改的项目", 1) + "；退回修改的期限同整改计划（默认规则）",
            "比较精度": a["比较精度"],
        }


@dataclass(frozen=True, kw_only=True)
class Decisions:
    """The ledger of next year's decisions (one row per project: this year's and every candidate),
    with the rules that made it, the cap, the ranking view and the evidence it was made from."""

    ledger: pd.DataFrame
    rules: DecisionRules
    cap: float | None = None
    priority: object | None = None  # budget.Priority: the ranking view of the ledger (None without requests or cap)
    evidence: object | None = None  # budget.Evidence of a data folder (ex-ante, target review, year)
    dept: object | None = None  # dept.DeptDecisions: departments' and units' treatments (None without units.csv)

    def conventions(self) -> dict:
        return self.rules.describe(self.cap)

    def summary(self) -> pd.DataFrame:
        """One row per decision (all six, in order): projects, this year's budget, requested, amount (元)."""
        t = self.ledger
        g = t.groupby("decision", sort=False).agg(projects=("project_id", "size"), budget=("budget", "sum"),
                                                  requested=("requested", "sum"), amount=("amount", "sum"))
        g = g.reindex(list(DECISION_ORDER)).fillna(0)
        g["projects"] = g["projects"].astype(int)
        return g.rename_axis("decision").reset_index()

    def counts(self) -> dict:
        s = self.summary()
        return dict(zip(s["decision"], s["projects"].astype(int)))

    @property
    def total(self) -> float:
        """The money of all decisions (元)."""
        return float(self.ledger["amount"].sum())

    def applied(self) -> A.ResultsApplied:
        """结果应用: the ledger's rows of this year's projects as a :class:`~.apply.ResultsApplied`."""
        from .decisions_view import applied_view

        return applied_view(self)

    def chinese_table(self) -> pd.DataFrame:
        from .decisions_view import ledger_table

        return ledger_table(self)

    def to_xlsx(self, path, date: str | None = None):
        """决定台账 / 决定汇总 / 决定规则, formatted, atomic and byte-reproducible."""
        from ..export import write_sheets
        from .decisions_view import summary_table

        conv = self.conventions()
        sheets = {"决定台账": self.chinese_table(), "决定汇总": summary_table(self),
                  "决定规则": pd.DataFrame({"规则": list(conv), "设置": list(conv.values())})}
        if self.dept is not None:
            sheets[DEPT_SHEET] = self.dept.chinese_table()
        return write_sheets(path, sheets, title="下一年度预算决定台账", date=date)

    def _repr_html_(self) -> str:
        from ..display import table_html
        from .decisions_view import summary_table

        return "<b>下一年度预算决定</b>" + table_html(summary_table(self)) + table_html(self.chinese_table().head(50))


# --------------------------------------------------------------------------------------------
# the rules applied
# --------------------------------------------------------------------------------------------

def _results(results) -> pd.DataFrame:
    if results is None:
        results = pd.DataFrame({c: pd.Series(dtype=object) for c in ("project_id", "grade", "budget")})
    r = A._clean(results)
    rec = pd.to_numeric(r["recovered"], errors="coerce") if "recovered" in r else pd.Series(np.nan, index=r.index)
    r["recovered"] = rec.astype(float)
    return r


def decide(results: pd.DataFrame | None = None, candidates: pd.DataFrame | None = None, cap: float | None = None,
           rules: DecisionRules | None = None, *, evidence=None) -> Decisions:
    """The one decision, amount and reasons of every project (see the module docstring for the rule order).

    ``results``: as :func:`~.apply.apply_results` (``project_id, grade, budget``; as available
    ``project_name, department, key_grade, has_targets, self_evaluated``) plus ``recovered`` (元 recovered
    at year end; missing = unknown). ``candidates``: as :func:`~.priority.prioritise` (None: no requests
    given). ``cap`` (元): without it the requests are listed at their approved amount, unranked.
    """
    rules = rules or DecisionRules()
    r = _results(results)
    graded = A.apply_results(r, dataclasses.replace(rules.apply, hard_rules=())).table  # step 2 on this year's projects
    c = P._clean(candidates) if candidates is not None else None
    if cap is not None:
        cap = float(cap)
        if not np.isfinite(cap) or cap < 0:
            raise InputError("资金控制数须为非负数 (cap must be a non-negative amount)", found=cap)
    ids = list(r["project_id"]) + ([] if c is None else [i for i in c["project_id"] if i not in set(r["project_id"])])
    L = pd.DataFrame({"project_id": pd.Series(ids, dtype=object)})
    n = len(L)
    g = graded.set_index("project_id").reindex(L["project_id"])
    rr = r.set_index("project_id").reindex(L["project_id"])
    cc = (c if c is not None else P._clean(pd.DataFrame(columns=list(P.CANDIDATE_COLUMNS)))).set_index(
        "project_id").reindex(L["project_id"])
    in_year = L["project_id"].isin(r["project_id"]).to_numpy()
    asked = cc["kind"].notna().to_numpy()
    new = (cc["kind"] == "new").to_numpy()
    cont_only = asked & ~new & ~in_year
    for col in ("project_name", "department"):
        L[col] = g[col].where(in_year, cc[col]).to_numpy()
    L["project_name"] = L["project_name"].where(L["project_name"].notna(), L["project_id"])
    L["kind"] = np.where(new, "new", np.where(asked, "continuing", None))
    L["in_year"], L["asked"] = in_year, asked
    for col in ("grade", "key_grade"):
        L[col] = g[col].to_numpy()
    L["grade_used"] = np.where(in_year, g["grade_used"], np.where(cont_only, cc["last_grade"], None))
    L["grade_source"] = np.where(in_year, g["grade_source"], np.where(cont_only & cc["last_grade"].notna().to_numpy(),
                                                                     cc["last_source"], None))
    for col in ("exante_outcome", "exante_conclusion", "exante_score", "target_grade", "declared", "requested"):
        L[col] = cc[col].to_numpy()
    L["exante_suggested"] = cc["suggested"].to_numpy(dtype=float)
    L["budget"] = rr["budget"].to_numpy(dtype=float)
    L["recovered"] = rr["recovered"].to_numpy(dtype=float)

    # step 2: the grade's action and share (new projects: the ex-ante conclusion's action)
    by_grade, share_of = dict(rules.apply.actions), rules.apply.share_of
    cont_action = L["grade_used"].map(by_grade).fillna(rules.apply.ungraded_action)
    new_action = L["exante_outcome"].map(dict(rules.exante_actions)).fillna(rules.apply.ungraded_action)
    action = np.where(in_year, g["action_code"], np.where(new, new_action, cont_action)).astype(object)
    share = np.where(new, 0.0, pd.Series(action).map(share_of).to_numpy(dtype=float))
    L["grade_action"], L["share"] = action, share

    # step 1: the hard gates
    hits = {code: np.zeros(n, dtype=bool) for code in GATE_ORDER}
    masks_r = A._hard_masks(r)
    pos_r = L.index[in_year].to_numpy()
    for code in rules.apply.hard_rules:
        hits[code][pos_r] |= masks_r[code]
    if c is not None:
        masks_c = P._gate_masks(c)
        pos_c = pd.Index(L["project_id"]).get_indexer(c["project_id"])
        for code in set(rules.priority.gates) - {"LAST_GRADE_POOR"}:
            hits[code][pos_c] |= masks_c[code]
    gate_text = np.full(n, "", dtype=object)
    gate_codes = np.full(n, "", dtype=object)
    for code in rules.gates:  # five named gates
        gate_text = np.where(hits[code], np.where(gate_text != "", gate_text + "、", gate_text) + GATE_TITLES[code], gate_text)
        gate_codes = np.where(hits[code], np.where(gate_codes != "", gate_codes + ",", gate_codes) + code, gate_codes)
    gated = gate_text != ""
    L["gates"], L["gate_codes"] = gate_text, gate_codes
    stop = ~gated & compare.le(share, -1.0)
    revise = ~gated & ~stop & asked & L["target_grade"].isin(rules.revise_grades).to_numpy()

    # steps 4 and 2 on the requests: 核定金额
    base = np.full(n, np.nan)
    if c is not None:
        base[pos_c] = P._approved(c, rules.priority)
    limit = rules.recovery_cap & asked & ~new & in_year & (np.nan_to_num(L["recovered"].to_numpy()) > 0)
    capped = limit & compare.gt(base, np.nan_to_num(L["budget"].to_numpy(), nan=np.inf))
    approved = np.where(capped, L["budget"].to_numpy(), base)
    approved = np.where(new | ~asked, approved, np.maximum(approved + A._to_fen(approved * share), 0.0))
    approved = np.where(compare.le(share, -1.0) & ~new, 0.0, approved)
    L["recovery_capped"], L["approved"] = capped, approved

    # step 5: the ranking within the cap
    ranked = asked & ~gated & ~stop & ~revise
    status = np.full(n, None, dtype=object)
    funded = np.zeros(n)
    rank = np.full(n, np.nan)
    rank_reason = np.full(n, "", dtype=object)
    view = None
    if c is not None and cap is not None:
        c2 = c.copy()
        c2["amount"] = approved[pos_c]
        keep_out = np.where(gated, "不予安排：" + L["gates"].astype(str), np.where(stop, "取消或暂停", "退回修改"))
        c2["gates"] = np.where(ranked[pos_c], "", keep_out[pos_c])
        known = in_year[pos_c] & ~new[pos_c]
        c2["last_grade"] = np.where(known, L["grade_used"].to_numpy()[pos_c], c2["last_grade"])
        c2["last_source"] = np.where(known, L["grade_source"].to_numpy()[pos_c], c2["last_source"])
        view = P._rank(c2, cap, rules.priority, conventions=rules.describe(cap))
        at = pd.Index(L["project_id"]).get_indexer(view.table["project_id"])
        status[at] = view.table["status"].to_numpy()
        funded[at] = view.table["funded"].to_numpy(dtype=float)
        rank[at] = view.table["rank"].to_numpy(dtype=float)
        rank_reason[at] = np.where(ranked[at], view.table["reason"].to_numpy(dtype=object), "")
    elif c is not None:
        status[ranked] = "未排序"
    status[stop & asked] = P.STATUS["stop"]
    status[revise] = P.STATUS["revise"]
    below = ranked & (status == P.STATUS["below"])
    partial = ranked & (status == P.STATUS["partial"])
    L["status"], L["rank"], L["funded"] = status, rank, funded

    # the one decision and its amount
    code = np.select([gated, stop, revise, below, partial], ["none", "stop", "revise", "none", "cut"], default=action)
    amount = np.select([gated | stop | revise | below, ranked & (status != "未排序"), ranked],
                       [0.0, funded, approved], default=np.where(in_year, g["suggested"].to_numpy(dtype=float), 0.0))
    L["decision_code"], L["decision"], L["amount"] = code, pd.Series(code).map(DECISIONS).to_numpy(), amount
    rectify = pd.Series(code).isin(set(rules.apply.rectify) | {"revise"}).to_numpy() & ~below & ~partial  # the cap is no fault
    notice = rules.apply.notice
    L["rectify"] = rectify
    L["feedback_due"] = pd.Series(pd.NaT if notice is None else notice + pd.Timedelta(days=rules.apply.feedback_days),
                                  index=L.index, dtype="datetime64[ns]")
    L["plan_due"] = (L["feedback_due"] + pd.Timedelta(days=rules.apply.plan_days)).where(rectify)
    L["reasons"], L["reason"], L["reason_codes"] = _reasons(L, rules, rank_reason, requests_given=c is not None, cap=cap)
    if view is not None:
        view = _priority_view(view, L)
    return Decisions(ledger=L, rules=rules, cap=cap, priority=view, evidence=evidence)


def _priority_view(view, L: pd.DataFrame):
    """The ranking with the ledger's decision, amount and reasons on every row."""
    t = view.table.copy()
    row = L.set_index("project_id").loc[t["project_id"]]
    t["status"] = row["status"].to_numpy()
    t["decision"], t["decided"] = row["decision"].to_numpy(), row["amount"].to_numpy(dtype=float)
    t["reason"], t["reason_codes"] = row["reason"].to_numpy(), row["reason_codes"].to_numpy()
    return dataclasses.replace(view, table=t)


# --------------------------------------------------------------------------------------------
# a data folder's decisions
# --------------------------------------------------------------------------------------------

def decisions_from_data(data_dir, *, rules: DecisionRules | None = None, cap: float | None = None,
                        self_totals=None, key_totals=None, monitoring=None, exante_rule="default",
                        exante_method: str = "mean", score_basis: str | None = None) -> Decisions:
    """The decisions of a data folder: this year's results (:func:`~.apply.results_from_data`), the money
    recovered (``monitoring.recovery`` where given, else the year-end recovery of ``payments.csv``;
    unknown without payments), and, where ``next_year/requests.csv`` exists, the candidates
    (:func:`~.candidates.candidates_from_data`, last grades under the same ``key_precedence``) and the cap
    (``cap`` in 元, else ``next_year/control.csv``). Self-evaluation grades on ``score_basis``
    (:mod:`perfeval.basis`; the folder's setting when None)."""
    from .. import datasets
    from .candidates import candidates_from_data

    rules = rules or DecisionRules()
    data = Path(data_dir)
    score_basis = settings.score_basis(data, score_basis)
    if rules.apply.score_basis != score_basis:  # the reasons name the basis the grades are on
        rules = dataclasses.replace(rules, apply=dataclasses.replace(rules.apply, score_basis=score_basis))
    results = A.results_from_data(data, self_totals=self_totals, key_totals=key_totals, score_basis=score_basis)
    results["recovered"] = _recoveries(data, monitoring, results["project_id"])
    evidence = candidates = None
    if (data / datasets.NEXT_YEAR / "requests.csv").is_file():
        evidence = candidates_from_data(data, exante_rule=exante_rule, exante_method=exante_method,
                                        key_precedence=rules.apply.key_precedence, score_basis=score_basis)
        candidates = evidence.candidates
        cap = evidence.cap if cap is None else cap
    from ..dept.decisions import dept_decisions_from_data

    return dataclasses.replace(decide(results, candidates, cap, rules, evidence=evidence), dept=dept_decisions_from_data(data))


def _recoveries(data: Path, monitoring, ids: pd.Series) -> pd.Series:
    """元 recovered at year end per project; NaN (unknown) where the payments are not given (absent,
    header-only, or no row for the project)."""
    if monitoring is None:
        from ..city.year import Year

        if not Year.load(data).has("payments"):
            return pd.Series(np.nan, index=ids.index)
        from ..monitor.checkpoints import year_end_recovery
        from ..monitor.data import covered, load

        payments, projects = load(data)
        projects, _ = covered(payments, projects)
        recovery = year_end_recovery(payments, projects)
    else:
        recovery = monitoring.recovery
    return ids.map(recovery.assign(project_id=recovery["project_id"].astype(str)).set_index("project_id")["recovered"])


DEPT_SHEET = "部门整体结果应用"  # the departments' and units' treatments (dept.DeptDecisions), where units.csv is given

__all__ = ["DEPT_SHEET", "DECISIONS", "DECISION_ORDER", "DecisionRules", "Decisions", "decide", "decisions_from_data"]
