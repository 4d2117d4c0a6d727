"""The conclusion rules of an ex-ante assessment (事前绩效评估结论): named presets, inclusivity explicit.

No provincial text fixing the thresholds was retrieved (domain.md §3, §11): the rules are settings,
printed in every result and report. A rule is a list of descending lower bounds on the panel's
total, each inclusive (≥) or exclusive (>), with a conclusion label and an outcome per band. The
outcome is what later stages act on: ``support`` (予以支持 / 建议立项), ``partial`` (调整完善后支持)
and ``reject`` (不予支持 / 不予立项: no budget, domain.md §3 [S20][S21]).

Presets (:data:`THRESHOLDS`):

* ``default`` — 总分 ≥ 80 予以支持；60 ≤ 总分 < 80 部分支持（调整完善后支持）；总分 < 60 不予支持.
  Common practice, unverified (domain.md §3).
* ``local-60`` — a local rule "平均分 ≤ 60 分不予立项，> 60 分建议立项" (the rule of the published
  case cited in issue 10: five experts, mean 80 → 建议立项). 60 itself is 不予立项.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .. import compare
from ..errors import InputError

OUTCOMES = {"support": "支持", "partial": "调整完善后支持", "reject": "不予支持"}


@dataclass(frozen=True)
class ConclusionRule:
    """Bands on the total: ``lower_bounds`` descending, ``inclusive[i]`` says ≥ (True) or > (False);
    ``labels`` and ``outcomes`` have one entry per band (one more than the bounds)."""

    key: str
    title: str
    lower_bounds: tuple[float, ...]
    inclusive: tuple[bool, ...]
    labels: tuple[str, ...]
    outcomes: tuple[str, ...]
    source: str = ""

    def __post_init__(self):
        n = len(self.lower_bounds)
        if len(self.inclusive) != n:
            raise InputError("每个分界点须说明是否含等号 (one inclusive flag per bound)",
                             expected=f"{n} 个 True/False", found=self.inclusive)
        if len(self.labels) != n + 1 or len(self.outcomes) != n + 1:
            raise InputError("结论与结果的个数须比分界点多一个 (labels/outcomes: one more than bounds)",
                             expected=n + 1, found=f"结论 {len(self.labels)} 个，结果 {len(self.outcomes)} 个")
        if list(self.lower_bounds) != sorted(self.lower_bounds, reverse=True) or len(set(self.lower_bounds)) != n:
            raise InputError("分界点须从高到低排列且互不相同 (bounds must strictly descend)", found=self.lower_bounds)
        unknown = [o for o in self.outcomes if o not in OUTCOMES]
        if unknown:
            raise InputError("未知的结论类型 (unknown outcome)", expected=" / ".join(OUTCOMES), found=unknown)
        order = [list(OUTCOMES).index(o) for o in self.outcomes]
        if order != sorted(order):
            raise InputError("结论须随总分降低而不变好 (outcomes must not improve as the total falls)",
                             found=self.outcomes)

    def index(self, totals) -> np.ndarray:
        """Band of each total (0 = best), compared at the precision of :mod:`perfeval.compare`."""
        return compare.band_index(totals, self.lower_bounds, self.inclusive)

    def band_text(self, i: int) -> str:
        """The condition of band ``i`` in words: "总分 ≥ 80 分", "60 分 ≤ 总分 < 80 分", "总分 ≤ 60 分"."""
        def low(j):
            return f"{self.lower_bounds[j]:g} 分 {'≤' if self.inclusive[j] else '<'} 总分"

        def high(j):  # below bound j: < when j is inclusive, ≤ when exclusive
            return f"总分 {'<' if self.inclusive[j] else '≤'} {self.lower_bounds[j]:g} 分"

        if i == 0:
            return f"总分 {'≥' if self.inclusive[0] else '>'} {self.lower_bounds[0]:g} 分"
        if i == len(self.lower_bounds):
            return high(i - 1)
        return f"{low(i)} {high(i - 1).replace('总分 ', '')}"

    def describe(self) -> str:
        """Every band with its conclusion, e.g. "总分 ≥ 80 分：予以支持；…"."""
        return "；".join(f"{self.band_text(i)}：{label}" for i, label in enumerate(self.labels))


THRESHOLDS = {
    "default": ConclusionRule(
        key="default", title="通行做法（80 分以上予以支持，60–80 分部分支持，60 分以下不予支持）",
        lower_bounds=(80.0, 60.0), inclusive=(True, True),
        labels=("予以支持", "部分支持（调整完善后支持）", "不予支持"), outcomes=("support", "partial", "reject"),
        source="常见做法，作为可设置的默认规则（可按本省办法调整）"),
    "local-60": ConclusionRule(
        key="local-60", title="地方规定（平均分 60 分以下含 60 分不予立项，60 分以上建议立项）",
        lower_bounds=(60.0,), inclusive=(False,), labels=("建议立项", "不予立项"), outcomes=("support", "reject"),
        source="地方事前评估办法的规定“平均分≤60分不予立项，>60分建议立项”，见已公开的事前评估案例（5 名专家平均 80 分，建议立项）"),
}


def short_label(label) -> str:
    """A conclusion without its trailing parenthesis: "部分支持（调整完善后支持）" → "部分支持"."""
    return re.sub(r"（[^（）]*）$", "", str(label or ""))


def get_rule(thresholds) -> ConclusionRule:
    """A preset by key, a :class:`ConclusionRule`, or a dict of its fields (``key``/``title`` optional)."""
    if isinstance(thresholds, ConclusionRule):
        return thresholds
    if isinstance(thresholds, str):
        if thresholds not in THRESHOLDS:
            raise InputError("未知的结论规则 (unknown conclusion rule)", expected=" / ".join(THRESHOLDS),
                             found=thresholds)
        return THRESHOLDS[thresholds]
    if isinstance(thresholds, dict):
        fields = {"key": "custom", "title": "自定义规则", **thresholds}
        fields["lower_bounds"] = tuple(float(b) for b in fields.get("lower_bounds", ()))
        fields["inclusive"] = tuple(bool(b) for b in fields.get("inclusive", (True,) * len(fields["lower_bounds"])))
        fields["labels"] = tuple(fields.get("labels", ()))
        fields["outcomes"] = tuple(fields.get("outcomes", ()))
        return ConclusionRule(**fields)
    raise InputError("结论规则须为预设名称、ConclusionRule 或 dict (unsupported thresholds)",
                     expected=" / ".join(THRESHOLDS), found=type(thresholds).__name__)


__all__ = ["OUTCOMES", "THRESHOLDS", "ConclusionRule", "get_rule", "short_label"]
