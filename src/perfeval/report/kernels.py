"""Jupyter kernels that a worker keeps and reuses from one notebook to the next.

Starting a kernel and importing pandas/seaborn inside it costs seconds; the notebook's own work
costs a fraction of one. A worker therefore keeps one kernel (`ReusableKernel`) and runs every
notebook in it, after a hidden reset cell (see `execute.py`). The facts this follows were measured
on the project's machines (shared/reporting-notes.md §2.3):

- `AsyncKernelManager`, not the blocking one: a dead kernel then raises `DeadKernelError` instead of
  hanging forever;
- IPC transport with a unique absolute socket path per kernel: no TCP port race between workers, no
  socket files in the current directory, no "running over TCP without encryption" warning;
- after `DeadKernelError` or `CellTimeoutError` the kernel is thrown away and a new one started;
  restarting in place proved unreliable;
- socket folders are named ``pfk-<pid>-…`` so that those of killed workers can be found and removed
  (`lifeline.clean_leftovers`); `ReusableKernel.kill` ends a kernel at once when its worker must go.
"""
from __future__ import annotations

import os
import shutil
import tempfile

from .lifeline import kill_process_group, temp_prefix

DEFAULT_KERNEL = "python3"

# Arguments for every kernel we start: no IPython history database (parallel kernels would contend
# for one SQLite file and it is never read back).
KERNEL_ARGUMENTS = ("--HistoryManager.enabled=False",)

# Fixed in the kernel's environment so that the same notebook prints the same bytes: str hashing
# (set iteration order) and the date matplotlib writes into SVG/PDF figures.
KERNEL_ENV = {"PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": "0"}


def _run_sync(coro_fn):
    from jupyter_core.utils import run_sync

    return run_sync(coro_fn)


def start_kernel(kernel_name: str = DEFAULT_KERNEL, *, startup_timeout: float = 60):
    """Start a new kernel on its own IPC socket directory; returns the `AsyncKernelManager`.

    The manager carries its connected client as ``perfeval_client`` (kept for the kernel's whole
    life: a new client per notebook would cost 0.2 s in `wait_for_ready`'s IOPub flush and leak
    ZMQ sockets) and the socket directory as ``perfeval_socket_dir``.
    """
    from jupyter_client.manager import AsyncKernelManager

    socket_dir = tempfile.mkdtemp(prefix=temp_prefix("pfk"))
    km = AsyncKernelManager(kernel_name=kernel_name, transport="ipc", ip=os.path.join(socket_dir, "k"))
    km.perfeval_socket_dir = socket_dir
    km.perfeval_client = None
    env = {**os.environ, **KERNEL_ENV}
    try:
        _run_sync(km.start_kernel)(extra_arguments=list(KERNEL_ARGUMENTS), env=env)
        kc = km.client()
        kc.start_channels()
        km.perfeval_client = kc
        _run_sync(kc.wait_for_ready)(timeout=startup_timeout)
        kc.allow_stdin = False
    except BaseException:
        stop_kernel(km)
        raise
    return km


def stop_kernel(km) -> None:
    """Shut a kernel down at once and remove its socket directory; never raises."""
    if km is None:
        return
    kc = getattr(km, "perfeval_client", None)
    if kc is not None:
        try:
            kc.stop_channels()
        except Exception:  # channels of a dead kernel may already be closed
            pass
        km.perfeval_client = None
    try:
        if km.has_kernel:
            _run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # a kernel that is already gone cannot be shut down twice; nothing to do
        pass
    socket_dir = getattr(km, "perfeval_socket_dir", None)
    if socket_dir:
        shutil.rmtree(socket_dir, ignore_errors=True)


class ReusableKernel:
    """One kernel kept alive across notebooks; started on first use, replaced after a failure.

    ``fresh=True`` gives a new kernel for every notebook (for debugging, training, and re-running
    failures) through the same interface.
    """

    def __init__(self, kernel_name: str = DEFAULT_KERNEL, *, fresh: bool = False,
                 startup_timeout: float = 60):
        self.kernel_name = kernel_name
        self.fresh = fresh
        self.startup_timeout = startup_timeout
        self._km = None
        self.started = 0  # kernels started so far (observable in tests and benchmarks)
        self.used = 0  # notebooks run in the current kernel

    def acquire(self):
        """The kernel manager to run the next notebook in, and whether it was used before."""
        if self.fresh:
            self.discard()
        reused = self._km is not None and self._km.has_kernel
        if not reused:
            self.discard()
            self._km = start_kernel(self.kernel_name, startup_timeout=self.startup_timeout)
            self.started += 1
            self.used = 0
        self.used += 1
        return self._km, reused

    @property
    def manager(self):
        """The current kernel manager (None: no kernel now)."""
        return self._km

    def release(self) -> None:
        """Called after each notebook: in fresh mode the kernel goes away at once."""
        if self.fresh:
            self.discard()

    def discard(self) -> None:
        """Throw the current kernel away (after a death or a timeout, or at the end)."""
        km, self._km = self._km, None
        stop_kernel(km)

    def kill(self) -> None:
        """Kill the kernel's process group at once, without talking to it (a worker on its way
        out, from a signal handler); removes its socket folder."""
        km = self._km
        provisioner = getattr(km, "provisioner", None)
        kill_process_group(getattr(provisioner, "pgid", None) or getattr(provisioner, "pid", None))
        socket_dir = getattr(km, "perfeval_socket_dir", None)
        if socket_dir:
            shutil.rmtree(socket_dir, ignore_errors=True)

    close = discard

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.discard()
