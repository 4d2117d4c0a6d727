"""A city's data directory (the layout of ``data/sample``) read into the frames perfeval scores.

    projects.csv                      one row per project (编码, 名称, 部门, 领域, 是否重点评价, 金额)
    forms/<project_id>.<suffix>       the official self-evaluation forms (.xlsx, .xls, .et, .ods, .csv, .docx, .html)
    self_evaluation/rows.csv, budget.csv   the same forms as tidy frames
    key_evaluation/…                  third-party key evaluation (see perfeval.keyeval)
    payments.csv                      monthly payments (see perfeval.monitor)
    targets.csv                       the performance targets declared with the budget (绩效目标)
    exante/…                          next year's candidates assessed ex ante (see perfeval.exante)
    next_year/requests.csv, control.csv, declarations/<project_id>.xlsx   next year's requests, cap, targets

Text columns are read as text (a target "100" stays "100"), money as numbers, CSVs as UTF-8 with
or without BOM or as GB18030/GBK (the form reader's decoding, `io._grid.read_csv_text`). A missing
file or column is an InputError naming it. Files of one project are found with `project_file`,
which never leaves the data folder.
"""
from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd

from .errors import InputError, Location

TEXT_COLUMNS = ("project_id", "project_name", "department", "unit", "sector", "level1", "level2", "level3",
                "target", "actual", "reason", "target_nature", "target_value", "target_unit", "source_file",
                "source_sheet", "money_unit", "published_grade")


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """A CSV (UTF-8 with or without BOM, or GB18030/GBK) with text columns kept as text and empty
    cells as missing."""
    from .io._grid import read_csv_text

    path = Path(path)
    if not path.exists():
        raise InputError("找不到数据文件 (file not found)", where=Location(file=str(path)))
    text, _ = read_csv_text(path, name=str(path))
    try:
        head = pd.read_csv(io.StringIO(text), nrows=0).columns
        dtype = {c: "object" for c in head if c in TEXT_COLUMNS}
        return pd.read_csv(io.StringIO(text), dtype=dtype, keep_default_na=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise InputError(f"无法解析 csv 文件 (cannot parse csv)：{exc}", where=Location(file=str(path)),
                         expected="逗号分隔、首行为列名的表") from None


def projects(data_dir) -> pd.DataFrame:
    """``projects.csv`` with ``key_evaluation`` as booleans; a header-only list is an InputError (no projects)."""
    frame = read_table(Path(data_dir) / "projects.csv")
    if frame.empty:
        raise InputError("项目清单只有表头、没有数据行 (projects.csv has no data rows)",
                         where=Location(file=str(Path(data_dir) / "projects.csv")), expected="每个项目一行",
                         found="只有表头")
    if "key_evaluation" in frame:
        frame["key_evaluation"] = frame["key_evaluation"].astype(str).str.strip().str.lower().isin(
            ["true", "1", "是", "yes"])
    return frame


def project(data_dir, project_id, among=None) -> dict:
    """One row of ``projects.csv`` as a dict, blank cells as None; an unknown id is an InputError
    listing the valid ones (``among``: restrict them, e.g. to the key-evaluated projects)."""
    frame = projects(data_dir)
    valid = frame["project_id"].astype(str) if among is None else pd.Series(list(among), dtype=str)
    hit = frame[(frame["project_id"] == str(project_id)) & frame["project_id"].isin(valid)]
    if hit.empty:
        shown = "、".join(valid.head(30)) + ("……" if len(valid) > 30 else "")
        raise InputError("数据目录中没有这个项目 (unknown project)", where=Location(
            file=str(Path(data_dir) / "projects.csv"), column="project_id"),
            expected=f"{len(valid)} 个项目编码之一：{shown}", found=str(project_id))
    row = hit.iloc[0].to_dict()
    return {k: None if _blank(v) else v for k, v in row.items()}


def _blank(value) -> bool:
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def project_file(data_dir, folder: str, project_id, suffix: str) -> Path:
    """The file of one project, ``<data_dir>/<folder>/<project_id><suffix>``, never outside the data folder.

    A project id is a name, not a path: one with ``/``, ``\\``, ``..``, a NUL or leading/trailing
    blanks is refused, and so is a file (or folder) that is a symlink pointing out of the data folder.
    """
    base = Path(data_dir).resolve()
    pid = str(project_id)
    if (not pid or pid != pid.strip() or pid in (".", "..") or any(ch in pid for ch in "/\\\x00")
            or os.path.isabs(pid)):
        raise InputError("项目编号不能是路径，也不能含 / \\ .. 等字符 (a project id must not be a path)",
                         where=Location(file=str(base / "projects.csv"), column="project_id"),
                         expected="如 SZ2021-001 的编号", found=pid)
    path = base / folder / f"{pid}{suffix}"
    resolved = path.resolve()
    if not resolved.is_relative_to(base):
        raise InputError("项目文件指向数据目录之外（符号链接）(the file links out of the data folder)",
                         where=Location(file=str(path)), expected=f"数据目录 {base} 中的文件",
                         found=str(resolved))
    return resolved


def form_path(data_dir, project_id) -> Path:
    """The self-evaluation form file of one project, ``forms/<project_id><suffix>`` with any suffix the form
    reader knows (``perfeval._formfiles``), inside the data folder; the ``.xlsx`` path when there is none.
    Two files for one project (``SZ-001.xlsx`` and ``SZ-001.xls``) are an InputError naming both."""
    from ._formfiles import FORMS_FOLDER, project_forms

    project_file(data_dir, FORMS_FOLDER, project_id, ".xlsx")  # the id is a name, not a path
    found = project_forms(Path(data_dir) / FORMS_FOLDER, str(project_id))
    if len(found) > 1:
        raise InputError("同一项目有多个自评表文件，无法确定用哪一个 (several forms for one project)",
                         where=Location(file=str(Path(data_dir).resolve() / FORMS_FOLDER)),
                         expected=f"每个项目一个文件 {FORMS_FOLDER}/{project_id}.<扩展名>",
                         found="、".join(p.name for p in found))
    if found:
        return project_file(data_dir, FORMS_FOLDER, project_id, found[0].suffix)
    return project_file(data_dir, FORMS_FOLDER, project_id, ".xlsx")


def form_files(data_dir) -> list[Path]:
    """Every self-evaluation form file of the folder's ``forms/``, sorted (any container the reader knows)."""
    from ._formfiles import FORMS_FOLDER, form_files as files

    return files(Path(data_dir) / FORMS_FOLDER)


def self_evaluation_forms(data_dir, project_id) -> tuple[list, Path]:
    """(forms, path) of one project's self-evaluation form file ``forms/<project_id>.<suffix>`` (see `form_path`).

    Every form in it must carry the project's own code (项目编码); a form for another project is an
    InputError naming the file, the sheet and what was found.
    """
    from .io import read_self_evaluation

    path = form_path(data_dir, project_id)
    if not path.is_file():
        raise InputError("找不到该项目的自评表 (self-evaluation form not found)", where=Location(file=str(path)),
                         expected=f"forms/{project_id}.xlsx（或 .xls、.et、.ods、.csv、.docx、.html）")
    forms = [own_form(f, path) for f in read_self_evaluation(path)]
    for form in forms:
        if str(form.project_id) != str(project_id):
            raise InputError("自评表中的项目编码与项目清单不符 (the form's project code is not this project's)",
                             where=Location(file=str(path), sheet=form.source_sheet, column="项目编码"),
                             expected=str(project_id), found=str(form.project_id))
    if not forms:
        raise InputError("自评表中没有可读的表 (no form in the workbook)", where=Location(file=str(path)),
                         expected="项目支出绩效自评表")
    return forms, path


def own_form(form, path: Path):
    """The form with the project id its file name gives when the form carries no 项目编码 (the reader then
    names it ``<file stem>[:<sheet>]``): ``perfeval import forms`` stores such a form as ``forms/<id>.<suffix>``
    under an id derived from its unit and name."""
    import dataclasses

    stem = Path(path).stem
    if not form.code_given and form.project_id != stem:
        return dataclasses.replace(form, project_id=stem)
    return form


def has_self_evaluations(data_dir) -> bool:
    """Whether the folder holds self-evaluations (tidy CSVs or forms): what the city-wide reports need."""
    base = Path(data_dir)
    tidy = base / "self_evaluation"
    return ((tidy / "rows.csv").is_file() and (tidy / "budget.csv").is_file()) or \
        bool(form_files(base))


def self_evaluation(data_dir, project_ids=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows, budget) of the self-evaluations: from the tidy CSVs when present, else from the forms."""
    base = Path(data_dir)
    tidy = base / "self_evaluation"
    if (tidy / "rows.csv").exists() and (tidy / "budget.csv").exists():
        rows, budget = read_table(tidy / "rows.csv"), read_table(tidy / "budget.csv")
        if "counted" in rows:  # blank means counted, as in score()
            rows["counted"] = ~rows["counted"].astype(str).str.strip().str.lower().isin(["false", "0", "否"])
    else:
        from .io import forms_to_frames, read_self_evaluation

        paths = form_files(base)
        if project_ids is not None:
            paths = [p for p in paths if p.stem in set(map(str, project_ids))]
        rows, budget = forms_to_frames([own_form(f, p) for p in paths for f in read_self_evaluation(p)])
    if project_ids is not None:
        wanted = set(map(str, project_ids))
        rows, budget = rows[rows.project_id.isin(wanted)], budget[budget.project_id.isin(wanted)]
    return rows.reset_index(drop=True), budget.reset_index(drop=True)


def declared_targets(data_dir, project_id) -> pd.DataFrame:
    """The targets one project declared with its budget (``targets.csv``); empty when there is no such file."""
    path = Path(data_dir) / "targets.csv"
    if not path.exists():
        return pd.DataFrame(columns=["project_id", "level1", "level2", "level3", "target"])
    frame = read_table(path)
    return frame[frame["project_id"] == str(project_id)].reset_index(drop=True)


def resolve_data_dir(data_dir=None, notebook_dir=None) -> Path:
    """The data folder a notebook should read: ``data_dir`` as given when it exists (relative to the working
    folder, else to the notebook's folder), else the ``PERFEVAL_DATA`` environment variable; an InputError
    saying how to set it otherwise."""
    candidates = []
    if data_dir:
        candidates.append(Path(data_dir))
        if notebook_dir and not Path(data_dir).is_absolute():
            candidates.append(Path(notebook_dir) / data_dir)
    if os.environ.get("PERFEVAL_DATA"):
        candidates.append(Path(os.environ["PERFEVAL_DATA"]))
    for c in candidates:
        if (c / "projects.csv").is_file():
            return c
    raise InputError("找不到数据目录 (data folder not found)", where=Location(file=str(data_dir or "")),
                     expected="含 projects.csv 的文件夹：在参数 data_dir 中写明，或设置环境变量 PERFEVAL_DATA",
                     found="、".join(str(c) for c in candidates) or "未指定")


def attach_projects(totals: pd.DataFrame, data_dir) -> pd.DataFrame:
    """Totals with department, sector and key-evaluation flag from ``projects.csv``."""
    meta = projects(data_dir)
    keep = [c for c in ("project_id", "department", "sector", "key_evaluation") if c in meta]
    base = totals.drop(columns=[c for c in keep[1:] if c in totals])
    return base.merge(meta[keep], on="project_id", how="left")


# ---------------------------------------------------------------------------------------------
# the next budget year (预算编制): requests, target declarations, the means available
# ---------------------------------------------------------------------------------------------

NEXT_YEAR = "next_year"


def next_year_requests(data_dir) -> pd.DataFrame:
    """``next_year/requests.csv``: one row per project asking for money next year (project_id, project_name,
    department, unit, sector, kind 新增/延续, requested 元)."""
    return read_table(Path(data_dir) / NEXT_YEAR / "requests.csv")


def next_year_declarations(data_dir) -> list[Path]:
    """The target declarations filed for next year (``next_year/declarations/*.xlsx`` and ``*.csv``), sorted."""
    folder = Path(data_dir) / NEXT_YEAR / "declarations"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".xlsx", ".csv") and not p.name.startswith("."))


def next_year_declaration(data_dir, project_id) -> Path:
    """The declaration workbook of one project (``next_year/declarations/<project_id>.xlsx``), inside the data folder."""
    return project_file(data_dir, f"{NEXT_YEAR}/declarations", project_id, ".xlsx")


def next_year_cap(data_dir) -> float | None:
    """The means available next year (``next_year/control.csv``, column ``cap`` in 元); None when not given."""
    path = Path(data_dir) / NEXT_YEAR / "control.csv"
    if not path.is_file():
        return None
    frame = read_table(path)
    if "cap" not in frame or frame.empty or pd.isna(pd.to_numeric(frame["cap"], errors="coerce").iloc[0]):
        raise InputError("资金控制数无法读取 (cannot read the cap)", where=Location(file=str(path), column="cap"),
                         expected="以元为单位的数值", found=None if frame.empty or "cap" not in frame else frame["cap"].iloc[0])
    return float(pd.to_numeric(frame["cap"]).iloc[0])
