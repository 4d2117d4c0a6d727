"""Reading and validating indicator-system YAML, and resolving `extends`.

Validation collects every problem at once, each prefixed with its YAML path
(`nodes[1].children[0].rule.bands: …`), so a user can fix a file in one pass. Two phases:

* structure — header fields, node fields and rule parameters of the file as written;
* tree — duplicate codes, missing points, sums (children vs. parent, level 1 vs. `total`,
  relative weights vs. 1, checklist items vs. the node's points) on the complete tree. For a
  system that `extends` another this runs on the merged tree and its paths start with `merged:`.

Inheritance itself (merging a child into its base) lives in `inherit.py`.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path

from .inherit import code_of as _code
from .inherit import load_base, merge
from .inherit import tag_of as _tag
from .vocabulary import DIRECTIONS, KINDS, SECTORS, WEIGHTINGS
from ..rules.registry import check_rule, split_rule
from .yaml_reader import read_yaml

TOLERANCE = 1e-9
TOP_FIELDS = ("id", "title", "basis", "version", "kind", "sector", "extends", "total",
              "weighting", "nodes")
NODE_FIELDS = ("code", "name", "points", "weight", "description", "standard", "formula", "direction",
               "evidence", "rule", "open", "children")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


# ---------------------------------------------------------------------------- helpers
def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _known(value, table) -> bool:
    """Membership that tolerates unhashable YAML values (lists, mappings)."""
    return isinstance(value, str) and value in table


def _fmt(value: float) -> str:
    return f"{value:.10g}"


# ---------------------------------------------------------------------------- structure phase
def _check_header(data: Mapping, partial: bool) -> list[str]:
    problems = []
    for key in data:
        if key not in TOP_FIELDS:
            problems.append(f"{key}: 未知的字段（可用：{'、'.join(TOP_FIELDS)}）(unknown field)")
    system_id = data.get("id")
    if system_id is None or (isinstance(system_id, str) and not system_id.strip()):
        problems.append("id: 缺少体系编号 (missing id)")
    elif not isinstance(system_id, str) or not ID_PATTERN.match(system_id):
        problems.append(f"id: 体系编号只能由字母、数字、连字符组成 (letters, digits, '-')，实际为 "
                        f"{system_id!r}")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append("title: 缺少体系名称 (missing title)")
    for key in ("basis", "version"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            hint = "，请加引号，如 \"2020.1\"" if key == "version" else ""
            problems.append(f"{key}: 须为文字{hint} (must be a string)，实际为 {value!r}")
    kind = data.get("kind")
    if kind is None:
        problems.append(f"kind: 缺少体系类型（可用：{'、'.join(KINDS)}）(missing kind)")
    elif not _known(kind, KINDS):
        problems.append(f"kind: 未知的体系类型 {kind!r}（可用：{'、'.join(KINDS)}）(unknown kind)")
    sector = data.get("sector")
    if sector is not None and not _known(sector, SECTORS):
        problems.append(f"sector: 未知的行业 {sector!r}（可用：{'、'.join(SECTORS)}）(unknown sector)")
    if kind == "sector" and sector is None:
        problems.append(f"sector: 行业体系须注明行业（{'、'.join(SECTORS)}）(sector systems name a sector)")
    extends = data.get("extends")
    if extends is not None and (not isinstance(extends, str) or not ID_PATTERN.match(extends)):
        problems.append(f"extends: 须为被继承体系的编号 (must be a system id)，实际为 {extends!r}")
    total = data.get("total")
    if total is None:
        if not partial:
            problems.append("total: 缺少总分 (missing total)")
    elif not _is_number(total) or total <= 0:
        problems.append(f"total: 总分须为正数 (must be a positive number)，实际为 {total!r}")
    weighting = data.get("weighting")
    if weighting is not None and not _known(weighting, WEIGHTINGS):
        problems.append(f"weighting: 须为 points（分值）或 relative（权重）(must be points or relative)，"
                        f"实际为 {weighting!r}")
    nodes = data.get("nodes")
    if not isinstance(nodes, list) or not nodes:
        problems.append("nodes: 缺少指标列表 (missing or empty list of indicators)")
    return problems


def _check_nodes(nodes, path: str, weighting: str, partial_top: bool,
                 codes: dict[str, str], problems: list[str]) -> None:
    if not isinstance(nodes, list):
        problems.append(f"{path}: 须为列表 (must be a list)，实际为 {type(nodes).__name__}")
        return
    allowed = NODE_FIELDS + (("parent",) if partial_top else ())
    for i, node in enumerate(nodes):
        p = f"{path}[{i}]"
        if not isinstance(node, Mapping):
            problems.append(f"{p}: 须为映射（code、name、points…）(must be a mapping)，实际为 {node!r}")
            continue
        tag = _tag(node)
        for key in node:
            if key not in allowed:
                hint = "；parent 只用于继承体系 (extends) 顶层的新增节点" if key == "parent" else ""
                problems.append(f"{p}.{key}: 未知的字段（可用：{'、'.join(allowed)}）{hint} (unknown field){tag}")
        code = _code(node)
        if node.get("code") is None or (isinstance(node.get("code"), str) and code is None):
            problems.append(f"{p}.code: 缺少编码 (missing code){tag}")
        elif code is None:
            problems.append(f"{p}.code: 编码须为文字 (code must be text)，实际为 {node.get('code')!r}")
        elif code in codes:
            problems.append(f"{p}.code: 编码 '{code}' 重复，首次出现于 {codes[code]} (duplicate code)")
        else:
            codes[code] = p
        name = node.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{p}.name: 缺少指标名称 (missing name){tag}")
        given = {}
        for key in ("points", "weight"):
            value = node.get(key)
            if value is None:
                continue
            if not _is_number(value):
                problems.append(f"{p}.{key}: 须为数值 (must be a number)，实际为 {value!r}{tag}")
            elif value < 0:
                problems.append(f"{p}.{key}: 不得为负 (must not be negative)，实际为 {_fmt(value)}{tag}")
            given[key] = value
        if len(given) == 2:
            problems.append(f"{p}: 不能同时给出 points 和 weight (give points or weight, not both){tag}")
        elif weighting == "points" and "weight" in given:
            problems.append(f"{p}.weight: 本体系为分值制 (weighting: points)，请用 points 写绝对分值{tag}")
        elif weighting == "relative" and "points" in given:
            problems.append(f"{p}.points: 本体系为权重制 (weighting: relative)，请用 weight 写相对权重{tag}")
        for key in ("description", "standard", "formula", "parent"):
            value = node.get(key)
            text_like = isinstance(value, str) or (
                key == "parent" and isinstance(value, int) and not isinstance(value, bool))
            if value is not None and not text_like:
                problems.append(f"{p}.{key}: 须为文字 (must be a string)，实际为 {value!r}{tag}")
        evidence = node.get("evidence")
        if evidence is not None and (not isinstance(evidence, list) or not all(
                isinstance(e, str) and e.strip() for e in evidence)):
            problems.append(f"{p}.evidence: 须为文字列表 (must be a list of strings)，实际为 {evidence!r}{tag}")
        direction = node.get("direction")
        if direction is not None and direction not in DIRECTIONS:
            problems.append(f"{p}.direction: 指标方向须为 {' / '.join(DIRECTIONS)} 之一 (unknown direction)，"
                            f"实际为 {direction!r}{tag}")
        is_open = node.get("open")
        if is_open is not None and not isinstance(is_open, bool):
            problems.append(f"{p}.open: 须为 true 或 false (must be a boolean)，实际为 {is_open!r}{tag}")
        if node.get("rule") is not None:
            problems.extend(f"{msg}{tag}" for msg in check_rule(node["rule"], f"{p}.rule"))
        children = node.get("children")
        if children is not None:
            _check_nodes(children, f"{p}.children", weighting, False, codes, problems)


# ---------------------------------------------------------------------------- tree phase
def _check_tree(data: Mapping, prefix: str = "", skip_codes: frozenset = frozenset()) -> list[str]:
    """Sums, missing points and duplicate codes on a complete tree (paths prefixed by `prefix`)."""
    weighting = data.get("weighting") or "points"
    if not _known(weighting, WEIGHTINGS):
        return []
    key = "points" if weighting == "points" else "weight"
    word = "分值 (points)" if key == "points" else "权重 (weight)"
    per_project_ok = data.get("kind") == "self"
    total = data.get("total") if _is_number(data.get("total")) else None
    problems: list[str] = []
    codes: dict[str, str] = {}

    def measure(node) -> float | None:
        value = node.get(key) if isinstance(node, Mapping) else None
        return value if _is_number(value) and value >= 0 else None

    def visit(nodes, path: str, depth: int, parent_abs: float | None):
        if not isinstance(nodes, list):
            return
        for i, node in enumerate(nodes):
            p = f"{path}[{i}]"
            if not isinstance(node, Mapping):
                continue
            code = _code(node)
            if code is not None:
                if code in codes and code not in skip_codes:
                    problems.append(f"{prefix}{p}.code: 编码 '{code}' 重复，首次出现于 "
                                    f"{prefix}{codes[code]} (duplicate code)")
                codes.setdefault(code, p)
            value = measure(node)
            other = "weight" if key == "points" else "points"
            if (node.get(key) is None and node.get(other) is None
                    and not (per_project_ok and depth >= 2)):
                problems.append(f"{prefix}{p}.{key}: 缺少{word}{_tag(node)}")
            if weighting == "points":
                absolute = value
            else:
                absolute = None if value is None or parent_abs is None else parent_abs * value
            _check_checklist(node, absolute, f"{prefix}{p}", problems)
            children = node.get("children")
            if isinstance(children, list) and children:
                visit(children, f"{p}.children", depth + 1, absolute)
                child_values = [measure(c) for c in children]
                if any(v is None for v in child_values):
                    continue
                target = value if weighting == "points" else 1.0
                if target is None:
                    continue
                s = math.fsum(child_values)
                if abs(s - target) > TOLERANCE:
                    what = "分值" if weighting == "points" else "权重"
                    problems.append(f"{prefix}{p}: 下级{what}之和 {_fmt(s)} 不等于本级{what} "
                                    f"{_fmt(target)} (children's {key} sum to {_fmt(s)}, "
                                    f"expected {_fmt(target)}){_tag(node)}")

    nodes = data.get("nodes")
    visit(nodes, "nodes", 1, total)
    if isinstance(nodes, list) and nodes:
        top = [measure(n) for n in nodes]
        if all(v is not None for v in top):
            s = math.fsum(top)
            if weighting == "points" and total is not None and abs(s - total) > TOLERANCE:
                problems.append(f"{prefix}total: 总分 {_fmt(total)} 不等于一级指标分值之和 {_fmt(s)} "
                                f"(total must equal the sum of level-1 points)")
            if weighting == "relative" and abs(s - 1.0) > TOLERANCE:
                problems.append(f"{prefix}nodes: 一级指标权重之和 {_fmt(s)} 不等于 1 "
                                f"(level-1 weights must sum to 1)")
    return problems


def _check_checklist(node: Mapping, absolute: float | None, p: str, problems: list[str]) -> None:
    rule = node.get("rule")
    if not isinstance(rule, (str, Mapping)):
        return
    kind, params = split_rule(rule)
    items = params.get("items")
    if kind != "checklist" or absolute is None or not isinstance(items, list):
        return
    values = [it.get("points") for it in items if isinstance(it, Mapping)]
    if len(values) != len(items) or not all(_is_number(v) for v in values):
        return
    s = math.fsum(values)
    if abs(s - absolute) > TOLERANCE:
        problems.append(f"{p}.rule.items: 检查项分值之和 {_fmt(s)} 不等于指标分值 {_fmt(absolute)} "
                        f"(checklist items must sum to the node's points){_tag(node)}")


# ---------------------------------------------------------------------------- entry points
def _check(data, source: str = "", stack: tuple[str, ...] = ()) -> tuple[list[str], dict | None]:
    """(problems, complete data with `extends` resolved — None if it could not be built)."""
    if not isinstance(data, Mapping):
        return [f"(根 root): 顶层须为映射（id、title、nodes…）(top level must be a mapping)，"
                f"实际为 {type(data).__name__}"], None
    extends = data.get("extends")
    partial = isinstance(extends, str) and bool(extends.strip())
    problems = _check_header(data, partial)
    base = None
    if partial and ID_PATTERN.match(extends):
        own_id = data.get("id") if isinstance(data.get("id"), str) else "?"
        base, base_problems = load_base(extends, source, stack + (own_id,), _check)
        problems += base_problems
    weighting = data.get("weighting") or (base or {}).get("weighting") or "points"
    if partial and base is not None and data.get("weighting") not in (None, base.get("weighting")):
        problems.append(f"weighting: 须与被继承体系一致（{base.get('weighting')}）"
                        f"(must match the base system)")
    own_codes: dict[str, str] = {}
    if isinstance(data.get("nodes"), list):
        _check_nodes(data["nodes"], "nodes", weighting, partial, own_codes, problems)
    if not partial:
        problems += _check_tree(data, skip_codes=frozenset(own_codes))
        return problems, dict(data)
    if base is None:
        return problems, None
    merged, merge_problems = merge(base, data)
    problems += merge_problems
    problems += _check_tree(merged, prefix="merged:", skip_codes=_duplicated(data.get("nodes")))
    return problems, merged


def _duplicated(nodes) -> frozenset:
    seen, dup = set(), set()

    def visit(items):
        for node in items if isinstance(items, list) else ():
            code = _code(node)
            if code is not None:
                (dup if code in seen else seen).add(code)
            if isinstance(node, Mapping):
                visit(node.get("children"))

    visit(nodes)
    return frozenset(dup)


def validate_data(data, source: str = "") -> list[str]:
    """Every problem of a raw system mapping, each prefixed with its YAML path; [] when valid.

    `source` (the file the data came from) lets `extends` find a base system in the same folder
    before looking in `systems_dir()`.
    """
    return _check(data, str(source or ""))[0]


def check_file(path) -> tuple[list[str], dict | None]:
    """(problems, resolved data) of a YAML file, including the id-vs-file-name check."""
    path = Path(path)
    data, problems = read_yaml(path)
    if data is None:
        return problems or [f"{path.name}: 文件为空 (empty file)"], None
    if isinstance(data, Mapping) and isinstance(data.get("id"), str) and data["id"] != path.stem:
        problems.append(f"id: 体系编号 '{data['id']}' 与文件名 '{path.name}' 不一致，应为 "
                        f"{path.stem} (id must match the file name)")
    more, resolved = _check(data, str(path))
    return problems + more, resolved


def validate_file(path) -> list[str]:
    """Every problem of a YAML file; YAML syntax errors come back with line and column."""
    return check_file(path)[0]


def resolved_data(data, source: str = "") -> dict:
    """The complete (inheritance-resolved) data, or ValidationError listing every problem."""
    from ..errors import ValidationError

    problems, resolved = _check(data, str(source or ""))
    if problems or resolved is None:
        name = data.get("id") if isinstance(data, Mapping) else None
        raise ValidationError(f"指标体系 {name or source or ''} 校验未通过 (invalid indicator system)",
                              problems)
    return resolved


__all__ = ["validate_data", "validate_file", "check_file", "read_yaml", "resolved_data",
           "TOLERANCE"]
