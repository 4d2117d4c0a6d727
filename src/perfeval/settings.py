"""A city's own settings: ``city.yaml`` in the data folder, read and checked in one place.

Every report states who it is about and who issued it; a bureau's own folder says so here, so that no report
prints 示例市 for someone else's city::

    city: 某某市                  # 城市名称 (else read from the departments' names)
    year: 2021                   # 预算年度 (else read from the forms)
    bureau: 某某市财政局           # 财政部门名称
    issuer: 某某市财政局           # 报告出具单位 (else the bureau)
    money_unit: 万元              # 报告金额单位 (reports print 万元; data files are in 元)
    score_basis: reviewed        # 得分口径: reviewed 复核后得分 | self 单位自评得分 (see perfeval.basis)
    report_date: 2022-03-31      # 报告日期 (the cover, the issuer block, the workbooks; else left blank to fill in)

Every key is optional; an unknown key, a year that is not a year or an unknown unit is an InputError naming the
file and the key. A folder without ``city.yaml`` has the defaults (``CitySettings()``).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from . import basis
from .errors import InputError, Location

SETTINGS_FILE = "city.yaml"
FIELDS = {"city": "城市名称", "year": "预算年度", "bureau": "财政部门名称", "issuer": "报告出具单位",
          "money_unit": "报告金额单位", "score_basis": "得分口径", "report_date": "报告日期"}
MONEY_UNITS = ("万元",)  # the reports' one money unit; data files are in 元


@dataclass(frozen=True)
class CitySettings:
    """The settings of one data folder (``city.yaml``); None where the folder does not say."""

    city: str | None = None
    year: int | None = None
    bureau: str | None = None
    issuer: str | None = None
    money_unit: str = "万元"
    score_basis: str = basis.DEFAULT_BASIS
    report_date: str | None = None   # ISO date 2022-03-31
    file: str | None = None   # the file read, None when the folder has none

    @property
    def issued_by(self) -> str | None:
        """The report's issuer: ``issuer``, else the bureau."""
        return self.issuer or self.bureau

    @property
    def date_text(self) -> str | None:
        """The report date in Chinese (2022-03-31 → 2022年3月31日), None when not set."""
        return chinese_date(self.report_date) if self.report_date else None

    def describe(self) -> dict:
        """Chinese label → value, for a report's settings table (the keys the folder set)."""
        values = asdict(self)
        return {label: values[key] for key, label in FIELDS.items() if values[key] not in (None, "")}


def load(data_dir) -> CitySettings:
    """The settings of ``<data_dir>/city.yaml`` (the defaults when there is no such file)."""
    path = Path(data_dir) / SETTINGS_FILE
    if not path.is_file():
        return CitySettings()
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError, ValueError) as exc:  # ValueError: a date such as 2022-13-40
        raise InputError(f"无法读取城市设置文件 (cannot read {SETTINGS_FILE})：{exc}", where=Location(file=str(path)),
                         expected="YAML 格式的设置，如 city: 某某市") from None
    raw = raw or {}
    if not isinstance(raw, dict):
        raise InputError("城市设置文件应为“键: 值”的列表 (settings must be a mapping)", where=Location(file=str(path)),
                         expected="、".join(f"{k}（{v}）" for k, v in FIELDS.items()), found=type(raw).__name__)
    unknown = [k for k in raw if k not in FIELDS]
    if unknown:
        raise InputError("城市设置中有无法识别的项 (unknown setting)", where=Location(file=str(path), column=str(unknown[0])),
                         expected="、".join(f"{k}（{v}）" for k, v in FIELDS.items()), found=str(unknown[0]))
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in raw.items() if v not in (None, "")}
    for key in ("city", "bureau", "issuer"):
        if key in values and not isinstance(values[key], str):
            values[key] = str(values[key])
    if "year" in values:
        year = values["year"]
        if isinstance(year, bool) or not str(year).strip().isdigit() or not 1990 <= int(str(year).strip()) <= 2100:
            raise InputError("城市设置中的预算年度应为四位年份 (year)", where=Location(file=str(path), column="year"),
                             expected="如 2021", found=year)
        values["year"] = int(str(year).strip())
    if "money_unit" in values and values["money_unit"] not in MONEY_UNITS:
        raise InputError("报告金额单位暂只支持万元 (money unit)", where=Location(file=str(path), column="money_unit"),
                         expected=" / ".join(MONEY_UNITS) + "（数据文件中的金额一律以元填写）", found=values["money_unit"])
    if "report_date" in values:
        values["report_date"] = _check_date(values["report_date"], path)
    if "score_basis" in values:
        try:
            values["score_basis"] = basis.check(values["score_basis"])
        except InputError:
            raise InputError("城市设置中的得分口径无法识别 (unknown score basis)",
                             where=Location(file=str(path), column="score_basis"),
                             expected="reviewed（复核后得分）或 self（单位自评得分）", found=values["score_basis"]) from None
    return CitySettings(**values, file=str(path))


def _check_date(value, path) -> str:
    import datetime as dt

    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise InputError("城市设置中的报告日期应为“年-月-日” (report_date)", where=Location(file=str(path), column="report_date"),
                         expected="如 2022-03-31", found=value) from None


def chinese_date(iso: str) -> str:
    """2022-03-31 → 2022年3月31日."""
    y, m, d = (int(x) for x in str(iso).split("-"))
    return f"{y}年{m}月{d}日"


def score_basis(data_dir, given=None) -> str:
    """The score basis a command uses: ``given`` when set, else the year's setting (``reviewed`` by default)."""
    return basis.check(given) if given not in (None, "") else load(data_dir).score_basis


def city_name(data_dir, departments=None, given: str | None = None) -> str:
    """The city's name: ``given``, else ``city.yaml``'s, else read from the departments' names (示例市教育局 → 示例市)."""
    if given:
        return given
    own = load(data_dir).city
    return own or city_of(departments if departments is not None else [])


def city_of(departments) -> str:
    """The city's name from its departments' names ("示例市教育局" → "示例市"); "本市" if none says it."""
    import pandas as pd

    names = pd.Series(list(departments), dtype=object).dropna().astype(str)
    prefixes = names.str.extract(r"^(.+?[市县区州])")[0].dropna()
    return prefixes.mode().iloc[0] if len(prefixes) else "本市"


__all__ = ["CitySettings", "FIELDS", "SETTINGS_FILE", "chinese_date", "city_name", "city_of", "load", "score_basis"]
