"""A treasury payment export (国库集中支付明细) summed into the data folder's ``payments.csv``.

The export has one row per payment: a date, a project code or name, an amount (元, or 万元 when the header
says so, e.g. ``金额（万元）``), often the paying unit. :func:`import_payments` finds the header row (the
common Chinese names below; any other by ``mapping``, e.g. ``{"凭证日期": "date"}``), reads every row at once
(pandas, no loop per payment) and sorts each row into one of:

- **counted**: a valid date in the budget year, a valid amount, a project of ``projects.csv`` matched by
  code (``project_id``), else by the exact name (whitespace and full-width characters normalised); a
  negative amount (退款/冲销) is counted too and listed as a refund;
- **unmatched** (no project of the list has that code or name, or the name is on two projects),
  **outside the budget year**, **refused** (a date or amount that cannot be read: file, sheet, row,
  column and the cell's value are given) — none of these is in ``payments.csv``, all of them are in
  ``payments_unmatched.csv`` with the reason; total rows (合计/小计) are skipped and counted.

``payments.csv`` holds one row per project and month with payments (amount in 元, to the 分), and, for a
project of ``projects.csv`` with no counted payment at all, one row with amount 0 for each month the export
covers (January to the latest month of its budget-year payments): a project without any row would be
"not covered" by monitoring, which concludes nothing about it; the import says the export covered it.
Rows are sorted by project and month, so the same export gives a byte-identical file.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Location
from ..io._grid import _FULLWIDTH, read_csv_text
from ..io.tables import Table, cell_numbers, find_header, norm_label, per_unique, read_tables

FIELDS = ("date", "project_code", "project_name", "amount", "unit")
FIELD_LABELS = {"date": "支付日期", "project_code": "项目编码", "project_name": "项目名称", "amount": "支付金额",
                "unit": "单位"}
FIELD_ALIASES = {"code": "project_code", "name": "project_name", "日期": "date", "项目编码": "project_code",
                 "项目名称": "project_name", "金额": "amount", "单位": "unit"}
HEADERS = {  # normalised header (money unit stripped) → field; earlier names win when a sheet has two
    "date": ("支付日期", "付款日期", "凭证日期", "记账日期", "交易日期", "支付时间", "日期"),
    "project_code": ("项目编码", "项目代码", "预算项目编码", "预算项目代码", "项目编号"),
    "project_name": ("项目名称", "预算项目名称", "项目"),
    "amount": ("支付金额", "实际支付金额", "本次支付金额", "付款金额", "支出金额", "金额"),
    "unit": ("预算单位", "单位", "单位名称", "预算单位名称", "付款单位"),
}
UNMATCHED_FILE = "payments_unmatched.csv"
UNMATCHED_COLUMNS = {"file": "文件", "sheet": "工作表", "row": "行", "column": "列", "reason": "原因",
                     "value": "原值", "date": "支付日期", "project_code": "项目编码", "project_name": "项目名称",
                     "unit": "单位", "amount": "金额（元）"}
R_DATE, R_AMOUNT, R_YEAR, R_NOMATCH, R_TWO = ("日期无法识别", "金额无法识别", "不在预算年度", "项目清单中无此项目",
                                               "项目名称在项目清单中不唯一")
_UNIT_SUFFIX = re.compile(r"\((?:单位:)?(万?元)\)|[/:]?(?:单位:)?(万?元)$")


@dataclass(frozen=True, eq=False)
class PaymentImport:
    """The outcome of one import: ``payments`` (project_id, month, amount in 元) to be written, ``excluded``
    (every row not counted, with its reason), ``refunds`` (counted negative rows) and what was read."""

    payments: pd.DataFrame
    excluded: pd.DataFrame
    refunds: pd.DataFrame
    year: int
    months: int                      # the export covers January … months
    n_rows: int                      # payment rows read (total and empty rows not included)
    n_counted: int
    n_by_name: int                   # counted rows matched by name rather than code
    zero_projects: tuple[str, ...]   # projects of the list without any counted payment
    notes: tuple[str, ...] = field(default=())

    @property
    def complete(self) -> bool:
        return self.excluded.empty


def parse_mapping(items) -> dict[str, str]:
    """``["凭证日期=date", …]`` → {normalised header: field}; a bad item is an InputError (a usage error)."""
    out = {}
    for item in items or ():
        header, sep, name = str(item).partition("=")
        name = FIELD_ALIASES.get(name.strip(), name.strip())
        if not sep or not header.strip() or name not in FIELDS:
            raise InputError("--map 应写作“列名=字段” (bad --map)", expected="字段为 " + "、".join(
                f"{f}（{FIELD_LABELS[f]}）" for f in FIELDS) + "，如 凭证日期=date", found=item)
        out[norm_label([header]).iloc[0]] = name
    return out


def _classifier(mapping: dict[str, str]):
    def classify(cells: list[str]) -> dict[str, int] | None:
        found: dict[str, tuple[int, int]] = {}  # field → (priority, column)
        for col, cell in enumerate(cells):
            if cell in mapping:
                found[mapping[cell]] = (-1, col)
                continue
            base = _UNIT_SUFFIX.sub("", cell)
            for name, words in HEADERS.items():
                if base in words and (name not in found or words.index(base) < found[name][0]):
                    found[name] = (words.index(base), col)
        cols = {k: c for k, (_, c) in found.items()}
        ok = "date" in cols and "amount" in cols and ("project_code" in cols or "project_name" in cols)
        return cols if ok else None
    return classify


def _dates(text: pd.Series) -> pd.Series:
    """Dates of a column (NaT where unreadable): Excel dates, 2021-03-15, 2021/3/15, 2021.3.15,
    2021年3月15日, 20210315, with or without a time, 2021年3月 (the 1st), and Excel serial numbers."""
    s = text.fillna("").astype(str).str.translate(_FULLWIDTH).str.strip()
    parts = s.str.extract(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?|月)?(?:[\sT].*)?$")
    compact = s.str.extract(r"^(\d{4})(\d{2})(\d{2})$")
    parts = parts.fillna(compact)
    parts[2] = parts[2].fillna("1").where(parts[0].notna())
    ymd = parts.apply(pd.to_numeric, errors="coerce")
    when = pd.to_datetime(pd.DataFrame({"year": ymd[0], "month": ymd[1], "day": ymd[2]}), errors="coerce")
    serial = pd.to_numeric(s.where(s.str.fullmatch(r"\d{5}(?:\.\d+)?")), errors="coerce")
    from_serial = pd.to_datetime("1899-12-30") + pd.to_timedelta(serial.where(serial.between(20000, 80000)), unit="D")
    return when.fillna(from_serial)


def _norm(values: pd.Series) -> pd.Series:
    return per_unique(values, lambda u: norm_label(u.to_numpy()))


def _rows(table: Table, mapping: dict[str, str]) -> pd.DataFrame | None:
    """The payment rows of one sheet with their parsed values and location; None without a header."""
    found = find_header(table, _classifier(mapping))
    if found is None:
        return None
    head, cols = found
    header_text = table.text.loc[head]
    body_text, body_raw = table.text.loc[head + 1:], table.raw.loc[head + 1:]
    blank = pd.Series("", index=body_text.index, dtype=object)
    take = {f: body_text[c].fillna("").astype(str) if c in body_text else blank for f, c in cols.items()}
    for f in FIELDS:
        take.setdefault(f, blank)
    rows = pd.DataFrame(take)
    content = (body_text.fillna("").astype(str) != "").any(axis=1)  # cells are stripped by the readers
    says_total = body_text.fillna("").astype(str).apply(lambda col: per_unique(
        col, lambda u: u.str.contains(r"^\s*[合总小]\s*计", regex=True)))  # one step per column
    total = says_total.any(axis=1) & (rows["project_code"].str.strip() == "") & (
        (rows["project_name"].str.strip() == "") | says_total[cols["project_name"]] if "project_name" in cols
        else rows["project_name"].str.strip() == "")
    rows = rows[content & ~total]
    factor = 10000.0 if "万元" in str(header_text[cols["amount"]]) else 1.0
    amount = cell_numbers(body_raw.loc[rows.index, cols["amount"]], body_text.loc[rows.index, cols["amount"]])
    when = per_unique(rows["date"], _dates)
    if table.is_date is not None:  # a workbook's date cells are taken as dates, whatever their display format
        cells = table.is_date.loc[rows.index, cols["date"]].to_numpy(bool)
        if cells.any():
            raw_dates = pd.to_datetime(body_raw.loc[rows.index, cols["date"]][cells], errors="coerce")
            when = when.copy()
            when[cells] = raw_dates.dt.normalize().to_numpy()
    rows = rows.assign(when=when,
                       amount_yuan=np.round(amount.to_numpy(dtype=float) * factor, 2),
                       file=table.file, sheet=table.sheet or "", row=rows.index.to_numpy() + 1,
                       date_col=table.where(col=cols["date"]).column,
                       amount_col=table.where(col=cols["amount"]).column,
                       project_col=table.where(col=cols.get("project_code", cols.get("project_name"))).column,
                       amount_value=body_text.loc[rows.index, cols["amount"]].fillna("").astype(str))
    rows.attrs.update(n_total=int(total.sum()), factor=factor,
                      header=f"{table.file}{'，工作表 ' + table.sheet if table.sheet else ''} 第 {head + 1} 行")
    return rows


def _projects(data_dir: Path) -> pd.DataFrame:
    path = data_dir / "projects.csv"
    if not path.is_file():
        raise InputError("找不到项目清单 (projects.csv not found)", where=Location(file=str(path)),
                         expected="数据目录中的 projects.csv（可用 perfeval init 与 perfeval import forms 生成）")
    text, _ = read_csv_text(path, name=str(path))
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    missing = [c for c in ("project_id", "project_name") if c not in frame]
    if missing:
        raise InputError("项目清单缺少列 (missing columns)", where=Location(file=str(path)),
                         expected="project_id, project_name", found="缺少 " + ", ".join(missing))
    return frame


def _match(rows: pd.DataFrame, projects: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(project_id or NaN, True where matched by name, True where the name is on two projects) for each row."""
    ids = norm_label(projects["project_id"].to_numpy())
    by_code = pd.Series(projects["project_id"].to_numpy(), index=ids.to_numpy())
    by_code = by_code[~by_code.index.duplicated()]
    code = _norm(rows["project_code"])
    matched = code.map(by_code).where(code != "")
    names = norm_label(projects["project_name"].to_numpy())
    unique = ~names.duplicated(keep=False)
    by_name = pd.Series(projects["project_id"].to_numpy()[unique.to_numpy()], index=names[unique].to_numpy())
    name = _norm(rows["project_name"])
    named = name.map(by_name).where(name != "")
    via_name = matched.isna() & named.notna()
    ambiguous = matched.isna() & named.isna() & name.isin(set(names[~unique]))
    return matched.fillna(named), via_name, ambiguous


def import_payments(files, data_dir, *, year: int | None = None, mapping=None) -> PaymentImport:
    """Read the export(s) ``files`` against ``data_dir``'s projects.csv for budget year ``year`` (default:
    city.yaml's ``year``); nothing is written (see :func:`write`)."""
    from .. import settings

    data_dir = Path(data_dir)
    mapping = mapping if isinstance(mapping, dict) else parse_mapping(mapping)
    year = year or settings.load(data_dir).year
    if year is None:
        raise InputError("不知道预算年度 (no budget year)", where=Location(file=str(data_dir / settings.SETTINGS_FILE)),
                         expected="city.yaml 中的 year: 2021，或命令行 --year 2021")
    projects = _projects(data_dir)
    parts, notes = [], []
    for path in [Path(f) for f in files]:
        tables = read_tables(path)
        read = [(t, _rows(t, mapping)) for t in tables]  # one step per sheet
        found = [r for _, r in read if r is not None]
        notes.extend(f"{t.file}：工作表“{t.sheet}”没有支付明细的列名行，已跳过" for t, r in read
                     if r is None and found and t.sheet)
        if not found:
            raise InputError("支付明细中找不到表头 (no header row found)", where=Location(file=path.name),
                             expected="含支付日期、项目编码或项目名称、支付金额的列名行（其他列名用 --map 列名=字段 指定）",
                             found="前几行：" + " | ".join(tables[0].text.head(3).fillna("").astype(str)
                                                        .agg(" ".join, axis=1)))
        for t in tables:
            notes.extend(t.notes)
        for r in found:
            notes.append(f"表头：{r.attrs['header']}；金额单位{'万元，已换算为元' if r.attrs['factor'] != 1 else '元'}"
                         + (f"；跳过合计行 {r.attrs['n_total']} 行" if r.attrs["n_total"] else ""))
        parts.extend(found)
    rows = pd.concat(parts, ignore_index=True)
    rows.attrs = {}
    pid, via_name, ambiguous = _match(rows, projects)
    reason = pd.Series("", index=rows.index, dtype=object)
    column = pd.Series("", index=rows.index, dtype=object)
    value = pd.Series("", index=rows.index, dtype=object)
    checks = ((rows["when"].isna(), R_DATE, rows["date_col"], rows["date"]),
              (np.isnan(rows["amount_yuan"]), R_AMOUNT, rows["amount_col"], rows["amount_value"]),
              (rows["when"].dt.year != year, R_YEAR, rows["date_col"], rows["date"]),
              (ambiguous, R_TWO, rows["project_col"], rows["project_name"]),
              (pid.isna(), R_NOMATCH, rows["project_col"], rows["project_code"].where(rows["project_code"] != "", rows["project_name"])))
    for bad, why, col, val in checks:  # five vectorised checks; the first failing one is the reason
        hit = bad & (reason == "")
        reason[hit], column[hit], value[hit] = why, (col[hit] if isinstance(col, pd.Series) else col), val[hit]
    ok = reason == ""
    counted = rows[ok].assign(project_id=pid[ok], month=rows.loc[ok, "when"].dt.month)
    cents = np.round(counted["amount_yuan"].to_numpy() * 100).astype(np.int64)
    sums = (counted.assign(cents=cents).groupby(["project_id", "month"], sort=True)["cents"].sum().reset_index())
    months = int(counted["month"].max()) if len(counted) else 0
    in_year = rows["when"].dt.year == year
    months = max(months, int(rows.loc[in_year, "when"].dt.month.max()) if in_year.any() else 0)
    paid = set(sums["project_id"])
    zero = tuple(sorted(set(projects["project_id"]) - paid))
    zeros = pd.DataFrame({"project_id": np.repeat(np.array(zero, dtype=object), months),
                          "month": np.tile(np.arange(1, months + 1), len(zero)), "cents": 0})
    out = pd.concat([sums, zeros], ignore_index=True).sort_values(["project_id", "month"], kind="stable")
    out = pd.DataFrame({"project_id": out["project_id"].to_numpy(), "month": out["month"].astype(int).to_numpy(),
                        "amount": _yuan(out["cents"].to_numpy())})
    shown = rows.assign(reason=reason, column=column, value=value, project_id=pid)
    excluded = shown[~ok][["file", "sheet", "row", "column", "reason", "value", "date", "project_code",
                           "project_name", "unit", "amount_yuan"]].rename(columns={"amount_yuan": "amount"})
    refunds = shown[ok & (rows["amount_yuan"] < 0)][["file", "sheet", "row", "date", "project_id", "project_name",
                                                      "amount_yuan"]].rename(columns={"amount_yuan": "amount"})
    return PaymentImport(payments=out, excluded=excluded.reset_index(drop=True), refunds=refunds.reset_index(drop=True),
                         year=int(year), months=months, n_rows=len(rows), n_counted=int(ok.sum()),
                         n_by_name=int((via_name & ok).sum()), zero_projects=zero if months else (),
                         notes=tuple(dict.fromkeys(notes)))


def _yuan(cents: np.ndarray) -> np.ndarray:
    """Amounts in 分 as 元 text: "1200" when whole, else "1200.50" (one deterministic form)."""
    cents = np.asarray(cents, dtype=np.int64)
    whole = (np.abs(cents) // 100 * np.sign(cents)).astype(str)
    frac = np.char.mod("%.2f", cents / 100.0)
    return np.where(cents % 100 == 0, whole, frac).astype(object)


def write(result: PaymentImport, data_dir) -> tuple[Path, Path | None]:
    """Write ``payments.csv`` (replaced whole) and ``payments_unmatched.csv`` (removed when every row was
    counted); returns their paths."""
    data_dir = Path(data_dir)
    target = data_dir / "payments.csv"
    target.write_bytes(b"\xef\xbb\xbf" + result.payments.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    other = data_dir / UNMATCHED_FILE
    if result.excluded.empty:
        other.unlink(missing_ok=True)
        return target, None
    amount = result.excluded["amount"].to_numpy(dtype=float)
    table = result.excluded.assign(amount=np.where(np.isnan(amount), "", np.char.mod("%.2f", amount)))
    table = table.rename(columns=UNMATCHED_COLUMNS)
    other.write_bytes(b"\xef\xbb\xbf" + table.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    return target, other


__all__ = ["FIELDS", "HEADERS", "PaymentImport", "UNMATCHED_FILE", "import_payments", "parse_mapping", "write"]
