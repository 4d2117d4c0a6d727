"""Safe file names and checksums for report outputs (atomic writes: `perfeval._files`).

- `safe_stem` turns a project id into a file-name stem that cannot leave the output folder
  (no ``/``, ``\\``, ``..``, NUL or control characters) yet keeps Chinese readable. An id that had
  to be changed gets a short hash of the original appended, so two different ids never map to
  the same file.
- every output is written with `perfeval._files.atomic_write`: an interrupted batch leaves either
  the old file, the new file, or a ``.part`` file that no one mistakes for a finished report.
"""
from __future__ import annotations

import hashlib
import os
import re
import unicodedata

# File names are limited to 255 bytes; a CJK character takes 3 in UTF-8, and the temporary
# ".<name>.<pid>.<hex>.part" name during an atomic write adds about 30.
MAX_STEM_BYTES = 150
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|\s]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def safe_stem(name: object) -> str:
    """A file-name stem made from ``name``: readable, inside the folder, never empty."""
    original = unicodedata.normalize("NFC", str(name))
    cleaned = "".join("_" if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") else ch
                      for ch in original)
    cleaned = _FORBIDDEN.sub("_", cleaned)
    cleaned = re.sub(r"\.{2,}", "_", cleaned).strip("._ ")
    cleaned = re.sub(r"_+", "_", cleaned)[:MAX_STEM_BYTES]
    while len(cleaned.encode("utf-8", "surrogatepass")) > MAX_STEM_BYTES:
        cleaned = cleaned[:-1]
    cleaned = cleaned.rstrip("._ ")
    if cleaned and cleaned == original and cleaned.upper() not in _RESERVED:
        return cleaned
    tag = hashlib.sha256(original.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{cleaned}-{tag}" if cleaned else f"id-{tag}"
