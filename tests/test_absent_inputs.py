"""Absent is not zero: every input of the registry removed in turn, and emptied to its header.

On a five-project cut of the sample city, each report that reads the input (the stages whose registry
entry needs or uses it) is built at outline level: it either states the absence or refuses with an
InputError naming the file — never a reminder, zero-spend listing, recovery, forecast or grade derived
from nothing, never a KeyError. One real batch on two projects with header-only payments reads the
published HTML. Also: the registry names real notebooks and functions, `Year` records each status, and
the committed docs page equals the one generated from the registry.
"""
from __future__ import annotations

import csv
import importlib
import io
import re
import shutil
from pathlib import Path

import pytest

from perfeval.city import registry
from perfeval.city.docs import render
from perfeval.city.year import ABSENT, HEADER_ONLY, PARTIAL, PRESENT, Year
from perfeval.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
KEEP = ("SZ2021-001", "SZ2021-002", "SZ2021-011", "SZ2021-128", "SZ2021-162")  # 2 key, 3 lagging/recovered
SELF_ID, KEY_ID = "SZ2021-011", "SZ2021-001"
# conclusions that can only come from payments: the June reminder, the October zero-spend list, recovery
PAYMENT_CONCLUSIONS = re.compile(r"进度滞后|进度不理想|仍未支出|未破零|提醒单位|重点关注台账|收回统筹资金 [\d,]|收回比例|预计年底执行率")
# what a report would conclude from an absent input if it took it for zero (input key → pattern)
NOTHING_CONCLUDED = {
    "direct_funds": re.compile(r"本期没有直达资金项目"),
    "midyear": re.compile(r"没有项目报送绩效目标完成情况"),
    "exante_candidates": re.compile(r"事前绩效评估 0 个|没有申请事前绩效评估"),
    "exante_scores": re.compile(r"事前绩效评估 0 个|没有申请事前绩效评估"),
    "targets": re.compile(r"将 0 个项目的绩效目标"),
    "key_indicators": re.compile(r"未开展财政重点绩效评价|重点绩效评价 0 个|重点评价 0 个"),
}
OWN_FILE = re.compile(r"SZ20\d\d-[0-9A-Z]+")


def _cut(src: Path, dst: Path, keep=KEEP) -> Path:
    """The sample city cut down to ``keep`` (and the next year's new projects), every table filtered."""
    shutil.copytree(src, dst)
    for p in dst.rglob("*.xlsx"):
        if OWN_FILE.fullmatch(p.stem) and p.stem.startswith("SZ2021-") and p.stem not in keep:
            p.unlink()
    departments = set()
    for p in sorted(dst.rglob("*.csv")):
        rows = list(csv.reader(io.StringIO(p.read_text(encoding="utf-8-sig"))))
        if not rows or "project_id" not in rows[0]:
            continue
        i = rows[0].index("project_id")
        kept = [rows[0]] + [r for r in rows[1:] if r and (not r[i].startswith("SZ2021-") or r[i] in keep)]
        if p.name == "projects.csv":
            departments = {r[rows[0].index("department")] for r in kept[1:]}
        _write(p, kept)
    d = dst / "departments.csv"
    rows = list(csv.reader(io.StringIO(d.read_text(encoding="utf-8-sig"))))
    j = rows[0].index("department")
    _write(d, [rows[0]] + [r for r in rows[1:] if r[j] in departments])
    return dst


def _write(path: Path, rows) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8-sig")


def _header_only(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8-sig").splitlines()[0] + "\n", encoding="utf-8-sig")


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    return _cut(SAMPLE, tmp_path_factory.mktemp("city") / "data")


# --------------------------------------------------------------------------- the reports, as text


def _self(data):
    from perfeval.outline import project as P
    from perfeval.outline.assemble import build_project_report

    r = build_project_report(data, SELF_ID, "self")
    return "".join(P.overview_text(r.card, SELF_ID, r.meta, r.budget) + [str(f) for f in r.findings])


def _key(data):
    from perfeval.outline import project as P
    from perfeval.outline.assemble import build_project_report

    r = build_project_report(data, KEY_ID, "key")
    return "".join(P.overview_text(r.card, KEY_ID, r.meta, r.budget) + [str(f) for f in r.findings]
                   + [r.conclusion["text"]])


def _annual(data):
    from perfeval.outline import portfolio as PF
    from perfeval.outline.annual import build_annual_report

    a = build_annual_report(data)
    c = a.city_report
    mon = PF.monitoring_tables(c.monitoring, c.projects, c.monitoring_note)
    overview = PF.overview_text(c.city, c.year, c.projects, c.totals, c.key_totals, 0, 0)
    return "".join(overview + a.overview() + a.exante_text() + a.targets_text() + a.monitoring_text() + a.evaluation_text()
                   + a.disclosure_text()
                   + a.next_steps() + mon["text"] + c.suggestions() + a.bases_table()["口径"].tolist())


def _monitoring(data):
    from perfeval.outline.monitoring import build_monitoring_report

    r = build_monitoring_report(data, "2021-10")
    return "".join(r.overview() + [r.direct()[1], r.dual()[1]])


def _exante(data):
    from perfeval.outline.exante import build_exante_report

    build_exante_report(data, "SZ2022-N01")
    return ""


def _targets(data):
    from perfeval.outline.targets import build_target_report

    build_target_report(data, "SZ2022-N01")
    return ""


def _priority(data):
    from perfeval.outline.priority import build_priority_report

    return "".join(build_priority_report(data).overview())


BUILDERS = {"self": _self, "key": _key, "annual": _annual, "monitoring": _monitoring, "exante": _exante,
            "targets": _targets, "priority": _priority, "results": _annual, "disclosure": None}
CSV_INPUTS = [i.key for i in registry.INPUTS if i.is_csv and i.key != "departments"]


def _reports_of(key: str) -> list[str]:
    names = [s.name for s in registry.STAGES if key in s.needs + s.uses and BUILDERS.get(s.name)]
    return list(dict.fromkeys("annual" if n == "results" else n for n in names))


@pytest.mark.parametrize("mode", ["removed", "header-only"])
@pytest.mark.parametrize("key", CSV_INPUTS)
def test_every_report_states_the_absence_or_refuses_with_the_file(city, tmp_path, key, mode):
    data = tmp_path / "data"
    shutil.copytree(city, data)
    path = data / registry.input_spec(key).path
    if mode == "removed":
        path.unlink(missing_ok=True)  # the sample has no monitoring/schedule.csv: its removed case is the sample
    elif path.is_file():
        _header_only(path)
    else:
        path.write_text(",".join(registry.input_spec(key).required) + "\n", encoding="utf-8")
    assert Year.load(data).status(key) == (ABSENT if mode == "removed" else HEADER_ONLY)
    for report in _reports_of(key):
        try:
            text = BUILDERS[report](data)
        except InputError as exc:  # a refusal names the file (or the folder's project list it starts from)
            assert path.name in str(exc) or "projects.csv" in str(exc), (report, str(exc))
            continue
        if key == "payments":
            assert not PAYMENT_CONCLUSIONS.search(text), (report, PAYMENT_CONCLUSIONS.search(text)[0], text)
            assert "资金支付数据" in text, (report, text)
        if key in NOTHING_CONCLUDED and report in ("annual", "monitoring"):
            assert not NOTHING_CONCLUDED[key].search(text), (report, NOTHING_CONCLUDED[key].search(text)[0])
            assert registry.input_spec(key).path.split("/")[-1] in text or "未提供" in text, (report, text)
    if key == "key_indicators":  # the key report refuses; the city-wide reports say the absence
        with pytest.raises(InputError, match="indicators.csv"):
            _key(data)
        assert "重点评价数据" in _annual(data)
        from perfeval.outline import portfolio as PF
        from perfeval.outline.city import build_city_report

        c = build_city_report(data)
        assert c.key is None and "重点评价（个）" not in PF.grade_counts(c.totals, c.key_totals, c.labels)


def test_payments_absent_say_so_and_the_year_knows_each_status(city, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(city, data)
    assert Year.load(data).status("payments") == PRESENT
    with_payments = _self(data)
    assert "10 月底仍未支出" in with_payments  # the sample's SZ2021-011 was listed: the check can fail
    _header_only(data / "payments.csv")
    text = _self(data)
    assert "资金支付数据（payments.csv）只有表头、没有数据行" in text and "仍未支出" not in text
    annual = _annual(data)
    assert "只有表头" in annual and not PAYMENT_CONCLUSIONS.search(annual)
    with pytest.raises(InputError, match="payments.csv"):
        _monitoring(data)


def test_partial_payments_name_the_projects_covered_and_conclude_nothing_about_the_others(city, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(city, data)
    path = data / "payments.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    _write(path, [rows[0]] + [r for r in rows[1:] if r[0] != SELF_ID])
    year = Year.load(data)
    assert year.status("payments") == PARTIAL
    assert year.state("payments").missing == (SELF_ID,) and not year.covers("payments", SELF_ID)
    text = _self(data)
    assert "没有本项目的记录" in text and not PAYMENT_CONCLUSIONS.search(text)
    dashboard = _monitoring(data)
    assert f"资金支付数据只覆盖 {len(KEEP) - 1} 个项目" in dashboard and SELF_ID in dashboard
    annual = _annual(data)
    assert "1 个项目没有支付记录" in annual


def test_header_only_key_evaluation_is_refused_with_the_file(city, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(city, data)
    for name in ("indicators.csv", "panel_scores.csv", "panel_comments.csv"):
        _header_only(data / "key_evaluation" / name)
    from perfeval import keyeval

    with pytest.raises(InputError, match="indicators.csv"):
        keyeval.evaluate(keyeval.load(data))
    with pytest.raises(InputError, match="indicators.csv"):
        _key(data)


def test_header_only_payments_in_a_real_batch(city, tmp_path):
    """The published pages: no self report and no portfolio concludes anything from empty payments."""
    from perfeval.cli.batch import build_tasks, run_tasks
    import argparse

    data = tmp_path / "data"
    shutil.copytree(city, data)
    _header_only(data / "payments.csv")
    tasks = [t for t in build_tasks(data, kind="self", projects=["SZ2021-001", SELF_ID])]
    out = tmp_path / "out"
    code = run_tasks(tasks, argparse.Namespace(out=str(out), jobs=2, format="html"))
    assert code == 0
    pages = {p.name: re.sub(r"<[^>]+>", "", p.read_text(encoding="utf-8")) for p in (out / "reports").glob("*.html")}
    assert {"self-SZ2021-001.html", f"self-{SELF_ID}.html", "portfolio.html"} <= set(pages)
    for name, text in pages.items():
        assert not PAYMENT_CONCLUSIONS.search(text), (name, PAYMENT_CONCLUSIONS.search(text)[0])
        assert "资金支付数据" in text, name
    from perfeval.report.lint import lint_folder

    assert lint_folder(out).ok


# --------------------------------------------------------------------------- the registry and its page


def test_the_registry_names_real_notebooks_functions_and_inputs():
    names = [s.name for s in registry.STAGES]
    assert names == ["self", "key", "exante", "targets", "priority", "monitoring", "results", "disclosure", "annual", "dept"]
    for s in registry.STAGES:
        for nb in (s.notebook, s.summary_notebook):
            assert not nb or (ROOT / "notebooks" / nb).is_file(), nb
        for dotted in (s.function, s.outline):
            if dotted:
                module, _, attr = dotted.rpartition(".")
                assert callable(getattr(importlib.import_module(module), attr)), dotted
        for key in s.needs + s.uses:
            registry.input_spec(key)
    sample = Year.load(SAMPLE)
    assert sample.city == "示例市" and sample.budget_year == 2021
    for spec in registry.INPUTS:  # every registered column is a real column of the sample's file
        if spec.is_csv and (SAMPLE / spec.path).is_file():
            head = (SAMPLE / spec.path).read_text(encoding="utf-8-sig").splitlines()[0].split(",")
            assert set(spec.required) <= set(head), (spec.path, set(spec.required) - set(head))


def test_the_docs_page_is_generated_from_the_registry():
    page = (ROOT / "docs" / "data-folder.md").read_text(encoding="utf-8")
    assert page == render(), "docs/data-folder.md 已过期：python -m perfeval.city.docs > docs/data-folder.md"
    for spec in registry.INPUTS:
        assert f"`{spec.path}`" in page


def test_the_year_records_each_status_and_require_names_the_file(city, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(city, data)
    (data / "exante" / "cuts.csv").unlink()
    _header_only(data / "targets.csv")
    path = data / "next_year" / "control.csv"
    path.write_text("year,note\n2022,没有控制数\n", encoding="utf-8")
    year = Year.load(data)
    assert (year.status("payments"), year.status("exante_cuts"), year.status("targets")) == (PRESENT, ABSENT, HEADER_ONLY)
    assert year.has("payments") and not year.has("targets") and not year.has("exante_cuts")
    assert year.state("control").missing_columns == ("cap",)
    with pytest.raises(InputError, match="cuts.csv"):
        year.require("exante_cuts")
    with pytest.raises(InputError, match="只有表头"):
        year.require("targets")
    with pytest.raises(InputError, match="cap"):
        year.require("control")
    assert year.require("payments").rows > 0
    with pytest.raises(KeyError):
        year.status("payment")  # a misspelt input is an error, never "absent"


def test_a_file_that_cannot_be_read_is_left_to_its_stage_and_the_batch_still_lists_the_others(city, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(city, data)
    (data / "monitoring" / "midyear_targets.csv").write_text('project_id,month,completion\nA,6,"' + "x" * 200_000,
                                                            encoding="utf-8")
    assert Year.load(data).status("midyear") == PRESENT  # read by the dual monitoring, which names the cell
    from perfeval.cli.batch import build_tasks

    assert any(t.kind == "self" for t in build_tasks(data, kind="self", projects=[SELF_ID]))
