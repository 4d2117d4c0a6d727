"""``perfeval sample``: write the sample city (示例市) into a folder.

``register(subparsers)`` adds the sub-command to the perfeval CLI; the lead wires it into
``perfeval.cli``. Output is the layout documented in ``data/sample/README.md``.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from .._argtypes import non_negative_int, positive_int

EXIT_OK, EXIT_INPUT = 0, 1


def cmd_sample(args) -> int:
    from ..errors import PerfevalError
    from ..sample.generate import build_city, write_city

    start = time.perf_counter()
    try:
        city = build_city(args.seed)
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            print(f"错误 (error)：输出路径不是文件夹 (not a folder)：{out}", file=sys.stderr)
            return EXIT_INPUT
        files = write_city(city, out, args.projects)
    except PerfevalError as exc:
        print(f"错误 (error)：{exc}", file=sys.stderr)
        return EXIT_INPUT
    p = city.projects
    key = p[p["key_evaluation"]]
    mon = city.story["monitoring"]
    n_forms = len(p) if args.projects is None else min(args.projects, len(p))
    print(f"已生成示例市 {city.story['year']} 年数据（种子 {city.seed}）→ {out}")
    print(f"  部门 {p['department'].nunique()} 个，项目 {len(p)} 个，自评表/申报表 {n_forms} 份，文件 {len(files)} 个")
    print(f"  重点评价 {len(key)} 个项目，全年预算 {key['budget_full_year'].sum() / 1e8:.2f} 亿元")
    print(f"  6月底提醒 {len(mon['june_lagging'])} 个，10月底未破零 {len(mon['october_zero'])} 个，"
          f"年底收回 {len(mon['recovered'])} 个项目")
    print(f"  用时 {time.perf_counter() - start:.1f} 秒；数据说明见 {out / 'README.md'}")
    return EXIT_OK


def register(subparsers) -> None:
    """Add ``sample`` to the ``perfeval`` command's subparsers."""
    s = subparsers.add_parser("sample", help="生成示例市样例数据 (write the sample city's data)")
    s.add_argument("--seed", type=non_negative_int, default=2021, help="随机种子 (default 2021，即提交的数据)")
    s.add_argument("--out", required=True, metavar="DIR", help="输出目录，如 data/sample")
    s.add_argument("--projects", type=positive_int, metavar="N",
                   help="只写前 N 个项目的 xlsx 表单（城市级 CSV 总是完整）(only the first N workbooks)")
    s.set_defaults(func=cmd_sample)
