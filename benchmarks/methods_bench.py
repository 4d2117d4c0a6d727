"""Benchmark of the weighting and multi-criteria methods against pymcdm (a script, not a test).

Times entropy, CRITIC and TOPSIS on a seeded 100 000 × 20 matrix, perfeval and pymcdm on the same
matrix in the same run (median of a few repeats) after checking that both give the same numbers,
and the weight-sensitivity analysis with 10 000 draws on 1 000 projects × 20 indicators.
Targets: no slower than pymcdm; sensitivity ≤ 2 s.

Run:  .venv/bin/python benchmarks/methods_bench.py [--repeats 5]
pymcdm is a benchmark-only dependency (the `bench` extra); perfeval itself never imports it.
Note: OPENBLAS_CORETYPE, when set, changes which BLAS kernels the matrix products use and can
shift the timings of the matrix-product-heavy parts (CRITIC, sensitivity); it does not change
the numbers beyond rounding.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import pandas as pd

ROWS, COLS = 100_000, 20
SENS_PROJECTS, SENS_INDICATORS, SENS_DRAWS = 1_000, 20, 10_000
SENS_TARGET_SECONDS = 2.0


def median_time(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def perfeval_cases():
    """(name, perfeval callable, pymcdm callable) for the methods that exist in this checkout."""
    from perfeval.methods import topsis
    cases = []
    try:  # weights is built by another helper; run what exists
        from perfeval.weights import critic, entropy
    except ImportError:
        entropy = critic = None
    import pymcdm
    from pymcdm import normalizations
    types = np.ones(COLS, dtype=int)
    types[::4] = -1
    weights = np.random.default_rng(1).dirichlet(np.ones(COLS))
    if entropy is not None:
        cases.append(("entropy (raw proportions)",
                      lambda x: entropy(x, standardize="none").weights.to_numpy(),
                      lambda x: pymcdm.weights.entropy_weights(x)))
    if critic is not None:
        cases.append(("CRITIC",
                      lambda x: critic(x).weights.to_numpy(),
                      lambda x: pymcdm.weights.critic_weights(x)))
    pymcdm_minmax = pymcdm.methods.TOPSIS(normalizations.minmax_normalization)
    pymcdm_vector = pymcdm.methods.TOPSIS(normalizations.vector_normalization)
    cases.append(("TOPSIS min–max",
                  lambda x: topsis(x, weights, types, "minmax").closeness.to_numpy(),
                  lambda x: pymcdm_minmax(x, weights, types)))
    cases.append(("TOPSIS vector",
                  lambda x: topsis(x, weights, types, "vector").closeness.to_numpy(),
                  lambda x: pymcdm_vector(x, weights, types)))
    return cases, entropy is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    x = np.random.default_rng(20240601).uniform(1.0, 100.0, size=(ROWS, COLS))
    cases, have_weights = perfeval_cases()
    print(f"矩阵 {ROWS} × {COLS}（seed 20240601），每项取 {args.repeats} 次的中位数；"
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(未设置)')}")
    if not have_weights:
        print("perfeval.weights 尚不可用：跳过熵权法与 CRITIC (entropy/CRITIC skipped)")
    header = f"{'方法 method':<28}{'perfeval s':>12}{'pymcdm s':>12}{'比值 ratio':>12}{'最大差 max|Δ|':>16}"
    print(header)
    print("-" * len(header))
    for name, ours, theirs in cases:
        a, b = ours(x), theirs(x)
        difference = float(np.max(np.abs(a - b)))
        if not np.allclose(a, b, rtol=0, atol=1e-9):
            raise SystemExit(f"{name}: perfeval 与 pymcdm 结果不一致 (results differ): max|Δ| = {difference:g}")
        t_ours = median_time(lambda: ours(x), args.repeats)
        t_theirs = median_time(lambda: theirs(x), args.repeats)
        print(f"{name:<28}{t_ours:>12.4f}{t_theirs:>12.4f}{t_ours / t_theirs:>12.2f}{difference:>16.2e}")

    from perfeval.methods import sensitivity
    rng = np.random.default_rng(7)
    scores = pd.DataFrame(rng.uniform(0.5, 1.0, size=(SENS_PROJECTS, SENS_INDICATORS)))
    weights = rng.dirichlet(np.ones(SENS_INDICATORS) * 5)
    t_sens = median_time(lambda: sensitivity(scores, weights, n_draws=SENS_DRAWS, seed=1),
                         max(3, args.repeats // 2))
    verdict = "达标 (ok)" if t_sens <= SENS_TARGET_SECONDS else "超时 (too slow)"
    print(f"{'sensitivity':<28}{t_sens:>12.4f}{'—':>12}{'—':>12}{'':>16}  "
          f"{SENS_DRAWS} 次抽样 × {SENS_PROJECTS} 项目 × {SENS_INDICATORS} 指标，目标 ≤ {SENS_TARGET_SECONDS:g} s：{verdict}")


if __name__ == "__main__":
    main()
