"""Month-by-month progress against the time-elapsed schedule (序时进度) and the warning lights.

progress = (cumulative payments / budget) / (month / 12), the production warning formula of a
provincial budget system (domain.md §5 [S8]); lights green ≥ 80 %, yellow 60–80 %, red < 60 % of
the schedule by default, every comparison through :mod:`perfeval.compare`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import compare
from .data import _info, _payment_matrix

# The straight-line schedule (直线序时进度): the share of the year elapsed at the end of month 1…12.
STRAIGHT_LINE = np.arange(1, 13) / 12.0
STRAIGHT_LINE.flags.writeable = False
DEFAULT_LIGHTS = (0.8, 0.6)         # progress ≥ 0.8 green, 0.6–0.8 yellow, < 0.6 red [S8]
LIGHT_LABELS = ("绿灯", "黄灯", "红灯")
PROGRESS_LABELS = {
    "project_id": "项目编码", "project_name": "项目名称", "department": "主管部门", "month": "月份",
    "paid": "当月支付(元)", "cumulative": "累计支付(元)", "budget": "预算数(元)", "rate": "累计执行率",
    "time_share": "序时进度", "progress": "进度比", "light": "预警",
}


def _lights(progress: np.ndarray, lights: tuple[float, float]) -> np.ndarray:
    green, yellow = lights
    idx = np.where(compare.ge(progress, green), 0, np.where(compare.ge(progress, yellow), 1, 2))
    return np.asarray(LIGHT_LABELS, dtype=object)[idx]


def progress(payments: pd.DataFrame, projects: pd.DataFrame, budget_column: str = "budget_initial",
             lights: tuple[float, float] = DEFAULT_LIGHTS, time_shares=None) -> pd.DataFrame:
    """Month-by-month progress of every project (long: one row per project and month 1–12).

    cumulative = payments to the end of the month; rate = cumulative / budget; time_share = the
    schedule's cumulative share at the month end (``time_shares``: twelve shares, a bureau's own
    序时进度 as :class:`~perfeval.monitor.status.StatusSettings` gives them; None: month / 12);
    progress = rate / time_share; light = 绿灯 / 黄灯 / 红灯 by ``lights`` (green ≥ 0.8, yellow ≥ 0.6
    of the schedule by default); a project without budget has no rate and the light "—" (never red).
    """
    ids, budget, matrix = _payment_matrix(payments, projects, budget_column)
    cumulative = np.cumsum(matrix, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(budget[:, None] > 0, cumulative / budget[:, None], np.nan)
    time_share = STRAIGHT_LINE if time_shares is None else np.asarray(time_shares, dtype=float)
    prog = rate / time_share[None, :]
    out = pd.DataFrame({
        "project_id": np.repeat(ids, 12), "month": np.tile(np.arange(1, 13), len(ids)),
        "paid": matrix.ravel(), "cumulative": cumulative.ravel(), "budget": np.repeat(budget, 12),
        "rate": rate.ravel(), "time_share": np.tile(time_share, len(ids)), "progress": prog.ravel(),
    })
    prog_values = out["progress"].to_numpy()
    # no budget → no rate and no light ("—"), as in status(); spending without a budget is flagged there
    out["light"] = np.where(np.isnan(prog_values), "—", _lights(np.nan_to_num(prog_values, nan=0.0), lights))
    return _info(projects).merge(out, on="project_id", how="right")


