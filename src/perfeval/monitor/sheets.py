"""The monitoring workbook: 提醒名单 / 重点关注台账 / 收回建议 / 运行监控 / 双监控 / 监控设置.

Headers are Chinese; a column whose header ends in （万元） holds money in 万元 (number format
``#,##0.00``), one ending in 率/进度/进度比/完成度 a share shown as a percentage (``0.00%``). An
empty list is a sheet with one sentence. Written with the form writer's helpers (text stays text,
fixed timestamps, atomic), so the same data gives the same bytes.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..export import write_sheets
from ..io import _xlsx as X

MONEY = "#,##0.00"
RATE_SUFFIXES = ("率", "进度", "进度比", "完成度", "下限")


def _wan(values) -> np.ndarray:
    return np.round(np.asarray(values, dtype=float) / 1e4, 2)


def _yes(values) -> np.ndarray:
    return np.where(np.asarray(values, dtype=bool), "是", "")


def workbook_frames(led) -> dict:
    """The sheets of a :class:`~perfeval.monitor.ledger.Ledgers` as frames (one sentence where empty)."""
    def note(text):
        return pd.DataFrame({"说明": [text]})

    sheets = {}
    rem = led.reminders
    pending = led.pending("remind")
    sheets["提醒名单"] = note(pending) if pending else note("提醒节点没有列出项目") if rem.empty else pd.DataFrame({
        "节点": rem["month"].astype(str) + "月底", "项目编码": rem["project_id"], "项目名称": rem["project_name"],
        "主管部门": rem["department"], "直达资金": _yes(rem["direct_funds"]), "预算数（万元）": _wan(rem["budget"]),
        "节点累计支付（万元）": _wan(rem["cumulative"]), "节点执行率": rem["rate"], "节点进度比": rem["progress"],
        "进度下限": rem["min_progress"], f"截至{led.month}月底累计支付（万元）": _wan(rem["cumulative_now"]),
        f"截至{led.month}月底执行率": rem["rate_now"], "当前预警": rem["light_now"], "措施": "提醒单位加快资金支付进度"})
    w = led.watch
    pending = led.pending("watch")
    sheets["重点关注台账"] = note(pending) if pending else note(f"{led.node('watch')}月底没有仍未破零的项目") if w.empty else pd.DataFrame({
        "节点": w["month"].astype(str) + "月底", "项目编码": w["project_id"], "项目名称": w["project_name"],
        "主管部门": w["department"], "直达资金": _yes(w["direct_funds"]), "预算数（万元）": _wan(w["budget"]),
        "节点累计支付（万元）": _wan(w["cumulative"]), f"截至{led.month}月底累计支付（万元）": _wan(w["cumulative_now"]),
        f"截至{led.month}月底执行率": w["rate_now"], "预计年底执行率": w["forecast_rate"],
        "措施": "列入重点关注台账；预计年底确无法完成支付的，由财政部门收回统筹"})
    fc = led.forecast
    rec = fc.recovery
    if not fc.proposes_recovery:
        sheets["收回建议"] = note(f"截至{led.label}，尚未到提出收回建议的时点（{fc.settings.recovery_from}月底起）")
    elif rec.empty:
        sheets["收回建议"] = note("没有预计年底执行率明显低于下限的项目，不提出收回建议")
    else:
        sheets["收回建议"] = pd.DataFrame({
            "项目编码": rec["project_id"], "项目名称": rec["project_name"], "主管部门": rec["department"],
            "年初预算数（万元）": _wan(rec["budget"]), f"截至{led.month}月底累计支付（万元）": _wan(rec["spent"]),
            "预计全年支出（万元）": _wan(rec["forecast_spent"]), "预计年底执行率": rec["forecast_rate"],
            "建议收回（万元）": _wan(rec["proposed_recovery"]),
            "收回后预算数（万元）": _wan(rec["budget"] - rec["proposed_recovery"])})
    p = led.status.projects
    sheets["运行监控"] = pd.DataFrame({
        "项目编码": p["project_id"], "项目名称": p["project_name"], "主管部门": p["department"],
        "直达资金": _yes(p["direct_funds"]), "预算数（万元）": _wan(p["budget"]),
        f"截至{led.month}月底累计支付（万元）": _wan(p["spent"]), "执行率": p["rate"], "序时进度": p["time_share"],
        "进度比": p["progress"], "预警": p["light"], "重点监控": p["watch_reason"],
        "预计年底执行率": fc.table["forecast_rate"].to_numpy()})
    d = led.dual.table
    sheets["双监控"] = note(led.dual.summary()) if d.empty else pd.DataFrame({
        "项目编码": d["project_id"], "项目名称": d["project_name"], "主管部门": d["department"],
        "报送月份": d["month"].astype(str) + "月底", "数量指标个数": d["n_targets"], "目标完成度": d["completion"],
        "资金执行率": d["rate"], "是否偏离": _yes(d["diverges"]), "偏离说明": d["reason"]})
    conv = led.conventions()
    sheets["监控设置"] = pd.DataFrame({"设置": list(conv), "取值": [str(v) for v in conv.values()]})
    return sheets


def _number_format(header: str) -> str | None:
    return MONEY if header.endswith("（万元）") else X.RATE_FORMAT if header.endswith(RATE_SUFFIXES) else None


def write_workbook(sheets: dict, path, date: str | None = None) -> Path:
    """Write the sheets to ``path`` (.xlsx), atomically and byte-reproducibly (title 预算执行监控台账)."""
    return write_sheets(path, sheets, number_format=_number_format, title="预算执行监控台账", date=date)


__all__ = ["workbook_frames", "write_workbook"]
