"""Parse the text of 年度指标值 (target) and 实际完成值 (actual) cells into structured data.

Real self-evaluation tables write targets as free text: "≥95%", "≧735人次", "≤90万元", "=0件",
"2023年12月底前", "有效", "基本达到", "215,457.6元", or leave the cell empty and put the target
into the indicator name ("年度资金支付完成率100%"). :func:`parse_target` turns one such cell into
a :class:`Target` (operator, value, unit, kind, value in a base unit, qualitative level);
:func:`parse_values` does the same for a whole column, parsing each distinct text only once.

Conventions (each one is data or a parameter here, so a scheme can change it):

* Text is NFKC-normalised first (full-width digits and punctuation become ASCII), all
  whitespace is removed, and thousands separators ("215,457.6", "215，457.6") are dropped.
* Operators: see ``OPERATOR_WORDS``. Strict ``>`` / ``<`` (大于, 低于 …) are read as ``'>='`` /
  ``'<='``; the raw text is kept so a reviewer can see the difference. Suffix words
  ("95%以上", "90万元以内", "3天内") give an operator too; a written prefix operator wins.
* The first number is the value ("人数2100人" -> 2100 人); numbers after "第" (第3季度) and year
  mentions ("2023年度任务已全部完成") are skipped. "约"/"余"/"多" are ignored ("约500亩", "500余人").
* Ranges ("90%-95%", "90~100", "3至5年") are quantitative with ``op=None`` and ``value`` = the
  smaller bound; :func:`target_range` returns both bounds.
* Money (元, 千元, 万元, 百万元, 亿元) converts to 元 in ``base_value``; "‰" converts to percent
  points; every other unit (including the ambiguous bare "万" and compound units such as
  "元/亩", "万元/公里") is kept unchanged (``base_unit == unit``). See ``UNIT_FACTORS``.
* Dates ("2023年12月", "2023年12月31日前", "2023-12-31", "2023.12", "2023年底") are ``kind='date'``
  with ``value == base_value`` = yyyymmdd of the END of the period written, ``unit == base_unit
  == 'date'``; "前/之前/以内" give ``'<='``, "后/以后" give ``'>='``. A dotted "2023.12" is a date
  only with a two-digit month or a day ("2000.5" stays a number). Texts without a year
  ("12月底前", "年底前") are ``'unparsed'`` unless ``year=`` is given.
* Blank markers (``BLANK_MARKERS``: empty, "—", "-", "/", "无", "nan" …) give ``kind='blank'``
  with every parsed field None (``raw`` keeps the text as given, None for None/NaN).
* Qualitative texts get a ``level`` from ``LEVEL_WORDS``: words are matched longest first and a
  matched span hides the shorter words inside it (基本完成 hides 完成); when several levels
  remain, the most severe wins (none > partial > basic > full), so "满意度未达到" is 'none'.
* Numbers (int, float, bool, numpy scalars) are quantitative with ``op`` and ``unit`` None; a
  date/datetime object is a date; inf is 'unparsed'. Nothing ever raises: anything not
  understood is ``kind='unparsed'`` with ``raw`` kept.
"""
from __future__ import annotations

import calendar
import datetime as _dt
import decimal
import numbers
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = [
    "Target", "parse_target", "parse_values", "target_range", "to_base", "normalise_unit",
    "UNIT_FACTORS", "UNIT_ALIASES", "KNOWN_UNITS", "LEVEL_WORDS", "LEVEL_SEVERITY",
    "OPERATOR_WORDS", "BLANK_MARKERS", "KINDS", "COLUMNS",
]

KINDS = ("quantitative", "qualitative", "date", "unparsed", "blank")
COLUMNS = ("op", "value", "unit", "kind", "base_value", "base_unit", "level", "from_name")


@dataclass(frozen=True)
class Target:
    """One parsed target or actual cell. See the module docstring for the conventions."""

    raw: str | None
    op: str | None
    value: float | None
    unit: str | None
    kind: str
    base_value: float | None
    base_unit: str | None
    level: str | None
    from_name: bool = False


# --------------------------------------------------------------------------------------------
# Data: operators, units, blank markers, qualitative levels
# --------------------------------------------------------------------------------------------

OPERATOR_WORDS: dict[str, tuple[str, ...]] = {
    ">=": ("≥", "≧", "⩾", ">=", "=>", "≮", "大于等于", "大于或等于", "不低于", "不少于", "不小于",
           "不得低于", "不得少于", "不应低于", "高于或等于", "至少", "最少", "最低", "未低于", "未少于", "未小于"),
    "<=": ("≤", "≦", "⩽", "<=", "=<", "≯", "小于等于", "小于或等于", "不高于", "不超过", "不大于",
           "不多于", "不得高于", "不得超过", "不超出", "至多", "最多", "最高", "未超过", "未超出", "未高于",
           "未多于", "未大于"),
    "=": ("=", "==", "═", "等于"),
    # strict comparisons: read as the inclusive operator (the raw text keeps the difference)
    ">": (">", "大于", "高于", "多于", "超过"),
    "<": ("<", "小于", "低于", "少于"),
}
_OP_CANONICAL = {">": ">=", "<": "<="}

# Operator words written after the number (and unit): "95%以上", "90万元以内", "3天内".
SUFFIX_OPERATORS: dict[str, str] = {
    "及以上": ">=", "以上": ">=", "之上": ">=",
    "及以下": "<=", "以下": "<=", "以内": "<=", "之内": "<=", "内": "<=",
}
# Operator words after a date: "2023年12月31日前", "2024年1月以后".
DATE_SUFFIX_OPERATORS: dict[str, str] = {
    "之前": "<=", "以前": "<=", "前": "<=", "之内": "<=", "以内": "<=", "内": "<=",
    "之后": ">=", "以后": ">=", "后": ">=", "起": ">=",
}

# Units as factor to a base unit. Money goes to 元, per mille to percent points.
UNIT_FACTORS: dict[str, tuple[str, float]] = {
    "元": ("元", 1.0),
    "千元": ("元", 1e3),
    "万元": ("元", 1e4),
    "百万元": ("元", 1e6),
    "亿元": ("元", 1e8),
    "%": ("%", 1.0),
    "‰": ("%", 0.1),
}

# Spellings that mean the same unit (applied after NFKC, which turns ㎡ into m2).
UNIT_ALIASES: dict[str, str] = {
    "百分比": "%", "%(百分比)": "%", "(%)": "%", "百分率": "%",
    "m2": "平方米", "m3": "立方米", "km2": "平方公里",
}

KNOWN_UNITS: tuple[str, ...] = (
    # money and percent
    "元", "千元", "万元", "百万元", "千万元", "亿元", "万", "亿", "百万", "千万", "%", "‰", "百分比", "百分率", "个百分点", "百分点",
    # people and things
    "人", "人次", "万人", "万人次", "人天", "人日", "人月", "名", "位", "户", "万户", "家", "个", "件",
    "次", "场", "场次", "期", "批", "批次", "项", "所", "座", "栋", "幢", "间", "套", "台", "台套", "辆",
    "艘", "架", "部", "张", "本", "册", "份", "篇", "条", "处", "村", "个村", "镇", "乡", "校", "头", "只",
    "羽", "株", "棵", "盏", "口", "眼", "块", "根", "片", "段", "宗", "起", "例", "床", "组", "类", "级",
    "分", "倍", "课时", "学时", "节", "门", "种", "款", "亩", "万亩", "公顷",
    # length, area, volume, mass, energy
    "米", "延米", "公里", "千米", "万米", "km", "m", "cm", "mm", "平方米", "万平方米", "平方公里",
    "平方千米", "m2", "m3", "km2", "立方米", "万立方米", "方", "万方", "吨", "万吨", "千克", "公斤", "kg",
    "斤", "克", "千瓦", "兆瓦", "瓦", "kW", "KW", "MW", "千瓦时", "万千瓦时", "kWh", "度",
    # time
    "年", "个月", "月", "天", "日", "小时", "分钟", "周", "工作日", "个工作日", "季度", "h", "min",
)

BLANK_MARKERS: frozenset[str] = frozenset({  # the one list of blank markers (reader, parser, review)
    "", "-", "--", "---", "—", "——", "———", "–", "―", "─", "－", "/", "//", "／", "\\", "无", "空", "空白",
    "暂无", "不适用", "...", "……", "…", "·", "nan", "none", "null", "n/a", "na", "#n/a",
})

LEVEL_WORDS: dict[str, tuple[str, ...]] = {
    "full": (
        "达到", "达成", "达成预期指标", "达成预期", "达到预期", "达到预期目标", "达到预期效果", "完成",
        "已完成", "全部完成", "按期完成", "按时完成", "有效", "显著", "显著提升", "显著提高", "明显",
        "明显提升", "明显改善", "效果明显", "效果显著", "及时", "是", "合格", "满意", "非常满意", "良好",
        "好", "优", "优秀", "提高", "提升", "改善", "稳定", "达标", "符合", "符合要求", "符合规定",
        "按时", "按期", "到位", "落实", "健全", "完善", "规范", "正常", "无滞后", "未滞后", "不滞后",
        "持续改善", "稳步提高", "稳步提升", "增强", "通过",
    ),
    "basic": (
        "基本达到", "基本达成", "基本达成预期指标", "基本完成", "基本满意", "较好", "基本",
        "比较满意", "较满意", "基本合格", "基本达标", "基本及时", "基本有效", "基本符合", "较明显",
        "较为明显", "较显著",
    ),
    "partial": (
        "部分达成", "部分达成预期指标", "部分完成", "部分达到", "部分", "有所", "有所提高", "有所提升",
        "有所改善", "一般", "效果一般", "不明显", "不显著", "不够明显",
    ),
    "none": (
        "未达到", "未达成", "未达成预期指标", "未完成", "否", "无效", "较差", "差", "不合格", "不满意",
        "非常不满意", "很不满意", "滞后", "未达标", "不达标", "不及时", "未及时", "未按时", "未按期",
        "逾期", "延期", "未到位", "不到位", "没有", "失败", "不符合", "未通过", "不稳定", "未实现",
        "不是", "不好",
    ),
}
# A negation right before a "full"/"basic" word turns it round: 未全部完成, 未能按期完成, 无明显变化 → none;
# a softened one (不太满意, 不够及时) → partial. Longest prefixes first.
NEGATIONS: tuple[tuple[str, str], ...] = (
    ("未能", "none"), ("尚未", "none"), ("没有", "none"), ("未见", "none"), ("不太", "partial"),
    ("不够", "partial"), ("未", "none"), ("没", "none"), ("无", "none"), ("不", "none"),
)
# Most severe first: when several levels remain in one text, the first of these wins.
LEVEL_SEVERITY: tuple[str, ...] = ("none", "partial", "basic", "full")


# --------------------------------------------------------------------------------------------
# Compiled patterns
# --------------------------------------------------------------------------------------------

_CJK = "\u3400-\u9fff"
_NUM = r"(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?"
_NUM_RE = re.compile(r"(?<![\d.第])" + _NUM)
_ANY_DIGIT_RE = re.compile(r"\d")
_WORDISH_RE = re.compile(rf"[A-Za-z{_CJK}]")
_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_SPACE_RE = re.compile(r"\s+")
_TRANSLATE = str.maketrans({"≧": "≥", "⩾": "≥", "≦": "≤", "⩽": "≤", "═": "=", "〜": "~",
                            "﹣": "-", "−": "-", "﹪": "%", "：": ":"})


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_OP_LOOKUP = {w: _OP_CANONICAL.get(op, op) for op, ws in OPERATOR_WORDS.items() for w in ws}
_OP_RE = re.compile(_alternation(_OP_LOOKUP))
_SUFFIX_OP_RE = re.compile(rf"(?:{_alternation(SUFFIX_OPERATORS)})")
_KNOWN_UNIT_RE = re.compile(_alternation(KNOWN_UNITS))
_MULTIPLIERS = ("万", "亿", "千", "百万", "千万")
# Single characters that follow a number but are not units ("95完成", "3以上").
_NOT_UNIT_CHARS = frozenset("以及或和与左右已完未达基约共合计为是否的等至到前后内外上下中其含每累全均"
                            "平同比较增减提降超不并且即占实预目标率")
_LATIN_RE = re.compile(r"[A-Za-z]+")
_CJK_CHAR_RE = re.compile(rf"[{_CJK}]")
_RANGE_SEP_RE = re.compile(r"(?:-|~|至|到|—|–|－)")

_YEAR = r"(?P<y>(?:19|20)\d{2})"
_DATE_CN = (rf"(?<![\d.]){_YEAR}年度?(?:(?P<m>\d{{1,2}})月份?(?:(?P<d>\d{{1,2}})[日号]|(?P<xun>上旬|中旬|下旬)"
            rf"|底|末)?|第?(?P<q>[1-4一二三四])季度末?|(?P<half>上半年|下半年)|底|末)?")
_DATE_NUM = (r"(?<![\d.])(?P<y2>(?:19|20)\d{2})(?P<sep>[-/.])(?P<m2>\d{1,2})"
             r"(?:(?P=sep)(?P<d2>\d{1,2}))?(?![\d.])")
_DATE_RE = re.compile(rf"{_DATE_CN}|{_DATE_NUM}")
_DATE_CN_RE = re.compile(_DATE_CN)
_DATE_DASH_RE = re.compile(r"(?<![\d.])(?:19|20)\d{2}[-/]\d{1,2}(?:[-/]\d{1,2})?(?![\d.])")
_MONTH_ONLY_RE = re.compile(r"(?<![\d.])(?P<m>\d{1,2})月份?(?:(?P<d>\d{1,2})[日号]|(?P<xun>上旬|中旬|下旬)|底|末)?")
_YEARLESS_RE = re.compile(r"(?:本年度?|当年度?|全年|年度|年)(?:底|末|内|度内)|(?:本|当)?年度|"
                          r"第?(?P<q>[1-4一二三四])季度末?|(?P<half>上半年|下半年)")
_DATE_FILLER = ("截至", "截止", "截止到", "截止至", "于", "在", "已于", "已在", "已", "计划", "预计", "力争",
                "确保", "按期", "按时", "完成", "完工", "竣工", "验收", "竣工验收", "结束", "开工", "启动",
                "实施", "到位", "拨付", "支付", "下达", "办结", "交付", "投入使用", "全部", "通过", "(", ")",
                ",", ".", "。", ";", "、", ":", "!")
_DATE_ALLOWED_RE = re.compile(
    rf"(?:{_alternation(list(_DATE_FILLER) + list(DATE_SUFFIX_OPERATORS) + list(_OP_LOOKUP))})*+")
_DATE_SUFFIX_OP_RE = re.compile(_alternation(DATE_SUFFIX_OPERATORS))
_QUARTER = {"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}
_XUN_DAY = {"上旬": 10, "中旬": 20}
_PRE_UNIT_RE = re.compile(rf"(?:\((?P<a>{_alternation(KNOWN_UNITS)})\)|(?P<b>{_alternation(KNOWN_UNITS)}):"
                          r"|(?P<c>[¥$]))$")
_NUM_AT_RE = re.compile(_NUM)
# A target at the very end of an indicator name: optional operator, number, up to 12 non-digits.
_NAME_TAIL_RE = re.compile(rf"(?:{_alternation(_OP_LOOKUP)})?(?:(?<![\d%.])[-+])?{_NUM}[^\d]{{0,12}}$")
_NAME_TRAILING_RE = re.compile(r"[)\]】》\"'”’。.,;:!]+$")


# Longer texts are prose, not a date cell; skipping them keeps the date search linear.
_MAX_DATE_TEXT = 200

_BLANK_FIELDS = (None, None, None, "blank", None, None, None)
_UNPARSED_FIELDS = (None, None, None, "unparsed", None, None, None)


# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------

def normalise_unit(unit: str | None) -> str | None:
    """The canonical spelling of a unit: NFKC, no spaces, aliases applied ("百分比" -> "%")."""
    if unit is None:
        return None
    text = _SPACE_RE.sub("", unicodedata.normalize("NFKC", str(unit)).translate(_TRANSLATE))
    if not text:
        return None
    return UNIT_ALIASES.get(text, text)


def _scale(number_text: str, factor: float) -> float:
    """number × factor in decimal arithmetic, so 90.01万元 is exactly 900100.0 元."""
    if factor == 1.0:
        return float(number_text)
    return float(decimal.Decimal(number_text) * decimal.Decimal(repr(factor)))


def to_base(value, unit):
    """Convert ``value`` in ``unit`` to the base unit: (base_value, base_unit).

    Money goes to 元 (万元 × 10000, 亿元 × 1e8 …), ‰ to percent points; any other unit is
    returned unchanged. ``value`` None or NaN gives (None, base_unit).
    """
    unit = normalise_unit(unit)
    base_unit, factor = UNIT_FACTORS.get(unit, (unit, 1.0)) if unit is not None else (None, 1.0)
    if value is None:
        return None, base_unit
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError("无法换算的数值 (value is not a number)", expected="数字 (a number)",
                         found=value) from None
    if np.isnan(number):
        return None, base_unit
    if not np.isfinite(number) or factor == 1.0:
        return number * factor, base_unit
    return _scale(repr(number), factor), base_unit


# --------------------------------------------------------------------------------------------
# Text parsing (one distinct string at a time; results are cached)
# --------------------------------------------------------------------------------------------

def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = _SPACE_RE.sub("", text)
    return _THOUSANDS_RE.sub("", text)


def _level_key(level_words) -> tuple:
    """A hashable copy of a level-word mapping (the cache key of the text parser)."""
    if level_words is None:
        level_words = LEVEL_WORDS
    try:
        items = dict(level_words)
    except (TypeError, ValueError):
        raise InputError("定性等级词表格式不对 (level_words must map level -> words)",
                         expected="{'full': (...), 'basic': (...), 'partial': (...), 'none': (...)}",
                         found=type(level_words).__name__) from None
    unknown = [level for level in items if level not in LEVEL_SEVERITY]
    if unknown:
        raise InputError("未知的定性等级 (unknown qualitative level)",
                         expected=" / ".join(LEVEL_SEVERITY), found=unknown[0])
    key = []
    for level in LEVEL_SEVERITY:
        words = items.get(level, ())
        words = (words,) if isinstance(words, str) else tuple(words)
        key.append((level, tuple(unicodedata.normalize("NFKC", str(w)) for w in words if str(w))))
    return tuple(key)


@lru_cache(maxsize=16)
def _level_table(key: tuple) -> tuple[list[str], dict[str, str]]:
    # a word listed under two levels keeps the more severe one (LEVEL_SEVERITY order)
    level_of_word: dict[str, str] = {}
    for level, words in key:
        for word in words:
            level_of_word.setdefault(word, level)
    return sorted(level_of_word, key=len, reverse=True), level_of_word


def _level_of(text: str, key: tuple) -> str | None:
    """Longest words first; a matched span hides shorter words inside it; most severe level wins."""
    words_by_length, level_of_word = _level_table(key)
    taken = [False] * len(text)
    found = set()
    for word in words_by_length:
        start = text.find(word)
        while start != -1:
            end = start + len(word)
            if not any(taken[start:end]):
                taken[start:end] = [True] * len(word)
                found.add(_negated(text, start, level_of_word[word]))
            start = text.find(word, start + 1)
    for level in LEVEL_SEVERITY:
        if level in found:
            return level
    return None


def _negated(text: str, start: int, level: str) -> str:
    """The level of a word at ``start`` once a negation written just before it is taken into account."""
    if level not in ("full", "basic"):
        return level
    for prefix, turned in NEGATIONS:
        if text.endswith(prefix, 0, start):
            return turned
    return level


_DEFAULT_LEVELS = _level_key(LEVEL_WORDS)


def _end_of_period(y: int, m: int | None = None, d: int | None = None, xun: str | None = None,
                   q: str | None = None, half: str | None = None) -> float | None:
    """yyyymmdd of the end of the period written, or None when the date does not exist."""
    if q is not None:
        m = 3 * _QUARTER[q]
    elif half is not None:
        m = 6 if half == "上半年" else 12
    if m is None:
        m, d = 12, 31
    if not 1 <= m <= 12:
        return None
    last = calendar.monthrange(y, m)[1]
    if d is None:
        d = _XUN_DAY.get(xun, last)
    if not 1 <= d <= last:
        return None
    return float(y * 10000 + m * 100 + d)


def _date_op(prefix: str, suffix: str) -> str | None:
    ops = [_OP_LOOKUP[m.group()] for m in _OP_RE.finditer(prefix)]
    if ops:
        return ops[-1]
    m = _DATE_SUFFIX_OP_RE.search(suffix)
    if m:
        return DATE_SUFFIX_OPERATORS[m.group()]
    ops = [_OP_LOOKUP[m.group()] for m in _OP_RE.finditer(suffix)]
    return ops[0] if ops else None


def _date_fields(ymd: float | None, op: str | None):
    if ymd is None:
        return _UNPARSED_FIELDS
    return (op, ymd, "date", "date", ymd, "date", None)


def _parse_date(t: str, year: int | None):
    """Fields for a text that is a date (with only operator/filler words around it), else None."""
    for m in _DATE_RE.finditer(t):
        prefix, suffix = t[:m.start()], t[m.end():]
        if not (_DATE_ALLOWED_RE.fullmatch(prefix) and _DATE_ALLOWED_RE.fullmatch(suffix)):
            continue
        g = m.groupdict()
        if g["y"] is not None:
            ymd = _end_of_period(int(g["y"]), int(g["m"]) if g["m"] else None,
                                 int(g["d"]) if g["d"] else None, g["xun"], g["q"], g["half"])
        else:
            month_text, day_text = g["m2"], g["d2"]
            if g["sep"] == "." and day_text is None and len(month_text) != 2:
                continue  # "2000.5" is a number, not May 2000
            ymd = _end_of_period(int(g["y2"]), int(month_text), int(day_text) if day_text else None)
        return _date_fields(ymd, _date_op(prefix, suffix))
    # Month or year-end words without a year: only a date when the caller says which year.
    for pattern in (_MONTH_ONLY_RE, _YEARLESS_RE):
        for m in pattern.finditer(t):
            prefix, suffix = t[:m.start()], t[m.end():]
            if not (_DATE_ALLOWED_RE.fullmatch(prefix) and _DATE_ALLOWED_RE.fullmatch(suffix)):
                continue
            if year is None:
                return _UNPARSED_FIELDS
            g = m.groupdict()
            ymd = _end_of_period(int(year), int(g["m"]) if g.get("m") else None,
                                 int(g["d"]) if g.get("d") else None, g.get("xun"), g.get("q"),
                                 g.get("half"))
            return _date_fields(ymd, _date_op(prefix, suffix))
    return None


def _is_unit_char(char: str) -> bool:
    return bool(char) and bool(_CJK_CHAR_RE.match(char)) and char not in _NOT_UNIT_CHARS


def _take_unit(rest: str) -> tuple[str | None, str]:
    """Split a unit off the start of ``rest`` ("人次以上" -> ("人次", "以上"))."""
    if rest[:1] in ("余", "多"):
        rest = rest[1:]
    if rest.startswith("(%)"):
        return "%", rest[3:]
    m = _KNOWN_UNIT_RE.match(rest)
    if m:
        unit = m.group()
    else:
        m = _LATIN_RE.match(rest)
        if m:
            unit = m.group()
        elif _is_unit_char(rest[:1]):
            unit = rest[0]
        else:
            return None, rest
    if unit in _MULTIPLIERS and len(rest) > len(unit):
        # "万棵", "千人": a scaled count unit, kept as written
        m = _KNOWN_UNIT_RE.match(rest, len(unit))
        if m:
            unit += m.group()
        elif _is_unit_char(rest[len(unit)]):
            unit += rest[len(unit)]
    rest = rest[len(unit):]
    while rest[:1] in ("/", "·") and len(rest) > 1:
        m = _KNOWN_UNIT_RE.match(rest, 1)
        if m:
            part = m.group()
        elif _is_unit_char(rest[1]):
            part = rest[1]
        else:
            break
        unit += rest[0] + part
        rest = rest[1 + len(part):]
    if unit == "%" and rest.startswith("(百分比)"):
        rest = rest[len("(百分比)"):]
    return UNIT_ALIASES.get(unit, unit), rest


def _signed_number(t: str, m: re.Match) -> tuple[str, int]:
    """The number text with its sign, and where it starts ("率-5%" -> ("-5", 1))."""
    start = m.start()
    if start >= 1 and t[start - 1] in "+-":
        before = t[start - 2] if start >= 2 else ""
        if not (before.isdigit() or before == "%"):
            sign = t[start - 1]
            return (sign if sign == "-" else "") + m.group(), start - 1
    return m.group(), start


def _quantity(number_text: str, unit: str | None, op: str | None):
    value = float(number_text)
    if not np.isfinite(value):
        return _UNPARSED_FIELDS
    base_unit, factor = UNIT_FACTORS.get(unit, (unit, 1.0)) if unit is not None else (None, 1.0)
    base_value = _scale(number_text, factor)
    return (op, value, unit, "quantitative", base_value, base_unit, None)


def _parse_quantity(t: str):
    """Fields for a text holding a number (t is normalised and has a digit), else None."""
    m = _NUM_RE.search(t)
    if m is None:
        return None
    number_text, start = _signed_number(t, m)
    prefix = t[:start]
    ops = list(_OP_RE.finditer(prefix))
    op = _OP_LOOKUP[ops[-1].group()] if ops else None
    unit, rest = _take_unit(t[m.end():])
    sep = _RANGE_SEP_RE.match(rest)
    if sep:
        m2 = _NUM_AT_RE.match(rest, sep.end())
        if m2:
            unit2, _ = _take_unit(rest[m2.end():])
            low = min(float(number_text), float(m2.group()))
            low_text = number_text if float(number_text) == low else m2.group()
            return _quantity(low_text, unit or unit2, None)
    if unit is None:
        before = prefix[:ops[-1].start()] if ops else prefix
        pre = _PRE_UNIT_RE.search(before)
        if pre:
            unit = UNIT_ALIASES.get(pre.group("a") or pre.group("b"), pre.group("a") or pre.group("b"))
            if pre.group("c"):
                unit = "元"
    if op is None:
        suffix_op = _SUFFIX_OP_RE.match(rest.lstrip("及或"))
        if suffix_op:
            op = SUFFIX_OPERATORS[suffix_op.group()]
    return _quantity(number_text, unit, op)


def _parse_text(text: str, year: int | None, levels: tuple = ()):
    """The seven parsed fields (op, value, unit, kind, base_value, base_unit, level) of a string."""
    t = _normalise(text)
    if t.lower() in BLANK_MARKERS:
        return _BLANK_FIELDS
    could_be_date = _ANY_DIGIT_RE.search(t) or "年" in t or "月" in t or "季度" in t
    if could_be_date and len(t) <= _MAX_DATE_TEXT:
        date = _parse_date(t, year)
        if date is not None:
            return date
    if _ANY_DIGIT_RE.search(t):
        stripped = _DATE_DASH_RE.sub("", _DATE_CN_RE.sub("", t))
        if _ANY_DIGIT_RE.search(stripped):
            quantity = _parse_quantity(stripped)
            if quantity is not None:
                return quantity
        if stripped != t and not _WORDISH_RE.search(_DATE_ALLOWED_RE.sub("", _RANGE_SEP_RE.sub("", stripped))):
            return _UNPARSED_FIELDS  # only dates we could not read as one ("2023年1月至2023年12月")
        t = stripped
    if "百分之" in t or not _WORDISH_RE.search(t):
        return _UNPARSED_FIELDS
    return (None, None, None, "qualitative", None, None, _level_of(t, levels or _DEFAULT_LEVELS))


def _parse_name(name: str, year: int | None):
    """Fields of a target written at the end of an indicator name, or None when there is none.

    Accepted: a quantity with an operator or a unit that ends the name ("…完成率100%",
    "…满意度≥95%", "…90万元以内"), or a date that ends it ("完工时间2023年12月底前"). A bare
    number ("指标1") or a bare year ("…2023年", unless "…2023年前") is not a target.
    """
    t = _NAME_TRAILING_RE.sub("", _normalise(name))[-_MAX_DATE_TEXT:]
    m = _NAME_TAIL_RE.search(t)
    if m is not None and _only_unit_follows(m.group()):
        fields = _parse_text(m.group(), year)
        op, value, unit, kind = fields[:4]
        # "（4分）" / "4分" ending a name is the row's points, not a target
        if kind == "quantitative" and (op is not None or unit is not None) and unit != "分" \
                and not (unit == "年" and value is not None and 1900 <= value <= 2100):
            return fields
    for m in _DATE_RE.finditer(t):
        fields = _parse_date(t[m.start():], year)
        # a bare year ("其中：2023年") names the period, not a deadline
        bare_year = m.group("y") is not None and not (m.group("m") or m.group("q") or m.group("half"))
        if fields is not None and fields[3] == "date" and (fields[0] is not None or not bare_year):
            return fields
    return None


def _only_unit_follows(tail: str) -> bool:
    """True when nothing but a unit and a suffix operator follows the number in ``tail``."""
    m = _NUM_RE.search(tail)
    if m is None:
        return False
    _, rest = _take_unit(tail[m.end():])
    rest = rest.lstrip("及或")
    return rest == "" or rest in SUFFIX_OPERATORS


@lru_cache(maxsize=65536)
def _parse_text_cached(text: str, year: int | None, levels: tuple):
    try:
        return _parse_text(text, year, levels)
    except Exception:  # the parser must never raise on odd input; say 'unparsed' instead
        return _UNPARSED_FIELDS


@lru_cache(maxsize=65536)
def _parse_name_cached(name: str, year: int | None):
    try:
        return _parse_name(name, year)
    except Exception:
        return None


# --------------------------------------------------------------------------------------------
# Cells of any type
# --------------------------------------------------------------------------------------------

def _is_missing(x) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    if isinstance(x, (float, np.floating)):
        return bool(np.isnan(x))
    if isinstance(x, np.datetime64):
        return bool(np.isnat(x))
    return False


def _number_fields(x):
    try:
        value = float(x)
    except (TypeError, ValueError, OverflowError):
        return _UNPARSED_FIELDS
    if np.isnan(value):
        return _BLANK_FIELDS
    if not np.isfinite(value):
        return _UNPARSED_FIELDS
    return (None, value, None, "quantitative", value, None, None)


def _cell(x, year: int | None, levels: tuple = ()) -> tuple[str | None, tuple]:
    """(raw, fields) for one cell of any type; never raises."""
    try:
        if _is_missing(x):
            return None, _BLANK_FIELDS
        if isinstance(x, str):
            return x, _parse_text_cached(x, year, levels)
        if isinstance(x, (bool, np.bool_, numbers.Real, decimal.Decimal)):
            return str(x), _number_fields(x)
        if isinstance(x, (_dt.date, np.datetime64)):
            stamp = pd.Timestamp(x)
            ymd = float(stamp.year * 10000 + stamp.month * 100 + stamp.day)
            return str(x), _date_fields(ymd, None)
        raw = str(x)
    except Exception:
        return None, _UNPARSED_FIELDS
    return raw, _parse_text_cached(raw, year, levels)


def _name_fields(name, year: int | None):
    if name is None or _is_missing(name) or not isinstance(name, str):
        return None
    return _parse_name_cached(name, year)


def parse_target(text, name=None, *, year: int | None = None, level_words=None) -> Target:
    """Parse one 年度指标值 / 实际完成值 cell. Never raises; see the module docstring.

    ``name`` is the indicator name: when the cell is blank and the name ends with a target
    ("年度资金支付完成率100%", "受益户满意度≥95%"), that target is returned with
    ``from_name=True``. ``year`` dates texts that name no year ("12月底前", "年底前").
    ``level_words`` replaces ``LEVEL_WORDS`` (e.g. ``{**LEVEL_WORDS, 'full': LEVEL_WORDS['full']
    + ('圆满',)}``); a word listed under two levels keeps the more severe one.
    """
    levels = _level_key(level_words)
    raw, fields = _cell(text, year, levels)
    if fields[3] == "blank" and name is not None:
        from_name = _name_fields(name, year)
        if from_name is not None:
            return Target(raw, *from_name, from_name=True)
    return Target(raw, *fields)


# --------------------------------------------------------------------------------------------
# Whole columns
# --------------------------------------------------------------------------------------------

def _frame(index, op, value, unit, kind, base_value, base_unit, level, from_name) -> pd.DataFrame:
    # the arrays are freshly built here, so pandas may keep them without copying
    columns = {"op": (op, object), "value": (value, float), "unit": (unit, object), "kind": (kind, object),
               "base_value": (base_value, float), "base_unit": (base_unit, object),
               "level": (level, object), "from_name": (from_name, bool)}
    return pd.DataFrame({name: pd.Series(array, index=index, dtype=dtype, copy=False)
                         for name, (array, dtype) in columns.items()}, copy=False)


def _fields_to_arrays(fields: list[tuple]) -> list[np.ndarray]:
    """Seven per-unique arrays (object for labels, float for numbers) from a list of field tuples."""
    columns = []
    for position, column in enumerate(zip(*fields)):
        if position in (1, 4):
            columns.append(np.array([np.nan if v is None else v for v in column], dtype=float))
        else:
            arr = np.empty(len(column), dtype=object)
            arr[:] = column
            columns.append(arr)
    return columns


def _numeric_arrays(numbers_: np.ndarray) -> list[np.ndarray]:
    """The seven field arrays for a float array, with no string work (NaN blank, inf unparsed)."""
    n = len(numbers_)
    finite = np.isfinite(numbers_)
    kind_code = np.where(finite, 0, np.where(np.isnan(numbers_), 2, 1))
    kind = np.array(["quantitative", "unparsed", "blank"], dtype=object)[kind_code]
    value = np.where(finite, numbers_, np.nan)
    nothing = np.full(n, None, dtype=object)
    return [nothing, value, nothing.copy(), kind, value.copy(), nothing.copy(), nothing.copy()]


def _as_series(values) -> pd.Series:
    if isinstance(values, pd.Series):
        return values
    if isinstance(values, (pd.Index, np.ndarray, list, tuple)):
        return pd.Series(values, dtype=None if isinstance(values, (pd.Index, np.ndarray)) else object)
    raise InputError("parse_values 需要一列数据 (expects a Series, list or array)",
                     expected="pandas.Series / list / numpy array", found=type(values).__name__)


def _factorize(series: pd.Series) -> tuple[np.ndarray, list]:
    """Codes (-1 for missing) and the distinct cells as Python objects."""
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists, dicts): factorize their text instead
        safe = series.map(lambda x: x if isinstance(x, (str, numbers.Number)) or _is_missing(x)
                          else str(x))
        codes, uniques = pd.factorize(safe, use_na_sentinel=True)
    return codes, list(uniques)


def parse_values(values, names=None, *, year: int | None = None, level_words=None) -> pd.DataFrame:
    """Parse a whole column of target or actual cells; one row out per row in, same index.

    Columns: ``op, value, unit, kind, base_value, base_unit, level, from_name`` (labels are
    object columns holding None where :class:`Target` has None; numbers are float with NaN).
    Each distinct text is parsed once and mapped back; a numeric column (and the numbers in a
    mixed object column) skip the text parser. ``names`` (same length) supplies indicator names
    for blank cells, as in :func:`parse_target` (matched by position, not by index label);
    ``year`` and ``level_words`` as in :func:`parse_target`.
    """
    levels = _level_key(level_words)
    series = _as_series(values)
    n = len(series)
    index = series.index
    if names is not None:
        names_arr = np.asarray(names, dtype=object) if not isinstance(names, pd.Series) \
            else names.to_numpy(dtype=object)
        if names_arr.ndim != 1 or len(names_arr) != n:
            raise InputError("指标名称列与数值列长度不一致 (names and values differ in length)",
                             expected=f"{n} 个名称 (names)",
                             found=f"{names_arr.size} 个 (names)")
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or (pd.api.types.is_numeric_dtype(dtype)
                                             and not pd.api.types.is_complex_dtype(dtype)):
        arrays = _numeric_arrays(series.to_numpy(dtype=float, na_value=np.nan))
    elif pd.api.types.is_datetime64_any_dtype(dtype):
        stamps = pd.DatetimeIndex(series)
        ymd = (stamps.year * 10000 + stamps.month * 100 + stamps.day).to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(ymd)
        date_or_none = np.where(missing, None, "date").astype(object)
        arrays = [np.full(n, None, dtype=object), ymd, date_or_none,
                  np.where(missing, "blank", "date").astype(object), ymd.copy(),
                  date_or_none.copy(), np.full(n, None, dtype=object)]
    else:
        codes, uniques = _factorize(series)
        fields = [_cell(u, year, levels)[1] for u in uniques] + [_BLANK_FIELDS]
        codes = np.where(codes < 0, len(uniques), codes)
        arrays = [column[codes] for column in _fields_to_arrays(fields)]
    from_name = np.zeros(n, dtype=bool)
    if names is not None:
        blank = arrays[3] == "blank"
        if blank.any():
            rows = np.flatnonzero(blank)
            name_codes, name_uniques = _factorize(pd.Series(names_arr[rows], dtype=object))
            found = [_name_fields(u, year) for u in name_uniques]
            hit = np.array([f is not None for f in found] + [False])
            name_codes = np.where(name_codes < 0, len(found), name_codes)
            use = hit[name_codes]
            if use.any():
                filled = _fields_to_arrays([f if f is not None else _BLANK_FIELDS for f in found]
                                           + [_BLANK_FIELDS])
                target_rows = rows[use]
                picked = name_codes[use]
                for column, source in zip(arrays, filled):
                    column[target_rows] = source[picked]
                from_name[target_rows] = True
    return _frame(index, *arrays, from_name)


def target_range(text) -> tuple[float, float] | None:
    """(low, high) of a range target such as "90%-95%" or "90~100" in its written unit, else None."""
    try:
        if not isinstance(text, str):
            return None
        t = _normalise(text)
        m = _NUM_RE.search(t)
        if m is None:
            return None
        number_text, _ = _signed_number(t, m)
        _, rest = _take_unit(t[m.end():])
        sep = _RANGE_SEP_RE.match(rest)
        if not sep:
            return None
        m2 = _NUM_AT_RE.match(rest, sep.end())
        if not m2:
            return None
        a, b = float(number_text), float(m2.group())
        return (min(a, b), max(a, b))
    except Exception:
        return None
