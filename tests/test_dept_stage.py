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


# ------------------------------------------------------------------------------ the sample city's departments

def _sample():
    units = dept.read_units(SAMPLE / "units.csv")
    basic = dept.read_basic(SAMPLE / "dept_basic.csv", units)
    rows = pd.read_csv(SAMPLE / "dept_rows.csv", encoding="utf-8-sig", dtype={"unit_id": str, "department_id": str})
    return units, basic, rows


@pytest.fixture(scope="module")
def sample_eval():
    units, basic, rows = _sample()
    return dept.evaluate(units, rows, basic, year=2021)


def test_sample_has_40_departments_with_units_and_two_years():
    import json
    units, basic, rows = _sample()
    story = json.loads((SAMPLE / "dept_story.json").read_text(encoding="utf-8"))
    departments = pd.read_csv(SAMPLE / "departments.csv", encoding="utf-8-sig", dtype=str)
    assert set(units.loc[units["level"] == 1, "unit_id"]) == set(departments["department_code"])
    per = units.groupby("department_id").size() - 1
    assert per.between(0, 4).all() and story["n_units"] == len(units)
    assert sorted(basic["year"].unique()) == [2020, 2021]
    assert basic.groupby("year").size().eq(len(units)).all()
    assert dept.split_problems(basic).empty
    assert set(rows["department_id"]) == set(units["department_id"])


def test_sample_project_spending_covers_the_departments_projects():
    units, basic, _ = _sample()
    projects = pd.read_csv(SAMPLE / "projects.csv", encoding="utf-8-sig", dtype=str)
    b = basic[basic["year"] == 2021].merge(units[["unit_id", "department_id"]], on="unit_id")
    per_dept = b.groupby("department_id")[["budget_project", "spent_project"]].sum()
    deps = pd.read_csv(SAMPLE / "departments.csv", encoding="utf-8-sig", dtype={"department_code": str})
    deps = deps.set_index("department_code")
    assert (per_dept["budget_project"] >= deps["budget_full_year"].reindex(per_dept.index)).all()
    assert (per_dept["spent_project"] >= deps["spent"].reindex(per_dept.index)).all()
    assert len(projects) == 187


def test_sample_planted_problems_are_found(sample_eval):
    import json
    story = json.loads((SAMPLE / "dept_story.json").read_text(encoding="utf-8"))
    cov = sample_eval.rollup.coverage
    assert list(cov.missing_forms["unit_id"]) == [story["missing_form_unit"]]
    assert list(cov.differs["unit_id"]) == [story["typed_differs_unit"]]
    assert cov.differs["derived_actual"].iloc[0] > 100 > cov.differs["reported_actual"].iloc[0]
    deps = sample_eval.rollup.departments.set_index("department_id")
    gd = story["grades_differ_department"]
    assert deps.at[gd, "grades_differ"] and deps.at[gd, "grade_consolidated"] == "良"
    assert deps.at[gd, "grade_mean_of_units"] == "优"
    derived = sample_eval.rollup.derived.set_index(["department_id", "formula"])["value"]
    assert derived[(story["sangong_up_department"], "sangong_change")] > 30
    adj = sample_eval.rollup.rows
    adj = adj[(adj["unit_id"] == story["adjustment_department"]) & (adj["formula"] == "budget_adjustment")]
    assert (adj["a"] > 30).all() and len(adj) == 1


def test_sample_departments_are_reproducible():
    from perfeval.sample import departments
    from perfeval.sample.files import write_csv  # noqa: F401 (the writer the files came from)
    projects = pd.read_csv(SAMPLE / "projects.csv", encoding="utf-8-sig")
    # the generator's frame carries department_code; rebuild it from departments.csv
    codes = pd.read_csv(SAMPLE / "departments.csv", encoding="utf-8-sig", dtype={"department_code": str})
    projects["department_code"] = projects["department"].map(codes.set_index("department")["department_code"])
    a, b = departments.build(2021, projects), departments.build(2021, projects)
    pd.testing.assert_frame_equal(a["rows"], b["rows"])
    units = pd.read_csv(SAMPLE / "units.csv", encoding="utf-8-sig", dtype=str)
    assert list(a["units"]["unit_id"]) == list(units["unit_id"])
