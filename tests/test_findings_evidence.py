"""Findings checked against the evidence (issue 20): a suggestion names an indicator only if it lost points
or was flagged; every flagged or point-losing indicator has a finding; a lesson is drawn only from
indicators that kept their points; a qualitative indicator at full marks beside an unmet quantitative one
of its 二级 is a flag and a finding. Property tests over generated projects, and the sample city's 187
self-evaluations and 23 key evaluations (library level)."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfeval
from perfeval import outline
from perfeval.outline import findings as F

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
LEVELS = (("产出指标", "数量指标"), ("产出指标", "质量指标"), ("效益指标", "社会效益指标"), ("效益指标", "生态效益指标"),
          ("满意度指标", "服务对象满意度指标"))
QUAL = ("明显改善", "有所改善", "未改善")


def _names(rows: pd.DataFrame) -> list[str]:
    return rows["level3"].astype(str).unique().tolist()


def _lost_or_flagged(card, pid) -> set[str]:
    one = card.project(pid)
    rows = one.rows
    used = rows["reviewed_score" if card.scheme.headline == "reviewed" else "score"]
    lost = rows["counted"] & (rows["points"] > 0) & (used < rows["points"] - card.scheme.review.tolerance)
    flagged = one.flags.loc[~one.flags["code"].isin(["OVER_BUDGET", "EXEC_BASE_FALLBACK"]), "level3"]
    return set(rows.loc[lost, "level3"].astype(str)) | {x for x in flagged if isinstance(x, str) and x}


def _check_project(card, pid, budget=None, comments=None) -> None:
    found = F.all_findings(card, pid, budget, comments)
    allowed = _lost_or_flagged(card, pid)
    names = _names(card.project(pid).rows)
    # the panel's own words quoted in a suggestion may name an example (“受益人口”等效益指标缺少基期值): what the
    # suggestion itself names is what follows the quotation
    own = [dataclasses.replace(f, advice=re.sub(r"^针对评价组指出的“.*”（评分 [^）]*），", "", f.advice)) for f in found]
    advice = "".join(x for _, items in outline.suggestions(own) for x in items)
    named = {n for n in names if f"“{n}”" in advice}
    assert named <= allowed, f"{pid}: suggestions name {named - allowed}, which kept their points and were not flagged"
    with_finding = {f.indicator for f in found if f.indicator}
    assert allowed <= with_finding, f"{pid}: no finding for {allowed - with_finding}"
    lessons = "".join(outline.experience(card, pid, "self", comments))
    praised = {n for n in names if n in lessons and not any(n != m and n in m for m in names)}
    lost = {f.indicator for f in found if f.indicator and f.points_lost > 0}
    assert not praised & lost, f"{pid}: a lesson drawn from {praised & lost}, which lost points"


@st.composite
def projects(draw):
    n = draw(st.integers(3, 7))
    rows = []
    for i in range(n):
        level1, level2 = draw(st.sampled_from(LEVELS))
        points = 90 // n + (90 % n if i == n - 1 else 0)
        if draw(st.booleans()):  # quantitative: ≥ target %
            target = draw(st.integers(50, 100))
            actual = draw(st.integers(20, 120))
            t, a = f"≥{target}%", f"{actual}%"
        else:
            t, a = "明显改善", draw(st.sampled_from(QUAL))
        awarded = draw(st.sampled_from([points, points, points - 1, points / 2, 0]))
        reason = draw(st.sampled_from(["", "受天气影响进度滞后，已安排补做"]))
        rows.append({"project_id": "P1", "project_name": "测试项目", "level1": level1, "level2": level2,
                     "level3": f"指标{i + 1}号", "target": t, "actual": a, "points": points, "score": awarded,
                     "reason": reason})
    spent = draw(st.integers(50, 100))
    budget = pd.DataFrame([{"project_id": "P1", "budget_full_year": 100.0, "spent": float(spent), "exec_points": 10}])
    return pd.DataFrame(rows), budget


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_generated_projects_findings_follow_the_evidence(case):
    rows, budget = case
    card = perfeval.score(rows, budget)
    _check_project(card, "P1")


def test_met_target_with_lost_points_is_not_told_to_rectify_an_unmet_part():
    rows = pd.DataFrame([
        {"project_id": "P1", "level1": "产出指标", "level2": "质量指标", "level3": "设备验收合格率", "target": "=100%",
         "actual": "100%", "points": 45, "score": 43},
        {"project_id": "P1", "level1": "产出指标", "level2": "数量指标", "level3": "配备设备", "target": "≥55套",
         "actual": "55套", "points": 45, "score": 45}])
    card = perfeval.score(rows, pd.DataFrame([{"project_id": "P1", "budget_full_year": 1.0, "spent": 1.0}]))
    found = F.all_findings(card, "P1")
    text = "".join(x for _, items in outline.suggestions(found) for x in items)
    assert "设备验收合格率" in text and "未达标" not in text and "限期整改" not in text
    assert "配备设备" not in text
    assert len([f for f in found if f.indicator == "设备验收合格率"]) == 1  # said once, not again under 填报质量


def test_qualitative_full_marks_beside_an_unmet_quantitative_indicator_is_flagged():
    base = {"project_id": "P1", "level1": "效益指标", "level2": "生态效益指标"}
    rows = pd.DataFrame([
        {**base, "level3": "林草覆盖状况", "target": "明显改善", "actual": "明显改善", "points": 45, "score": 45},
        {**base, "level3": "林草植被覆盖率", "target": "≥45%", "actual": "27.9%", "points": 45, "score": 28,
         "reason": "干旱少雨"}])
    card = perfeval.score(rows, pd.DataFrame([{"project_id": "P1", "budget_full_year": 1.0, "spent": 1.0}]))
    flags = card.flags[card.flags["code"] == "QUALITATIVE_VS_QUANTITATIVE"]
    assert flags["level3"].tolist() == ["林草覆盖状况"] and "27.9%" in flags["message"].iloc[0]
    found = F.all_findings(card, "P1")
    assert any(f.indicator == "林草覆盖状况" and f.dimension == F.QUALITY for f in found)
    # the same qualitative row beside a quantitative row that was met is not flagged
    met = rows.assign(actual=["明显改善", "46%"], score=[45, 45])
    card = perfeval.score(met, pd.DataFrame([{"project_id": "P1", "budget_full_year": 1.0, "spent": 1.0}]))
    assert not (card.flags["code"] == "QUALITATIVE_VS_QUANTITATIVE").any()


def test_panel_suggestion_answers_the_panels_weak_point_not_a_template():
    assert F.weak_point("绩效指标基本清晰，但部分产出指标未与年度计划任务数逐项对应。") == "部分产出指标未与年度计划任务数逐项对应"
    assert F.weak_point("项目管理制度不够健全") == "项目管理制度不够健全"
    assert F.weak_point(None) is None
    assert "使目标与预算规模相匹配" not in F.SUGGEST_BY_LEVEL2["绩效目标"]


@pytest.fixture(scope="module")
def sample_self():
    from perfeval import settings as S
    from perfeval.outline.assemble import DEFAULT_SCHEMES

    rows = pd.read_csv(SAMPLE / "self_evaluation" / "rows.csv", encoding="utf-8-sig", dtype={"project_id": str})
    budget = pd.read_csv(SAMPLE / "self_evaluation" / "budget.csv", encoding="utf-8-sig", dtype={"project_id": str})
    return perfeval.score(rows, budget, DEFAULT_SCHEMES["self"], headline=S.score_basis(SAMPLE, None))


def test_the_sample_citys_self_evaluations_findings_follow_the_evidence(sample_self):
    ids = sample_self.totals["project_id"].astype(str).tolist()
    assert len(ids) == 187
    for pid in ids:
        _check_project(sample_self, pid)
    # the two cases of the issue
    s020 = "".join(x for _, items in outline.suggestions(F.all_findings(sample_self, "SZ2021-020")) for x in items)
    assert "设备验收合格率" in s020 and "未达标部分限期整改" not in s020
    assert any(f.indicator == "项目区林草覆盖状况" for f in F.all_findings(sample_self, "SZ2021-039"))


def test_the_sample_citys_key_evaluations_never_praise_and_criticise_the_same_thing():
    from perfeval import keyeval
    from perfeval.outline.assemble import DEFAULT_SCHEMES

    whole = keyeval.evaluate(keyeval.load(SAMPLE), scheme=DEFAULT_SCHEMES["key"])
    ids = pd.unique(whole.scorecard.totals["project_id"].astype(str)) if hasattr(whole, "scorecard") else None
    ids = list(ids) if ids is not None else sorted(set(keyeval.load(SAMPLE).indicators["project_id"].astype(str)))
    assert len(ids) == 23
    suggestions = []
    for pid in ids:
        ev = whole.project(pid)
        card, comments = ev.scorecard, getattr(ev, "comments", None)
        _check_project(card, pid, comments=comments)
        found = F.all_findings(card, pid, None, comments)
        advice = [x for _, items in outline.suggestions(found) for x in items]
        suggestions.append(set(advice))
        lessons = "".join(outline.experience(card, pid, "key", comments))
        if "资金规模相匹配" in lessons:  # key-SZ2021-001: praised, so never the suggestion's own words
            assert not any("预算规模相匹配" in a or "资金规模相匹配" in a for a in advice), pid
    # no suggestion is word for word in more than a third of the key reports
    from collections import Counter

    counts = Counter(a for s in suggestions for a in s)
    assert max(counts.values()) <= len(ids) / 3, counts.most_common(1)
