"""One atomic file writer for everything perfeval saves: reports, notebooks, workbooks, ledgers.

`atomic_write(path, data)` writes to a hidden temporary file in the target's folder
(``.<name>.<pid>.<random>.part``), flushes it to disk and renames it over the target, so a reader
sees the old file or the new one, never half of one. The temporary name carries the writer's
process id: a run that was killed leaves ``.part`` files that the next batch recognises as
leftovers of a dead process and removes (`report.lifeline.clean_leftovers`).

When the write fails (disk full, read-only folder) the error raised is the real one; removing the
temporary file afterwards is best effort and never replaces it.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from .errors import InputError, Location

PART_SUFFIX = ".part"


def _current_umask() -> int:
    """The process umask, read without changing it where the system allows (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0)  # elsewhere: read it by setting it, once, at import time
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def part_prefix(name: str, pid: int | None = None) -> str:
    """The start of the temporary name used while ``name`` is written by process ``pid``."""
    return f".{name}.{os.getpid() if pid is None else pid}."


def atomic_write(path: str | os.PathLike, data: bytes, *, make_parents: bool = False) -> str:
    """Write ``data`` to ``path`` atomically; returns the sha256 (hex) of the data.

    ``make_parents``: create missing folders; otherwise a missing folder is an `InputError`.
    """
    target = Path(path)
    if make_parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    elif not target.parent.is_dir():
        raise InputError("输出文件夹不存在 (output folder does not exist)", where=Location(file=str(target)),
                         expected="已存在的文件夹", found=str(target.parent))
    fd, tmp = tempfile.mkstemp(prefix=part_prefix(target.name), suffix=PART_SUFFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; give the usual file mode
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:  # e.g. a read-only file system: the original error is the one to show
            pass
        raise
    return hashlib.sha256(data).hexdigest()


def atomic_write_text(path: str | os.PathLike, text: str, *, make_parents: bool = False) -> str:
    """`atomic_write` for text, encoded as UTF-8."""
    return atomic_write(path, text.encode("utf-8"), make_parents=make_parents)
