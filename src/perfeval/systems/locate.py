"""Where indicator-system YAML files live, and how an id or a path is turned into a file."""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import InputError

ENV_VAR = "PERFEVAL_INDICATORS"
SUFFIXES = (".yaml", ".yml")


def systems_dir() -> Path:
    """The directory holding the shipped systems.

    `$PERFEVAL_INDICATORS` when set; else the checkout's top-level `indicators/` (this file sits
    at `<repo>/src/perfeval/systems/`); else the copy installed with the wheel at
    `perfeval/indicators` (pyproject force-includes it).
    """
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    package = Path(__file__).resolve().parent.parent
    if package.parent.name == "src":
        checkout = package.parent.parent / "indicators"
        if checkout.is_dir():
            return checkout
    return package / "indicators"


def available_ids(directory: Path | None = None) -> list[str]:
    directory = systems_dir() if directory is None else directory
    if not directory.is_dir():
        return []
    return sorted(p.stem for p in directory.iterdir() if p.suffix in SUFFIXES)


def find_system_file(system_id: str, near: Path | None = None) -> Path | None:
    """The file of a system id: next to `near` first (a user's own folder), then `systems_dir()`."""
    dirs = ([near] if near is not None else []) + [systems_dir()]
    for directory in dirs:
        for suffix in SUFFIXES:
            candidate = directory / f"{system_id}{suffix}"
            if candidate.is_file():
                return candidate
    return None


def locate(id_or_path) -> Path:
    """Turn a system id or a file path into an existing file; InputError naming what exists."""
    text = os.fspath(id_or_path)
    looks_like_path = (isinstance(id_or_path, os.PathLike) or text.endswith(SUFFIXES)
                       or os.sep in text or "/" in text)
    if looks_like_path:
        path = Path(text).expanduser()
        if not path.is_file():
            raise InputError("找不到指标体系文件 (indicator-system file not found)",
                             expected="存在的 .yaml 文件 (an existing .yaml file)", found=text)
        return path
    path = find_system_file(text)
    if path is None:
        raise InputError(f"没有编号为 {text} 的指标体系 (no such indicator system)",
                         expected="、".join(available_ids()) or f"{systems_dir()} 下的 .yaml 文件",
                         found=text)
    return path
