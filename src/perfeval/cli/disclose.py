"""``perfeval disclose --data DIR --out DIR [--year Y]``: write the public tables (绩效信息公开).

Prints the whitelist of public fields (what each table shows and what is never published), then
writes ``index.html`` and, per table, an HTML page and an .xlsx workbook into ``--out``, and says
how many projects and rows each table holds. Bad input is a one-line Chinese error naming the file,
row and column (exit 1).
"""
from __future__ import annotations

import sys
import time

from .._argtypes import positive_int

EXIT_OK = 0


def cmd_disclose(args) -> int:
    from ..disclose import describe, disclose, write_disclosure
    from ..disclose.tables import DisclosureRules

    start = time.perf_counter()
    rules = DisclosureRules(score_basis=args.score_basis, max_items=args.max_items, goals=not args.no_goals)
    result = disclose(args.data, year=args.year, rules=rules, city=args.city)
    written = write_disclosure(result, args.out)
    print(f"{result.title}：公开字段（白名单）如下")
    print("  " + describe().replace("\n", "\n  "))
    for t in result.tables:
        files = t.html_name + ("" if t.public.empty else f"、{t.xlsx_name}")
        state = t.count_text if not t.public.empty else "无数据（页面写明原因）"
        print(f"- {t.title}：{state}；{files}")
    print(f"已写出 {len(written)} 个文件到 {args.out}（目录页 index.html），用时 {time.perf_counter() - start:.1f} 秒。",
          file=sys.stdout)
    return EXIT_OK


def register(subparsers) -> None:
    """Add ``disclose`` to the ``perfeval`` command's subparsers."""
    p = subparsers.add_parser("disclose", help="绩效信息公开：按白名单生成绩效目标、自评结果、重点评价结果公开表（网页与 Excel）",
                              description="按公开字段白名单生成绩效目标公开表、绩效自评结果公开表和重点绩效评价结果公开表"
                                          "（HTML 网页与 .xlsx），并生成目录页 index.html。")
    p.add_argument("--data", required=True, metavar="DIR", help="数据目录（含 projects.csv）")
    p.add_argument("--out", required=True, metavar="DIR", help="输出文件夹")
    p.add_argument("--year", type=positive_int, help="年度（默认取自申报表或自评表）")
    p.add_argument("--city", help="城市名称（默认取自部门名称）")
    p.add_argument("--score-basis", choices=["reviewed", "self"], default=None,
                   help="自评得分口径：reviewed 复核后得分；self 单位自评得分（默认取数据目录 city.yaml 中的 score_basis，"
                        "未设置时为 reviewed，与报告和索引一致）")
    p.add_argument("--max-items", type=positive_int, default=3, help="每个项目列示的偏差原因或问题条数（默认 3）")
    p.add_argument("--no-goals", action="store_true", help="不读取绩效目标申报表（不列年度总体目标，较快）")
    p.set_defaults(func=cmd_disclose)


__all__ = ["cmd_disclose", "register"]
