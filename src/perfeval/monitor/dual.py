"""双监控: mid-year target completion against budget execution ("程度反映质量和效果，进度反映数量和规模").

Where a project reports how far its targets are done (``monitoring/midyear_targets.csv``: one row a
target, ``completion`` = share of the annual target reached by the end of ``month``), the project's
completion is the mean over its reported targets (a setting: ``mean`` or ``min``) and is set beside
its execution rate at the same month end (payments to then ÷ budget). The gap completion − rate
beyond the threshold (30 percentage points by default) flags a divergence, with a Chinese reason:
money spent ahead of results (核实资金使用效益), or results ahead of money (督促及时支付、核实完成情况).
At an as-of month each project's latest report at or before it is used, beside the execution rate at
that report's month; when no report falls in the as-of month itself the summary says so and names the
month used (an October view with June's reports says they are June's). Comparisons go through
:mod:`perfeval.compare`.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .. import compare
from ..errors import InputError, Location
from .data import FILES, FOLDER, _payment_matrix, labels, parse_as_of

AGGREGATES = {"mean": "各数量指标完成比例的算术平均", "min": "各数量指标完成比例中的最低值"}
DIRECTIONS = {"money_ahead": "资金支出快于目标完成", "results_ahead": "目标完成快于资金支出", "": "基本同步"}


@dataclass(frozen=True)
class DualSettings:
    threshold: float = 0.30          # |completion − execution rate| at or beyond this diverges
    aggregate: str = "mean"
    budget_column: str = "budget_initial"

    def check(self) -> "DualSettings":
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, (int, float)) \
                or not 0 < self.threshold <= 1:
            raise InputError("偏离阈值须在 0 与 1 之间 (threshold)", where=Location(path="threshold"),
                             found=self.threshold)
        if self.aggregate not in AGGREGATES:
            raise InputError("未知的完成度汇总方法 (aggregate)", where=Location(path="aggregate"),
                             expected=" / ".join(AGGREGATES), found=self.aggregate)
        return self


@dataclass(frozen=True)
class Dual:
    """Result of :func:`dual`: ``table`` one row a reporting project; ``targets`` the target rows used."""

    year: int | None
    month: int | None                # the latest month of the completion data used (None: none used)
    table: pd.DataFrame
    targets: pd.DataFrame
    settings: DualSettings = field(default_factory=DualSettings)
    as_of: int | None = None         # the month the comparison is made at (None: all reports)
    given: bool = True               # False: no completion data were given at all

    @property
    def months(self) -> tuple:
        """The months of the completion reports used (a project's latest at or before the as-of)."""
        return tuple(sorted(int(m) for m in pd.unique(self.table["month"]))) if len(self.table) else ()

    @property
    def stale(self) -> bool:
        """True when no completion was reported in the as-of month itself (earlier reports are used)."""
        return bool(self.months) and self.as_of is not None and max(self.months) < self.as_of

    def data_month_text(self) -> str:
        """Which month's completion data the comparison uses, said against the as-of month."""
        used = "、".join(f"{m}月底" for m in self.months)
        if not self.stale:
            return f"所用目标完成情况为{used}报送的数据，资金执行率取同一月底"
        return (f"截至{self.as_of}月底，{self.as_of}月底没有报送目标完成情况，所用为此前最近一次报送（{used}）的数据，"
                f"资金执行率取同一月底")

    @property
    def flagged(self) -> pd.DataFrame:
        return self.table[self.table["diverges"].astype(bool)].reset_index(drop=True)

    def _repr_html_(self) -> str:
        from .. import display as fmt

        f = self.flagged
        table = pd.DataFrame({"项目名称": f["project_name"], "目标完成度": f["completion"].map(fmt.pct),
                              "资金执行率": f["rate"].map(fmt.pct), "偏离说明": f["reason"]})
        return f"<b>双监控</b>（{fmt.escape_html(self.summary())}）" + fmt.table_html(table)

    def conventions(self) -> dict:
        s = self.settings
        return {"目标完成度": f"{AGGREGATES[s.aggregate]}（完成比例 = 截至当月底完成值 ÷ 全年目标值）",
                "执行率": "截至同月底累计支付 ÷ 年初预算数" if s.budget_column == "budget_initial"
                else f"截至同月底累计支付 ÷ {s.budget_column}",
                "偏离判定": f"目标完成度与执行率相差 {s.threshold:.0%}（{s.threshold * 100:.0f} 个百分点）及以上",
                "数据月份": ("各项目取截至监控时点最近一次报送的完成情况；" + (self.data_month_text() if len(self.table)
                         else "截至监控时点没有报送的完成情况"))}

    def summary(self) -> str:
        if not self.given:
            return f"未提供绩效目标完成情况数据（{FOLDER}/{FILES['midyear']}），暂不开展双监控比对。"
        if self.table.empty:
            when = f"截至{self.as_of}月底" if self.as_of is not None else "截至本期"
            return f"{when}没有项目报送绩效目标完成情况，暂不开展双监控比对。"
        f = self.flagged
        n_money = int((f["direction"] == "money_ahead").sum())
        used = "、".join(f"{m}月底" for m in self.months)
        head = self.data_month_text() + "；" if self.stale else ""
        return (head + f"{used}报送绩效目标完成情况的项目 {len(self.table)} 个，目标完成度与资金执行率明显偏离的 "
                f"{len(f)} 个（资金支出快于目标完成 {n_money} 个、目标完成快于资金支出 {len(f) - n_money} 个）。")


def dual(payments: pd.DataFrame, budgets: pd.DataFrame, completion: pd.DataFrame | None, as_of=None,
         settings: DualSettings | None = None, **overrides) -> Dual:
    """Compare each reporting project's target completion with its execution at the month it reported
    (the latest report at or before ``as_of``; all reports when ``as_of`` is None)."""
    s = replace(settings or DualSettings(), **overrides).check()
    year, limit = parse_as_of(as_of) if as_of is not None else (None, 12)
    ids, budget, matrix = _payment_matrix(payments, budgets, s.budget_column)
    cols = ["project_id", "project_name", "department", "month", "n_targets", "completion", "rate", "gap",
            "diverges", "direction", "reason"]
    empty = Dual(year=year, month=None, table=pd.DataFrame(columns=cols), targets=pd.DataFrame(), settings=s,
                 as_of=limit if as_of is not None else None, given=completion is not None)
    if completion is None or completion.empty:
        return empty
    file = f"{FOLDER}/{FILES['midyear']}"
    for col in ("project_id", "month", "completion"):
        if col not in completion:
            raise InputError("缺少必需列 (missing columns)", where=Location(file=file, row=1),
                             expected="project_id, month, completion", found=",".join(map(str, completion.columns)))
    lines = (completion.index.to_numpy(dtype=int) + 2 if pd.api.types.is_integer_dtype(completion.index)
             else np.arange(len(completion)) + 2)  # a view keeps the file's row labels
    c = completion.reset_index(drop=True).copy()
    c["project_id"] = c["project_id"].astype(str)
    month = pd.to_numeric(c["month"], errors="coerce")
    value = pd.to_numeric(c["completion"], errors="coerce")
    bad = month.isna() | ~month.isin(range(1, 13)) | value.isna() | (value < 0) | (value > 1.5)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        col = "month" if pd.isna(month.iloc[i]) or month.iloc[i] not in range(1, 13) else "completion"
        raise InputError("月份须为 1–12，完成比例须为 0–1.5 的小数", where=Location(file=file, row=int(lines[i]), column=col),
                         expected="如 month = 6，completion = 0.55", found=c.at[i, col])
    row = pd.Index(ids).get_indexer(c["project_id"])
    if (row < 0).any():
        i = int(np.flatnonzero(row < 0)[0])
        raise InputError("报送目标完成情况的项目不在项目清单中", where=Location(file=file, row=int(lines[i]), column="project_id"),
                         expected="项目清单中的项目编码", found=c.at[i, "project_id"])
    c["month"], c["completion"], c["_row"] = month.astype(int), value.astype(float), row
    c = c[c["month"] <= limit]
    if c.empty:
        return empty
    latest = c.groupby("project_id")["month"].transform("max")
    c = c[c["month"] == latest]
    g = c.groupby("project_id", sort=True)
    t = g.agg(month=("month", "first"), n_targets=("completion", "size"), completion=("completion", s.aggregate),
              _row=("_row", "first")).reset_index()
    r = t["_row"].to_numpy()
    paid = np.cumsum(matrix, axis=1)[r, t["month"].to_numpy() - 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        t["rate"] = np.where(budget[r] > 0, paid / budget[r], np.nan)
    t["gap"] = t["completion"] - t["rate"]
    ahead = compare.le(t["gap"], -s.threshold)
    behind = compare.ge(t["gap"], s.threshold)
    t["diverges"] = ahead | behind
    t["direction"] = np.where(ahead, "money_ahead", np.where(behind, "results_ahead", ""))
    pts = (t["gap"].abs() * 100).map(lambda x: f"{x:.2f}")
    facts = (t["month"].astype(str) + "月底资金执行率 " + (t["rate"] * 100).map(lambda x: f"{x:.2f}") + "%，数量指标平均完成 "
             + (t["completion"] * 100).map(lambda x: f"{x:.2f}") + "%")
    t["reason"] = np.where(ahead, "资金支出快于目标完成：" + facts + "，目标完成落后于资金支出 " + pts
                           + " 个百分点，需核实资金使用效益和项目实施进度",
                           np.where(behind, "目标完成快于资金支出：" + facts + "，资金支出落后于目标完成 " + pts
                                    + " 个百分点，需督促单位及时支付并核实完成情况", ""))
    if s.aggregate == "min":
        t["reason"] = t["reason"].str.replace("数量指标平均完成", "数量指标最低完成", regex=False)
    names, departments = labels(budgets, ids)
    t["project_name"], t["department"] = names[r], departments[r]
    return Dual(year=year, month=int(t["month"].max()), table=t[cols], targets=c.drop(columns="_row"), settings=s,
                as_of=limit if as_of is not None else None)


__all__ = ["AGGREGATES", "DIRECTIONS", "Dual", "DualSettings", "dual"]
