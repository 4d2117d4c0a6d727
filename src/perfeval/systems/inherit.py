"""Resolving `extends`: a system lists only the nodes it adds or replaces.

An entry whose `code` exists in the base replaces that node and its whole subtree in place; an
entry with a new code is appended under the node named by its `parent` key (or at level 1 without
one). Header fields not given (total, weighting, basis, version) are inherited. The base is looked
up next to the extending file first, then in `systems_dir()`.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from pathlib import Path

from .locate import available_ids, find_system_file, systems_dir
from .yaml_reader import read_yaml


def code_of(node) -> str | None:
    code = node.get("code") if isinstance(node, Mapping) else None
    if isinstance(code, bool) or not isinstance(code, (str, int)):
        return None
    code = str(code).strip()
    return code or None


def tag_of(node: Mapping) -> str:
    name = node.get("name") if isinstance(node.get("name"), str) else ""
    label = " ".join(filter(None, [code_of(node), name]))
    return f"〔{label}〕" if label else ""


def load_base(base_id: str, source: str, stack: tuple[str, ...], check: Callable):
    """(resolved base data or None, problems) for the id named in `extends`.

    `check(data, source, stack)` validates the base (and resolves its own `extends`).
    """
    if base_id in stack:
        chain = " → ".join(stack + (base_id,))
        return None, [f"extends: 循环继承 (circular extends)：{chain}"]
    near = Path(source).parent if source else None
    path = find_system_file(base_id, near)
    if path is None:
        known = "、".join(available_ids()) or f"{systems_dir()} 下没有体系文件"
        return None, [f"extends: 未找到被继承的体系 '{base_id}'（可用：{known}）(unknown system)"]
    data, problems = read_yaml(path)
    merged = None
    if not problems:
        problems, merged = check(data, str(path), stack)
    if problems:
        return None, [f"extends: 被继承的体系 {base_id}（{path}）有 {len(problems)} 处问题，须先修正 "
                      f"(base system is invalid)；第一处：{problems[0]}"]
    return merged, []


def index_codes(nodes: list, parent: str | None = None, out: dict | None = None) -> dict:
    """code → (containing list, position, parent code) over a raw tree."""
    out = {} if out is None else out
    for i, node in enumerate(nodes):
        code = code_of(node)
        if code is not None and code not in out:
            out[code] = (nodes, i, parent)
        children = node.get("children") if isinstance(node, Mapping) else None
        if isinstance(children, list):
            index_codes(children, code, out)
    return out


def merge(base: Mapping, child: Mapping) -> tuple[dict, list[str]]:
    merged = copy.deepcopy(dict(base))
    for key in ("id", "title", "kind", "sector", "extends"):
        merged[key] = child.get(key)
    for key in ("basis", "version", "total", "weighting"):
        if child.get(key) is not None:
            merged[key] = child[key]
    problems = []
    tree = merged["nodes"]
    for i, entry in enumerate(child.get("nodes") or []):
        code = code_of(entry)
        if code is None:
            continue  # reported by the structure phase
        node = {k: copy.deepcopy(v) for k, v in entry.items() if k != "parent"}
        parent = entry.get("parent")
        parent = None if parent is None else str(parent)
        index = index_codes(tree)
        if code in index:
            container, position, current_parent = index[code]
            if parent is not None and parent != current_parent:
                problems.append(f"nodes[{i}].parent: 节点 {code} 在被继承体系中位于 "
                                f"{current_parent or '第一级'} 之下，不能改到 {parent} 之下 "
                                f"(replacement cannot move a node)")
                continue
            container[position] = node
        elif parent is None:
            tree.append(node)
        elif parent in index:
            container, position, _ = index[parent]
            host = container[position]
            if not isinstance(host.get("children"), list):
                host["children"] = []
            host["children"].append(node)
        else:
            problems.append(f"nodes[{i}].parent: 未找到上级节点 '{parent}' (parent code not found)"
                            f"{tag_of(entry)}")
    return merged, problems
