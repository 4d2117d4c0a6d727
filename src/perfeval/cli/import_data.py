"""``perfeval import payments|panel-scores|exante-scores|declarations``: a bureau's own lists into its data folder.

:func:`add_subcommands` adds these subcommands to the ``perfeval import`` parser (the one that also holds
``import forms``). Every import says what it read, what it wrote and what it left out; nothing is dropped
silently. Exit status: 0 every row was taken, 1 some rows or files were not (the file is still written with
the others, and the report says so) or the input could not be read, 2 wrong usage (a bad ``--map``, no
budget year, no projects.csv).
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..errors import PerfevalError

EXIT_OK, EXIT_SOME, EXIT_USAGE = 0, 1, 3  # 3 = usage, as every perfeval command (2 means "not graded")
SHOWN = 30  # rows of a left-out list printed (all of them are in the csv)
EXIT_HELP = ("退出码 (exit status)：\n  0 全部导入\n  1 有行或文件未导入（其余照常写出，原因见列表与 csv），或文件无法读取\n"
             "  3 用法错误（--map 写法不对、不知道预算年度、找不到项目清单等）")


def _table(frame, labels: dict[str, str]) -> str:
    from ..textable import format_table

    shown = frame.head(SHOWN)[list(labels)].rename(columns=labels)
    more = f"\n  …… 另有 {len(frame) - SHOWN} 行，见 csv 文件" if len(frame) > SHOWN else ""
    return "  " + format_table(shown.astype(str), max_width=24).replace("\n", "\n  ") + more


def cmd_payments(args) -> int:
    from ..monitor import treasury

    try:
        mapping = treasury.parse_mapping(args.map)
    except PerfevalError as exc:
        print(f"错误 (error)：{exc}", file=sys.stderr)
        return EXIT_USAGE
    data = Path(args.data)
    if not (data / "projects.csv").is_file() or (args.year is None and _no_year(data)):
        what = "找不到项目清单 projects.csv（先运行 perfeval init 与 perfeval import forms）" \
            if not (data / "projects.csv").is_file() else "不知道预算年度：在 city.yaml 中写 year: 2021，或加 --year 2021"
        print(f"错误 (error)：{data}：{what}", file=sys.stderr)
        return EXIT_USAGE
    try:
        result = treasury.import_payments(args.files, data, year=args.year, mapping=mapping)
    except PerfevalError as exc:
        print(f"错误 (error)：{exc}\n未写出 payments.csv。", file=sys.stderr)
        return EXIT_SOME
    before = (data / "payments.csv").read_bytes() if (data / "payments.csv").is_file() else None
    target, other = treasury.write(result, data)
    for note in result.notes:
        print(f"说明：{note}")
    changed = "（内容未变）" if before == target.read_bytes() else "（已替换原有文件）" if before is not None else ""
    print(f"{result.year} 年支付明细 {result.n_rows} 行：计入 {result.n_counted} 行"
          + (f"（其中 {result.n_by_name} 行按项目名称匹配）" if result.n_by_name else "")
          + f"，覆盖 1–{result.months} 月；已写出 {target}{changed}，共 {len(result.payments)} 行（项目 × 月，元）。")
    if result.zero_projects:
        print(f"项目清单中 {len(result.zero_projects)} 个项目在这份明细中没有支付，按 1–{result.months} 月每月 0 元写入"
              "（明细覆盖了这些项目；若明细只含部分项目，请勿据此判断未支付）：" + "、".join(result.zero_projects[:SHOWN])
              + ("……" if len(result.zero_projects) > SHOWN else ""))
    if len(result.refunds):
        total = result.refunds["amount"].sum()
        print(f"\n退款/冲销（负数金额）{len(result.refunds)} 笔，合计 {total:,.2f} 元，已计入当月支付 (refunds, counted)：")
        print(_table(result.refunds, {"file": "文件", "row": "行", "date": "日期", "project_id": "项目编码",
                                      "amount": "金额（元）"}))
    if result.excluded.empty:
        print("全部支付均已计入。")
        return EXIT_OK
    counts = result.excluded["reason"].value_counts()
    print(f"\n未计入 {len(result.excluded)} 行（" + "，".join(f"{k} {v} 行" for k, v in counts.items())
          + f"），全部列于 {other}：", file=sys.stderr)
    print(_table(result.excluded, {"file": "文件", "sheet": "工作表", "row": "行", "column": "列", "reason": "原因",
                                   "value": "原值", "amount": "金额（元）"}), file=sys.stderr)
    print(f"payments.csv 只含已计入的 {result.n_counted} 行；请核对上列各行后重新导入。", file=sys.stderr)
    return EXIT_SOME


def _no_year(data: Path) -> bool:
    from .. import settings

    try:
        return settings.load(data).year is None
    except PerfevalError:
        return False  # the import reports the bad city.yaml


def cmd_inputs(args) -> int:
    from ..city import inputs_import

    try:
        result = inputs_import.IMPORTS[args.import_kind](args.files, Path(args.data))
    except PerfevalError as exc:
        print(f"错误 (error)：{exc}\n未写出任何文件。", file=sys.stderr)
        return EXIT_SOME
    for note in result.notes:
        print(f"说明：{note}")
    for path in result.written:
        print(f"已写出 {path}")
    if result.refused:
        print(f"\n未导入 {len(result.refused)} 项 (refused)：", file=sys.stderr)
        for where, why in result.refused:
            print(f"  - {where}：{why}", file=sys.stderr)
        return EXIT_SOME
    return EXIT_OK


def add_subcommands(sub) -> None:
    """Add ``payments``, ``panel-scores``, ``exante-scores`` and ``declarations`` to the ``import`` subparsers."""
    import argparse

    fmt = argparse.RawDescriptionHelpFormatter
    p = sub.add_parser("payments", help="导入国库集中支付明细，按项目、月份汇总为 payments.csv (treasury payments)",
                       description="读取国库集中支付明细（Excel 或 csv，UTF-8/GBK），按项目编码（其次项目名称）匹配项目清单，"
                                   "按项目、月份汇总为 payments.csv（元）；未匹配、不在预算年度、日期或金额无法识别的行"
                                   "列于 payments_unmatched.csv，退款（负数）照常计入并列出。",
                       epilog=EXIT_HELP, formatter_class=fmt)
    p.add_argument("files", nargs="+", metavar="FILE", help="支付明细文件 (.xlsx / .xls / .et / .ods / .csv)")
    p.add_argument("--data", required=True, metavar="DIR", help="数据目录（含 projects.csv）")
    p.add_argument("--map", action="append", default=[], metavar="列名=字段",
                   help="指定列的含义：字段为 date、project_code、project_name、amount、unit，如 --map 凭证日期=date")
    p.add_argument("--year", type=int, help="预算年度（默认取 city.yaml 的 year）")
    p.set_defaults(func=cmd_payments)
    helps = {"panel-scores": "导入重点评价专家评分表（长表或每位专家一列）→ key_evaluation/panel_scores.csv",
             "exante-scores": "导入事前评估专家评分表（长表或每位专家一列）→ exante/scores.csv",
             "declarations": "导入下一年度绩效目标申报表 → next_year/declarations/<项目编码>.xlsx"}
    for name, text in helps.items():
        q = sub.add_parser(name, help=text, description=text, epilog=EXIT_HELP, formatter_class=fmt)
        q.add_argument("files", nargs="+", metavar="FILE", help="文件 (.xlsx / .xls / .et / .ods / .csv"
                       + (" / .docx / .html）" if name == "declarations" else "）"))
        q.add_argument("--data", required=True, metavar="DIR", help="数据目录")
        q.set_defaults(func=cmd_inputs, import_kind=name)


__all__ = ["add_subcommands", "cmd_inputs", "cmd_payments"]
