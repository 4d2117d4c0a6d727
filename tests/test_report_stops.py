"""Hard stops of `perfeval batch` on the sample city: SIGTERM is a clean stop, SIGKILL leaves nothing running.

The batch runs as a real subprocess (its own session, so no signal strays into pytest) on four
projects with two workers; the signal is sent as soon as the first report (SIGTERM) or the first
checkpoint of the ledger (SIGKILL) lands. Processes are
followed with psutil (installed with jupyter): the driver's whole tree, workers and kernels.
"""
from __future__ import annotations

import json
import os
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
PROJECTS = "SZ2021-001,SZ2021-002,SZ2021-003,SZ2021-004"


def _start(out: Path, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "perfeval.cli", "batch", "--data", str(SAMPLE), "--out", str(out),
           "--kind", "self", "--projects", PROJECTS, "--jobs", "2", "--no-portfolio", *extra]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


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


def _tree(pid: int) -> list:
    children = psutil.Process(pid).children(recursive=True)
    assert len(children) >= 4, children  # two workers, two kernels (and multiprocessing's helper)
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
    batch = _start(tmp_path)
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


def test_sigkill_leaves_no_worker_or_kernel_and_the_next_run_cleans_up(tmp_path):
    batch = _start(tmp_path, "--checkpoint-every", "1")
    _wait_for(lambda: (tmp_path / "index.html").exists(), 120, "the first checkpoint", batch)
    tree = _tree(batch.pid)
    worker_pids = {p.pid for p in tree}
    batch.send_signal(signal.SIGKILL)
    batch.communicate(timeout=30)
    left = _wait_gone(tree, 5)
    assert left == [], [(p.pid, p.cmdline()[:3]) for p in left]
    checkpointed = _assert_ledger_true(tmp_path)
    assert checkpointed["run"]["finished"] is False and len(checkpointed["projects"]) >= 1
    assert (tmp_path / ".perfeval-batch.lock").exists()

    # What the next run does first: take the dead run's lock over and remove its temporary folders.
    temp = Path(tempfile.gettempdir())
    leftovers = [p for p in temp.iterdir() if p.name.startswith(("pfk-", "pfnb-"))
                 and p.name.split("-")[1].isdigit() and int(p.name.split("-")[1]) in worker_pids]
    fake = temp / f"pfnb-{batch.pid}-leftover"  # the killed driver's pid: certainly dead now
    fake.mkdir()
    part = tmp_path / "reports" / f".self-SZ2021-004.html.{batch.pid}.abc123.part"
    part.write_bytes(b"half")
    removed = clean_leftovers(tmp_path)
    assert str(fake) in removed and str(part) in removed
    assert not fake.exists() and not part.exists()
    assert not [p for p in leftovers if p.exists()]
    with BatchLock(tmp_path) as lock:
        assert f"进程 {batch.pid}" in lock.note and "没有正常结束" in lock.note
