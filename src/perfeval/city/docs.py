"""The docs page of the data folder (``docs/data-folder.md``), written from the stage registry itself.

    python -m perfeval.city.docs > docs/data-folder.md

Chinese first: the folder's files, their columns (required / optional) and what each holds; then the
stages — what each needs and uses, its library function, outline, notebook and command; then what a
report does when an input is absent, header-only or partial. A test checks that the committed page
equals this output, so the page cannot drift from the registry.
"""
from __future__ import annotations

import sys

from . import registry
from .year import STATUS_LABELS


def _code(names) -> str:
    return "、".join(f"`{n}`" for n in names) if names else "—"


def render() -> str:
    """The whole page as Markdown text (deterministic: the registry's order)."""
    out = ["# 数据文件夹与评价环节 (the data folder and the stages)", "",
           "> 本页由 `python -m perfeval.city.docs > docs/data-folder.md` 根据环节登记表"
           "（`perfeval.city.registry`）生成，请勿手工修改。",
           "> Generated from the stage registry (`perfeval.city.registry`); do not edit by hand.", "",
           "一个数据文件夹是一个城市一个预算年度的全部数据。金额单位为元；CSV 可为 UTF-8（带或不带 BOM）或 GB18030/GBK，"
           "首行为列名。路径中的 `{project_id}` 表示每个项目一个文件。",
           "A data folder holds one city's budget year. Money is in 元; CSVs are UTF-8 (with or without BOM) or "
           "GB18030/GBK with a header line; `{project_id}` in a path means one file per project.", "",
           "## 文件 (files)", "",
           "| 文件 file | 内容 | 必需列 required | 可选列 optional |", "|---|---|---|---|"]
    for i in registry.INPUTS:
        out.append(f"| `{i.path}` | {i.description} | {_code(i.required)} | {_code(i.optional)} |")
    out += ["", "## 评价环节 (stages)", "",
            "| 环节 stage | 名称 | 必需输入 needs | 可用输入 uses | 函数 function | 报告内容 outline | 笔记本 notebook | 命令 command |",
            "|---|---|---|---|---|---|---|---|"]
    for s in registry.STAGES:
        notebooks = [n for n in (s.notebook, s.summary_notebook) if n]
        out.append(f"| `{s.name}` | {s.title} | {_code(registry.input_spec(k).path for k in s.needs)} | "
                   f"{_code(registry.input_spec(k).path for k in s.uses)} | `{s.function}` | "
                   f"{'`' + s.outline + '`' if s.outline else '—'} | {_code(notebooks)} | {s.command or '—'} |")
    out += ["", "## 缺少的数据不是零 (absent is not zero)", "",
            "`perfeval.city.Year.load(data_dir)` 读一次数据文件夹，记录每个输入的状态："]
    out += [f"- `{k}`：{v}" for k, v in STATUS_LABELS.items()]
    out += ["",
            "报告中依赖某个输入的一节，在该输入未提供或只有表头时只用一句话说明（如“未提供资金支付数据，本节从略。”），"
            "不据此得出任何结论（不提醒、不列入台账、不收回、不预测、不定级）；只覆盖部分项目时，说明覆盖了哪些项目，"
            "没有记录的项目不作判断。`payments.csv` 中全年未支付的项目应有一行金额 0；没有任何一行的项目视为未提供支付数据。"
            "资金支付数据只有表头时，运行监控看板不生成并说明原因（文件只有表头）。重点评价指标表未提供或只有表头时，"
            "重点评价报告不生成并指出该文件，全市综合对比和年度报告说明未提供重点评价数据，不从零推出等级。",
            "A report section whose input is absent or header-only says so in one sentence and concludes nothing; "
            "partial inputs name the projects covered. A project that paid nothing has a payments row with amount 0; "
            "a project with no row is not covered. Header-only payments: the dashboards are refused with the reason; "
            "no key evaluation: the key reports are refused naming the file, the city-wide reports say it.", ""]
    return "\n".join(out)


def main() -> int:
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
