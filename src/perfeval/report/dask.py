"""The batch on a Dask cluster, driver side: ``perfeval batch --executor dask [--scheduler ADDRESS]``.

`run_on_dask` sends every task to the cluster through the client it is given (made by
`cluster.open_cluster`; it is never the process's default client, so every call names it) and calls
``on_done`` with each outcome as it arrives. The workers run `dask_worker.run_on_worker`, which
runs the same `task.run_task` as the local pool and writes straight into ``out_dir``: a path every
worker sees (shared storage; a worker that does not gets a clear error per task). The driver writes
the ledger and the index.

- Worker deaths: the scheduler hands the tasks of a worker that died to other workers, up to its
  ``allowed-failures`` (default 3), then fails them with ``KilledWorker``. Each worker announces
  the tasks it starts (`dask_worker.STARTED_TOPIC`, `Starts`), so the driver knows where a task
  really ran: the ledger entry of a task that was rerun names the worker it was lost on, and a
  task blamed only because it waited on workers that a culprit killed (it never ran there, or on
  fewer of them than the limit) is sent once more instead of being failed. A task that ran on
  every worker that died is failed with a Chinese message.
- Stops (SIGINT/SIGTERM), as on the local path: at once, the workers start no more of the batch's
  tasks and the queued ones are cancelled; running tasks get ``stop_grace`` seconds; then their
  kernels are killed on the workers, and those runs end without writing anything. The driver waits
  (bounded) until the workers confirm, so nothing lands in the folder after the ledger is written.
"""
from __future__ import annotations

import queue
import threading
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Callable

from .dask_worker import STARTED_TOPIC, code_identity, forget_batch, run_on_worker, stop_batch
from .lifeline import stop_notice
from .task import RERUN_MARK, Task, TaskOutcome, crashed_outcome

POLL_S = 0.2
ABORT_WAIT_S = 15.0  # after killing the kernels: how long to wait for the workers to let go


def _quietly(call, *args, default=None, **kwargs):
    """A call to the cluster that must not turn a stop into a traceback (scheduler gone, say)."""
    try:
        return call(*args, **kwargs)
    except Exception:  # noqa: BLE001 — the batch is ending anyway; report what we have
        return default


class Starts:
    """Which workers started each task of one batch, from the workers' announcements."""

    def __init__(self, run_id: str):
        self.run_id = run_id
        self._workers: dict[str, list[str]] = defaultdict(list)
        self._lock = threading.Lock()

    def __call__(self, event) -> None:  # a `Client.subscribe_topic` handler: (timestamp, message)
        message = event[1]
        if isinstance(message, dict) and message.get("run_id") == self.run_id:
            with self._lock:
                self._workers[message["task_id"]].append(message["worker"])

    def of(self, task_id: str) -> list[str]:
        with self._lock:
            return list(self._workers.get(task_id, ()))


def _lost_note(workers: list[str]) -> str:
    return (f"本报告曾在工作进程 {'、'.join(workers)} 上运行，该进程中途退出，调度器已交给其他工作进程重做 "
            f"{RERUN_MARK}")


def _failed(task: Task, exc: BaseException, fp: str, ran_on: list[str]) -> TaskOutcome:
    from distributed.scheduler import KilledWorker

    if isinstance(exc, KilledWorker):
        return crashed_outcome(task, exc, fp, f"该报告先后在 {len(ran_on)} 个工作进程（{'、'.join(ran_on)}）上运行，"
                                              "这些工作进程都在运行时退出（内存不足或被强行终止？），调度器不再重试 (KilledWorker)")
    return crashed_outcome(task, exc, fp, f"任务在集群上失败 (task failed on the cluster)：{exc}")


def _blamed_for_others(exc: BaseException, ran_on: list[str]) -> bool:
    """A `KilledWorker` for a task that did not run on as many dying workers as the limit allows:
    it was waiting on workers that another task killed."""
    from distributed.scheduler import KilledWorker

    return isinstance(exc, KilledWorker) and len(ran_on) <= exc.allowed_failures


def run_on_dask(tasks: list, fingerprints: dict, out_dir: Path, formats: tuple, timeout, fresh: bool,
                client, run_id: str, on_done: Callable, stop=None, stop_grace: float = 3.0,
                echo: Callable[[str], None] = print) -> None:
    """Run every task on the cluster of ``client`` and call ``on_done`` with each outcome as it arrives.

    ``run_id``: the batch's lock id (`ledger.BatchLock.run_id`), which workers check in ``out_dir``.
    ``stop`` (`lifeline.StopSignals`): see the module docstring. Tasks stopped before they finished
    are not passed to ``on_done``.
    """
    common = dict(out_dir=str(out_dir), formats=formats, timeout=timeout, fresh=fresh, run_id=run_id,
                  identity=code_identity(), retries=0)
    arrived: queue.SimpleQueue = queue.SimpleQueue()
    pending: dict[str, tuple] = {}  # dask key -> (future, task)
    resent: set[str] = set()
    starts = Starts(run_id)
    client.subscribe_topic(STARTED_TOPIC, starts)  # before the tasks: the scheduler keeps the order

    def send(batch: list[Task], keys: list[str]) -> None:
        futures = client.map(run_on_worker, batch, [fingerprints[t.task_id] for t in batch], key=keys, **common)
        for future, task in zip(futures, batch):
            pending[future.key] = (future, task)
            future.add_done_callback(arrived.put)

    def settle(future) -> None:
        item = pending.pop(future.key, None)
        if item is None or future.cancelled():  # cancelled by a stop: unfinished, not failed
            return
        task = item[1]
        ran_on = starts.of(task.task_id)
        try:
            outcome = future.result()
            lost = ran_on[:-1]  # the last run gave the outcome; the workers of the others died
        except Exception as exc:  # noqa: BLE001 — a lost worker fails its task, not the batch
            if _blamed_for_others(exc, ran_on) and task.task_id not in resent and not (stop and stop.requested):
                resent.add(task.task_id)
                send([task], [f"{future.key}-again"])
                return
            outcome, lost = _failed(task, exc, fingerprints[task.task_id], ran_on), []
        if outcome is None:  # stopped on the worker: nothing written
            return
        if lost:
            outcome = replace(outcome, notes=outcome.notes + (_lost_note(lost),))
        on_done(outcome)

    send(tasks, [f"perfeval-report-{run_id}-{i}" for i in range(len(tasks))])
    deadline = None
    try:
        while pending:
            if stop is not None and stop.requested:
                if deadline is None:
                    deadline = time.monotonic() + stop_grace
                    echo(stop_notice(stop.signum, _hold_back(client, run_id, pending), stop_grace))
                if not pending or stop.urgent or time.monotonic() >= deadline:
                    break
            try:
                settle(arrived.get(timeout=POLL_S))
            except queue.Empty:
                continue
    finally:
        if pending:
            left = _abort(client, run_id, pending, arrived, settle)
            if left:
                echo(f"\n提示：{left} 份报告在工作进程上没能在 {ABORT_WAIT_S:g} 秒内停下，它们的文件可能在清单写好之后"
                     "才写入（清单中没有记录）；用 --resume 重新运行即可。")
        _quietly(client.unsubscribe_topic, STARTED_TOPIC)
        _quietly(client.run, forget_batch, run_id)


def _still_coming(client, pending: dict) -> set[str]:
    """The pending tasks whose outcomes will still arrive: on a worker now, or already finished.

    A task that finished just before the stop has its files on disk and its outcome on the way (the
    scheduler holds it in memory; the client may not know yet): cancelling it would drop its record
    and leave files that the ledger does not list. When the cluster cannot be asked, all of them.
    """
    processing = _quietly(client.processing, default=None)  # first: a task may move on to memory
    held = _quietly(client.who_has, [future for future, _ in pending.values()], default=None)
    if processing is None or held is None:
        return set(pending)
    keys = {str(key) for keys in processing.values() for key in keys}
    keys |= {str(key) for key, workers in held.items() if workers}
    keys |= {key for key, (future, _) in pending.items() if future.done()}
    return keys & set(pending)


def _hold_back(client, run_id: str, pending: dict) -> int:
    """Start no more of the batch's tasks and cancel the queued ones; returns how many run now."""
    running = _quietly(client.run, stop_batch, run_id, default={})  # from now on they start none
    sent = _still_coming(client, pending)  # those running end by themselves: they find the mark
    _quietly(client.cancel, [pending.pop(key)[0] for key in list(pending) if key not in sent])
    return sum(running.values())


def _abort(client, run_id: str, pending: dict, arrived, settle) -> int:
    """Kill the kernels of the batch's running tasks and wait until the workers let go of them;
    outcomes that still arrive are recorded. Returns how many did not stop in time."""
    _quietly(client.run, stop_batch, run_id, kill=True)
    waiting = _still_coming(client, pending)
    _quietly(client.cancel, [pending.pop(key)[0] for key in list(pending) if key not in waiting])
    deadline = time.monotonic() + ABORT_WAIT_S
    while waiting and time.monotonic() < deadline:
        try:
            future = arrived.get(timeout=POLL_S)
        except queue.Empty:
            # A run that finished its files just before the kill still returns its outcome, however
            # slowly it travels on a loaded machine: keep waiting for it (up to the deadline), or
            # its files would be on disk and not in the ledger. Kill again: a queued run may have started.
            _quietly(client.run, stop_batch, run_id, kill=True)
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
    return len(waiting)  # outcomes that never arrived: their files may still land after the ledger
