"""Benchmark: the perfeval batch (long-lived workers, one reused kernel each, in-process HTML export)
against the plain CLI loop (``papermill`` CLI + ``jupyter nbconvert --to html`` CLI per notebook).

Default: the real job — the 187 self-evaluation reports of the sample city plus the portfolio
(``notebooks/project_report.ipynb`` and ``portfolio.ipynb`` on ``data/sample``); the CLI loop runs
the same project report on a small subset and is scaled to the whole. ``--synthetic`` runs a
stand-alone notebook of realistic weight instead (pandas + seaborn chart + result). Prints both
times and the speed-up ratio.

``--executor dask`` measures the Dask executor instead of the CLI loop: the same job on the local
executor and on a Dask cluster of ``--jobs`` workers in the same run (a `LocalCluster` started by
the batch, or the cluster at ``--scheduler ADDRESS``), alternately ``--repeat`` times (the machine
is shared: compare within a pair), and prints both and the ratio.

    .venv/bin/python benchmarks/batch_bench.py [--cli-subset 3] [--jobs 2] [--synthetic --tasks 188]
    .venv/bin/python benchmarks/batch_bench.py --executor dask [--scheduler ADDRESS] [--projects 40] [--repeat 3]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from perfeval.report.batch import run_batch
from perfeval.cli.batch import build_tasks, notebooks_dir
from perfeval.report.task import Task

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"

CELLS = [
    ("markdown", "# 项目支出绩效自评报告（基准测试）"),
    ("code", 'project_id = "P000"\nproject_name = "示例项目"\ndepartment = "示例局"', ["parameters"]),
    ("code", "import hashlib\nimport numpy as np\nimport pandas as pd\nimport matplotlib.pyplot as plt\n"
             "import seaborn as sns\nfrom IPython.display import Markdown, display\n"
             "from perfeval.report import emit_result, set_theme\nset_theme(style=\"whitegrid\")"),
    ("code", "seed = int(hashlib.sha256(project_id.encode()).hexdigest()[:8], 16)\n"
             "rng = np.random.default_rng(seed)\n"
             "levels = [\"产出指标\", \"效益指标\", \"满意度指标\", \"预算执行率\"]\n"
             "points = np.array([50.0, 30.0, 10.0, 10.0])\n"
             "rates = rng.uniform(0.7, 1.0, size=4).round(4)\n"
             "table = pd.DataFrame({\"一级指标\": levels, \"分值\": points, \"得分率\": rates,\n"
             "                      \"得分\": (points * rates).round(2)})\n"
             "total = float(table[\"得分\"].sum().round(2))\n"
             "grade = \"优\" if total >= 90 else \"良\" if total >= 80 else \"中\" if total >= 60 else \"差\"\n"
             "display(Markdown(f\"## {project_name}（{project_id}）\\n\\n主管部门：{department}；总分 **{total}**，等级 **{grade}**\"))\n"
             "table.style.format({\"得分率\": \"{:.2%}\"}).hide(axis=\"index\")"),
    ("code", "fig, ax = plt.subplots(figsize=(6.4, 3.2))\n"
             "sns.barplot(data=table, x=\"一级指标\", y=\"得分率\", ax=ax, color=\"#4c72b0\")\n"
             "ax.set_title(f\"{project_name}：各一级指标得分率\")\nax.set_ylim(0, 1)\nplt.show()"),
    ("code", "emit_result(project_name=project_name, total=total, grade=grade)"),
]


def write_notebook(path: Path) -> None:
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    for i, (kind, source, *tags) in enumerate(CELLS):
        cell = new_code_cell(source) if kind == "code" else new_markdown_cell(source)
        cell["id"] = f"bench-{i}"
        if tags:
            cell.metadata["tags"] = tags[0]
        nb.cells.append(cell)
    nbformat.write(nb, path)


def params(i: int) -> dict:
    return {"project_id": f"P{i:03d}", "project_name": f"示例项目{i:03d}", "department": f"示例局{i % 40:02d}"}


def run_cli_loop(template: Path, work: Path, parameter_sets: list[dict]) -> list[float]:
    """papermill CLI then nbconvert CLI, one notebook at a time, as a shell script would."""
    bin_dir = Path(sys.executable).parent
    papermill = shutil.which("papermill", path=str(bin_dir)) or "papermill"
    jupyter = shutil.which("jupyter", path=str(bin_dir)) or "jupyter"
    times = []
    for i, parameters in enumerate(parameter_sets):
        out = work / f"cli-{i}.ipynb"
        args = [papermill, str(template), str(out), "--no-progress-bar", "--cwd", str(template.parent)]
        for key, value in parameters.items():
            args += ["-r", key, str(value)]
        started = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        subprocess.run([jupyter, "nbconvert", "--to", "html", "--no-input", str(out)], check=True,
                       capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def timed_batch(tasks, out: Path, **kwargs) -> float:
    """Wall seconds of one batch; a failed report ends the benchmark."""
    started = time.perf_counter()
    result = run_batch(tasks, out, progress=None, **kwargs)
    wall = time.perf_counter() - started
    if result.failed:
        print(result.summary(), file=sys.stderr)
        raise SystemExit(1)
    return wall


def compare_dask(tasks, work: Path, args, what: str) -> int:
    """The same job on the local executor and on a Dask cluster, alternately, ``--repeat`` times."""
    cluster = args.scheduler or f"LocalCluster, {args.jobs} workers x 1 thread, started by the batch"
    n = len(tasks)
    print(f"machine: {os.cpu_count()} cores; {what}; dask: {cluster}")
    ratios, same = [], True
    for i in range(args.repeat):
        local = timed_batch(tasks, work / f"local{i}", jobs=args.jobs)
        on_dask = timed_batch(tasks, work / f"dask{i}", jobs=args.jobs, executor="dask", scheduler=args.scheduler)
        same = same and all((work / f"local{i}" / sub / p.name).read_bytes() == p.read_bytes()
                            for sub in ("reports", "notebooks") for p in (work / f"dask{i}" / sub).iterdir())
        ratios.append(on_dask / local)
        print(f"run {i + 1}: local {local:.1f} s ({local / n:.2f} s per notebook), "
              f"dask {on_dask:.1f} s ({on_dask / n:.2f} s per notebook, cluster start included): "
              f"dask / local {on_dask / local:.2f}x")
    ratios.sort()
    print(f"median dask / local: {ratios[len(ratios) // 2]:.2f}x over {len(ratios)} pairs; "
          f"reports byte-identical: {'yes' if same else 'NO'}")
    return 0 if same else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=188, help="with --synthetic: notebooks in the batch")
    parser.add_argument("--cli-subset", type=int, default=3, help="notebooks run with the CLI loop")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--synthetic", action="store_true", help="a stand-alone notebook instead of the real job")
    parser.add_argument("--executor", choices=["local", "dask"], default="local",
                        help="dask: the local executor against a Dask cluster instead of the CLI loop")
    parser.add_argument("--scheduler", help="with --executor dask: an existing cluster (default: a LocalCluster)")
    parser.add_argument("--projects", type=int, help="the real job on the first N projects only (+ the portfolio)")
    parser.add_argument("--repeat", type=int, default=1, help="with --executor dask: pairs of runs, alternating")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="perfeval-bench-"))
    try:
        if args.synthetic:
            template = work / "bench.ipynb"
            write_notebook(template)
            tasks = [Task(f"bench:{i}", "self", str(template), params(i), project_id=f"P{i:03d}")
                     for i in range(args.tasks)]
            cli_template, cli_params = template, [params(i) for i in range(args.cli_subset)]
            what = "synthetic notebook: pandas + seaborn chart + HTML export"
        else:
            tasks = build_tasks(SAMPLE, kind="self")
            if args.projects:
                tasks = tasks[: args.projects] + tasks[-1:]
            cli_template = notebooks_dir() / "project_report.ipynb"
            ids = [t.project_id for t in tasks if t.kind == "self"][: args.cli_subset]
            cli_params = [{"project_id": pid, "data_dir": str(SAMPLE), "kind": "self"} for pid in ids]
            what = f"the real job: {len(tasks) - 1} self-evaluation reports + the portfolio on data/sample"
        if args.executor == "dask":
            return compare_dask(tasks, work, args, what)
        started = time.perf_counter()
        result = run_batch(tasks, work / "batch", jobs=args.jobs, progress=None)
        batch_wall = time.perf_counter() - started
        if result.failed:
            print(result.summary(), file=sys.stderr)
            return 1
        cli = run_cli_loop(cli_template, work, cli_params)
        cli_each = sum(cli) / len(cli)
        cli_scaled = cli_each * len(tasks)
        print(f"machine: {os.cpu_count()} cores; {what}")
        print(f"perfeval batch, {args.jobs} workers, reused kernels: {len(tasks)} notebooks in "
              f"{batch_wall:.1f} s wall ({batch_wall / len(tasks):.2f} s per notebook, "
              f"{60 * len(tasks) / batch_wall:.0f} per minute)")
        print(f"CLI loop (papermill CLI + nbconvert CLI), {len(cli)} notebooks: "
              f"{cli_each:.2f} s per notebook -> {cli_scaled:.0f} s scaled to {len(tasks)}")
        print(f"speed-up: {cli_scaled / batch_wall:.1f}x (targets: ≤ 90 s wall, ≥ 10x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
