"""What runs on a Dask worker for ``perfeval batch --executor dask``.

Everything here is imported by reference on the workers (never pickled by value), so the workers
need perfeval installed, at the same version (`cluster.check_workers` refuses a mismatch).

- Kernels live on the worker object, one `ReusableKernel` per worker thread (a kernel runs one
  notebook at a time), not in a module-level cache of a function in ``__main__``, which Dask would
  pickle by value and so start a kernel per task. `KernelPlugin` shuts them down with the worker.
- `run_on_worker` first checks that this worker can make the report (`preflight`): the same
  perfeval version, the batch's own output folder (its lock file carries the batch's run id), the
  template and every input file, with the same content as the driver saw (the task's fingerprint).
  A worker on another machine that does not share those folders gives a clear error naming the
  path, instead of writing reports onto its own disk. Then it runs the same `task.run_task` as the
  local pool, so the files are byte-identical.
- Each run is announced as an event (`STARTED_TOPIC`) before it starts, so the driver can tell a
  task that ran on a worker that died from one that only waited there.
- Stops: `stop_batch` (called by the driver with ``client.run``) marks a batch as stopped, so its
  tasks no longer start, and with ``kill=True`` kills the kernels running its notebooks; those runs
  end without writing anything (`execute.TaskCancelled`) and return None. A run also writes nothing
  when the batch's driver is gone (its lock is no longer held: killed with SIGKILL).
"""
from __future__ import annotations

import functools
import hashlib
import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .execute import NotebookError, TaskCancelled
from .kernels import ReusableKernel
from .ledger import LOCK_NAME, lock_state
from .task import Task, TaskOutcome, fingerprint, run_task

PLUGIN_NAME = "perfeval-kernels"
STARTED_TOPIC = "perfeval-started"  # events: {"run_id", "task_id", "worker"} when a task starts
_ATTRIBUTE = "perfeval_state"
SHARED_HINT = ("数据文件夹和输出文件夹必须是每台机器都能以同一路径访问的共享目录（如 NFS 挂载），"
               "见 README“在集群上运行”")
TEMPLATE_HINT = ("报告模板也必须在每台机器的同一路径上：用 --project-template / --portfolio-template 或环境变量 "
                 "PERFEVAL_NOTEBOOKS 指向共享目录中的 notebooks，见 README“在集群上运行”")


@dataclass
class WorkerState:
    """Kept on the worker object: kernels by thread, which batch each thread runs, stopped batches."""

    kernels: dict = field(default_factory=dict)
    running: dict = field(default_factory=dict)  # thread id -> run id
    stopped: set = field(default_factory=set)
    digests: dict = field(default_factory=dict)  # file digest cache for fingerprints
    lock: threading.Lock = field(default_factory=threading.Lock)


def _state(worker=None) -> WorkerState:
    if worker is None:
        from distributed import get_worker

        worker = get_worker()
    state = getattr(worker, _ATTRIBUTE, None)
    if state is None:
        state = WorkerState()
        setattr(worker, _ATTRIBUTE, state)
    return state


def _thread_kernel(state: WorkerState, fresh: bool) -> ReusableKernel:
    key = threading.get_ident()
    with state.lock:
        kernel = state.kernels.get(key)
        if kernel is None:
            kernel = state.kernels[key] = ReusableKernel()
    kernel.fresh = fresh
    return kernel


# --------------------------------------------------------------------------- can this worker do it?


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    import perfeval

    root = Path(perfeval.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def code_identity() -> tuple[str, str]:
    """(perfeval version, digest of its Python files) of this process; with ``client.run`` it also
    proves that the worker can import this module, which every task needs."""
    import perfeval

    return perfeval.__version__, _code_digest()


def _who() -> str:
    try:
        from distributed import get_worker

        address = get_worker().address
    except (ImportError, ValueError):
        address = f"pid {os.getpid()}"
    return f"工作进程 {address}（主机 {socket.gethostname()}）"


def _unreadable(path: str, what: str) -> str | None:
    """Why this process cannot use ``path`` (a folder or a file), or None."""
    folder = what.endswith("文件夹")
    exists = os.path.isdir(path) if folder else os.path.isfile(path)
    if not exists:
        return f"看不到{what} {path} (not visible on this worker)"
    if not os.access(path, os.R_OK | (os.X_OK if folder else 0)):
        return f"无权读取{what} {path} (permission denied on this worker)"
    return None


def preflight(task: Task, out_dir: str, run_id: str, identity: tuple, expected_fp: str,
              state: WorkerState) -> NotebookError | None:
    """Why this worker cannot make ``task`` for the batch ``run_id``, or None when it can.

    ``identity``: the driver's `code_identity` (a worker may join after the connect-time check).
    """
    def problem(ename: str, text: str, hint: str = SHARED_HINT) -> NotebookError:
        return NotebookError("worker-env", ename, f"{_who()}{text}。{hint}")

    here = code_identity()
    if here != tuple(identity):
        return problem("VersionMismatch", f"运行的 perfeval（{here[0]}，代码 {here[1]}）与主控进程的"
                                          f"（{identity[0]}，代码 {identity[1]}）不同",
                       "请在该机器上安装与主控相同的版本后重启工作进程")
    reason = _unreadable(out_dir, "输出文件夹")
    if reason is None and not os.access(out_dir, os.W_OK):
        reason = f"无权写入输出文件夹 {out_dir} (output folder not writable on this worker)"
    if reason is None and lock_state(out_dir, run_id) in ("missing", "other"):
        reason = (f"上的输出文件夹 {out_dir} 不是本次批量的输出文件夹（其中没有本次运行的锁文件 {LOCK_NAME}，"
                  "多半是各机器上同名的本地文件夹）")
    if reason is not None:
        return problem("SharedPathError", reason)
    data_dir = task.parameters.get("data_dir")
    checks = ([(data_dir, "数据文件夹")] if isinstance(data_dir, str) else []) + \
        [(task.template, "报告模板")] + [(path, "数据文件") for path in task.inputs]
    for path, what in checks:
        reason = _unreadable(path, what)
        if reason:
            return problem("SharedPathError", reason, TEMPLATE_HINT if what == "报告模板" else SHARED_HINT)
    try:
        seen = fingerprint(task, state.digests)
    except OSError as exc:
        return problem("SharedPathError", f"无法读取 {exc.filename}：{exc.strerror or exc}")
    if expected_fp and seen != expected_fp:
        where = f"数据文件夹 {data_dir}" if isinstance(data_dir, str) else "输入文件"
        return problem("SharedPathError", f"看到的{where}内容与主控进程不同 (inputs differ from the driver's)"
                                          "：多半是各机器上各自的副本，而不是同一个共享目录，或运行期间数据被改动")
    return None


# --------------------------------------------------------------------------- the task


def run_on_worker(task: Task, task_fingerprint: str, *, out_dir: str, formats: tuple, timeout, fresh: bool,
                  run_id: str, identity: tuple) -> TaskOutcome | None:
    """The Dask task: one report in this worker thread's kernel; None when the batch was stopped.

    Announces the start on `STARTED_TOPIC` first, so the driver knows where the task really ran.
    """
    from distributed import get_worker

    worker = get_worker()
    state = _state(worker)
    if run_id in state.stopped or lock_state(out_dir, run_id) == "released":
        return None
    worker.log_event(STARTED_TOPIC, {"run_id": run_id, "task_id": task.task_id, "worker": worker.address})
    error = preflight(task, out_dir, run_id, identity, task_fingerprint, state)
    if error is not None:
        return TaskOutcome(task_id=task.task_id, kind=task.kind, project_id=task.project_id, status="failed",
                           stem=task.file_stem, error=error.to_dict(), fingerprint=task_fingerprint,
                           name=task.name)
    thread = threading.get_ident()
    kernel = _thread_kernel(state, fresh)
    with state.lock:
        state.running[thread] = run_id

    def cancelled() -> bool:
        return run_id in state.stopped or lock_state(out_dir, run_id) != "held"

    try:
        return run_task(task, out_dir, kernel=kernel, formats=formats, timeout=timeout,
                        task_fingerprint=task_fingerprint, cancelled=cancelled)
    except TaskCancelled:
        return None
    finally:
        with state.lock:
            state.running.pop(thread, None)


def stop_batch(run_id: str, kill: bool = False, dask_worker=None) -> int:
    """With ``client.run``: start no more tasks of ``run_id``; ``kill``: kill the kernels running its
    notebooks now. Returns how many of its tasks this worker is still running."""
    state = _state(dask_worker)
    with state.lock:
        state.stopped.add(run_id)
        threads = [t for t, r in state.running.items() if r == run_id]
        if kill:
            for thread in threads:
                kernel = state.kernels.get(thread)
                if kernel is not None:
                    kernel.kill()
    return len(threads)


def forget_batch(run_id: str, dask_worker=None) -> None:
    """With ``client.run`` after a batch: drop its stop mark."""
    _state(dask_worker).stopped.discard(run_id)


def ignore_sigint(dask_worker=None) -> bool:
    """With ``client.run`` on workers started by the batch itself: Ctrl-C in the terminal reaches
    them too; the batch decides what a stop means (as the local pool's workers do)."""
    import signal

    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the worker's main thread: nothing to do
        return False
    return True


def kernels_started_on_worker(dask_worker=None) -> int:
    """How many kernels this worker has started; use with ``client.run`` (tests, benchmarks)."""
    return sum(k.started for k in _state(dask_worker).kernels.values())


# --------------------------------------------------------------------------- the plugin


try:  # dask.distributed is optional; the plugin base class only matters when it is there
    from distributed import WorkerPlugin as _PluginBase
except ImportError:  # pragma: no cover - exercised only without the extra
    _PluginBase = object


class KernelPlugin(_PluginBase):
    """Shuts a worker's report kernels down when the worker closes."""

    name = PLUGIN_NAME

    def setup(self, worker):
        _state(worker)

    def teardown(self, worker):
        for kernel in _state(worker).kernels.values():
            kernel.discard()


def _has_plugin(dask_worker=None) -> bool:
    return PLUGIN_NAME in getattr(dask_worker, "plugins", {})


def ensure_plugin(client) -> None:
    """Register `KernelPlugin` once: registering it again would tear down the warm kernels."""
    present = client.run(_has_plugin)
    if not present or not all(present.values()):
        client.register_plugin(KernelPlugin(), name=PLUGIN_NAME)
