"""The publication lint: would a finance-bureau director forward this report without editing it?

``lint_html(text, name)`` reads a report page as a browser shows it (visible text, headings,
tables) and lists what is not fit to publish; ``lint_folder(dir)`` does it for every report of a
batch (``reports/*.html``) and the index. Rules (issue 8, real-reports.md §5–6):

- no code names: review codes (``AWARD_DEVIATES``), snake_case or ``_x``/``_y`` column names,
  scheme or system ids (``mof-2020``), ``nan``/``None``/``inf``, numbers in scientific notation;
- no "。。", no empty table, no "无" standing alone under 有关建议;
- one money unit per table (万元 or 亿元, never 元 and 万元 mixed), no raw 元 amounts in a table;
- a total within the scheme's maximum (100), SHA-256 fingerprints only in an appendix (附表/附录);
- no report a copy of another (:mod:`perfeval.report.copies`): no sentence shared by too many reports of
  one kind, none repeated within one report;
- the furniture of a real report on every page of a batch (``reports/*.html`` beside a manifest): a cover and
  the closing block (responsibility statement, issuer and date).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

MAX_TOTAL = 100.0
CODE_RE = re.compile(r"\b[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+\b")
SNAKE_RE = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w./-])")
SUFFIX_RE = re.compile(r"\w_[xy]\b")
SCI_RE = re.compile(r"\b\d+(?:\.\d+)?[eE][-+]?\d+\b")
HASH_RE = re.compile(r"\b[0-9a-f]{64}\b")
MISSING_RE = re.compile(r"(?<![A-Za-z])(?:nan|NaN|None|inf|Infinity|NaT)(?![A-Za-z])")
TOTAL_RE = re.compile(r"综合得分\s*([0-9.]+)\s*分")
RAW_YUAN_RE = re.compile(r"^\d{7,}(?:\.\d+)?$")
SCHEME_IDS = ("mof-2020-project", "mof-2020-self", "mof-2020", "exec-20", "exec-0", "int-scores", "sector-",
              "dept-overall", "target-review")


@dataclass(frozen=True)
class Problem:
    file: str
    section: str
    rule: str
    detail: str

    def __str__(self) -> str:
        where = f"“{self.section}”" if self.section else "页首"
        return f"{self.file} {where}：{self.rule}：{self.detail}"


class _Page(HTMLParser):
    """Visible text by section (h1/h2 headings) and the tables, as a reader sees the page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.section, self.skip, self.heading = "", 0, None
        self.texts: list[tuple[str, str]] = []
        self.tables: list[dict] = []
        self.cell = None

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "head"):
            self.skip += 1
        elif tag in ("h1", "h2"):
            self.heading = ""
        elif tag == "table":
            self.tables.append({"section": self.section, "head": [], "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self.cell = (tag, "")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head"):
            self.skip = max(0, self.skip - 1)
        elif tag in ("h1", "h2") and self.heading is not None:
            self.section, self.heading = self.heading.strip(), None
        elif tag in ("td", "th") and self.cell is not None and self.tables:
            kind, text = self.cell
            table = self.tables[-1]
            (table["head"] if kind == "th" else table["rows"][-1]).append(text.strip())
            self.cell = None

    def handle_data(self, data):
        if self.skip:
            return
        if self.heading is not None:  # a heading names its section; it is not part of the one before
            self.heading += data
            return
        if self.cell is not None:
            self.cell = (self.cell[0], self.cell[1] + data)
        if data.strip():
            self.texts.append((self.section, data))


AMOUNT_CELL_RE = re.compile(r"^\s*[-−]?[\d,]+(?:\.\d+)?\s*(亿元|万元|元)\s*$")


def _money_units(head: list[str], cells: list[str]) -> set[str]:
    """The money units a table states: in its headers ("全年预算（万元）") and in cells that are amounts
    ("6,177.00 万元"); a unit price ("≤1510元/亩") or a sentence quoting an amount is not a column of money."""
    joined = " ".join(head)
    units = set(re.findall(r"亿元|万元", joined))
    if re.search(r"(?<![万亿])元(?!/)", joined):
        units.add("元")
    units |= {m.group(1) for m in map(AMOUNT_CELL_RE.match, cells) if m}
    return units


def lint_html(text: str, name: str = "") -> list[Problem]:
    """Everything in one report page that is not fit to publish."""
    page = _Page()
    page.feed(text)
    out = []

    def add(section, rule, detail):
        out.append(Problem(name, section, rule, detail[:120]))

    for section, data in page.texts:
        appendix = section.startswith(("附表", "附录"))
        for rule, pattern in (("审核代码或英文标识", CODE_RE), ("英文列名或标识", SNAKE_RE), ("合并残留列名", SUFFIX_RE),
                              ("科学计数法数字", SCI_RE), ("缺失值字样", MISSING_RE)):
            m = pattern.search(data)
            if m:
                add(section, rule, m.group(0) + " · " + data.strip())
        if "。。" in data:
            add(section, "句末重复句号“。。”", data.strip())
        if not appendix and HASH_RE.search(data):
            add(section, "正文中出现 SHA-256 指纹（应放在附表）", data.strip())
        if not appendix:
            ids = [i for i in SCHEME_IDS if i in data]
            if ids:
                add(section, "正文中出现方案或指标体系代码", f"{ids[0]} · {data.strip()}")
        for value in TOTAL_RE.findall(data):
            if float(value) > MAX_TOTAL + 1e-9:
                add(section, "总分超过满分", f"{value} > {MAX_TOTAL:g}")
    by_section: dict[str, list[str]] = {}
    for section, data in page.texts:
        by_section.setdefault(section, []).append(data.strip())
    for section, texts in by_section.items():
        if "有关建议" in section or "改进建议" in section:
            body = "".join(t for t in texts if t != section)
            if body in ("", "无", "无。", "暂无", "暂无。"):
                add(section, "有关建议为“无”", body or "（空）")
    for table in page.tables:
        section, head, rows = table["section"], table["head"], [r for r in table["rows"] if r]
        if not rows:
            add(section, "空表格", "、".join(head) or "（无表头）")
            continue
        for h in head:
            if SNAKE_RE.search(h) or SUFFIX_RE.search(h) or CODE_RE.search(h):
                add(section, "英文列名", h)
        units = _money_units(head, [c for r in rows for c in r])
        if len(units) > 1:
            add(section, "同一表格混用金额单位", "、".join(sorted(units)) + " · " + "、".join(head))
        raw = [c for r in rows for c in r if RAW_YUAN_RE.match(c.replace(",", ""))]
        if raw and not any("编码" in h or "字节" in h for h in head):
            add(section, "表格中金额未换算（应以万元表示）", raw[0])
    return out


FURNITURE = (("perfeval-cover", "封面（标题、评价对象、出具单位、报告编号、日期）"),
             ("perfeval-closing", "责任声明与出具单位、日期"))


def furniture_problems(text: str, name: str = "") -> list[Problem]:
    """A report page of a batch without its cover or its closing block (responsibility statement, issuer)."""
    return [Problem(name, "报告结构", "缺少报告要件", f"没有{label}") for css, label in FURNITURE
            if f'class="{css}"' not in text]


@dataclass(frozen=True)
class LintResult:
    files: int
    problems: tuple

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            return f"出版检查通过：{self.files} 份报告未发现问题。"
        lines = [f"出版检查：{self.files} 份报告中发现 {len(self.problems)} 处问题 (publication lint failed)："]
        lines += [f"  - {p}" for p in self.problems[:200]]
        if len(self.problems) > 200:
            lines.append(f"  ……另有 {len(self.problems) - 200} 处")
        return "\n".join(lines)


def lint_folder(folder, copy_share: float | None = None) -> LintResult:
    """Lint every report of a batch output folder (``reports/*.html``) and its ``index.html``; sentences
    copied across more than ``copy_share`` of the reports of one kind (default
    :data:`perfeval.report.copies.COPY_SHARE`) or repeated within one report are problems too."""
    folder = Path(folder)
    pages = sorted((folder / "reports").glob("*.html")) if (folder / "reports").is_dir() else sorted(folder.glob("*.html"))
    if (folder / "index.html").is_file() and (folder / "index.html") not in pages:
        pages.append(folder / "index.html")
    from .copies import copy_problems

    problems, texts = [], {}
    batch = (folder / "manifest.json").is_file()  # a batch's report pages carry the furniture of a real report
    for page in pages:  # a few hundred pages
        texts[page.name] = page.read_text(encoding="utf-8")
        problems += lint_html(texts[page.name], page.name)
        if batch and page.parent.name == "reports":
            problems += furniture_problems(texts[page.name], page.name)
    problems += copy_problems({k: v for k, v in texts.items() if k != "index.html"}, share=copy_share)
    return LintResult(files=len(pages), problems=tuple(problems))
