"""Parameters of the rule kinds: their specification and the checks of the values written.

A rule in an indicator-system YAML (or a ``rule_params`` cell) names a kind and its parameters;
each parameter has a :class:`ParamSpec` (type, default, constraints) in the registry, and the
functions here say, in Chinese first, what is wrong with a value written for it.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .kinds import QUALITATIVE_TIERS

# Param value types understood by `check_value`.
PARAM_TYPES = {
    "number": "数值 (number)",
    "bool": "布尔值 true/false (boolean)",
    "choice": "取值之一 (one of a fixed set)",
    "bands": "分档列表 [[阈值, 得分比例], …] (list of [threshold, share])",
    "upper_bands": "反向分档列表 [[上限, 得分比例], …]，上限从低到高 (list of [upper bound, share], ascending)",
    "tiers": "定性档次 {full|basic|partial|none: [下限比例, 上限比例]} (qualitative tiers)",
    "items": "检查项列表 [{name, points}, …] (checklist items)",
    "grades": "等级与得分比例 {优: 1.0, 良: 0.8, …} (grade label → share)",
}


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a rule kind: its type, default and constraints."""

    type: str
    description: str
    default: Any = None
    required: bool = False
    choices: tuple = ()
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _fmt(value) -> str:
    return f"{value:g}" if _is_number(value) else repr(value)


def _check_number(value, spec: ParamSpec) -> str | None:
    if not _is_number(value):
        return f"须为数值 (must be a number)，实际为 {value!r}"
    if spec.minimum is not None:
        if spec.exclusive_minimum and not value > spec.minimum:
            return f"须大于 {spec.minimum:g} (must be > {spec.minimum:g})，实际为 {_fmt(value)}"
        if not spec.exclusive_minimum and value < spec.minimum:
            return f"不得小于 {spec.minimum:g} (must be ≥ {spec.minimum:g})，实际为 {_fmt(value)}"
    if spec.maximum is not None and value > spec.maximum:
        return f"不得大于 {spec.maximum:g} (must be ≤ {spec.maximum:g})，实际为 {_fmt(value)}"
    return None


def _share_ok(value) -> bool:
    return _is_number(value) and 0.0 <= value <= 1.0


def _check_bands(value, path: str) -> list[str]:
    if not isinstance(value, (list, tuple)) or not value:
        return [f"{path}: 须为非空列表 [[阈值, 得分比例], …] (must be a non-empty list of pairs)"]
    problems = []
    pairs = []
    for i, band in enumerate(value):
        if (not isinstance(band, (list, tuple)) or len(band) != 2
                or not all(_is_number(v) for v in band)):
            problems.append(f"{path}[{i}]: 须为 [阈值, 得分比例] 两个数值 (must be [threshold, share])，"
                            f"实际为 {band!r}")
            continue
        if not _share_ok(band[1]):
            problems.append(f"{path}[{i}]: 得分比例须在 0–1 之间 (share must be in [0, 1])，"
                            f"实际为 {_fmt(band[1])}")
        pairs.append(band)
    if len(pairs) == len(value):
        thresholds = [b[0] for b in pairs]
        shares = [b[1] for b in pairs]
        if any(a <= b for a, b in zip(thresholds, thresholds[1:])):
            problems.append(f"{path}: 阈值须从高到低排列 (thresholds must descend)，实际为 "
                            f"[{', '.join(_fmt(t) for t in thresholds)}]")
        if any(a < b for a, b in zip(shares, shares[1:])):
            problems.append(f"{path}: 得分比例须随阈值降低而不增加 (shares must not increase)，实际为 "
                            f"[{', '.join(_fmt(s) for s in shares)}]")
    return problems


def _check_upper_bands(value, path: str) -> list[str]:
    """Lower-is-better bands [[upper bound, share], …]: bounds ascending, shares not increasing."""
    if not isinstance(value, (list, tuple)) or not value:
        return [f"{path}: 须为非空列表 [[上限, 得分比例], …] (must be a non-empty list of pairs)"]
    problems = []
    for i, band in enumerate(value):
        if (not isinstance(band, (list, tuple)) or len(band) != 2
                or not all(_is_number(v) for v in band)):
            problems.append(f"{path}[{i}]: 须为 [上限, 得分比例] 两个数值 (must be [upper, share])，实际为 {band!r}")
        elif not _share_ok(band[1]):
            problems.append(f"{path}[{i}]: 得分比例须在 0–1 之间 (share must be in [0, 1])，实际为 {_fmt(band[1])}")
    if problems:
        return problems
    uppers = [b[0] for b in value]
    shares = [b[1] for b in value]
    if any(a >= b for a, b in zip(uppers, uppers[1:])):
        problems.append(f"{path}: 上限须从低到高排列 (upper bounds must ascend)，实际为 "
                        f"[{', '.join(_fmt(t) for t in uppers)}]")
    if any(a < b for a, b in zip(shares, shares[1:])):
        problems.append(f"{path}: 得分比例须随上限升高而不增加 (shares must not increase)，实际为 "
                        f"[{', '.join(_fmt(t) for t in shares)}]")
    return problems


def _check_tiers(value, path: str) -> list[str]:
    if not isinstance(value, Mapping) or not value:
        return [f"{path}: 须为映射 {{full: [下限, 上限], partial: …, none: …}} (must be a mapping)"]
    problems = []
    unknown = [k for k in value if k not in QUALITATIVE_TIERS]
    if unknown:
        problems.append(f"{path}: 未知的档次 {unknown}（可用 {'、'.join(QUALITATIVE_TIERS)}）(unknown tiers)")
    bounds = {}
    for name in QUALITATIVE_TIERS:
        if name not in value:
            continue
        pair = value[name]
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and all(_share_ok(v) for v in pair)):
            problems.append(f"{path}.{name}: 须为 [下限比例, 上限比例]，均在 0–1 之间 "
                            f"(must be [low, high] shares in [0, 1])，实际为 {pair!r}")
        elif pair[0] > pair[1]:
            problems.append(f"{path}.{name}: 下限不得大于上限 (low must not exceed high)，实际为 {pair!r}")
        else:
            bounds[name] = pair
    merged = {**{k: (t.low, t.high) for k, t in QUALITATIVE_TIERS.items()}, **bounds}
    if len(bounds) == sum(1 for k in value if k in QUALITATIVE_TIERS):
        if merged["full"][0] < merged["partial"][1] or merged["partial"][0] < merged["none"][1]:
            problems.append(f"{path}: 档次须按 full ≥ partial ≥ none 排列且不重叠 "
                            f"(tiers must be ordered and not overlap)")
    return problems


def _check_items(value, path: str) -> list[str]:
    if not isinstance(value, (list, tuple)) or not value:
        return [f"{path}: 须为非空列表 [{{name, points}}, …] (must be a non-empty list)"]
    problems = []
    for i, item in enumerate(value):
        where = f"{path}[{i}]"
        if not isinstance(item, Mapping):
            problems.append(f"{where}: 须为映射 {{name, points}} (must be a mapping)，实际为 {item!r}")
            continue
        extra = [k for k in item if k not in ("name", "points", "description")]
        if extra:
            problems.append(f"{where}: 未知的字段 {extra}（可用 name、points、description）(unknown fields)")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}.name: 缺少要点名称 (missing item name)")
        pts = item.get("points")
        if not _is_number(pts):
            problems.append(f"{where}.points: 须为数值 (must be a number)，实际为 {pts!r}")
        elif pts < 0:
            problems.append(f"{where}.points: 分值不得为负 (points must not be negative)，实际为 {_fmt(pts)}")
    return problems


def _check_grades(value, path: str) -> list[str]:
    if not isinstance(value, Mapping) or not value:
        return [f"{path}: 须为映射 {{等级: 得分比例}} (must be a mapping label → share)"]
    problems = []
    for label, share in value.items():
        if not isinstance(label, str) or not label.strip():
            problems.append(f"{path}: 等级名须为文字 (grade labels must be text)，实际为 {label!r}")
        if not _share_ok(share):
            problems.append(f"{path}.{label}: 得分比例须在 0–1 之间 (share must be in [0, 1])，"
                            f"实际为 {share!r}")
    return problems


_STRUCTURED = {"bands": _check_bands, "upper_bands": _check_upper_bands, "tiers": _check_tiers, "items": _check_items,
               "grades": _check_grades}


def check_value(value, spec: ParamSpec, where: str) -> list[str]:
    """Problems with one parameter value (an empty list when it is fine)."""
    if spec.type == "number":
        msg = _check_number(value, spec)
        return [f"{where}: {msg}"] if msg else []
    if spec.type == "bool":
        return [] if isinstance(value, bool) else [f"{where}: 须为 true 或 false (must be a boolean)，实际为 {value!r}"]
    if spec.type == "choice":
        return [] if value in spec.choices else [
            f"{where}: 须为 {' / '.join(spec.choices)} 之一 (must be one of them)，实际为 {value!r}"]
    return _STRUCTURED[spec.type](value, where)
