"""The indicator-system model: an immutable tree of indicators with points or relative weights.

`IndicatorSystem` is what `load_system` returns: header fields (id, title, basis, kind…) and a tuple
of level-1 `Node`s, each with its children. It shows itself as a tidy frame (`to_frame`, one row per
node with resolved absolute points), a readable Chinese tree (`render_tree`) and an HTML table in
JupyterLab. Build one from YAML with `load_system` or from a dict with `IndicatorSystem.from_dict`;
both validate first.
"""
from __future__ import annotations

import html
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd

from ..errors import InputError, ValidationError
from ..rules.registry import RULE_KINDS, RuleKindSpec, check_rule, split_rule
from .validate import resolved_data
from .vocabulary import KINDS, SECTORS, WEIGHTINGS

FRAME_LABELS = {
    "code": "编码", "parent_code": "上级编码", "depth": "层级", "level1": "一级指标",
    "level2": "二级指标", "level3": "三级指标", "name": "指标名称", "points": "分值",
    "weight": "权重", "rule_kind": "评分规则", "rule_params": "规则参数", "scored_by": "评分方式",
    "open": "个性指标", "is_leaf": "末级", "description": "指标解释", "standard": "评分标准",
    "formula": "计算公式", "direction": "指标方向", "evidence": "佐证材料",
}


def freeze(value):
    """Deep-immutable copy: dicts become read-only mappings, lists become tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value):
    """Plain-Python copy of a frozen value: mappings become dicts, tuples become lists."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class Rule:
    """A leaf scoring rule: a kind from `RULE_KINDS` and its parameters (read-only)."""

    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        problems = check_rule({"kind": self.kind, **thaw(self.params)}, "rule")
        if problems:
            raise ValidationError("评分规则有误 (invalid rule)", problems)
        object.__setattr__(self, "params", freeze(dict(self.params)))

    def __hash__(self):
        return hash((self.kind, json.dumps(thaw(self.params), sort_keys=True, ensure_ascii=False,
                                           default=str)))

    @classmethod
    def from_raw(cls, raw) -> Rule:
        kind, params = split_rule(raw)
        return cls(kind, params)

    @property
    def spec(self) -> RuleKindSpec:
        return RULE_KINDS[self.kind]

    @property
    def label(self) -> str:
        return self.spec.label

    def effective_params(self) -> dict:
        """Parameters as given, with every unspecified default filled in (plain dict/lists)."""
        return thaw({**self.spec.defaults(), **self.params})

    def to_dict(self) -> dict:
        return {"kind": self.kind, **thaw(self.params)}

    def describe(self) -> str:
        """Label plus the parameters that were written (for trees and reports)."""
        if not self.params:
            return self.label
        shown = "，".join(f"{k}={_short(v)}" for k, v in thaw(self.params).items()
                         if k != "items")
        if "items" in self.params:
            shown = "，".join(filter(None, [shown, f"{len(self.params['items'])} 个要点"]))
        return f"{self.label}（{shown}）"


def _short(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return str(value)


@dataclass(frozen=True)
class Node:
    """One indicator. `points` are absolute (points systems) and `weight` relative to the parent
    (relative systems); exactly one is set, or neither where points are set per project."""

    code: str
    name: str
    points: float | None = None
    weight: float | None = None
    rule: Rule | None = None
    description: str | None = None
    standard: str | None = None
    formula: str | None = None
    direction: str | None = None   # higher | lower | equal | qualitative (DIRECTIONS)
    evidence: tuple[str, ...] = ()
    open: bool = False
    children: tuple[Node, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @classmethod
    def from_raw(cls, raw: Mapping) -> Node:
        """Build from an already validated raw mapping."""
        rule = raw.get("rule")
        return cls(
            code=str(raw["code"]),
            name=raw["name"].strip(),
            points=None if raw.get("points") is None else float(raw["points"]),
            weight=None if raw.get("weight") is None else float(raw["weight"]),
            rule=None if rule is None else Rule.from_raw(rule),
            description=raw.get("description"),
            standard=raw.get("standard"),
            formula=raw.get("formula"),
            direction=raw.get("direction"),
            evidence=tuple(raw.get("evidence") or ()),
            open=bool(raw.get("open", False)),
            children=tuple(cls.from_raw(c) for c in raw.get("children") or ()),
        )

    def walk(self, depth: int = 1, parent: Node | None = None) -> Iterator[tuple[Node, int, Node | None]]:
        """Pre-order traversal yielding (node, depth, parent)."""
        yield self, depth, parent
        for child in self.children:
            yield from child.walk(depth + 1, self)


@dataclass(frozen=True)
class IndicatorSystem:
    """A validated indicator system (tree of `Node`s) with the conventions it was written under."""

    id: str
    title: str
    basis: str | None
    version: str | None
    kind: str
    sector: str | None
    extends: str | None
    total: float
    weighting: str
    nodes: tuple[Node, ...]
    source: str = ""

    @classmethod
    def from_dict(cls, data: Mapping, source: str = "") -> IndicatorSystem:
        """Validate a raw (YAML-shaped) mapping, resolve `extends`, and build the system.

        Raises ValidationError listing every problem.
        """
        return cls.from_resolved(resolved_data(data, source), source)

    @classmethod
    def from_resolved(cls, full: Mapping, source: str = "") -> IndicatorSystem:
        """Build from data that has already been validated and had `extends` resolved."""
        return cls(
            id=full["id"], title=full["title"].strip(), basis=full.get("basis"),
            version=full.get("version"), kind=full["kind"], sector=full.get("sector"),
            extends=full.get("extends"), total=float(full["total"]),
            weighting=full.get("weighting") or "points",
            nodes=tuple(Node.from_raw(n) for n in full["nodes"]), source=str(source),
        )

    # ------------------------------------------------------------------ traversal
    def walk(self) -> Iterator[tuple[Node, int, Node | None]]:
        for node in self.nodes:
            yield from node.walk()

    def find(self, code) -> Node:
        """The node with this code; InputError listing the available codes if there is none."""
        for node, _, _ in self.walk():
            if node.code == str(code):
                return node
        raise InputError(f"指标体系 {self.id} 中没有编码为 {code!r} 的指标 (no such indicator code)",
                         expected="、".join(n.code for n, _, _ in self.walk()), found=code)

    # ------------------------------------------------------------------ tables
    def to_frame(self) -> pd.DataFrame:
        """One row per node in tree order, with absolute points resolved from relative weights.

        Columns: code, parent_code, depth, level1…level3 (names along the path, None below the
        node's depth; more level columns if the tree is deeper), name, points, weight (relative to
        the parent; level 1 relative to the total), rule_kind, rule_params (defaults filled in),
        scored_by, open, is_leaf, description, standard, formula, direction, evidence.
        """
        rows = []
        max_depth = max((d for _, d, _ in self.walk()), default=1)
        n_levels = max(3, max_depth)

        def visit(node: Node, depth: int, parent: Node | None, path: list[str],
                  parent_points: float):
            points, weight = self._resolve(node, parent_points)
            names = path + [node.name]
            row = {
                "code": node.code,
                "parent_code": None if parent is None else parent.code,
                "depth": depth,
                **{f"level{i + 1}": (names[i] if i < len(names) else None) for i in range(n_levels)},
                "name": node.name,
                "points": points,
                "weight": weight,
                "rule_kind": None if node.rule is None else node.rule.kind,
                "rule_params": {} if node.rule is None else node.rule.effective_params(),
                "scored_by": None if node.rule is None else node.rule.spec.scored_by,
                "open": node.open,
                "is_leaf": node.is_leaf,
                "description": node.description,
                "standard": node.standard,
                "formula": node.formula,
                "direction": node.direction,
                "evidence": node.evidence,
            }
            rows.append(row)
            for child in node.children:
                visit(child, depth + 1, node, names, points)

        for top in self.nodes:
            visit(top, 1, None, [], self.total)
        # Text columns stay `object` so that missing names are None (pandas' `str` dtype would
        # turn them into NaN); numbers and flags get their proper dtypes.
        columns = list(rows[0]) if rows else []
        frame = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in columns})
        return frame.astype({"depth": int, "points": float, "weight": float, "open": bool,
                             "is_leaf": bool})

    def _resolve(self, node: Node, parent_points: float) -> tuple[float, float]:
        """(absolute points, weight relative to the parent) of one node; NaN where unset."""
        if self.weighting == "relative":
            if node.weight is None or math.isnan(parent_points):
                return math.nan, (math.nan if node.weight is None else node.weight)
            return parent_points * node.weight, node.weight
        if node.points is None:
            return math.nan, math.nan
        if math.isnan(parent_points) or parent_points == 0:
            return node.points, math.nan
        return node.points, node.points / parent_points

    def leaves(self) -> pd.DataFrame:
        """The rows of `to_frame` that have no children (the indicators that get scored)."""
        frame = self.to_frame()
        return frame[frame["is_leaf"]].reset_index(drop=True)

    # ------------------------------------------------------------------ display
    def header(self) -> str:
        head = f"{self.title} [{self.id}]"
        if self.version:
            head += f" 版本 {self.version}"
        lines = [head]
        if self.basis:
            lines.append(f"依据：{self.basis}")
        extra = f" · 继承 {self.extends}" if self.extends else ""
        lines.append(f"类型：{KINDS.get(self.kind, self.kind)}"
                     + (f" · 行业：{SECTORS.get(self.sector, self.sector)}" if self.sector else "")
                     + f" · 总分 {self.total:g} · {WEIGHTINGS[self.weighting].split('：')[0]}{extra}")
        return "\n".join(lines)

    def render_tree(self) -> str:
        """A readable Chinese tree: code, name, points (and weight), rule label, open flag."""
        frame = self.to_frame()
        lines = [self.header()]
        last_flags: list[bool] = []

        def visit(nodes: tuple[Node, ...], depth: int, parent_points: float):
            for i, node in enumerate(nodes):
                is_last = i == len(nodes) - 1
                prefix = "".join("    " if last else "│   " for last in last_flags)
                points, weight = self._resolve(node, parent_points)
                parts = [f"{node.code} {node.name}"]
                if math.isnan(points):
                    parts.append("分值按项目设定")
                else:
                    parts.append(f"{points:g}分")
                    if self.weighting == "relative":
                        parts.append(f"权重 {weight:g}")
                if node.rule is not None:
                    parts.append(node.rule.describe())
                if node.open:
                    parts.append("个性指标，按项目填写")
                lines.append(f"{prefix}{'└── ' if is_last else '├── '}{' · '.join(parts)}")
                last_flags.append(is_last)
                visit(node.children, depth + 1, points)
                last_flags.pop()

        visit(self.nodes, 1, self.total)
        n_leaves = int(frame["is_leaf"].sum())
        lines.append(f"共 {len(frame)} 个指标，其中末级 {n_leaves} 个")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render_tree()

    def __repr__(self) -> str:
        n_nodes = sum(1 for _ in self.walk())
        return (f"IndicatorSystem(id={self.id!r}, title={self.title!r}, kind={self.kind!r}, "
                f"total={self.total:g}, weighting={self.weighting!r}, nodes={n_nodes})")

    def _repr_html_(self) -> str:
        frame = self.to_frame()
        shown = frame.drop(columns=["rule_params", "evidence"]).copy()
        shown["rule_kind"] = shown["rule_kind"].map(lambda k: RULE_KINDS[k].label if k in RULE_KINDS
                                                    else None)
        shown["scored_by"] = shown["scored_by"].map(
            {"rule": "规则计算", "panel": "评价组评定", "inferred": "自动识别"})
        shown["open"] = shown["open"].map({True: "是", False: ""})
        shown["is_leaf"] = shown["is_leaf"].map({True: "是", False: ""})
        text_columns = [c for c in shown.columns if not pd.api.types.is_numeric_dtype(shown[c])]
        shown[text_columns] = shown[text_columns].where(shown[text_columns].notna(), "")
        shown = shown.rename(columns={**FRAME_LABELS,
                                      **{c: f"{c[5:]}级指标" for c in shown.columns
                                         if c.startswith("level") and c not in FRAME_LABELS}})
        caption = html.escape(self.header()).replace("\n", "<br>")
        table = shown.to_html(index=False, na_rep="", escape=True, float_format=lambda v: f"{v:g}")
        return f"<div><p><b>{caption}</b></p>{table}</div>"
