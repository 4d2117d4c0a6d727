"""Ex-ante assessment (事前绩效评估): conclusions by named rules, the published case, monotonicity.

Rules (domain.md §3): five dimensions of 20 points, items rated 优/良/中/差 = 100/80/60/40 % of their
points (practice convention [S19], unverified); conclusion thresholds are settings — the default
≥ 80 予以支持 / 60–80 部分支持 / < 60 不予支持 (unverified), and a local rule "平均分 ≤ 60 分不予立项，
> 60 分建议立项" (the published case cited in issue 10: five experts, mean 80 → 建议立项).
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval import compare, exante
from perfeval.errors import InputError
from perfeval.systems import load_system

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
LEAVES = load_system("exante").leaves()["code"].tolist()
EXPERTS = [f"专家{i}" for i in range(1, 8)]


def _totals(pid, scores) -> pd.DataFrame:
    return pd.DataFrame({"project_id": pid, "expert": EXPERTS[:len(scores)], "indicator": "总分", "score": scores})


def _sheet(pid, ratings) -> pd.DataFrame:
    """experts × 20 leaves of ratings (a list of 20-character strings of 优良中差, one per expert)."""
    rows = [(pid, EXPERTS[e], code, r) for e, line in enumerate(ratings) for code, r in zip(LEAVES, line)]
    return pd.DataFrame(rows, columns=["project_id", "expert", "indicator", "rating"])


def test_the_published_case_five_experts_mean_80_is_recommended_under_the_local_rule():
    """Issue 10's published case: five experts whose totals average 80 → 建议立项 under the local rule
    "平均分 ≤ 60 分不予立项，> 60 分建议立项" (source text not retrieved; the rule as quoted there)."""
    scores = _totals("案例", [78, 82, 80, 76, 84])
    local = exante.assess(scores, thresholds="local-60").totals.iloc[0]
    assert local["total"] == pytest.approx(80.0) and local["conclusion"] == "建议立项" and local["outcome"] == "support"
    assert "总分 > 60 分" in local["rule_text"]
    default = exante.assess(scores).totals.iloc[0]
    assert default["conclusion"] == "予以支持"  # 80 reaches the inclusive bound "≥ 80"


@pytest.mark.parametrize("scores, default, local", [
    ([60, 60, 60, 60, 60], "部分支持（调整完善后支持）", "不予立项"),   # 60: "60 ≤ 总分 < 80" but "≤ 60 不予立项"
    ([59.8, 60, 60, 60, 60.2], "部分支持（调整完善后支持）", "不予立项"),  # a binary-noisy 60 is still 60
    ([60, 60, 60, 60, 60.2], "部分支持（调整完善后支持）", "建议立项"),   # 60.04 > 60
    ([79.9, 80, 80, 80, 80], "部分支持（调整完善后支持）", "建议立项"),
    ([59, 60, 60, 60, 60], "不予支持", "不予立项"),
])
def test_inclusivity_is_explicit_at_each_bound(scores, default, local):
    s = _totals("P", scores)
    assert exante.assess(s).totals.iloc[0]["conclusion"] == default
    assert exante.assess(s, thresholds="local-60").totals.iloc[0]["conclusion"] == local


def test_ratings_become_points_per_item_and_add_up_to_dimensions_and_total():
    sheet = _sheet("P", ["优" * 20, "良" * 20, "中" * 20, "差" * 20, "优" * 10 + "良" * 10])
    r = exante.assess(sheet)
    # per expert: 100, 80, 60, 40, 90 → mean 74; each 5-point item 优 5 / 良 4 / 中 3 / 差 2
    assert r.totals.iloc[0]["total"] == pytest.approx(74.0)
    assert r.experts["total"].tolist() == [100, 80, 60, 40, 90]
    assert r.dimensions["points"].tolist() == [20] * 5 and r.dimensions["score"].sum() == pytest.approx(74.0)
    assert r.items["points"].eq(5).all() and len(r.items) == 20
    trimmed = exante.assess(sheet, method="trimmed").totals.iloc[0]["total"]
    assert trimmed == pytest.approx((80 + 60 + 90) / 3)  # per item, the highest and lowest dropped
    assert exante.assess(sheet, method="median").totals.iloc[0]["total"] == pytest.approx(80.0)
    custom = exante.assess(sheet, ratings={"优": 1.0, "良": 0.75, "中": 0.5, "差": 0.25}).totals.iloc[0]["total"]
    assert custom == pytest.approx(np.mean([100, 75, 50, 25, 87.5]))
    assert "优 100%" in r.conventions["评分档次换算 (ratings)"]


def test_weak_dimensions_the_floor_and_the_suggested_amount():
    line = "优" * 4 + "差" * 4 + "优" * 12          # 投入经济性 all 差: 8/20 = 40 %
    sheet = _sheet("P", [line] * 5)
    cand = pd.DataFrame({"project_id": ["P"], "project_name": ["测试项目"], "requested": [10_000_000]})
    cuts = pd.DataFrame({"project_id": ["P", "P"], "item": ["景观", "监理"], "amount": [1_000_000, 500_000],
                         "reason": ["不必要", "按上限计取"]})
    r = exante.assess(sheet, candidates=cand, cuts=cuts)
    t = r.totals.iloc[0]
    assert t["total"] == pytest.approx(88.0) and t["conclusion"] == "予以支持" and t["weak"] == "投入经济性"
    assert t["suggested"] == pytest.approx(8_500_000) and t["cut"] == pytest.approx(1_500_000)
    floored = exante.assess(sheet, floor=0.5).totals.iloc[0]
    assert floored["conclusion"] == "部分支持（调整完善后支持）" and "单项底线" in floored["rule_text"]
    rejected = exante.assess(_sheet("P", ["差" * 20] * 5), candidates=cand).totals.iloc[0]
    assert rejected["conclusion"] == "不予支持" and rejected["suggested"] == 0.0


@pytest.mark.parametrize("frame, message", [
    (pd.DataFrame({"project_id": ["P"], "expert": ["专家1"], "indicator": ["Z999"], "rating": ["优"]}), "不存在的指标"),
    (_sheet("P", ["优" * 19 + "甲"]), "评分档次无法识别"),
    (_sheet("P", ["优" * 20]).iloc[:-1], "专家评分不完整"),
    (pd.concat([_sheet("P", ["优" * 20]), _totals("P", [90])]), "同一层级"),
    (_totals("P", [90, 101]), "超出 0 至分值"),
    (pd.concat([_totals("P", [90]), _totals("P", [80])]), "评分多次"),
])
def test_bad_scores_are_errors_naming_where(frame, message):
    with pytest.raises(InputError, match=message):
        exante.assess(frame)


def test_rules_are_checked_and_described():
    with pytest.raises(InputError):
        exante.ConclusionRule(key="x", title="x", lower_bounds=(60, 80), inclusive=(True, True),
                              labels=("a", "b", "c"), outcomes=("support", "partial", "reject"))
    with pytest.raises(InputError, match="不变好"):
        exante.get_rule({"lower_bounds": [60], "labels": ["a", "b"], "outcomes": ["reject", "support"]})
    assert exante.THRESHOLDS["local-60"].describe() == "总分 > 60 分：建议立项；总分 ≤ 60 分：不予立项"
    assert "60 分 ≤ 总分 < 80 分" in exante.THRESHOLDS["default"].describe()
    assert compare.band_index([60, 60.0000000001], [60], inclusive=False).tolist() == [1, 1]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from("优良中差"), min_size=20, max_size=20), min_size=3, max_size=6),
       st.integers(0, 19), st.integers(0, 5), st.sampled_from(["mean", "trimmed", "median"]),
       st.sampled_from(["default", "local-60"]), st.sampled_from([None, 0.5, 0.7]))
def test_a_conclusion_never_improves_as_a_score_falls(sheet, item, expert, method, rule, floor):
    """Lowering one expert's rating of one item (so one dimension score falls) never gives a better conclusion."""
    expert = expert % len(sheet)
    lines = ["".join(x) for x in sheet]
    before = exante.assess(_sheet("P", lines), method=method, thresholds=rule, floor=floor).totals.iloc[0]
    order = "优良中差"
    worse = lines[expert][item]
    lowered = order[min(order.index(worse) + 1, 3)]
    lines[expert] = lines[expert][:item] + lowered + lines[expert][item + 1:]
    after = exante.assess(_sheet("P", lines), method=method, thresholds=rule, floor=floor).totals.iloc[0]
    assert after["total"] <= before["total"] + 1e-9
    assert after["band"] >= before["band"]


@pytest.fixture(scope="module")
def sample():
    return exante.assess(SAMPLE)


def test_the_sample_citys_candidates_get_the_storys_conclusions(sample):
    import json

    story = json.loads((SAMPLE / "story.json").read_text(encoding="utf-8"))["next_year"]
    t = sample.totals.set_index("project_id")
    assert t["conclusion"].to_dict() == story["exante_intended"]
    assert t["n_experts"].eq(5).all() and len(t) == 6
    for pid, total in story["exante_exact_total"].items():  # exactly 60.00: 部分支持, but 不予立项 locally
        assert t.at[pid, "total"] == pytest.approx(total)
        local = exante.assess(SAMPLE, thresholds="local-60").totals.set_index("project_id")
        assert local.at[pid, "conclusion"] == "不予立项"
    others = t.drop(index=list(story["exante_exact_total"]))
    assert (others["margin"] >= 1.5 - 1e-9).all()
    names = t["project_name"].tolist()
    assert any("生态修复" in n for n in names) and any("产业园" in n for n in names)
    assert (t.loc[t["outcome"] == "reject", "suggested"] == 0).all()
    assert (t["suggested"] <= t["requested"]).all() and len(sample.opinions) == 30


def _folder(tmp_path, edit):
    """A copy of the sample city's exante/ folder with ``edit(candidates, cuts)`` applied to its tables."""
    import shutil

    shutil.copytree(SAMPLE / "exante", tmp_path / "exante")
    cand = pd.read_csv(tmp_path / "exante" / "candidates.csv", dtype=object, encoding="utf-8-sig")
    cuts = pd.read_csv(tmp_path / "exante" / "cuts.csv", dtype=object, encoding="utf-8-sig")
    edit(cand, cuts)
    cand.to_csv(tmp_path / "exante" / "candidates.csv", index=False, encoding="utf-8-sig")
    cuts.to_csv(tmp_path / "exante" / "cuts.csv", index=False, encoding="utf-8-sig")
    return tmp_path


def test_a_cut_of_no_candidate_is_an_error_not_a_dropped_row(tmp_path):
    """Reviewer's finding 2: cut row 2 typed SZ2022-NO1 (letter O) was silently dropped, so N01's
    suggested amount came out 320 万元 too high."""
    data = _folder(tmp_path, lambda cand, cuts: cuts.__setitem__("project_id", cuts["project_id"].where(
        cuts.index != 0, "SZ2022-NO1")))
    with pytest.raises(InputError) as err:
        exante.assess(data)
    e = err.value
    assert e.where.file == str(data / "exante" / "cuts.csv") and e.where.row == 2 and e.where.column == "project_id"
    assert e.found == "SZ2022-NO1" and "SZ2022-N01" in e.expected


@pytest.mark.parametrize("value", ["-100", ""])
def test_a_negative_or_blank_requested_amount_names_the_candidates_file(tmp_path, value):
    """Reviewer's finding 3: a negative amount was blamed on "文件 cuts"; a blank one gave suggested = NaN."""
    def edit(cand, cuts):
        cand.loc[2, "requested"] = value or None

    data = _folder(tmp_path, edit)
    with pytest.raises(InputError) as err:
        exante.assess(data)
    e = err.value
    assert e.where.file == str(data / "exante" / "candidates.csv") and e.where.row == 4
    assert e.where.column == "requested" and "非负" in str(e)


def test_bad_cuts_from_a_folder_name_the_real_file(tmp_path):
    data = _folder(tmp_path, lambda cand, cuts: cuts.__setitem__("amount", cuts["amount"].where(cuts.index != 1, "-5")))
    with pytest.raises(InputError) as err:
        exante.assess(data)
    assert err.value.where.file == str(data / "exante" / "cuts.csv") and err.value.where.row == 3


def test_a_scored_project_missing_from_the_candidates_is_an_error():
    cand = pd.DataFrame({"project_id": ["Q"], "project_name": ["别的项目"], "requested": [10_000_000]})
    with pytest.raises(InputError, match="不在候选项目表中") as err:
        exante.assess(_sheet("P", ["优" * 20] * 5), candidates=cand)
    assert err.value.found == "P"
