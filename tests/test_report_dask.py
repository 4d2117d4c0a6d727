"""``executor="dask"`` without an address starts a LocalCluster of ``jobs`` workers (the code path of
``perfeval batch --executor dask``): the same files as the local run, failures recorded.

The real cluster (separate scheduler and worker processes, through the CLI) is tested in
test_report_cluster.py.
"""
from __future__ import annotations

from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from perfeval.report.batch import run_batch  # noqa: E402
from perfeval.report.commands import build_tasks  # noqa: E402
from perfeval.report.kernels import ReusableKernel  # noqa: E402
from perfeval.report.task import run_task  # noqa: E402

NB = Path(__file__).parent / "data" / "notebooks"
CITY = NB / "city"


def test_a_local_cluster_run_matches_the_local_run_byte_for_byte(tmp_path):
    tasks = build_tasks(CITY, projects=["P001", "P002", "P003"], kind="self",
                        project_template=NB / "project.ipynb", portfolio_template=NB / "portfolio.ipynb")
    on_dask = run_batch(tasks, tmp_path / "dask", executor="dask", jobs=2, progress=False)
    assert {o.task_id for o in on_dask.failed} == {"self:P003"}
    assert on_dask.exit_code == 1
    assert on_dask.manifest["run"]["executor"] == "dask"
    assert on_dask.manifest["run"]["scheduler"].startswith("tcp://127.0.0.1:")

    local_dir = tmp_path / "local"
    with ReusableKernel() as kernel:
        local = [run_task(t, local_dir, kernel=kernel) for t in tasks]
    for here, there in zip(local, on_dask.outcomes):
        assert here.task_id == there.task_id and here.status == there.status
        for fmt in ("html", "ipynb"):
            assert (local_dir / here.outputs[fmt]["path"]).read_bytes() == \
                (tmp_path / "dask" / there.outputs[fmt]["path"]).read_bytes()
