"""The sample city 示例市: a fictional municipality's budget year 2021, generated from a seed.

``generate(seed, out)`` writes the committed data under ``data/sample/`` (see its README.md);
``build_city(seed)`` gives the same story in memory. ``perfeval sample --seed N --out DIR`` is the
command (``commands.register``).
"""
from .generate import DEFAULT_SEED, City, build_city, checksums, generate, write_city

__all__ = ["DEFAULT_SEED", "City", "build_city", "checksums", "generate", "write_city"]
