"""Report content (perfeval.outline) without kernels: how numbers and sentences are written, and
findings and suggestions drawn from the evidence (issue 8; real-reports.md §2, §5, §6: problems and
suggestions correspond one to one, money in 万元, no "。。")."""
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import perfeval as pe
from perfeval import outline
from perfeval.outline import findings as F
from perfeval import display as fmt
from perfeval.report.lint import lint_html

SAMPLE = "data/sample"


@given(st.text(alphabet="测试。；，、 ab", max_size=20))
def test_a_sentence_ends_with_exactly_one_full_stop(text):
    out = fmt.sentence(text)
    assert out == "" or (out.endswith("。") and not out.endswith("。。") and "。。" not in out[-3:])


def test_numbers_are_written_as_published():
    assert fmt.wan(61_770_000) == "6,177.00" and fmt.wan_text(1_671_000) == "167.10 万元"
    assert fmt.yi_text(2_033_000_000) == "20.33 亿元" and fmt.score(99.7) == "99.70" and fmt.points(12.5) == "12.5"
    assert fmt.pct(0.9847) == "98.47%" and fmt.wan(None) == "—" and fmt.score(float("nan")) == "—"
    assert fmt.numbered(["甲。", "乙；"]) == ["一是甲。", "二是乙。"]
    assert fmt.numbered(["甲"], style="（一）") == ["（一）甲。"]


def test_an_empty_table_is_a_sentence_and_values_are_escaped():
    assert fmt.table_html(pd.DataFrame(columns=["项目"]), empty="没有收回统筹的项目") == "<p>没有收回统筹的项目。</p>"
    html = fmt.table_html(pd.DataFrame({"项目名称": ["<script>x</script>"], "金额（万元）": ["1,272.40"]}))
    assert "<script>" not in html and "&lt;script&gt;" in html and 'class="num"' in html


def _card(awarded, reason=None, **budget):
    rows = pd.DataFrame({
        "project_id": "P1", "level1": ["产出指标", "产出指标", "效益指标", "满意度指标"],
        "level2": ["数量指标", "质量指标", "生态效益指标", "服务对象满意度指标"],
        "level3": ["苗木补植数量", "苗木成活率", "林草覆盖率", "群众满意度"],
        "target": ["≥1000株", "≥85%", "≥40%", "≥90%"], "actual": ["1000株", "44.7%", "41%", "93%"],
        "points": [25.0, 25.0, 30.0, 10.0], "score": awarded, "reason": reason or [None] * 4})
    b = pd.DataFrame([{"project_id": "P1", "budget_full_year": 1e6, "spent": 1e6, **budget}])
    return pe.score(rows, b)


def test_every_lost_point_is_a_finding_with_its_cause_and_an_answer():
    card = _card([25, 13.15, 30, 10], [None, "干旱少雨，部分苗木未成活；已安排秋季补植。", None, None])
    found = F.all_findings(card, "P1")
    [f] = [f for f in found if f.indicator == "苗木成活率"]
    assert f.dimension == "产出" and "年度指标值 ≥85%，实际完成 44.7%" in f.problem and "13.15/25" in f.problem
    assert f.cause == "干旱少雨，部分苗木未成活；已安排秋季补植" and "质量" in F.SUGGEST_BY_LEVEL2 and "复验" in f.suggestion
    problems, suggestions = outline.problems(found), outline.suggestions(found)
    assert [d for d, _ in problems] == [d for d, _ in suggestions]
    assert all(len(p) == len(s) for (_, p), (_, s) in zip(problems, suggestions))  # one answer per problem here


def test_an_inflated_self_score_is_a_finding_and_the_headline_is_reviewed():
    card = _card([25, 25, 30, 10])  # 苗木成活率 44.7 % of ≥85 % awarded full marks
    said = outline.conclusion(card, "P1")
    t = card.totals.iloc[0]
    assert t.total == 100 and t.reviewed_total == pytest.approx(10 + 25 + 25 * 44.7 / 85 + 30 + 10, abs=0.01)
    assert f"复核后综合得分 {fmt.score(t.reviewed_total)} 分" in said["text"] and "单位自评总分 100.00 分" in said["text"]
    quality = [f for f in F.all_findings(card, "P1") if f.dimension == F.QUALITY]
    assert any("未完成年度指标值却自评满分" in f.problem for f in quality)


def test_suggestions_with_the_same_advice_answer_their_problems_together():
    found = [F.Finding("决策", "立项依据充分性", "甲", None, F.advice_for("项目立项")),
             F.Finding("决策", "立项程序规范性", "乙", None, F.advice_for("项目立项")),
             F.Finding("决策", "绩效目标合理性", "丙", None, F.advice_for("绩效目标"))]
    [(dim, items)] = outline.suggestions(found)
    assert dim == "决策" and len(items) == 2
    assert items[0].startswith("一是（针对问题一、二）") and "“立项依据充分性”、“立项程序规范性”" in items[0]


def test_a_recovered_budget_is_a_finding_even_with_full_execution_points():
    """SZ2021-175: nothing spent by the end of October, 54 % of the budget recovered, execution 100 %."""
    report = outline.build_project_report(SAMPLE, "SZ2021-175", "self")
    [f] = [f for f in report.findings if f.dimension == "预算执行"]
    assert "10 月底仍未支出" in f.problem and "167.10 万元" in f.problem and "54.3%" in f.problem
    assert report.budget["october_zero"] and report.budget["recovered"] == pytest.approx(1_671_000)


def test_report_sections_pass_the_lint_as_html():
    report = outline.build_project_report(SAMPLE, "SZ2021-067", "self")
    card, pid = report.card, report.project_id
    html = (report.heading_html() + fmt.paragraphs_html(outline.overview_text(card, pid, report.meta, report.budget))
            + fmt.table_html(outline.overview(card, pid, report.meta, report.budget))
            + fmt.table_html(outline.score_table(card, pid)) + "<h2>六、有关建议</h2>"
            + "".join(fmt.html_list(items) for _, items in outline.suggestions(report.findings))
            + "<h2>附表3</h2>" + fmt.table_html(outline.conventions_table(card)))
    assert lint_html(html, "sections") == []


def test_the_city_comes_from_the_departments():
    assert outline.city_of(["示例市教育局", "示例市水务局", None]) == "示例市"
    assert outline.city_of(["财政厅"]) == "本市"
