"""Package attributes imported on first use (PEP 562), so that the CLI's parser stays light."""
from __future__ import annotations

import importlib


def lazy_attributes(package: str, table: dict[str, str]):
    """A module ``__getattr__`` for ``package``: each name of ``table`` is taken from its submodule
    (``{"assess": "assessment"}``) the first time it is asked for, then cached in the package."""
    def __getattr__(name: str):
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(f"{package}.{table[name]}")
        value = getattr(module, name)
        setattr(importlib.import_module(package), name, value)
        return value

    return __getattr__
