"""Target declarations (绩效目标申报表): the reader and the review (绩效目标审核).

Review content after 财预〔2015〕88号 and issue 10 (completeness, measurability, relevance,
appropriateness, ambition, plausibility); result grades and consequences [S22]: 优 → straight to
budgeting; 良 → settled with the finance bureau; 中 → revise and resubmit; 差 → may not enter the
budget. The checks' thresholds and severities are perfeval settings (TargetRules).
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from perfeval import datasets
from perfeval.errors import InputError
from perfeval.io.declaration import declarations_to_frames, read_declarations
from perfeval.review import TargetRules, review_targets

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"

CLEAN = [("产出指标", "数量指标", "改造农村户厕", "≥1650户"), ("产出指标", "质量指标", "改厕验收合格率", "=100%"),
         ("产出指标", "时效指标", "完成时间", "2022年11月"), ("产出指标", "成本指标", "户均改厕补助", "≤1200元/户"),
         ("效益指标", "社会效益指标", "村容村貌", "明显改善"), ("满意度指标", "服务对象满意度指标", "村民满意度", "≥90%")]


def _frames(decls: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """{project_id: (funds 元, goal, rows)} → the (rows, header) pair review_targets takes."""
    rows = pd.DataFrame([(pid, *r) for pid, (_, _, rs) in decls.items() for r in rs],
                        columns=["project_id", "level1", "level2", "level3", "target"])
    rows["source_row"] = rows.groupby("project_id").cumcount() + 11
    header = pd.DataFrame([{"project_id": pid, "project_name": f"项目{pid}", "department": "示例局", "funds": funds,
                            "goal": goal} for pid, (funds, goal, _) in decls.items()])
    return rows, header


def _review(rows, funds=2_000_000, goal="完成户厕改造", **kw):
    return review_targets(_frames({"P": (funds, goal, rows)}), **kw)


def test_a_clean_declaration_is_graded_excellent_and_goes_straight_to_budgeting():
    r = _review(CLEAN)
    assert r.findings.empty
    s = r.summary.iloc[0]
    assert s["grade"] == "优" and s["consequence"] == "直接进入预算编审流程"
    assert s["n_indicators"] == 6 and s["measurable_share"] == pytest.approx(5 / 6)


@pytest.mark.parametrize("rows, code, severity, grade", [
    ([r for r in CLEAN if r[1] != "时效指标"], "MISSING_CATEGORY", "major", "中"),
    ([r for r in CLEAN if r[1] != "成本指标"], "MISSING_CATEGORY", "minor", "良"),
    (CLEAN + [("产出指标", "数量指标", "资金到位率", "=100%")], "INPUT_AS_OUTPUT", "major", "中"),
    (CLEAN + [("产出指标", "数量指标", "投入工作人员", "≥30人")], "INPUT_AS_OUTPUT", "major", "中"),
    (CLEAN + [("产出指标", "时效指标", "资金支付率", "≥95%")], "INPUT_AS_OUTPUT", "major", "中"),  # found in training
    (CLEAN + [("产出指标", "数量指标", "项目总投资", "≥500万元")], "INPUT_AS_OUTPUT", "major", "中"),
    ([("产出指标", "数量指标", "改造农村户厕", "按计划完成")] + CLEAN[1:], "VAGUE_OUTPUT", "major", "中"),
    ([("产出指标", "数量指标", "改造农村户厕", "1650")] + CLEAN[1:], "INDICATOR_INCOMPLETE", "minor", "良"),
    ([("产出指标", "数量指标", "改造农村户厕", "")] + CLEAN[1:], "INDICATOR_INCOMPLETE", "minor", "良"),
    (CLEAN[:5] + [("满意度指标", "服务对象满意度指标", "村民满意度", "=100%")], "SATISFACTION_100", "minor", "良"),
    (CLEAN[:5] + [("满意度指标", "服务对象满意度指标", "村民满意度", "≥60%")], "SATISFACTION_RANGE", "minor", "良"),
    (CLEAN[:5] + [("满意度指标", "服务对象满意度指标", "村民满意度", "群众满意")], "SATISFACTION_RANGE", "minor", "良"),
    ([r for r in CLEAN if r[0] != "产出指标"], "NO_OUTPUT", "critical", "差"),
])
def test_each_check_finds_its_problem_with_its_severity_and_the_grade_follows(rows, code, severity, grade):
    r = _review(rows)
    hit = r.findings[r.findings["code"] == code]
    assert len(hit) >= 1 and set(hit["severity"]) == {severity}, r.findings[["code", "severity", "message"]]
    assert r.summary.iloc[0]["grade"] == grade
    assert hit["message"].str.len().gt(4).all() and hit["fix"].str.len().gt(4).all()


def test_goal_funds_and_an_empty_declaration():
    r = review_targets(_frames({"A": (float("nan"), None, CLEAN), "B": (1e6, "目标", [])}))
    codes = r.findings.groupby("project_id")["code"].apply(set)
    assert {"NO_GOAL", "NO_FUNDS"} <= codes["A"] and codes["B"] == {"NO_INDICATORS"}
    assert r.summary.set_index("project_id")["grade"].to_dict() == {"A": "中", "B": "差"}


def test_three_kinds_of_major_problems_make_it_poor():
    rows = [r for r in CLEAN if r[1] != "时效指标"] + [("产出指标", "数量指标", "资金到位率", "=100%")]
    r = _review(rows, goal=None)
    s = r.summary.iloc[0]
    assert s["grade"] == "差" and s["consequence"] == "不得进入预算编审流程" and "3 类" in s["grade_reason"]
    assert _review(rows, goal=None, rules=TargetRules(major_limit=4)).summary.iloc[0]["grade"] == "中"


def test_low_measurability_is_a_share_of_quantitative_indicators():
    rows = CLEAN[:4] + [("效益指标", "社会效益指标", f"效益{i}", "明显改善") for i in range(4)] + CLEAN[5:]
    r = _review(rows)
    assert "LOW_MEASURABILITY" in set(r.findings["code"]) and "55.6%" in r.findings["message"].str.cat()  # 5 of 9
    assert "LOW_MEASURABILITY" not in set(_review(rows, rules=TargetRules(min_measurable=0.4)).findings["code"])


def test_cost_indicators_against_the_budget():
    """户均改厕补助 1200 元/户 × 1650 户 = 198 万元 against funds: 200 万 fits; 100 万 is short; 500 万 is far too much."""
    assert _review(CLEAN, funds=2_000_000).findings.empty
    over = _review(CLEAN, funds=1_000_000).findings
    assert over["code"].tolist() == ["COST_VS_BUDGET"] and "198.00 万元" in over["message"].iloc[0]
    assert _review(CLEAN, funds=5_000_000).findings["code"].tolist() == ["COST_VS_BUDGET"]
    scaled = [("产出指标", "数量指标", "改造灌溉面积", "≥1.5万亩"), ("产出指标", "成本指标", "亩均工程投资", "≤1500元/亩")]
    msg = _review(scaled + CLEAN[1:3] + CLEAN[4:], funds=10_000_000).findings
    assert msg["code"].tolist() == ["COST_VS_BUDGET"] and "2,250.00 万元" in msg["message"].iloc[0]  # 万亩 → 亩
    total = [("产出指标", "成本指标", "项目总成本", "≤300万元")]
    assert "COST_VS_BUDGET" in set(_review(CLEAN[:3] + total + CLEAN[4:], funds=2_000_000).findings["code"])


def test_ambition_against_last_years_actual():
    history = pd.DataFrame({"project_id": ["P", "P", "P"], "level3": ["改造农村户厕", "改厕验收合格率", "村民满意度"],
                            "target": ["≥1490户", "=100%", "≥90%"], "actual": ["1700户", "100%", "97%"]})
    r = _review(CLEAN, history=history)
    assert r.findings["code"].tolist() == ["BELOW_HISTORY"] and r.findings["indicator"].iloc[0] == "改造农村户厕"
    # equal to last year's actual: flagged only when last year beat its target
    same = history.assign(actual=["1650户", "100%", "97%"])
    assert r.rows["history"].notna().sum() == 3
    assert _review(CLEAN, history=same).findings["code"].tolist() == ["BELOW_HISTORY"]
    met_exactly = same.assign(target=["≥1650户", "=100%", "≥90%"])
    assert _review(CLEAN, history=met_exactly).findings.empty


def _with_history(target, actual, name="改造农村户厕"):
    rows = [(*CLEAN[0][:3], target)] + CLEAN[1:]
    history = pd.DataFrame({"project_id": ["P"], "level3": [name], "actual": [actual]})
    f = _review(rows, history=history).findings
    return f[f["code"] != "COST_VS_BUDGET"]  # 1200 元/户 × the new count is beside the point here


def test_ten_thousand_prefixed_counts_are_compared_with_last_year_and_other_units_are_reported():
    """0.5万户 is 5 000 户, below last year's 6 200 户; 5 000 人 against 户 cannot be compared: a finding, not silence."""
    assert _with_history("≥0.5万户", "6200户")["code"].tolist() == ["BELOW_HISTORY"]
    assert _with_history("≥0.7万户", "6200户").empty  # 7 000 户 is above last year
    assert _with_history("≥5000户", "0.62万户")["code"].tolist() == ["BELOW_HISTORY"]  # the prefix on last year's side
    other = _with_history("≥5000人", "6200户")
    assert other["code"].tolist() == ["HISTORY_UNIT_MISMATCH"] and set(other["severity"]) == {"minor"}
    assert "单位不同" in other["message"].iloc[0] and "6200户" in other["message"].iloc[0]


@pytest.mark.parametrize("name, is_input", [
    ("资金拨付", True), ("专项资金使用", True), ("培训经费", True), ("财政资金下达", True), ("设备购置资金", True),
    ("补助资金拨付及时率", False), ("救助资金及时拨付率", False), ("购置医疗设备", False), ("设备购置完成率", False),
    ("生均公用经费补助标准", False)])
def test_input_words_catch_money_given_out_but_not_real_outputs(name, is_input):
    """Money released or spent is an input; disbursing subsidies on time and the equipment bought are outputs."""
    r = _review(CLEAN + [("产出指标", "时效指标", name, "=100%")])
    assert ("INPUT_AS_OUTPUT" in set(r.findings["code"])) == is_input, r.findings[["code", "message"]]


def test_negative_funds_are_not_reported_as_missing():
    r = _review(CLEAN, funds=-50_000)
    assert r.findings["code"].tolist() == ["FUNDS_NOT_POSITIVE"]
    assert r.findings["message"].iloc[0] == "年度资金总额须为正数，实际为 -5.00 万元"
    assert r.summary.iloc[0]["grade"] == "中"
    assert _review(CLEAN, funds=float("nan")).findings["code"].tolist() == ["NO_FUNDS"]


@pytest.mark.parametrize("target, flagged", [("≥500%", True), ("=100.5%", True), ("≥100%", False), ("≥98%", False)])
def test_a_rate_above_100_percent_is_a_major_finding(target, flagged):
    rows = [CLEAN[0], (*CLEAN[1][:3], target)] + CLEAN[2:]
    r = _review(rows)
    assert ("RATE_OVER_100" in set(r.findings["code"])) == flagged
    if flagged:
        assert r.summary.iloc[0]["grade"] == "中"


def test_a_growth_rate_may_exceed_100_percent():
    r = _review(CLEAN + [("效益指标", "经济效益指标", "农户收入增长率", "≥150%")])
    assert "RATE_OVER_100" not in set(r.findings["code"])


def _write_declaration(path: Path, lines: list[list]):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in lines:
        ws.append(row)
    wb.save(path)


def test_the_reader_handles_the_official_layouts(tmp_path):
    """Money in 元 with thousands separators below its label, 总体目标 with 中期/年度, 中期指标值 beside 年度指标值,
    the 指标性质/指标值/度量单位 split, a 上年实际完成值 column."""
    path = tmp_path / "official.xlsx"
    _write_declaration(path, [
        ["项目支出绩效目标申报表（2022年度）"],
        ["项目名称", "测试项目", "项目编码", "T-001"],
        ["主管部门", "示例局", "实施单位", "示例中心"],
        ["项目资金（元）", "中期资金总额", None, "年度资金总额"],
        [None, "3,000,000", None, "1,215,457.60"],
        ["总体目标", "中期目标", None, "年度目标"],
        [None, "三年建成", None, "当年完成一期"],
        ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "中期指标值", "上年实际完成值"],
        ["产出指标", "数量指标", "建设站点", "≥", "40", "个", "120", "35个"],
        [None, "时效指标", "完成时间", "定性", "2022年9月", None, None, None],
        ["满意度指标", "服务对象满意度指标", "群众满意度", "正向", "90", "%", None, "95%"],
    ])
    d = read_declarations(path)[0]
    assert (d.project_id, d.project_name, d.department, d.unit, d.year) == ("T-001", "测试项目", "示例局", "示例中心", 2022)
    assert d.funds == pytest.approx(1_215_457.60) and d.money_unit == "元" and d.goal == "当年完成一期"
    assert d.rows["target"].tolist() == ["≥40个", "2022年9月", "≥90%"]
    assert d.rows["history"].tolist() == ["35个", None, "95%"] and d.rows["level1"].tolist()[1] == "产出指标"
    r = review_targets([d])
    assert set(r.findings["code"]) == {"MISSING_CATEGORY"}  # 质量, 成本, 效益 missing; the rest is fine


def test_a_csv_declaration_in_gbk_and_errors_that_name_the_file(tmp_path):
    text = ("项目名称,测试项目\n项目编码,T-002\n资金情况（万元）,年度资金总额,505.80\n年度总体目标,完成改造\n"
            "一级指标,二级指标,三级指标,指标值\n产出指标,数量指标,改造面积,≥12700平方米\n")
    path = tmp_path / "gbk.csv"
    path.write_bytes(text.encode("gbk"))
    d = read_declarations(path)[0]
    assert d.funds == pytest.approx(5_058_000) and d.goal == "完成改造" and any("GB18030" in n for n in d.notes)
    bad = tmp_path / "notes.csv"
    bad.write_text("随便写点什么\n没有表头\n", encoding="utf-8")
    with pytest.raises(InputError, match="notes.csv"):
        read_declarations(bad)
    old = tmp_path / "old.xls"
    old.write_text("x", encoding="utf-8")  # text under an .xls name is read as text: no declaration in it
    with pytest.raises(InputError, match="old.xls.*没有找到绩效目标申报表"):
        read_declarations(old)


@pytest.fixture(scope="module")
def sample_review():
    rows, _ = datasets.self_evaluation(SAMPLE)
    return review_targets(datasets.next_year_declarations(SAMPLE), history=rows)


def test_the_sample_citys_planted_flaws_are_found_and_the_clean_ones_pass(sample_review):
    story = json.loads((SAMPLE / "story.json").read_text(encoding="utf-8"))["next_year"]
    r = sample_review
    codes = r.findings.groupby("project_id")["code"].apply(set)
    expected = {"drop_timeliness": "MISSING_CATEGORY", "vague_outputs": "VAGUE_OUTPUT", "below_history": "BELOW_HISTORY",
                "no_goal": "NO_GOAL", "inputs_as_outputs": "INPUT_AS_OUTPUT", "satisfaction_100": "SATISFACTION_100"}
    for pid, flaws in story["planted_declaration_flaws"].items():
        assert {expected[f] for f in flaws} <= codes[pid], pid
    grades = r.summary.set_index("project_id")["grade"]
    assert grades["SZ2021-162"] == "差" and grades["SZ2021-001"] == "优" and grades["SZ2022-N01"] == "优"
    assert r.grade_counts().to_dict() == {"优": 7, "良": 5, "中": 4, "差": 1}
    assert sorted(r.summary["project_id"]) == story["declared"]
    # 退役军人就业创业扶持资金 beat its 2021 target 2.6 times and asks for 7010 against 16870 served
    below = r.findings[(r.findings["project_id"] == "SZ2021-131") & (r.findings["code"] == "BELOW_HISTORY")]
    assert "16870人" in below["message"].iloc[0]


def test_the_findings_workbook(sample_review, tmp_path):
    path = sample_review.to_xlsx(tmp_path / "审核.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["审核结论", "审核发现", "申报指标", "审核规则"]
    findings = wb["审核发现"]
    assert [c.value for c in findings[3]][:4] == ["项目编码", "项目名称", "问题性质", "审核内容"]
    assert findings.max_row == len(sample_review.findings) + 3
    again = sample_review.to_xlsx(tmp_path / "again.xlsx")
    assert again.read_bytes() == path.read_bytes()  # byte-reproducible


def test_the_review_is_vectorised_over_many_declarations():
    """2 000 declarations of 6 rows review in one pass (a loop per row would take minutes)."""
    import time

    decls = {f"P{i:04d}": (2_000_000, "目标", CLEAN if i % 3 else CLEAN[1:]) for i in range(2000)}
    frames = _frames(decls)
    start = time.perf_counter()
    r = review_targets(frames)
    assert time.perf_counter() - start < 20
    assert (r.summary["grade"] == "中").sum() == 667 and len(r.summary) == 2000


def test_frames_from_declarations_keep_the_source():
    d = read_declarations(SAMPLE / "declarations" / "SZ2021-001.xlsx")
    rows, header = declarations_to_frames(d)
    assert header.iloc[0]["funds"] == pytest.approx(61_770_000) and header.iloc[0]["year"] == 2021
    assert rows["source_row"].iloc[0] == 11 and rows["source_file"].iloc[0] == "SZ2021-001.xlsx"


def _funds_form(path: Path, total, fiscal=6177, other=0):
    """The sample city's layout: 年度资金总额 / 其中：财政拨款 / 其他资金 in B6:B8, amounts in C6:C8."""
    _write_declaration(path, [
        ["项目支出绩效目标申报表"], ["（2022年度）"], ["项目名称", "测试项目"], ["项目编码", "T-009"],
        ["主管部门", "示例局", "实施单位", "示例中心"],
        ["资金情况（万元）", "年度资金总额", total], [None, "其中：财政拨款", fiscal], [None, "其他资金", other],
        ["年度总体目标", "完成改造"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "改造面积", "≥12700平方米"],
    ])
    return path


def test_a_blank_total_is_reported_by_the_review_not_read_from_the_cell_below(tmp_path):
    """Reviewer's finding 4: a blank C6 fell through to B7 ("其中：财政拨款") and the whole file failed."""
    d = read_declarations(_funds_form(tmp_path / "blank.xlsx", None))[0]
    assert np.isnan(d.funds) and d.fiscal == pytest.approx(61_770_000) and d.other == 0
    assert "NO_FUNDS" in set(review_targets([d]).findings["code"])
    blank_fiscal = read_declarations(_funds_form(tmp_path / "blank2.xlsx", 6177, fiscal=None))[0]
    assert blank_fiscal.funds == pytest.approx(61_770_000) and np.isnan(blank_fiscal.fiscal)


def test_a_formula_without_a_cached_value_is_a_blank_amount(tmp_path):
    d = read_declarations(_funds_form(tmp_path / "formula.xlsx", "=C7+C8"))[0]  # openpyxl writes no cached value
    assert np.isnan(d.funds) and "NO_FUNDS" in set(review_targets([d]).findings["code"])


def test_a_non_numeric_or_negative_amount(tmp_path):
    with pytest.raises(InputError) as err:
        read_declarations(_funds_form(tmp_path / "text.xlsx", "六千万"))
    assert err.value.where.row == 6 and err.value.where.column == "C"
    negative = read_declarations(_funds_form(tmp_path / "negative.xlsx", -6177))[0]
    assert negative.funds == pytest.approx(-61_770_000)  # passed through: the review judges it
