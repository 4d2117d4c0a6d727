"""Runs inside the kernel, from the hidden first cell of every report notebook.

It brings a reused kernel back to the state of a new one, so that a report made in a batch (kernel
reused) is byte-identical to the same report made alone (new kernel): user variables gone,
working directory set, execution counter restarted, warning "once" registries cleared and warning
filters restored, pandas/numpy display options and matplotlib state back to their defaults, CJK
fonts set up. Imported modules stay cached: that is the point of reusing the kernel.
"""
from __future__ import annotations

import builtins
import gc
import os
import sys
import warnings

_PRISTINE_WARNING_FILTERS = None

NUMPY_PRINT_DEFAULTS = dict(edgeitems=3, infstr="inf", linewidth=75, nanstr="nan", precision=8,
                            suppress=False, threshold=1000, formatter=None, sign="-",
                            floatmode="maxprec", legacy=False)


def _reset_warnings() -> None:
    global _PRISTINE_WARNING_FILTERS
    if _PRISTINE_WARNING_FILTERS is None:  # first notebook in this kernel: remember the defaults
        _PRISTINE_WARNING_FILTERS = list(warnings.filters)
    warnings.filters[:] = _PRISTINE_WARNING_FILTERS
    warnings.onceregistry.clear()
    for module in list(sys.modules.values()):
        registry = getattr(module, "__warningregistry__", None)
        if isinstance(registry, dict):
            registry.clear()
    mutated = getattr(warnings, "_filters_mutated", None)
    if mutated is not None:
        mutated()


def _reset_display_options() -> None:
    if "pandas" in sys.modules:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sys.modules["pandas"].reset_option("all")
    if "numpy" in sys.modules:
        sys.modules["numpy"].set_printoptions(**NUMPY_PRINT_DEFAULTS)


def reset_shell(shell) -> None:
    """``%reset -f`` without its full garbage collection, then a cheap collection and a freeze.

    IPython's reset ends with ``gc.collect()`` over the whole heap (~0.1 s once pandas, seaborn
    and matplotlib are loaded). Here the namespaces and output caches are cleared the same way,
    then only objects created since the previous notebook are collected, and the survivors (module
    state) are frozen out of future collections.
    """
    hook = shell.displayhook
    full_cache = hook.do_full_cache
    hook.do_full_cache = 0  # skip DisplayHook.flush(), whose gc.collect() scans everything
    try:
        shell.reset(new_session=False)
    finally:
        hook.do_full_cache = full_cache
    hook._, hook.__, hook.___ = "", "", ""
    if "_" not in builtins.__dict__:
        shell.user_ns.update({"_": "", "__": "", "___": ""})
    history = shell.history_manager
    if history is not None:
        history.input_hist_parsed[:] = [""]
        history.input_hist_raw[:] = [""]
    gc.collect()
    gc.freeze()


def prepare_kernel(cwd: str) -> None:
    """Called by the hidden setup cell of every report notebook."""
    from IPython import get_ipython

    from .fonts import reset_matplotlib_state

    shell = get_ipython()
    if shell is not None:
        reset_shell(shell)
    os.chdir(cwd)
    _reset_warnings()
    _reset_display_options()
    reset_matplotlib_state()
    if shell is not None:
        # The setup cell itself is counted when it ends, so the report's first cell is In [1]
        # whether the kernel is new or reused (tracebacks print "Cell In[n]").
        shell.execution_count = 0
