"""The city's annual report (《预算绩效管理工作开展情况说明》): the seed's figures computed from the sample city.

The seed: 单位绩效自评共涉及187个项目，各项目预算执行率均能达到95%以上 … 重点对教育、水利、环保、农业农村、城市基础设施
等多个重点23个项目进行绩效评价，涉及资金20.33亿元，达到“优”等级的项目10个，“良”等级的项目13个. The monitoring and
next-year figures are those the sample city's README states (its story, written when the data were generated).
"""
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from perfeval.cli import main
from perfeval.outline.annual import build_annual_report
from perfeval.report.lint import lint_folder

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def report():
    return build_annual_report(SAMPLE)


def test_the_seed_figures_are_computed(report):
    f = report.facts
    assert report.year == 2021 and report.title == "示例市 2021 年度预算绩效管理工作开展情况说明"
    assert f["n_self"] == 187 and f["all_above_min"] and f["min_exec_rate"] >= 0.95 and f["share_above_min"] == 1.0
    assert f["n_key"] == 23 and round(f["key_money"] / 1e8, 2) == 20.33
    assert {g: n for g, n in f["key_grades"].items() if n} == {"优": 10, "良": 13}
    assert f["key_sectors"] == ["教育", "水利", "生态环保", "农业农村", "城市基础设施"]
    text = "".join(report.evaluation_text())
    # the rate is after year-end recovery, and the text says so and how many were below 95 % before it
    assert f["n_below_before_recovery"] == f["n_recovered"] == 7
    assert ("187 个项目开展绩效自评，按全年执行数 ÷ 年底收回统筹后的全年预算数计算，各项目预算执行率均达到 95% 以上"
            "（最低 95.54%）；其中 7 个项目收回统筹前执行率（全年支付 ÷ 年初预算数）低于 95%，系年底收回其未支付资金、"
            "调减全年预算数后达到") in text
    assert "23 个项目进行绩效评价，涉及资金 20.33 亿元，达到“优”等级的项目 10 个，达到“良”等级的项目 13 个" in text


def test_the_other_stages_are_counted_from_the_data(report):
    f = report.facts
    story = json.loads((SAMPLE / "story.json").read_text(encoding="utf-8"))["monitoring"]
    assert f["n_remind"] == len(story["june_lagging"]) == 15
    assert (f["n_watch"], f["n_recovered"], f["recovered"]) == (4, 7, 7_076_300)
    assert f["n_exante"] == 6 and sum(f["exante_conclusions"].values()) == 6
    assert f["review_grades"] == {"优": 7, "良": 5, "中": 4, "差": 1}
    targets = pd.read_csv(SAMPLE / "targets.csv", encoding="utf-8-sig")
    assert f["n_indicators"] == len(targets) and f["n_with_targets"] == targets["project_id"].nunique() == 187
    # the ranking and 结果应用 are views of one ledger (issue 17): targets reviewed “中” are returned for revision
    assert (f["priority_funded"], f["priority_below"], f["priority_gated"], f["priority_revise"]) == (11, 1, 3, 3)
    assert f["applied"]["压减"] == 0 and sum(f["applied"].values()) == 187 and f["applied"]["退回修改"] == 3
    assert "707.63 万元" in "".join(report.monitoring_text())
    assert "187 个项目的绩效目标随部门预算" in "".join(report.disclosure_text())
    steps = report.next_steps()
    assert [s[:3] for s in steps] == ["（一）", "（二）", "（三）", "（四）"] and all(s.endswith("。") for s in steps)
    assert not any("。。" in s for s in report.evaluation_text() + steps)


def test_a_project_below_the_floor_is_counted_not_hidden(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data, ignore=shutil.ignore_patterns("forms", "declarations"))
    projects = pd.read_csv(data / "projects.csv", encoding="utf-8-sig", dtype=str)
    projects.loc[0, "spent"] = str(int(float(projects.loc[0, "budget_full_year"]) * 0.9))
    projects.to_csv(data / "projects.csv", index=False, encoding="utf-8-sig")
    r = build_annual_report(data, year=2021)
    assert not r.facts["all_above_min"] and r.facts["n_above_min"] == 186
    assert ("按全年执行数 ÷ 年底收回统筹后的全年预算数计算，186 个项目预算执行率达到 95% 以上，占 99.5%，最低 90.00%；"
            "收回统筹前执行率（全年支付 ÷ 年初预算数）低于 95% 的项目 7 个") in "".join(r.evaluation_text())


def test_perfeval_annual_writes_the_report_that_passes_the_lint(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["annual", "--data", str(SAMPLE), "--out", str(out)]) == 0
    assert "annual-report.html" in capsys.readouterr().out
    html = (out / "reports" / "annual-report.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", re.sub(r"<style.*?</style>", "", html, flags=re.S))
    for heading in ("一、总体情况", "二、优化管理体系，稳步推进绩效管理", "（一）事前绩效评估", "（二）绩效目标管理",
                    "（三）绩效监控管理", "（四）绩效评价管理", "（五）绩效信息公开", "三、多措并举，全力抓好今后工作",
                    "附表1：重点绩效评价项目及结果"):
        assert heading in text, heading
    assert "涉及资金 20.33 亿元" in text and "示例市南干沟水环境综合整治项目" in text
    assert lint_folder(out).ok, lint_folder(out).summary()
    entry = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["projects"][0]
    assert entry["kind"] == "annual" and entry["result"]["n_key"] == 23 and entry["result"]["applied"]["优先保障"] == 168


def test_self_grades_are_counted_after_review_as_the_report_says(tmp_path):
    """A unit that gives itself full marks where the review rejects them is counted at its reviewed
    grade under 自评等级（复核后）, the grade the results are applied on (review finding, 2026-12-03)."""
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data, ignore=shutil.ignore_patterns("forms", "declarations"))
    rows = pd.read_csv(data / "self_evaluation" / "rows.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    own = rows["project_id"] == "SZ2021-039"
    rows.loc[own, "score"] = rows.loc[own, "points"]
    rows.to_csv(data / "self_evaluation" / "rows.csv", index=False, encoding="utf-8-sig")
    r = build_annual_report(data, year=2021)
    t = r.city_report.totals.set_index("project_id").loc["SZ2021-039"]
    assert t["self_grade"] == "优" and t["reviewed_grade"] == "良" and t["grade"] == "良"  # totals on the year's basis
    assert r.facts["self_grades"]["优"] == 184 and r.facts["self_grades"]["良"] == 3
    assert "“优”184 个、“良”3 个" in "".join(r.evaluation_text())


def test_results_applied_without_self_evaluations_do_not_refuse_every_budget(tmp_path):
    """A folder without any self-evaluation says nothing about whether projects were self-evaluated:
    the hard rule 未开展自评 → 不予安排 must not fire for all of them (review finding, 2026-12-03)."""
    from perfeval.budget import apply_results, results_from_data

    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data, ignore=shutil.ignore_patterns("forms", "declarations", "self_evaluation"))
    results = results_from_data(data)
    assert results["self_evaluated"].isna().all()
    assert (apply_results(results).table["action"] != "不予安排").all()
