"""The leaf scoring-rule kinds an indicator system may name, as data.

`RULE_KINDS` is the single source of truth for what a `rule:` entry in an indicator-system YAML may
say: each kind has a Chinese label, a one-line Chinese description, whether a rule computes a
reference score or a person judges the row, and the parameters it accepts (type, default,
constraints). The scoring module reads the same table to know what to compute; this module only
describes and checks rules, it never scores.

Sources for the formulas behind the kinds: domain.md §1.4 ([S3][S7][S9][S14][S17][S42]).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

# Param value types understood by `check_rule`.
PARAM_TYPES = {
    "number": "数值 (number)",
    "bool": "布尔值 true/false (boolean)",
    "choice": "取值之一 (one of a fixed set)",
    "bands": "分档列表 [[阈值, 得分比例], …] (list of [threshold, share])",
    "tiers": "定性档次 {full|partial|none: [下限比例, 上限比例]} (qualitative tiers)",
    "items": "检查项列表 [{name, points}, …] (checklist items)",
    "grades": "等级与得分比例 {优: 1.0, 良: 0.8, …} (grade label → share)",
}

SCORED_BY = {
    "rule": "按规则计算参考分 (reference score computed by rule)",
    "panel": "由评价组/专家评定 (judged by assessor or expert panel)",
    "inferred": "按指标值写法自动识别 (inferred from the target's operator)",
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


@dataclass(frozen=True)
class RuleKindSpec:
    """A rule kind: Chinese label, one-line Chinese description, who scores it, its parameters."""

    kind: str
    label: str
    description: str
    scored_by: str
    params: Mapping[str, ParamSpec] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def defaults(self) -> dict:
        """Parameters with their defaults (required ones without a default are left out)."""
        return {name: spec.default for name, spec in self.params.items()
                if spec.default is not None}


DEFAULT_TIERS = MappingProxyType({"full": (0.8, 1.0), "partial": (0.6, 0.8), "none": (0.0, 0.6)})
TIER_NAMES = MappingProxyType({"full": "达成年度指标", "partial": "部分达成并具有一定效果",
                               "none": "未达成且效果较差"})

_KINDS = [
    RuleKindSpec(
        "positive", "正向指标（≥）", "实际值达到或超过指标值得满分，未达到按 实际值/指标值×分值 计分",
        "rule"),
    RuleKindSpec(
        "reverse", "反向指标（≤）", "实际值不超过指标值得满分，超过时按所选方式递减",
        "rule",
        {"variant": ParamSpec(
            "choice", "linear：超出部分线性递减，达到指标值两倍时为0；ratio：得分 = 指标值/实际值×分值",
            default="linear", choices=("linear", "ratio"))}),
    RuleKindSpec(
        "equal", "等于指标（=）", "实际值等于指标值得满分；指标值为0时实际值≤0得满分，否则按正向计分",
        "rule"),
    RuleKindSpec(
        "qualitative", "定性指标", "按达成程度分档：达成 100%–80%、部分达成 80%–60%、未达成 60%–0% 的分值",
        "panel",
        {"tiers": ParamSpec(
            "tiers", "各档得分比例区间 {full: [0.8, 1.0], partial: [0.6, 0.8], none: [0.0, 0.6]}",
            default=DEFAULT_TIERS)}),
    RuleKindSpec(
        "binary", "是/否指标", "实际情况与指标值（是/否）一致得满分，否则不得分", "rule"),
    RuleKindSpec(
        "step", "分档计分", "实际值（或完成率）达到某一档阈值，得该档比例的分值；低于最低档不得分",
        "rule",
        {"bands": ParamSpec(
            "bands", "[[阈值, 得分比例], …]，阈值从高到低，比例在 0–1 之间且不递增", required=True),
         "on": ParamSpec(
            "choice", "actual：按实际值本身分档（与表中单位一致，95% 记为 95）；"
                      "rate：按完成率百分数 实际值/指标值×100 分档（100 = 恰好达标）",
            default="actual", choices=("actual", "rate"))}),
    RuleKindSpec(
        "deduction", "扣分计分", "以满分为起点，按偏离基准的幅度每单位扣固定分值（不足一个单位按比例），扣完为止",
        "rule",
        {"per_unit": ParamSpec("number", "每个单位偏离扣减的分值（>0）", required=True,
                               minimum=0.0, exclusive_minimum=True),
         "unit_size": ParamSpec("number", "一个单位的大小（>0，如 1 个百分点、1 件）", default=1.0,
                                minimum=0.0, exclusive_minimum=True),
         "direction": ParamSpec("choice", "over：超过基准扣分；under：低于基准扣分",
                                default="over", choices=("over", "under")),
         "limit": ParamSpec("number", "扣分基准值；不写时用该行的指标值（年度指标值）")}),
    RuleKindSpec(
        "checklist", "要点计分", "逐项检查评分要点，满足一项得该项分值，各项分值之和等于指标分值",
        "panel",
        {"items": ParamSpec("items", "[{name: 要点, points: 分值}, …]，分值之和须等于本指标分值",
                            required=True)}),
    RuleKindSpec(
        "execution", "预算执行率", "得分 = 执行率 × 分值（执行率 = 全年执行数/全年预算数），最高不超过分值",
        "rule",
        {"base": ParamSpec("choice", "执行率分母：full_year 全年预算数；initial 年初预算数",
                           default="full_year", choices=("full_year", "initial")),
         "cap": ParamSpec("bool", "得分是否以分值为上限", default=True)}),
    RuleKindSpec(
        "date", "时限指标", "在指标值规定的期限内完成得满分，逾期得 late_share × 分值",
        "rule",
        {"late_share": ParamSpec("number", "逾期完成时的得分比例（0–1）", default=0.0,
                                 minimum=0.0, maximum=1.0)}),
    RuleKindSpec(
        "expert", "专家评分", "由评价组或专家组直接评分，无规则参考分", "panel",
        {"grades": ParamSpec("grades", "可选：等级与得分比例，如 {优: 1.0, 良: 0.8, 中: 0.6, 差: 0.4}")}),
    RuleKindSpec(
        "auto", "按指标值自动识别", "按年度指标值的写法确定规则：≥ 正向、≤ 反向、= 等于、文字 定性、是/否、日期 时限",
        "inferred"),
]

RULE_KINDS: Mapping[str, RuleKindSpec] = MappingProxyType({k.kind: k for k in _KINDS})

# How an `auto` rule resolves, keyed by the target's parsed form (the `targets` module parses it).
AUTO_INFERENCE: Mapping[str, str] = MappingProxyType({
    "≥": "positive", "≤": "reverse", "=": "equal",
    "text": "qualitative", "yes_no": "binary", "date": "date",
})


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


def _check_tiers(value, path: str) -> list[str]:
    if not isinstance(value, Mapping) or not value:
        return [f"{path}: 须为映射 {{full: [下限, 上限], partial: …, none: …}} (must be a mapping)"]
    problems = []
    unknown = [k for k in value if k not in DEFAULT_TIERS]
    if unknown:
        problems.append(f"{path}: 未知的档次 {unknown}（可用 full、partial、none）(unknown tiers)")
    bounds = {}
    for name in DEFAULT_TIERS:
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
    merged = {**DEFAULT_TIERS, **bounds}
    if len(bounds) == sum(1 for k in value if k in DEFAULT_TIERS):
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


_STRUCTURED = {"bands": _check_bands, "tiers": _check_tiers, "items": _check_items,
               "grades": _check_grades}


def split_rule(raw) -> tuple[Any, dict]:
    """Split a raw `rule:` value into (kind, params). A bare string is a kind without params."""
    if isinstance(raw, str):
        return raw, {}
    if isinstance(raw, Mapping):
        params = {}
        for key, value in raw.items():
            if key == "kind":
                continue
            # YAML 1.1 loaders (yaml.safe_load) read the key `on` as boolean True.
            params["on" if key is True else key] = value
        return raw.get("kind"), params
    return None, {}


def check_rule(raw, path: str) -> list[str]:
    """Problems with one raw `rule:` value, each prefixed with its YAML path.

    Node-dependent consistency (checklist items summing to the node's points) is checked by the
    validator, which knows the node's resolved points.
    """
    if not isinstance(raw, (str, Mapping)):
        return [f"{path}: 须为映射 {{kind: …, 参数…}} 或规则名 (must be a mapping or a kind name)，"
                f"实际为 {raw!r}"]
    kind, params = split_rule(raw)
    if kind is None:
        return [f"{path}.kind: 缺少评分规则类型 (missing rule kind)"]
    if not isinstance(kind, str) or kind not in RULE_KINDS:
        return [f"{path}.kind: 未知的评分规则 '{kind}'（可用：{'、'.join(RULE_KINDS)}）(unknown rule kind)"]
    spec = RULE_KINDS[kind]
    problems = []
    for name in params:
        if name not in spec.params:
            allowed = "、".join(spec.params) or "无参数"
            problems.append(f"{path}.{name}: 规则 {kind} 不接受参数 '{name}'（可用：{allowed}）"
                            f"(unknown parameter)")
    for name, pspec in spec.params.items():
        where = f"{path}.{name}"
        if name not in params or params[name] is None:
            if pspec.required:
                problems.append(f"{where}: 规则 {kind} 缺少必填参数 {name}（{pspec.description}）"
                                f"(missing required parameter)")
            continue
        value = params[name]
        if pspec.type == "number":
            msg = _check_number(value, pspec)
            if msg:
                problems.append(f"{where}: {msg}")
        elif pspec.type == "bool":
            if not isinstance(value, bool):
                problems.append(f"{where}: 须为 true 或 false (must be a boolean)，实际为 {value!r}")
        elif pspec.type == "choice":
            if value not in pspec.choices:
                problems.append(f"{where}: 须为 {' / '.join(pspec.choices)} 之一 (must be one of them)，"
                                f"实际为 {value!r}")
        else:
            problems.extend(_STRUCTURED[pspec.type](value, where))
    return problems
