"""``executor="dask"`` without an address starts a LocalCluster of ``jobs`` workers (the code path of
``perfeval batch --executor dask``): the same files as the local run, failures recorded, and a task
that kills every worker it runs on fails alone (the tasks that only waited on those workers are
sent again instead of being blamed).

The real cluster (separate scheduler and worker processes, through the CLI) is tested in
test_report_cluster.py.
"""
from __future__ import annotations

from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

import dask  # noqa: E402

from perfeval.report.batch import run_batch  # noqa: E402
from perfeval.cli.batch import build_tasks  # noqa: E402
from perfeval.report.kernels import ReusableKernel  # noqa: E402
from perfeval.report.task import Task, run_task  # noqa: E402

NB = Path(__file__).parent / "data" / "notebooks"
CITY = NB / "city"
KILLER = str(NB / "kills_worker.ipynb")


def test_a_local_cluster_run_matches_the_local_run_and_a_killer_task_fails_alone(tmp_path):
    tasks = build_tasks(CITY, projects=["P001", "P002", "P003"], kind="self",
                        project_template=NB / "project.ipynb", portfolio_template=NB / "portfolio.ipynb")
    killer = [Task("kill", "self", KILLER, {"label": "kill"}, project_id="K1"),
              Task("beside", "self", KILLER, {"label": "ok"}, project_id="K2")]
    # The scheduler runs in this process: it gives up on a task after two of its workers died.
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        on_dask = run_batch(killer + tasks, tmp_path / "dask", executor="dask", jobs=2, progress=False)
    status = {o.task_id: o.status for o in on_dask.outcomes}
    assert status == {"kill": "failed", "beside": "ok", "self:P001": "ok", "self:P002": "ok",
                      "self:P003": "failed", "portfolio": "ok"}
    died = on_dask.outcomes[0].error
    assert died["kind"] == "worker-died" and died["ename"] == "KilledWorker"
    assert "先后在 2 个工作进程" in died["message"] and "调度器不再重试" in died["message"]
    assert on_dask.exit_code == 1
    assert on_dask.manifest["run"]["executor"] == "dask"
    assert on_dask.manifest["run"]["scheduler"].startswith("tcp://127.0.0.1:")

    local_dir = tmp_path / "local"
    with ReusableKernel() as kernel:
        local = [run_task(t, local_dir, kernel=kernel) for t in tasks]
    for here, there in zip(local, on_dask.outcomes[2:]):
        assert here.task_id == there.task_id and here.status == there.status
        for fmt in ("html", "ipynb"):
            assert (local_dir / here.outputs[fmt]["path"]).read_bytes() == \
                (tmp_path / "dask" / there.outputs[fmt]["path"]).read_bytes()
