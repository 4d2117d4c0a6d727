"""The consistency check: one project, one story, in every output of a batch (issue 17, item 6).

``check_folder(out_dir, data_dir=None)`` reads every output of a batch — ``manifest.json``,
``index.html``, each report page (``reports/*.html``: self, key, portfolio, priority, annual,
monitoring, …), the workbook ``结果应用.xlsx`` and the disclosure tables (``disclosure/*.html`` and
``*.xlsx`` of ``perfeval disclose``) — and lists, in Chinese, every contradiction:

- a project's total score or grade (self-evaluation after review, key evaluation), next-year decision
  (funded or not) or amount that differs between two files; numbers are compared at the precision both
  print (99.849 and 99.85 agree, 99.85 and 99.87 do not); tables are understood by their column headers;
- the same for an ex-ante assessment's score and conclusion and a target review's conclusion; a project
  one page refuses outright (不予安排) while another still suggests an amount for it;
- a department's average self score that is not the average of the scores another table gives all its
  projects; a count or sum by action (处理汇总) that differs between two files;
- a monitoring, recovery or evaluation fact stated for a project whose data were not given. The data
  folder (``--data``, else the ``data_dir`` the batch's notebooks ran with) tells which inputs exist:
  ``payments.csv`` absent or header-only means no monitoring data at all, a project missing from it has
  none; likewise ``key_evaluation/indicators.csv`` for key evaluations and ``forms/<id>.xlsx`` (or
  ``self_evaluation/rows.csv``) for self-evaluations (`report.consistency_data`).

``perfeval lint DIR`` runs this check after the publication lint whenever DIR holds a ``manifest.json``;
``perfeval lint --consistency DIR`` runs it alone. Any contradiction makes the exit code 1.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from ..errors import InputError, Location
from .consistency_data import Inputs, data_dir_of, facts_without_data, read_names
from .lint import _Page

FIELDS = {"self_total": "自评总分（复核后）", "self_grade": "自评等级（复核后）", "key_total": "重点评价得分",
          "key_grade": "重点评价等级", "decision": "下一年度安排", "amount": "下一年度安排金额（万元）",
          "exante_amount": "事前评估核定金额（万元）", "exante_total": "事前评估总分", "exante_grade": "事前评估结论",
          "targets_grade": "绩效目标审核结论"}
KIND_OF = {"self_total": "得分不一致", "key_total": "得分不一致", "self_grade": "等级不一致", "key_grade": "等级不一致",
           "exante_total": "得分不一致", "exante_grade": "等级不一致", "targets_grade": "等级不一致",
           "decision": "下一年度安排不一致", "amount": "安排金额不一致", "exante_amount": "事前评估核定金额不一致"}
BASIS = {"单位自评": "self", "绩效自评": "self", "重点评价": "key", "事前绩效评估": "exante", "绩效目标审核": "targets"}
CONCLUSION_RE = re.compile(r"^(予以支持|部分支持|不予支持|建议立项|不予立项)")
NOT_FUNDED = ("不予安排", "取消或暂停", "未安排", "不予支持", "暂缓安排", "退回修改")
SENTENCE_RE = re.compile(r"综合得分\s*([\d.]+)\s*分，评价等级为“(.)”")
SELF_ON_KEY_RE = re.compile(r"单位自评总分\s*([\d.]+)\s*分（(.)）")
EXANTE_TOTAL_RE = re.compile(r"项目总分\s*([\d.]+)\s*分(?:（[^）]*）)?。[^。]*?结论为“([^”]+)”")  # not the other rule's
TARGETS_RE = re.compile(r"审核结论为“(优|良|中|差)”")
EXANTE_RE = re.compile(r"建议安排\s*([\d,]+\.\d+)\s*万元|建议不予安排")
NUMBER_RE = re.compile(r"^[-−]?\d+(?:\.\d+)?$")
PROJECT_COLUMNS = ("项目编码", "项目编号", "项目名称")


@dataclass(frozen=True)
class Claim:
    key: str      # project id (or name when no id is known), department, or "（汇总）action"
    field: str
    value: str    # what is compared
    shown: str    # what the page prints
    source: str


@dataclass(frozen=True)
class Contradiction:
    kind: str
    subject: str
    field: str
    a_source: str
    a_value: str
    b_source: str
    b_value: str

    def __str__(self) -> str:
        return (f"[{self.kind}] {self.subject} · {self.field}：{self.a_source} 为“{self.a_value}”，"
                f"{self.b_source} 为“{self.b_value}”")


@dataclass(frozen=True)
class ConsistencyResult:
    files: int
    contradictions: tuple
    notes: tuple = ()

    @property
    def ok(self) -> bool:
        return not self.contradictions

    def counts(self) -> dict:
        out: dict = {}
        for c in self.contradictions:
            out[c.kind] = out.get(c.kind, 0) + 1
        return out

    def summary(self) -> str:
        notes = [f"  （说明）{n}" for n in self.notes]
        if self.ok:
            return "\n".join([f"一致性检查通过：{self.files} 个文件中各项目的得分、等级、下一年度安排和金额一致，"
                              "未发现无数据却有结论的情况。"] + notes)
        by_kind = "、".join(f"{k} {n} 处" for k, n in self.counts().items())
        lines = [f"一致性检查：{self.files} 个文件中发现 {len(self.contradictions)} 处矛盾（{by_kind}） "
                 "(consistency check failed)："] + notes
        lines += [f"  - {c}" for c in self.contradictions[:300]]
        if len(self.contradictions) > 300:
            lines.append(f"  ……另有 {len(self.contradictions) - 300} 处")
        return "\n".join(lines)


# --------------------------------------------------------------------------- values


def _clean(text) -> str:
    return re.sub(r"\s+", "", str(text)).replace("万元", "").replace("分", "")


def _number(text) -> Decimal | None:
    t = _clean(text).replace(",", "").replace("−", "-")
    return Decimal(t) if NUMBER_RE.match(t) else None


def _same(a: str, b: str) -> bool:
    """Equal at the precision both print: the more precise one is rounded half-up to the other's decimals."""
    x, y = _number(a), _number(b)
    if x is None or y is None:
        return _clean(a) == _clean(b)
    places = min(-x.as_tuple().exponent, -y.as_tuple().exponent, 9)
    q = Decimal(1).scaleb(-places)
    return x.quantize(q, ROUND_HALF_UP) == y.quantize(q, ROUND_HALF_UP)


def _exact(v) -> str:
    """A number that was never printed (json, a workbook's number cell) keeps its precision."""
    return f"{v:.9f}" if isinstance(v, float) else str(v)


def _funded(label: str, amount: str | None) -> bool:
    n = _number(amount) if amount not in (None, "") else None
    return not any(w in label for w in NOT_FUNDED) and (n is None or n > 0)


# --------------------------------------------------------------------------- reading tables


def _claim(key: str, field: str, shown: str, source: str) -> Claim:
    """A claim; an ex-ante conclusion is compared by its leading words (部分支持（事前评估） = 部分支持（调整完善后支持）)."""
    m = CONCLUSION_RE.match(shown) if field == "exante_grade" else None
    return Claim(key, field, m.group(1) if m else shown, shown, source)


def _table_claims(head: list, rows: list, source: str, ctx: str | None, acc: "_Found"):
    """Claims of one table, understood by its headers (order and extra columns do not matter)."""
    out, head = acc.claims, [re.sub(r"\s+", "", str(h)) for h in head]
    col = {h: i for i, h in enumerate(head)}
    pcol = next((col[c] for c in PROJECT_COLUMNS if c in col), None)

    def cell(row, name):
        if name not in col:
            return None
        i = col[name]
        if len(row) < len(head) and i == len(head) - 1:  # a merged cell before the last column
            i = len(row) - 1
        return row[i].strip() if i < len(row) and row[i] is not None and str(row[i]).strip() else None

    if head and head[0] == "处理" and "项目数（个）" in col:  # a summary by action
        for row in rows:
            for h in head[1:]:
                if cell(row, h) is not None:
                    out.append(Claim(f"（汇总）{row[0]}", h, cell(row, h), cell(row, h), source))
        return
    average = next((h for h in ("平均得分", "平均自评总分") if h in col), None)
    if head and head[0] == "主管部门" and average:
        acc.avgs += [(row[0], cell(row, average), cell(row, "项目数"), source) for row in rows if row]
        return
    if pcol is None:
        return
    reviewed = next((h for h in ("复核后总分", "复核后得分") if h in col), None)
    scores = {"self_total": reviewed or next((h for h in ("自评总分", "自评得分") if h in col), None),
              "self_grade": "自评等级" if "自评等级" in col else None,
              "key_total": "重点评价得分" if "重点评价得分" in col else None,
              "key_grade": "重点评价等级" if "重点评价等级" in col else None}
    if ctx in ("self", "key"):
        scores[f"{ctx}_total"] = scores[f"{ctx}_total"] or ("评价得分" if "评价得分" in col else None)
        scores[f"{ctx}_grade"] = scores[f"{ctx}_grade"] or ("评价等级" if "评价等级" in col else None)
    exante = "评估结论" in col
    for row in rows:
        if pcol >= len(row) or not str(row[pcol]).strip():
            continue
        key = str(row[pcol]).strip()
        if pcol != col.get("项目名称") and cell(row, "项目名称"):
            acc.names.setdefault(cell(row, "项目名称"), key)
        add = lambda f, v: out.append(_claim(key, f, v, source))  # noqa: E731
        for field, h in scores.items():
            if h and cell(row, h) not in (None, "—", "未定级"):
                add(field, cell(row, h))
        if "类型" in col and "总分" in col and BASIS.get(cell(row, "类型") or ""):  # the index
            basis = BASIS[cell(row, "类型")]
            for field, h in ((f"{basis}_total", "总分"), (f"{basis}_grade", "等级")):
                if cell(row, h) not in (None, "—"):
                    add(field, cell(row, h))
        for h in ("事前评估或上年评价", "采用等级"):  # "优（单位自评）", or 采用等级 + 等级来源
            m = re.match(r"^(优|良|中|差)（?(单位自评|重点评价)?", cell(row, h) or "")
            basis = BASIS.get((m and m.group(2)) or cell(row, "等级来源") or "")
            if m and basis:
                add(f"{basis}_grade", m.group(1))
                if cell(row, "得分"):
                    add(f"{basis}_total", cell(row, "得分"))
        pre = CONCLUSION_RE.match(cell(row, "事前评估或上年评价") or cell(row, "评估结论") or "")
        if pre:  # the ex-ante conclusion and its score (the priority report's 得分 of a new project)
            add("exante_grade", cell(row, "事前评估或上年评价") or cell(row, "评估结论"))
            if cell(row, "评估得分") or cell(row, "得分"):
                add("exante_total", cell(row, "评估得分") or cell(row, "得分"))
        if cell(row, "目标审核") or cell(row, "审核结论"):
            add("targets_grade", cell(row, "目标审核") or cell(row, "审核结论"))
        if exante:
            if cell(row, "建议安排（万元）"):
                add("exante_amount", cell(row, "建议安排（万元）"))
            continue
        if cell(row, "类型") == "新增" and cell(row, "核定金额（万元）"):
            add("exante_amount", cell(row, "核定金额（万元）"))
        label = cell(row, "处理") or cell(row, "结果") or ("不予安排" if cell(row, "不予安排的原因") else None)
        if label:
            amount = cell(row, "建议安排（万元）") or cell(row, "安排金额（万元）")
            funded = _funded(label, amount)
            out.append(Claim(key, "decision", "安排" if funded else "不安排",
                             f"{label} {amount} 万元" if amount and funded else label, source))
            if funded and amount:
                add("amount", amount)
        if "主管部门" in col and scores["self_total"] and cell(row, scores["self_total"]):
            acc.depts.append((cell(row, "主管部门"), key, cell(row, scores["self_total"]), source))


def _page_claims(path: Path, rel: str, acc: "_Found"):
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    acc.pages[rel] = page
    out = acc.claims
    ctx = "key" if "key-evaluation" in path.name else "self" if "self-evaluation" in path.name else None
    for t in page.tables:
        sctx = ctx or ("key" if "重点" in t["section"] else None)
        _table_claims(t["head"], [r for r in t["rows"] if r], f"{rel}“{t['section']}”", sctx, acc)
    e = re.match(r"^exante-(.+)\.html$", path.name)
    amount = e and EXANTE_RE.search("".join(d for _, d in page.texts))
    if amount:  # the ex-ante conclusion's amount; "建议不予安排" is 0
        value = amount.group(1) or "0.00"
        out.append(Claim(e.group(1), "exante_amount", value, f"建议安排 {value} 万元" if amount.group(1) else "建议不予安排",
                         rel))
    text = "".join(d for _, d in page.texts)
    for kind, regex, fields in (("exante", EXANTE_TOTAL_RE, ("exante_total", "exante_grade")),
                                ("targets", TARGETS_RE, ("targets_grade",))):
        m = re.match(rf"^{kind}-(.+)\.html$", path.name)
        found = m and regex.search(text)
        if found:
            out += [_claim(m.group(1), f, v, rel) for f, v in zip(fields, found.groups())]
    m = re.match(r"^(self|key)-(.+)\.html$", path.name)
    if m:
        regexes = ((SENTENCE_RE, m.group(1)),) + (((SELF_ON_KEY_RE, "self"),) if m.group(1) == "key" else ())
        for regex, basis in regexes:  # a self page's "单位自评总分" is the score before review
            found = regex.search(text)
            if found:
                out.append(Claim(m.group(2), f"{basis}_total", found.group(1), found.group(1), rel))
                out.append(Claim(m.group(2), f"{basis}_grade", found.group(2), found.group(2), rel))


def _workbook_claims(path: Path, rel: str, acc: "_Found"):
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            rows = [["" if v is None else _exact(v) for v in r] for r in ws.iter_rows(values_only=True)]
            start = next((i for i, r in enumerate(rows[:10]) if any(str(c).strip() in PROJECT_COLUMNS + ("处理",) for c in r)),
                         None)
            if start is not None:
                ctx = "key" if "key-evaluation" in path.name else "self" if "self-evaluation" in path.name else None
                _table_claims(rows[start], rows[start + 1:], f"{rel}（{ws.title}）", ctx, acc)
    finally:
        wb.close()


def _manifest_claims(folder: Path, acc: "_Found") -> None:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError("批量清单无法读取 (manifest.json is damaged)", where=Location(file=str(folder / "manifest.json")),
                         expected="perfeval batch 写出的 JSON", found=str(exc)[:80]) from None
    out, names = acc.claims, acc.names
    for e in manifest.get("projects", []):
        if e.get("project_id") and e.get("project_name"):
            names[e["project_name"].strip()] = e["project_id"]
        if e.get("kind") in ("self", "key") and e.get("status") == "ok" and e.get("total") is not None:
            out.append(Claim(e["project_id"], f"{e['kind']}_total", _exact(e["total"]), f"{e['total']}", "manifest.json"))
            if e.get("grade"):
                out.append(Claim(e["project_id"], f"{e['kind']}_grade", e["grade"], e["grade"], "manifest.json"))


# --------------------------------------------------------------------------- comparing


def _compare(claims: list, label) -> list:
    """One contradiction per (subject, field, value that differs from the most common one)."""
    groups: dict = defaultdict(list)
    for c in claims:
        groups[(c.key, c.field)].append(c)
    out = []
    for (key, field), cs in groups.items():
        values: list[list[Claim]] = []  # classes of claims that agree (at the printed precision)
        for c in cs:
            cls = next((v for v in values if _same(v[0].value, c.value)), None)
            cls.append(c) if cls is not None else values.append([c])
        if len(values) < 2:
            continue
        ref = max(values, key=len)
        for other in (v for v in values if v is not ref):
            more = f"（另有 {len(other) - 1} 处同此）" if len(other) > 1 else ""
            out.append(Contradiction(KIND_OF.get(field, "汇总不一致"), label(key), FIELDS.get(field, field),
                                     ref[0].source, ref[0].shown, other[0].source + more, other[0].shown))
    return out


def _vetoed_but_suggested(claims: list, label) -> list:
    """A project a page refuses outright (不予安排) while another suggests an amount for it (ex-ante 建议安排)."""
    vetoes = {c.key: c for c in claims if c.field == "decision" and c.shown == "不予安排"}
    return [Contradiction("下一年度安排不一致", label(c.key), FIELDS["decision"], c.source, f"建议安排 {c.shown} 万元",
                          vetoes[c.key].source, "不予安排")
            for c in claims if c.field == "exante_amount" and c.key in vetoes and (_number(c.value) or 0) > 0
            # the assessment itself comes before the veto; the priority report shows the assessed amount (核定金额)
            # beside its own decision, which may be a refusal below the funding line
            and not c.source.startswith(("reports/exante-", "reports/priority"))]


def _department_averages(depts: list, avgs: list) -> list:
    """A department's printed average self score against the mean of the scores a table gives all its projects."""
    by_source: dict = defaultdict(lambda: defaultdict(list))
    for dept, _, score, source in depts:
        if _number(score) is not None:
            by_source[source][dept].append(_number(score))
    out = []
    for dept, avg, count, where in avgs:
        if _number(avg) is None:
            continue
        for source, table in by_source.items():
            scores = table.get(dept)
            if not scores or (count and _number(count) is not None and len(scores) != int(_number(count))):
                continue
            mean = (sum(scores) / len(scores)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if abs(mean - _number(avg)) > Decimal("0.01"):  # a mean of rounded scores may be off by 0.005
                out.append(Contradiction("部门平均分不一致", dept, "平均得分", where, avg,
                                         f"{source}（按其各项目自评得分计算）", f"{mean}"))
    return out


class _Found:
    """What the reading gathers: claims, departments' scores and averages, pages read, names → ids."""

    def __init__(self):
        self.claims, self.depts, self.avgs, self.pages, self.names = [], [], [], {}, {}


def check_folder(folder, data_dir=None) -> ConsistencyResult:
    """Every contradiction between the outputs of the batch in ``folder`` (see the module docstring)."""
    folder, acc, notes = Path(folder), _Found(), []
    files = 0
    if (folder / "manifest.json").is_file():
        _manifest_claims(folder, acc)
        files += 1
    disclosure = folder / "disclosure"
    htmls = [p for p in [folder / "index.html"] if p.is_file()] + sorted((folder / "reports").glob("*.html"))
    htmls += sorted(disclosure.glob("*.html"))
    xlsxs = sorted(folder.glob("*.xlsx")) + sorted(disclosure.glob("*.xlsx"))
    for path in xlsxs:
        _workbook_claims(path, path.relative_to(folder).as_posix(), acc)
    for path in htmls:
        _page_claims(path, path.relative_to(folder).as_posix(), acc)
    files += len(xlsxs) + len(htmls)
    if not files:
        raise InputError("文件夹中没有批量输出 (no batch output)", where=Location(file=str(folder)),
                         expected="含 manifest.json、index.html 或 reports/*.html 的文件夹（perfeval batch --out）")
    data = Path(data_dir) if data_dir else data_dir_of(folder)
    known = read_names(data, acc.names) if data is not None and (data / "projects.csv").is_file() else set()
    if not known:
        notes.append("未找到数据文件夹（可用 --data 指定），未检查“无数据却有结论”。")
    names = {k: v for k, v in acc.names.items() if k and v}
    claims = [Claim(names.get(c.key, c.key), c.field, c.value, c.shown, c.source) for c in acc.claims]
    titles = {v: k for k, v in names.items()}

    def label(key: str) -> str:
        return f"{key} {titles[key]}" if key in titles else key

    found = _compare(claims, label) + _vetoed_but_suggested(claims, label) + _department_averages(acc.depts, acc.avgs)
    if known:
        found += [Contradiction("无数据却有结论", label(key), what, "数据文件夹", why, where, said)
                  for key, what, why, where, said in facts_without_data(Inputs.read(data), claims, acc.pages, names,
                                                                         known)]
    return ConsistencyResult(files=files, contradictions=tuple(found), notes=tuple(notes))
