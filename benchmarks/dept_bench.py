"""Time the department roll-up (`perfeval.dept.rollup`) of 5,000 units (default) against a naive per-unit loop
measured in the same run, and check both give the same department totals.

    python benchmarks/dept_bench.py [--units 5000] [--departments 40] [--rows 12] [--repeat 3]

Synthetic city: ``--departments`` departments (their 机关本级 included) share ``--units`` 二级 units; each unit has
``--rows`` indicator rows: amounts (summed), rates (money-weighted), qualitative rows (score shares weighted) and
data-sheet formula rows; some indicators are common to the department, some the unit's own.
"""
import argparse
import time
from collections import defaultdict

import numpy as np
import pandas as pd

from perfeval.dept import check_basic, check_units, rollup
from perfeval.dept.rollup import _aggregate, _totals


def synthetic(n_units: int, n_depts: int, n_rows: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    depts = [f"D{j:03d}" for j in range(n_depts)]
    unit_dept = rng.choice(depts, n_units)
    ids = [f"U{i:05d}" for i in range(n_units)]
    units = pd.DataFrame({"unit_id": depts + ids, "unit_name": depts + ids, "department_id": depts + list(unit_dept),
                          "level": [1] * n_depts + [2] * n_units, "parent_id": [None] * n_depts + list(unit_dept)})
    all_ids = depts + ids
    n_all = len(all_ids)
    money = rng.uniform(1e5, 5e7, n_all).round(2)
    basic = pd.DataFrame({"unit_id": all_ids, "year": 2021, "budget_initial": money, "budget_full_year": money,
                          "spent": (money * rng.uniform(0.8, 1.05, n_all)).round(2),
                          "procurement_budget": (money * 0.1).round(2),
                          "procurement_spent": (money * 0.1 * rng.uniform(0.6, 1.0, n_all)).round(2)})
    unit_ids = np.repeat(all_ids, n_rows)
    k = np.tile(np.arange(n_rows), n_all)
    own = k >= n_rows // 2  # the second half of the rows are each unit's own indicators
    kind = k % 4  # 0 amount, 1 rate, 2 qualitative, 3 formula (政府采购执行率, only once per unit)
    kind[(kind == 3) & (k != 3)] = 1
    name = np.where(kind == 3, "政府采购执行率", np.char.add("指标", k.astype(str)))
    name = np.where(own & (kind != 3), np.char.add(np.char.add(name, "-"), unit_ids), name)
    n = len(unit_ids)
    t = np.where(kind == 0, rng.integers(10, 200, n), rng.uniform(80, 100, n).round(1)).astype(float)
    a = np.where(kind == 0, (t * rng.uniform(0.5, 1.3, n)).round(), rng.uniform(60, 110, n).round(1))
    op = np.where(rng.random(n) < 0.8, ">=", "<=")
    points = np.full(n, 100.0 / n_rows)
    ratio = np.where(op == ">=", np.minimum(a / t, 1.0), np.clip(1 - (a - t) / t, 0, 1) * (a > t) + (a <= t))
    rows = pd.DataFrame({"entity": "unit", "unit_id": unit_ids, "level1": "产出", "level2": "数量", "level3": name,
                         "target_value": np.where(kind == 2, np.nan, t), "actual_value": np.where(kind == 2, np.nan, a),
                         "target": np.where(kind == 2, "显著", None), "actual": np.where(kind == 2, "较好", None),
                         "op": op, "unit": np.where(kind == 0, "件", "%"),
                         "measure": np.select([kind == 0, kind == 2], ["amount", "qualitative"], "rate"),
                         "points": points, "score": np.where(kind == 2, rng.uniform(0.6, 1, n), ratio) * points})
    return units, basic, rows


def naive(units: pd.DataFrame, basic: pd.DataFrame, rows: pd.DataFrame) -> dict:
    """The same aggregate-first rule, one unit and one row at a time (dicts and floats)."""
    money = dict(zip(basic["unit_id"], basic["budget_full_year"]))
    dept_of = dict(zip(units["unit_id"], units["department_id"]))
    by_dept_unit = defaultdict(list)
    for rec in rows.to_dict("records"):
        by_dept_unit[dept_of[rec["unit_id"]]].append(rec)
    totals = {}
    for dept, recs in by_dept_unit.items():
        formed = {r["unit_id"] for r in recs}
        dept_money = sum(money[u] for u in formed)
        groups = defaultdict(list)
        for r in recs:
            groups[r["level3"]].append(r)
        total = 0.0
        for name, g in groups.items():
            g_money = sum(money[r["unit_id"]] for r in g)
            pts = sum(money[r["unit_id"]] / dept_money * r["points"] for r in g)
            measure = g[0]["measure"]
            if measure == "qualitative":
                total += sum(money[r["unit_id"]] / g_money * r["score"] / r["points"] for r in g) * pts
                continue
            if measure == "amount":
                a = sum(r["actual_value"] for r in g)
                t = sum(r["target_value"] for r in g)
            else:
                a = sum(money[r["unit_id"]] / g_money * r["actual_value"] for r in g)
                t = sum(money[r["unit_id"]] / g_money * r["target_value"] for r in g)
            if g[0]["op"] == ">=":
                total += pts if a >= t else (min(a / t, 1.0) * pts if t > 0 else 0.0)
            else:
                total += pts if a <= t else (max(0.0, 1 - (a - t) / t) * pts if t > 0 else 0.0)
        totals[dept] = total
    return totals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=5_000)
    parser.add_argument("--departments", type=int, default=40)
    parser.add_argument("--rows", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    raw_units, raw_basic, rows = synthetic(args.units, args.departments, args.rows)
    units = check_units(raw_units)
    basic = check_basic(raw_basic, units)
    fast, core, slow = [], [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = rollup(units, rows, basic)
        fast.append(time.perf_counter() - t0)
        t0 = time.perf_counter()  # the aggregation alone, the part the naive loop does
        groups = _aggregate(result.rows, result.rule, result.derived)
        _totals(result.rows, groups, result.weights, result.bands)
        core.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        reference = naive(units, basic, rows)
        slow.append(time.perf_counter() - t0)
    got = result.departments.set_index("department_id")["consolidated_total"]
    want = pd.Series(reference).reindex(got.index)
    assert np.allclose(got.to_numpy(), want.to_numpy(), rtol=1e-9), (got - want).abs().max()
    n_units = len(units)
    print(f"dept roll-up: {n_units} units ({args.departments} departments), {len(rows)} indicator rows, "
          f"{len(result.groups)} consolidated rows")
    print(f"  perfeval.dept.rollup (checks, formulas, coverage, roll-up) : best {min(fast):.3f} s of {args.repeat}")
    print(f"    of which the aggregation and totals                       : best {min(core):.3f} s")
    print(f"  naive per-unit loop (aggregation and totals only)           : best {min(slow):.3f} s")
    print(f"  ratio naive / whole rollup : {min(slow) / min(fast):.1f}×;  naive / aggregation : "
          f"{min(slow) / min(core):.1f}×   (same department totals: checked)")


if __name__ == "__main__":
    main()
