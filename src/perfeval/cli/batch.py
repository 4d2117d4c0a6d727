"""The ``perfeval report`` and ``perfeval batch`` commands (registered into the perfeval CLI).

The task list comes from the data directory's ``projects.csv`` (columns ``project_id,
project_name, department, sector, key_evaluation``): a self-evaluation report (kind ``self``) for
every project, a key-evaluation report (kind ``key``) for each project with
``key_evaluation = true``, and one city-wide portfolio report. Templates are
``notebooks/project_report.ipynb`` (parameters ``project_id, data_dir, kind, scheme``) and
``notebooks/portfolio.ipynb`` (``data_dir, year``), looked up in ``$PERFEVAL_NOTEBOOKS``, then in
the checkout this package runs from; both can be given as arguments.

The stages before the budget add, where the data folder has them: an ex-ante report (kind
``exante``, ``exante_report.ipynb``) per candidate of ``exante/candidates.csv``; a target-review
opinion (kind ``targets``, ``target_review.ipynb``) per declaration of ``next_year/declarations/``
and their summary (``targets-summary``, ``target_summary.ipynb``); the priority ranking under the
cap (``priority``, ``priority.ipynb``). The city's annual report on its performance work (kind ``annual``,
``annual_report.ipynb``). Where the folder has ``units.csv``: a department-overall report per department (kind
``dept``, ``dept_report.ipynb``) and their comparison (``dept-summary``, ``dept_summary.ipynb``). ``--kind all`` makes every kind; with the city-wide reports the batch also
writes the results applied to next year's budget as ``结果应用.xlsx`` into its output folder.

A task's fingerprint inputs are the data files that belong to it: files whose path names its
project id, plus the shared files that name no project (``projects.csv``, city-wide tables); the
portfolio depends on every file.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..city import registry
from ..city.folder import (FALSE_WORDS, PROJECT_COLUMNS, PROJECTS_FILE, TRUE_WORDS, _budget_year,  # noqa: F401
                           _data_files, _inputs_by_project, _stage_ids, csv_records, data_folder, read_projects)
from ..errors import InputError, Location
from .._argtypes import money_amount, positive_int
from ..report.task import Task

# the templates, from the stage registry (the names stay for the code that imports them)
PROJECT_TEMPLATE = registry.stage("self").notebook
PORTFOLIO_TEMPLATE = registry.stage("self").summary_notebook
EXANTE_TEMPLATE = registry.stage("exante").notebook
TARGET_TEMPLATE = registry.stage("targets").notebook
TARGET_SUMMARY_TEMPLATE = registry.stage("targets").summary_notebook
PRIORITY_TEMPLATE = registry.stage("priority").summary_notebook
MONITOR_TEMPLATE = registry.stage("monitoring").summary_notebook
ANNUAL_TEMPLATE = registry.stage("annual").summary_notebook
DEPT_TEMPLATE = registry.stage("dept").notebook
DEPT_SUMMARY_TEMPLATE = registry.stage("dept").summary_notebook
BATCH_KINDS = tuple(s.batch_kind for s in registry.batch_stages()) + ("all",)
APPLIED_WORKBOOK = "结果应用.xlsx"
TASK_TITLES = {"self": "绩效自评报告", "key": "重点评价报告", "exante": "事前绩效评估报告", "targets": "绩效目标审核意见"}
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3  # and 130/143 after SIGINT/SIGTERM
EXIT_CLUSTER = 4  # the Dask cluster cannot be used: unreachable, no workers, another perfeval version


# --------------------------------------------------------------------------- templates and data


def notebooks_dir() -> Path:
    """``$PERFEVAL_NOTEBOOKS``, else the checkout's ``notebooks/``, else the copy inside an installed wheel."""
    env = os.environ.get("PERFEVAL_NOTEBOOKS")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[3] / "notebooks"
    return checkout if checkout.is_dir() else Path(__file__).resolve().parents[1] / "notebooks"


def resolve_template(given: str | os.PathLike | None, default_name: str) -> str:
    path = Path(given) if given else notebooks_dir() / default_name
    if not path.is_file():
        raise InputError("找不到报告模板笔记本 (report notebook not found)；可设置环境变量 "
                         "PERFEVAL_NOTEBOOKS 指向 notebooks 目录",
                         where=Location(file=str(path)), expected=f"{default_name}")
    return str(path.resolve())


def build_tasks(data_dir: str | os.PathLike, *, kind: str = "all", projects: list[str] | None = None,
                scheme: str | None = None, year: int | None = None, portfolio: bool = True,
                project_template: str | os.PathLike | None = None,
                portfolio_template: str | os.PathLike | None = None, self_scheme: str | None = None,
                key_scheme: str | None = None, exante_method: str | None = None, exante_rule: str | None = None,
                cap: float | None = None, funding: str | None = None,
                departments: list[str] | None = None) -> list[Task]:
    """The batch's tasks from the data directory (see the module docstring).

    Self and key reports take their own schemes (``self_scheme``, ``key_scheme``); ``scheme`` is the
    scheme of both where no specific one is given. A scheme that does not fit a project's form stops
    that project's report with the reason (the others go on). The stages before the budget: an
    ex-ante report per candidate of ``exante/`` (``exante_method``, ``exante_rule``), a target-review
    opinion per declaration of ``next_year/declarations/`` and their summary, the priority ranking
    (``cap`` in 元, ``funding``). ``portfolio`` = False leaves out every city-wide report. Department
    reports (kind ``dept``) where the folder has ``units.csv``: one per department (``departments`` selects
    some; with ``projects`` and no ``departments`` none) and the city comparison.
    """
    schemes = {"self": self_scheme or scheme, "key": key_scheme or scheme}
    for name in schemes.values():
        if name:
            from ..schemes import get_scheme

            get_scheme(name)  # an unknown scheme is a usage error before any report runs
    if kind not in BATCH_KINDS:
        raise InputError("报告类型应为 " + "、".join(BATCH_KINDS), expected=" | ".join(BATCH_KINDS), found=kind)
    from ..city.year import ABSENT, Year

    data = data_folder(data_dir)
    rows = read_projects(data)
    known = Year.load(data)  # each input's status, read once through the stage registry
    candidates, declared = _stage_ids(data)
    names = {r["project_id"]: r["project_name"] for r in rows} | {c["project_id"]: c["project_name"]
                                                                    for c in candidates if c["project_name"]}
    all_ids = sorted({r["project_id"] for r in rows} | {c["project_id"] for c in candidates + declared})
    if projects:
        unknown = [p for p in projects if p not in set(all_ids)]
        if unknown:
            raise InputError("项目清单中没有这些项目 (unknown project ids)",
                             where=Location(file=str(data / PROJECTS_FILE)),
                             expected="projects.csv、exante/candidates.csv 或 next_year/declarations 中的项目编号",
                             found=",".join(unknown))
        wanted = set(projects)
        rows = [r for r in rows if r["project_id"] in wanted]
        candidates = [c for c in candidates if c["project_id"] in wanted]
        declared = [d for d in declared if d["project_id"] in wanted]
    files = _data_files(data)
    shared, own = _inputs_by_project(files, all_ids, data)
    kinds = BATCH_KINDS[:-1] if kind == "all" else (kind,)
    tasks = []

    def project_task(report_kind, pid, template, params):
        name = names.get(pid) or None
        return Task(task_id=f"{report_kind}:{pid}", kind=report_kind, template=template,
                    parameters={"project_id": pid, "data_dir": str(data), **params}, project_id=pid, name=name,
                    inputs=tuple(sorted(shared + own.get(pid, []))),
                    title=f"{TASK_TITLES[report_kind]}：{name or pid}（{pid}）")

    if "self" in kinds or "key" in kinds:
        project_nb = resolve_template(project_template, PROJECT_TEMPLATE)
        for report_kind in [k for k in ("self", "key") if k in kinds]:
            for row in rows:
                if report_kind == "key" and not row["key_evaluation"]:
                    continue
                params = {"kind": report_kind, **({"scheme": schemes[report_kind]} if schemes[report_kind] else {})}
                tasks.append(project_task(report_kind, row["project_id"], project_nb, params))
    if "exante" in kinds and candidates:
        template = resolve_template(None, EXANTE_TEMPLATE)
        params = {k: v for k, v in (("method", exante_method), ("thresholds", exante_rule)) if v}
        tasks += [project_task("exante", c["project_id"], template, params) for c in candidates]
    if "targets" in kinds and declared:
        template = resolve_template(None, TARGET_TEMPLATE)
        tasks += [project_task("targets", d["project_id"], template, {}) for d in declared]
    if portfolio and kind in ("self", "key", "all"):
        params = {"data_dir": str(data)}
        if year is not None:
            params["year"] = int(year)
        tasks.append(Task(task_id="portfolio", kind="portfolio",
                          template=resolve_template(portfolio_template, PORTFOLIO_TEMPLATE),
                          parameters=params, stem="portfolio", inputs=tuple(files),
                          title="全市项目支出绩效综合对比", name="全市项目支出绩效综合对比"))
    if portfolio and "targets" in kinds and declared:
        tasks.append(Task(task_id="targets-summary", kind="targets-summary",
                          template=resolve_template(None, TARGET_SUMMARY_TEMPLATE), parameters={"data_dir": str(data)},
                          stem="targets-summary", inputs=tuple(files), title="绩效目标审核情况汇总",
                          name="绩效目标审核情况汇总"))
    if portfolio and "priority" in kinds and known.status("requests") != ABSENT:
        params = {"data_dir": str(data), **({"cap": float(cap)} if cap is not None else {}),
                  **({"funding": funding} if funding else {}), **({"exante_rule": exante_rule} if exante_rule else {})}
        tasks.append(Task(task_id="priority", kind="priority", template=resolve_template(None, PRIORITY_TEMPLATE),
                          parameters=params, stem="priority", inputs=tuple(files), title="项目支出择优排序情况",
                          name="项目支出择优排序情况"))
    budget_year = year or (_budget_year(data) if portfolio and "monitor" in kinds else None)
    # header-only payments keep their dashboards: they are refused with the reason (no payment rows)
    if portfolio and "monitor" in kinds and known.status("payments") != ABSENT and budget_year:
        template = resolve_template(None, MONITOR_TEMPLATE)
        stage = registry.stage("monitoring")
        paths = {registry.input_spec(k).path for k in stage.needs + stage.uses}
        monitor_inputs = tuple(sorted(p for p in files if Path(p).relative_to(data).as_posix() in paths))
        from ..monitor.checkpoints import DEFAULT_CHECKPOINTS

        for mm in sorted({cp.month for cp in DEFAULT_CHECKPOINTS}):  # a dashboard at each checkpoint (June, October)
            as_of = f"{budget_year}-{mm:02d}"
            tasks.append(Task(task_id=f"monitor:{as_of}", kind="monitor", template=template,
                              parameters={"data_dir": str(data), "as_of": as_of}, stem=f"monitoring-{as_of}",
                              inputs=monitor_inputs, title=f"绩效运行监控情况（{budget_year}年{int(mm)}月底）",
                              name=f"绩效运行监控情况（{int(mm)}月底）"))
    from ..datasets import has_self_evaluations

    if portfolio and "annual" in kinds and has_self_evaluations(data):
        params = {"data_dir": str(data), **({"year": int(year)} if year is not None else {})}
        tasks.append(Task(task_id="annual", kind="annual", template=resolve_template(None, ANNUAL_TEMPLATE),
                          parameters=params, stem="annual-report", inputs=tuple(files),
                          title="预算绩效管理工作开展情况说明", name="预算绩效管理工作开展情况说明"))
    if "dept" in kinds and known.status("units") != ABSENT and (departments or not projects or kind == "dept"):
        tasks += _dept_tasks(data, files, departments, portfolio)
    return with_furniture(tasks, data, [r.get("department") for r in read_projects(data)])


def with_furniture(tasks: list, data, departments=()) -> list:
    """The tasks with what their covers say from ``city.yaml``: the issuer (else the bureau), the report date in
    Chinese, the year of issue (for the report number: the date's year, else the budget year), the city's name and
    the budget year (for the titles of this year's city-wide reports)."""
    import dataclasses

    from ..settings import city_name, load

    s = load(data)
    year = int(s.report_date[:4]) if s.report_date else s.year  # a number carries the year it is issued
    city = city_name(data, [d for d in departments if d])
    furniture = tuple((k, v) for k, v in (("issuer", s.issued_by), ("date_text", s.date_text), ("year", year),
                                          ("city", None if city == "本市" else city), ("budget_year", s.year))
                      if v is not None)
    return [dataclasses.replace(t, furniture=furniture) for t in tasks]


def _dept_tasks(data: Path, files: list, departments: list[str] | None, portfolio: bool) -> list[Task]:
    """A report per department of ``units.csv`` (or those of ``departments``) and the city comparison."""
    stage = registry.stage("dept")
    paths = {registry.input_spec(k).path for k in stage.needs}
    inputs = tuple(sorted(p for p in files if Path(p).relative_to(data).as_posix() in paths))
    from ..dept import read_units

    units = read_units(data / registry.input_spec("units").path)
    top = units[units["level"] == 1]
    names = dict(zip(top["unit_id"], top["unit_name"]))
    if departments:
        unknown = [d for d in departments if d not in names]
        if unknown:
            raise InputError("units.csv 中没有这些部门 (unknown department ids)", where=Location(file=str(data / "units.csv")),
                             expected="级次为 1 的单位编码", found=",".join(unknown))
    chosen = departments or sorted(names)
    template = resolve_template(None, DEPT_TEMPLATE)
    tasks = [Task(task_id=f"dept:{d}", kind="dept", template=template, parameters={"department_id": d, "data_dir": str(data)},
                  stem=f"dept-{d}", inputs=inputs, project_id=d, name=names[d], title=f"部门整体支出绩效自评报告：{names[d]}（{d}）")
             for d in chosen]
    if portfolio:
        tasks.append(Task(task_id="dept-summary", kind="dept-summary", template=resolve_template(None, DEPT_SUMMARY_TEMPLATE),
                          parameters={"data_dir": str(data)}, stem="dept-summary", inputs=inputs,
                          title="全市部门整体支出绩效对比", name="全市部门整体支出绩效对比"))
    return tasks


# --------------------------------------------------------------------------- commands


def _formats(text: str) -> tuple:
    from ..report.task import check_formats

    return check_formats(text)


def cmd_report(args) -> int:
    """One report, made alone, in a new kernel (byte-identical to the same report in a batch)."""
    from ..report.task import fingerprint, run_task
    from ..report.export import PDF_MISSING_MESSAGE, pdf_engine
    from ..report.kernels import ReusableKernel
    from ..report.ledger import prepare_output_dir
    from ..report.markup import grade_label

    formats = _formats(args.format)
    if "pdf" in formats and pdf_engine() is None:
        print(PDF_MISSING_MESSAGE, file=sys.stderr)
        formats = tuple(f for f in formats if f != "pdf")
    tasks = build_tasks(args.data, kind=args.kind, projects=[args.project_id], scheme=args.scheme,
                        portfolio=False, project_template=args.project_template, self_scheme=args.self_scheme,
                        key_scheme=args.key_scheme)
    if not tasks:
        raise InputError("该项目不是重点评价项目，无重点评价报告 (not a key-evaluation project)",
                         expected="key_evaluation = true", found=args.project_id)
    task = tasks[0]
    out_dir = prepare_output_dir(args.out)
    with ReusableKernel(fresh=True) as kernel:
        outcome = run_task(task, out_dir, kernel=kernel, formats=formats, timeout=args.timeout,
                           task_fingerprint=fingerprint(task))
    for note in outcome.notes:
        print(f"提示：{note}", file=sys.stderr)
    html_path = out_dir / outcome.outputs["html"]["path"] if "html" in outcome.outputs else None
    if outcome.ok:
        total = "—" if outcome.total is None else outcome.total
        grade = grade_label(outcome.grade)
        print(f"已生成报告：{html_path}\n总分 {total}，等级 {grade}（用时 {outcome.duration_s:.1f} 秒）")
        return EXIT_OK
    print(f"报告生成失败 (failed)：{outcome.describe_error()}", file=sys.stderr)
    if html_path:
        print(f"含错误信息的报告：{html_path}", file=sys.stderr)
    return EXIT_FAILED


def run_tasks(tasks: list[Task], args) -> int:
    """Run ``tasks`` with the batch machinery and the run options of ``args`` (absent ones take the
    batch's defaults); print the Chinese summary; return the exit code."""
    from ..report.batch import run_batch
    from ..report.cluster import ClusterError
    from ..report.ledger import BatchLockedError

    try:
        result = run_batch(tasks, args.out, jobs=getattr(args, "jobs", 1),
                           fresh_kernel=getattr(args, "fresh_kernel", False), resume=getattr(args, "resume", False),
                           formats=_formats(getattr(args, "format", "html")),
                           executor=getattr(args, "executor", "local"), scheduler=getattr(args, "scheduler", None),
                           timeout=getattr(args, "timeout", 600.0),
                           checkpoint_every=getattr(args, "checkpoint_every", 10),
                           stop_grace=max(0.0, getattr(args, "stop_grace", 3.0)),
                           connect_timeout=getattr(args, "connect_timeout", None))
    except BatchLockedError as exc:
        print(f"错误 (error)：{exc}", file=sys.stderr)
        return EXIT_LOCKED
    except ClusterError as exc:
        print(f"错误 (error)：{exc}", file=sys.stderr)
        return EXIT_CLUSTER
    except KeyboardInterrupt:  # before the batch's own signal handling was in place
        print("\n已中断 (interrupted)：尚未开始生成报告，输出文件夹未改动。", file=sys.stderr)
        return 130
    print(result.summary(), file=sys.stderr if result.failed or result.interrupted else sys.stdout)
    return result.exit_code


def cmd_batch(args) -> int:
    """Every project's report plus the city-wide reports, with manifest.json and index.html."""
    from ..datasets import has_self_evaluations

    projects = [p.strip() for p in args.projects.split(",") if p.strip()] if args.projects else None
    tasks = build_tasks(args.data, kind=args.kind, projects=projects, scheme=args.scheme,
                        year=args.year, portfolio=not args.no_portfolio,
                        project_template=args.project_template,
                        portfolio_template=args.portfolio_template, self_scheme=args.self_scheme,
                        key_scheme=args.key_scheme, exante_method=args.exante_method, exante_rule=args.exante_rule,
                        cap=args.cap, funding=args.funding)
    code = run_tasks(tasks, args)
    if not args.no_portfolio and args.kind in ("self", "key", "annual", "all") and code in (EXIT_OK, EXIT_FAILED) \
            and has_self_evaluations(data_folder(args.data)):
        code = max(code, write_applied_workbook(args.data, Path(args.out) / APPLIED_WORKBOOK))
    return code


def write_applied_workbook(data_dir, path: Path) -> int:
    """结果应用.xlsx beside the reports: this year's projects in the ledger of next year's decisions
    (`perfeval.budget.decisions_from_data` under the default rules, the ledger the portfolio, the priority
    and the annual reports show); a problem with the data is reported, not raised (the reports are
    already made)."""
    from ..budget.decisions import decisions_from_data
    from ..errors import PerfevalError

    try:
        from ..settings import load

        data = data_folder(data_dir)
        decisions_from_data(data).applied().to_xlsx(path, date=load(data).date_text)
    except PerfevalError as exc:
        print(f"结果应用工作簿未写出 (results-applied workbook not written)：{exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"已写出评价结果应用工作簿：{path}")
    return EXIT_OK


def cmd_lint(args) -> int:
    """The publication lint on a batch's output folder (or a folder of report pages)."""
    from ..report.lint import lint_folder

    folder = Path(args.folder)
    if not folder.is_dir():
        raise InputError("找不到报告文件夹 (folder not found)", where=Location(file=str(folder)),
                         expected="perfeval batch 的输出文件夹")
    results = [] if args.consistency else [lint_folder(folder)]
    if args.consistency or (folder / "manifest.json").is_file():  # a batch's folder: its pages must agree too
        from ..report.consistency import check_folder

        results.append(check_folder(folder, data_dir=args.data and data_folder(args.data)))
    for result in results:
        print(result.summary(), file=sys.stdout if result.ok else sys.stderr)
    books = [] if args.consistency else workbook_lint(folder)
    if books:
        print("工作簿检查 (workbooks)：\n" + "\n".join(f"  - {b}" for b in books), file=sys.stderr)
    elif not args.consistency and any(folder.rglob("*.xlsx")):
        print("工作簿检查通过：数字均以数字存储，每张表有标题行。")
    return EXIT_OK if all(r.ok for r in results) and not books else EXIT_FAILED


def workbook_lint(folder: Path) -> list[str]:
    """What a clerk would trip over in every workbook of an output folder (:func:`perfeval.export.workbook_problems`:
    a sheet without a title row, numbers stored as text); [] when none."""
    from ..export import workbook_problems

    return [p for book in sorted(folder.rglob("*.xlsx")) if not book.name.startswith("~$")
            for p in workbook_problems(book)]


def _timeout(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为秒数：{text!r}") from None
    return None if value <= 0 else value


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, metavar="DIR", help="数据目录（含 projects.csv）")
    parser.add_argument("--out", required=True, metavar="DIR", help="输出目录")
    parser.add_argument("--format", default="html", metavar="html,pdf",
                        help="输出格式，逗号分隔 (default html；pdf 需安装 weasyprint 或 playwright+chromium)")
    parser.add_argument("--scheme", metavar="NAME",
                        help="评分方案，自评与重点评价报告都用（各自另有 --self-scheme / --key-scheme 时以其为准）；"
                             "方案分值与某项目表内分值不符时，该项目报告失败并说明原因")
    parser.add_argument("--self-scheme", metavar="NAME", help="自评报告的评分方案（默认 mof-2020）")
    parser.add_argument("--key-scheme", metavar="NAME", help="重点评价报告的评分方案（默认 mof-2020-project）")
    parser.add_argument("--timeout", type=_timeout, default=600.0, metavar="S",
                        help="每个单元格的最长执行秒数 (default 600；0 = 不限)")
    parser.add_argument("--project-template", metavar="IPYNB", help="项目报告笔记本（默认 notebooks/project_report.ipynb）")


def add_stage_options(parser: argparse.ArgumentParser) -> None:
    """Settings of the stages before the budget (ex-ante rule, cap, funding), for ``batch``."""
    parser.add_argument("--exante-method", choices=["mean", "trimmed", "median"],
                        help="事前评估专家分合成方法 (default mean)")
    parser.add_argument("--exante-rule", choices=["default", "local-60"],
                        help="事前评估结论规则：default ≥80 予以支持、60–80 部分支持、<60 不予支持；local-60 >60 建议立项")
    parser.add_argument("--cap", type=money_amount, metavar="AMOUNT",
                        help="择优排序的资金控制数，如 25000（万元）、25000万元、2.5亿元；默认读取 next_year/control.csv")
    parser.add_argument("--funding", choices=["whole", "partial"],
                        help="择优排序：whole 全额安排至资金控制线（默认）；partial 控制线上的项目可部分安排")


def register(subparsers) -> None:
    """Add ``report`` and ``batch`` to the ``perfeval`` command's subparsers."""
    r = subparsers.add_parser("report", help="生成单个项目的评价报告 (one project's report)")
    r.add_argument("project_id", metavar="PROJECT_ID", help="项目编号")
    r.add_argument("--kind", choices=["self", "key"], default="self", help="self = 绩效自评；key = 重点评价")
    _common(r)
    r.set_defaults(func=cmd_report)

    b = subparsers.add_parser("batch", help="批量生成全部项目报告、综合对比、索引和清单 (all reports)")
    b.add_argument("--kind", choices=list(BATCH_KINDS), default="all",
                   help="报告类型：self 自评、key 重点评价、exante 事前评估、targets 目标审核（含汇总）、priority 择优排序、"
                        "monitor 运行监控看板（6月底、10月底）、"
                        "annual 全市预算绩效管理工作开展情况说明、dept 部门整体支出绩效（各部门及全市对比）、all 全部 (default all)")
    b.add_argument("--projects", metavar="ID,ID,…", help="只生成这些项目（逗号分隔）")
    b.add_argument("--jobs", type=positive_int, default=max(1, os.cpu_count() or 1), metavar="N",
                   help="并行进程数 (default: CPU 核数)")
    b.add_argument("--resume", action="store_true", help="只重做失败的和输入有变化的报告")
    b.add_argument("--fresh-kernel", action="store_true", help="每份报告使用新内核（慢，便于排错）")
    b.add_argument("--executor", choices=["local", "dask"], default="local",
                   help="执行方式：local = 本机进程池；dask = Dask 集群（见 --scheduler）")
    b.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask 调度器地址，如 tcp://10.0.0.5:8786；不给则在本机启动 --jobs 个工作进程的 LocalCluster")
    b.add_argument("--connect-timeout", type=_timeout, default=10.0, metavar="S",
                   help="连接 Dask 调度器、等待工作进程的最长秒数 (default 10)")
    b.add_argument("--year", type=int, help="综合对比的年度（传给 portfolio 笔记本的 year 参数）")
    b.add_argument("--no-portfolio", action="store_true",
                   help="不生成全市汇总报告（综合对比、绩效目标审核汇总、择优排序）")
    b.add_argument("--stop-grace", type=float, default=3.0, metavar="S",
                   help="收到 Ctrl-C/SIGTERM 后，运行中的报告最多再等 S 秒 (default 3)")
    b.add_argument("--checkpoint-every", type=positive_int, default=10, metavar="N",
                   help="每完成 N 份报告保存一次清单和索引 (default 10)；被强行终止时最多丢失 N 条记录")
    b.add_argument("--portfolio-template", metavar="IPYNB", help="综合对比笔记本（默认 notebooks/portfolio.ipynb）")
    add_stage_options(b)
    _common(b)
    b.set_defaults(func=cmd_batch)

    lint = subparsers.add_parser("lint", help="出版检查：报告中有无代码名、空表、“。。”、混用金额单位等 (publication lint)")
    lint.add_argument("folder", metavar="REPORTS_DIR", help="perfeval batch 的输出文件夹")
    lint.add_argument("--consistency", action="store_true",
                      help="只做一致性检查：各报告、索引、清单、结果应用.xlsx 和公开表中同一项目的得分、等级、下一年度安排和金额"
                           "是否一致，无数据的项目有无结论（文件夹含 manifest.json 时，不加此项也在出版检查后进行）")
    lint.add_argument("--data", metavar="DIR", help="一致性检查所用的数据目录（默认：批量生成时笔记本所用的数据目录）")
    lint.set_defaults(func=cmd_lint)
