"""Scoring schemes: an indicator system bundled with every convention used to score it.

A scheme is immutable and named. Presets cover the variants seen in published self-evaluation
tables (real-tables.md): the MOF default, 20-point execution, execution left out, integer scores.
Build your own with ``Scheme(...)`` or ``get_scheme("mof-2020").replace(exec_points=20)``.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from .conventions import ROUNDINGS, GradeBands, check_rounding
from .errors import InputError
from .rules import DEFAULT_TIERS, tiers_from_bands


@dataclass(frozen=True)
class ReviewSettings:
    """Thresholds of the review (自评复核) checks; each is a named, printed convention."""

    tolerance: float = 0.01            # score differences up to this are rounding, not findings
    rate_tolerance: float = 0.00005    # |published − computed| 执行率 beyond this → RATE_MISMATCH
    low_exec_threshold: float = 0.80   # LOW_EXEC_ALL_MET below this execution rate
    too_easy_ratio: float = 1.5        # TARGET_TOO_EASY when actual ≥ ratio × target (≥ targets)
    money_tolerance: float = 1.0       # 元: totals row vs detail rows
    max_money: float = 1e12            # 元: an amount above this (1 万亿元) is refused for the project

    def describe(self) -> dict:
        return {
            "得分容差 (score tolerance)": f"{self.tolerance:g} 分",
            "执行率容差 (rate tolerance)": f"{self.rate_tolerance * 100:.4f}".rstrip("0").rstrip(".") + " 个百分点",
            "低执行阈值 (low execution threshold)": f"{self.low_exec_threshold:.0%}",
            "目标过低倍数 (too-easy ratio)": f"{self.too_easy_ratio:g} 倍",
            "金额容差 (money tolerance, 元)": f"{self.money_tolerance:g} 元",
            "金额上限 (largest plausible amount, 元)": f"{self.max_money:,.0f} 元",
        }


@dataclass(frozen=True)
class Scheme:
    """Everything that decides a score besides the data."""

    name: str = "mof-2020"
    title: str = "财政部项目支出绩效自评（财预〔2020〕10号）"
    system: str | None = "mof-2020-self"
    total_points: float = 100.0
    exec_points: float = 10.0
    exec_points_source: str = "form"       # "form": a form's own 分值 wins; "scheme": always exec_points
    exec_base: str = "full_year"           # 执行率 = 全年执行数 / 全年预算数 (or "initial": 年初预算数)
    score_rounding: str = "half_up_2dp"    # row scores (and the execution score unless exec_rounding is set)
    rate_rounding: str = "half_up_2dp"     # the 执行率 in percent (98.57 %) before it is used
    exec_rounding: str | None = None       # the execution score; None: as score_rounding
    blank_scores: str = "not_scored"       # a blank 得分 on a form that has awarded scores: "not_scored"
                                           # (no grade) or "rule" (the rule's reference score)
    headline: str = "reviewed"             # the total a report leads with: "reviewed" (复核后) or "self" (自评)
    implicit_op: str = ">="                # a target with no operator ("100%") is read as ≥
    implicit_op_zero: str = "="            # … except a zero target ("0起"): read as = (must stay at zero)
    reverse_variant: str = "linear"        # ≤ targets: "linear" (0 at 2t) or "ratio" (t/a)
    over_completion: tuple[float, float] | None = None   # (ratio above target, share deducted); off
    grades: GradeBands = field(default_factory=GradeBands)
    qualitative_tiers: dict = field(default_factory=lambda: dict(DEFAULT_TIERS))  # level → (low, high) share
    review: ReviewSettings = field(default_factory=ReviewSettings)

    def __post_init__(self):
        check_rounding(self.score_rounding)
        check_rounding(self.rate_rounding)
        if self.exec_rounding is not None:
            check_rounding(self.exec_rounding)
        if self.blank_scores not in ("not_scored", "rule"):
            raise InputError("空白得分的处理须为 not_scored 或 rule", found=self.blank_scores)
        if self.headline not in ("reviewed", "self"):
            raise InputError("报告采用的总分须为 reviewed（复核后得分）或 self（自评得分）", found=self.headline)
        if self.exec_base not in ("full_year", "initial"):
            raise InputError("执行率基数须为 full_year 或 initial", found=self.exec_base)
        if self.exec_points_source not in ("form", "scheme"):
            raise InputError("执行分值来源须为 form 或 scheme", found=self.exec_points_source)
        for op in (self.implicit_op, self.implicit_op_zero):
            if op not in (">=", "<=", "="):
                raise InputError("默认运算符须为 >=、<= 或 =", found=op)
        if self.reverse_variant not in ("linear", "ratio"):
            raise InputError("反向指标算法须为 linear 或 ratio", found=self.reverse_variant)
        if self.exec_points < 0 or self.exec_points > self.total_points:
            raise InputError("执行率分值须在 0 与总分之间", found=self.exec_points)

    def replace(self, **changes) -> "Scheme":
        return dataclasses.replace(self, **changes)

    @property
    def exec_score_rounding(self) -> str:
        """The rounding of the execution score (its own setting, or the row scores')."""
        return self.exec_rounding or self.score_rounding

    def conventions(self) -> dict:
        """Every convention, labelled in Chinese, for results and reports."""
        over = ("不扣分 (off)" if self.over_completion is None else
                f"超过目标 {self.over_completion[0]:.0%} 以上扣分值的 {self.over_completion[1]:.0%}")
        tiers = "；".join(f"{t.label}: 参考 {t.reference:.0%}，区间 {t.low:.0%}–{t.high:.0%}"
                         for t in tiers_from_bands(self.qualitative_tiers).values())
        return {
            "方案 (scheme)": self.name,
            "指标体系 (indicator system)": self.system,
            "满分 (total points)": self.total_points,
            "预算执行率分值 (execution points)": self.exec_points,
            "执行分值来源 (execution points source)": (
                "表内分值优先，表内未写时用方案分值 (form's own)"
                if self.exec_points_source == "form" else "统一使用方案分值 (scheme)"),
            "执行率基数 (execution base)": ("全年预算数" if self.exec_base == "full_year" else "年初预算数")
            + "（表内没有该列时用另一列，并予说明）",
            "执行率取舍 (rate rounding)": ROUNDINGS[self.rate_rounding],
            "得分取舍 (score rounding)": ROUNDINGS[self.score_rounding],
            "执行得分取舍 (execution score rounding)": ROUNDINGS[self.exec_score_rounding],
            "复核后得分 (reviewed score)": "自评得分高于评分规则允许的最高分时按最高分计；自评扣分予以保留",
            "报告采用的总分 (headline total)": "复核后得分" if self.headline == "reviewed" else "单位自评得分",
            "空白得分 (blank awarded score)": (
                "表内已有自评得分时，空白得分行记为未评分，不评定等级；全表均无自评得分时按规则计分"
                if self.blank_scores == "not_scored" else "空白得分按规则参考分计 (rule)"),
            "无运算符目标 (target without operator)": f"按 {self.implicit_op} 处理；目标值为 0 时按 {self.implicit_op_zero} 处理",
            "反向指标 (reverse rule)": ("线性递减，2倍目标值得0分 (linear)" if self.reverse_variant == "linear"
                                        else "目标值/实际值×分值 (ratio)"),
            "超额完成 (over-completion)": over,
            "定性指标档次 (qualitative tiers)": tiers,
            "评价等级 (grade bands)": self.grades.describe(),
            **{f"复核 {k}": v for k, v in self.review.describe().items()},
        }


SCHEMES: dict[str, Scheme] = {
    "mof-2020": Scheme(),
    "exec-20": Scheme(name="exec-20", title="预算执行20分（部分省级自评表：20分×执行率）", exec_points=20.0,
                      exec_points_source="scheme"),
    "exec-0": Scheme(name="exec-0", title="不计预算执行分（执行率不计入总分）", exec_points=0.0,
                     exec_points_source="scheme"),
    "int-scores": Scheme(name="int-scores", title="得分取整（四舍五入）", score_rounding="int"),
    "mof-2020-project": Scheme(name="mof-2020-project", title="部门/财政评价共性指标框架",
                               system="mof-2020-project", exec_points=0.0, exec_points_source="scheme",
                               blank_scores="rule"),
}


def get_scheme(scheme: "str | Scheme | None" = None, **overrides) -> Scheme:
    """A preset by name (or a Scheme as is), with field overrides applied."""
    if scheme is None:
        scheme = "mof-2020"
    if isinstance(scheme, Scheme):
        base = scheme
    else:
        if scheme not in SCHEMES:
            raise InputError("未知的评分方案 (unknown scheme)", expected=" / ".join(SCHEMES), found=scheme)
        base = SCHEMES[scheme]
    overrides = {k: v for k, v in overrides.items() if v is not None}
    return base.replace(**overrides) if overrides else base
