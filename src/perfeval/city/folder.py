"""The data folder on disk: resolving it, reading its csv records and its project list, and finding each
project's files (moved here from the old `report/commands.py`; `perfeval.cli.batch` re-exports them).

``data_folder`` resolves the folder (a clear error for a missing one or a file in its place);
``csv_records`` reads a csv text into (line, cells) records; ``read_projects`` checks ``projects.csv``;
``_data_files`` lists the folder's files, ``_inputs_by_project`` splits them into shared files and each
project's own (a path naming its id); ``_stage_ids`` lists the ex-ante candidates and next year's
declarations; ``_budget_year`` is the budget year the monitoring dashboards are dated in.
"""
from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

from ..errors import InputError, Location
from ..io._grid import read_csv_text

PROJECTS_FILE = "projects.csv"
PROJECT_COLUMNS = ("project_id", "project_name", "department", "sector", "key_evaluation")
TRUE_WORDS = {"true", "1", "yes", "y", "是", "t"}
FALSE_WORDS = {"false", "0", "no", "n", "否", "f", ""}


def data_folder(data_dir: str | os.PathLike) -> Path:
    """The data folder, resolved; a missing folder or a file in its place is a clear error."""
    path = Path(data_dir).expanduser().resolve()
    if not path.exists():
        raise InputError("找不到数据文件夹 (data folder not found)", where=Location(file=str(path)),
                         expected=f"含 {PROJECTS_FILE} 的文件夹")
    if not path.is_dir():
        raise InputError("--data 应为数据文件夹，而不是一个文件 (--data names a file)", where=Location(file=str(path)),
                         expected=f"含 {PROJECTS_FILE} 的文件夹", found=path.name)
    return path


def csv_records(text: str, path: Path) -> list[tuple[int, list[str]]]:
    """(line, cells) of every non-empty record of a csv text.

    A cell longer than the csv module's limit (131072 characters: a pasted document, or a missing
    closing quote that swallowed the lines after it) is an `InputError` naming line and column.
    """
    limit = csv.field_size_limit()
    previous = csv.field_size_limit(2**31 - 1)
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        records, start = [], 1
        for cells in reader:
            if cells:
                records.append((start, cells))
            start = reader.line_num + 1
    finally:
        csv.field_size_limit(previous)
    header = records[0][1] if records else []
    for line, cells in records:
        for index, cell in enumerate(cells):
            if len(cell) > limit:
                column = header[index] if line != 1 and index < len(header) else f"第 {index + 1} 列"
                raise InputError("单元格过长，可能是引号不配对，把后面的行并进了这个单元格 "
                                 "(field larger than field limit)", where=Location(file=str(path), row=line,
                                                                                  column=column),
                                 expected=f"不超过 {limit} 个字符", found=f"{len(cell)} 个字符")
    return records


def read_projects(data_dir: str | os.PathLike) -> list[dict]:
    """The rows of ``projects.csv``, checked: required columns, unique ids, boolean key flag.

    Read as UTF-8 (with or without BOM) or GB18030/GBK, like every csv perfeval reads.
    """
    path = data_folder(data_dir) / PROJECTS_FILE
    try:
        text, _ = read_csv_text(path, name=str(path))
    except FileNotFoundError:
        raise InputError("找不到项目清单 (project list not found)", where=Location(file=str(path)),
                         expected=f"数据目录中的 {PROJECTS_FILE}") from None
    except OSError as exc:
        raise InputError(f"无法读取项目清单 (cannot read)：{exc.strerror or exc}",
                         where=Location(file=str(path))) from None
    records = csv_records(text, path)
    fieldnames = [c.strip() for c in records[0][1]] if records else []
    missing = [c for c in PROJECT_COLUMNS if c not in fieldnames]
    if missing:
        raise InputError("项目清单缺少列 (missing columns)", where=Location(file=str(path), row=1),
                         expected=", ".join(PROJECT_COLUMNS), found=",".join(fieldnames))
    rows, seen = [], set()
    for line, cells in records[1:]:
        row = dict(zip(fieldnames, cells + [""] * (len(fieldnames) - len(cells))))
        pid = (row["project_id"] or "").strip()
        if not pid:
            raise InputError("项目编号为空 (empty project_id)",
                             where=Location(file=str(path), row=line, column="project_id"),
                             expected="非空的项目编号", found=row["project_id"])
        if pid in seen:
            raise InputError("项目编号重复 (duplicate project_id)",
                             where=Location(file=str(path), row=line, column="project_id"),
                             expected="唯一的项目编号", found=pid)
        seen.add(pid)
        flag = (row["key_evaluation"] or "").strip().lower()
        if flag not in TRUE_WORDS | FALSE_WORDS:
            raise InputError("是否重点评价应为 true 或 false",
                             where=Location(file=str(path), row=line, column="key_evaluation"),
                             expected="true / false", found=row["key_evaluation"])
        rows.append({**{c: (row[c] or "").strip() for c in PROJECT_COLUMNS},
                     "key_evaluation": flag in TRUE_WORDS})
    return rows


def _data_files(data_dir: Path) -> list[str]:
    return sorted(str(p) for p in data_dir.rglob("*")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(data_dir).parts))


def _inputs_by_project(files: list[str], ids: list[str], data_dir: Path) -> tuple[list[str], dict]:
    """Split the data files into shared ones and those naming a project id (whole token)."""
    if not ids:
        return files, {}
    pattern = re.compile("(?<![0-9A-Za-z])(" + "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
                         + ")(?![0-9A-Za-z])")
    shared, own = [], {}
    for path in files:
        named = set(pattern.findall(Path(path).relative_to(data_dir).as_posix()))
        if not named:
            shared.append(path)
        for pid in named:
            own.setdefault(pid, []).append(path)
    return shared, own


def _stage_ids(data: Path) -> tuple[list[dict], list[dict]]:
    """(ex-ante candidates, next year's declarations) of the data folder: [{project_id, project_name}]."""
    from .. import datasets
    from ..exante.data import FILES, FOLDER

    candidates = []
    path = data / FOLDER / FILES["candidates"]
    if path.is_file() and (data / FOLDER / FILES["scores"]).is_file():
        text, _ = read_csv_text(path, name=str(path))
        records = csv_records(text, path)
        head = [c.strip() for c in records[0][1]] if records else []
        if "project_id" not in head:
            raise InputError("候选项目表缺少 project_id 列", where=Location(file=str(path), row=1),
                             expected="project_id, project_name, …", found=",".join(head))
        for _, cells in records[1:]:
            row = dict(zip(head, cells))
            candidates.append({"project_id": row["project_id"].strip(),
                               "project_name": (row.get("project_name") or "").strip()})
    declared = [{"project_id": p.stem, "project_name": ""} for p in datasets.next_year_declarations(data)]
    return candidates, declared


def _budget_year(data: Path) -> int | None:
    """The budget year the monitoring dashboards are dated in: the one `perfeval.monitor` checks an as-of
    against (projects.csv's year column, else the year after the history, else the project codes);
    None when the data do not say (then the dashboards need ``--year``)."""
    from .. import datasets
    from ..monitor.data import extras
    from ..monitor.ledger import data_year

    return data_year(datasets.projects(data), extras(data).get("history_budgets"))
