"""Benchmark of monitoring status and forecast on a synthetic city (a script, not a test).

A seeded 10 000-project × 12-month payments frame (120 000 rows, 40 departments, a tenth on 直达资金)
and two years of history of the same size. Times `perfeval.monitor.status` and
`perfeval.monitor.forecast` (median of a few repeats) against a baseline measured in the same run:
the same status computed with a Python loop per project (filter its payments, add them up, divide,
pick the light) on a subset, scaled to all projects. Checks that both give the same numbers first.

Run:  PYTHONPATH=src .venv/bin/python benchmarks/monitor_bench.py [--projects 10000] [--repeats 3]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd


def median_time(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def synthetic(n: int, seed: int = 2021, year=None):
    rng = np.random.default_rng(seed if year is None else seed + year)
    ids = np.array([f"P{i:05d}" for i in range(n)])
    budget = np.round(np.exp(rng.normal(np.log(2.5e6), 1.0, n)) / 100) * 100
    shares = rng.dirichlet(np.full(12, 2.0), n) * rng.uniform(0.8, 1.0, (n, 1))
    amount = np.round(shares * budget[:, None] / 100) * 100
    projects = pd.DataFrame({"project_id": ids, "project_name": "项目" + pd.Series(ids).str[1:],
                             "department": [f"部门{i % 40:02d}" for i in range(n)], "budget_initial": budget,
                             "direct_funds": rng.random(n) < 0.1})
    payments = pd.DataFrame({"project_id": np.repeat(ids, 12), "month": np.tile(np.arange(1, 13), n),
                             "amount": amount.ravel()})
    if year is not None:
        payments.insert(0, "year", year)
        projects = pd.DataFrame({"year": year, "project_id": ids, "budget": budget})
    return payments, projects


def loop_status(payments: pd.DataFrame, projects: pd.DataFrame, month: int, ids) -> dict:
    """The baseline: one project at a time, as a spreadsheet macro would."""
    out = {}
    for pid in ids:  # the per-project loop being measured
        budget = float(projects.loc[projects["project_id"] == pid, "budget_initial"].iloc[0])
        mine = payments[(payments["project_id"] == pid) & (payments["month"] <= month)]
        rate = mine["amount"].sum() / budget
        progress = rate / (month / 12)
        out[pid] = (rate, "绿灯" if progress >= 0.8 else "黄灯" if progress >= 0.6 else "红灯")
    return out


def main() -> None:
    from perfeval import monitor as M

    ap = argparse.ArgumentParser()
    ap.add_argument("--projects", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--subset", type=int, default=200, help="projects in the loop baseline")
    args = ap.parse_args()
    payments, projects = synthetic(args.projects)
    hist = [synthetic(args.projects, year=y) for y in (2019, 2020)]
    hp = pd.concat([h[0] for h in hist], ignore_index=True)
    hb = pd.concat([h[1] for h in hist], ignore_index=True)
    print(f"合成数据：{args.projects:,} 个项目 × 12 个月（{len(payments):,} 行支付记录），历史 {len(hp):,} 行")

    s = M.status(payments, projects, "2021-06")
    subset = projects["project_id"].to_numpy()[:: max(1, args.projects // args.subset)][: args.subset]
    base = loop_status(payments, projects, 6, subset)
    got = s.projects.set_index("project_id").loc[subset]
    assert np.allclose(got["rate"], [base[p][0] for p in subset])
    assert (got["light"].to_numpy() == np.array([base[p][1] for p in subset])).all()

    t_status = median_time(lambda: M.status(payments, projects, "2021-06"), args.repeats)
    t_forecast = median_time(lambda: M.forecast(payments, projects, "2021-11", hp, hb), args.repeats)
    t_backtest = median_time(lambda: M.backtest(payments, projects, hp, hb), args.repeats)
    t_loop = median_time(lambda: loop_status(payments, projects, 6, subset), 1)
    per = t_loop / len(subset)
    print(f"status（{args.projects:,} 个项目）           {t_status:8.3f} 秒")
    print(f"forecast（含历史支付进度）             {t_forecast:8.3f} 秒")
    print(f"backtest（3 种方法 × 2 个月）          {t_backtest:8.3f} 秒")
    print(f"基准：逐项目 Python 循环 {len(subset)} 个项目 {t_loop:8.3f} 秒，折合 {args.projects:,} 个项目 "
          f"{per * args.projects:8.1f} 秒")
    print(f"status 比逐项目循环快 {per * args.projects / t_status:,.0f} 倍")


if __name__ == "__main__":
    main()
