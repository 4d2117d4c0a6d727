"""Scorecards: from the indicator-row frame and the budget frame to scores, totals, grades, flags.

``score(rows, budget, scheme)`` is the one entry point. It parses every target and actual,
picks each row's rule, computes the rule's reference score, keeps the score the assessor
awarded (never overwriting it, never filling a blank one with the rule's), adds the
budget-execution score, totals and grades every project (:mod:`perfeval.totals`), runs the review
checks (:mod:`perfeval.review`) and withholds the grade where a finding makes the total
unreliable. All of it is vectorised over all rows of all projects.
"""
from __future__ import annotations

from html import escape

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import review as _review
from ._frames import numeric_column
from .conventions import apply_rounding
from .errors import InputError, Location
from .rules import apply_rules, infer_kind
from .schemes import Scheme, get_scheme
from .targets import parse_values
from .totals import project_totals, withhold

REQUIRED_ROW_COLUMNS = ("project_id", "level1", "level2", "level3", "target", "actual", "points")
EXEC_LEVEL1 = "预算执行率"
SCORE_SOURCES = np.array(["none", "rule", "awarded"], dtype=object)  # where a row's final score comes from

ROW_LABELS = {
    "project_id": "项目编码", "level1": "一级指标", "level2": "二级指标", "level3": "三级指标",
    "target": "年度指标值", "actual": "实际完成值", "points": "分值", "rule": "评分规则",
    "reference_score": "规则得分", "awarded_score": "自评得分", "score": "得分", "reviewed_score": "复核后得分",
    "reason": "偏差原因分析及改进措施", "flags": "复核提示",
}
TOTAL_LABELS = {
    "project_id": "项目编码", "project_name": "项目名称", "budget_full_year": "全年预算数(元)",
    "spent": "全年执行数(元)", "exec_rate": "执行率", "exec_points": "执行分值", "exec_score": "执行得分",
    "rows_score": "指标得分", "total": "总分", "grade": "评价等级", "reviewed_total": "复核后总分",
    "reviewed_grade": "复核后等级", "withheld": "未定级原因",
    "published_total": "表内总分", "published_grade": "表内等级", "n_flags": "复核提示数", "reader_notes": "读表说明",
}


@dataclass(frozen=True)
class Scorecard:
    """The result of scoring one or many projects; every table is a DataFrame.

    rows    — one row per indicator row: parsed target/actual, rule, reference/awarded/final score
    levels  — subtotals per level-1 and level-2 indicator with score rate
    totals  — one row per project: execution rate and score, total, grade, published values
    flags   — one row per review finding (code, severity, row, message)
    scheme  — the Scheme used; conventions — every convention, labelled in Chinese
    """

    rows: pd.DataFrame
    levels: pd.DataFrame
    totals: pd.DataFrame
    flags: pd.DataFrame
    scheme: Scheme
    conventions: dict = field(default_factory=dict)

    def project(self, project_id) -> "Scorecard":
        """The scorecard of one project."""
        pid = str(project_id)
        return Scorecard(self.rows[self.rows.project_id == pid], self.levels[self.levels.project_id == pid],
                         self.totals[self.totals.project_id == pid], self.flags[self.flags.project_id == pid],
                         self.scheme, self.conventions)

    @property
    def project_ids(self) -> list[str]:
        return self.totals.project_id.tolist()

    def summary(self) -> pd.DataFrame:
        """Totals with Chinese column labels, for display and export."""
        cols = [c for c in TOTAL_LABELS if c in self.totals]
        return self.totals[cols].rename(columns=TOTAL_LABELS)

    def indicator_table(self) -> pd.DataFrame:
        cols = [c for c in ROW_LABELS if c in self.rows]
        return self.rows[cols].rename(columns=ROW_LABELS)

    def to_dict(self) -> dict:
        """JSON-ready: {"projects": [...]} in the CLI's documented shape."""
        return _to_dict(self)

    def _repr_html_(self) -> str:
        parts = [f"<h4>评分结果 Scorecard — 方案 {escape(self.scheme.name)}，{len(self.totals)} 个项目，"
                 f"{len(self.flags)} 条复核提示</h4>", self.summary().head(50).to_html(index=False)]
        if len(self.totals) == 1:
            parts.append(self.indicator_table().to_html(index=False))
        return "\n".join(parts)


PARSED_FIELDS = ("op", "value", "unit", "kind", "base_value", "base_unit", "level")


def _parse_distinct(values: pd.Series, names: pd.Series | None = None):
    """``parse_values`` on the distinct cells, spread back to the rows as plain arrays.

    Returns (fields per row, fields per distinct cell, index of each row's distinct cell — −1
    where a blank cell took its target from the indicator name and was parsed on its own)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    cells = pd.Series(np.append(np.asarray(uniques, dtype=object), None), dtype=object)  # last: missing
    parsed = parse_values(cells)
    distinct = {c: parsed[c].to_numpy() for c in PARSED_FIELDS} | {"text": cells.to_numpy()}
    idx = np.where(codes < 0, len(uniques), codes)
    rows = {c: v[idx] for c, v in distinct.items()}
    if names is not None:
        blank = np.flatnonzero(rows["kind"] == "blank")
        if len(blank):
            by_name = parse_values(values.iloc[blank].reset_index(drop=True),
                                   names=names.iloc[blank].reset_index(drop=True))
            for c in PARSED_FIELDS:
                rows[c] = rows[c].copy()
                rows[c][blank] = by_name[c].to_numpy()
            idx = idx.copy()
            idx[blank] = -1
    return rows, distinct, idx


def _spread(decide, rows: dict, distinct: dict, idx: np.ndarray) -> np.ndarray:
    """``decide(fields)`` computed per distinct cell and spread to the rows (rows with idx −1 on their own)."""
    out = decide(distinct)[np.maximum(idx, 0)]
    own = np.flatnonzero(idx < 0)
    if len(own):
        out[own] = decide({c: v[own] for c, v in rows.items()})
    return out


def _harmonise_units(t: dict, a: dict):
    """Target and actual in one base unit. A bare actual takes the target's unit and vice versa."""
    t_base = t["base_value"].astype(float)
    a_base = a["base_value"].astype(float)
    t_unit, a_unit = t["base_unit"], a["base_unit"]
    t_val = t["value"].astype(float)
    a_val = a["value"].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_factor = np.where((t_val != 0) & ~np.isnan(t_val), t_base / t_val, 1.0)
        a_factor = np.where((a_val != 0) & ~np.isnan(a_val), a_base / a_val, 1.0)
    a_bare = pd.isna(a_unit) & (a["kind"] == "quantitative")
    t_bare = pd.isna(t_unit) & (t["kind"] == "quantitative")
    a_base = np.where(a_bare & ~t_bare, a_val * t_factor, a_base)
    t_base = np.where(t_bare & ~a_bare, t_val * a_factor, t_base)
    unit_clash = ~pd.isna(t_unit) & ~pd.isna(a_unit) & (t_unit != a_unit)
    # a bare actual that took the target's unit but reads like another unit (0.96 against ≥95%,
    # 1000000 against ≥100万元): scored as written, flagged for a person to look at
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.abs(a_base / t_base)
    doubtful = (a_bare & ~t_bare) & (((ratio > 100) | (ratio < 0.01)) & (t_base != 0)
                                     | ((t_unit == "%") & (np.abs(a_val) <= 1) & (t_val > 1)))
    return t_base, a_base, unit_clash, doubtful


def _project_ids(frame: pd.DataFrame, what: str) -> pd.Series:
    """Project ids as text; 1.0 read from a spreadsheet is the id "1"; a missing id is an InputError.

    Works on the distinct ids (a portfolio has far fewer projects than rows)."""
    codes, uniques = pd.factorize(frame["project_id"], use_na_sentinel=True)
    texts = np.array([f"{u:.0f}" if isinstance(u, float) and u.is_integer() else str(u).strip()
                      for u in np.asarray(uniques, dtype=object)], dtype=object)
    blank = codes < 0
    if len(texts):
        blank |= (texts == "")[np.maximum(codes, 0)]
    if blank.any():
        i = int(np.flatnonzero(blank)[0])
        rec = frame.iloc[i]
        row = int(rec["source_row"]) if "source_row" in frame and pd.notna(rec["source_row"]) else i + 1
        raise InputError(f"{what}的项目编码为空 (missing project_id)",
                         where=Location(file=rec.get("source_file"), sheet=rec.get("source_sheet"), row=row,
                                        column="project_id"), expected="项目编码")
    return pd.Series(texts[codes], index=frame.index, dtype=object)


def _prepare_rows(rows: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(rows, pd.DataFrame):
        raise InputError("指标行须为 DataFrame (rows must be a DataFrame)", found=type(rows).__name__)
    missing = [c for c in REQUIRED_ROW_COLUMNS if c not in rows.columns]
    if missing:
        raise InputError("指标行缺少必需列 (missing columns)", expected=", ".join(REQUIRED_ROW_COLUMNS),
                         found=f"缺少 {', '.join(missing)}")
    out = rows.reset_index(drop=True).copy()
    out["project_id"] = _project_ids(out, "指标行 (rows)")
    if "score" not in out:
        out["score"] = np.nan
    if "reason" not in out:
        out["reason"] = None
    if "counted" not in out:
        out["counted"] = True
    out["counted"] = out["counted"].fillna(True).astype(bool)
    return out


def _check_rules(r: pd.DataFrame) -> None:
    """Every explicit rule (kind and parameters) must be one the rules module knows: checked once per
    distinct rule, an unknown kind or a missing parameter is an InputError naming its first row."""
    from .rules import check_rule, params_key

    given = r["rule"].notna().to_numpy() & (r["rule"].to_numpy(dtype=object) != "auto")
    if not given.any():
        return
    params = r["rule_params"] if "rule_params" in r else pd.Series([None] * len(r), index=r.index)
    keys = pd.Series([str(k) + "|" + params_key(p) for k, p in zip(r["rule"][given], params[given])],
                     index=r.index[given])
    for i in keys.drop_duplicates().index:  # one check per distinct rule, not per row
        p = params.iloc[i]
        raw = {"kind": r["rule"].iloc[i], **(dict(p) if isinstance(p, dict) else {})}
        problems = check_rule(raw, "rule")
        if problems:
            rec = r.iloc[i]
            row = int(rec["source_row"]) if "source_row" in r and pd.notna(rec["source_row"]) else i + 1
            raise InputError("评分规则有误 (invalid rule)：" + "；".join(problems),
                             where=Location(file=rec.get("source_file"), sheet=rec.get("source_sheet"), row=row,
                                            column="rule"), found=raw)


def _prepare_budget(budget, project_ids: pd.Index) -> pd.DataFrame:
    base = pd.DataFrame({"project_id": project_ids})
    if budget is None:
        return base.assign(budget_full_year=np.nan, spent=np.nan)
    if not isinstance(budget, pd.DataFrame):
        raise InputError("预算表须为 DataFrame (budget must be a DataFrame)", found=type(budget).__name__)
    missing = [c for c in ("project_id", "budget_full_year", "spent") if c not in budget]
    if missing:
        raise InputError("预算表缺少必需列 (budget is missing columns)",
                         expected="project_id, budget_full_year, spent", found=f"缺少 {', '.join(missing)}")
    b = budget.copy()
    b["project_id"] = _project_ids(b, "预算表 (budget)")
    dup = b.project_id.duplicated()
    if dup.any():
        raise InputError("预算表中项目编码重复 (duplicate project_id in budget)", found=b.project_id[dup].iloc[0])
    for col in ("budget_full_year", "spent", "budget_initial", "exec_points", "published_total",
                "published_rate", "published_exec_score"):
        if col in b:
            b[col] = numeric_column(b, col, first_row=2)
    extra = ~b.project_id.isin(project_ids)
    merged = base.merge(b, on="project_id", how="left")
    if extra.any():  # a project with a budget but no indicator rows is still scored (execution only)
        merged = pd.concat([merged, b[extra]], ignore_index=True)
    return merged


def score(rows: pd.DataFrame, budget: pd.DataFrame | None = None, scheme="mof-2020", **overrides) -> Scorecard:
    """Score every project in ``rows`` (and ``budget``) under ``scheme``.

    rows:   one row per project and indicator: project_id, level1, level2, level3, target,
            actual, points; optional score (awarded), reason, counted, rule, rule_params,
            source_file/source_sheet/source_row (used in messages).
    budget: one row per project: project_id, budget_full_year, spent; optional budget_initial,
            exec_points (the form's own 分值), published_rate, published_exec_score,
            published_total, published_grade, total_row_*/detail_* (see io).
    scheme: a preset name or a Scheme; keyword overrides replace scheme fields.

    A row's final score is the awarded one; a blank awarded score on a project scored by hand stays
    blank (NOT_SCORED) unless the scheme's ``blank_scores`` is "rule". A project with a finding of
    ``review.WITHHOLDING`` (money block unreadable, points that do not add up, a row not scored …)
    gets no total and no grade: ``totals.withheld`` says why, ``totals.graded`` is False.
    """
    sch = get_scheme(scheme, **overrides)
    r = _prepare_rows(rows)
    points = numeric_column(r, "points")
    awarded = numeric_column(r, "score")

    t, t_distinct, t_idx = _parse_distinct(r["target"], names=r["level3"])
    a, _, _ = _parse_distinct(r["actual"])
    t_base, a_base, unit_clash, unit_assumed = _harmonise_units(t, a)

    # a rule kind depends on the target alone: decided once per distinct target text
    inferred = _spread(lambda f: infer_kind(f["op"], f["kind"], f["level"], f["base_value"], sch.implicit_op,
                                            sch.implicit_op_zero, t_text=f["text"]), t, t_distinct, t_idx)
    if "rule" in r:
        _check_rules(r)
        explicit = r["rule"].to_numpy(dtype=object)
        use_explicit = r["rule"].notna().to_numpy() & (explicit != "auto")
        kind = np.where(use_explicit, explicit, inferred)
    else:
        kind = inferred
    kind = np.where(unit_clash & np.isin(kind, ("positive", "reverse", "equal")), "none", kind)
    kind, a_level = _identical_texts_met(r, kind, t["kind"], a["level"])
    a = {**a, "level": a_level}

    out = apply_rules(kind, points, t_base, a_base, a_level, actual_text=r["actual"].to_numpy(),
                      params=r["rule_params"].tolist() if "rule_params" in r else None,
                      qualitative_tiers=sch.qualitative_tiers, reverse_variant=sch.reverse_variant,
                      t_level=t["level"])
    reference = apply_rounding(out.reference, sch.score_rounding)
    if sch.over_completion is not None:
        ratio_limit, share = sch.over_completion
        with np.errstate(divide="ignore", invalid="ignore"):
            over = (kind == "positive") & (t_base > 0) & (a_base > t_base * (1 + ratio_limit))
        reference = np.where(over, apply_rounding(reference - share * points, sch.score_rounding), reference)
        reference = np.clip(reference, 0, None)

    codes = RowCodes.of(r)
    final, source = _final_scores(awarded, reference, r["counted"].to_numpy(dtype=bool), codes.project, sch)
    with np.errstate(invalid="ignore"):  # an award above what the rule allows is taken down to its top
        reviewed = np.where(awarded > out.high + sch.review.tolerance, apply_rounding(out.high, sch.score_rounding),
                            final)

    # object columns are built as such: letting pandas infer a string dtype costs more than the scoring
    obj = (lambda values: pd.Series(np.asarray(values, dtype=object), index=r.index, dtype=object))
    added = {}
    for prefix, parsed in (("t_", t), ("a_", a)):
        for col in ("op", "value", "unit", "kind", "level"):
            added[prefix + col] = parsed[col].astype(float) if col == "value" else obj(parsed[col])
    added.update({
        "t_base": t_base, "a_base": a_base, "unit_clash": unit_clash, "unit_assumed": unit_assumed,
        "rule": obj(kind),
        "reference_score": reference, "band_low": out.low, "band_high": out.high, "met": out.met,
        "awarded_score": awarded, "score": final, "score_source": obj(source), "reviewed_score": reviewed,
    })
    replaced = [c for c in ("score", "points", "flags", *added) if c in r]  # re-scoring a result replaces these
    res = pd.concat([r.drop(columns=replaced).assign(points=points), pd.DataFrame(added, index=r.index)], axis=1)

    budget_frame = _prepare_budget(budget, pd.Index(codes.project_ids))
    totals = project_totals(res, budget_frame, sch, codes.project)
    levels = _levels(res, totals, codes)
    flags = _review.review(res, totals, sch, codes)
    totals = withhold(totals, flags, _review.WITHHOLDING)
    res["flags"] = obj(_row_codes(flags, len(res)))
    n_flags = flags.groupby("project_id").size()
    totals["n_flags"] = totals.project_id.map(n_flags).fillna(0).astype(int)
    conventions = sch.conventions()
    return Scorecard(res, levels, totals, flags, sch, conventions)


def _identical_texts_met(r: pd.DataFrame, kind: np.ndarray, t_kind: np.ndarray, a_level: np.ndarray):
    """A qualitative row whose actual says the very words of its target ("长期" / "长期") met it:
    kind qualitative, actual level full. Looked at only where no other rule decided the row."""
    cand = np.flatnonzero(np.isin(kind, ("qualitative", "none")) & np.isin(t_kind, ("qualitative", "unparsed"))
                          & pd.isna(a_level))
    if len(cand) == 0:
        return kind, a_level
    same = (r["target"].iloc[cand].astype(str).str.replace(r"\s+", "", regex=True).to_numpy()
            == r["actual"].iloc[cand].astype(str).str.replace(r"\s+", "", regex=True).to_numpy())
    kind, a_level = kind.copy(), np.asarray(a_level, dtype=object).copy()
    kind[cand[same]], a_level[cand[same]] = "qualitative", "full"
    return kind, a_level


def _final_scores(awarded, reference, counted, project_codes, sch) -> tuple[np.ndarray, np.ndarray]:
    """Each row's final score and where it comes from: the awarded score wherever one is given; a
    blank one takes the rule's reference score only when the project has no awarded score at all
    (perfeval scores it) or the scheme says ``blank_scores="rule"``; otherwise it stays blank
    (NOT_SCORED) — a rule score is never filled into a form that was scored by hand."""
    given = ~np.isnan(awarded)
    fill = np.isnan(awarded)
    if sch.blank_scores == "not_scored":
        scored_by_hand = np.bincount(project_codes, weights=given & counted) > 0
        fill &= ~scored_by_hand[project_codes]
    final = np.where(given, awarded, np.where(fill, reference, np.nan))
    source = SCORE_SOURCES[np.where(given, 2, np.where(fill & ~np.isnan(reference), 1, 0))]
    return final, source


def _row_codes(flags: pd.DataFrame, n_rows: int) -> np.ndarray:
    """Comma-joined flag codes per row ("" where none); flags arrive sorted by row."""
    out = np.full(n_rows, "", dtype=object)
    at_rows = flags[flags["row_index"].notna()]
    if len(at_rows):
        idx = at_rows["row_index"].to_numpy(dtype=np.int64)
        starts = np.flatnonzero(np.r_[True, idx[1:] != idx[:-1]])
        joined = np.add.reduceat((at_rows["code"] + ",").to_numpy(dtype=object), starts)
        out[idx[starts]] = [s[:-1] for s in joined]
    return out


@dataclass(frozen=True)
class RowCodes:
    """Integer codes of the grouping columns, computed once per scoring run.

    ``project`` indexes the projects in order of first appearance, which is also the order of
    the totals frame (its extra budget-only projects come after).
    """

    project: np.ndarray
    project_ids: np.ndarray
    level1: np.ndarray
    level1_names: np.ndarray
    level2: np.ndarray
    level2_names: np.ndarray

    @classmethod
    def of(cls, res: pd.DataFrame) -> "RowCodes":
        p, pids = pd.factorize(res["project_id"])
        c1, n1 = pd.factorize(res["level1"], use_na_sentinel=False)
        c2, n2 = pd.factorize(res["level2"], use_na_sentinel=False)
        return cls(p.astype(np.int64), np.asarray(pids, dtype=object), c1, np.asarray(n1, dtype=object),
                   c2, np.asarray(n2, dtype=object))


def _group_sums(keys: np.ndarray, counted: np.ndarray, points: np.ndarray, score: np.ndarray):
    """Per unique key (sorted): Σ points and Σ score over counted rows (NaN where nothing counted)."""
    uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    w = counted.astype(float)
    n_pts = np.bincount(inverse, weights=w * ~np.isnan(points), minlength=len(uniq))
    n_sc = np.bincount(inverse, weights=w * ~np.isnan(score), minlength=len(uniq))
    pts = np.bincount(inverse, weights=w * np.nan_to_num(points), minlength=len(uniq))
    sc = np.bincount(inverse, weights=w * np.nan_to_num(score), minlength=len(uniq))
    n_counted = np.bincount(inverse, weights=w, minlength=len(uniq))
    return first, np.where(n_pts > 0, pts, np.nan), np.where(n_sc > 0, sc, np.nan), n_counted > 0


def _levels(res: pd.DataFrame, totals: pd.DataFrame, codes: "RowCodes") -> pd.DataFrame:
    """Subtotals per level-1 and level-2 indicator, computed on integer codes (fast at scale)."""
    pcode, c1, c2 = codes.project, codes.level1, codes.level2
    n1, n2 = max(len(codes.level1_names), 1), max(len(codes.level2_names), 1)
    counted = res["counted"].to_numpy(dtype=bool)
    points = res["points"].to_numpy(dtype=float)
    score = res["score"].to_numpy(dtype=float)
    parts = [pd.DataFrame({"project_id": totals["project_id"], "level": 1, "level1": EXEC_LEVEL1, "level2": None,
                           "points": totals["exec_points"], "score": totals["exec_score"], "_k": -1,
                           "_o": np.arange(len(totals))})
             .loc[lambda d: d.points > 0]]
    for level, keys in ((1, pcode * n1 + c1), (2, (pcode * n1 + c1) * n2 + c2)):
        first, pts, sc, keep = _group_sums(keys, counted, points, score)
        first = first[keep]
        parts.append(pd.DataFrame({
            "project_id": res["project_id"].to_numpy()[first], "level": level,
            "level1": res["level1"].to_numpy(dtype=object)[first],
            "level2": res["level2"].to_numpy(dtype=object)[first] if level == 2 else None,
            "points": pts[keep], "score": sc[keep], "_k": first, "_o": pcode[first]}))
    out = pd.concat(parts, ignore_index=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rate"] = np.where(out.points > 0, out.score / out.points, np.nan)
    # project order, then the execution row, level 1, level 2, each in order of first appearance
    order = np.lexsort((out["_k"].to_numpy(), out["level"].to_numpy(), out["_o"].to_numpy()))
    out = out.iloc[order].reset_index(drop=True)
    return out[["project_id", "level", "level1", "level2", "points", "score", "rate"]]


def _clean(v):
    """A JSON-ready value: NaN and ±inf become None (valid JSON never holds NaN or Infinity)."""
    if v is None:
        return None
    if isinstance(v, (float, np.floating)):
        return float(v) if np.isfinite(v) else None
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


def _to_dict(card: Scorecard) -> dict:
    projects = []
    rows_by = {pid: g for pid, g in card.rows.groupby("project_id", sort=False)}
    flags_by = {pid: g for pid, g in card.flags.groupby("project_id", sort=False)}
    for rec in card.totals.to_dict("records"):
        pid = rec["project_id"]
        g = rows_by.get(pid, card.rows.iloc[0:0])
        f = flags_by.get(pid, card.flags.iloc[0:0])
        projects.append({
            "project_id": pid,
            "project_name": _clean(rec.get("project_name")),
            "exec_rate": _clean(rec["exec_rate"]), "exec_points": _clean(rec["exec_points"]),
            "exec_score": _clean(rec["exec_score"]), "rows_score": _clean(rec["rows_score"]),
            "total": _clean(rec["total"]), "grade": _clean(rec["grade"]), "graded": bool(rec["graded"]),
            "withheld": rec["withheld"] or None,
            "notes": [n for n in str(rec.get("reader_notes") or "").split("\n") if n],
            "published_total": _clean(rec.get("published_total")),
            "published_grade": _clean(rec.get("published_grade")),
            "rows": [{k: _clean(x[k]) for k in ("level1", "level2", "level3", "target", "actual", "points",
                                                 "reference_score", "awarded_score", "score")}
                     | {"flags": [c for c in str(x["flags"]).split(",") if c]}
                     for x in g.to_dict("records")],
            "flags": [{"code": x["code"], "severity": x["severity"], "row": _clean(x["row"]),
                       "message": x["message"]} for x in f.to_dict("records")],
        })
    return {"scheme": card.scheme.name, "conventions": {k: _clean(v) for k, v in card.conventions.items()},
            "projects": projects}
