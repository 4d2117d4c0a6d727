"""Budget decisions from performance evidence (预算与绩效挂钩).

Built: :func:`prioritise` — priority ranking of next year's candidates under a cap (择优排序: gates,
ordering, funding line, a reason per project) — and :func:`candidates_from_data`, which assembles
the candidates from a data folder (ex-ante conclusions, target-review grades, last year's grades).
:func:`apply_results` (``budget/apply.py``) — the consequences of this year's grades for next year's
budget (评价结果应用: 优先保障 / 保持 / 压减 / 取消或暂停, the hard rules → 不予安排, rectification
deadlines) — and :func:`results_from_data`, which gives it a data folder's results.

    from perfeval import budget
    evidence = budget.candidates_from_data("data/sample")
    result = budget.prioritise(evidence.candidates, cap=evidence.cap)
    result.ranked_table(); result.table["reason"]
    applied = budget.apply_results(budget.results_from_data("data/sample"), budget.ApplyRules(cut_share=-0.2))
    applied.summary(); applied.table[["project_name", "action", "suggested", "reason"]]

Imported on first use, so the CLI's parser stays light.
"""
from .._lazy import lazy_attributes

_LAZY = {"prioritise": "priority", "Priority": "priority", "PriorityRules": "priority", "GATES": "priority",
         "ORDER_KEYS": "priority", "STATUS": "priority",
         "candidates_from_data": "candidates", "Evidence": "candidates", "last_year_results": "candidates",
         "review_next_year": "candidates",
         "apply_results": "apply", "results_from_data": "apply", "ApplyRules": "apply", "ResultsApplied": "apply",
         "ACTIONS": "apply", "HARD_RULES": "apply"}

__all__ = list(_LAZY)
__getattr__ = lazy_attributes(__name__, _LAZY)
