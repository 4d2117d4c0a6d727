"""Tests of perfeval.monitor: progress against the time-elapsed schedule, checkpoint lists, recovery.

The committed sample city (data/sample) must reproduce its story from the payments alone: the
June-end reminders, the October-end zero-spend watch list, the year-end recoveries recorded in
projects.csv, and every final execution rate ≥ 95 %.
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

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def sample():
    payments, projects = M.load(SAMPLE)
    story = json.loads((SAMPLE / "story.json").read_text(encoding="utf-8"))
    return payments, projects, story, M.monitor(SAMPLE)


def _tiny():
    """Three projects of 1 200 元: on schedule, still at zero until November, slow in spring."""
    projects = pd.DataFrame({"project_id": ["A", "B", "C"], "project_name": ["甲", "乙", "丙"],
                             "budget_initial": [1200.0, 1200.0, 1200.0]})
    months = np.arange(1, 13)
    a = np.full(12, 100.0)                                         # 1/12 a month: always on schedule
    b = np.where(months >= 11, 300.0, 0.0)                         # nothing until November, 600 in all
    c = np.where(months <= 6, 80.0, 120.0)                         # 480 by June (40 %), 1200 in all
    payments = pd.DataFrame({"project_id": np.repeat(["A", "B", "C"], 12), "month": np.tile(months, 3),
                             "amount": np.concatenate([a, b, c])})
    return payments, projects


# ------------------------------------------------------------------------------ the sample city

def test_june_reminders_reproduce_the_story(sample):
    payments, projects, story, result = sample
    assert result.reminders == story["monitoring"]["june_lagging"]
    assert 10 <= len(result.reminders) <= 25                      # "some projects", not most
    june = result.progress[result.progress["month"] == 6].set_index("project_id")
    listed = june.loc[result.reminders]
    assert (listed["progress"] < 0.8).all()
    assert (june.drop(index=result.reminders)["progress"] >= 0.8).all()


def test_october_zero_spend_watch_list_reproduces_the_story(sample):
    payments, projects, story, result = sample
    assert result.watch_list == story["monitoring"]["october_zero"]
    assert 1 <= len(result.watch_list) <= 6                        # "a few"
    october = result.progress[result.progress["month"] == 10].set_index("project_id")
    assert (october.loc[result.watch_list, "cumulative"] == 0).all()
    assert (october.drop(index=result.watch_list)["cumulative"] > 0).all()
    assert set(result.watch_list) <= set(result.reminders)         # at zero in October: behind in June too


def test_year_end_recovery_matches_projects_csv_and_lifts_every_rate_to_95(sample):
    payments, projects, story, result = sample
    rec = result.recovery.set_index("project_id").loc[projects["project_id"]]
    np.testing.assert_array_equal(rec["recovered"].to_numpy(), projects["recovered"].to_numpy())
    np.testing.assert_array_equal(rec["budget_full_year"].to_numpy(), projects["budget_full_year"].to_numpy())
    np.testing.assert_array_equal(rec["spent"].to_numpy(), projects["spent"].to_numpy())
    assert (rec["exec_rate"] >= 0.95).all()
    assert sorted(result.recovered["project_id"]) == story["monitoring"]["recovered"]
    assert set(result.watch_list) <= set(result.recovered["project_id"])
    assert (result.recovered["rate_before"] < 0.95).all()


def test_payments_are_twelve_months_of_whole_hundreds(sample):
    payments, projects, story, result = sample
    counts = payments.groupby("project_id")["month"].apply(lambda m: tuple(sorted(m)))
    assert (counts == tuple(range(1, 13))).all() and len(counts) == len(projects)
    assert (payments["amount"] >= 0).all()
    assert (payments["amount"] % 100 == 0).all()


def test_summary_counts_each_checkpoint(sample):
    result = sample[3]
    summary = result.summary()
    assert summary["项目数"].tolist() == [len(result.reminders), len(result.watch_list), len(result.recovered)]
    assert summary["金额(元)"].iloc[-1] == pytest.approx(result.recovered["recovered"].sum())


# ------------------------------------------------------------------------------ hand-computed cases

def test_progress_is_execution_over_time_elapsed_with_lights():
    """progress = (累计支付/预算)/(月份/12), lights green ≥ 0.8, yellow ≥ 0.6 (domain.md §5 [S8]).

    Hand-computed: C has paid 80/month for six months = 480 of 1 200 = 40 % against 50 % of the year
    → progress 0.8 (green, on the threshold); after 3 months 240/1 200 = 20 % vs 25 % → 0.8;
    B is at 0 → red.
    """
    payments, projects = _tiny()
    prog = M.progress(payments, projects).set_index(["project_id", "month"])
    assert prog.loc[("A", 6), "progress"] == pytest.approx(1.0)
    assert prog.loc[("C", 6), "rate"] == pytest.approx(0.4)
    assert prog.loc[("C", 6), "progress"] == pytest.approx(0.8)
    assert prog.loc[("C", 6), "light"] == "绿灯"
    assert prog.loc[("C", 9), "progress"] == pytest.approx((480 + 360) / 1200 / 0.75)
    assert prog.loc[("B", 10), "light"] == "红灯"
    assert prog.loc[("B", 12), "cumulative"] == 600.0
    yellow = M.progress(payments, projects, lights=(0.9, 0.6)).set_index(["project_id", "month"])
    assert yellow.loc[("C", 6), "light"] == "黄灯"


def test_checkpoints_list_strictly_below_and_zero_means_not_yet_paid():
    payments, projects = _tiny()
    lists = M.checkpoint_lists(payments, projects)
    june = lists[lists["month"] == 6]
    assert june["project_id"].tolist() == ["B"]          # C at exactly 0.8 is not below the floor
    assert lists.loc[lists["month"] == 10, "project_id"].tolist() == ["B"]
    stricter = M.checkpoint_lists(payments, projects, [(6, 0.81, "remind"), (9, 0.9, "review")])
    assert stricter.loc[stricter["month"] == 6, "project_id"].tolist() == ["B", "C"]
    assert stricter.loc[stricter["month"] == 9, "project_id"].tolist() == ["B"]
    assert stricter.loc[stricter["month"] == 9, "action_label"].iloc[0] == M.ACTIONS["review"]


def test_recovery_takes_the_unspent_balance_below_the_floor():
    payments, projects = _tiny()
    rec = M.year_end_recovery(payments, projects).set_index("project_id")
    assert rec.loc["A", "recovered"] == 0 and rec.loc["C", "recovered"] == 0
    assert rec.loc["B", "recovered"] == 600.0                      # 600 paid of 1 200 → 50 % < 95 %
    assert rec.loc["B", "budget_full_year"] == 600.0 and rec.loc["B", "exec_rate"] == 1.0
    laxer = M.year_end_recovery(payments, projects, min_rate=0.5).set_index("project_id")
    assert laxer.loc["B", "recovered"] == 0                        # 50 % is not below a 50 % floor


def test_sparse_payment_rows_count_missing_months_as_zero():
    payments, projects = _tiny()
    sparse = payments[payments["amount"] > 0]
    full = M.progress(payments, projects)
    part = M.progress(sparse, projects)
    np.testing.assert_allclose(part["cumulative"], full["cumulative"])
    assert M.checkpoint_lists(sparse, projects).equals(M.checkpoint_lists(payments, projects))


def test_conventions_name_every_setting():
    payments, projects = _tiny()
    result = M.monitor(payments, projects, checkpoints=[(6, 0.5, "remind")], min_rate=0.9)
    text = " ".join(map(str, result.conventions.values()))
    assert "6月底" in text and "50%" in text and "90%" in text and "budget_initial" in text
    assert result.checkpoints == (M.Checkpoint(6, 0.5, "remind"),)


# ------------------------------------------------------------------------------ bad input

@pytest.mark.parametrize("change, where", [
    (lambda p, q: (p.assign(month=np.where(p.index == 3, 13, p["month"])), q), "month"),
    (lambda p, q: (p.assign(amount=np.where(p.index == 2, "十", p["amount"].astype(object))), q), "amount"),
    (lambda p, q: (p.assign(project_id=np.where(p.index == 5, "Z", p["project_id"])), q), "project_id"),
    (lambda p, q: (p, q.assign(budget_initial=[1200.0, -1.0, 1200.0])), "budget_initial"),
    (lambda p, q: (p.drop(columns="amount"), q), "amount"),
])
def test_bad_frames_raise_input_errors_that_say_where(change, where):
    payments, projects = change(*_tiny())
    with pytest.raises(InputError) as info:
        M.monitor(payments, projects)
    assert where in str(info.value)


@pytest.mark.parametrize("checkpoints", [[(0, 0.5, "remind")], [(6, -1, "remind")], [(6,)], [(13, 0.5, "x")]])
def test_bad_checkpoints_raise(checkpoints):
    payments, projects = _tiny()
    with pytest.raises(InputError, match="checkpoints"):
        M.checkpoint_lists(payments, projects, checkpoints)


def test_bad_min_rate_and_missing_projects_raise():
    payments, projects = _tiny()
    with pytest.raises(InputError):
        M.year_end_recovery(payments, projects, min_rate=1.5)
    with pytest.raises(InputError):
        M.monitor(payments)
    with pytest.raises(InputError, match="payments.csv"):
        M.monitor(Path(__file__).parent)


# ------------------------------------------------------------------------------ properties

money = st.integers(min_value=0, max_value=5_000)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(money, min_size=12, max_size=12), min_size=1, max_size=6),
       st.lists(st.integers(min_value=1, max_value=80_000), min_size=6, max_size=6),
       st.floats(min_value=0.5, max_value=1.0))
def test_recovery_and_progress_invariants(monthly, budgets, min_rate):
    n = len(monthly)
    ids = [f"P{i}" for i in range(n)]
    projects = pd.DataFrame({"project_id": ids, "budget_initial": np.asarray(budgets[:n], dtype=float)})
    payments = pd.DataFrame({"project_id": np.repeat(ids, 12), "month": np.tile(np.arange(1, 13), n),
                             "amount": np.asarray(monthly, dtype=float).ravel()})
    prog = M.progress(payments, projects)
    np.testing.assert_allclose(prog["rate"] * prog["budget"], prog["cumulative"], rtol=1e-12)
    np.testing.assert_allclose(prog["progress"] * prog["time_share"], prog["rate"], rtol=1e-12)
    assert (np.diff(prog["cumulative"].to_numpy().reshape(n, 12), axis=1) >= 0).all()
    rec = M.year_end_recovery(payments, projects, min_rate=min_rate)
    assert (rec["recovered"] >= 0).all() and (rec["budget_full_year"] <= rec["budget"]).all()
    np.testing.assert_allclose(rec["budget_full_year"] + rec["recovered"], rec["budget"])
    final = rec["exec_rate"].dropna()
    assert (final >= min_rate - 1e-12).all()
    untouched = rec["rate_before"] >= min_rate
    assert (rec.loc[untouched, "recovered"] == 0).all()


def test_checkpoint_and_rate_inputs_are_checked():
    from perfeval.errors import InputError
    from perfeval.monitor import _check_checkpoints, year_end_recovery

    with pytest.raises(InputError, match="unknown action"):
        _check_checkpoints([(6, 0.8, "remidn")])
    with pytest.raises(InputError, match="min_progress"):
        _check_checkpoints([(6, "abc", "remind")])
    with pytest.raises(InputError, match="min_rate"):
        year_end_recovery(None, None, min_rate="0.9")
