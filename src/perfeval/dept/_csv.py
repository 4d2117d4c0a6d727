"""Reading the department CSVs (units.csv, dept_basic.csv): UTF-8 (with or without BOM) or GB18030, all
cells as text first, so each checker names the bad cell itself; and the shared "missing column" error."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import InputError, Location

ENCODINGS = ("utf-8-sig", "gb18030")


def read_text_csv(path: str | Path) -> pd.DataFrame:
    """The CSV with every cell as text (blank → NaN); an InputError when it cannot be decoded."""
    path = Path(path)
    if not path.is_file():
        raise InputError("文件不存在 (file not found)", where=Location(file=str(path)))
    for enc in ENCODINGS:
        try:
            return pd.read_csv(path, dtype=str, encoding=enc, keep_default_na=False, na_values=[""])
        except UnicodeDecodeError:
            continue
    raise InputError("无法识别文件编码 (cannot decode)", where=Location(file=str(path)),
                     expected="UTF-8 或 GB18030")


def require_columns(frame: pd.DataFrame, required, file: str) -> None:
    """InputError naming the first missing column (and the columns found)."""
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(f"缺少列 {'、'.join(missing)} (missing column)", where=Location(file=file, column=missing[0]),
                         expected="、".join(required), found="、".join(map(str, frame.columns)))
