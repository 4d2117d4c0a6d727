"""One report to make (`Task`), what became of it (`TaskOutcome`), and `run_task`, which makes it.

Shared by every executor: the local worker pool (`report.batch`), Dask workers (`report.dask`) and
``perfeval report`` all call `run_task`, so the same task gives the same files wherever it runs.
`fingerprint` decides whether a task must be redone (``--resume``): it covers the template, the
parameters, the input files' contents and the package version, not where the data lives.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .. import __version__
from ..errors import InputError, Location, PerfevalError, ValidationError
from .execute import DEFAULT_TIMEOUT, NotebookError, TaskCancelled, execute_notebook
from .kernels import ReusableKernel
from .storage import safe_stem, sha256_bytes, sha256_file

FORMATS = ("html", "pdf")
KIND_LABELS = {"self": "绩效自评", "key": "重点评价", "portfolio": "全市综合对比", "exante": "事前绩效评估",
               "targets": "绩效目标审核", "targets-summary": "绩效目标审核汇总", "priority": "择优排序",
               "monitor": "绩效运行监控", "annual": "工作开展情况说明", "dept": "部门整体支出绩效自评",
               "dept-summary": "部门整体支出绩效对比"}
# city-wide reports first in the index and the manifest (what a director opens), then the projects
KIND_ORDER = {"annual": 0, "portfolio": 1, "monitor": 2, "priority": 3, "targets-summary": 4, "self": 5, "key": 6,
              "exante": 7, "targets": 8, "dept-summary": 9, "dept": 10}
UNGRADED_KINDS = frozenset({"portfolio", "targets-summary", "priority", "monitor", "annual", "dept-summary"})  # city-wide reports: no grade to show
# Ends the note on a task that a Dask worker was lost under and another worker made (`report.dask`).
RERUN_MARK = "(worker lost; the task was rerun)"


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
    furniture: tuple = ()    # (key, value) pairs for the cover: issuer, date_text, year (from city.yaml)

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
        """The ledger entry; ``status`` may later become "missing"/"changed" (see `report.ledger`),
        ``run_status`` keeps what the run gave."""
        return {"task_id": self.task_id, "project_id": self.project_id, "kind": self.kind,
                "status": self.status, "run_status": self.status, "total": self.total, "grade": self.grade,
                "result": self.result, "error": self.error, "outputs": self.outputs,
                "duration_s": round(self.duration_s, 3), "attempts": self.attempts,
                "fingerprint": self.fingerprint, "package_version": self.package_version,
                "stem": self.stem, "notes": list(self.notes), "project_name": self.display_name}

    @classmethod
    def from_manifest(cls, entry: dict) -> "TaskOutcome":
        return cls(task_id=entry["task_id"], kind=entry["kind"], project_id=entry.get("project_id"),
                   status=entry.get("run_status") or entry["status"], stem=entry.get("stem", ""),
                   result=entry.get("result") or {},
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
             task_fingerprint: str = "", retries: int = 1,
             cancelled: Callable[[], bool] | None = None) -> TaskOutcome:
    """Run one task in ``kernel`` and export it; never raises for a problem of the task itself.

    A dead or hung kernel gets ``retries`` more tries, each on a new kernel. The same function runs
    in local workers, on Dask workers, and for ``perfeval report``, so their files are identical.
    ``cancelled`` (Dask workers): asked when the notebook has run, before anything is written; True
    raises `TaskCancelled`. Once the executed notebook is written the task is finished and exported.
    """
    started = time.perf_counter()
    try:
        return _run_task(task, Path(out_dir), kernel, formats, timeout, task_fingerprint, retries, started,
                         cancelled or _never)
    except TaskCancelled:
        raise
    except Exception as exc:  # noqa: BLE001 — e.g. a disk error while exporting: record it, go on
        error = NotebookError("internal", type(exc).__name__, str(exc))
        return TaskOutcome(task_id=task.task_id, kind=task.kind, project_id=task.project_id,
                           status="failed", stem=task.file_stem, error=error.to_dict(),
                           duration_s=time.perf_counter() - started, fingerprint=task_fingerprint,
                           name=task.name)


def _never() -> bool:
    return False


def _run_task(task, out_dir: Path, kernel, formats, timeout, task_fingerprint, retries, started, cancelled):
    from .export import export_html, export_pdf

    stem = task.file_stem
    paths = output_paths(out_dir, stem)
    attempts = 0
    notes: list[str] = []
    try:
        while True:
            attempts += 1
            result = execute_notebook(task.template, paths["ipynb"], task.parameters, kernel=kernel,
                                      timeout=timeout, cancelled=cancelled)
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
    from .export import technical_path
    from .furniture import Cover

    html_sha = export_html(result.notebook, paths["html"], title=task.display_title, cover=Cover.for_task(task))
    outputs["html"] = {"path": paths["html"].relative_to(out_dir).as_posix(), "sha256": html_sha}
    appendix = technical_path(paths["html"])
    if appendix.is_file():  # input files and hashes: the manifest and the appendix, never the reader's page
        outputs["technical"] = {"path": appendix.relative_to(out_dir).as_posix(), "sha256": sha256_file(appendix)}
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


def crashed_outcome(task: Task, exc: BaseException, fp: str, message: str | None = None) -> TaskOutcome:
    """A task whose worker died under it (or that failed outside `run_task`): failed, with ``message``
    (default: the exception's text)."""
    error = NotebookError("worker-died", type(exc).__name__,
                          message or str(exc) or "工作进程异常退出 (worker died)")
    return TaskOutcome(task_id=task.task_id, kind=task.kind, project_id=task.project_id,
                       status="failed", stem=task.file_stem, error=error.to_dict(), fingerprint=fp,
                       name=task.name)


def check_tasks(tasks: list[Task]) -> None:
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
        raise ValidationError("批量任务有误 (invalid batch tasks)", problems)


def check_formats(formats) -> tuple:
    if isinstance(formats, str):
        formats = tuple(f.strip() for f in formats.split(",") if f.strip())
    formats = tuple(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise InputError("不支持的输出格式 (unknown format)", where=Location(path="formats"),
                         expected="html 或 pdf", found=",".join(unknown))
    return tuple(f for f in FORMATS if f in formats or f == "html")
