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


# ------------------------------------------------------------------------------ the report content

@pytest.fixture(scope="module")
def city():
    from perfeval.outline import dept as D
    return D.load_city(SAMPLE)


def test_report_findings_only_for_indicators_that_lost_points(city):
    from perfeval.outline import dept as D
    report = D.DeptReport(city, "102")
    deducted = report.deducted()
    g = report.groups()
    full = set(g.loc[(g["points"] - g["score"]).abs() < 0.005, "level3"])
    assert len(deducted) and not (set(deducted["三级指标"]) & full)
    problems = " ".join(report.problems())
    assert all(f"“{name}”" not in problems for name in full)
    assert "合并评价 88.94 分（良）与所属单位加权平均 90.90 分（优）等级不同" in problems
    assert deducted["评分标准"].str.contains("违规使用资金").any()  # the 评分标准 quoted


def test_report_names_the_missing_form_and_the_typed_difference(city):
    from perfeval.outline import dept as D
    units = D.DeptReport(city, "101").units_table()
    assert (units["自评表"] == "未提交（有资金）").sum() == 1
    assert any("未提交单位整体支出自评表" in p for p in D.DeptReport(city, "101").problems())
    assert any("表内填报 98.00%" in p for p in D.DeptReport(city, "104").problems())
    assert any("三公经费预算较上年增长" in p for p in D.DeptReport(city, "110").problems())


def test_absent_sheet_fields_are_said_to_be_not_given(tmp_path):
    from perfeval.outline import dept as D
    basic = pd.read_csv(SAMPLE / "dept_basic.csv", encoding="utf-8-sig", dtype=str)
    basic[["sangong_budget", "sangong_budget_last", "sangong_spent", "sangong_spent_last", "income_fund"]] = ""
    for name in ("units.csv", "dept_rows.csv"):
        (tmp_path / name).write_bytes((SAMPLE / name).read_bytes())
    basic.to_csv(tmp_path / "dept_basic.csv", index=False, encoding="utf-8-sig")
    report = D.build_dept_report(tmp_path, "102")
    table, text = report.sangong()
    assert (table.iloc[:, 1] == "未提供").all() and "未提供" in text[0] and "0.00" not in table.to_string()
    assert report.source_table().set_index("资金来源").at["政府性基金", "金额（万元）"] == "未提供"
    assert not any("三公" in p for p in report.problems())


def test_unknown_department_is_an_input_error():
    from perfeval.errors import InputError
    from perfeval.outline import dept as D
    with pytest.raises(InputError, match="部门不在 units.csv 中"):
        D.build_dept_report(SAMPLE, "999")


# ------------------------------------------------------------------------------ batch kind and command

def test_batch_kind_all_includes_departments_only_where_units_csv_is():
    from perfeval.cli.batch import build_tasks
    tasks = build_tasks(SAMPLE, kind="dept")
    kinds = [t.kind for t in tasks]
    assert kinds.count("dept") == 40 and kinds.count("dept-summary") == 1
    assert {t.file_stem for t in tasks if t.kind == "dept"} >= {"dept-101", "dept-140"}
    assert not [t for t in build_tasks(SAMPLE, kind="all", projects=["SZ2021-001"]) if t.kind == "dept"]
    chosen = build_tasks(SAMPLE, kind="all", projects=["SZ2021-001"], departments=["102"])
    assert [t.task_id for t in chosen if t.kind.startswith("dept")] == ["dept:102", "dept-summary"]


def test_batch_without_units_makes_no_department_reports(tmp_path):
    from perfeval.cli.batch import build_tasks
    (tmp_path / "projects.csv").write_bytes((SAMPLE / "projects.csv").read_bytes())
    assert not [t for t in build_tasks(tmp_path, kind="all") if t.kind.startswith("dept")]


def test_perfeval_dept_writes_reports_that_pass_lint(tmp_path, capsys):
    """Three departments through the batch (the notebook executed): ranking printed, reports linted."""
    import json
    from perfeval.cli import main
    from perfeval.report.lint import lint_folder
    code = main(["dept", "--data", str(SAMPLE), "--out", str(tmp_path), "--departments", "101,102,110"])
    printed = capsys.readouterr().out
    assert code == 0 and "示例市水务局" in printed and "88.94" in printed
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    by = {p["task_id"]: p for p in manifest["projects"]}
    assert set(by) == {"dept:101", "dept:102", "dept:110", "dept-summary"}
    assert by["dept:102"]["result"]["grade"] == "良"
    assert by["dept:102"]["result"]["total"] == pytest.approx(88.94, abs=0.01)
    html = (tmp_path / by["dept:102"]["outputs"]["html"]["path"]).read_text(encoding="utf-8")
    for heading in ("一、部门（单位）基本情况", "二、部门整体支出情况", "三、自评得分与等级", "四、扣分指标分析",
                    "五、所属单位评价情况", "六、存在的问题", "七、改进措施及结果应用建议"):
        assert heading in html
    result = lint_folder(tmp_path)
    assert result.ok, result.summary()


def test_unknown_department_on_the_command_line(tmp_path):
    from perfeval.cli import main
    assert main(["dept", "--data", str(SAMPLE), "--out", str(tmp_path), "--departments", "999"]) != 0


def test_sample_dept_forms_read_back_to_the_rows_in_three_layouts():
    """data/sample/dept_forms: each department's workbook, read by the department-form reader and turned into rows
    by the adapter, gives the units, indicators, points and scores of dept_rows.csv."""
    units, _, rows = _sample()
    layouts = set()
    frames = []
    for path in sorted((SAMPLE / "dept_forms").glob("*.xlsx")):
        r, _, header = dept_forms_to_frames(read_dept_forms(path))
        layouts |= set(header["layout"])
        frames.append(dept.rows_from_forms(r, header, units, year=2021))
    tidy = pd.concat(frames, ignore_index=True)
    assert len(frames) == 40 and len(layouts) >= 3
    assert (tidy["entity"] == "unit").all()
    key = ["unit_id", "level3", "points", "score"]
    left = tidy[key].astype({"points": float, "score": float}).sort_values(key).reset_index(drop=True)
    right = rows[key].astype({"points": float, "score": float}).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right, check_dtype=False)
    with_standard = tidy[tidy["standard"].notna()]
    assert with_standard["standard"].isin(set(rows["standard"].dropna())).all() and len(with_standard)


def test_a_department_without_any_form_gets_no_score_and_says_so(tmp_path):
    from perfeval.outline import dept as D
    rows = pd.read_csv(SAMPLE / "dept_rows.csv", encoding="utf-8-sig", dtype=str)
    rows[rows["department_id"] != "105"].to_csv(tmp_path / "dept_rows.csv", index=False, encoding="utf-8-sig")
    for name in ("units.csv", "dept_basic.csv"):
        (tmp_path / name).write_bytes((SAMPLE / name).read_bytes())
    report = D.build_dept_report(tmp_path, "105")
    assert "无法计算" in report.summary_text()[0] and len(report.summary_text()) == 1
    assert report.deducted().empty and report.block_table().empty
    assert (report.units_table()["自评表"] == "未提交（有资金）").all()
    assert all("未提交单位整体支出自评表" in p for p in report.problems())


def test_city_text_does_not_report_unchecked_coverage_as_zero(city):
    from perfeval.outline import dept as D
    text = "".join(D.city_text(city))
    assert "有资金未提交自评表的单位 1 个" in text and "表内填报值与基础数据表计算值不符 1 个" in text
    assert "未纳入的项目 0" not in text and "合计不符 0" not in text and "未核对" in text


def test_perfeval_dept_names_the_missing_files(tmp_path, capsys):
    from perfeval.cli import main
    data = tmp_path / "data"
    data.mkdir()
    (data / "projects.csv").write_bytes((SAMPLE / "projects.csv").read_bytes())
    (data / "units.csv").write_bytes((SAMPLE / "units.csv").read_bytes())
    assert main(["dept", "--data", str(data), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "dept_basic.csv、dept_rows.csv" in err and "Traceback" not in err


def test_application_follows_the_grade_and_names_units_without_a_form(city):
    from perfeval.outline import dept as D
    assert "据实合理保障" in D.DeptReport(city, "102").application_text()[0]  # 良
    text = "".join(D.DeptReport(city, "101").application_text())
    assert "优先保障" in text and "未提交自评表，没有等级" in text
