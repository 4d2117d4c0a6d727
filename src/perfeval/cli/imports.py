"""``perfeval import …``: bring a bureau's own files into its data folder.

``perfeval import forms FILES|DIR --data DIR`` imports self-evaluation forms (any container the form reader
knows; folders recursively) through :func:`perfeval.city.intake.import_forms` and prints, at the end, one line per
file given: 导入 / 更新 / 未变 / 拒绝 with the project, where it is stored and — for a refusal — the reason and the
cell. Exit status: 0 every file imported (or unchanged), 1 some file refused (the others are imported all the
same), 3 wrong usage (the perfeval convention: a missing --data folder, a path that does not exist).

Further subcommands (``payments`` …) are added by other modules through the ``import`` parser's subparsers
(:func:`register` returns them).
"""
from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 3
FORMS_EXIT_HELP = ("退出码 (exit status)：\n"
                   "  0 全部导入（或与已导入的相同、未变）\n"
                   "  1 有文件被拒绝（原因与单元格见结果表；其余文件照常导入）\n"
                   "  3 命令行用法错误（如数据文件夹或要导入的文件不存在）")


def cmd_import_forms(args) -> int:
    from ..city.intake import IMPORTED, REFUSED, UNCHANGED, UPDATED, import_forms
    from ..errors import PerfevalError
    from ..textable import format_table

    try:
        result = import_forms(args.files, args.data, progress=True)
    except PerfevalError as exc:
        print(f"错误 (error)：{exc}", file=sys.stderr)
        return EXIT_USAGE
    table = result.table()
    if len(table):
        print(format_table(table, max_width=60))
    print(f"\n自评表导入 → {result.data_dir}：共 {len(result.outcomes)} 个文件，导入 {result.count(IMPORTED)} 个，"
          f"更新 {result.count(UPDATED)} 个，未变 {result.count(UNCHANGED)} 个，拒绝 {result.count(REFUSED)} 个。")
    for note in result.notes:
        print(f"  提示：{note}")
    if result.refused:
        print("被拒绝的文件 (refused)：", file=sys.stderr)
        for o in result.refused:
            print(f"  - {o.source}：{o.reason}", file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_OK


def register(subparsers):
    """Add ``import`` (with its ``forms`` subcommand) to the ``perfeval`` command; returns the import subparsers."""
    p = subparsers.add_parser("import", help="导入本单位的数据：自评表等 (import a bureau's own files)",
                              description="把各单位报来的文件导入数据文件夹。")
    sub = p.add_subparsers(dest="what", required=True, metavar="{forms,…}")
    f = sub.add_parser("forms", help="导入项目支出绩效自评表（任何格式，可为文件夹）",
                       description="读取每一份自评表（.xlsx、.xls、.et、.ods、.csv、.docx、.html；文件夹递归读取），"
                                   "写出或更新 projects.csv、self_evaluation/rows.csv、self_evaluation/budget.csv，"
                                   "原文件复制为 forms/<项目编码>.<原扩展名>。同一文件再导入不改动任何文件；"
                                   "同一项目的新文件替换旧文件（旧文件移至 forms/.replaced/）。",
                       epilog=FORMS_EXIT_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    f.add_argument("files", nargs="+", metavar="FILES|DIR", help="自评表文件或文件夹")
    f.add_argument("--data", required=True, metavar="DIR", help="数据文件夹（perfeval init 建立）")
    f.set_defaults(func=cmd_import_forms)
    return sub
