"""Exercise checks for the training notebooks (notebooks/training/).

``check(exercise_id, answer)`` judges a participant's answer with the library itself —
``review_targets`` on a rewritten target table, ``score`` on a filled-in self-evaluation, the AHP
consistency ratio of a matrix … — and returns a :class:`Feedback` in Chinese: what is right, what is
wrong and why, what is missing. It never shows the answer unless ``reveal=True`` (for the trainer).
A blank answer (the participant notebook's placeholder) gives an "尚未作答" feedback, never an error.

The exercises are data (:data:`EXERCISES`, one module per training module: ``ex_cycle``,
``ex_targets``, ``ex_scoring``, ``ex_weights``, ``ex_results``, ``ex_reports``).
``python -m perfeval.training.build`` makes the trainer's and the participant's notebooks from one
source each (see :mod:`perfeval.training.build`).
"""
from __future__ import annotations

import importlib
import json

from ..errors import InputError, PerfevalError
from .feedback import Feedback, empty, verdict
from .registry import EXERCISES, Exercise, sample_dir

TOPICS = ("ex_cycle", "ex_targets", "ex_scoring", "ex_weights", "ex_results", "ex_reports")


def _load() -> dict:
    """Register every exercise (imported on first use: ``perfeval training build`` needs none of them)."""
    for name in TOPICS:
        importlib.import_module(f".{name}", __name__)
    return EXERCISES

MODULES = {
    1: "预算绩效管理全流程", 2: "如何设定绩效目标", 3: "自评打分与等级", 4: "权重怎么来", 5: "监控与结果应用",
    6: "用 papermill 生成报告",
}


def _blank(answer) -> bool:
    import pandas as pd

    if answer is None or answer is Ellipsis:
        return True
    if isinstance(answer, str):
        return not answer.strip()
    if isinstance(answer, (pd.DataFrame, pd.Series)):
        return answer.empty
    if isinstance(answer, dict):  # a placeholder such as {"得分": {指标: None}, "总分": None} is blank too
        return all(_blank(v) for v in answer.values())
    if isinstance(answer, (list, tuple, set)):
        return len(answer) == 0
    return False


def solution_text(answer) -> str:
    """An answer as one line of text (for reveal=True)."""
    try:
        return json.dumps(answer, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(answer)


def get(exercise_id: str) -> Exercise:
    """The exercise with this id; an InputError listing the valid ids otherwise."""
    _load()
    if exercise_id not in EXERCISES:
        raise InputError(f"没有编号为“{exercise_id}”的练习 (unknown exercise id)",
                         expected="、".join(EXERCISES), found=exercise_id)
    return EXERCISES[exercise_id]


def exercises(module: int | None = None) -> pd.DataFrame:
    """The exercises as a table (编号, 模块, 题目, 要求), optionally of one module."""
    import pandas as pd

    _load()
    rows = [{"编号": e.id, "模块": f"{e.module} {MODULES[e.module]}", "题目": e.title, "要求": e.task}
            for e in EXERCISES.values() if module is None or e.module == module]
    return pd.DataFrame(rows, columns=["编号", "模块", "题目", "要求"])


COLUMN_LABELS = {"project_id": "项目编码", "level1": "一级指标", "level2": "二级指标", "level3": "三级指标",
                 "target": "年度指标值", "actual": "实际完成值", "points": "分值", "score": "得分",
                 "reason": "偏差原因分析及改进措施"}


def show(frame):
    """An exercise's table with Chinese headers (the frames keep the library's column names)."""
    keep = [c for c in COLUMN_LABELS if c in frame.columns and c != "project_id"]
    return frame[keep].rename(columns=COLUMN_LABELS)


def check(exercise_id: str, answer, *, reveal: bool = False, data=None) -> Feedback:
    """Judge ``answer`` to exercise ``exercise_id``; ``reveal=True`` adds the reference answer.

    ``data`` is the sample city's folder for exercises that read it (default: ``PERFEVAL_DATA`` or the
    checkout's ``data/sample``). A malformed answer is judged wrong with the library's reason.
    """
    ex = get(exercise_id)
    folder = sample_dir(data) if ex.needs_data else None
    solution = solution_text(ex.solution(folder)) if reveal else None
    if _blank(answer):
        return empty(ex.id, ex.title, ex.task, solution)
    try:
        right, wrong, hints = ex.checker(answer, folder)
    except PerfevalError as exc:  # e.g. a matrix that is not reciprocal: the library's own reason
        right, wrong, hints = [], [f"答案无法使用：{exc}"], []
    except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError):  # an answer of the wrong shape
        right, wrong, hints = [], [f"答案的格式不对。{ex.task}"], []
    return verdict(ex.id, ex.title, right, wrong, hints, solution)


def __getattr__(name: str):
    """``training.PROBLEM_LIST`` and the exercise modules' data, on first use."""
    if name == "PROBLEM_LIST":
        return importlib.import_module(".ex_scoring", __name__).PROBLEM_LIST
    if name in TOPICS:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'perfeval.training' has no attribute {name!r}")


__all__ = ["EXERCISES", "Exercise", "Feedback", "MODULES", "PROBLEM_LIST", "check", "exercises", "get", "sample_dir",
           "show"]
