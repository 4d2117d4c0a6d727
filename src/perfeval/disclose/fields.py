"""The whitelist of public fields (公开字段): the only columns a disclosure table can show.

A public table is built *from this list and nothing else* (`perfeval.disclose.tables.public_frame`
selects each listed source column by name and never copies a frame whole), so a column that is not
listed here (internal notes, expert identities or expert-level scores, review flags, reader notes,
file names, paths, fingerprints…) cannot reach a page or a workbook, whatever the input holds.

``PUBLIC_FIELDS`` maps each table to its fields in display order; each field names the internal
column it is read from, its Chinese header and its kind (how it is shown: text, money in 万元 with
two decimals, a score with two decimals, a rate as a percentage with two decimals).
``NOT_PUBLISHED`` says, in Chinese, what is deliberately left out; both are printed by
``perfeval disclose`` and on the index page.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import pandas as pd

KINDS = ("text", "money", "score", "rate")


@dataclass(frozen=True)
class Field:
    """One public column: internal ``source`` column → Chinese ``header``, shown as ``kind``."""

    source: str
    header: str
    kind: str = "text"
    note: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}; expected one of {KINDS}")


@dataclass(frozen=True)
class TableSpec:
    """A public table: file stem, title (after the city and year), what one row is, its fields and
    the fields shown once per project (spanning that project's rows on the page)."""

    key: str
    stem: str
    title: str
    row: str
    fields: tuple[Field, ...]
    per_project: tuple[str, ...] = ()

    @property
    def headers(self) -> list[str]:
        return [f.header for f in self.fields]


TARGETS = TableSpec(
    key="targets", stem="targets", title="项目支出绩效目标公开表", row="一个项目的一项绩效指标",
    fields=(Field("department", "主管部门", note="项目清单中的主管部门"),
            Field("project_name", "项目名称", note="项目清单中的项目名称"),
            Field("budget_initial", "年初预算（万元）", "money", "随预算批复的年初预算数"),
            Field("goal", "年度总体目标", note="绩效目标申报表的年度总体目标（未读取申报表时不列）"),
            Field("level1", "一级指标"), Field("level2", "二级指标"), Field("level3", "三级指标"),
            Field("target", "指标值", note="申报的年度指标值，原文")),
    per_project=("department", "project_name", "budget_initial", "goal"))

SELF = TableSpec(
    key="self", stem="self-evaluation", title="项目支出绩效自评结果公开表", row="一个项目",
    fields=(Field("department", "主管部门"), Field("project_name", "项目名称"),
            Field("budget_full_year", "全年预算（万元）", "money", "调整后的全年预算数"),
            Field("spent", "全年执行（万元）", "money", "全年执行数"),
            Field("exec_rate", "预算执行率", "rate", "全年执行数 ÷ 全年预算数"),
            Field("score", "自评得分", "score", "按评分规则复核后的总分（默认）或单位填报的总分"),
            Field("grade", "评价等级", note="优、良、中、差；须更正后才能定级的为“未定级”"),
            Field("reasons", "主要偏差原因", note="扣分指标及单位在自评表中填写的偏差原因")))

KEY = TableSpec(
    key="key", stem="key-evaluation", title="重点绩效评价结果公开表", row="一个重点评价项目",
    fields=(Field("department", "主管部门"), Field("project_name", "项目名称"), Field("sector", "行业领域"),
            Field("budget_full_year", "资金量（万元）", "money", "全年预算数"),
            Field("score", "评价得分", "score", "评价组综合得分"),
            Field("grade", "评价等级"),
            Field("problems", "主要问题", note="失分最多的指标及评价组意见"),
            Field("suggestions", "有关建议", note="与主要问题逐条对应")))

DEPT = TableSpec(
    key="dept", stem="dept-overall", title="部门整体支出绩效自评结果公开表", row="一个部门",
    fields=(Field("department", "部门", note="一级预算单位（所属二级预算单位汇总评价）"),
            Field("score", "合并评价得分", "score", "所属单位汇总后的部门整体得分"),
            Field("grade", "评价等级", note="优、良、中、差"),
            Field("reasons", "主要偏差原因", note="汇总后扣分最多的指标及单位填写的原因（至多三项）")))

TABLES = (TARGETS, SELF, KEY, DEPT)  # DEPT only where the department-overall data are given
PUBLIC_FIELDS = MappingProxyType({t.key: t.fields for t in TABLES})

NOT_PUBLISHED = (
    "专家的姓名、身份和每位专家的评分（只公开评价组的综合得分和一致意见）",
    "自评复核提示、审核代码和内部审核意见",
    "读表说明、资金表读取问题等内部处理记录",
    "源文件名、工作表名、行号、文件路径和 SHA-256 指纹",
    "项目负责人等个人信息，以及数据文件中未列入公开字段的其他各列",
    "单位内部编码、所属二级预算单位的明细得分",
)


def whitelist_table() -> pd.DataFrame:
    """The whitelist as a table (公开表 | 公开字段 | 说明), as printed on the index page and by the command."""
    rows = [(t.title, f.header, f.note) for t in TABLES for f in t.fields]
    return pd.DataFrame(rows, columns=["公开表", "公开字段", "说明"])


def describe() -> str:
    """The whitelist in a few lines of Chinese: each table and its public fields, then what is left out."""
    lines = [f"{t.title}：序号、" + "、".join(t.headers) for t in TABLES]
    lines.append("不公开：" + "；".join(NOT_PUBLISHED))
    return "\n".join(lines)


__all__ = ["Field", "TableSpec", "TARGETS", "SELF", "KEY", "DEPT", "TABLES", "PUBLIC_FIELDS", "NOT_PUBLISHED",
           "whitelist_table", "describe"]
