"""The monitoring year as of a month end: the data layer's guarantee that a view never sees a later month.

``as_of_view(data_dir, as_of)`` reads a data folder once and keeps only what was known at the end of
the as-of month m of the budget year:

* ``payments.csv`` — the payments of months 1…m (a row whose month is not a number 1–12 is kept, so
  that the checks of the stage functions still name it; valid later months are dropped);
* ``projects.csv`` — without its year-end columns (全年执行数 ``spent``, 收回统筹 ``recovered``,
  全年预算数 ``budget_full_year``) before December;
* ``monitoring/midyear_targets.csv`` — the target completion reported at or before m;
* ``monitoring/history_payments.csv`` / ``history_budgets.csv`` — earlier years only (a history year
  not before the budget year is refused), so every backtest before December is on history years;
* ``monitoring/direct_funds.csv`` and ``schedule.csv`` — not dated, kept whole.

The stage functions (status, checkpoint lists, forecast, 双监控) and the workbook get their frames from
:class:`YearView`; :meth:`YearView.fingerprint` hashes what the view holds (not the whole files), so a
June dashboard is the same bytes whatever the files say about July to December. Row labels of the kept
frames are the rows of the files (an error still names the line the user sees).
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Location
from .data import FILES, FOLDER, bureau_schedule, extras, load, parse_as_of, with_direct_funds
from .forecast import year_complete

YEAR_END_COLUMNS = {"spent": "全年执行数", "recovered": "收回统筹", "budget_full_year": "全年预算数"}


@dataclass(frozen=True)
class YearView:
    """A data folder's monitoring inputs as known at the end of ``month`` (see the module docstring)."""

    data_dir: Path
    year: int | None                 # the year of the as-of ("2021-06" → 2021; None for a bare month)
    month: int
    payments: pd.DataFrame           # months 1…month
    projects: pd.DataFrame           # with direct_funds; no year-end columns before December
    direct_funds: pd.DataFrame | None    # monitoring/direct_funds.csv (merged into projects as direct_funds)
    history_payments: pd.DataFrame | None
    history_budgets: pd.DataFrame | None
    midyear: pd.DataFrame | None     # completion reported at or before month
    schedule: tuple | None           # the bureau's 序时进度 (monitoring/schedule.csv), None without it
    data_last_month: int             # the last month of payments.csv (only checked against: never shown)
    dropped: tuple = ()              # the year-end columns of projects.csv left out

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月底" if self.year else f"{self.month}月底"

    @property
    def complete(self) -> bool:
        """True when the view holds the whole year (December): only then is this year's year end known."""
        return self.month >= 12

    def frames(self) -> dict:
        """{file name: the rows of it the view holds} for the files the folder has."""
        out = {"payments.csv": self.payments, "projects.csv": self.projects}
        for key, frame in (("direct_funds", self.direct_funds), ("history_budgets", self.history_budgets), ("history_payments", self.history_payments),
                           ("midyear", self.midyear)):
            if frame is not None:
                out[f"{FOLDER}/{FILES[key]}"] = frame
        if self.schedule is not None:
            out[f"{FOLDER}/{FILES['schedule']}"] = pd.DataFrame({"month": np.arange(1, 13), "share": self.schedule})
        return out

    def fingerprint(self) -> pd.DataFrame:
        """附录: per input file the part this view used and the SHA-256 of those rows (canonical CSV:
        numbers as floats, so 3443200 and 3443200.0 hash alike) — not of the whole file."""
        scope = {"payments.csv": f"1–{self.month}月支付",
                 "projects.csv": "项目清单" + ("（不含" + "、".join(YEAR_END_COLUMNS[c] for c in self.dropped) + "）"
                                              if self.dropped else ""),
                 f"{FOLDER}/{FILES['midyear']}": f"{self.month}月底及以前报送的完成情况",
                 f"{FOLDER}/{FILES['direct_funds']}": "直达资金标识",
                 f"{FOLDER}/{FILES['history_payments']}": "历史年度（全年）",
                 f"{FOLDER}/{FILES['history_budgets']}": "历史年度（全年）",
                 f"{FOLDER}/{FILES['schedule']}": "序时进度表"}
        rows = [(name, scope[name], f"{len(frame):,}", _digest(frame)) for name, frame in sorted(self.frames().items())]
        return pd.DataFrame(rows, columns=["文件", "所用数据", "所用行数", f"SHA-256（截至{self.month}月底所用数据）"])


def _digest(frame: pd.DataFrame) -> str:
    """SHA-256 of a frame's canonical CSV (sorted columns; a column of numbers written as floats)."""
    cols = sorted(map(str, frame.columns))
    out = pd.DataFrame(index=range(len(frame)))
    for c in cols:  # a handful of columns
        col = frame[c].reset_index(drop=True)
        num = pd.to_numeric(col, errors="coerce")
        out[c] = num.astype(float).astype(str) if (num.notna() | col.isna()).all() else col.astype(str)
    text = out.to_csv(index=False, lineterminator="\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _kept_months(frame: pd.DataFrame, month: int) -> pd.DataFrame:
    """Rows dated at or before ``month``; a row whose month is not 1–12 is kept for the checks to name."""
    m = pd.to_numeric(frame["month"], errors="coerce")
    later = m.isin(range(month + 1, 13))
    return frame[~later.to_numpy()]


def as_of_view(data_dir: str | os.PathLike, as_of) -> YearView:
    """The data folder as known at the end of ``as_of`` ("2021-06", "2021年6月", 6); refuses an as-of
    after the last month of the payments, in another year than the data's budget year, or not after
    the history years."""
    from .ledger import data_year, data_year_source

    year, month = parse_as_of(as_of)
    payments, projects = load(data_dir)
    ex = extras(data_dir)
    hb, hp = ex["history_budgets"], ex["history_payments"]
    if year is not None and hb is not None:
        years = pd.to_numeric(hb["year"], errors="coerce")
        if (years >= year).any():
            raise InputError("监控年度不晚于历史支付数据的年度 (as-of year is not after the history)",
                             where=Location(path="as_of"), expected=f"{int(years.max()) + 1} 年及以后",
                             found=str(as_of))
    budget_year = data_year(projects, hb)
    if year is not None and budget_year is not None and year != budget_year:
        raise InputError("监控年度与数据的预算年度不符 (as-of year is not the data's budget year)",
                         where=Location(path="as_of"),
                         expected=f"截至月份在 {budget_year} 年内，如 {budget_year}-06（{data_year_source(projects, hb)}）",
                         found=str(as_of))
    if hp is not None and budget_year is not None and "year" in hp:
        later = pd.to_numeric(hp["year"], errors="coerce") >= budget_year
        if later.any():
            i = int(np.flatnonzero(later.to_numpy())[0])
            raise InputError("历史支付数据含本年度或以后年度 (history must be earlier years)",
                             where=Location(file=f"{FOLDER}/{FILES['history_payments']}", row=i + 2, column="year"),
                             expected=f"{budget_year} 年以前的年度", found=hp["year"].iloc[i])
    last = year_complete(payments)
    if month > last:
        raise InputError("截至月份晚于支付数据的最后月份 (as-of month after the last month of payments)",
                         where=Location(file=str(Path(data_dir) / "payments.csv"), column="month"),
                         expected=f"截至月份不晚于数据中最后的月份 {last}", found=str(as_of))
    kept = payments if month >= 12 else _kept_months(payments, month)
    kept.attrs["file"] = payments.attrs.get("file", "payments.csv")
    dropped = () if month >= 12 else tuple(c for c in YEAR_END_COLUMNS if c in projects)
    projects = with_direct_funds(projects.drop(columns=list(dropped)), ex["direct_funds"])
    projects.attrs["file"] = projects.attrs.get("file", "projects.csv")
    midyear = ex["midyear"]
    if midyear is not None and "month" in midyear:
        midyear = _kept_months(midyear, month)
    return YearView(data_dir=Path(data_dir), year=year, month=month, payments=kept, projects=projects,
                    direct_funds=ex["direct_funds"], history_payments=hp, history_budgets=hb, midyear=midyear,
                    schedule=bureau_schedule(data_dir), data_last_month=last, dropped=dropped)


__all__ = ["YEAR_END_COLUMNS", "YearView", "as_of_view"]
