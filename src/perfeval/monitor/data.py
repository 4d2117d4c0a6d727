"""The monitoring inputs: a data folder's payments and projects, checked, as a payments matrix.

``load(data_dir)`` reads ``payments.csv`` (``project_id, month, amount``) and ``projects.csv``;
``_payment_matrix`` turns a payments frame and a project frame into (ids, budgets, projects × 12
payments) with every bad cell an InputError naming file, row and column. The optional monitoring
files of a data folder (``monitoring/``: 直达资金 flags, earlier years' payments for the forecast,
mid-year target completion for 双监控) are read by :func:`extras`; the bureau's own schedule
(``monitoring/schedule.csv``) by :func:`bureau_schedule`. ``parse_as_of`` reads a monitoring date
("2021-06", "2021年6月", 6).
"""
from __future__ import annotations

import io
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .. import compare
from ..errors import InputError, Location
from ..io._grid import _FULLWIDTH, read_csv_text

FOLDER = "monitoring"
FILES = {"direct_funds": "direct_funds.csv", "history_payments": "history_payments.csv",
         "history_budgets": "history_budgets.csv", "midyear": "midyear_targets.csv",
         "schedule": "schedule.csv"}


def _plain(value):
    """A numpy scalar as the Python value it holds (errors show 13, not np.int64(13))."""
    return value.item() if isinstance(value, np.generic) else value


def _line(frame: pd.DataFrame, i: int) -> int:
    """The file line of the ``i``-th row of a frame read from a CSV (header on line 1): its integer row
    label where it has one (a view keeps the labels of the file's rows), else its position."""
    label = frame.index[i]
    return int(label) + 2 if isinstance(label, (int, np.integer)) and not isinstance(label, bool) else i + 2


def _payment_matrix(payments: pd.DataFrame, projects: pd.DataFrame, budget_column: str,
                    files: tuple[str, str] | None = None):
    """(ids, budget vector, payments matrix projects × 12) with validation of both frames; ``files``
    names them in errors (default: the path :func:`load` recorded in ``frame.attrs["file"]``, else
    payments.csv / projects.csv)."""
    if files is None:
        files = tuple(f.attrs.get("file", name) if isinstance(f, pd.DataFrame) else name
                      for f, name in ((payments, "payments.csv"), (projects, "projects.csv")))
    pay_file, proj_file = files
    for frame, name, cols in ((payments, pay_file, ("project_id", "month", "amount")),
                              (projects, proj_file, ("project_id", budget_column))):
        if not isinstance(frame, pd.DataFrame):
            raise InputError(f"{name} 须为 DataFrame", found=type(frame).__name__)
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise InputError(f"{name} 缺少必需列 (missing columns)", where=Location(file=name),
                             expected=", ".join(cols), found=f"缺少 {', '.join(missing)}")
    ids = projects["project_id"].astype(str).to_numpy()
    if pd.Index(ids).has_duplicates:
        dup = pd.Index(ids)[pd.Index(ids).duplicated()][0]
        raise InputError("项目清单中项目编码重复 (duplicate project_id)", where=Location(file=proj_file, column="project_id"),
                         found=dup)
    budget = pd.to_numeric(projects[budget_column], errors="coerce").to_numpy(dtype=float)
    if np.isnan(budget).any() or (budget < 0).any():
        i = int(np.flatnonzero(np.isnan(budget) | (budget < 0))[0])
        raise InputError("预算数须为非负数字 (budget must be a non-negative number)",
                         where=Location(file=proj_file, row=i + 2, column=budget_column),
                         expected="≥ 0 的金额（元）", found=_plain(projects[budget_column].iloc[i]))
    month = pd.to_numeric(payments["month"], errors="coerce")
    bad_month = month.isna() | ~month.isin(range(1, 13))
    if bad_month.any():
        i = int(np.flatnonzero(bad_month.to_numpy())[0])
        raise InputError("月份须为 1–12 的整数 (month must be 1–12)",
                         where=Location(file=pay_file, row=_line(payments, i), column="month"), expected="1–12",
                         found=_plain(payments["month"].iloc[i]))
    amount = pd.to_numeric(payments["amount"], errors="coerce")
    if amount.isna().any():
        i = int(np.flatnonzero(amount.isna().to_numpy())[0])
        raise InputError("支付金额须为数字 (amount must be a number)",
                         where=Location(file=pay_file, row=_line(payments, i), column="amount"), expected="金额（元）",
                         found=_plain(payments["amount"].iloc[i]))
    row = pd.Index(ids).get_indexer(payments["project_id"].astype(str))
    if (row < 0).any():
        i = int(np.flatnonzero(row < 0)[0])
        raise InputError("支付记录的项目不在项目清单中 (payment for an unknown project)",
                         where=Location(file=pay_file, row=_line(payments, i), column="project_id"),
                         expected="项目清单中的项目编码", found=_plain(payments["project_id"].iloc[i]))
    matrix = np.zeros((len(ids), 12))
    np.add.at(matrix, (row, month.to_numpy(dtype=int) - 1), amount.to_numpy(dtype=float))
    return ids, budget, matrix


def _info(projects: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in ("project_id", "project_name", "department") if c in projects]
    return projects[cols].assign(project_id=projects["project_id"].astype(str))


def load(data_dir: str | os.PathLike) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(payments, projects) of a data directory: ``payments.csv`` and ``projects.csv``."""
    base = Path(data_dir)
    frames = []
    for name in ("payments.csv", "projects.csv"):
        path = base / name
        if not path.is_file():
            raise InputError("找不到数据文件 (file not found)", where=Location(file=str(path)),
                             expected=f"数据目录中的 {name}")
        text, _ = read_csv_text(path, name=str(path))  # UTF-8 with or without BOM, or GB18030/GBK
        try:
            frame = pd.read_csv(io.StringIO(text), dtype={"project_id": str})
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            raise InputError("无法读取为 CSV (cannot parse CSV)", where=Location(file=str(path)),
                             expected="逗号分隔、首行为列名的表", found=str(exc)) from None
        frame.attrs["file"] = str(path)      # named in the errors of _payment_matrix
        frames.append(frame)
    if frames[1].empty:
        raise InputError("项目清单只有表头、没有数据行 (projects.csv has no data rows)",
                         where=Location(file=str(base / "projects.csv")), expected="每个项目一行", found="只有表头")
    if frames[0].empty:  # absent is not zero: no payment rows are no facts, not a year of zero spending
        raise InputError(NO_PAYMENTS, where=Location(file=str(base / "payments.csv")),
                         expected="每个项目每月一行支付记录（项目编码、月份、金额）", found="只有表头、没有数据行")
    return frames[0], frames[1]


NO_PAYMENTS = "未提供资金支付数据（payments.csv 只有表头），不做运行监控 (no payment rows)"


def covered(payments: pd.DataFrame, projects: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """(the projects with at least one payment row, the ids of those without).

    A project that paid nothing in the year has a row with amount 0; a project with no row at all is
    not covered by the payments data, and monitoring concludes nothing about it (no reminder, no
    zero-spend listing, no recovery).
    """
    ids = projects["project_id"].astype(str)
    has = ids.isin(set(payments["project_id"].astype(str)))
    return projects[has.to_numpy()].reset_index(drop=True), tuple(ids[~has].tolist())




TRUE_WORDS = {"true", "1", "yes", "y", "是", "t"}
FALSE_WORDS = {"false", "0", "no", "n", "否", "f", "", "nan", "none"}
_AS_OF = re.compile(r"^\s*(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:月(?:底|末)?)?\s*$")


def flags(frame: pd.DataFrame, column: str, file: str = "projects") -> np.ndarray:
    """A true/false column (true/false, 1/0, 是/否; blank = false) as booleans; absent → all false."""
    if column not in frame:
        return np.zeros(len(frame), dtype=bool)
    text = frame[column].astype(str).str.strip().str.lower()
    bad = ~text.isin(TRUE_WORDS | FALSE_WORDS)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError("应为 true 或 false（是/否）", where=Location(file=file, row=i + 2, column=column),
                         expected="true / false", found=frame[column].iloc[i])
    return text.isin(TRUE_WORDS).to_numpy()


def parse_as_of(as_of) -> tuple[int | None, int]:
    """(year or None, month) of a monitoring date: "2021-06", "2021/6", "2021年6月(底)", 6, a Period."""
    if isinstance(as_of, (pd.Period, pd.Timestamp)):
        return int(as_of.year), int(as_of.month)
    if isinstance(as_of, (int, np.integer)) and not isinstance(as_of, bool):
        year, month = None, int(as_of)
    else:
        m = _AS_OF.match(str(as_of)) if isinstance(as_of, str) else None
        if not m:
            raise InputError("监控时点格式不对 (bad as-of date)", where=Location(path="as_of"),
                             expected="年-月，如 2021-06（或 2021年6月）", found=as_of)
        year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        raise InputError("监控时点的月份须为 1–12 (month must be 1–12)", where=Location(path="as_of"),
                         expected="1–12 月，如 2021-06", found=as_of)
    return year, month


def _read(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    from ..datasets import read_table

    frame = read_table(path)
    missing = [c for c in required if c not in frame]
    if missing:
        raise InputError("缺少必需列 (missing columns)", where=Location(file=str(path), row=1),
                         expected=", ".join(required), found=",".join(map(str, frame.columns)))
    if "project_id" in frame:
        frame["project_id"] = frame["project_id"].astype(str)
    return frame


def extras(data_dir) -> dict:
    """The optional ``monitoring/`` files of a data folder: {"direct_funds", "history_payments",
    "history_budgets", "midyear"} → frames, None where a file is absent."""
    base = Path(data_dir) / FOLDER
    need = {"direct_funds": ("project_id", "direct_funds"),
            "history_payments": ("year", "project_id", "month", "amount"),
            "history_budgets": ("year", "project_id", "budget"),
            "midyear": ("project_id", "month", "completion")}
    return {k: _read(base / FILES[k], cols) if (base / FILES[k]).is_file() else None for k, cols in need.items()}


def bureau_schedule(data_dir) -> tuple[float, ...] | None:
    """The bureau's own cumulative 序时进度 from ``monitoring/schedule.csv``, or None without the file.

    Columns ``month`` (1–12, each once, any order) and ``share`` (the cumulative share of the year at
    the month end: 0.5, "50%" or "５０％"), never falling, above 0, December at most 100 %. Every bad
    cell is an error naming file, line and column with the cell as typed; nothing is filled in.
    """
    path = Path(data_dir) / FOLDER / FILES["schedule"]
    if not path.is_file():
        return None
    text, _ = read_csv_text(path, name=str(path))
    try:  # blank lines kept, so that an error names the line the user sees
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False).fillna("")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise InputError(f"无法解析 csv 文件 (cannot parse csv)：{exc}", where=Location(file=str(path)),
                         expected="首行为列名 month,share 的表") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    if not {"month", "share"} <= set(raw.columns):
        raise InputError("缺少必需列 (missing columns)", where=Location(file=str(path), row=1),
                         expected="month, share", found=",".join(raw.columns))
    typed = raw[["month", "share"]]
    cells = typed.apply(lambda col: col.str.translate(_FULLWIDTH).str.strip())
    kept = (cells != "").any(axis=1).to_numpy()
    lines = np.flatnonzero(kept) + 2  # header on line 1
    typed, cells = typed[kept], cells[kept]
    months = pd.to_numeric(cells["month"], errors="coerce").to_numpy()
    percent = cells["share"].str.endswith("%").to_numpy()
    number = cells["share"].where(~percent, cells["share"].str[:-1].str.strip())  # exactly one "%"
    shares = pd.to_numeric(number, errors="coerce").to_numpy() / np.where(percent, 100.0, 1.0)

    def bad(position: int, column: str, message: str, expected: str, found=None):
        cell = typed[column].iloc[position]
        raise InputError(message, where=Location(file=str(path), row=int(lines[position]), column=column),
                         expected=expected, found=found if found is not None else (cell or "（空白）"))

    for column, wrong, expected in (("month", ~np.isin(months, np.arange(1, 13)), "1–12 的整数月份"),
                                    ("share", ~np.isfinite(shares) | (shares <= 0), "大于 0 的累计序时进度，如 0.5 或 50%")):
        if wrong.any():
            bad(int(np.flatnonzero(wrong)[0]), column, "序时进度表有误 (bad schedule)", expected)
    if sorted(months.astype(int)) != list(range(1, 13)):
        raise InputError("序时进度表须 1–12 月各一行 (one row for each month)",
                         where=Location(file=str(path), column="month"), expected="1–12 月各一行",
                         found="、".join(str(int(m)) for m in months))
    order = np.argsort(months, kind="stable")
    ordered = shares[order]
    falls = np.flatnonzero(ordered[1:] < ordered[:-1])
    if falls.size:
        month = int(falls[0]) + 2
        earlier = typed["share"].iloc[order[month - 2]]
        bad(int(order[month - 1]), "share", "序时进度须逐月不减 (the schedule must not fall)",
            f"不小于{month - 1}月的 {earlier}", f"{month}月 {typed['share'].iloc[order[month - 1]]}")
    if not compare.le(ordered[-1], 1.0):
        bad(int(order[-1]), "share", "12月的序时进度不能超过 100% (December at most 100 %)", "≤ 1 或 ≤ 100%",
            f"12月 {typed['share'].iloc[order[-1]]}")
    return tuple(float(x) for x in ordered)


def with_direct_funds(projects: pd.DataFrame, direct: pd.DataFrame | None) -> pd.DataFrame:
    """``projects`` with a ``direct_funds`` column from ``monitoring/direct_funds.csv`` (absent → false)."""
    if direct is None or "direct_funds" in projects:
        return projects
    flag = pd.Series(flags(direct, "direct_funds", file=f"{FOLDER}/{FILES['direct_funds']}"),
                     index=direct["project_id"].astype(str).to_numpy())
    flag = flag[~flag.index.duplicated()]
    out = projects.copy()
    out["direct_funds"] = out["project_id"].astype(str).map(flag).astype("boolean").fillna(False).astype(bool)
    return out


def labels(projects: pd.DataFrame, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(project names, departments) as text: a blank name shows the project code, a blank department
    "（未填主管部门）" — never "nan"."""
    info = projects.reset_index(drop=True)

    def text(column, fallback):
        if column not in info:
            return np.asarray(fallback, dtype=object)
        col = info[column]
        blank = col.isna() | (col.astype(str).str.strip() == "")
        return np.where(blank.to_numpy(), fallback, col.astype(str).to_numpy()).astype(object)

    return text("project_name", ids), text("department", np.full(len(ids), "（未填主管部门）", dtype=object))
