"""``perfeval annual --data DIR --out DIR``: the city's annual report on its performance work.

Runs ``notebooks/annual_report.ipynb`` (content from :mod:`perfeval.outline.annual`: the seed's
《预算绩效管理工作开展情况说明》 with every number computed from the data folder) with the batch
machinery, so the page is byte-identical to the one ``perfeval batch --kind annual`` makes, and
writes it with ``index.html`` and ``manifest.json`` into ``--out``.
"""
from __future__ import annotations


def cmd_annual(args) -> int:
    from .batch import build_tasks, data_folder, run_tasks

    data = data_folder(args.data)
    tasks = build_tasks(data, kind="annual", year=args.year)
    code = run_tasks(tasks, args)
    if code == 0:
        print(f"已生成工作开展情况说明：{args.out}/reports/{tasks[0].file_stem}.html")
    return code


def register(subparsers) -> None:
    """Add ``annual`` to the ``perfeval`` command's subparsers."""
    a = subparsers.add_parser("annual", help="全市预算绩效管理工作开展情况说明（年度报告，数字均由数据计算）(annual report)")
    a.add_argument("--data", required=True, metavar="DIR", help="数据目录（含 projects.csv）")
    a.add_argument("--out", required=True, metavar="DIR", help="报告输出目录（含 index.html）")
    a.add_argument("--year", type=int, help="预算年度（默认从自评表中读取）")
    a.add_argument("--format", default="html", metavar="html,pdf", help="输出格式 (default html)")
    a.set_defaults(func=cmd_annual, jobs=1)


__all__ = ["cmd_annual", "register"]
