"""The index page of an output folder: every report the ledger records, with total and grade.

Built from the whole ledger (`report.ledger`), not from one run, so it lists every report in the
folder whatever run made it; entries whose files were deleted or changed since are shown as such
("文件缺失", "文件已改动") without links to what is no longer there. Rendered with the Jinja2
template ``templates/index.html`` (autoescaped, the reports' stylesheet); a withheld grade shows
as "未定级", a city-wide report (portfolio, target-review summary, priority ranking) has no grade: "—".
"""
from __future__ import annotations

from urllib.parse import quote

from ..basis import SCORE_BASES
from .markup import grade_label
from .pages import render_page
from .task import KIND_LABELS, UNGRADED_KINDS

INDEX_NAME = "index.html"
INDEX_TITLE = "预算绩效评价报告索引"
PUBLIC_INDEX_NAME = "报告目录.html"   # the readers' list: made reports only, no status, no notebooks
PUBLIC_INDEX_TITLE = "预算绩效评价报告目录"
PUBLIC_LINKS = (("html", "网页版"), ("pdf", "PDF 版"))
STATUS_LABELS = {"ok": "成功", "failed": "失败", "missing": "文件缺失", "changed": "文件已改动"}
PROBLEM_LABELS = {"missing": "已删除", "changed": "与记录不符"}
LINKS = (("html", "报告"), ("pdf", "PDF"), ("ipynb", "笔记本"))


def format_total(value) -> str:
    """A total for display with two decimals, as in the reports ("99.20", "100.00"); "—" when there is none."""
    if isinstance(value, bool) or value is None:
        return "—"
    if isinstance(value, (int, float)):
        return "—" if value != value else f"{value:.2f}"
    return str(value)


def status_counts(entries: list[dict]) -> dict:
    counts = {"total": len(entries), **{status: 0 for status in STATUS_LABELS}}
    for entry in entries:
        if entry.get("status") in STATUS_LABELS:
            counts[entry["status"]] += 1
    return counts


def _message(entry: dict) -> str:
    problems = entry.get("file_problems") or {}
    if problems:
        files = "、".join(f"{fmt} {PROBLEM_LABELS.get(p, p)}" for fmt, p in sorted(problems.items()))
        last = STATUS_LABELS.get(entry.get("run_status"), entry.get("run_status"))
        return f"报告文件：{files}（上次运行：{last}）"
    error = entry.get("error") or {}
    if error:
        return error.get("message") or f"{error.get('ename')}: {error.get('evalue')}"
    return ""


def index_row(entry: dict) -> dict:
    """What the index shows for one ledger entry (plain strings; the template escapes them)."""
    problems = entry.get("file_problems") or {}
    outputs = entry.get("outputs") or {}
    succeeded = entry.get("run_status", entry.get("status")) == "ok"
    links = [{"href": quote(outputs[fmt]["path"]), "label": label} for fmt, label in LINKS
             if fmt in outputs and problems.get(fmt) != "missing"]
    return {"project_id": entry.get("project_id") or "—", "name": entry.get("project_name") or "",
            "kind": KIND_LABELS.get(entry.get("kind"), entry.get("kind") or ""),
            "status": entry.get("status"), "status_label": STATUS_LABELS.get(entry.get("status"), entry.get("status")),
            "total": format_total(entry.get("total")) if succeeded else "—",
            "grade": grade_label(entry.get("grade")) if succeeded and entry.get("kind") not in UNGRADED_KINDS else "—",
            "links": links, "message": _message(entry)}


def basis_note(entries: list[dict]) -> str:
    """The score basis the self-evaluation reports state (perfeval.basis), as one sentence; "" without any."""
    bases = sorted({(e.get("result") or {}).get("score_basis") for e in entries if e.get("kind") == "self"} - {None})
    if not bases:
        return ""
    labels = "、".join(SCORE_BASES.get(b, str(b)) for b in bases)
    if len(bases) > 1:
        return f"注意：本目录中的单位自评报告采用了不同的得分口径（{labels}），请以同一口径重新生成。"
    return f"单位自评报告的总分和等级为{labels}，与全市综合报告、结果应用和公开表的口径一致。"


def public_rows(entries: list[dict]) -> list[dict]:
    """The reports a reader can open: made (status ok) and present, with the page and the PDF only."""
    rows = []
    for entry in entries:  # tens to hundreds of reports
        if entry.get("status") != "ok":
            continue
        row = index_row(entry)
        outputs = entry.get("outputs") or {}
        row["links"] = [{"href": quote(outputs[fmt]["path"]), "label": label} for fmt, label in PUBLIC_LINKS
                        if fmt in outputs]
        row["title"] = entry.get("project_name") or row["kind"]
        rows.append(row)
    return rows


def render_public_index(entries: list[dict], *, title: str = PUBLIC_INDEX_TITLE) -> str:
    """The readers' index page: no run status, no error messages, no notebooks (see `render_index` for operators)."""
    return render_page("public_index.html", title=title, rows=public_rows(entries))


def render_index(entries: list[dict], *, title: str = INDEX_TITLE) -> str:
    """The index page for ledger entries (manifest ``projects``), in their order."""
    return render_page("index.html", title=title, counts=status_counts(entries),
                       rows=[index_row(e) for e in entries], basis_note=basis_note(entries))
