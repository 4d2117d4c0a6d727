"""Tests of perfeval.keyeval: the key-evaluation pipeline (panel + rules → totals and grades).

The headline test runs the pipeline on the committed CSVs of the sample city and checks the seed
report's outcome — 23 projects, 20.33 亿元, 10 优 and 13 良 — by computing it, not by reading it.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval import keyeval
from perfeval.conventions import GradeBands
from perfeval.errors import InputError

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
SECTORS = {"教育", "水利", "生态环保", "农业农村", "城市基础设施"}


@pytest.fixture(scope="module")
def data():
    return keyeval.load(SAMPLE)


@pytest.fixture(scope="module")
def result(data):
    return keyeval.evaluate(data)


@pytest.fixture(scope="module")
def story():
    return json.loads((SAMPLE / "story.json").read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------ the sample city

def test_sample_key_evaluations_come_out_10_excellent_13_good(result, story):
    """Seed report: 23 key evaluations, 涉及资金20.33亿元, “优”10个、“良”13个 (../shared/seed)."""
    counts = result.grade_counts()
    assert counts["优"] == 10 and counts["良"] == 13 and counts["中"] == 0 and counts["差"] == 0
    assert len(result.totals) == 23
    assert round(result.totals["budget_full_year"].sum() / 1e8, 2) == 20.33
    assert set(result.totals["sector"]) == SECTORS
    intended = {pid: g for g, ids in story["key_evaluation"]["grades_intended"].items() for pid in ids}
    assert dict(zip(result.totals["project_id"], result.totals["grade"])) == intended


def test_every_key_total_keeps_half_a_point_from_a_grade_boundary(result):
    totals = result.totals["total_unrounded"].to_numpy()
    distance = np.abs(totals[:, None] - np.array([90.0, 80.0, 60.0])[None, :]).min(axis=1)
    assert (distance >= 0.5).all()
    np.testing.assert_allclose(result.totals["margin"], distance, atol=1e-9)


def test_which_conventions_flip_the_sample_grades(data):
    """Trimmed mean vs mean vs median, integer scores, grading the rounded total and the t/a reverse
    rule leave every grade as it is; flooring every row score to an integer (seen in published
    tables, real-tables.md §2) costs enough points to change several grades."""
    robust = keyeval.robustness(data)
    assert robust.flipping == ["floor_int"]
    row = robust.table.set_index("variant").loc["floor_int"]
    assert row["n_changed"] >= 1 and row["n_优"] < 10
    for name in ("mean", "median", "int", "graded_on_rounded", "reverse_ratio"):
        assert robust.table.set_index("variant").loc[name, ["n_优", "n_良"]].tolist() == [10, 13]
    floored = robust.totals.set_index("project_id")
    assert (floored["floor_int"] <= floored["baseline"] + 1e-9).all()


def test_panel_and_rule_parts_add_up_and_every_panel_cell_has_five_experts(result, data):
    t = result.totals
    np.testing.assert_allclose(t["panel_score"] + t["rule_score"], t["total_unrounded"], atol=1e-6)
    np.testing.assert_allclose(t["panel_points"] + t["rule_points"], 100.0)
    assert (result.panel["n_experts"] == 5).all()
    assert (result.panel["score"] <= result.panel["points"] + 1e-9).all()
    wide = result.panel_wide()
    assert list(wide.columns[2:]) == ["专家1", "专家2", "专家3", "专家4", "专家5"]
    assert len(wide) == int((data.indicators["scored_by"] == "panel").sum())


def test_panel_rows_carry_the_panels_comment_as_deduction_note(result, data):
    """Issue 8: a key report's 存在的问题 listed "专家评议：专家1 2.5，专家2 3…平均2.50". A panel row's
    deduction note is now the panel's written opinion (专家评议意见, panel_comments.csv); the experts'
    individual scores stay in the working papers (panel_scores, panel_wide), as in real reports
    (real-reports.md §3: individual experts' scores stay in the 底稿)."""
    rows = result.rows[result.rows["scored_by"] == "panel"]
    comments = data.comments.set_index(["project_id", "indicator"])["comment"]
    expected = comments.reindex(pd.MultiIndex.from_arrays([rows["project_id"], rows["code"]]))
    assert rows["reason"].tolist() == [None if pd.isna(c) else c for c in expected]
    assert not result.rows["reason"].dropna().str.contains("专家评议：|专家1").any()
    assert len(result.comments) == len(data.comments) and result.flags.empty  # no review finding on the sample
    assert list(result.comments.columns) == ["project_id", "indicator", "level1", "level2", "level3", "points",
                                             "score", "comment"]
    lost = rows["score"] < rows["points"]
    assert rows.loc[lost, "reason"].notna().all()
    mine = result.comments.merge(rows.rename(columns={"code": "indicator"}), on=["project_id", "indicator"],
                                 suffixes=("", "_row"))
    assert (mine["score"] == mine["score_row"]).all() and (mine["comment"] == mine["reason"]).all()
    assert result.panel_wide().shape[0] == len(rows)               # the experts' scores are still there
    assert "专家评议意见 (panel comments)" in result.conventions


def test_comments_are_optional_and_checked():
    """Without comments a panel row has no deduction note (None, not the experts' scores); a comment on
    an unknown or rule-scored indicator, or two on one indicator, is a clear error; blank ones are dropped."""
    plain = keyeval.evaluate(_small())
    assert plain.rows.loc[plain.rows["code"] == "A1", "reason"].isna().all()
    assert plain.comments.empty and list(plain.comments.columns)[-1] == "comment"
    d = _small()
    d["comments"] = pd.DataFrame({"project_id": ["P1"], "indicator": ["A1"], "comment": ["立项依据论证不充分。"]})
    run = keyeval.evaluate(d)
    assert run.rows.loc[run.rows["code"] == "A1", "reason"].tolist() == ["立项依据论证不充分。"]
    assert run.comments[["indicator", "level3", "points", "score"]].values.tolist() == [["A1", "立项依据充分性", 10.0,
                                                                                         8.0]]
    assert run.project("P1").comments.shape == (1, 8)
    for comments, text in ((["P1", "X9", "意见。"], "不存在的项目或指标"), (["P1", "C1", "意见。"], "按规则计算"),
                           (["P2", "A1", "意见。"], "不存在的项目或指标")):
        bad = dict(d, comments=pd.DataFrame([comments], columns=["project_id", "indicator", "comment"]))
        with pytest.raises(InputError, match=text):
            keyeval.evaluate(bad)
    twice = dict(d, comments=pd.concat([d["comments"]] * 2))
    with pytest.raises(InputError, match="多条评议意见"):
        keyeval.evaluate(twice)
    blank = dict(d, comments=pd.DataFrame({"project_id": ["P1"], "indicator": ["A1"], "comment": ["  "]}))
    assert keyeval.evaluate(blank).comments.empty
    with pytest.raises(InputError, match="缺少必需列"):
        keyeval.evaluate(dict(d, comments=d["comments"].drop(columns="comment")))


def test_load_reads_panel_comments_when_present(tmp_path, data):
    assert data.comments is not None and list(data.comments.columns) == ["project_id", "indicator", "comment"]
    for rel in ("key_evaluation/indicators.csv", "key_evaluation/panel_scores.csv"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes((SAMPLE / rel).read_bytes())
    bare = keyeval.load(tmp_path)
    assert bare.comments is None
    run = keyeval.evaluate(bare, with_agreement=False)
    assert run.comments.empty and run.rows.loc[run.rows["scored_by"] == "panel", "reason"].isna().all()


def test_agreement_per_project(result):
    """Agreement is measured on score rates (score ÷ points), so indicators' different points do not
    masquerade as unanimity: it equals Kendall's W of the experts' rates, computed directly."""
    from perfeval.panel import kendall_w

    agr = result.agreement
    assert len(agr) == 23 and agr["kendall_w"].between(0, 1).all()
    one = result.panel_scores[result.panel_scores.project_id == "SZ2021-001"]
    points = result.rows.set_index(["project_id", "code"])["points"]
    rates = one.assign(rate=one.score / [points[("SZ2021-001", c)] for c in one.indicator])
    wide = rates.pivot_table(index="expert", columns="indicator", values="rate")
    expected = kendall_w(wide).w
    assert agr.set_index("project_id").loc["SZ2021-001", "kendall_w"] == pytest.approx(expected)
    raw = kendall_w(one.pivot_table(index="expert", columns="indicator", values="score")).w
    assert raw > expected  # on raw scores the points alone inflate W


def test_quantitative_rows_are_scored_by_their_rules(result, data):
    rows = result.rows[result.rows["scored_by"] == "rule"]
    assert rows["score_source"].eq("rule").all()
    assert set(rows["rule"]) <= {"positive", "reverse", "equal", "step", "deduction", "date"}
    missed = rows[rows["met"] == 0]
    assert len(missed) > 0 and missed["reason"].notna().all()
    b102 = rows[rows["code"] == "B102"]
    assert (b102["score"] == b102["points"]).all()                 # every execution rate ≥ 95 %


def test_project_view_and_summary(result):
    one = result.project("SZ2021-001")
    assert one.project_ids == ["SZ2021-001"] and len(one.panel_scores) == 5 * len(one.panel)
    assert len(one.comments) >= 1 and (one.comments["project_id"] == "SZ2021-001").all()
    assert "评价等级" in result.summary().columns
    assert "重点绩效评价" in result._repr_html_()
    with pytest.raises(InputError):
        result.project("SZ2021-999")


# ------------------------------------------------------------------------------ hand-computed case

def _small(scores=(8, 9, 7, 10, 6), actual="90人"):
    """One project, two leaves: a panel indicator (10 points) and a ≥ target (90 points)."""
    indicators = pd.DataFrame({
        "project_id": ["P1", "P1"], "code": ["A1", "C1"], "level1": ["决策", "产出"],
        "level2": ["项目立项", "产出数量"], "level3": ["立项依据充分性", "受益人数"], "points": [10, 90],
        "rule_kind": ["checklist", "positive"], "scored_by": ["panel", "rule"],
        "target": [None, "≥100人"], "actual": [None, actual], "rule_params": ["{}", "{}"]})
    panel = pd.DataFrame({"project_id": "P1", "indicator": "A1", "expert": [f"专家{i}" for i in range(1, 6)],
                          "score": list(scores)})
    return {"indicators": indicators, "panel_scores": panel,
            "projects": pd.DataFrame({"project_id": ["P1"], "project_name": ["测试项目"], "sector": ["教育"],
                                      "budget_full_year": [100.0], "spent": [100.0]})}


def test_hand_computed_total():
    """Panel: 8, 9, 7, 10, 6 → drop 10 and 6 → (8+9+7)/3 = 8.00 (trimmed mean, domain.md §7 [S36]).
    Rule: 90 of ≥100 → 90/100 × 90 = 81.00 (正向指标 a < t → a/t × w, domain.md §1.4 [S7]).
    Total 89.00 → 良 (80 ≤ s < 90); with the arithmetic mean 8.00 too; with the median 8.00."""
    run = keyeval.evaluate(_small())
    t = run.totals.iloc[0]
    assert t["panel_score"] == 8.0 and t["rule_score"] == 81.0 and t["total"] == 89.0 and t["grade"] == "良"
    assert t["margin"] == pytest.approx(1.0)
    assert run.panel.iloc[0]["dropped"] == "专家5、专家4"
    high = keyeval.evaluate(_small(scores=(10, 10, 9, 10, 2), actual="100人"))
    assert high.totals.iloc[0]["total"] == pytest.approx(90 + 29 / 3, abs=0.005)   # trimmed: (10+10+9)/3
    assert keyeval.evaluate(_small(scores=(10, 10, 9, 10, 2), actual="100人"),
                            aggregation="mean").totals.iloc[0]["total"] == pytest.approx(98.2)
    rounded = keyeval.evaluate(_small(), score_rounding="int", grades=GradeBands(on="rounded"))
    assert rounded.totals.iloc[0]["total"] == 89.0


def test_conventions_are_recorded(result):
    c = result.conventions
    assert "去掉 1 个最高分和 1 个最低分后平均" in c["专家分合成 (panel aggregation)"]
    assert c["方案 (scheme)"] == "mof-2020-project"
    assert "评价等级 (grade bands)" in c


# ------------------------------------------------------------------------------ bad input

def test_panel_score_above_points_names_the_row():
    d = _small(scores=(8, 9, 11, 10, 6))
    with pytest.raises(InputError) as info:
        keyeval.evaluate(d)
    assert "第 4 行" in str(info.value) and "0 ≤ 评分 ≤ 10" in str(info.value)


@pytest.mark.parametrize("table, change, text", [
    ("panel_scores", lambda f: f.iloc[0:0], "没有专家评分"),
    ("panel_scores", lambda f: f.assign(indicator="X9"), "不存在的项目或指标"),
    ("panel_scores", lambda f: f.assign(indicator="C1"), "按规则计算"),
    ("indicators", lambda f: f.assign(rule_params=["{", "{}"]), "JSON"),
    ("indicators", lambda f: f.assign(scored_by=["panel", "专家"]), "scored_by"),
    ("indicators", lambda f: f.drop(columns="points"), "缺少必需列"),
    ("panel_scores", lambda f: f.assign(score=["八", 9, 7, 10, 6]), "须为数字"),
])
def test_bad_inputs_raise_clear_errors(table, change, text):
    d = _small()
    d[table] = change(d[table])
    with pytest.raises(InputError, match=text):
        keyeval.evaluate(d)


def test_missing_files_and_unsupported_data():
    with pytest.raises(InputError, match="indicators.csv"):
        keyeval.evaluate(Path(__file__).parent)
    with pytest.raises(InputError):
        keyeval.evaluate(42)
    with pytest.raises(InputError, match="panel_scores"):
        keyeval.evaluate({"indicators": _small()["indicators"]})


# ------------------------------------------------------------------------------ properties

@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=20), min_size=5, max_size=5),
       st.integers(min_value=50, max_value=130), st.integers(min_value=0, max_value=10))
def test_total_is_trimmed_mean_plus_rule_score_and_monotone(halves, actual, bump):
    scores = [h / 2 for h in halves]                       # 0–10 in half points
    d = _small(scores=scores, actual=f"{actual}人")
    t = keyeval.evaluate(d, with_agreement=False).totals.iloc[0]
    trimmed = round(sum(sorted(scores)[1:4]) / 3 + 1e-9, 2)
    rule = round(min(actual, 100) / 100 * 90 + 1e-9, 2)
    assert t["total"] == pytest.approx(round(trimmed + rule, 2), abs=1e-9)
    raised = [min(10.0, s + bump / 2) for s in scores]
    t2 = keyeval.evaluate(_small(scores=raised, actual=f"{actual}人"), with_agreement=False).totals.iloc[0]
    assert t2["total"] >= t["total"] - 1e-9
    order = ["差", "中", "良", "优"]
    assert order.index(t2["grade"]) >= order.index(t["grade"])


def test_rounded_grading_variant_keeps_the_callers_bands(data):
    """The 'graded_on_rounded' variant changes only the grading basis, not the caller's bands."""
    from perfeval.conventions import GradeBands

    bands = GradeBands(lower_bounds=(85, 75, 60))
    variants = {"graded_on_rounded": keyeval.CONVENTION_VARIANTS["graded_on_rounded"]}
    rob = keyeval.robustness(data, variants=variants, grades=bands)
    table = rob.table.set_index("variant")
    assert table.loc["graded_on_rounded", "n_changed"] == 0


def test_key_evaluation_and_monitoring_tables_saved_as_gbk_are_read(tmp_path):
    """Excel on Chinese Windows saves "CSV" as GBK: the key-evaluation and monitoring tables are decoded
    like the forms (UTF-8 with or without BOM, else GB18030)."""
    from perfeval import monitor

    for rel in ("projects.csv", "payments.csv", "key_evaluation/indicators.csv", "key_evaluation/panel_scores.csv",
                "key_evaluation/panel_comments.csv"):
        text = (SAMPLE / rel).read_text(encoding="utf-8-sig")
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(text.encode("gb18030"))
    gbk = keyeval.evaluate(keyeval.load(tmp_path))
    utf8 = keyeval.evaluate(keyeval.load(SAMPLE))
    assert gbk.grade_counts().to_dict() == utf8.grade_counts().to_dict()
    assert gbk.comments["comment"].tolist() == utf8.comments["comment"].tolist()
    payments, projects = monitor.load(tmp_path)
    same = monitor.load(SAMPLE)[1]
    assert len(projects) == 187 and projects["project_name"].tolist() == same["project_name"].tolist()
