"""Multi-criteria evaluation methods: TOPSIS, VIKOR, grey relational analysis, fuzzy
comprehensive evaluation, and the weight-sensitivity (grade and rank robustness) analysis.

Every function takes a decision matrix with rows = projects (alternatives) and columns =
indicators (criteria), returns an immutable result labelled with the input's labels, records
every convention in `.conventions` and keeps the intermediate tables for `explain()`.
"""
from .fuzzy import (FuzzyResult, fuzzy_evaluate, fuzzy_evaluate_tree, membership_from_values,
                    membership_from_votes)
from .grey import GreyResult, grey_relational
from .sensitivity import SensitivityResult, sensitivity
from .topsis import TopsisResult, topsis
from .vikor import VikorResult, vikor

__all__ = [
    "topsis", "TopsisResult",
    "vikor", "VikorResult",
    "grey_relational", "GreyResult",
    "fuzzy_evaluate", "fuzzy_evaluate_tree", "membership_from_votes", "membership_from_values",
    "FuzzyResult",
    "sensitivity", "SensitivityResult",
]
