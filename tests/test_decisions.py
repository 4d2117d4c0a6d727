"""One decision per project for next year (issue 17, item 4): :func:`perfeval.budget.decide` and its views.

Rules: the seed's hard rules (未编报绩效目标 / 上年度未开展绩效自评 → 一律不予安排), domain.md §3 (ex-ante 不予支持 →
no budget), §4.2 (target review “中” → revise and resubmit, “差” → not into the budget process), §6 (优 优先保障,
良 保持, 中 压减, 差 取消或暂停), and perfeval's defaults where the seed is silent (recovery limit, ranking).
The sample city's four contradictions between 结果应用.xlsx, the priority report and the annual report are
checked on the outputs themselves.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from perfeval import budget
from perfeval.budget import DecisionRules, decide, decisions_from_data
from perfeval.budget.decisions import DECISION_ORDER
from perfeval.errors import InputError

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
GRADES = ["优", "良", "中", "差"]
ZERO = {"不予安排", "取消或暂停", "退回修改"}


@pytest.fixture(scope="module")
def sample():
    return decisions_from_data(SAMPLE)


@pytest.fixture(scope="module")
def annual():
    from perfeval.outline.annual import build_annual_report

    return build_annual_report(SAMPLE)


# ------------------------------------------------------------------------------------------ the sample city

def test_every_project_once_with_one_decision_one_amount_and_its_reasons(sample):
    L = sample.ledger
    projects = pd.read_csv(SAMPLE / "projects.csv", encoding="utf-8-sig", dtype={"project_id": str})
    requests = pd.read_csv(SAMPLE / "next_year" / "requests.csv", encoding="utf-8-sig", dtype={"project_id": str})
    assert set(L["project_id"]) == set(projects["project_id"]) | set(requests["project_id"])
    assert len(L) == 187 + 6 and L["project_id"].is_unique
    assert L["decision"].isin(DECISION_ORDER).all() and (L["amount"] >= 0).all()
    assert (L["decision"].isin(ZERO) == (L["amount"] == 0)).all()
    assert L["reasons"].map(lambda r: len(r) >= 2 and r[-1].startswith("决定：" + "")).all()
    assert (L["reasons"].map(lambda r: r[-1]).str[3:].str.split("，").str[0] == L["decision"]).all()
    assert sample.counts() == {"优先保障": 171, "保持": 15, "压减": 0, "取消或暂停": 0, "不予安排": 4, "退回修改": 3}
    assert sample.priority.used == pytest.approx(L.loc[L["asked"], "amount"].sum()) and sample.priority.used <= sample.cap


def test_results_applied_workbook_and_priority_table_agree_on_every_shared_project(tmp_path):
    """The outputs themselves: 结果应用.xlsx as the batch writes it and the priority report's table."""
    from perfeval.outline.priority import build_priority_report
    from perfeval.cli.batch import write_applied_workbook

    assert write_applied_workbook(SAMPLE, tmp_path / "结果应用.xlsx") == 0
    rows = list(load_workbook(tmp_path / "结果应用.xlsx")["结果应用"].values)
    applied = pd.DataFrame(rows[3:], columns=rows[2]).set_index("项目编码")  # rows 1-2: title, unit and date
    report = build_priority_report(SAMPLE)
    ranked = report.result.ranked_table().set_index("项目编码")
    shared = applied.index.intersection(ranked.index)
    assert len(shared) == 12  # the continuing requests
    assert (applied.loc[shared, "处理"] == ranked.loc[shared, "处理"]).all()
    shown_amount = pd.to_numeric(ranked.loc[shared, "安排金额（万元）"].str.replace(",", ""))  # the report prints text
    assert (applied.loc[shared, "建议安排（万元）"].astype(float) == shown_amount).all()
    shown = pd.concat([report.above(), report.below()])
    assert set(shown["处理"]) <= set(DECISION_ORDER) and "处理" in report.gated()
    assert "决定规则顺序" in set(report.rules_table()["规则"])


def test_the_four_contradictions_of_the_demo_are_one_decision_each(sample, annual):
    L = sample.ledger.set_index("project_id")
    applied = sample.applied().table.set_index("project_id")
    ranked = sample.priority.table.set_index("project_id")
    fire = L.loc["SZ2021-162"]  # 消防装备购置项目: self 优, 2022 target review 差
    assert fire["decision"] == "不予安排" and fire["amount"] == 0 and fire["reason_codes"][0] == "TARGETS_POOR"
    assert applied.at["SZ2021-162", "action"] == ranked.at["SZ2021-162", "decision"] == "不予安排"
    third = L.loc["SZ2021-175"]  # 第三方评价经费: target review 中, 167.10 万元 recovered, nothing spent by October
    assert third["decision"] == "退回修改" and third["amount"] == 0 and ranked.at["SZ2021-175", "funded"] == 0
    assert {"TARGETS_REVISE", "RECOVERY_LIMIT"} <= set(third["reason_codes"]) and third["approved"] == 1_404_000
    school = L.loc["SZ2021-002"]  # 农村中小学办学条件改善: key 良, target review 中
    assert school["decision"] == "退回修改" == applied.at["SZ2021-002", "action"] == ranked.at["SZ2021-002", "decision"]
    assert "以重点评价为准" in school["reason"] and "退回单位修改" in school["reason"]
    pitch = L.loc["SZ2022-N06"]  # no 2022 declaration
    assert pitch["decision"] == "不予安排" and pitch["reason_codes"][0] == "NO_TARGETS"
    new = sample.ledger[sample.ledger["kind"] == "new"]
    assert annual.facts["new_decided"] == new["amount"].sum() == 64_850_000 + 41_150_000 + 9_800_000
    text = "".join(annual.exante_text())
    assert "建议安排 11,580.00 万元" in text and "未编报绩效目标 1 个" in text and "19,650" not in text


def test_the_annual_reports_budget_figures_are_the_ledgers_sums(sample, annual):
    from perfeval import display as fmt

    f, L = annual.facts, sample.ledger
    assert f["decided_total"] == pytest.approx(L["amount"].sum()) and f["decisions"] == sample.counts()
    assert f["priority_used"] == pytest.approx(L.loc[L["asked"], "amount"].sum())
    assert f["applied"] == annual.city_report.applied.counts()
    assert annual.city_report.applied.summary()["suggested"].sum() == pytest.approx(L.loc[L["in_year"], "amount"].sum())
    text = "".join(annual.evaluation_text()) + "".join(annual.targets_text())
    assert f"共建议安排 {fmt.wan_text(L['amount'].sum())}" in text
    assert f"内安排 11 个项目 {fmt.wan_text(L.loc[L['asked'], 'amount'].sum())}" in text
    assert "结果应用·决定规则顺序" in set(annual.bases_table()["项目"])


def test_without_requests_the_ledger_is_the_results_applied():
    results = budget.results_from_data(SAMPLE)
    old = budget.apply_results(results).table
    new = decide(results).applied().table
    assert (old["action"] == new["action"]).all() and (old["suggested"] == new["suggested"]).all()
    assert new["reason"].str.contains("未提供下一年度预算申请").all()


def test_rules_are_printed_in_order_and_bad_rules_are_refused():
    d = DecisionRules().describe(250_000_000)
    assert list(d)[0] == "决定规则顺序" and d["资金控制数"] == "25,000.00 万元"
    assert "（按实际执行能力核定，默认规则）" in d["④ 收回统筹"] and "88号" in d["③ 目标审核"] and "（默认规则）" in d["新增项目"] and "perfeval" not in "".join(d.values())
    with pytest.raises(InputError, match="决定规则"):
        DecisionRules(revise_grades=("差",))
    with pytest.raises(InputError, match="决定规则"):
        DecisionRules(exante_actions=(("support", "stop"),))
    with pytest.raises(InputError, match="资金控制数"):
        decide(_results([("A", "优", 100.0)]), _candidates([("A", "continuing", 50.0, None, "优")]), cap=-1)


# ------------------------------------------------------------------------------------------ properties

def _results(rows, **extra):
    frame = pd.DataFrame(rows, columns=["project_id", "grade", "budget"])
    for k, v in extra.items():
        frame[k] = v
    return frame


def _candidates(rows):
    return pd.DataFrame(rows, columns=["project_id", "kind", "requested", "exante_outcome", "target_grade"]).assign(
        project_name=lambda f: f["project_id"], suggested=lambda f: f["requested"], exante_score=80.0)


grade = st.sampled_from(GRADES + [None])
flag = st.sampled_from([True, False, None])
project = st.tuples(grade, st.floats(0, 1e7), flag, flag, st.floats(0, 1e6),  # this year: grade, budget, targets, self, recovered
                    st.booleans(), st.sampled_from(["new", "continuing"]), st.floats(0, 1e7),  # asked, kind, request
                    st.sampled_from(["support", "partial", "reject", None]), grade)  # ex-ante, target review


def _frames(items):
    res, cand = [], []
    for i, (g, b, t, s, rec, asked, kind, req, out, tg) in enumerate(items):
        pid = f"P{i:02d}"
        if not (asked and kind == "new"):
            res.append((pid, g, b, t, s, rec))
        if asked:
            cand.append((pid, kind, req, out if kind == "new" else None, tg))
    r = pd.DataFrame(res, columns=["project_id", "grade", "budget", "has_targets", "self_evaluated", "recovered"])
    return r, (_candidates(cand) if cand else None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(project, min_size=1, max_size=10), st.floats(0, 3e7), st.sampled_from(["whole", "partial"]))
def test_a_project_gated_by_any_hard_rule_never_gets_money(items, cap, funding):
    results, candidates = _frames(items)
    rules = DecisionRules(priority=budget.PriorityRules(funding=funding))
    d = decide(results, candidates, cap if candidates is not None else None, rules)
    L = d.ledger.set_index("project_id")
    r = results.set_index("project_id")
    gated = pd.Series(False, index=L.index)
    gated[r.index] = (r["has_targets"] == False) | (r["self_evaluated"] == False)  # noqa: E712
    if candidates is not None:
        c = candidates.set_index("project_id")
        hit = c["target_grade"].isna() | (c["target_grade"] == "差") | (c["exante_outcome"] == "reject") \
            | ((c["kind"] == "new") & c["exante_outcome"].isna())
        gated[c.index] |= hit
        assert L.loc[L["asked"], "amount"].sum() <= cap + 0.01
    assert (L.loc[gated, "amount"] == 0).all() and (L.loc[gated, "decision"] == "不予安排").all()
    # a project not gated is refused only for want of money: below the funding line, and it says so
    refused = ~gated & (L["decision"] == "不予安排")
    assert (L.loc[refused, "status"] == "未安排（资金线以下）").all()
    assert L.loc[refused, "reason_codes"].map(lambda c: "BELOW_LINE" in c).all()
    assert (L.loc[gated, "reason_codes"].map(lambda c: c[0] in budget.decisions.GATE_ORDER)).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(GRADES), st.sampled_from(GRADES)), min_size=1, max_size=8),
       st.floats(1, 1e7), st.sampled_from(["优", "良"]), st.floats(0, 5e7),
       st.sampled_from([-0.1, -0.3, -0.5]))
def test_a_better_grade_never_gets_a_smaller_share_or_less_money(pairs, amount, target, cap, cut):
    """Two projects alike in all but the grade: the better one's share and amount are never smaller,
    whether it asked nothing (amount by the grade's share) or competes under the cap (whole funding)."""
    rules = DecisionRules(apply=budget.ApplyRules(cut_share=cut))
    rows, cand = [], []
    for i, (a, b) in enumerate(pairs):
        rows += [(f"N{i}a", a, amount), (f"N{i}b", b, amount), (f"R{i}a", a, amount), (f"R{i}b", b, amount)]
        cand += [(f"R{i}a", "continuing", amount, None, target), (f"R{i}b", "continuing", amount, None, target)]
    L = decide(_results(rows), _candidates(cand), cap, rules).ledger.set_index("project_id")
    rank = {g: k for k, g in enumerate(GRADES)}
    for i, (a, b) in enumerate(pairs):
        for kind in "NR":
            better, worse = (f"{kind}{i}a", f"{kind}{i}b") if rank[a] <= rank[b] else (f"{kind}{i}b", f"{kind}{i}a")
            assert L.at[better, "share"] >= L.at[worse, "share"]
            assert L.at[better, "amount"] >= L.at[worse, "amount"] - 1e-9


def test_the_same_inputs_give_the_same_ledger(sample):
    again = decisions_from_data(SAMPLE)
    pd.testing.assert_frame_equal(sample.ledger, again.ledger)
    assert np.array_equal(sample.priority.table["project_id"], again.priority.table["project_id"])


def test_recoveries_are_unknown_without_payments_not_zero_and_not_everything(tmp_path):
    """A header-only payments.csv says nothing about spending: no recovery is derived from it."""
    import shutil

    from perfeval.budget.decisions import _recoveries

    ids = pd.read_csv(SAMPLE / "projects.csv", encoding="utf-8-sig", dtype={"project_id": str})["project_id"]
    assert (_recoveries(SAMPLE, None, ids) > 0).sum() == 7
    shutil.copy(SAMPLE / "projects.csv", tmp_path / "projects.csv")
    assert _recoveries(tmp_path, None, ids).isna().all()  # no payments.csv
    (tmp_path / "payments.csv").write_text("project_id,month,amount\n", encoding="utf-8")
    assert _recoveries(tmp_path, None, ids).isna().all()  # header only
    results = _results([("A", "优", 100.0)], recovered=np.nan)
    L = decide(results, _candidates([("A", "continuing", 500.0, None, "优")]), cap=1_000).ledger
    assert L.at[0, "amount"] == 500.0 and not {"RECOVERED", "RECOVERY_LIMIT"} & set(L.at[0, "reason_codes"])
    L = decide(results.assign(recovered=20.0), _candidates([("A", "continuing", 500.0, None, "优")]), cap=1_000).ledger
    assert L.at[0, "amount"] == 100.0 and "RECOVERY_LIMIT" in L.at[0, "reason_codes"]


def test_candidates_alone_and_a_grade_cut_on_the_request():
    cand = _candidates([("N1", "new", 300.0, "support", "优"), ("N2", "new", 300.0, "partial", "良"),
                        ("C1", "continuing", 1_000.0, None, "良")])
    d = decide(None, cand.assign(last_grade=[None, None, "中"]), cap=1_250)
    L = d.ledger.set_index("project_id")
    assert L.at["C1", "approved"] == 900.0  # 中 → 压减 10 % of the request
    assert list(L["decision"]) == ["优先保障", "压减", "不予安排"] and L.at["C1", "status"] == "未安排（资金线以下）"
    assert L["amount"].sum() == 600.0 and d.priority.used == 600.0
    no_cap = decide(None, cand, cap=None)
    assert no_cap.priority is None and (no_cap.ledger["status"] == "未排序").all()
    assert no_cap.ledger["reason"].str.contains("未提供资金控制数").all()
