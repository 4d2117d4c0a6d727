"""Tests of the department stage on a city folder: the readers' frames → the library's rows (the adapter), the
sample city's department files with their planted problems, the report, ``perfeval dept`` and the batch kind."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfeval import dept
from perfeval.io.dept_reader import dept_forms_to_frames, read_dept_forms

ROOT = Path(__file__).resolve().parents[1]
FORMS = ROOT / "tests" / "data" / "forms"
SAMPLE = ROOT / "data" / "sample"


def _frames(name):
    return dept_forms_to_frames(read_dept_forms(FORMS / name))


# ------------------------------------------------------------------------------ the adapter

def test_adapter_maps_names_to_units_and_keeps_the_standard_text():
    rows, _, header = _frames("dept_consolidated.xlsx")
    units = pd.DataFrame({"unit_id": ["D1", "U1", "U2"],
                          "unit_name": ["示例县财政局", "示例县财政投资评审中心", "示例县国库集中支付中心"],
                          "department_id": ["D1", "D1", "D1"], "level": [1, 2, 2], "parent_id": [None, "D1", "D1"]})
    tidy = dept.rows_from_forms(rows, header, dept.check_units(units))
    assert set(tidy["unit_id"]) == {"D1", "U1", "U2"}  # 机关本级 is the department's own unit
    assert (tidy["department_id"] == "D1").all()
    assert tidy["project_id"].isna().all() and (tidy["form_id"] == "示例县财政局").all()
    assert (tidy["year"] == 2023).all()
    prepared = dept.prepare_rows(tidy, dept.check_units(units))
    assert len(prepared) == len(rows)


def test_adapter_renames_standard_and_coefficient():
    rows, _, header = _frames("dept_hunan_score.xlsx")
    tidy = dept.rows_from_forms(rows, header, year=2021)
    assert tidy["standard"].str.contains("在职人员控制率").any()
    assert (tidy["year"] == 2021).all()  # the form gives no year: the one passed
    rows, _, header = _frames("dept_chongqing.xlsx")
    tidy = dept.rows_from_forms(rows, header)
    assert tidy["coefficient"].notna().any()
    assert np.allclose(tidy["coefficient"].dropna(), rows["score_coefficient"].dropna())
    assert "criterion" not in tidy and "score_coefficient" not in tidy


def test_adapter_rows_roll_up():
    rows, _, header = _frames("dept_consolidated.xlsx")
    units = dept.check_units(pd.DataFrame({
        "unit_id": ["D1", "U1", "U2"], "unit_name": ["示例县财政局", "示例县财政投资评审中心", "示例县国库集中支付中心"],
        "department_id": ["D1"] * 3, "level": [1, 2, 2], "parent_id": [None, "D1", "D1"]}))
    basic = pd.DataFrame({"unit_id": ["D1", "U1", "U2"], "year": [2023] * 3,
                          "budget_initial": [300.0, 100.0, 100.0], "budget_full_year": [300.0, 100.0, 100.0],
                          "spent": [290.0, 95.0, 99.0]})
    result = dept.evaluate(units, dept.rows_from_forms(rows, header, units), basic, year=2023)
    assert list(result.rollup.departments["department_id"]) == ["D1"]
