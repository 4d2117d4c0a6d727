"""How a batch stops: signals to the driver, workers and kernels that die with it, leftovers cleaned.

- `StopSignals` (driver): SIGINT and SIGTERM no longer kill the batch mid-write. The first one is
  remembered; the batch stops handing out work, gives running tasks a few seconds, kills their
  kernels (a run already writing its files finishes them and is recorded), stops the workers,
  writes the ledger and the index, and exits with 128 + the signal number (130, 143).
  A second signal skips the few seconds, not the writing of files already under way.
- `die_with_parent` (worker): a worker must not outlive the batch, even when the batch is killed
  with SIGKILL and can clean nothing up. On Linux the kernel sends the worker SIGTERM when its
  parent dies (``prctl(PR_SET_PDEATHSIG)`` through ctypes); everywhere a small thread also watches
  the parent's pid. Either way the worker kills its notebook kernel's process group and exits.
  (Kernels also poll their own parent, the worker, through ipykernel's ``JPY_PARENT_PID``.)
- `temp_prefix` / `clean_leftovers`: temporary folders (kernel sockets, scratch notebooks) and
  ``.part`` files carry the pid of the process that made them; the next batch removes those whose
  process is gone, and leaves alone those of live processes (another batch may be running).
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

from .._files import PART_SUFFIX

PR_SET_PDEATHSIG = 1
PARENT_POLL_S = 0.5
TEMP_KINDS = ("pfk", "pfnb")  # kernel socket folders, scratch folders of notebook runs
_TEMP_DIR = re.compile(r"^(?:%s)-(\d+)-" % "|".join(TEMP_KINDS))
_PART_FILE = re.compile(r"^\..+\.(\d+)\.[A-Za-z0-9_]+" + re.escape(PART_SUFFIX) + "$")
SIGNAL_NAMES = {signal.SIGINT: "SIGINT（Ctrl-C）", signal.SIGTERM: "SIGTERM"}


# --------------------------------------------------------------------------- driver


class StopSignals:
    """Context manager: SIGINT/SIGTERM set a flag instead of raising (main thread only).

    ``signum`` is the first signal received (None: none), ``urgent`` is True after a second one.
    Outside the main thread no handler can be installed; then a KeyboardInterrupt still arrives as
    before and the caller records it with `interrupt`.
    """

    def __init__(self):
        self.signum: int | None = None
        self.count = 0
        self._previous: dict = {}

    @property
    def requested(self) -> bool:
        return self.signum is not None

    @property
    def urgent(self) -> bool:
        return self.count > 1

    def interrupt(self, signum: int = signal.SIGINT) -> None:
        self.count += 1
        if self.signum is None:
            self.signum = signum

    def _handle(self, signum, frame) -> None:
        self.interrupt(signum)

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc):
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()


def signal_name(signum: int | None) -> str:
    return SIGNAL_NAMES.get(signum, f"信号 {signum}") if signum is not None else ""


def stop_notice(signum: int | None, running: int, grace: float) -> str:
    """What the batch says when a stop arrives (the same for every executor)."""
    text = f"\n收到停止信号 {signal_name(signum)}：不再分派新任务"
    if running:
        text += f"，等待运行中的 {running} 份报告完成（最多 {grace:g} 秒）…"
    return text


# --------------------------------------------------------------------------- workers


def _set_parent_death_signal(signum: int) -> bool:
    """Ask Linux to send ``signum`` to this process when its parent dies; False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def die_with_parent(parent_pid: int, cleanup: Callable[[], None], *, death_signal: bool = True) -> None:
    """Make this (worker) process end, after ``cleanup()``, when ``parent_pid`` is gone.

    Installs a SIGTERM handler (``cleanup`` then exit 143), asks for SIGTERM on the parent's death
    (Linux; ``death_signal=False`` when the parent thread that started us may end before the
    parent process does), and starts a daemon thread that polls the parent pid.
    """
    def leave(code: int) -> None:
        try:
            cleanup()
        finally:
            os._exit(code)

    signal.signal(signal.SIGTERM, lambda signum, frame: leave(128 + signum))
    if death_signal:
        _set_parent_death_signal(signal.SIGTERM)
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        leave(1)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_POLL_S)
        leave(1)

    threading.Thread(target=watch, name="perfeval-parent-watch", daemon=True).start()


def kill_process_group(pgid: int | None) -> None:
    """SIGKILL a process group (a kernel started in its own session); never raises."""
    if not pgid:
        return
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass


# --------------------------------------------------------------------------- leftovers


def temp_prefix(kind: str) -> str:
    """Prefix for a temporary folder of ``kind`` made by this process (``pfk-<pid>-``)."""
    return f"{kind}-{os.getpid()}-"


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (dead, waiting to be reaped)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, belongs to someone else
        pass
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except (OSError, IndexError):  # no /proc (not Linux): trust kill(0)
        return True


def _leftovers(folder: Path, pattern: re.Pattern, want_dirs: bool) -> list[Path]:
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    found = []
    for path in entries:
        match = pattern.match(path.name)
        if match and not pid_alive(int(match.group(1))):
            try:
                is_dir = path.is_dir() and not path.is_symlink()
            except OSError:
                continue
            if is_dir == want_dirs:
                found.append(path)
    return found


def clean_leftovers(out_dir: str | os.PathLike | None = None) -> list[str]:
    """Remove temporary folders and ``.part`` files left by processes that no longer exist.

    Looks in the system temp folder and in ``out_dir`` (and its ``reports/`` and ``notebooks/``).
    Returns what was removed.
    """
    removed = []
    for path in _leftovers(Path(tempfile.gettempdir()), _TEMP_DIR, want_dirs=True):
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            removed.append(str(path))
    if out_dir is not None:
        base = Path(out_dir)
        for folder in (base, base / "reports", base / "notebooks"):
            for path in _leftovers(folder, _PART_FILE, want_dirs=False):
                try:
                    path.unlink()
                    removed.append(str(path))
                except OSError:
                    pass
    return removed
