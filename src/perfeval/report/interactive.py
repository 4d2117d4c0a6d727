"""perfeval in JupyterLab: its own errors as a short Chinese message, not a forty-line traceback.

A report notebook opened by hand (an expert trying another project, a trainer in a room of thirty)
meets ordinary mistakes: an unknown project id, a data folder that is not there, a scheme that does
not fit the form. ``brief_errors()`` makes IPython show such an error — every
:class:`~perfeval.errors.PerfevalError` — as one line naming what was expected (the valid project
ids, the schemes …) instead of a traceback. Other exceptions keep their traceback (they are
bugs to report). The cell still fails with the same error output, so papermill and the batch see
the error as before.
"""
from __future__ import annotations


def _show(shell, etype, value, tb, tb_offset=None):
    """The error as one line ("InputError: 文件 …：应为 …"), sent as the cell's error output (so
    papermill and the batch still see which error it was), without the traceback."""
    stb = [f"{etype.__name__}: {value}"]
    shell._showtraceback(etype, value, stb)
    return stb


def brief_errors() -> bool:
    """Show perfeval's own errors briefly in this IPython session; False outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return False
    shell = get_ipython()
    if shell is None:
        return False
    from ..errors import PerfevalError

    shell.set_custom_exc((PerfevalError,), _show)
    return True
