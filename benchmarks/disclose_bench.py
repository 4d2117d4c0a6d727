"""How long ``perfeval disclose`` takes: the sample city and a synthetic city of 10,000 projects.

The synthetic city (``synthetic_city``) has ``n`` projects × 12 declared targets and self-evaluation
rows (`perfeval.synthetic.synthetic_portfolio`), 40 departments, and the sample city's 23 key
evaluations copied onto 1 % of its projects (indicators, experts' scores, the panel's comments), so
every table is full size. Declaration workbooks are not generated (the synthetic run uses
``goals=False``); the sample city is timed both ways (with and without reading its 187 declarations).
Prints the wall and CPU time of computing the tables, rendering the pages and writing every file, and the
sizes (on a shared machine the CPU time is the steadier figure).

Run: ``PYTHONPATH=src python benchmarks/disclose_bench.py [--projects 10000] [--skip-sample]``.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def synthetic_city(folder: Path, n: int, seed: int = 2021) -> Path:
    """A data folder of ``n`` projects (see the module docstring)."""
    from perfeval.synthetic import synthetic_portfolio

    rows, budget = synthetic_portfolio(n, seed=seed)
    depts = np.array([f"示例市第{i + 1}局" for i in range(40)], dtype=object)
    sample_key = pd.read_csv(SAMPLE / "projects.csv", dtype=str)
    sample_key = sample_key[sample_key["key_evaluation"] == "true"]
    n_copies = max(1, n // 100 // len(sample_key))
    key_map = {(c, pid): f"P{c * len(sample_key) + i:06d}" for c in range(n_copies)
               for i, pid in enumerate(sample_key["project_id"])}
    key_ids = set(key_map.values())
    projects = budget.assign(department=depts[np.arange(n) % 40], unit=depts[np.arange(n) % 40], sector="教育",
                             key_evaluation=budget["project_id"].isin(key_ids).map({True: "true", False: "false"}),
                             recovered=0)
    (folder / "self_evaluation").mkdir(parents=True)
    (folder / "key_evaluation").mkdir()
    projects.to_csv(folder / "projects.csv", index=False)
    rows.assign(seq=rows.groupby("project_id").cumcount() + 1)[
        ["project_id", "seq", "level1", "level2", "level3", "target"]].to_csv(folder / "targets.csv", index=False)
    rows.merge(budget[["project_id", "project_name"]], on="project_id").assign(counted=True).to_csv(
        folder / "self_evaluation" / "rows.csv", index=False)
    budget.assign(exec_points=10.0).to_csv(folder / "self_evaluation" / "budget.csv", index=False)
    for name in ("indicators.csv", "panel_scores.csv", "panel_comments.csv"):
        frame = pd.read_csv(SAMPLE / "key_evaluation" / name, dtype=str, keep_default_na=False)
        copies = [frame.assign(project_id=frame["project_id"].map(
            {pid: key_map[(c, pid)] for pid in sample_key["project_id"]})) for c in range(n_copies)]
        pd.concat(copies).to_csv(folder / "key_evaluation" / name, index=False)
    return folder


def timed(data: Path, out: Path, goals: bool) -> dict:
    from perfeval.disclose import DisclosureRules, disclose
    from perfeval.disclose import render

    t0, c0 = time.perf_counter(), time.process_time()
    result = disclose(data, rules=DisclosureRules(goals=goals))
    t1, c1 = time.perf_counter(), time.process_time()
    out.mkdir(parents=True, exist_ok=True)
    html = sum(len(render.table_page(t)) for t in result.tables) + len(render.index_page(result))
    t2, c2 = time.perf_counter(), time.process_time()
    render.write(result, out)
    t3, c3 = time.perf_counter(), time.process_time()
    sizes = {p.name: p.stat().st_size for p in sorted(out.iterdir())}
    return {"tables": t1 - t0, "html": t2 - t1, "write all (html + xlsx)": t3 - t2,
            "cpu": (c1 - c0, c2 - c1, c3 - c2),
            "rows": {t.spec.key: len(t.public) for t in result.tables}, "html_chars": html, "sizes": sizes}


def report(label: str, r: dict) -> None:
    print(f"{label}: 计算公开表 {r['tables']:.1f} 秒，生成网页 {r['html']:.1f} 秒，写出全部文件 {r['write all (html + xlsx)']:.1f} 秒；"
          f"行数 {r['rows']}")
    print("   其中 CPU 时间（机器繁忙时更稳定）：" + "，".join(f"{k} {v:.1f} 秒" for k, v in zip(
        ("计算", "网页", "写出"), r["cpu"])))
    print("   文件大小：" + "，".join(f"{k} {v / 1e6:.2f} MB" for k, v in r["sizes"].items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--projects", type=int, default=10_000)
    ap.add_argument("--skip-sample", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if not args.skip_sample:
            report("示例市（不读申报表）", timed(SAMPLE, tmp / "s1", goals=False))
            report("示例市（读 187 份申报表）", timed(SAMPLE, tmp / "s2", goals=True))
        t = time.perf_counter()
        city = synthetic_city(tmp / "city", args.projects)
        print(f"合成城市 {args.projects} 个项目：生成数据 {time.perf_counter() - t:.1f} 秒")
        report(f"合成城市 {args.projects} 个项目", timed(city, tmp / "c", goals=False))


if __name__ == "__main__":
    main()
