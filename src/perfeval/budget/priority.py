"""Priority ranking under a budget cap (择优排序): gates, ordering, funding in order, reasons in Chinese.

The seed report: "根据项目评审和预算绩效目标审核结果，按照轻重缓急，对备选项目进行合理排序，择优编制项目支出规划"
and "对未制定项目绩效目标或目标制定不完整，及上年度未开展绩效自评的项目一律不予安排预算". `prioritise` takes
one row per candidate (new projects with their ex-ante conclusion, continuing ones with last year's
grade, both with their target-review grade) and a cap, and:

1. applies the hard gates of :class:`PriorityRules` (each named, with its source) — a gated project
   is never funded;
2. orders the others lexicographically by the rules' keys (default: tier — 予以支持 or last year 优
   first, then 部分支持 or 良, then 中 —, the target-review grade, the score), ties by project code;
3. funds them in that order within the cap: whole amounts up to the first that does not fit (the
   funding line), or, as settings, the project at the line partly (if the rest is at least
   ``min_share`` of its amount) or smaller projects further down (``skip``);
4. says for every project why it is where it is, and what put it above or below the line (the first
   ordering key on which it differs from the project across the line).

The amount of a new project is the ex-ante suggestion (requested less the items found
uneconomic) by default. Every comparison with the cap goes through :mod:`perfeval.compare`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import compare
from ..errors import InputError, Location
from ..exante.rules import short_label

GATES = {  # code: (Chinese title, source)
    "EXANTE_REJECTED": ("事前绩效评估结论为不予支持", "事前绩效评估办法：评估结论为不予支持的项目不安排预算"),
    "NO_EXANTE": ("新增项目未开展事前绩效评估", "事前绩效评估办法：未开展事前评估的新增重大项目不安排预算"),
    "NO_TARGETS": ("未编报绩效目标", "“对未制定项目绩效目标或目标制定不完整……的项目一律不予安排预算”"),
    "TARGETS_POOR": ("绩效目标审核结论为“差”", "财预〔2015〕88号：审核结果为“差”的不得进入预算编审流程"),
    "NO_SELF_EVALUATION": ("延续项目上年度未开展绩效自评", "“上年度未开展绩效自评的项目一律不予安排预算”"),
    "LAST_GRADE_POOR": ("延续项目上年度绩效评价结果为“差”", "评价结果不合格的，不予考虑下一年度预算需求"),
}
ORDER_KEYS = {  # key: (Chinese label, higher is better?)
    "tier": "优先档次", "target_grade": "绩效目标审核结论", "score": "评估或评价得分", "kind": "延续项目优先",
    "amount": "金额较小者优先",
}
KINDS = {"新增": "new", "new": "new", "延续": "continuing", "continuing": "continuing"}
GRADE_RANK = {"优": 1, "良": 2, "中": 3, "差": 4}
STATUS = {"full": "全额安排", "partial": "部分安排", "below": "未安排（资金线以下）", "gated": "不予安排",
          "stop": "取消或暂停", "revise": "退回修改"}  # the last two only in the ranking view of perfeval.budget.decide
CANDIDATE_COLUMNS = ("project_id", "project_name", "kind", "requested")
# accepted spellings (matched without whitespace, brackets half- or full-width, any case)
OUTCOME_WORDS = {"support": "support", "partial": "partial", "reject": "reject",
                 "予以支持": "support", "支持": "support", "建议立项": "support",
                 "部分支持（调整完善后支持）": "partial", "部分支持": "partial", "调整完善后支持": "partial",
                 "不予支持": "reject", "不予立项": "reject"}
YES_NO = {"是": True, "否": False, "true": True, "false": False, "1": True, "0": False, "1.0": True, "0.0": False}
YES_NO_TEXT = "是 / 否（或 True / False、1 / 0）"
COLUMN_LABELS = {"exante_outcome": "事前评估结论", "target_grade": "绩效目标审核结论", "last_grade": "上年评价结果",
                 "self_evaluated": "上年是否开展自评", "declared": "是否编报绩效目标"}


@dataclass(frozen=True)
class PriorityRules:
    """Gates, ordering and funding of the ranking (every field printed with the result)."""

    gates: tuple = ("EXANTE_REJECTED", "NO_EXANTE", "NO_TARGETS", "TARGETS_POOR", "NO_SELF_EVALUATION",
                    "LAST_GRADE_POOR")
    order: tuple = ("tier", "target_grade", "score")
    tiers: dict = field(default_factory=lambda: {"new": {"support": 1, "partial": 2},
                                                 "continuing": {"优": 1, "良": 2, "中": 3}})
    amount: str = "suggested"
    funding: str = "whole"
    skip: bool = False
    min_share: float = 0.5

    def __post_init__(self):
        problems = [f"未知的否决规则 {g}" for g in self.gates if g not in GATES]
        problems += [f"未知的排序依据 {k}" for k in self.order if k not in ORDER_KEYS]
        if self.amount not in ("suggested", "requested"):
            problems.append(f"amount 须为 suggested 或 requested：{self.amount}")
        if self.funding not in ("whole", "partial"):
            problems.append(f"funding 须为 whole 或 partial：{self.funding}")
        if not 0 < self.min_share <= 1:
            problems.append(f"min_share 须在 0 到 1 之间：{self.min_share}")
        if problems:
            raise InputError("择优排序规则有误 (invalid priority rules)", expected="见 perfeval.budget.PriorityRules",
                             found="；".join(problems))

    def tier_text(self) -> str:
        labels = {"support": "事前评估予以支持", "partial": "事前评估部分支持"}
        by_tier: dict[int, list[str]] = {}
        for outcome, t in self.tiers["new"].items():
            by_tier.setdefault(t, []).append(f"{labels.get(outcome, outcome)}的新增项目")
        for grade, t in self.tiers["continuing"].items():
            by_tier.setdefault(t, []).append(f"上年评价为“{grade}”的延续项目")
        return "；".join(f"第{_CN[t]}档：{'、'.join(v)}" for t, v in sorted(by_tier.items()))

    def describe(self) -> dict:
        """The rules in Chinese, one line each."""
        funding = ("全额安排：按排序依次全额安排，直到剩余额度不足以全额安排下一个项目（资金控制线）"
                   + ("；其后金额较小、剩余额度足以安排的项目继续安排" if self.skip else "；其后的项目不再安排")
                   if self.funding == "whole" else
                   f"部分安排：按排序依次全额安排，资金控制线上的项目以剩余额度部分安排（剩余额度不低于其金额的 {self.min_share:.0%} 时）")
        return {
            "否决规则": "；".join(f"{GATES[g][0]}（{GATES[g][1]}）" for g in self.gates) or "不设",
            "排序依据": "依次按" + "、".join(ORDER_KEYS[k] for k in self.order) + "，最后按项目编码",
            "优先档次": self.tier_text(),
            "绩效目标审核结论": "优先于良，良优先于中",
            "得分": "新增项目为事前评估总分，延续项目为上年度绩效评价得分（重点评价优先于单位自评）",
            "核定金额": ("新增项目按事前评估建议安排金额（申请金额减去核减项目），延续项目按申请金额"
                     if self.amount == "suggested" else "按申请金额")
            + "；“全额安排”指按核定金额全额安排，排序和资金控制线均按核定金额计算",
            "资金安排": funding,
            "比较精度": compare.DESCRIPTION,
        }


_CN = "〇一二三四五六七八九十"


@dataclass(frozen=True, kw_only=True)
class Priority:
    """The ranking: ``table`` (one row per candidate, ranked first, gated last), the cap and what was used."""

    table: pd.DataFrame
    cap: float
    used: float
    rules: PriorityRules
    conventions: dict

    @property
    def remaining(self) -> float:
        return self.cap - self.used

    @property
    def funded(self) -> pd.DataFrame:
        return self.table[self.table["status"].isin([STATUS["full"], STATUS["partial"]])]

    def ranked_table(self) -> pd.DataFrame:
        """Chinese headers, money in 万元 with two decimals (the report's and the workbook's table).

        核定金额 is the amount ranked and funded (a new project's ex-ante suggestion), so a project
        asked at 6 850 万元 and funded 6 485 万元 "全额安排" is funded in full of what was approved.
        """
        t = self.table

        def wan(v):
            return v.map(lambda x: "" if pd.isna(x) else f"{x / 1e4:,.2f}")

        table = pd.DataFrame({
            "排序": t["rank"].map(lambda r: "" if pd.isna(r) else str(int(r))), "项目编码": t["project_id"],
            "项目名称": t["project_name"], "类型": t["kind_label"], "事前评估": t["exante_text"],
            "目标审核": t["target_grade"].fillna("未申报"), "上年评价": t["last_text"],
            "申请金额（万元）": wan(t["requested"]), "核定金额（万元）": wan(t["amount"]),
            "安排金额（万元）": wan(t["funded"]),
            "累计安排（万元）": wan(t["cumulative"]), "结果": t["status"]})
        if "decision" in t:  # the view of perfeval.budget.decide: the project's one decision
            table["处理"] = t["decision"]
        return table

    def to_xlsx(self, path, date: str | None = None):
        from ..export import write_sheets

        reasons = self.table[["project_id", "project_name", "status", "reason"]].rename(
            columns={"project_id": "项目编码", "project_name": "项目名称", "status": "结果", "reason": "说明"})
        rules = pd.DataFrame({"规则": list(self.conventions), "设置": list(self.conventions.values())})
        return write_sheets(path, {"排序结果": self.ranked_table(), "逐项说明": reasons, "排序规则": rules},
                            title="下一年度项目排序", date=date)

    def summary(self) -> str:
        n_full = int((self.table["status"] == STATUS["full"]).sum())
        n_part = int((self.table["status"] == STATUS["partial"]).sum())
        n_below = int((self.table["status"] == STATUS["below"]).sum())
        n_gate = int((self.table["status"] == STATUS["gated"]).sum())
        others = "".join(f"，{STATUS[k]} {n} 个" for k in ("stop", "revise")
                         for n in [int((self.table["status"] == STATUS[k]).sum())] if n)
        return (f"控制数 {self.cap / 1e4:,.2f} 万元：全额安排 {n_full} 个、部分安排 {n_part} 个，共 {self.used / 1e4:,.2f} 万元，"
                f"剩余 {self.remaining / 1e4:,.2f} 万元；资金线以下 {n_below} 个，不予安排 {n_gate} 个{others}。")

    def _repr_html_(self) -> str:
        from ..display import table_html

        return f"<b>择优排序</b>（{self.summary()}）" + table_html(self.ranked_table())


# --------------------------------------------------------------------------------------------
# the ranking
# --------------------------------------------------------------------------------------------

def _clean(candidates: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(candidates, pd.DataFrame):
        raise InputError("候选项目须为 DataFrame (candidates must be a DataFrame)", found=type(candidates).__name__)
    missing = [c for c in CANDIDATE_COLUMNS if c not in candidates]
    if missing:
        raise InputError("候选项目表缺少列 (missing columns)", expected=", ".join(CANDIDATE_COLUMNS),
                         found=f"缺少 {', '.join(missing)}")
    c = candidates.reset_index(drop=True).copy()
    c["project_id"] = c["project_id"].astype(str).str.strip()
    dup = c["project_id"].duplicated()
    if dup.any():
        raise InputError("候选项目编码重复 (duplicate project_id)", found=c.loc[dup, "project_id"].iloc[0])
    kind = c["kind"].astype(str).str.strip().map(KINDS)
    if kind.isna().any():
        i = int(np.flatnonzero(kind.isna().to_numpy())[0])
        raise InputError("项目类型须为 新增 或 延续 (kind)", expected="新增 / 延续", found=c.at[i, "kind"])
    c["kind"] = kind
    requested = pd.to_numeric(c["requested"], errors="coerce")
    bad = requested.isna() | compare.lt(requested.fillna(-1), 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError("申请金额须为非负数 (requested must be a non-negative number)",
                         found=f"{c.at[i, 'project_id']}：{c.at[i, 'requested']!r}")
    c["requested"] = requested.astype(float)
    defaults = {"project_name": None, "department": None, "exante_outcome": None, "exante_conclusion": None,
                "exante_score": np.nan, "suggested": np.nan, "target_grade": None, "last_grade": None,
                "last_score": np.nan, "last_source": None, "self_evaluated": np.nan}
    for column, value in defaults.items():
        if column not in c:
            c[column] = value
    c["exante_outcome"] = _vocabulary(c, "exante_outcome", OUTCOME_WORDS, "support / partial / reject 或 "
                                      "予以支持 / 部分支持 / 不予支持 / 建议立项 / 不予立项")
    for column in ("target_grade", "last_grade"):
        c[column] = _vocabulary(c, column, {g: g for g in GRADE_RANK}, "优 / 良 / 中 / 差")
    c["self_evaluated"] = _vocabulary(c, "self_evaluated", YES_NO, YES_NO_TEXT)
    if "declared" in c:
        declared = _vocabulary(c, "declared", YES_NO, YES_NO_TEXT)
        _first_bad(c, declared.isna(), "declared", YES_NO_TEXT)  # blank: unknown, not silently declared
        c["declared"] = declared.astype(bool)
    else:
        c["declared"] = c["target_grade"].notna()
    for column in ("exante_score", "suggested", "last_score"):
        c[column] = pd.to_numeric(c[column], errors="coerce").astype(float)
    return c


def _norm(values: pd.Series) -> pd.Series:
    """Text spelling normalised for matching: no whitespace, half-width brackets, lower case (blank → NaN)."""
    text = values.astype(object).where(values.notna(), None).map(lambda v: v if v is None else str(v))
    text = text.str.replace(r"\s+", "", regex=True).str.replace("（", "(").str.replace("）", ")").str.lower()
    return text.where(text.notna() & (text != ""), None)


def _first_bad(c: pd.DataFrame, bad: pd.Series, column: str, expected: str) -> None:
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy(dtype=bool))[0])
        raise InputError(f"候选项目表中项目“{c.at[i, 'project_id']}”的{COLUMN_LABELS[column]}无法识别 (unknown value)",
                         where=Location(row=i + 1, column=column), expected=expected,
                         found=_value(c, i, column))


def _value(c: pd.DataFrame, i: int, column: str):
    v = c.at[i, column]
    return "（空）" if v is None or (isinstance(v, float) and np.isnan(v)) else v


def _vocabulary(c: pd.DataFrame, column: str, words: dict, expected: str) -> pd.Series:
    """``c[column]`` mapped to its codes through ``words`` (keys normalised); blank stays NaN, anything
    else is an InputError naming the row, the column and the accepted values."""
    text = _norm(c[column])
    table = {k2: v for k, v in words.items() for k2 in [_norm(pd.Series([k])).iat[0]]}
    codes = text.map(table)
    _first_bad(c, text.notna() & codes.isna(), column, expected)
    return codes.astype(object).where(codes.notna(), None)


def _gate_masks(c: pd.DataFrame) -> dict[str, np.ndarray]:
    """{gate code: boolean array} for every gate of :data:`GATES` over a cleaned candidates frame
    (unknown values never gate)."""
    new, cont = c["kind"] == "new", c["kind"] == "continuing"
    masks = {
        "EXANTE_REJECTED": c["exante_outcome"] == "reject",
        "NO_EXANTE": new & c["exante_outcome"].isna(),
        "NO_TARGETS": ~c["declared"],
        "TARGETS_POOR": c["target_grade"] == "差",
        "NO_SELF_EVALUATION": cont & (c["self_evaluated"] == False),  # noqa: E712 (NaN = unknown: not gated)
        "LAST_GRADE_POOR": cont & (c["last_grade"] == "差"),
    }
    return {code: m.fillna(False).to_numpy(dtype=bool) for code, m in masks.items()}


def _gates(c: pd.DataFrame, rules: PriorityRules) -> pd.Series:
    masks = _gate_masks(c)
    text = pd.Series("", index=c.index, dtype=object)
    for code in rules.gates:  # half a dozen named gates
        hit = masks[code]
        text = text.where(~hit, text + np.where(text != "", "；", "") + GATES[code][0])
    return text


def _keys(c: pd.DataFrame, rules: PriorityRules) -> dict[str, np.ndarray]:
    tier_new = c["exante_outcome"].map(rules.tiers["new"])
    tier_cont = c["last_grade"].map(rules.tiers["continuing"])
    tier = np.where(c["kind"] == "new", tier_new, tier_cont).astype(float)
    score = np.where(c["kind"] == "new", c["exante_score"], c["last_score"]).astype(float)
    return {"tier": np.nan_to_num(tier, nan=99.0),
            "target_grade": np.nan_to_num(c["target_grade"].map(GRADE_RANK).to_numpy(dtype=float), nan=99.0),
            "score": -np.nan_to_num(compare.snap(score), nan=-1e9),
            "kind": (c["kind"] == "new").to_numpy(dtype=float), "amount": compare.snap(c["amount"].to_numpy())}


def prioritise(candidates: pd.DataFrame, cap: float, rules: PriorityRules | None = None) -> Priority:
    """Rank ``candidates`` and fund them in order within ``cap`` (元); see the module docstring.

    Columns: ``project_id, project_name, kind`` (新增/延续), ``requested`` (元); as available
    ``exante_outcome`` (support/partial/reject), ``exante_conclusion``, ``exante_score``, ``suggested``
    (元), ``target_grade`` (优/良/中/差; missing = no declaration), ``declared``, ``last_grade``,
    ``last_score``, ``last_source``, ``self_evaluated`` (bool), ``department``.
    Labels are read whatever their spelling (blanks, bracket width, case; the Chinese conclusions
    予以支持/部分支持/不予支持/建议立项/不予立项; 是/否/True/False/1/0); any other value is an
    InputError, so a project that must be gated is never funded because of how its label was typed.
    """
    rules = rules or PriorityRules()
    cap = float(cap)
    if not np.isfinite(cap) or cap < 0:
        raise InputError("资金控制数须为非负数 (cap must be a non-negative amount)", found=cap)
    c = _clean(candidates)
    c["amount"] = _approved(c, rules)
    c["gates"] = _gates(c, rules)
    return _rank(c, cap, rules)


def _approved(c: pd.DataFrame, rules: PriorityRules) -> np.ndarray:
    """核定金额 before any other rule: a new project's ex-ante suggestion (``amount="suggested"``), else the request."""
    use_suggested = (rules.amount == "suggested") & (c["kind"] == "new") & c["suggested"].notna()
    return np.where(use_suggested, c["suggested"], c["requested"]).astype(float)


def _rank(c: pd.DataFrame, cap: float, rules: PriorityRules, conventions: dict | None = None) -> Priority:
    """The ranking of a cleaned frame that already holds ``amount`` (核定金额) and ``gates`` (the text of
    whatever keeps a project out of the ranking; "" for the ranked ones)."""
    c = c.copy()
    gated = (c["gates"] != "").to_numpy()
    keys = _keys(c, rules)
    columns = [keys[k] for k in rules.order]
    pid_order = pd.Index(c["project_id"]).argsort()
    pid_rank = np.empty(len(c)); pid_rank[pid_order] = np.arange(len(c))  # noqa: E702
    order = np.lexsort([pid_rank] + columns[::-1] + [gated])
    rank = np.full(len(c), np.nan)
    eligible_order = order[~gated[order]]
    rank[eligible_order] = np.arange(1, len(eligible_order) + 1)
    funded, status, line = _fund(c["amount"].to_numpy(dtype=float), eligible_order, cap, rules)
    status[gated] = STATUS["gated"]
    c["rank"], c["funded"], c["status"] = rank, funded, status
    cumulative = np.full(len(c), np.nan)
    cumulative[eligible_order] = np.cumsum(funded[eligible_order])
    c["cumulative"] = cumulative
    c = _labels(c, rules)
    c["reason"] = _reasons(c, keys, eligible_order, line, cap, rules)
    table = c.iloc[order].reset_index(drop=True)
    used = float(np.nansum(funded))
    if conventions is None:
        conventions = {**rules.describe(), "资金控制数": f"{cap / 1e4:,.2f} 万元"}
    return Priority(table=table, cap=cap, used=used, rules=rules, conventions=conventions)


def _fund(amount: np.ndarray, order: np.ndarray, cap: float, rules: PriorityRules):
    """Funded amount and status per candidate, and the rank position of the funding line (index into
    ``order`` of the first project not funded in full; len(order) when all fit)."""
    funded = np.zeros(len(amount))
    status = np.full(len(amount), STATUS["below"], dtype=object)
    cum = np.cumsum(amount[order])
    fits = compare.le(cum, cap)
    line = int(np.argmin(fits)) if not fits.all() else len(order)
    head = order[:line]
    funded[head], status[head] = amount[head], STATUS["full"]
    left = cap - float(amount[head].sum())
    if line < len(order) and rules.funding == "partial":
        at = order[line]
        if compare.ge(left, rules.min_share * amount[at]) and left > 0:
            funded[at], status[at] = left, STATUS["partial"]
            left = 0.0
    if rules.funding == "whole" and rules.skip:
        for i in order[line + 1:]:  # sequential by nature: each decision depends on the money left
            if compare.le(amount[i], left):
                funded[i], status[i] = amount[i], STATUS["full"]
                left -= amount[i]
    return funded, status, line


def _labels(c: pd.DataFrame, rules: PriorityRules) -> pd.DataFrame:
    new = c["kind"] == "new"
    c["kind_label"] = np.where(new, "新增", "延续")
    score = np.where(new, c["exante_score"], c["last_score"])
    c["score"] = score
    ex = c["exante_conclusion"].astype(object).fillna("").astype(str).map(short_label)
    c["exante_text"] = np.where(new, np.where(ex != "", ex + "（" + pd.Series(c["exante_score"]).map(
        lambda v: "" if pd.isna(v) else f"{v:.2f}").to_numpy(dtype=object) + " 分）", "未评估"), "—")
    last = c["last_grade"].astype(object).fillna("").astype(str)
    src = c["last_source"].astype(object).fillna("").astype(str)
    c["last_text"] = np.where(new, "—", np.where(last != "", last + np.where(src != "", "（" + src + "）", ""), "无"))
    tier = np.where(new, c["exante_outcome"].map(rules.tiers["new"]), c["last_grade"].map(rules.tiers["continuing"]))
    c["tier"] = pd.to_numeric(pd.Series(tier), errors="coerce").to_numpy()
    why = np.where(new, "事前评估" + ex, "上年" + src + "为“" + last + "”")
    c["tier_text"] = np.where(pd.isna(c["tier"]), "未分档", "第" + pd.Series(c["tier"]).map(
        lambda t: "" if pd.isna(t) else _CN[int(t)]).to_numpy(dtype=object) + "档（" + why + "）")
    return c


def _wan(x) -> str:
    return f"{x / 1e4:,.2f} 万元"


def _reasons(c: pd.DataFrame, keys: dict, order: np.ndarray, line: int, cap: float,
             rules: PriorityRules) -> np.ndarray:
    """One explanation per candidate: gates, or rank and place against the funding line."""
    n = len(c)
    reason = np.full(n, "", dtype=object)
    gated = (c["gates"] != "").to_numpy()
    reason[gated] = ("不予安排：" + c.loc[gated, "gates"] + "。按规则，不论得分高低，此类项目均不安排预算。").to_numpy()
    if not len(order):
        return reason
    name = c["project_name"].fillna(c["project_id"]).astype(str).to_numpy()
    tg = c["target_grade"].fillna("未申报").astype(str).to_numpy()
    score = c["score"].to_numpy(dtype=float)
    head = np.array([f"排第 {int(r)} 位，属{t}，绩效目标审核“{g}”" + ("" if np.isnan(s) else f"，得分 {s:.2f} 分")
                     for r, t, g, s in zip(c["rank"].fillna(0), c["tier_text"], tg, score)], dtype=object)
    # what separates a project from the one across the line: the first ordering key on which they differ
    k = np.column_stack([keys[key] for key in rules.order]) if rules.order else np.zeros((n, 0))
    status = c["status"].to_numpy()
    cut = line + int(line < len(order) and status[order[line]] == STATUS["partial"])  # the partial one is above
    last_in = order[cut - 1] if cut > 0 else None
    first_out = order[cut] if cut < len(order) else None
    position = np.empty(n, dtype=int)
    position[order] = np.arange(len(order))
    above = np.zeros(n, dtype=bool)
    above[order[:cut]] = True
    ref = np.where(above, -1 if first_out is None else first_out, -1 if last_in is None else last_in)
    diff = (k != k[np.maximum(ref, 0)]) if len(rules.order) else np.zeros((n, 0), dtype=bool)
    first_key = np.where(diff.any(axis=1), diff.argmax(axis=1), -1) if diff.shape[1] else np.full(n, -1)
    moved = np.empty(n, dtype=object)
    for i in order:  # a sentence per ranked candidate (tens of projects), built from the arrays above
        r = ref[i]
        if r < 0:
            moved[i] = ""
            continue
        word = "高" if above[i] else "低"
        other = f"“{name[r]}”"
        if first_key[i] < 0:
            moved[i] = f"与{other}各项排序依据相同，按项目编码排在其{'前' if above[i] else '后'}"
            continue
        key = rules.order[first_key[i]]
        moved[i] = {"tier": f"优先档次较{word}（对方为{c['tier_text'].iat[r]}）",
                    "target_grade": f"档次与{other}相同，但绩效目标审核结论较{word}（对方为“{tg[r]}”）",
                    "score": f"档次和目标审核结论与{other}相同，但得分较{word}（对方 {score[r]:.2f} 分）",
                    "kind": f"{'延续项目优先于新增项目' if above[i] else '新增项目排在延续项目之后'}（对方为{other}）",
                    "amount": f"金额较{'小' if above[i] else '大'}（对方 {_wan(c['amount'].iat[r])}）"}[key]
        if key == "tier":
            moved[i] = f"与{other}相比，" + moved[i]
    funded = c["funded"].to_numpy(dtype=float)
    amount = c["amount"].to_numpy(dtype=float)
    cum_before = np.cumsum(np.r_[0.0, funded[order]])[:-1]
    before = np.empty(n)
    before[order] = cum_before
    for i in order:  # tens of ranked projects
        text = head[i]
        if status[i] == STATUS["full"] and position[i] < line:
            text += f"；位于资金控制线以上，全额安排 {_wan(funded[i])}"
            text += f"，排在线上是因为：{moved[i]}" if moved[i] else ""  # one sentence with the amount
        elif status[i] == STATUS["full"]:
            text += f"；虽在资金控制线以下，但剩余额度 {_wan(cap - before[i])} 足以全额安排 {_wan(funded[i])}"
        elif status[i] == STATUS["partial"]:
            text += (f"；位于资金控制线上，剩余额度 {_wan(funded[i])}不足以全额安排 {_wan(amount[i])}，按部分安排规则安排"
                     f" {_wan(funded[i])}（{funded[i] / amount[i]:.0%}）")
            text += f"，排在线上是因为：{moved[i]}" if moved[i] else ""  # one sentence with the amount
        elif compare.le(amount[i], cap - before[i]):
            text += (f"；位于资金控制线以下，未安排：剩余 {_wan(cap - before[i])} 虽足以安排本项目 {_wan(amount[i])}，"
                     "但按规则资金控制线以下的项目不再安排")
        else:
            text += (f"；位于资金控制线以下，未安排：前面已安排 {_wan(before[i])}，剩余 {_wan(max(cap - before[i], 0.0))}，"
                     f"不足以安排本项目 {_wan(amount[i])}")
            text += f"，排在线下是因为：{moved[i]}" if moved[i] else ""
        reason[i] = text + "。"
    return reason


__all__ = ["GATES", "ORDER_KEYS", "STATUS", "Priority", "PriorityRules", "prioritise"]
