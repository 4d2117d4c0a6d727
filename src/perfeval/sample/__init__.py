"""The sample city 示例市: a fictional municipality's budget year 2021, generated from a seed.

``generate(seed, out)`` writes the committed data under ``data/sample/`` (see its README.md);
``build_city(seed)`` gives the same story in memory. ``perfeval sample --seed N --out DIR`` is the
command (:mod:`perfeval.cli.sample`).
"""
import importlib

_FROM_GENERATE = ("DEFAULT_SEED", "City", "build_city", "checksums", "generate", "write_city")


def __getattr__(name: str):  # the generator needs scipy: imported on first use, not by the CLI's parser
    if name in _FROM_GENERATE:
        return getattr(importlib.import_module(".generate", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["DEFAULT_SEED", "City", "build_city", "checksums", "generate", "write_city"]
