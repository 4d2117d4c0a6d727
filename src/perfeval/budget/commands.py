"""``perfeval prioritise --data DIR [--cap AMOUNT] [--xlsx OUT]``: rank next year's requests under a cap.

Assembles the candidates from the data folder (ex-ante conclusions, target-review grades, last
year's grades), ranks and funds them (:func:`perfeval.budget.prioritise`), prints the ranked list
with the funding line and the projects not funded and why; ``--explain`` prints every project's
reason, ``--xlsx`` writes 排序结果 / 逐项说明 / 排序规则. ``--cap`` is in 万元 unless a unit is written
(25000, 25000万元, 2.5亿元); without it the cap of ``next_year/control.csv`` is used.
"""
from __future__ import annotations

from .._argtypes import money_amount

EXIT_OK, EXIT_INPUT = 0, 1


def cmd_prioritise(args) -> int:
    from ..errors import InputError
    from ..report.commands import data_folder
    from ..textable import format_table
    from .candidates import candidates_from_data
    from .priority import PriorityRules, prioritise

    data = data_folder(args.data)
    evidence = candidates_from_data(data, exante_rule=args.exante_rule)
    cap = args.cap if args.cap is not None else evidence.cap
    if cap is None:
        raise InputError("没有资金控制数 (no cap)：请用 --cap 给出，或在 next_year/control.csv 中写明",
                         expected="如 --cap 25000万元")
    result = prioritise(evidence.candidates, cap, PriorityRules(funding=args.funding, skip=args.skip))
    print(f"{evidence.year or ''} 年度项目支出择优排序：{result.summary()}")
    table = result.ranked_table().drop(columns=["项目编码"])
    print(format_table(table, max_width=24))
    gated = result.table[result.table["status"] == "不予安排"]
    rows = result.table if args.explain else gated
    if len(rows):
        print("\n逐项说明：" if args.explain else "\n不予安排的项目：")
        for r in rows.itertuples():
            print(f"  - {r.project_name}：{r.reason}")
    if args.xlsx:
        result.to_xlsx(args.xlsx)
        print(f"\n已写出排序结果工作簿：{args.xlsx}")
    return EXIT_OK


def register(subparsers) -> None:
    """Add ``prioritise`` to the ``perfeval`` command's subparsers."""
    p = subparsers.add_parser("prioritise", help="择优排序：按事前评估、目标审核和上年评价结果在资金控制数内排序安排 (priority ranking)")
    p.add_argument("--data", required=True, metavar="DIR", help="数据目录（含 next_year/requests.csv）")
    p.add_argument("--cap", type=money_amount, metavar="AMOUNT",
                   help="资金控制数：25000 或 25000万元（万元）、2.5亿元；默认读取 next_year/control.csv")
    p.add_argument("--funding", choices=["whole", "partial"], default="whole",
                   help="whole 按排序全额安排至资金控制线（默认）；partial 控制线上的项目以剩余额度部分安排")
    p.add_argument("--skip", action="store_true", help="全额安排时，跳过放不下的项目，继续安排其后金额较小的项目")
    p.add_argument("--exante-rule", choices=["default", "local-60"], default="default", help="事前评估结论规则")
    p.add_argument("--explain", action="store_true", help="逐项打印每个项目排在线上或线下的原因")
    p.add_argument("--xlsx", metavar="OUT", help="写出排序结果工作簿（排序结果、逐项说明、排序规则）")
    p.set_defaults(func=cmd_prioritise)


__all__ = ["cmd_prioritise", "register"]
