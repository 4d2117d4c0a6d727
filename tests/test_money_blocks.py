"""Money blocks as published across provinces, and the forms perfeval must refuse to grade.

Fixtures: tests/data/forms/money_variants.xlsx (one sheet a layout) and the refusal forms, written by
tests/data/make_money_forms.py from the layouts listed in real-tables.md ("Money-block variants
seen"); expected execution scores are 分值 × 执行数 / 预算数 (half-up, 2 dp) worked by hand from the
amounts on each sheet, as listed in tests/data/forms/README.md. Every indicator target is met, so
a total is the execution score + 90 (+ 80 on the 20-point forms).
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import perfeval as pe
from perfeval.io import forms_to_frames, read_self_evaluation

FORMS = Path(__file__).parent / "data" / "forms"

# sheet → (project_id, execution points, execution score, total, review codes)
VARIANTS = {
    "预算数AB": ("MB2021-001", 20, 19.4, 99.4, set()),        # 20 × 291/300
    "调整预算数": ("MB2021-002", 10, 9.5, 99.5, set()),        # 10 × 456/480
    "调整后预算数": ("MB2021-003", 10, 9.8, 99.8, set()),      # 10 × 245/250
    "全年调整预算数": ("MB2021-004", 10, 9.5, 99.5, set()),    # 10 × 1140/1200
    "到位数": ("MB2021-005", 10, 9.5, 99.5, set()),            # 10 × 760/800 (到位数 780 not used)
    "本级合计": ("MB2021-006", 10, 9.8, 99.8, set()),          # 10 × 392/400 (合计; 本级 300 not used)
    "仅年初预算数": ("MB2021-007", 10, 9.5, 99.5, {"EXEC_BASE_FALLBACK"}),  # 10 × 570/600
    "无行标签": ("MB2021-008", 10, 9.7, 99.7, set()),          # 10 × 97/100
    "表头分值": ("MB2021-009", 20, 19.8, 99.8, set()),         # 20 × 990/1000, points in the heading
    "超预算": ("MB2021-010", 10, 10, 100, {"OVER_BUDGET", "EXEC_SCORE_OVER_POINTS"}),  # 105/100 capped
}


def scored(name, **scheme):
    forms = read_self_evaluation(FORMS / name)
    rows, budget = forms_to_frames(forms)
    return forms, pe.score(rows, budget, **scheme)


@pytest.fixture(scope="module")
def variants():
    return scored("money_variants.xlsx")


@pytest.mark.parametrize("sheet", list(VARIANTS))
def test_every_published_money_layout_is_scored_right(variants, sheet):
    forms, card = variants
    pid, points, exec_score, total, codes = VARIANTS[sheet]
    assert next(f.project_id for f in forms if f.source_sheet == sheet) == pid
    one = card.project(pid)
    t = one.totals.iloc[0]
    assert (t.exec_points, t.exec_score, t.total, t.grade) == (points, pytest.approx(exec_score), pytest.approx(total),
                                                               "优")
    assert set(one.flags.code) == codes, one.flags.message.tolist()
    assert t.graded and not t.money_problem


@pytest.mark.parametrize("sheet,words", [
    ("调整预算数", ["调整预算数(A)", "读作全年预算数", "详见附件", "“一”", "不影响评分"]),
    ("调整后预算数", ["调整后预算数", "读作全年预算数"]),
    ("全年调整预算数", ["全年（调整）预算数", "读作全年预算数"]),
    ("到位数", ["“到位数”不参与执行率计算"]),
    ("本级合计", ["“本级”不参与执行率计算", "“合计”，读作全年预算数"]),
    ("仅年初预算数", ["只有“年初预算数(A)”", "按年初预算数计算"]),
    ("无行标签", ["没有行标签，按年度资金总额读取"]),
    ("表头分值", ["预算执行分值写在表头“分值 20”，读为分值 20"]),
    ("预算数AB", ["预算执行分值写在表头“得分（20分*执行率）”，读为分值 20"]),
])
def test_the_reader_says_how_it_read_each_layout(variants, sheet, words):
    forms, _ = variants
    notes = "\n".join(next(f.notes for f in forms if f.source_sheet == sheet))
    assert all(w in notes for w in words), notes


def test_exec_base_initial_computes_the_rate_on_the_initial_budget(variants):
    """--exec-base initial: 456 / 500 = 91.2 % → 9.12 on the 调整预算数 sheet (the form's own B/A is on 480,
    hence RATE_MISMATCH); on a form with only 年初预算数 nothing falls back any more."""
    _, card = scored("money_variants.xlsx", exec_base="initial")
    t = card.project("MB2021-002").totals.iloc[0]
    assert t.exec_score == 9.12 and "RATE_MISMATCH" in set(card.project("MB2021-002").flags.code)
    only_initial = card.project("MB2021-007")
    assert only_initial.totals.exec_score.iloc[0] == 9.5 and only_initial.flags.empty
    assert "年初预算数" in card.conventions["执行率基数 (execution base)"]


def test_execution_rounding_is_separate_from_row_rounding():
    """A unit that rounds its execution score to an integer keeps row scores such as 10.8 and 9.47:
    yuan_thousands.xlsx, 10 × 1 150 000 / 1 215 457.60 = 9.46 → 9; rows 67.21 → total 76.21 (中)."""
    _, card = scored("yuan_thousands.xlsx", exec_rounding="int")
    t = card.totals.iloc[0]
    assert t.exec_score == 9 and t.rows_score == pytest.approx(67.21) and t.total == pytest.approx(76.21)
    assert 10.8 in card.rows.score.tolist() and t.grade == "中"
    assert "四舍五入取整" in card.conventions["执行得分取舍 (execution score rounding)"]


def test_an_unreadable_money_block_gives_no_execution_score_and_no_grade():
    forms, card = scored("money_unreadable.xlsx")
    t = card.totals.iloc[0]
    assert np.isnan(t.exec_score) and np.isnan(t.total) and pd.isna(t.grade) and not t.graded
    assert np.isnan(t.budget_full_year) and np.isnan(t.spent)  # no amount from a block that could not be read
    assert set(card.flags.code) == {"MONEY_UNREADABLE"}
    message = card.flags.message.iloc[0]
    for word in ("money_unreadable.xlsx", "工作表 自评表", "第 7 行", "列 F", "约508万", "全年执行数", "年初预算数、全年预算数"):
        assert word in message, message
    assert "按明细行合计" not in "\n".join(forms[0].notes)


def test_a_money_block_without_known_headings_is_named_not_ignored():
    _, card = scored("money_unrecognised.xlsx")
    t = card.totals.iloc[0]
    assert pd.isna(t.grade) and t.withheld == "项目资金表无法读取"
    message = card.flags.message.iloc[0]
    assert "第 6 行" in message and "资金来源一" in message and "使用情况" in message


def test_negative_infinite_and_absurd_amounts_are_refused_for_that_project():
    _, card = scored("money_invalid.xlsx")
    assert set(card.flags.code) == {"MONEY_INVALID"} and pd.isna(card.totals.grade.iloc[0])
    assert "全年执行数 -500000 元为负数" in card.flags.message.iloc[0]
    rows, _ = forms_to_frames(read_self_evaluation(FORMS / "mof_clean.xlsx"))
    budget = pd.DataFrame({"project_id": ["A", "B", "C", "D"], "budget_full_year": [1e308, 1e6, 2e12, 1e6],
                           "spent": [1e308, np.inf, 1e6, 2e6]})
    many = pd.concat([rows.assign(project_id=p) for p in budget.project_id], ignore_index=True)
    card = pe.score(many, budget)
    t = card.totals.set_index("project_id")
    assert list(t.graded) == [False, False, False, True]
    assert np.isnan(t.loc["A", "exec_score"]) and np.isnan(t.loc["A", "exec_rate"])  # never "inf%" full marks
    assert "不是有限数" in card.flags[card.flags.project_id == "B"].message.iloc[0]
    over = card.flags[card.flags.project_id == "D"]
    assert set(over.code) == {"OVER_BUDGET"} and t.loc["D", "exec_score"] == 9.78 * 0 + 10  # capped at its points
    json.dumps(card.to_dict(), allow_nan=False)  # no NaN or Infinity in JSON


def test_a_blank_awarded_score_is_not_filled_with_the_rule_score():
    _, card = scored("blank_score.xlsx")
    row = card.rows[card.rows.level3 == "按期完成率"].iloc[0]
    assert np.isnan(row.score) and row.reference_score == 15 and row.score_source == "none"
    assert "NOT_SCORED" in row["flags"]
    flag = card.flags[card.flags.code == "NOT_SCORED"].iloc[0]
    assert flag.row == 14 and "规则参考分 15，未代为填入" in flag.message
    t = card.totals.iloc[0]
    assert pd.isna(t.grade) and np.isnan(t.total) and t.withheld == "未评分"


def test_a_cover_sheet_is_skipped_and_points_in_names_are_points():
    forms, card = scored("cover_sheet.xlsx")
    assert [f.source_sheet for f in forms] == ["自评表"]
    assert any("工作表“封面”" in n and "自评表取自工作表“自评表”" in n for n in forms[0].notes)
    rows = card.rows.set_index("level3")
    assert rows.loc["档案管理规范性（5分）", "points"] == 5          # 分值 from the name, the cell being blank
    assert rows.loc["资金使用合规性4分", "t_kind"] == "qualitative"  # target 合规, not “4分”
    assert rows.loc["农技服务体系运行", "met"] == 1 and rows.loc["农技服务体系运行", "reference_score"] == 20  # 长期/长期
    t = card.totals.iloc[0]
    assert (t.total, t.grade) == (99.5, "优") and card.flags.empty


def test_a_scheme_that_does_not_fit_the_form_is_refused_with_the_fix():
    """--scheme exec-20 on a 10 + 90 form would be 110 points: not a 109.78 优, an error naming the fix."""
    _, card = scored("mof_clean.xlsx", scheme="exec-20")
    assert set(card.flags.code) == {"SCHEME_MISMATCH"} and pd.isna(card.totals.grade.iloc[0])
    message = card.flags.message.iloc[0]
    assert "20 + 表内指标分值 90 = 110" in message and "--scheme mof-2020" in message and "--exec-points 10" in message


@pytest.mark.parametrize("heading,field", [
    ("年初预算数", "budget_initial"), ("年初预算数(A)", "budget_initial"), ("年初批复数", "budget_initial"),
    ("全年预算数", "budget_full_year"), ("全年预算数(A)", "budget_full_year"), ("调整预算数(A)", "budget_full_year"),
    ("调整后预算数", "budget_full_year"), ("全年(调整)预算数", "budget_full_year"), ("预算数", "budget_full_year"),
    ("预算数(A)", "budget_full_year"), ("合计", "budget_full_year"), ("批复预算数", "budget_full_year"),
    ("全年执行数", "spent"), ("执行数(B)", "spent"), ("预算执行数", "spent"), ("实际支出", "spent"),
    ("全年决算数", "spent"), ("到位数", "received"), ("本级", "component"), ("分值", "points"), ("分值20", "points"),
    ("执行率", "rate"), ("执行率(B/A)", "rate"), ("预算执行率", "rate"), ("得分", "score"),
    ("得分(20分*执行率)", "score"), ("项目资金(万元)", None), ("资金来源", None),
])
def test_money_headings_are_classified_as_published(heading, field):
    """real-tables.md, "Money-block variants seen": each heading names the field it is read as
    (headings are matched in normalised form: full-width brackets as ASCII, no spaces)."""
    from perfeval.io._money import classify_headings, points_in_heading

    assert classify_headings([heading]) == [field]
    if "20" in heading:
        assert points_in_heading(heading) == 20


def test_scores_are_read_from_the_column_that_holds_them():
    """real-tables.md ("More variants"): scores in a column headed 自评分 while 得分 stays empty; a 得分系数
    column (score = points × coefficient). score_columns.xlsx: 10 × 190/200 = 9.5 plus 90 (96.5 where
    验收合格率 has coefficient 0.8 of 15 points = 12)."""
    forms, card = scored("score_columns.xlsx")
    t = card.totals.set_index("project_id")
    assert t.loc["MB2021-016", "total"] == 99.5 and t.loc["MB2021-016", "published_total"] == 99.5
    assert t.loc["MB2021-017", "total"] == 96.5 and (t.graded).all()
    notes = {f.project_id: "\n".join(f.notes) for f in forms}
    assert "“得分”列为空，自评得分取自“自评分”列" in notes["MB2021-016"]
    assert "按 分值 × 得分系数 计算自评得分" in notes["MB2021-017"]
    row = card.project("MB2021-017").rows.set_index("level3").loc["验收合格率"]
    assert row.awarded_score == 12 and row.points == 15
    deviates = card.flags[card.flags.code == "AWARD_DEVIATES"].message.iloc[0]
    assert "按正向指标（≥）规则" in deviates and "positive" not in deviates


def test_points_that_do_not_add_up_say_what_to_do():
    """Relative weights in the 分值 column (Σ = 1) and a form whose rows already carry the full 100
    points are both refused (no grade) with the fix in the message."""
    rows, budget = forms_to_frames(read_self_evaluation(FORMS / "mof_clean.xlsx"))
    weights = rows.assign(points=rows["points"] / 90, score=rows["score"] / 90)
    card = pe.score(weights, budget)
    assert pd.isna(card.totals.grade.iloc[0]) and "像是相对权重" in card.flags.message.iloc[0]
    full = rows.assign(points=rows["points"] * 100 / 90, score=rows["score"] * 100 / 90)
    card = pe.score(full, budget.assign(exec_points=np.nan))
    message = card.flags[card.flags.code == "POINTS_TOTAL"].message.iloc[0]
    assert "预算执行不应另计分" in message and "--scheme exec-0" in message
