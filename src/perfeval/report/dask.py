"""The batch on an existing Dask cluster: ``perfeval batch --executor dask --scheduler ADDRESS``.

Each Dask worker keeps its kernel(s) on the worker object (not in a module-level cache of a
function defined in ``__main__``, which Dask would pickle by value and so start a kernel per task):
`KernelPlugin` holds one `ReusableKernel` per worker thread and shuts them down when the worker
closes. Tasks are plain `task.Task` objects; every worker runs `task.run_task`, the same code as
the local pool, so the reports are byte-identical. Outputs are written by the workers straight into
``out_dir``, which must be a path every worker can reach (shared storage); the driver writes the
manifest and the index. ``dask.distributed`` is an optional dependency.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from ..errors import InputError
from .kernels import ReusableKernel
from .task import crashed_outcome, run_task

PLUGIN_NAME = "perfeval-kernels"
_ATTRIBUTE = "perfeval_kernels"


def _distributed():
    try:
        import distributed
    except ImportError:
        raise InputError("使用 --executor dask 需要安装 dask.distributed "
                         "(pip install 'dask[distributed]')", expected="已安装 distributed",
                         found="未安装") from None
    return distributed


def _kernels_of(worker) -> dict:
    kernels = getattr(worker, _ATTRIBUTE, None)
    if kernels is None:
        kernels = {}
        setattr(worker, _ATTRIBUTE, kernels)
    return kernels


def _worker_kernel(fresh: bool) -> ReusableKernel:
    """This worker thread's kernel (one per thread: a kernel runs one notebook at a time)."""
    from distributed import get_worker

    kernels = _kernels_of(get_worker())
    key = threading.get_ident()
    kernel = kernels.get(key)
    if kernel is None:
        kernel = kernels[key] = ReusableKernel()
    kernel.fresh = fresh
    return kernel


def run_on_worker(task, out_dir: str, formats: tuple, timeout, fresh: bool, task_fingerprint: str):
    """The Dask task: run one `Task` in this worker's kernel (importable, so pickled by reference)."""
    return run_task(task, out_dir, kernel=_worker_kernel(fresh), formats=formats, timeout=timeout,
                    task_fingerprint=task_fingerprint)


def kernels_started_on_worker(dask_worker=None) -> int:
    """How many kernels this worker has started; use with ``client.run`` (tests, benchmarks)."""
    if dask_worker is None:
        from distributed import get_worker

        dask_worker = get_worker()
    return sum(k.started for k in _kernels_of(dask_worker).values())


try:  # dask.distributed is optional; the plugin base class only matters when it is there
    from distributed import WorkerPlugin as _PluginBase
except ImportError:  # pragma: no cover - exercised only without the extra
    _PluginBase = object


class KernelPlugin(_PluginBase):
    """Shuts a worker's report kernels down when the worker closes."""

    name = PLUGIN_NAME

    def setup(self, worker):
        _kernels_of(worker)

    def teardown(self, worker):
        for kernel in _kernels_of(worker).values():
            kernel.discard()


def _has_plugin(dask_worker=None) -> bool:
    return PLUGIN_NAME in getattr(dask_worker, "plugins", {})


def ensure_plugin(client) -> None:
    """Register `KernelPlugin` once: registering it again would tear down the warm kernels."""
    present = client.run(_has_plugin)
    if not present or not all(present.values()):
        client.register_plugin(KernelPlugin(), name=PLUGIN_NAME)


def connect(scheduler):
    """A `distributed.Client` for an address, or the client given; second value: whether we own it."""
    distributed = _distributed()
    if isinstance(scheduler, distributed.Client):
        return scheduler, False
    return distributed.Client(scheduler, set_as_default=False), True


def run_on_dask(tasks: list, fingerprints: dict, out_dir: Path, formats: tuple, timeout,
                fresh: bool, scheduler, on_done: Callable, stop=None) -> None:
    """Submit every task to the cluster and call ``on_done`` with each outcome as it arrives.

    ``stop`` (`lifeline.StopSignals`): once it is requested, the tasks not yet finished are cancelled.
    """
    distributed = _distributed()

    client, owned = connect(scheduler)
    try:
        ensure_plugin(client)
        futures = {}
        for task in tasks:
            future = client.submit(run_on_worker, task, str(out_dir), formats, timeout, fresh,
                                   fingerprints[task.task_id], pure=False)
            futures[future] = task
        try:
            for future in distributed.as_completed(futures):
                task = futures[future]
                try:
                    on_done(future.result())
                except Exception as exc:  # noqa: BLE001 — a lost worker fails its task, not the batch
                    on_done(crashed_outcome(task, exc, fingerprints[task.task_id]))
                if stop is not None and stop.requested:
                    client.cancel([f for f in futures if not f.done()])
                    break
        except BaseException:
            client.cancel(list(futures))
            raise
    finally:
        if owned:
            client.close()
