"""``perfeval init DIR [--city NAME --year 2021 --bureau NAME --issuer NAME] [--force]``: start a city folder.

The library is :func:`perfeval.city.init.init_folder`; this module parses the options and prints, in Chinese,
what was created, what was left as it was and what to do next. Exit 0 when the folder was made, 1 when it
was refused (a non-empty folder without ``--force``, a file in its place), 2 on wrong usage.
"""
from __future__ import annotations

import sys

EXIT_OK, EXIT_INPUT = 0, 1


def cmd_init(args) -> int:
    from ..city.init import EXAMPLE_ID, init_folder
    from ..errors import PerfevalError

    try:
        result = init_folder(args.folder, city=args.city, year=args.year, bureau=args.bureau, issuer=args.issuer,
                             force=args.force)
    except PerfevalError as exc:
        print(f"错误 (error)：{exc}", file=sys.stderr)
        return EXIT_INPUT
    print(f"已建立数据文件夹 (city folder)：{result.folder}")
    print(f"  新建文件 {len(result.created)} 个" + (f"；已存在、未改动 {len(result.kept)} 个：" + "、".join(result.kept)
                                                   if result.kept else ""))
    print("下一步 (next)：")
    print(f"  1. 核对 city.yaml（城市名称、年度、财政部门、出具单位）；说明见 {result.folder / 'README.md'}")
    print(f"  2. perfeval import forms <自评表文件或文件夹> --data {result.folder}")
    print(f"  3. 删除 projects.csv 中的示例行 {EXAMPLE_ID}（导入自评表时若未改动会自动删除），补全 sector、key_evaluation")
    print(f"  4. perfeval batch --data {result.folder} --out <报告文件夹> --kind self")
    return EXIT_OK


def register(subparsers) -> None:
    """Add ``init`` to the ``perfeval`` command's subparsers."""
    from .._argtypes import positive_int

    p = subparsers.add_parser("init", help="新建一个城市的数据文件夹 (start a city folder)",
                              description="按环节登记表新建数据文件夹：各 CSV 模板（列名为程序读取用的英文列名，含义见文件夹中的 "
                                          "README.md）、city.yaml 与 README.md。已有文件一律不改动。")
    p.add_argument("folder", metavar="DIR", help="新的数据文件夹")
    p.add_argument("--city", metavar="NAME", help="城市名称，如 某某市（印在每份报告上）")
    p.add_argument("--year", type=positive_int, metavar="YEAR", help="预算年度，如 2021")
    p.add_argument("--bureau", metavar="NAME", help="财政部门名称，如 某某市财政局")
    p.add_argument("--issuer", metavar="NAME", help="报告出具单位（默认同财政部门）")
    p.add_argument("--force", action="store_true", help="文件夹不是空的也继续：只补齐缺少的文件，已有文件不动")
    p.set_defaults(func=cmd_init)
