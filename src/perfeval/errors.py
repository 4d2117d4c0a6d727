"""Errors a user can read: every input problem names where it is and what was expected.

Messages are Chinese first, English after, because the people who read them fill in Chinese forms.
"""
from __future__ import annotations

from dataclasses import dataclass


class PerfevalError(Exception):
    """Base class of every error perfeval raises on purpose."""


@dataclass(frozen=True)
class Location:
    """Where a bad value sits: file, sheet, 1-based row, column label or letter, YAML path."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    path: str | None = None

    def describe(self) -> str:
        parts = []
        if self.file:
            parts.append(f"文件 {self.file}")
        if self.sheet:
            parts.append(f"工作表 {self.sheet}")
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"列 {self.column}")
        if self.path:
            parts.append(f"位置 {self.path}")
        return "，".join(parts)


class InputError(PerfevalError, ValueError):
    """Bad input: says where (file/sheet/row/column), what was expected and what was found."""

    def __init__(self, message: str, *, where: Location | None = None,
                 expected: str | None = None, found: object = None):
        self.where = where or Location()
        self.expected = expected
        self.found = found
        self.reason = message
        text = message
        loc = self.where.describe()
        if loc:
            text = f"{loc}：{text}"
        if expected is not None:
            text += f"；应为 (expected) {expected}"
        if found is not None:
            text += f"；实际为 (found) {found!r}"
        super().__init__(text)


class ValidationError(PerfevalError, ValueError):
    """Several problems found at once (e.g. in an indicator system); `.problems` lists them all."""

    def __init__(self, title: str, problems: list[str]):
        self.problems = list(problems)
        body = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{title}（共 {len(self.problems)} 处问题）:\n{body}")
