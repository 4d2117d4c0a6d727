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
