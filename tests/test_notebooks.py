"""The real report notebooks on the sample city, run by real kernels through `perfeval batch`.

Checks that a self-evaluation report, a key-evaluation report and the portfolio run, report the
same total and grade as the library computes directly, render Chinese text and charts, and leave
no "Glyph … missing" warning in any output.
"""
import json
from pathlib import Path

import pytest

import perfeval as pe
from perfeval import datasets, keyeval
from perfeval.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("batch")
    code = main(["batch", "--data", str(SAMPLE), "--out", str(out), "--projects", "SZ2021-001,SZ2021-013",
                 "--jobs", "2"])
    return code, out, json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_batch_of_real_notebooks_succeeds(batch):
    code, out, manifest = batch
    by = {(p["project_id"], p["kind"]): p for p in manifest["projects"]}
    assert code == 0, [p.get("error") for p in manifest["projects"]]
    assert set(by) == {("SZ2021-001", "self"), ("SZ2021-013", "self"), ("SZ2021-001", "key"),
                       (None, "portfolio")}
    assert all(p["status"] == "ok" for p in manifest["projects"])


def test_report_totals_match_the_library(batch):
    _, _, manifest = batch
    by = {(p["project_id"], p["kind"]): p for p in manifest["projects"]}
    rows, budget = datasets.self_evaluation(SAMPLE, ["SZ2021-013"])
    card = pe.score(rows, budget)
    assert by[("SZ2021-013", "self")]["total"] == pytest.approx(card.totals.total.iloc[0])
    assert by[("SZ2021-013", "self")]["grade"] == card.totals.grade.iloc[0]
    key = keyeval.evaluate(keyeval.load(SAMPLE)).project("SZ2021-001").totals.iloc[0]
    assert by[("SZ2021-001", "key")]["total"] == pytest.approx(key.total)
    assert by[("SZ2021-001", "key")]["grade"] == key.grade


def test_reports_render_chinese_outline_charts_and_no_missing_glyphs(batch):
    _, out, _ = batch
    html_self = next(out.rglob("self-SZ2021-013.html")).read_text(encoding="utf-8")
    for heading in ("一、基本情况", "二、评价工作开展情况", "三、综合评价情况及评价结论", "四、绩效指标分析",
                    "五、存在的问题及原因分析", "六、改进建议", "附表"):
        assert heading in html_self
    assert "<img" in html_self and "扣分未填写偏差原因" in html_self
    html_key = next(out.rglob("key-SZ2021-001.html")).read_text(encoding="utf-8")
    assert "专家评分、一致性与等级稳健性" in html_key and "肯德尔 W" in html_key
    portfolio = next(out.rglob("portfolio.html")).read_text(encoding="utf-8")
    assert "部门汇总表" in portfolio and "多准则综合排名" in portfolio
    for nb_path in out.rglob("*.ipynb"):
        text = nb_path.read_text(encoding="utf-8")
        assert "Glyph" not in text and "missing from font" not in text, nb_path.name
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "SZ2021-013" in index


def test_committed_notebooks_have_no_outputs_and_a_parameters_cell():
    for name in ("project_report.ipynb", "portfolio.ipynb"):
        nb = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))
        code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert not any(c.get("outputs") or c.get("execution_count") for c in code_cells)
        assert sum("parameters" in c.get("metadata", {}).get("tags", []) for c in code_cells) == 1
        source = "".join("".join(c["source"]) for c in code_cells)
        assert "def " not in source, "notebooks hold no logic of their own"
