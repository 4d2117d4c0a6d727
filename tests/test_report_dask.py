"""The batch on a Dask cluster gives the same files as the local run; kernels stay on the workers."""
from __future__ import annotations

from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from perfeval.report.batch import run_batch  # noqa: E402
from perfeval.report.ledger import reproducible_part  # noqa: E402
from perfeval.report.task import run_task  # noqa: E402
from perfeval.report.commands import build_tasks  # noqa: E402
from perfeval.report.dask_worker import kernels_started_on_worker  # noqa: E402
from perfeval.report.kernels import ReusableKernel  # noqa: E402

NB = Path(__file__).parent / "data" / "notebooks"
CITY = NB / "city"


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


def test_dask_run_matches_the_local_run_byte_for_byte(client, tmp_path):
    tasks = build_tasks(CITY, projects=["P001", "P002", "P003"], kind="self",
                        project_template=NB / "project.ipynb", portfolio_template=NB / "portfolio.ipynb")
    on_dask = run_batch(tasks, tmp_path / "dask", executor="dask", scheduler=client, progress=False)
    assert {o.task_id for o in on_dask.failed} == {"self:P003"}
    assert on_dask.exit_code == 1
    # Kernels are kept on the workers: at most one per worker for four tasks.
    started = client.run(kernels_started_on_worker)
    assert 1 <= sum(started.values()) <= 2 and all(n <= 1 for n in started.values())

    local_dir = tmp_path / "local"
    with ReusableKernel() as kernel:
        local = [run_task(t, local_dir, kernel=kernel) for t in tasks]
    for here, there in zip(local, on_dask.outcomes):
        assert here.task_id == there.task_id and here.status == there.status
        for fmt in ("html", "ipynb"):
            assert (local_dir / here.outputs[fmt]["path"]).read_bytes() == \
                (tmp_path / "dask" / there.outputs[fmt]["path"]).read_bytes()

    again = run_batch(tasks, tmp_path / "dask2", executor="dask", scheduler=client, progress=False)
    assert again.manifest["reproducible_sha256"] == on_dask.manifest["reproducible_sha256"]
    assert reproducible_part(again.manifest) == reproducible_part(on_dask.manifest)
    assert sum(client.run(kernels_started_on_worker).values()) == sum(started.values())
