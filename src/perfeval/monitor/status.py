"""Where every project stands at a monitoring date (运行监控状态): execution, schedule, light, roll-ups.

``status(payments, budgets, as_of)`` → :class:`Status`. Per project: spent to date (payments of
months 1…as_of), budget, execution rate = spent / budget, the time-elapsed share (序时进度; by
default the straight line month / 12, or a bureau's own cumulative schedule of twelve shares),
the progress index = rate ÷ time share, and the light (绿灯 ≥ 80 %, 黄灯 60–80 %, 红灯 < 60 % of the
schedule by default, compared through :mod:`perfeval.compare`). Projects paid from 直达资金 (a
``direct_funds`` column of the budgets) are marked, and those of them not green are singled out
for closer watch (重点监控). Department roll-ups add budgets and payments up and light the sums.
A project without budget (0) has no rate and no light ("—"); one that nevertheless spent (无预算有支出)
is singled out for closer watch with that reason, and its spending is left out of the department
and city rates (their ``spent`` is the spending of budgeted projects; ``unbudgeted_spent`` apart).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import compare
from ..errors import InputError, Location
from .data import _payment_matrix, flags, labels, parse_as_of
from .schedule import DEFAULT_LIGHTS, LIGHT_LABELS, STRAIGHT_LINE

NO_LIGHT = "—"
SCHEDULES = {"straight-line": "直线序时进度：月份 ÷ 12"}


@dataclass(frozen=True)
class StatusSettings:
    """The conventions of :func:`status` (every one printed with the result)."""

    lights: tuple = DEFAULT_LIGHTS          # (green from, yellow from) as shares of the schedule
    # None: the data folder's monitoring/schedule.csv if there is one, else the straight line;
    # "straight-line" (month / 12), or twelve cumulative shares (a bureau's own 序时进度 table)
    schedule: object = None
    budget_column: str = "budget_initial"
    direct_watch: bool = True               # 直达资金 projects below green are singled out

    def time_shares(self) -> np.ndarray:
        """The cumulative time-elapsed share at the end of each month 1…12."""
        if self.schedule is None or isinstance(self.schedule, str):
            if self.schedule is not None and self.schedule not in SCHEDULES:
                raise InputError("未知的序时进度口径 (unknown schedule)", where=Location(path="schedule"),
                                 expected=" / ".join(SCHEDULES) + " 或 12 个累计比例", found=self.schedule)
            return STRAIGHT_LINE
        shares = np.asarray(self.schedule, dtype=float)
        if shares.shape != (12,) or not np.isfinite(shares).all() or (shares <= 0).any() \
                or (np.diff(shares) < 0).any() or not compare.le(shares[-1], 1.0):
            raise InputError("序时进度须为 12 个递增的累计比例，末月不超过 1 (schedule)",
                             where=Location(path="schedule"), expected="如 [1/12, 2/12, …, 1]",
                             found=list(np.atleast_1d(shares)))
        return shares

    def check(self) -> "StatusSettings":
        green, yellow = self.lights
        if not (0 <= yellow <= green):
            raise InputError("预警灯阈值须满足 0 ≤ 黄灯下限 ≤ 绿灯下限 (lights)", where=Location(path="lights"),
                             expected="如 (0.8, 0.6)", found=self.lights)
        self.time_shares()
        return self

    def describe_schedule(self) -> str:
        if self.schedule is None or isinstance(self.schedule, str):
            return SCHEDULES[self.schedule or "straight-line"]
        # as typed, to two decimals of a percent: 12.5 % must not print as "12%"
        return "自定义序时进度：" + "、".join(f"{i + 1}月 " + f"{s * 100:.2f}".rstrip("0").rstrip(".") + "%"
                                        for i, s in enumerate(self.time_shares()))


def light_of(progress, lights=DEFAULT_LIGHTS) -> np.ndarray:
    """绿灯 / 黄灯 / 红灯 for progress values (NaN → "—"), bounds inclusive, via :mod:`perfeval.compare`."""
    p = np.asarray(progress, dtype=float)
    idx = compare.band_index(np.nan_to_num(p, nan=-np.inf), list(lights))
    out = np.asarray(LIGHT_LABELS, dtype=object)[idx]
    return np.where(np.isnan(p), NO_LIGHT, out)


@dataclass(frozen=True)
class Status:
    """Result of :func:`status`: ``projects`` (one row a project), ``departments`` (roll-ups), ``city``."""

    year: int | None
    month: int
    projects: pd.DataFrame
    departments: pd.DataFrame
    city: dict
    settings: StatusSettings = field(default_factory=StatusSettings)

    @property
    def time_share(self) -> float:
        return float(self.settings.time_shares()[self.month - 1])

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月底" if self.year else f"{self.month}月底"

    def light_counts(self, by: str | None = None) -> pd.DataFrame:
        """Projects per light (绿灯, 黄灯, 红灯, and — for no budget), city-wide or per ``by``."""
        p = self.projects
        order = list(LIGHT_LABELS) + ([NO_LIGHT] if (p["light"] == NO_LIGHT).any() else [])
        if by is None:
            return p["light"].value_counts().reindex(order, fill_value=0).rename_axis("light").reset_index(
                name="n")
        return pd.crosstab(p[by], pd.Categorical(p["light"], order)).reindex(columns=order, fill_value=0)

    @property
    def closer_watch(self) -> pd.DataFrame:
        """直达资金 projects that are not green (the seed's 重点监控)."""
        return self.projects[self.projects["closer_watch"]].reset_index(drop=True)

    @property
    def unbudgeted(self) -> pd.DataFrame:
        """Projects without budget that spent (无预算有支出)."""
        return self.projects[self.projects["no_budget_spent"]].reset_index(drop=True)

    def conventions(self) -> dict:
        s = self.settings
        green, yellow = s.lights
        return {
            "监控时点": self.label,
            "执行率": f"截至{self.month}月底累计支付 ÷ 预算数（{'年初预算数' if s.budget_column == 'budget_initial' else s.budget_column}）",
            "序时进度": f"{s.describe_schedule()}；{self.month}月底为 {self.time_share:.2%}",
            "进度比": "执行率 ÷ 序时进度",
            "预警灯": f"绿灯：进度比 ≥ {green:.0%}；黄灯：{yellow:.0%} ≤ 进度比 < {green:.0%}；红灯：进度比 < {yellow:.0%}；"
                   "无预算的项目不亮灯",
            "无预算有支出": "预算数为 0 而有支出的项目不亮灯、列为重点监控，其支出不计入部门和全市执行率",
            "直达资金": "直达资金项目单列；未亮绿灯的列为重点监控" if s.direct_watch else "直达资金项目单列",
            "部门汇总": "部门各项目预算数与累计支付分别加总后计算执行率、进度比和预警灯",
            "比较精度": compare.DESCRIPTION,
        }

    def summary(self) -> str:
        c = self.light_counts().set_index("light")["n"]
        own = "" if self.settings.schedule is None or isinstance(self.settings.schedule, str) else "（自定义序时进度）"
        text = (f"截至{self.label}，{len(self.projects)} 个项目预算 {self.city['budget'] / 1e4:,.2f} 万元，累计支付 "
                f"{self.city['spent'] / 1e4:,.2f} 万元，执行率 {self.city['rate']:.2%}，序时进度 {self.time_share:.2%}{own}；"
                f"绿灯 {c.get('绿灯', 0)} 个、黄灯 {c.get('黄灯', 0)} 个、红灯 {c.get('红灯', 0)} 个")
        n_direct = int(self.projects["direct_funds"].sum())
        if n_direct:
            text += f"；直达资金项目 {n_direct} 个，其中未亮绿灯 {int(self.projects['direct_watch'].sum())} 个"
        u = self.unbudgeted
        if len(u):
            text += (f"；另有无预算有支出的项目 {len(u)} 个、支出 {u['spent'].sum() / 1e4:,.2f} 万元，列为重点监控，"
                     "未计入执行率")
        return text + "。"

    def department_table(self) -> pd.DataFrame:
        """The department roll-ups with Chinese headers, money in 万元, rates as percentages."""
        from .. import display as fmt

        d = self.departments
        return pd.DataFrame({"主管部门": d["department"], "项目数": d["n_projects"], "预算数（万元）": d["budget"].map(fmt.wan),
                             "累计支付（万元）": d["spent"].map(fmt.wan), "执行率": d["rate"].map(fmt.pct),
                             "进度比": d["progress"].map(fmt.pct), "预警": d["light"], "红灯": d["n_red"],
                             "黄灯": d["n_yellow"], "绿灯": d["n_green"], "直达资金项目": d["n_direct"]})

    def _repr_html_(self) -> str:
        from ..display import escape_html, table_html

        return f"<b>运行监控状态</b>（{escape_html(self.summary())}）" + table_html(self.department_table())


def _rollup(p: pd.DataFrame, time_share: float, lights) -> pd.DataFrame:
    g = p.assign(counted=np.where(p["no_budget_spent"], 0.0, p["spent"]),
                 unbudgeted=np.where(p["no_budget_spent"], p["spent"], 0.0)).groupby("department", sort=True)
    d = g.agg(n_projects=("project_id", "size"), budget=("budget", "sum"), spent=("counted", "sum"),
              unbudgeted_spent=("unbudgeted", "sum"), n_direct=("direct_funds", "sum")).reset_index()
    counts = pd.crosstab(p["department"], p["light"])
    for label, col in zip(LIGHT_LABELS, ("n_green", "n_yellow", "n_red")):
        d[col] = d["department"].map(counts[label] if label in counts else pd.Series(dtype=int)).fillna(0).astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        d["rate"] = np.where(d["budget"] > 0, d["spent"] / d["budget"], np.nan)
    d["progress"] = d["rate"] / time_share
    d["light"] = light_of(d["progress"], lights)
    d["n_direct"] = d["n_direct"].astype(int)
    return d


def status(payments: pd.DataFrame, budgets: pd.DataFrame, as_of, settings: StatusSettings | None = None,
           **overrides) -> Status:
    """Every project's execution at the end of month ``as_of`` ("2021-06", "2021年6月", 6) against the
    schedule, its light, 直达资金 marks and department roll-ups. ``overrides``: fields of
    :class:`StatusSettings` (``lights=(0.85, 0.6)``, ``schedule=[…]``)."""
    s = (settings or StatusSettings())
    if overrides:
        from dataclasses import replace

        s = replace(s, **overrides)
    s = s.check()
    year, month = parse_as_of(as_of)
    ids, budget, matrix = _payment_matrix(payments, budgets, s.budget_column)
    spent = matrix[:, :month].sum(axis=1)
    time_share = float(s.time_shares()[month - 1])
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(budget > 0, spent / budget, np.nan)
    progress = rate / time_share
    names, departments = labels(budgets, ids)
    p = pd.DataFrame({
        "project_id": ids, "project_name": names, "department": departments,
        "direct_funds": flags(budgets.reset_index(drop=True), "direct_funds"),
        "budget": budget, "spent": spent, "rate": rate, "time_share": time_share, "progress": progress,
        "light": light_of(progress, s.lights)})
    p["direct_watch"] = p["direct_funds"] & (p["light"] != LIGHT_LABELS[0]) & (p["light"] != NO_LIGHT) \
        & s.direct_watch
    p["no_budget_spent"] = ~(budget > 0) & compare.gt(spent, 0)
    p["closer_watch"] = p["direct_watch"] | p["no_budget_spent"]
    p["watch_reason"] = np.where(p["no_budget_spent"], "无预算有支出", np.where(p["direct_watch"], "直达资金未亮绿灯", ""))
    total_budget, total_spent = float(budget.sum()), float(spent[budget > 0].sum())
    city_rate = total_spent / total_budget if total_budget > 0 else float("nan")
    city = {"budget": total_budget, "spent": total_spent, "rate": city_rate, "progress": city_rate / time_share,
            "unbudgeted_spent": float(spent[~(budget > 0)].sum()),
            "light": str(light_of([city_rate / time_share], s.lights)[0])}
    return Status(year=year, month=month, projects=p, departments=_rollup(p, time_share, s.lights), city=city,
                  settings=s)


__all__ = ["NO_LIGHT", "SCHEDULES", "Status", "StatusSettings", "light_of", "status"]
