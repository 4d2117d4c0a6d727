"""``perfeval score``: exit codes, the reader's notes in every output format, valid JSON, one form at a time.

Exit codes (``perfeval score --help``): 0 every form graded; 1 some file unreadable; 2 some form read
but not graded; 3 wrong usage.
"""
import csv
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from perfeval.cli import main

FORMS = Path(__file__).parent / "data" / "forms"
COVER_NOTE = "工作表“封面”有项目名称等标签（如封面）但没有绩效指标表，已跳过"


def _strict_json(text: str) -> dict:
    def refuse(constant):
        raise AssertionError(f"invalid JSON constant {constant}")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("files,code", [
    (["mof_clean.xlsx"], 0),
    (["mof_clean.xlsx", "money_unreadable.xlsx"], 2),
    (["blank_score.xlsx"], 2),
    (["mof_clean.xlsx", "broken/points_text.xlsx", "money_unreadable.xlsx"], 1),
])
def test_exit_codes(files, code, capsys):
    assert main(["score", *[str(FORMS / f) for f in files], "--json"]) == code
    out = capsys.readouterr()
    data = _strict_json(out.out)
    assert {p["graded"] for p in data["projects"]} == ({True} if code == 0 else {True, False} - (
        {True} if files == ["blank_score.xlsx"] else set()))
    if code == 2:
        assert "未评定等级 (not graded)" in out.err and "未评定等级" in out.err


def test_usage_errors_exit_3_and_help_documents_the_codes(capsys):
    with pytest.raises(SystemExit) as info:
        main(["score", str(FORMS / "mof_clean.xlsx"), "--rounding", "nope"])
    assert info.value.code == 3
    with pytest.raises(SystemExit):
        main(["score", "--help"])
    text = capsys.readouterr().out
    assert "0 全部评定等级" in text and "1 有文件无法读取" in text and "2 有自评表已读取但未评定等级" in text
    assert "--exec-base" in text and "--exec-rounding" in text


def test_reader_notes_in_every_output_format(tmp_path, capsys):
    form = str(FORMS / "cover_sheet.xlsx")
    assert main(["score", form]) == 0
    assert COVER_NOTE in capsys.readouterr().out
    assert main(["score", form, "--json"]) == 0
    project = _strict_json(capsys.readouterr().out)["projects"][0]
    assert any(COVER_NOTE in n for n in project["notes"])
    out_csv = tmp_path / "s.csv"
    assert main(["score", form, "--csv", str(out_csv)]) == 0
    with out_csv.open(encoding="utf-8-sig", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert COVER_NOTE in row["读表说明"] and row["评价等级"] == "优"
    out_xlsx = tmp_path / "s.xlsx"
    assert main(["score", form, "--xlsx", str(out_xlsx)]) == 0
    ws = load_workbook(out_xlsx)["汇总"]
    header = [c.value for c in ws[3]]
    assert COVER_NOTE in ws.cell(row=4, column=header.index("读表说明") + 1).value


def test_json_of_a_form_that_cannot_be_graded_is_valid_and_says_why(capsys):
    assert main(["score", str(FORMS / "money_unreadable.xlsx"), "--json"]) == 2
    p = _strict_json(capsys.readouterr().out)["projects"][0]
    assert p["total"] is None and p["grade"] is None and p["exec_score"] is None and p["graded"] is False
    assert p["withheld"] == "项目资金表无法读取" and p["rows_score"] == 90
    assert p["flags"][0]["code"] == "MONEY_UNREADABLE" and p["flags"][0]["severity"] == "error"


def test_text_output_of_an_ungraded_form_prints_no_total(capsys):
    assert main(["score", str(FORMS / "money_unrecognised.xlsx")]) == 2
    out = capsys.readouterr().out
    assert "未评定等级（项目资金表无法读取）" in out and "总分 nan" not in out and "nan" not in out.lower()


def test_one_form_as_a_subprocess_reads_as_a_clerk_would():
    """The command a clerk types, in a fresh interpreter: valid JSON on stdout, the summary on stderr."""
    r = subprocess.run([sys.executable, "-m", "perfeval.cli", "score", str(FORMS / "money_variants.xlsx"), "--json"],
                       capture_output=True, text=True, encoding="utf-8")
    assert r.returncode == 0, r.stderr
    data = _strict_json(r.stdout)
    assert len(data["projects"]) == 10 and all(p["graded"] for p in data["projects"])
    assert math.isclose(sum(p["total"] for p in data["projects"]), 996.5)
    assert "10 个评定等级" in r.stderr


def test_an_overlong_csv_cell_is_a_clear_error_naming_the_line(tmp_path, capsys):
    lines = (FORMS / "csv_form.csv").read_text(encoding="utf-8-sig").splitlines()
    lines[3] += ',"' + "长" * 200_000 + '"'
    (tmp_path / "big.csv").write_text("\n".join(lines), encoding="utf-8")
    assert main(["score", str(tmp_path / "big.csv")]) == 1
    err = capsys.readouterr().err
    assert "big.csv，第 4 行" in err and "无法解析" in err and "Traceback" not in err
