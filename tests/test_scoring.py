"""Scorecards (perfeval.score): totals, grades, computed vs awarded, conventions, review flags.

Rules and layout: domain.md §1.4–1.5 and real-tables.md (MOF 10/50/30/10 layout; 得分 = 分值 × 执行率
capped at 分值 with 执行率 = 全年执行数 / 全年预算数; target met → full marks; totals = execution score +
Σ row scores; grades 优 ≥ 90, 良 80–<90, 中 60–<80, 差 < 60).
"""
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfeval as pe
from perfeval.errors import InputError
from perfeval.synthetic import synthetic_portfolio

COLS = ["project_id", "level1", "level2", "level3", "target", "actual", "points", "score", "reason"]


def form_rows(pid="P1", **override):
    """A clean MOF-layout project: 产出 50 / 效益 30 / 满意度 10 (+ execution 10), every target met."""
    data = [
        (pid, "产出指标", "数量指标", "资助学生人数", "≥735人次", "740人次", 20, np.nan, None),
        (pid, "产出指标", "质量指标", "资助标准达标率", "=100%", "100%", 10, np.nan, None),
        (pid, "产出指标", "时效指标", "资金发放及时率", "≥95%", "98%", 10, np.nan, None),
        (pid, "产出指标", "成本指标", "项目成本", "≤90万元", "85万元", 10, np.nan, None),
        (pid, "效益指标", "社会效益指标", "家庭经济负担减轻", "有效", "有效", 20, np.nan, None),
        (pid, "效益指标", "可持续影响指标", "工程设计使用年限", "≥20年", "20年", 10, np.nan, None),
        (pid, "满意度指标", "服务对象满意度指标", "受助学生满意度", "≥95%", "97%", 10, np.nan, None),
    ]
    frame = pd.DataFrame(data, columns=COLS)
    for key, (idx, col, value) in override.items():
        frame.loc[idx, col] = value
    return frame


def budget(pid="P1", full=1_000_000.0, spent=950_000.0, **extra):
    return pd.DataFrame([{"project_id": pid, "budget_full_year": full, "spent": spent, **extra}])


def test_clean_project_total_and_grade():
    card = pe.score(form_rows(), budget())
    t = card.totals.iloc[0]
    assert t.exec_rate == pytest.approx(0.95) and t.exec_score == 9.5
    assert t.rows_score == 90 and t.total == 99.5 and t.grade == "优"
    assert card.flags.empty
    assert set(card.rows.rule) == {"positive", "equal", "reverse", "qualitative"}
    assert (card.rows.score_source == "rule").all()


def test_partial_completion_is_proportional_and_rounded():
    """[S7] a < t → round(a/t × w, 2): 700/735 × 20 = 19.047… → 19.05."""
    rows = form_rows(a=(0, "actual", "700人次"), r=(0, "reason", "部分学生转学"))
    card = pe.score(rows, budget())
    assert card.rows.reference_score.iloc[0] == 19.05
    assert card.totals.total.iloc[0] == pytest.approx(9.5 + 70 + 19.05)


def test_awarded_score_is_kept_and_deviation_flagged():
    rows = form_rows(a=(0, "actual", "700人次"), s=(0, "score", 18.0), r=(0, "reason", "转学"))
    card = pe.score(rows, budget(), blank_scores="rule")  # the other rows take their rule scores
    r0 = card.rows.iloc[0]
    assert (r0.reference_score, r0.awarded_score, r0.score, r0.score_source) == (19.05, 18.0, 18.0, "awarded")
    f = card.flags
    assert list(f.code) == ["AWARD_DEVIATES"] and f.iloc[0].expected == 19.05 and f.iloc[0].found == 18.0
    assert "AWARD_DEVIATES" in card.rows["flags"].iloc[0]


def test_qualitative_award_inside_band_is_not_a_deviation():
    """[S3] 达成 band 80–100 %: 基本达到 awarded 17/20 is accepted."""
    rows = form_rows(a=(4, "actual", "基本达到"), s=(4, "score", 17.0), r=(4, "reason", "部分家庭尚未覆盖"))
    card = pe.score(rows, budget(), blank_scores="rule")
    assert card.rows.reference_score.iloc[4] == 16.0
    assert card.flags.empty


@pytest.mark.parametrize("case,expected_codes", [
    ({"s": (1, "score", 8.0)}, {"MET_BUT_DEDUCTED", "AWARD_DEVIATES"}),
    ({"a": (2, "actual", "80%"), "s": (2, "score", 10.0), "r": (2, "reason", "—")}, {"UNMET_FULL_MARKS", "AWARD_DEVIATES"}),
    ({"a": (2, "actual", "80%")}, {"MISSING_REASON"}),
    ({"a": (0, "actual", "2000人次")}, {"TARGET_TOO_EASY"}),
    ({"t": (0, "target", "≥")}, {"UNPARSED_TARGET", "NOT_SCORED"}),
    ({"s": (3, "score", 12.0)}, {"OVER_POINTS", "AWARD_DEVIATES"}),
    ({"a": (3, "actual", "85人")}, {"UNIT_MISMATCH", "NOT_SCORED"}),
])
def test_row_flags(case, expected_codes):
    card = pe.score(form_rows(**case), budget(), blank_scores="rule")
    assert set(card.flags.code) == expected_codes


def test_project_flags_from_published_values():
    b = budget(published_total=95.0, published_grade="良好", published_rate=0.9501, published_exec_score=9.5)
    card = pe.score(form_rows(), b)
    codes = set(card.flags.code)
    assert codes == {"SUM_MISMATCH", "GRADE_MISMATCH", "RATE_MISMATCH"}
    sm = card.flags[card.flags.code == "SUM_MISMATCH"].iloc[0]
    assert sm.expected == 99.5 and sm.found == 95.0


def test_published_rate_rounded_to_one_decimal_is_not_flagged():
    """real-tables.md §2: rates are printed rounded to 2 dp, truncated, 1 dp or integers."""
    b = budget(full=700_000.0, spent=690_000.0, published_rate=0.986)   # 98.5714…% printed as 98.6%
    assert "RATE_MISMATCH" not in set(pe.score(form_rows(), b).flags.code)
    b = budget(full=700_000.0, spent=690_000.0, published_rate=0.9859)  # last digit off
    assert "RATE_MISMATCH" in set(pe.score(form_rows(), b).flags.code)


def test_points_total_and_low_exec_all_met_and_totals_row():
    rows = form_rows(p=(0, "points", 30.0))  # 110 points
    b = budget(spent=650_000.0, total_row_budget_full_year=0.0, detail_budget_full_year=1_000_000.0)
    codes = set(pe.score(rows, b).flags.code)
    assert {"POINTS_TOTAL", "LOW_EXEC_ALL_MET", "TOTALS_ROW_INCONSISTENT"} <= codes


def test_exec_points_from_form_and_scheme_override():
    """real-tables.md §1: 分值 is 10 (MOF), 20 in some provincial forms, 0 where execution is left out."""
    rows = form_rows(p=(0, "points", 10.0))  # 80 points of indicators + 20 execution
    card = pe.score(rows, budget(exec_points=20.0))
    assert card.totals.exec_score.iloc[0] == 19.0 and card.totals.total.iloc[0] == 99.0
    forced = pe.score(rows, budget(exec_points=20.0), exec_points=10.0, exec_points_source="scheme")
    assert forced.totals.exec_score.iloc[0] == 9.5
    # 10 + 80 ≠ 100 while the form's own 20 + 80 fits: the scheme does not fit the form, no grade (issue 7 §3)
    assert set(forced.flags.code) == {"SCHEME_MISMATCH"} and pd.isna(forced.totals.grade.iloc[0])
    assert "--exec-points 20" in forced.flags.message.iloc[0]
    assert pe.score(rows, budget(), "exec-20").totals.exec_score.iloc[0] == 19.0


def test_rounding_conventions_change_the_execution_score():
    """real-tables.md §2: execution scores seen at 2 dp half-up, integers, floored, ceiling at 2 dp."""
    b = budget(full=300_000.0, spent=289_000.0)  # 96.3333…%
    s = {name: pe.score(form_rows(), b, score_rounding=name).totals.exec_score.iloc[0]
         for name in ("half_up_2dp", "int", "floor_int", "ceil_2dp")}
    assert s == {"half_up_2dp": 9.63, "int": 10.0, "floor_int": 9.0, "ceil_2dp": 9.64}
    trunc = pe.score(form_rows(), budget(full=3.0, spent=2.0), rate_rounding="trunc_2dp")
    assert trunc.totals.exec_rate.iloc[0] == pytest.approx(0.6666) and trunc.totals.exec_score.iloc[0] == 6.67


def test_grade_on_unrounded_total():
    """[S1][S2] half-open bands on the unrounded total: 89.996 is 良 even though it prints as 90.00."""
    rows = form_rows()
    rows.loc[0, "score"] = 19.996
    rows.loc[0, "reason"] = "说明"
    card = pe.score(rows, budget(spent=1_000_000.0), score_rounding="none", blank_scores="rule")
    t = card.totals.iloc[0]
    assert t.total_unrounded == pytest.approx(99.996)
    rows.loc[:, "score"] = rows.points
    rows.loc[0, "score"] = 9.996
    rows.loc[1:, "score"] = [10, 10, 10, 20, 10, 10]
    card = pe.score(rows, budget(spent=1_000_000.0), score_rounding="none")
    t = card.totals.iloc[0]
    assert t.total_unrounded == pytest.approx(89.996) and t.grade == "良"
    bands = pe.GradeBands(on="rounded")
    card2 = pe.score(rows, budget(spent=1_000_000.0), score_rounding="half_up_2dp", grades=bands)
    assert card2.totals.total.iloc[0] == 90.0 and card2.totals.grade.iloc[0] == "优"


def test_conventions_recorded():
    card = pe.score(form_rows(), budget(), "exec-20", score_rounding="int")
    conv = card.conventions
    assert conv["方案 (scheme)"] == "exec-20"
    assert conv["预算执行率分值 (execution points)"] == 20
    assert "取整" in conv["得分取舍 (score rounding)"]
    assert "优 ≥90" in conv["评价等级 (grade bands)"]
    assert json.dumps(card.to_dict(), ensure_ascii=False)


def test_one_project_equals_the_same_project_in_a_portfolio():
    rows, b = synthetic_portfolio(300, seed=3)
    whole = pe.score(rows, b)  # most projects are withheld (blank scores on hand-scored forms): the same alone
    pid = b.project_id.iloc[123]
    alone = pe.score(rows[rows.project_id == pid], b[b.project_id == pid])
    pd.testing.assert_frame_equal(whole.project(pid).totals.reset_index(drop=True),
                                  alone.totals.reset_index(drop=True), check_dtype=False)
    a, w = alone.rows, whole.project(pid).rows
    assert a.score.tolist() == w.score.tolist() and a["flags"].tolist() == w["flags"].tolist()


def test_levels_subtotals():
    card = pe.score(form_rows(a=(0, "actual", "700人次"), r=(0, "reason", "x")), budget())
    lv = card.levels
    l1 = lv[lv.level == 1].set_index("level1")
    assert l1.loc["预算执行率", "score"] == 9.5
    assert l1.loc["产出指标", "points"] == 50 and l1.loc["产出指标", "score"] == pytest.approx(49.05)
    assert l1.loc["产出指标", "rate"] == pytest.approx(49.05 / 50)
    assert len(lv[lv.level == 2]) == 7


def test_missing_budget_is_flagged_not_fatal():
    """No amounts: no execution score is invented (NaN, not 0) and no grade is given (issue 7 §3)."""
    card = pe.score(form_rows(), None)
    t = card.totals.iloc[0]
    assert np.isnan(t.exec_score) and "NO_BUDGET" in set(card.flags.code)
    assert pd.isna(t.grade) and np.isnan(t.total) and t.rows_score == 90 and "缺少预算执行数据" in t.withheld


def test_bad_input_names_the_row_and_column():
    rows = form_rows()
    rows["source_file"], rows["source_sheet"], rows["source_row"] = "a.xlsx", "Sheet1", range(10, 17)
    rows["points"] = rows["points"].astype(object)
    rows.loc[2, "points"] = "十分"
    with pytest.raises(InputError) as e:
        pe.score(rows, budget())
    msg = str(e.value)
    assert "a.xlsx" in msg and "Sheet1" in msg and "第 12 行" in msg and "points" in msg and "十分" in msg
    with pytest.raises(InputError, match="actual"):
        pe.score(form_rows().drop(columns="actual"))
    with pytest.raises(InputError, match="unknown scheme"):
        pe.score(form_rows(), budget(), "nope")


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=40), st.integers(min_value=0, max_value=10_000))
def test_totals_within_bounds_and_graded_by_bands(n, seed):
    rows, b = synthetic_portfolio(n, seed=seed)
    card = pe.score(rows, b, blank_scores="rule")  # synthetic rows leave most scores to the rule
    t = card.totals
    assert ((t.total >= 0) & (t.total <= 100)).all()
    s = card.rows
    assert ((s.reference_score.isna()) | ((s.reference_score >= 0) & (s.reference_score <= s.points))).all()
    assert list(t.grade) == list(pe.GradeBands().grade(t.total_unrounded))
    assert t.total.tolist() == pe.apply_rounding(t.exec_score + t.rows_score, "half_up_2dp").tolist()


def test_rescoring_a_result_gives_the_same_scores():
    """A scorecard's rows can be scored again (e.g. after editing an awarded score)."""
    first = pe.score(form_rows(a=(0, "actual", "700人次"), r=(0, "reason", "x")), budget())
    again = pe.score(first.rows.assign(score=first.rows.awarded_score), budget())
    assert again.rows.columns.is_unique
    assert again.totals.total.iloc[0] == first.totals.total.iloc[0]
    assert again.rows.rule.tolist() == first.rows.rule.tolist()


@pytest.mark.parametrize("target,actual,score", [("否", "否", 10), ("否", "是", 0), ("是", "是", 10),
                                                 ("0起", "2起", 0), ("0起", "0起", 10)])
def test_yes_no_and_zero_targets(target, actual, score):
    """是/否 rows are met when the actual says what the target says; "0起" (no operator) must stay at 0."""
    rows = form_rows(t=(1, "target", target), a=(1, "actual", actual), r=(1, "reason", "说明"))
    assert pe.score(rows, budget()).rows.reference_score.iloc[1] == score


def test_exec_presets_force_their_points():
    rows = form_rows()
    assert pe.score(rows, budget(exec_points=10.0), "exec-0").totals.exec_score.iloc[0] == 0


def test_project_ids_read_as_numbers_and_missing_ids():
    rows = form_rows()
    rows["project_id"] = 1.0
    card = pe.score(rows, budget(pid=1))
    assert card.totals.project_id.tolist() == ["1"] and card.totals.exec_score.iloc[0] == 9.5
    rows.loc[3, "project_id"] = np.nan
    with pytest.raises(InputError, match="project_id"):
        pe.score(rows, budget(pid=1))


def test_budget_without_rows_is_flagged_and_not_graded():
    b = pd.concat([budget(), budget(pid="P2")], ignore_index=True)
    card = pe.score(form_rows(), b)
    t = card.totals.set_index("project_id")
    assert pd.isna(t.loc["P2", "grade"]) and "NO_ROWS" in set(card.project("P2").flags.code)


def test_non_numeric_published_total_is_a_clear_error():
    with pytest.raises(InputError, match="published_total"):
        pe.score(form_rows(), budget(published_total="九十五分"))


def test_custom_grade_labels_match_their_own_variants():
    bands = pe.GradeBands(labels=("优秀", "良好", "合格", "不合格"))
    card = pe.score(form_rows(), budget(published_total=99.5, published_grade="优秀"), grades=bands)
    assert card.totals.grade.iloc[0] == "优秀" and "GRADE_MISMATCH" not in set(card.flags.code)
    card = pe.score(form_rows(), budget(published_total=99.5, published_grade="良"), grades=bands)
    assert "GRADE_MISMATCH" in set(card.flags.code)


def test_html_views_escape_user_text():
    from perfeval.io import read_self_evaluation

    rows = form_rows(pid="<script>x</script>")
    card = pe.score(rows, budget(pid="<script>x</script>"))
    assert "<script>x</script>" not in card._repr_html_()
    from pathlib import Path
    form = read_self_evaluation(Path(__file__).parent / "data" / "forms" / "mof_clean.xlsx")[0]
    import dataclasses
    evil = dataclasses.replace(form, project_name="<img src=x onerror=alert(1)>")
    assert "<img src=x" not in evil._repr_html_()


def test_rate_printed_as_an_integer_must_match_at_integer_precision():
    """98.01 % may print as 98 % (half-up, floor) but not as 99 %; 98.6 % is 98.57 % at 1 dp."""
    b = budget(full=10_000.0, spent=9_801.0, published_rate=0.98)
    assert "RATE_MISMATCH" not in set(pe.score(form_rows(), b).flags.code)
    b = budget(full=10_000.0, spent=9_801.0, published_rate=0.99)
    assert "RATE_MISMATCH" in set(pe.score(form_rows(), b).flags.code)


@pytest.mark.parametrize("target,actual", [("≥95%", "0.96"), ("≥100万元", "1000000")])
def test_bare_actual_with_a_doubtful_magnitude_is_flagged(target, actual):
    rows = form_rows(t=(2, "target", target), a=(2, "actual", actual), r=(2, "reason", "说明"))
    assert "UNIT_ASSUMED" in set(pe.score(rows, budget()).flags.code)
    rows = form_rows(t=(2, "target", "≥95%"), a=(2, "actual", "96"))
    assert "UNIT_ASSUMED" not in set(pe.score(rows, budget()).flags.code)


def test_unknown_rule_or_missing_parameter_is_a_clear_error():
    rows = form_rows()
    rows["rule"] = "auto"
    rows.loc[0, "rule"] = "positiv"
    with pytest.raises(InputError, match="positiv"):
        pe.score(rows, budget())
    rows.loc[0, "rule"] = "deduction"
    with pytest.raises(InputError, match="per_unit"):
        pe.score(rows, budget())
