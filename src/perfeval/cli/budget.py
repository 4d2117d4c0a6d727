"""``perfeval prioritise`` (rank next year's requests under a cap) and ``perfeval apply-results``
(this year's grades applied to next year's budget, 评价结果应用).

Both print views of one ledger, :func:`perfeval.budget.decisions_from_data` (ex-ante conclusions,
target-review grades, last grades, money recovered, the cap): ``prioritise`` the ranking of next
year's requests — the ranked list with the funding line, the projects not funded or returned for
revision and why; ``--explain`` prints every project's
reason, ``--xlsx`` writes 排序结果 / 逐项说明 / 排序规则. ``--cap`` is in 万元 unless a unit is written
(25000, 25000万元, 2.5亿元); without it the cap of ``next_year/control.csv`` is used.

``apply-results --data DIR [--xlsx OUT] [--notice-date D] [--cut-share 10]`` prints this year's projects:
the counts and money per decision, the projects cut, stopped, not funded or returned for revision and why; ``--xlsx`` writes 结果应用 / 处理汇总 / 应用规则
(the workbook ``perfeval batch`` also writes into its output folder as ``结果应用.xlsx``).
"""
from __future__ import annotations

import sys

from .._argtypes import money_amount

EXIT_OK, EXIT_INPUT = 0, 1


def cmd_prioritise(args) -> int:
    from .. import datasets
    from ..errors import InputError
    from .batch import data_folder
    from ..textable import format_table
    from ..budget.decisions import DecisionRules, decisions_from_data
    from ..budget.priority import PriorityRules

    data = data_folder(args.data)
    if args.cap is None and datasets.next_year_cap(data) is None:
        raise InputError("没有资金控制数 (no cap)：请用 --cap 给出，或在 next_year/control.csv 中写明",
                         expected="如 --cap 25000万元")
    rules = DecisionRules(priority=PriorityRules(funding=args.funding, skip=args.skip))
    decisions = decisions_from_data(data, rules=rules, cap=args.cap, exante_rule=args.exante_rule)
    result, evidence = decisions.priority, decisions.evidence
    if result is None:
        raise InputError("没有下一年度预算申请 (no requests)", expected="数据目录中的 next_year/requests.csv")
    print(f"{evidence.year or ''} 年度项目支出择优排序：{result.summary()}")
    table = result.ranked_table().drop(columns=["项目编码"])
    print(format_table(table, max_width=24))
    gated = result.table[result.table["rank"].isna()]
    rows = result.table if args.explain else gated
    if len(rows):
        print("\n逐项说明：" if args.explain else "\n不予安排、取消或暂停、退回修改的项目：")
        for r in rows.itertuples():
            print(f"  - {r.project_name}：{r.reason}")
    if args.xlsx:
        result.to_xlsx(args.xlsx, date=_report_date(data))
        print(f"\n已写出排序结果工作簿：{args.xlsx}")
    return EXIT_OK


def _report_date(data) -> str | None:
    """The report date of the folder's settings in Chinese (None when not set): a workbook's date line."""
    from ..settings import load

    return load(data).date_text


def cmd_apply_results(args) -> int:
    from .batch import data_folder
    from ..textable import format_table
    from ..budget.apply import ApplyRules
    from ..budget.decisions import DecisionRules, decisions_from_data

    data = data_folder(args.data)
    rules = ApplyRules(cut_share=-abs(args.cut_share) / 100, notice_date=args.notice_date,
                       key_precedence=not args.self_grades)
    decisions = decisions_from_data(data, rules=DecisionRules(apply=rules))
    applied = decisions.applied()
    print(f"评价结果应用：{len(applied.table)} 个项目；{rules.describe()['评价等级与处理']}")
    print(f"决定规则顺序：{decisions.conventions()['决定规则顺序']}")
    ungraded = int((applied.table["grade_used"].isna()).sum())
    if not _has_self_evaluations(data):
        print(f"提示：数据目录中没有单位自评（self_evaluation/ 或 forms/），是否开展自评未知，不按“未开展自评”的硬性规则处理；"
              f"{ungraded} 个没有重点评价的项目未定级，按未定级规则处理。", file=sys.stderr)
    print(format_table(applied.summary_table(), max_width=24))
    hit = applied.table[applied.table["action_code"].isin(["cut", "stop", "none", "revise"])]
    if len(hit):
        print("\n压减、取消或暂停、不予安排、退回修改的项目：")
        for r in hit.itertuples():
            print(f"  - {r.project_name}（{r.project_id}）：{r.reason}")
    else:
        print("\n没有压减、取消或暂停、不予安排、退回修改的项目。")
    if args.xlsx:
        applied.to_xlsx(args.xlsx, date=_report_date(data))
        print(f"\n已写出结果应用工作簿：{args.xlsx}")
    return EXIT_OK


def _has_self_evaluations(data) -> bool:
    from ..datasets import has_self_evaluations

    return has_self_evaluations(data)


def _percent(text: str) -> float:
    import argparse

    try:
        value = float(str(text).rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为百分数，如 10 或 10%：{text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"压减比例须在 0 到 100 之间：{text!r}")
    return value


def _date(text: str) -> str:
    import argparse
    import datetime as dt

    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为日期，如 2022-06-30：{text!r}") from None


def register(subparsers) -> None:
    """Add ``prioritise`` and ``apply-results`` to the ``perfeval`` command's subparsers."""
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

    a = subparsers.add_parser("apply-results", help="评价结果应用：按本年度评价等级提出下一年度预算处理意见 (results applied)")
    a.add_argument("--data", required=True, metavar="DIR", help="数据目录（含 projects.csv、自评与重点评价数据）")
    a.add_argument("--xlsx", metavar="OUT", help="写出结果应用工作簿（结果应用、处理汇总、应用规则）")
    a.add_argument("--notice-date", type=_date, metavar="YYYY-MM-DD", help="评价结果通知日期；给出时计算反馈和整改计划的截止日期")
    a.add_argument("--cut-share", type=_percent, default=10.0, metavar="PCT", help="“中”等级压减比例（%%，默认 10）")
    a.add_argument("--self-grades", action="store_true", help="一律采用单位自评等级（默认有重点评价的以重点评价为准）")
    a.set_defaults(func=cmd_apply_results)


__all__ = ["cmd_apply_results", "cmd_prioritise", "register"]
