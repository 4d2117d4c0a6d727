"""The sample city's department self-evaluation forms as workbooks (``dept_forms/<department_id>.xlsx``): one
sheet per unit with a form, the rows of ``dept_rows.csv`` written in one of three layouts of dept-overall.md §4
by department (in turn): the 湖南 评分表 (评分标准 + 自评得分 + 扣分原因), the MOF layout (money block, then
年度指标值 / 实际完成值 / 分值 / 得分), and the 湖北 system grid (指标名称, 计算符号, 指标值, 实际完成值, 计量单位,
权重, 实际得分).
Each sheet carries 单位名称 and 单位编码, so the reader and :func:`perfeval.dept.rows_from_forms` find the unit.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import story as S

LAYOUTS = ("score", "mof", "grid")
D = "—"


def _blank(v):
    return "" if v is None or (isinstance(v, float) and pd.isna(v)) else v


def _score_sheet(name, uid, r: pd.DataFrame) -> list[list]:
    rows = [[f"{S.YEAR}年度部门整体支出绩效评价评分表"], ["单位名称", name], ["单位编码", uid],
            ["一级指标", "二级指标", "三级指标", "评分标准", "分值", "自评得分", "扣分原因和其他说明"]]
    rows += [[a, b, c, _blank(s), p, sc, _blank(why)] for a, b, c, s, p, sc, why in
             zip(r["level1"], r["level2"], r["level3"], r["standard"], r["points"], r["score"], r["reason"])]
    rows.append(["总分", "", "", "", float(r["points"].sum()), round(float(r["score"].sum()), 2), ""])
    return rows


def _mof_sheet(name, uid, r: pd.DataFrame, money: pd.Series) -> list[list]:
    w = 1e4
    rows = [["部门整体支出绩效自评表"], [f"（{S.YEAR}年度）"], ["单位名称", name], ["单位编码", uid],
            ["预算资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
            ["", "年度资金总额", money["budget_initial"] / w, money["budget_full_year"] / w, money["spent"] / w, D,
             f"{money['spent'] / money['budget_full_year'] * 100:.2f}%", D],
            ["年度总体目标", "预期目标", "", "", "", "实际完成情况"],
            ["", "完成年度工作任务，控制一般性支出。", "", "", "", "基本完成。"],
            ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]]
    rows += [["", a, b, c, _blank(t), _blank(x), p, sc, _blank(why)] for a, b, c, t, x, p, sc, why in
             zip(r["level1"], r["level2"], r["level3"], r["target"], r["actual"], r["points"], r["score"], r["reason"])]
    rows.append(["总分", "", "", "", "", "", float(r["points"].sum()), round(float(r["score"].sum()), 2), ""])
    return rows


def _grid_sheet(name, uid, r: pd.DataFrame) -> list[list]:
    sym = r["op"].map({">=": "≥", "<=": "≤", "=": "="})
    rows = [["部门整体绩效自评表"], ["单位名称", name], ["单位编码", uid],
            ["年度绩效目标", "完成年度工作任务，控制一般性支出。"],
            ["指标名称", "计算符号", "指标值", "实际完成值", "计量单位", "权重", "实际得分", "偏差原因及改进措施"]]
    rows += [[c, _blank(o), _blank(t), _blank(a), _blank(u), p, sc, _blank(why)] for c, o, t, a, u, p, sc, why in
             zip(r["level3"], sym, r["target_value"], r["actual_value"], r["unit"], r["points"], r["score"], r["reason"])]
    return rows


def write(tables: dict, out: Path) -> list[Path]:
    """One workbook per department into ``out/dept_forms``; returns the paths."""
    from openpyxl import Workbook

    from ..io._xlsx import save_workbook
    from .files import XLSX_STAMP

    units, rows = tables["units"], tables["rows"]
    basic = tables["basic"]
    money = basic[basic["year"] == S.YEAR].set_index("unit_id")
    names = units.set_index("unit_id")["unit_name"]
    folder = Path(out) / "dept_forms"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    by_unit = dict(tuple(rows.groupby("unit_id", sort=False)))
    for i, dept in enumerate(sorted(units["department_id"].unique())):  # one workbook per department (40)
        layout = LAYOUTS[i % len(LAYOUTS)]
        wb = Workbook()
        wb.remove(wb.active)
        for uid in units.loc[units["department_id"] == dept, "unit_id"]:  # a sheet per unit (≤ 5)
            if uid not in by_unit:
                continue
            r = by_unit[uid]
            cells = (_score_sheet(names[uid], uid, r) if layout == "score" else
                     _mof_sheet(names[uid], uid, r, money.loc[uid]) if layout == "mof" else
                     _grid_sheet(names[uid], uid, r))
            ws = wb.create_sheet(uid)
            for row_no, line in enumerate(cells, start=1):
                for col_no, value in enumerate(line, start=1):
                    if value != "" and value is not None:
                        ws.cell(row=row_no, column=col_no, value=value)
        path = folder / f"{dept}.xlsx"
        save_workbook(wb, path, XLSX_STAMP)
        paths.append(path)
    return paths
