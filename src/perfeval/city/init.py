"""``perfeval init``: a new city folder written from the stage registry, so that a bureau starts from the right files.

:func:`init_folder` writes ``projects.csv`` and the empty ``forms/`` in place, and, for every other csv input of
:data:`perfeval.city.registry.INPUTS`, a template ``templates/<its path>``: the registry's columns as the header
(the machine names the readers need; their Chinese meaning is in the folder's ``README.md``) and ONE example row
(:data:`perfeval.city.examples.EXAMPLES`, project ``示例-001``). The templates stay out of the way until a bureau
has that data: a file in its place that holds only a header or an example row would be read as data (a
header-only ``next_year/control.csv`` stops the city-wide report), so the folder holds exactly what was given.
``projects.csv``'s example row is deleted by ``perfeval import forms`` while it is unchanged. The tidy
self-evaluation tables (``self_evaluation/rows.csv``, ``budget.csv``) have no template: ``perfeval import forms``
makes them. ``city.yaml`` holds the keys of :data:`perfeval.settings.FIELDS` (those not given commented out) and
``README.md`` says, in Chinese, which report needs which file.

A non-empty folder is refused unless ``force``; even then no existing file is touched: only missing files are added.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .._files import atomic_write_text
from ..errors import InputError, Location
from ..settings import FIELDS, SETTINGS_FILE
from . import registry
from .columns import COLUMN_MEANINGS
from .examples import EXAMPLES

README = "README.md"
TEMPLATES = "templates"
EXAMPLE_ID = "示例-001"
EXAMPLE_PROJECT = EXAMPLES["projects"]
IN_PLACE = ("projects",)                         # written in the folder itself; the rest as templates/<path>
MADE_BY_IMPORT = ("self_rows", "self_budget")   # written by `perfeval import forms`, never by hand


@dataclass(frozen=True)
class InitResult:
    """What ``perfeval init`` did: the files it created and the existing ones it left as they were."""

    folder: Path
    created: tuple[str, ...]
    kept: tuple[str, ...]


def columns(spec: registry.Input) -> tuple[str, ...]:
    """The header of an input's csv template: required columns, then optional ones (registry order)."""
    return spec.required + tuple(c for c in spec.optional if c not in spec.required)


def csv_line(cells) -> str:
    """One csv line (cells quoted only where needed)."""
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(list(cells))
    return out.getvalue()


def template_text(spec: registry.Input, year: int | None = None) -> str:
    """The csv template of one input: UTF-8 with BOM (Excel opens it), header, and its example row."""
    head = columns(spec)
    example = example_row(year) if spec.key == "projects" else EXAMPLES.get(spec.key, {})
    return "\ufeff" + csv_line(head) + (csv_line(example.get(c, "") for c in head) if example else "")


def example_row(year: int | None = None) -> dict:
    """The example row of projects.csv, every column of its template (blank where the example says nothing)."""
    return {c: EXAMPLE_PROJECT.get(c, str(year) if c == "year" and year else "")
            for c in columns(registry.input_spec("projects"))}


def settings_text(values: dict) -> str:
    """``city.yaml``: every key of FIELDS, with its Chinese label; keys not given are commented out."""
    lines = ["# 城市设置 (perfeval init)：报告中的城市名称、年度、财政部门、出具单位与金额单位取自此文件。",
             "# 未填写的项前有 #；去掉 # 并填写即可生效。数据文件中的金额一律以元填写。"]
    defaults = {"money_unit": "万元", "score_basis": "reviewed"}
    for key, label in FIELDS.items():
        value = values.get(key)
        if value not in (None, ""):
            shown = str(value) if key == "year" else json.dumps(str(value), ensure_ascii=False)
            lines.append(f"{key}: {shown}    # {label}")
        else:
            example = defaults.get(key, {"city": "某某市", "year": "2021", "bureau": "某某市财政局",
                                         "issuer": "某某市财政局"}.get(key, ""))
            lines.append(f"# {key}: {example}    # {label}")
    return "\n".join(lines) + "\n"


def readme_text(settings: dict) -> str:
    """The folder's README.md (Chinese): the steps, which report needs which file, every file and its columns."""
    city = settings.get("city") or "本市"
    year = settings.get("year")
    out = [f"# {city}{f'{year}年度' if year else ''}预算绩效数据文件夹", "",
           "本文件夹由 `perfeval init` 按环节登记表（`perfeval.city.registry`）生成。金额一律以元填写；"
           "CSV 可用 Excel/WPS 编辑，另存时保持 CSV（UTF-8 或 GBK）格式，首行列名不要改动（程序按列名读取）。", "",
           "## 从这里开始", "",
           f"1. 核对 `{SETTINGS_FILE}`：城市名称、预算年度、财政部门和报告出具单位会印在每一份报告上。",
           "2. 导入各单位报来的自评表（.xlsx、.xls、.et、.ods、.csv、.docx、.html 均可，可以是整个文件夹）：",
           "   `perfeval import forms 收到的自评表/ --data 本文件夹`",
           "   导入后写出 `projects.csv`、`self_evaluation/rows.csv`、`self_evaluation/budget.csv`，原文件复制为 "
           "`forms/<项目编码>.<原扩展名>`；没有项目编码的表，按“实施单位+项目名称”生成固定编码 `ZP-` 加 8 位字符，"
           "并在导入结果中列出。无法导入的表列在“拒绝”中，注明原因和单元格。",
           f"3. `projects.csv` 中的 `{EXAMPLE_ID}` 是示例行，请删除（`perfeval import forms` 在它未被改动时会自动删去）。"
           "自评表中没有的列（`sector` 行业、`key_evaluation` 是否重点评价）导入时留空或按说明填写，请补全。",
           "4. 生成报告：`perfeval batch --data 本文件夹 --out 报告文件夹 --kind self`（或 `--kind all`）。", "",
           f"其他数据（资金支付、绩效目标、重点评价、事前评估、下一年度申请等）的模板在 `{TEMPLATES}/` 中，路径与应放的位置相同，"
           "各有一行示例：有这项数据时，把模板复制到数据文件夹中的同一位置（如 "
           f"`{TEMPLATES}/payments.csv` → `payments.csv`），删去示例行后填写。没有的数据不要放空文件：未提供的数据，"
           "依赖它的报告章节只说明未提供，不据此得出结论（缺少的数据不是零）。", "",
           "## 哪份报告需要哪些文件", "",
           "| 环节 | 必需 | 可用（有则用） | 命令 |", "|---|---|---|---|"]
    for s in registry.STAGES:
        needs = "、".join(f"`{registry.input_spec(k).path}`" for k in s.needs) or "—"
        uses = "、".join(f"`{registry.input_spec(k).path}`" for k in s.uses) or "—"
        out.append(f"| {s.title} | {needs} | {uses} | {s.command or '—'} |")
    out += ["", "## 文件与列", "",
            "“必需”列必须有；“可选”列有则读取。路径中的 `{project_id}` 表示每个项目一个文件。", ""]
    for spec in registry.INPUTS:
        made = "（由 `perfeval import forms` 生成，不必手工填写）" if spec.key in MADE_BY_IMPORT else ""
        where = f"（模板：`{TEMPLATES}/{spec.path}`）" if spec.is_csv and not spec.per_project and \
            spec.key not in MADE_BY_IMPORT + IN_PLACE else ""
        out += [f"### `{spec.path}`{made}{where}", "", spec.description, ""]
        if spec.is_csv:
            out += ["| 列名 | 必需 | 含义 |", "|---|---|---|"]
            out += [f"| `{c}` | {'是' if c in spec.required else '否'} | {COLUMN_MEANINGS.get(c, '')} |"
                    for c in columns(spec)]
            out.append("")
    return "\n".join(out)


def _is_empty(folder: Path) -> bool:
    return not any(p for p in folder.iterdir() if not p.name.startswith("."))


def init_folder(folder, *, city: str | None = None, year: int | None = None, bureau: str | None = None,
                issuer: str | None = None, force: bool = False) -> InitResult:
    """Create the city folder (see the module docstring); an existing file is never changed."""
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise InputError("目标路径是一个文件，不是文件夹 (not a folder)", where=Location(file=str(folder)),
                         expected="新的或空的文件夹", found="文件")
    if folder.is_dir() and not _is_empty(folder) and not force:
        raise InputError("文件夹已存在且不是空的，未做任何改动 (folder not empty)", where=Location(file=str(folder)),
                         expected="新的或空的文件夹；加 --force 只补齐缺少的文件（已有文件一律不动）",
                         found="、".join(sorted(p.name for p in folder.iterdir())[:8]))
    if year is not None and not 1990 <= int(year) <= 2100:
        raise InputError("预算年度应为四位年份", where=Location(column="--year"), expected="如 2021", found=year)
    settings = {"city": city, "year": year, "bureau": bureau, "issuer": issuer}
    files = {SETTINGS_FILE: settings_text(settings), README: readme_text(settings)}
    for spec in registry.INPUTS:
        if spec.is_csv and not spec.per_project and spec.key not in MADE_BY_IMPORT:
            files[spec.path if spec.key in IN_PLACE else f"{TEMPLATES}/{spec.path}"] = template_text(spec, year)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / registry.input_spec("forms").path).parent.mkdir(parents=True, exist_ok=True)
    created, kept = [], []
    for rel in sorted(files):
        target = folder / rel
        if target.exists():
            kept.append(rel)
            continue
        atomic_write_text(target, files[rel], make_parents=True)
        created.append(rel)
    return InitResult(folder.resolve(), tuple(created), tuple(kept))


__all__ = ["EXAMPLE_ID", "EXAMPLE_PROJECT", "InitResult", "init_folder", "readme_text", "settings_text",
           "template_text"]
