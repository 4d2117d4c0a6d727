"""The indicator rows of department-overall forms: the project row table with an entity kind (dept-overall.md §8.1).

The tidy frame the readers (``perfeval.io``) produce and this package takes — one row per indicator row of a form:

* required: ``entity`` (``project`` | ``unit`` | ``department``), ``unit_id`` (the unit whose form it is; for a
  department's consolidated form the department's own id), ``level1``, ``level2``, ``level3``, ``points``, ``score``;
* optional: ``department_id`` (else from ``units.csv``), ``project_id`` (project rows), ``year``, ``code``,
  ``target``, ``actual`` (as printed), ``target_value`` / ``actual_value`` (numbers, else the first number written),
  ``op`` (``>=`` / ``<=`` / ``=``, else read from the target), ``unit`` (计量单位), ``measure`` (``amount`` | ``rate`` |
  ``qualitative``, else inferred), ``rule`` (a kind of :data:`perfeval.rules.RULE_KINDS`), ``rule_params`` (dict or
  JSON), ``coefficient`` (得分系数 %), ``standard`` (评分标准 text, verbatim), ``reason``, ``counted``,
  ``source_file``, ``source_sheet``, ``source_row``.

:func:`prepare_rows` checks the columns and returns numbers, the indicator key and the measure.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._frames import numeric_column
from ..errors import InputError, Location
from .formulas import NAME_TO_KEY, normalise_name

ENTITIES = ("project", "unit", "department")
ROW_REQUIRED = ("entity", "unit_id", "level1", "level2", "level3", "points", "score")
ROW_OPTIONAL = ("department_id", "project_id", "year", "code", "target", "actual", "target_value", "actual_value",
                "op", "unit", "measure", "rule", "rule_params", "coefficient", "standard", "reason", "counted",
                "source_file", "source_sheet", "source_row")
MEASURES = {"amount": "绝对值（累加）", "rate": "相对值（加权平均）", "qualitative": "定性（得分率加权平均）"}
_OP = r"^\s*(≥|>=|≧|大于等于|不低于|≤|<=|≦|小于等于|不高于|不超过|=|＝)"
_OPS = {"≥": ">=", ">=": ">=", "≧": ">=", "大于等于": ">=", "不低于": ">=", "≤": "<=", "<=": "<=", "≦": "<=",
        "小于等于": "<=", "不高于": "<=", "不超过": "<=", "=": "=", "＝": "="}


def _per_distinct(values: pd.Series, fn) -> np.ndarray:
    """``fn`` over each distinct text once (forms repeat their targets), spread back to every row; NaN stays NaN."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    done = np.asarray(fn(pd.Series(uniques, dtype=object).astype(str)), dtype=object)
    return np.where(codes >= 0, done[np.maximum(codes, 0)] if len(done) else None, None)


def _first_number(values) -> pd.Series:
    """The first number written in each cell ("≥95%" → 95), NaN where none."""
    found = _per_distinct(values, lambda u: u.str.extract(r"(-?\d+(?:\.\d+)?)", expand=False))
    return pd.to_numeric(pd.Series(found, index=getattr(values, "index", None), dtype=object), errors="coerce")


def prepare_rows(rows: pd.DataFrame, units: pd.DataFrame | None = None, file: str = "rows") -> pd.DataFrame:
    """The rows with ``points``/``score`` as floats, ``department_id``, ``indicator`` (code, else
    一级|二级|三级), ``formula`` (the data-sheet formula the name matches, else NaN), ``t``/``a`` (numbers),
    ``op`` and ``measure``. Raises InputError naming the row and column."""
    missing = [c for c in ROW_REQUIRED if c not in rows.columns]
    if missing:
        raise InputError(f"指标行缺少列 {'、'.join(missing)} (missing column)", where=Location(file=file, column=missing[0]),
                         expected="、".join(ROW_REQUIRED), found="、".join(map(str, rows.columns)))
    r = rows.reset_index(drop=True).copy()
    for col in ROW_OPTIONAL:
        if col not in r:
            r[col] = np.nan
    bad = np.flatnonzero(~r["entity"].isin(ENTITIES).to_numpy())
    if len(bad):
        raise InputError("entity 须为 project / unit / department",
                         where=Location(file=file, row=int(bad[0]) + 2, column="entity"),
                         found=r["entity"].iloc[bad[0]])
    r["unit_id"] = r["unit_id"].astype(str).str.strip()
    r["points"] = numeric_column(r, "points", file=file, first_row=2)
    r["score"] = numeric_column(r, "score", file=file, first_row=2)
    if units is not None:
        dept = r["unit_id"].map(units.set_index("unit_id")["department_id"])
        unknown = np.flatnonzero(dept.isna().to_numpy())
        if len(unknown):
            raise InputError("单位不在 units.csv 中 (unit not listed)", where=Location(file=file, row=int(unknown[0]) + 2,
                             column="unit_id"), found=r["unit_id"].iloc[unknown[0]])
        r["department_id"] = r["department_id"].where(r["department_id"].notna(), dept)
    code = r["code"].astype(object).where(r["code"].notna())
    names = r["level1"].astype(str) + "|" + r["level2"].astype(str) + "|" + r["level3"].astype(str)
    r["indicator"] = code.fillna(names)
    r["formula"] = normalise_name(r["level3"]).map(NAME_TO_KEY).to_numpy()
    r["t"] = pd.to_numeric(r["target_value"], errors="coerce").fillna(_first_number(r["target"]))
    r["a"] = pd.to_numeric(r["actual_value"], errors="coerce").fillna(_first_number(r["actual"]))
    op = pd.Series(_per_distinct(r["target"], lambda u: u.str.extract(_OP, expand=False).map(_OPS)), index=r.index)
    r["op"] = r["op"].where(r["op"].notna(), op)
    in_target = _per_distinct(r["target"], lambda u: u.str.contains("%", regex=False)) == True  # noqa: E712
    percent = (r["unit"].astype(str).str.strip() == "%") | in_target | r["formula"].notna()
    inferred = np.where(r["formula"].notna(), "rate",
                        np.where(r["a"].isna() | r["t"].isna(), "qualitative", np.where(percent, "rate", "amount")))
    r["measure"] = r["measure"].where(r["measure"].isin(list(MEASURES)), inferred)
    return r
