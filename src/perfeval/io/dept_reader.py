"""Reader of department-overall forms (部门整体支出绩效自评表, 评分表/得分表) in every layout of
dept-overall.md §4, and the tidy frames the department code consumes.

A sheet is a department form when it has no 项目名称 and carries a department label (部门,
部门(单位)名称, 区级预算单位名称, 评价部门名称, 单位名称, 下属单位个数, 部门预算执行情况, 基本支出总额,
分解目标, 执行率权重) or a 部门整体/整体支出 title. :func:`read_dept_grid` reads one sheet into a
:class:`DeptForm`: header (who: department or unit), the money block (基本/项目 and income-source
rows kept apart, never summed; the units of a consolidated form as rows of their own), goals, the
indicator rows (see ``_dept_table``), the published total and the footer texts.
:func:`dept_forms_to_frames` gives (rows, money, header); ``DeptForm.as_selfeval()`` the project
form object, so ``perfeval score`` reads department forms too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..errors import InputError
from . import _cells as C
from ._dept_table import EXTRA_COLUMNS, dept_heading, read_dept_rows
from ._grid import Grid
from ._money import MoneyReader
from .selfeval_model import FRAME_ROW_COLUMNS, MONEY_FACTORS, MONEY_TOTAL_ROW, ROW_COLUMNS, SelfEvaluationForm
from .selfeval_reader import _FormReader

DEPT_LABEL = (r"^(?:部门|部门名称|部门\(单位\)名称|区级预算单位名称|评价部门名称|下属单位个数|部门预算执行情况|"
              r"基本支出总额|项目支出总额|分解目标|执行率权重|单位名称)(?:\(.*?\))?(?::.*)?$")
DEPT_TITLE = r"部门整体|整体支出|单位整体"
DEPT_HEADER = {
    "department": r"部门|部门名称|部门\(单位\)名称|评价部门名称|主管部门|预算部门",
    "unit": r"单位名称|区级预算单位名称|预算单位名称|单位",
    "subunits": r"下属单位个数",
    "code": r"预算编码|部门编码|单位编码|预算单位编码",
    "finance_office": r"财政处室",
    "contact": r"部门联系人|联系人",
    "header_total": r"自评总分|自评总分\(分\)|综合评分|总得分",
}
FOOTER_TEXTS = {"problems": r"偏差大或目标未完成的?原因分析|存在的问题.*|问题及原因",
                "measures": r"改进措施及结果应用方案|改进措施.*", "remarks": r"备注|注|说明"}
NATURE = r"基本支出|项目支出|人员经费|公用经费|按支出性质"
SOURCE = r"财政拨款|一般公共预算|政府性基金|专户|非税|其他资金|其他|上年结转|结转|自筹|按收入性质|资金来源"
SPLIT_LABEL = r"^(?:其中:?)?(?:资金(?:来源|结构):?)?(?:\(\d\))?(基本支出|项目支出|人员经费|公用经费|一般公共预算|政府性基金拨款|" \
              r"纳入专户管理的非税收入拨款|其他资金|按收入性质分|按支出性质分)(?:总额)?:?$"
ENTITY_LABELS = {"department": "部门", "unit": "单位", "project": "项目"}
MONEY_FRAME = ["entity_id", "entity", "entity_name", "row_unit", "label", "kind", "budget_initial",
               "budget_full_year", "spent", "amount", "points", "rate", "score", "is_total", "source_file",
               "source_sheet"]
HEADER_FRAME = ["form_id", "entity_id", "entity", "entity_name", "department", "unit", "year", "layout", "subunits",
                "finance_office", "contact", "published_total", "published_grade", "goal_expected", "goal_actual",
                "problems", "measures", "remarks", "goal_points", "money_unit", "money_problem", "reader_notes", "source_file",
                "source_sheet"]


@dataclass(frozen=True, eq=False)
class DeptForm:
    """One department-overall form as written; money in the form's unit (``money``: the money block's
    rows by label; ``splits``: 基本/项目 and income amounts written beside it)."""

    entity: str                 # "department" | "unit"
    entity_id: str
    entity_name: str | None
    department: str | None
    unit: str | None
    layout: str
    year: int | None
    money_unit: str
    money: pd.DataFrame
    splits: pd.DataFrame        # label, kind, amount (form's unit)
    rows: pd.DataFrame          # ROW_COLUMNS + EXTRA_COLUMNS
    header: dict
    published_total: float | None
    published_grade: str | None
    source_file: str
    source_sheet: str | None
    notes: tuple[str, ...] = ()
    money_problem: str | None = None
    consolidated: bool = field(default=False)
    form_id: str | None = None  # entity_id, or entity_id:sheet when one file holds two sheets of one entity

    @property
    def key(self) -> str:
        return self.form_id or self.entity_id

    def as_selfeval(self) -> SelfEvaluationForm:
        """The form as a :class:`SelfEvaluationForm` (for ``perfeval score``): the entity in place of
        the project; only the money block's total row gives the execution score."""
        name = self.entity_name or self.entity_id
        notes = (f"部门整体绩效自评表（{ENTITY_LABELS[self.entity]}：{name}；版式：{self.layout}）",) + self.notes
        money = self.money
        kinds = pd.Series([_kind(x, self.consolidated) for x in money.index], dtype=object)
        if {"nature", "source"} <= set(kinds):  # two splits of one total: keep one, or the details count twice
            money = money[(kinds != "source").to_numpy()]
            notes += ("资金表同时按资金来源和支出性质分列：与年度资金总额核对时只用按支出性质（基本/项目）的明细行",)
        if money.empty:
            notes += ("该表没有预算执行资金表：如预算执行已作为指标计入表内分值，请用 --scheme exec-0 评分",)
        return SelfEvaluationForm(
            project_id=self.key, project_name=name, department=self.department, unit=self.unit,
            manager=None, year=self.year, money_unit=self.money_unit, money=money,
            goal_expected=self.header.get("goal_expected"), goal_actual=self.header.get("goal_actual"),
            rows=self.rows[ROW_COLUMNS].copy(), published_total=self.published_total,
            published_grade=self.published_grade, source_file=self.source_file, source_sheet=self.source_sheet,
            notes=notes, money_problem=self.money_problem)


def is_dept_form(g: Grid) -> bool:
    """A sheet without 项目名称 that has a department label or a 部门整体/整体支出 title."""
    anchor = g.is_anchor()
    if (anchor & C.match(g.norm, r"^项目名称")).any():
        return False
    short = np.vectorize(len, otypes=[int])(g.norm) <= 40  # a title, not a sentence of instructions
    return bool((anchor & (C.match(g.norm, DEPT_LABEL) | (short & C.match(g.norm, DEPT_TITLE)))).any())


def _kind(label: str, consolidated: bool) -> str:
    text = re.sub(r"\s+", "", str(label))
    if text == "" or re.match(MONEY_TOTAL_ROW, text) or re.search(r"整体支出总额|支出总额$|^部门整体", text):
        return "total"
    if re.search(NATURE, text):
        return "nature"
    if re.search(SOURCE, text):
        return "source"
    return "unit" if consolidated else "other"


class _DeptReader(_FormReader):
    """Reads one department sheet, reusing the project reader's header/goal/footer lookups."""

    def read_dept(self) -> DeptForm:
        g = self.g
        h = dept_heading(g)
        if h is None:
            raise InputError("部门整体绩效自评表中找不到绩效指标表头行 (indicator heading row not found)",
                             where=g.where(min(self.last_row + 1, g.shape[0] - 1), 0),
                             expected="含“三级指标”或“指标名称”，以及“分值/权重”“得分/自评得分”“指标值”等列名的表头行",
                             found=g.row_text(min(self.last_row + 1, g.shape[0] - 1)))
        header = {k: self.labelled(p, (0, h)) for k, p in DEPT_HEADER.items()}
        year = self._year(h)
        money = MoneyReader(g, h, self.notes)
        found = money.heading_row()
        block = money.read(self._money_unit(h, found[0] if found else None), found)
        n_sub = pd.to_numeric(pd.Series([str(header["subunits"] or "").rstrip("个")]), errors="coerce").iloc[0]
        consolidated = bool(pd.notna(n_sub) and n_sub > 0) or bool(
            found and C.match(g.norm[found[0]], r"^(?:预算单位|单位名称|所属单位)$").any())
        table = block.table.copy()
        side = [i for i, x in enumerate(table.index) if re.match(r"^按(?:收入|支出)性质分", re.sub(r"\s+", "", str(x)))]
        if side:  # 湖南: two lists side by side under the total row are splits, not money rows
            table = table.iloc[: side[0]]
            self.notes[:] = [n for n in self.notes if "性质分" not in n]  # their cells are labels, not junk amounts
            self.notes.append("资金表下方并列“按收入性质分”“按支出性质分”两组分项，作为分项读取，不与年度资金总额相加")
        splits = self._splits(h, table)
        header["goal_expected"], header["goal_actual"] = self._goals(block.end, h)
        header["goal_points"] = self._goal_points(h, header)
        ind = read_dept_rows(g, h, self.notes)
        total, grade = self._footer(ind.end, ind.columns)
        header.update({k: self._footer_text(p, ind.end) for k, p in FOOTER_TEXTS.items()})
        if total is None and header["header_total"] is not None:
            value = pd.to_numeric(pd.Series([str(header["header_total"]).rstrip("分")]), errors="coerce").iloc[0]
            total = None if pd.isna(value) else float(value)
        self._money_checks(table, consolidated, header)
        if header["goal_points"] is not None:
            got = ind.rows.loc[ind.rows["counted"], "points"]
            if got.notna().all() and not got.empty and abs(got.sum() - header["goal_points"]) > 1e-9:
                self.notes.append(f"问题：年度目标标签写明 {header['goal_points']:g} 分，各指标分值合计 {got.sum():g}，不一致")
            elif got.isna().any():
                self.notes.append(f"各指标分值未列出，无法核对其合计是否等于年度目标的 {header['goal_points']:g} 分")
        entity, name = ("department", header["department"]) if header["department"] else ("unit", header["unit"])
        if name is None:
            self.notes.append("表内未写部门或单位名称，按文件名和工作表名标识")
        stem = re.sub(r"\.\w+$", "", str(g.file))
        entity_id = header["code"] or name or (f"{stem}:{g.sheet}" if g.sheet is not None else stem)
        return DeptForm(entity=entity, entity_id=str(entity_id), entity_name=name, department=header["department"],
                        unit=header["unit"], layout=_layout(ind.columns, g.norm[h], ind.rows), year=year,
                        money_unit=block.unit, money=table, splits=splits, rows=ind.rows, header=header,
                        published_total=total, published_grade=grade, source_file=g.file, source_sheet=g.sheet,
                        notes=tuple(self.notes), money_problem=block.problem, consolidated=consolidated)

    def _goal_points(self, h: int, header: dict) -> float | None:
        """湖北 20 + 80: "年度目标1：（80分）" gives the indicators' points and the goal text beside it."""
        hits = self.find(r"^年度目标\d*:?\((\d+(?:\.\d+)?)分\):?$", (0, h))
        if not hits:
            return None
        r, c = hits[0]
        points = float(re.search(r"\((\d+(?:\.\d+)?)分\)", self.g.norm[r, c]).group(1))
        if header.get("goal_expected") is None:
            header["goal_expected"] = self.right_value(r, c, stop_at_labels=False)[0]
            self.notes[:] = [n for n in self.notes if n != "未找到年度总体目标"]
        self.notes.append(f"年度目标的分值写在标签“{self.g.text[r, c]}”中：指标合计 {points:g} 分")
        return points

    def _splits(self, h: int, table: pd.DataFrame) -> pd.DataFrame:
        """基本/项目 and income amounts written as "label | amount" beside or above the money block
        (湖北 基本支出总额 | 500万; 湖南 按支出性质分 lists), not already rows of the money table."""
        g = self.g
        in_table = {re.sub(r"\s+", "", str(x)).replace("：", ":") for x in table.index}
        hits = np.argwhere(self.anchor[:h] & C.match(g.norm[:h], SPLIT_LABEL))
        out = []
        for r, c in hits:  # a handful of cells
            if g.norm[r, c] in in_table:
                continue
            text, col = self.right_value(int(r), int(c), stop_at_labels=False)
            if text is None:
                continue
            cleaned = re.sub(r"[,，\s]|万元$|万$|元$", "", str(text))
            value = pd.to_numeric(pd.Series([cleaned]), errors="coerce").iloc[0]
            if pd.isna(value) and not C.is_blank([cleaned])[0]:
                continue
            label = re.match(SPLIT_LABEL, g.norm[r, c]).group(1)
            out.append({"label": label, "kind": _kind(label, False), "amount": float(value), "row": int(r) + 1})
        frame = pd.DataFrame(out, columns=["label", "kind", "amount", "row"])
        if not frame.empty:
            self.notes.append(f"资金分项（{'、'.join(f'{a}' for a in frame['label'])}）单独列出，不与年度资金总额相加")
        return frame

    def _money_checks(self, table: pd.DataFrame, consolidated: bool, header: dict) -> None:
        """Blank execution score on the total row is missing (not 0); sub-rows never add points; the
        units of a consolidated form against 下属单位个数."""
        if table.empty:
            return
        kinds = [_kind(x, consolidated) for x in table.index]
        total = table[[k == "total" for k in kinds]]
        if not total.empty:
            t = total.iloc[0]
            if pd.isna(t["points"]) and pd.isna(t["score"]):
                self.notes.append("资金表没有执行分值和执行得分：该版式不单独计预算执行得分（执行率只作说明）")
            if pd.isna(t["score"]) and pd.notna(t["points"]):
                over = "，执行率超过 100%" if pd.notna(t["rate"]) and t["rate"] > 1 else ""
                self.notes.append(f"资金表年度资金总额行的得分为空{over}：按“未填”处理（缺失，不作 0 分）")
        sub_points = table["points"].notna() & pd.Series([k != "total" for k in kinds], index=table.index)
        if sub_points.any():
            self.notes.append(f"资金表分项行（{'、'.join(map(str, table.index[sub_points.to_numpy()]))}）各有分值，"
                              "只按年度资金总额行计预算执行得分，分项行的分值不累加")
        if consolidated:
            units = [x for x, k in zip(table.index, kinds) if k == "unit"]
            n = pd.to_numeric(pd.Series([str(header.get("subunits") or "").rstrip("个")]), errors="coerce").iloc[0]
            self.notes.append(f"合并表：资金表列出 {len(units)} 个预算单位（{'、'.join(units)}）")
            if pd.notna(n) and units and len(units) not in (int(n), int(n) + 1):
                self.notes.append(f"问题：表头下属单位个数为 {int(n)}，资金表列出 {len(units)} 个单位，不一致")

    def _footer_text(self, pattern: str, start: int) -> str | None:
        hits = self.find(f"^(?:{pattern})(?::(.*))?$", (start, self.g.shape[0]))
        if not hits:
            return None
        r, c = hits[0]
        inline = re.split(r"[:：]", self.g.text[r, c], maxsplit=1)
        if len(inline) == 2 and inline[1].strip():
            return inline[1].strip()
        return self.right_value(r, c, stop_at_labels=False)[0]


def _layout(cols: dict, heading: np.ndarray, rows: pd.DataFrame) -> str:
    """A short name of the layout, from the heading fields (for notes and the header frame)."""
    labels = set(str(x) for x in heading)
    if "level1_weight" in cols:
        return "分解目标+自评权重（江西）"
    if "score_coefficient" in cols or "target_adjusted" in cols or "core" in cols or "指标权重" in labels:
        return "指标权重+得分系数（重庆）"
    if "计算符号" in labels:
        return "系统表格（计算符号）"
    if "points" not in cols:
        labelled = rows[["level1_points", "level2_points"]].notna().any().any()
        return "得分表（分值写在标签中）" if labelled else "20+80（无分值列）"
    if ("criterion" in cols or "explanation" in cols) and "target" not in cols and "target_value" not in cols:
        return "评分表（评分标准+自评得分）"
    return "财政部格式（一级/二级/三级指标）"


def read_dept_grid(g: Grid) -> DeptForm:
    """One department form from one sheet (InputError naming the cell when it cannot be read)."""
    return _DeptReader(g).read_dept()


def dept_forms_to_frames(forms) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(rows, money, header) of department forms: ``rows`` the project row frame (``project_id`` = the
    form: entity_id, or entity_id:sheet when one file has two sheets of one entity) plus entity, entity_id, entity_name, department, unit, layout and the department
    columns (criterion, explanation, level1/2_points, score_coefficient, target_adjusted, core,
    unit_name); ``money`` one row per money-block row and per split amount, in 元, with its kind
    (total / nature / source / unit / other); ``header`` one row per form."""
    forms = list(forms)
    rows, money, header = [], [], []
    ident = ["entity_id", "entity", "entity_name"]
    for f in forms:  # one step per form
        who = {"entity_id": f.entity_id, "entity": f.entity, "entity_name": f.entity_name}
        r = f.rows.copy()
        r.insert(0, "project_id", f.key)
        r.insert(1, "project_name", f.entity_name)
        r = r.assign(source_file=f.source_file, source_sheet=f.source_sheet, **who, department=f.department,
                     unit=f.unit, layout=f.layout)
        named = r["unit_name"].notna() & ~r["unit_name"].astype(str).str.contains(r"部门|合计|全部|所属单位|整体")
        if named.any():  # a consolidated table: rows of one subordinate unit belong to that unit
            r.loc[named, "entity"] = "unit"
            r.loc[named, "entity_id"] = r.loc[named, "unit_name"]
            r.loc[named, "entity_name"] = r.loc[named, "unit_name"]
            r.loc[named, "unit"] = r.loc[named, "unit_name"]
        rows.append(r)
        factor = MONEY_FACTORS.get(f.money_unit, 1.0)
        m = f.money.copy()
        kinds = [_kind(x, f.consolidated) for x in m.index]
        m = pd.DataFrame({"label": [str(x) for x in m.index], "kind": kinds,
                          "budget_initial": m["budget_initial"].to_numpy() * factor,
                          "budget_full_year": m["budget_full_year"].to_numpy() * factor,
                          "spent": m["spent"].to_numpy() * factor, "amount": np.nan,
                          "points": m["points"].to_numpy(), "rate": m["rate"].to_numpy(),
                          "score": m["score"].to_numpy(), "is_total": [k == "total" for k in kinds]})
        m["row_unit"] = np.where(m["kind"] == "unit", m["label"], f.entity_name)
        s = f.splits.assign(amount=f.splits["amount"] * factor, row_unit=f.entity_name, is_total=False)
        both = pd.concat([m, s.drop(columns="row")], ignore_index=True) if not s.empty else m
        money.append(both.assign(**who, source_file=f.source_file, source_sheet=f.source_sheet))
        header.append({"form_id": f.key, **who, "department": f.department, "unit": f.unit, "year": f.year, "layout": f.layout,
                       **{k: f.header.get(k) for k in ("subunits", "finance_office", "contact", "goal_expected",
                                                        "goal_actual", "problems", "measures", "remarks",
                                                        "goal_points")},
                       "published_total": f.published_total, "published_grade": f.published_grade,
                       "money_unit": f.money_unit, "money_problem": f.money_problem,
                       "reader_notes": "\n".join(f.notes) or None, "source_file": f.source_file,
                       "source_sheet": f.source_sheet})
    row_cols = FRAME_ROW_COLUMNS + ident + ["department", "unit", "layout"] + EXTRA_COLUMNS
    rows_frame = pd.concat(rows, ignore_index=True)[row_cols] if rows else pd.DataFrame(columns=row_cols)
    money_frame = pd.concat(money, ignore_index=True)[MONEY_FRAME] if money else pd.DataFrame(columns=MONEY_FRAME)
    money_frame["is_total"] = money_frame["is_total"].astype(bool)
    return rows_frame, money_frame, pd.DataFrame(header, columns=HEADER_FRAME)


def read_dept_forms(path) -> list[DeptForm]:
    """Every department form in a file (any container); InputError when there is none or one cannot be read."""
    from pathlib import Path

    from ..errors import Location
    from ._grid import load_grids

    path = Path(path)
    grids, _ = load_grids(path)
    dept = [g for g in grids if is_dept_form(g)]
    if not dept:
        raise InputError("文件中没有找到部门整体绩效自评表 (no department-overall form found)",
                         where=Location(file=path.name, sheet=grids[0].sheet, row=1, column="A"),
                         expected="无“项目名称”、含“部门/单位名称”“部门整体支出”等标签的工作表",
                         found="工作表：" + "、".join(str(g.sheet) for g in grids))
    return read_dept_sheets(grids, dept)


def read_dept_sheets(grids: list[Grid], dept: list[Grid]) -> list[DeptForm]:
    """The department sheets of one file: those with an indicator table are read; the others (a
    基础数据表, an analysis tab) are skipped with a note, or, when no sheet has a table, the first one's
    error names where the table is missing."""
    with_table = [g for g in dept if dept_heading(g) is not None]
    if not with_table:
        read_dept_grid(dept[0])  # raises: no indicator heading
    taken = "、".join(f"“{g.sheet}”" for g in with_table)
    skipped = [f"工作表“{g.sheet}”没有绩效指标表（如基础数据表、分析说明），已跳过；自评表取自工作表{taken}"
               for g in grids if g not in with_table]
    forms = [read_dept_grid(g) for g in with_table]
    texts = {}  # 湖北 system: 原因分析 and 改进措施 on a tab of their own (自评分析)
    for g in grids:
        if g not in with_table:
            reader = _DeptReader(g)
            texts.update({k: v for k, p in FOOTER_TEXTS.items() if k != "remarks" and k not in texts
                          and (v := reader._footer_text(p, 0)) is not None})
    if texts:
        forms = [replace(f, header={**f.header, **{k: v for k, v in texts.items() if f.header.get(k) is None}})
                 for f in forms]
    ids = pd.Series([f.entity_id for f in forms])
    shared = ids.duplicated(keep=False).to_numpy()  # 评分表 and 指标表 of one department: one form each
    return [replace(f, notes=f.notes + tuple(skipped), form_id=f"{f.entity_id}:{f.source_sheet}" if dup else None)
            for f, dup in zip(forms, shared)]
