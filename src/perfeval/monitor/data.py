"""The monitoring inputs: a data folder's payments and projects, checked, as a payments matrix.

``load(data_dir)`` reads ``payments.csv`` (``project_id, month, amount``) and ``projects.csv``;
``_payment_matrix`` turns a payments frame and a project frame into (ids, budgets, projects × 12
payments) with every bad cell an InputError naming file, row and column. The optional monitoring
files of a data folder (``monitoring/``: 直达资金 flags, earlier years' payments for the forecast,
mid-year target completion for 双监控) are read by :func:`extras`. ``parse_as_of`` reads a
monitoring date ("2021-06", "2021年6月", 6).
"""
from __future__ import annotations

import io
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Location
from ..io._grid import read_csv_text

FOLDER = "monitoring"
FILES = {"direct_funds": "direct_funds.csv", "history_payments": "history_payments.csv",
         "history_budgets": "history_budgets.csv", "midyear": "midyear_targets.csv"}


def _payment_matrix(payments: pd.DataFrame, projects: pd.DataFrame, budget_column: str):
    """(ids, budget vector, payments matrix projects × 12) with validation of both frames."""
    for frame, name, cols in ((payments, "payments", ("project_id", "month", "amount")),
                              (projects, "projects", ("project_id", budget_column))):
        if not isinstance(frame, pd.DataFrame):
            raise InputError(f"{name} 须为 DataFrame", found=type(frame).__name__)
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise InputError(f"{name} 缺少必需列 (missing columns)", where=Location(file=name),
                             expected=", ".join(cols), found=f"缺少 {', '.join(missing)}")
    ids = projects["project_id"].astype(str).to_numpy()
    if pd.Index(ids).has_duplicates:
        dup = pd.Index(ids)[pd.Index(ids).duplicated()][0]
        raise InputError("项目清单中项目编码重复 (duplicate project_id)", where=Location(file="projects"), found=dup)
    budget = pd.to_numeric(projects[budget_column], errors="coerce").to_numpy(dtype=float)
    if np.isnan(budget).any() or (budget < 0).any():
        i = int(np.flatnonzero(np.isnan(budget) | (budget < 0))[0])
        raise InputError("预算数须为非负数字 (budget must be a non-negative number)",
                         where=Location(file="projects", row=i + 2, column=budget_column),
                         expected="≥ 0 的金额（元）", found=projects[budget_column].iloc[i])
    month = pd.to_numeric(payments["month"], errors="coerce")
    bad_month = month.isna() | ~month.isin(range(1, 13))
    if bad_month.any():
        i = int(np.flatnonzero(bad_month.to_numpy())[0])
        raise InputError("月份须为 1–12 的整数 (month must be 1–12)",
                         where=Location(file="payments", row=i + 2, column="month"), expected="1–12",
                         found=payments["month"].iloc[i])
    amount = pd.to_numeric(payments["amount"], errors="coerce")
    if amount.isna().any():
        i = int(np.flatnonzero(amount.isna().to_numpy())[0])
        raise InputError("支付金额须为数字 (amount must be a number)",
                         where=Location(file="payments", row=i + 2, column="amount"), expected="金额（元）",
                         found=payments["amount"].iloc[i])
    row = pd.Index(ids).get_indexer(payments["project_id"].astype(str))
    if (row < 0).any():
        i = int(np.flatnonzero(row < 0)[0])
        raise InputError("支付记录的项目不在项目清单中 (payment for an unknown project)",
                         where=Location(file="payments", row=i + 2, column="project_id"),
                         expected="项目清单中的项目编码", found=payments["project_id"].iloc[i])
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
            frames.append(pd.read_csv(io.StringIO(text), dtype={"project_id": str}))
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            raise InputError("无法读取为 CSV (cannot parse CSV)", where=Location(file=str(path)),
                             expected="逗号分隔、首行为列名的表", found=str(exc)) from None
    return frames[0], frames[1]


