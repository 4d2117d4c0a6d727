"""Budget decisions from performance evidence (预算与绩效挂钩).

Built: :func:`prioritise` — priority ranking of next year's candidates under a cap (择优排序: gates,
ordering, funding line, a reason per project) — and :func:`candidates_from_data`, which assembles
the candidates from a data folder (ex-ante conclusions, target-review grades, last year's grades).
Next (issue 11): ``apply_results`` — the consequences of evaluation grades for next year's budget
(评价结果应用) — goes into its own module here (``budget/apply.py``) and registers beside these.

    from perfeval import budget
    evidence = budget.candidates_from_data("data/sample")
    result = budget.prioritise(evidence.candidates, cap=evidence.cap)
    result.ranked_table(); result.table["reason"]

Imported on first use, so the CLI's parser stays light.
"""
from .._lazy import lazy_attributes

_LAZY = {"prioritise": "priority", "Priority": "priority", "PriorityRules": "priority", "GATES": "priority",
         "ORDER_KEYS": "priority", "STATUS": "priority",
         "candidates_from_data": "candidates", "Evidence": "candidates", "last_year_results": "candidates",
         "review_next_year": "candidates"}

__all__ = list(_LAZY)
__getattr__ = lazy_attributes(__name__, _LAZY)
