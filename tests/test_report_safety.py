"""Hostile and clumsy input on the sample city: no markup or path gets through, no crash, clear errors.

One batch (real notebooks, two workers) on a copy of the sample city whose projects.csv carries
Markdown links with ``javascript:``/``data:`` URLs, raw HTML, mathtext and a blank name, plus a
project id that is a path, a form of another project and a form that links out of the data folder.
Every report page and the index are parsed: no live link, script or event handler may appear,
and every hostile name must show exactly as typed.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from perfeval.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
HOSTILE = {
    "SZ2021-001": {"project_name": "[点此](javascript:alert(3))", "department": "<img src=x onerror=alert(1)>"},
    "SZ2021-006": {"project_name": "<script>alert(1)</script>[数据](data:text/html;base64,PHNjcmlwdD4=)",
                   "department": "javascript:alert(4)"},
    "SZ2021-007": {"project_name": '$\\frac{a$ **粗体** <a href="javascript:alert(5)">链接</a>'},
    "SZ2021-008": {"project_name": ""},
}
PATH_ID = "../../etc/passwd"
PROJECTS = ["SZ2021-001", "SZ2021-006", "SZ2021-007", "SZ2021-008", "SZ2021-009", "SZ2021-011", PATH_ID]


def _hostile_city(root: Path) -> Path:
    data = root / "city"
    shutil.copytree(SAMPLE, data)
    rows = list(csv.DictReader(io.StringIO((data / "projects.csv").read_text(encoding="utf-8-sig"))))
    for row in rows:
        row.update(HOSTILE.get(row["project_id"], {}))
    rows.append({**rows[10], "project_id": PATH_ID, "project_name": "路径穿越"})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (data / "projects.csv").write_text(out.getvalue(), encoding="utf-8")
    # SZ2021-009's form is another project's; SZ2021-011's is a symlink out of the data folder.
    shutil.copyfile(data / "forms" / "SZ2021-010.xlsx", data / "forms" / "SZ2021-009.xlsx")
    (root / "outside").mkdir()
    shutil.move(data / "forms" / "SZ2021-011.xlsx", root / "outside" / "SZ2021-011.xlsx")
    (data / "forms" / "SZ2021-011.xlsx").symlink_to(root / "outside" / "SZ2021-011.xlsx")
    return data


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    data = _hostile_city(root)
    code = main(["batch", "--data", str(data), "--out", str(root / "out"), "--projects", ",".join(PROJECTS),
                 "--jobs", "2"])
    manifest = json.loads((root / "out" / "manifest.json").read_text(encoding="utf-8"))
    return code, root / "out", {p["task_id"]: p for p in manifest["projects"]}


class _Page(HTMLParser):
    """Collects what a browser would act on (tags, links, handlers) and the visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self.text, self.images = [], [], 0

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>")
            if name in ("href", "src", "action", "formaction") and value.startswith(("javascript:", "vbscript:")):
                self.problems.append(f"<{tag} {name}={value}>")
            if name in ("href", "src") and value.startswith("data:") and not value.startswith("data:image/png"):
                self.problems.append(f"<{tag} {name}={value[:30]}>")
        if tag in ("script", "iframe", "object", "embed"):
            self.problems.append(f"<{tag}>")
        self.images += tag == "img"

    def handle_data(self, data):
        self.text.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_no_markup_gets_through_any_report_or_the_index(batch):
    _, out, _ = batch
    pages = sorted((out / "reports").glob("*.html")) + [out / "index.html"]
    assert len(pages) == 17  # 7 self, 1 key, 2 target reviews (001, 006), portfolio, target summary, priority,
    #                          the June and October monitoring dashboards, the annual report, index
    for path in pages:
        assert _parse(path).problems == [], path.name


def test_hostile_names_show_exactly_as_typed_and_charts_draw_them(batch):
    code, out, by = batch
    for pid, fields in HOSTILE.items():
        if not fields["project_name"]:
            continue
        entry = by[f"self:{pid}"]
        assert entry["status"] == "ok", entry["error"]
        page = _parse(out / entry["outputs"]["html"]["path"])
        text = "".join(page.text)
        assert fields["project_name"] in text
        assert page.images >= 1  # the chart titled with the name was drawn (mathtext off)
        assert entry["project_name"] == fields["project_name"]
    index = "".join(_parse(out / "index.html").text)
    assert all(f["project_name"] in index for f in HOSTILE.values() if f["project_name"])
    key = by["key:SZ2021-001"]
    assert key["status"] == "ok" and HOSTILE["SZ2021-001"]["project_name"] in "".join(
        _parse(out / key["outputs"]["html"]["path"]).text)
    assert by["portfolio"]["status"] == "ok", by["portfolio"]["error"]
    portfolio = "".join(_parse(out / by["portfolio"]["outputs"]["html"]["path"]).text)
    assert HOSTILE["SZ2021-006"]["project_name"] in portfolio or HOSTILE["SZ2021-001"]["project_name"] in portfolio


def test_a_blank_project_name_falls_back_to_the_forms_name(batch):
    _, out, by = batch
    entry = by["self:SZ2021-008"]
    assert entry["status"] == "ok", entry["error"]
    assert entry["project_name"] == "学前教育幼儿资助资金"
    text = "".join(_parse(out / entry["outputs"]["html"]["path"]).text)
    assert "学前教育幼儿资助资金" in text and "nan" not in text.lower().split()


@pytest.mark.parametrize("task_id, words", [
    ("self:SZ2021-009", ["项目编码与项目清单不符", "SZ2021-009.xlsx", "SZ2021-010", "列 项目编码"]),
    ("self:SZ2021-011", ["数据目录之外", "SZ2021-011.xlsx", "outside"]),
    (f"self:{PATH_ID}", ["不能是路径", "projects.csv", "列 project_id", PATH_ID]),
])
def test_bad_projects_fail_alone_with_a_clear_message(batch, task_id, words):
    code, out, by = batch
    assert code == 1
    entry = by[task_id]
    assert entry["status"] == "failed" and entry["error"]["ename"] == "InputError"
    message = entry["error"]["message"]
    assert all(w in message for w in words), message
    assert "IndexError" not in message and "Traceback" not in message
    page = (out / entry["outputs"]["html"]["path"]).resolve()
    assert page.is_relative_to(out.resolve())
    text = page.read_text(encoding="utf-8")
    assert "本报告未能完整生成" in text and "root:x:0:0" not in text
    assert "Traceback" not in text and "File " not in text and "InputError: " in text  # the message, no traceback
