"""``perfeval monitor`` on the sample city, its workbook, and the monitoring dashboards of ``perfeval batch``."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from perfeval.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
STORY = json.loads((SAMPLE / "story.json").read_text(encoding="utf-8"))["monitoring"]


def _rows(ws) -> list[dict]:
    values = list(ws.values)
    return [dict(zip(values[2], row)) for row in values[3:]]  # rows 1-2: title, unit and date


def test_june_run_prints_the_summary_and_writes_the_workbook(tmp_path, capsys):
    out = tmp_path / "6月台账.xlsx"
    assert main(["monitor", "--data", str(SAMPLE), "--as-of", "2021-06", "--xlsx", str(out)]) == 0
    text = capsys.readouterr().out
    assert "绩效运行监控（2021年6月底）" in text and "红灯 15 个" in text
    assert "提醒名单（15 个项目）" in text and "尚未到10月底监控节点" in text and "11月底起提出收回建议" in text
    assert "预测回测" in text and "已写出监控台账工作簿" in text
    wb = load_workbook(out)
    assert wb.sheetnames == ["提醒名单", "重点关注台账", "收回建议", "运行监控", "双监控", "监控设置"]
    reminders = _rows(wb["提醒名单"])
    assert sorted(r["项目编码"] for r in reminders) == STORY["june_lagging"]
    assert _rows(wb["重点关注台账"]) == [{"说明": "截至2021年6月底，尚未到10月底监控节点"}]
    assert "11月底起" in _rows(wb["收回建议"])[0]["说明"]
    status = wb["运行监控"]
    assert status.max_row == 190 and status["A3"].value == "项目编码"
    assert status["A1"].value == "预算执行监控台账—运行监控" and "截至2021年6月底" in status["A2"].value
    head = [c.value for c in status[3]]
    money = head.index("预算数（万元）") + 1
    assert status.cell(4, money).number_format == "#,##0.00"
    assert status.cell(4, head.index("执行率") + 1).number_format == "0.00%"
    assert status.column_dimensions["B"].width > 20          # project names fit
    assert _rows(wb["双监控"]) and any(r["是否偏离"] == "是" for r in _rows(wb["双监控"]))


def test_october_and_november_runs_list_the_watch_ledger_and_propose_recovery(tmp_path, capsys):
    out = tmp_path / "l.xlsx"
    assert main(["monitor", "--data", str(SAMPLE), "--as-of", "2021-10", "--xlsx", str(out)]) == 0
    assert sorted(r["项目编码"] for r in _rows(load_workbook(out)["重点关注台账"])) == STORY["october_zero"]
    capsys.readouterr()
    assert main(["monitor", "--data", str(SAMPLE), "--as-of", "2021年11月", "--xlsx", str(out)]) == 0
    text = capsys.readouterr().out
    assert "收回建议（" in text
    # a November view does not know December's payments: its proposals cannot be backtested yet
    assert "收回建议回测" not in text and "截至11月底，本年度尚无全年实际支付，收回建议尚无法回测" in text
    proposals = _rows(load_workbook(out)["收回建议"])
    assert proposals and {r["项目编码"] for r in proposals} <= set(STORY["recovered"])
    assert all(r["建议收回（万元）"] > 0 for r in proposals)
    settings = {r["设置"]: r["取值"] for r in _rows(load_workbook(out)["监控设置"])}
    assert "尚无法回测" in settings["收回建议回测"] and "不保证" in settings["收回建议"]
    capsys.readouterr()
    assert main(["monitor", "--data", str(SAMPLE), "--as-of", "2021-12", "--xlsx", str(out)]) == 0
    text = capsys.readouterr().out
    assert "收回建议回测" in text and "未多收回" in text           # December: the year's payments are known
    settings = {r["设置"]: r["取值"] for r in _rows(load_workbook(out)["监控设置"])}
    assert "12月底的收回建议涉及" in settings["收回建议回测"]


def test_the_workbook_is_byte_reproducible(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for path in (a, b):
        assert main(["monitor", "--data", str(SAMPLE), "--as-of", "2021-06", "--xlsx", str(path)]) == 0
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("bad", ["2021-13", "六月", "2021", "2021-00"])
def test_a_bad_as_of_is_a_usage_error(bad, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["monitor", "--data", str(SAMPLE), "--as-of", bad])
    assert exc.value.code == 3
    assert "应为监控时点" in capsys.readouterr().err


def test_an_as_of_year_inside_the_history_and_a_missing_folder_are_input_errors(tmp_path, capsys):
    assert main(["monitor", "--data", str(SAMPLE), "--as-of", "2020-06"]) == 1
    assert "不晚于历史支付数据的年度" in capsys.readouterr().err
    assert main(["monitor", "--data", str(tmp_path / "nowhere"), "--as-of", "2021-06"]) == 1
    assert "找不到数据文件夹" in capsys.readouterr().err


def test_a_bad_payment_cell_names_file_row_and_column(tmp_path, capsys):
    data = tmp_path / "city"
    data.mkdir()
    for name in ("projects.csv", "payments.csv"):
        shutil.copyfile(SAMPLE / name, data / name)
    lines = (data / "payments.csv").read_text(encoding="utf-8-sig").splitlines()
    lines[4] = lines[4].rsplit(",", 1)[0] + ",一百万"
    (data / "payments.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["monitor", "--data", str(data), "--as-of", "2021-06"]) == 1
    err = capsys.readouterr().err
    assert "第 5 行" in err and "amount" in err and "一百万" in err
    # without monitoring/ the command still runs: no 直达资金, the straight line as the profile
    (data / "payments.csv").write_text("\n".join(lines[:4] + lines[5:]) + "\n", encoding="utf-8")
    assert main(["monitor", "--data", str(data), "--as-of", "2021-06"]) == 0
    assert "绿灯" in capsys.readouterr().out


def test_batch_kind_monitor_makes_the_june_and_october_dashboards_that_pass_the_lint(tmp_path, capsys):
    from perfeval.report.lint import lint_folder

    out = tmp_path / "out"
    assert main(["batch", "--data", str(SAMPLE), "--out", str(out), "--kind", "monitor", "--jobs", "1"]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    stems = sorted(p["stem"] for p in manifest["projects"])
    assert stems == ["monitoring-2021-06", "monitoring-2021-10"]
    assert all(p["status"] == "ok" and p["kind"] == "monitor" for p in manifest["projects"])
    result = lint_folder(out)
    assert result.files == 3 and result.ok, result.summary()
    june = (out / "reports" / "monitoring-2021-06.html").read_text(encoding="utf-8")
    october = (out / "reports" / "monitoring-2021-10.html").read_text(encoding="utf-8")
    for heading in ("一、总体情况", "二、累计执行与序时进度", "三、提醒名单", "四、重点关注台账", "五、直达资金重点监控",
                    "六、年底执行预测与收回建议", "七、双监控"):
        assert heading in june and heading in october
    assert "尚未到10月底监控节点" in june and "10月底仍未破零的项目 4 个" in october
    assert june.count("<img") >= 2                          # lights by department, execution against the schedule
    by = {p["stem"]: p for p in manifest["projects"]}
    assert by["monitoring-2021-06"]["result"]["red"] == 15
