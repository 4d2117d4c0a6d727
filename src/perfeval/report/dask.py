"""The batch on a Dask cluster, driver side: ``perfeval batch --executor dask [--scheduler ADDRESS]``.

`run_on_dask` sends every task to the cluster through the client it is given (made by
`cluster.open_cluster`; it is never the process's default client, so every call names it) and calls
``on_done`` with each outcome as it arrives. The workers run `dask_worker.run_on_worker`, which
runs the same `task.run_task` as the local pool and writes straight into ``out_dir``: a path every
worker sees (shared storage; a worker that does not gets a clear error per task). The driver writes
the ledger and the index.

- Worker deaths: the scheduler hands a task whose worker died to another worker (up to its
  ``allowed-failures``, then the task fails with ``KilledWorker``). `WorkerWatch` follows where each
  task runs, so the ledger entry of a task that was rerun says on which worker it was lost, and a
  task the scheduler gave up on is failed with a Chinese message.
- Stops (SIGINT/SIGTERM), as on the local path: at once, the workers start no more of the batch's
  tasks and the queued ones are cancelled; running tasks get ``stop_grace`` seconds; then their
  kernels are killed on the workers, and those runs end without writing anything. The driver waits
  (bounded) until the workers confirm, so nothing lands in the folder after the ledger is written.
"""
from __future__ import annotations

import queue
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Callable

from .dask_worker import code_identity, forget_batch, run_on_worker, stop_batch
from .lifeline import stop_notice
from .task import RERUN_MARK, Task, TaskOutcome, crashed_outcome

POLL_S = 0.2
WATCH_EVERY_S = 1.0
ABORT_WAIT_S = 15.0  # after killing the kernels: how long to wait for the workers to let go


def _quietly(call, *args, default=None, **kwargs):
    """A call to the cluster that must not turn a stop into a traceback (scheduler gone, say)."""
    try:
        return call(*args, **kwargs)
    except Exception:  # noqa: BLE001 — the batch is ending anyway; report what we have
        return default


class WorkerWatch:
    """Where each of the batch's running tasks was last seen; a task seen on a worker that has since
    left the cluster was lost with it (the scheduler reruns it elsewhere or gives up)."""

    def __init__(self, client, keys):
        self.client = client
        self.keys = set(keys)
        self.where: dict[str, str] = {}
        self.lost: dict[str, list[str]] = defaultdict(list)
        self._last = float("-inf")

    def poll(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < WATCH_EVERY_S:
            return
        self._last = now
        processing = _quietly(self.client.processing)
        if processing is None:
            return
        for key, worker in list(self.where.items()):
            if worker not in processing:
                self.lost[key].append(worker)
                del self.where[key]
        for worker, keys in processing.items():
            for key in keys:
                if key in self.keys:
                    self.where[key] = worker

    def running(self) -> set[str]:
        return set(self.where)

    def finished(self, key: str) -> list[str]:
        """Forget ``key``; returns the workers it was lost on."""
        self.keys.discard(key)
        self.where.pop(key, None)
        return self.lost.pop(key, [])


def _lost_note(workers: list[str]) -> str:
    return f"本报告曾交给工作进程 {'、'.join(workers)}，该进程中途退出，调度器已交给其他工作进程重做 {RERUN_MARK}"


def _failed(task: Task, exc: BaseException, fp: str) -> TaskOutcome:
    from distributed.scheduler import KilledWorker

    if isinstance(exc, KilledWorker):
        last = getattr(exc.last_worker, "address", exc.last_worker)
        return crashed_outcome(task, exc, fp, f"该报告先后在 {exc.allowed_failures + 1} 个工作进程上执行，"
                                              f"这些工作进程都在执行时退出（最后一个是 {last}；内存不足或被强行终止？），"
                                              "调度器不再重试 (KilledWorker)")
    return crashed_outcome(task, exc, fp, f"任务在集群上失败 (task failed on the cluster)：{exc}")


def run_on_dask(tasks: list, fingerprints: dict, out_dir: Path, formats: tuple, timeout, fresh: bool,
                client, run_id: str, on_done: Callable, stop=None, stop_grace: float = 3.0,
                echo: Callable[[str], None] = print) -> None:
    """Run every task on the cluster of ``client`` and call ``on_done`` with each outcome as it arrives.

    ``run_id``: the batch's lock id (`ledger.BatchLock.run_id`), which workers check in ``out_dir``.
    ``stop`` (`lifeline.StopSignals`): see the module docstring. Tasks stopped before they finished
    are not passed to ``on_done``.
    """
    keys = [f"perfeval-report-{run_id}-{i}" for i in range(len(tasks))]
    futures = client.map(run_on_worker, tasks, [fingerprints[t.task_id] for t in tasks], key=keys,
                         out_dir=str(out_dir), formats=formats, timeout=timeout, fresh=fresh,
                         run_id=run_id, identity=code_identity(), retries=0)
    arrived: queue.SimpleQueue = queue.SimpleQueue()
    pending = {future.key: (future, task) for future, task in zip(futures, tasks)}
    for future in futures:
        future.add_done_callback(arrived.put)
    watch = WorkerWatch(client, pending)

    def settle(future) -> None:
        item = pending.pop(future.key, None)
        if item is None or future.cancelled():  # cancelled by a stop: unfinished, not failed
            return
        task = item[1]
        watch.poll(force=True)
        lost = watch.finished(future.key)
        try:
            outcome = future.result()
        except Exception as exc:  # noqa: BLE001 — a lost worker fails its task, not the batch
            outcome = _failed(task, exc, fingerprints[task.task_id])
        if outcome is None:  # stopped on the worker: nothing written
            return
        if lost:
            outcome = replace(outcome, notes=outcome.notes + (_lost_note(lost),))
        on_done(outcome)

    deadline = None
    try:
        while pending:
            if stop is not None and stop.requested:
                if deadline is None:
                    deadline = time.monotonic() + stop_grace
                    running = _hold_back(client, run_id, pending, watch)
                    echo(stop_notice(stop.signum, running, stop_grace))
                if not pending or stop.urgent or time.monotonic() >= deadline:
                    break
            try:
                future = arrived.get(timeout=POLL_S)
            except queue.Empty:
                watch.poll()
                continue
            settle(future)
    finally:
        if pending:
            left = _abort(client, run_id, pending, arrived, settle, watch)
            if left:
                echo(f"\n提示：{left} 份报告在工作进程上没能在 {ABORT_WAIT_S:g} 秒内停下，它们的文件可能在清单写好后"
                     "才写入；下次运行会把它们标为未记录的文件并重新生成。")
        _quietly(client.run, forget_batch, run_id)


def _hold_back(client, run_id: str, pending: dict, watch: WorkerWatch) -> int:
    """Start no more of the batch's tasks and cancel the queued ones; returns how many run now."""
    started = _quietly(client.run, stop_batch, run_id, default={})  # from now on they start none
    watch.poll(force=True)
    sent = watch.running() & set(pending)  # on a worker: started, or about to find the stop mark
    _quietly(client.cancel, [pending.pop(key)[0] for key in list(pending) if key not in sent])
    return sum(started.values())


def _abort(client, run_id: str, pending: dict, arrived, settle, watch: WorkerWatch) -> int:
    """Kill the kernels of the batch's running tasks and wait until the workers let go of them;
    outcomes that still arrive are recorded. Returns how many did not stop in time."""
    _quietly(client.run, stop_batch, run_id, kill=True)
    watch.poll(force=True)
    waiting = watch.running() & set(pending)
    _quietly(client.cancel, [pending.pop(key)[0] for key in list(pending) if key not in waiting])
    deadline = time.monotonic() + ABORT_WAIT_S
    stuck = len(waiting)
    while waiting and time.monotonic() < deadline:
        try:
            future = arrived.get(timeout=POLL_S)
        except queue.Empty:
            still = _quietly(client.run, stop_batch, run_id, kill=True, default=None)
            if still is not None:
                stuck = sum(still.values())
                if not stuck:  # no worker runs any of them now: what they returned is on its way
                    deadline = min(deadline, time.monotonic() + 2.0)
            continue
        waiting.discard(future.key)
        settle(future)
    while True:  # results that arrived meanwhile
        try:
            settle(arrived.get_nowait())
        except queue.Empty:
            break
    _quietly(client.cancel, [future for future, _ in pending.values()])
    pending.clear()
    return min(stuck, len(waiting))
