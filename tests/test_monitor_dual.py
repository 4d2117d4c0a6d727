"""Tests of perfeval.monitor.dual (双监控): target completion against spending, divergence and reasons."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfeval import monitor as M
from perfeval.errors import InputError
from perfeval.monitor.data import extras

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def _frames():
    """Four projects of 1 000 元 that paid 500, 500, 200 and 0 by June."""
    ids = ["A", "B", "C", "D"]
    june = np.array([500.0, 500.0, 200.0, 0.0])
    m = np.zeros((4, 12))
    m[:, 5] = june
    m[:, 11] = 1000.0 - june
    payments = pd.DataFrame({"project_id": np.repeat(ids, 12), "month": np.tile(np.arange(1, 13), 4),
                             "amount": m.ravel()})
    projects = pd.DataFrame({"project_id": ids, "project_name": ["甲", "乙", "丙", "丁"], "department": "某局",
                             "budget_initial": 1000.0})
    return payments, projects


def test_divergence_by_hand_with_the_threshold_inclusive():
    payments, projects = _frames()
    completion = pd.DataFrame({
        "project_id": ["A", "A", "B", "C", "D"], "month": 6,
        "completion": [0.1, 0.3, 0.45, 0.5, 0.2]})   # A mean 0.2 (gap −0.3), B −0.05, C +0.3, D +0.2
    d = M.dual(payments, projects, completion, "2021-06")
    t = d.table.set_index("project_id")
    np.testing.assert_allclose(t["completion"], [0.2, 0.45, 0.5, 0.2])
    np.testing.assert_allclose(t["gap"], [-0.3, -0.05, 0.3, 0.2])
    assert t["diverges"].tolist() == [True, False, True, False]      # exactly 30 points diverges
    assert t.loc["A", "direction"] == "money_ahead" and t.loc["C", "direction"] == "results_ahead"
    assert t.loc["A", "reason"].startswith("资金支出快于目标完成：6月底资金执行率 50.00%，数量指标平均完成 20.00%")
    assert "30.00 个百分点" in t.loc["A", "reason"] and t.loc["B", "reason"] == ""
    assert "督促单位及时支付" in t.loc["C", "reason"]
    assert M.dual(payments, projects, completion, 6, threshold=0.35).flagged.empty
    worst = M.dual(payments, projects, completion, 6, aggregate="min").table.set_index("project_id")
    assert worst.loc["A", "completion"] == 0.1 and "最低完成" in worst.loc["A", "reason"]


def test_the_latest_report_at_or_before_the_date_is_used():
    payments, projects = _frames()
    completion = pd.DataFrame({"project_id": ["A", "A"], "month": [6, 9], "completion": [0.5, 0.9]})
    assert M.dual(payments, projects, completion, "2021-06").table["completion"].tolist() == [0.5]
    assert M.dual(payments, projects, completion, "2021-05").table.empty
    assert "暂不开展双监控" in M.dual(payments, projects, None, 6).summary()


@pytest.mark.parametrize("column,value", [("completion", "很好"), ("completion", 2.0), ("month", 13),
                                          ("project_id", "Z")])
def test_bad_completion_rows_name_file_row_and_column(column, value):
    payments, projects = _frames()
    completion = pd.DataFrame({"project_id": ["A", "B"], "month": [6, 6], "completion": [0.5, 0.5]})
    completion[column] = completion[column].astype(object)
    completion.loc[1, column] = value
    with pytest.raises(InputError) as err:
        M.dual(payments, projects, completion, 6)
    assert "midyear_targets.csv" in str(err.value) and "第 3 行" in str(err.value) and column in str(err.value)


def test_sample_city_flags_exactly_the_planted_divergences():
    from perfeval.sample.generate import build_city

    intended = build_city(2021).monitoring["intended"]
    payments, projects = M.load(SAMPLE)
    d = M.dual(payments, projects, extras(SAMPLE)["midyear"], "2021-06")
    assert sorted(d.table["project_id"]) == intended["reporting"]
    f = d.flagged.set_index("project_id")
    assert sorted(f.index[f["direction"] == "money_ahead"]) == intended["results_behind"]
    assert sorted(f.index[f["direction"] == "results_ahead"]) == intended["money_behind"]
