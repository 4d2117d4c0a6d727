"""One stated score basis for the year (issue 17, item 5): reports, portfolio, index and disclosure agree.

On the sample city the unit's own totals and the reviewed totals differ for some projects (a score above what
the rule allows counts at the rule's top), so a page that used the other basis shows a different number.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from perfeval import basis, settings
from perfeval import display as fmt
from perfeval.disclose import disclose
from perfeval.disclose.tables import DisclosureRules
from perfeval.errors import InputError
from perfeval.outline import city as C, portfolio as P
from perfeval.outline.assemble import build_project_report
from perfeval.report.index import render_index

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def city_report():
    return C.build_city_report(SAMPLE)


def test_folder_setting(tmp_path):
    assert settings.score_basis(tmp_path) == "reviewed"
    (tmp_path / "city.yaml").write_text("city: 某市\nscore_basis: 单位自评得分\n", encoding="utf-8")
    assert settings.score_basis(tmp_path) == "self"
    (tmp_path / "city.yaml").write_text("score_basis: 复核前\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        settings.score_basis(tmp_path)
    assert "city.yaml" in str(err.value) and "复核前" in str(err.value)
    assert settings.score_basis(SAMPLE, "self") == "self"
    assert basis.check("复核后得分") == "reviewed"


def test_sample_has_projects_whose_two_totals_differ(city_report):
    t = city_report.totals
    assert (t["self_total"] - t["reviewed_total"]).abs().max() > 0.005  # else this file tests nothing


def test_department_means_use_the_stated_basis(city_report):
    """The portfolio's department averages are those of the reviewed totals the disclosure tables publish."""
    dept = P.department_table(city_report.totals, city_report.projects, city_report.labels).set_index("主管部门")
    expected = city_report.totals.groupby("department")["reviewed_total"].mean()
    got = dept["平均得分"].astype(float)
    assert (got - expected.reindex(got.index).map(fmt.score).astype(float)).abs().max() < 0.005
    unit_mean = city_report.totals.groupby("department")["self_total"].mean().reindex(got.index)
    assert ((unit_mean.map(fmt.score).astype(float) - got).abs() > 0.005).any()  # the old basis would have printed something else
    assert "复核后得分" in city_report.basis_sentence()


def test_disclosure_and_project_report_state_the_same_total(city_report):
    """A project's total in its report and in the disclosure table are the same number (both on the basis)."""
    t = city_report.totals
    pid = str(t.loc[(t["self_total"] - t["reviewed_total"]).abs().idxmax(), "project_id"])
    report = build_project_report(SAMPLE, pid, "self")
    published = disclose(SAMPLE, rules=DisclosureRules(goals=False))
    frame = published.table("self").public
    name = report.name
    row = frame[frame.apply(lambda r: r.astype(str).str.contains(name, regex=False).any(), axis=1)]
    assert len(row) == 1
    total_text = f"{report.conclusion['total']:.2f}"
    assert row.astype(str).apply(lambda c: c.str.contains(total_text, regex=False)).any(axis=None)


def test_self_basis_from_the_folder_reaches_every_page(tmp_path):
    data = tmp_path / "city"
    shutil.copytree(SAMPLE, data)
    (data / "city.yaml").write_text("score_basis: self\n", encoding="utf-8")
    report = C.build_city_report(data)
    assert report.score_basis == "self"
    assert (report.totals["total"] == report.totals["self_total"]).all()
    t = report.totals
    pid = str(t.loc[(t["self_total"] - t["reviewed_total"]).abs().idxmax(), "project_id"])
    project = build_project_report(data, pid, "self")
    assert project.card.scheme.headline == "self"
    assert abs(project.conclusion["total"] - float(t.set_index("project_id").at[pid, "self_total"])) < 0.005
    published = disclose(data, rules=DisclosureRules(goals=False))
    assert published.rules.score_basis == "self"


def test_index_states_the_basis():
    entries = [{"kind": "self", "status": "ok", "project_id": "A", "result": {"score_basis": "reviewed"}},
               {"kind": "portfolio", "status": "ok", "result": {}}]
    page = render_index(entries)
    assert "单位自评报告的总分和等级为复核后得分" in page
    mixed = entries + [{"kind": "self", "status": "ok", "project_id": "B", "result": {"score_basis": "self"}}]
    assert "不同的得分口径" in render_index(mixed)
    assert "得分口径" not in render_index(entries[1:]) and "复核后得分" not in render_index(entries[1:])


def test_results_applied_use_the_basis_grade(city_report):
    """结果应用 takes the grade on the year's basis (the reviewed grade by default)."""
    t = city_report.applied.table.set_index("project_id")
    own = city_report.totals.set_index("project_id")
    self_only = t[t["grade_source"] == "单位自评"]
    assert (self_only["grade_used"] == own["reviewed_grade"].reindex(self_only.index)).all()
    assert isinstance(t, pd.DataFrame)


def test_the_ledger_names_the_basis_of_the_self_grades_it_used(tmp_path):
    """With score_basis: self the decisions' reasons and rules say 单位自评等级, not 复核后等级 (a named setting)."""
    from perfeval.budget import decisions_from_data

    data = tmp_path / "city"
    shutil.copytree(SAMPLE, data)
    (data / "city.yaml").write_text("score_basis: self\n", encoding="utf-8")
    d = decisions_from_data(data)
    assert d.rules.apply.score_basis == "self"
    text = " ".join(d.ledger["reason"].astype(str))
    assert "单位自评等级为" in text and "复核后等级" not in text
    assert "复核后" not in d.rules.apply.describe()["采用的等级"]
    assert "单位自评复核后等级为" in " ".join(decisions_from_data(SAMPLE).ledger["reason"].astype(str))
