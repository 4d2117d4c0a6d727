"""Applying the rules: which kind a row gets, and every row's reference score in one pass.

``infer_kind`` decides the kind of an ``auto`` row from its parsed target; ``apply_rules`` groups
the rows by (kind, parameters) and calls each group's scoring function from the registry — numpy
over the group, never a Python loop per row. ``execution_rate`` and ``execution_score`` give the
budget-execution part of a self-evaluation (scored per project, not per row).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import kinds as K
from .registry import RULE_KINDS

YES_NO = ("是", "否")


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


def infer_kind(t_op, t_kind, t_level, t_base, implicit_op: str = ">=", implicit_op_zero: str = "=",
               t_text=None) -> np.ndarray:
    """Rule kind from the parsed target, for rows whose rule is ``auto`` (self-evaluation rows).

    ≥ → positive, ≤ → reverse, = → equal, no operator → ``implicit_op`` (a named convention;
    ``implicit_op_zero`` for a zero target such as "0起": a count that must stay at zero),
    date → date, a target that is just 是 or 否 (``t_text``) → binary, other text →
    qualitative, blank or unparsed → none. (Scoring then leaves a quantitative row unscored —
    kind none — when its target and actual carry different units: see ``UNIT_MISMATCH``.)
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
    if t_text is not None:
        yes_no = pd.Series(t_text, dtype=object).astype(str).str.strip().isin(YES_NO).to_numpy()
        out[yes_no & (out == "qualitative")] = "binary"
    return out


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
    sequence of rule parameter dicts (from the indicator system). ``qualitative_tiers``
    ({level: [low, high]}) and ``reverse_variant`` are the scheme's defaults for the rule
    parameters ``tiers`` and ``variant``; a row's own parameters win. Kinds without a scoring
    function (expert, none, unknown) get no reference score: people judge them.
    """
    kind = np.asarray(kind, dtype=object)
    n = len(kind)
    rows = K.RuleInput(
        w=np.asarray(w, dtype=float), t=np.asarray(t, dtype=float), a=np.asarray(a, dtype=float),
        a_level=np.asarray(a_level, dtype=object) if a_level is not None else np.full(n, None, dtype=object),
        t_level=np.asarray(t_level, dtype=object) if t_level is not None else np.full(n, None, dtype=object),
        actual_text=np.asarray(actual_text, dtype=object) if actual_text is not None
        else np.full(n, None, dtype=object))
    scheme_defaults = {"qualitative": {"tiers": qualitative_tiers} if qualitative_tiers else {},
                       "reverse": {"variant": reverse_variant}}
    out = [np.full(n, np.nan) for _ in range(4)]  # reference, low, high, met

    if params is None:  # the common case (self-evaluation rows): group by kind alone
        codes, kinds = pd.factorize(pd.Series(kind, dtype=object))
        groups = {(k, ""): np.flatnonzero(codes == i) for i, k in enumerate(kinds)}
    else:
        keys = np.asarray([params_key(p) for p in params], dtype=object)
        groups = pd.DataFrame({"kind": kind, "key": keys}).groupby(["kind", "key"], sort=True).indices
    for (k, key), idx in groups.items():  # one call per (kind, parameters) group
        spec = RULE_KINDS.get(k)
        if spec is None or spec.score is None:
            continue
        p = {**spec.defaults(), **scheme_defaults.get(k, {}), **(json.loads(key) if key else {})}
        sub = K.RuleInput(*(getattr(rows, f)[idx] for f in ("w", "t", "a", "a_level", "t_level", "actual_text")))
        for target, values in zip(out, spec.score(sub, p)):
            target[idx] = values
    return RuleOutput(*out)


def execution_rate(spent, budget) -> np.ndarray:
    """执行率 = 全年执行数 / 全年预算数 as a fraction; NaN where the budget is 0 or missing."""
    spent = np.asarray(spent, dtype=float)
    budget = np.asarray(budget, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(budget > 0, spent / budget, np.nan)


execution_score = K.execution
