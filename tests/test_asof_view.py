"""A view as of a month never sees a later one (perfeval.monitor.view, issue 17 item 3).

Two copies of the sample city's monitoring data: one unchanged, one with every figure after June
rewritten (payments of months 7–12 changed and added, completion reported in September and December,
the year-end columns of projects.csv). The June dashboard's content, the June workbook of
``perfeval monitor --as-of 2021-06 --xlsx`` and the executed June notebook must be the same bytes for
both; the October 双监控 uses no completion later than October and says which month it uses.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfeval.cli import main
from perfeval.outline import build_monitoring_report

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
FILES = ("payments.csv", "projects.csv", "departments.csv", "monitoring")


def _copy(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in FILES:
        (shutil.copytree if (SAMPLE / name).is_dir() else shutil.copy)(SAMPLE / name, folder / name)
    return folder


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"project_id": str}, encoding="utf-8-sig")


def rewrite_after(folder: Path, month: int) -> None:
    """Change every figure of ``folder`` dated after ``month``: payments (changed, new rows, one with
    cents), completion reported later, and projects.csv's year-end columns (全年执行数, 收回统筹, 全年预算数)."""
    pay = _read(folder / "payments.csv")
    later = pay["month"] > month
    pay.loc[later, "amount"] = pay.loc[later, "amount"] * 3 + 17
    never = sorted(set(pay["project_id"]) - set(pay.loc[pay["month"] <= month, "project_id"]))[:3] or ["SZ2021-011"]
    extra = pd.DataFrame({"project_id": never + ["SZ2021-001"], "month": [12] * len(never) + [month + 1],
                          "amount": [1_234_567] * len(never) + [2_500.5]})
    pd.concat([pay, extra], ignore_index=True).to_csv(folder / "payments.csv", index=False)
    projects = _read(folder / "projects.csv")
    projects["spent"] = projects["spent"] // 2
    projects["recovered"] = 99
    projects["budget_full_year"] = projects["budget_initial"] - 99
    projects.to_csv(folder / "projects.csv", index=False)
    mid = _read(folder / "monitoring" / "midyear_targets.csv")
    reported = mid[mid["month"] <= month]
    late = pd.concat([reported.assign(month=m, completion=c) for m, c in ((month + 3, 1.2), (12, 0.05)) if m <= 12])
    pd.concat([mid, late], ignore_index=True).to_csv(folder / "monitoring" / "midyear_targets.csv", index=False)


def _text(value) -> str:
    """Every value a dashboard section returns as text (frames as CSV with full float precision)."""
    if isinstance(value, pd.DataFrame):
        return value.to_csv(float_format="%.17g", lineterminator="\n")
    if isinstance(value, dict):
        return "\n".join(f"{k}={_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "\n".join(map(_text, value))
    return repr(value)


def snapshot(report) -> str:
    """The dashboard's content: every fact, frame and sentence the notebook shows, and the workbook frames."""
    sections = {name: getattr(report, name)() for name in (
        "overview", "department_table", "light_counts", "curve", "curve_text", "reminders", "watch", "direct",
        "forecast_text", "backtest_table", "recovery", "dual", "settings_table", "inputs_table")}
    sections.update(title=report.title, summary=report.led.summary_lines(), sheets=report.led.sheets(),
                    monthly=report.led.monthly)
    return _text(sections)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    base = tmp_path_factory.mktemp("asof")
    same, changed = _copy(base / "same"), _copy(base / "changed")
    rewrite_after(changed, 6)
    return same, changed


def test_the_rewrite_changes_what_a_later_view_sees(folders):
    same, changed = folders   # the change is real: October and December differ, so June's equality means something
    for as_of in ("2021-10", "2021-12"):
        assert snapshot(build_monitoring_report(same, as_of)) != snapshot(build_monitoring_report(changed, as_of))


def test_the_june_view_holds_nothing_after_june(folders):
    from perfeval.monitor import as_of_view

    _, changed = folders
    view = as_of_view(changed, "2021-06")
    assert pd.to_numeric(view.payments["month"]).max() == 6 and pd.to_numeric(view.midyear["month"]).max() == 6
    assert not {"spent", "recovered", "budget_full_year"} & set(view.projects.columns)
    assert view.history_budgets["year"].max() < 2021


def test_the_june_dashboard_content_is_blind_to_july_to_december(folders):
    same, changed = folders
    a, b = (snapshot(build_monitoring_report(f, "2021-06")) for f in folders)
    assert a == b
    assert "数据已到12月" not in a and "历史年度逐年回测" in a     # the forecast is backtested on history years
    june = build_monitoring_report(same, "2021-06")
    assert list(june.backtest_table().columns) == ["预测方法", "6月底平均绝对误差", "项目数"]   # no October errors
    assert "10月底" not in "".join(june.forecast_text())


def test_the_june_workbook_is_byte_identical(folders, tmp_path, capsys):
    out = []
    for i, folder in enumerate(folders):
        path = tmp_path / f"{i}.xlsx"
        assert main(["monitor", "--data", str(folder), "--as-of", "2021-06", "--xlsx", str(path)]) == 0
        out.append((path.read_bytes(), capsys.readouterr().out.replace(str(path), "…")))
    assert out[0] == out[1]


def test_october_dual_monitoring_uses_nothing_after_october_and_names_its_month(folders, tmp_path):
    same, changed = folders
    # the sample reports completion only in June: October says it is June's, not October's
    d = build_monitoring_report(same, "2021-10").led.dual
    assert d.months == (6,) and "截至10月底，10月底没有报送目标完成情况" in d.summary() and "（6月底）" in d.summary()
    assert "数据月份" in d.conventions() and "6月底" in d.conventions()["数据月份"]
    # the changed folder reports again in September (1.2) and December (0.05): October uses September's
    d = build_monitoring_report(changed, "2021-10").led.dual
    assert d.months == (9,) and np.allclose(d.table["completion"], 1.2) and "（9月底）" in d.summary()
    later = _copy(tmp_path / "later")
    shutil.copy(changed / "monitoring" / "midyear_targets.csv", later / "monitoring" / "midyear_targets.csv")
    shutil.copy(changed / "payments.csv", later / "payments.csv")
    rewrite_after(later, 10)    # November and December changed again: October's 双监控 does not move
    again = build_monitoring_report(later, "2021-10").led.dual
    assert _text(again.table) == _text(d.table) and again.summary() == d.summary()
    # its rates are the payments to September over the budget, not to October or the year end
    pay = _read(changed / "payments.csv")
    budget = _read(changed / "projects.csv").set_index("project_id")["budget_initial"]
    paid = pay[pay["month"] <= 9].groupby("project_id")["amount"].sum()
    want = (paid.reindex(d.table["project_id"]).fillna(0) / budget.reindex(d.table["project_id"])).to_numpy()
    np.testing.assert_allclose(d.table["rate"].to_numpy(dtype=float), want)


def test_a_bad_cell_in_the_view_is_named_at_its_line_in_the_file(tmp_path):
    from perfeval.errors import InputError
    from perfeval.monitor.ledger import at

    folder = _copy(tmp_path / "city")
    pay = _read(folder / "payments.csv")
    pay["amount"] = pay["amount"].astype(object)
    row = int(np.flatnonzero((pay["month"] == 5).to_numpy())[3])   # a May row after many later rows
    pay.loc[row, "amount"] = "abc"
    pay.sort_values(["month", "project_id"], ascending=[False, True], kind="stable").to_csv(
        folder / "payments.csv", index=False)
    line = int(np.flatnonzero(_read(folder / "payments.csv")["amount"].astype(str) == "abc")[0]) + 2
    with pytest.raises(InputError) as exc:
        at(folder, "2021-06")
    assert f"第 {line} 行，列 amount" in str(exc.value)


def test_the_june_notebook_is_byte_identical(tmp_path_factory):
    """One real execution of the June dashboard (``perfeval batch --kind monitor``) for the data before
    and after the rewrite, in the same folder (its path is a parameter of the notebook)."""
    base = tmp_path_factory.mktemp("asof-nb")
    city = _copy(base / "city")
    outputs = []
    for step in ("before", "after"):
        if step == "after":
            rewrite_after(city, 6)
        start = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "perfeval", "batch", "--data", str(city), "--out",
                               str(base / step), "--kind", "monitor", "--jobs", "1"],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        assert time.monotonic() - start < 120
        outputs.append({p.relative_to(base / step): p.read_bytes() for p in sorted((base / step).rglob("*2021-06*"))})
    assert outputs[0] and outputs[0].keys() == outputs[1].keys()
    for name in outputs[0]:
        assert outputs[0][name] == outputs[1][name], name
    october = [sorted((base / s).rglob("*2021-10.html"))[0].read_bytes() for s in ("before", "after")]
    assert october[0] != october[1]
