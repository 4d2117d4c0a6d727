"""Budget decisions from performance evidence (预算与绩效挂钩).

The one decision per project: :func:`decide` (``budget/decisions.py``) takes all the evidence — ex-ante
conclusion, target-review grade, last grade (key over self), money recovered, the cap — and gives every
project (this year's and every candidate) one decision, one amount and every reason in the order the
rules applied; :func:`decisions_from_data` makes it for a data folder. 结果应用, the priority ranking,
the portfolio and the annual report are views of its ledger. The steps it is made of stay public:

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
    decisions = budget.decisions_from_data("data/sample")
    decisions.summary(); decisions.ledger[["project_name", "decision", "amount", "reason"]]
    decisions.applied()   # 结果应用 (this year's projects); decisions.priority — the ranking view

Imported on first use, so the CLI's parser stays light.
"""
from .._lazy import lazy_attributes

_LAZY = {"prioritise": "priority", "Priority": "priority", "PriorityRules": "priority", "GATES": "priority",
         "ORDER_KEYS": "priority", "STATUS": "priority",
         "candidates_from_data": "candidates", "Evidence": "candidates", "last_year_results": "candidates",
         "review_next_year": "candidates",
         "apply_results": "apply", "results_from_data": "apply", "ApplyRules": "apply", "ResultsApplied": "apply",
         "ACTIONS": "apply", "HARD_RULES": "apply",
         "decide": "decisions", "decisions_from_data": "decisions", "Decisions": "decisions",
         "DecisionRules": "decisions", "DECISIONS": "decisions", "DECISION_ORDER": "decisions",
         "REASON_CODES": "decision_text"}

__all__ = list(_LAZY)
__getattr__ = lazy_attributes(__name__, _LAZY)
