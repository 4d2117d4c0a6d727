"""The perfeval command line: systems subcommands, exit codes, Chinese messages."""
import subprocess
import sys

from openpyxl import load_workbook

from perfeval.cli import main


def test_systems_list_and_show(capsys):
    assert main(["systems", "list"]) == 0
    out = capsys.readouterr().out
    for sid in ("mof-2020-self", "mof-2020-project", "dept-overall", "exante", "target-review",
                "sector-education", "sector-water", "sector-environment", "sector-agriculture", "sector-urban"):
        assert sid in out
    assert main(["systems", "show", "mof-2020-self"]) == 0
    tree = capsys.readouterr().out
    assert "预算执行率" in tree and "产出指标" in tree and "50分" in tree


def test_systems_validate_lists_every_problem(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\ntitle: t\nkind: self\ntotal: 100\nweighting: points\nnodes:\n"
                   "  - {code: A, name: a, points: 10, rule: {kind: foo}}\n"
                   "  - {code: A, name: b, points: 20}\n", encoding="utf-8")
    assert main(["systems", "validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "nodes[0].rule.kind" in out and "nodes[1].code" in out and "total" in out


def test_systems_template_writes_a_form(tmp_path, capsys):
    out = tmp_path / "tpl.xlsx"
    assert main(["systems", "template", "sector-education", "--xlsx", str(out)]) == 0
    ws = load_workbook(out).worksheets[0]
    text = "".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert "项目支出绩效自评表" in text and "一级指标" in text


def test_unknown_system_is_a_clear_error(capsys):
    assert main(["systems", "show", "no-such-system"]) == 1
    assert "no-such-system" in capsys.readouterr().err


def test_console_script_runs():
    r = subprocess.run([sys.executable, "-m", "perfeval.cli", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and "perfeval" in r.stdout
