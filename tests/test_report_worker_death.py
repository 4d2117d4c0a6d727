"""A worker process that dies (killed, out of memory) fails its own task only; the batch goes on."""
from pathlib import Path

from perfeval.report.batch import run_batch
from perfeval.report.task import Task

NOTEBOOK = str(Path(__file__).parent / "data" / "notebooks" / "kills_worker.ipynb")


def test_a_killed_worker_fails_only_its_task(tmp_path):
    labels = ["ok", "ok", "kill", "ok", "ok"]
    tasks = [Task(f"t{i}", "self", NOTEBOOK, {"label": label}, project_id=f"P{i}") for i, label in enumerate(labels)]
    result = run_batch(tasks, tmp_path, jobs=2, progress=None)
    status = {o.task_id: o.status for o in result.outcomes}
    assert status == {"t0": "ok", "t1": "ok", "t2": "failed", "t3": "ok", "t4": "ok"}
    assert result.exit_code != 0


def test_fingerprint_does_not_depend_on_where_the_data_lives(tmp_path):
    import shutil

    from perfeval.report.task import fingerprint
    from perfeval.cli.batch import build_tasks

    city = Path(__file__).parent / "data" / "notebooks" / "city"
    moved = tmp_path / "elsewhere"
    shutil.copytree(city, moved)
    here = {t.task_id: fingerprint(t) for t in build_tasks(city, kind="self", project_template=NOTEBOOK,
                                                          portfolio=False)}
    there = {t.task_id: fingerprint(t) for t in build_tasks(moved, kind="self", project_template=NOTEBOOK,
                                                           portfolio=False)}
    assert here == there


def test_stopping_a_pool_whose_worker_died_returns_at_once():
    """A stop must not hang on a worker that is gone: with a `multiprocessing.Event`, setting it waits
    for every thread that waited on it, so a worker killed while waiting hung the stop (and the
    ledger was never written). The pool's stop is a shared flag the workers poll."""
    import os
    import signal
    import threading
    import time

    from perfeval.report.batch import WorkerPool

    pool = WorkerPool(jobs=2)
    try:
        pids = {f.result(timeout=120) for f in [pool._executor.submit(os.getpid) for _ in range(6)]}
        victim = min(pids)
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(victim, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        stopper = threading.Thread(target=pool.stop_running, daemon=True)
        stopper.start()
        stopper.join(10)
        assert not stopper.is_alive()
    finally:
        pool.terminate()
