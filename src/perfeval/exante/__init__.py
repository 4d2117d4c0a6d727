"""Ex-ante performance assessment (事前绩效评估): a panel scores a new project before it is budgeted.

Experts rate the five dimensions of the ``exante`` indicator system (立项必要性, 投入经济性,
绩效目标合理性, 实施方案可行性, 筹资合规性; domain.md §3 [S19][S20]) item by item; `assess` combines
their ratings, draws the conclusion (予以支持 / 部分支持（调整完善后支持）/ 不予支持, or a local rule's
建议立项 / 不予立项) by a named rule, lists the weak dimensions and suggests an amount.

    from perfeval import exante
    result = exante.assess("data/sample")                       # the sample city's six candidates
    result = exante.assess(scores, method="trimmed", thresholds="local-60")
    result.totals, result.dimensions, result.items, result.conventions

Modules: :mod:`.rules` (conclusion rules and presets), :mod:`.assessment` (the computation),
:mod:`.data` (the ``exante/`` tables of a data folder); the ``perfeval exante`` command is :mod:`perfeval.cli.exante`.
Imported on first use, so the CLI's parser stays light.
"""
from .._lazy import lazy_attributes

_LAZY = {"assess": "assessment", "ExanteAssessment": "assessment", "DEFAULT_RATINGS": "assessment",
         "outcome_label": "assessment",
         "THRESHOLDS": "rules", "ConclusionRule": "rules", "OUTCOMES": "rules", "get_rule": "rules",
         "short_label": "rules", "ExanteData": "data", "load": "data", "candidate": "data", "exists": "data"}

__all__ = list(_LAZY)
__getattr__ = lazy_attributes(__name__, _LAZY)
