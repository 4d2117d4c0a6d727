"""The consistency check of a batch's outputs (issue 17, item 6): one project, one story on every page.

Small output folders written here (a manifest, an index, two pages, a workbook) show a contradiction found and a
consistent set passing; a real small batch of the sample city (2 projects and every city-wide kind, with its
disclosure tables) is checked through the CLI.
"""
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook

from perfeval.cli import main
from perfeval.report.consistency import check_folder

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
NAMES = {"SZ2021-001": "示例市义务教育薄弱环节改善与能力提升项目", "SZ2021-011": "示例市第三小学操场及围墙改造项目"}


def _table(head, rows) -> str:
    cells = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def _html(title, body) -> str:
    return f"<html><head><style>p{{}}</style></head><body><h1>{title}</h1>{body}</body></html>"


def _folder(tmp_path, *, manifest_total=99.85, page_total="99.85", priority="全额安排", priority_amount="6,177.00",
            self_text="") -> Path:
    """A minimal batch output: manifest, index, a self report, the priority report and 结果应用.xlsx."""
    out = tmp_path / "out"
    (out / "reports").mkdir(parents=True)
    entries = [{"kind": "self", "project_id": pid, "project_name": name, "status": "ok",
                "total": manifest_total if pid == "SZ2021-001" else 100.0, "grade": "优"}
               for pid, name in NAMES.items()]
    (out / "manifest.json").write_text(json.dumps({"projects": entries}, ensure_ascii=False), encoding="utf-8")
    (out / "index.html").write_text(_html("预算绩效评价报告索引", _table(
        ["序号", "项目编号", "项目名称", "类型", "状态", "总分", "等级"],
        [[1, "SZ2021-001", NAMES["SZ2021-001"], "绩效自评", "成功", "99.85", "优"],
         [2, "SZ2021-011", NAMES["SZ2021-011"], "绩效自评", "成功", "100.00", "优"]])), encoding="utf-8")
    (out / "reports" / "self-SZ2021-001.html").write_text(_html(NAMES["SZ2021-001"], (
        f"<h2>三、综合评价情况及评价结论</h2><p>经评价，该项目复核后综合得分 {page_total} 分，评价等级为“优”。</p>"
        f"<h2>四、绩效评价指标分析</h2><p>{self_text or '预算执行较好。'}</p>")), encoding="utf-8")
    (out / "reports" / "priority.html").write_text(_html("择优排序", "<h2>三、排序结果与资金控制线</h2>" + _table(
        ["排序", "项目名称", "类型", "事前评估或上年评价", "得分", "申请金额（万元）", "核定金额（万元）", "安排金额（万元）", "结果"],
        [[1, NAMES["SZ2021-001"], "延续", "优（单位自评）", "99.85", "6,177.00", "6,177.00", priority_amount, priority]])),
        encoding="utf-8")
    wb = Workbook()
    ws = wb.active
    ws.title = "结果应用"
    ws.append(["项目编码", "项目名称", "主管部门", "采用等级", "等级来源", "处理", "建议安排（万元）"])
    ws.append(["SZ2021-001", NAMES["SZ2021-001"], "示例市教育局", "优", "单位自评", "优先保障", "6,177.00"])
    ws.append(["SZ2021-011", NAMES["SZ2021-011"], "示例市教育局", "优", "单位自评", "优先保障", "1,080.50"])
    wb.save(out / "结果应用.xlsx")
    return out


def test_a_consistent_set_passes_and_numbers_agree_at_the_printed_precision(tmp_path):
    result = check_folder(_folder(tmp_path, manifest_total=99.8499))  # printed as 99.85 everywhere
    assert result.ok, result.summary()
    assert result.files == 5 and "一致性检查通过" in result.summary()


def test_opposite_decisions_name_the_project_the_two_files_and_the_two_values(tmp_path):
    result = check_folder(_folder(tmp_path, priority="不予安排", priority_amount="0.00"))
    assert [c.kind for c in result.contradictions] == ["下一年度安排不一致"]
    text = str(result.contradictions[0])
    for part in ("SZ2021-001", NAMES["SZ2021-001"], "结果应用.xlsx", "reports/priority.html", "优先保障 6,177.00 万元",
                 "不予安排"):
        assert part in text, text
    assert "发现 1 处矛盾" in result.summary()


def test_a_different_amount_and_a_different_score_are_contradictions(tmp_path):
    result = check_folder(_folder(tmp_path, priority_amount="308.00", page_total="99.87"))
    kinds = sorted(c.kind for c in result.contradictions)
    assert kinds == ["安排金额不一致", "得分不一致"], result.summary()
    score = next(c for c in result.contradictions if c.kind == "得分不一致")
    assert {score.a_value, score.b_value} == {"99.85", "99.87"} and "reports/self-SZ2021-001.html" in str(score)


def test_a_monitoring_fact_without_payment_data_is_a_contradiction(tmp_path):
    said = "10 月底仍未支出，年底收回统筹 191.90 万元（占年初预算的 15.1%）"
    out = _folder(tmp_path, self_text=said)
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(SAMPLE / "projects.csv", data / "projects.csv")
    (data / "forms").mkdir()
    for pid in NAMES:
        (data / "forms" / f"{pid}.xlsx").write_bytes(b"")
    (data / "payments.csv").write_text("project_id,month,amount\n", encoding="utf-8")
    result = check_folder(out, data_dir=data)
    assert [(c.kind, c.subject.split()[0]) for c in result.contradictions] == [("无数据却有结论", "SZ2021-001")]
    assert "payments.csv 仅有表头" in str(result.contradictions[0]) and "10 月底仍未支出" in str(result.contradictions[0])
    (data / "payments.csv").write_text("project_id,month,amount\nSZ2021-001,10,0\n", encoding="utf-8")
    assert check_folder(out, data_dir=data).ok  # the project's payments are given: the fact may be stated
    (data / "forms" / "SZ2021-011.xlsx").unlink()
    result = check_folder(out, data_dir=data)  # a self score for a project without a self-evaluation form
    assert {c.subject.split()[0] for c in result.contradictions} == {"SZ2021-011"}
    assert all(c.kind == "无数据却有结论" for c in result.contradictions)


def test_perfeval_lint_consistency_exits_1_with_the_chinese_list(tmp_path, capsys):
    assert main(["lint", "--consistency", str(_folder(tmp_path))]) == 0
    assert "一致性检查通过" in capsys.readouterr().out
    bad = _folder(tmp_path / "bad", priority="不予安排", priority_amount="0.00")
    assert main(["lint", str(bad)]) == 1  # a batch folder (manifest.json): publication lint, then consistency
    err = capsys.readouterr().err
    assert "一致性检查" in err and "下一年度安排不一致" in err and "消防" not in err


# --------------------------------------------------------------------------- a real small batch


@pytest.fixture(scope="module")
def small_batch(tmp_path_factory):
    """2 projects and every city-wide kind of the sample city, and its disclosure tables, via the CLI."""
    out = tmp_path_factory.mktemp("batch") / "out"
    assert main(["batch", "--data", str(SAMPLE), "--out", str(out), "--projects", "SZ2021-001,SZ2021-002",
                 "--kind", "all", "--jobs", "2"]) == 0
    assert main(["disclose", "--data", str(SAMPLE), "--out", str(out / "disclosure")]) == 0
    return out, check_folder(out)


def test_on_a_real_batch_scores_grades_and_data_agree_and_the_checker_reads_every_output(small_batch):
    out, result = small_batch
    assert result.files >= 20 and not result.notes  # the data folder is found from the notebooks' parameters
    kinds = set(result.counts())
    assert not kinds & {"得分不一致", "等级不一致", "无数据却有结论"}, result.summary()


def test_on_a_real_batch_every_output_tells_the_same_story(small_batch, capsys):
    out, _ = small_batch
    assert main(["lint", "--consistency", str(out)]) == 0, capsys.readouterr().err


def test_ex_ante_and_target_review_conclusions_agree_by_their_leading_words(tmp_path):
    """The index, an ex-ante report (its own rule's conclusion, not the other rule's) and a target-review opinion."""
    out = tmp_path / "out"
    (out / "reports").mkdir(parents=True)
    (out / "index.html").write_text(_html("索引", _table(["项目编号", "项目名称", "类型", "总分", "等级"], [
        ["SZ2022-N06", "示例市中小学校园足球场地提升工程", "事前绩效评估", "60.00", "部分支持（调整完善后支持）"],
        ["SZ2021-162", "消防装备购置项目", "绩效目标审核", "—", "差"]])), encoding="utf-8")
    (out / "reports" / "exante-SZ2022-N06.html").write_text(_html("事前绩效评估报告", (
        "<h2>三、综合评估情况与评估结论</h2><p>综合专家组评分，项目总分 60.00 分（满分 100 分）。按通行做法，"
        "结论为“部分支持（调整完善后支持）”。</p><p>按地方规定，本项目总分 60.00 分的结论为“不予立项”。</p>")),
        encoding="utf-8")
    opinion = out / "reports" / "targets-SZ2021-162.html"
    opinion.write_text(_html("审核意见", "<h2>二、审核结论</h2><p>审核结论为“差”。</p>"), encoding="utf-8")
    assert check_folder(out).ok, check_folder(out).summary()
    opinion.write_text(_html("审核意见", "<h2>二、审核结论</h2><p>审核结论为“良”。</p>"), encoding="utf-8")
    (c,) = check_folder(out).contradictions
    assert (c.kind, c.subject, c.field, {c.a_value, c.b_value}) == ("等级不一致", "SZ2021-162 消防装备购置项目",
                                                                  "绩效目标审核结论", {"差", "良"})


def test_a_folder_without_batch_output_or_with_a_damaged_manifest_is_a_clear_error(tmp_path):
    from perfeval.errors import InputError

    with pytest.raises(InputError, match="没有批量输出"):
        check_folder(tmp_path)
    (tmp_path / "manifest.json").write_text("{bad", encoding="utf-8")
    with pytest.raises(InputError, match="manifest.json"):
        check_folder(tmp_path)
