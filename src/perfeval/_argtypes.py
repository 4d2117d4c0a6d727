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


_MONEY_UNITS = {"元": 1.0, "万元": 1e4, "万": 1e4, "亿元": 1e8, "亿": 1e8}


def money_amount(text: str) -> float:
    """An amount of money in 元: "25000" and "25000万元" are 万元 (the unit finance bureaus count in),
    "2.5亿元" is 亿元, "250000000元" is 元; thousands separators allowed (e.g. --cap)."""
    import re

    m = re.fullmatch(r"\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(元|万元|万|亿元|亿)?\s*", str(text))
    if not m:
        raise argparse.ArgumentTypeError(f"应为金额，如 25000（万元）、25000万元、2.5亿元：{text!r}")
    value = float(m.group(1).replace(",", "")) * _MONEY_UNITS[m.group(2) or "万元"]
    return value
