"""Reading indicator-system YAML: safe loading, YAML 1.2 booleans, duplicate keys, and syntax
errors reported with line and column instead of a traceback."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):
    """Safe loader with YAML 1.2 booleans (so `on:`/`yes`/`no` stay text) that records duplicate
    keys instead of silently keeping the last one."""

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicates: list[tuple[object, int, int]] = []

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                if key in seen:
                    mark = key_node.start_mark
                    self.duplicates.append((key, mark.line + 1, mark.column + 1))
                seen.add(key)
            except TypeError:  # unhashable key: the constructor below reports it
                pass
        return super().construct_mapping(node, deep=deep)


_BOOL_TAG = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def read_yaml(path) -> tuple[object, list[str]]:
    """(data, problems) of a YAML file; syntax errors come back with line and column."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [f"{path}: 文件不存在 (file not found)"]
    except UnicodeDecodeError as exc:
        return None, [f"{path}: 文件须为 UTF-8 编码 (file must be UTF-8)：第 {exc.start} 字节"]
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列 (line {mark.line + 1}, column " \
                f"{mark.column + 1})" if mark else "(位置未知)"
        what = "；".join(filter(None, [exc.context, exc.problem]))
        return None, [f"{where}: YAML 语法错误 (YAML syntax error)：{what}"]
    except yaml.YAMLError as exc:
        return None, [f"(文件): YAML 读取失败 (YAML error)：{exc}"]
    finally:
        loader.dispose()
    problems = [f"第 {line} 行第 {col} 列 (line {line}, column {col}): 重复的键 '{key}'，"
                f"后一个会覆盖前一个 (duplicate key)" for key, line, col in loader.duplicates]
    return data, problems
