"""Evaluation results applied to next year's budget (评价结果应用): rules, properties, the sample city, the CLI.

Rules from domain.md §6: 优 → 优先保障, 良 → 据实保障, 中 → 一定比例核减, 差 → 取消或暂停 [S28][S29]; results fed back
within 20 days and rectification within 30 [S2]; and the seed's hard rules: 对未制定项目绩效目标……及上年度未开展
绩效自评的项目一律不予安排预算.
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from perfeval import budget
from perfeval.budget import ApplyRules, apply_results, results_from_data
from perfeval.cli import main
from perfeval.errors import InputError

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
GRADES = ["优", "良", "中", "差"]
RANK = {"优": 0, "良": 1, "中": 2, "差": 3}


@pytest.fixture(scope="module")
def sample_results():
    return results_from_data(SAMPLE)


def _frame(rows):
    cols = ["project_id", "grade", "key_grade", "budget", "has_targets", "self_evaluated"]
    return pd.DataFrame(rows, columns=cols)


# ------------------------------------------------------------------------------------------ the sample city

def test_results_from_data_gives_the_interface_columns_and_the_story(sample_results):
    r = sample_results
    assert list(r.columns) == ["project_id", "project_name", "department", "grade", "key_grade", "budget",
                               "has_targets", "self_evaluated"]
    assert len(r) == 187 and r["has_targets"].all() and r["self_evaluated"].all()
    story = json.loads((SAMPLE / "story.json").read_text(encoding="utf-8"))["key_evaluation"]["grades_intended"]
    key = r.set_index("project_id")["key_grade"].dropna()
    assert {g: sorted(key[key == g].index) for g in ("优", "良")} == {g: sorted(v) for g, v in story.items()}
    projects = pd.read_csv(SAMPLE / "projects.csv", encoding="utf-8-sig")
    assert r["budget"].sum() == pytest.approx(projects["budget_full_year"].sum())


def test_the_sample_city_keeps_or_prioritises_every_project_key_grades_first(sample_results):
    """Independent count: key projects by their intended grade (story.json), the others by the grade
    printed on their forms (budget.csv: the forms' 评价等级, which the review leaves unchanged here)."""
    applied = apply_results(sample_results)
    story = json.loads((SAMPLE / "story.json").read_text(encoding="utf-8"))["key_evaluation"]["grades_intended"]
    keyed = set(story["优"]) | set(story["良"])
    printed = pd.read_csv(SAMPLE / "self_evaluation" / "budget.csv", encoding="utf-8-sig", dtype={"project_id": str})
    others = printed[~printed["project_id"].isin(keyed)]["published_grade"].value_counts()
    counts = applied.counts()
    assert counts == {"优先保障": len(story["优"]) + int(others.get("优", 0)), "保持": len(story["良"]) + int(others.get("良", 0)),
                      "压减": 0, "取消或暂停": 0, "不予安排": 0}
    t = applied.table.set_index("project_id")
    assert t.loc["SZ2021-002", "action"] == "保持" and t.loc["SZ2021-002", "grade_source"] == "重点评价"
    assert "单位自评为“优”，以重点评价为准" in t.loc["SZ2021-002", "reason"]
    assert (applied.table["suggested"] == applied.table["budget"]).all()
    self_only = apply_results(sample_results, ApplyRules(key_precedence=False)).counts()
    assert self_only["保持"] == int(printed["published_grade"].eq("良").sum())


def test_apply_results_cli_prints_and_writes_a_reproducible_workbook(tmp_path, capsys):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert main(["apply-results", "--data", str(SAMPLE), "--xlsx", str(a), "--notice-date", "2022-06-30"]) == 0
    out = capsys.readouterr().out
    # the CLI prints this year's projects in the one ledger of next year's decisions (issue 17): 171 graded
    # 优先保障 less the three whose 2022 targets were returned (审核“中”) or refused (审核“差”)
    assert "优先保障    168" in out and "退回修改    3" in out and "不予安排    1" in out
    assert "消防装备购置项目（SZ2021-162）：绩效目标审核结论为“差”，按否决规则不予安排" in out
    assert "决定规则顺序：①否决规则" in out
    assert main(["apply-results", "--data", str(SAMPLE), "--xlsx", str(b), "--notice-date", "2022-06-30"]) == 0
    assert a.read_bytes() == b.read_bytes()
    wb = load_workbook(a)
    assert wb.sheetnames == ["结果应用", "处理汇总", "应用规则", "部门整体结果应用"] and wb["结果应用"].max_row == 190
    ws = wb["结果应用"]
    assert ws["A1"].value == "绩效评价结果应用—结果应用" and ws["A2"].value.startswith("单位：万元")
    assert ws.freeze_panes == "A4" and ws.print_title_rows == "$3:$3" and ws.page_setup.orientation == "landscape"
    head = [c.value for c in ws[3]]
    assert head[:6] == ["项目编码", "项目名称", "主管部门", "采用等级", "等级来源", "处理"]
    col = head.index("本年度全年预算（万元）") + 1
    budget = [r[0] for r in ws.iter_rows(min_row=4, min_col=col, max_col=col) if r[0].value is not None]
    # amounts are numbers a clerk can add (they were text such as '6,177.00': SUM gave 0)
    assert len(budget) == 187 and all(isinstance(c.value, (int, float)) for c in budget)
    assert {c.number_format for c in budget} == {"#,##0.00"}
    total = [c.value for c in wb["处理汇总"]["C"] if isinstance(c.value, (int, float))][-1]  # 合计
    assert round(sum(c.value for c in budget), 2) == round(total, 2)
    assert "2022-07-20" in [c.value for c in wb["结果应用"]["J"]]  # feedback 20 days after the notice
    with pytest.raises(SystemExit):
        main(["apply-results", "--data", str(SAMPLE), "--notice-date", "30/06/2022"])


# ------------------------------------------------------------------------------------------ the rules

def test_each_grade_its_action_share_and_deadlines():
    r = _frame([("A", "优", None, 100.0, True, True), ("B", "良", None, 100.0, True, True),
                ("C", "中", None, 100.0, True, True), ("D", "差", None, 100.0, True, True),
                ("E", None, None, 100.0, True, True), ("F", "优", "中", 100.0, True, True)])
    t = apply_results(r, ApplyRules(notice_date="2022-06-30")).table.set_index("project_id")
    assert t["action"].to_dict() == {"A": "优先保障", "B": "保持", "C": "压减", "D": "取消或暂停", "E": "保持", "F": "压减"}
    assert t["suggested"].to_dict() == {"A": 100.0, "B": 100.0, "C": 90.0, "D": 0.0, "E": 100.0, "F": 90.0}
    assert t.loc["F", "grade_source"] == "重点评价" and t.loc["A", "grade_source"] == "单位自评"
    assert t.loc["C", "feedback_due"] == pd.Timestamp("2022-07-20") and t.loc["C", "plan_due"] == pd.Timestamp("2022-08-19")
    assert pd.isna(t.loc["A", "plan_due"]) and t.loc["A", "feedback_due"] == pd.Timestamp("2022-07-20")
    assert "单位自评未定级" in t.loc["E", "reason"]
    custom = apply_results(r, ApplyRules(cut_share=-0.3, priority_share=0.05, feedback_days=15, plan_days=10,
                                         notice_date="2022-06-30", key_precedence=False)).table.set_index("project_id")
    assert custom.loc["C", "suggested"] == 70.0 and custom.loc["A", "suggested"] == 105.0
    assert custom.loc["F", "action"] == "优先保障" and custom.loc["C", "plan_due"] == pd.Timestamp("2022-07-25")


def test_hard_rules_win_and_unknown_is_not_no():
    r = _frame([("A", "优", "优", 100.0, False, True), ("B", "优", None, 100.0, True, False),
                ("C", "优", None, 100.0, None, None)])
    t = apply_results(r).table.set_index("project_id")
    assert t.loc[["A", "B"], "action"].tolist() == ["不予安排", "不予安排"] and t.loc[["A", "B"], "suggested"].sum() == 0
    assert "未编报绩效目标" in t.loc["A", "reason"] and "本年度未开展绩效自评" in t.loc["B", "reason"]
    assert t.loc["C", "action"] == "优先保障"
    assert apply_results(r, ApplyRules(hard_rules=())).table["action"].tolist() == ["优先保障"] * 3


@pytest.mark.parametrize("kwargs, word", [
    ({"cut_share": 0.2}, "较好等级的增减比例不得低于较差等级"),
    ({"stop_share": 0.1, "cut_share": 0.1, "keep_share": 0.1, "priority_share": 0.1}, "“差”不得增加预算"),
    ({"cut_share": -1.5}, "不小于 −1"),
    ({"actions": (("优", "priority"), ("良", "keep"))}, "各一个动作"),
    ({"notice_date": "明天"}, "notice_date"),
    ({"feedback_days": -1}, "feedback_days"),
])
def test_bad_rules_are_refused_with_the_reason(kwargs, word):
    with pytest.raises(InputError) as exc:
        ApplyRules(**kwargs)
    assert word in str(exc.value)


@pytest.mark.parametrize("rows, word", [
    ([("A", "甲", None, 1.0, True, True)], "优、良、中、差"),
    ([("A", "优", None, -1.0, True, True)], "非负数"),
    ([("A", "优", None, 1.0, True, True), ("A", "良", None, 1.0, True, True)], "重复"),
    ([("A", "优", None, 1.0, "也许", True)], "has_targets"),
])
def test_bad_results_name_row_and_column(rows, word):
    with pytest.raises(InputError) as exc:
        apply_results(_frame(rows))
    assert word in str(exc.value) and "第" in str(exc.value)


def test_missing_columns_and_not_a_frame():
    with pytest.raises(InputError, match="缺少"):
        apply_results(pd.DataFrame({"project_id": ["A"]}))
    with pytest.raises(InputError):
        apply_results([("A", "优")])


# ------------------------------------------------------------------------------------------ properties

grade_or_none = st.sampled_from(GRADES + [None])
rows = st.lists(st.tuples(grade_or_none, grade_or_none, st.floats(0, 1e10, allow_nan=False),
                          st.sampled_from([True, False, None]), st.sampled_from([True, False, None])),
                min_size=1, max_size=40)
rule_sets = st.builds(lambda p, k, c, s, kp: ApplyRules(priority_share=p, keep_share=min(k, p), cut_share=min(c, k, p),
                                                        stop_share=min(s, c, k, p, 0.0), key_precedence=kp),
                      st.floats(-1, 0.5), st.floats(-1, 0.5), st.floats(-1, 0.5), st.floats(-1, 0.0), st.booleans())


def _random_frame(data):
    return pd.DataFrame([(f"P{i}",) + r for i, r in enumerate(data)],
                        columns=["project_id", "grade", "key_grade", "budget", "has_targets", "self_evaluated"])


@settings(max_examples=150, deadline=None)
@given(rows, rule_sets)
def test_a_poor_grade_never_yields_an_increase_and_hard_rules_always_win(data, rules):
    t = apply_results(_random_frame(data), rules).table
    poor = t["grade_used"] == "差"
    assert (t.loc[poor, "suggested"] <= t.loc[poor, "budget"] + 1e-6).all()
    gated = (t["project_id"].map(dict(zip(_random_frame(data)["project_id"], [r[3] is False or r[4] is False
                                                                              for r in data]))))
    assert (t.loc[gated, "action"] == "不予安排").all() and (t.loc[gated, "suggested"] == 0).all()
    assert (t.loc[~gated, "action"] != "不予安排").all()
    assert (t["suggested"] >= 0).all() and t["reason"].str.endswith("。").all()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(GRADES), st.sampled_from(GRADES)), min_size=1, max_size=20),
       st.floats(0, 1e9, allow_nan=False), rule_sets)
def test_a_better_grade_never_gets_a_smaller_amount_at_the_same_budget(pairs, amount, rules):
    frame = pd.DataFrame({"project_id": [f"P{i}" for i in range(2 * len(pairs))],
                          "grade": [g for pair in pairs for g in pair], "budget": amount})
    t = apply_results(frame, rules).table
    rank = t["grade_used"].map(RANK).to_numpy()
    s = t["suggested"].to_numpy()
    better = rank[:, None] < rank[None, :]
    assert (s[:, None] >= s[None, :] - 1e-6)[better].all()


def test_vectorised_on_many_projects():
    n = 20_000
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"project_id": [f"P{i}" for i in range(n)], "grade": rng.choice(GRADES, n),
                          "key_grade": rng.choice(GRADES + [None], n), "budget": rng.uniform(0, 1e8, n).round(2),
                          "has_targets": rng.random(n) > 0.01, "self_evaluated": rng.random(n) > 0.01})
    applied = budget.apply_results(frame)
    assert len(applied.table) == n and applied.summary()["projects"].sum() == n


def test_amounts_below_the_fen_never_round_above_the_budget():
    """Found by the property above: 1.875 元 kept must stay 1.875, not round up to 1.88."""
    t = apply_results(_frame([("A", "优", None, 1.875, True, True), ("B", "中", None, 1.875, True, True),
                              ("C", "差", None, 1.875, True, True)])).table
    assert t["suggested"].tolist() == [1.875, pytest.approx(1.685), 0.0]


def test_a_project_list_without_the_full_year_budget_is_a_clear_error_and_the_batch_skips_the_workbook(tmp_path,
                                                                                                     capsys):
    """A city folder without self-evaluations (the report machinery's test city) gets neither an annual
    report nor 结果应用.xlsx; a project list without 全年预算数 names the file and the column."""
    from perfeval.cli.batch import build_tasks

    city = Path(__file__).parent / "data" / "notebooks" / "city"
    assert "annual" not in {t.kind for t in build_tasks(city, kind="all")}
    data = tmp_path / "data"
    data.mkdir()
    (data / "projects.csv").write_text("project_id,project_name,department\nP1,项目一,甲局\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        results_from_data(data)
    assert "projects.csv" in str(err.value) and "budget_full_year" in str(err.value)
