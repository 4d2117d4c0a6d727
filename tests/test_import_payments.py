"""`perfeval import payments`: a treasury export (xlsx with 万元, GBK csv) summed into payments.csv by hand-checked
sums; unmatched, previous-year and unreadable rows listed with their reason, never dropped; refunds counted and
flagged; exit codes; the same export twice gives the same bytes; monitoring runs on the imported folder."""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from perfeval.cli.import_data import add_subcommands
from perfeval.errors import InputError
from perfeval.monitor import treasury

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
NAME_002 = "示例市农村中小学办学条件改善项目"


@pytest.fixture
def folder(tmp_path) -> Path:
    data = tmp_path / "city"
    data.mkdir()
    lines = (SAMPLE / "projects.csv").read_text(encoding="utf-8-sig").splitlines()[:4]  # SZ2021-001 … 003
    (data / "projects.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (data / "city.yaml").write_text("city: 示例市\nyear: 2021\n", encoding="utf-8")
    return data


def _xlsx(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "支付明细"
    ws.append(["2021年国库集中支付明细"])
    ws.append(["支付日期", "预算单位", "项目编码", "项目名称", "支付金额（万元）"])
    ws.append([dt.datetime(2021, 1, 15), "教育局", "SZ2021-001", "义务教育", 100.5])        # 1 005 000
    ws.append([dt.datetime(2021, 1, 20), "教育局", None, f" {NAME_002}　", 20])              # by name: 200 000
    ws.append([dt.datetime(2021, 3, 2), "教育局", "SZ2021-001", None, 1.2345])             # 12 345
    ws.append([dt.datetime(2021, 3, 10), "教育局", "SZ2021-001", "冲销", -10])              # refund −100 000
    ws.append([dt.datetime(2021, 2, 1), "某局", "XX-999", "未知项目", 5])                    # unmatched
    ws.append([dt.datetime(2020, 12, 28), "教育局", "SZ2021-001", None, 7])                # previous year
    ws.append(["2021-02-30", "教育局", "SZ2021-002", None, 3])                              # bad date
    ws.append(["合计", None, None, None, 146.7345])
    ws["A4"].number_format = "m/d/yy"  # a US display format: the cell is still a date
    wb.save(path)
    return path


def _gbk_csv(path: Path) -> Path:
    text = ("付款日期,项目代码,项目名称,金额（元）,单位\n"
            "2021/2/3,SZ2021-002,,\"1,234.50\",教育局\n"
            "2021年4月5日,SZ2021-002,,(234.50),教育局\n"
            "2021-04-06,SZ2021-003,,五百,教育局\n")
    path.write_bytes(text.encode("gbk"))
    return path


def _run(argv) -> int:
    parser = argparse.ArgumentParser(prog="perfeval import")
    add_subcommands(parser.add_subparsers(dest="kind", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_xlsx_export_sums_by_hand(folder, tmp_path, capsys):
    export = _xlsx(tmp_path / "国库支付.xlsx")
    assert _run(["payments", str(export), "--data", str(folder)]) == 1   # some rows not counted
    got = (folder / "payments.csv").read_text(encoding="utf-8-sig")
    assert got == ("project_id,month,amount\n"
                   "SZ2021-001,1,1005000\n"
                   "SZ2021-001,3,-87655\n"              # 12 345 − 100 000
                   "SZ2021-002,1,200000\n"
                   "SZ2021-003,1,0\nSZ2021-003,2,0\nSZ2021-003,3,0\n")  # no payment: 0 for Jan…Mar
    left = _csv(folder / treasury.UNMATCHED_FILE)
    assert left[["行", "原因"]].values.tolist() == [["7", "项目清单中无此项目"], ["8", "不在预算年度"],
                                                    ["9", "日期无法识别"]]
    assert left.loc[0, "金额（元）"] == "50000.00" and left.loc[2, "列"] == "A" and left.loc[2, "原值"] == "2021-02-30"
    out = capsys.readouterr()
    assert "金额单位万元" in out.out and "跳过合计行 1 行" in out.out and "1 行按项目名称匹配" in out.out
    assert "退款" in out.out and "-100,000.00" in out.out
    assert "未计入 3 行" in out.err and "payments_unmatched.csv" in out.err


def test_same_export_twice_is_byte_identical(folder, tmp_path, capsys):
    export = _xlsx(tmp_path / "e.xlsx")
    _run(["payments", str(export), "--data", str(folder)])
    first = (folder / "payments.csv").read_bytes(), (folder / treasury.UNMATCHED_FILE).read_bytes()
    _run(["payments", str(export), "--data", str(folder)])
    assert ((folder / "payments.csv").read_bytes(), (folder / treasury.UNMATCHED_FILE).read_bytes()) == first
    assert "内容未变" in capsys.readouterr().out


def test_gbk_csv_in_yuan_with_refund_and_bad_amount(folder, tmp_path):
    result = treasury.import_payments([_gbk_csv(tmp_path / "pay.csv")], folder)
    assert result.payments.values.tolist() == [
        ["SZ2021-001", 1, "0"], ["SZ2021-001", 2, "0"], ["SZ2021-001", 3, "0"], ["SZ2021-001", 4, "0"],
        ["SZ2021-002", 2, "1234.50"], ["SZ2021-002", 4, "-234.50"],
        ["SZ2021-003", 1, "0"], ["SZ2021-003", 2, "0"], ["SZ2021-003", 3, "0"], ["SZ2021-003", 4, "0"]]
    assert result.refunds["amount"].tolist() == [-234.5]
    bad = result.excluded.iloc[0]
    assert (bad["reason"], bad["row"], bad["column"], bad["value"]) == ("金额无法识别", 4, "D", "五百")
    assert any("GB18030" in n for n in result.notes)


def test_all_matched_exits_zero_and_removes_old_list(folder, tmp_path):
    (folder / treasury.UNMATCHED_FILE).write_text("old", encoding="utf-8")
    export = tmp_path / "ok.csv"
    export.write_text("凭单时间,项目编码,本次支付金额\n2021-05-01,SZ2021-001,100\n2021-05-02,SZ2021-002,50\n"
                      "2021-05-03,SZ2021-003,1\n", encoding="utf-8")
    assert _run(["payments", str(export), "--data", str(folder)]) == 1        # 凭单时间 is not a known header
    assert _run(["payments", str(export), "--data", str(folder), "--map", "凭单时间=date"]) == 0
    assert not (folder / treasury.UNMATCHED_FILE).exists()
    assert _csv(folder / "payments.csv")["amount"].tolist() == ["100", "50", "1"]


def test_usage_errors_exit_two(folder, tmp_path, capsys):
    export = _xlsx(tmp_path / "e.xlsx")
    assert _run(["payments", str(export), "--data", str(folder), "--map", "凭证日期=when"]) == 3
    (folder / "city.yaml").write_text("city: 示例市\n", encoding="utf-8")
    assert _run(["payments", str(export), "--data", str(folder)]) == 3
    assert "预算年度" in capsys.readouterr().err
    assert _run(["payments", str(export), "--data", str(folder), "--year", "2020"]) == 1   # --year given
    assert not (tmp_path / "empty" / "payments.csv").exists()
    assert _run(["payments", str(export), "--data", str(tmp_path / "empty"), "--year", "2021"]) == 3


def test_export_without_header_is_one_clear_error(folder, tmp_path):
    export = tmp_path / "x.csv"
    export.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(InputError, match="找不到表头"):
        treasury.import_payments([export], folder)


def test_monitoring_runs_on_the_imported_folder(folder, tmp_path):
    from perfeval import monitor

    treasury.write(treasury.import_payments([_xlsx(tmp_path / "e.xlsx")], folder), folder)
    ledgers = monitor.at(folder, "2021-03")
    assert ledgers.not_covered == () and ledgers.coverage_note is None   # SZ2021-003 covered by its 0 rows
    assert len(ledgers.status.projects) == 3 and ledgers.last_month == 3
    paid = pd.read_csv(folder / "payments.csv", encoding="utf-8-sig")
    assert paid.groupby("project_id")["amount"].sum().to_dict() == {"SZ2021-001": 917345, "SZ2021-002": 200000,
                                                                    "SZ2021-003": 0}


def test_copy_of_sample_payments_round_trip(tmp_path):
    """The sample's own payments, written as an export, import back to the same sums."""
    data = tmp_path / "s"
    data.mkdir()
    shutil.copy(SAMPLE / "projects.csv", data / "projects.csv")
    pay = pd.read_csv(SAMPLE / "payments.csv", dtype={"project_id": str}, encoding="utf-8-sig")
    export = pay.assign(支付日期=pd.to_datetime(dict(year=2021, month=pay["month"], day=15)).dt.strftime("%Y-%m-%d"),
                        项目编码=pay["project_id"], 金额=pay["amount"])[["支付日期", "项目编码", "金额"]]
    export.to_csv(tmp_path / "e.csv", index=False)
    result = treasury.import_payments([tmp_path / "e.csv"], data, year=2021)
    assert result.complete
    back = result.payments.assign(amount=result.payments["amount"].astype(float))
    want = pay.groupby(["project_id", "month"])["amount"].sum()
    got = back.set_index(["project_id", "month"])["amount"]
    assert (got.reindex(want.index) == want).all()


def test_sheets_of_one_workbook_are_all_read(folder, tmp_path):
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表由国库集中支付系统导出"])
    for title, day, amount in (("一季度", dt.datetime(2021, 2, 1), 100), ("二季度", dt.datetime(2021, 5, 1), 250)):
        ws = wb.create_sheet(title)
        ws.append(["记账日期", "预算项目编码", "实际支付金额"])
        ws.append([day, "SZ2021-001", amount])
    wb.save(tmp_path / "q.xlsx")
    result = treasury.import_payments([tmp_path / "q.xlsx"], folder)
    assert result.payments[result.payments["project_id"] == "SZ2021-001"].values.tolist() == [
        ["SZ2021-001", 2, "100"], ["SZ2021-001", 5, "250"]]
    assert result.months == 5 and any("“说明”" in n and "已跳过" in n for n in result.notes)
