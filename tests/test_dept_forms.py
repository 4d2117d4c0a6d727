"""Department-overall forms (部门整体支出绩效自评表) in every layout of dept-overall.md §4, and 小计 rows.

The fixtures are written by tests/data/make_dept_forms.py; the expected numbers below are the
hand-checked values in that script's docstrings (made-up forms, sums done by hand).
"""
import json
import runpy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from perfeval import score
from perfeval.cli import main
from perfeval.errors import InputError
from perfeval.io import dept_forms_to_frames, forms_to_frames, read_dept_forms, read_self_evaluation
from perfeval.schemes import get_scheme

FORMS = Path(__file__).parent / "data" / "forms"


def frames(name):
    return dept_forms_to_frames(read_dept_forms(FORMS / name))


def by_sheet(rows, name):
    return rows[rows["entity_name"] == name] if name else rows


# file, entity name, entity kind, rows, Σ points (NaN: none given), Σ scores, published total, layout word
LAYOUTS = [
    ("dept_mof.xlsx", "示例县卫生健康委员会", "department", 7, 90, 87, 97, "财政部格式"),
    ("dept_guizhou.xlsx", "示例县示例镇人民政府", "department", 5, 90, 88, 98, "财政部格式"),
    ("dept_hunan_mof.xlsx", "示例区疾病预防控制中心", "unit", 3, 90, 85, 95, "财政部格式"),
    ("dept_hubei_20_80.xlsx", "示例县示例镇人民政府", "unit", 6, np.nan, 78, 98, "20+80"),
    ("dept_system_grid.xlsx", "示例市示例局", "department", 5, 60, 58, None, "计算符号"),
    ("dept_chongqing.xlsx", "示例区文化和旅游发展委员会", "department", 5, 90, 87, 95.54, "重庆"),
    ("dept_chongqing.xlsx", "示例区融媒体中心", "department", 3, 90, 85, 94.7, "重庆"),
    ("dept_jiangxi.xlsx", "示例县示例镇卫生院", "department", 9, 100, 88, 88, "江西"),
    ("dept_sichuan_score.xlsx", "示例县总工会", "department", 3, 30, 25.7, 25.7, "评分表"),
    ("dept_sichuan_score.xlsx", "示例市示例局", "department", 6, 100, 90, 90, "标签"),
    ("dept_anhui_score.xlsx", "示例县示例中心", "unit", 5, 50, 47, 47, "评分表"),
    ("dept_consolidated.xlsx", None, None, 5, 90, 88, 97.5, "财政部格式"),
]


@pytest.mark.parametrize("name,entity_name,entity,n,points,scores,total,layout", LAYOUTS)
def test_each_layout_is_read(name, entity_name, entity, n, points, scores, total, layout):
    rows, money, header = frames(name)
    r = by_sheet(rows, entity_name)
    h = header[header["entity_name"] == entity_name] if entity_name else header
    assert len(r) == n
    assert r["counted"].all()
    got_points = r["points"].sum(min_count=1)
    assert (np.isnan(points) and np.isnan(got_points)) or got_points == pytest.approx(points)
    assert r["score"].sum() == pytest.approx(scores)
    assert h["published_total"].iloc[0] == (pytest.approx(total) if total is not None else None) or (
        total is None and pd.isna(h["published_total"].iloc[0]))
    assert layout in h["layout"].iloc[0]
    if entity:
        assert set(r["entity"]) == {entity}
        assert set(r["entity_id"]) == {entity_name}
    assert set(rows.columns) >= {"project_id", "level1", "level2", "level3", "target", "actual", "points", "score",
                                 "reason", "counted", "entity", "entity_id", "criterion", "source_row"}


def test_mof_layout_money_block_and_title_merged_down():
    """预算资金(万元) merged down R4–R8 names the block; 全年预算数 is column D (420), not the title."""
    rows, money, header = frames("dept_mof.xlsx")
    total = money[money["is_total"]].iloc[0]
    assert (total["budget_initial"], total["budget_full_year"], total["spent"]) == (4_100_000, 4_200_000, 4_284_000)
    assert total["points"] == 10 and total["rate"] == pytest.approx(1.02)
    assert np.isnan(total["score"])  # blank on the form: missing, not 0
    assert "按“未填”处理" in header["reader_notes"].iloc[0]
    assert rows["level3"].iloc[0] == "在职人员控制率"  # the template's "指标1：" dropped
    _, budget = forms_to_frames(read_self_evaluation(FORMS / "dept_mof.xlsx"))
    assert budget["budget_full_year"].iloc[0] == 4_200_000


def test_guizhou_sub_rows_never_add_points():
    rows, money, header = frames("dept_guizhou.xlsx")
    nature = money[money["kind"] == "nature"].set_index("label")
    assert nature.loc["基本支出", "budget_initial"] == 4_000_000 and nature.loc["项目支出", "spent"] == 2_100_000
    assert "分项行的分值不累加" in header["reader_notes"].iloc[0]
    _, budget = forms_to_frames(read_self_evaluation(FORMS / "dept_guizhou.xlsx"))
    assert budget["exec_points"].iloc[0] == 10  # not 30
    assert budget["budget_initial"].iloc[0] == 6_000_000 and np.isnan(budget["budget_full_year"].iloc[0])
    assert rows["criterion"].iloc[2] == "按完成比例计分"


def test_hunan_two_splits_kept_apart():
    _, money, header = frames("dept_hunan_mof.xlsx")
    total = money[money["is_total"]]
    assert len(total) == 1 and total["budget_full_year"].iloc[0] == 8_000_000
    split = money[~money["is_total"]].set_index("label")["amount"]
    assert split["基本支出"] == 6_500_000 and split["项目支出"] == 1_500_000
    assert split["一般公共预算"] == 7_800_000 and split["政府性基金拨款"] == 200_000
    assert split["基本支出"] + split["项目支出"] == total["budget_full_year"].iloc[0]
    assert money[~money["is_total"]]["budget_full_year"].isna().all()  # never summed into the block
    assert "不是金额" not in header["reader_notes"].iloc[0]


def test_hubei_20_80_points_only_in_labels(capsys):
    rows, money, header = frames("dept_hubei_20_80.xlsx")
    assert rows["points"].isna().all()
    total = money[money["is_total"]].iloc[0]
    assert (total["budget_full_year"], total["spent"], total["points"], total["score"]) == (5_000_000, 5_000_000, 20, 20)
    split = money[money["kind"] == "nature"].set_index("label")["amount"]
    assert split["基本支出"] == 5_000_000 and split["项目支出"] == 0
    h = header.iloc[0]
    assert h["goal_expected"].startswith("做好信访维稳") and "定量指标" in h["remarks"]
    assert "无法核对其合计是否等于年度目标的 80 分" in h["reader_notes"]
    assert rows["level2"].iloc[2] == "日效性指标"  # as written
    # perfeval score reads it and refuses a grade: no points on the form
    assert main(["score", str(FORMS / "dept_hubei_20_80.xlsx"), "--json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["projects"][0]["graded"] is False


def test_system_grid_composes_operator_value_unit():
    rows, _, _ = frames("dept_system_grid.xlsx")
    assert list(rows["target"][:3]) == ["≤100%", "≤0%", "≥90%"]
    assert list(rows["actual"][:2]) == ["98%", "-3.5%"]


def test_chongqing_coefficient_adjusted_target_and_execution_weight():
    rows, money, header = frames("dept_chongqing.xlsx")
    one = rows[rows["entity_name"] == "示例区文化和旅游发展委员会"].reset_index(drop=True)
    assert one["score_coefficient"].iloc[0] == pytest.approx(0.8)
    assert one["points"].iloc[0] * one["score_coefficient"].iloc[0] == pytest.approx(one["score"].iloc[0])
    assert (one["target"].iloc[1], one["target_initial"].iloc[1], one["target_adjusted"].iloc[1]) == ("12个", "10个", "12个")
    assert list(one["core"]) == ["是", "是", "否", "否", "是"]
    total = money[money["is_total"] & (money["entity_name"] == "示例区文化和旅游发展委员会")].iloc[0]
    assert (total["points"], total["score"], total["rate"]) == (10, 8.54, pytest.approx(0.854))
    assert total["budget_full_year"] == 12_000_000
    assert header.set_index("entity_name").loc["示例区文化和旅游发展委员会", "finance_office"] == "行政政法处"


def test_jiangxi_blocks_under_decomposed_goals():
    rows, money, header = frames("dept_jiangxi.xlsx")
    weights = rows.groupby("level1", sort=False)["level1_points"].first()
    assert weights.to_dict() == {"管理指标": 30, "产出指标": 25, "效果指标": 35, "满意度指标": 10}
    assert rows.groupby("level1", sort=False)["points"].sum().to_dict() == weights.to_dict()
    assert "问题：" not in header["reader_notes"].iloc[0]
    total = money[money["is_total"]].iloc[0]
    assert np.isnan(total["points"]) and np.isnan(total["score"]) and total["rate"] == pytest.approx(0.96)
    nature = money[money["kind"] == "nature"]
    assert nature["budget_full_year"].sum() == total["budget_full_year"] == 5_000_000
    assert "不单独计预算执行得分" in header["reader_notes"].iloc[0]


def test_hunan_score_sheets_keep_the_criterion_text():
    rows, _, header = frames("dept_hunan_score.xlsx")
    sheet = rows[rows["source_sheet"] == "评分表"].set_index("level3")
    assert sheet.loc["预算完成率", "criterion"] == "以100%为标准，每低于5个百分点扣2分"
    assert sheet.loc["预算完成率", "score"] == 4 and sheet.loc["预算完成率", "reason"] == "预算完成率93%"
    assert sheet["points"].sum() == 27 and sheet["score"].sum() == 18
    table = rows[rows["source_sheet"] == "指标表"].set_index("level3")
    assert table.loc["在职人员控制率", "explanation"].startswith("编制数50人")
    assert table.loc["预算完成率", ["level1_points", "level2_points", "points"]].tolist() == [12, 10, 6]
    notes = header.set_index("source_sheet").loc["指标表", "reader_notes"]
    assert "问题：“过程”的分值为 12，其下各指标分值合计 10" in notes
    assert "工作表“基础数据表”没有绩效指标表" in notes


def test_group_point_mismatch_is_a_review_flag():
    forms = read_self_evaluation(FORMS / "dept_hunan_score.xlsx")
    card = score(*forms_to_frames(forms), get_scheme("mof-2020"))
    flagged = set(card.flags.loc[card.flags["code"] == "FORM_SUBTOTAL_MISMATCH", "project_id"])
    assert len(flagged) == 1


def test_sichuan_points_from_labels_and_two_heading_rows():
    rows, _, _ = frames("dept_sichuan_score.xlsx")
    y17 = rows[rows["source_sheet"] == "2017得分表"]
    assert list(y17["points"]) == [5, 10, 10, 20, 10, 45]
    assert list(y17["level3"][:2]) == ["相关性", "绩效目标合理性"] and y17["level1"].iloc[0] == "部门决策"
    assert y17.groupby("level1", sort=False)["level1_points"].first().tolist() == [25, 30, 45]
    county = rows[rows["source_sheet"] == "县级得分表"]
    assert county["criterion"].iloc[2] == "(1-10×调剂/年初)×分值，超过10%不得分"
    assert county["explanation"].iloc[0] == "绩效目标要素完整、细化量化"
    assert county["reason"].iloc[1] == "20项指标完成15项"


def test_anhui_optional_rows_kept_and_noted():
    rows, _, header = frames("dept_anhui_score.xlsx")
    assert rows["level3"].iloc[2] == "绩效目标完整性（可选项）" and rows["points"].iloc[2] == 6
    assert "可选项指标" in header["reader_notes"].iloc[0]
    assert rows["criterion"].iloc[0] == "信息完整得3分，每缺一项扣1分"


def test_consolidated_form_carries_its_units():
    rows, money, header = frames("dept_consolidated.xlsx")
    assert list(rows["entity"]) == ["unit", "unit", "unit", "department", "department"]
    assert rows["entity_id"].iloc[0] == "示例县财政投资评审中心" and rows["entity_id"].iloc[4] == "示例县财政局"
    units = money[money["kind"] == "unit"].set_index("row_unit")
    assert units["budget_full_year"].to_dict() == {"机关本级": 6_500_000, "示例县财政投资评审中心": 2_200_000,
                                                   "示例县国库集中支付中心": 1_300_000}
    assert units["budget_full_year"].sum() == money.loc[money["is_total"], "budget_full_year"].iloc[0]
    assert header["subunits"].iloc[0] == "2"


def test_project_form_with_subtotals_is_scored_right():
    """Before: the three 小计 rows were read as indicators: 分值 180, no grade."""
    rows, budget = forms_to_frames(read_self_evaluation(FORMS / "project_subtotals.xlsx"))
    assert len(rows) == 6 and rows["points"].sum() == 90 and rows["score"].sum() == 89
    assert not rows["level2"].eq("小计").any()
    card = score(rows, budget, get_scheme("mof-2020"))
    t = card.totals.iloc[0]
    assert t["graded"] and t["total"] == pytest.approx(98.5) and t["grade"] == "优"
    assert "FORM_SUBTOTAL_MISMATCH" not in set(card.flags["code"])
    assert "第15、18、20行为小计行" in budget["reader_notes"].iloc[0]


def test_subtotal_mismatch_is_flagged_not_dropped():
    rows, budget = forms_to_frames(read_self_evaluation(FORMS / "project_subtotal_mismatch.xlsx"))
    assert rows["points"].sum() == 90
    card = score(rows, budget, get_scheme("mof-2020"))
    flag = card.flags[card.flags["code"] == "FORM_SUBTOTAL_MISMATCH"]
    assert len(flag) == 1 and "第18行小计分值 35 与上方各指标分值合计 30" in flag["message"].iloc[0]


def test_criterion_column_is_never_the_score_column(tmp_path):
    """A project form with a 评分标准 column: the score is 得分, the rule text is not read as a number."""
    wb = Workbook()
    ws = wb.active
    for row in [["项目名称", "示例项目"], ["主管部门", "示例局"],
                ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "评分标准", "分值", "得分"],
                ["产出指标", "数量指标", "培训人数", "≥100人", "120人", "以100%为标准，每低5%扣1分", 90, 90]]:
        ws.append(row)
    wb.save(tmp_path / "criterion.xlsx")
    rows, _ = forms_to_frames(read_self_evaluation(tmp_path / "criterion.xlsx"))
    assert rows["score"].tolist() == [90] and rows["points"].tolist() == [90]


def test_unreadable_department_form_names_the_place(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "整体自评"
    for row in [["部门整体支出绩效自评表"], ["部门名称", "示例局"], ["年初预算数", "全年预算数", "全年执行数"], [1, 2, 2]]:
        ws.append(row)
    wb.save(tmp_path / "no_table.xlsx")
    with pytest.raises(InputError) as err:
        read_self_evaluation(tmp_path / "no_table.xlsx")
    text = str(err.value)
    assert "no_table.xlsx" in text and "整体自评" in text and "三级指标" in text and "找不到绩效指标表头行" in text


@pytest.mark.parametrize("name", ["dept_jiangxi.xlsx", "dept_chongqing.xlsx", "dept_sichuan_score.xlsx"])
def test_perfeval_score_reads_department_forms(name, capsys):
    code = main(["score", str(FORMS / name), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert not data["failed"] and data["projects"]
    assert code in (0, 2)


def test_fixtures_are_reproducible(tmp_path):
    script = runpy.run_path(str(FORMS.parent / "make_dept_forms.py"), run_name="not_main")
    script["main"].__globals__["OUT"] = tmp_path
    script["main"]()
    written = sorted(p.name for p in tmp_path.iterdir())
    assert len(written) == 15
    for name in written:
        assert (tmp_path / name).read_bytes() == (FORMS / name).read_bytes(), name


def test_two_splits_are_not_checked_as_one_detail_sum():
    """江西: 资金来源 and 资金结构 rows both add up to 500; summing all four would say 1,000 (a false warning)."""
    card = score(*forms_to_frames(read_self_evaluation(FORMS / "dept_jiangxi.xlsx")), get_scheme("mof-2020"))
    assert "TOTALS_ROW_INCONSISTENT" not in set(card.flags["code"])
    assert card.totals["exec_rate"].iloc[0] == pytest.approx(0.96)


def test_score_sheet_without_money_graded_under_exec_0():
    forms = [f for f in read_self_evaluation(FORMS / "dept_sichuan_score.xlsx") if f.source_sheet == "2017得分表"]
    rows, budget = forms_to_frames(forms)
    assert "--scheme exec-0" in budget["reader_notes"].iloc[0]
    assert not score(rows, budget, get_scheme("mof-2020")).totals["graded"].iloc[0]  # no money: refused
    t = score(rows, budget, get_scheme("exec-0")).totals.iloc[0]
    assert t["graded"] and t["total"] == 90 and t["grade"] == "优"


def test_scan_hazards_are_noted_not_corrected():
    rows, _, header = frames("dept_hazards.xlsx")
    notes = header["reader_notes"].iloc[0]
    assert list(rows["target"][:2]) == ["295%", "Q5%"]  # as written
    assert "第4行年度指标值“295%”疑为“≥95%”" in notes and "第5行年度指标值“Q5%”疑为“≤5%”" in notes
    assert "第8行分值“55”而得分为空" in notes and "（5 与 5）" in notes
    assert rows["target"].iloc[2] == "按规定公开" and rows["score"].iloc[3] == 5
    card = score(*forms_to_frames(read_self_evaluation(FORMS / "dept_hazards.xlsx")), get_scheme("mof-2020"))
    assert not card.totals["graded"].iloc[0]  # blank score, points 145: never a grade


def test_analysis_tab_texts_kept_with_the_form():
    _, _, header = frames("dept_system_grid.xlsx")
    assert header["problems"].iloc[0] == "两项重点工作跨年度实施。"
    assert header["measures"].iloc[0] == "加强进度管理。"


def test_basic_data_sheet_read_long():
    from perfeval.io import read_basic_data

    data = read_basic_data(FORMS / "dept_hunan_score.xlsx")
    people = data[data["block"] == "财政供养人员情况"].set_index("column")["value"]
    assert people.to_dict() == {"编制数": 50, "实际在职人数": 52, "控制率": pytest.approx(1.04)}
    money = data[data["block"] == "经费控制情况"]
    assert money["item"].nunique() == 15 and set(money["kind"]) == {"money"}
    sangong = money[money["item"] == "三公经费"].set_index("column")["value"]
    assert sangong.to_dict() == {"上年决算数": 250_000, "本年预算数": 270_000, "本年决算数": 260_000}  # 万元 → 元
    with pytest.raises(InputError, match="基础数据表"):
        read_basic_data(FORMS / "dept_mof.xlsx")


def test_department_form_as_csv_without_merges(tmp_path):
    """The 江西 form saved as csv: merges lost, 分解目标 and 自评权重 written once per block."""
    from openpyxl import load_workbook

    ws = load_workbook(FORMS / "dept_jiangxi.xlsx").active
    lines = [",".join("" if v is None else str(v) for v in row) for row in ws.iter_rows(values_only=True)]
    (tmp_path / "jiangxi.csv").write_text("\n".join(lines), encoding="utf-8-sig")
    rows, money, _ = dept_forms_to_frames(read_dept_forms(tmp_path / "jiangxi.csv"))
    assert len(rows) == 9 and rows["points"].sum() == 100 and rows["score"].sum() == 88
    assert rows.groupby("level1", sort=False)["level1_points"].apply(lambda s: s.notna().all()).all()
    assert rows["level1_points"].tolist()[:4] == [30, 30, 30, 25]
    assert money.loc[money["is_total"], "budget_full_year"].iloc[0] == 5_000_000


def test_department_and_project_forms_in_one_workbook(tmp_path):
    """A 决算 annex: 部门整体支出绩效自评表 and 项目支出绩效自评表 side by side, merges lost on the way."""
    from openpyxl import load_workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, title in (("dept_mof.xlsx", "部门整体"), ("project_subtotals.xlsx", "项目")):
        src = load_workbook(FORMS / name).active
        ws = wb.create_sheet(title)
        for row in src.iter_rows(values_only=True):
            ws.append(list(row))
    wb.save(tmp_path / "annex.xlsx")
    forms = read_self_evaluation(tmp_path / "annex.xlsx")
    rows, budget = forms_to_frames(forms)
    assert list(budget["project_id"]) == ["示例县卫生健康委员会", "annex:项目"]
    assert budget["budget_full_year"].tolist() == [4_200_000, 2_000_000]  # the unmerged title is no budget column
    assert rows.groupby("project_id", sort=False)["points"].sum().tolist() == [90, 90]


def test_project_workbook_with_a_department_word_in_its_notes_stays_a_project_form(tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(FORMS / "project_subtotals.xlsx")
    notes = wb.create_sheet("填表说明")
    notes.append(["部门整体支出绩效自评表另行填报"])
    notes.append(["单位名称", "示例市养老服务中心"])
    wb.save(tmp_path / "with_notes.xlsx")
    forms = read_self_evaluation(tmp_path / "with_notes.xlsx")
    assert [f.project_name for f in forms] == ["示例市社区养老服务补助"]
    assert any("填表说明" in n for n in forms[0].notes)
