"""perfeval — 预算绩效管理工具包 (budget performance management for Chinese finance bureaus).

Indicator systems as data, target parsing, vectorised scoring and grading, review of
self-evaluation forms, weighting (AHP, entropy, CRITIC …) and multi-criteria methods.

Names are imported on first use (PEP 562): ``import perfeval`` costs little, so that a one-form
``perfeval score`` does not pay for scipy, matplotlib or the Excel writer it does not need.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

from .errors import InputError, PerfevalError, ValidationError  # noqa: E402  (tiny, no dependencies)

_LAZY = {  # public name → module that defines it
    "GradeBands": "conventions", "apply_rounding": "conventions",
    "SCHEMES": "schemes", "ReviewSettings": "schemes", "Scheme": "schemes", "get_scheme": "schemes",
    "Scorecard": "scoring", "score": "scoring",
    "Target": "targets", "parse_target": "targets", "parse_values": "targets",
    "RULE_KINDS": "rules", "IndicatorSystem": "systems", "list_systems": "systems", "load_system": "systems",
    "validate_file": "systems",
    "SelfEvaluationForm": "io", "forms_to_frames": "io", "read_self_evaluation": "io",
    "write_self_evaluation": "io", "write_template": "io",
}
_SUBMODULES = {"compare", "conventions", "io", "keyeval", "methods", "monitor", "panel", "review", "rules",
               "schemes", "scoring", "systems", "targets", "totals", "weights"}

__all__ = ["__version__", "InputError", "PerfevalError", "ValidationError", *_LAZY,
           "keyeval", "methods", "monitor", "panel", "weights"]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'perfeval' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)
