"""Tests of perfeval.monitor.forecast: the profile, the named methods, the backtest, recovery.

The hand-made example is computed here with pencil arithmetic, independently of the library; the
sample city's backtest must beat the naive straight line, its November proposals must not take money
the projects then spent (beyond a small, stated amount), and its December proposals are the
year-end rule.
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
from perfeval.monitor.data import extras

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def _long(ids, matrix, year=None):
    matrix = np.asarray(matrix, dtype=float)
    frame = pd.DataFrame({"project_id": np.repeat(ids, 12), "month": np.tile(np.arange(1, 13), len(ids)),
                          "amount": matrix.ravel()})
    return frame if year is None else frame.assign(year=year)


def _tiny():
    """History (2020): H1 paid 10 a month, 120 of 150; H2 paid nothing until July, then 40 a month, 240 of 240.
    Pooled S(6) = 60 / 360 = 1/6, S(10) = (100 + 160) / 360 = 13/18; R = 360 / 390 = 12/13.
    This year: A (budget 1 200) paid 100 a month all year; B (1 200) paid 50 a month to October, then 600 in
    all (final 50 %); C (600) nothing until December, then 600."""
    h1 = np.full(12, 10.0)
    h2 = np.r_[np.zeros(6), np.full(6, 40.0)]
    hp = _long(["H1", "H2"], [h1, h2], year=2020)
    hb = pd.DataFrame({"year": [2020, 2020], "project_id": ["H1", "H2"], "budget": [150.0, 240.0]})
    a = np.full(12, 100.0)
    b = np.r_[np.full(10, 50.0), [50.0, 50.0]]
    c = np.r_[np.zeros(11), [600.0]]
    payments = _long(["A", "B", "C"], [a, b, c])
    projects = pd.DataFrame({"project_id": ["A", "B", "C"], "budget_initial": [1200.0, 1200.0, 600.0]})
    return payments, projects, hp, hb


def test_profile_by_hand():
    *_, hp, hb = _tiny()
    prof = M.profile(hp, hb)
    assert prof.pooled[5] == pytest.approx(1 / 6) and prof.pooled[9] == pytest.approx(13 / 18)
    assert prof.pooled[11] == pytest.approx(1.0) and prof.prior == pytest.approx(12 / 13)
    assert prof.own.loc["H2", 6] == 0.0 and prof.own.loc["H1", 6] == pytest.approx(0.5)


def test_each_method_by_hand_at_october():
    payments, projects, hp, hb = _tiny()
    # rates at the end of October: A 1000/1200, B 500/1200, C 0
    r = np.array([1000 / 1200, 500 / 1200, 0.0])
    s10, prior = 13 / 18, 12 / 13
    expected = {"remaining": r + (1 - s10) * prior,
                "ratio": r / s10,
                "straight-line": r / (10 / 12)}
    for method, want in expected.items():
        f = M.forecast(payments, projects, "2021-10", hp, hb, method=method)
        np.testing.assert_allclose(f.table["forecast_rate"], np.minimum(want, 1.0), err_msg=method)
    assert M.forecast(payments, projects, "2021-10", hp, hb, method="ratio").table["forecast_rate"].iloc[0] == 1.0


def test_backtest_by_hand():
    payments, projects, hp, hb = _tiny()
    actual = np.array([1.0, 0.5, 1.0])
    r6 = np.array([0.5, 0.25, 0.0])
    r10 = np.array([1000 / 1200, 500 / 1200, 0.0])
    f6 = np.minimum(r6 + (1 - 1 / 6) * 12 / 13, 1.0)
    f10 = np.minimum(r10 + (1 - 13 / 18) * 12 / 13, 1.0)
    bt = M.backtest(payments, projects, hp, hb, months=(6, 10), methods=("remaining",))
    assert bt.mae(6) == pytest.approx(np.mean(np.abs(f6 - actual)))
    assert bt.mae(10) == pytest.approx(np.mean(np.abs(f10 - actual)))
    assert bt.table.loc[0, "bias"] == pytest.approx(np.mean(f6 - actual))


def test_recovery_is_proposed_only_from_november_by_hand():
    payments, projects, hp, hb = _tiny()
    assert M.forecast(payments, projects, "2021-10", hp, hb).recovery.empty
    f = M.forecast(payments, projects, "2021-11", hp, hb)
    # S(11) = (110 + 200) / 360, so 1 − S = 50 / 360 is still to come in a usual year; margin = 3 × that × budget
    s11 = 310 / 360
    rec = f.recovery.set_index("project_id")["proposed_recovery"]
    # B at the end of November: 550 of 1 200; forecast 550 + 1200 (1 − S) R ≈ 703.8, + margin 500 > budget → kept whole
    fb = 550 + 1200 * (1 - s11) * 12 / 13
    assert fb / 1200 < 0.95 and fb + 3 * (1 - s11) * 1200 > 1200 and "B" not in rec.index
    # C: nothing paid by November; forecast (1 − S) R of 600, plus the margin 3 (1 − S) 600
    fc = 600 * (1 - s11) * 12 / 13
    assert rec["C"] == pytest.approx(600 - (fc + 3 * (1 - s11) * 600), abs=0.01)
    assert "A" not in rec.index
    assert f.conventions()["预测方法"].startswith("剩余进度法")
    # C then paid 600 in December: all of its proposal was money it spent — the backtest says so
    check = M.recovery_backtest(f, payments, projects)
    assert check.n_over == 1 and check.over_total == pytest.approx(rec["C"], abs=0.01)
    assert "多收回" in check.summary()


def test_the_setting_text_promises_no_floor():
    payments, projects, hp, hb = _tiny()
    text = M.forecast(payments, projects, "2021-11", hp, hb).conventions()["收回建议"]
    assert "即使" not in text and "不保证" in text and "回测" in text


def test_december_proposals_are_the_year_end_rule_by_hand():
    payments, projects, hp, hb = _tiny()
    f = M.forecast(payments, projects, "2021-12", hp, hb)
    # A paid 1 200 of 1 200, C 600 of 600, B 600 of 1 200 (50 %) → the year-end rule takes B's 600
    assert f.recovery.set_index("project_id")["proposed_recovery"].to_dict() == {"B": 600.0}
    assert f.margin_share == 0.0


def test_forecast_settings_are_checked():
    payments, projects, hp, hb = _tiny()
    for bad in ({"method": "magic"}, {"profile": "mine"}, {"floor": 1.5}, {"recovery_from": 13},
                {"margin_multiple": -0.1}, {"margin_multiple": True}):
        with pytest.raises(InputError):
            M.forecast(payments, projects, 6, hp, hb, **bad)
    with pytest.raises(InputError, match="history_payments"):
        M.forecast(payments, projects, 6, hp.assign(month=13), hb)


@settings(max_examples=30, deadline=None)
@given(monthly=st.lists(st.lists(st.floats(min_value=0, max_value=1e5, allow_nan=False), min_size=12, max_size=12),
                        min_size=1, max_size=5),
       budget=st.floats(min_value=1e3, max_value=2e6), month=st.integers(11, 12))
def test_proposals_leave_the_forecast_and_margin_and_end_at_the_year_end_rule(monthly, budget, month):
    *_, hp, hb = _tiny()
    n = len(monthly)
    payments = _long([f"P{i}" for i in range(n)], monthly)
    projects = pd.DataFrame({"project_id": [f"P{i}" for i in range(n)], "budget_initial": budget})
    f = M.forecast(payments, projects, month, hp, hb)
    t = f.table
    assert (t["proposed_recovery"] >= 0).all()
    assert (t["proposed_recovery"] <= (t["budget"] - t["spent"]).clip(lower=0) + 0.01).all()
    got = t[t["proposed_recovery"] > 0]
    room = got["forecast_spent"] + f.margin_share * got["budget"]   # the forecast plus the margin (pooled profile)
    np.testing.assert_allclose(room, got["budget"] - got["proposed_recovery"], atol=0.01)  # … is what is kept
    if month == 12:   # the year-end rule: the unspent balance of every project below the floor
        want = M.year_end_recovery(payments, projects)["recovered"].to_numpy()
        np.testing.assert_allclose(t["proposed_recovery"], want, atol=0.01)
    over = M.recovery_backtest(f, payments, projects).table          # this data's December is known
    assert (over["over"] <= over["proposed"] + 0.01).all() and (over["over"] >= 0).all()


# ------------------------------------------------------------------------------ sample city

@pytest.fixture(scope="module")
def city():
    payments, projects = M.load(SAMPLE)
    ex = extras(SAMPLE)
    story = json.loads((SAMPLE / "story.json").read_text(encoding="utf-8"))
    return payments, projects, ex["history_payments"], ex["history_budgets"], story


def test_sample_backtest_beats_the_straight_line_and_is_reported(city):
    payments, projects, hp, hb, _ = city
    bt = M.backtest(payments, projects, hp, hb)
    # the actual year-end rates, computed here from the payments
    actual = (payments.groupby("project_id")["amount"].sum() / projects.set_index("project_id")["budget_initial"])
    errors = bt.errors[bt.errors["method"] == "remaining"]
    np.testing.assert_allclose(errors.groupby("project_id")["actual"].first(), actual.loc[errors["project_id"].unique()])
    for m in (6, 10):
        assert bt.mae(m) < bt.mae(m, "straight-line")
        assert bt.mae(m) < 0.05                        # within five points on average
    assert bt.mae(10) < bt.mae(6)                      # more months known, smaller error


def test_sample_november_proposals_take_little_money_that_was_then_spent(city):
    payments, projects, hp, hb, story = city
    f = M.forecast(payments, projects, "2021-11", hp, hb)
    # independently: what each proposed project paid in the whole year, against the budget it would have kept
    paid = payments.groupby("project_id")["amount"].sum()
    r = f.recovery.set_index("project_id")
    kept = r["budget"] - r["proposed_recovery"]
    over = np.minimum(r["proposed_recovery"], (paid.reindex(r.index) - kept).clip(lower=0))
    assert len(r) > 0 and set(r.index) <= set(story["monitoring"]["recovered"])   # only projects that did end short
    assert over.sum() <= 0.05 * r["proposed_recovery"].sum()    # over-recovery small (was 562.35 of 1,307.85 万元)
    check = M.recovery_backtest(f, payments, projects)
    assert check.over_total == pytest.approx(over.sum(), abs=0.05)
    assert M.forecast(payments, projects, "2021-10", hp, hb).recovery.empty


def test_sample_december_proposals_are_the_projects_that_ended_below_the_floor(city):
    payments, projects, hp, hb, story = city
    f = M.forecast(payments, projects, "2021-12", hp, hb)
    assert sorted(f.recovery["project_id"]) == sorted(story["monitoring"]["recovered"])
    t = f.table[f.table["proposed_recovery"] > 0]
    assert (t["spent"] / (t["budget"] - t["proposed_recovery"]) >= 0.95).all()   # none left below the floor
