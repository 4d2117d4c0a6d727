"""Loading shipped or user-written indicator systems by id or path, and listing what is available."""
from __future__ import annotations

import pandas as pd

from ..errors import ValidationError
from .locate import SUFFIXES, locate, systems_dir
from .model import IndicatorSystem
from .validate import check_file


def load_system(id_or_path) -> IndicatorSystem:
    """Load a system by id (from `systems_dir()`) or from a YAML path, resolving `extends`.

    Raises InputError when no such system exists and ValidationError listing every problem
    (YAML syntax, fields, rules, sums, inheritance) when the file is invalid.
    """
    path = locate(id_or_path)
    problems, resolved = check_file(path)
    if problems or resolved is None:
        raise ValidationError(f"指标体系文件 {path} 校验未通过 (invalid indicator system)", problems)
    return IndicatorSystem.from_resolved(resolved, str(path))


def list_systems() -> pd.DataFrame:
    """One row per YAML file in `systems_dir()`: id, title, kind, sector, basis, version, total,
    n_leaves, and `problems` (0 for a valid system; invalid files are listed, not raised)."""
    columns = ["id", "title", "kind", "sector", "basis", "version", "total", "n_leaves", "problems"]
    rows = []
    directory = systems_dir()
    paths = sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES) if directory.is_dir() else []
    for path in paths:
        problems, resolved = check_file(path)
        if problems or resolved is None:
            rows.append({"id": path.stem, "problems": max(len(problems), 1)})
            continue
        system = IndicatorSystem.from_resolved(resolved, str(path))
        rows.append({
            "id": system.id, "title": system.title, "kind": system.kind, "sector": system.sector,
            "basis": system.basis, "version": system.version, "total": system.total,
            "n_leaves": sum(1 for node, _, _ in system.walk() if node.is_leaf), "problems": 0,
        })
    # text columns stay `object` so that a missing sector is None, as in IndicatorSystem
    frame = pd.DataFrame({c: pd.Series([r.get(c) for r in rows], dtype=object) for c in columns})
    return frame.astype({"total": float, "n_leaves": "Int64", "problems": int})
