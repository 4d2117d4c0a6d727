"""The city's year as one object: what the data folder holds, input by input, read once through the registry.

``Year.load(data_dir)`` looks at every input of :data:`perfeval.city.registry.INPUTS` and records its
status — ``present``, ``absent``, ``header-only`` (a csv with its header line and no data row) or
``partial`` (a per-project table or folder that covers some projects of ``projects.csv`` and not others)
— with the projects it covers, plus the city's name and the budget year where the data say them. A
report asks ``year.has("payments")`` before it concludes anything from payments, and says
``year.absence_text("payments")`` when it may not: absent data are never zero.
"""
from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from ..errors import InputError, Location
from ..io._grid import read_csv_text
from . import registry
from .folder import data_folder

PRESENT, ABSENT, HEADER_ONLY, PARTIAL = "present", "absent", "header-only", "partial"
STATUS_LABELS = {PRESENT: "已提供", ABSENT: "未提供", HEADER_ONLY: "只有表头、没有数据行", PARTIAL: "只覆盖部分项目"}
# the inputs whose rows belong to the projects of projects.csv: coverage is checked for them
COVERAGE_INPUTS = ("payments", "forms")
_CITY = re.compile(r"^(.+?[市县区州])")
ABSENCE_WORDS = {"payments": "资金支付数据", "key_indicators": "重点评价数据", "key_scores": "重点评价专家评分",
                 "forms": "自评表", "targets": "绩效目标申报数据", "direct_funds": "直达资金标记",
                 "midyear": "年中绩效目标完成情况"}


@dataclass(frozen=True)
class InputState:
    """One input's status in the folder, and (for per-project inputs) the projects it covers."""

    key: str
    status: str
    files: tuple[str, ...] = ()       # paths relative to the data folder
    rows: int = 0                     # data rows (csv inputs)
    covered: tuple[str, ...] = ()     # project ids with rows or a file (coverage inputs)
    missing: tuple[str, ...] = ()     # project ids of projects.csv without (partial inputs)
    missing_columns: tuple[str, ...] = ()  # required columns of the registry not in the header

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class Year:
    """What one data folder holds for the year: each input's status, the city's name, the budget year."""

    data_dir: Path
    inputs: Mapping = field(default_factory=dict)   # key → InputState (read-only)
    projects: tuple[str, ...] = ()               # project ids of projects.csv
    city: str | None = None
    budget_year: int | None = None

    @classmethod
    def load(cls, data_dir: str | os.PathLike) -> "Year":
        """Read the folder once: each registry input's status (see the module docstring)."""
        data = data_folder(data_dir)
        states = {spec.key: _state(data, spec) for spec in registry.INPUTS}
        projects = _ids(data, "projects.csv") if states["projects"].status == PRESENT else ()
        for key in COVERAGE_INPUTS:
            states[key] = _coverage(states[key], projects)
        return cls(data_dir=data, inputs=MappingProxyType(states), projects=projects, city=_city(data, states),
                   budget_year=_year(data, states))

    def state(self, key: str) -> InputState:
        registry.input_spec(key)  # an unknown key is an error, not "absent"
        return self.inputs[key]

    def status(self, key: str) -> str:
        """``present`` / ``absent`` / ``header-only`` / ``partial``."""
        return self.state(key).status

    def as_of(self, as_of):
        """The year as known at the end of a month (``"2021-06"``): payments, target completion and history up to
        it and nothing later (:func:`perfeval.monitor.view.as_of_view`; an as-of month after the data is an error)."""
        from ..monitor.view import as_of_view

        return as_of_view(self.data_dir, as_of)

    def has(self, key: str) -> bool:
        """Whether the input holds data (present, or partial: then only for ``covers``' projects)."""
        return self.status(key) in (PRESENT, PARTIAL)

    def covers(self, key: str, project_id) -> bool:
        """Whether the input has data for this project (a present input without coverage records covers all)."""
        s = self.state(key)
        if s.status == PARTIAL:
            return str(project_id) in s.covered
        return s.status == PRESENT

    def absence_text(self, key: str, project_id=None) -> str | None:
        """The one sentence a report section says when it cannot use the input; None when it can."""
        s = self.state(key)
        what = ABSENCE_WORDS.get(key, registry.input_spec(key).description.split("：")[0])
        if s.status == ABSENT:
            return f"未提供{what}（{registry.input_spec(key).path}），本节从略。"
        if s.status == HEADER_ONLY:
            return f"{what}（{registry.input_spec(key).path}）只有表头、没有数据行，本节从略。"
        if s.status == PARTIAL and project_id is not None and not self.covers(key, project_id):
            return f"{what}中没有本项目的记录，本节从略。"
        return None

    def require(self, key: str) -> InputState:
        """The input's state when a stage cannot do without it; else an InputError naming the file and what
        is missing (the file, its data rows, or required columns)."""
        s, spec = self.state(key), registry.input_spec(key)
        where = Location(file=str(self.data_dir / spec.path))
        if s.status == ABSENT:
            raise InputError(f"未提供{spec.description.split('：')[0]} (input not found)", where=where,
                             expected=f"数据目录中的 {spec.path}")
        if s.status == HEADER_ONLY:
            raise InputError(f"{spec.description.split('：')[0]}只有表头、没有数据行 (no data rows)", where=where,
                             expected="至少一行数据", found="只有表头")
        if s.missing_columns:
            raise InputError("缺少必需列 (missing columns)", where=Location(file=str(self.data_dir / spec.path), row=1),
                             expected=", ".join(spec.required), found=f"缺少 {', '.join(s.missing_columns)}")
        return s

    def summary(self) -> list[tuple[str, str, str]]:
        """(path, description, status label) of every input, for a report's input appendix or the CLI."""
        out = []
        for spec in registry.INPUTS:
            s = self.inputs[spec.key]
            label = s.label + (f"（缺 {len(s.missing)} 个项目：{'、'.join(s.missing[:10])}"
                               + ("……" if len(s.missing) > 10 else "") + "）" if s.status == PARTIAL else "")
            out.append((spec.path, spec.description, label))
        return out


def _read_header_and_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    text, _ = read_csv_text(path, name=str(path))
    from .folder import csv_records

    records = csv_records(text, path)
    records = [(line, cells) for line, cells in records if any(c.strip() for c in cells)]
    if not records:
        return [], []
    return [c.strip() for c in records[0][1]], [cells for _, cells in records[1:]]


def _state(data: Path, spec: registry.Input) -> InputState:
    if spec.per_project:
        folder = (data / spec.path).parent
        files = sorted((p for p in folder.iterdir() if p.is_file() and spec.accepts(p.name)), key=lambda p: p.name) \
            if folder.is_dir() else []
        if not files:
            return InputState(spec.key, ABSENT)
        return InputState(spec.key, PRESENT, tuple(p.relative_to(data).as_posix() for p in files),
                          covered=tuple(p.stem for p in files))
    path = data / spec.path
    if not path.is_file():
        return InputState(spec.key, ABSENT)
    rel = (spec.path,)
    if not spec.is_csv:
        return InputState(spec.key, PRESENT, rel)
    try:
        head, rows = _read_header_and_rows(path)
    except (OSError, InputError):  # a file that cannot be read is the stage's own clear error, not the whole year's
        return InputState(spec.key, PRESENT, rel)
    lacking = tuple(c for c in spec.required if c not in head)
    if not rows:
        return InputState(spec.key, HEADER_ONLY, rel, missing_columns=lacking)
    covered = ()
    if "project_id" in head:
        i = head.index("project_id")
        covered = tuple(sorted({r[i].strip() for r in rows if i < len(r) and r[i].strip()}))
    return InputState(spec.key, PRESENT, rel, rows=len(rows), covered=covered, missing_columns=lacking)


def _coverage(state: InputState, projects: tuple[str, ...]) -> InputState:
    """A present input that lacks some projects of projects.csv is partial; it names the missing ones."""
    if state.status != PRESENT or not projects:
        return state
    have = set(state.covered)
    missing = tuple(p for p in projects if p not in have)
    if not missing:
        return state
    return InputState(state.key, PARTIAL, state.files, state.rows, covered=tuple(p for p in projects if p in have),
                      missing=missing, missing_columns=state.missing_columns)


def _ids(data: Path, name: str) -> tuple[str, ...]:
    head, rows = _read_header_and_rows(data / name)
    if "project_id" not in head:
        return ()
    i = head.index("project_id")
    return tuple(dict.fromkeys(r[i].strip() for r in rows if i < len(r) and r[i].strip()))


def _city(data: Path, states: dict) -> str | None:
    """The city's name from the departments' names ("示例市教育局" → "示例市", the most frequent prefix)."""
    if states["projects"].status != PRESENT:
        return None
    head, rows = _read_header_and_rows(data / "projects.csv")
    if "department" not in head:
        return None
    i = head.index("department")
    prefixes = [m.group(1) for r in rows if i < len(r) for m in [_CITY.match(r[i].strip())] if m]
    if not prefixes:
        return None
    counts = Counter(prefixes)
    return max(sorted(counts), key=lambda name: counts[name])


def _year(data: Path, states: dict) -> int | None:
    if states["projects"].status != PRESENT:
        return None
    from .folder import _budget_year

    try:
        return _budget_year(data)
    except InputError:
        return None


__all__ = ["ABSENT", "HEADER_ONLY", "InputState", "PARTIAL", "PRESENT", "STATUS_LABELS", "Year"]
