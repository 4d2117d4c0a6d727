"""Indicator systems as data: the tree of indicators a project is scored against.

Systems are YAML files in the top-level `indicators/` folder (shipped in the wheel as
`perfeval/indicators`); `indicators/README.md` documents the schema. This package loads them into
immutable `IndicatorSystem` objects, validates them (every problem at once, with its YAML path),
resolves inheritance (`extends`) and describes the leaf scoring rules (`RULE_KINDS`) that the
scoring module implements.

    >>> from perfeval.systems import load_system, list_systems
    >>> system = load_system("mof-2020-self")
    >>> system.leaves()[["code", "name", "points", "rule_kind"]]
"""
from .loader import list_systems, load_system
from .locate import systems_dir
from .model import IndicatorSystem, Node, Rule
from .vocabulary import KINDS, SECTORS, WEIGHTINGS
from ..rules import AUTO_INFERENCE, RULE_KINDS, ParamSpec, RuleKindSpec
from .validate import validate_data, validate_file

__all__ = [
    "AUTO_INFERENCE", "IndicatorSystem", "KINDS", "Node", "ParamSpec", "RULE_KINDS", "Rule",
    "RuleKindSpec", "SECTORS", "WEIGHTINGS", "list_systems", "load_system", "systems_dir",
    "validate_data", "validate_file",
]
