"""Public disclosure of performance information (绩效信息公开): the tables a city publishes.

``disclose(data_dir)`` computes, from a city's data folder, the three public tables — 项目支出绩效目标
公开表 (declared targets with the budget), 项目支出绩效自评结果公开表 and 重点绩效评价结果公开表 — each built
*only* from the whitelist of public fields (`fields.PUBLIC_FIELDS`); ``write_disclosure(result, out)``
writes them as HTML pages (the reports' style, print-friendly) and .xlsx workbooks with an index
page, atomically and byte-reproducibly. ``perfeval disclose --data DIR --out DIR`` does both.

Nothing outside the whitelist is published: no expert identities or expert-level scores, no review
flags or internal notes, no reader notes, file names, paths or fingerprints. Every text is escaped
for HTML and made inert for Markdown; workbook cells are strings, never formulas.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .fields import DEPT, KEY, NOT_PUBLISHED, PUBLIC_FIELDS, SELF, TABLES, TARGETS, TableSpec, describe, whitelist_table
from .tables import DisclosureRules, display_frame, public_frame

EMPTY_TEXTS = {"targets": "本年度数据中没有申报的绩效目标，暂无可公开的绩效目标。",
               "self": "本年度没有可公开的项目支出绩效自评结果。",
               "key": "本年度未开展重点绩效评价，暂无可公开的重点绩效评价结果。",
               "dept": "本年度未开展部门整体支出绩效评价。"}


@dataclass(frozen=True)
class PublicTable:
    """One public table: its whitelist spec, title, the public frame (typed values), the same as shown
    (text), the lead sentence, the sentence shown when it is empty, and its notes."""

    spec: TableSpec
    title: str
    public: pd.DataFrame
    display: pd.DataFrame
    lead: str
    notes: tuple[str, ...]

    @property
    def empty_text(self) -> str:
        return EMPTY_TEXTS[self.spec.key]

    @property
    def html_name(self) -> str:
        return f"{self.spec.stem}.html"

    @property
    def xlsx_name(self) -> str:
        return f"{self.spec.stem}.xlsx"

    @property
    def n_projects(self) -> int:
        return int(self.public["序号"].nunique()) if len(self.public) else 0

    @property
    def count_text(self) -> str:
        if self.public.empty:
            return "无"
        if self.spec.key == "targets":
            return f"{self.n_projects} 个项目，{len(self.public)} 项指标"
        if self.spec.key == "dept":
            return f"{len(self.public)} 个部门"
        return f"{self.n_projects} 个项目"

    def _repr_html_(self) -> str:
        from html import escape

        from .render import rows_html

        head = "".join(f"<th>{escape(h)}</th>" for h in self.public.columns)
        return (f"<h4>{escape(self.title)}</h4><p>{escape(self.lead)}</p><table><thead><tr>{head}</tr></thead><tbody>"
                f"{rows_html(self.display.head(50), self.spec)}</tbody></table>")


@dataclass(frozen=True)
class Disclosure:
    """The result of :func:`disclose`: the city, the year, the rules and the three public tables."""

    city: str
    year: int | None
    rules: DisclosureRules
    tables: tuple[PublicTable, ...]

    @property
    def title(self) -> str:
        return f"{self.city}{self.year or ''}{'年度' if self.year else ''}预算绩效信息公开"

    @property
    def lead(self) -> str:
        return ("按照预算绩效信息公开的要求，现将" + f"{self.year or '本'}年度" + "项目支出绩效目标、绩效自评结果和重点绩效评价结果"
                "予以公开。金额单位为万元，保留两位小数。")

    def table(self, key: str) -> PublicTable:
        return next(t for t in self.tables if t.spec.key == key)

    def conventions(self) -> dict:
        return self.rules.conventions()

    def _repr_html_(self) -> str:
        return "".join(t._repr_html_() for t in self.tables)


def _wan(yuan) -> str:
    return f"{float(yuan) / 10_000:,.2f}"


def _grades(grades: pd.Series) -> str:
    order = ["优", "良", "中", "差", "未定级"]
    counts = grades.value_counts()
    return "、".join(f"“{g}”{int(counts[g])} 个" for g in order + sorted(set(counts.index) - set(order)) if g in counts)


def _leads(sources: dict) -> dict:
    t, s, k = sources["targets"], sources["self"], sources["key"]
    budget = t.drop_duplicates("project_id")["budget_initial"].sum() if len(t) else 0
    out = {"targets": f"{t['project_id'].nunique()} 个项目随预算申报绩效目标，共 {len(t)} 项指标，"
                      f"年初预算合计 {_wan(budget)} 万元。"}
    if len(s):
        out["self"] = (f"{len(s)} 个项目开展绩效自评，全年预算合计 {_wan(s['budget_full_year'].sum())} 万元，执行 "
                       f"{_wan(s['spent'].sum())} 万元，预算执行率最低 {s['exec_rate'].min() * 100:.2f}%；评价等级："
                       f"{_grades(s['grade'])}。")
    else:
        out["self"] = EMPTY_TEXTS["self"]
    if len(k):
        out["key"] = (f"对 {len(k)} 个项目开展重点绩效评价，涉及资金 {_wan(k['budget_full_year'].sum())} 万元"
                      f"（{k['budget_full_year'].sum() / 1e8:,.2f} 亿元）；评价等级：{_grades(k['grade'])}。")
    else:
        out["key"] = EMPTY_TEXTS["key"]
    if not len(t):
        out["targets"] = EMPTY_TEXTS["targets"]
    d = sources.get("dept")
    if d is not None:
        out["dept"] = (f"{len(d)} 个部门开展部门整体支出绩效自评（所属单位汇总评价），合并评价等级：{_grades(d['grade'])}。"
                       if len(d) else EMPTY_TEXTS["dept"])
    return out


def _notes(spec: TableSpec, rules: DisclosureRules, public: pd.DataFrame) -> tuple[str, ...]:
    conv = rules.conventions()
    notes = [f"每行为{spec.row}；金额单位：万元（保留两位小数）。",
             "本表只列示以下公开字段：序号、" + "、".join(h for h in spec.headers if h in public.columns) + "。"]
    if spec.key == "targets":
        notes.append("指标值为申报时填写的年度指标值原文。" + ("" if "年度总体目标" in public.columns
                                                     else "未读取绩效目标申报表，本表不列年度总体目标。"))
    if spec.key == "self":
        notes.append(f"自评得分口径：{conv['自评得分口径']}；预算执行率 = 全年执行数 ÷ 全年预算数；“未定级”为须先更正自评表才能定级的项目。")
        notes.append(f"主要偏差原因：失分的绩效指标及单位填写的偏差原因，{conv['每个项目列示的偏差原因或问题']}。")
    if spec.key == "dept":
        notes.append("合并评价得分：所属二级预算单位汇总到一级预算单位后的部门整体得分；主要偏差原因取扣分最多的指标（至多三项）"
                     "及单位填写的原因。")
    if spec.key == "key":
        notes.append("评价得分为评价组的综合得分；主要问题取失分最多的指标及评价组的一致意见，有关建议与问题逐条对应，"
                     f"{conv['每个项目列示的偏差原因或问题']}。")
        notes.append("专家个人的姓名和评分不予公开。")
    return tuple(notes)


def disclose(data_dir, year: int | None = None, rules: DisclosureRules | None = None,
             city: str | None = None) -> Disclosure:
    """The three public tables of a city's data folder (see the module docstring)."""
    from .. import datasets
    from ..settings import city_name
    from ..city.folder import data_folder
    from .tables import key_source, read_projects, self_source, targets_source

    from dataclasses import replace

    from .. import settings

    rules = rules or DisclosureRules()
    data = data_folder(data_dir)
    if rules.score_basis is None:  # the year's one stated basis, as the reports and the index
        rules = replace(rules, score_basis=settings.score_basis(data))
    projects = read_projects(data)
    targets, decl_year = targets_source(data, projects, rules)
    sources = {"targets": targets, "self": self_source(data, projects, rules), "key": key_source(data, projects, rules)}
    if year is None:
        year = decl_year
    if year is None:
        first = datasets.form_files(data)
        if first:
            forms, _ = datasets.self_evaluation_forms(data, first[0].stem)
            year = forms[0].year
    from .dept import dept_source

    sources["dept"] = dept_source(data)  # None without units.csv: no table at all
    leads = _leads(sources)
    prefix = f"{city_name(data, projects['department'], city)}{year or ''}{'年度' if year else ''}"
    tables = []
    for spec in TABLES:  # three tables, and the departments' where evaluated
        if sources[spec.key] is None:
            continue
        public = public_frame(sources[spec.key], spec)
        tables.append(PublicTable(spec, prefix + spec.title, public, display_frame(public, spec), leads[spec.key],
                                  _notes(spec, rules, public)))
    return Disclosure(city_name(data, projects["department"], city), year, rules, tuple(tables))


def write_disclosure(disclosure: Disclosure, out) -> dict:
    """Write the pages (``index.html``, ``targets.html``, ``self-evaluation.html``, ``key-evaluation.html``)
    and workbooks (``*.xlsx``) into ``out``; returns {file name: sha256}."""
    from .render import write

    return write(disclosure, Path(out))


__all__ = ["disclose", "write_disclosure", "Disclosure", "PublicTable", "DisclosureRules", "PUBLIC_FIELDS",
           "NOT_PUBLISHED", "TABLES", "TARGETS", "SELF", "KEY", "DEPT", "describe", "whitelist_table", "public_frame"]
