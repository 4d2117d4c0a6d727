"""Module 6 — 用 papermill 生成报告: after running a small batch, read its manifest.json.

The checker reads the manifest of the participant's own output folder (the answer names it) with
:func:`perfeval.report.ledger.load_manifest`, so the numbers are those of their run.
"""
from __future__ import annotations

from pathlib import Path

from ..report.ledger import load_manifest
from .answers import whole
from .registry import exercise


def _counts(folder) -> dict | None:
    manifest = load_manifest(folder)
    if manifest is None:
        return None
    s = manifest["summary"]
    return {"成功": int(s.get("ok", 0)), "失败": int(s.get("failed", 0))}


@exercise("m6-manifest", 6, "读懂批量运行的清单",
          "打开批量运行输出目录中的 manifest.json，数一数成功和失败的报告各有几份：答案写成 "
          "{\"输出目录\": 路径, \"成功\": 数, \"失败\": 数}。",
          placeholder={"输出目录": "", "成功": None, "失败": None},
          solution={"输出目录": "（你的输出目录）", "成功": "manifest['summary']['ok']", "失败": "manifest['summary']['failed']"})
def _manifest(answer, data):
    if not isinstance(answer, dict) or not str(answer.get("输出目录") or "").strip():
        return [], ["请在“输出目录”中写明批量运行的 --out 文件夹。"], []
    folder = Path(str(answer["输出目录"]))
    counts = _counts(folder)
    if counts is None:
        return [], [f"{folder} 中没有可读的 manifest.json：先运行批量生成，再检查输出目录是否写对。"], []
    right, wrong = [], []
    for key, value in counts.items():
        given = answer.get(key)
        if given is None or str(given).strip() == "":
            wrong.append(f"还没有填写“{key}”的份数。")
        elif whole(given) is None:
            wrong.append(f"“{key}”应是一个整数（份数），现在是 {given!r}。")
        elif whole(given) == value:
            right.append(f"{key} {value} 份。")
        else:
            wrong.append(f"“{key}”不是 {given} 份：看 manifest['summary'] 中的计数，或逐条数 manifest['projects'] 中 status 的值"
                         "（ok 为成功，failed 为失败）。")
    return right, wrong, []
