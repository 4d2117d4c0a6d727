"""The unit hierarchy of a city's departments (``units.csv``): who is a 一级预算单位 (department) and which
二级预算单位 roll into it (dept-overall.md §1, §8.1).

Columns: ``unit_id, unit_name, department_id, level, parent_id`` — level 1 = the department itself
(一级预算单位 / 机关本级: ``unit_id == department_id``, no parent), level 2 = a 二级预算单位 whose
``parent_id`` is a unit of the same department. Checked: every unit listed once (so one parent), levels 1/2,
exactly one level-1 unit per department and it is the department, parents exist and sit in the same
department, and no cycles (every chain of parents ends at the department). Every problem is an InputError
naming the file, the CSV row and the column.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Location
from ._csv import read_text_csv, require_columns

UNIT_COLUMNS = ("unit_id", "unit_name", "department_id", "level", "parent_id")
FIRST_ROW = 2  # CSV line of the first data row


def _fail(message, file, i, column, expected=None, found=None):
    raise InputError(message, where=Location(file=file, row=int(i) + FIRST_ROW, column=column),
                     expected=expected, found=found)


def check_units(frame: pd.DataFrame, file: str = "units.csv") -> pd.DataFrame:
    """The validated hierarchy: text ids, ``level`` as int, ``parent_id`` NaN for departments, ``depth``
    (0 for a department, 1 for a unit under it, …). Raises InputError on the first problem found."""
    require_columns(frame, UNIT_COLUMNS, file)
    df = frame.reset_index(drop=True).copy()
    for col in ("unit_id", "department_id", "parent_id", "unit_name"):
        df[col] = df[col].where(df[col].isna(), df[col].astype(str).str.strip()).replace("", np.nan)
    for col in ("unit_id", "department_id"):
        blank = np.flatnonzero(df[col].isna().to_numpy())
        if len(blank):
            _fail(f"“{col}”不能为空 (must not be blank)", file, blank[0], col)
    dup = np.flatnonzero(df["unit_id"].duplicated().to_numpy())
    if len(dup):
        _fail("单位编码重复：每个单位只能列一次、只有一个上级 (unit listed twice)", file, dup[0], "unit_id",
              found=df["unit_id"].iloc[dup[0]])
    level = pd.to_numeric(df["level"], errors="coerce")
    bad = np.flatnonzero(~level.isin([1, 2]).to_numpy())
    if len(bad):
        _fail("级次须为 1（一级预算单位/部门）或 2（二级预算单位）(level must be 1 or 2)", file, bad[0], "level",
              expected="1 或 2", found=df["level"].iloc[bad[0]])
    df["level"] = level.astype(int)
    top = (df["level"] == 1).to_numpy()
    not_self = np.flatnonzero(top & (df["unit_id"] != df["department_id"]).to_numpy())
    if len(not_self):
        _fail("一级预算单位即部门本身：unit_id 应等于 department_id (a level-1 unit is the department)", file,
              not_self[0], "department_id", expected=df["unit_id"].iloc[not_self[0]],
              found=df["department_id"].iloc[not_self[0]])
    with_parent = np.flatnonzero(top & df["parent_id"].notna().to_numpy())
    if len(with_parent):
        _fail("一级预算单位不应有上级单位 (a department has no parent)", file, with_parent[0], "parent_id",
              expected="空", found=df["parent_id"].iloc[with_parent[0]])
    depts = set(df.loc[top, "department_id"])
    orphan = np.flatnonzero(~df["department_id"].isin(depts).to_numpy())
    if len(orphan):
        _fail("所属部门没有对应的一级预算单位行 (department has no level-1 row)", file, orphan[0], "department_id",
              found=df["department_id"].iloc[orphan[0]])
    no_parent = np.flatnonzero(~top & df["parent_id"].isna().to_numpy())
    if len(no_parent):
        _fail("二级预算单位须填写上级单位 (a level-2 unit needs a parent)", file, no_parent[0], "parent_id")
    index = pd.Index(df["unit_id"])
    pos = index.get_indexer(df["parent_id"].fillna("\0"))
    unknown = np.flatnonzero(~top & (pos < 0))
    if len(unknown):
        _fail("上级单位不在单位清单中 (parent not listed)", file, unknown[0], "parent_id",
              found=df["parent_id"].iloc[unknown[0]])
    dept = df["department_id"].to_numpy()
    other = np.flatnonzero(~top & (dept != dept[np.where(pos < 0, 0, pos)]))
    if len(other):
        _fail("上级单位属于另一个部门 (parent in another department)", file, other[0], "parent_id",
              expected=dept[other[0]], found=dept[pos[other[0]]])
    # chase parents all at once: after n steps every chain must have reached its department (a root)
    current = np.arange(len(df))
    depth = np.zeros(len(df), dtype=int)
    for _ in range(len(df)):  # at most n rounds over the whole frame, not one per unit
        moving = ~top[current]
        if not moving.any():
            break
        depth += moving
        current = np.where(moving, pos[current], current)
    cyclic = np.flatnonzero(~top[current])
    if len(cyclic):
        _fail("上级单位形成循环，追溯不到部门 (parents form a cycle)", file, cyclic[0], "parent_id",
              found=df["parent_id"].iloc[cyclic[0]])
    df["depth"] = depth
    return df.sort_values(["department_id", "depth", "unit_id"], kind="mergesort").reset_index(drop=True)


def read_units(path: str | Path) -> pd.DataFrame:
    """``units.csv`` read and checked (:func:`check_units`)."""
    return check_units(read_text_csv(path), file=Path(path).name)
