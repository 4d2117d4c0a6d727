"""Monitoring at a date for a data folder: status, the checkpoint ledgers, forecast, 双监控, workbook.

``at(data_dir, as_of)`` → :class:`Ledgers`: the :func:`~perfeval.monitor.status` of every project,
the reminder list (提醒名单: the June checkpoint, once June is reached), the watch ledger
(重点关注台账: October's zero-spend projects, once October is reached), the forecast with its
backtest and the recovery proposals (收回建议, from November), and 双监控. A checkpoint lists the
projects as they stood at its month end, with where they stand now beside it. All of it is computed
from the data as known at the as-of month (:mod:`.view`): a June ledger is blind to July–December,
and before December its forecast is backtested on the history years only. ``to_xlsx`` writes
提醒名单 / 重点关注台账 / 收回建议 / 运行监控 / 双监控 / 监控设置 with Chinese headers, money in 万元
and rates as percentages; an empty list is a sheet with one sentence saying why.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .checkpoints import ACTIONS, DEFAULT_CHECKPOINTS, _check_checkpoints, checkpoint_lists
from .data import bureau_schedule, covered, parse_as_of
from .dual import Dual, DualSettings, dual
from .forecast import (Backtest, Forecast, ForecastSettings, RecoveryCheck, backtest, forecast, history_backtest,
                       recovery_backtest)
from .status import Status, StatusSettings, status
from .view import YearView, as_of_view


@dataclass(frozen=True)
class Ledgers:
    """Everything the monitoring of one date shows (see the module docstring)."""

    status: Status
    checkpoints: tuple
    lists: pd.DataFrame          # checkpoint lists reached by the date, with now-columns
    forecast: Forecast
    backtest: Backtest | None    # this year's (payments to December) or the history's year by year, else None
    dual: Dual
    view: YearView | None = None  # the data as known at the as-of month, which every figure comes from
    monthly: tuple = ()          # city-wide payments of months 1…12 (元); NaN after the as-of month (not known)
    last_month: int = 12         # the last month of payments the view holds (the as-of month)
    recovery_check: RecoveryCheck | None = None   # over-recovery of the proposals (year complete, proposals made)
    not_covered: tuple = ()      # projects of projects.csv without any payment row: left out, nothing concluded

    @property
    def coverage_note(self) -> str | None:
        """The sentence a dashboard says when the payments cover only some projects (None when all)."""
        if not self.not_covered:
            return None
        shown = "、".join(self.not_covered[:10]) + ("等" if len(self.not_covered) > 10 else "")
        return (f"资金支付数据只覆盖 {len(self.status.projects)} 个项目；{len(self.not_covered)} 个项目（{shown}）没有支付记录，"
                "未纳入本期监控，不作提醒、列入台账或收回的判断")

    @property
    def backtest_note(self) -> str:
        """How the forecast and the proposals were backtested, or why not (a Chinese sentence)."""
        if self.last_month < 12:
            why = (f"截至{self.last_month}月底，本年度尚无实际年底执行率（只用{self.last_month}月底以前的支付），"
                   "不做本年度回测")
            if self.backtest is None:
                return why + "；历史支付数据不足两个年度，也不做历史年度回测"
            return (why + f"，改为{self.backtest.source}，与该年度实际年底执行率相比")
        return ("回测用本年度各月底以前的支付预测年底执行率，与本年度全年实际支付（数据已到12月）相比"
                "（未按历史年度逐年回测）")

    @property
    def recovery_note(self) -> str | None:
        fc = self.forecast
        if not fc.proposes_recovery:
            return None
        if self.recovery_check is None:
            return f"截至{self.last_month}月底，本年度尚无全年实际支付，收回建议尚无法回测"
        return self.recovery_check.summary()

    @property
    def month(self) -> int:
        return self.status.month

    @property
    def label(self) -> str:
        return self.status.label

    def listed(self, action: str) -> pd.DataFrame:
        return self.lists[self.lists["action"] == action].reset_index(drop=True)

    @property
    def reminders(self) -> pd.DataFrame:
        return self.listed("remind")

    @property
    def watch(self) -> pd.DataFrame:
        return self.listed("watch")

    def node(self, action: str) -> int | None:
        """The month of the first checkpoint of ``action`` (None when there is none)."""
        months = [cp.month for cp in self.checkpoints if cp.action == action]
        return min(months) if months else None

    def pending(self, action: str) -> str | None:
        """A sentence when the checkpoint of ``action`` is not reached yet (None when it is)."""
        cps = [cp for cp in self.checkpoints if cp.action == action]
        if not cps:
            return f"未设置“{ACTIONS.get(action, action).split(' (')[0]}”的监控节点"
        if all(cp.month > self.month for cp in cps):
            return f"截至{self.label}，尚未到{min(cp.month for cp in cps)}月底监控节点"
        return None

    def conventions(self) -> dict:
        cps = "；".join(f"{cp.month}月底 {'仍未破零' if cp.min_progress == 0 else f'进度比 < {cp.min_progress:.0%}'} → "
                       f"{ACTIONS.get(cp.action, cp.action).split(' (')[0]}" for cp in self.checkpoints)
        extra = {"预测回测": self.backtest_note}
        if self.recovery_note:
            extra["收回建议回测"] = self.recovery_note
        return {**self.status.conventions(), "监控节点": cps, **self.forecast.conventions(), **extra,
                **{f"双监控·{k}": v for k, v in self.dual.conventions().items()}}

    def summary_lines(self) -> list[str]:
        """The short Chinese summary of the CLI and the dashboard."""
        lines = [self.status.summary()]
        rem = self.pending("remind")
        lines.append(rem + "，暂无提醒名单。" if rem else
                     f"提醒名单：{self.reminders['month'].iloc[0] if len(self.reminders) else 6}月底进度比低于下限的项目 "
                     f"{len(self.reminders)} 个，已提醒单位加快资金支付进度。")
        w = self.pending("watch")
        if w:
            lines.append(w + "，暂无重点关注台账。")
        else:
            node = min(cp.month for cp in self.checkpoints if cp.action == "watch")
            text = f"重点关注台账：{len(self.watch)} 个项目{node}月底仍未破零"
            if self.month > node and len(self.watch):
                text += f"，其中截至{self.label}仍为零支出的 {int((self.watch['cumulative_now'] <= 0).sum())} 个"
            lines.append(text + "。")
        lines.append(self.forecast.summary())
        if self.recovery_note:
            lines.append(self.recovery_note + "。")
        lines.append(self.dual.summary())
        return lines

    def _repr_html_(self) -> str:
        from .. import display as fmt

        return "<b>绩效运行监控</b>" + fmt.html_list(self.summary_lines(), ordered=False)

    def inputs_table(self) -> pd.DataFrame:
        """附录: each input file, the part of it the view used and the SHA-256 of that part."""
        return self.view.fingerprint() if self.view is not None else pd.DataFrame()

    def sheets(self) -> dict:
        """The workbook's sheets as frames (money in 万元, Chinese headers)."""
        from .sheets import workbook_frames

        return workbook_frames(self)

    def to_xlsx(self, path) -> Path:
        """The monitoring workbook; its date line is the as-of month (截至2021年6月底), never today."""
        from .sheets import write_workbook

        year = self.view.year if self.view is not None else None
        date = f"截至{f'{year}年' if year else ''}{self.last_month}月底"
        return write_workbook(self.sheets(), path, date=date)


def with_bureau_schedule(settings: StatusSettings | None, data_dir) -> StatusSettings | None:
    """``settings`` with the folder's own schedule (``monitoring/schedule.csv``) when they name none."""
    return with_schedule(settings, bureau_schedule(data_dir))


def with_schedule(settings: StatusSettings | None, shares) -> StatusSettings | None:
    """``settings`` with ``shares`` (a bureau's schedule, or None) when they name no schedule."""
    if settings is not None and settings.schedule is not None:
        return settings
    if shares is None:
        return settings
    return replace(settings or StatusSettings(), schedule=shares)


def at(data_dir: str | os.PathLike, as_of, checkpoints=DEFAULT_CHECKPOINTS, *,
       status_settings: StatusSettings | None = None, forecast_settings: ForecastSettings | None = None,
       dual_settings: DualSettings | None = None, backtest_months=(6, 10)) -> Ledgers:
    """Monitoring of the data folder at ``as_of`` (see the module docstring). The forecast is backtested
    at the ``backtest_months`` reached by the as-of month and at the as-of month itself (before December).

    Every stage function gets its frames from :func:`~perfeval.monitor.view.as_of_view`: nothing
    after the as-of month (payments, completion, year-end columns) is seen, and before December the
    forecast is backtested on the history years only. The folder's ``monitoring/schedule.csv`` (a
    bureau's own 序时进度) is used unless ``status_settings`` names a schedule ("straight-line" or
    twelve shares).
    """
    view = as_of_view(data_dir, as_of)
    payments, projects, month = view.payments, view.projects, view.month
    projects, not_covered = covered(payments, projects)  # no payment row at all: not covered, not zero
    status_settings = with_schedule(status_settings, view.schedule)
    cps = _check_checkpoints(checkpoints)
    st = status(payments, projects, as_of, status_settings)
    hist = (view.history_payments, view.history_budgets)
    fc = forecast(payments, projects, as_of, *hist, settings=forecast_settings)
    # the errors of the forecasts made by now: the backtest months reached and this month (not a later one)
    backtest_months = tuple(sorted({parse_as_of(m)[1] for m in backtest_months if parse_as_of(m)[1] <= month}
                                   | ({month} if month < 12 else set())))
    if view.complete:      # the view holds December: this year's year end is known
        bt = backtest(payments, projects, *hist, months=backtest_months, settings=forecast_settings)
    elif hist[0] is not None and hist[1] is not None:
        bt = history_backtest(*hist, months=backtest_months, settings=forecast_settings)
    else:
        bt = None
    check = recovery_backtest(fc, payments, projects) if view.complete and fc.proposes_recovery else None
    reached = tuple(cp for cp in cps if cp.month <= month)
    shares = st.settings.time_shares()
    lists = checkpoint_lists(payments, projects, reached, budget_column=st.settings.budget_column,
                             time_shares=shares) if reached else \
        checkpoint_lists(payments, projects, cps, budget_column=st.settings.budget_column,
                         time_shares=shares).iloc[0:0]
    now = st.projects.set_index("project_id")
    lists = lists.assign(cumulative_now=lists["project_id"].map(now["spent"]).astype(float),
                         rate_now=lists["project_id"].map(now["rate"]).astype(float),
                         light_now=lists["project_id"].map(now["light"]),
                         direct_funds=lists["project_id"].map(now["direct_funds"]).fillna(False).astype(bool),
                         forecast_rate=lists["project_id"].map(fc.table.set_index("project_id")["forecast_rate"]))
    du = dual(payments, projects, view.midyear, as_of, dual_settings)
    paid = pd.to_numeric(payments["amount"], errors="coerce")
    monthly = paid.groupby(pd.to_numeric(payments["month"], errors="coerce")).sum()
    known = np.arange(1, 13) <= month      # a later month is not known, not zero
    monthly = np.where(known, monthly.reindex(range(1, 13), fill_value=0.0).to_numpy(dtype=float), np.nan)
    return Ledgers(status=st, checkpoints=cps, lists=lists.reset_index(drop=True), forecast=fc, backtest=bt,
                   dual=du, view=view, monthly=tuple(float(x) for x in monthly), last_month=month,
                   recovery_check=check, not_covered=not_covered)


def data_year_source(projects: pd.DataFrame, history_budgets: pd.DataFrame | None) -> str:
    """Where :func:`data_year` found the budget year (a Chinese phrase)."""
    if "year" in projects and pd.to_numeric(projects["year"], errors="coerce").notna().any():
        return "预算年度取自 projects.csv 的 year 列"
    if history_budgets is not None and pd.to_numeric(history_budgets["year"], errors="coerce").notna().any():
        return "预算年度为 monitoring/history_budgets.csv 最后年度的下一年"
    return "预算年度取自 projects.csv 的项目编码"


def data_year(projects: pd.DataFrame, history_budgets: pd.DataFrame | None) -> int | None:
    """The budget year of the data: a ``year`` column of projects.csv, else the year after the
    history, else the year most project codes carry (SZ2021-001 → 2021); None when none is known."""
    if "year" in projects:
        y = pd.to_numeric(projects["year"], errors="coerce").dropna()
        if len(y):
            return int(y.mode().iloc[0])
    if history_budgets is not None:
        y = pd.to_numeric(history_budgets["year"], errors="coerce").dropna()
        if len(y):
            return int(y.max()) + 1
    found = projects["project_id"].astype(str).str.extract(r"(?<!\d)(20\d\d)(?!\d)")[0].dropna()
    return int(found.astype(int).mode().iloc[0]) if len(found) else None


__all__ = ["Ledgers", "at", "data_year"]
