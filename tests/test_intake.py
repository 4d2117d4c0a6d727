"""A bureau's own folder (issue 18, items 1–2): ``perfeval init`` then ``perfeval import forms`` then the batch.

The end-to-end test starts from ``perfeval init`` in a temporary folder, imports 20 of the sample city's forms
converted to a mix of containers (.xlsx as is, Word .docx and HTML tables and a GBK csv written by the container
fixtures' own helpers) plus two bad files, checks the outcome table, the refusals and the exit codes, imports
again (nothing changes, byte for byte), imports the treasury's payment export (GBK csv, one row per payment, with a
payment for an unknown project and one of another year: listed in payments_unmatched.csv, exit 1, the rest summed
by project and month), and makes the self-evaluation reports of three imported projects: they carry the forms'
numbers, the imported payments and the city name of ``city.yaml``. The unit tests cover init's refusals and templates,
the derived id of a form without 项目编码, a newer file replacing an older one, a duplicate and a year mismatch.
"""
from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pandas as pd

from perfeval.city import registry
from perfeval.city.columns import COLUMN_MEANINGS
from perfeval.city.examples import EXAMPLES
from perfeval.city.init import init_folder
from perfeval.city.intake import derived_id, import_forms
from perfeval.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_FORMS = ROOT / "data" / "sample" / "forms"
_spec = importlib.util.spec_from_file_location("make_containers", ROOT / "tests/data/containers/make_containers.py")
mc = importlib.util.module_from_spec(_spec)
sys.modules["make_containers"] = mc
_spec.loader.exec_module(mc)


def _hashes(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _grid(path: Path):
    from perfeval.io._grid import load_xlsx_grids

    return load_xlsx_grids(path)[0]


def _no_code_form(src: Path, out: Path) -> None:
    """The sample form with its 项目编码 cell blanked (a unit that left it empty)."""
    from openpyxl import load_workbook

    wb = load_workbook(src)
    ws = wb.active
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.strip().startswith("项目编码"):
                ws.cell(cell.row, cell.column + 1).value = None
                for right in range(cell.column + 1, cell.column + 4):
                    if isinstance(ws.cell(cell.row, right).value, str) and "SZ" in ws.cell(cell.row, right).value:
                        ws.cell(cell.row, right).value = None
    wb.save(out)


# --------------------------------------------------------------------------- init


def test_init_writes_the_registry_templates_city_yaml_and_readme_and_refuses_a_non_empty_folder(tmp_path):
    folder = tmp_path / "city"
    assert main(["init", str(folder), "--city", "某某市", "--year", "2021", "--bureau", "某某市财政局"]) == 0
    from perfeval import settings

    own = settings.load(folder)
    assert (own.city, own.year, own.bureau, own.issued_by) == ("某某市", 2021, "某某市财政局", "某某市财政局")
    projects = _rows(folder / "projects.csv")
    assert [r["project_id"] for r in projects] == ["示例-001"]
    spec = registry.input_spec("projects")
    assert set(spec.required) <= set(projects[0])
    for s in registry.INPUTS:  # every other csv input has a template with its columns and one example row
        if s.is_csv and not s.per_project and s.key not in ("projects", "self_rows", "self_budget"):
            rows = _rows(folder / "templates" / s.path)
            assert set(s.required) <= set(rows[0]) and len(rows) == 1, s.path
            assert not (folder / s.path).exists(), s.path  # nothing in place that would be read as data
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "单位绩效自评" in readme and "`payments.csv`" in readme and COLUMN_MEANINGS["budget_full_year"] in readme
    (folder / "city.yaml").write_text("city: 我的市\n", encoding="utf-8")
    assert main(["init", str(folder)]) == 1  # not empty: refused, nothing touched
    (folder / "projects.csv").unlink()
    assert main(["init", str(folder), "--force"]) == 0  # only what is missing is added
    assert (folder / "city.yaml").read_text(encoding="utf-8") == "city: 我的市\n"
    assert (folder / "projects.csv").is_file()


def test_every_registry_column_has_a_chinese_meaning_and_every_example_names_registry_columns():
    for spec in registry.INPUTS:
        assert all(c in COLUMN_MEANINGS for c in spec.required + spec.optional), spec.key
    for key, row in EXAMPLES.items():
        spec = registry.input_spec(key)
        assert set(row) <= set(spec.required + spec.optional), key
        assert set(spec.required) <= set(row), key


def test_a_fresh_folder_batch_gives_clear_messages_not_tracebacks(tmp_path, capsys):
    folder = tmp_path / "city"
    init_folder(folder, city="某某市")
    (folder / "projects.csv").write_text("\ufeff" + (folder / "projects.csv").read_text(encoding="utf-8-sig")
                                         .splitlines()[0] + "\n", encoding="utf-8")
    code = main(["batch", "--data", str(folder), "--out", str(tmp_path / "out"), "--kind", "self"])
    err = capsys.readouterr().err
    assert code != 0 and "Traceback" not in err and "projects.csv" in err


# --------------------------------------------------------------------------- import forms: unit tests


def test_a_form_without_project_code_gets_a_stable_derived_id_and_its_reports_read_it(tmp_path):
    folder = tmp_path / "city"
    init_folder(folder)
    _no_code_form(SAMPLE_FORMS / "SZ2021-003.xlsx", tmp_path / "无编码.xlsx")
    result = import_forms([tmp_path / "无编码.xlsx"], folder)
    (o,) = result.outcomes
    assert o.outcome == "imported" and o.project_id.startswith("ZP-") and len(o.project_id) == 11
    assert o.project_id in o.reason and o.stored == f"forms/{o.project_id}.xlsx"
    budget = _rows(folder / "self_evaluation" / "budget.csv")[0]
    assert o.project_id == derived_id(budget["unit"], budget["project_name"])
    from perfeval import datasets

    forms, _ = datasets.self_evaluation_forms(folder, o.project_id)  # the form file reads as this project's
    assert forms[0].project_id == o.project_id


def test_a_newer_file_replaces_the_older_one_and_keeps_it_a_duplicate_and_another_year_are_refused(tmp_path):
    folder = tmp_path / "city"
    init_folder(folder, year=2021)
    first = tmp_path / "a" / "SZ2021-001.xlsx"
    first.parent.mkdir()
    shutil.copy(SAMPLE_FORMS / "SZ2021-001.xlsx", first)
    assert import_forms([first], folder).outcomes[0].outcome == "imported"
    rows = _rows(folder / "projects.csv")
    rows[0]["sector"], rows[0]["key_evaluation"] = "教育", "true"  # the bureau fills what a form does not say
    with (folder / "projects.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    newer = tmp_path / "b" / "SZ2021-001.docx"
    newer.parent.mkdir()
    mc.write_docx(_grid(first), newer)
    dup = tmp_path / "b" / "SZ2021-001_again.html"
    dup.write_text(mc.html_page(_grid(first), "utf-8"), encoding="utf-8")
    result = import_forms([newer, dup], folder)
    update, refused = result.outcomes
    assert update.outcome == "updated" and update.stored == "forms/SZ2021-001.docx" and ".replaced" in update.reason
    assert refused.outcome == "refused" and "项目编码" in refused.reason and "SZ2021-001.docx" in refused.reason
    assert sorted(p.name for p in (folder / "forms").iterdir() if p.is_file()) == ["SZ2021-001.docx"]
    assert len(list((folder / "forms" / ".replaced").iterdir())) == 1  # the older copy is kept, never deleted
    row = _rows(folder / "projects.csv")[0]
    assert (row["sector"], row["key_evaluation"], row["budget_full_year"]) == ("教育", "true", "61770000")
    other_year = tmp_path / "city2"
    init_folder(other_year, year=2022)
    (o,) = import_forms([first], other_year).outcomes
    assert o.outcome == "refused" and "2021" in o.reason and "2022" in o.reason


def test_a_file_that_cannot_be_read_is_refused_with_its_reason_and_the_others_go_on(tmp_path):
    folder = tmp_path / "city"
    init_folder(folder)
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "scan.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    (bad / "空.xlsx").write_bytes(b"")
    shutil.copy(SAMPLE_FORMS / "SZ2021-002.xlsx", bad / "SZ2021-002.xlsx")
    result = import_forms([bad], folder)
    assert [(Path(o.source).name, o.outcome) for o in result.outcomes] == [
        ("SZ2021-002.xlsx", "imported"), ("scan.pdf", "refused"), ("空.xlsx", "refused")]
    assert "PDF" in result.outcomes[1].reason and "0 字节" in result.outcomes[2].reason
    assert main(["import", "forms", str(tmp_path / "nothing-here"), "--data", str(folder)]) == 3  # usage


# --------------------------------------------------------------------------- end to end


def _mixed_forms(out: Path) -> dict:
    """20 sample forms as .xlsx (11), .docx (4), .html (3), GBK .csv (2), and two bad files; id → container."""
    out.mkdir()
    ids = [f"SZ2021-{i:03d}" for i in range(1, 21)]
    made = {}
    for n, pid in enumerate(ids):
        src = SAMPLE_FORMS / f"{pid}.xlsx"
        if n < 11:
            shutil.copy(src, out / src.name)
            made[pid] = ".xlsx"
        elif n < 15:
            mc.write_docx(_grid(src), out / f"{pid}.docx")
            made[pid] = ".docx"
        elif n < 18:
            (out / "web").mkdir(exist_ok=True)
            (out / "web" / f"{pid}.html").write_bytes(mc.html_page(_grid(src), "gbk").encode("gbk"))
            made[pid] = ".html"
        else:
            mc.write_csv(_grid(src), out / f"{pid}.csv")
            made[pid] = ".csv"
    (out / "扫描件.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")
    (out / "损坏.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    return made


def test_init_import_twenty_mixed_forms_then_the_batch_reports_carry_the_forms_numbers(tmp_path, capsys):
    folder = tmp_path / "我的市"
    assert main(["init", str(folder), "--city", "某某市", "--year", "2021", "--bureau", "某某市财政局"]) == 0
    made = _mixed_forms(tmp_path / "收到的自评表")
    capsys.readouterr()
    assert main(["import", "forms", str(tmp_path / "收到的自评表"), "--data", str(folder)]) == 1  # two refused
    out, err = capsys.readouterr()
    assert "导入 20 个" in out and "拒绝 2 个" in out and "扫描件.pdf" in err and "损坏.xlsx" in err
    stored = {p.stem: p.suffix for p in (folder / "forms").iterdir() if p.is_file()}
    assert stored == made
    projects = _rows(folder / "projects.csv")
    assert sorted(r["project_id"] for r in projects) == sorted(made)  # the example row is gone
    budget = {r["project_id"]: r for r in _rows(folder / "self_evaluation" / "budget.csv")}
    sample = {r["project_id"]: r for r in _rows(ROOT / "data" / "sample" / "self_evaluation" / "budget.csv")}
    for pid in made:  # every container gives the same amounts as the sample's tidy table
        assert float(budget[pid]["budget_full_year"]) == float(sample[pid]["budget_full_year"]), pid
        assert float(budget[pid]["spent"]) == float(sample[pid]["spent"]), pid
    from perfeval.city.year import Year

    forms_state = Year.load(folder).state("forms")  # the year model sees every container as the project's form
    assert forms_state.status == "present" and set(forms_state.covered) == set(made)
    before = _hashes(folder)
    assert main(["import", "forms", str(tmp_path / "收到的自评表"), "--data", str(folder)]) == 1
    assert "未变 20 个" in capsys.readouterr().out
    assert _hashes(folder) == before  # idempotent: byte-identical
    # the treasury's payment export (one row per payment), with a payment for a project the city does not
    # have and one dated in another year: both listed, never dropped; the rest summed by project and month
    sample_paid = pd.read_csv(ROOT / "data" / "sample" / "payments.csv", encoding="utf-8-sig", dtype={"project_id": str})
    paid = sample_paid[sample_paid["project_id"].isin(made)]
    export = pd.DataFrame({"支付日期": [f"2021-{m:02d}-15" for m in paid["month"]], "项目编码": paid["project_id"],
                           "支付金额（元）": paid["amount"]})
    export = pd.concat([export, pd.DataFrame({"支付日期": ["2021-03-02", "2020-12-30"],
                                              "项目编码": ["XX-999", "SZ2021-001"], "支付金额（元）": [1000, 2000]})])
    export.to_csv(tmp_path / "国库集中支付明细.csv", index=False, encoding="gbk")
    capsys.readouterr()
    assert main(["import", "payments", str(tmp_path / "国库集中支付明细.csv"), "--data", str(folder)]) == 1
    left_out = pd.read_csv(folder / "payments_unmatched.csv", encoding="utf-8-sig", dtype=str)
    assert len(left_out) == 2 and set(left_out.fillna("").apply(" ".join, axis=1).str.contains("XX-999|2020")) == {True}
    written = pd.read_csv(folder / "payments.csv", encoding="utf-8-sig", dtype={"project_id": str})
    got = written.groupby("project_id")["amount"].sum()
    assert (got.reindex(sorted(made)) - paid.groupby("project_id")["amount"].sum().reindex(sorted(made))).abs().max() < 0.01
    chosen = ["SZ2021-001", "SZ2021-012", "SZ2021-016"]  # .xlsx, .docx, .html
    assert main(["batch", "--data", str(folder), "--out", str(tmp_path / "out"), "--projects", ",".join(chosen),
                 "--kind", "self"]) == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["summary"]["ok"], manifest["summary"]["failed"]) == (4, 0)  # three reports and the portfolio
    assert {p["project_id"] for p in manifest["projects"] if p["kind"] == "self"} == set(chosen)
    for pid in chosen:
        page = (tmp_path / "out" / "reports" / f"self-{pid}.html").read_text(encoding="utf-8")
        total = sample[pid]["published_total"]
        assert f"{float(total):.2f}" in page, pid
        assert "未提供资金支付数据" not in page and "没有支付记录" not in page, pid  # the imported payments are read
    portfolio = (tmp_path / "out" / "reports" / "portfolio.html").read_text(encoding="utf-8")
    assert "某某市" in portfolio


def test_the_same_file_twice_in_one_run_is_unchanged_and_two_files_of_one_project_are_an_error(tmp_path):
    folder = tmp_path / "city"
    init_folder(folder)
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    shutil.copy(SAMPLE_FORMS / "SZ2021-004.xlsx", a)
    shutil.copy(SAMPLE_FORMS / "SZ2021-004.xlsx", b)
    first, second = import_forms([a, b], folder).outcomes
    assert (first.outcome, second.outcome) == ("imported", "unchanged") and "a.xlsx" in second.reason
    assert main(["import", "forms", str(a), "--data", str(folder)]) == 0  # already stored: unchanged, exit 0
    mc.write_csv(_grid(a), folder / "forms" / "SZ2021-004.csv")  # a second file for the project, put by hand
    from perfeval import datasets
    from perfeval.errors import InputError

    try:
        datasets.form_path(folder, "SZ2021-004")
    except InputError as exc:
        assert "SZ2021-004.csv" in str(exc) and "SZ2021-004.xlsx" in str(exc)
    else:
        raise AssertionError("two form files for one project must be an error")
