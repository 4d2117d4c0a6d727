"""The ``perfeval`` command: score self-evaluation forms, work with indicator systems, run the stages.

The commands are the top layer of the package (DESIGN.md, "Layers"): this package holds the parser and the
form commands, and one module per stage (``budget``, ``disclose``, ``exante``, ``monitor``, ``review``,
``sample``, ``annual``) registers that stage's subcommands; the batch commands are in ``cli.batch``.
Nothing below imports this package.

Messages are Chinese first. A bad file never stops the others: it is reported, the rest are
scored, and the exit status is non-zero. ``perfeval score`` exits 0 when every form was graded,
1 when some file could not be read, 2 when some form was read but not graded (its total cannot
be trusted: the review says why); wrong command-line usage exits 3.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .. import __version__
from ..errors import PerfevalError

EXIT_OK, EXIT_INPUT, EXIT_NOT_GRADED, EXIT_USAGE = 0, 1, 2, 3
EXIT_CODES_HELP = ("退出码 (exit status)：\n"
                   "  0 全部评定等级\n"
                   "  1 有文件无法读取（其余文件照常评分）\n"
                   "  2 有自评表已读取但未评定等级（如资金表无法读取、分值与方案不符、未评分，原因见复核提示）\n"
                   "  3 命令行用法错误")


class _Parser(argparse.ArgumentParser):
    """argparse with the usage-error status of ``perfeval`` (3: 2 means "not graded")."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: 错误 (error)：{message}\n")


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def _read_forms(paths):
    from tqdm import tqdm

    from ..io import read_self_evaluation

    forms, failures = [], []
    for p in tqdm(paths, desc="读取自评表", unit="个", disable=None, file=sys.stderr):
        try:
            forms.extend(read_self_evaluation(p))
        except PerfevalError as exc:
            failures.append((str(p), str(exc)))
        except OSError as exc:
            failures.append((str(p), f"文件 {p}：无法读取 (cannot read)：{exc.strerror or exc}"))
    first, kept = {}, []
    for f in forms:  # one form per project: a second form with the same 项目编码 is reported, not merged
        where = f"文件 {Path(f.source_file).name}" + (f"，工作表 {f.source_sheet}" if f.source_sheet else "")
        if f.project_id in first:
            failures.append((f.source_file, f"{where}：项目编码 {f.project_id} 与 {first[f.project_id]} 重复 "
                                            "(duplicate project id)，该表未评分"))
        else:
            first[f.project_id] = where
            kept.append(f)
    return kept, failures


def _num(value) -> str:
    return "—" if value is None or value != value else f"{value:g}"


def _print_project(card, pid) -> None:
    from ..review.codes import SEVERITY_LABELS
    from ..textable import format_table

    one = card.project(pid)
    t = one.totals.iloc[0]
    name = t.get("project_name") or pid
    print(f"\n■ {name}（{pid}）")
    rate = "—" if t["exec_rate"] != t["exec_rate"] else f"{t['exec_rate'] * 100:.2f}%"
    published = [f"表内总分 {_num(t['published_total'])}" if t["published_total"] == t["published_total"] else "",
                 f"表内等级 {t['published_grade']}" if isinstance(t["published_grade"], str) else ""]
    published = "，".join(p for p in published if p)
    verdict = (f"总分 {_num(t['total'])}，评价等级 {t['grade']}" if t["graded"] else
               f"未评定等级（{t['withheld'] or '没有绩效指标'}）；指标得分合计 {_num(t['rows_score'])}")
    print(f"  预算执行率 {rate}，执行得分 {_num(t['exec_score'])}/{_num(t['exec_points'])}；{verdict}"
          + (f"（{published}）" if published else ""))
    cols = ["level1", "level2", "level3", "target", "actual", "points", "reference_score", "awarded_score",
            "score", "flags"]
    table = one.rows[cols].rename(columns={"level1": "一级", "level2": "二级", "level3": "三级指标",
                                           "target": "指标值", "actual": "实际值", "points": "分值",
                                           "reference_score": "规则分", "awarded_score": "自评分",
                                           "score": "得分", "flags": "提示"})
    print("  " + format_table(table, max_width=20).replace("\n", "\n  "))
    for f in one.flags.itertuples():
        where = f" 第{int(f.row)}行" if f.row is not None and f.row == f.row else ""
        print(f"  [{SEVERITY_LABELS.get(f.severity, f.severity)}] {f.code}{where}：{f.message}")
    notes = t.get("reader_notes")
    if isinstance(notes, str) and notes:
        print("  读表说明 (reader notes)：\n" + "\n".join(f"    - {n}" for n in notes.split("\n")))


def cmd_score(args) -> int:
    from ..schemes import get_scheme
    from ..scoring import score

    overrides = {"score_rounding": args.rounding, "rate_rounding": args.rate_rounding,
                 "exec_rounding": args.exec_rounding, "exec_base": args.exec_base}
    if args.exec_points is not None:
        overrides.update(exec_points=args.exec_points, exec_points_source="scheme")
    try:
        scheme = get_scheme(args.scheme, **overrides)
    except PerfevalError as exc:
        _err(f"错误 (error)：{exc}")
        return EXIT_USAGE
    forms, failures = _read_forms([Path(p) for p in args.files])
    card = None
    if forms:
        from ..io import forms_to_frames

        rows, budget = forms_to_frames(forms)
        card = score(rows, budget, scheme)
    if args.json:
        out = card.to_dict() if card is not None else {"scheme": scheme.name, "projects": []}
        out["failed"] = [{"file": f, "error": e} for f, e in failures]
        print(json.dumps(out, ensure_ascii=False, indent=2, allow_nan=False))
    elif card is not None:
        if args.csv:
            Path(args.csv).parent.mkdir(parents=True, exist_ok=True)
            card.summary().to_csv(args.csv, index=False, encoding="utf-8-sig")
            print(f"已写出汇总 CSV：{args.csv}")
        if args.xlsx:
            from ..export import write_scorecard_xlsx

            write_scorecard_xlsx(card, args.xlsx)
            print(f"已写出 Excel：{args.xlsx}")
        if not (args.csv or args.xlsx):
            conv = scheme.conventions()
            print(f"评分方案 (scheme)：{scheme.name} — {scheme.title}")
            print("；".join(f"{k.split(' (')[0]}：{conv[k]}" for k in (
                "执行率基数 (execution base)", "执行率取舍 (rate rounding)", "得分取舍 (score rounding)",
                "执行得分取舍 (execution score rounding)", "评价等级 (grade bands)")))
            for pid in card.project_ids:
                _print_project(card, pid)
    totals = card.totals if card is not None else None
    n_read = 0 if totals is None else len(totals)
    held = [] if totals is None else [(r.project_id, r.project_name, r.withheld or "没有绩效指标")
                                     for r in totals.itertuples() if not r.graded]
    summary = (f"\n完成：{n_read} 个项目已评分，其中 {n_read - len(held)} 个评定等级、{len(held)} 个未评定等级；"
               f"{len(failures)} 个文件读取失败。")
    if held:
        summary += "\n未评定等级 (not graded):\n" + "\n".join(
            f"  - {name or pid}（{pid}）：{why}" for pid, name, why in held)
    if failures:
        summary += "\n失败的文件 (failed files):\n" + "\n".join(f"  - {e}" for _, e in failures)
    _err(summary) if args.json else print(summary, file=sys.stderr if failures or held else sys.stdout)
    return EXIT_INPUT if failures else EXIT_NOT_GRADED if held else EXIT_OK


def cmd_systems(args) -> int:
    from .. import systems
    from ..textable import format_table

    if args.action == "list":
        frame = systems.list_systems()
        labels = {"id": "编号", "title": "名称", "kind": "类型", "sector": "行业", "total": "满分",
                  "n_leaves": "末级指标数", "basis": "依据", "version": "版本"}
        print(format_table(frame[[c for c in labels if c in frame]].rename(columns=labels), max_width=40))
        return EXIT_OK
    if args.action == "show":
        print(systems.load_system(args.id).render_tree())
        return EXIT_OK
    if args.action == "validate":
        problems = systems.validate_file(args.file)
        if problems:
            print(f"{args.file}：发现 {len(problems)} 处问题 (problems found)")
            for p in problems:
                print(f"  - {p}")
            return EXIT_INPUT
        print(f"{args.file}：校验通过 (valid)")
        return EXIT_OK
    if args.action == "template":
        from ..io import write_template

        system = systems.load_system(args.id)
        write_template(system.to_frame(), args.xlsx, form=args.form)
        print(f"已写出空白{'自评表' if args.form == 'self' else '绩效目标申报表'}：{args.xlsx}")
        return EXIT_OK
    return EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    from ..conventions import ROUNDINGS
    from ..schemes import SCHEMES

    p = _Parser(prog="perfeval", description="预算绩效管理工具 perfeval — 自评表评分、指标体系、复核")
    p.add_argument("--version", action="version", version=f"perfeval {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("score", help="为项目支出绩效自评表评分并复核 (score self-evaluation forms)",
                       description="为项目支出绩效自评表评分并复核；读表说明与复核提示在每种输出格式中都给出。",
                       epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("files", nargs="+", help="自评表文件 (.xlsx / .xls / .et / .ods / .csv / .docx / .html)")
    s.add_argument("--scheme", default="mof-2020", choices=sorted(SCHEMES), help="评分方案 (default mof-2020)")
    s.add_argument("--exec-points", type=float, help="预算执行率分值，覆盖表内分值 (e.g. 10, 20, 0)")
    s.add_argument("--exec-base", choices=["full_year", "initial"],
                   help="执行率基数：full_year 全年预算数（默认）或 initial 年初预算数；表内没有该列时用另一列并提示")
    s.add_argument("--rounding", choices=sorted(ROUNDINGS), help="各指标得分与总分的取舍规则（执行得分默认同此）")
    s.add_argument("--exec-rounding", choices=sorted(ROUNDINGS),
                   help="执行得分的取舍规则（如 int：执行得分取整，指标得分仍保留两位小数）")
    s.add_argument("--rate-rounding", choices=sorted(ROUNDINGS), help="执行率取舍规则")
    fmt = s.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="以 JSON 输出")
    fmt.add_argument("--csv", metavar="OUT", help="写出汇总 CSV")
    fmt.add_argument("--xlsx", metavar="OUT", help="写出 Excel（汇总、指标得分、复核提示、评分约定）")
    s.set_defaults(func=cmd_score)

    y = sub.add_parser("systems", help="指标体系：列表、查看、校验、导出空白表 (indicator systems)")
    ysub = y.add_subparsers(dest="action", required=True)
    ysub.add_parser("list", help="列出内置指标体系")
    show = ysub.add_parser("show", help="以树形显示指标体系")
    show.add_argument("id")
    val = ysub.add_parser("validate", help="校验指标体系 YAML 文件")
    val.add_argument("file")
    tpl = ysub.add_parser("template", help="导出空白自评表/申报表 (.xlsx)")
    tpl.add_argument("id")
    tpl.add_argument("--xlsx", required=True, metavar="OUT")
    tpl.add_argument("--form", choices=["self", "declaration"], default="self",
                     help="self = 项目支出绩效自评表；declaration = 绩效目标申报表")
    y.set_defaults(func=cmd_systems)

    from importlib import import_module

    from ..city import registry
    from ..training import build as training_build

    # the batch first, then each stage's commands in the registry's order (a new stage: one registry entry)
    # then starting a city folder and importing a bureau's own files (perfeval init, perfeval import …)
    modules = ["perfeval.cli.batch", "perfeval.cli.sample", *(s.cli for s in registry.STAGES if s.cli)]
    for name in dict.fromkeys(modules):
        import_module(name).register(sub)
    training_build.register(sub)
    from . import import_data, imports, init

    init.register(sub)
    import_data.add_subcommands(imports.register(sub))
    return p


def main(argv=None) -> int:
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
        sys.stderr.reconfigure(encoding="utf-8")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except PerfevalError as exc:
        _err(f"错误 (error)：{exc}")
        return EXIT_INPUT
    except FileNotFoundError as exc:
        _err(f"错误 (error)：找不到文件 (file not found)：{exc.filename}")
        return EXIT_INPUT

