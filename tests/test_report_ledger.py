"""The manifest is a ledger: runs add to it, nothing is forgotten, deleted or changed files show.

Real notebooks (tests/data/notebooks) run in this process on one kernel (`InlinePool`), so that a
patched writer reaches the export; a lock held by another process; property tests on the ledger
alone (no kernels) for any sequence of runs, subsets, deletions and edits.
"""
from __future__ import annotations

import concurrent.futures as cf
import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval.report import execute, export
from perfeval.report.batch import run_batch
from perfeval.cli.batch import build_tasks
from perfeval.report.index import render_index
from perfeval.report.kernels import ReusableKernel
from perfeval.report.ledger import (LOCK_NAME, MANIFEST_NAME, BatchLock, BatchLockedError, Ledger,
                                    reproducible_part)
from perfeval.report.storage import sha256_file
from perfeval.report.task import TaskOutcome, run_task

NB = Path(__file__).parent / "data" / "notebooks"
CITY = NB / "city"
TEMPLATES = {"project_template": NB / "project.ipynb", "portfolio_template": NB / "portfolio.ipynb"}
ALL_TASKS = 8  # 5 self, 2 key, 1 portfolio in tests/data/notebooks/city


class InlinePool:
    """A one-worker 'pool' that runs each task in this process, on one kernel."""

    jobs = 1

    def __init__(self, kernel):
        self.kernel = kernel

    def submit(self, task, out_dir, formats, timeout, fresh, task_fingerprint):
        future = cf.Future()
        future.set_result(run_task(task, out_dir, kernel=self.kernel, formats=formats, timeout=timeout,
                                   task_fingerprint=task_fingerprint))
        return future

    def close(self, *, cancel=False):
        pass

    def terminate(self):
        pass


@pytest.fixture(scope="module")
def pool():
    with ReusableKernel() as kernel:
        yield InlinePool(kernel)


def _batch(out, pool, projects=None, **kw):
    tasks = build_tasks(CITY, projects=projects, portfolio=projects is None, **TEMPLATES)
    return run_batch(tasks, out, pool=pool, progress=False, echo=kw.pop("echo", lambda s: None), **kw)


def _manifest(out) -> dict:
    return json.loads((Path(out) / MANIFEST_NAME).read_text(encoding="utf-8"))


def _assert_consistent_with_disk(out: Path, manifest: dict) -> None:
    """Every entry's status says what is on disk; the index lists every entry."""
    index = (out / "index.html").read_text(encoding="utf-8")
    for entry in manifest["projects"]:
        states = {}
        for fmt, meta in entry["outputs"].items():
            path = out / meta["path"]
            states[fmt] = ("missing" if not path.is_file() else
                           "changed" if sha256_file(path) != meta["sha256"] else "intact")
        bad = {k: v for k, v in states.items() if v != "intact"}
        expected = ("missing" if "missing" in bad.values() else "changed" if bad else entry["run_status"])
        assert entry["status"] == expected, (entry["task_id"], states)
        assert entry.get("file_problems", {}) == bad
        assert f'<td class="nowrap">{entry["project_id"] or "—"}</td>' in index or entry["project_id"] == "../evil"
    counts = manifest["summary"]
    assert counts["total"] == len(manifest["projects"]) == sum(counts[s] for s in ("ok", "failed", "missing", "changed"))


def test_a_subset_run_and_a_resume_keep_the_union(pool, tmp_path):
    full = _batch(tmp_path, pool)
    assert len(full.manifest["projects"]) == ALL_TASKS
    # A subset with --resume into the full folder: one task, nothing forgotten.
    subset = _batch(tmp_path, pool, projects=["P001"], resume=True)
    assert set(subset.reused) == {"self:P001", "key:P001"}
    manifest = _manifest(tmp_path)
    assert len(manifest["projects"]) == ALL_TASKS and manifest["summary"]["ok"] == 6
    assert reproducible_part(manifest) == reproducible_part(full.manifest)
    # A subset without --resume reruns its tasks and keeps every other entry, byte for byte.
    again = _batch(tmp_path, pool, projects=["P002"])
    assert [o.task_id for o in again.outcomes] == ["self:P002"]
    assert reproducible_part(_manifest(tmp_path)) == reproducible_part(full.manifest)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert index.count('<a href="reports/') == ALL_TASKS and "共 8 份报告：成功 6 份，失败 2 份" in index
    _assert_consistent_with_disk(tmp_path, _manifest(tmp_path))


def test_deleted_and_changed_files_are_marked_and_shown(pool, tmp_path):
    _batch(tmp_path, pool)
    (tmp_path / "reports" / "self-P005.html").unlink()
    (tmp_path / "notebooks" / "key-P001.ipynb").write_text("{}", encoding="utf-8")
    result = _batch(tmp_path, pool, projects=["P002"])
    by = {e["task_id"]: e for e in result.manifest["projects"]}
    assert by["self:P005"]["status"] == "missing" and by["self:P005"]["file_problems"] == {"html": "missing"}
    assert by["self:P005"]["run_status"] == "ok" and by["self:P005"]["total"] is not None
    assert by["key:P001"]["status"] == "changed" and by["key:P001"]["file_problems"] == {"ipynb": "changed"}
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "文件缺失" in index and "文件已改动" in index and 'href="reports/self-P005.html"' not in index
    assert "文件缺失 1 份，文件已改动 1 份" in result.summary()
    _assert_consistent_with_disk(tmp_path, result.manifest)
    # --resume redoes exactly the damaged ones; the ledger is whole again.
    healed = _batch(tmp_path, pool, resume=True)
    rerun = {o.task_id for o in healed.outcomes} - set(healed.reused)
    assert rerun == {"self:P005", "key:P001", "self:P003", "key:P003"}
    assert healed.manifest["summary"] == {"total": 8, "ok": 6, "failed": 2, "missing": 0, "changed": 0}


def test_a_full_disk_for_one_report_keeps_every_earlier_record(pool, tmp_path, monkeypatch):
    _batch(tmp_path, pool)
    before = {e["task_id"]: e for e in _manifest(tmp_path)["projects"]}
    real_write = export.atomic_write

    def disk_full_for_p002(path, data, **kw):  # no file of this report can be written
        if Path(path).name.startswith("self-P002."):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_write(path, data, **kw)

    monkeypatch.setattr(export, "atomic_write", disk_full_for_p002)
    monkeypatch.setattr(execute, "atomic_write", disk_full_for_p002)
    result = _batch(tmp_path, pool, projects=["P001", "P002"])
    this_run = {o.task_id: o for o in result.outcomes}
    assert not this_run["self:P002"].ok and "No space left" in this_run["self:P002"].describe_error()
    assert result.kept_previous == ("self:P002",) and "保留了上次" in result.summary()
    by = {e["task_id"]: e for e in result.manifest["projects"]}
    assert len(by) == ALL_TASKS and by["self:P001"]["status"] == "ok"
    for task_id in set(by) - {"self:P001", "key:P001"}:  # P002's earlier success is still the record
        assert {k: v for k, v in by[task_id].items() if k != "duration_s"} == \
               {k: v for k, v in before[task_id].items() if k != "duration_s"}
    assert not list(tmp_path.rglob("*.part"))
    _assert_consistent_with_disk(tmp_path, result.manifest)
    # Into a folder without an earlier success, the failure is what the ledger records.
    fresh = _batch(tmp_path / "fresh", pool, projects=["P002"])
    entry = fresh.manifest["projects"][0]
    assert entry["status"] == "failed" and "No space left" in entry["error"]["message"]
    assert fresh.kept_previous == ()


def test_the_ledger_is_saved_every_n_tasks(pool, tmp_path, monkeypatch):
    writes = []
    real = Ledger.write

    def counting(self, **kw):
        writes.append((kw["run"]["finished"], len(self)))
        return real(self, **kw)

    monkeypatch.setattr(Ledger, "write", counting)
    _batch(tmp_path, pool, checkpoint_every=3)
    assert writes == [(False, 3), (False, 6), (True, 8)]


def _hold_lock_in_another_process(folder: Path) -> subprocess.Popen:
    code = ("import sys, time\nfrom perfeval.report.ledger import BatchLock\n"
            f"BatchLock({str(folder)!r}, command='perfeval batch (holder)').acquire()\n"
            "print('held', flush=True)\ntime.sleep(120)\n")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_batch_into_the_same_folder_is_refused_and_a_dead_ones_lock_taken_over(pool, tmp_path):
    from perfeval.cli import main

    holder = _hold_lock_in_another_process(tmp_path)
    try:
        with pytest.raises(BatchLockedError) as info:
            _batch(tmp_path, pool, projects=["P001"])
        message = str(info.value)
        assert f"进程 {holder.pid}" in message and "开始于" in message and "主机" in message
        assert not (tmp_path / MANIFEST_NAME).exists() and not (tmp_path / "reports").exists()
        code = main(["batch", "--data", str(CITY), "--out", str(tmp_path), "--projects", "P001",
                     "--project-template", str(TEMPLATES["project_template"]), "--no-portfolio"])
        assert code == 3
    finally:
        holder.kill()
        holder.wait()
    assert (tmp_path / LOCK_NAME).exists()  # a SIGKILLed holder could not remove it
    said = []
    result = _batch(tmp_path, pool, projects=["P001"], echo=said.append)
    assert result.ok and any("没有正常结束" in s and str(holder.pid) in s for s in said)
    assert not (tmp_path / LOCK_NAME).exists()


def test_the_lock_is_exclusive_within_one_process_too(tmp_path):
    with BatchLock(tmp_path):
        with pytest.raises(BatchLockedError, match=str(os.getpid())):
            BatchLock(tmp_path).acquire()
    with BatchLock(tmp_path) as again:
        assert again.note is None


def test_a_damaged_manifest_is_kept_aside_and_the_ledger_rebuilt(pool, tmp_path):
    (tmp_path / MANIFEST_NAME).write_text("{ not json", encoding="utf-8")
    said = []
    result = _batch(tmp_path, pool, projects=["P001"], echo=said.append)
    assert any("已损坏" in s for s in said)
    assert (tmp_path / "manifest.damaged.json").read_text(encoding="utf-8") == "{ not json"
    assert [e["task_id"] for e in result.manifest["projects"]] == ["self:P001", "key:P001"]


# --------------------------------------------------------------------------- properties

IDS = ["P1", "P2", "P3", "P10", "Q1"]
operations = st.lists(st.one_of(
    st.tuples(st.just("run"), st.sets(st.sampled_from(IDS), min_size=1), st.sets(st.sampled_from(IDS))),
    st.tuples(st.just("delete"), st.sampled_from(IDS), st.sampled_from(["html", "ipynb"])),
    st.tuples(st.just("edit"), st.sampled_from(IDS), st.sampled_from(["html", "ipynb"])),
    st.tuples(st.just("restore"), st.sampled_from(IDS), st.sampled_from(["html", "ipynb"])),
), max_size=12)


def _fake_run(out: Path, ids: set, failing: set, run_number: int) -> None:
    """What a batch does to the ledger, without kernels: write outputs, record, verify, write."""
    ledger = Ledger.open(out)
    for pid in sorted(ids):
        outputs = {}
        for fmt, folder in (("ipynb", "notebooks"), ("html", "reports")):
            path = out / folder / f"self-{pid}.{fmt}"
            path.parent.mkdir(exist_ok=True)
            data = f"{pid} {fmt} run {run_number}".encode()
            path.write_bytes(data)
            (out / ".backup").mkdir(exist_ok=True)
            (out / ".backup" / path.name).write_bytes(data)
            outputs[fmt] = {"path": f"{folder}/{path.name}", "sha256": sha256_file(path)}
        ledger.record(TaskOutcome(task_id=f"self:{pid}", kind="self", project_id=pid,
                                  status="failed" if pid in failing else "ok", stem=f"self-{pid}",
                                  result={"total": 90.0, "grade": None}, outputs=outputs))
    ledger.verify()
    ledger.write(formats=("html",), run={"n": run_number})


@settings(max_examples=40, deadline=None)
@given(operations)
def test_any_sequence_of_runs_deletions_and_edits_keeps_the_ledger_true_to_the_disk(ops):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        ever_run: set = set()
        for number, op in enumerate(ops):
            kind, *args = op
            if kind == "run":
                ids, failing = args
                _fake_run(out, ids, failing, number)
                ever_run |= ids
                continue
            pid, fmt = args
            folder = "reports" if fmt == "html" else "notebooks"
            path = out / folder / f"self-{pid}.{fmt}"
            backup = out / ".backup" / path.name
            if kind == "delete":
                path.unlink(missing_ok=True)
            elif kind == "edit" and path.exists():
                path.write_bytes(path.read_bytes() + b" edited")
            elif kind == "restore" and backup.exists():
                shutil.copyfile(backup, path)
        if not ever_run:
            return
        _fake_run(out, {sorted(ever_run)[0]}, set(), len(ops))  # a last run sees everything on disk
        manifest = _manifest(out)
        assert {e["task_id"] for e in manifest["projects"]} == {f"self:{p}" for p in ever_run}
        assert [e["project_id"] for e in manifest["projects"]] == sorted(ever_run, key=lambda p: (p[0], int(p[1:])))
        _assert_consistent_with_disk(out, manifest)
        # The ledger depends only on what is recorded and on disk: reopening it changes nothing.
        reopened = Ledger.open(out).manifest(formats=("html",), run={})
        assert reproducible_part(reopened) == reproducible_part(manifest)
        assert "未定级" in render_index(manifest["projects"]) or manifest["summary"]["ok"] == 0
