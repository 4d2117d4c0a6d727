"""Tests of perfeval.monitor.status: execution against the schedule at a date, lights, roll-ups.

The rules (domain.md §5): progress = (spent / budget) ÷ (month / 12); green ≥ 80 %, yellow 60–80 %,
red < 60 %. Property tests: the light never gets better as spending falls, progress is monotone in
spending, a project still at zero after October is always on the watch ledger.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval import monitor as M
from perfeval.errors import InputError
from perfeval.monitor.data import extras, with_direct_funds

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
RANK = {"绿灯": 0, "黄灯": 1, "红灯": 2, "—": 3}


@pytest.fixture(scope="module")
def sample():
    payments, projects = M.load(SAMPLE)
    projects = with_direct_funds(projects, extras(SAMPLE)["direct_funds"])
    story = json.loads((SAMPLE / "story.json").read_text(encoding="utf-8"))
    return payments, projects, story


def _frames(monthly, budgets):
    n = len(budgets)
    ids = [f"P{i}" for i in range(n)]
    projects = pd.DataFrame({"project_id": ids, "department": [f"D{i % 3}" for i in range(n)],
                             "budget_initial": np.asarray(budgets, dtype=float)})
    payments = pd.DataFrame({"project_id": np.repeat(ids, 12), "month": np.tile(np.arange(1, 13), n),
                             "amount": np.asarray(monthly, dtype=float).reshape(n, 12).ravel()})
    return payments, projects


# ------------------------------------------------------------------------------ hand-made

def test_status_by_hand():
    """1 200 元 budgets at the end of June (schedule 50 %): 600 spent is on schedule (green), 420 is
    70 % of it (yellow), 359.99 under 60 % (red), 360 exactly at the bound (yellow)."""
    june = [600.0, 420.0, 359.99, 360.0]
    monthly = np.zeros((4, 12))
    monthly[:, 5] = june
    monthly[:, 11] = 100.0  # December payments do not count in June
    payments, projects = _frames(monthly, [1200.0] * 4)
    s = M.status(payments, projects, "2021-06")
    p = s.projects.set_index("project_id")
    assert p["spent"].tolist() == june
    assert p["time_share"].iloc[0] == 0.5
    np.testing.assert_allclose(p["progress"], [1.0, 0.7, 359.99 / 600, 0.6])
    assert p["light"].tolist() == ["绿灯", "黄灯", "红灯", "黄灯"]
    assert (s.year, s.month, s.label) == (2021, 6, "2021年6月底")


def test_department_roll_up_lights_the_sums_not_the_mean_of_lights():
    monthly = np.zeros((3, 12))
    monthly[:, 0] = [100.0, 0.0, 50.0]   # January, schedule 1/12
    payments, projects = _frames(monthly, [1200.0, 1200.0, 600.0])
    projects["department"] = ["甲", "甲", "乙"]
    d = M.status(payments, projects, 1).departments.set_index("department")
    assert d.loc["甲", "budget"] == 2400 and d.loc["甲", "spent"] == 100
    assert d.loc["甲", "progress"] == pytest.approx(0.5)       # (100 / 2400) ÷ (1/12)
    assert d.loc["甲", "light"] == "红灯" and (d.loc["甲", "n_green"], d.loc["甲", "n_red"]) == (1, 1)
    assert d.loc["乙", "light"] == "绿灯"


def test_custom_schedule_and_lights_are_settings_recorded_in_the_conventions():
    monthly = np.zeros((1, 12))
    monthly[0, :6] = 50.0                # 300 of 1 200 by June: 25 %
    payments, projects = _frames(monthly, [1200.0])
    schedule = [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0]   # slow first half
    s = M.status(payments, projects, "2021-06", schedule=schedule, lights=(0.9, 0.5))
    assert s.projects["progress"].iloc[0] == pytest.approx(0.25 / 0.3)
    assert s.projects["light"].iloc[0] == "黄灯"
    conv = s.conventions()
    assert "30.00%" in conv["序时进度"] and "90%" in conv["预警灯"] and "50%" in conv["预警灯"]
    assert "1月 2%、2月 5%、3月 10%" in conv["序时进度"]
    halves = M.status(payments, projects, "2021-06", schedule=np.r_[np.linspace(0.125, 0.75, 6), np.linspace(0.79, 1, 6)])
    assert "1月 12.5%、2月 25%" in halves.conventions()["序时进度"]   # the bureau's 12.5 %, not a rounded 12 %
    with pytest.raises(InputError, match="schedule"):
        M.status(payments, projects, 6, schedule=[0.5] * 11)
    with pytest.raises(InputError, match="lights"):
        M.status(payments, projects, 6, lights=(0.5, 0.8))


@pytest.mark.parametrize("bad", ["2021-13", "June", "2021/0", "", 0, 13, "21-06"])
def test_bad_as_of_is_an_input_error(bad):
    payments, projects = _frames(np.ones((1, 12)), [12.0])
    with pytest.raises(InputError, match="as_of"):
        M.status(payments, projects, bad)


@pytest.mark.parametrize("good,month", [("2021-06", 6), ("2021-6", 6), ("2021年6月", 6), ("2021年10月底", 10),
                                        (pd.Period("2021-10", "M"), 10), (11, 11)])
def test_as_of_forms(good, month):
    payments, projects = _frames(np.ones((1, 12)), [12.0])
    assert M.status(payments, projects, good).month == month


def test_zero_budget_has_no_light_and_blank_names_show_the_code():
    payments, projects = _frames(np.zeros((2, 12)), [0.0, 100.0])
    projects["project_name"] = [None, "  "]
    p = M.status(payments, projects, 6).projects
    assert p["light"].tolist() == ["—", "红灯"]
    assert p["project_name"].tolist() == ["P0", "P1"]


# ------------------------------------------------------------------------------ sample city

def test_sample_status_matches_the_month_by_month_progress_and_the_june_reminders(sample):
    payments, projects, story = sample
    s = M.status(payments, projects, "2021-06")
    june = M.progress(payments, projects)
    june = june[june["month"] == 6].set_index("project_id")
    p = s.projects.set_index("project_id")
    np.testing.assert_allclose(p["progress"], june.loc[p.index, "progress"])
    not_green = sorted(p.index[p["light"] != "绿灯"])
    assert not_green == story["monitoring"]["june_lagging"]       # below 80 % of the schedule = reminded
    # roll-ups add up to the city
    assert s.departments["budget"].sum() == pytest.approx(projects["budget_initial"].sum())
    assert s.departments["n_projects"].sum() == len(projects)
    assert s.city["spent"] == pytest.approx(payments[payments["month"] <= 6]["amount"].sum())


def test_sample_direct_funds_are_marked_and_not_green_ones_singled_out(sample):
    payments, projects, _ = sample
    s = M.status(payments, projects, "2021-06")
    flagged = pd.read_csv(SAMPLE / "monitoring" / "direct_funds.csv", dtype=str, encoding="utf-8-sig")
    direct = set(flagged.loc[flagged["direct_funds"] == "true", "project_id"])
    assert set(s.projects.loc[s.projects["direct_funds"], "project_id"]) == direct and 10 <= len(direct) <= 40
    watch = s.closer_watch
    assert set(watch["project_id"]) <= direct and (watch["light"] != "绿灯").all()
    assert "直达资金项目" in s.summary()


# ------------------------------------------------------------------------------ properties

monthly_st = st.lists(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=12, max_size=12),
                      min_size=1, max_size=6)


@settings(max_examples=30, deadline=None)
@given(monthly=monthly_st, budgets=st.lists(st.floats(min_value=1, max_value=5e6), min_size=6, max_size=6),
       factor=st.floats(min_value=0, max_value=1), month=st.integers(1, 12))
def test_light_never_gets_better_and_progress_never_rises_as_spending_falls(monthly, budgets, factor, month):
    n = len(monthly)
    payments, projects = _frames(monthly, budgets[:n])
    less = payments.assign(amount=payments["amount"] * factor)
    a = M.status(payments, projects, month).projects
    b = M.status(less, projects, month).projects
    assert (b["light"].map(RANK) >= a["light"].map(RANK)).all()
    assert (b["progress"] <= a["progress"] + 1e-12).all()
    assert (b["spent"] <= a["spent"]).all()


@settings(max_examples=30, deadline=None)
@given(monthly=monthly_st, budgets=st.lists(st.floats(min_value=1, max_value=5e6), min_size=6, max_size=6),
       zero_until=st.lists(st.integers(10, 12), min_size=6, max_size=6))
def test_a_project_at_zero_after_october_is_always_on_the_watch_ledger(monthly, budgets, zero_until, tmp_path_factory):
    n = len(monthly)
    m = np.asarray(monthly, dtype=float).reshape(n, 12)
    for i in range(n):
        m[i, :zero_until[i]] = 0.0 if i % 2 == 0 else m[i, :zero_until[i]]   # every other project: nothing to date
    payments, projects = _frames(m, budgets[:n])
    lists = M.checkpoint_lists(payments, projects)
    watch = set(lists.loc[lists["action"] == "watch", "project_id"])
    at_zero = {f"P{i}" for i in range(n) if m[i, :10].sum() == 0}
    assert watch == at_zero


def test_the_watch_ledger_of_the_sample_is_every_project_at_zero_at_the_end_of_october(sample):
    payments, projects, story = sample
    led = M.at(SAMPLE, "2021-11")
    cum = payments[payments["month"] <= 10].groupby("project_id")["amount"].sum().reindex(projects["project_id"],
                                                                                        fill_value=0)
    assert sorted(led.watch["project_id"]) == sorted(cum.index[cum <= 0]) == story["monitoring"]["october_zero"]
    assert (led.watch["cumulative_now"] > 0).all()         # they all paid something in November
