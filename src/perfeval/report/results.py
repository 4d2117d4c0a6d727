"""How a report notebook hands its result (total, grade, …) back to the batch.

Inside the notebook: ``emit_result(total=87.5, grade="良")`` displays a raw output of MIME type
``application/vnd.perfeval.result+json``. Front ends ignore the unknown type, the HTML export shows
nothing for it, and the batch reads it back from the executed notebook into the manifest. No extra
dependency (scrapbook would pull in pyarrow) and no side file.
"""
from __future__ import annotations

import json
import math
from typing import Any

from ..errors import InputError, Location

RESULT_MIME = "application/vnd.perfeval.result+json"


def _plain(value: Any, path: str) -> Any:
    """Turn numpy/pandas scalars into JSON types; NaN and missing become None."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise InputError("结果字段的键必须是字符串 (result keys must be strings)",
                                 where=Location(path=path), expected="str", found=key)
            out[key] = _plain(item, f"{path}.{key}")
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(item, f"{path}[{i}]") for i, item in enumerate(value)]
    item = getattr(value, "item", None)  # numpy scalar
    if callable(item) and getattr(value, "ndim", 0) == 0:
        return _plain(item(), path)
    try:  # pandas NA / NaT
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError, ImportError):
        pass
    raise InputError("结果字段只能是数字、字符串、布尔值、None 或它们的列表/字典 "
                     "(result fields must be JSON-shaped)",
                     where=Location(path=path), expected="JSON 值", found=type(value).__name__)


def emit_result(**fields: Any) -> None:
    """Report this notebook's result to the batch (call once, near the end of the notebook).

    Typical fields: ``total``, ``grade``, ``project_name``. Values must be JSON-shaped; numpy and
    pandas scalars are converted, NaN becomes None. Returns None, so that a call on the last line
    of a cell shows nothing in the report.
    """
    clean = _plain(fields, "result")
    json.dumps(clean, allow_nan=False)
    try:
        from IPython.display import display
    except ImportError:  # outside IPython there is nobody to tell
        return None
    display({RESULT_MIME: clean}, raw=True)
    return None


def read_result(nb) -> dict:
    """The fields a notebook emitted (merged in order, later ones win); {} if none."""
    merged: dict = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = output.get("data") if output.get("output_type") in ("display_data", "execute_result") else None
            if data and RESULT_MIME in data:
                payload = data[RESULT_MIME]
                if isinstance(payload, str):  # some writers store JSON MIME data as text
                    payload = json.loads(payload)
                if isinstance(payload, dict):
                    merged.update(payload)
    return merged
