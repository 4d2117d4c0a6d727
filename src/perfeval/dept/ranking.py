"""Ranking and grading of departments, and of units within their department; the budget consequence of a
grade (dept-overall.md §6, §8.6).

No published form ranks departments as a whole: the ranked tables are a perfeval report **(inference)**. Grades
use the scheme's half-open bands on the unrounded total (优 ≥ 90 / 良 80–90 / 中 60–80 / 差 < 60 [D34]). Ties
take the best rank ("min"). A department or unit without a total (absent data) gets no rank, not the last one.

:func:`consequences` maps a grade to next year's treatment (优 优先保障 / 良 据实保障 / 中 一定比例核减 /
差 取消或暂停 [D27][D31b]); the cut share is a setting. It returns a table only: the integrator writes it into
the one decision ledger of next year's budget (``perfeval.budget.decisions``), one row per department or unit.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import pandas as pd

from ..errors import InputError

TIES = ("min", "dense", "first")
BY = MappingProxyType({"consolidated_total": "合并评价总分", "mean_of_units": "所属单位总分资金加权平均"})
TREATMENT = MappingProxyType({"优": "优先保障", "良": "据实合理保障", "中": "一定比例核减", "差": "取消或暂停下一年度预算安排"})
DEFAULT_CUT_SHARE = 0.10  # 中: share of next year's request cut — a setting, not a published figure


@dataclass(frozen=True)
class Ranking:
    """Departments ranked (``departments``) and units ranked inside their department (``units``)."""

    by: str
    tie: str
    departments: pd.DataFrame
    units: pd.DataFrame

    def conventions(self) -> dict:
        return {"排序依据": BY.get(self.by, self.by), "并列": f"并列取最优名次（{self.tie}）",
                "说明": "部门整体排序为 perfeval 输出，未见公开的部门整体排名表；无总分的部门或单位不排名"}


def rank_departments(departments: pd.DataFrame, units: pd.DataFrame, by: str = "consolidated_total",
                     tie: str = "min") -> Ranking:
    """Rank departments by ``by`` (descending, ties ``tie``) and units within each department by their total."""
    if by not in departments:
        raise InputError("排序依据不可用 (unknown ranking column)", expected=" / ".join(BY), found=by)
    if tie not in TIES:
        raise InputError("并列处理方式不可用 (unknown tie rule)", expected=" / ".join(TIES), found=tie)
    dep = departments.copy()
    dep["rank"] = dep[by].rank(method=tie, ascending=False).astype("Int64")
    dep = dep.sort_values(["rank", "department_id"], kind="mergesort", na_position="last").reset_index(drop=True)
    u = units.copy()
    u["rank_in_department"] = u.groupby("department_id")["total"].rank(method=tie, ascending=False).astype("Int64")
    u = u.sort_values(["department_id", "rank_in_department", "unit_id"], kind="mergesort",
                      na_position="last").reset_index(drop=True)
    return Ranking(by, tie, dep, u)


def consequences(graded: pd.DataFrame, grade_column: str = "grade", id_column: str = "unit_id",
                 cut_share: float = DEFAULT_CUT_SHARE) -> pd.DataFrame:
    """Next year's treatment of each graded department or unit: id, grade, treatment (Chinese), cut share
    (中: ``cut_share``; 差: 1.0 = cancel or suspend; 优/良: 0). No grade → no treatment (say so, decide nothing)."""
    if not 0.0 <= cut_share <= 1.0:
        raise InputError("核减比例须在 0–1 之间 (cut share must be in [0, 1])", found=cut_share)
    grade = graded[grade_column]
    share = grade.map({"优": 0.0, "良": 0.0, "中": cut_share, "差": 1.0})
    return pd.DataFrame({id_column: graded[id_column].to_numpy(), "grade": grade.to_numpy(),
                         "treatment": grade.map(TREATMENT).fillna("无等级（数据不全），不作结论").to_numpy(),
                         "cut_share": share.to_numpy(dtype=float)})
