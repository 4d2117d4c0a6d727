"""Every container a unit sends gives the same self-evaluation form; unreadable files are one sentence.

The fixtures in tests/data/containers/ are SZ2021-001.xlsx written as .xls, .et, .ods, .docx, HTML
(GBK), HTML under an .xls name and a GBK csv by make_containers.py; the hostile ones are a PDF, a
binary .doc and password-protected .xlsx/.xls. Files with a misleading name (an .xlsx called .xls,
tab text called .xls) are made here.
"""
from __future__ import annotations

import io
import json
import shutil
import zipfile
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfeval.cli import main
from perfeval.errors import InputError
from perfeval.io import read_self_evaluation
from perfeval.io._grid import load_grids

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "data" / "sample" / "forms" / "SZ2021-001.xlsx"
CONTAINERS = ROOT / "tests" / "data" / "containers"
HOSTILE = CONTAINERS / "hostile"
FIXTURES = ["SZ2021-001.xls", "SZ2021-001.et", "SZ2021-001.ods", "SZ2021-001.docx", "SZ2021-001.html",
            "SZ2021-001_web.xls", "SZ2021-001_gbk.csv"]


@pytest.fixture(scope="module")
def original():
    (form,) = read_self_evaluation(SOURCE)
    return form


def assert_same_form(form, original):
    assert form.project_id == original.project_id == "SZ2021-001"
    for field in ("project_name", "department", "unit", "manager", "year", "money_unit", "goal_expected",
                  "goal_actual", "published_total", "published_grade", "money_problem"):
        assert getattr(form, field) == getattr(original, field), field
    pd.testing.assert_frame_equal(form.money, original.money)
    pd.testing.assert_frame_equal(form.rows, original.rows)
    assert len(form.rows) == 15 and form.money.loc["年度资金总额", "rate"] == pytest.approx(0.9847)


@pytest.mark.parametrize("name", FIXTURES)
def test_every_container_reads_as_the_xlsx_form(name, original):
    (form,) = read_self_evaluation(CONTAINERS / name)
    assert_same_form(form, original)


def test_misnamed_files_are_read_by_content_and_noted(tmp_path, original):
    xlsx_as_xls = tmp_path / "导出.xls"
    shutil.copyfile(SOURCE, xlsx_as_xls)
    (form,) = read_self_evaluation(xlsx_as_xls)
    assert_same_form(form, original)
    assert any("内容实为Excel 2007+ 工作簿" in n for n in form.notes)
    (form,) = read_self_evaluation(CONTAINERS / "SZ2021-001_web.xls")
    assert any("内容实为网页（HTML）" in n for n in form.notes)

    csv_text = (CONTAINERS / "SZ2021-001_gbk.csv").read_bytes().decode("gbk")
    tab_text = tmp_path / "系统导出.xls"  # tab-separated text saved under an .xls name by a web system
    tab_text.write_bytes(csv_text.replace(",", "\t").encode("gbk"))
    (form,) = read_self_evaluation(tab_text)
    assert_same_form(form, original)
    assert any("制表符分隔的文本" in n for n in form.notes)
    unicode_text = tmp_path / "unicode.xls"  # Excel's "Unicode text": UTF-16 with a BOM, tab-separated
    unicode_text.write_bytes(csv_text.replace(",", "\t").encode("utf-16"))
    (form,) = read_self_evaluation(unicode_text)
    assert_same_form(form, original)


def test_xls_says_number_formats_are_not_known_and_ods_keeps_the_shown_text():
    (xls,) = read_self_evaluation(CONTAINERS / "SZ2021-001.xls")
    assert any("不提供单元格的数字格式" in n for n in xls.notes)
    (grid,), _ = load_grids(CONTAINERS / "SZ2021-001.ods")
    (orig,), _ = load_grids(SOURCE)
    assert grid.text[6, 6] == "98.47%" and grid.percent[6, 6] and grid.raw[6, 6] == pytest.approx(0.9847)
    np.testing.assert_array_equal(grid.text, orig.text)  # the text as shown, cell for cell
    np.testing.assert_array_equal(grid.top, orig.top)
    np.testing.assert_array_equal(grid.left, orig.left)


@pytest.mark.parametrize("name", ["SZ2021-001.xls", "SZ2021-001.docx", "SZ2021-001.html"])
def test_merged_ranges_give_the_same_anchors_as_the_workbook(name):
    (orig,), _ = load_grids(SOURCE)
    (grid,), _ = load_grids(CONTAINERS / name)
    np.testing.assert_array_equal(grid.top, orig.top)  # title paragraphs above Word/HTML tables included
    np.testing.assert_array_equal(grid.left, orig.left)
    assert grid.norm[12, 0] == "一级指标" and grid.text[11, 3] == orig.text[11, 3]


def _docx(path: Path) -> None:
    import docx

    doc = docx.Document()
    doc.add_paragraph("第一张")
    t = doc.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(0, 2)).text = "横向合并"
    t.cell(1, 0).merge(t.cell(2, 0)).text = "纵向合并"
    t.cell(1, 1).text = "第一段"
    t.cell(1, 1).add_paragraph("第二段")
    doc.add_paragraph("第二张")
    second = doc.add_table(rows=3, cols=3)
    second.cell(0, 1).text = "x"
    second.cell(1, 1).merge(second.cell(2, 2)).text = "块"  # a 2 × 2 range: gridSpan and vMerge together
    doc.save(str(path))


def test_word_tables_each_a_grid_with_spans_and_paragraphs(tmp_path):
    path = tmp_path / "two.docx"
    _docx(path)
    (first, second), _ = load_grids(path)
    assert first.text[0, 0] == "第一张" and first.text[1].tolist() == ["横向合并"] * 3
    assert first.left[1].tolist() == [0, 0, 0] and first.top[3, 0] == 2 and first.text[3, 0] == "纵向合并"
    assert first.text[2, 1] == "第一段\n第二段" and first.sheet == "表格1"
    assert second.text[0, 0] == "第二张" and second.text[1, 1] == "x" and second.sheet == "表格2"
    assert second.text[2:, 1:].tolist() == [["块", "块"], ["块", "块"]]
    assert second.top[2:, 1:].tolist() == [[2, 2], [2, 2]] and second.left[2:, 1:].tolist() == [[1, 1], [1, 1]]


def test_html_spans_nested_tables_and_charsets(tmp_path):
    page = ("<html><head><meta http-equiv='Content-Type' content='text/html; charset=gb2312'></head><body>"
            "<h1>标题</h1><table><tr><td rowspan=2>甲</td><td colspan=2>乙&nbsp;<br>丙</td></tr>"
            "<tr><td>丁<table><tr><td>嵌套</td></tr></table></td><td><p>戊</p><p>庚</p></td></tr></table>"
            "<p>第二表</p><table><tbody><tr><th>己</th></tr></tbody></table></body></html>")
    path = tmp_path / "page.htm"
    path.write_bytes(page.encode("gbk"))
    (first, second), notes = load_grids(path)
    assert first.text.tolist() == [["标题"] * 3, ["甲", "乙\n丙", "乙\n丙"], ["甲", "丁", "戊\n庚"]]
    assert first.top[2, 0] == 1 and first.left[1, 2] == 1
    assert second.text.tolist() == [["第二表"], ["己"]] and any("GB18030" in n for n in notes)
    utf8 = tmp_path / "utf8.html"
    utf8.write_bytes(page.replace("gb2312", "utf-8").encode("utf-8"))
    assert load_grids(utf8)[0][0].text[1, 0] == "甲"


def _truncated_xlsx(path: Path) -> None:
    path.write_bytes(SOURCE.read_bytes()[:2000])


def _no_xlsx_inside(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "不是工作簿")


HOSTILE_CASES = [  # file, how to make it (None: committed), words the one sentence must hold
    ("form.pdf", None, ["PDF", "原始电子表格"]),
    ("encrypted.xlsx", None, ["打开密码", "取消"]),
    ("encrypted.xls", None, ["打开密码", "取消"]),
    ("encrypted_xor.xls", None, ["打开密码", "取消"]),
    ("form.doc", None, [".doc", "另存为 .docx"]),
    ("empty.xlsx", lambda p: p.write_bytes(b""), ["0 字节"]),
    ("notes.xlsx", lambda p: p.write_text("这是一段说明文字。\n", encoding="utf-8"), ["纯文本", "无法打开"]),
    ("damaged.xlsx", _truncated_xlsx, ["损坏"]),
    ("archive.xlsx", _no_xlsx_inside, ["压缩包"]),
    ("binary.xls", lambda p: p.write_bytes(bytes(range(256)) * 4), ["无法识别的文件内容"]),
]


@pytest.mark.parametrize("name,make,words", HOSTILE_CASES, ids=[c[0] for c in HOSTILE_CASES])
def test_unreadable_files_are_one_sentence_naming_the_file(tmp_path, name, make, words):
    path = HOSTILE / name if make is None else tmp_path / name
    if make is not None:
        make(path)
    with pytest.raises(InputError) as info:
        read_self_evaluation(path)
    message = str(info.value)
    assert f"文件 {name}" in message and all(w in message for w in words), message
    assert "Traceback" not in message and "\n" not in message


def _score(path: Path) -> dict:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["score", "--json", str(path)]) == 0
    (project,) = json.loads(out.getvalue())["projects"]
    return project


def test_score_gives_the_same_totals_from_every_container():
    base = _score(SOURCE)
    assert base["total"] == pytest.approx(99.85)
    for name in ("SZ2021-001.docx", "SZ2021-001.html", "SZ2021-001.xls"):
        got = _score(CONTAINERS / name)
        for key in ("project_id", "exec_rate", "exec_score", "rows_score", "total", "grade", "published_total"):
            assert got[key] == base[key], (name, key)
        assert [r["score"] for r in got["rows"]] == [r["score"] for r in base["rows"]]


def _maker():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_containers", CONTAINERS / "make_containers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LAYOUTS = ["mof_clean.xlsx", "yunnan_split.xlsx", "provincial_exec20.xlsx", "yuan_thousands.xlsx",
           "zero_total_row.xlsx", "multi_sheet.xlsx", "hazards.xlsx", "score_columns.xlsx"]


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_form_layout_reads_the_same_from_word_and_html(tmp_path, name):
    """Each fixture layout (two heading rows, 元 with separators, merged group scores, dates …) as a
    Word table and an HTML table (text as Excel shows it) gives the workbook's rows and money."""
    from perfeval.io._grid import load_xlsx_grids

    make = _maker()
    source = ROOT / "tests" / "data" / "forms" / name
    by_sheet = {f.source_sheet: f for f in read_self_evaluation(source)}
    for i, grid in enumerate(g for g in load_xlsx_grids(source) if g.sheet in by_sheet):
        original = by_sheet[grid.sheet]
        page, word = tmp_path / f"{i}.html", tmp_path / f"{i}.docx"
        page.write_text(make.html_page(grid, None), encoding="utf-8")
        make.write_docx(grid, word)
        for path in (page, word):
            (form,) = read_self_evaluation(path)
            assert (form.project_name, form.published_total, form.published_grade) == (
                original.project_name, original.published_total, original.published_grade), path.name
            pd.testing.assert_frame_equal(form.rows, original.rows)
            pd.testing.assert_frame_equal(form.money, original.money, rtol=1e-12)
