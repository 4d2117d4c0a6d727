"""``perfeval monitor --data DIR --as-of 2021-06 [--xlsx ledger.xlsx]``: monitoring at a month end.

Prints a short Chinese summary — lights, the reminder list, the watch ledger, the forecast and the
recovery proposals, 双监控 — and with ``--xlsx`` writes the workbook (提醒名单 / 重点关注台账 /
收回建议 / 运行监控 / 双监控 / 监控设置). A malformed ``--as-of`` is a usage error (exit 3, like
every perfeval usage error); unreadable data exits 1 with the file, row and column.
"""
from __future__ import annotations

import argparse

EXIT_OK = 0


def as_of_month(text: str) -> str:
    """argparse type of --as-of: "2021-06", "2021-6", "2021年6月"."""
    from ..errors import InputError
    from ..monitor.data import parse_as_of

    try:
        year, _ = parse_as_of(text)
    except InputError:
        raise argparse.ArgumentTypeError(f"应为监控时点“年-月”，如 2021-06（月份 1–12）：{text!r}") from None
    if year is None:
        raise argparse.ArgumentTypeError(f"应为监控时点“年-月”，如 2021-06：{text!r}")
    return text


def cmd_monitor(args) -> int:
    from .batch import data_folder
    from ..textable import format_table
    from ..monitor.ledger import at

    if args.xlsx:
        check_xlsx_path(args.xlsx)
    led = at(data_folder(args.data), args.as_of)
    print(f"绩效运行监控（{led.label}）")
    for line in led.summary_lines():
        print(f"  {line}")
    counts = led.status.light_counts("department")
    counts = counts[(counts.get("红灯", 0) > 0) | (counts.get("黄灯", 0) > 0)] if len(counts) else counts
    if len(counts):
        print("\n有红灯、黄灯项目的部门：")
        print(format_table(counts.reset_index().rename(columns={"department": "主管部门"}), max_width=24))
    for title, frame, cols in (("提醒名单", led.reminders, ("project_name", "department", "rate", "progress")),
                               ("重点关注台账", led.watch, ("project_name", "department", "cumulative_now"))):
        if len(frame):
            print(f"\n{title}（{len(frame)} 个项目）：")
            for r in frame.itertuples():
                extra = (f"{r.month}月底执行率 {r.rate:.2%}，进度比 {r.progress:.2%}" if title == "提醒名单" else
                         f"截至{led.month}月底累计支付 {r.cumulative_now / 1e4:,.2f} 万元")
                print(f"  - {r.project_name}（{r.department}）：{extra}")
    rec = led.forecast.recovery
    if led.forecast.proposes_recovery and len(rec):
        print(f"\n收回建议（{len(rec)} 个项目，共 {rec['proposed_recovery'].sum() / 1e4:,.2f} 万元）：")
        for r in rec.itertuples():
            print(f"  - {r.project_name}：预计年底执行率 {r.forecast_rate:.2%}，建议收回 {r.proposed_recovery / 1e4:,.2f} 万元")
    bt = led.backtest
    if bt is None:
        print(f"\n预测回测：{led.backtest_note}。")
    else:
        print(f"\n预测回测（{'本年度实际年底执行率' if led.last_month >= 12 else '历史年度逐年回测'}，平均绝对误差）："
              + "；".join(f"{m}月底 {bt.mae(m):.2%}" for m in sorted(set(bt.table["month"]))))
    if led.recovery_note:
        print(f"收回建议{led.recovery_note}。" if led.recovery_check is not None else f"{led.recovery_note}。")
    if args.xlsx:
        led.to_xlsx(args.xlsx)
        print(f"\n已写出监控台账工作簿：{args.xlsx}")
    return EXIT_OK


def check_xlsx_path(path) -> None:
    """--xlsx must name a .xlsx file (not a folder, not another suffix), in a folder that exists."""
    from pathlib import Path

    from ..errors import InputError, Location

    p = Path(path)
    if p.is_dir() or p.suffix.lower() != ".xlsx":
        raise InputError("--xlsx 应为 .xlsx 文件路径 (a .xlsx file path is expected)", where=Location(path="--xlsx"),
                         expected="如 监控台账.xlsx", found=f"{path}（{'是文件夹' if p.is_dir() else '不是 .xlsx 文件'}）")
    if not p.parent.is_dir():
        raise InputError("--xlsx 所在文件夹不存在 (folder not found)", where=Location(path="--xlsx"),
                         expected="已存在的文件夹中的 .xlsx 文件", found=str(p.parent))


def register(subparsers) -> None:
    """Add ``monitor`` to the ``perfeval`` command's subparsers."""
    p = subparsers.add_parser("monitor", help="绩效运行监控：预警灯、提醒名单、重点关注台账、年底预测与收回建议、双监控")
    p.add_argument("--data", required=True, metavar="DIR", help="数据目录（含 payments.csv、projects.csv，可选 monitoring/）")
    p.add_argument("--as-of", required=True, type=as_of_month, metavar="YYYY-MM", help="监控时点（月底），如 2021-06")
    p.add_argument("--xlsx", metavar="OUT", help="写出监控台账工作簿（提醒名单、重点关注台账、收回建议、运行监控、双监控、监控设置）")
    p.set_defaults(func=cmd_monitor)


__all__ = ["as_of_month", "check_xlsx_path", "cmd_monitor", "register"]
