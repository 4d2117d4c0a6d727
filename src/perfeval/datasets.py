"""A city's data directory (the layout of ``data/sample``) read into the frames perfeval scores.

    projects.csv                      one row per project (编码, 名称, 部门, 领域, 是否重点评价, 金额)
    forms/<project_id>.xlsx           the official self-evaluation forms
    self_evaluation/rows.csv, budget.csv   the same forms as tidy frames
    key_evaluation/…                  third-party key evaluation (see perfeval.keyeval)
    payments.csv                      monthly payments (see perfeval.monitor)

Text columns are read as text (a target "100" stays "100"), money as numbers, CSVs as UTF-8 with
or without BOM. A missing file or column is an InputError naming it.
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .errors import InputError, Location

TEXT_COLUMNS = ("project_id", "project_name", "department", "unit", "sector", "level1", "level2", "level3",
                "target", "actual", "reason", "target_nature", "target_value", "target_unit", "source_file",
                "source_sheet", "money_unit", "published_grade")


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """A CSV with text columns kept as text and empty cells as missing."""
    path = Path(path)
    if not path.exists():
        raise InputError("找不到数据文件 (file not found)", where=Location(file=str(path)))
    head = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
    dtype = {c: "object" for c in head if c in TEXT_COLUMNS}
    return pd.read_csv(path, dtype=dtype, encoding="utf-8-sig", keep_default_na=True)


def projects(data_dir) -> pd.DataFrame:
    """``projects.csv`` with ``key_evaluation`` as booleans."""
    frame = read_table(Path(data_dir) / "projects.csv")
    if "key_evaluation" in frame:
        frame["key_evaluation"] = frame["key_evaluation"].astype(str).str.strip().str.lower().isin(
            ["true", "1", "是", "yes"])
    return frame


def project(data_dir, project_id) -> dict:
    """One row of ``projects.csv`` as a dict; an unknown id is an InputError."""
    frame = projects(data_dir)
    hit = frame[frame["project_id"] == str(project_id)]
    if hit.empty:
        raise InputError("projects.csv 中没有这个项目 (unknown project)", where=Location(
            file=str(Path(data_dir) / "projects.csv"), column="project_id"), expected="已登记的项目编码",
            found=str(project_id))
    return hit.iloc[0].to_dict()


def self_evaluation(data_dir, project_ids=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows, budget) of the self-evaluations: from the tidy CSVs when present, else from the forms."""
    base = Path(data_dir)
    tidy = base / "self_evaluation"
    if (tidy / "rows.csv").exists() and (tidy / "budget.csv").exists():
        rows, budget = read_table(tidy / "rows.csv"), read_table(tidy / "budget.csv")
        if "counted" in rows:  # blank means counted, as in score()
            rows["counted"] = ~rows["counted"].astype(str).str.strip().str.lower().isin(["false", "0", "否"])
    else:
        from .io import forms_to_frames, read_self_evaluation

        paths = sorted((base / "forms").glob("*.xlsx"))
        if project_ids is not None:
            paths = [p for p in paths if p.stem in set(map(str, project_ids))]
        rows, budget = forms_to_frames([f for p in paths for f in read_self_evaluation(p)])
    if project_ids is not None:
        wanted = set(map(str, project_ids))
        rows, budget = rows[rows.project_id.isin(wanted)], budget[budget.project_id.isin(wanted)]
    return rows.reset_index(drop=True), budget.reset_index(drop=True)


def attach_projects(totals: pd.DataFrame, data_dir) -> pd.DataFrame:
    """Totals with department, sector and key-evaluation flag from ``projects.csv``."""
    meta = projects(data_dir)
    keep = [c for c in ("project_id", "department", "sector", "key_evaluation") if c in meta]
    base = totals.drop(columns=[c for c in keep[1:] if c in totals])
    return base.merge(meta[keep], on="project_id", how="left")
