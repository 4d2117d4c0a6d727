"""Which inputs a data folder gives, and the facts a batch's pages state without them (for `report.consistency`).

A fact needs its data: a page may state a 6 月底 reminder, a 10 月底 watch-list entry or a recovery (收回统筹) only for
a project whose payments were given (``payments.csv``: absent or header-only = no monitoring data at all; a project
missing from it = none for that project), and a self or key score or grade only for a project with a self-evaluation
form (``forms/<id>.xlsx`` or ``self_evaluation/rows.csv``) or key-evaluation data (``key_evaluation/indicators.csv``).
``facts_without_data`` lists every such fact as (project, what, why absent, where stated, what is stated).
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from .._formfiles import FORMS_FOLDER, form_files
from ..errors import InputError, Location

MONITOR_RE = re.compile(r"6\s*月底[^。；|]{0,12}(?:滞后|提醒)|10\s*月底仍未(?:支出|破零)|收回统筹(?:资金)?\s*[\d,.]+\s*万元"
                        r"|列入重点关注台账")
COUNT_RE = re.compile(r"(\d+)\s*个(?:项目)?")
CLAIMED = {"self_total": "自评总分（复核后）", "self_grade": "自评等级（复核后）", "key_total": "重点评价得分",
           "key_grade": "重点评价等级"}


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("文件不是 UTF-8 编码 (not UTF-8)", where=Location(file=str(path)),
                         expected="UTF-8 编码的 csv 文件") from None


def _ids_in(path: Path, column: str = "project_id") -> set | None:
    """Project ids of a csv; None when the file is absent or has only its header line."""
    if not path.is_file():
        return None
    rows = [r for r in csv.DictReader(_text(path).splitlines()) if any(r.values())]
    return {r.get(column, "").strip() for r in rows} if rows else None


def data_dir_of(folder: Path) -> Path | None:
    """The data folder the batch's notebooks ran with (their injected ``data_dir`` parameter)."""
    for nb in sorted((folder / "notebooks").glob("*.ipynb"))[:20]:
        m = re.search(r"data_dir = '([^'\\]+)'", nb.read_text(encoding="utf-8"))
        if m and Path(m.group(1)).is_dir():
            return Path(m.group(1))
    return None


@dataclass(frozen=True)
class Inputs:
    """Which inputs the data folder gives: None = none at all, else the ids covered."""

    folder: Path
    payments: set | None
    key: set | None
    self_forms: set

    @classmethod
    def read(cls, data: Path) -> "Inputs":
        forms = {p.stem for p in form_files(data / FORMS_FOLDER)}
        return cls(data, _ids_in(data / "payments.csv"), _ids_in(data / "key_evaluation" / "indicators.csv"),
                   forms | (_ids_in(data / "self_evaluation" / "rows.csv") or set()))

    def absent(self, what: str, pid: str) -> str | None:
        """Why the data of ``what`` are absent for the project (None when they were given)."""
        if what == "monitoring":
            f = self.folder / "payments.csv"
            if self.payments is None:
                return f"未提供资金支付数据（payments.csv {'仅有表头' if f.is_file() else '不存在'}）"
            return None if pid in self.payments else "payments.csv 中没有该项目的支付数据"
        if what == "key":
            if self.key is None:
                return "未提供重点评价数据（key_evaluation/indicators.csv 不存在或仅有表头）"
            return None if pid in self.key else "key_evaluation/indicators.csv 中没有该项目"
        return None if pid in self.self_forms else "没有该项目的自评表（forms/ 与 self_evaluation/rows.csv 中均无）"


def _quote(text: str) -> str:
    """The monitoring fact a sentence states, with a little of what surrounds it."""
    m = MONITOR_RE.search(text)
    return ("……" if m.start() > 12 else "") + text[max(0, m.start() - 12):m.end() + 30].strip() + "……"


def facts_without_data(inputs: Inputs, claims: list, pages: dict, names: dict, known: set) -> list:
    """Facts stated for a project whose data are absent: evaluation claims (one finding per project and file),
    monitoring sentences of its own pages, rows of monitoring tables, and city-wide monitoring counts."""
    out, grouped = [], {}
    for c in claims:
        basis = c.field.split("_")[0]
        if c.key in known and c.field in CLAIMED and inputs.absent(basis, c.key):
            grouped.setdefault((c.key, basis, c.source.split("“")[0].split("（")[0]), []).append(c)
    for (key, basis, _), cs in grouped.items():
        out.append((key, "、".join(dict.fromkeys(CLAIMED[c.field] for c in cs)), inputs.absent(basis, key),
                    cs[0].source, "、".join(c.shown for c in cs)))
    for rel, page in pages.items():
        own = re.match(r"^reports/(?:self|key)-(.+)\.html$", rel)
        if own:
            why = own.group(1) in known and inputs.absent("monitoring", own.group(1))
            hit = why and next((_quote(d) for _, d in page.texts if MONITOR_RE.search(d)), None)
            if hit:
                out.append((own.group(1), "运行监控或收回统筹", why, rel, hit))
            continue
        monitoring, listed = "/monitoring-" in rel, set()
        for t in page.tables:  # a project listed in a monitoring table: one finding per section
            if not (monitoring or "监控" in t["section"]) or "项目名称" not in t["head"]:
                continue
            i = t["head"].index("项目名称")
            for row in (r for r in t["rows"] if len(r) > i and not any("未提供" in c for c in r)):
                pid = names.get(row[i].strip(), row[i].strip())
                if pid in known and inputs.absent("monitoring", pid) and (pid, t["section"]) not in listed:
                    listed.add((pid, t["section"]))
                    out.append((pid, "运行监控或收回统筹", inputs.absent("monitoring", pid), f"{rel}“{t['section']}”",
                                "列入表格：" + "、".join(t["head"][:4])))
        if inputs.payments is None:  # no payments at all: no page may count reminders, watch entries or recoveries
            said = next((d for _, d in page.texts
                         if MONITOR_RE.search(d) and any(int(n) > 0 for n in COUNT_RE.findall(d))), None)
            if said:
                out.append(("全市", "运行监控或收回统筹", inputs.absent("monitoring", ""), rel, _quote(said)))
    return out


def read_names(data: Path, names: dict) -> set:
    """Names → ids from the data folder (projects and ex-ante candidates); the ids of this year's projects."""
    known = set()
    for name in ("projects.csv", "exante/candidates.csv"):
        if (data / name).is_file():
            for r in csv.DictReader(_text(data / name).splitlines()):
                pid = (r.get("project_id") or "").strip()
                names.setdefault((r.get("project_name") or "").strip(), pid)
                if name == "projects.csv":
                    known.add(pid)
    return known
