"""Time `perfeval.budget.apply_results` on synthetic projects (default 100 000): rules applied, reasons written.

    python benchmarks/apply_bench.py [--n 100000] [--repeat 3]
"""
import argparse
import time

import numpy as np
import pandas as pd

from perfeval.budget import ApplyRules, apply_results


def synthetic(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    grades = np.array(["优", "良", "中", "差", None], dtype=object)
    return pd.DataFrame({
        "project_id": [f"P{i:06d}" for i in range(n)], "project_name": [f"项目{i}" for i in range(n)],
        "department": rng.choice([f"部门{j}" for j in range(40)], n),
        "grade": rng.choice(grades, n, p=[.6, .25, .08, .04, .03]),
        "key_grade": np.where(rng.random(n) < .12, rng.choice(grades[:4], n), None),
        "budget": rng.uniform(1e5, 2e8, n).round(2), "has_targets": rng.random(n) > .01,
        "self_evaluated": rng.random(n) > .01})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    frame = synthetic(args.n)
    rules = ApplyRules(notice_date="2022-06-30")
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        applied = apply_results(frame, rules)
        times.append(time.perf_counter() - start)
    print(f"apply_results：{args.n:,} 个项目，中位数 {np.median(times):.2f} 秒（{args.repeat} 次：" +
          "、".join(f"{t:.2f}" for t in times) + "）")
    print(applied.summary().to_string(index=False))


if __name__ == "__main__":
    main()
