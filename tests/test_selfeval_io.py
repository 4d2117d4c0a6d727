"""Tests of the self-evaluation form reader/writer (perfeval.io) on the fixtures of tests/data/forms.

The form layout is the MOF one (财政部《项目支出绩效评价管理办法》财预〔2020〕10号 附件2
项目支出绩效自评表); fixture contents are listed in tests/data/forms/README.md. Three tests
rebuild layouts transcribed from tables published by local governments (cited in each test).
"""
from __future__ import annotations

import datetime as dt
import math
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from perfeval.errors import InputError
from perfeval.io import (SelfEvaluationForm, forms_to_frames, read_self_evaluation, write_self_evaluation,
                         write_template)
from perfeval.io._grid import _render_date, _render_number
from perfeval.io._xlsx import display_width

FORMS = Path(__file__).parent / "data" / "forms"
CONTENT = ["level1", "level2", "level3", "target", "actual", "points", "score", "reason", "counted",
           "target_nature", "target_value", "target_unit"]
_CACHE: dict = {}


def forms_of(name: str) -> list[SelfEvaluationForm]:
    if name not in _CACHE:
        _CACHE[name] = read_self_evaluation(FORMS / name)
    return _CACHE[name]


def form_of(name: str, sheet: str | None = None) -> SelfEvaluationForm:
    forms = forms_of(name)
    return forms[0] if sheet is None else next(f for f in forms if f.source_sheet == sheet)


def budget_of(form: SelfEvaluationForm) -> pd.Series:
    return forms_to_frames([form])[1].iloc[0]


def has_note(form: SelfEvaluationForm, *words: str) -> bool:
    return any(all(w in n for w in words) for n in form.notes)


# -- every fixture: header, money in 元, rows, totals --------------------------------------------
EXPECTED = [
    # file, sheet, project_id, name, year, unit, budget_full_year 元, spent 元, exec_points, published exec score,
    # rows kept, rows counted, Σ counted points, Σ counted scores, total, grade
    ("mof_clean.xlsx", None, "SL2021-001", "示例市城区道路养护项目", 2021, "万元", 5_200_000, 5_083_000, 10, 9.78,
     10, 10, 90, 89.5, 99.28, "优"),
    ("yunnan_split.xlsx", None, "yunnan_split:项目支出绩效自评表", "示例市困难学生资助项目", 2022, "万元", 800_000,
     800_000, 10, 10, 9, 9, 90, 90, 100, "优"),
    ("provincial_exec20.xlsx", None, "provincial_exec20:Sheet1", "示例县基层农技推广体系改革与建设补助项目", 2021,
     "万元", 2_000_000, 1_971_200, 20, 19.71, 8, 8, 80, 80, 99.71, "优秀"),
    ("yuan_thousands.xlsx", None, "yuan_thousands:绩效自评", "示例县农村饮水安全巩固提升工程", 2021, "元",
     1_215_457.6, 1_150_000, 10, 9.46, 7, 7, 90, 67.21, 76.67, "合格"),
    ("zero_total_row.xlsx", None, "zero_total_row:自评表", "示例市社区养老服务补助项目", 2021, "万元", 3_000_000,
     2_850_000, 10, 9.5, 6, 6, 90, 90, 99.5, "优"),
    ("multi_sheet.xlsx", "城区绿化", "multi_sheet:城区绿化", "示例市城区绿化提升项目", 2021, "万元", 2_600_000,
     2_548_000, 10, 9.8, 9, 6, 90, 90, 98.8, "优"),
    ("multi_sheet.xlsx", "乡村道路", "multi_sheet:乡村道路", "示例县乡村道路硬化项目", 2021, "万元", 4_500_000,
     4_365_000, 10, 9.7, 6, 6, 0, 90, 99.7, "优"),
    ("multi_sheet.xlsx", "农业技术培训", "multi_sheet:农业技术培训", "示例市新型农民技术培训项目", 2021, "万元",
     1_500_000, 1_500_000, 10, 10, 9, 7, 90, 90, 100, "良"),
    ("hazards.xlsx", None, "hazards:自评表", "示例市公共文化服务提升项目", 2021, "万元", 1_600_000, 1_520_000, 10,
     9.5, 11, 10, 90, 87.41, 96.91, "优"),
    ("csv_form.csv", None, "csv_form", "示例市农贸市场升级改造项目", 2021, "万元", 10_000_000, 6_500_000, 10, 6.5,
     7, 7, 90, 90, 96.5, "优"),
    ("review_findings.xlsx", None, "review_findings:自评表", "示例市老旧小区改造项目", 2021, "万元", 8_000_000,
     8_000_000, 10, 10, 9, 9, 100, 90, 100, "优"),
]
IDS = [f"{e[0]}:{e[1]}" if e[1] else e[0] for e in EXPECTED]


@pytest.mark.parametrize("case", EXPECTED, ids=IDS)
def test_fixture_header_money_rows_totals(case):
    (name, sheet, pid, project, year, unit, full_year, spent, exec_points, exec_score, n_rows, n_counted,
     points, scores, total, grade) = case
    form = form_of(name, sheet)
    assert (form.project_id, form.project_name, form.year, form.money_unit) == (pid, project, year, unit)
    assert form.department and form.department.startswith("示例") and form.unit.startswith("示例")
    budget = budget_of(form)
    assert budget["budget_full_year"] == pytest.approx(full_year, abs=1e-6)
    assert budget["spent"] == pytest.approx(spent, abs=1e-6)
    assert budget["exec_points"] == exec_points and budget["published_exec_score"] == pytest.approx(exec_score)
    rows = form.rows
    assert list(rows.columns) == ["level1", "level2", "level3", "target", "actual", "points", "score", "reason",
                                  "counted", "target_nature", "target_value", "target_unit", "source_row"]
    assert (len(rows), int(rows["counted"].sum())) == (n_rows, n_counted)
    counted = rows[rows["counted"]]
    assert counted["points"].sum() == pytest.approx(points)
    assert counted["score"].sum() == pytest.approx(scores)
    assert (form.published_total, form.published_grade) == (pytest.approx(total), grade)
    assert rows["level1"].notna().all() and rows["level2"].notna().all()
    assert form.goal_expected and form.source_file == name


def test_mof_clean_header_goals_and_percent_cells():
    form = form_of("mof_clean.xlsx")
    assert (form.department, form.unit, form.manager) == ("示例市住房和城乡建设局", "示例市市政设施养护中心", "李某")
    assert form.goal_expected.startswith("完成城区主次干道日常养护120公里")
    assert form.goal_actual.endswith("群众出行满意度93%。")
    assert list(form.money.index) == ["年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金"]
    total = form.money.loc["年度资金总额"]
    assert (total["budget_initial"], total["points"], total["rate"], total["score"]) == (500, 10, 0.9775, 9.78)
    assert form.money.loc["上年结转资金", "budget_full_year"] == 20
    row = form.rows.set_index("level3").loc["养护工程验收合格率"]
    assert (row["target"], row["actual"]) == ("100%", "100%")  # 1 with number format 0%
    assert has_note(form, "百分比格式", "100%")
    assert list(form.rows["source_row"]) == list(range(14, 24))
    assert form.rows.loc[1, "reason"].startswith("部分井盖病害")


def test_yunnan_split_targets_are_composed_and_raw_parts_kept():
    rows = form_of("yunnan_split.xlsx").rows.set_index("level3")
    assert list(rows["target"]) == ["≥735人次", "≧36个", "=100%", "≥95%", "≤1000元/人", "=0人", "有效保障", "≥90%",
                                    "≥90%"]
    assert tuple(rows.loc["资助资金发放及时率", ["target_nature", "target_value", "target_unit"]]) == ("≥", "95", "百分比")
    assert tuple(rows.loc["家庭经济困难学生就学保障", ["target_nature", "target_value"]]) == ("定性", "有效保障")
    assert rows.loc["家庭经济困难学生就学保障", "target_unit"] is None
    assert rows.loc["受助学生及家长满意度", "target_value"] == "90%"  # 0.9 shown with format 0%
    assert rows.loc["资助政策宣传覆盖学校数", "actual"] == "≥36个"
    form = form_of("yunnan_split.xlsx")
    assert has_note(form, "指标性质/指标值/度量单位") and form.manager is None
    assert list(form.money.index)[1] == "其中：本年财政拨款"
    assert form.money.loc["上年结转资金"].isna().all()  # "—" everywhere


def test_provincial_execution_points_written_as_formula_text():
    form = form_of("provincial_exec20.xlsx")
    total = form.money.loc["年度资金总额"]
    assert total["points"] == 20 and math.isnan(total["budget_initial"])
    assert total["rate"] == pytest.approx(0.9857)  # as printed (98.57%), amounts give 98.56%
    assert has_note(form, "20分*执行率", "20")
    assert form.published_grade == "优秀"
    assert form.rows.groupby("level1", sort=False)["points"].sum().to_dict() == {"产出指标": 40, "效益指标": 40}


def test_money_in_yuan_with_thousands_separators():
    form = form_of("yuan_thousands.xlsx")
    assert form.money.loc["年度资金总额", "budget_full_year"] == pytest.approx(1_215_457.6)
    assert form.money.loc["其中：当年财政拨款", "spent"] == 950_000
    assert has_note(form, "千位分隔符") and has_note(form, "金额单位为元")
    budget = budget_of(form)
    assert budget["budget_initial"] == 1_200_000 and budget["money_unit"] == "元"
    assert budget["published_rate"] == pytest.approx(0.9461)


def test_zero_total_row_uses_detail_sums_and_keeps_both():
    form = form_of("zero_total_row.xlsx")
    budget = budget_of(form)
    assert (budget["total_row_budget_full_year"], budget["total_row_spent"]) == (0, 0)
    assert (budget["detail_budget_full_year"], budget["detail_spent"]) == (3_000_000, 2_850_000)
    assert budget["published_rate"] == pytest.approx(0.95)  # written as the plain number 95
    assert has_note(form, "明细行合计") and has_note(form, "95", "0.95")
    assert form.goal_expected.startswith("为辖区60个") and form.goal_actual is None


def test_multi_sheet_forms_and_skipped_notes_sheet():
    forms = forms_of("multi_sheet.xlsx")
    assert [f.source_sheet for f in forms] == ["城区绿化", "乡村道路", "农业技术培训"]
    assert all(has_note(f, "填表说明", "已跳过") for f in forms)


def test_merged_group_scores_count_once():
    rows = form_of("multi_sheet.xlsx", "城区绿化").rows
    assert list(rows["counted"]) == [True, False, True, False, True, True, False, True, True]
    assert rows.loc[~rows["counted"], ["points", "score"]].isna().all().all()
    assert rows.loc[0, ["points", "score"]].tolist() == [20, 20]
    assert rows.loc[4, ["target", "actual"]].tolist() == ["2021年11月", "2021年10月"]  # date cells
    assert has_note(form_of("multi_sheet.xlsx", "城区绿化"), "第14、16、19行", "合并")


def test_no_points_column():
    form = form_of("multi_sheet.xlsx", "乡村道路")
    assert form.rows["points"].isna().all() and form.rows["score"].notna().all()
    assert form.rows["counted"].all() and has_note(form, "无分值列")


def test_total_row_with_sub_rows_is_not_counted_twice():
    form = form_of("multi_sheet.xlsx", "农业技术培训")
    rows = form.rows.set_index("level3")
    assert not rows.loc["培训农民总人次", "counted"] and rows.loc["培训农民总人次", "points"] == 20
    assert rows.loc["其中：种植技术培训", "counted"] and rows.loc["其中：养殖技术培训", "counted"]
    assert not rows.loc["其中：示范户增收", "counted"] and math.isnan(rows.loc["其中：示范户增收", "points"])
    assert has_note(form, "第13行", "合计行") and has_note(form, "第19行", "其中")


def test_hazards_placeholders_names_blank_markers_dates_zero_targets():
    form = form_of("hazards.xlsx")
    rows = form.rows.set_index("level3")
    assert not rows.index.str.match(r"^(指标\d|……)").any() and "" not in rows.index
    assert has_note(form, "第14、15、18行", "占位行") and has_note(form, "第23行", "空行")
    assert rows.loc["图书馆年接待读者人次≥30万人次", "target"] == "≥30万人次"
    assert rows.loc["新增馆藏图书5000册", "target"] == "5000册"
    assert rows.loc["读者满意度（≥90%）", "target"] == "≥90%"
    assert has_note(form, "三级指标名称中", "≥30万人次")
    assert rows.loc["数字阅读平台上线时间", ["target", "actual"]].tolist() == ["2021年12月", "2021年11月"]
    assert rows.loc["安全责任事故", "target"] == "=0件"
    assert rows.loc["读者投诉处理率", "target"] == "100%"
    assert list(form.rows["reason"]) == ["—", "无", None, "/", "-", "0", None, None, None, "无", "—"]
    assert has_note(form, "空白标记", "—", "0")
    assert not rows.loc["其中：青少年参与人次", "counted"]
    assert math.isnan(rows.loc["其中：青少年参与人次", "score"])  # blank 得分 = not awarded, never 0


def test_csv_form_blank_group_cells_are_filled():
    form = form_of("csv_form.csv")
    assert form.source_sheet is None and form.money_unit == "万元"
    assert list(form.rows["level1"]) == ["产出指标"] * 4 + ["效益指标"] * 2 + ["满意度指标"]
    assert list(form.rows["level2"])[:2] == ["数量指标", "数量指标"]
    assert has_note(form, "第14、15、16、18行", "补齐") and has_note(form, "千位分隔符")
    assert form.rows.set_index("level3").loc["新增标准化摊位", "actual"] == "260个"


def test_review_fixture_blank_target_stays_blank():
    rows = form_of("review_findings.xlsx").rows.set_index("level3")
    assert rows.loc["项目管理规范性", "target"] is None and rows.loc["项目管理规范性", "actual"] == "规范"


def test_forms_to_frames_columns_and_units():
    forms = [f for name in ("mof_clean.xlsx", "yuan_thousands.xlsx", "multi_sheet.xlsx") for f in forms_of(name)]
    rows, budget = forms_to_frames(forms)
    assert list(rows.columns) == ["project_id", "project_name", "level1", "level2", "level3", "target", "actual",
                                  "points", "score", "reason", "counted", "target_nature", "target_value",
                                  "target_unit", "source_file", "source_sheet", "source_row"]
    assert list(budget.columns) == [
        "project_id", "project_name", "department", "unit", "money_unit", "budget_initial", "budget_full_year",
        "spent", "exec_points", "published_rate", "published_exec_score", "published_total", "published_grade",
        "total_row_budget_full_year", "total_row_spent", "detail_budget_full_year", "detail_spent", "money_problem",
        "reader_notes", "source_file", "source_sheet"]
    assert len(rows) == 10 + 7 + 9 + 6 + 9 and len(budget) == 5
    assert budget["budget_full_year"].tolist() == pytest.approx([5.2e6, 1_215_457.6, 2.6e6, 4.5e6, 1.5e6])
    assert rows["counted"].dtype == bool and rows["points"].dtype == float
    empty_rows, empty_budget = forms_to_frames([])
    assert empty_rows.empty and empty_budget.empty and list(empty_budget.columns) == list(budget.columns)


# -- layouts transcribed from published tables --------------------------------------------------
def _sheet(path: Path, cells: dict, merges: list[str] = (), formats: dict | None = None, title="自评表") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for ref, value in cells.items():
        ws[ref] = value
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    for rng in merges:
        ws.merge_cells(rng)
    wb.save(path)
    return path


def test_published_zero_total_row_anhui_2022(tmp_path):
    """Layout and money of a published 2022 town-level 项目支出绩效自评表 (Anhui, Chizhou, 贵池区棠溪镇
    委托业务项目; copy at http://www.anthempetcare.com/upload_cz/download?id=502364&siteId=2): the
    年度资金总额 row reads "0 0 0 10 0 0" while 其中:本年财政拨款 holds 90 / 89.974 / 89.974 万元; the
    label carries a colon; 产出指标(50分) with points in the level-1 name. Names here are fictional."""
    cells = {"A1": "项目支出绩效自评表", "A2": "（2022年度）", "A3": "项目名称", "B3": "委托业务项目（示例）",
             "A4": "主管部门", "B4": "示例镇人民政府", "E4": "实施单位", "F4": "示例镇人民政府",
             "A5": "项目资金（万元）", "C5": "年初预算数", "D5": "全年预算数", "E5": "全年执行数", "F5": "分值",
             "G5": "执行率", "H5": "得分",
             "B6": "年度资金总额:", "C6": 0, "D6": 0, "E6": 0, "F6": 10, "G6": 0, "H6": 0,
             "B7": "其中:本年财政拨款", "C7": 90, "D7": 89.974, "E7": 89.974, "B8": "上年结转资金", "B9": "其他资金",
             "A10": "年度总体目标", "B10": "预期目标", "E10": "实际完成情况",
             "B11": "本项目共申请预算资金90万元。", "E11": "本项目共完成预算资金89.97万元。",
             "A12": "绩效指标", "B12": "一级指标", "C12": "二级指标", "D12": "三级指标", "E12": "年度指标值",
             "F12": "实际完成值", "G12": "分值", "H12": "得分", "I12": "偏差原因分析及改进措施",
             "B13": "产出指标(50分)", "C13": "数量指标", "D13": "基建工程委托业务项目数量", "E13": "≥50个", "F13": 50,
             "G13": 8, "H13": 8,
             "C14": "质量指标", "D14": "委托业务报告合格率", "E14": "≥100百分比", "F14": 100, "G14": 8, "H14": 8}
    path = _sheet(tmp_path / "anhui.xlsx", cells, ["A5:A9", "A10:A11", "B10:D10", "E10:I10", "B11:D11",
                                                  "E11:I11", "A12:A14", "B13:B14"])
    form = read_self_evaluation(path)[0]
    budget = budget_of(form)
    assert budget["total_row_budget_full_year"] == 0 and budget["budget_initial"] == 900_000
    assert (budget["budget_full_year"], budget["spent"]) == (pytest.approx(899_740), pytest.approx(899_740))
    assert (budget["exec_points"], budget["published_exec_score"]) == (10, 0)  # as printed
    assert list(form.rows["target"]) == ["≥50个", "≥100百分比"] and list(form.rows["actual"]) == ["50", "100"]
    assert list(form.rows["level1"]) == ["产出指标(50分)"] * 2 and form.year == 2022
    assert form.goal_actual == "本项目共完成预算资金89.97万元。"


def test_published_placeholder_rows_hebei_2019(tmp_path):
    """Rows of a published 2019 school self-evaluation (Hebei, 廊坊市食品工程学校 办公宿舍楼暖通改造经费;
    http://www.lfsp.cn/newsinfo/1158053.html): names written after the template's placeholders
    ("指标1工程资金金额") are real rows, the untouched "指标2" / "……" rows are placeholders; 执行率
    86%, 得分 9 (43.2 / 37.24 万元); heading 年度 / 指标值 broken over two lines; a literal 0 reason."""
    cells = {"A1": "项目支出绩效自评表", "A2": "（2019年度）", "A3": "项目名称", "B3": "暖通改造经费（示例）",
             "A4": "主管部门", "B4": "示例市发改委", "E4": "实施单位", "F4": "示例市某学校",
             "A5": "项目资金\n(万元)", "C5": "年初\n预算数", "D5": "全年\n预算数", "E5": "全年\n执行数",
             "F5": "分值", "G5": "执行率", "H5": "得分",
             "B6": "年度资金总额", "C6": 43.2, "D6": 43.2, "E6": 37.24, "F6": 10, "G6": "86%", "H6": 9,
             "B7": "其中：当年财政拨款", "C7": 43.2, "D7": 43.2, "E7": 37.24, "B8": "上年结转资金", "B9": "其他资金",
             "A10": "年度总体目标", "B10": "预期目标", "E10": "实际完成情况", "B11": 43.2, "E11": 37.24,
             "A12": "一级指标", "B12": "二级指标", "C12": "三级指标", "D12": "年度\n指标值", "E12": "实际\n完成值",
             "F12": "分值", "G12": "得分", "H12": "偏差原因分析及改进措施",
             "A13": "产出指标", "B13": "数量指标", "C13": "指标1工程资金金额", "D13": 43.2, "E13": 37.24, "F13": 10,
             "G13": 9, "H13": "已完工，剩余3%尾款未付。", "C14": "指标2", "C15": "……",
             "B16": "质量指标", "C16": "指标1工程完工率", "D16": 100, "E16": 100, "F16": 10, "G16": 10,
             "C17": "指标2工程验收合格率", "D17": 100, "E17": 100, "F17": 10, "G17": 10, "C18": "……",
             "A19": "效益指标", "B19": "经济效益指标", "C19": "指标1安全率", "D19": 100, "E19": 100, "F19": 10,
             "G19": 10, "H19": 0}
    path = _sheet(tmp_path / "hebei.xlsx", cells, ["A5:A9", "A10:A11", "A13:A18", "B13:B15", "B16:B18"])
    form = read_self_evaluation(path)[0]
    assert list(form.rows["level3"]) == ["指标1工程资金金额", "指标1工程完工率", "指标2工程验收合格率", "指标1安全率"]
    assert list(form.rows["source_row"]) == [13, 16, 17, 19]
    assert has_note(form, "第14、15、18行", "占位行")
    assert form.rows["reason"].iloc[-1] == "0" and list(form.rows["target"])[:1] == ["43.2"]
    total = form.money.loc["年度资金总额"]
    assert (total["rate"], total["score"]) == (0.86, 9)
    assert form.goal_expected == "43.2" and form.goal_actual == "37.24"


def test_published_sichuan_layout_2023(tmp_path):
    """Layout of a published 2023 county 部门预算项目支出绩效自评表 (Sichuan, 青神县 工资性支出;
    https://www.scqs.gov.cn/info/13206/211004.htm): goals above the money block (项目年度目标 /
    年度目标完成情况), money headings 年初预算 / 调整后预算数 / 预算执行数 / 预算执行率 / 权重, a 总额
    row of 238.93 / 251.89 / 251.89 万元 at 100.00 %, split 指标性质/指标值/度量单位 on one heading
    row, 权重 and 未完成原因分析, footer 合计 100. Names here are fictional."""
    cells = {"A1": "部门预算项目支出绩效自评表(2023年度)", "A2": "项目名称", "B2": "工资性支出（示例）",
             "A3": "主管部门", "B3": "示例县发展和改革局", "E3": "实施单位 (盖章)", "F3": "示例县发展和改革局",
             "A4": "项目基本情况", "B4": "1.项目年度目标完成情况", "B5": "项目年度目标", "F5": "年度目标完成情况",
             "B6": "严格执行相关政策，保障工资及时、足额发放。", "F6": "对照年度目标，说明相关任务目标的完成情况",
             "A7": "预算执行情况(10分)", "B7": "年度预算数(万元)",
             "C8": "年初预算", "D8": "调整后预算数", "E8": "预算执行数", "F8": "预算执行率", "G8": "权重", "H8": "得分",
             "I8": "原因",
             "B9": "总额", "C9": 238.93, "D9": 251.89, "E9": 251.89, "F9": "100.00%", "G9": 10,
             "B10": "其中:财政资金", "C10": 238.93, "D10": 251.89, "E10": 251.89, "F10": "100.00%", "G10": "/",
             "H10": "/", "B11": "财政专户管理资金", "C11": 0, "D11": 0, "E11": 0, "F11": "0.00%", "G11": "/",
             "B12": "单位资金", "C12": 0, "D12": 0, "E12": 0, "F12": "0.00%", "B13": "其他资金", "G13": "/",
             "A14": "绩效指标(90分)", "B14": "一级指标", "C14": "二级指标", "D14": "三级指标", "E14": "指标性质",
             "F14": "指标值", "G14": "度量单位", "H14": "完成值", "I14": "权重", "J14": "得分", "K14": "未完成原因分析",
             "B15": "产出指标", "C15": "数量指标", "D15": "发放(缴纳)覆盖率", "E15": "=", "F15": 100, "G15": "%",
             "I15": 60, "B16": "效益指标", "C16": "社会效益指标", "D16": "足额保障率(参保率)", "E16": "=",
             "F16": 100, "G16": "%", "I16": 30, "A17": "合计", "I17": 100, "A18": "评价结论",
             "B18": "结合自评情况，说明项目自评总分。"}
    path = _sheet(tmp_path / "sichuan.xlsx", cells, ["A4:A6", "B4:K4", "B5:E5", "F5:K5", "B6:E6", "F6:K6",
                                                    "A7:A13", "B7:I7", "A14:A16", "A17:H17"])
    form = read_self_evaluation(path)[0]
    assert form.year == 2023 and form.unit == "示例县发展和改革局" and form.money_unit == "万元"
    assert form.goal_expected.startswith("严格执行相关政策")
    assert form.goal_actual.startswith("对照年度目标")
    budget = budget_of(form)
    assert (budget["budget_initial"], budget["budget_full_year"], budget["spent"]) == (
        pytest.approx(2_389_300), pytest.approx(2_518_900), pytest.approx(2_518_900))
    assert budget["detail_budget_full_year"] == pytest.approx(2_518_900)  # 财政资金 + 0 + 0
    assert (budget["exec_points"], budget["published_rate"]) == (10, 1.0)
    assert list(form.rows["target"]) == ["=100%", "=100%"] and form.rows["actual"].isna().all()
    assert list(form.rows["points"]) == [60, 30] and form.published_total is None


# -- the writer --------------------------------------------------------------------------------
ALL_FILES = ["mof_clean.xlsx", "yunnan_split.xlsx", "provincial_exec20.xlsx", "yuan_thousands.xlsx",
             "zero_total_row.xlsx", "multi_sheet.xlsx", "hazards.xlsx", "csv_form.csv", "review_findings.xlsx"]


def _content(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows[CONTENT].reset_index(drop=True).astype({"points": float, "score": float, "counted": bool})
    text = [c for c in CONTENT if c not in ("points", "score", "counted")]
    out[text] = out[text].astype(object).where(out[text].notna(), None)
    return out


def assert_same_form(a: SelfEvaluationForm, b: SelfEvaluationForm) -> None:
    pd.testing.assert_frame_equal(_content(a.rows), _content(b.rows), check_dtype=False)
    pd.testing.assert_frame_equal(a.money, b.money, check_dtype=False, check_index_type=False)
    for field in ("project_name", "department", "unit", "manager", "year", "money_unit", "goal_expected",
                  "goal_actual", "published_total", "published_grade"):
        assert getattr(a, field) == getattr(b, field), field


@pytest.mark.parametrize("name", ALL_FILES)
def test_round_trip_through_writer(name, tmp_path):
    forms = forms_of(name)
    out = tmp_path / "out.xlsx"
    write_self_evaluation(forms, out)
    back = read_self_evaluation(out)
    assert len(back) == len(forms)
    for a, b in zip(forms, back):
        assert_same_form(a, b)
    assert forms_to_frames(back)[1]["budget_full_year"].tolist() == pytest.approx(
        forms_to_frames(forms)[1]["budget_full_year"].tolist())
    if name == "mof_clean.xlsx":
        assert back[0].project_id == "SL2021-001"  # a real 项目编码 is written; derived ids are not


def test_double_write_is_byte_identical_with_fixed_timestamps(tmp_path):
    forms = forms_of("multi_sheet.xlsx") + forms_of("hazards.xlsx")
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_self_evaluation(forms, first)
    write_self_evaluation(forms, second)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2021-12-31T00:00:00Z" in core  # created/modified from the forms' year, not the clock
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_writer_layout_merges_formats_widths_and_print_setup(tmp_path):
    out = tmp_path / "mof.xlsx"
    write_self_evaluation(form_of("mof_clean.xlsx"), out)
    ws = load_workbook(out).active
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:H1", "A6:A10", "A14:A19", "B14:B15", "B16:B17"} <= merged  # title, money block, 一级/二级 groups
    assert ws["A13"].value == "一级指标" and ws["H13"].value == "偏差原因分析及改进措施"
    assert ws["D7"].number_format == "0.00" and ws["G7"].number_format == "0.00%" and ws["G7"].value == 0.9775
    assert ws["C14"].alignment.wrap_text and ws["C14"].border.left.style == "thin"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    longest = max(display_width(t) for t in form_of("mof_clean.xlsx").rows["level3"])
    assert ws.column_dimensions["C"].width == longest + 2  # CJK characters count 2
    assert ws.row_dimensions[1].height == 30


def test_writer_errors(tmp_path):
    with pytest.raises(InputError, match="没有要写出的自评表"):
        write_self_evaluation([], tmp_path / "x.xlsx")
    with pytest.raises(InputError, match="输出文件夹不存在"):
        write_self_evaluation(form_of("mof_clean.xlsx"), tmp_path / "missing" / "x.xlsx")


ROW_TEXT = st.text(alphabet="绩效指标完成率数量质量时效成本满意度受益人口道路", min_size=2, max_size=8)


@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_round_trip_property(tmp_path_factory, data):
    """Any well-formed form (names, targets, points, scores, reasons, money) survives write → read."""
    n = data.draw(st.integers(1, 8))
    level1 = sorted(data.draw(st.lists(st.sampled_from(["产出指标", "效益指标", "满意度指标"]), min_size=n,
                                       max_size=n)), key=["产出指标", "效益指标", "满意度指标"].index)
    points = data.draw(st.lists(st.integers(1, 40).map(lambda v: v / 2), min_size=n, max_size=n))
    scores = [data.draw(st.one_of(st.just(np.nan), st.integers(0, int(p * 2)).map(lambda v: v / 2))) for p in points]
    rows = pd.DataFrame({
        "level1": level1, "level2": data.draw(st.lists(st.sampled_from(["数量指标", "质量指标"]), min_size=n,
                                                       max_size=n)),
        "level3": data.draw(st.lists(ROW_TEXT, min_size=n, max_size=n)),
        "target": data.draw(st.lists(st.sampled_from(["≥95%", "≤90万元", "=0件", "有效", "2023年12月"]),
                                     min_size=n, max_size=n)),
        "actual": data.draw(st.lists(st.one_of(st.none(), st.sampled_from(["96%", "85万元", "0件", "有效"])),
                                     min_size=n, max_size=n)),
        "points": points, "score": scores,
        "reason": data.draw(st.lists(st.one_of(st.none(), ROW_TEXT, st.sampled_from(["—", "无", "0"])), min_size=n,
                                     max_size=n)),
        "counted": True, "target_nature": None, "target_value": None, "target_unit": None, "source_row": 0})
    amounts = data.draw(st.lists(st.integers(0, 10**7).map(lambda v: v / 100), min_size=3, max_size=3))
    money = pd.DataFrame([[amounts[0], amounts[1], amounts[2], 10.0, 0.5, 5.0]],
                         index=["年度资金总额"], columns=["budget_initial", "budget_full_year", "spent", "points",
                                                    "rate", "score"])
    form = SelfEvaluationForm(
        project_id="P-1", project_name="示例项目", department="示例局", unit="示例中心", manager=None, year=2023,
        money_unit=data.draw(st.sampled_from(["万元", "元"])), money=money, goal_expected="目标", goal_actual=None,
        rows=rows, published_total=data.draw(st.one_of(st.none(), st.integers(0, 100).map(float))),
        published_grade=data.draw(st.sampled_from([None, "优", "良好"])), source_file="x.xlsx", source_sheet="表1")
    out = tmp_path_factory.mktemp("prop") / "p.xlsx"
    write_self_evaluation(form, out)
    back = read_self_evaluation(out)[0]
    assert_same_form(form, back)
    assert back.project_id == "P-1"


# -- templates -----------------------------------------------------------------------------------
def system_frame() -> pd.DataFrame:
    """A small indicator system in the shape of IndicatorSystem.to_frame() (tree order)."""
    nodes = [  # code, parent, depth, level1, level2, level3, points, rule_kind, open, is_leaf
        ("A", None, 1, "预算执行率", None, None, 10.0, "execution", False, True),
        ("B", None, 1, "产出指标", None, None, 50.0, None, False, False),
        ("B1", "B", 2, "产出指标", "数量指标", None, 30.0, None, True, False),
        ("B101", "B1", 3, "产出指标", "数量指标", "受益人数", 30.0, "auto", False, True),
        ("B2", "B", 2, "产出指标", "质量指标", None, 20.0, None, False, False),
        ("B201", "B2", 3, "产出指标", "质量指标", "验收合格率", 20.0, "auto", False, True),
        ("C", None, 1, "效益指标", None, None, 30.0, None, False, False),
        ("C1", "C", 2, "效益指标", "社会效益指标", None, 30.0, "auto", True, True),
        ("D", None, 1, "满意度指标", None, None, 10.0, None, False, False),
        ("D1", "D", 2, "满意度指标", "服务对象满意度指标", None, 10.0, None, False, False),
        ("D101", "D1", 3, "满意度指标", "服务对象满意度指标", "群众满意度", 10.0, "auto", False, True),
    ]
    frame = pd.DataFrame(nodes, columns=["code", "parent_code", "depth", "level1", "level2", "level3", "points",
                                         "rule_kind", "open", "is_leaf"])
    frame["name"] = frame["level3"].fillna(frame["level2"]).fillna(frame["level1"])
    frame["weight"] = np.nan
    frame["description"] = None
    return frame


def test_self_template_for_a_system(tmp_path):
    out = tmp_path / "template.xlsx"
    write_template(system_frame(), out, project_name="示例项目")
    ws = load_workbook(out).active
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=14, max_row=ws.max_row)]
    body = [v for v in values if v[0] not in ("总分", "评价等级")]
    assert [v[2] for v in body] == ["受益人数", None, None, None, "验收合格率", None, None, None, "群众满意度"]
    assert [v[1] for v in body][:5] == ["数量指标", None, None, None, "质量指标"]  # merged down the group
    assert body[1][5] is None and body[4][5] == 20 and body[5][5] == 30  # open 社会效益指标 keeps its 30 points
    assert ws["F7"].value == 10  # the execution node becomes the money block's 分值
    assert ws["B3"].value == "示例项目" and ws["A13"].value == "一级指标"
    form = read_self_evaluation(out)[0]
    assert list(form.rows["level3"]) == ["受益人数", "验收合格率", None, "群众满意度"]
    assert form.rows["points"].sum() == 90 and form.money.loc["年度资金总额", "points"] == 10
    again = tmp_path / "again.xlsx"
    write_template(system_frame(), again, project_name="示例项目")
    assert out.read_bytes() == again.read_bytes()


def test_declaration_template(tmp_path):
    out = tmp_path / "declaration.xlsx"
    write_template(system_frame(), out, form="declaration")
    ws = load_workbook(out).active
    assert ws["A1"].value == "项目支出绩效目标申报表" and ws.max_column == 4
    assert [ws.cell(row=9, column=c).value for c in range(1, 5)] == ["一级指标", "二级指标", "三级指标", "指标值"]
    texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert {"年度资金总额", "其中：财政拨款", "年度总体目标", "受益人数"} <= texts
    assert not texts & {"分值", "得分", "实际完成值", "预算执行率"}


def test_template_errors(tmp_path):
    with pytest.raises(InputError, match="self（自评表）或 declaration"):
        write_template(system_frame(), tmp_path / "t.xlsx", form="monitoring")
    with pytest.raises(InputError, match="is_leaf"):
        write_template(system_frame().drop(columns=["is_leaf"]), tmp_path / "t.xlsx")


# -- errors ----------------------------------------------------------------------------------------
# file, words the message must contain (file, sheet, row, column, what). An unreadable money block no
# longer refuses the file: the form is read and not graded (test_money_blocks.py, money_unreadable.xlsx).
BROKEN = [
    ("points_text.xlsx", ["points_text.xlsx", "工作表 自评表", "第 15 行", "列 G", "十分", "分值"]),
    ("no_heading.xlsx", ["no_heading.xlsx", "工作表 自评表", "第 13 行", "列 A", "表头"]),
    ("total_text.xlsx", ["total_text.xlsx", "工作表 自评表", "第 24 行", "列 H", "九十九", "总分"]),
    ("no_form.xlsx", ["no_form.xlsx", "工作表 填表说明", "第 1 行", "列 A", "没有找到"]),
    ("score_text.csv", ["score_text.csv", "第 15 行", "列 G", "满分", "得分"]),
    ("not_a_workbook.xlsx", ["not_a_workbook.xlsx", "无法打开", ".xlsx"]),
]


@pytest.mark.parametrize("name,words", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_forms_raise_input_error_naming_the_cell(name, words):
    with pytest.raises(InputError) as info:
        read_self_evaluation(FORMS / "broken" / name)
    message = str(info.value)
    assert all(w in message for w in words), message
    assert "Traceback" not in message


def test_unsupported_and_missing_files(tmp_path):
    with pytest.raises(InputError, match="找不到文件"):
        read_self_evaluation(tmp_path / "nothing.xlsx")
    legacy = tmp_path / "old.xls"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0")  # a truncated OLE file: refused by the .xls reader (test_form_containers.py)
    with pytest.raises(InputError, match="old.xls.*损坏"):
        read_self_evaluation(legacy)


def test_csv_in_gbk_is_decoded_and_noted(tmp_path):
    text = (FORMS / "csv_form.csv").read_text(encoding="utf-8-sig")
    path = tmp_path / "gbk.csv"
    path.write_bytes(text.encode("gb18030"))
    form = read_self_evaluation(path)[0]
    assert form.project_name == "示例市农贸市场升级改造项目" and has_note(form, "GB18030")
    assert_same_form(form_of("csv_form.csv"), form)


# -- cells as Excel shows them -------------------------------------------------------------------
@pytest.mark.parametrize("value,fmt,shown", [
    (0.95, "0%", "95%"), (0.9775, "0.00%", "97.75%"), (1, "0%", "100%"), (100.0, "General", "100"),
    (12.5, "General", "12.5"), (1_215_457.6, "#,##0.00", "1,215,457.60"), (9.5, "0.00", "9.50"),
    (0.1 + 0.2, "General", "0.3")])
def test_numbers_render_as_excel_shows_them(value, fmt, shown):
    assert _render_number(value, fmt) == shown


@pytest.mark.parametrize("fmt,shown", [('yyyy"年"m"月"', "2023年12月"), ("yyyy-mm-dd", "2023-12-05"),
                                       ("General", "2023-12-05"), ('yyyy"年"m"月"d"日"', "2023年12月5日")])
def test_dates_render_as_excel_shows_them(fmt, shown):
    assert _render_date(dt.datetime(2023, 12, 5), fmt) == shown


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="abc123%示例绩效（）：", max_size=30), st.text(alphabet="示例绩效", max_size=10))
def test_display_width_counts_wide_characters_twice(mixed, cjk):
    assert display_width(cjk) == 2 * len(cjk)
    narrow = sum(ch in "abc123%" for ch in mixed)
    assert display_width(mixed) == narrow + 2 * (len(mixed) - narrow)  # （）： are full-width too
    assert display_width(mixed + "\n" + cjk) == max(display_width(mixed), display_width(cjk))
