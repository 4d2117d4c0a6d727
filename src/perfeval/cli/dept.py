"""``perfeval dept --data DIR --out DIR``: the department-overall evaluation of a city year (issue 19).

Reads ``units.csv``, ``dept_basic.csv`` and ``dept_rows.csv`` (the ``dept`` stage of the registry), prints the
departments' ranking, and writes one report per department (``notebooks/dept_report.ipynb``) and the city
comparison (``dept_summary.ipynb``) with the batch machinery — byte-identical to ``perfeval batch --kind dept`` —
with ``index.html`` and ``manifest.json`` into ``--out``. ``--departments`` makes only some of them.
"""
from __future__ import annotations


def _print_ranking(data) -> None:
    from ..outline.dept import load_city, ranking_table

    city = load_city(data)
    table = ranking_table(city)
    print(f"{city.year} 年度部门整体支出绩效排名（合并评价；共 {len(table)} 个部门）")
    print(table[["排名", "部门", "合并评价得分", "等级", "单位加权平均", "两口径等级不同", "未交自评表单位"]].to_string(index=False))


def cmd_dept(args) -> int:
    from .batch import build_tasks, data_folder, run_tasks

    from ..city import registry
    from ..errors import InputError, Location

    data = data_folder(args.data)
    needs = [registry.input_spec(k).path for k in registry.stage("dept").needs]
    absent = [n for n in needs if not (data / n).is_file()]
    if absent:
        raise InputError("数据目录缺少部门整体评价所需的文件 (missing department files)：" + "、".join(absent),
                         where=Location(file=str(data)), expected="、".join(needs))
    chosen = [d.strip() for d in args.departments.split(",") if d.strip()] if args.departments else None
    tasks = build_tasks(data, kind="dept", departments=chosen, portfolio=not args.no_summary)
    _print_ranking(data)
    code = run_tasks(tasks, args)
    if code == 0:
        print(f"已生成部门整体支出绩效报告 {sum(t.kind == 'dept' for t in tasks)} 份：{args.out}/index.html")
    return code


def register(subparsers) -> None:
    """Add ``dept`` to the ``perfeval`` command's subparsers."""
    from .._argtypes import positive_int

    a = subparsers.add_parser("dept", help="部门整体支出绩效评价：各部门报告与全市对比 (department-overall reports)")
    a.add_argument("--data", required=True, metavar="DIR", help="数据目录（含 units.csv、dept_basic.csv、dept_rows.csv）")
    a.add_argument("--out", required=True, metavar="DIR", help="报告输出目录（含 index.html）")
    a.add_argument("--departments", metavar="ID,ID,…", help="只生成这些部门（逗号分隔的部门编码）")
    a.add_argument("--no-summary", action="store_true", help="不生成全市部门对比报告")
    a.add_argument("--jobs", type=positive_int, default=1, metavar="N", help="并行进程数 (default 1)")
    a.add_argument("--format", default="html", metavar="html,pdf", help="输出格式 (default html)")
    a.set_defaults(func=cmd_dept)


__all__ = ["cmd_dept", "register"]
