"""Run many report notebooks: one task per report, long-lived workers, one reused kernel each.

`run_batch(tasks, out_dir, jobs=2, …)` runs every `Task` (template notebook + parameters) and
writes, under ``out_dir``::

    reports/<stem>.html      the report (and <stem>.pdf with formats=("html", "pdf"))
    notebooks/<stem>.ipynb   the executed notebook, cleaned of run-to-run noise
    manifest.json            what was run, with status, total, grade, fingerprints, checksums
    index.html               a Chinese index linking every report with its total and grade

How it survives and what it guarantees:

- workers are spawned processes that live for the whole batch; each keeps ONE kernel
  (`kernels.ReusableKernel`) and resets it before every notebook; ``fresh_kernel=True`` starts a
  new kernel per notebook instead (same bytes out, just slower);
- a notebook that raises is marked failed at once, its report still exported with the error
  shown; a kernel that dies or hangs past ``timeout`` seconds in a cell is discarded and the task
  retried once on a new kernel, then marked failed; the next task runs on a new kernel;
- every file is written atomically (temp file + rename); file names come from `safe_stem`;
- the manifest's ``projects`` list and ``reproducible_sha256`` contain no times: the
  non-reproducible parts are each project's ``duration_s`` and the top-level ``run`` object, and
  ``reproducible_sha256`` is the sha256 of the manifest without them — two runs of the same
  inputs give the same value, and the same report checksums;
- ``resume=True`` keeps the tasks that succeeded before with the same input fingerprint (template,
  parameters, input files, package version) and intact outputs, and redoes the rest.

``executor="dask"`` sends the same tasks to an existing Dask cluster (see `report.dask`).
"""
from __future__ import annotations

import concurrent.futures as cf
from concurrent.futures.process import BrokenProcessPool
import html
import json
import multiprocessing
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import quote

from .. import __version__
from ..errors import InputError, Location, PerfevalError
from .execute import DEFAULT_TIMEOUT, NotebookError, execute_notebook
from .kernels import ReusableKernel
from .._files import atomic_write_text
from .storage import safe_stem, sha256_bytes, sha256_file

MANIFEST_NAME = "manifest.json"
INDEX_NAME = "index.html"
MANIFEST_VERSION = 1
FORMATS = ("html", "pdf")
KIND_LABELS = {"self": "绩效自评", "key": "重点评价", "portfolio": "全市综合对比"}
STATUS_LABELS = {"ok": "成功", "failed": "失败"}


# --------------------------------------------------------------------------- tasks


@dataclass(frozen=True)
class Task:
    """One report to make: which notebook, with which parameters, into which file stem.

    ``inputs``: files whose content decides whether the report must be redone (``--resume``).
    ``stem``: output file name without extension; made safe by `safe_stem` (default
    ``<kind>-<project_id>``).
    """

    task_id: str
    kind: str
    template: str
    parameters: dict = field(default_factory=dict)
    stem: str | None = None
    inputs: tuple[str, ...] = ()
    project_id: str | None = None
    title: str | None = None
    name: str | None = None  # the project's name, shown in the index even when the task fails

    @property
    def file_stem(self) -> str:
        return safe_stem(self.stem or f"{self.kind}-{self.project_id or self.task_id}")

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        label = KIND_LABELS.get(self.kind, self.kind)
        return f"{label} {self.project_id}" if self.project_id else label


def _file_digest(path: str, cache: dict) -> str:
    try:
        stat = os.stat(path)
    except OSError:
        return "missing"
    key = (os.path.abspath(path), stat.st_size, stat.st_mtime_ns)
    if key not in cache:
        cache[key] = sha256_file(path)
    return cache[key]


def fingerprint(task: Task, cache: dict | None = None) -> str:
    """sha256 over the template, the parameters, the input files' contents and the version.

    Input files enter by name and content (not by folder), so moving the data does not change it.
    """
    cache = {} if cache is None else cache
    payload = {
        "kind": task.kind,
        "template": _file_digest(task.template, cache),
        # a folder parameter (data_dir) enters as a marker: its files are hashed by content below
        "parameters": {k: "<目录 folder>" if isinstance(v, str) and os.path.isdir(v) else v
                       for k, v in task.parameters.items()},
        "inputs": sorted([os.path.basename(p), _file_digest(p, cache)] for p in task.inputs),
        "package_version": __version__,
    }
    return sha256_bytes(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8"))


# --------------------------------------------------------------------------- one task


@dataclass(frozen=True)
class TaskOutcome:
    """What happened to one task; `to_manifest()` is its entry in manifest.json."""

    task_id: str
    kind: str
    project_id: str | None
    status: str
    stem: str
    result: dict = field(default_factory=dict)
    error: dict | None = None
    outputs: dict = field(default_factory=dict)
    duration_s: float = 0.0
    attempts: int = 0
    fingerprint: str = ""
    package_version: str = __version__
    notes: tuple[str, ...] = ()
    name: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def total(self):
        return self.result.get("total")

    @property
    def grade(self):
        return self.result.get("grade")

    def to_manifest(self) -> dict:
        return {"task_id": self.task_id, "project_id": self.project_id, "kind": self.kind,
                "status": self.status, "total": self.total, "grade": self.grade,
                "result": self.result, "error": self.error, "outputs": self.outputs,
                "duration_s": round(self.duration_s, 3), "attempts": self.attempts,
                "fingerprint": self.fingerprint, "package_version": self.package_version,
                "stem": self.stem, "notes": list(self.notes), "project_name": self.display_name}

    @classmethod
    def from_manifest(cls, entry: dict) -> "TaskOutcome":
        return cls(task_id=entry["task_id"], kind=entry["kind"], project_id=entry.get("project_id"),
                   status=entry["status"], stem=entry.get("stem", ""), result=entry.get("result") or {},
                   error=entry.get("error"), outputs=entry.get("outputs") or {},
                   duration_s=entry.get("duration_s") or 0.0, attempts=entry.get("attempts", 0),
                   fingerprint=entry.get("fingerprint", ""),
                   package_version=entry.get("package_version", ""), notes=tuple(entry.get("notes", ())),
                   name=entry.get("project_name"))

    @property
    def display_name(self) -> str | None:
        emitted = self.result.get("project_name")
        return emitted if isinstance(emitted, str) else self.name

    def describe_error(self) -> str:
        if not self.error:
            return ""
        return self.error.get("message") or f"{self.error.get('ename')}: {self.error.get('evalue')}"


def output_paths(out_dir: Path, stem: str) -> dict[str, Path]:
    return {"ipynb": out_dir / "notebooks" / f"{stem}.ipynb",
            "html": out_dir / "reports" / f"{stem}.html",
            "pdf": out_dir / "reports" / f"{stem}.pdf"}


def run_task(task: Task, out_dir: str | os.PathLike, *, kernel: ReusableKernel,
             formats: Iterable[str] = ("html",), timeout: float | None = DEFAULT_TIMEOUT,
             task_fingerprint: str = "", retries: int = 1) -> TaskOutcome:
    """Run one task in ``kernel`` and export it; never raises for a problem of the task itself.

    A dead or hung kernel gets ``retries`` more tries, each on a new kernel. The same function runs
    in local workers, on Dask workers, and for ``perfeval report``, so their files are identical.
    """
    started = time.perf_counter()
    try:
        return _run_task(task, Path(out_dir), kernel, formats, timeout, task_fingerprint, retries, started)
    except Exception as exc:  # noqa: BLE001 — e.g. a disk error while exporting: record it, go on
        error = NotebookError("internal", type(exc).__name__, str(exc))
        return TaskOutcome(task_id=task.task_id, kind=task.kind, project_id=task.project_id,
                           status="failed", stem=task.file_stem, error=error.to_dict(),
                           duration_s=time.perf_counter() - started, fingerprint=task_fingerprint,
                           name=task.name)


def _run_task(task, out_dir: Path, kernel, formats, timeout, task_fingerprint, retries, started):
    from .export import export_html, export_pdf

    stem = task.file_stem
    paths = output_paths(out_dir, stem)
    attempts = 0
    notes: list[str] = []
    try:
        while True:
            attempts += 1
            result = execute_notebook(task.template, paths["ipynb"], task.parameters, kernel=kernel,
                                      timeout=timeout)
            if result.ok or not result.error.retryable or attempts > retries:
                break
            notes.append(f"第 {attempts} 次执行失败（{result.error.describe()}），换用新内核重试")
    except PerfevalError as exc:  # bad parameters, missing template: nothing could run
        error = NotebookError("input", type(exc).__name__, str(exc))
        return TaskOutcome(task_id=task.task_id, kind=task.kind, project_id=task.project_id,
                           status="failed", stem=stem, error=error.to_dict(),
                           duration_s=time.perf_counter() - started, attempts=attempts,
                           fingerprint=task_fingerprint, name=task.name)
    outputs = {"ipynb": {"path": paths["ipynb"].relative_to(out_dir).as_posix(),
                         "sha256": sha256_file(paths["ipynb"])}}
    html_sha = export_html(result.notebook, paths["html"], title=task.display_title)
    outputs["html"] = {"path": paths["html"].relative_to(out_dir).as_posix(), "sha256": html_sha}
    if "pdf" in formats:
        try:
            pdf_sha = export_pdf(paths["html"], paths["pdf"])
            outputs["pdf"] = {"path": paths["pdf"].relative_to(out_dir).as_posix(), "sha256": pdf_sha}
        except PerfevalError as exc:
            notes.append(str(exc))
        except Exception as exc:  # noqa: BLE001 — a PDF engine failure must not lose the HTML
            notes.append(f"PDF 生成失败 (PDF export failed)：{type(exc).__name__}: {exc}")
    return TaskOutcome(task_id=task.task_id, kind=task.kind, project_id=task.project_id,
                       status=result.status, stem=stem, result=result.result,
                       error=result.error.to_dict() if result.error else None, outputs=outputs,
                       duration_s=time.perf_counter() - started, attempts=attempts,
                       fingerprint=task_fingerprint, notes=tuple(notes), name=task.name)


# --------------------------------------------------------------------------- local worker pool

_WORKER_KERNEL: ReusableKernel | None = None


def _worker_init() -> None:
    global _WORKER_KERNEL
    from multiprocessing import util

    _WORKER_KERNEL = ReusableKernel()
    # Worker processes leave through os._exit, which skips atexit; Finalize still runs.
    util.Finalize(None, _worker_shutdown, exitpriority=10)


def _worker_shutdown() -> None:
    if _WORKER_KERNEL is not None:
        _WORKER_KERNEL.discard()


def _worker_run(task: Task, out_dir: str, formats: tuple, timeout, fresh: bool,
                task_fingerprint: str) -> TaskOutcome:
    _WORKER_KERNEL.fresh = fresh
    return run_task(task, out_dir, kernel=_WORKER_KERNEL, formats=formats, timeout=timeout,
                    task_fingerprint=task_fingerprint)


def _worker_kernels_started() -> int:
    return _WORKER_KERNEL.started if _WORKER_KERNEL is not None else 0


class WorkerPool:
    """``jobs`` spawned worker processes, each keeping one kernel for its whole life.

    Pass one pool to several `run_batch` calls to keep the warm kernels (tests, notebooks).
    """

    def __init__(self, jobs: int = 2):
        if not isinstance(jobs, int) or jobs < 1:
            raise InputError("并行数必须是正整数 (jobs must be a positive integer)", expected="≥ 1",
                             found=jobs)
        self.jobs = jobs
        self._executor = cf.ProcessPoolExecutor(max_workers=jobs,
                                                mp_context=multiprocessing.get_context("spawn"),
                                                initializer=_worker_init)

    def submit(self, task: Task, out_dir: str, formats: tuple, timeout, fresh: bool,
               task_fingerprint: str) -> cf.Future:
        return self._executor.submit(_worker_run, task, out_dir, formats, timeout, fresh,
                                     task_fingerprint)

    def close(self, *, cancel: bool = False) -> None:
        self._executor.shutdown(wait=True, cancel_futures=cancel)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close(cancel=exc[0] is not None)


def _crashed(task: Task, exc: BaseException, fp: str) -> TaskOutcome:
    error = NotebookError("worker-died", type(exc).__name__, str(exc) or "工作进程异常退出 (worker died)")
    return TaskOutcome(task_id=task.task_id, kind=task.kind, project_id=task.project_id,
                       status="failed", stem=task.file_stem, error=error.to_dict(), fingerprint=fp,
                       name=task.name)


def _run_local(tasks: list[Task], fingerprints: dict, out_dir: Path, formats: tuple, timeout,
               fresh: bool, jobs: int, pool: WorkerPool | None,
               on_done: Callable[[TaskOutcome], None]) -> None:
    """Run the tasks on the pool. A worker process that dies (killed, out of memory) breaks the
    pool: the unfinished tasks go to a new one-worker pool, in order, so that a second death names
    its task, which is marked failed while the others go on."""
    own_pool = pool is None
    pool = pool or WorkerPool(jobs)
    remaining, isolating = list(tasks), False
    try:
        while remaining:
            futures = {pool.submit(task, str(out_dir), formats, timeout, fresh,
                                   fingerprints[task.task_id]): task for task in remaining}
            done, broken = set(), False
            for future in cf.as_completed(futures):
                task = futures[future]
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    broken = True
                    continue
                except Exception as exc:  # noqa: BLE001 — record, go on
                    outcome = _crashed(task, exc, fingerprints[task.task_id])
                done.add(task.task_id)
                on_done(outcome)
            remaining = [t for t in remaining if t.task_id not in done]
            if not broken:
                break
            if isolating and remaining:  # one worker, tasks in order: the first unfinished one killed it
                culprit = remaining.pop(0)
                on_done(_crashed(culprit, BrokenProcessPool("工作进程在执行该项目时退出 (worker died)"),
                                 fingerprints[culprit.task_id]))
            if own_pool:
                pool.close(cancel=True)
            pool, own_pool, isolating = WorkerPool(1), True, True
    finally:
        if own_pool:
            pool.close(cancel=True)


# --------------------------------------------------------------------------- manifest and index


def reproducible_part(manifest: dict) -> dict:
    """The manifest without the parts that change from run to run (``run``, ``duration_s``)."""
    core = {k: v for k, v in manifest.items() if k not in ("run", "reproducible_sha256")}
    core["projects"] = [{k: v for k, v in p.items() if k != "duration_s"} for p in manifest["projects"]]
    return core


def _canonical(data) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def build_manifest(outcomes: list[TaskOutcome], *, formats: tuple, run: dict) -> dict:
    ok = sum(o.ok for o in outcomes)
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "package": "perfeval",
        "package_version": __version__,
        "formats": list(formats),
        "projects": [o.to_manifest() for o in outcomes],
        "summary": {"total": len(outcomes), "ok": ok, "failed": len(outcomes) - ok},
        "run": run,
    }
    manifest["reproducible_sha256"] = sha256_bytes(_canonical(reproducible_part(manifest)))
    return manifest


def load_manifest(out_dir: str | os.PathLike) -> dict | None:
    path = Path(out_dir) / MANIFEST_NAME
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None  # a damaged manifest means: redo everything


def _outputs_intact(out_dir: Path, outputs: dict, formats: tuple) -> bool:
    needed = {"ipynb", "html", *formats}
    if not needed <= set(outputs):
        return False
    for entry in outputs.values():
        path = out_dir / entry["path"]
        if not path.is_file() or sha256_file(path) != entry["sha256"]:
            return False
    return True


def _fmt_number(value) -> str:
    if isinstance(value, bool) or value is None:
        return "—"
    if isinstance(value, (int, float)):
        return str(value) if isinstance(value, int) else f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def render_index(outcomes: list[TaskOutcome], *, title: str = "预算绩效评价报告索引") -> str:
    """The index page: every report with kind, status, total and grade; every string escaped."""
    esc = html.escape
    ok = sum(o.ok for o in outcomes)
    rows = []
    for number, o in enumerate(outcomes, 1):
        links = []
        for fmt, label in (("html", "报告"), ("pdf", "PDF"), ("ipynb", "笔记本")):
            if fmt in o.outputs:
                href = quote(o.outputs[fmt]["path"])
                links.append(f'<a href="{esc(href)}">{label}</a>')
        name = o.display_name or ""
        status_class = "ok" if o.ok else "failed"
        rows.append(
            "<tr>"
            f'<td class="nowrap">{number}</td>'
            f'<td class="nowrap">{esc(o.project_id or "—")}</td>'
            f"<td>{esc(name)}</td>"
            f'<td class="nowrap">{esc(KIND_LABELS.get(o.kind, o.kind))}</td>'
            f'<td class="nowrap {status_class}">{esc(STATUS_LABELS.get(o.status, o.status))}</td>'
            f'<td class="nowrap num">{esc(_fmt_number(o.total if o.ok else None))}</td>'
            f'<td class="nowrap">{esc(_fmt_number(o.grade if o.ok else None))}</td>'
            f'<td class="nowrap">{" ".join(links)}</td>'
            f"<td>{esc(o.describe_error())}</td>"
            "</tr>")
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
  "WenQuanYi Micro Hei", "Noto Sans SC", sans-serif; margin: 24px 32px; color: #1f2328; }}
h1 {{ font-size: 1.6em; border-bottom: 2px solid #b22222; padding-bottom: .3em; }}
table {{ border-collapse: collapse; font-size: 14px; }}
th, td {{ border: 1px solid #d0d7de; padding: 4px 10px; text-align: left; vertical-align: top; }}
th, td.nowrap {{ white-space: nowrap; }}
th {{ background: #f3f4f6; }} td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
td.failed {{ color: #a40e26; font-weight: bold; }} td.ok {{ color: #1a7f37; }}
</style>
</head>
<body>
<h1>{esc(title)}</h1>
<p>共 {len(outcomes)} 份报告：成功 {ok} 份，失败 {len(outcomes) - ok} 份。</p>
<table>
<thead><tr><th>序号</th><th>项目编号</th><th>项目名称</th><th>类型</th><th>状态</th><th>总分</th><th>等级</th><th>文件</th><th>错误</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</body>
</html>
"""


# --------------------------------------------------------------------------- the batch


@dataclass(frozen=True)
class BatchResult:
    """All outcomes of a batch, in task order, with where the manifest and index were written."""

    outcomes: tuple[TaskOutcome, ...]
    out_dir: str
    manifest: dict = field(repr=False)
    reused: tuple[str, ...] = ()
    wall_s: float = 0.0
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not self.interrupted and all(o.ok for o in self.outcomes)

    @property
    def failed(self) -> tuple[TaskOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.ok)

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        return 0 if self.ok else 1

    @property
    def manifest_path(self) -> str:
        return os.path.join(self.out_dir, MANIFEST_NAME)

    @property
    def index_path(self) -> str:
        return os.path.join(self.out_dir, INDEX_NAME)

    def to_frame(self):
        """One row per report, Chinese column labels (for JupyterLab and spreadsheets)."""
        import pandas as pd

        rows = [{"任务": o.task_id, "项目编号": o.project_id, "项目名称": o.display_name,
                 "类型": KIND_LABELS.get(o.kind, o.kind), "状态": STATUS_LABELS.get(o.status, o.status),
                 "总分": o.total if o.ok else None, "等级": o.grade if o.ok else None,
                 "用时（秒）": round(o.duration_s, 2), "错误": o.describe_error()} for o in self.outcomes]
        return pd.DataFrame(rows, columns=["任务", "项目编号", "项目名称", "类型", "状态", "总分", "等级",
                                           "用时（秒）", "错误"])

    def _repr_html_(self) -> str:
        head = html.escape(self.summary().splitlines()[0])
        return f"<p>{head}</p>" + self.to_frame().to_html(index=False, escape=True, na_rep="—")

    def summary(self) -> str:
        """The closing summary, in Chinese: counts, then each failure with its error."""
        n = len(self.outcomes)
        ok = n - len(self.failed)
        lines = [f"批量生成{'中断' if self.interrupted else '完成'}：共 {n} 份报告，成功 {ok} 份，"
                 f"失败 {len(self.failed)} 份"
                 + (f"（其中 {len(self.reused)} 份输入未变，沿用上次结果）" if self.reused else "")
                 + f"；用时 {self.wall_s:.1f} 秒。"]
        if self.failed:
            lines.append("失败清单 (failed):")
            for o in self.failed:
                label = KIND_LABELS.get(o.kind, o.kind)
                lines.append(f"  - {o.task_id}（{label}）：{o.describe_error()}")
        notes = sorted({note for o in self.outcomes for note in o.notes if "PDF" in note})
        lines.extend(f"提示：{note}" for note in notes)
        lines.append(f"报告索引 (index)：{self.index_path}")
        lines.append(f"清单 (manifest)：{self.manifest_path}")
        return "\n".join(lines)


def _check_tasks(tasks: list[Task]) -> None:
    problems = []
    seen_ids, seen_stems = {}, {}
    for i, task in enumerate(tasks):
        if not isinstance(task, Task):
            problems.append(f"第 {i + 1} 个任务不是 Task 对象：{type(task).__name__}")
            continue
        if task.task_id in seen_ids:
            problems.append(f"任务编号重复 (duplicate task id)：{task.task_id!r}")
        seen_ids[task.task_id] = i
        stem = task.file_stem
        if stem in seen_stems:
            problems.append(f"输出文件名重复 (duplicate output name)：{stem!r}（任务 {task.task_id!r}）")
        seen_stems[stem] = i
    if problems:
        from ..errors import ValidationError

        raise ValidationError("批量任务有误 (invalid batch tasks)", problems)


def _check_formats(formats) -> tuple:
    if isinstance(formats, str):
        formats = tuple(f.strip() for f in formats.split(",") if f.strip())
    formats = tuple(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise InputError("不支持的输出格式 (unknown format)", where=Location(path="formats"),
                         expected="html 或 pdf", found=",".join(unknown))
    return tuple(f for f in FORMATS if f in formats or f == "html")


def run_batch(tasks: Iterable[Task], out_dir: str | os.PathLike, *, jobs: int = 2,
              fresh_kernel: bool = False, resume: bool = False, formats=("html",),
              executor: str = "local", scheduler=None, timeout: float | None = DEFAULT_TIMEOUT,
              pool: WorkerPool | None = None, progress: bool | None = None,
              echo: Callable[[str], None] | None = None) -> BatchResult:
    """Run every task and write reports, executed notebooks, manifest.json and index.html.

    ``jobs``: worker processes (= cores is best). ``fresh_kernel``: a new kernel per notebook.
    ``resume``: keep earlier successes whose fingerprint and outputs are unchanged.
    ``formats``: "html" always, plus "pdf" if an engine is installed (else a Chinese notice).
    ``executor``: "local" (process pool, or the given ``pool``) or "dask" (``scheduler`` = address
    or `distributed.Client`). ``timeout``: seconds per cell. ``progress``: tqdm bar (None: only on a
    terminal). ``echo``: where notices go (default: stderr). Never raises for a failing task.
    """
    from tqdm import tqdm

    from .export import PDF_MISSING_MESSAGE, pdf_engine

    echo = echo or (lambda text: print(text, file=sys.stderr))
    started_wall = time.perf_counter()
    started_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    tasks = list(tasks)
    _check_tasks(tasks)
    formats = _check_formats(formats)
    if executor not in ("local", "dask"):
        raise InputError("未知的执行方式 (unknown executor)", expected="local 或 dask", found=executor)
    if executor == "dask" and scheduler is None:
        raise InputError("使用 Dask 执行时必须指定调度器地址 (--scheduler ADDRESS)",
                         expected="如 tcp://10.0.0.5:8786", found=None)
    notices = []
    if "pdf" in formats and pdf_engine() is None:
        notices.append(PDF_MISSING_MESSAGE)
        formats = tuple(f for f in formats if f != "pdf")
    for notice in notices:
        echo(notice)

    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    cache: dict = {}
    fingerprints = {t.task_id: fingerprint(t, cache) for t in tasks}
    previous = {}
    if resume:
        old = load_manifest(out_dir) or {}
        previous = {p.get("task_id"): p for p in old.get("projects", []) if isinstance(p, dict)}
    done: dict[str, TaskOutcome] = {}
    to_run = []
    for task in tasks:
        entry = previous.get(task.task_id)
        if (entry and entry.get("status") == "ok" and entry.get("fingerprint") == fingerprints[task.task_id]
                and entry.get("stem") == task.file_stem
                and _outputs_intact(out_dir, entry.get("outputs") or {}, formats)):
            done[task.task_id] = TaskOutcome.from_manifest(entry)
        else:
            to_run.append(task)
    reused = tuple(t.task_id for t in tasks if t.task_id in done)

    bar = tqdm(total=len(to_run), desc="生成报告", unit="份", file=sys.stderr, dynamic_ncols=True,
               disable=None if progress is None else not progress)
    failures = 0

    def on_done(outcome: TaskOutcome) -> None:
        nonlocal failures
        done[outcome.task_id] = outcome
        failures += not outcome.ok
        bar.set_postfix_str(f"失败 {failures}", refresh=False)
        bar.update(1)

    interrupted = False
    try:
        if to_run:
            if executor == "local":
                _run_local(to_run, fingerprints, out_dir, formats, timeout, fresh_kernel, jobs,
                           pool, on_done)
            else:
                from .dask import run_on_dask

                run_on_dask(to_run, fingerprints, out_dir, formats, timeout, fresh_kernel,
                            scheduler, on_done)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()

    outcomes = [done[t.task_id] for t in tasks if t.task_id in done]
    wall = time.perf_counter() - started_wall
    run = {"started_at": started_at, "wall_s": round(wall, 3), "executor": executor,
           "jobs": jobs if executor == "local" else None, "fresh_kernel": fresh_kernel,
           "resumed": list(reused), "interrupted": interrupted, "notices": notices}
    manifest = build_manifest(outcomes, formats=formats, run=run)
    atomic_write_text(out_dir / MANIFEST_NAME,
                      json.dumps(manifest, sort_keys=True, ensure_ascii=False, indent=2) + "\n")
    atomic_write_text(out_dir / INDEX_NAME, render_index(outcomes))
    result = BatchResult(outcomes=tuple(outcomes), out_dir=str(out_dir), manifest=manifest,
                         reused=reused, wall_s=wall, interrupted=interrupted)
    if interrupted:
        raise KeyboardInterrupt(result.summary())
    return result

