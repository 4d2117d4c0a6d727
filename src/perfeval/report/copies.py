"""No report a copy of another: sentences shared by too many reports of one kind, or repeated in one report.

A report a bureau signs says what it found about *its* project; a sentence of 20 or more characters
that more than a set share of the reports of one kind carry word for word (``COPY_SHARE``, default
30 %) is boilerplate standing in for a finding, and a sentence said twice in one report (in two of its
sections) is one said once too often. Standard phrases — the wording of the outline and the legal
formulas every report must carry — are listed in :data:`STANDARD_PHRASES` and never flagged.
Appendices (附表/附录), table cells and the furniture (cover, closing block with the responsibility statement) are
not read: a table repeats what the text says, and every report carries the same furniture, by design.
A report's kind is the part of its file name before the first “-” (``self``, ``key``, ``exante`` …).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from html.parser import HTMLParser

MIN_CHARS = 20  # a sentence shorter than this is a phrase, not a copy
COPY_SHARE = 0.30  # more than this share of the reports of one kind sharing a sentence is a copy
MIN_REPORTS = 4  # a kind with fewer reports is not compared (three reports sharing a sentence prove little)
# sentences every report of a kind may carry: the outline's wording and legal or procedural formulas
STANDARD_PHRASES = (
    "本报告的评价数据来自单位填报的自评表和有关资料，评价结论以资料真实、完整为前提",
    "本报告的评价数据来自被评价单位提供的资料和评价组核查，评价结论以资料真实、完整为前提",
    "复核内容包括分值与总分、评价等级、预算执行率与金额、偏差原因说明和目标设置的合理性",
    "复核发现的问题列入本报告“存在的问题”",
    "评价工作包括资料核查、数据分析和专家评议，评价组意见列入本报告“存在的问题”",
    "逐项解析年度指标值与实际完成值，按评分规则计算参考得分，保留单位自评得分",
    "自评得分高于评分规则允许的最高分时，按复核后得分计",
    "依据为项目实施单位填报的《项目支出绩效自评表》",
    "预算申报时设定的年度绩效指标如下",
    "受财政部门委托",
    "名专家组成的评价组独立评分",
    "评估思路和方法：采用专家评审法",
    "每个要点按优、良、中、差评定",
    "评估程序：审核项目申报书",
    "本评估依据项目单位提供的申报材料和座谈情况作出",
)
FURNITURE = {"perfeval-cover", "perfeval-closing", "perfeval-technical", "perfeval-technical-note"}  # sections every report carries by design
FIGURE_TEMPLATE_CHARS = 24  # a sentence of figures whose words without them are shorter than this is data, not a copy
_SPLIT = re.compile(r"[。！？；\n]+")  # clauses joined by ； count: a clause said twice is a copy too
_BLOCKS = {"p", "li", "div", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "ul", "ol", "section", "header",
           "footer", "figcaption", "caption", "dd", "dt", "blockquote"}


def _norm(sentence: str) -> str:
    return re.sub(r"\s+", "", sentence).strip("，、：:（）() ")


class _Sentences(HTMLParser):
    """The body sentences of a page by section (h1/h2), leaving out tables, appendices and scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.section, self.heading, self.skip, self.table = "", None, 0, 0
        self.furniture: list[bool] = []  # one entry per open <section>: inside the cover or the closing block?
        self.parts: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "head", "nav"):
            self.skip += 1
        elif tag == "table":
            self.table += 1
        elif tag == "section":  # the cover, the closing block and the technical appendix are furniture, not text
            classes = (dict(attrs).get("class") or "").split()
            self.furniture.append(bool(self.furniture and self.furniture[-1]) or bool(FURNITURE & set(classes)))
        elif tag in ("h1", "h2"):
            self.heading = ""
        if tag in _BLOCKS:
            self.parts.append((self.section, "\n"))

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head", "nav"):
            self.skip = max(0, self.skip - 1)
        elif tag == "table":
            self.table = max(0, self.table - 1)
        elif tag == "section" and self.furniture:
            self.furniture.pop()
        elif tag in ("h1", "h2") and self.heading is not None:
            self.section, self.heading = self.heading.strip(), None
        if tag in _BLOCKS:
            self.parts.append((self.section, "\n"))

    def handle_data(self, data):
        if self.skip or self.table or (self.furniture and self.furniture[-1]):
            return
        if self.heading is not None:
            self.heading += data
            return
        if not self.section.startswith(("附表", "附录")):
            self.parts.append((self.section, data))

    def sentences(self) -> list[tuple[str, str]]:
        """(section, sentence) of 20+ characters, standard phrases left out, in page order."""
        by_section: dict[str, list[str]] = defaultdict(list)
        for section, data in self.parts:
            by_section[section].append(data)
        out = []
        for section, chunks in by_section.items():
            for s in map(_norm, _SPLIT.split("".join(chunks))):
                if len(s) >= MIN_CHARS and not any(s in p or p in s for p in STANDARD_PHRASES):
                    out.append((section, s))
        return out


def page_sentences(html: str) -> list[tuple[str, str]]:
    """(section, sentence) of one page's body text, as the copy rules read it."""
    parser = _Sentences()
    parser.feed(html)
    return parser.sentences()


def _figures_only(sentence: str) -> bool:
    """True for a sentence that states figures ("产出指标分值50分，得分50.00分，得分率100.0%"): equal
    figures of two projects are not a copied text."""
    if not re.search(r"\d", sentence):
        return False
    words = re.sub(r"[\d.,%％]+|[，、：:（）()“”\s]", "", sentence)
    return len(words) < FIGURE_TEMPLATE_CHARS


def report_kind(name: str) -> str:
    """self-SZ2021-001.html → self; priority.html → priority."""
    return name.split("-", 1)[0].removesuffix(".html")


def copy_problems(pages: dict[str, str], share: float | None = None, min_reports: int = MIN_REPORTS) -> list:
    """Problems (see :class:`perfeval.report.lint.Problem`) for sentences copied across reports of one
    kind (more than ``share`` of them) and sentences repeated within one report across sections."""
    from .lint import Problem

    share = COPY_SHARE if share is None else share
    out = []
    per_page = {name: page_sentences(html) for name, html in sorted(pages.items())}
    kinds: dict[str, list[str]] = defaultdict(list)
    for name in per_page:
        kinds[report_kind(name)].append(name)
    for name, sentences in per_page.items():
        where: dict[str, list[str]] = defaultdict(list)
        for section, s in sentences:
            where[s].append(section)
        for s, sections in where.items():
            if len(sections) > 1 and len(set(sections)) > 1:
                out.append(Problem(name, sections[-1], "同一报告内句子重复",
                                   f"{s[:60]} · 见于 {'、'.join(dict.fromkeys(sections))}"))
            elif len(sections) > 2:
                out.append(Problem(name, sections[0], "同一报告内句子重复", f"{s[:60]} · 出现 {len(sections)} 次"))
    for kind, names in sorted(kinds.items()):
        if len(names) < min_reports:
            continue
        counts = Counter(s for n in names for s in {s for _, s in per_page[n]} if not _figures_only(s))
        limit = share * len(names)
        for s, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            if n > limit:
                first = next(x for x in names if any(t == s for _, t in per_page[x]))
                section = next(sec for sec, t in per_page[first] if t == s)
                out.append(Problem(f"{kind}-*.html", section, "多份报告使用相同句子",
                                   f"{n}/{len(names)} 份{kind}报告：{s[:60]}"))
    return out


__all__ = ["COPY_SHARE", "MIN_CHARS", "MIN_REPORTS", "STANDARD_PHRASES", "copy_problems", "page_sentences",
           "report_kind"]
