"""Year-end execution forecast from the monthly profile, its backtest, and recovery proposals.

The profile is the city's pooled history (``monitoring/history_payments.csv``, earlier years):
S(m) = Σ payments of months 1…m ÷ Σ payments of the year, over every project and year, money
weighted; R = Σ payments ÷ Σ budgets of those years (the execution the city usually reaches).
With the share of the budget spent to date r(m), the named methods forecast the year-end
execution rate:

* ``remaining`` (剩余进度法, the default; Bornhuetter–Ferguson in actuarial terms): r(m) + (1 − S(m)) × R
  — what is still to come in a usual year is added to what was paid, so a project that paid
  little so far is not assumed to stay little;
* ``ratio`` (比例外推法, chain ladder): r(m) ÷ S(m) — the year's payments scale with what was paid;
* ``straight-line`` (序时外推法): r(m) ÷ (m / 12), no history needed.

``profile="own"`` uses each project's own history where it has one (the pooled profile where it
does not, or where its own share to date is 0). Forecasts are capped at the budget (a setting).
Without history the straight line is the profile and R = 1 (stated in the conventions).
:func:`backtest` forecasts the year-end rate of the current year at chosen months from the
payments up to then and reports the errors against the actual rate; it needs the year's payments
through December (:func:`year_complete`), so a mid-year run uses :func:`history_backtest` instead
(each history year forecast from the other years' profile, leave-one-year-out). From November (a
setting) :class:`Forecast` proposes recovery (收回建议) for each project forecast below the floor:
the budget beyond its forecast payments plus a margin for the forecast's error, the margin being
``margin_multiple`` × the share of the year's payments still to come in a usual year (1 − S(m)) ×
budget — wide in November, zero in December. At month 12 the proposal therefore equals the
year-end rule (:func:`~perfeval.monitor.checkpoints.year_end_recovery`: the unspent balance of a
project below the floor). No margin guarantees the project will not spend more than it keeps:
:func:`recovery_backtest` counts, where the year's December payments are known, the projects and
money proposed and then actually paid (over-recovery), and that count is printed with the proposals.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .. import compare
from ..errors import InputError, Location
from .data import FILES, FOLDER, _payment_matrix, labels, parse_as_of
from .schedule import STRAIGHT_LINE

METHODS = {
    "remaining": "剩余进度法：至今执行率 + （1 − 历史同期累计支付占比）× 历史全年执行率",
    "ratio": "比例外推法：至今执行率 ÷ 历史同期累计支付占比",
    "straight-line": "序时外推法：至今执行率 ÷ （月份 ÷ 12）",
}
PROFILES = {"pooled": "全市历年汇总的月度支付进度", "own": "项目自身历年的月度支付进度（无历史的用全市汇总）"}


@dataclass(frozen=True)
class ForecastSettings:
    """The conventions of :func:`forecast` (printed with every result)."""

    method: str = "remaining"
    profile: str = "pooled"
    cap_at_budget: bool = True
    floor: float = 0.95             # the execution-rate floor of the year (the seed: 各项目均达 95 % 以上)
    recovery_from: int = 11         # month from which recovery is proposed
    margin_multiple: float = 3.0    # room left for the forecast's error: × the usual share still to come × budget
    budget_column: str = "budget_initial"

    def check(self) -> "ForecastSettings":
        if self.method not in METHODS:
            raise InputError("未知的预测方法 (unknown forecast method)", where=Location(path="method"),
                             expected=" / ".join(METHODS), found=self.method)
        if self.profile not in PROFILES:
            raise InputError("未知的支付进度口径 (unknown profile)", where=Location(path="profile"),
                             expected=" / ".join(PROFILES), found=self.profile)
        if isinstance(self.floor, bool) or not isinstance(self.floor, (int, float)) or not 0 < self.floor <= 1:
            raise InputError("执行率下限须在 0 与 1 之间 (floor)", where=Location(path="floor"), found=self.floor)
        if isinstance(self.margin_multiple, bool) or not isinstance(self.margin_multiple, (int, float)) \
                or not 0 <= self.margin_multiple < 100:
            raise InputError("预测误差余量倍数须为 0–100 的数 (margin_multiple)", where=Location(path="margin_multiple"),
                             expected="如 3（历年同期剩余支付占比的 3 倍）", found=self.margin_multiple)
        if not isinstance(self.recovery_from, (int, np.integer)) or not 1 <= self.recovery_from <= 12:
            raise InputError("提出收回建议的月份须为 1–12", where=Location(path="recovery_from"),
                             found=self.recovery_from)
        return self


@dataclass(frozen=True)
class Profile:
    """Cumulative payment shares learnt from history: pooled (12,), per project (ids → 12), prior rates."""

    pooled: np.ndarray
    prior: float
    own: pd.DataFrame            # index project_id, columns 1…12 (share) and "prior"
    years: tuple
    source: str

    def table(self) -> pd.DataFrame:
        return pd.DataFrame({"month": np.arange(1, 13), "share": self.pooled, "time_share": STRAIGHT_LINE})


def profile(history_payments: pd.DataFrame | None, history_budgets: pd.DataFrame | None) -> Profile:
    """The pooled and per-project payment profiles of the history (None → the straight line, R = 1)."""
    if history_payments is None or history_budgets is None:
        return Profile(pooled=STRAIGHT_LINE.copy(), prior=1.0, own=pd.DataFrame(columns=[*range(1, 13), "prior"]),
                       years=(), source="无历史支付数据，按直线序时进度、全年执行率 100% 计")
    for frame, name in ((history_payments, FILES["history_payments"]), (history_budgets, FILES["history_budgets"])):
        if "year" not in frame:
            raise InputError("缺少 year 列", where=Location(file=f"{FOLDER}/{name}"), expected="year, project_id, …")
    pay_file, bud_file = f"{FOLDER}/{FILES['history_payments']}", f"{FOLDER}/{FILES['history_budgets']}"
    # one row a (year, project): integer keys instead of joined strings (fast on large histories)
    pairs = pd.MultiIndex.from_arrays([history_budgets["year"].astype(str).to_numpy(),
                                       history_budgets["project_id"].astype(str).to_numpy()])
    if pairs.has_duplicates:
        i = int(np.flatnonzero(pairs.duplicated())[0])
        raise InputError("历史预算中同一年度的项目重复 (duplicate year and project)",
                         where=Location(file=bud_file, row=i + 2, column="project_id"), found=pairs[i])
    row = pairs.get_indexer(pd.MultiIndex.from_arrays([history_payments["year"].astype(str).to_numpy(),
                                                        history_payments["project_id"].astype(str).to_numpy()]))
    if (row < 0).any():
        i = int(np.flatnonzero(row < 0)[0])
        raise InputError("历史支付记录的年度和项目不在历史预算中 (payment for an unknown year and project)",
                         where=Location(file=pay_file, row=i + 2, column="project_id"),
                         expected="history_budgets.csv 中的年度与项目编码",
                         found=f"{history_payments['year'].iloc[i]} {history_payments['project_id'].iloc[i]}")
    budgets = pd.DataFrame({"project_id": np.arange(len(pairs)), "budget": history_budgets["budget"].to_numpy()})
    payments = pd.DataFrame({"project_id": row, "month": history_payments["month"].to_numpy(),
                             "amount": history_payments["amount"].to_numpy()})
    _, budget, matrix = _payment_matrix(payments, budgets, "budget", files=(pay_file, bud_file))
    ids = pairs.get_level_values(1).to_numpy()
    cum = np.cumsum(matrix, axis=1)
    total = cum[:, -1]
    if not compare.gt(total.sum(), 0):
        raise InputError("历史支付数据合计为 0，无法计算支付进度", where=Location(file=f"{FOLDER}/{FILES['history_payments']}"))
    pooled = cum.sum(axis=0) / total.sum()
    prior = float(total.sum() / budget.sum()) if budget.sum() > 0 else 1.0
    project = pd.Index(ids)
    per = pd.DataFrame(cum, index=project, columns=range(1, 13)).groupby(level=0).sum()
    per_budget = pd.Series(budget, index=project).groupby(level=0).sum()
    year_total = per[12]
    own = per[year_total > 0].div(year_total[year_total > 0], axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        own["prior"] = (year_total / per_budget).reindex(own.index)
    years = tuple(sorted(int(y) for y in pd.unique(history_budgets["year"])))
    return Profile(pooled=pooled, prior=prior, own=own, years=years,
                   source=f"{'、'.join(map(str, years))} 年 {len(pairs)} 个项目年度的月度支付")


def _shares(prof: Profile, ids: np.ndarray, month: int, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """(S(month), R) per project for the profile kind."""
    s = np.full(len(ids), prof.pooled[month - 1])
    r = np.full(len(ids), prof.prior)
    if kind == "own" and len(prof.own):
        own = prof.own.reindex(ids)
        own_s, own_r = own[month].to_numpy(dtype=float), own["prior"].to_numpy(dtype=float)
        use = ~np.isnan(own_s) & (own_s > 0)
        s = np.where(use, own_s, s)
        r = np.where(use & ~np.isnan(own_r), own_r, r)
    return s, r


def _forecast_rate(rate: np.ndarray, month: int, s: np.ndarray, r: np.ndarray, method: str, cap: bool) -> np.ndarray:
    if method == "remaining":
        out = rate + (1.0 - s) * r
    elif method == "ratio":
        out = rate / s
    else:
        out = rate / STRAIGHT_LINE[month - 1]
    if cap:
        out = np.minimum(out, np.maximum(rate, 1.0))
    return np.maximum(out, rate)


@dataclass(frozen=True)
class Forecast:
    """Result of :func:`forecast`: ``table`` one row a project; ``recovery`` the proposals (from November)."""

    year: int | None
    month: int
    table: pd.DataFrame
    profile: Profile
    settings: ForecastSettings = field(default_factory=ForecastSettings)

    @property
    def proposes_recovery(self) -> bool:
        return self.month >= self.settings.recovery_from

    @property
    def margin_share(self) -> float:
        """The margin at this month as a share of the budget under the pooled profile."""
        return float(self.settings.margin_multiple * (1.0 - self.profile.pooled[self.month - 1]))

    @property
    def recovery(self) -> pd.DataFrame:
        t = self.table
        return t[t["proposed_recovery"] > 0].sort_values("proposed_recovery", ascending=False,
                                                         kind="stable").reset_index(drop=True)

    @property
    def below_floor(self) -> pd.DataFrame:
        return self.table[self.table["below_floor"]].reset_index(drop=True)

    def conventions(self) -> dict:
        s = self.settings
        return {
            "预测方法": METHODS[s.method],
            "支付进度": f"{PROFILES[s.profile]}（{self.profile.source}）",
            "历史全年执行率": f"历年支付合计 ÷ 预算合计，为 {self.profile.prior:.2%}",
            "预测上限": "预计执行率不超过 100%（不超预算支出）" if s.cap_at_budget else "不设上限",
            "执行率下限": f"年底执行率不低于 {s.floor:.0%}",
            "预测误差余量": (f"年初预算数 × 历年同期之后仍待支付的占比 × {s.margin_multiple:g}；"
                       f"{self.month}月底为年初预算数的 {self.margin_share:.2%}，12月底为 0"),
            "收回建议": (f"{s.recovery_from}月底起，预计年底执行率低于 {s.floor:.0%} 的项目，建议收回“年初预算数 −"
                     f"（预计全年支出 + 误差余量）”，12月底即为年底收回规则（收回未支付余额）；实际支出不超过预计全年"
                     f"支出加余量的，收回后仍够支付；超出的部分即为多收回，不保证收回后执行率达到 {s.floor:.0%}，"
                     "多收回的情况以回测列明"),
        }

    def summary(self) -> str:
        t = self.table
        s = self.settings
        text = (f"按{METHODS[s.method].split('：')[0]}预计，年底全市执行率约 "
                f"{t['forecast_spent'].sum() / t['budget'].sum():.2%}；预计年底执行率低于 {s.floor:.0%} 的项目 "
                f"{int(t['below_floor'].sum())} 个")
        if self.proposes_recovery:
            rec = self.recovery
            text += f"；建议收回 {len(rec)} 个项目 {rec['proposed_recovery'].sum() / 1e4:,.2f} 万元"
        else:
            text += f"（{self.settings.recovery_from}月底起提出收回建议）"
        return text + "。"

    def _repr_html_(self) -> str:
        from .. import display as fmt

        t = self.recovery if self.proposes_recovery else self.below_floor
        table = pd.DataFrame({"项目名称": t["project_name"], "年初预算数（万元）": t["budget"].map(fmt.wan),
                              "预计年底执行率": t["forecast_rate"].map(fmt.pct),
                              "建议收回（万元）": t["proposed_recovery"].map(fmt.wan)})
        return f"<b>年底执行预测</b>（{fmt.escape_html(self.summary())}）" + fmt.table_html(table)


def _settings(settings, overrides) -> ForecastSettings:
    s = settings or ForecastSettings()
    return (replace(s, **overrides) if overrides else s).check()


def forecast(payments: pd.DataFrame, budgets: pd.DataFrame, as_of, history_payments=None, history_budgets=None,
             settings: ForecastSettings | None = None, **overrides) -> Forecast:
    """Forecast every project's year-end execution at ``as_of`` from the payments to then and the
    history's profile; propose recovery from ``recovery_from``. ``overrides``: fields of
    :class:`ForecastSettings` (``method="ratio"``, ``floor=0.9``)."""
    s = _settings(settings, overrides)
    year, month = parse_as_of(as_of)
    prof = profile(history_payments, history_budgets)
    ids, budget, matrix = _payment_matrix(payments, budgets, s.budget_column)
    spent = matrix[:, :month].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(budget > 0, spent / budget, np.nan)
    shares, prior = _shares(prof, ids, month, s.profile)
    fr = _forecast_rate(rate, month, shares, prior, s.method, s.cap_at_budget)
    f_spent = np.where(budget > 0, fr * budget, 0.0)
    below = (budget > 0) & compare.lt(np.nan_to_num(fr, nan=1.0), s.floor)
    keep = np.minimum(budget, f_spent + s.margin_multiple * (1.0 - shares) * budget)
    proposed = np.where(below & (month >= s.recovery_from), np.clip(budget - keep, 0.0, None), 0.0)
    proposed = np.round(proposed, 2)
    names, departments = labels(budgets, ids)
    table = pd.DataFrame({
        "project_id": ids, "project_name": names, "department": departments,
        "budget": budget, "spent": spent, "rate": rate, "profile_share": shares, "forecast_rate": fr,
        "forecast_spent": f_spent, "forecast_unspent": np.where(budget > 0, budget - f_spent, 0.0),
        "below_floor": below, "proposed_recovery": proposed, "kept": budget - proposed})
    return Forecast(year=year, month=month, table=table, profile=prof, settings=s)


@dataclass(frozen=True)
class Backtest:
    """Result of :func:`backtest`: ``table`` (method, month, n, mae, …) and ``errors`` (per project)."""

    table: pd.DataFrame
    errors: pd.DataFrame
    method: str
    source: str

    def _repr_html_(self) -> str:
        from .. import display as fmt

        wide = self.table.pivot(index="method", columns="month", values="mae")
        table = pd.DataFrame({"预测方法": [METHODS[m].split("：")[0] for m in wide.index],
                              **{f"{m}月底平均绝对误差": wide[m].map(fmt.pct).to_numpy() for m in wide.columns}})
        return f"<b>预测回测</b>（{fmt.escape_html(self.source)}）" + fmt.table_html(table)

    def mae(self, month: int, method: str | None = None) -> float:
        t = self.table
        return float(t.loc[(t["method"] == (method or self.method)) & (t["month"] == month), "mae"].iloc[0])


def backtest(payments: pd.DataFrame, budgets: pd.DataFrame, history_payments=None, history_budgets=None,
             months=(6, 10), methods=None, settings: ForecastSettings | None = None, **overrides) -> Backtest:
    """Forecast the year-end execution rate at each of ``months`` from the payments up to then; the
    error against the actual rate (all twelve months' payments ÷ budget) per project, and per method
    and month the mean absolute error (mae), median, largest and mean signed error (bias)."""
    s = _settings(settings, overrides)
    methods = tuple(methods or METHODS)
    for m in methods:
        replace(s, method=m).check()
    prof = profile(history_payments, history_budgets)
    ids, budget, matrix = _payment_matrix(payments, budgets, s.budget_column)
    has = budget > 0
    cum = np.cumsum(matrix, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        actual = np.where(has, cum[:, -1] / budget, np.nan)
    rows, errors = [], []
    for month in months:  # a handful of months
        _, month = parse_as_of(month)
        rate = np.where(has, cum[:, month - 1] / np.where(has, budget, 1.0), np.nan)
        shares, prior = _shares(prof, ids, month, s.profile)
        for m in methods:  # a handful of methods
            err = _forecast_rate(rate, month, shares, prior, m, s.cap_at_budget) - actual
            e = err[has]
            rows.append({"method": m, "month": month, "n": int(has.sum()), "mae": float(np.mean(np.abs(e))),
                         "median": float(np.median(np.abs(e))), "max": float(np.max(np.abs(e))),
                         "bias": float(np.mean(e))})
            errors.append(pd.DataFrame({"method": m, "month": month, "project_id": ids[has], "actual": actual[has],
                                        "error": e}))
    return Backtest(table=pd.DataFrame(rows), errors=pd.concat(errors, ignore_index=True), method=s.method,
                    source=prof.source)


def history_backtest(history_payments: pd.DataFrame, history_budgets: pd.DataFrame, months=(6, 10), methods=None,
                     settings: ForecastSettings | None = None, **overrides) -> Backtest | None:
    """Leave-one-year-out backtest on the history: each history year is forecast from the profile of
    the other years and compared with its own year end; the errors of all years pooled. None when the
    history has fewer than two years."""
    s = _settings(settings, overrides)
    years = pd.to_numeric(history_budgets["year"], errors="coerce")
    pay_years = pd.to_numeric(history_payments["year"], errors="coerce")
    distinct = sorted(int(y) for y in years.dropna().unique())
    if len(distinct) < 2:
        return None
    parts = []
    for y in distinct:  # a handful of history years
        own_b = history_budgets[years == y].rename(columns={"budget": s.budget_column})
        own_p = history_payments[pay_years == y]
        bt = backtest(own_p, own_b, history_payments[pay_years != y], history_budgets[years != y], months=months,
                      methods=methods, settings=s)
        parts.append(bt.errors.assign(year=y))
    errors = pd.concat(parts, ignore_index=True)
    table = errors.groupby(["method", "month"], sort=False)["error"].agg(
        n="size", mae=lambda e: float(np.mean(np.abs(e))), median=lambda e: float(np.median(np.abs(e))),
        max=lambda e: float(np.max(np.abs(e))), bias="mean").reset_index()
    return Backtest(table=table, errors=errors, method=s.method,
                    source=f"历史年度逐年回测（{'、'.join(map(str, distinct))} 年各用其余年度的支付进度预测）")


def year_complete(payments: pd.DataFrame) -> int:
    """The last month present in a payments frame (12 when the year's payments are complete)."""
    month = pd.to_numeric(payments["month"], errors="coerce")
    return int(month.max()) if month.notna().any() else 0


@dataclass(frozen=True)
class RecoveryCheck:
    """Result of :func:`recovery_backtest`: per proposed project what it kept and what it then paid."""

    month: int
    table: pd.DataFrame          # project_id, project_name, proposed, kept, actual, over

    @property
    def n_over(self) -> int:
        return int(compare.gt(self.table["over"], 0.005).sum())

    @property
    def over_total(self) -> float:
        return float(self.table["over"].sum())

    def summary(self) -> str:
        t = self.table
        if t.empty:
            return f"{self.month}月底没有收回建议，无从回测"
        head = (f"回测：按本年度全年实际支付，{self.month}月底的收回建议涉及 {len(t)} 个项目 "
                f"{t['proposed'].sum() / 1e4:,.2f} 万元，")
        if self.n_over == 0:
            return head + "没有项目此后实际支出超过收回后预算数，未多收回"
        return (head + f"其中 {self.n_over} 个项目此后实际支出超过收回后预算数，多收回 "
                f"{self.over_total / 1e4:,.2f} 万元（收回后又实际支付的金额）")


def recovery_backtest(fc: Forecast, payments: pd.DataFrame, budgets: pd.DataFrame) -> RecoveryCheck:
    """Over-recovery of the proposals of ``fc`` against the year's actual payments (all twelve months):
    over = min(proposed, max(0, actual − kept)). Refused when the payments do not reach December."""
    last = year_complete(payments)
    if last < 12:
        raise InputError("本年度支付数据未到12月，无法回测收回建议", where=Location(file="payments.csv", column="month"),
                         expected="含 1–12 月的全年支付", found=f"最后月份 {last}")
    ids, _, matrix = _payment_matrix(payments, budgets, fc.settings.budget_column)
    actual = pd.Series(matrix.sum(axis=1), index=ids)
    r = fc.recovery
    got = actual.reindex(r["project_id"]).to_numpy()
    over = np.minimum(r["proposed_recovery"].to_numpy(), np.clip(got - r["kept"].to_numpy(), 0.0, None))
    return RecoveryCheck(month=fc.month, table=pd.DataFrame({
        "project_id": r["project_id"], "project_name": r["project_name"], "proposed": r["proposed_recovery"],
        "kept": r["kept"], "actual": got, "over": np.round(over, 2)}))


__all__ = ["history_backtest", "Backtest", "Forecast", "ForecastSettings", "METHODS", "PROFILES", "Profile", "backtest", "forecast",
           "profile", "RecoveryCheck", "recovery_backtest", "year_complete"]
