"""The ex-ante tables of a data folder (``exante/``), read like every CSV perfeval reads.

    exante/candidates.csv   one row per candidate project: project_id, project_name, department, unit,
                            sector, year, requested (元), fiscal, other, period, background, content,
                            goal, funding
    exante/scores.csv       project_id, expert, indicator (leaf code), rating (优/良/中/差) or score
    exante/opinions.csv     project_id, expert, dimension, opinion — the experts' written opinions
    exante/cuts.csv         project_id, item, amount (元), reason — items the panel found uneconomic

``candidates.csv`` and ``scores.csv`` are required; the other two may be absent.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import InputError, Location

FOLDER = "exante"
FILES = {"candidates": "candidates.csv", "scores": "scores.csv", "opinions": "opinions.csv", "cuts": "cuts.csv"}
TEXT = ("project_id", "project_name", "department", "unit", "sector", "expert", "indicator", "rating", "dimension",
        "opinion", "item", "reason", "period", "background", "content", "goal", "funding", "kind")


@dataclass(frozen=True)
class ExanteData:
    """The input tables of an ex-ante assessment (opinions and cuts may be empty)."""

    candidates: pd.DataFrame
    scores: pd.DataFrame
    opinions: pd.DataFrame | None = None
    cuts: pd.DataFrame | None = None
    source: str = "frames"

    @property
    def scores_file(self) -> str:
        return str(Path(self.source) / FOLDER / FILES["scores"]) if self.source != "frames" else "expert_scores"


def _read(path: Path) -> pd.DataFrame:
    from ..datasets import read_table

    frame = read_table(path)
    for column in TEXT:
        if column in frame:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
            frame[column] = frame[column].map(lambda v: v if v is None else str(v).strip())
    return frame


def exists(data_dir) -> bool:
    """True when the folder holds an ex-ante assessment (``exante/candidates.csv`` and ``scores.csv``)."""
    base = Path(data_dir) / FOLDER
    return (base / FILES["candidates"]).is_file() and (base / FILES["scores"]).is_file()


def load(data_dir: str | os.PathLike) -> ExanteData:
    """The ex-ante tables of a data folder; a missing required file is an InputError naming it."""
    base = Path(data_dir)
    folder = base / FOLDER
    for key in ("candidates", "scores"):
        if not (folder / FILES[key]).is_file():
            raise InputError("找不到事前评估数据 (ex-ante data not found)", where=Location(file=str(folder / FILES[key])),
                             expected=f"数据目录中的 {FOLDER}/{FILES[key]}")
    tables = {key: _read(folder / name) if (folder / name).is_file() else None for key, name in FILES.items()}
    cand = tables["candidates"]
    if "project_id" not in cand:
        raise InputError("候选项目表缺少 project_id 列", where=Location(file=str(folder / FILES["candidates"]), row=1),
                         expected="project_id, project_name, requested …", found=", ".join(map(str, cand.columns)))
    dup = cand["project_id"].duplicated()
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise InputError("候选项目编码重复 (duplicate project_id)",
                         where=Location(file=str(folder / FILES["candidates"]), row=i + 2, column="project_id"),
                         found=cand["project_id"].iloc[i])
    return ExanteData(candidates=cand, scores=tables["scores"], opinions=tables["opinions"], cuts=tables["cuts"],
                      source=str(base))


def candidate(data: ExanteData, project_id) -> dict:
    """One candidate's row as a dict (blank cells as None); an unknown id lists the valid ones."""
    c = data.candidates
    hit = c[c["project_id"] == str(project_id)]
    if hit.empty:
        raise InputError("事前评估候选项目中没有这个项目 (unknown candidate)",
                         where=Location(file=str(Path(data.source) / FOLDER / FILES["candidates"]), column="project_id"),
                         expected="、".join(c["project_id"].astype(str)), found=str(project_id))
    row = hit.iloc[0].to_dict()
    return {k: (None if (v is None or (isinstance(v, float) and pd.isna(v))) else v) for k, v in row.items()}


__all__ = ["ExanteData", "FILES", "FOLDER", "candidate", "exists", "load"]
