"""Run one parameterised notebook with papermill and return what happened.

`execute_notebook(template, out_ipynb, parameters, kernel=…)`:

- parameters are checked first: names must be Python identifiers and not keywords (papermill does
  not check names, and a name with a newline injects code), values must be JSON-shaped;
- values are injected readably (``project_name = '示例项目'``, not ``'\\u793a…'``) by a
  ``repr()``-based papermill translator;
- a hidden first cell (tag ``perfeval-setup``) resets a reused kernel to the state of a new one
  (`_setup.prepare_kernel`) and sets the working directory; it runs with new kernels too, so
  both give the same notebook;
- each cell has a time limit; a cell exception marks the run failed with the error, a dead or hung
  kernel too (the caller throws that kernel away: see `kernels.ReusableKernel`);
- the executed notebook is cleaned of everything that changes from run to run (papermill and
  nbclient timings, random cell ids, the kernel's process id in tracebacks) and written atomically.

The result fields the notebook emitted (`results.emit_result`) come back in ``result``.
"""
from __future__ import annotations

import copy
import json
import keyword
import math
import os
import re
import shutil
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import InputError, Location
from .kernels import ReusableKernel
from .lifeline import temp_prefix
from .markup import escape_markdown
from .results import read_result
from .._files import atomic_write

SETUP_TAG = "perfeval-setup"
SETUP_CELL_ID = "perfeval-setup"
ERROR_TAG = "perfeval-error"
PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"
DEFAULT_TIMEOUT = 600.0
ENGINE_NAME = "perfeval"

# One expression, no names bound: it clears the namespace it runs in.
SETUP_SOURCE = """\
# perfeval: start from the state of a new kernel (this cell is hidden in reports)
__import__("perfeval.report._setup", fromlist=["prepare_kernel"]).prepare_kernel({cwd!r});"""

# The kernel's process id appears in file names of warnings and tracebacks.
_KERNEL_TMP = re.compile(r"ipykernel_\d+")


class TaskCancelled(Exception):
    """The batch was stopped while this notebook ran (its kernel may have been killed for it):
    nothing was written, and the run must not be retried or recorded."""


# --------------------------------------------------------------------------- parameters


def _json_shaped(value: Any, path: str) -> Any:
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise InputError("参数值不能是 NaN 或无穷大 (parameter values must be finite)",
                             where=Location(path=path), expected="有限的数字", found=value)
        return value
    if isinstance(value, list):
        return [_json_shaped(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise InputError("参数中字典的键必须是字符串 (dict keys must be strings)",
                                 where=Location(path=path), expected="str", found=key)
            out[key] = _json_shaped(item, f"{path}.{key}")
        return out
    raise InputError("参数值必须是 JSON 形式：数字、字符串、布尔值、None、列表或字典 "
                     "(parameter values must be JSON-shaped)",
                     where=Location(path=path), expected="JSON 值", found=type(value).__name__)


def validate_parameters(parameters: dict | None) -> dict:
    """Check names (identifiers, not keywords) and values (JSON-shaped); returns a clean copy.

    ``os.PathLike`` values become strings.
    """
    if parameters is None:
        return {}
    if not isinstance(parameters, dict):
        raise InputError("参数必须是字典 (parameters must be a dict)", expected="dict",
                         found=type(parameters).__name__)
    clean = {}
    for name, value in parameters.items():
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise InputError("参数名必须是合法的 Python 标识符且不是关键字 "
                             "(parameter names must be identifiers, not keywords)",
                             where=Location(path="parameters"), expected="如 project_id、data_dir",
                             found=name)
        clean[name] = _json_shaped(value, f"parameters.{name}")
    return clean


def register_readable_translator() -> None:
    """Make papermill inject ``str`` values with ``repr()`` so Chinese stays readable."""
    from papermill.translators import PythonTranslator, papermill_translators

    class ReadablePythonTranslator(PythonTranslator):
        @classmethod
        def translate_str(cls, val):
            return repr(val)

    papermill_translators.register("python", ReadablePythonTranslator)


def _register_engine() -> None:
    """A papermill engine that runs on our kernel client and keeps partial results.

    It reuses the client the kernel was started with (``kc=``) instead of letting nbclient make a
    new one per notebook, and when the kernel dies or hangs it attaches the partly executed
    notebook to the exception so the failed report can still be exported.
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    class KernelReusingEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None,
                                     **kwargs):
            kc = kwargs.pop("kc", None)
            kwargs.pop("input_path", None)
            client = PapermillNotebookClient(nb_man, timeout=execution_timeout,
                                             startup_timeout=start_timeout, kernel_name=kernel_name,
                                             log=logger, log_output=log_output,
                                             stdout_file=stdout_file, stderr_file=stderr_file, **kwargs)
            client.kc = kc
            try:
                return client.execute()
            except BaseException as exc:
                exc.perfeval_partial_notebook = nb_man.nb
                raise

    papermill_engines.register(ENGINE_NAME, KernelReusingEngine)


_REGISTERED = False


def _ensure_registered() -> None:
    global _REGISTERED
    if not _REGISTERED:
        register_readable_translator()
        _register_engine()
        _REGISTERED = True


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class NotebookError:
    """Why a report failed. ``kind``: cell-error | kernel-died | timeout | kernel-start | input |
    worker-died | worker-env (a Dask worker cannot see the shared folders or runs another version) |
    internal."""

    kind: str
    ename: str
    evalue: str
    cell_index: int | None = None  # 0-based index among the template's cells
    execution_count: int | None = None

    @property
    def retryable(self) -> bool:
        """A kernel problem (not the notebook's own exception): worth one more try."""
        return self.kind in ("kernel-died", "timeout", "kernel-start")

    def describe(self) -> str:
        """Chinese one-liner: where, what kind, exception name and message."""
        where = f"第 {self.cell_index + 1} 个单元格" if self.cell_index is not None else ""
        if self.execution_count is not None:
            where += f"（In [{self.execution_count}]）"
        label = {"cell-error": "出错", "kernel-died": "内核异常退出 (kernel died)",
                 "timeout": "执行超时 (cell timed out)", "kernel-start": "内核无法启动 (kernel did not start)",
                 "input": "输入有误 (bad input)", "worker-died": "工作进程异常退出 (worker died)",
                 "worker-env": "工作进程无法生成该报告 (worker cannot make this report)",
                 "internal": "内部错误 (internal error)"}.get(self.kind, self.kind)
        if not where and self.kind == "cell-error":
            label = "单元格出错"
        elif where and self.kind == "kernel-died":
            label = "执行时" + label
        what = f"{self.ename}: {self.evalue}" if self.evalue else self.ename
        return f"{where}{label}：{what}"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "ename": self.ename, "evalue": self.evalue,
                "cell_index": self.cell_index, "execution_count": self.execution_count,
                "message": self.describe()}


@dataclass(frozen=True)
class ExecutionResult:
    """Outcome of one notebook run: status, error, time taken, emitted result fields."""

    status: str  # "ok" | "failed"
    output: str | None
    error: NotebookError | None = None
    duration_s: float = 0.0
    result: dict = field(default_factory=dict)
    kernel_reused: bool = False
    notebook: Any = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


# --------------------------------------------------------------------------- notebook preparation


def load_template(template: str | os.PathLike) -> Any:
    """Read a notebook and give every cell a deterministic id (nbformat ≥ 4.5 requires ids)."""
    import nbformat

    path = Path(template)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("找不到报告模板笔记本 (notebook template not found)",
                         where=Location(file=str(path)), expected="一个 .ipynb 文件") from None
    try:
        raw_cells = json.loads(text).get("cells", [])
        with warnings.catch_warnings():  # missing ids are given deterministic ones below
            warnings.filterwarnings("ignore", message=".*missing an id field")
            nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types for bad JSON/schema
        raise InputError(f"不是有效的 Jupyter 笔记本 (not a valid notebook)：{exc}",
                         where=Location(file=str(path)), expected="nbformat 4 笔记本") from None
    if nb.nbformat_minor < 5:
        nb = nbformat.v4.upgrade(nb) or nb
    # nbformat fills missing ids with random ones; ours must not change from run to run.
    had_id = [isinstance(c, dict) and bool(c.get("id")) for c in raw_cells]
    seen = set()
    for index, cell in enumerate(nb.cells):
        if index >= len(had_id) or not had_id[index] or not cell.get("id") or cell["id"] in seen:
            cell["id"] = f"cell-{index}"
        seen.add(cell["id"])
    return nb


def _with_setup_cell(nb, cwd: str):
    import nbformat

    nb = copy.deepcopy(nb)
    has_parameters = any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells)
    setup = nbformat.v4.new_code_cell(SETUP_SOURCE.format(cwd=cwd))
    setup["id"] = SETUP_CELL_ID
    # Without a parameters cell papermill would inject at the very top, before the reset; tagging
    # the setup cell makes it inject right after it.
    setup.metadata["tags"] = [SETUP_TAG] if has_parameters else [SETUP_TAG, "parameters"]
    setup.metadata["jupyter"] = {"source_hidden": True}
    nb.cells.insert(0, setup)
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3",
                                          "language": "python"})
    return nb


# --------------------------------------------------------------------------- cleaning


def _scrub(text):
    return _KERNEL_TMP.sub("ipykernel", text) if isinstance(text, str) else text


def clean_notebook(nb, template_ids: set[str]) -> Any:
    """Remove run-to-run noise so the same notebook and parameters give the same bytes.

    Consecutive outputs of one stream are merged (nbconvert's `CoalesceStreamsPreprocessor`, as
    Jupyter shows them): how ``print`` output is cut into messages depends on when the kernel's
    output thread flushes, so one line may arrive as "text" then "\\n" in one run and whole in the next.
    """
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    coalesce = CoalesceStreamsPreprocessor()
    pm_meta = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "input_path", "output_path",
                "environment_variables"):
        pm_meta.pop(key, None)
    nb.metadata.pop("widgets", None)
    used = set()
    for index, cell in enumerate(nb.cells):
        meta = cell.setdefault("metadata", {})
        meta.pop("execution", None)
        for key in ("start_time", "end_time", "duration"):
            meta.get("papermill", {}).pop(key, None)
        cid = cell.get("id")
        if cid not in template_ids and cid != SETUP_CELL_ID:
            tags = meta.get("tags", [])
            cid = "injected-parameters" if "injected-parameters" in tags else f"inserted-{index}"
        while cid in used:
            cid = f"{cid}-{index}"
        cell["id"] = cid
        used.add(cid)
        if cell.get("cell_type") != "code":
            continue
        if cid == SETUP_CELL_ID:
            cell["execution_count"] = None
        coalesce.preprocess_cell(cell, {}, index)
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = _scrub(output["text"])
            if "traceback" in output:
                output["traceback"] = [_scrub(line) for line in output["traceback"]]
            if "evalue" in output:
                output["evalue"] = _scrub(output["evalue"])
    return nb


def _template_index(nb, cell_pos: int | None, template_order: dict[str, int]) -> int | None:
    if cell_pos is None:
        return None
    return template_order.get(nb.cells[cell_pos].get("id"))


def _banner_cells(error: NotebookError, *, with_anchor: bool):
    """A Chinese error banner for the top of the report and an anchor before the failing cell."""
    import nbformat

    message = escape_markdown(error.describe())  # a Markdown cell: a link in a name must stay text
    link = '<a href="#perfeval-error-cell">跳转到出错位置</a>' if with_anchor else ""
    top = nbformat.v4.new_markdown_cell(
        '<div class="perfeval-error" role="alert"><strong>本报告未能完整生成 (report failed)</strong>'
        f'：{message}。{link}</div>')
    top["id"] = "perfeval-error-banner"
    anchor = nbformat.v4.new_markdown_cell(
        '<div id="perfeval-error-cell" class="perfeval-error">执行在此处出错并停止 '
        '(execution stopped here)：</div>')
    anchor["id"] = "perfeval-error-anchor"
    for cell in (top, anchor):
        cell.metadata["tags"] = [ERROR_TAG]
    return top, anchor


def _mark_failure(nb, error: NotebookError):
    """Replace papermill's English error cells by a Chinese banner and an anchor."""
    nb.cells = [c for c in nb.cells if PAPERMILL_ERROR_TAG not in c.get("metadata", {}).get("tags", [])
                and ERROR_TAG not in c.get("metadata", {}).get("tags", [])]
    cell_pos = _failing_cell(nb)
    top, anchor = _banner_cells(error, with_anchor=cell_pos is not None)
    if cell_pos is not None:
        nb.cells.insert(cell_pos, anchor)
    nb.cells.insert(0, top)
    nb.metadata.setdefault("papermill", {})["exception"] = True
    return nb


def _failing_cell(nb) -> int | None:
    """Position of the cell with an error output or marked as the failure; None if there is none."""
    for pos, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return pos
        if cell.get("metadata", {}).get("papermill", {}).get("exception") is True:
            return pos
    return None


def _own_error_names() -> set[str]:
    """Names of the errors perfeval raises on purpose (`errors.PerfevalError` and its subclasses)."""
    from ..errors import PerfevalError

    names, todo = set(), [PerfevalError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


def _message_only(cell) -> None:
    """An error perfeval raised on purpose already says where and what: show its message in the
    report, not a Python traceback."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            output["traceback"] = [f"{output.get('ename')}: {output.get('evalue')}"]


def _last_started_cell(nb) -> int | None:
    """After a kernel death or timeout: the last code cell papermill started (it marks the cell
    "completed" in a ``finally`` even then, so the status alone does not tell)."""
    last = None
    for pos, cell in enumerate(nb.cells):
        if cell.get("cell_type") == "code" and \
                cell.get("metadata", {}).get("papermill", {}).get("status") in ("running", "completed", "failed"):
            last = pos
    return last


# --------------------------------------------------------------------------- execution


def execute_notebook(template: str | os.PathLike, out_ipynb: str | os.PathLike | None,
                     parameters: dict | None = None, *, kernel: ReusableKernel | None = None,
                     timeout: float | None = DEFAULT_TIMEOUT, cwd: str | os.PathLike | None = None,
                     start_timeout: float = 60, cancelled: Callable[[], bool] | None = None) -> ExecutionResult:
    """Execute ``template`` with ``parameters`` and write the executed notebook to ``out_ipynb``.

    ``kernel``: a `ReusableKernel` to run in (reused across calls); None starts a new kernel and
    stops it afterwards. ``timeout``: seconds allowed per cell (None: no limit). ``cwd``: the
    notebook's working directory (default: the template's folder). A failed run still writes the
    notebook, with a Chinese error banner and the traceback. Bad parameters or an unreadable
    template raise `InputError` before anything runs. ``cancelled``: asked once the run is over;
    True raises `TaskCancelled` and nothing is written (a Dask worker whose batch was stopped).
    """
    import nbformat
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    _ensure_registered()
    params = validate_parameters(parameters)
    template_nb = load_template(template)
    template_order = {cell["id"]: i for i, cell in enumerate(template_nb.cells)}
    workdir = os.path.abspath(cwd if cwd is not None else Path(template).resolve().parent)
    prepared = _with_setup_cell(template_nb, workdir)

    own_kernel = kernel is None
    kernel = kernel or ReusableKernel(fresh=True)
    started = time.perf_counter()
    scratch = tempfile.mkdtemp(prefix=temp_prefix("pfnb"))
    scratch_out = os.path.join(scratch, "executed.ipynb")
    error = None
    reused = False
    executed = None
    try:
        try:
            km, reused = kernel.acquire()
        except Exception as exc:  # noqa: BLE001 — any start failure is reported, the batch goes on
            kernel.discard()
            error = NotebookError("kernel-start", type(exc).__name__, str(exc))
            executed = prepared
        if error is None:
            try:
                pm.execute_notebook(prepared, scratch_out, parameters=params, engine_name=ENGINE_NAME,
                                    km=km, kc=km.perfeval_client, kernel_name=km.kernel_name,
                                    language="python",
                                    request_save_on_cell_execute=False, progress_bar=False,
                                    execution_timeout=timeout, start_timeout=start_timeout)
                executed = nbformat.read(scratch_out, as_version=4)
            except pm.PapermillExecutionError as exc:
                executed = nbformat.read(scratch_out, as_version=4)
                pos = _failing_cell(executed)
                error = NotebookError("cell-error", exc.ename, _scrub(str(exc.evalue)),
                                      _template_index(executed, pos, template_order), exc.exec_count)
                if pos is not None and exc.ename in _own_error_names():
                    _message_only(executed.cells[pos])
            except (DeadKernelError, CellTimeoutError) as exc:
                kernel.discard()
                executed = getattr(exc, "perfeval_partial_notebook", None) or prepared
                pos = _last_started_cell(executed)
                kind = "timeout" if isinstance(exc, CellTimeoutError) else "kernel-died"
                evalue = (f"单元格超过 {timeout:g} 秒未完成 (cell exceeded the time limit)"
                          if kind == "timeout" else "内核进程意外退出 (the kernel process exited)")
                error = NotebookError(kind, type(exc).__name__, evalue,
                                      _template_index(executed, pos, template_order),
                                      executed.cells[pos].get("execution_count") if pos is not None else None)
                if pos is not None:
                    executed.cells[pos].metadata.setdefault("papermill", {}).update(
                        status="failed", exception=True)
            if error is None or not error.retryable:
                kernel.release()
    finally:
        if own_kernel:
            kernel.discard()
        shutil.rmtree(scratch, ignore_errors=True)

    if cancelled is not None and cancelled():
        raise TaskCancelled(str(template))
    executed = clean_notebook(executed, set(template_order))
    if error is not None:
        executed = _mark_failure(executed, error)
    duration = time.perf_counter() - started
    if out_ipynb is not None:
        atomic_write(out_ipynb, nbformat.writes(executed).encode("utf-8"), make_parents=True)
    return ExecutionResult(status="failed" if error else "ok",
                           output=os.fspath(out_ipynb) if out_ipynb is not None else None,
                           error=error, duration_s=duration, result=read_result(executed),
                           kernel_reused=reused, notebook=executed)


def notebook_summary(result: ExecutionResult) -> str:
    """One line for logs: status, time and emitted fields."""
    fields = json.dumps(result.result, ensure_ascii=False, sort_keys=True)
    if result.ok:
        return f"成功 ({result.duration_s:.2f}s) {fields}"
    return f"失败 ({result.duration_s:.2f}s)：{result.error.describe()}"
