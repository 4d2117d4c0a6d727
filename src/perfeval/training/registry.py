"""The exercises as data: each is an id, its module, a Chinese title and task, the blank answer a
participant starts from, the reference answer and a checker that judges an answer with the library.

A checker takes ``(answer, data)`` — ``data`` is the sample city's folder for exercises that read it,
else None — and returns ``(right, wrong, hints)``: lists of Chinese sentences. It must explain a
wrong point (what the rule says, why the answer misses it) without stating the expected value.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..errors import InputError


@dataclass(frozen=True)
class Exercise:
    id: str
    module: int
    title: str
    task: str                    # what to do, and the form of the answer (Chinese)
    placeholder: Any             # the blank answer a participant's notebook starts from
    solution: Callable           # data → the reference answer (shown only with reveal=True)
    checker: Callable            # (answer, data) → (right, wrong, hints)
    needs_data: bool = False     # True when the exercise reads the sample city


EXERCISES: dict[str, Exercise] = {}


def exercise(id: str, module: int, title: str, task: str, placeholder, solution, needs_data: bool = False):
    """Register the decorated checker as exercise ``id`` (ids are unique)."""
    def register(checker):
        if id in EXERCISES:
            raise ValueError(f"duplicate exercise id {id}")
        sol = solution if callable(solution) else (lambda data, _s=solution: _s)
        EXERCISES[id] = Exercise(id, module, title, task, placeholder, sol, checker, needs_data)
        return checker
    return register


def sample_dir(data=None) -> Path:
    """The sample city's folder: ``data`` if given, else ``PERFEVAL_DATA``, else ``data/sample`` found
    upwards from the working folder or from this package (a source checkout)."""
    tried = []
    if data is not None:
        tried.append(Path(data))
    if os.environ.get("PERFEVAL_DATA"):
        tried.append(Path(os.environ["PERFEVAL_DATA"]))
    for start in (Path.cwd(), Path(__file__).resolve()):
        tried += [p / "data" / "sample" for p in (start, *start.parents)]
    for p in tried:
        if (p / "projects.csv").is_file():
            return p
    raise InputError("找不到示例市数据 (sample city data not found)",
                     expected="含 projects.csv 的文件夹：check(..., data=路径) 或设置环境变量 PERFEVAL_DATA",
                     found="、".join(str(p) for p in tried[:3]))


__all__ = ["EXERCISES", "Exercise", "exercise", "sample_dir"]
