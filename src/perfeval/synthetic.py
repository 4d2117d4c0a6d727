"""Synthetic portfolios for benchmarks and property tests: seeded, any size, realistic texts.

Not the sample city (that is a story told with care); this is volume: n projects × 12
indicator rows in the MOF self-evaluation shape, with text targets and actuals drawn from the
kinds of values real forms hold (≥95%, ≤90万元, =0件, 2021年12月, 有效 …).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

# (level1, level2, level3, points, target template, kind) — 12 rows, 90 points + execution 10
ROW_PLAN = [
    ("产出指标", "数量指标", "完成工程数量", 10, ("≥", "个"), "count"),
    ("产出指标", "数量指标", "受益人次", 10, ("≥", "人次"), "count"),
    ("产出指标", "质量指标", "验收合格率", 10, ("=", "%"), "pct"),
    ("产出指标", "质量指标", "安全事故数", 5, ("=", "件"), "zero"),
    ("产出指标", "时效指标", "完成时间", 5, ("", ""), "date"),
    ("产出指标", "成本指标", "项目成本", 10, ("≤", "万元"), "cost"),
    ("效益指标", "社会效益指标", "群众生活条件改善", 10, ("", ""), "text"),
    ("效益指标", "经济效益指标", "带动就业人数", 5, ("≥", "人"), "count"),
    ("效益指标", "生态效益指标", "绿化覆盖率", 10, ("≥", "%"), "pct"),
    ("效益指标", "可持续影响指标", "工程设计使用年限", 5, ("≥", "年"), "years"),
    ("满意度指标", "服务对象满意度指标", "受益群众满意度", 5, ("≥", "%"), "pct"),
    ("满意度指标", "服务对象满意度指标", "单位满意度", 5, ("≥", "%"), "pct"),
]
QUALITATIVE_ACTUALS = np.array(["有效", "明显改善", "基本达到", "部分达成", "达成预期指标", "未达成"], dtype=object)


def synthetic_portfolio(n_projects: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows, budget) for ``n_projects`` projects × 12 rows, reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    n = n_projects
    pids = np.array([f"P{i:06d}" for i in range(n)], dtype=object)
    frames = []
    for level1, level2, level3, pts, (op, unit), kind in ROW_PLAN:
        if kind in ("count", "years"):
            pool = [10, 15, 20, 30, 50] if kind == "years" else [5, 10, 20, 50, 100, 200, 500, 735, 1000, 2100]
            t = rng.choice(pool, n).astype(float)
            a = np.round(t * rng.choice([0.6, 0.8, 0.9, 0.95, 1.0, 1.0, 1.0, 1.05, 1.2, 2.6], n))
            target = op + pd.Series(t).map("{:g}".format) + unit
            actual = pd.Series(a).map("{:g}".format) + unit
        elif kind == "pct":
            t = rng.choice([80, 85, 90, 95, 100], n).astype(float)
            a = np.minimum(100, t + rng.choice([-12, -5, -2, 0, 0, 1, 3, 5], n))
            target = op + pd.Series(t).map("{:g}".format) + unit
            actual = pd.Series(a).map("{:g}".format) + unit
        elif kind == "zero":
            target = pd.Series(np.full(n, "=0件"))
            actual = pd.Series(rng.choice(["0件", "0件", "0件", "1件"], n))
        elif kind == "cost":
            t = rng.choice([50, 90, 120, 300, 800, 1500], n).astype(float)
            a = np.round(t * rng.choice([0.85, 0.95, 1.0, 1.1, 1.3], n), 1)
            target = op + pd.Series(t).map("{:g}".format) + unit
            actual = pd.Series(a).map("{:g}".format) + unit
        elif kind == "date":
            target = pd.Series(rng.choice(["2021年12月", "2021年10月", "2021年6月"], n))
            actual = pd.Series(rng.choice(["2021年12月", "2021年11月", "2021年9月", "2022年3月"], n))
        else:
            target = pd.Series(rng.choice(["有效改善", "明显提升", "达成预期指标"], n))
            actual = pd.Series(rng.choice(QUALITATIVE_ACTUALS, n))
        frames.append(pd.DataFrame({
            "project_id": pids, "level1": level1, "level2": level2, "level3": level3,
            "target": target.to_numpy(dtype=object), "actual": actual.to_numpy(dtype=object),
            "points": float(pts),
        }))
    rows = pd.concat(frames, ignore_index=True)
    order = np.argsort(np.tile(np.arange(n), len(ROW_PLAN)), kind="stable")  # project-major order
    rows = rows.iloc[order].reset_index(drop=True)
    # Assessors mostly leave the score to the rule (score with ``blank_scores="rule"``: by default a
    # blank score on a form that has awarded scores is NOT_SCORED); a few deduct freely, and 15 % of
    # rows have no deviation reason. About 11 % of rows end up with a review finding: a stress test for the
    # review (the sample city, closer to real tables, has findings on under 1 % of its rows).
    draw = rng.random(len(rows))
    rows["score"] = np.where(draw < 0.02, rows["points"] * rng.choice([0.9, 0.8], len(rows)), np.nan)
    rows["reason"] = np.where(rng.random(len(rows)) < 0.85, "受疫情影响，部分工作推迟", None)
    budget_full = np.round(rng.uniform(2e5, 5e7, n), 2)
    spent = np.round(budget_full * rng.choice([0.62, 0.9, 0.95, 0.98, 1.0], n), 2)
    budget = pd.DataFrame({"project_id": pids, "project_name": [f"示例项目{i}" for i in range(n)],
                           "budget_initial": budget_full, "budget_full_year": budget_full, "spent": spent})
    return rows, budget
