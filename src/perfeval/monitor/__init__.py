"""In-year monitoring (绩效运行监控, 双监控) of budget execution from monthly payments.

The finance bureau follows every project's payments month by month against the time-elapsed
schedule (序时进度): progress = (cumulative payments / budget) / (month / 12), the production
warning formula of a provincial budget system (domain.md §5 [S8]; lights green ≥ 80 %, yellow
60–80 %, red < 60 %). At named checkpoints it acts on the projects that lag (6月底 remind, 10月底
zero-spend watch ledger, year-end recovery 收回统筹), forecasts year-end execution from the
monthly profile, proposes recovery from November, and compares mid-year target completion with
spending (双监控).

One module a concern:

* :mod:`.data` — reading a data folder, the checked payments matrix, the monitoring date;
* :mod:`.view` — :func:`as_of_view`: the data folder as known at a month end (no later payment,
  completion or year-end figure; history years only) → :class:`YearView`, which the dashboard, the
  workbook and ``perfeval monitor`` compute from;
* :mod:`.schedule` — :func:`progress` month by month, the lights;
* :mod:`.checkpoints` — :class:`Checkpoint`, :func:`checkpoint_lists`, :func:`year_end_recovery`,
  :func:`monitor` (the whole year) → :class:`Monitoring`;
* :mod:`.status` — :func:`status` at a date: per project and department roll-ups → :class:`Status`;
* :mod:`.forecast` — :func:`forecast` of year-end execution, its backtest, recovery proposals;
* :mod:`.dual` — :func:`dual`: target completion against spending (双监控);
* :mod:`.ledger` — :func:`at`: all of it for a data folder at a date → :class:`Ledgers`;
* :mod:`.sheets` — the monitoring workbook;
* the ``perfeval monitor`` command is :mod:`perfeval.cli.monitor`.
"""
from __future__ import annotations

from .checkpoints import (ACTIONS, DEFAULT_CHECKPOINTS, LIST_LABELS, RECOVERY_LABELS, Checkpoint, Monitoring,
                          _check_checkpoints, checkpoint_lists, monitor, year_end_recovery)
from .data import _info, _payment_matrix, load
from .schedule import DEFAULT_LIGHTS, LIGHT_LABELS, PROGRESS_LABELS, _lights, progress
from .status import Status, StatusSettings, light_of, status
from .forecast import (METHODS, Backtest, Forecast, ForecastSettings, RecoveryCheck, backtest, forecast, profile,
                       recovery_backtest)
from .dual import Dual, DualSettings, dual
from .ledger import Ledgers, at
from .view import YearView, as_of_view

__all__ = ["ACTIONS", "Backtest", "Checkpoint", "DEFAULT_CHECKPOINTS", "DEFAULT_LIGHTS", "Dual", "DualSettings",
           "Forecast", "ForecastSettings", "LIGHT_LABELS", "Ledgers", "METHODS", "Monitoring", "Status",
           "StatusSettings", "YearView", "as_of_view", "at", "backtest", "checkpoint_lists", "dual", "forecast", "light_of", "load", "monitor",
           "profile", "progress", "recovery_backtest", "RecoveryCheck", "status", "year_end_recovery"]
