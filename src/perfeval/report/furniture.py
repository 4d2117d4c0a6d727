"""The furniture of a report a bureau signs: cover, contents, responsibility statement, issuer and date block,
and the technical appendix kept out of the reader's page.

`Cover.for_task` takes the evaluating organisation and the report date the folder's ``city.yaml`` gives
(`perfeval.settings`, read by the command into ``Task.furniture``): the issuer, else the bureau; a folder that names neither leaves a blank line to be
filled in by hand (never an invented name), and likewise the date (never today's: the same inputs give the same
bytes). The report number is stable: the kind, the year and the project's code.

`split_technical` takes every ``<section class="perfeval-technical">`` out of a report's body (input file names,
sizes and SHA-256, made by `perfeval.display.technical_html`): the reader's page keeps a sentence pointing to the
technical appendix file, which holds them. `contents` numbers the body's headings for a table of contents.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

BLANK_ISSUER = "＿＿＿＿＿＿＿＿（出具单位盖章）"
BLANK_DATE = "　　　　年　　月　　日"
KIND_CODES = {"self": "绩自评", "key": "绩评", "portfolio": "绩综", "exante": "事前评", "targets": "目标审",
              "targets-summary": "目标审", "priority": "排序", "monitor": "绩监", "annual": "绩报", "dept": "部评",
              "dept-summary": "部评"}
TECHNICAL_RE = re.compile(r'<section class="perfeval-technical"[^>]*>.*?</section>', re.S)
HEADING_RE = re.compile(r"<h([12])(\s[^>]*)?>(.*?)</h\1>", re.S)
TAG_RE = re.compile(r"<[^>]+>")
RESPONSIBILITY = ("本报告依据被评价单位提供的资料和评价工作中取得的数据形成。被评价单位对所提供资料的真实性、完整性和"
                  "准确性负责；评价组织单位对依据上述资料作出的评价结论负责。本报告仅供预算管理和绩效管理使用，"
                  "未经出具单位同意，不得用于其他用途。")


@dataclass(frozen=True)
class Cover:
    """What the cover and the closing block of one report say."""

    title: str
    kind_label: str
    subject: str | None = None      # the evaluated project (name and code), None for a city-wide report
    issuer: str | None = None       # the evaluating organisation (city.yaml: issuer, else bureau)
    date_text: str | None = None    # the report date in Chinese (city.yaml: report_date)
    number: str | None = None       # 报告编号, stable: kind, year, project code

    @classmethod
    def for_task(cls, task) -> "Cover":
        """The cover of a task's report; ``task.furniture`` holds what the folder's settings say (issuer, date_text,
        year — set by the command that builds the tasks: this room reads no settings)."""
        from .task import KIND_LABELS

        s = dict(task.furniture)
        as_of = re.fullmatch(r"(\d{4})-(\d{1,2})", str(task.parameters.get("as_of", "")))
        if task.kind == "monitor" and as_of:  # a dashboard is dated at its month end, not at the year's report date
            import calendar

            y, m = int(as_of.group(1)), int(as_of.group(2))
            s["date_text"], s["year"] = f"{y}年{m}月{calendar.monthrange(y, m)[1]}日", y
        year = s.get("year")
        code = KIND_CODES.get(task.kind, "绩")
        serial = task.project_id or (task.task_id.split(":", 1)[1] if ":" in task.task_id else "1")
        number = f"{code}〔{year or '　　'}〕{serial}号"
        subject = f"{task.name}（{task.project_id}）" if task.name and task.project_id else task.project_id
        if task.project_id and task.name:  # a project's report: its name and the kind
            title = f"{task.name}{KIND_LABELS.get(task.kind, '')}报告"
        else:  # a city-wide report: the city and its own title (示例市绩效运行监控情况（2021年6月底）)
            own = task.title or task.name or task.display_title
            city = s.get("city") or ""
            this_year = task.kind in ("annual", "portfolio")  # priority and target reviews are next year's
            budget_year = f"{s['budget_year']}年度" if this_year and s.get("budget_year") and "年" not in own else ""
            title = own if own.startswith(city) else f"{city}{budget_year}{own.removeprefix('全市')}"
        return cls(title=title,
                   kind_label=KIND_LABELS.get(task.kind, task.kind), subject=subject,
                   issuer=s.get("issuer"), date_text=s.get("date_text"), number=number)


def split_technical(body: str) -> tuple[str, str]:
    """(the reader's body without technical sections, the technical sections' HTML joined)."""
    found = TECHNICAL_RE.findall(body)
    return TECHNICAL_RE.sub("", body), "\n".join(found)


def contents(body: str) -> tuple[str, list]:
    """(body with an id on every h1/h2, [(level, id, text)]) — the headings a table of contents lists."""
    entries: list = []

    def anchor(m: re.Match) -> str:
        level, attrs, inner = m.group(1), m.group(2) or "", m.group(3)
        text = html.unescape(TAG_RE.sub("", inner)).replace("¶", "").strip()
        found = re.search(r'\sid="([^"]+)"', attrs)
        ident = found.group(1) if found else f"sec-{len(entries) + 1}"
        entries.append((int(level), ident, text))
        return m.group(0) if found else f'<h{level} id="{ident}"{attrs}>{inner}</h{level}>'

    body = HEADING_RE.sub(anchor, body)  # a few dozen headings
    if sum(e[0] == 1 for e in entries) == 1:  # the one h1 is the report's own title, not a chapter
        entries = [e for e in entries if e[0] != 1]
    return body, [e for e in entries if e[2]]


__all__ = ["BLANK_DATE", "BLANK_ISSUER", "Cover", "RESPONSIBILITY", "contents", "split_technical"]
