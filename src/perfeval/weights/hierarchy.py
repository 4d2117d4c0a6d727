"""AHP hierarchies (层次总排序): local weights composed down a tree of criteria, overall consistency.

``ahp_hierarchy(tree)`` composes local weights down a tree of criteria (unbalanced trees are the
normal case) and reports the hierarchy's overall consistency ratio
CR = Σ_j a_j CI_j / Σ_j a_j RI_j over all judgement matrices j, a_j being the global weight of the
element the matrix elaborates (Saaty 1980, consistency of a hierarchy). A leaf name that occurs
under several parents (alternatives under each criterion) gets the sum over its paths.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import compare
from .._matrix import as_weights
from ..errors import InputError
from .ahp import (METHOD_LABELS, AHPResult, PairwiseMatrix, _ahp_from_pairwise, _method_key, _resolve_ri,
                  parse_pairwise)
from .combine import WeightResult
@dataclass(frozen=True, eq=False)
class NodeResult:
    """One judgement node of a hierarchy: its local and global weights and its consistency."""

    name: str
    path: str
    level: int
    weight: float
    local_weights: pd.Series
    global_weights: pd.Series
    ci: float
    ri: float
    cr: float
    consistent: bool
    source: str
    ahp: AHPResult | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class HierarchyResult(WeightResult):
    """Global weights of a hierarchy; `.weights` = `.leaf_weights`; `.nodes[name]` per node."""

    nodes: dict
    cr: float
    ci_weighted: float
    ri_weighted: float
    consistent: bool
    threshold: float = 0.10

    @property
    def leaf_weights(self) -> pd.Series:
        return self.weights

    def summary_lines(self) -> list[str]:
        verdict = "通过" if self.consistent else "未通过"
        return [f"层次分析法（{len(self.nodes)} 个判断节点）；RI 表：{self.conventions.get('ri_table')}",
                f"总体一致性比率 CR = Σa·CI / Σa·RI = {self.cr:.4f}（{verdict}，阈值 {self.threshold:g}）"]

    def to_frame(self, decimals: int = 4) -> pd.DataFrame:
        return pd.DataFrame({"指标": [str(i) for i in self.weights.index],
                             "综合权重": np.round(self.weights.to_numpy(dtype=float), decimals)})


def _node_elements(node: dict, path: str) -> list:
    if "elements" in node and node["elements"] is not None:
        elements = list(node["elements"])
    elif isinstance(node.get("matrix"), pd.DataFrame):
        elements = list(node["matrix"].index)
    elif isinstance(node.get("weights"), (dict, pd.Series)):
        elements = list(node["weights"].keys() if isinstance(node["weights"], dict)
                        else node["weights"].index)
    else:
        raise InputError("层次节点缺少 elements (node has no elements)", found=path)
    if not elements:
        raise InputError("层次节点的 elements 为空 (node has no elements)", found=path)
    if len(set(elements)) != len(elements):
        raise InputError("同一节点下的元素名称重复 (duplicate element names in a node)",
                         found=f"{path}: {elements}")
    return elements


def ahp_hierarchy(tree: dict, method: str = "eigen", ri="saaty1980", threshold: float = 0.10,
                  reciprocal_tol: float = 0.05, from_upper: bool = False) -> HierarchyResult:
    """Compose local AHP weights down a hierarchy into global weights.

    A node is ``{"name", "elements", "matrix" | "weights", "children": [node, …]}``; a child's
    name must be one of its parent's elements, elements without a child node are leaves (so
    unbalanced trees work). ``"weights"`` gives fixed local weights instead of judgements; a
    node with a single element needs neither. A leaf name that occurs under several parents
    (alternatives under every criterion, as in classic AHP) gets the sum over its paths.
    """
    if not isinstance(tree, dict):
        raise InputError("层次结构须为字典 (the hierarchy must be a dict)", found=type(tree).__name__)
    _method_key(method)
    ri_name, ri_values, ri_source = _resolve_ri(ri)
    nodes: dict[str, NodeResult] = {}
    rows = []
    # Depth-first over the tree's nodes (a handful). Each stack entry is either a node to expand
    # or a finished row; a node's element rows are pushed so that every element is followed by
    # its own subtree: the order an indicator table is read in.
    stack = [("node", (tree, 1.0, 1, None))]
    while stack:
        kind, item = stack.pop()
        if kind == "row":
            rows.append(item)
            continue
        node, node_weight, level, parent_path = item
        if not isinstance(node, dict) or "name" not in node:
            raise InputError("层次节点须为含 name 的字典 (each node must be a dict with a name)",
                             found=parent_path or "根节点")
        name = node["name"]
        path = f"{parent_path}/{name}" if parent_path else str(name)
        if name in nodes:
            raise InputError("判断节点名称重复 (duplicate node name)", expected="每个有判断的节点名称唯一",
                             found=path)
        elements = _node_elements(node, path)
        has_matrix, has_weights = node.get("matrix") is not None, node.get("weights") is not None
        if has_matrix and has_weights:
            raise InputError("节点不能同时给出 matrix 和 weights (give either matrix or weights)", found=path)
        result = None
        notes = []
        if has_matrix:
            pm = parse_pairwise(node["matrix"], labels=None if isinstance(node["matrix"], pd.DataFrame)
                                else elements, name=f"节点 {path} 的判断矩阵",
                                reciprocal_tol=reciprocal_tol, from_upper=from_upper)
            if set(pm.values.index) != set(elements):
                raise InputError(f"节点 {path} 的判断矩阵标签与 elements 不一致 (matrix labels != elements)",
                                 expected=", ".join(map(str, elements)),
                                 found=", ".join(map(str, pm.values.index)))
            pm = PairwiseMatrix(values=pm.values.loc[elements, elements],
                                as_written=pm.as_written.loc[elements, elements],
                                filled_from_upper=pm.filled_from_upper)
            result = _ahp_from_pairwise(pm, method, ri, threshold, reciprocal_tol)
            local = result.weights
            ci, ri_value, cr, source = result.ci, result.ri, result.cr, "matrix"
        elif has_weights:
            given = node["weights"]
            if isinstance(given, (dict, pd.Series)) and set(given.keys()) != set(elements):
                raise InputError(f"节点 {path} 的权重名称与 elements 不一致 (weight labels != elements)",
                                 expected=", ".join(map(str, elements)),
                                 found=", ".join(map(str, given.keys())))
            wv = as_weights(given, elements, name=f"节点 {path} 的权重")
            local = wv.values.rename("权重")
            if wv.rescaled:
                notes.append(f"节点 {path} 的权重之和不为 1，已归一化")
            ci, ri_value, cr, source = 0.0, 0.0, 0.0, "weights"
        elif len(elements) == 1:
            local = pd.Series([1.0], index=elements, name="权重")
            ci, ri_value, cr, source = 0.0, 0.0, 0.0, "single"
        else:
            raise InputError(f"节点 {path} 既无判断矩阵也无权重 (node needs a matrix or weights)",
                             expected="matrix 或 weights", found=path)
        global_w = local * node_weight
        nodes[name] = NodeResult(name=name, path=path, level=level, weight=node_weight,
                                 local_weights=local, global_weights=global_w.rename("综合权重"),
                                 ci=ci, ri=ri_value, cr=cr, consistent=bool(compare.lt(cr, threshold)),
                                 source=source, ahp=result)
        children = node.get("children") or []
        child_names = [c.get("name") if isinstance(c, dict) else None for c in children]
        unknown = [c for c in child_names if c not in elements]
        if unknown:
            raise InputError(f"节点 {path} 的子节点不在其 elements 中 (child not among the elements)",
                             expected=", ".join(map(str, elements)), found=unknown)
        if len(set(child_names)) != len(child_names):
            raise InputError(f"节点 {path} 的子节点重复 (duplicate children)", found=child_names)
        child_of = dict(zip(child_names, children))
        for el in reversed(elements):
            if el in child_of:
                stack.append(("node", (child_of[el], float(global_w[el]), level + 1, path)))
            stack.append(("row", {"层级": level, "父节点": name, "路径": f"{path}/{el}", "指标": el,
                                  "局部权重": float(local[el]), "综合权重": float(global_w[el]),
                                  "末级": el not in child_of, "_notes": notes}))

    table = pd.DataFrame(rows)
    all_notes = [n for ns in table.pop("_notes") for n in ns]
    all_notes = list(dict.fromkeys(all_notes))
    leaves = table[table["末级"]]
    leaf = leaves.groupby("指标", sort=False)["综合权重"].sum()
    leaf = leaf.rename("综合权重")
    leaf.index.name = None
    if leaves["指标"].duplicated().any():
        shared = leaves.loc[leaves["指标"].duplicated(), "指标"].unique().tolist()
        all_notes.append("以下末级元素出现在多个父节点下，综合权重为各路径之和："
                         + "、".join(map(str, shared)))
    node_table = pd.DataFrame({
        "节点": [r.name for r in nodes.values()], "路径": [r.path for r in nodes.values()],
        "层级": [r.level for r in nodes.values()], "节点综合权重 a": [r.weight for r in nodes.values()],
        "阶数": [len(r.local_weights) for r in nodes.values()],
        "来源": [r.source for r in nodes.values()],
        "λmax": [r.ahp.lambda_max if r.ahp is not None else np.nan for r in nodes.values()],
        "CI": [r.ci for r in nodes.values()], "RI": [r.ri for r in nodes.values()],
        "CR": [r.cr for r in nodes.values()], "一致性": [r.consistent for r in nodes.values()]})
    a = node_table["节点综合权重 a"].to_numpy()
    ci_weighted = float((a * node_table["CI"].to_numpy()).sum())
    ri_weighted = float((a * node_table["RI"].to_numpy()).sum())
    cr = ci_weighted / ri_weighted if ri_weighted > 0 else 0.0
    levels = node_table.assign(aCI=a * node_table["CI"], aRI=a * node_table["RI"]) \
        .groupby("层级", sort=True)[["aCI", "aRI"]].sum()
    levels["CR"] = np.where(levels["aRI"] > 0, levels["aCI"] / levels["aRI"].where(levels["aRI"] > 0, 1.0),
                            0.0)
    levels = levels.rename(columns={"aCI": "Σ a·CI", "aRI": "Σ a·RI"}).reset_index()
    consistent = bool(compare.lt(cr, threshold) and node_table["一致性"].all())
    failing = node_table.loc[~node_table["一致性"], "路径"].tolist()
    if failing:
        all_notes.append("以下节点未通过一致性检验：" + "、".join(failing))
    conventions = {
        "method": METHOD_LABELS[_method_key(method)], "method_key": _method_key(method),
        "ri_table": ri_name, "ri_source": ri_source,
        "ri_values": {k: v for k, v in sorted(ri_values.items())} or {"*": float(ri)},
        "threshold": threshold,
        "hierarchy_cr_rule": "CR = Σ_j a_j CI_j / Σ_j a_j RI_j（a_j 为节点的综合权重，对所有判断矩阵求和）",
        "consistent_rule": "总体 CR 与每个节点的 CR 均小于阈值",
        "shared_leaf_rule": "同名末级元素的综合权重按路径求和 (summed over paths)",
        "notes": all_notes,
    }
    tables = {"综合权重": table, "节点一致性": node_table, "各层一致性": levels,
              "末级综合权重": leaf.rename_axis("指标").reset_index()}
    return HierarchyResult(weights=leaf, nodes=nodes, cr=float(cr), ci_weighted=ci_weighted,
                           ri_weighted=ri_weighted, consistent=consistent, threshold=threshold,
                           conventions=conventions, tables=tables)
