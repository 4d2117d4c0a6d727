"""The record of an output folder (manifest.json), kept across runs, and the lock that guards it.

The manifest is a ledger, not a snapshot of the last run. `Ledger.open` reads it and checks every
entry against the files on disk; a run then replaces the entries of its own tasks (`record`) and
keeps all others (a rerun that failed only because its files could not be written keeps the
earlier success made from the same inputs). An entry whose output files were deleted or no longer match their recorded
sha256 gets status ``missing`` or ``changed`` (``run_status`` keeps what the run gave, so an entry
whose files are restored becomes ``ok`` again); the file kinds concerned are in ``file_problems``.
Entries are kept in one canonical order (kind, then project id in natural order), so the ledger
depends only on what is recorded, never on the order of the runs that recorded it.

`Ledger.write` writes manifest.json and index.html atomically; the batch calls it every N tasks and
at the end, so a killed run loses at most N records. ``reproducible_sha256`` covers the manifest
without its volatile parts (the ``run`` object and each entry's ``duration_s``): the same inputs
give the same value.

`BatchLock` makes a second batch into the same folder refuse at once, naming the running one;
the lock (``flock`` on ``.perfeval-batch.lock``) is released by the operating system when its
holder dies, so a killed run's lock is simply taken over, with a note. The lock file also carries a
random ``run_id``: a Dask worker checks it (`lock_state`) to know that it sees the batch's own output
folder, and that the batch is still running before it writes anything there.
"""
from __future__ import annotations

import json
import os
import re
import socket
import time
import uuid
from pathlib import Path

from .. import __version__
from .._files import atomic_write_text
from ..errors import PerfevalError
from .index import INDEX_NAME, PUBLIC_INDEX_NAME, render_index, render_public_index, status_counts
from .lifeline import pid_alive
from .storage import sha256_bytes, sha256_file
from .task import KIND_ORDER, Task, TaskOutcome

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the lock falls back to the recorded pid
    fcntl = None

MANIFEST_NAME = "manifest.json"
DAMAGED_NAME = "manifest.damaged.json"
LOCK_NAME = ".perfeval-batch.lock"
MANIFEST_VERSION = 2
RUN_STATUSES = ("ok", "failed")
# Failures that say nothing about the project's data: they never replace a valid earlier success.
KEEP_PREVIOUS_ON = ("internal", "worker-died", "kernel-start", "worker-env")


class OutputFolderError(PerfevalError):
    """The output folder cannot be used: it is a file, cannot be written, or the ledger cannot be saved."""


class BatchLockedError(PerfevalError):
    """Another batch is writing to the same output folder."""


# --------------------------------------------------------------------------- the output folder


def prepare_output_dir(out_dir: str | os.PathLike) -> Path:
    """The output folder, created if needed; a file in its place or an unwritable folder is a clear error."""
    path = Path(out_dir).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise OutputFolderError(f"输出路径 {path} 是一个文件，不是文件夹 (--out names a file)；"
                                "请指定一个文件夹（不存在时会自动创建）。")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputFolderError(f"无法创建输出文件夹 {path} (cannot create the output folder)："
                                f"{exc.strerror or exc}") from None
    return path


def _unwritable(path: Path, exc: OSError) -> OutputFolderError:
    return OutputFolderError(f"无法写入输出文件夹 {path} (output folder not writable)：{exc.strerror or exc}"
                             f"（{type(exc).__name__}）。请检查该文件夹的权限、磁盘空间，或换一个输出文件夹。")


# --------------------------------------------------------------------------- entries


def _natural(text: str) -> tuple:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"(\d+)", text) if part)


def entry_order(entry: dict) -> tuple:
    """Canonical place of an entry: kind (self, key, portfolio, others), project id, task id."""
    kind = entry.get("kind") or ""
    return (KIND_ORDER.get(kind, len(KIND_ORDER)), kind, _natural(str(entry.get("project_id") or "")),
            _natural(str(entry.get("task_id"))))


def file_problems(out_dir: Path, outputs: dict) -> dict[str, str]:
    """For each recorded output that is gone or differs from its checksum: "missing" or "changed"."""
    problems = {}
    for fmt, meta in outputs.items():
        try:
            path = (out_dir / meta["path"]).resolve()
            inside = path.is_relative_to(out_dir)
            if not inside or not path.is_file():
                problems[fmt] = "missing"
            elif sha256_file(path) != meta.get("sha256"):
                problems[fmt] = "changed"
        except (OSError, KeyError, TypeError):
            problems[fmt] = "missing"
    return problems


def checked(out_dir: Path, entry: dict) -> dict:
    """The entry with ``status`` and ``file_problems`` recomputed from the files on disk."""
    entry = dict(entry)
    run_status = entry.get("run_status") or entry.get("status")
    if run_status not in RUN_STATUSES:
        run_status = "failed"
    entry["run_status"] = run_status
    problems = file_problems(out_dir, entry.get("outputs") or {})
    entry.pop("file_problems", None)
    if problems:
        entry["file_problems"] = problems
        entry["status"] = "missing" if "missing" in problems.values() else "changed"
    else:
        entry["status"] = run_status
    return entry


def _well_formed(entry) -> bool:
    return (isinstance(entry, dict) and isinstance(entry.get("task_id"), str)
            and isinstance(entry.get("outputs", {}), dict)
            and all(isinstance(m, dict) for m in (entry.get("outputs") or {}).values()))


# --------------------------------------------------------------------------- manifest


def reproducible_part(manifest: dict) -> dict:
    """The manifest without the parts that change from run to run (``run``, ``duration_s``)."""
    core = {k: v for k, v in manifest.items() if k not in ("run", "reproducible_sha256")}
    core["projects"] = [{k: v for k, v in p.items() if k != "duration_s"} for p in manifest["projects"]]
    return core


def _canonical(data) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def build_manifest(entries: list[dict], *, formats: tuple, run: dict) -> dict:
    """The manifest for ledger entries (already checked and in canonical order)."""
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "package": "perfeval",
        "package_version": __version__,
        "formats": list(formats),
        "projects": entries,
        "summary": status_counts(entries),
        "run": run,
    }
    manifest["reproducible_sha256"] = sha256_bytes(_canonical(reproducible_part(manifest)))
    return manifest


def load_manifest(out_dir: str | os.PathLike) -> dict | None:
    """The manifest of a folder; None if there is none or it cannot be read."""
    try:
        data = json.loads((Path(out_dir) / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


class Ledger:
    """Every report recorded in one output folder, checked against the files on disk."""

    def __init__(self, out_dir: str | os.PathLike, entries: dict[str, dict] | None = None,
                 notes: tuple[str, ...] = ()):
        self.out_dir = Path(out_dir).resolve()
        self._entries = {task_id: checked(self.out_dir, e) for task_id, e in (entries or {}).items()}
        self.notes = notes

    @classmethod
    def open(cls, out_dir: str | os.PathLike) -> "Ledger":
        """The folder's ledger; a damaged manifest is kept aside as manifest.damaged.json, with a note."""
        out_dir = Path(out_dir).resolve()
        path = out_dir / MANIFEST_NAME
        if not path.exists():
            return cls(out_dir)
        manifest = load_manifest(out_dir)
        projects = manifest.get("projects") if manifest else None
        if not isinstance(projects, list):
            try:
                os.replace(path, out_dir / DAMAGED_NAME)
            except OSError:
                pass
            return cls(out_dir, notes=(f"清单 {path} 已损坏，无法读取 (damaged manifest)；已另存为 {DAMAGED_NAME}，"
                                       "本次重新建立清单。",))
        entries = {e["task_id"]: e for e in projects if _well_formed(e)}
        skipped = len(projects) - len(entries)
        notes = (f"清单中有 {skipped} 条记录格式不对，已忽略 (malformed entries ignored)。",) if skipped else ()
        return cls(out_dir, entries, notes)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, task_id: str) -> dict | None:
        return self._entries.get(task_id)

    def entries(self) -> list[dict]:
        """All entries in canonical order."""
        return sorted(self._entries.values(), key=entry_order)

    def verify(self) -> None:
        """Check every entry against the files on disk again."""
        self._entries = {task_id: checked(self.out_dir, e) for task_id, e in self._entries.items()}

    def record(self, outcome: TaskOutcome) -> dict:
        """Replace the entry of ``outcome``'s task by the outcome (checked against its files).

        One exception: a rerun that failed for a reason outside the notebook (a write error such as
        a full disk, a worker killed) does not replace an earlier success made from the same
        inputs (same fingerprint) whose files are intact: that report is still the right one.
        Returns the entry the ledger now holds.
        """
        previous = self._entries.get(outcome.task_id)
        if (previous is not None and not outcome.ok and (outcome.error or {}).get("kind") in KEEP_PREVIOUS_ON
                and previous.get("fingerprint") == outcome.fingerprint):
            previous = checked(self.out_dir, previous)
            if previous["status"] == "ok":
                self._entries[outcome.task_id] = previous
                return previous
        entry = checked(self.out_dir, outcome.to_manifest())
        self._entries[outcome.task_id] = entry
        return entry

    def reusable(self, task: Task, task_fingerprint: str, formats: tuple) -> TaskOutcome | None:
        """The recorded outcome of ``task`` if it can stand (``--resume``): it succeeded, with the same
        fingerprint and file name, and every needed file is there and intact."""
        entry = self._entries.get(task.task_id)
        if (entry is None or entry.get("status") != "ok" or entry.get("fingerprint") != task_fingerprint
                or entry.get("stem") != task.file_stem
                or not {"ipynb", "html", *formats} <= set(entry.get("outputs") or {})):
            return None
        return TaskOutcome.from_manifest(entry)

    def manifest(self, *, formats: tuple, run: dict) -> dict:
        return build_manifest(self.entries(), formats=formats, run=run)

    def write(self, *, formats: tuple, run: dict) -> dict:
        """Write manifest.json, index.html (for operators) and 报告目录.html (for readers) atomically; returns
        the manifest."""
        manifest = self.manifest(formats=formats, run=run)
        try:
            atomic_write_text(self.out_dir / MANIFEST_NAME,
                              json.dumps(manifest, sort_keys=True, ensure_ascii=False, indent=2) + "\n")
            atomic_write_text(self.out_dir / INDEX_NAME, render_index(manifest["projects"]))
            atomic_write_text(self.out_dir / PUBLIC_INDEX_NAME, render_public_index(manifest["projects"]))
        except OSError as exc:
            raise _unwritable(self.out_dir, exc) from None
        return manifest


# --------------------------------------------------------------------------- the lock


def _describe_holder(info: dict) -> str:
    return (f"进程 {info.get('pid', '?')}，主机 {info.get('host', '?')}，开始于 {info.get('started_at', '?')}"
            + (f"，命令 {info['command']}" if info.get("command") else ""))


class BatchLock:
    """An exclusive lock on an output folder for the duration of one batch (a context manager).

    ``acquire`` raises `BatchLockedError` at once when another live batch holds the folder; a lock
    left by a dead process is taken over and ``note`` says so.
    """

    def __init__(self, out_dir: str | os.PathLike, command: str | None = None):
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / LOCK_NAME
        self.command = command
        self.note: str | None = None
        self.run_id = uuid.uuid4().hex
        self._fd: int | None = None

    def _read(self, fd: int) -> dict:
        try:
            data = os.pread(fd, 65536, 0)
            info = json.loads(data.decode("utf-8")) if data.strip() else {}
        except (OSError, ValueError):
            return {"pid": "?"}
        return info if isinstance(info, dict) else {"pid": "?"}

    def _locked_error(self, info: dict) -> BatchLockedError:
        return BatchLockedError(
            f"输出文件夹 {self.out_dir} 正被另一个批量运行使用 (another batch is writing to this folder)："
            f"{_describe_holder(info)}。请等它结束后再运行，或换一个输出文件夹；如确认该运行已不存在，"
            f"可删除锁文件 {self.path}。")

    def _held_elsewhere(self, fd: int) -> bool:
        """Whether a live process holds the lock (flock; where flock fails, the recorded pid)."""
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return False
            except BlockingIOError:
                return True
            except OSError:  # a file system without flock: judge by the recorded process
                pass
        info = self._read(fd)
        pid = info.get("pid")
        return (isinstance(pid, int) and pid != os.getpid() and info.get("host") == socket.gethostname()
                and pid_alive(pid))

    def acquire(self) -> "BatchLock":
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise _unwritable(self.out_dir, exc) from None
            if self._held_elsewhere(fd):
                info = self._read(fd)
                os.close(fd)
                raise self._locked_error(info)
            try:  # the file may have been removed and recreated by its previous holder meanwhile
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        previous = self._read(fd)
        if previous.get("pid") not in (None, "?"):
            self.note = (f"上次在此文件夹运行的批量（{_describe_holder(previous)}）没有正常结束，"
                         "已接管其锁 (stale lock taken over)。")
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "command": self.command,
                "run_id": self.run_id}
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, (json.dumps(info, ensure_ascii=False) + "\n").encode("utf-8"), 0)
            os.fsync(fd)
        except OSError as exc:
            os.close(fd)
            raise _unwritable(self.out_dir, exc) from None
        self._fd = fd
        return self

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if os.fstat(fd).st_ino == os.stat(self.path).st_ino:
                os.unlink(self.path)
        except OSError:
            pass
        os.close(fd)

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


def lock_state(out_dir: str | os.PathLike, run_id: str) -> str:
    """What a worker sees of the batch ``run_id`` in ``out_dir``: "held" (the batch runs), "released"
    (its lock file is there but no process holds it: the batch was killed), "other" (another run's
    lock: not the batch's folder, or a newer batch took it over) or "missing" (no lock file here)."""
    try:
        fd = os.open(Path(out_dir) / LOCK_NAME, os.O_RDONLY)
    except OSError:
        return "missing"
    try:
        try:
            info = json.loads(os.pread(fd, 65536, 0).decode("utf-8") or "{}")
        except (OSError, ValueError):
            info = {}
        if not isinstance(info, dict) or info.get("run_id") != run_id:
            return "other"
        if fcntl is None:
            return "held"
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return "held"
        except OSError:  # no flock on this file system: trust the file
            return "held"
        fcntl.flock(fd, fcntl.LOCK_UN)
        return "released"
    finally:
        os.close(fd)
