"""perfeval — 预算绩效管理工具包 (budget performance management for Chinese finance bureaus).

Indicator systems as data, target parsing, vectorised scoring and grading, review of
self-evaluation forms, weighting (AHP, entropy, CRITIC …) and multi-criteria methods.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .conventions import GradeBands, apply_rounding
from .errors import InputError, PerfevalError, ValidationError
from .schemes import SCHEMES, ReviewSettings, Scheme, get_scheme
from .scoring import Scorecard, score
from .targets import Target, parse_target, parse_values
from .systems import RULE_KINDS, IndicatorSystem, list_systems, load_system, validate_file
from .io import SelfEvaluationForm, forms_to_frames, read_self_evaluation, write_self_evaluation, write_template
from . import keyeval, methods, monitor, panel, weights

__all__ = [
    "__version__", "GradeBands", "apply_rounding", "InputError", "PerfevalError", "ValidationError",
    "SCHEMES", "ReviewSettings", "Scheme", "get_scheme", "Scorecard", "score",
    "Target", "parse_target", "parse_values",
    "RULE_KINDS", "IndicatorSystem", "list_systems", "load_system", "validate_file",
    "SelfEvaluationForm", "forms_to_frames", "read_self_evaluation", "write_self_evaluation", "write_template",
    "keyeval", "methods", "monitor", "panel", "weights",
]
