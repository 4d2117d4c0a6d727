"""Indicator weighting (赋权): AHP and its hierarchies and panels, entropy, CRITIC, standard
deviation, Delphi statistics, combination of weight vectors, and weights → points.

Every function returns an immutable result whose ``.weights`` is a pandas Series indexed by the
criterion labels (0…n−1 when the input has none), whose ``.conventions`` records every choice
made, and whose ``explain()`` returns the intermediate tables for reports.
"""
from .ahp import RI_TABLES, AHPResult, GroupAHPResult, PairwiseMatrix, ahp, group_ahp, parse_pairwise, random_index
from .hierarchy import HierarchyResult, NodeResult, ahp_hierarchy
from .combine import CombinedWeights, PointsResult, WeightResult, combine, to_points
from .delphi import DelphiResult, delphi
from .objective import CriticResult, EntropyResult, StdevResult, critic, entropy, stdev

__all__ = [
    "RI_TABLES", "random_index", "parse_pairwise", "ahp", "ahp_hierarchy", "group_ahp",
    "entropy", "critic", "stdev", "combine", "to_points", "delphi",
    "WeightResult", "AHPResult", "GroupAHPResult", "HierarchyResult", "NodeResult",
    "PairwiseMatrix", "EntropyResult", "CriticResult", "StdevResult", "CombinedWeights",
    "PointsResult", "DelphiResult",
]
