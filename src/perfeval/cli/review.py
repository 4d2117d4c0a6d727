"""``perfeval review-targets FILES… [--xlsx OUT] [--history CSV]``: review target declarations.

Reads each 绩效目标申报表 (.xlsx, one per sheet, or .csv — the self-evaluation reader's hazards
tolerated); a file that cannot be read is reported and the others are reviewed. Prints each
declaration's grade, consequence and findings with how to fix them; ``--xlsx`` writes the findings
workbook (审核结论 / 审核发现 / 申报指标 / 审核规则). Exit status: 0 every file read, 1 some file
could not be read (the rest are reviewed), 3 wrong usage.
"""
from __future__ import annotations

import sys
from pathlib import Path

EXIT_OK, EXIT_INPUT = 0, 1


def _read(paths):
    from ..errors import PerfevalError
    from ..io.declaration import read_declarations

    decls, failures, seen = [], [], {}
    for path in paths:  # one file at a time: a bad one must not stop the others
        try:
            found = read_declarations(path)
        except PerfevalError as exc:
            failures.append(str(exc))
            continue
        except OSError as exc:
            failures.append(f"文件 {path}：无法读取 (cannot read)：{exc.strerror or exc}")
            continue
        for d in found:
            where = f"文件 {d.source_file}" + (f"，工作表 {d.source_sheet}" if d.source_sheet else "")
            if d.project_id in seen:
                failures.append(f"{where}：项目编码 {d.project_id} 与 {seen[d.project_id]} 重复 (duplicate project id)，未审核")
                continue
            seen[d.project_id] = where
            decls.append(d)
    return decls, failures


def cmd_review_targets(args) -> int:
    from .. import datasets
    from ..textable import format_table
    from ..review.target_codes import SEVERITIES, TARGET_CODES
    from ..review.targets import review_targets

    decls, failures = _read([Path(p) for p in args.files])
    if decls:
        history = datasets.read_table(args.history) if args.history else None
        review = review_targets(decls, history=history, year=args.year)
        counts = "，".join(f"“{g}” {n} 个" for g, n in review.grade_counts().items() if n)
        print(f"绩效目标审核：{len(review.summary)} 份申报表，审核结论 {counts}。")
        for s in review.summary.itertuples():
            print(f"\n■ {s.project_name or s.project_id}（{s.project_id}）：审核结论“{s.grade}”——{s.consequence}")
            print(f"  指标 {s.n_indicators} 个，定量（含时间）指标占 {s.measurable_share * 100:.1f}%；{s.grade_reason}")
            for f in review.findings[review.findings["project_id"] == s.project_id].itertuples():
                print(f"  [{SEVERITIES[f.severity]}] {TARGET_CODES[f.code][2]}：{f.message}")
                print(f"      修改建议：{f.fix}")
        if args.xlsx:
            review.to_xlsx(args.xlsx)
            print(f"\n已写出审核结果工作簿：{args.xlsx}")
        else:
            print("\n" + format_table(review.summary_table()[["项目名称", "指标数", "定量指标占比", "须修改", "建议修改",
                                                              "审核结论"]], max_width=30))
    if failures:
        print("\n读取失败的文件 (failed files):\n" + "\n".join(f"  - {e}" for e in failures), file=sys.stderr)
    return EXIT_INPUT if failures else EXIT_OK


def register(subparsers) -> None:
    """Add ``review-targets`` to the ``perfeval`` command's subparsers."""
    r = subparsers.add_parser("review-targets", help="绩效目标审核：逐表给出审核发现、修改建议和审核结论 (review declared targets)",
                              description="读取项目支出绩效目标申报表（.xlsx / .csv），按完整性、可衡量性、相关性、适当性、"
                                          "目标值设定和合理性审核，给出审核结论（优/良/中/差）及结果应用。")
    r.add_argument("files", nargs="+", help="绩效目标申报表文件 (.xlsx / .csv)")
    r.add_argument("--xlsx", metavar="OUT", help="写出审核结果工作簿")
    r.add_argument("--history", metavar="CSV",
                   help="上年实际完成值（列 project_id, level3, actual[, target]，如自评表的 self_evaluation/rows.csv）")
    r.add_argument("--year", type=int, help="申报年度（用于识别不带年份的日期）")
    r.set_defaults(func=cmd_review_targets)


__all__ = ["cmd_review_targets", "register"]
