"""Reports from notebooks: run a parameterised notebook per project, export HTML/PDF, run batches.

For notebooks (cheap to import inside a kernel):
    emit_result(**fields)        hand total, grade, … back to the batch
    brief_errors()               perfeval's own errors as a short Chinese message in JupyterLab
    setup_cjk_fonts(), set_theme(**kw)   Chinese text in matplotlib/seaborn charts

For the machinery (imported on first use):
    execute_notebook(template, out_ipynb, parameters, kernel=…, timeout=…) -> ExecutionResult
    export_html(nb, out_html, title=…), export_pdf(html, out_pdf)
    Task, run_task, fingerprint                 one report (report.task)
    run_batch(tasks, out_dir, jobs=2, …) -> BatchResult, WorkerPool   (report.batch)
    Ledger, BatchLock                           the output folder's record and lock (report.ledger)
    open_cluster, ClusterError                  the Dask cluster of ``executor="dask"`` (report.cluster)
    ReusableKernel, safe_stem
"""
from __future__ import annotations

import importlib

from .fonts import CJKFont, FontMissingError, set_theme, setup_cjk_fonts
from .results import RESULT_MIME, emit_result, read_result

_LAZY = {
    "execute_notebook": "execute", "ExecutionResult": "execute", "NotebookError": "execute",
    "validate_parameters": "execute",
    "export_html": "export", "export_pdf": "export", "notebook_to_html": "export",
    "pdf_engine": "export", "PdfUnavailableError": "export",
    "Task": "task", "TaskOutcome": "task", "run_task": "task", "fingerprint": "task",
    "BatchResult": "batch", "run_batch": "batch", "WorkerPool": "batch",
    "Ledger": "ledger", "BatchLock": "ledger", "BatchLockedError": "ledger", "OutputFolderError": "ledger",
    "open_cluster": "cluster", "ClusterError": "cluster",
    "render_index": "index", "render_public_index": "index",
    "ReusableKernel": "kernels",
    "safe_stem": "storage",
    "brief_errors": "interactive",
}

__all__ = ["CJKFont", "FontMissingError", "RESULT_MIME", "emit_result", "read_result",
           "set_theme", "setup_cjk_fonts", *_LAZY]


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'perfeval.report' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
