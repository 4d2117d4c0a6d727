"""Department results applied (issue 19 items 6–7): one treatment per department and unit in the decision
ledger's world, the 部门整体结果应用 sheet, the city-wide facts and the disclosure table."""
from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from perfeval import dept
from perfeval.budget.decisions import DEPT_SHEET, decisions_from_data
from perfeval.dept.decisions import dept_decisions_from_data

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
DEPT_FILES = ("units.csv", "dept_basic.csv", "dept_rows.csv")


@lru_cache(maxsize=None)
def _decisions():
    return decisions_from_data(SAMPLE)


def test_treatment_is_consequences_of_consolidated_grade():
    d = _decisions().dept
    deps = d.departments
    assert len(deps) == 40
    ranked = d.evaluation.ranking.departments
    expected = dept.consequences(ranked, grade_column="grade_consolidated", id_column="department_id")
    got = deps.set_index("department_id").loc[expected["department_id"]]
    assert got["treatment"].tolist() == expected["treatment"].tolist()
    assert got["grade"].tolist() == ranked["grade_consolidated"].tolist()
    assert got["score"].tolist() == pytest.approx(ranked["consolidated_total"].tolist())


def test_unit_without_grade_gets_no_treatment_and_says_why():
    t = _decisions().dept.table
    units = t[t["level"] == "unit"]
    none = units[units["grade"].isna()]
    assert len(none) >= 1  # the sample's planted unit without a self-evaluation
    assert none["treatment"].str.contains("不作结论").all()
    assert none["cut_share"].isna().all()
    assert none["reason"].str.contains("未提交").all()
    assert units["grade"].notna().sum() + len(none) == len(units)


def test_grades_differ_are_explained():
    deps = _decisions().dept.departments
    differ = _decisions().dept.evaluation.ranking.departments.set_index("department_id")["grades_differ"]
    flagged = deps["reason"].str.contains("两口径不同")
    assert flagged.to_numpy().tolist() == differ.loc[deps["department_id"]].fillna(False).to_numpy().tolist()
    assert flagged.any()


def test_workbook_sheet_numbers_as_numbers(tmp_path):
    path = _decisions().applied().to_xlsx(tmp_path / "结果应用.xlsx", date="2026年1月")
    wb = openpyxl.load_workbook(path)
    assert DEPT_SHEET in wb.sheetnames and wb.sheetnames[0] == "结果应用"
    ws = wb[DEPT_SHEET]
    assert ws.cell(1, 1).value.endswith(DEPT_SHEET)
    header = [c.value for c in ws[3]]
    score_col = header.index("得分（分）") + 1
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert len(rows) == len(_decisions().dept.table)
    assert isinstance(ws.cell(4, score_col).value, (int, float))
    assert isinstance(ws.cell(4, header.index("排名") + 1).value, int)


def test_ledger_workbook_has_dept_sheet(tmp_path):
    wb = openpyxl.load_workbook(_decisions().to_xlsx(tmp_path / "台账.xlsx"))
    assert DEPT_SHEET in wb.sheetnames


def _without_dept(tmp_path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data, ignore=shutil.ignore_patterns(*DEPT_FILES, "dept_forms"))
    return data


def test_absent_units_no_dept_decisions(tmp_path):
    assert dept_decisions_from_data(tmp_path) is None
    data = _without_dept(tmp_path)
    d = decisions_from_data(data)
    assert d.dept is None
    wb = openpyxl.load_workbook(d.applied().to_xlsx(tmp_path / "x.xlsx"))
    assert DEPT_SHEET not in wb.sheetnames


# ------------------------------------------------------------------------- city-wide facts

def test_city_section_agrees_with_the_dept_evaluation():
    from perfeval.outline import dept as D
    from perfeval.outline import dept_city as DC

    dd = _decisions().dept
    city = D.load_city(SAMPLE)  # the department reports' own evaluation
    assert DC.grade_counts(dd)["部门数（个）"].tolist() == D.grade_counts(city)["部门数"].tolist()
    f = DC.facts(dd)
    assert f["n_departments"] == 40 and sum(f["grades"].values()) == 40
    assert sum(f["treatments"].values()) == 40
    top, bottom = DC.top_bottom(dd)
    ranking = D.ranking_table(city)
    assert top.to_dict("list")["合并评价得分"] == ranking["合并评价得分"].head(3).tolist()
    assert bottom.to_dict("list")["部门"] == ranking["部门"].iloc[37:40].tolist()
    differ = DC.differ_table(dd)
    assert differ["部门"].tolist() == ranking.loc[ranking["两口径等级不同"] == "是", "部门"].tolist()
    assert len(differ) == f["n_differ"] >= 1
    text = "".join(DC.section_text(dd))
    assert f"{f['n_departments']} 个部门" in text and f"“优”{f['grades']['优']} 个" in text
    para = DC.annual_paragraph(dd)
    assert all(f"{k} {n} 个部门" in para for k, n in f["treatments"].items())


def test_city_section_absent_says_so_never_zeros():
    from perfeval.outline import dept_city as DC

    assert DC.facts(None) is None
    text = "".join(DC.section_text(None))
    assert "未开展部门整体支出绩效评价" in text and "0 个" not in text


def test_annual_report_states_the_dept_paragraph():
    from perfeval.outline.annual import build_annual_report

    r = build_annual_report(SAMPLE)
    f = r.facts["dept"]
    assert f["n_departments"] == 40
    text = "".join(r.evaluation_text())
    assert "40 个部门" in text and "部门合并评价等级为" in text


# ------------------------------------------------------------------------- disclosure

def test_disclosure_dept_table_on_the_sample():
    from perfeval.disclose import disclose

    t = disclose(SAMPLE).table("dept")
    assert len(t.public) == 40
    assert list(t.public.columns) == ["序号", "部门", "合并评价得分", "评价等级", "主要偏差原因"]
    deps = _decisions().dept.departments
    assert t.public["合并评价得分"].tolist() == pytest.approx(deps["score"].round(2).tolist())
    assert t.public["评价等级"].tolist() == deps["grade"].tolist()
    codes = set(_decisions().dept.units["unit_id"].astype(str))
    assert not any(c in " ".join(t.display.astype(str).to_numpy().ravel()) for c in codes if "-" in c)


def test_disclosure_without_units_has_no_dept_table(tmp_path):
    from perfeval.disclose import disclose

    d = disclose(_without_dept(tmp_path))
    assert [t.spec.key for t in d.tables] == ["targets", "self", "key"]
