"""Public disclosure (绩效信息公开): ``perfeval disclose`` on the sample city, the whitelist, escaping,
reproducibility and bad input.

The sample-city figures checked here come from the story the generator wrote (``story.json``:
23 key evaluations, 10 优 + 13 良) and from the data files read independently (``targets.csv`` rows,
``projects.csv`` amounts), not from the code under test.
"""
from __future__ import annotations

import html
import io
import json
import re
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from perfeval.cli import main
from perfeval.disclose import PUBLIC_FIELDS, TABLES, DisclosureRules, disclose, public_frame, write_disclosure
from perfeval.disclose.render import escape_text, table_page, workbook_bytes
from perfeval.disclose.tables import display_frame
from perfeval.report.lint import lint_folder

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
FILES = ["dept-overall.html", "dept-overall.xlsx", "index.html", "key-evaluation.html", "key-evaluation.xlsx", "self-evaluation.html", "self-evaluation.xlsx",
         "targets.html", "targets.xlsx"]
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "p", "a", "h1", "h2", "table", "thead",
                "tbody", "tr", "th", "td", "ul", "li", "br"}
SMALL_FILES = [f for f in FILES if not f.startswith("dept-")]  # a city without department data: three tables
OWN_LINKS = {"index.html"} | {f for f in FILES if f != "index.html"}


class _Parsed(HTMLParser):
    """Tags, attributes and visible text of a page, as a browser sees them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text, self.cells, self._skip, self._cell = set(), [], [], [], 0, None

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]
        if tag in ("style", "title"):
            self._skip += 1
        if tag == "td":
            self._cell = ""
        if tag == "br" and self._cell is not None:
            self._cell += "\n"

    def handle_endtag(self, tag):
        if tag in ("style", "title"):
            self._skip -= 1
        if tag == "td" and self._cell is not None:
            self.cells.append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)
            if self._cell is not None:
                self._cell += data


def parse(page: str) -> _Parsed:
    p = _Parsed()
    p.feed(page)
    return p


def assert_inert(page: str) -> _Parsed:
    """No tag, attribute or link the page itself did not put there."""
    p = parse(page)
    assert p.tags <= ALLOWED_TAGS, p.tags - ALLOWED_TAGS
    for tag, name, value in p.attrs:
        assert not name.startswith("on"), (tag, name)
        assert name in ("lang", "charset", "name", "content", "href", "class", "rowspan"), (tag, name)
        if name == "href":
            assert value in OWN_LINKS, value
    return p


def run(argv) -> int:
    return main(["disclose", *argv])


# ------------------------------------------------------------------------- the sample city


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("disclose") / "public"
    code = main(["disclose", "--data", str(SAMPLE), "--out", str(out), "--no-goals"])
    assert code == 0
    return out


def test_the_sample_city_is_published_in_three_tables_and_passes_the_publication_lint(sample_out):
    assert sorted(p.name for p in sample_out.iterdir()) == FILES
    result = lint_folder(sample_out)
    assert result.ok, result.summary()
    assert result.files == 5  # index and four tables (the sample city evaluates its departments)
    story = json.loads((SAMPLE / "story.json").read_text(encoding="utf-8"))
    targets = pd.read_csv(SAMPLE / "targets.csv", dtype=str)
    projects = pd.read_csv(SAMPLE / "projects.csv", dtype={"project_id": str})

    t = load_workbook(sample_out / "targets.xlsx")["项目支出绩效目标公开表"]
    assert t.max_row - 2 == len(targets)  # title and header rows, then one row per declared target
    assert [c.value for c in t[2]] == ["序号", "主管部门", "项目名称", "年初预算（万元）", "一级指标", "二级指标", "三级指标", "指标值"]

    key = load_workbook(sample_out / "key-evaluation.xlsx").worksheets[0]
    grades = [r[6] for r in key.iter_rows(min_row=3, values_only=True)]
    intended = story["key_evaluation"]["grades_intended"]
    assert len(grades) == 23
    assert {g: grades.count(g) for g in set(grades)} == {g: len(ids) for g, ids in intended.items() if ids}
    money = sum(r[4] for r in key.iter_rows(min_row=3, values_only=True))
    key_ids = projects[projects["key_evaluation"].astype(str).str.lower() == "true"]
    assert money == pytest.approx(key_ids["budget_full_year"].sum() / 1e4, abs=0.01)
    assert money == pytest.approx(story["key_evaluation"]["budget_full_year_yuan"] / 1e4, abs=0.01)  # 20.33 亿元

    own = load_workbook(sample_out / "self-evaluation.xlsx").worksheets[0]
    rates = [r[5] for r in own.iter_rows(min_row=3, values_only=True)]
    assert len(rates) == 187 and min(rates) >= 0.95  # every project ≥ 95 % (the story)
    assert own.cell(3, 6).number_format == "0.00%" and own.cell(3, 4).number_format == "#,##0.00"

    page = (sample_out / "self-evaluation.html").read_text(encoding="utf-8")
    p = assert_inert(page)
    body = "".join(p.text)
    assert "城区幼儿园维修改造项目" in body and "未说明偏差原因" in body  # SZ2021-013's planted blank reason
    assert "187 个项目开展绩效自评" in body
    money_cells = [c for c in p.cells if re.fullmatch(r"[\d,]+\.\d+", c)]
    assert money_cells and all(re.fullmatch(r"\d{1,3}(,\d{3})*\.\d{2}", c) for c in money_cells)


def test_nothing_internal_reaches_the_sample_city_pages_or_workbooks(sample_out):
    """Project ids, file names, reader notes, experts and review codes stay inside."""
    internal = ["SZ2021-0", ".xlsx\"", "专家1", "专家2", "合并单元格", "MISSING_REASON", "AWARD_DEVIATES", "source_",
                "reader_notes", "panel", "kendall"]
    for name in FILES:
        text = (sample_out / name).read_text(encoding="utf-8") if name.endswith(".html") else _xlsx_text(
            sample_out / name)
        for word in internal:
            if name == "index.html" and word == ".xlsx\"":
                continue  # the index links its own workbooks
            assert word not in text, (name, word)


def _xlsx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


def test_same_inputs_give_byte_identical_files_and_no_leftovers(sample_out, tmp_path):
    again = tmp_path / "again"
    write_disclosure(disclose(SAMPLE, rules=DisclosureRules(goals=False)), again)
    for name in FILES:
        assert (again / name).read_bytes() == (sample_out / name).read_bytes(), name
    assert not [p for p in again.iterdir() if p.name.startswith(".")]


# ------------------------------------------------------------------------- a small city of our own


def small_city(root: Path, ids=("SZ2021-001", "SZ2021-002", "SZ2021-013", "SZ2021-030"), key=True,
               self_eval=True, edit=None) -> Path:
    """A data folder with a few sample projects (and their key evaluations), optionally edited."""
    data = root / "city"
    data.mkdir(parents=True)
    frames = {"projects.csv": None, "targets.csv": None}
    if self_eval:
        frames.update({"self_evaluation/rows.csv": None, "self_evaluation/budget.csv": None})
    if key:
        frames.update({f"key_evaluation/{n}": None for n in ("indicators.csv", "panel_scores.csv", "panel_comments.csv")})
    for name in frames:
        f = pd.read_csv(SAMPLE / name, dtype=str, keep_default_na=False)
        frames[name] = f[f["project_id"].isin(ids)].reset_index(drop=True)
    if edit:
        edit(frames)
    for name, f in frames.items():
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        f.to_csv(data / name, index=False, encoding="utf-8")
    return data


SECRET = "机密勿公开"


def test_extra_columns_in_the_data_never_reach_the_output(tmp_path):
    """Columns nobody listed as public (notes, reviewers, experts) are dropped, whatever they are called."""
    def edit(frames):
        for name, f in frames.items():
            f[f"内部备注{len(name)}"] = SECRET + " 审核人张三"
            f["expert_name"] = SECRET + "专家甲"
            f["goal_note"] = SECRET
    data = small_city(tmp_path, edit=edit)
    out = tmp_path / "out"
    assert run(["--data", str(data), "--out", str(out)]) == 0
    assert not (out / "dept-overall.html").exists()  # no department data: no department table
    for name in SMALL_FILES:
        text = (out / name).read_text(encoding="utf-8") if name.endswith(".html") else _xlsx_text(out / name)
        for word in (SECRET, "审核人", "专家甲", "内部备注", "expert_name", "goal_note"):
            assert word not in text, (name, word)


_KNOWN = {c for t in TABLES for c in ("project_id", *[f.source for f in t.fields])}
_names = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=st.dictionaries(_names.filter(lambda n: n not in _KNOWN), st.text(max_size=20), min_size=1, max_size=4),
       spec=st.sampled_from(TABLES))
def test_whitelist_property_no_non_whitelisted_column_or_value_reaches_a_page_or_workbook(extra, spec):
    """For any extra columns (any name, any value marked with a sentinel) added to the internal frame,
    the public frame has exactly the whitelisted headers and the page and workbook contain neither
    the sentinel values nor anything from them."""
    n = 3
    source = pd.DataFrame({"project_id": ["A", "A", "B"][:n]})
    for f in spec.fields:
        source[f.source] = [1234567.0, 1234567.0, 89.0] if f.kind == "money" else (
            [95.5, 95.5, 80.0] if f.kind == "score" else [0.98, 0.98, 1.0] if f.kind == "rate" else ["甲", "甲", "乙"])
    for i, (name, value) in enumerate(extra.items()):
        source[name] = f"⟦{i}泄露⟧{value}"
    public = public_frame(source, spec)
    assert list(public.columns) == ["序号", *spec.headers]
    from perfeval.disclose import PublicTable

    table = PublicTable(spec, "标题", public, display_frame(public, spec), "说明。", ("注。",))
    page = table_page(table)
    sheet = _xlsx_bytes_text(workbook_bytes(table))
    assert "泄露" not in page and "泄露" not in sheet
    assert "⟦" not in html.unescape(page) and "⟦" not in sheet


def _xlsx_bytes_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


def test_the_whitelist_is_a_named_constant_with_chinese_headers():
    assert set(PUBLIC_FIELDS) == {"targets", "self", "key", "dept"}
    for fields in PUBLIC_FIELDS.values():
        for f in fields:
            assert re.search(r"[\u4e00-\u9fff]", f.header) and not re.search(r"[A-Za-z_]", f.header)
    banned = {"expert", "flags", "reader_notes", "source_file", "source_sheet", "source_row", "money_problem", "code"}
    assert not banned & {f.source for fields in PUBLIC_FIELDS.values() for f in fields}
    assert {f.source for f in PUBLIC_FIELDS["dept"]} == {"department", "score", "grade", "reasons"}  # no unit code


# ------------------------------------------------------------------------- escaping

HOSTILE = ["<script>alert(1)</script>", "<a href=javascript:alert(2)>点我</a>", "[x](http://evil.example)",
           '=HYPERLINK("http://evil.example","点此")', "研发 & 推广 \"引号\" '单引号'", "**粗体** `代码` $x$",
           "<img src=x onerror=alert(3)>"]


def hostile_edit(frames):
    p = frames["projects.csv"]
    p["project_name"] = [HOSTILE[i % len(HOSTILE)] + f"项目{i}" for i in range(len(p))]
    p["department"] = HOSTILE[1]
    t = frames["targets.csv"]
    t.loc[t.index[:len(HOSTILE)], "level3"] = HOSTILE[:len(t)]
    t.loc[t.index[len(HOSTILE):2 * len(HOSTILE)], "target"] = HOSTILE[:max(0, len(t) - len(HOSTILE))]
    r = frames["self_evaluation/rows.csv"]
    lost = pd.to_numeric(r["score"], errors="coerce") < pd.to_numeric(r["points"], errors="coerce")
    r.loc[lost, "reason"] = HOSTILE[3] + HOSTILE[2] + HOSTILE[0]
    c = frames["key_evaluation/panel_comments.csv"]
    c["comment"] = [HOSTILE[i % len(HOSTILE)] for i in range(len(c))]


def test_markup_links_and_formulas_in_the_data_show_as_text_and_are_never_live(tmp_path):
    data = small_city(tmp_path, edit=hostile_edit)
    out = tmp_path / "out"
    assert run(["--data", str(data), "--out", str(out)]) == 0
    shown = ""
    for name in (f for f in SMALL_FILES if f.endswith(".html")):
        page = (out / name).read_text(encoding="utf-8")
        shown += "".join(assert_inert(page).text)
        assert "](http" not in page and "[x]" not in page and "<script" not in page.lower()
    for text in HOSTILE:
        assert text in shown, text  # shown exactly as typed
    for name in (f for f in SMALL_FILES if f.endswith(".xlsx")):
        assert "<f>" not in _xlsx_text(out / name)  # no formula anywhere
        wb = load_workbook(out / name)
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        formulas = [c for c in cells if c.value.startswith("=")]
        assert all(c.data_type == "s" for c in cells)
        if name == "targets.xlsx":  # a three-level indicator and a target typed as a formula: kept as text
            assert sum(c.value == HOSTILE[3] for c in formulas) >= 2
        if name == "self-evaluation.xlsx":
            assert any(HOSTILE[3] + HOSTILE[2] in c.value for c in cells)
    lint = lint_folder(out)
    assert lint.ok, lint.summary()


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_escaped_text_reads_back_as_typed_and_carries_no_markup(text):
    escaped = escape_text(pd.Series([text])).iloc[0]
    assert not set(escaped.replace("<br>", "")) & set("<>\"'[]()`*_$|\\")
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    assert html.unescape(escaped.replace("<br>", "\n")) == expected


# ------------------------------------------------------------------------- empty tables and bad input


def test_a_city_without_evaluations_gets_sentences_not_empty_tables(tmp_path, capsys):
    data = small_city(tmp_path, key=False, self_eval=False)
    out = tmp_path / "out"
    (out).mkdir()
    (out / "key-evaluation.xlsx").write_bytes(b"stale")  # from an earlier run: removed
    assert run(["--data", str(data), "--out", str(out), "--year", "2021"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "key-evaluation.html", "self-evaluation.html",
                                                    "targets.html", "targets.xlsx"]
    key = (out / "key-evaluation.html").read_text(encoding="utf-8")
    assert "<table" not in key and "本年度未开展重点绩效评价" in key
    assert "2021年度" in key
    assert lint_folder(out).ok
    assert "无数据" in capsys.readouterr().out


def _bad_budget(frames):
    frames["projects.csv"].loc[1, "budget_initial"] = "约一千万"


def _unknown_target(frames):
    t = frames["targets.csv"]
    t.loc[2, "project_id"] = "SZ2099-999"


@pytest.mark.parametrize("edit, words", [
    (_bad_budget, ["projects.csv", "第 3 行", "budget_initial", "约一千万"]),
    (_unknown_target, ["targets.csv", "第 4 行", "project_id", "SZ2099-999"]),
])
def test_bad_input_is_one_clear_error_naming_file_row_and_column(tmp_path, capsys, edit, words):
    data = small_city(tmp_path, key=False, edit=edit)
    assert run(["--data", str(data), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for w in words:
        assert w in err, (w, err)
    assert not (tmp_path / "out" / "index.html").exists()


def test_out_that_is_a_file_and_a_missing_data_folder_are_clear_errors(tmp_path, capsys):
    data = small_city(tmp_path, key=False)
    (tmp_path / "file").write_text("x")
    assert run(["--data", str(data), "--out", str(tmp_path / "file")]) == 1
    assert "--out 应为文件夹" in capsys.readouterr().err
    assert run(["--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")]) == 1
    assert "找不到数据文件夹" in capsys.readouterr().err


def test_declared_goals_are_read_from_the_declaration_forms(tmp_path):
    data = small_city(tmp_path, ids=("SZ2021-001", "SZ2021-013"), key=False, self_eval=False)
    (data / "declarations").mkdir()
    for pid in ("SZ2021-001", "SZ2021-013"):
        shutil.copy(SAMPLE / "declarations" / f"{pid}.xlsx", data / "declarations")
    result = disclose(data)
    targets = result.table("targets").public
    assert "年度总体目标" in targets.columns and (targets["年度总体目标"] != "").all()
    assert result.year == 2021
    assert "年度总体目标" not in disclose(data, rules=DisclosureRules(goals=False)).table("targets").public.columns


def test_the_fast_workbook_writer_gives_the_cells_openpyxl_would_write(sample_out):
    """Rows written as XML for the whole frame load back exactly as the rows openpyxl writes itself:
    value, type (text stays text), number format and style of every cell."""
    from perfeval.disclose.render import workbook_bytes

    result = disclose(SAMPLE, rules=DisclosureRules(goals=False))
    for table in result.tables:
        fast, slow = (load_workbook(io.BytesIO(workbook_bytes(table, fast=f))) for f in (True, False))
        for a, b in zip(fast.worksheets, slow.worksheets):
            cells = [[(c.value, c.data_type, c.number_format, c.style_id) for c in row] for row in a.iter_rows()]
            assert cells == [[(c.value, c.data_type, c.number_format, c.style_id) for c in row] for row in b.iter_rows()]
            assert a.dimensions == b.dimensions and a.freeze_panes == b.freeze_panes
        assert (SAMPLE.parent / "sample").is_dir()
    assert (sample_out / "targets.xlsx").read_bytes() == workbook_bytes(result.table("targets"))
