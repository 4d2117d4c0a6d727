"""Cell-level helpers for the form readers: label patterns and vectorised number parsing.

Labels are matched on normalised text (see ``_grid.normalise_labels``). Numbers are parsed
column-wise: numeric cells as they are, text with thousands separators and trailing units
("12分", "215,457.60") cleaned, blank markers (— - / 无 …) → NaN, anything else is an
:class:`~perfeval.errors.InputError` naming the cell.
"""
from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from ..errors import InputError
from ..targets import BLANK_MARKERS  # markers people type into a cell to say "nothing here"
from ._grid import Grid, _FULLWIDTH

HEADER_LABELS = {
    "project_name": r"项目名称",
    "department": r"主管部门|主管单位|预算部门",
    "unit": r"实施单位|执行单位|项目单位",
    "manager": r"项目负责人(?:及电话|及联系电话)?",
    "code": r"项目(?:编码|编号|代码)",
}
GOAL_LABEL = r"^(?:年度总体目标|总体目标|年度绩效目标|年度目标)$"
GOAL_EXPECTED = r"^(?:预期目标|年度预期目标|项目年度目标|目标|年初绩效目标|年初设定目标)$"
GOAL_ACTUAL = (r"^(?:实际完成情况|实际完成|完成情况|目标完成情况|年度目标完成情况|全年目标实际完成情况|年度总体目标完成情况|"
               r"全年完成情况)$")
INDICATOR_FIELDS = [  # (field, pattern) matched against each heading column's label, in this order
    ("level1", r"^一级指标"),
    ("level2", r"^二级指标"),
    ("level3", r"^三级指标"),
    ("target_nature", r"^(?:指标性质|指标方向|计算符号|符号)"),
    ("target_unit", r"^(?:度量单位|计量单位|单位)$"),
    ("actual", r"^(?:全年)?(?:实际完成值|实际完成|实际值|完成值|实际完成情况)"),
    ("target", r"^(?:年度指标值|指标值|年度目标值|目标值|年度目标|预期值|年初指标值|年初目标值)"),
    ("score_coefficient", r"^(?:得分系数|得分率|评分系数)"),
    ("points", r"^(?:分值|权重|标准分|满分|指标权重|指标分值)"),
    ("score", r"^(?:得分|自评得分|自评分|评分(?!标准|依据|办法|细则|说明)|实际得分|指标得分)"),
    ("reason", r"偏差|原因|改进措施"),
]
SUBHEADING = (r"^(?:指标性质|指标值|度量单位|计量单位|年度指标值|目标值|实际完成值|实际值|分值|得分|"
              r"年度目标值|全年实际值)(?:\(.*\))?$")
FOOTER_TOTAL = r"^(?:总分|总计|合计|自评总分|综合得分|综合评分|得分合计|自评得分)(?::(?P<v>.+))?$"
FOOTER_GRADE = r"^(?:评价等级|自评等级|绩效等级|等级|评价结果|自评结果)(?::(?P<v>.+))?$"
SUBTOTAL = r"^(?:\S{0,8}小计|小合计|分项合计)(?::.*)?$"  # 小计, 效益指标小计: a group's subtotal row, never an indicator
TABLE_END = r"^(?:注|说明|备注|填表人|填报人|审核人|联系人|填报日期|单位负责人|财务负责人|填表说明)(?::.*|\d.*)?$"
ALL_LABELS = "|".join([
    *(f"(?:{p})(?:\\(.*\\))?:?" for p in HEADER_LABELS.values()),
    r"联系电话|填报日期|填报单位|项目资金.*|资金情况.*|年初预算数.*|全年预算数.*|全年执行数.*|分值|执行率.*|得分",
    r"年度总体目标|预期目标|实际完成情况|一级指标|二级指标|三级指标|总分|评价等级|自评等级|等级",
])
ALL_LABELS_RE = re.compile(f"^(?:{ALL_LABELS})$")

_THOUSANDS = r"(?<=\d),(?=\d{3}(?:\D|$))"
_EXEC_POINTS_TEXT = r"^(\d+(?:\.\d+)?)分?[*×xX]\(?(?:预算)?执行率\)?$"


def match(values, pattern: str) -> np.ndarray:
    """Vectorised regex match of label text (any shape) → bool array of the same shape."""
    arr = np.asarray(values, dtype=object)
    with warnings.catch_warnings():  # patterns with groups are fine here: only the match counts
        warnings.simplefilter("ignore", UserWarning)
        out = pd.Series(arr.ravel(), dtype=object).astype(str).str.contains(pattern, regex=True)
    return out.to_numpy(dtype=bool).reshape(arr.shape)


def is_blank(text) -> np.ndarray:
    """True where text is empty or a blank marker."""
    s = pd.Series(np.asarray(text, dtype=object).ravel(), dtype=object).astype(str)
    s = s.str.translate(_FULLWIDTH).str.strip()
    return s.isin(BLANK_MARKERS).to_numpy().reshape(np.shape(text))


def _is_number(raw: np.ndarray) -> np.ndarray:
    flat = pd.Series(np.asarray(raw, dtype=object).ravel(), dtype=object)
    return flat.map(lambda v: isinstance(v, (int, float, np.number)) and not isinstance(v, bool)).to_numpy(bool)


def _parse(grid: Grid, rows: np.ndarray, col: int, cleaned: pd.Series, what: str, expected: str,
           lenient: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Core of the number parsers: numeric cells as stored, `cleaned` text otherwise.

    Returns (values, is_text_number); raises InputError at the first unreadable cell, or with
    ``lenient`` leaves it NaN (callers find such cells with :func:`unreadable`).
    """
    rows = np.asarray(rows)
    raw = grid.raw[rows, col]
    is_num = _is_number(raw)
    blank = cleaned.isin(BLANK_MARKERS).to_numpy()
    parsed = pd.to_numeric(cleaned.where(~is_num & ~blank), errors="coerce").to_numpy(dtype=float)
    numbers = pd.to_numeric(pd.Series(np.where(is_num, raw, np.nan), dtype=object), errors="coerce")
    values = np.where(is_num, numbers.to_numpy(dtype=float), parsed)
    bad = ~is_num & ~blank & np.isnan(parsed)
    if bad.any() and not lenient:
        i = int(np.argmax(bad))
        raise InputError(f"{what}无法识别为数字 (not a number)", where=grid.where(int(rows[i]), col),
                         expected=expected, found=grid.text[rows[i], col])
    return values, ~is_num & ~blank


def _clean(grid: Grid, rows: np.ndarray, col: int) -> pd.Series:
    text = pd.Series(grid.text[np.asarray(rows), col], dtype=object).astype(str)
    return text.str.translate(_FULLWIDTH).str.replace(r"\s+", "", regex=True)


def parse_numbers(grid: Grid, rows: np.ndarray, col: int, what: str, expected: str = "数字",
                  lenient: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Numbers of one column over `rows`: (values, had_thousands_separator).

    Numeric cells are taken as stored; text may carry thousands separators and a trailing
    分/元/万元 ("12分", "1,215,457.60"); blank markers give NaN; anything else raises
    InputError naming the cell (``lenient``: NaN, see :func:`unreadable`).
    """
    cleaned = _clean(grid, rows, col)
    had_sep = cleaned.str.contains(r"\d,\d{3}", regex=True).to_numpy()
    cleaned = cleaned.str.replace(_THOUSANDS, "", regex=True).str.replace(r"(?:分|万元|亿元|元)$", "", regex=True)
    values, is_text = _parse(grid, rows, col, cleaned, what, expected, lenient)
    return values, had_sep & is_text


def unreadable(grid: Grid, rows: np.ndarray, col: int, values: np.ndarray) -> np.ndarray:
    """True where a leniently parsed cell held something (not blank, not a blank marker) but gave NaN."""
    shown = _clean(grid, rows, col)
    return np.isnan(values) & (shown != "").to_numpy() & ~is_blank(shown.to_numpy())


def parse_exec_points(grid: Grid, rows: np.ndarray, col: int, lenient: bool = False
                      ) -> tuple[np.ndarray, np.ndarray]:
    """The money block's 分值 column; also reads "20分*执行率". Returns (values, was_formula_text)."""
    cleaned = _clean(grid, rows, col)
    formula = cleaned.str.extract(_EXEC_POINTS_TEXT)[0]
    is_formula = formula.notna().to_numpy()
    cleaned = cleaned.where(~is_formula, formula).str.replace(r"分$", "", regex=True)
    values, _ = _parse(grid, rows, col, cleaned, "预算执行分值", "数字，如 10 或 20分*执行率", lenient)
    return values, is_formula


def parse_rates(grid: Grid, rows: np.ndarray, col: int, lenient: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """执行率 cells as fractions: numbers with a % format as stored, "98.5%" → 0.985, and a plain
    number above 1.5 read as a percent. Returns (fractions, plain_number_read_as_percent)."""
    rows = np.asarray(rows)
    cleaned = _clean(grid, rows, col)
    has_pct_sign = cleaned.str.endswith("%").to_numpy()
    cleaned = cleaned.str.rstrip("%").str.replace(_THOUSANDS, "", regex=True)
    values, is_text = _parse(grid, rows, col, cleaned, "执行率", "百分数或小数，如 98.5% 或 0.985", lenient)
    with np.errstate(invalid="ignore"):
        scaled = ~grid.percent[rows, col] & ~(has_pct_sign & is_text) & (values > 1.5)
    values = np.where((has_pct_sign & is_text) | scaled, values / 100.0, values)
    return values, scaled


def row_list(rows) -> str:
    """'第12、13行' for 1-based row numbers."""
    return "第" + "、".join(str(int(r)) for r in rows) + "行"
