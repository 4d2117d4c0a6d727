"""The money block of a self-evaluation form (项目资金), in every layout seen on published forms.

Headings are classified cell by cell (real-tables.md, "Money-block variants"): 年初预算数,
全年预算数 / 调整预算数(A) / 调整后预算数 / 全年(调整)预算数 / 预算数(A) / 合计, 执行数(B) /
全年执行数 / 实际支出, 到位数, 本级 (a component, not a budget), 分值 (also "分值 20"), 执行率(B/A),
得分 (also "得分 (20分*执行率)": the execution points written in the heading). Rows are the
labelled money rows (年度资金总额, 年度总金额, 资金总额, 其中：…) or a single unlabelled row of
amounts. Junk in a 其中 sub-row is a note; a block that is there but cannot be read (no budget or
spending column, no amounts, a total-row amount that is not a number) becomes ``problem``: the
form is then not graded (review code ``MONEY_UNREADABLE``), it is never given an execution score
of 0.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _cells as C
from ._grid import Grid
from .selfeval_model import MONEY_COLUMNS, MONEY_TOTAL_ROW

# (field, pattern) over normalised heading text; the first pattern a cell matches decides its field
MONEY_HEADINGS = [
    ("points", r"^执行率(?:权重|分值)"),   # 重庆: 执行率权重 is the execution points, 执行率得分 the score
    ("score", r"^执行率得分"),
    ("rate", r"^(?:全年|本年|年度)?(?:预算)?执行率"),
    ("score", r"^(?:执行)?得分(?!计算|方法|说明)"),
    ("points", r"^(?:分值|权重|满分)"),
    ("spent", r"^(?:全年|本年|年度)?(?:实际)?(?:执行数|执行金额|执行额|支出数|支出金额|支出额|支出|决算数)|^(?:预算|实际)执行数"),
    ("received", r"^(?:全年|本年|实际)?(?:资金)?到位(?:数|资金|金额)?"),
    ("budget_initial", r"^年初(?:预算|批复|安排)"),
    ("budget_full_year", r"^(?:全年\(?调整\)?预算|全年预算|调整后?预算|年度预算|预算数|预算金额|预算资金|预算安排|"
                         r"批复预算|预算批复|全年批复|合计)"),
    ("component", r"^(?:本级|上级|中央|省级|市级|县级|区级|财政拨款|其他资金|自筹)"),
]
MONEY_FIELDS = ("budget_initial", "budget_full_year", "spent")
FIELD_LABELS = {"budget_initial": "年初预算数", "budget_full_year": "全年预算数", "spent": "全年执行数",
                "received": "到位数", "points": "分值", "rate": "执行率", "score": "得分"}
MONEY_ROW = (r"^(?:年度资金总额|年度总金额|总金额|资金总额|资金合计|总额|合计|总计|其中.*|.*资金.*|.*拨款.*|.*结转.*|"
             r".*经费.*|.*预算.*):?$")
BLOCK_TITLE = r"^(?:项目资金|资金情况|项目资金情况|资金|预算资金|资金投入|年度预算申请|部门预算执行情况|预算执行情况|整体支出规模)"
GOAL_OR_TABLE = r"^(?:年度总体目标|总体目标|年度绩效目标|年度目标|绩效指标|一级指标|年初绩效目标|年初设定目标|指标名称)"
_POINTS_IN_HEADING = re.compile(r"(\d+(?:\.\d+)?)\s*分?\s*[*×xX]|^(?:分值|权重|满分):?\(?(\d+(?:\.\d+)?)分?\)?$")


@dataclass(frozen=True)
class MoneyBlock:
    """What the form says about its money: the rows as labelled (form's unit), where it ends, the
    execution points written in a heading, which budget column the form calls (A), the headings
    found, and the problem that keeps it from being read (None when it was read)."""

    table: pd.DataFrame
    unit: str
    end: int
    headings: dict
    problem: str | None = None


def classify_headings(texts) -> list[str | None]:
    """The money field each normalised heading text names (None: not a money heading)."""
    out = []
    for text in texts:
        field = next((f for f, pattern in MONEY_HEADINGS if re.match(pattern, text)), None)
        out.append(field)
    return out


def points_in_heading(text: str) -> float | None:
    """Execution points written in a heading: "得分(20分*执行率)" → 20, "分值20" → 20."""
    m = _POINTS_IN_HEADING.search(text)
    if not m:
        return None
    return float(m.group(1) or m.group(2))


class MoneyReader:
    """Finds and reads the money block above ``top_end`` (the indicator heading row)."""

    def __init__(self, grid: Grid, top_end: int, notes: list[str]):
        self.g, self.top_end, self.notes = grid, top_end, notes
        self.anchor = grid.is_anchor()

    # -- where the block is ---------------------------------------------------------------
    def heading_row(self) -> tuple[int, dict] | None:
        """The first row above the indicator table with a spending heading and a budget heading."""
        g = self.g
        for r in range(self.top_end):  # a few dozen header rows at most
            cells = [c for c in range(g.shape[1]) if self.anchor[r, c] and g.norm[r, c]]
            fields = classify_headings([g.norm[r, c] for c in cells])
            # a block title merged down the money rows ("预算资金(万元)") names the block, not a column
            fields = [None if f is not None and self._is_block_title(r, c, fields.count(f) > 1) else f
                      for c, f in zip(cells, fields)]
            if "spent" in fields and ({"budget_full_year", "budget_initial"} & set(fields)):
                cols: dict = {}
                for c, f in zip(cells, fields):
                    if f is not None:
                        cols.setdefault(f, []).append(c)
                return r, cols
        return None

    def _is_block_title(self, r: int, c: int, repeated: bool) -> bool:
        """A block title (预算资金(万元)) merged down the money rows, or unmerged left of a real heading of
        the same field (预算资金(万元) | … | 全年预算数)."""
        g = self.g
        merged_down = r + 1 < g.shape[0] and g.top[r + 1, c] == r and g.left[r + 1, c] == c
        return bool((merged_down or repeated) and re.match(BLOCK_TITLE, g.norm[r, c]))

    def _money_hint(self) -> tuple[int, int] | None:
        """A cell that says a money block should be here (block title or a money-row label)."""
        g = self.g
        hits = np.argwhere(self.anchor[: self.top_end] & (C.match(g.norm[: self.top_end], BLOCK_TITLE)
                                                          | C.match(g.norm[: self.top_end], MONEY_TOTAL_ROW)))
        return (int(hits[0][0]), int(hits[0][1])) if len(hits) else None

    # -- reading --------------------------------------------------------------------------
    def read(self, unit: str, found: tuple[int, dict] | None) -> MoneyBlock:
        """The block under the heading ``found`` by :meth:`heading_row` (None: no heading)."""
        g = self.g
        empty = pd.DataFrame(columns=MONEY_COLUMNS, dtype=float)
        if found is None:
            hint = self._money_hint()
            if hint is None:
                self.notes.append("表内没有项目资金表（全年预算数/全年执行数），预算执行数据为空")
                return MoneyBlock(empty, unit, 0, {})
            r, c = hint
            near = " | ".join(t for t in (g.row_text(r),) if t)
            return MoneyBlock(empty, unit, r + 1, {}, problem=(
                f"{g.where(r, c).describe()}：有项目资金表（“{g.text[r, c]}”），但找不到可识别的预算数和执行数列表头；"
                f"该行内容：{near}"))
        m, cols = found
        headings = {f: g.text[m, cs[0]] for f, cs in cols.items()}
        first_value = min(min(cs) for cs in cols.values())
        self._note_headings(m, cols)
        rows, labels = self._rows(m, cols, first_value)
        if len(rows) == 0:
            return MoneyBlock(empty, unit, m + 1, headings, problem=(
                f"{g.where(m).describe()}找到资金表表头（{self._heading_list(m, cols)}），但其下没有金额行"))
        table = pd.DataFrame(index=pd.Index(labels, dtype=object), columns=MONEY_COLUMNS, dtype=float)
        is_total = pd.Series(labels, dtype=object).str.match(MONEY_TOTAL_ROW).to_numpy() \
            | (pd.Series(labels, dtype=object) == "").to_numpy()
        total_at = int(np.argmax(is_total)) if is_total.any() else 0
        problem = None
        separators = np.zeros(len(rows), dtype=bool)
        junk_in, bad_total = {}, set()
        for field in (*MONEY_FIELDS, "score"):
            if field not in cols:
                continue
            col = cols[field][0]
            values, sep = C.parse_numbers(g, rows, col, "", "", lenient=True)
            bad = C.unreadable(g, rows, col, values)
            if bad[total_at]:
                bad_total.add(field)
            if bad[total_at] and problem is None:
                problem = (f"{g.where(int(rows[total_at]), col).describe()}：{FIELD_LABELS[field]}“"
                           f"{g.text[rows[total_at], col]}”无法识别为数字（资金表表头：{self._heading_list(m, cols)}）")
            junk = bad & (np.arange(len(rows)) != total_at)
            junk_in[field] = junk
            if junk.any():
                self.notes.append(f"资金表{C.row_list(rows[junk] + 1)}的{FIELD_LABELS[field]}“"
                                  f"{'、'.join(dict.fromkeys(g.text[rows[junk], col]))}”不是金额，按空白处理（不影响评分）")
            table[field] = values
            separators |= sep & ~bad
        self._points(table, rows, cols, total_at, m)
        if "rate" in cols:
            rates, scaled = C.parse_rates(g, rows, cols["rate"][0], lenient=True)
            table["rate"] = rates
            if scaled.any():
                i = int(np.argmax(scaled))
                self.notes.append(f"执行率写作数值 {g.text[rows[i], cols['rate'][0]]}（百分数），已读为 {rates[i]:g}")
        if separators.any():
            self.notes.append(f"金额含千位分隔符（{C.row_list(rows[separators] + 1)}），已去除")
        used = self._detail_sums_used(table, is_total, total_at, bad_total)
        junk_used = [f for f in used if junk_in.get(f, np.zeros(1, bool)).any()]
        if junk_used and problem is None:
            problem = (f"年度资金总额行的{FIELD_LABELS[junk_used[0]]}为空或 0，需按明细行合计，但明细行有无法识别的金额"
                       f"（资金表表头：{self._heading_list(m, cols)}）")
        return MoneyBlock(table, unit, int(rows[-1]) + 1, headings, problem)

    def _rows(self, m: int, cols: dict, first_value: int) -> tuple[np.ndarray, list[str]]:
        """Money rows below the heading: labelled rows and rows holding amounts, up to the goals."""
        g = self.g
        value_cols = [cs[0] for f, cs in cols.items() if f in MONEY_FIELDS]
        rows, labels = [], []
        for r in range(m + 1, self.top_end):  # a handful of rows
            own = [c for c in range(first_value) if self.anchor[r, c] and g.text[r, c]]
            if any(re.match(GOAL_OR_TABLE, g.norm[r, c]) for c in own):
                break
            label = g.norm[r, own[-1]] if own else ""
            has_amount = any(g.text[r, c] and g.left[r, c] == c and g.top[r, c] == r for c in value_cols)
            if own and not re.match(MONEY_ROW, label) and not has_amount:
                break
            if not own and not has_amount:
                if rows:
                    break
                continue
            rows.append(r)
            labels.append(g.text[r, own[-1]] if own else "")
        if labels.count("") and len(labels) == 1:
            self.notes.append(f"资金表{C.row_list([rows[0] + 1])}没有行标签，按年度资金总额读取")
        return np.array(rows, dtype=int), labels

    def _points(self, table: pd.DataFrame, rows: np.ndarray, cols: dict, total_at: int, m: int) -> None:
        """分值 of the execution score: the total row's 分值 cell, else a number in a heading."""
        g = self.g
        if "points" in cols:
            values, formula = C.parse_exec_points(g, rows, cols["points"][0], lenient=True)
            table["points"] = values
            if formula.any():
                self.notes.append(f"预算执行分值写作“{g.text[rows[formula][0], cols['points'][0]]}”，读为分值 "
                                  f"{values[formula][0]:g}")
        if np.isnan(table["points"].iloc[total_at]):
            for field in ("score", "points"):
                for c in cols.get(field, []):
                    value = points_in_heading(g.norm[m, c])
                    if value is not None:
                        table.iloc[total_at, table.columns.get_loc("points")] = value
                        self.notes.append(f"预算执行分值写在表头“{g.text[m, c]}”，读为分值 {value:g}")
                        return

    def _note_headings(self, m: int, cols: dict) -> None:
        g = self.g
        if "budget_full_year" not in cols and "budget_initial" in cols:
            self.notes.append(f"资金表只有“{g.text[m, cols['budget_initial'][0]]}”，没有全年预算数：执行率按年初预算数计算")
        for c in cols.get("budget_full_year", []):
            if not re.match(r"^全年预算", g.norm[m, c]):
                self.notes.append(f"资金表预算列表头为“{g.text[m, c]}”，读作全年预算数")
                break
        for f in ("received", "component"):
            for c in cols.get(f, []):
                self.notes.append(f"资金表列“{g.text[m, c]}”不参与执行率计算（执行率 = 执行数 / 预算数）")
        extra = [g.text[m, c] for f in (*MONEY_FIELDS, "rate", "score", "points") for c in cols.get(f, [])[1:]]
        if extra:
            self.notes.append(f"资金表有重复的列表头（{'、'.join(extra)}），各取第一列")
        base = [f for f in ("budget_initial", "budget_full_year") for c in cols.get(f, [])
                if re.search(r"\(A\)$", g.norm[m, c])]
        if base == ["budget_initial"] and "budget_full_year" in cols:
            self.notes.append("表内执行率按年初预算数(A)计算（B/A）；评分按方案的执行率基数计算，"
                              "如需与表内一致请用 --exec-base initial")

    def _heading_list(self, m: int, cols: dict) -> str:
        return "、".join(self.g.text[m, c] for cs in cols.values() for c in cs)

    def _detail_sums_used(self, table: pd.DataFrame, is_total: np.ndarray, total_at: int, bad_total: set
                          ) -> list[str]:
        """Fields whose total-row amount is blank or 0 (not unreadable) while the detail rows hold
        amounts: the budget frame takes the detail sums for them (see ``selfeval_model``)."""
        if not is_total.any():
            return []
        total = table.iloc[total_at]
        details = table[~is_total]
        used = [f for f in ("budget_initial", "budget_full_year", "spent") if f not in bad_total
                and (pd.isna(total[f]) or total[f] == 0) and details[f].fillna(0).ne(0).any()]
        shown = [FIELD_LABELS[f] for f in used if f != "budget_initial"]
        if shown:
            self.notes.append(f"年度资金总额行{'、'.join(shown)}为空或 0 而明细行有金额，预算执行按明细行合计计算")
        return used
