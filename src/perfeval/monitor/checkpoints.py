"""Checkpoints of in-year monitoring (监控节点) and the whole year's monitoring (:func:`monitor`).

The finance bureau follows every project's payments month by month against the time-elapsed
schedule (序时进度): progress = (cumulative payments / budget) / (month / 12), the production
warning formula of a provincial budget system (domain.md §5 [S8]; lights green ≥ 80 %, yellow
60–80 %, red < 60 %). At named checkpoints it acts on the projects that lag:

* end of June — projects below ``min_progress`` of the schedule are reminded to speed up payments
  (提醒单位加快资金支付进度);
* end of October — projects that have still paid nothing (仍未破零) go on the watch list
  (列入重点关注台账);
* year end — money that cannot be spent is recovered (收回统筹), which lowers 全年预算数.

Checkpoints are data — ``[(month, min_progress, action)]`` — so a bureau's own calendar is a
parameter. A project is listed at a checkpoint when its progress is below ``min_progress``;
``min_progress = 0`` lists the projects that have paid nothing yet. Year-end recovery takes the
unspent balance of every project whose execution rate would stay below ``min_rate`` (95 % by
default, the seed report's floor), so that every final rate 全年执行数 / 全年预算数 reaches it.

Every function is vectorised over the payments frame (``project_id, month, amount``) and a
project frame (``project_id`` and the budget column, 年初预算数 ``budget_initial`` by default).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from .. import compare
from ..errors import InputError, Location
from .data import _info, _payment_matrix, bureau_schedule, covered, load
from .schedule import DEFAULT_LIGHTS, STRAIGHT_LINE, progress


class Checkpoint(NamedTuple):
    """A monitoring checkpoint: at the end of ``month``, list projects below ``min_progress``."""

    month: int
    min_progress: float
    action: str


ACTIONS = {
    "remind": "提醒单位加快资金支付进度 (remind the unit to speed up payments)",
    "watch": "列入重点关注台账 (put on the zero-spend watch list)",
    "review": "约谈并研究调整预算 (talk to the unit; consider adjusting the budget)",
}
DEFAULT_CHECKPOINTS = (
    Checkpoint(6, 0.8, "remind"),   # 6月底：序时进度的 80 % 以下（黄/红灯）提醒加快支付
    Checkpoint(10, 0.0, "watch"),   # 10月底：仍未破零的项目列入重点关注台账
)
LIST_LABELS = {
    "month": "月份", "action": "措施", "action_label": "措施说明", "project_id": "项目编码",
    "project_name": "项目名称", "department": "主管部门", "budget": "预算数(元)", "cumulative": "累计支付(元)",
    "rate": "累计执行率", "progress": "进度比", "min_progress": "进度下限",
}
RECOVERY_LABELS = {
    "project_id": "项目编码", "project_name": "项目名称", "department": "主管部门", "budget": "年初预算数(元)",
    "spent": "全年执行数(元)", "rate_before": "收回前执行率", "recovered": "收回统筹(元)",
    "budget_full_year": "全年预算数(元)", "exec_rate": "执行率",
}


def _check_checkpoints(checkpoints) -> tuple[Checkpoint, ...]:
    out = []
    for i, cp in enumerate(checkpoints):  # a handful of checkpoints
        try:
            month, min_progress, action = cp
        except (TypeError, ValueError):
            raise InputError("监控节点须为 (月份, 进度下限, 措施) (checkpoint must be (month, min_progress, action))",
                             where=Location(path=f"checkpoints[{i}]"), found=cp) from None
        if not isinstance(month, (int, np.integer)) or not 1 <= month <= 12:
            raise InputError("监控节点月份须为 1–12 的整数 (month must be 1–12)",
                             where=Location(path=f"checkpoints[{i}].month"), found=month)
        if isinstance(min_progress, bool) or not isinstance(min_progress, (int, float, np.integer, np.floating)) \
                or not np.isfinite(float(min_progress)) or float(min_progress) < 0:
            raise InputError("进度下限须为非负数 (min_progress must be a number ≥ 0)",
                             where=Location(path=f"checkpoints[{i}].min_progress"), found=min_progress)
        if action not in ACTIONS:
            raise InputError("未知的监控措施 (unknown action)", where=Location(path=f"checkpoints[{i}].action"),
                             expected=" / ".join(ACTIONS), found=action)
        out.append(Checkpoint(int(month), float(min_progress), str(action)))
    return tuple(out)


def checkpoint_lists(payments: pd.DataFrame, projects: pd.DataFrame, checkpoints=DEFAULT_CHECKPOINTS,
                     budget_column: str = "budget_initial", time_shares=None) -> pd.DataFrame:
    """The projects listed at each checkpoint (one row per checkpoint and listed project).

    progress = rate ÷ time_shares[month − 1]: ``time_shares`` is the schedule's twelve cumulative
    shares (a bureau's own 序时进度, as :class:`~perfeval.monitor.status.StatusSettings` gives it);
    None is the straight line month / 12.
    Listed when progress < min_progress; with ``min_progress = 0`` when nothing has been paid
    by the end of the month (未破零). Sorted by checkpoint order, then project_id.
    """
    cps = _check_checkpoints(checkpoints)
    ids, budget, matrix = _payment_matrix(payments, projects, budget_column)
    cumulative = np.cumsum(matrix, axis=1)
    shares = STRAIGHT_LINE if time_shares is None else np.asarray(time_shares, dtype=float)
    if shares.shape != (12,):
        raise InputError("序时进度须为 12 个累计比例 (time_shares)", where=Location(path="time_shares"),
                         expected="12 个数", found=list(np.atleast_1d(shares)))
    frames = []
    for order, cp in enumerate(cps):  # a handful of checkpoints
        cum = cumulative[:, cp.month - 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(budget > 0, cum / budget, np.nan)
        prog = rate / shares[cp.month - 1]
        listed = compare.le(cum, 0) & (budget > 0) if cp.min_progress == 0 else \
            compare.lt(np.nan_to_num(prog), cp.min_progress) & (budget > 0)
        frames.append(pd.DataFrame({
            "_order": order, "month": cp.month, "action": cp.action,
            "action_label": ACTIONS.get(cp.action, cp.action), "min_progress": cp.min_progress,
            "project_id": ids[listed], "budget": budget[listed], "cumulative": cum[listed],
            "rate": rate[listed], "progress": prog[listed]}))
    lists = pd.concat(frames, ignore_index=True).sort_values(["_order", "project_id"], kind="stable")
    lists = lists.drop(columns="_order").merge(_info(projects), on="project_id", how="left")
    cols = ["month", "action", "action_label", "min_progress", "project_id"] + \
        [c for c in ("project_name", "department") if c in lists] + ["budget", "cumulative", "rate", "progress"]
    return lists[cols].reset_index(drop=True)


def year_end_recovery(payments: pd.DataFrame, projects: pd.DataFrame, min_rate: float = 0.95,
                      budget_column: str = "budget_initial") -> pd.DataFrame:
    """Year-end recovery (收回统筹): the unspent balance of projects whose rate stays below ``min_rate``.

    One row per project: budget (the budget before recovery), spent (all payments of the year),
    rate_before, recovered (budget − spent where spent / budget < min_rate, else 0),
    budget_full_year (budget − recovered) and exec_rate = spent / budget_full_year.
    """
    if isinstance(min_rate, bool) or not isinstance(min_rate, (int, float, np.integer, np.floating)) \
            or not 0 < min_rate <= 1:
        raise InputError("执行率下限须在 0 与 1 之间 (min_rate must be in (0, 1])", found=min_rate)
    ids, budget, matrix = _payment_matrix(payments, projects, budget_column)
    spent = matrix.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        before = np.where(budget > 0, spent / budget, np.nan)
    short = (budget > 0) & compare.lt(np.nan_to_num(before, nan=1.0), min_rate)
    recovered = np.where(short, np.clip(budget - spent, 0.0, None), 0.0)
    full_year = budget - recovered
    with np.errstate(divide="ignore", invalid="ignore"):
        final = np.where(full_year > 0, spent / full_year, np.nan)
    out = pd.DataFrame({"project_id": ids, "budget": budget, "spent": spent, "rate_before": before,
                        "recovered": recovered, "budget_full_year": full_year, "exec_rate": final})
    return _info(projects).merge(out, on="project_id", how="right")


@dataclass(frozen=True)
class Monitoring:
    """Result of :func:`monitor`: monthly progress, checkpoint lists and year-end recovery."""

    progress: pd.DataFrame
    lists: pd.DataFrame
    recovery: pd.DataFrame
    checkpoints: tuple[Checkpoint, ...]
    conventions: dict = field(default_factory=dict)
    not_covered: tuple = ()   # projects of the list without any payment row: nothing concluded about them

    def listed(self, action: str) -> list[str]:
        """Project ids listed by the checkpoints with this action ("remind", "watch" …)."""
        return self.lists.loc[self.lists["action"] == action, "project_id"].tolist()

    @property
    def reminders(self) -> list[str]:
        return self.listed("remind")

    @property
    def watch_list(self) -> list[str]:
        return self.listed("watch")

    @property
    def recovered(self) -> pd.DataFrame:
        """Only the projects with money recovered."""
        return self.recovery[self.recovery["recovered"] > 0].reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        """One row per checkpoint plus year-end recovery: how many projects, how much money."""
        rows = [{"节点 (checkpoint)": f"{cp.month}月底", "措施 (action)": ACTIONS.get(cp.action, cp.action),
                 "项目数": int(((self.lists["month"] == cp.month) & (self.lists["action"] == cp.action)).sum())}
                for cp in self.checkpoints]
        rec = self.recovered
        rows.append({"节点 (checkpoint)": "年底", "措施 (action)": "收回统筹 (year-end recovery)",
                     "项目数": len(rec), "金额(元)": float(rec["recovered"].sum())})
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        return "<h4>预算执行监控 (monitoring)</h4>" + self.summary().to_html(index=False)


def monitor(payments, projects: pd.DataFrame | None = None, checkpoints=DEFAULT_CHECKPOINTS,
            min_rate: float = 0.95, budget_column: str = "budget_initial",
            lights: tuple[float, float] = DEFAULT_LIGHTS, schedule=None) -> Monitoring:
    """The whole year's monitoring: progress per month, checkpoint lists, year-end recovery.

    ``payments`` may be a data directory (then ``projects`` is read from it too). ``schedule``: the
    序时进度 the progress is measured against, as in :func:`~perfeval.monitor.status.status`:
    "straight-line" (month / 12) or a bureau's twelve cumulative shares; None (default): the data
    directory's ``monitoring/schedule.csv`` if there is one, else the straight line.
    """
    from .status import StatusSettings  # status imports this package's schedule module

    if isinstance(payments, (str, os.PathLike)):
        if schedule is None:
            schedule = bureau_schedule(payments)
        payments, projects = load(payments)
        projects, not_covered = covered(payments, projects)
    else:
        not_covered = ()
    if projects is None:
        raise InputError("缺少项目清单 (projects frame is required)", expected="含 project_id 与预算数的 DataFrame")
    cps = _check_checkpoints(checkpoints)
    settings = StatusSettings(lights=tuple(lights), schedule=schedule, budget_column=budget_column).check()
    shares = settings.time_shares()
    conventions = {
        "进度比 (progress)": f"累计支付 / 预算数 ÷ 序时进度（{settings.describe_schedule()}）",
        "预算数 (budget)": budget_column,
        "预警灯 (lights)": f"绿灯 ≥ {lights[0]:.0%}，黄灯 {lights[1]:.0%}–{lights[0]:.0%}，红灯 < {lights[1]:.0%}",
        "比较精度 (comparison precision)": compare.DESCRIPTION,
        "监控节点 (checkpoints)": "；".join(
            f"{cp.month}月底 {'仍未破零' if cp.min_progress == 0 else f'进度比 < {cp.min_progress:.0%}'} → "
            f"{ACTIONS.get(cp.action, cp.action)}" for cp in cps),
        "年底收回 (year-end recovery)": f"执行率低于 {min_rate:.0%} 的项目收回未支付余额，全年预算数相应调减",
    }
    return Monitoring(progress=progress(payments, projects, budget_column, lights, time_shares=shares),
                      lists=checkpoint_lists(payments, projects, cps, budget_column, time_shares=shares),
                      recovery=year_end_recovery(payments, projects, min_rate, budget_column),
                      checkpoints=cps, conventions=conventions, not_covered=not_covered)
