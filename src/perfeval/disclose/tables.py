"""The three public tables computed from a city's data folder, and the whitelist applied to them.

Each table starts as an *internal* frame (``*_source``: whatever columns the computation needs,
project ids, review results, notes…) and becomes public only through `public_frame`, which builds a
new frame column by column from the whitelist (`fields.PUBLIC_FIELDS`) and nothing else:

- 绩效目标公开表: every declared target (``targets.csv``, else the declaration forms) with the
  project's department, name, initial budget and — read from ``declarations/*.xlsx`` when present —
  its 年度总体目标;
- 绩效自评结果公开表: one row per self-evaluated project: budget, spending, execution rate, score and
  grade (reviewed by default, `DisclosureRules.score_basis`), and the main deviation reasons the unit
  wrote on its form for the indicators that lost points;
- 重点绩效评价结果公开表: one row per key-evaluated project: money, score, grade, the main problems
  (indicators that lost most, with the panel's consensus comment) and one suggestion per problem.

Every step is vectorised over whole frames; reading the forms and declarations is per file.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import datasets
from ..errors import InputError, Location
from ..report.markup import GRADE_WITHHELD
from .fields import KEY, SELF, TARGETS, TableSpec

SCORE_BASES = {"reviewed": "按评分规则复核后的得分", "self": "单位自评表填报的得分"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_END = r"[。；;，,、\s]+$"
_BLANK_REASONS = ("", "—", "-", "/", "无", "0", "nan", "None")
_NUMERALS = np.array(list("一二三四五六七八九十"), dtype=object)


@dataclass(frozen=True)
class DisclosureRules:
    """The conventions of a disclosure, printed on every page.

    score_basis — ``reviewed`` (the reviewed total) or ``self`` (the total from the unit's awarded scores);
                  None (default): the year's setting (:mod:`perfeval.basis`, ``city.yaml``), so the
                  public tables state the same totals as the reports and the index;
    max_items   — deviation reasons / problems shown per project (the most points lost first);
    goals       — read 年度总体目标 from ``declarations/*.xlsx`` (one workbook per project: slower);
    self_scheme, key_scheme — the scoring schemes of the self- and key evaluations.
    """

    score_basis: str | None = None
    max_items: int = 3
    goals: bool = True
    self_scheme: str = "mof-2020"
    key_scheme: str = "mof-2020-project"

    def __post_init__(self):
        if self.score_basis is not None and self.score_basis not in SCORE_BASES:
            raise InputError("自评得分口径应为 reviewed 或 self", expected=" | ".join(SCORE_BASES), found=self.score_basis)
        if int(self.max_items) < 1:
            raise InputError("每个项目列示的条数应为正整数", expected="≥ 1", found=self.max_items)

    def conventions(self) -> dict:
        return {"金额单位": "万元，保留两位小数（数据中的元除以 10,000，四舍五入）",
                "自评得分口径": SCORE_BASES[self.score_basis or "reviewed"],
                "每个项目列示的偏差原因或问题": f"最多 {self.max_items} 条，按失分从多到少",
                "年度总体目标": "取自绩效目标申报表" if self.goals else "未读取申报表，不列",
                "自评评分方案": _scheme_title(self.self_scheme), "重点评价评分方案": _scheme_title(self.key_scheme),
                "排列顺序": "按项目清单的顺序"}

    def as_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- helpers


def _scheme_title(name: str) -> str:
    from ..schemes import get_scheme

    return get_scheme(name).title


def _text(values) -> pd.Series:
    """Text as published: missing → "", control characters dropped, outer blanks trimmed."""
    s = pd.Series(values, dtype=object)
    s = s.where(s.notna(), "").astype(str)
    return s.str.replace(_CONTROL, "", regex=True).str.strip()


def _clause(values) -> pd.Series:
    """Text without its final punctuation (to be joined with "；")."""
    return _text(values).str.replace(_END, "", regex=True)


def _numbered(items: pd.Series, group: pd.Series, style: str) -> pd.Series:
    """Items numbered within their group: 一是…／（一）… ("一是" or "（一）"), by order of appearance."""
    n = group.groupby(group, sort=False).cumcount().to_numpy()
    numeral = np.where(n < 10, _NUMERALS[np.minimum(n, 9)], (n + 1).astype(str))
    label = pd.Series(numeral, index=items.index, dtype=object)
    return (label + "是" if style == "一是" else "（" + label + "）") + items


def _joined(items: pd.Series, group: pd.Series, more: pd.Series | None = None) -> pd.Series:
    """Items of each group joined with "；", ending with "。" (index: the group keys)."""
    out = items.groupby(group, sort=False).agg("；".join)
    if more is not None:
        extra = more.reindex(out.index).fillna(0).astype(int)
        out = out.where(extra == 0, out + "；另有 " + extra.astype(str) + " 项指标失分")
    return out + "。"


def _money(frame: pd.DataFrame, column: str, file: str) -> pd.Series:
    """A money column in 元 as floats; a cell that is not a non-negative number is an InputError."""
    if column not in frame:
        return pd.Series(np.nan, index=frame.index)
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce")
    bad = (raw.notna() & (values.isna() | ~np.isfinite(values) | (values < 0))).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError("金额应为不小于 0 的数字（元）", where=Location(file=file, row=i + 2, column=column),
                         expected="数字，如 61770000", found=raw.iloc[i])
    return values.astype(float)


def _require(frame: pd.DataFrame, columns, file: str) -> None:
    missing = [c for c in columns if c not in frame]
    if missing:
        raise InputError("缺少必需的列 (missing columns)", where=Location(file=file, column="、".join(missing)),
                         expected="、".join(columns), found="、".join(map(str, frame.columns)))


def read_projects(data: Path) -> pd.DataFrame:
    """``projects.csv`` checked for what a public table needs: unique ids, names, departments, amounts."""
    file = str(data / "projects.csv")
    p = datasets.projects(data)
    _require(p, ("project_id", "project_name", "department"), file)
    p = p.reset_index(drop=True)
    p["project_id"] = _text(p["project_id"])
    for col, what in (("project_id", "项目编码"), ("project_name", "项目名称")):
        blank = (_text(p[col]) == "").to_numpy()
        if blank.any():
            i = int(np.flatnonzero(blank)[0])
            raise InputError(f"{what}为空，不能公开 (blank {col})", where=Location(file=file, row=i + 2, column=col),
                             expected=f"非空的{what}", found="")
    dup = p["project_id"].duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError("项目编码重复 (duplicate project id)", where=Location(file=file, row=i + 2, column="project_id"),
                         expected="每个项目一行", found=p["project_id"].iloc[i])
    for col in ("budget_initial", "budget_full_year", "spent"):
        p[col] = _money(p, col, file)
    if "sector" not in p:
        p["sector"] = ""
    p["order"] = np.arange(len(p))
    return p


def _known(frame: pd.DataFrame, projects: pd.DataFrame, file: str) -> None:
    """Every row's project must be in projects.csv (a public table never shows an unlisted project)."""
    unknown = (~frame["project_id"].isin(projects["project_id"])).to_numpy()
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise InputError("项目编码不在项目清单 projects.csv 中 (unknown project)",
                         where=Location(file=file, row=i + 2, column="project_id"),
                         expected="projects.csv 中的项目编码", found=frame["project_id"].iloc[i])


# --------------------------------------------------------------------------- internal frames


def _declarations(data: Path) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """(rows, headers) of ``declarations/*.xlsx``; None without the folder."""
    folder = data / "declarations"
    paths = sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith((".", "~$"))) if folder.is_dir() else []
    if not paths:
        return None
    from ..io.declaration import declarations_to_frames, read_declarations

    return declarations_to_frames([d for p in paths for d in read_declarations(p)])  # one workbook a project


def targets_source(data: Path, projects: pd.DataFrame, rules: DisclosureRules) -> tuple[pd.DataFrame, int | None]:
    """Declared targets with their project's public facts (internal: keeps project_id, order, seq)."""
    path = data / "targets.csv"
    decl = _declarations(data) if rules.goals or not path.is_file() else None
    if path.is_file():
        t = datasets.read_table(path)
        _require(t, ("project_id", "level1", "level2", "level3", "target"), str(path))
        t["project_id"] = _text(t["project_id"])
        _known(t, projects, str(path))
        t["seq"] = np.arange(len(t)) if "seq" not in t else pd.to_numeric(t["seq"], errors="coerce")
        t = t[["project_id", "seq", "level1", "level2", "level3", "target"]]  # only what is used
    elif decl is not None:
        t = decl[0].assign(seq=lambda f: f["source_row"])[["project_id", "seq", "level1", "level2", "level3", "target"]]
        _known(t, projects, str(data / "declarations"))
    else:
        return pd.DataFrame(columns=["project_id", "order", *[f.source for f in TARGETS.fields]]), None
    year = None
    if decl is not None:
        head = decl[1].drop_duplicates("project_id")
        goals = head.set_index("project_id")["goal"]
        t["goal"] = _text(t["project_id"].map(goals))
        years = pd.to_numeric(head["year"], errors="coerce").dropna()
        year = int(years.mode().iloc[0]) if len(years) else None
    meta = projects[["project_id", "order", "department", "project_name", "budget_initial"]]
    out = t.merge(meta, on="project_id", how="left").sort_values(["order", "seq"], kind="stable")
    return out.reset_index(drop=True), year


def _scores(card, basis: str) -> tuple[pd.Series, pd.Series]:
    t = card.totals
    total, grade = (t["reviewed_total"], t["reviewed_grade"]) if basis == "reviewed" else (t["total"], t["grade"])
    graded = t["graded"].astype(bool) if "graded" in t else pd.Series(True, index=t.index)
    grade = _text(grade).where(graded & (_text(grade) != ""), GRADE_WITHHELD)
    return pd.to_numeric(total, errors="coerce").where(graded), grade


def lost_rows(card, basis: str) -> pd.DataFrame:
    """The counted indicator rows that scored below their points, most points lost first within a project."""
    rows = card.rows
    used = rows["reviewed_score"] if basis == "reviewed" and "reviewed_score" in rows else rows["score"]
    points = pd.to_numeric(rows["points"], errors="coerce")
    lost = points - pd.to_numeric(used, errors="coerce")
    mask = rows["counted"].astype(bool) & (points > 0) & (lost > card.scheme.review.tolerance)
    out = rows[mask].assign(lost=lost[mask], used=used[mask], position=np.flatnonzero(mask.to_numpy()))
    return out.sort_values(["project_id", "lost", "position"], ascending=[True, False, True], kind="stable")


def _first(items: pd.DataFrame, n: int) -> tuple[pd.DataFrame, pd.Series]:
    """The first ``n`` rows of each project and how many were left out per project."""
    size = items.groupby("project_id").size()
    return items.groupby("project_id", sort=False).head(n), (size - n).clip(lower=0)


def self_source(data: Path, projects: pd.DataFrame, rules: DisclosureRules) -> pd.DataFrame:
    """One row per self-evaluated project with its score, grade and main deviation reasons."""
    has_forms = bool(datasets.form_files(data))
    if not (data / "self_evaluation" / "rows.csv").is_file() and not has_forms:
        return pd.DataFrame(columns=["project_id", "order", *[f.source for f in SELF.fields]])
    import perfeval as pe

    rows, budget = datasets.self_evaluation(data)
    card = pe.score(rows, budget, rules.self_scheme)
    t = card.totals[["project_id", "budget_full_year", "spent", "exec_rate"]].copy()
    t["project_id"] = _text(t["project_id"])
    _known(t, projects, str(data / "self_evaluation" / "budget.csv"))
    t["score"], t["grade"] = _scores(card, rules.score_basis)
    lost = lost_rows(card, rules.score_basis)
    lost = lost.assign(**{c: None for c in ("reason", "target", "actual") if c not in lost})
    reason = _clause(lost["reason"])
    reason = reason.where(~reason.isin(_BLANK_REASONS), "未说明偏差原因")
    item = (_clause(lost["level3"]) + "（指标值 " + _text(lost["target"]) + "，实际完成 " + _text(lost["actual"])
            + "）：" + reason)
    shown, more = _first(lost.assign(item=item), rules.max_items)
    reasons = _joined(shown["item"], shown["project_id"], more)
    t["reasons"] = t["project_id"].map(reasons).fillna("各项绩效指标均达到年度指标值。")
    out = t.merge(projects[["project_id", "order", "department", "project_name"]], on="project_id", how="left")
    return out.sort_values("order", kind="stable").reset_index(drop=True)


def key_source(data: Path, projects: pd.DataFrame, rules: DisclosureRules) -> pd.DataFrame:
    """One row per key-evaluated project with its score, grade, main problems and suggestions."""
    if not (data / "key_evaluation" / "indicators.csv").is_file():
        return pd.DataFrame(columns=["project_id", "order", *[f.source for f in KEY.fields]])
    from .. import keyeval
    from ..outline.findings import advice_for

    key = keyeval.evaluate(keyeval.load(data), scheme=rules.key_scheme)
    t = key.totals[["project_id"]].copy()
    t["project_id"] = _text(t["project_id"])
    _known(t, projects, str(data / "key_evaluation" / "indicators.csv"))
    t["score"], t["grade"] = _scores(key.scorecard, "self")  # a panel's score is not reviewed against itself
    lost = lost_rows(key.scorecard, "self")
    lost = lost.assign(**{c: None for c in ("reason", "target", "actual") if c not in lost})
    reason = _clause(lost["reason"])
    usable = ~reason.isin(_BLANK_REASONS) & ~reason.str.startswith("专家评议")  # never a list of experts' scores
    panel = (lost["scored_by"] == "panel") if "scored_by" in lost else pd.Series(False, index=lost.index)
    fallback = np.where(panel, "未完全达到评分要点的要求",
                        "未达到年度指标值（指标值 " + _text(lost["target"]) + "，实际完成 " + _text(lost["actual"]) + "）")
    name = _clause(lost["level3"])
    lost = lost.assign(problem=name + "失分 " + lost["lost"].map("{:.2f}".format) + " 分，"
                       + reason.where(usable, pd.Series(fallback, index=lost.index)))
    lost = lost.assign(name="“" + name + "”", advice=lost["level2"].map(
        {v: advice_for(v) for v in lost["level2"].unique()}))  # an advice template per category
    shown, more = _first(lost, rules.max_items)
    t["problems"] = t["project_id"].map(_joined(_numbered(shown["problem"], shown["project_id"], "一是"),
                                                shown["project_id"], more)).fillna("各项指标均得满分，未发现明显问题。")
    # one suggestion per problem; problems answered by the same advice share it ("“A”“B”")
    advice = shown.groupby(["project_id", "advice"], sort=False)["name"].agg("".join).reset_index()
    parts = advice["advice"].str.split("{name}", n=1, expand=True).reindex(columns=[0, 1]).fillna("")
    advice["suggestion"] = parts[0] + advice["name"] + parts[1]
    t["suggestions"] = t["project_id"].map(_joined(_numbered(advice["suggestion"], advice["project_id"], "一是"),
                                                   advice["project_id"])).fillna("巩固现有做法，持续跟踪项目效益。")
    meta = projects[["project_id", "order", "department", "project_name", "sector", "budget_full_year"]]
    out = t.merge(meta, on="project_id", how="left")
    return out.sort_values("order", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- the whitelist applied


def public_frame(source: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """The public table: built field by field from the whitelist ``spec.fields`` (nothing else is copied).

    序号 numbers the projects (``project_id`` of the source; rows of one project share it). Money
    becomes 万元 rounded to two decimals, scores two decimals, rates stay fractions (shown as
    percentages), text is cleaned of control characters. A whitelisted field the source does not
    have at all (e.g. 年度总体目标 without declaration forms) is left out.
    """
    n = len(source)
    ids = source["project_id"] if "project_id" in source else pd.Series(np.arange(n), index=source.index)
    columns = {"序号": (pd.factorize(ids)[0] + 1).astype(int) if n else np.array([], dtype=int)}
    for f in spec.fields:
        if f.source not in source:
            continue
        values = source[f.source]
        if f.kind == "money":
            columns[f.header] = (pd.to_numeric(values, errors="coerce") / 10_000.0).round(2).to_numpy(dtype=float)
        elif f.kind == "score":
            columns[f.header] = pd.to_numeric(values, errors="coerce").round(2).to_numpy(dtype=float)
        elif f.kind == "rate":
            columns[f.header] = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        else:
            columns[f.header] = _text(values).to_numpy(dtype=object)
    if "goal" in source and (_text(source["goal"]) == "").all() and n:
        columns.pop(dict((f.source, f.header) for f in spec.fields).get("goal"), None)
    return pd.DataFrame(columns)


def display_frame(public: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """Every cell of a public table as the text shown: "6,177.00" (万元), "98.47%", "99.85", "—" if missing."""
    kinds = {f.header: f.kind for f in spec.fields}
    out = {}
    for col in public.columns:
        v = public[col]
        kind = kinds.get(col, "count")
        if kind == "money":
            text = v.map("{:,.2f}".format)
        elif kind == "score":
            text = v.map("{:.2f}".format)
        elif kind == "rate":
            text = (v * 100).map("{:.2f}%".format)
        elif kind == "count":
            text = v.astype(str)
        else:
            text = v.astype(str)
        out[col] = text.where(v.notna(), "—") if kind != "text" else text
    return pd.DataFrame(out, index=public.index)


__all__ = ["DisclosureRules", "SCORE_BASES", "read_projects", "targets_source", "self_source", "key_source",
           "lost_rows", "public_frame", "display_frame"]
