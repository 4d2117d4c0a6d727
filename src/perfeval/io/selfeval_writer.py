"""Writer of the official forms: the 项目支出绩效自评表 and blank templates for an indicator system.

:func:`write_self_evaluation` lays each form out on its own sheet in the MOF layout (财预〔2020〕
10号 附件2): merged title and header, the 项目资金 block, 年度总体目标, the indicator table with
一级/二级 names merged down their groups, 总分 and 评价等级; borders, wrap text, widths from
East-Asian width, row heights for wrapped text, number formats, A4 landscape fitted to width.
What it writes reads back through :func:`read_self_evaluation` to the same form. Saves are
atomic and byte-reproducible. :func:`write_template` gives a blank 自评表 or 绩效目标申报表 for an
indicator system frame (``IndicatorSystem.to_frame()``).
"""
from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from ..errors import InputError, Location
from . import _xlsx as X
from .selfeval_model import MONEY_COLUMNS, ROW_COLUMNS, SelfEvaluationForm

STANDARD_MONEY_ROWS = ["年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金"]
MONEY_HEADINGS = ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
PLAIN_HEADINGS = [("一级指标", "level1"), ("二级指标", "level2"), ("三级指标", "level3"), ("年度指标值", "target"),
                  ("实际完成值", "actual"), ("分值", "points"), ("得分", "score"),
                  ("偏差原因分析及改进措施", "reason")]
SPLIT_HEADINGS = [("一级指标", "level1"), ("二级指标", "level2"), ("三级指标", "level3"),
                  ("指标性质", "target_nature"), ("指标值", "target_value"), ("度量单位", "target_unit"),
                  ("实际完成值", "actual"), ("分值", "points"), ("得分", "score"),
                  ("偏差原因分析及改进措施", "reason")]
MAX_WIDTH = {"level3": 30, "reason": 36, "target": 18, "actual": 18, "target_value": 14}
TEMPLATE_STAMP = dt.datetime(2000, 1, 1)
SYSTEM_COLUMNS = ["depth", "level1", "level2", "level3", "points", "open", "is_leaf"]


def _value(v):
    """A cell value: None for NaN/None, plain Python numbers otherwise."""
    if v is None:
        return None
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


def _runs(keys: pd.Series) -> list[tuple[int, int]]:
    """(first, last) positions of runs of equal consecutive non-empty keys."""
    keys = keys.reset_index(drop=True).astype(object)
    start = (keys != keys.shift()).cumsum()
    spans = pd.DataFrame({"run": start, "pos": np.arange(len(keys)), "key": keys})
    spans = spans[spans["key"].notna()].groupby("run")["pos"].agg(["min", "max"])
    return list(zip(spans["min"].astype(int), spans["max"].astype(int)))


class _SelfFormSheet:
    """Lays one SelfEvaluationForm out on a worksheet, top to bottom."""

    def __init__(self, ws, form: SelfEvaluationForm):
        self.ws, self.form = ws, form
        rows = form.rows.reindex(columns=ROW_COLUMNS)
        rows["counted"] = rows["counted"].astype(object).where(rows["counted"].notna(), True).astype(bool)
        self.rows = rows
        self.split = bool(rows[["target_nature", "target_value", "target_unit"]].notna().to_numpy().any())
        self.headings = SPLIT_HEADINGS if self.split else PLAIN_HEADINGS
        self.n = len(self.headings)
        self.col = {field: i + 1 for i, (_, field) in enumerate(self.headings)}

    def write(self) -> None:
        ws, n, f = self.ws, self.n, self.form
        X.set_cell(ws, 1, 1, "项目支出绩效自评表", font=X.FONT_TITLE, border=False)
        X.merge(ws, 1, 1, 1, n)
        X.set_cell(ws, 2, 1, f"（{f.year}年度）" if f.year else "（    年度）", border=False)
        X.merge(ws, 2, 1, 2, n)
        code = f.project_id if self._has_code() else None
        self._pair(3, "项目名称", f.project_name, None, None)
        self._pair(4, "主管部门", f.department, "实施单位", f.unit)
        self._pair(5, "项目负责人", f.manager, "项目编码", code)
        r = self._money(6)
        r = self._goals(r)
        heading_rows = self._heading(r)
        body_start = r + heading_rows
        last = self._body(body_start)
        self._footer(last + 1)
        X.frame_borders(ws, 3, last + 2, 1, n)
        widths = self._widths()
        X.fit_columns(ws, widths)
        ws.row_dimensions[1].height = 30
        X.fit_row_heights(ws, 3, last + 2, widths)
        X.print_setup(ws, f"{r}:{r + heading_rows - 1}")

    def _has_code(self) -> bool:
        """True when project_id is a real 项目编码, not one the reader derived from file and sheet."""
        f = self.form
        stem = Path(f.source_file).stem if f.source_file else ""
        derived = {stem, f"{stem}:{f.source_sheet}", "", "template"}
        return f.project_id not in derived

    def _pair(self, r: int, label1: str, value1, label2: str | None, value2) -> None:
        ws, n = self.ws, self.n
        X.set_cell(ws, r, 1, label1, font=X.FONT_BOLD)
        X.set_cell(ws, r, 2, value1, align=X.LEFT, number_format=X.TEXT_FORMAT)
        if label2 is None:
            X.merge(ws, r, 2, r, n)
            return
        X.merge(ws, r, 2, r, 4)
        X.set_cell(ws, r, 5, label2, font=X.FONT_BOLD)
        X.set_cell(ws, r, 6, value2, align=X.LEFT, number_format=X.TEXT_FORMAT)
        X.merge(ws, r, 6, r, n)

    def _money(self, r: int) -> int:
        ws, n, f = self.ws, self.n, self.form
        money = f.money.reindex(columns=MONEY_COLUMNS)
        if money.empty:
            money = pd.DataFrame(index=STANDARD_MONEY_ROWS, columns=MONEY_COLUMNS, dtype=float)
        X.set_cell(ws, r, 1, f"项目资金（{f.money_unit}）", font=X.FONT_BOLD)
        X.merge(ws, r, 1, r + len(money), 1)
        X.set_cell(ws, r, 2, None)
        for j, head in enumerate(MONEY_HEADINGS):
            X.set_cell(ws, r, 3 + j, head, font=X.FONT_BOLD)
        X.merge(ws, r, 8, r, n)
        formats = [X.MONEY_FORMAT] * 3 + [None, X.RATE_FORMAT, None]
        for i, (label, values) in enumerate(money.iterrows()):  # the four money rows
            row = r + 1 + i
            X.set_cell(ws, row, 2, str(label), align=X.LEFT)
            for j, col in enumerate(MONEY_COLUMNS):
                X.set_cell(ws, row, 3 + j, _value(values[col]), number_format=formats[j])
            X.merge(ws, row, 8, row, n)
        return r + len(money) + 1

    def _goals(self, r: int) -> int:
        ws, n, f = self.ws, self.n, self.form
        mid = 1 + math.ceil((n - 1) / 2)
        X.set_cell(ws, r, 1, "年度总体目标", font=X.FONT_BOLD)
        X.merge(ws, r, 1, r + 1, 1)
        X.set_cell(ws, r, 2, "预期目标", font=X.FONT_BOLD)
        X.merge(ws, r, 2, r, mid)
        X.set_cell(ws, r, mid + 1, "实际完成情况", font=X.FONT_BOLD)
        X.merge(ws, r, mid + 1, r, n)
        X.set_cell(ws, r + 1, 2, f.goal_expected, align=X.LEFT, number_format=X.TEXT_FORMAT)
        X.merge(ws, r + 1, 2, r + 1, mid)
        X.set_cell(ws, r + 1, mid + 1, f.goal_actual, align=X.LEFT, number_format=X.TEXT_FORMAT)
        X.merge(ws, r + 1, mid + 1, r + 1, n)
        return r + 2

    def _heading(self, r: int) -> int:
        ws = self.ws
        if not self.split:
            for j, (label, _) in enumerate(self.headings):
                X.set_cell(ws, r, 1 + j, label, font=X.FONT_BOLD)
            return 1
        for j, (label, field) in enumerate(self.headings):
            if field in ("target_nature", "target_value", "target_unit"):
                X.set_cell(ws, r + 1, 1 + j, label, font=X.FONT_BOLD)
            else:
                X.set_cell(ws, r, 1 + j, label, font=X.FONT_BOLD)
                X.merge(ws, r, 1 + j, r + 1, 1 + j)
        c = self.col["target_nature"]
        X.set_cell(ws, r, c, "年度指标值", font=X.FONT_BOLD)
        X.merge(ws, r, c, r, c + 2)
        return 2

    def _body(self, r0: int) -> int:
        ws, rows = self.ws, self.rows.reset_index(drop=True)
        text_fields = {"target", "actual", "reason", "target_nature", "target_value", "target_unit"}
        for i, row in enumerate(rows.itertuples(index=False)):  # openpyxl writes cell by cell
            values = row._asdict()
            for field, c in self.col.items():
                v = _value(values[field])
                if field in ("points", "score"):
                    X.set_cell(ws, r0 + i, c, v)
                elif field in ("level3", "reason"):
                    X.set_cell(ws, r0 + i, c, v, align=X.LEFT, number_format=X.TEXT_FORMAT)
                else:
                    X.set_cell(ws, r0 + i, c, v, number_format=X.TEXT_FORMAT if field in text_fields else None)
        last = r0 + len(rows) - 1
        if rows.empty:
            return r0 - 1
        for first, end in _runs(rows["level1"]):
            X.merge(ws, r0 + first, 1, r0 + end, 1)
        pair = rows["level1"].astype(str) + "\u0001" + rows["level2"].astype(str)
        for first, end in _runs(pair.where(rows["level2"].notna())):
            X.merge(ws, r0 + first, 2, r0 + end, 2)
        is_sub = rows["level3"].astype(str).str.match(r"^\s*其中")
        follower = ~rows["counted"].astype(bool) & rows["points"].isna() & rows["score"].isna() & ~is_sub
        group = (~follower).cumsum()
        spans = pd.DataFrame({"g": group, "pos": np.arange(len(rows))}).groupby("g")["pos"].agg(["min", "max"])
        for first, end in zip(spans["min"], spans["max"]):  # one step per merged score group
            if end > first:
                X.merge(ws, r0 + first, self.col["points"], r0 + end, self.col["points"])
                X.merge(ws, r0 + first, self.col["score"], r0 + end, self.col["score"])
        return last

    def _footer(self, r: int) -> None:
        ws, f, n = self.ws, self.form, self.n
        pc, sc = self.col["points"], self.col["score"]
        X.set_cell(ws, r, 1, "总分", font=X.FONT_BOLD)
        X.merge(ws, r, 1, r, pc - 1)
        X.set_cell(ws, r, pc, None)
        X.set_cell(ws, r, sc, _value(f.published_total))
        X.merge(ws, r, sc + 1, r, n)
        X.set_cell(ws, r + 1, 1, "评价等级", font=X.FONT_BOLD)
        X.merge(ws, r + 1, 1, r + 1, pc - 1)
        X.set_cell(ws, r + 1, pc, f.published_grade)
        X.merge(ws, r + 1, pc, r + 1, n)

    def _widths(self) -> dict[int, float]:
        """Column widths from the East-Asian display width of headings and body texts."""
        rows = self.rows
        widths = {}
        for label, field in self.headings:  # ten columns
            values = rows[field].dropna()
            texts = values.map(lambda v: f"{v:g}") if field in ("points", "score") else values.astype(str)
            longest = int(X.display_widths([label, *texts]).max())
            widths[self.col[field]] = float(min(max(longest + 2, 8), MAX_WIDTH.get(field, 20)))
        widths[1] = max(widths[1], X.display_width(f"项目资金（{self.form.money_unit}）") + 2)
        widths[2] = max(widths[2], 20.0)  # money row labels (其中：当年财政拨款)
        for c in range(3, 6):
            widths[c] = max(widths[c], 13.0)  # money amounts
        return widths


def _sheet_names(forms) -> list[str]:
    names, seen = [], set()
    for i, form in enumerate(forms, 1):  # one step per form
        base = form.source_sheet or form.project_name or form.project_id or f"自评表{i}"
        base = re.sub(r"[\[\]:*?/\\]", "", str(base)).strip()[:28] or f"自评表{i}"
        name, k = base, 2
        while name.lower() in seen:
            name, k = f"{base}({k})", k + 1
        seen.add(name.lower())
        names.append(name)
    return names


def _stamp(forms) -> dt.datetime:
    years = [f.year for f in forms if f.year]
    return dt.datetime(max(years), 12, 31) if years else TEMPLATE_STAMP


def write_self_evaluation(forms, path) -> None:
    """Write forms to one .xlsx, one sheet per form in the MOF layout (atomic, byte-reproducible)."""
    forms = [forms] if isinstance(forms, SelfEvaluationForm) else list(forms)
    if not forms:
        raise InputError("没有要写出的自评表 (no forms to write)", where=Location(file=str(path)),
                         expected="至少一张 SelfEvaluationForm", found="空列表")
    wb = Workbook()
    wb.remove(wb.active)
    for form, name in zip(forms, _sheet_names(forms)):
        _SelfFormSheet(wb.create_sheet(name), form).write()
    X.save_workbook(wb, path, _stamp(forms))


def _template_rows(system: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """Leaf rows of an indicator system in tree order, and the execution points.

    Open (个性) L2 nodes get three blank L3 rows after their own children; an open L2 with
    points keeps them on its first blank row, its 分值 cell merged over the three (one score for
    the group). Execution nodes (rule kind ``execution``) go to the money block, not the rows.
    """
    missing = [c for c in SYSTEM_COLUMNS if c not in system.columns]
    if missing:
        raise InputError("指标体系表缺少列 (system frame lacks columns)", where=Location(path="system_frame"),
                         expected="IndicatorSystem.to_frame() 的列：" + "、".join(SYSTEM_COLUMNS),
                         found="缺少 " + "、".join(missing))
    f = system.reset_index(drop=True)
    f = f.assign(points=pd.to_numeric(f["points"], errors="coerce").astype(float))
    pos = pd.Series(np.arange(len(f)), dtype=float)
    execution = (f["rule_kind"].astype(object) == "execution").to_numpy() if "rule_kind" in f else np.zeros(len(f), bool)
    exec_points = float(f.loc[execution, "points"].sum(min_count=1)) if execution.any() else np.nan
    is_open = (f["open"].astype(object).fillna(False).astype(bool) & (f["depth"] == 2)).to_numpy()
    is_leaf = f["is_leaf"].astype(object).fillna(False).astype(bool).to_numpy() & ~execution
    leaves = f[is_leaf & ~is_open].assign(key=pos[is_leaf & ~is_open], follower=False)
    key = f["level1"].astype(str) + "\u0001" + f["level2"].astype(str)
    last_pos = pos.groupby(key).transform("max")
    opened = f[is_open]
    group_points = opened["points"].where(opened["is_leaf"].astype(bool))  # only when no children carry them
    blanks = [opened.assign(level3=None, points=group_points if k == 1 else np.nan,
                            key=last_pos[is_open] + k / 10.0, follower=(k > 1) & group_points.notna())
              for k in (1, 2, 3)]
    rows = pd.concat([leaves, *blanks], ignore_index=True).sort_values("key", kind="stable")
    return rows[["level1", "level2", "level3", "points", "follower"]].reset_index(drop=True), exec_points


def _template_form(rows: pd.DataFrame, exec_points: float, project_name: str | None) -> SelfEvaluationForm:
    n = len(rows)
    body = pd.DataFrame({
        "level1": rows["level1"].astype(object).where(rows["level1"].notna(), None),
        "level2": rows["level2"].astype(object).where(rows["level2"].notna(), None),
        "level3": rows["level3"].astype(object).where(rows["level3"].notna(), None),
        "target": [None] * n, "actual": [None] * n, "points": rows["points"].to_numpy(float),
        "score": np.full(n, np.nan), "reason": [None] * n, "counted": ~rows["follower"].to_numpy(bool),
        "target_nature": [None] * n, "target_value": [None] * n, "target_unit": [None] * n,
        "source_row": np.zeros(n, int)})[ROW_COLUMNS]
    money = pd.DataFrame(index=STANDARD_MONEY_ROWS, columns=MONEY_COLUMNS, dtype=float)
    money.loc["年度资金总额", "points"] = exec_points
    return SelfEvaluationForm(
        project_id="template", project_name=project_name, department=None, unit=None, manager=None, year=None,
        money_unit="万元", money=money, goal_expected=None, goal_actual=None, rows=body, published_total=None,
        published_grade=None, source_file="template", source_sheet=None, notes=())


def _write_declaration(ws, rows: pd.DataFrame, project_name: str | None) -> None:
    """绩效目标申报表: header, 资金情况, 总体目标 and 一级/二级/三级指标 | 指标值."""
    n = 4
    X.set_cell(ws, 1, 1, "项目支出绩效目标申报表", font=X.FONT_TITLE, border=False)
    X.merge(ws, 1, 1, 1, n)
    X.set_cell(ws, 2, 1, "（    年度）", border=False)
    X.merge(ws, 2, 1, 2, n)
    X.set_cell(ws, 3, 1, "项目名称", font=X.FONT_BOLD)
    X.set_cell(ws, 3, 2, project_name, align=X.LEFT)
    X.merge(ws, 3, 2, 3, n)
    X.set_cell(ws, 4, 1, "主管部门", font=X.FONT_BOLD)
    X.set_cell(ws, 4, 2, None)
    X.set_cell(ws, 4, 3, "实施单位", font=X.FONT_BOLD)
    X.set_cell(ws, 4, 4, None)
    X.set_cell(ws, 5, 1, "资金情况（万元）", font=X.FONT_BOLD)
    X.merge(ws, 5, 1, 7, 1)
    for i, label in enumerate(["年度资金总额", "其中：财政拨款", "其他资金"]):
        X.set_cell(ws, 5 + i, 2, label, align=X.LEFT)
        X.set_cell(ws, 5 + i, 3, None, number_format=X.MONEY_FORMAT)
        X.merge(ws, 5 + i, 3, 5 + i, 4)
    X.set_cell(ws, 8, 1, "年度总体目标", font=X.FONT_BOLD)
    X.set_cell(ws, 8, 2, None, align=X.LEFT)
    X.merge(ws, 8, 2, 8, n)
    for j, label in enumerate(["一级指标", "二级指标", "三级指标", "指标值"]):
        X.set_cell(ws, 9, 1 + j, label, font=X.FONT_BOLD)
    for i, row in enumerate(rows.itertuples(index=False)):  # openpyxl writes cell by cell
        for j, v in enumerate((row.level1, row.level2, row.level3, None)):
            X.set_cell(ws, 10 + i, 1 + j, _value(v), align=X.LEFT if j == 2 else X.CENTER,
                       number_format=X.TEXT_FORMAT if j == 3 else None)
    last = 9 + len(rows)
    for first, end in _runs(rows["level1"]):
        X.merge(ws, 10 + first, 1, 10 + end, 1)
    pair = rows["level1"].astype(str) + "\u0001" + rows["level2"].astype(str)
    for first, end in _runs(pair.where(rows["level2"].notna())):
        X.merge(ws, 10 + first, 2, 10 + end, 2)
    X.frame_borders(ws, 3, last, 1, n)
    names = X.display_widths([*rows["level3"].dropna(), "三级指标名称"])
    widths = {1: 18.0, 2: 18.0, 3: float(min(names.max() + 2, 30)), 4: 20.0}
    X.fit_columns(ws, widths)
    ws.row_dimensions[1].height = 30
    X.fit_row_heights(ws, 3, last, widths)
    ws.row_dimensions[8].height = 60
    X.print_setup(ws, "9:9")


def write_template(system_frame: pd.DataFrame, path, form: str = "self", project_name: str | None = None) -> None:
    """A blank form for an indicator system (``IndicatorSystem.to_frame()``).

    ``form="self"``: the 自评表 with the system's 一级/二级/三级 names and leaf 分值 (an
    execution node, rule kind ``execution``, gives the money block's 分值 instead of a row);
    ``form="declaration"``: the 绩效目标申报表 (header, 资金情况, 总体目标 and
    一级/二级/三级指标 | 指标值). Open (个性) L2 nodes get three empty L3 rows.
    """
    if form not in ("self", "declaration"):
        raise InputError("未知的表式 (unknown form kind)", where=Location(path="form"),
                         expected="self（自评表）或 declaration（绩效目标申报表）", found=form)
    rows, exec_points = _template_rows(system_frame)
    wb = Workbook()
    ws = wb.active
    if form == "self":
        ws.title = "自评表"
        _SelfFormSheet(ws, _template_form(rows, exec_points, project_name)).write()
    else:
        ws.title = "绩效目标申报表"
        _write_declaration(ws, rows, project_name)
    X.save_workbook(wb, path, TEMPLATE_STAMP)
