"""Review fixes of the monitoring: the as-of checked against the data, the bureau's schedule in the
reminder list, the workbook path, error texts, spending without a budget, and the backtest withheld
when the year's payments do not reach December.

Each test builds the situation the reviewer demonstrated (a copy of the sample city cut at June, an
as-of after the data, a custom schedule …) and checks the behaviour the fix promises.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfeval import monitor as M
from perfeval.cli import main
from perfeval.errors import InputError
from perfeval.monitor.data import _payment_matrix
from perfeval.monitor.ledger import at

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def june_only(tmp_path_factory):
    """The sample city as a real mid-year run sees it: payments only up to June."""
    folder = tmp_path_factory.mktemp("june") / "city"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("self_evaluation", "key_evaluation", "forms",
                                                                  "declarations", "exante", "next_year"))
    pay = pd.read_csv(folder / "payments.csv", dtype={"project_id": str}, encoding="utf-8-sig")
    pay[pay["month"] <= 6].to_csv(folder / "payments.csv", index=False)
    return folder


# ------------------------------------------------------------------ 2. backtest withheld mid-year

def test_a_mid_year_run_backtests_on_the_history_years_and_says_so(june_only, capsys):
    led = at(june_only, "2021-06")
    assert led.last_month == 6 and "历史年度逐年回测" in led.backtest.source
    assert "截至6月底，本年度尚无实际年底执行率" in led.backtest_note and "不做本年度回测" in led.backtest_note
    # the actual rates it compares with are the history years' own (year total ÷ budget), not this year's
    hp = pd.read_csv(june_only / "monitoring" / "history_payments.csv", encoding="utf-8-sig", dtype={"project_id": str})
    hb = pd.read_csv(june_only / "monitoring" / "history_budgets.csv", encoding="utf-8-sig", dtype={"project_id": str})
    want = hp.groupby(["year", "project_id"])["amount"].sum() / hb.set_index(["year", "project_id"])["budget"]
    got = led.backtest.errors.query("method == 'remaining' and month == 6").set_index(["year", "project_id"])["actual"]
    np.testing.assert_allclose(got.to_numpy(), want.reindex(got.index).to_numpy())
    assert len(got) == len(hb)
    assert main(["monitor", "--data", str(june_only), "--as-of", "2021-06"]) == 0
    out = capsys.readouterr().out
    assert "预测回测（历史年度逐年回测" in out
    assert led.conventions()["预测回测"] == led.backtest_note


def test_a_mid_year_run_without_history_withholds_the_backtest(june_only, tmp_path, capsys):
    folder = tmp_path / "city"
    shutil.copytree(june_only, folder)
    for name in ("history_payments.csv", "history_budgets.csv"):
        (folder / "monitoring" / name).unlink()
    led = at(folder, "2021-06")
    assert led.backtest is None and "不做本年度回测" in led.backtest_note
    assert main(["monitor", "--data", str(folder), "--as-of", "2021-06"]) == 0
    out = capsys.readouterr().out
    assert "预测回测：截至6月底，本年度尚无实际年底执行率" in out and "平均绝对误差" not in out


def test_a_complete_year_states_which_backtest_it_is():
    # the sample's payments reach December, but a June view does not: it backtests on the history years
    led = at(SAMPLE, "2021-06")
    assert "历史年度逐年回测" in led.backtest.source and "本年度全年实际支付" not in led.backtest_note
    led = at(SAMPLE, "2021-12")
    assert led.backtest is not None and "本年度全年实际支付" in led.backtest_note


# ------------------------------------------------------------------ 3. as-of after the data, wrong year

def test_an_as_of_after_the_last_month_of_payments_is_refused(june_only):
    with pytest.raises(InputError) as exc:
        at(june_only, "2021-07")
    text = str(exc.value)
    assert "payments.csv" in text and "截至月份不晚于数据中最后的月份 6" in text and "2021-07" in text


def test_an_as_of_in_another_year_than_the_data_is_refused(capsys):
    with pytest.raises(InputError) as exc:
        at(SAMPLE, "2030-06")
    assert "2021" in str(exc.value) and "2030-06" in str(exc.value)
    assert main(["monitor", "--data", str(SAMPLE), "--as-of", "2030-06"]) == 1
    assert "截至2030年" not in capsys.readouterr().out


def test_the_budget_year_comes_from_a_year_column_then_the_history_then_the_codes():
    from perfeval.monitor.ledger import data_year

    projects = pd.DataFrame({"project_id": ["SZ2021-001", "SZ2021-002", "X"]})
    assert data_year(projects, None) == 2021
    assert data_year(projects, pd.DataFrame({"year": [2018, 2019]})) == 2020
    assert data_year(projects.assign(year=2022), pd.DataFrame({"year": [2018]})) == 2022
    assert data_year(pd.DataFrame({"project_id": ["A"]}), None) is None


# ------------------------------------------------------------------ 4. the bureau's schedule in the reminders

def test_the_reminder_list_divides_by_the_bureaus_schedule():
    # a schedule that front-loads: 75 % of the year "elapsed" by June
    schedule = np.r_[np.linspace(0.125, 0.75, 6), np.linspace(0.79, 1.0, 6)]
    led = at(SAMPLE, "2021-10", status_settings=M.StatusSettings(schedule=schedule))
    rem = led.reminders
    # the listed progress is the June rate divided by the bureau's June share, not by 6 / 12
    np.testing.assert_allclose(rem["progress"], rem["rate"] / 0.75)
    straight = at(SAMPLE, "2021-10").reminders
    assert len(rem) > len(straight)                     # a steeper schedule lists more projects


def test_the_whole_year_monitoring_takes_the_bureaus_schedule_too():
    """`monitor()` (behind the annual report and the portfolio) measures against the same schedule as
    the dashboard's `at()`: the same June reminders, monthly progress divided by the bureau's shares,
    the schedule printed in its conventions; a malformed schedule is an error naming it."""
    schedule = np.r_[np.linspace(0.125, 0.75, 6), np.linspace(0.79, 1.0, 6)]
    year = M.monitor(SAMPLE, schedule=schedule)
    dashboard = at(SAMPLE, "2021-10", status_settings=M.StatusSettings(schedule=schedule))
    assert year.reminders == dashboard.reminders["project_id"].tolist()
    assert len(year.reminders) > len(M.monitor(SAMPLE).reminders)
    june = year.progress[year.progress["month"] == 6]
    np.testing.assert_allclose(june["progress"].dropna(), (june["rate"] / 0.75).dropna())
    assert "自定义序时进度" in year.conventions["进度比 (progress)"]
    assert "月份 ÷ 12" in M.monitor(SAMPLE).conventions["进度比 (progress)"]
    with pytest.raises(InputError, match="schedule"):
        M.monitor(SAMPLE, schedule=[0.5, 0.4] + [1.0] * 10)


FRONT_LOADED = tuple(np.round(np.r_[np.linspace(0.125, 0.75, 6), np.linspace(0.79, 1.0, 6)], 4))


def _city_with_schedule(folder: Path, rows: list[tuple]) -> Path:
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("self_evaluation", "key_evaluation", "forms",
                                                                  "declarations", "exante", "next_year"))
    body = "".join(f"{m},{share}\n" for m, share in rows)
    (folder / "monitoring" / "schedule.csv").write_text("month,share\n" + body, encoding="utf-8")
    return folder


def test_a_data_folder_can_carry_its_own_schedule(tmp_path, capsys):
    """``monitoring/schedule.csv`` (month, cumulative share; rows in any order, 0.75 or "75%") is the
    schedule of the dashboard, the CLI and the whole-year monitoring of that folder, printed with
    the results; settings that name a schedule still win."""
    rows = [(m, f"{s:.2%}" if m % 2 else s) for m, s in zip(range(1, 13), FRONT_LOADED)]
    city = _city_with_schedule(tmp_path / "city", rows[6:] + rows[:6])
    own = at(city, "2021-10")
    same = at(SAMPLE, "2021-10", status_settings=M.StatusSettings(schedule=FRONT_LOADED))
    assert own.reminders["project_id"].tolist() == same.reminders["project_id"].tolist()
    assert len(own.reminders) > len(at(SAMPLE, "2021-10").reminders)
    assert "自定义序时进度" in own.status.conventions()["序时进度"] and "6月 75%" in own.status.conventions()["序时进度"]
    assert M.monitor(city).reminders == own.reminders["project_id"].tolist()
    assert "自定义序时进度" in M.monitor(city).conventions["进度比 (progress)"]
    straight = at(city, "2021-10", status_settings=M.StatusSettings(schedule=tuple(np.arange(1, 13) / 12)))
    assert straight.reminders["project_id"].tolist() == at(SAMPLE, "2021-10").reminders["project_id"].tolist()
    assert main(["monitor", "--data", str(city), "--as-of", "2021-06"]) == 0
    assert "自定义序时进度" in capsys.readouterr().out


@pytest.mark.parametrize("change, row, column, found", [
    (lambda rows: rows[:11], None, "month", "1、2、3"),                       # December missing
    (lambda rows: rows[:5] + [(13, 0.5)] + rows[6:], 7, "month", "13"),
    (lambda rows: rows[:5] + [(6, "五成")] + rows[6:], 7, "share", "五成"),
    (lambda rows: rows[:5] + [(6, "")] + rows[6:], 7, "share", "（空白）"),
    (lambda rows: rows[:5] + [(6, "50%%")] + rows[6:], 7, "share", "50%%"),  # one "%" only, never stripped twice
    (lambda rows: rows[:5] + [(6, 0.3)] + rows[6:], 7, "share", "6月 0.3"),   # falls after May
    (lambda rows: rows[:11] + [(12, "100.01%")], 13, "share", "12月 100.01%"),
])
def test_a_bad_schedule_file_is_an_error_naming_file_row_and_column(tmp_path, change, row, column, found):
    city = _city_with_schedule(tmp_path / "city", change(list(zip(range(1, 13), FRONT_LOADED))))
    for run in (lambda: at(city, "2021-06"), lambda: M.monitor(city)):
        with pytest.raises(InputError) as info:
            run()
        text = str(info.value)
        assert "schedule.csv" in text and f"列 {column}" in text and found in text
        assert row is None or f"第 {row} 行" in text


def test_the_schedule_file_is_read_as_typed(tmp_path):
    """Full-width digits and percent signs, spaces around the header, blank lines: read as a person
    means them, and an error names the line as the file shows it (blank lines counted)."""
    city = _city_with_schedule(tmp_path / "city", [])
    full_width = str.maketrans("0123456789.", "０１２３４５６７８９．")
    lines = [" month , share "] + [f"{m},{f'{s * 100:g}'.translate(full_width)}％"    # e.g. "７５％"
                                  for m, s in zip(range(1, 13), FRONT_LOADED)]
    schedule = city / "monitoring" / "schedule.csv"
    schedule.write_text("\n".join(lines[:4] + [""] + lines[4:]) + "\n", encoding="utf-8")
    assert M.monitor(city).reminders == at(SAMPLE, "2021-10", status_settings=M.StatusSettings(
        schedule=FRONT_LOADED)).reminders["project_id"].tolist()
    schedule.write_text("\n".join(lines[:4] + ["", "4,abc"] + lines[5:]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="第 6 行") as info:
        M.monitor(city)
    assert "abc" in str(info.value)


def test_settings_that_name_a_schedule_win_over_the_file_and_a_typo_is_an_error(tmp_path):
    city = _city_with_schedule(tmp_path / "city", list(zip(range(1, 13), FRONT_LOADED)))
    straight = at(SAMPLE, "2021-10").reminders["project_id"].tolist()
    assert at(city, "2021-10", status_settings=M.StatusSettings(schedule="straight-line")).reminders[
        "project_id"].tolist() == straight
    assert M.monitor(city, schedule="straight-line").reminders == straight
    with pytest.raises(InputError, match="schedule"):
        M.monitor(city, schedule="straigth-line")


def test_checkpoint_lists_take_time_shares_and_check_them():
    payments = pd.DataFrame({"project_id": ["A"] * 6, "month": range(1, 7), "amount": [10.0] * 6})
    projects = pd.DataFrame({"project_id": ["A"], "budget_initial": [120.0]})
    # paid 60 of 120 by June: rate 50 %; straight line 50 % → progress 100 %; schedule 80 % by June → 62.5 %
    shares = np.r_[np.linspace(0.1, 0.8, 6), np.linspace(0.84, 1.0, 6)]
    got = M.checkpoint_lists(payments, projects, [(6, 0.8, "remind")], time_shares=shares)
    assert got["progress"].tolist() == pytest.approx([0.625])
    assert M.checkpoint_lists(payments, projects, [(6, 0.8, "remind")]).empty
    with pytest.raises(InputError):
        M.checkpoint_lists(payments, projects, [(6, 0.8, "remind")], time_shares=[0.5])


# ------------------------------------------------------------------ 5. --xlsx a folder; error texts

def test_xlsx_naming_a_folder_is_an_input_error_not_a_traceback(tmp_path, capsys):
    assert main(["monitor", "--data", str(SAMPLE), "--as-of", "2021-06", "--xlsx", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert ".xlsx 文件路径" in err and "Traceback" not in err


def test_payment_errors_name_the_file_and_show_plain_values(tmp_path):
    folder = tmp_path / "city"
    folder.mkdir()
    (folder / "projects.csv").write_text("project_id,budget_initial\nA,100\n", encoding="utf-8")
    (folder / "payments.csv").write_text("project_id,month,amount\nA,13,5\n", encoding="utf-8")
    payments, projects = M.load(folder)
    with pytest.raises(InputError) as exc:
        _payment_matrix(payments, projects, "budget_initial")
    text = str(exc.value)
    assert str(folder / "payments.csv") in text and "13" in text and "np.int64" not in text
    (folder / "payments.csv").write_text("project_id,month,amount\nA,1,5\n", encoding="utf-8")
    (folder / "projects.csv").write_text("project_id,budget_initial\nA,-3.5\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        M.status(*M.load(folder), 6)
    text = str(exc.value)
    assert str(folder / "projects.csv") in text and "-3.5" in text and "np.float64" not in text


# ------------------------------------------------------------------ 6. spending without a budget

def test_spending_without_budget_is_flagged_and_left_out_of_the_rates():
    ids = ["A", "B"]
    projects = pd.DataFrame({"project_id": ids, "department": ["D", "D"], "budget_initial": [0.0, 1200.0]})
    payments = pd.DataFrame({"project_id": np.repeat(ids, 12), "month": np.tile(np.arange(1, 13), 2),
                             "amount": np.r_[np.full(12, 50.0), np.full(12, 100.0)]})
    st = M.status(payments, projects, 6)
    a = st.projects.set_index("project_id").loc["A"]
    assert a["light"] == "—" and np.isnan(a["rate"]) and a["closer_watch"] and a["watch_reason"] == "无预算有支出"
    # B alone: 600 of 1 200 by June → 50 %, progress 100 %; A's 300 is not counted
    assert st.city["rate"] == pytest.approx(0.5) and st.city["unbudgeted_spent"] == pytest.approx(300.0)
    assert st.departments["rate"].tolist() == pytest.approx([0.5])
    assert "无预算有支出的项目 1 个" in st.summary()
    progress = M.progress(payments, projects)
    assert set(progress.loc[progress["project_id"] == "A", "light"]) == {"—"}   # never red, as in status()
