"""Leaf scoring rules, vectorised over every indicator row of every project.

Each rule turns (points w, target t, actual a) arrays into a reference score, a band of
acceptable awarded scores [low, high] and whether the target was met. Rules are applied per
rule kind (and per parameter set) with numpy masks — never a Python loop per row. The rules
follow the production rules of a provincial budget-integration system (domain.md §1.4 [S7]):

* positive (≥): a ≥ t → w; else a/t × w (t ≤ 0: a ≥ t → w, else 0)
* reverse (≤), variant ``linear``: a ≤ t → w; t < a < 2t → (1 − (a − t)/t) × w; a ≥ 2t → 0;
  variant ``ratio``: t/a × w (generic-code variant, flagged in reports)
* equal (=): t = 0 → full marks if a ≤ 0, else 0; t > 0 → as positive
* qualitative: the actual's level (达成/基本/部分/未达成) picks a tier of the points
* binary: the actual's 是/否 equals the target's → w, else 0
* date: actual on or before the deadline → w; later → late_share × w
* step: share of points from descending threshold bands on the actual or the rate a/t × 100
* deduction: w − per_unit × deviation / unit_size, floored at 0 (扣完为止); deviation from the
  rule's ``limit`` when it has one, else from the row's target
* checklist: Σ points of the listed items the actual names
* expert: no reference; the panel's or assessor's score stands
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

QUANTITATIVE_KINDS = ("positive", "reverse", "equal", "step", "deduction")

# level of a qualitative actual -> (reference share, band low, band high) of the points
DEFAULT_QUALITATIVE_TIERS = {
    "full": (1.0, 0.8, 1.0),      # 达成年度指标: full marks; awards in [80 %, 100 %] accepted
    "basic": (0.8, 0.8, 1.0),     # 基本达成: inside the 达成 band, reference at its lower edge
    "partial": (0.6, 0.6, 0.8),   # 部分达成年度指标并具有一定效果: [60 %, 80 %)
    "none": (0.0, 0.0, 0.6),      # 未达成年度指标且效果较差: [0, 60 %)
}


@dataclass(frozen=True)
class RuleOutput:
    """Arrays aligned with the input rows."""

    reference: np.ndarray   # reference score (NaN where the rule gives none)
    low: np.ndarray         # lowest awarded score the rule accepts
    high: np.ndarray        # highest awarded score the rule accepts
    met: np.ndarray         # 1.0 met, 0.0 not met, NaN unknown

    def frame(self, index) -> pd.DataFrame:
        return pd.DataFrame({"reference_score": self.reference, "band_low": self.low,
                             "band_high": self.high, "met": self.met}, index=index)


def infer_kind(t_op, t_kind, t_level, t_base, implicit_op: str = ">=", implicit_op_zero: str = "=") -> np.ndarray:
    """Rule kind from the parsed target, for rows whose rule is ``auto`` (self-evaluation rows).

    ≥ → positive, ≤ → reverse, = → equal, no operator → ``implicit_op`` (a named convention;
    ``implicit_op_zero`` for a zero target such as "0起": a count that must stay at zero),
    date → date, 是/否 → binary, other text → qualitative, blank or unparsed → none.
    """
    op_codes, ops = pd.factorize(pd.Series(t_op, dtype=object), use_na_sentinel=True)
    kind_codes, kinds = pd.factorize(pd.Series(t_kind, dtype=object), use_na_sentinel=True)
    # decide once per (operator, kind) pair, then broadcast: cheap on millions of rows
    ops = np.append(np.asarray(ops, dtype=object), None)
    kinds = np.append(np.asarray(kinds, dtype=object), None)
    table = np.empty((len(ops), len(kinds)), dtype=object)
    by_op = {">=": "positive", "<=": "reverse", "=": "equal"}
    for i, o in enumerate(ops):
        for j, k in enumerate(kinds):
            if k == "quantitative":
                table[i, j] = by_op.get(o if o is not None else implicit_op, "none")
            elif k in ("date", "qualitative"):
                table[i, j] = k
            else:
                table[i, j] = "none"
    out = table[op_codes, kind_codes]  # code −1 (missing) picks the appended None entry
    if t_base is not None and implicit_op_zero != implicit_op:
        zero = (op_codes < 0) & (np.asarray(t_kind, dtype=object) == "quantitative") \
            & (np.asarray(t_base, dtype=float) == 0)
        out[zero] = by_op.get(implicit_op_zero, "none")
    return out


def _positive(w, t, a):
    met = a >= t
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        partial = np.where(t > 0, np.clip(a / t, 0.0, 1.0) * w, 0.0)
    return np.where(met, w, partial), met


def _reverse(w, t, a, variant="linear"):
    met = a <= t
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if variant == "ratio":
            partial = np.where(a > 0, np.clip(t / a, 0.0, 1.0) * w, 0.0)
        else:
            partial = np.where(t > 0, np.clip(1.0 - (a - t) / t, 0.0, 1.0) * w, 0.0)
    return np.where(met, w, partial), met


def _equal(w, t, a):
    zero = t == 0
    pos_score, pos_met = _positive(w, t, a)
    met = np.where(zero, a <= 0, pos_met)
    return np.where(zero, np.where(a <= 0, w, 0.0), pos_score), met


def _step(w, t, a, bands, on="actual"):
    thresholds = np.asarray([b[0] for b in bands], dtype=float)
    shares = np.asarray([b[1] for b in bands] + [0.0], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x = a if on == "actual" else np.where(t != 0, a / t * 100.0, np.nan)
    # thresholds descend; index of the first band whose threshold x reaches
    idx = (x[:, None] < thresholds[None, :]).sum(axis=1)
    first_reached = np.where(np.isnan(x), len(thresholds), idx)
    share = shares[np.minimum(first_reached, len(shares) - 1)]
    score = np.where(np.isnan(x), np.nan, share * w)
    return score, np.where(np.isnan(x), np.nan, share >= 1.0)


def _deduction(w, t, a, per_unit, unit_size=1.0, direction="over"):
    deviation = (a - t) if direction == "over" else (t - a)
    deviation = np.clip(deviation, 0.0, None)
    score = np.clip(w - per_unit * deviation / unit_size, 0.0, None)
    return np.minimum(score, w), deviation <= 0


def _checklist(w, actual_text, items):
    text = pd.Series(actual_text, dtype=object).fillna("").astype(str)
    score = np.zeros(len(text))
    for item in items:  # loop over checklist items, not rows
        score += text.str.contains(str(item["name"]), regex=False).to_numpy() * float(item["points"])
    score = np.minimum(score, w)
    return score, score >= w


def _date(w, t, a, late_share=0.0):
    met = a <= t
    return np.where(met, w, late_share * w), met


def params_key(params) -> str:
    """A hashable key for a rule's parameters (rows with equal keys are scored together)."""
    if params is None or (isinstance(params, float) and np.isnan(params)):
        return ""
    return json.dumps(dict(params), sort_keys=True, ensure_ascii=False, default=str)


def apply_rules(kind, w, t, a, a_level, actual_text=None, params=None,
                qualitative_tiers=None, reverse_variant: str = "linear", t_level=None) -> RuleOutput:
    """Reference score, accepted band and met-flag for every row, grouped by (kind, params).

    ``t`` and ``a`` are target/actual values in a common base unit (NaN where absent);
    ``a_level`` is the parsed level of a qualitative actual; ``params`` an optional per-row
    sequence of rule parameter dicts (from the indicator system).
    """
    kind = np.asarray(kind, dtype=object)
    n = len(kind)
    w = np.asarray(w, dtype=float)
    t = np.asarray(t, dtype=float)
    a = np.asarray(a, dtype=float)
    a_level = np.asarray(a_level, dtype=object) if a_level is not None else np.full(n, None, dtype=object)
    t_level = np.asarray(t_level, dtype=object) if t_level is not None else None
    tiers = qualitative_tiers or DEFAULT_QUALITATIVE_TIERS
    ref = np.full(n, np.nan)
    met = np.full(n, np.nan)
    low = np.full(n, np.nan)
    high = np.full(n, np.nan)

    if params is None:  # the common case (self-evaluation rows): group by kind alone
        codes, kinds = pd.factorize(pd.Series(kind, dtype=object))
        groups = {(k, ""): np.flatnonzero(codes == i) for i, k in enumerate(kinds)}
    else:
        keys = np.asarray([params_key(p) for p in params], dtype=object)
        groups = pd.DataFrame({"kind": kind, "key": keys}).groupby(["kind", "key"], sort=True).indices
    for (k, key), idx in groups.items():
        p = json.loads(key) if key else {}
        wi, ti, ai = w[idx], t[idx], a[idx]
        if k == "deduction" and p.get("limit") is not None:  # a fixed base replaces the row's target
            ti = np.full(len(idx), float(p["limit"]))
        have = ~np.isnan(ai) if (k == "step" and p.get("on", "actual") == "actual") else ~np.isnan(ti) & ~np.isnan(ai)
        if k in ("positive", "reverse", "equal", "step", "deduction", "date"):
            if k == "positive":
                s, m = _positive(wi, ti, ai)
            elif k == "reverse":
                s, m = _reverse(wi, ti, ai, p.get("variant", reverse_variant))
            elif k == "equal":
                s, m = _equal(wi, ti, ai)
            elif k == "step":
                s, m = _step(wi, ti, ai, p["bands"], p.get("on", "actual"))
            elif k == "deduction":
                s, m = _deduction(wi, ti, ai, float(p["per_unit"]), float(p.get("unit_size", 1.0)),
                                  p.get("direction", "over"))
            else:
                s, m = _date(wi, ti, ai, float(p.get("late_share", 0.0)))
            ref[idx] = np.where(have, s, np.nan)
            met[idx] = np.where(have, np.asarray(m, dtype=float), np.nan)
            low[idx], high[idx] = ref[idx], ref[idx]
        elif k == "binary":  # 是/否: full marks when the actual says what the target says
            want = t_level[idx] if t_level is not None else np.full(len(idx), "full", dtype=object)
            want = np.where(pd.isna(want), "full", want)
            known = np.isin(a_level[idx], ("full", "none"))
            hit = known & (a_level[idx] == want)
            ref[idx] = np.where(known, np.where(hit, w[idx], 0.0), np.nan)
            low[idx], high[idx] = ref[idx], ref[idx]
            met[idx] = np.where(known, hit.astype(float), np.nan)
        elif k == "qualitative":
            lv = a_level[idx]
            t_over = p.get("tiers")
            for level, (share, lo, hi) in tiers.items():
                if t_over and level in t_over:
                    lo, hi = t_over[level]
                    share = hi if level == "full" else lo
                sel = idx[lv == level]
                ref[sel] = share * w[sel]
                low[sel], high[sel] = lo * w[sel], hi * w[sel]
                met[sel] = 1.0 if level == "full" else (0.0 if level in ("partial", "none") else np.nan)
        elif k == "checklist":
            text = np.asarray(actual_text, dtype=object)[idx] if actual_text is not None else None
            s, m = _checklist(wi, text, p.get("items", []))
            ref[idx], low[idx], high[idx] = s, s, s
            met[idx] = m.astype(float)
        # 'expert', 'none' and unknown kinds: no reference score (NaN), judged by people
    return RuleOutput(ref, low, high, met)


def execution_rate(spent, budget) -> np.ndarray:
    """执行率 = 全年执行数 / 全年预算数 as a fraction; NaN where the budget is 0 or missing."""
    spent = np.asarray(spent, dtype=float)
    budget = np.asarray(budget, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(budget > 0, spent / budget, np.nan)


def execution_score(points, rate) -> np.ndarray:
    """得分 = 分值 × min(执行率, 1) (real-tables.md: always capped at 分值)."""
    return np.asarray(points, dtype=float) * np.clip(np.asarray(rate, dtype=float), 0.0, 1.0)
