"""Named roll-up rules: how a department's indicator rows follow from its units' rows (dept-overall.md §5, §8.5).

The published rule (湖北, printed on the department form [D13]): "定量指标: 绝对值直接累加计算, 相对值按照资金额度
加权平均计算; 定量指标先汇总完成数, 再计算得分. 定性指标: 汇总时以资金额度为权重, 对分值进行加权平均计算."
So by measure: ``amount`` → sum; ``rate`` → money-weighted mean (``ratio_of_sums``: the formula recomputed on
the summed data sheet, an option); ``qualitative`` → money-weighted mean of the units' score shares. Order:
``aggregate_first`` (the published default) or ``score_first`` (score every unit, then the money-weighted mean
of their score shares). "资金额度" is ambiguous: the weight is 全年预算数 by default, 全年执行数 as an option
(§8.9). The rule's :meth:`RollupRule.describe` text is printed in every result.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from ..errors import InputError

WEIGHTS = MappingProxyType({"budget_full_year": "全年预算数", "spent": "全年执行数"})
ORDERS = MappingProxyType({"aggregate_first": "先汇总完成数，再计算得分", "score_first": "先逐单位计分，再按资金额度加权平均"})
RATE_RULES = MappingProxyType({"money_weighted": "相对值按资金额度加权平均", "ratio_of_sums": "相对值按汇总后的分子/分母重新计算"})


@dataclass(frozen=True)
class RollupRule:
    """A named roll-up rule: money weight, order, and how rates are combined."""

    name: str = "aggregate_first"
    weight: str = "budget_full_year"
    order: str = "aggregate_first"
    rates: str = "money_weighted"

    def __post_init__(self):
        for value, table, what in ((self.weight, WEIGHTS, "weight"), (self.order, ORDERS, "order"),
                                   (self.rates, RATE_RULES, "rates")):
            if value not in table:
                raise InputError(f"汇总规则的 {what} 不可用 (unknown roll-up {what})", expected=" / ".join(table),
                                 found=value)

    def describe(self) -> str:
        """The rule as printed in every result (Chinese)."""
        return (f"汇总规则 {self.name}：{ORDERS[self.order]}；绝对值直接累加；{RATE_RULES[self.rates]}"
                f"（无分子分母的相对值按资金额度加权平均）；定性指标以资金额度为权重对得分率加权平均；"
                f"资金额度 = {WEIGHTS[self.weight]}；各单位独有指标的分值按其资金占比计入部门")


ROLLUP_RULES = MappingProxyType({
    "aggregate_first": RollupRule(),
    "score_first": RollupRule(name="score_first", order="score_first"),
    "ratio_of_sums": RollupRule(name="ratio_of_sums", rates="ratio_of_sums"),
    "spent_weighted": RollupRule(name="spent_weighted", weight="spent"),
})


def get_rule(rule: "str | RollupRule | None") -> RollupRule:
    """A rule by name (or the rule itself; None = the default)."""
    if rule is None:
        return ROLLUP_RULES["aggregate_first"]
    if isinstance(rule, RollupRule):
        return rule
    if rule not in ROLLUP_RULES:
        raise InputError("未知的汇总规则 (unknown roll-up rule)", expected=" / ".join(ROLLUP_RULES), found=rule)
    return ROLLUP_RULES[rule]
