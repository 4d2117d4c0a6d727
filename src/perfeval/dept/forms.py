"""From the department-form readers' frames to the tidy rows this package takes (dept-overall.md §8.1, §8.2).

``perfeval.io.dept_reader.dept_forms_to_frames`` returns the project row table of each form plus its
``entity`` / ``entity_id`` (a code or a name as written on the form), the 评分标准 text (``criterion``), the
得分系数 (``score_coefficient``) and the form header (year, department). :func:`rows_from_forms` renames them to
the columns of :mod:`.rows` (``unit_id``, ``standard``, ``coefficient``, ``unit``, ``year`` …) and, given
``units.csv``, finds each form's unit by its id or its name; a form whose unit is not listed keeps what the form
wrote (``prepare_rows`` then names it). Frames in, frames out: no reader is imported here.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

RENAMES = {"criterion": "standard", "score_coefficient": "coefficient", "target_unit": "unit"}
KEPT = ("entity", "unit_id", "department_id", "project_id", "year", "level1", "level2", "level3", "points", "score",
        "target", "actual", "target_value", "unit", "coefficient", "standard", "reason", "counted", "source_file",
        "source_sheet", "source_row", "form_id")


def _unit_lookup(units: pd.DataFrame) -> pd.Series:
    """Name or id (stripped) → unit_id; ids win over names."""
    by_name = pd.Series(units["unit_id"].to_numpy(), index=units["unit_name"].astype(str).str.strip())
    by_id = pd.Series(units["unit_id"].to_numpy(), index=units["unit_id"].astype(str).str.strip())
    both = pd.concat([by_id, by_name[~by_name.index.isin(by_id.index)]])
    return both[~both.index.duplicated()]


def rows_from_forms(rows: pd.DataFrame, header: pd.DataFrame | None = None,
                    units: pd.DataFrame | None = None, year: int | None = None) -> pd.DataFrame:
    """The readers' ``rows`` (and optionally ``header``) as the tidy frame of :mod:`.rows`.

    ``entity_id`` → ``unit_id`` (through ``units`` by id or name when given), ``criterion`` → ``standard``,
    ``score_coefficient`` → ``coefficient``, ``target_unit`` → ``unit``; the form's key (the readers'
    ``project_id``) → ``form_id``, ``project_id`` left blank for unit and department rows; a 机关本级 row of a consolidated table is
    the department's own; ``year`` from the
    form header (else ``year``); ``department_id`` from ``units``.
    """
    r = rows.reset_index(drop=True).drop(columns=["unit"], errors="ignore").rename(columns=RENAMES).copy()
    r["form_id"] = r["project_id"]
    r["project_id"] = r["project_id"].where(r["entity"] == "project")
    written = r["entity_id"].astype(str).str.strip()
    if "department" in r:  # 机关本级 inside a consolidated table is the department itself
        own = written.str.fullmatch(r"(?:机关)?本级") & r["department"].notna()
        written = written.where(~own, r["department"].astype(str).str.strip())
    if units is not None:
        found = written.map(_unit_lookup(units))
        r["unit_id"] = found.where(found.notna(), written)
        r["department_id"] = r["unit_id"].map(units.set_index("unit_id")["department_id"])
    else:
        r["unit_id"] = written
        r["department_id"] = np.where(r["entity"] == "department", written, None)
    form_year = pd.Series(np.nan, index=r.index)
    if header is not None and len(header):
        form_year = r["form_id"].map(header.set_index("form_id")["year"])
    r["year"] = pd.to_numeric(form_year, errors="coerce")
    if year is not None:
        r["year"] = r["year"].fillna(float(year))
    for col in KEPT:
        if col not in r:
            r[col] = np.nan
    return r[list(KEPT)]


__all__ = ["rows_from_forms"]
