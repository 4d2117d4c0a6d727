"""Run many report notebooks: one task per report, long-lived workers, one reused kernel each.

`run_batch(tasks, out_dir, jobs=2, …)` runs every `Task` (template notebook + parameters) and
writes, under ``out_dir``::

    reports/<stem>.html      the report (and <stem>.pdf with formats=("html", "pdf"))
    notebooks/<stem>.ipynb   the executed notebook, cleaned of run-to-run noise
    manifest.json            the ledger: every report made in this folder, by any run (`report.ledger`)
    index.html               a Chinese index of the whole ledger (`report.index`)

How it survives and what it guarantees:

- one batch at a time per folder: a second one refuses at once, naming the first (`ledger.BatchLock`);
- workers are spawned processes that live for the whole batch; each keeps ONE kernel
  (`kernels.ReusableKernel`) and resets it before every notebook; ``fresh_kernel=True`` starts a
  new kernel per notebook instead (same bytes out, just slower); workers and kernels die with
  the batch, even when it is killed (`lifeline`);
- at most ``jobs`` tasks are handed out at a time; a notebook that raises is marked failed at once,
  its report still exported with the error shown; a kernel that dies or hangs past ``timeout``
  seconds in a cell is discarded and the task retried once on a new kernel, then marked failed;
  a worker process that dies fails its own task only (the tasks it ran beside are rerun one at a
  time to find it);
- SIGINT/SIGTERM stop the hand-out; running tasks get ``stop_grace`` seconds, then their kernels
  are killed and those runs end without writing anything (a run whose executed notebook is already
  written finishes its export and is recorded, so no file lands unlisted); then the workers are
  stopped, the ledger and index are written and the exit code is 130/143;
- the ledger and index are written atomically after every ``checkpoint_every`` tasks and at the
  end; a run keeps every entry of other tasks and marks those whose files were deleted or changed;
- the manifest's ``reproducible_sha256`` does not depend on times: two runs of the same inputs
  give the same value, and the same report checksums;
- ``resume=True`` keeps the tasks that succeeded before with the same input fingerprint (template,
  parameters, input files, package version) and intact outputs, and redoes the rest.

``executor="dask"`` sends the same tasks to a Dask cluster: the one at ``scheduler`` or, without
an address, a `LocalCluster` of ``jobs`` workers (see `report.cluster`, `report.dask`).
"""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import socket
import sys
import threading
import time
from collections import deque
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Callable, Iterable

from ..errors import InputError
from .execute import DEFAULT_TIMEOUT, TaskCancelled
from .index import INDEX_NAME, STATUS_LABELS
from .kernels import ReusableKernel
from .ledger import MANIFEST_NAME, BatchLock, Ledger, prepare_output_dir
from .lifeline import StopSignals, clean_leftovers, die_with_parent, signal_name, stop_notice
from .markup import grade_label
from .task import (KIND_LABELS, RERUN_MARK, Task, TaskOutcome, check_formats, check_tasks,
                   crashed_outcome, fingerprint, run_task)

CHECKPOINT_EVERY = 10
STOP_GRACE_S = 3.0
POLL_S = 0.2
ABORT_WAIT_S = 15.0  # after killing the kernels: how long to wait for the running tasks to come back
STOP_POLL_S = 0.1    # how often a worker looks at the stop flag

# --------------------------------------------------------------------------- local worker pool

_WORKER_KERNEL: ReusableKernel | None = None
_WORKER_STOP = None  # the pool's stop flag (a shared byte, 1 once the batch is stopped)


def _worker_init(parent_pid: int, death_signal: bool, stop_flag) -> None:
    global _WORKER_KERNEL, _WORKER_STOP
    import signal
    from multiprocessing import util

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the batch decides
    _WORKER_KERNEL = ReusableKernel()
    _WORKER_STOP = stop_flag
    die_with_parent(parent_pid, _WORKER_KERNEL.kill, death_signal=death_signal)
    threading.Thread(target=_kill_kernel_on_stop, name="perfeval-stop", daemon=True).start()
    # Worker processes leave through os._exit, which skips atexit; Finalize still runs.
    util.Finalize(None, _worker_shutdown, exitpriority=10)


def _worker_shutdown() -> None:
    if _WORKER_KERNEL is not None:
        _WORKER_KERNEL.discard()


def _stopped() -> bool:
    return bool(_WORKER_STOP.value)


def _kill_kernel_on_stop() -> None:
    """Once the pool is stopped, kill this worker's kernel, and again any kernel started after.

    A polled shared flag, not a `multiprocessing.Event`: setting an Event waits for every thread
    that waits on it to wake, so one worker that died while waiting would hang the stop forever.
    """
    killed = None
    while True:
        manager = _WORKER_KERNEL.manager
        if manager is not None and manager is not killed and _stopped():
            _WORKER_KERNEL.kill()
            killed = manager  # each kernel once: its process group id may be reused after it is gone
        time.sleep(STOP_POLL_S)


def _worker_run(task: Task, out_dir: str, formats: tuple, timeout, fresh: bool,
                task_fingerprint: str) -> TaskOutcome | None:
    """One report in this worker's kernel; None when the batch was stopped before it was written."""
    if _stopped():
        return None
    _WORKER_KERNEL.fresh = fresh
    try:
        return run_task(task, out_dir, kernel=_WORKER_KERNEL, formats=formats, timeout=timeout,
                        task_fingerprint=task_fingerprint, cancelled=_stopped)
    except TaskCancelled:
        return None


def _worker_kernels_started() -> int:
    return _WORKER_KERNEL.started if _WORKER_KERNEL is not None else 0


class WorkerPool:
    """``jobs`` spawned worker processes, each keeping one kernel for its whole life.

    Pass one pool to several `run_batch` calls to keep the warm kernels (tests, notebooks). Workers
    end when the process that made the pool ends, however it ends.
    """

    def __init__(self, jobs: int = 2):
        if not isinstance(jobs, int) or jobs < 1:
            raise InputError("并行数必须是正整数 (jobs must be a positive integer)", expected="≥ 1",
                             found=jobs)
        self.jobs = jobs
        # The parent-death signal fires when the *thread* that started a worker ends: only ask for
        # it when that is the main thread (the parent-watch thread covers the other cases).
        death_signal = threading.current_thread() is threading.main_thread()
        context = multiprocessing.get_context("spawn")
        self._stop = context.RawValue("b", 0)
        self._executor = cf.ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                                                initializer=_worker_init,
                                                initargs=(os.getpid(), death_signal, self._stop))

    def submit(self, task: Task, out_dir: str, formats: tuple, timeout, fresh: bool,
               task_fingerprint: str) -> cf.Future:
        return self._executor.submit(_worker_run, task, out_dir, formats, timeout, fresh,
                                     task_fingerprint)

    def close(self, *, cancel: bool = False) -> None:
        self._executor.shutdown(wait=True, cancel_futures=cancel)

    def stop_running(self) -> None:
        """Kill the kernels of the running tasks (within `STOP_POLL_S`): those runs return None
        without writing anything. The pool is then spent: `terminate` it."""
        self._stop.value = 1

    def terminate(self, wait: float = 3.0) -> None:
        """Stop every worker now (SIGTERM: each kills its kernel and exits; SIGKILL after ``wait``)."""
        # ProcessPoolExecutor has no public way to stop its workers before Python 3.14.
        processes = list((getattr(self._executor, "_processes", None) or {}).values())
        for process in processes:
            if process.is_alive():
                process.terminate()
        deadline = time.monotonic() + wait
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join(1.0)
        self._executor.shutdown(wait=False, cancel_futures=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close(cancel=exc[0] is not None)


def _settle(futures: dict, on_done, fingerprints: dict) -> list[Task]:
    """Record every finished future; return the tasks whose worker died under them."""
    lost = []
    for future, task in futures.items():
        try:
            outcome = future.result()
        except BrokenProcessPool:
            lost.append(task)
            continue
        except Exception as exc:  # noqa: BLE001 — record, go on
            outcome = crashed_outcome(task, exc, fingerprints[task.task_id])
        if outcome is not None:  # None: stopped before anything was written
            on_done(outcome)
    return lost


def _run_local(tasks: list[Task], fingerprints: dict, out_dir, formats: tuple, timeout,
               fresh: bool, jobs: int, pool: WorkerPool | None, on_done: Callable[[TaskOutcome], None],
               stop: StopSignals, stop_grace: float, echo: Callable[[str], None]) -> None:
    """Run the tasks on the pool, at most ``pool.jobs`` at a time.

    A worker process that dies (killed, out of memory) breaks the pool and takes the tasks running
    beside it along: if only one task was running it is the culprit and is marked failed; otherwise
    the lost tasks are rerun one at a time on a one-worker pool until the culprit is found, then
    the pool grows back. On a stop request nothing more is handed out; running tasks get
    ``stop_grace`` seconds, then their kernels are killed (`WorkerPool.stop_running`) and what
    still comes back within ``ABORT_WAIT_S`` is recorded; then the workers are terminated.
    """
    own_pool = pool is None
    pool = pool or WorkerPool(jobs)
    queue = deque(tasks)
    running: dict[cf.Future, Task] = {}
    suspects: set[str] = set()
    deadline = None
    try:
        while queue or running:
            if stop.requested:
                if deadline is None:
                    deadline = time.monotonic() + stop_grace
                    if running:
                        echo(stop_notice(stop.signum, len(running), stop_grace))
                if not running or stop.urgent or time.monotonic() >= deadline:
                    break
            else:
                limit = 1 if suspects else pool.jobs
                while queue and len(running) < limit:
                    task = queue.popleft()
                    running[pool.submit(task, str(out_dir), formats, timeout, fresh,
                                        fingerprints[task.task_id])] = task
            done, _ = cf.wait(running, timeout=POLL_S, return_when=cf.FIRST_COMPLETED)
            if not done:
                continue
            finished = {f: running.pop(f) for f in done}
            lost = _settle(finished, on_done, fingerprints)
            suspects -= {t.task_id for t in finished.values() if t not in lost}
            if not lost:
                if not suspects and pool.jobs < jobs and own_pool and len(queue) > 2 * jobs:
                    pool.close()
                    pool = WorkerPool(jobs)  # the culprit was found: back to full width
                continue
            # The pool is broken: every task still running is lost with it (their futures fail now).
            cf.wait(running, timeout=30)
            lost += _settle(dict(running), on_done, fingerprints)
            running.clear()
            lost.sort(key=tasks.index)
            if len(lost) == 1:  # alone on the pool: it killed its worker
                culprit = lost.pop()
                suspects.discard(culprit.task_id)
                on_done(crashed_outcome(culprit, BrokenProcessPool("工作进程在执行该项目时退出 (worker died)"),
                                        fingerprints[culprit.task_id]))
            suspects |= {t.task_id for t in lost}
            queue.extendleft(reversed(lost))
            if own_pool:
                pool.close(cancel=True)
            pool, own_pool = WorkerPool(1 if suspects else jobs), True
    finally:
        if running:
            _abort_local(pool, running, on_done, fingerprints, echo)
        elif own_pool:
            pool.close(cancel=True)


def _abort_local(pool: WorkerPool, running: dict, on_done, fingerprints: dict, echo) -> None:
    """Stop the running tasks, record those that finished their files meanwhile, end the workers.

    A task whose executed notebook was written before the kill finishes its export and returns its
    outcome: terminating its worker without waiting would leave its files on disk and not in the ledger.
    """
    pool.stop_running()
    done, left = cf.wait(running, timeout=ABORT_WAIT_S)
    try:
        lost = _settle({f: running[f] for f in done}, on_done, fingerprints)
    finally:
        pool.terminate()
    if left or lost:
        echo(f"\n提示：{len(left) + len(lost)} 份报告在停止时未能正常结束（工作进程退出，或 {ABORT_WAIT_S:g} 秒内未停下），"
             "其文件若已部分写入则不在清单中；用 --resume 重新运行即可。")


# --------------------------------------------------------------------------- the result


@dataclass(frozen=True)
class BatchResult:
    """This run's outcomes, in task order, and the ledger written to ``out_dir``.

    ``outcomes`` holds the tasks of this run that finished (or were kept by ``resume``);
    ``unfinished`` the task ids a stop left undone; ``manifest["projects"]`` the whole ledger.
    """

    outcomes: tuple[TaskOutcome, ...]
    out_dir: str
    manifest: dict = field(repr=False)
    reused: tuple[str, ...] = ()
    wall_s: float = 0.0
    interrupted: bool = False
    signal: int | None = None
    unfinished: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()
    kept_previous: tuple[str, ...] = ()  # failed again for a write error: the ledger kept the earlier success

    @property
    def ok(self) -> bool:
        return not self.interrupted and all(o.ok for o in self.outcomes)

    @property
    def failed(self) -> tuple[TaskOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.ok)

    @property
    def exit_code(self) -> int:
        """0 all made; 1 some failed; 130 (SIGINT) or 143 (SIGTERM) stopped by a signal."""
        if self.interrupted:
            return 128 + (self.signal or 2)
        return 0 if self.ok else 1

    @property
    def manifest_path(self) -> str:
        return os.path.join(self.out_dir, MANIFEST_NAME)

    @property
    def index_path(self) -> str:
        return os.path.join(self.out_dir, INDEX_NAME)

    def to_frame(self):
        """One row per report, Chinese column labels (for JupyterLab and spreadsheets)."""
        import pandas as pd

        rows = [{"任务": o.task_id, "项目编号": o.project_id, "项目名称": o.display_name,
                 "类型": KIND_LABELS.get(o.kind, o.kind), "状态": STATUS_LABELS.get(o.status, o.status),
                 "总分": o.total if o.ok else None, "等级": grade_label(o.grade) if o.ok else None,
                 "用时（秒）": round(o.duration_s, 2), "错误": o.describe_error()} for o in self.outcomes]
        return pd.DataFrame(rows, columns=["任务", "项目编号", "项目名称", "类型", "状态", "总分", "等级",
                                           "用时（秒）", "错误"])

    def _repr_html_(self) -> str:
        import html

        head = html.escape(self.summary().splitlines()[0])
        return f"<p>{head}</p>" + self.to_frame().to_html(index=False, escape=True, na_rep="—")

    def summary(self) -> str:
        """The closing summary, in Chinese: this run's counts, each failure, then the whole ledger."""
        n = len(self.outcomes)
        ok = n - len(self.failed)
        lines = [f"批量生成{'中断' if self.interrupted else '完成'}：共 {n} 份报告，成功 {ok} 份，"
                 f"失败 {len(self.failed)} 份"
                 + (f"（其中 {len(self.reused)} 份输入未变，沿用上次结果）" if self.reused else "")
                 + (f"，未完成 {len(self.unfinished)} 份" if self.unfinished else "")
                 + f"；用时 {self.wall_s:.1f} 秒。"]
        if self.interrupted:
            lines.append(f"已按停止信号 {signal_name(self.signal)} 停止：未完成的报告可用 --resume 续做 "
                         f"(stopped; rerun with --resume)。退出码 {self.exit_code}。")
        if self.failed:
            lines.append("失败清单 (failed):")
            for o in self.failed:
                label = KIND_LABELS.get(o.kind, o.kind)
                lines.append(f"  - {o.task_id}（{label}）：{o.describe_error()}")
        if self.kept_previous:
            lines.append(f"其中 {len(self.kept_previous)} 份因写入等非数据原因失败，清单保留了上次由相同输入生成的有效报告："
                         + "、".join(self.kept_previous))
        rerun = [o.task_id for o in self.outcomes if any(RERUN_MARK in note for note in o.notes)]
        if rerun:
            lines.append(f"其中 {len(rerun)} 份报告的工作进程中途退出，已由其他工作进程重做（清单中该项的 notes 写明）："
                         + "、".join(rerun))
        notes = sorted({note for o in self.outcomes for note in o.notes if "PDF" in note})
        lines.extend(f"提示：{note}" for note in notes)
        counts = self.manifest.get("summary", {})
        lines.append(f"清单共记录 {counts.get('total', 0)} 份报告：成功 {counts.get('ok', 0)} 份，"
                     f"失败 {counts.get('failed', 0)} 份"
                     + (f"，文件缺失 {counts['missing']} 份" if counts.get("missing") else "")
                     + (f"，文件已改动 {counts['changed']} 份" if counts.get("changed") else "") + "。")
        lines.append(f"报告索引 (index)：{self.index_path}")
        lines.append(f"清单 (manifest)：{self.manifest_path}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- the batch


def run_batch(tasks: Iterable[Task], out_dir: str | os.PathLike, *, jobs: int = 2,
              fresh_kernel: bool = False, resume: bool = False, formats=("html",),
              executor: str = "local", scheduler=None, timeout: float | None = DEFAULT_TIMEOUT,
              pool: WorkerPool | None = None, progress: bool | None = None,
              echo: Callable[[str], None] | None = None, checkpoint_every: int = CHECKPOINT_EVERY,
              stop_grace: float = STOP_GRACE_S, connect_timeout: float | None = None) -> BatchResult:
    """Run every task and write reports, executed notebooks, manifest.json and index.html.

    ``jobs``: worker processes (= cores is best). ``fresh_kernel``: a new kernel per notebook.
    ``resume``: keep earlier successes whose fingerprint and outputs are unchanged.
    ``formats``: "html" always, plus "pdf" if an engine is installed (else a Chinese notice).
    ``executor``: "local" (process pool, or the given ``pool``) or "dask" (``scheduler`` = address,
    a `distributed.Client`, or None for a local cluster of ``jobs`` workers; ``connect_timeout``:
    seconds to reach it). ``timeout``: seconds per cell. ``progress``: tqdm bar (None: only on a
    terminal). ``echo``: where notices go (default: stderr). ``checkpoint_every``: write the ledger
    and index after every N finished tasks. ``stop_grace``: seconds running tasks get after
    SIGINT/SIGTERM. Never raises for a failing task; raises `ledger.BatchLockedError` when another
    batch holds the folder, `ledger.OutputFolderError` when the folder cannot be written and
    `cluster.ClusterError` when the Dask cluster cannot be used (before the folder is touched).
    """
    from tqdm import tqdm

    from .export import PDF_MISSING_MESSAGE, pdf_engine

    echo = echo or (lambda text: print(text, file=sys.stderr))
    started_wall = time.perf_counter()
    started_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    tasks = list(tasks)
    check_tasks(tasks)
    formats = check_formats(formats)
    if executor not in ("local", "dask"):
        raise InputError("未知的执行方式 (unknown executor)", expected="local 或 dask", found=executor)
    if executor == "local" and scheduler is not None:
        raise InputError("给了 Dask 调度器地址却没有选 Dask 执行 (--scheduler needs --executor dask)",
                         expected="--executor dask --scheduler ADDRESS", found=f"--executor local --scheduler {scheduler}")
    if not isinstance(checkpoint_every, int) or checkpoint_every < 1:
        raise InputError("检查点间隔必须是正整数 (checkpoint_every)", expected="≥ 1", found=checkpoint_every)
    notices = []
    if "pdf" in formats and pdf_engine() is None:
        notices.append(PDF_MISSING_MESSAGE)
        formats = tuple(f for f in formats if f != "pdf")

    with contextlib.ExitStack() as stack:
        client = None
        if executor == "dask":
            from .cluster import CONNECT_TIMEOUT_S, open_cluster

            client = stack.enter_context(open_cluster(
                scheduler, jobs=jobs, connect_timeout=connect_timeout or CONNECT_TIMEOUT_S))
        out_dir = prepare_output_dir(out_dir)
        lock = stack.enter_context(BatchLock(out_dir, command=" ".join(sys.argv[:8]) or None))
        if lock.note:
            notices.append(lock.note)
        leftovers = clean_leftovers(out_dir)
        if leftovers:
            notices.append(f"已清理被中断的运行留下的 {len(leftovers)} 个临时文件或文件夹 (leftovers removed)。")
        ledger = Ledger.open(out_dir)
        notices.extend(ledger.notes)
        for notice in notices:
            echo(notice)

        cache: dict = {}
        fingerprints = {t.task_id: fingerprint(t, cache) for t in tasks}
        done: dict[str, TaskOutcome] = {}
        for task in tasks if resume else ():
            kept = ledger.reusable(task, fingerprints[task.task_id], formats)
            if kept is not None:
                done[task.task_id] = kept
        reused = tuple(t.task_id for t in tasks if t.task_id in done)
        to_run = [t for t in tasks if t.task_id not in done]

        def run_info(finished: bool, stop: StopSignals) -> dict:
            return {"started_at": started_at, "wall_s": round(time.perf_counter() - started_wall, 3),
                    "executor": executor, "jobs": jobs if executor == "local" or scheduler is None else None,
                    "scheduler": None if client is None else str(client.scheduler.address),
                    "fresh_kernel": fresh_kernel, "resumed": list(reused), "tasks": len(tasks),
                    "finished": finished, "interrupted": stop.requested, "signal": stop.signum,
                    "notices": notices, "pid": os.getpid(), "host": socket.gethostname()}

        bar = tqdm(total=len(to_run), desc="生成报告", unit="份", file=sys.stderr, dynamic_ncols=True,
                   disable=None if progress is None else not progress)
        failures = 0
        since_checkpoint = 0
        kept_previous: list[str] = []

        with StopSignals() as stop:
            def on_done(outcome: TaskOutcome) -> None:
                nonlocal failures, since_checkpoint
                done[outcome.task_id] = outcome
                if ledger.record(outcome)["run_status"] != outcome.status:
                    kept_previous.append(outcome.task_id)
                failures += not outcome.ok
                bar.set_postfix_str(f"失败 {failures}", refresh=False)
                bar.update(1)
                since_checkpoint += 1
                if since_checkpoint >= checkpoint_every:
                    since_checkpoint = 0
                    try:
                        ledger.write(formats=formats, run=run_info(False, stop))
                    except Exception as exc:  # noqa: BLE001 — a checkpoint may fail; the end tries again
                        echo(f"\n提示：中途保存清单失败，将在结束时再试：{exc}")

            try:
                if to_run and executor == "local":
                    _run_local(to_run, fingerprints, out_dir, formats, timeout, fresh_kernel, jobs,
                               pool, on_done, stop, stop_grace, echo)
                elif to_run:
                    from .dask import run_on_dask

                    run_on_dask(to_run, fingerprints, out_dir, formats, timeout, fresh_kernel, client,
                                lock.run_id, on_done, stop, stop_grace, echo)
            except KeyboardInterrupt:  # outside the main thread no handler is installed
                stop.interrupt()
            finally:
                bar.close()
            ledger.verify()
            manifest = ledger.write(formats=formats, run=run_info(True, stop))

    outcomes = tuple(done[t.task_id] for t in tasks if t.task_id in done)
    return BatchResult(outcomes=outcomes, out_dir=str(out_dir), manifest=manifest, reused=reused,
                       wall_s=time.perf_counter() - started_wall, interrupted=stop.requested,
                       signal=stop.signum, notices=tuple(notices), kept_previous=tuple(kept_previous),
                       unfinished=tuple(t.task_id for t in tasks if t.task_id not in done))
