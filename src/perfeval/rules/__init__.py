"""Leaf scoring rules, vectorised over every indicator row of every project.

One registry (:data:`RULE_KINDS`, in :mod:`.registry`) carries every rule kind — its Chinese
label and description, its parameters with defaults and constraints, and its scoring function
(:mod:`.kinds`). :func:`apply_rules` scores any number of rows through it, grouped by kind and
parameters; :func:`infer_kind` picks the kind of an ``auto`` row from its target. The kinds:

* positive (≥): a ≥ t → w; else a/t × w (t ≤ 0: 0)
* reverse (≤), variant ``linear``: a ≤ t → w; t < a < 2t → (1 − (a − t)/t) × w; a ≥ 2t → 0;
  variant ``ratio``: t/a × w (generic-code variant, flagged in reports)
* equal (=): t = 0 → full marks if a ≤ 0, else 0; t > 0 → as positive
* qualitative: the actual's level (达成/基本/部分/未达成) picks a tier of the points
  (:data:`QUALITATIVE_TIERS`, the one tier table)
* binary: the actual's 是/否 equals the target's → w, else 0
* date: actual on or before the deadline → w; later → late_share × w
* step: share of points from descending threshold bands on the actual or the rate a/t × 100
* deduction: w − per_unit × deviation / unit_size, floored at 0 (扣完为止); deviation from the
  rule's ``limit`` when it has one, else from the row's target; ``whole_units`` counts full units only
  ("每低于5%扣2分"), ``zero_above`` gives 0 beyond a deviation
* department-overall kinds (:mod:`.kinds_dept`, dept-overall.md §3): step_reverse (lower-is-better bands,
  upper bounds inclusive), per_event (w − per_event × count), linear_penalty ((1 − factor × a/scale) × w,
  0 above a cap), share_met (w × share of the department's project indicators met), coefficient (w × 得分系数)
* checklist: Σ points of the listed items the actual names
* execution: 分值 × min(执行率, 1), per project (:func:`execution_score`)
* expert: no reference; the panel's or assessor's score stands

Sources: domain.md §1.4 — the production rules of a provincial budget-integration system [S7].
"""
from .apply import RuleOutput, apply_rules, execution_rate, execution_score, infer_kind, params_key
from .kinds import QUALITATIVE_TIERS, RuleInput, Tier, tiers_from_bands
from .params import PARAM_TYPES, ParamSpec
from .registry import AUTO_INFERENCE, DEFAULT_TIERS, RULE_KINDS, SCORED_BY, RuleKindSpec, check_rule, split_rule

__all__ = ["AUTO_INFERENCE", "DEFAULT_TIERS", "PARAM_TYPES", "ParamSpec", "QUALITATIVE_TIERS", "RULE_KINDS",
           "RuleInput", "RuleKindSpec", "RuleOutput", "SCORED_BY", "Tier", "apply_rules", "check_rule",
           "execution_rate", "execution_score", "infer_kind", "params_key", "split_rule", "tiers_from_bands"]
