"""The self-evaluation form (项目支出绩效自评表) as data, and the tidy frames scoring consumes.

:class:`SelfEvaluationForm` is one form as written (money in the form's own unit, texts as
shown in Excel). :func:`forms_to_frames` turns any number of forms into the two tidy frames
of the scoring code: one row per indicator, and one budget row per project with money in 元.
"""
from __future__ import annotations

from html import escape

from dataclasses import dataclass

import numpy as np
import pandas as pd

MONEY_COLUMNS = ["budget_initial", "budget_full_year", "spent", "points", "rate", "score"]
ROW_COLUMNS = ["level1", "level2", "level3", "target", "actual", "points", "score", "reason", "counted",
               "target_nature", "target_value", "target_unit", "source_row"]
FRAME_ROW_COLUMNS = ["project_id", "project_name", "level1", "level2", "level3", "target", "actual", "points",
                     "score", "reason", "counted", "target_nature", "target_value", "target_unit",
                     "source_file", "source_sheet", "source_row"]
BUDGET_COLUMNS = ["project_id", "project_name", "department", "unit", "money_unit", "budget_initial",
                  "budget_full_year", "spent", "exec_points", "published_rate", "published_exec_score",
                  "published_total", "published_grade", "total_row_budget_full_year", "total_row_spent",
                  "detail_budget_full_year", "detail_spent", "money_problem", "reader_notes", "source_file",
                  "source_sheet"]
MONEY_FACTORS = {"元": 1.0, "万元": 10_000.0, "亿元": 100_000_000.0}
# the money block's total row (an unlabelled single row of amounts counts as the total too)
MONEY_TOTAL_ROW = r"^\s*(?:年度资金总额|年度总金额|总金额|资金总额|资金合计|总额|合计|总计)"

# Chinese labels for display (reports, Excel, repr)
ROW_LABELS = {"level1": "一级指标", "level2": "二级指标", "level3": "三级指标", "target": "年度指标值",
              "actual": "实际完成值", "points": "分值", "score": "得分", "reason": "偏差原因分析及改进措施",
              "counted": "计分", "target_nature": "指标性质", "target_value": "指标值", "target_unit": "度量单位",
              "source_row": "行号"}
MONEY_LABELS = {"budget_initial": "年初预算数", "budget_full_year": "全年预算数", "spent": "全年执行数",
                "points": "分值", "rate": "执行率", "score": "得分"}


@dataclass(frozen=True, eq=False, repr=False)
class SelfEvaluationForm:
    """One 项目支出绩效自评表 as written on the form.

    ``money`` is indexed by the row labels as written (年度资金总额, 其中：当年财政拨款 …) with
    columns budget_initial, budget_full_year, spent, points, rate, score in the form's unit
    (``rate`` as a fraction: 98.5% → 0.985). ``rows`` has one row per indicator (placeholder and
    empty rows dropped; see ``notes``). ``counted`` is False for rows whose points must not be
    added: followers of a merged group score, a total row whose 其中 sub-rows carry the points,
    and 其中 sub-rows without points.
    """

    project_id: str
    project_name: str | None
    department: str | None
    unit: str | None
    manager: str | None
    year: int | None
    money_unit: str
    money: pd.DataFrame
    goal_expected: str | None
    goal_actual: str | None
    rows: pd.DataFrame
    published_total: float | None
    published_grade: str | None
    source_file: str
    source_sheet: str | None
    notes: tuple[str, ...] = ()
    money_problem: str | None = None  # the money block is there but could not be read: no grade
    code_given: bool = True  # False: the form has no 项目编码; project_id is then the file's stem[:sheet]

    def __repr__(self) -> str:
        return (f"SelfEvaluationForm(project_id={self.project_id!r}, project_name={self.project_name!r}, "
                f"rows={len(self.rows)}, money_unit={self.money_unit!r}, published_total={self.published_total!r}, "
                f"published_grade={self.published_grade!r}, notes={len(self.notes)})")

    def _repr_html_(self) -> str:
        head = (f"<b>项目支出绩效自评表</b> {escape(self.project_name or '')}（{escape(str(self.project_id))}）<br>"
                f"主管部门：{escape(self.department or '')}；实施单位：{escape(self.unit or '')}；"
                f"总分：{'' if self.published_total is None else f'{self.published_total:g}'}；"
                f"评价等级：{escape(self.published_grade or '')}<br>")
        money = self.money.rename(columns=MONEY_LABELS).to_html(na_rep="")
        rows = self.rows.rename(columns=ROW_LABELS).to_html(na_rep="", index=False)
        notes = "".join(f"<li>{escape(n)}</li>" for n in self.notes)
        return head + f"项目资金（{escape(self.money_unit)}）" + money + rows + (f"<ul>{notes}</ul>" if notes else "")


def _money_summary(form: SelfEvaluationForm) -> dict:
    """The budget-frame fields of one form, money in 元."""
    money = form.money
    factor = MONEY_FACTORS.get(form.money_unit, 1.0)
    out = {k: np.nan for k in ("budget_initial", "budget_full_year", "spent", "exec_points", "published_rate",
                               "published_exec_score", "total_row_budget_full_year", "total_row_spent",
                               "detail_budget_full_year", "detail_spent")}
    if money.empty:
        return out
    labels = pd.Series(money.index, dtype=object).astype(str)
    is_total = (labels.str.match(MONEY_TOTAL_ROW) | (labels.str.strip() == "")).to_numpy()
    total = money[is_total].iloc[0] if is_total.any() else money.iloc[0]
    details = money[~is_total] if is_total.any() else money.iloc[1:]
    for col in ("budget_initial", "budget_full_year", "spent"):
        total_value = float(total[col]) * factor
        detail_value = float(details[col].sum(min_count=1)) * factor
        use_detail = (np.isnan(total_value) or total_value == 0) and not np.isnan(detail_value) and detail_value != 0
        out[col] = detail_value if use_detail else total_value
        if col != "budget_initial":
            out[f"total_row_{col}"] = total_value
            out[f"detail_{col}"] = detail_value
    out["exec_points"] = float(total["points"]) if pd.notna(total["points"]) else float(
        money["points"].dropna().iloc[0]) if money["points"].notna().any() else np.nan
    out["published_rate"] = float(total["rate"])
    out["published_exec_score"] = float(total["score"])
    if form.money_problem:  # amounts from a block that could not be read are not used at all
        out.update({k: np.nan for k in ("budget_initial", "budget_full_year", "spent", "total_row_budget_full_year",
                                         "total_row_spent", "detail_budget_full_year", "detail_spent")})
    return out


def forms_to_frames(forms) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows, budget): the tidy indicator-row frame and the one-row-per-project budget frame.

    Budget money is in 元 whatever the form's unit; ``budget_full_year``/``spent`` (and
    ``budget_initial``) come from the 年度资金总额 row unless it is zero or blank while the
    detail rows hold amounts, in which case they are the detail sums; ``total_row_*`` and
    ``detail_*`` keep both for review. ``money_problem`` says why a money block that is on the
    form could not be read (scoring then gives no grade); ``reader_notes`` holds everything the
    reader tolerated, one note a line, for every output format.
    """
    forms = list(forms)
    row_frames, budget = [], []
    for form in forms:  # one step per form (project), not per indicator row
        rows = form.rows.copy()
        rows.insert(0, "project_id", form.project_id)
        rows.insert(1, "project_name", form.project_name)
        rows["source_file"] = form.source_file
        rows["source_sheet"] = form.source_sheet
        row_frames.append(rows)
        budget.append({"project_id": form.project_id, "project_name": form.project_name,
                       "department": form.department, "unit": form.unit, "money_unit": form.money_unit,
                       **_money_summary(form), "published_total": form.published_total,
                       "published_grade": form.published_grade, "money_problem": form.money_problem,
                       "reader_notes": "\n".join(form.notes) or None, "source_file": form.source_file,
                       "source_sheet": form.source_sheet})
    if row_frames:
        rows = pd.concat(row_frames, ignore_index=True)[FRAME_ROW_COLUMNS]
    else:
        rows = pd.DataFrame(columns=FRAME_ROW_COLUMNS)
    budget_frame = pd.DataFrame(budget, columns=BUDGET_COLUMNS)
    for col in ("budget_initial", "budget_full_year", "spent", "exec_points", "published_rate",
                "published_exec_score", "published_total", "total_row_budget_full_year", "total_row_spent",
                "detail_budget_full_year", "detail_spent"):
        budget_frame[col] = pd.to_numeric(budget_frame[col], errors="coerce").astype(float)
    return rows, budget_frame
