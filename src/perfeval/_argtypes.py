"""argparse value types shared by the ``perfeval`` subcommands (messages in Chinese first)."""
from __future__ import annotations

import argparse


def positive_int(text: str) -> int:
    """An integer ≥ 1 (e.g. --jobs, --projects)."""
    return _int_at_least(text, 1, "应为正整数 (a positive integer)")


def non_negative_int(text: str) -> int:
    """An integer ≥ 0 (e.g. --seed)."""
    return _int_at_least(text, 0, "应为非负整数 (a non-negative integer)")


def _int_at_least(text: str, minimum: int, message: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{message}：{text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"{message}：{text!r}")
    return value
