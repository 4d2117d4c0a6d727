"""The furniture of a report a bureau signs, and workbooks a clerk uses.

A report page has a cover (title, subject, issuer and date from city.yaml, a stable number), contents, a
responsibility statement and an issuer block; input files and hashes are in a technical appendix file and the
manifest, never in the reader's page; printed, it has page numbers and no one-character-wide column. Every
workbook has a title row and numbers stored as numbers where its header says 万元 / % / （个）.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from perfeval.cli import main
from perfeval.export import workbook_problems, write_sheets

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
READER_FORBIDDEN = ("SHA-256", "payments.csv", "projects.csv", ".xlsx", "half-up", "form's own", "笔记本")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("furniture")
    data = root / "data"
    shutil.copytree(SAMPLE, data)
    (data / "city.yaml").write_text("city: 示例市\nbureau: 示例市财政局\nissuer: 示例市预算绩效评价中心\n"
                                    "report_date: 2022-03-31\n", encoding="utf-8")
    out = root / "out"
    assert main(["batch", "--data", str(data), "--out", str(out), "--projects", "SZ2021-001",
                 "--kind", "key", "--format", "html"]) == 0
    return data, out


def test_a_report_page_has_its_furniture_and_nothing_technical(batch):
    _, out = batch
    page = (out / "reports" / "key-SZ2021-001.html").read_text(encoding="utf-8")
    cover = page[page.index('class="perfeval-cover"'):page.index('class="perfeval-toc"')]
    assert "报告编号：绩评〔2022〕SZ2021-001号" in cover
    assert "示例市预算绩效评价中心" in cover and "2022年3月31日" in cover   # the issuer, not the bureau
    assert "示例市义务教育薄弱环节改善与能力提升项目重点评价报告" in cover
    toc = page[page.index('class="perfeval-toc"'):page.index('class="perfeval-body"')]
    assert "一、基本情况" in toc and "附表3：评分约定" in toc and toc.count("<li") >= 8
    closing = page[page.index('class="perfeval-closing"'):]
    assert "责任声明" in closing and "出具单位：示例市预算绩效评价中心" in closing and "报告日期：2022年3月31日" in closing
    text = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    assert not [w for w in READER_FORBIDDEN if w in text]
    assert not re.search(r"\b[0-9a-f]{64}\b", text)                       # no hash
    assert "另见技术附录" in text


def test_the_technical_appendix_and_the_manifest_hold_the_input_files(batch):
    _, out = batch
    appendix = out / "reports" / "技术附录" / "key-SZ2021-001-技术附录.html"
    text = appendix.read_text(encoding="utf-8")
    assert "SHA-256" in text and "payments.csv" in text and re.search(r"[0-9a-f]{64}", text)
    entry = next(e for e in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["projects"]
                 if e["kind"] == "key")
    assert entry["outputs"]["technical"]["path"] == "reports/技术附录/key-SZ2021-001-技术附录.html"


def test_the_readers_index_has_no_status_and_no_notebooks(batch):
    _, out = batch
    operators = (out / "index.html").read_text(encoding="utf-8")
    readers = (out / "报告目录.html").read_text(encoding="utf-8")
    assert "状态" in operators and "笔记本" in operators                    # the operators' index keeps them
    assert "状态" not in readers and "笔记本" not in readers and ".ipynb" not in readers
    assert "key-SZ2021-001.html" in readers and "95.00" in readers


def test_a_folder_without_issuer_or_date_leaves_blanks_to_fill_in(tmp_path):
    from perfeval.report.furniture import BLANK_DATE, BLANK_ISSUER, Cover
    from perfeval.report.task import Task

    task = Task(task_id="key:X1", kind="key", template="t.ipynb", parameters={"data_dir": str(tmp_path)},
                project_id="X1", name="某项目")  # a folder without city.yaml: no furniture
    cover = Cover.for_task(task)
    assert cover.issuer is None and cover.date_text is None and cover.number == "绩评〔　　〕X1号"
    assert BLANK_ISSUER and BLANK_DATE.strip() == "年　　月　　日"


def test_short_label_columns_never_wrap_a_character_per_line(batch):
    _, out = batch
    page = (out / "reports" / "key-SZ2021-001.html").read_text(encoding="utf-8")
    for label in ("产出", "效益", "数量指标", "评价组评议"):  # 一级/二级 labels, the scoring method
        cells = re.findall(rf"<td([^>]*)>{label}</td>", page)
        assert cells and all('class="nw"' in c for c in cells), label        # every such cell, every table
    long_text = re.findall(r'<th([^>]*)>评议意见或扣分说明</th>', page)
    assert long_text and all('class="wide"' in h for h in long_text)        # sentences keep a readable width
    css = re.search(r"<style>(.*?)</style>", page, flags=re.S).group(1)
    assert "th.nw, td.nw { white-space: nowrap; }" in css and "min-width: 3em" in css


def test_the_printed_report_has_page_numbers_and_a_running_header(batch, tmp_path):
    pytest.importorskip("weasyprint")
    from pypdf import PdfReader  # the test extra: the PDF's text page by page, on any machine

    from perfeval.report.export import _weasyprint_pdf

    _, out = batch
    pdf = tmp_path / "key.pdf"
    pdf.write_bytes(_weasyprint_pdf(out / "reports" / "key-SZ2021-001.html"))
    pages = [page.extract_text() or "" for page in PdfReader(str(pdf)).pages]
    assert all(p.strip() for p in pages)  # no blank page
    n = len(pages)
    assert n >= 5 and "第 1 页" not in pages[0]                              # the cover has no number
    assert f"第 2 页 / 共 {n} 页" in pages[1] and f"第 {n} 页 / 共 {n} 页" in pages[-1]
    assert all("重点评价报告" in p for p in pages[1:])                       # the running header
    assert "出具单位" in pages[-1] and "SHA-256" not in pages[-1]


# ------------------------------------------------------------------------------------------ workbooks

def test_every_workbook_of_a_small_batch_has_a_title_and_numbers_as_numbers(batch, tmp_path):
    data, out = batch
    books = [out / "结果应用.xlsx"]
    for args, name in ((["monitor", "--data", str(data), "--as-of", "2021-06"], "monitor.xlsx"),
                       (["prioritise", "--data", str(data)], "priority.xlsx"),
                       (["apply-results", "--data", str(data)], "applied.xlsx")):
        assert main(args + ["--xlsx", str(tmp_path / name)]) == 0
        books.append(tmp_path / name)
    for book in books:
        assert workbook_problems(book) == [], book.name
        ws = load_workbook(book).worksheets[0]
        assert ws["A1"].value and "日期：" in (ws["A2"].value or "")          # title, and the date line
        assert ws.freeze_panes == "A4" and ws.page_setup.orientation == "landscape"


def test_the_workbook_check_catches_numbers_stored_as_text(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["项目名称", "建议安排（万元）", "增减比例"])
    ws.append(["甲", "6,177.00", "10%"])
    wb.save(tmp_path / "old.xlsx")
    problems = workbook_problems(tmp_path / "old.xlsx")
    assert any("标题行" in p for p in problems) and any("建议安排（万元）" in p and "6,177.00" in p for p in problems)
    new = write_sheets(tmp_path / "new.xlsx", {"表": pd.DataFrame({"项目名称": ["甲"], "建议安排（万元）": ["6,177.00"],
                                                                  "增减比例": ["+10%"]})}, title="测试", date="2022年3月31日")
    assert workbook_problems(new) == []
    row = [c for c in load_workbook(new)["表"][4]]
    assert row[1].value == 6177.0 and row[1].number_format == "#,##0.00"
    assert row[2].value == pytest.approx(0.1) and row[2].number_format == "+0%;-0%;0%"


def test_city_wide_covers_name_the_city_and_dashboards_are_dated_at_their_month_end():
    from perfeval.report.furniture import Cover
    from perfeval.report.task import Task

    furniture = (("issuer", "示例市财政局"), ("date_text", "2022年3月31日"), ("year", 2022), ("city", "示例市"),
                 ("budget_year", 2021))
    annual = Cover.for_task(Task(task_id="annual", kind="annual", template="t", title="预算绩效管理工作开展情况说明",
                                 furniture=furniture))
    assert annual.title == "示例市2021年度预算绩效管理工作开展情况说明" and annual.number == "绩报〔2022〕1号"
    priority = Cover.for_task(Task(task_id="priority", kind="priority", template="t", title="项目支出择优排序情况",
                                   furniture=furniture))
    assert priority.title == "示例市项目支出择优排序情况"            # next year's ranking: not “2021年度”
    june = Cover.for_task(Task(task_id="monitor:2021-06", kind="monitor", template="t",
                               parameters={"as_of": "2021-06"}, title="绩效运行监控情况（2021年6月底）",
                               furniture=furniture))
    assert june.date_text == "2021年6月30日" and june.number == "绩监〔2021〕2021-06号"
