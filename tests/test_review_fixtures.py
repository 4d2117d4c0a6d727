"""Review of the fixture forms: every planted finding is found, and nothing else.

The fixtures (tests/data/forms, documented in its README) carry the layouts and hazards of real
published 项目支出绩效自评表 (real-tables.md): merged cells, the Yunnan split columns, 20-point
execution, money in 元 with separators, a zero 年度资金总额 row, group scores, targets in names,
placeholder rows, blank markers. Expected execution scores, totals and findings are the ones
written in the README, computed by hand from the amounts on each form.
"""
from pathlib import Path

import pandas as pd
import pytest

import perfeval as pe
from perfeval.io import forms_to_frames, read_self_evaluation

FORMS = Path(__file__).parent / "data" / "forms"

# (file, sheet or None) -> (exec score, computed total, grade, {review codes})
EXPECTED = {
    ("mof_clean.xlsx", "自评表"): (9.78, 99.28, "优", set()),
    ("yunnan_split.xlsx", None): (10, 100, "优", set()),
    ("provincial_exec20.xlsx", None): (19.71, 99.71, "优", {"RATE_MISMATCH"}),
    ("yuan_thousands.xlsx", None): (9.46, 76.67, "中", set()),
    ("zero_total_row.xlsx", None): (9.5, 99.5, "优", {"TOTALS_ROW_INCONSISTENT"}),
    ("multi_sheet.xlsx", "城区绿化"): (9.8, 99.8, "优", {"SUM_MISMATCH"}),
    ("multi_sheet.xlsx", "农业技术培训"): (10, 100, "优", {"GRADE_MISMATCH"}),
    ("hazards.xlsx", None): (9.5, 96.91, "优", {"MET_BUT_DEDUCTED", "UNMET_FULL_MARKS", "MISSING_REASON",
                                               "AWARD_DEVIATES"}),
    ("csv_form.csv", None): (6.5, 96.5, "优", {"LOW_EXEC_ALL_MET", "TARGET_TOO_EASY"}),
    # 10 + 100 = 110 points: no total can be trusted, so none is given and no grade (issue 7 §3)
    ("review_findings.xlsx", None): (10, None, None, {"POINTS_TOTAL", "UNPARSED_TARGET"}),
    # no 分值 column at all: a narrative table, no grade (not 差)
    ("multi_sheet.xlsx", "乡村道路"): (9.7, None, None, {"NO_POINTS"}),
}


@pytest.fixture(scope="module")
def card():
    forms = []
    for name in sorted({f for f, _ in EXPECTED}):
        forms += read_self_evaluation(FORMS / name)
    rows, budget = forms_to_frames(forms)
    return pe.score(rows, budget), {(f.source_file, f.source_sheet): f.project_id for f in forms}


def _pid(ids, file, sheet):
    matches = [pid for (src, sh), pid in ids.items() if Path(src).name == file and (sheet is None or sh == sheet)]
    assert len(matches) == 1, (file, sheet, matches)
    return matches[0]


@pytest.mark.parametrize("key", list(EXPECTED), ids=[f"{f}:{s or ''}" for f, s in EXPECTED])
def test_fixture_totals_and_findings(card, key):
    scorecard, ids = card
    exec_score, total, grade, codes = EXPECTED[key]
    one = scorecard.project(_pid(ids, *key))
    t = one.totals.iloc[0]
    assert t.exec_score == pytest.approx(exec_score)
    assert t.total == pytest.approx(total) if total is not None else t.total != t.total  # NaN: withheld
    assert t.grade == grade if grade else pd.isna(t.grade)
    assert t.withheld == ("" if grade else "；".join(pe.review.WITHHOLDING[c] for c in codes
                                                     if c in pe.review.WITHHOLDING))
    assert set(one.flags.code) == codes, one.flags[["code", "message"]].to_string()


def test_flags_name_form_rows(card):
    scorecard, ids = card
    one = scorecard.project(_pid(ids, "hazards.xlsx", None))
    met = one.flags[one.flags.code == "MET_BUT_DEDUCTED"].iloc[0]
    assert met.row is not None and met.level3 == "开展公益讲座场次"
    assert "目标" in met.message and "得分 8/10" in met.message


def test_cli_scores_every_fixture_and_reports_broken_files(capsys):
    from perfeval.cli import main

    files = [str(FORMS / f) for f in ("mof_clean.xlsx", "csv_form.csv")] + [str(FORMS / "broken" / "points_text.xlsx")]
    code = main(["score", *files, "--json"])
    out = capsys.readouterr()
    import json
    data = json.loads(out.out)
    assert code == 1
    assert {p["project_id"] for p in data["projects"]} >= {"SL2021-001"}
    failed = data["failed"][0]
    assert "points_text.xlsx" in failed["error"] and "第 15 行" in failed["error"] and "G" in failed["error"]
    p = next(p for p in data["projects"] if p["project_id"] == "SL2021-001")
    assert set(p) >= {"project_name", "exec_rate", "exec_score", "total", "grade", "published_total",
                      "published_grade", "rows", "flags"}
    assert set(p["rows"][0]) == {"level1", "level2", "level3", "target", "actual", "points", "reference_score",
                                 "awarded_score", "score", "flags"}
    assert p["total"] == pytest.approx(99.28)


def test_cli_options_change_conventions(capsys, tmp_path):
    from perfeval.cli import main

    f = str(FORMS / "provincial_exec20.xlsx")
    # 10 execution points on a 20 + 80 form: computed, but the total does not fit the form: not graded, exit 2
    assert main(["score", f, "--json", "--exec-points", "10"]) == 2
    import json
    p = json.loads(capsys.readouterr().out)["projects"][0]
    assert p["exec_score"] == pytest.approx(9.86)
    assert p["grade"] is None and p["total"] is None and p["withheld"] == "评分方案的分值与表内分值不符"
    assert "--exec-points 20" in next(f["message"] for f in p["flags"] if f["code"] == "SCHEME_MISMATCH")
    assert main(["score", f, "--json", "--rounding", "int"]) == 0
    p = json.loads(capsys.readouterr().out)["projects"][0]
    assert p["exec_score"] == 20
    out = tmp_path / "r.xlsx"
    assert main(["score", f, "--xlsx", str(out)]) == 0
    from openpyxl import load_workbook
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "指标得分", "复核提示", "评分约定"]
    assert wb["汇总"]["A3"].value == "项目编码" and wb["汇总"]["A1"].value == "绩效自评评分结果—汇总"
    assert main(["score", f]) == 0
    text = capsys.readouterr().out
    assert "评价等级" in text and "总分" in text


def test_cli_reports_a_duplicate_project_and_scores_the_rest(tmp_path, capsys):
    """A batch never stops for one bad form: a second form with the same 项目编码 is reported by name."""
    import json
    import shutil

    from perfeval.cli import main

    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    shutil.copy(FORMS / "mof_clean.xlsx", a)
    shutil.copy(FORMS / "mof_clean.xlsx", b)
    code = main(["score", str(a), str(b), str(FORMS / "csv_form.csv"), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and len(data["projects"]) == 2
    assert "b.xlsx" in data["failed"][0]["error"] and "SL2021-001" in data["failed"][0]["error"]


def test_xlsx_export_keeps_typed_text_and_is_reproducible(card, tmp_path):
    from openpyxl import load_workbook

    from perfeval.export import write_scorecard_xlsx

    scorecard, _ = card
    a = write_scorecard_xlsx(scorecard, tmp_path / "a.xlsx")
    import time
    time.sleep(1.1)
    b = write_scorecard_xlsx(scorecard, tmp_path / "b.xlsx")
    assert a.read_bytes() == b.read_bytes()
    ws = load_workbook(a)["指标得分"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)  # "=0件" stays a target, not a formula


def test_reader_takes_a_target_from_a_name_only_where_the_scorer_reads_one(tmp_path):
    """"PM2.5浓度" names a pollutant, not a target of 2.5: the blank target stays blank (UNPARSED_TARGET)."""
    import dataclasses

    from perfeval.io import write_self_evaluation

    form = read_self_evaluation(FORMS / "mof_clean.xlsx")[0]
    rows = form.rows.copy()
    rows.loc[rows.index[0], ["level3", "target"]] = ["PM2.5浓度", None]
    rows.loc[rows.index[1], ["level3", "target"]] = ["年度资金支付完成率100%", None]
    write_self_evaluation([dataclasses.replace(form, rows=rows)], tmp_path / "f.xlsx")
    back = read_self_evaluation(tmp_path / "f.xlsx")[0].rows
    assert back.target.iloc[0] in (None, "") or back.target.isna().iloc[0]
    assert back.target.iloc[1] == "100%"


def test_reviewed_score_takes_an_award_above_the_rule_down_and_keeps_self_deductions(card):
    """hazards.xlsx: 全民阅读活动参与人次 4.2万 of ≥5万 awarded 10/10 (UNMET_FULL_MARKS) is reviewed to the rule's
    4.2/5 × 10 = 8.4; 开展公益讲座场次 24/24 awarded 8/10 (MET_BUT_DEDUCTED) keeps the unit's own 8. Total 96.91 →
    reviewed 96.91 − 10 + 8.4 = 95.31, still 优; the report leads with the reviewed total by default."""
    scorecard, ids = card
    one = scorecard.project(_pid(ids, "hazards.xlsx", None))
    rows = one.rows.set_index("level3")
    assert rows.loc["全民阅读活动参与人次", "reviewed_score"] == 8.4
    assert rows.loc["开展公益讲座场次", "reviewed_score"] == 8
    t = one.totals.iloc[0]
    assert t.total == pytest.approx(96.91) and t.reviewed_total == pytest.approx(95.31) and t.reviewed_grade == "优"
    assert scorecard.conventions["报告采用的总分 (headline total)"] == "复核后得分"
