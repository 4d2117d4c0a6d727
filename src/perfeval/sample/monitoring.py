"""The sample city's monitoring extras: 直达资金 flags, two earlier years of payments, mid-year targets.

Written into ``data/sample/monitoring/`` (new files only: every other file of the city stays
byte-identical, because this module draws from its own random stream ``default_rng([seed, 11])``):

* ``direct_funds.csv`` — ``project_id, direct_funds`` (true/false): projects paid from central
  direct funds (直达资金), which the seed report watches most closely; about a third of the
  education, health, social-security and agriculture projects.
* ``history_payments.csv`` / ``history_budgets.csv`` — ``year, project_id, month, amount`` and
  ``year, project_id, budget`` of 2019 and 2020 for the projects that ran then (most of today's):
  the history the year-end forecast learns its monthly profile from. The city paid then as it
  pays now (slow first quarter, a December rush), with its own laggards and a few projects at zero
  until November.
* ``midyear_targets.csv`` — ``project_id, month, seq, level1, level2, level3, target, completion``:
  the mid-year (end of June) completion of the 数量指标 targets of some projects, as a share of
  the annual target (双监控). Completion mostly follows spending; a few projects are planted where
  money and results diverge (``intended`` in :func:`build`'s result, for the tests).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HISTORY_YEARS = (2019, 2020)
DIRECT_SECTORS = ("教育", "卫生健康", "社会保障", "农业农村")
N_MIDYEAR = 40                 # projects reporting mid-year completion (besides the planted ones)
N_RESULTS_BEHIND = 3           # spent on schedule, results far behind
N_MONEY_BEHIND = 3             # lagging payments, results on schedule


def _history(rng, projects: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Earlier years' budgets and monthly payments of the projects that ran then."""
    pay, bud = [], []
    for year in HISTORY_YEARS:  # two years
        ran = rng.random(len(projects)) < 0.85
        p = projects[ran]
        n = len(p)
        budget = np.round(p["budget_initial"].to_numpy() * np.exp(rng.normal(0, 0.15, n)) / 1e3) * 1e3
        kind = rng.choice(["normal", "lagging", "zero"], size=n, p=[0.9, 0.08, 0.02])
        u = rng.random((2, n))
        june = np.where(kind == "normal", 0.40 + 0.22 * u[0], 0.08 + 0.24 * u[0])
        final = np.minimum(1.0, 0.955 + 0.075 * u[1])
        final[kind == "lagging"] = 0.85 + 0.15 * u[1][kind == "lagging"]
        final[kind == "zero"] = 0.40 + 0.45 * u[1][kind == "zero"]
        june[kind == "zero"] = 0.0
        rush = 2.0 + 0.4 * (year - HISTORY_YEARS[0])  # December rush
        first = np.array([0.6, 0.8, 1.0, 1.0, 1.1, 1.2]) * np.exp(rng.normal(0, 0.35, (n, 6)))
        second = np.array([1.0, 1.0, 1.1, 1.2, 1.3, rush]) * np.exp(rng.normal(0, 0.35, (n, 6)))
        curve = np.hstack([np.cumsum(first, axis=1) / first.sum(axis=1, keepdims=True) * june[:, None],
                           june[:, None] + np.cumsum(second, axis=1) / second.sum(axis=1, keepdims=True)
                           * (final - june)[:, None]])
        zero = kind == "zero"
        late = np.array([1.0, 2.0]) * np.exp(rng.normal(0, 0.2, (n, 2)))
        late_curve = np.cumsum(late, axis=1) / late.sum(axis=1, keepdims=True) * final[:, None]
        curve[zero] = np.hstack([np.zeros((int(zero.sum()), 10)), late_curve[zero]])
        cumulative = np.rint(curve * budget[:, None] / 100.0)
        monthly = np.diff(np.hstack([np.zeros((n, 1)), cumulative]), axis=1) * 100.0
        ids = p["project_id"].to_numpy()
        pay.append(pd.DataFrame({"year": year, "project_id": np.repeat(ids, 12), "month": np.tile(np.arange(1, 13), n),
                                 "amount": monthly.ravel()}))
        bud.append(pd.DataFrame({"year": year, "project_id": ids, "budget": budget}))
    return pd.concat(pay, ignore_index=True), pd.concat(bud, ignore_index=True)


def _midyear(rng, projects: pd.DataFrame, rows: pd.DataFrame, june_rate: pd.Series) -> tuple[pd.DataFrame, dict]:
    """End-of-June completion of the 数量指标 targets of some projects, with planted divergences."""
    form = rows[rows["on_form"]].copy()
    form["seq"] = form.groupby("project_id").cumcount() + 1
    quantity = form[(form["level1"] == "产出指标") & (form["level2_name"] == "数量指标")]
    has = projects["project_id"].isin(quantity["project_id"]).to_numpy()
    profile = projects["profile"].to_numpy()
    normal = np.flatnonzero(has & (profile == "normal"))
    lagging = np.flatnonzero(has & np.isin(profile, ["june_lagging", "lagging_recovered"]))
    chosen_normal = np.sort(rng.choice(normal, N_MIDYEAR + N_RESULTS_BEHIND, replace=False))
    behind = np.sort(rng.choice(chosen_normal, N_RESULTS_BEHIND, replace=False))
    money_behind = np.sort(rng.choice(lagging, N_MONEY_BEHIND, replace=False))
    reporting = np.union1d(chosen_normal, money_behind)
    ids = projects["project_id"].to_numpy()
    base = june_rate.reindex(ids).to_numpy() + rng.normal(0, 0.06, len(ids))
    spent = june_rate.reindex(ids).to_numpy()
    base[behind] = np.maximum(0.02, spent[behind] - 0.36 - 0.1 * rng.random(len(behind)))
    base[money_behind] = spent[money_behind] + 0.36 + 0.15 * rng.random(len(money_behind))
    level = pd.Series(np.clip(base, 0.0, 1.0), index=ids)
    t = quantity[quantity["project_id"].isin(ids[reporting])].copy()
    completion = np.clip(level.reindex(t["project_id"]).to_numpy() + rng.normal(0, 0.04, len(t)), 0.0, 1.0)
    out = pd.DataFrame({"project_id": t["project_id"].to_numpy(), "month": 6, "seq": t["seq"].to_numpy(),
                        "level1": t["level1"].to_numpy(), "level2": t["level2_name"].to_numpy(),
                        "level3": t["name"].to_numpy(), "target": t["target"].to_numpy(),
                        "completion": np.round(completion, 4)})
    intended = {"results_behind": sorted(ids[behind].tolist()), "money_behind": sorted(ids[money_behind].tolist()),
                "reporting": sorted(ids[reporting].tolist())}
    return out.sort_values(["project_id", "seq"], kind="stable").reset_index(drop=True), intended


def build(seed: int, projects: pd.DataFrame, rows: pd.DataFrame, payments: pd.DataFrame) -> dict:
    """The monitoring extras in memory: {"direct_funds", "history_payments", "history_budgets",
    "midyear", "intended"}."""
    rng = np.random.default_rng([int(seed), 11])
    direct = projects["sector"].isin(DIRECT_SECTORS).to_numpy() & (rng.random(len(projects)) < 0.35)
    direct_funds = pd.DataFrame({"project_id": projects["project_id"].to_numpy(),
                                 "direct_funds": np.where(direct, "true", "false")})
    history_payments, history_budgets = _history(rng, projects)
    june_paid = payments[payments["month"] <= 6].groupby("project_id")["amount"].sum()
    june_rate = june_paid / projects.set_index("project_id")["budget_initial"].reindex(june_paid.index)
    midyear, intended = _midyear(rng, projects, rows, june_rate)
    return {"direct_funds": direct_funds, "history_payments": history_payments,
            "history_budgets": history_budgets, "midyear": midyear, "intended": intended}


def write(extras: dict, out) -> None:
    """Write the extras into ``out/monitoring/`` (UTF-8 with BOM, fixed float format, atomic)."""
    from .files import write_csv

    folder = Path(out) / "monitoring"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("direct_funds", "history_payments", "history_budgets"):
        write_csv(extras[name], folder / f"{name}.csv")
    write_csv(extras["midyear"], folder / "midyear_targets.csv")


__all__ = ["build", "write"]
