"""The rule registry: every leaf scoring-rule kind, as data, with the function that scores it.

`RULE_KINDS` is the single source of truth for what a `rule:` entry in an indicator-system YAML (or
a ``rule`` column of the indicator-row frame) may say: each kind has a Chinese label, a one-line
Chinese description, whether a rule computes a reference score or a person judges the row, the
parameters it accepts (type, default, constraints) and its vectorised scoring function
(:mod:`perfeval.rules.kinds`). `apply_rules` scores through this table; the systems validator
checks rules against it; the indicators README documents it.

Sources for the formulas behind the kinds: domain.md §1.4 ([S3][S7][S9][S14][S17][S42]).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from . import kinds as K
from . import kinds_dept as KD
from .params import ParamSpec, check_value

SCORED_BY = {
    "rule": "按规则计算参考分 (reference score computed by rule)",
    "panel": "由评价组/专家评定 (judged by assessor or expert panel)",
    "inferred": "按指标值写法自动识别 (inferred from the target's operator)",
}


@dataclass(frozen=True)
class RuleKindSpec:
    """A rule kind: Chinese label, one-line Chinese description, who scores it, its parameters and
    its scoring function ``score(RuleInput, params) -> (reference, low, high, met)`` (None where
    people judge the row, or where the kind is resolved before scoring)."""

    kind: str
    label: str
    description: str
    scored_by: str
    params: Mapping[str, ParamSpec] = field(default_factory=dict)
    score: Callable | None = None

    def __post_init__(self):
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def defaults(self) -> dict:
        """Parameters with their defaults (required ones without a default are left out)."""
        return {name: spec.default for name, spec in self.params.items()
                if spec.default is not None}


DEFAULT_TIERS = MappingProxyType({k: (t.low, t.high) for k, t in K.QUALITATIVE_TIERS.items()})

_KINDS = [
    RuleKindSpec(
        "positive", "正向指标（≥）", "实际值达到或超过指标值得满分，未达到按 实际值/指标值×分值 计分",
        "rule", score=K.positive),
    RuleKindSpec(
        "reverse", "反向指标（≤）", "实际值不超过指标值得满分，超过时按所选方式递减",
        "rule",
        {"variant": ParamSpec(
            "choice", "linear：超出部分线性递减，达到指标值两倍时为0；ratio：得分 = 指标值/实际值×分值",
            default="linear", choices=("linear", "ratio"))}, score=K.reverse),
    RuleKindSpec(
        "equal", "等于指标（=）", "实际值等于指标值得满分；指标值为0时实际值≤0得满分，否则按正向计分",
        "rule", score=K.equal),
    RuleKindSpec(
        "qualitative", "定性指标",
        "按达成程度分档：达成 100%–80%（基本达成取 80%）、部分达成 80%–60%、未达成 60%–0% 的分值",
        "panel",
        {"tiers": ParamSpec(
            "tiers", "各档得分比例区间 {full: [0.8, 1.0], basic: [0.8, 1.0], partial: [0.6, 0.8], none: [0.0, 0.6]}",
            default=DEFAULT_TIERS)}, score=K.qualitative),
    RuleKindSpec(
        "binary", "是/否指标", "实际情况与指标值（是/否）一致得满分，否则不得分", "rule", score=K.binary),
    RuleKindSpec(
        "step", "分档计分", "实际值（或完成率）达到某一档阈值，得该档比例的分值；低于最低档不得分",
        "rule",
        {"bands": ParamSpec(
            "bands", "[[阈值, 得分比例], …]，阈值从高到低，比例在 0–1 之间且不递增", required=True),
         "on": ParamSpec(
            "choice", "actual：按实际值本身分档（与表中单位一致，95% 记为 95）；"
                      "rate：按完成率百分数 实际值/指标值×100 分档（100 = 恰好达标）",
            default="actual", choices=("actual", "rate"))}, score=K.step),
    RuleKindSpec(
        "deduction", "扣分计分", "以满分为起点，按偏离基准的幅度每单位扣固定分值（不足一个单位按比例），扣完为止",
        "rule",
        {"per_unit": ParamSpec("number", "每个单位偏离扣减的分值（>0）", required=True,
                               minimum=0.0, exclusive_minimum=True),
         "unit_size": ParamSpec("number", "一个单位的大小（>0，如 1 个百分点、1 件）", default=1.0,
                                minimum=0.0, exclusive_minimum=True),
         "direction": ParamSpec("choice", "over：超过基准扣分；under：低于基准扣分",
                                default="over", choices=("over", "under")),
         "limit": ParamSpec("number", "扣分基准值；不写时用该行的指标值（年度指标值）"),
         "whole_units": ParamSpec("bool", "true：只按完整的单位扣分（如“每低于5%扣2分”，低 7 个百分点扣一次）；"
                                          "false 或不写：不足一个单位按比例扣"),
         "zero_above": ParamSpec("number", "偏离超过该值时本项不得分（可选）", minimum=0.0)}, score=K.deduction),
    RuleKindSpec(
        "checklist", "要点计分", "逐项检查评分要点，满足一项得该项分值，各项分值之和等于指标分值",
        "panel",
        {"items": ParamSpec("items", "[{name: 要点, points: 分值}, …]，分值之和须等于本指标分值",
                            required=True)}, score=K.checklist),
    RuleKindSpec(
        "execution", "预算执行率", "得分 = 执行率 × 分值（执行率 = 全年执行数/全年预算数），最高不超过分值",
        "rule",
        {"base": ParamSpec("choice", "执行率分母：full_year 全年预算数；initial 年初预算数",
                           default="full_year", choices=("full_year", "initial")),
         "cap": ParamSpec("bool", "得分是否以分值为上限", default=True)}),  # scored per project: scoring._totals
    RuleKindSpec(
        "date", "时限指标", "在指标值规定的期限内完成得满分，逾期得 late_share × 分值",
        "rule",
        {"late_share": ParamSpec("number", "逾期完成时的得分比例（0–1）", default=0.0,
                                 minimum=0.0, maximum=1.0)}, score=K.date),
    RuleKindSpec(
        "expert", "专家评分", "由评价组或专家组直接评分，无规则参考分", "panel",
        {"grades": ParamSpec("grades", "可选：等级与得分比例，如 {优: 1.0, 良: 0.8, 中: 0.6, 差: 0.4}")}),
    RuleKindSpec(
        "step_reverse", "反向分档计分", "数值越低越好：不超过某一档上限（含上限）得该档比例的分值；超过最高一档上限不得分",
        "rule",
        {"bands": ParamSpec(
            "upper_bands", "[[上限, 得分比例], …]，上限从低到高，比例在 0–1 之间且不递增", required=True),
         "on": ParamSpec(
            "choice", "actual：按实际值本身分档；rate：按 实际值/指标值×100 分档", default="actual",
            choices=("actual", "rate"))}, score=KD.step_reverse),
    RuleKindSpec(
        "per_event", "按次扣分", "以满分为起点，每发生一次（如一处违规）扣固定分值，扣完为止；实际值为次数",
        "rule",
        {"per_event": ParamSpec("number", "每次扣减的分值（>0）", required=True, minimum=0.0,
                                exclusive_minimum=True)}, score=KD.per_event),
    RuleKindSpec(
        "linear_penalty", "线性扣减", "得分 = (1 − 系数 × 实际值/比例基数) × 分值，不低于 0；实际值超过上限时不得分",
        "rule",
        {"factor": ParamSpec("number", "系数（>0），如“(1 − 10 × 调剂数/年初预算数) × 分值”中的 10", required=True,
                             minimum=0.0, exclusive_minimum=True),
         "scale": ParamSpec("number", "实际值的比例基数：100 表示实际值以百分数记（8% 记为 8）", default=100.0,
                            minimum=0.0, exclusive_minimum=True),
         "zero_above": ParamSpec("number", "实际值超过该值时不得分（可选，与实际值同单位）")},
        score=KD.linear_penalty),
    RuleKindSpec(
        "share_met", "项目指标完成比例", "得分 = 分值 × 部门所属项目数量指标中完成的个数/全部个数；"
                                   "未完成或超过指标值过多（超出完成区间）均视为未完成；实际值为完成比例（%）",
        "rule",
        {"over_limit": ParamSpec("number", "完成区间上限（实际值/指标值），超过视为未完成，默认 1.3（超 30%）",
                                 default=1.3, minimum=1.0)}, score=KD.share_met),
    RuleKindSpec(
        "coefficient", "得分系数", "指标得分 = 指标权重（分值）× 得分系数；实际值为得分系数（%），按 0–100% 截取",
        "rule", score=KD.coefficient),
    RuleKindSpec(
        "auto", "按指标值自动识别", "按年度指标值的写法确定规则：≥ 正向、≤ 反向、= 等于、文字 定性、是/否、日期 时限",
        "inferred"),
]

RULE_KINDS: Mapping[str, RuleKindSpec] = MappingProxyType({k.kind: k for k in _KINDS})

# How an `auto` rule resolves, keyed by the target's parsed form (`perfeval.rules.apply.infer_kind`
# implements it; the targets module parses the form).
AUTO_INFERENCE: Mapping[str, str] = MappingProxyType({
    "≥": "positive", "≤": "reverse", "=": "equal", "no operator": "positive",
    "text": "qualitative", "yes_no": "binary", "date": "date",
})

def split_rule(raw) -> tuple[object, dict]:
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
        problems.extend(check_value(params[name], pspec, where))
    return problems
