"""`perfeval batch --executor dask` on a real cluster: ``dask scheduler`` and ``dask worker`` run as
separate processes on the loopback address, and the batch runs through the CLI as a subprocess.

One cluster serves the whole module (starting workers and their kernels costs seconds): a scheduler
on a free port and one ``dask worker`` process with two worker processes of one thread each, in
another working directory than the batch. Where the machine allows it (root, Linux) the worker runs
in its own mount namespace with an empty file system mounted over one folder of the test: that
folder is then, for the workers, what a local folder is on a machine that does not share it.
The cluster is always stopped at the end, by process group; leftover kernels are killed.

The batch's stderr is a pseudo-terminal, so the progress bar is drawn as a user sees it.
"""
from __future__ import annotations

import errno
import fcntl
import json
import operator
import os
import pty
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")
psutil = pytest.importorskip("psutil")

import perfeval  # noqa: E402
from perfeval.report.dask import _hold_back  # noqa: E402
from perfeval.report.dask_worker import forget_batch, kernels_started_on_worker  # noqa: E402
from perfeval.report.storage import sha256_file  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
TEST_NB = Path(__file__).parent / "data" / "notebooks"
DASK = str(Path(sys.executable).with_name("dask"))
PROJECTS = "SZ2021-001,SZ2021-002"
EIGHT = ",".join(f"SZ2021-{i:03d}" for i in range(1, 9))
TWELVE = ",".join(f"SZ2021-{i:03d}" for i in range(1, 13))


# --------------------------------------------------------------------------- the batch as a user runs it


class Batch:
    """``perfeval batch`` as a subprocess in its own session; stderr on a pseudo-terminal."""

    def __init__(self, out: Path, *args: str, cwd: Path = ROOT):
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        cmd = [sys.executable, "-m", "perfeval.cli", "batch", "--out", str(out), *args]
        self.proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=slave, start_new_session=True)
        os.close(slave)
        self._chunks: list[bytes] = []
        self._reader = threading.Thread(target=self._read, args=(master,), daemon=True)
        self._reader.start()

    def _read(self, fd: int) -> None:
        try:
            while True:
                try:
                    data = os.read(fd, 65536)
                except OSError as exc:  # EIO: the batch closed its end
                    if exc.errno == errno.EIO:
                        break
                    raise
                if not data:
                    break
                self._chunks.append(data)
        finally:
            os.close(fd)

    def finish(self, timeout: float = 240) -> tuple[int, str, str]:
        try:
            out, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.communicate()
            pytest.fail(f"batch did not end within {timeout} s: {self.stderr[-2000:]}")
        self._reader.join(10)
        return self.proc.returncode, out.decode("utf-8"), self.stderr

    @property
    def stderr(self) -> str:
        return b"".join(self._chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def run_batch_cli(out: Path, *args: str, cwd: Path = ROOT, timeout: float = 240) -> tuple[int, str, str]:
    return Batch(out, *args, cwd=cwd).finish(timeout)


def last_bar(stderr: str) -> str:
    """The progress bar as last drawn, without its times (they differ from run to run)."""
    bars = [part for part in re.split(r"[\r\n]", stderr) if part.startswith("生成报告")]
    assert bars, stderr
    return re.sub(r"\[[^\]]*\]", lambda m: "[" + "".join(re.findall(r"失败 \d+", m.group(0))) + "]",
                  bars[-1]).strip()


def summary_without_times(stdout: str, out: Path) -> str:
    return re.sub(r"用时 [0-9.]+ 秒", "用时 … 秒", stdout).replace(str(out), "OUT")


def wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def first_report(out: Path):
    reports = out / "reports"
    return lambda: reports.is_dir() and any(p.suffix == ".html" for p in reports.iterdir())


def ledger_matches_disk(out: Path) -> dict:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    recorded = set()
    for entry in manifest["projects"]:
        for meta in entry["outputs"].values():
            assert sha256_file(out / meta["path"]) == meta["sha256"], meta["path"]
            recorded.add(meta["path"])
    on_disk = {p.relative_to(out).as_posix() for folder in ("reports", "notebooks")
               if (out / folder).is_dir() for p in (out / folder).rglob("*") if p.is_file()}
    assert on_disk == recorded, on_disk ^ recorded
    return manifest


# --------------------------------------------------------------------------- the cluster


def _can_hide_folders() -> bool:
    if not sys.platform.startswith("linux") or not shutil.which("unshare"):
        return False
    try:
        return subprocess.run(["unshare", "--mount", "--propagation", "private", "true"],
                              capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _stop_group(proc: subprocess.Popen, grace: float = 15) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    except ProcessLookupError:
        pass


class Cluster:
    def __init__(self, address: str, client, hidden: Path | None, worker: subprocess.Popen):
        self.address = address
        self.client = client
        self.hidden = hidden  # a folder the workers cannot see (None: this machine cannot hide one)
        self.worker = worker

    def busy_worker(self) -> str | None:
        """A worker processing one of the batch's tasks now."""
        for worker, keys in self.client.processing().items():
            if any(str(k).startswith("perfeval-report") for k in keys):
                return worker
        return None

    def idle(self) -> bool:
        return self.busy_worker() is None


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    base = tmp_path_factory.mktemp("cluster")
    hidden = base / "driver-only"
    hidden.mkdir()
    elsewhere = base / "worker-cwd"  # the workers' working directory: not the batch's
    elsewhere.mkdir()
    scheduler_file = base / "scheduler.json"
    env = dict(os.environ)
    processes: list[subprocess.Popen] = []
    kernels: list = []
    client = None
    try:
        scheduler = subprocess.Popen(
            [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(scheduler_file)],
            cwd=base, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        processes.append(scheduler)
        wait_for(lambda: scheduler_file.exists() and scheduler_file.stat().st_size > 0, 60, "the scheduler")
        address = json.loads(scheduler_file.read_text())["address"]
        command = [DASK, "worker", address, "--nworkers", "2", "--nthreads", "1", "--host", "127.0.0.1",
                   "--no-dashboard", "--local-directory", str(elsewhere)]
        can_hide = _can_hide_folders()
        if can_hide:  # an empty file system over `hidden`, seen by the workers only
            command = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                       'mount -t tmpfs perfeval-test "$0" && exec "$@"', str(hidden), *command]
        worker = subprocess.Popen(command, cwd=elsewhere, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)
        processes.append(worker)
        client = distributed.Client(address, set_as_default=False, timeout=30)
        client.wait_for_workers(2, timeout=120)
        yield Cluster(address, client, hidden if can_hide else None, worker)
        kernels = [p for p in psutil.Process(worker.pid).children(recursive=True)
                   if "ipykernel" in " ".join(p.cmdline())]
    finally:
        if client is not None:
            client.close()
        for proc in reversed(processes):
            _stop_group(proc)
        for kernel in kernels:  # kernels run in sessions of their own: not in the worker's group
            try:
                kernel.wait(10)
            except psutil.TimeoutExpired:
                kernel.kill()
            except psutil.NoSuchProcess:
                pass


class LocalRun:
    """The same job on the local executor, started at once and awaited when first needed (it runs
    while the cluster starts): the reference for bytes, manifest, bar and summary."""

    def __init__(self, out: Path):
        self.out = out
        self._batch = Batch(out, "--data", "data/sample", "--kind", "self", "--projects", PROJECTS, "--jobs", "2")
        self._result = None

    def result(self) -> tuple[Path, str, str]:
        if self._result is None:
            rc, stdout, stderr = self._batch.finish()
            assert rc == 0, stderr
            self._result = (self.out, stdout, stderr)
        return self._result


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    run = LocalRun(tmp_path_factory.mktemp("local"))
    yield run
    run.result()


# --------------------------------------------------------------------------- the tests


def test_the_cli_batch_on_a_cluster_matches_the_local_run(local_run, cluster, tmp_path):
    out = tmp_path / "dask"
    # Relative --data, read by workers that run in another working directory.
    rc, stdout, stderr = run_batch_cli(out, "--data", "data/sample", "--kind", "self", "--projects", PROJECTS,
                                       "--executor", "dask", "--scheduler", cluster.address)
    assert rc == 0, stderr
    assert "Traceback" not in stderr
    local_out, local_stdout, local_stderr = local_run.result()
    made = sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                  if p.is_file() and p.parent.name in ("reports", "notebooks"))
    assert made == sorted(p.relative_to(local_out).as_posix() for p in local_out.rglob("*")
                          if p.is_file() and p.parent.name in ("reports", "notebooks"))
    assert len(made) == 6  # two projects and the portfolio, html and ipynb each
    for name in made:
        assert (out / name).read_bytes() == (local_out / name).read_bytes(), name
    ours = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    theirs = json.loads((local_out / "manifest.json").read_text(encoding="utf-8"))
    assert ours["reproducible_sha256"] == theirs["reproducible_sha256"]
    assert ours["run"]["executor"] == "dask" and ours["run"]["scheduler"] == cluster.address
    assert summary_without_times(stdout, out) == summary_without_times(local_stdout, local_out)
    assert "批量生成完成：共 3 份报告，成功 3 份，失败 0 份" in stdout
    assert last_bar(stderr) == last_bar(local_stderr)
    assert "100%" in last_bar(stderr) and "3/3" in last_bar(stderr)
    # Kernels stay on the workers: at most one each for three reports.
    started = cluster.client.run(kernels_started_on_worker)
    assert 1 <= sum(started.values()) <= 2 and all(n <= 1 for n in started.values()), started


def test_a_worker_killed_mid_run_has_its_tasks_rerun_and_the_ledger_says_which(local_run, cluster, tmp_path):
    out = tmp_path / "out"
    batch = Batch(out, "--data", str(SAMPLE), "--kind", "self", "--projects", EIGHT, "--no-portfolio",
                  "--executor", "dask", "--scheduler", cluster.address)
    # A worker that has held one of the batch's tasks for a moment (so that it has said it started it).
    victim, lost = None, set()
    deadline = time.monotonic() + 120
    while not lost:
        assert batch.proc.poll() is None and time.monotonic() < deadline, batch.stderr
        victim = cluster.busy_worker()
        if victim is not None:
            before = set(map(str, cluster.client.processing()[victim]))
            time.sleep(0.3)
            lost = before & set(map(str, cluster.client.processing().get(victim, ())))
    pid = cluster.client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)
    rc, stdout, stderr = batch.finish()
    assert rc == 0, stderr
    manifest = ledger_matches_disk(out)
    entries = {e["task_id"]: e for e in manifest["projects"]}
    assert set(entries) == {f"self:{pid}" for pid in EIGHT.split(",")}
    assert all(e["status"] == "ok" for e in entries.values())
    rerun = {tid for tid, e in entries.items() if any(victim in note for note in e["notes"])}
    assert 1 <= len(rerun) <= len(lost), (rerun, lost)
    assert f"其中 {len(rerun)} 份报告的工作进程中途退出，已由其他工作进程重做" in stdout
    local_out = local_run.result()[0]
    for name in ("reports/self-SZ2021-001.html", "reports/self-SZ2021-002.html"):
        assert (out / name).read_bytes() == (local_out / name).read_bytes(), name
    cluster.client.wait_for_workers(2, timeout=60)  # the nanny restarts the worker for the tests after


def test_sigterm_stops_the_cluster_batch_within_the_grace_period(cluster, tmp_path):
    out = tmp_path / "out"
    batch = Batch(out, "--data", str(SAMPLE), "--kind", "self", "--projects", TWELVE, "--no-portfolio",
                  "--executor", "dask", "--scheduler", cluster.address, "--stop-grace", "1")
    wait_for(first_report(out), 120, "the first report")
    sent = time.monotonic()
    os.kill(batch.proc.pid, signal.SIGTERM)
    rc, _, stderr = batch.finish(60)
    took = time.monotonic() - sent
    assert rc == 143, stderr
    assert took < 12, took
    assert "收到停止信号 SIGTERM" in stderr and "批量生成中断" in stderr and "退出码 143" in stderr
    assert "Traceback" not in stderr
    manifest = ledger_matches_disk(out)
    assert 1 <= len(manifest["projects"]) < 12 and manifest["run"]["interrupted"]
    # Nothing lands after the ledger: the stopped runs were cancelled on the workers.
    wait_for(cluster.idle, 20, "the workers to let go of the batch")
    time.sleep(1.0)
    assert ledger_matches_disk(out) == manifest


def test_a_stop_cancels_what_has_not_started_never_what_has_finished(cluster):
    """A task that finished just before the stop has its files on disk and its outcome on the way:
    the stop must wait for it, not cancel it (a CI run once lost the record of the first report so,
    and left its files unlisted). A task no worker has started is cancelled."""
    client = cluster.client
    finished = client.submit(operator.add, 1, 2, key="stop-test-finished")
    assert finished.result(timeout=60) == 3
    waiting = client.submit(operator.add, 3, 4, key="stop-test-waiting", resources={"no-such-resource": 1})
    pending = {future.key: (future, None) for future in (finished, waiting)}
    try:
        _hold_back(client, "stop-test", pending)
    finally:
        client.run(forget_batch, "stop-test")
    assert set(pending) == {"stop-test-finished"}
    assert not finished.cancelled() and waiting.cancelled()


def test_sigterm_kills_a_hung_notebook_on_its_worker_and_writes_nothing_for_it(cluster, tmp_path):
    city = tmp_path / "city"  # the small test city, where a project named 【超时】 sleeps for ten minutes
    shutil.copytree(TEST_NB / "city", city)
    listing = city / "projects.csv"
    listing.write_text(listing.read_text(encoding="utf-8").replace("城乡环境综合整治", "城乡环境综合整治【超时】"),
                       encoding="utf-8")
    out = tmp_path / "out"
    batch = Batch(out, "--data", str(city), "--kind", "self", "--projects", "P005", "--no-portfolio",
                  "--project-template", str(TEST_NB / "project.ipynb"), "--executor", "dask",
                  "--scheduler", cluster.address, "--stop-grace", "1")
    wait_for(lambda: cluster.busy_worker() is not None, 60, "the task to start")
    time.sleep(2.0)  # well into the sleeping cell
    sent = time.monotonic()
    os.kill(batch.proc.pid, signal.SIGTERM)
    rc, _, stderr = batch.finish(60)
    assert rc == 143, stderr
    assert time.monotonic() - sent < 10
    assert "未完成 1 份" in stderr and "Traceback" not in stderr and "没能" not in stderr
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["projects"] == []
    assert cluster.idle()  # its kernel was killed: the worker is free again, not asleep for ten minutes
    time.sleep(1.0)
    assert not (out / "reports").exists() and not (out / "notebooks").exists()


def test_an_unreachable_scheduler_is_a_clear_message(tmp_path):
    with socket.socket() as s:  # a free port nobody listens on
        s.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{s.getsockname()[1]}"
    started = time.monotonic()
    rc, stdout, stderr = run_batch_cli(tmp_path / "out", "--data", str(SAMPLE), "--kind", "self",
                                       "--projects", "SZ2021-001", "--executor", "dask", "--scheduler", address,
                                       "--connect-timeout", "1", timeout=60)
    assert rc == 4, stderr
    assert time.monotonic() - started < 30
    assert f"无法连接 Dask 调度器 {address}" in stderr and "1 秒内未连上" in stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "out").exists()  # refused before the output folder was touched


def test_a_worker_that_cannot_see_the_folders_fails_each_task_naming_the_path(cluster, tmp_path):
    if cluster.hidden is None:
        pytest.skip("this machine cannot give the workers a file system view of their own (unshare)")
    data = cluster.hidden / "data"
    shutil.copytree(SAMPLE, data)
    out = tmp_path / "out"
    rc, stdout, stderr = run_batch_cli(out, "--data", str(data), "--kind", "self", "--projects", "SZ2021-001",
                                       "--no-portfolio", "--executor", "dask", "--scheduler", cluster.address)
    assert rc == 1 and "Traceback" not in stderr
    assert f"看不到数据文件夹 {data}" in stderr and "共享目录" in stderr
    entry = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["projects"][0]
    assert entry["status"] == "failed" and entry["error"]["kind"] == "worker-env"

    hidden_out = cluster.hidden / "out"
    rc, stdout, stderr = run_batch_cli(hidden_out, "--data", str(SAMPLE), "--kind", "self",
                                       "--projects", "SZ2021-001", "--no-portfolio", "--executor", "dask",
                                       "--scheduler", cluster.address)
    assert rc == 1 and "Traceback" not in stderr
    assert f"看不到输出文件夹 {hidden_out}" in stderr
    assert not (hidden_out / "reports").exists()  # nothing written on the worker's side either


def test_a_worker_of_another_version_is_refused_at_connect_time(cluster, tmp_path):
    one = sorted(cluster.client.scheduler_info()["workers"])[0]
    cluster.client.run(setattr, perfeval, "__version__", "0.0.9", workers=[one])
    try:
        rc, stdout, stderr = run_batch_cli(tmp_path / "out", "--data", str(SAMPLE), "--kind", "self",
                                           "--projects", "SZ2021-001", "--executor", "dask",
                                           "--scheduler", cluster.address, timeout=60)
    finally:
        cluster.client.run(setattr, perfeval, "__version__", perfeval.__version__, workers=[one])
    assert rc == 4, stderr
    assert "版本" in stderr and f"应为 (expected) perfeval {perfeval.__version__}" in stderr
    assert f"{one}（perfeval 0.0.9）" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "out").exists()
