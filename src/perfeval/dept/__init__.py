"""Department-overall evaluation (部门整体支出绩效评价): every 二级预算单位's whole spending, rolled into its
一级预算单位, ranked and graded (issue 19; /work/shared/dept-overall.md).

Inputs (the data folder; see the ``dept`` stage in :mod:`perfeval.city.registry`):

* ``units.csv`` — :mod:`.units`: ``unit_id, unit_name, department_id, level, parent_id``;
* ``dept_basic.csv`` — :mod:`.basic`: one row per unit and year, money in 元 (:data:`.basic.BASIC_FIELDS`);
* ``dept_rows.csv`` — :mod:`.rows`: the tidy indicator rows the department-form readers produce, the
  project row table plus ``entity`` (project / unit / department) and ``unit_id`` / ``department_id``. Columns
  taken: required ``entity, unit_id, level1, level2, level3, points, score``; optional ``department_id,
  project_id, year, code, target, actual, target_value, actual_value, op, unit, measure, rule, rule_params,
  coefficient, standard, reason, counted, source_file, source_sheet, source_row``
  (:data:`.rows.ROW_REQUIRED`, :data:`.rows.ROW_OPTIONAL`).

Modules: :mod:`.formulas` (the 2013 indicators computed from the data sheet), :mod:`.rules` (named roll-up
rules), :mod:`.rollup` (units → department, both views), :mod:`.coverage` (the checks), :mod:`.ranking` (ranks,
grades, budget treatment), :mod:`.forms` (the readers' frames → these rows). :func:`evaluate` runs them on one year.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .basic import BASIC_FIELDS, check_basic, consolidate, read_basic, split_problems
from .coverage import Coverage
from .forms import rows_from_forms
from .formulas import FORMULAS, Formula, check_reported, derive
from .ranking import Ranking, consequences, rank_departments
from .rollup import Rollup, rollup
from .rows import ROW_OPTIONAL, ROW_REQUIRED, prepare_rows
from .rules import ROLLUP_RULES, RollupRule, get_rule
from .units import check_units, read_units


@dataclass(frozen=True)
class DeptEvaluation:
    """One year's department-overall evaluation: the roll-up (every intermediate table) and the ranking."""

    rollup: Rollup
    ranking: Ranking

    def conventions(self) -> dict:
        return {**self.rollup.conventions(), **self.ranking.conventions()}


def evaluate(units: pd.DataFrame, rows: pd.DataFrame, basic: pd.DataFrame, rule: "str | RollupRule | None" = None,
             *, year: int | None = None, by: str = "consolidated_total", **kwargs) -> DeptEvaluation:
    """Roll up (:func:`.rollup.rollup`, keyword arguments passed on) and rank (:func:`.ranking.rank_departments`).
    ``units`` and ``basic`` may be raw frames: they are checked here."""
    if "depth" not in units:
        units = check_units(units)
    basic = check_basic(basic, units)
    r = rollup(units, rows, basic, rule, year=year, **kwargs)
    return DeptEvaluation(r, rank_departments(r.departments, r.units, by=by))


__all__ = ["BASIC_FIELDS", "Coverage", "DeptEvaluation", "FORMULAS", "Formula", "ROLLUP_RULES", "ROW_OPTIONAL",
           "ROW_REQUIRED", "Ranking", "Rollup", "RollupRule", "check_basic", "check_reported", "check_units",
           "consequences", "consolidate", "derive", "evaluate", "get_rule", "prepare_rows", "rank_departments",
           "read_basic", "read_units", "rollup", "rows_from_forms", "split_problems"]
