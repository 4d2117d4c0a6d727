"""Hard stops of `perfeval batch` on the sample city: SIGTERM is a clean stop, SIGKILL leaves nothing running.

The batch runs as a real subprocess (its own session, so no signal strays into pytest) with two
workers: on four projects of the sample city (SIGTERM as soon as the first report lands), and on
the small test city with one notebook that hangs (SIGTERM must cancel it; SIGKILL while it runs). Processes are
followed with psutil (installed with jupyter): the driver's whole tree, workers and kernels.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from perfeval.report.ledger import BatchLock
from perfeval.report.lifeline import clean_leftovers
from perfeval.report.storage import sha256_file

psutil = pytest.importorskip("psutil")

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
NB = Path(__file__).parent / "data" / "notebooks"
PROJECTS = "SZ2021-001,SZ2021-002,SZ2021-003,SZ2021-004"


def _start(out: Path, *extra: str, data: Path = SAMPLE) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "perfeval.cli", "batch", "--data", str(data), "--out", str(out),
           "--kind", "self", "--jobs", "2", "--no-portfolio", *extra]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


@pytest.fixture
def hanging_city(tmp_path):
    """The small test city (tests/data/notebooks) where P005's notebook sleeps for ten minutes."""
    data = tmp_path / "city"
    shutil.copytree(NB / "city", data)
    text = (data / "projects.csv").read_text(encoding="utf-8").replace("城乡环境综合整治", "城乡环境综合整治【超时】")
    (data / "projects.csv").write_text(text, encoding="utf-8")
    return data


def _wait_for(predicate, seconds: float, what: str, batch: subprocess.Popen) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if batch.poll() is not None:
            pytest.fail(f"batch ended before {what}: {batch.communicate()[1][-2000:]}")
        if time.monotonic() > deadline:
            batch.kill()
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def _first_report(out: Path):
    reports = out / "reports"
    return lambda: reports.is_dir() and any(p.suffix == ".html" for p in reports.iterdir())


def _tree(pid: int, at_least: int = 4) -> list:
    children = psutil.Process(pid).children(recursive=True)
    assert len(children) >= at_least, children  # workers, their kernels (and multiprocessing's helper)
    return children


def _alive(processes) -> list:
    alive = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.NoSuchProcess:
            pass
    return alive


def _wait_gone(processes, seconds: float) -> list:
    deadline = time.monotonic() + seconds
    while _alive(processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _alive(processes)


def _assert_ledger_true(out: Path) -> dict:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["projects"]:
        assert entry["status"] == "ok", entry
        for meta in entry["outputs"].values():
            assert sha256_file(out / meta["path"]) == meta["sha256"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(e["project_id"] in index for e in manifest["projects"])
    return manifest


def test_sigterm_stops_cleanly_writes_the_ledger_and_leaves_no_process(tmp_path):
    batch = _start(tmp_path, "--projects", PROJECTS)
    _wait_for(_first_report(tmp_path), 120, "the first report", batch)
    tree = _tree(batch.pid)
    sent = time.monotonic()
    batch.send_signal(signal.SIGTERM)
    _, err = batch.communicate(timeout=60)
    took = time.monotonic() - sent
    assert batch.returncode == 143, err
    assert took < 15, took
    assert "收到停止信号 SIGTERM" in err and "批量生成中断" in err and "退出码 143" in err
    assert "Traceback" not in err
    assert _wait_gone(tree, 5) == []
    manifest = _assert_ledger_true(tmp_path)
    made = {p.stem for p in (tmp_path / "reports").glob("*.html")}
    assert {e["stem"] for e in manifest["projects"]} == made and 1 <= len(made) <= 4
    assert manifest["run"]["signal"] == signal.SIGTERM and manifest["run"]["finished"]
    assert not (tmp_path / ".perfeval-batch.lock").exists()


def test_a_stop_without_grace_leaves_no_file_the_ledger_does_not_list(tmp_path):
    """``--stop-grace 0``: the running reports are stopped at once. One that had already written its
    executed notebook finishes its export and is recorded; the others write nothing. Every file in
    reports/ and notebooks/ is in the ledger with its checksum (terminating the workers outright
    used to leave a notebook or page of a report caught mid-export on disk, unlisted)."""
    batch = _start(tmp_path, "--projects", ",".join(f"SZ2021-{i:03d}" for i in range(1, 13)), "--stop-grace", "0")
    _wait_for(_first_report(tmp_path), 120, "the first report", batch)
    batch.send_signal(signal.SIGTERM)
    _, err = batch.communicate(timeout=60)
    assert batch.returncode == 143, err
    manifest = _assert_ledger_true(tmp_path)
    recorded = {meta["path"] for e in manifest["projects"] for meta in e["outputs"].values()}
    on_disk = {p.relative_to(tmp_path).as_posix() for folder in ("reports", "notebooks")
               for p in (tmp_path / folder).rglob("*") if p.is_file()}  # technical appendices included
    assert on_disk == recorded and 1 <= len(manifest["projects"]) < 12


def test_sigterm_cancels_a_hung_task_within_the_grace_period(tmp_path, hanging_city):
    out = tmp_path / "out"
    batch = _start(out, "--project-template", str(NB / "project.ipynb"), "--jobs", "1", "--stop-grace", "1",
                   data=hanging_city)
    # One worker, tasks in order: after four reports it is running P005, which hangs.
    _wait_for(lambda: (out / "reports").is_dir() and len(list((out / "reports").glob("*.html"))) >= 4,
              120, "four reports", batch)
    tree = _tree(batch.pid, at_least=2)
    sent = time.monotonic()
    batch.send_signal(signal.SIGTERM)
    _, err = batch.communicate(timeout=60)
    assert batch.returncode == 143, err
    assert time.monotonic() - sent < 8
    assert "最多 1 秒" in err
    assert "未完成 1 份" in err and "Traceback" not in err
    assert _wait_gone(tree, 5) == []
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "self:P005" not in {e["task_id"] for e in manifest["projects"]}
    assert len(manifest["projects"]) == 4  # P003 fails by design, recorded as failed


def test_sigkill_leaves_no_worker_or_kernel_and_the_next_run_cleans_up(tmp_path, hanging_city):
    out = tmp_path / "out"
    batch = _start(out, "--project-template", str(NB / "project.ipynb"), "--checkpoint-every", "1",
                   data=hanging_city)
    _wait_for(lambda: (out / "index.html").exists(), 120, "the first checkpoint", batch)
    tree = _tree(batch.pid)
    worker_pids = {p.pid for p in tree}
    batch.send_signal(signal.SIGKILL)
    batch.communicate(timeout=30)
    left = _wait_gone(tree, 5)
    assert left == [], [(p.pid, p.cmdline()[:3]) for p in left]
    checkpointed = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert checkpointed["run"]["finished"] is False and len(checkpointed["projects"]) >= 1
    for entry in checkpointed["projects"]:
        for meta in entry["outputs"].values():
            assert sha256_file(out / meta["path"]) == meta["sha256"]
    assert (out / ".perfeval-batch.lock").exists()

    # What the next run does first: take the dead run's lock over and remove its temporary folders.
    temp = Path(tempfile.gettempdir())
    leftovers = [p for p in temp.iterdir() if p.name.startswith(("pfk-", "pfnb-"))
                 and p.name.split("-")[1].isdigit() and int(p.name.split("-")[1]) in worker_pids]
    fake = temp / f"pfnb-{batch.pid}-leftover"  # the killed driver's pid: certainly dead now
    fake.mkdir()
    part = out / "reports" / f".self-P005.html.{batch.pid}.abc123.part"
    part.write_bytes(b"half")
    removed = clean_leftovers(out)
    assert str(fake) in removed and str(part) in removed
    assert not fake.exists() and not part.exists()
    assert not [p for p in leftovers if p.exists()]
    with BatchLock(out) as lock:
        assert f"进程 {batch.pid}" in lock.note and "没有正常结束" in lock.note
