"""``perfeval exante``: assess every candidate of a data folder and write their reports with an index.

Prints the conclusions (total, conclusion, weak dimensions, suggested amount) under the chosen
method and rule, optionally writes them to a workbook (``--xlsx``), then makes one ex-ante report
per candidate with the batch machinery (``notebooks/exante_report.ipynb``) into ``--out``, with
``index.html`` and ``manifest.json``. ``register(subparsers)`` adds the command to the CLI.
"""
from __future__ import annotations

import os

from .._argtypes import positive_int

EXIT_OK = 0


def cmd_exante(args) -> int:
    from ..export import write_sheets
    from ..display import chinese
    from .batch import build_tasks, data_folder, run_tasks
    from ..textable import format_table
    from ..exante.assessment import assess

    data = data_folder(args.data)
    result = assess(data, method=args.method, thresholds=args.rule)
    print(f"事前绩效评估：{len(result.totals)} 个候选项目；{result.rule.title}；"
          f"专家分合成：{chinese(result.conventions['专家分合成 (panel aggregation)'])}")
    table = result.to_frame()
    print(format_table(table.assign(总分=table["总分"].map(lambda v: f"{v:.2f}")), max_width=30))
    if args.xlsx:
        from ..settings import load

        dims = result.dimensions.rename(columns={"project_id": "项目编码", "dimension": "评估维度", "points": "分值",
                                                 "score": "得分", "rate": "得分率", "weak": "薄弱维度"})
        write_sheets(args.xlsx, {"评估结论": table, "维度得分": dims.drop(columns="code"),
                                 "评估约定": _conventions(result)}, title="事前绩效评估结论",
                    date=load(data).date_text)
        print(f"已写出 Excel：{args.xlsx}")
    projects = [p.strip() for p in args.projects.split(",") if p.strip()] if args.projects else None
    tasks = build_tasks(data, kind="exante", projects=projects, portfolio=False, exante_method=args.method,
                        exante_rule=args.rule)
    return run_tasks(tasks, args)


def _conventions(result):
    import pandas as pd

    from ..display import chinese

    return pd.DataFrame({"约定": [chinese(k) for k in result.conventions],
                         "取值": [chinese(v) for v in result.conventions.values()]})


def register(subparsers) -> None:
    """Add ``exante`` to the ``perfeval`` command's subparsers."""
    e = subparsers.add_parser("exante", help="事前绩效评估：全部候选项目的评估结论和报告 (ex-ante assessment)")
    e.add_argument("--data", required=True, metavar="DIR", help="数据目录（含 exante/candidates.csv、scores.csv）")
    e.add_argument("--out", required=True, metavar="DIR", help="报告输出目录（含 index.html）")
    e.add_argument("--method", choices=["mean", "trimmed", "median"], default="mean",
                   help="专家分合成：mean 算术平均（默认）、trimmed 去掉一个最高分和一个最低分、median 中位数")
    e.add_argument("--rule", choices=["default", "local-60"], default="default",
                   help="结论规则：default ≥80 予以支持、60–80 部分支持、<60 不予支持（默认）；local-60 >60 建议立项、≤60 不予立项")
    e.add_argument("--projects", metavar="ID,ID,…", help="只生成这些候选项目的报告（逗号分隔）")
    e.add_argument("--xlsx", metavar="OUT", help="另写出评估结论工作簿")
    e.add_argument("--jobs", type=positive_int, default=max(1, min(2, os.cpu_count() or 1)), metavar="N",
                   help="并行进程数 (default 2)")
    e.add_argument("--resume", action="store_true", help="只重做失败的和输入有变化的报告")
    e.add_argument("--format", default="html", metavar="html,pdf", help="输出格式 (default html)")
    e.set_defaults(func=cmd_exante)


__all__ = ["cmd_exante", "register"]
