"""Key evaluation (重点绩效评价): an expert panel plus the data, scored against a sector system.

A third-party key evaluation scores a project against a sector indicator system
(``sector-education`` …): the indicators the panel judges (``scored_by == "panel"``: checklists,
qualitative and expert indicators) get the panel's combined score, the quantitative ones are
computed from their target and actual by the system's rule. This module runs that pipeline with
perfeval's own pieces — :func:`perfeval.panel.aggregate` (trimmed mean by default),
:func:`perfeval.panel.agreement` and :func:`perfeval.score` under the ``mof-2020-project`` scheme
(no separate execution score: 预算执行率 is an indicator of the system) — and returns a
:class:`KeyEvaluation` with totals and grades per project, the panel table, the panel's written
comments and the agreement.

Inputs, as files in a data directory (``key_evaluation/indicators.csv``,
``key_evaluation/panel_scores.csv``, optionally ``key_evaluation/panel_comments.csv``, and
``projects.csv``) or as frames:

* indicators — one row per project and leaf: ``project_id, code, level1, level2, level3, points,
  rule_kind, scored_by, target, actual`` (+ ``rule_params`` as JSON, ``reason``, ``system``);
* panel_scores — ``project_id, indicator, expert, score`` (indicator = the leaf's code);
* comments — optional: ``project_id, indicator, comment``, the panel's agreed written opinion
  (专家评议意见) on a panel indicator; it is that row's deduction note (``reason``) in the
  scorecard. The individual experts' scores stay in :attr:`KeyEvaluation.panel_scores` and
  :meth:`KeyEvaluation.panel_wide` (working papers, not the report's text);
* projects — optional: ``project_id, project_name, department, sector, budget_full_year, spent``.

:func:`robustness` re-runs the evaluation under other conventions (panel rule, score rounding,
grading basis, reverse rule) and shows which projects change grade.
"""
from __future__ import annotations

from html import escape

import dataclasses
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import compare, panel as _panel
from ._frames import numeric_column
from .conventions import GradeBands, apply_rounding
from .errors import InputError, Location
from .io._grid import read_csv_text
from .schemes import get_scheme
from .scoring import Scorecard, score

INDICATOR_COLUMNS = ("project_id", "code", "level1", "level2", "level3", "points", "rule_kind", "scored_by",
                     "target", "actual")
PANEL_COLUMNS = ("project_id", "indicator", "expert", "score")
COMMENT_INPUT_COLUMNS = ("project_id", "indicator", "comment")
COMMENT_COLUMNS = ("project_id", "indicator", "level1", "level2", "level3", "points", "score", "comment")
INDICATORS_FILE = "key_evaluation/indicators.csv"
PANEL_FILE = "key_evaluation/panel_scores.csv"
COMMENTS_FILE = "key_evaluation/panel_comments.csv"
PROJECTS_FILE = "projects.csv"
PANEL_RULE = "expert"   # panel rows are scored by people: the combined panel score stands

TOTAL_LABELS = {
    "project_id": "项目编码", "project_name": "项目名称", "department": "主管部门", "sector": "行业",
    "budget_full_year": "全年预算数(元)", "panel_points": "专家评议分值", "panel_score": "专家评议得分",
    "rule_points": "定量指标分值", "rule_score": "定量指标得分", "total": "总分", "grade": "评价等级",
    "margin": "距等级界限", "kendall_w": "肯德尔 W", "icc_2_k": "ICC(2,k)", "n_flags": "复核提示数",
}


@dataclass(frozen=True)
class KeyEvaluationData:
    """The input tables of a key evaluation (``projects`` and ``comments`` may be None).

    comments: the panel's written opinions (专家评议意见), ``project_id, indicator, comment``.
    """

    indicators: pd.DataFrame
    panel_scores: pd.DataFrame
    projects: pd.DataFrame | None = None
    source: str = "frames"
    comments: pd.DataFrame | None = None


def _read_csv(path: Path, what: str) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"找不到{what} (file not found)", where=Location(file=str(path)),
                         expected=f"数据目录中的 {path.name}")
    text, _ = read_csv_text(path, name=str(path))  # UTF-8 with or without BOM, or GB18030/GBK
    try:
        return pd.read_csv(io.StringIO(text), dtype={"project_id": str, "code": str, "indicator": str, "expert": str},
                           keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise InputError(f"{what}无法读取为 CSV (cannot parse CSV)", where=Location(file=str(path)),
                         expected="逗号分隔、首行为列名的表", found=str(exc)) from None


def load(data_dir: str | os.PathLike) -> KeyEvaluationData:
    """The key-evaluation tables of a data directory (the sample city's layout).

    ``projects.csv`` and ``key_evaluation/panel_comments.csv`` (专家评议意见) are optional.
    """
    base = Path(data_dir)
    projects_path = base / PROJECTS_FILE
    projects = _read_csv(projects_path, "项目清单") if projects_path.is_file() else None
    comments_path = base / COMMENTS_FILE
    comments = _read_csv(comments_path, "专家评议意见表") if comments_path.is_file() else None
    indicators = _read_csv(base / INDICATORS_FILE, "重点评价指标表")
    panel_scores = _read_csv(base / PANEL_FILE, "专家评分表")
    for frame, name, what in ((indicators, INDICATORS_FILE, "重点评价指标表"),):  # empty scores: see _prepare
        if frame.empty:  # absent is not zero: no rows are no evaluation, never a grade made from nothing
            raise InputError(f"{what}只有表头、没有数据行，未提供重点评价数据，不能生成重点评价结果 (no data rows)",
                             where=Location(file=str(base / name)), expected="每个项目每个指标一行",
                             found="只有表头")
    return KeyEvaluationData(indicators=indicators, panel_scores=panel_scores,
                             projects=projects, source=str(base), comments=comments)


def _as_data(data) -> KeyEvaluationData:
    if isinstance(data, KeyEvaluationData):
        return data
    if isinstance(data, (str, os.PathLike)):
        return load(data)
    if isinstance(data, dict):
        missing = [k for k in ("indicators", "panel_scores") if k not in data]
        if missing:
            raise InputError("重点评价数据缺少表 (missing tables)",
                             expected="indicators, panel_scores[, projects, comments]",
                             found=f"缺少 {', '.join(missing)}")
        return KeyEvaluationData(indicators=data["indicators"], panel_scores=data["panel_scores"],
                                 projects=data.get("projects"), comments=data.get("comments"))
    raise InputError("重点评价数据须为数据目录、KeyEvaluationData 或 dict (unsupported data)",
                     expected="路径 / KeyEvaluationData / {'indicators':…, 'panel_scores':…}",
                     found=type(data).__name__)


def _check_columns(frame, columns, file: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise InputError("须为 DataFrame (must be a DataFrame)", where=Location(file=file), found=type(frame).__name__)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError("缺少必需列 (missing columns)", where=Location(file=file), expected=", ".join(columns),
                         found=f"缺少 {', '.join(missing)}")


def _parse_params(values: pd.Series, file: str) -> list:
    """rule_params cells (JSON text, dict or blank) as dicts; each distinct text is parsed once."""
    codes, uniques = pd.factorize(values.astype(object).where(values.notna(), ""), use_na_sentinel=False)
    parsed = []
    for i, text in enumerate(uniques):  # distinct parameter sets (a few dozen), not rows
        if isinstance(text, dict):
            parsed.append(text)
            continue
        if str(text).strip() == "":
            parsed.append({})
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            row = int(np.flatnonzero(codes == i)[0]) + 2
            raise InputError("规则参数不是合法的 JSON (rule_params is not valid JSON)",
                             where=Location(file=file, row=row, column="rule_params"),
                             expected='如 {"variant": "linear"}', found=f"{text}（{exc.msg}）") from None
        if not isinstance(value, dict):
            row = int(np.flatnonzero(codes == i)[0]) + 2
            raise InputError("规则参数须为 JSON 对象 (rule_params must be an object)",
                             where=Location(file=file, row=row, column="rule_params"), found=text)
        parsed.append(value)
    table = np.empty(len(parsed), dtype=object)
    table[:] = parsed
    return list(table[codes])


def _prepare(data: KeyEvaluationData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validated indicators (one row per leaf) and panel scores (long)."""
    ind_file = INDICATORS_FILE if data.source != "frames" else "indicators"
    pan_file = PANEL_FILE if data.source != "frames" else "panel_scores"
    _check_columns(data.indicators, INDICATOR_COLUMNS, ind_file)
    _check_columns(data.panel_scores, PANEL_COLUMNS, pan_file)
    ind = data.indicators.reset_index(drop=True).copy()
    ind["project_id"] = ind["project_id"].astype(str)
    ind["code"] = ind["code"].astype(str)
    ind["points"] = numeric_column(ind, "points", file=ind_file, first_row=2, required=True)
    dup = ind.duplicated(["project_id", "code"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError("同一项目的指标编码重复 (duplicate indicator)", where=Location(file=ind_file, row=i + 2),
                         found=f"{ind.at[i, 'project_id']} {ind.at[i, 'code']}")
    by = ind["scored_by"].astype(str)
    bad = ~by.isin(["panel", "rule"])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError("评分方式须为 panel 或 rule (scored_by)", where=Location(file=ind_file, row=i + 2,
                                                                         column="scored_by"),
                         expected="panel（专家评议）/ rule（按规则计算）", found=ind.at[i, "scored_by"])
    ind["rule_params"] = _parse_params(ind["rule_params"], ind_file) if "rule_params" in ind else [{}] * len(ind)

    scores = data.panel_scores.reset_index(drop=True).copy()
    for col in ("project_id", "indicator", "expert"):
        scores[col] = scores[col].astype(str)
    scores["score"] = numeric_column(scores, "score", file=pan_file, first_row=2, required=True)
    keyed = scores.merge(ind[["project_id", "code", "points", "scored_by"]].rename(columns={"code": "indicator"}),
                         on=["project_id", "indicator"], how="left", indicator=True)
    unknown = (keyed["_merge"] == "left_only").to_numpy()
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise InputError("专家评分指向不存在的项目或指标 (score for an unknown indicator)",
                         where=Location(file=pan_file, row=i + 2), expected=f"{ind_file} 中的项目编码和指标编码",
                         found=f"{keyed.at[i, 'project_id']} {keyed.at[i, 'indicator']}")
    not_panel = (keyed["scored_by"] != "panel").to_numpy()
    if not_panel.any():
        i = int(np.flatnonzero(not_panel)[0])
        raise InputError("该指标按规则计算，不应有专家评分 (indicator is scored by rule)",
                         where=Location(file=pan_file, row=i + 2), expected="scored_by = panel 的指标",
                         found=f"{keyed.at[i, 'project_id']} {keyed.at[i, 'indicator']}")
    out_of_range = (compare.lt(keyed["score"], 0) | compare.gt(keyed["score"], keyed["points"]))
    if out_of_range.any():
        i = int(np.flatnonzero(out_of_range)[0])
        raise InputError("专家评分超出 0 至分值的范围 (score outside 0…points)",
                         where=Location(file=pan_file, row=i + 2, column="score"),
                         expected=f"0 ≤ 评分 ≤ {keyed.at[i, 'points']:g}",
                         found=f"{keyed.at[i, 'project_id']} {keyed.at[i, 'indicator']} {keyed.at[i, 'expert']}："
                               f"{keyed.at[i, 'score']:g}")
    panel_leaves = ind.loc[by == "panel", ["project_id", "code"]]
    scored = scores[["project_id", "indicator"]].drop_duplicates().rename(columns={"indicator": "code"})
    lacking = panel_leaves.merge(scored, how="left", indicator=True)
    lacking = lacking[lacking["_merge"] == "left_only"]
    if len(lacking):
        first = lacking.iloc[0]
        raise InputError("专家评议指标没有专家评分 (panel indicator without scores)", where=Location(file=pan_file),
                         expected="每个 scored_by = panel 的指标都有专家评分",
                         found=f"{first['project_id']} {first['code']}（共 {len(lacking)} 个）")
    return ind, scores


def _budget(projects: pd.DataFrame | None, ids: pd.Index) -> pd.DataFrame | None:
    if projects is None:
        return None
    p = projects.copy()
    p["project_id"] = p["project_id"].astype(str)
    p = p[p["project_id"].isin(ids)]
    cols = [c for c in ("project_id", "project_name", "budget_full_year", "spent") if c in p]
    if "budget_full_year" not in p or "spent" not in p:
        return p[["project_id"] + (["project_name"] if "project_name" in p else [])].assign(
            budget_full_year=np.nan, spent=np.nan)
    return p[cols]


def _comments(data: KeyEvaluationData, ind: pd.DataFrame) -> pd.DataFrame:
    """The panel's written comments, validated: ``project_id, code, comment`` (blank comments dropped).

    Each comment belongs to a panel indicator of a project in the indicators table, one per
    indicator.
    """
    if data.comments is None:
        return pd.DataFrame({"project_id": pd.Series(dtype=object), "code": pd.Series(dtype=object),
                             "comment": pd.Series(dtype=object)})
    file = COMMENTS_FILE if data.source != "frames" else "comments"
    _check_columns(data.comments, COMMENT_INPUT_COLUMNS, file)
    c = data.comments.reset_index(drop=True)
    c = pd.DataFrame({"project_id": c["project_id"].astype(str).str.strip(),
                      "code": c["indicator"].astype(str).str.strip(),
                      "comment": c["comment"].astype(object).where(c["comment"].notna(), "").astype(str).str.strip(),
                      "row": np.arange(len(c)) + 2})
    c = c[c["comment"] != ""]
    keyed = c.merge(ind[["project_id", "code", "scored_by"]], on=["project_id", "code"], how="left")
    unknown = keyed["scored_by"].isna().to_numpy()
    if unknown.any():
        r = keyed[unknown].iloc[0]
        raise InputError("评议意见指向不存在的项目或指标 (comment on an unknown indicator)",
                         where=Location(file=file, row=int(r["row"])),
                         expected=f"{INDICATORS_FILE} 中的项目编码和指标编码", found=f"{r['project_id']} {r['code']}")
    not_panel = (keyed["scored_by"] != "panel").to_numpy()
    if not_panel.any():
        r = keyed[not_panel].iloc[0]
        raise InputError("该指标按规则计算，专家评议意见只针对专家评议指标 (comment on a rule indicator)",
                         where=Location(file=file, row=int(r["row"])), expected="scored_by = panel 的指标",
                         found=f"{r['project_id']} {r['code']}")
    dup = keyed.duplicated(["project_id", "code"]).to_numpy()
    if dup.any():
        r = keyed[dup].iloc[0]
        raise InputError("同一指标有多条评议意见 (more than one comment on an indicator)",
                         where=Location(file=file, row=int(r["row"])), expected="每个指标一条专家组意见",
                         found=f"{r['project_id']} {r['code']}")
    return keyed[["project_id", "code", "comment"]].reset_index(drop=True)


def _panel_reasons(rows: pd.DataFrame, comments: pd.DataFrame, is_panel: np.ndarray) -> np.ndarray:
    """The deduction note (扣分说明) of each row: a panel row gets the panel's comment, or keeps the
    note its input already has, else None; rule rows keep theirs."""
    keys = pd.MultiIndex.from_arrays([rows["project_id"], rows["code"]])
    comment = comments.set_index(["project_id", "code"])["comment"].reindex(keys).to_numpy(dtype=object)
    given = rows["reason"].astype(object)
    blank = (given.isna() | (given.astype(str).str.strip() == "")).to_numpy()
    given = np.where(blank, None, given.to_numpy(dtype=object))
    has_comment = pd.notna(comment)
    return np.where(is_panel & has_comment, comment, given)


def _margin(totals: np.ndarray, bands: GradeBands) -> np.ndarray:
    """Distance of each total to the nearest grade boundary (how far a grade is from flipping)."""
    bounds = np.asarray(bands.lower_bounds, dtype=float)
    return np.abs(np.asarray(totals, dtype=float)[:, None] - bounds[None, :]).min(axis=1)


@dataclass(frozen=True)
class KeyEvaluation:
    """Result of :func:`evaluate`: a scorecard plus the panel's combined scores and agreement.

    totals    — one row per project: panel and rule subtotals, total, grade, margin to the nearest
                grade boundary, Kendall's W and ICC(2,k) of the panel, number of review flags
    panel     — one row per project and panel indicator: combined score, spread, dropped experts
    panel_scores — the experts' raw scores (long: project_id, indicator, expert, score)
    agreement — per project: Kendall's W, χ², p, ICC(2,1), ICC(2,k) (None when not computed)
    scorecard — the full :class:`~perfeval.scoring.Scorecard` (rows, levels, flags); a panel row's
                ``reason`` is the panel's comment (None where the panel wrote none)
    comments  — the panel's written opinions (专家评议意见), one row per commented panel indicator:
                project_id, indicator, level1, level2, level3, points, score (the panel's combined
                score), comment; empty when the data has none
    """

    scorecard: Scorecard
    totals: pd.DataFrame
    panel: pd.DataFrame
    agreement: pd.DataFrame | None
    experts: pd.DataFrame | None
    panel_scores: pd.DataFrame
    conventions: dict = field(default_factory=dict)
    comments: pd.DataFrame | None = None

    @property
    def rows(self) -> pd.DataFrame:
        return self.scorecard.rows

    @property
    def levels(self) -> pd.DataFrame:
        return self.scorecard.levels

    @property
    def flags(self) -> pd.DataFrame:
        return self.scorecard.flags

    @property
    def project_ids(self) -> list[str]:
        return self.totals["project_id"].tolist()

    def grade_counts(self) -> pd.Series:
        """Number of projects per grade label, in the order of the grade bands (zeros included)."""
        labels = list(self.scorecard.scheme.grades.labels)
        return self.totals["grade"].value_counts().reindex(labels, fill_value=0).rename("项目数")

    def project(self, project_id) -> "KeyEvaluation":
        pid = str(project_id)
        if pid not in set(self.project_ids):
            raise InputError("没有这个重点评价项目 (unknown project)", expected="已评价的项目编码", found=pid)
        agreement = None if self.agreement is None else self.agreement[self.agreement["project_id"] == pid]
        comments = None if self.comments is None else self.comments[self.comments["project_id"] == pid]
        return KeyEvaluation(self.scorecard.project(pid), self.totals[self.totals["project_id"] == pid],
                             self.panel[self.panel["project_id"] == pid], agreement, self.experts,
                             self.panel_scores[self.panel_scores["project_id"] == pid], self.conventions, comments)

    def panel_wide(self) -> pd.DataFrame:
        """Each expert's raw score per project and panel indicator, experts as columns."""
        wide = self.panel_scores.pivot_table(index=["project_id", "indicator"], columns="expert", values="score",
                                             sort=False)
        return wide.reset_index()

    def summary(self) -> pd.DataFrame:
        """Totals with Chinese column labels."""
        cols = [c for c in TOTAL_LABELS if c in self.totals]
        return self.totals[cols].rename(columns=TOTAL_LABELS)

    def _repr_html_(self) -> str:
        counts = escape("，".join(f"{k} {v} 个" for k, v in self.grade_counts().items()))
        return (f"<h4>重点绩效评价 — {len(self.totals)} 个项目（{counts}）</h4>"
                + self.summary().to_html(index=False, float_format=lambda v: f"{v:.2f}"))


def evaluate(data, scheme="mof-2020-project", aggregation: str = "trimmed", trim: int = 1,
             expert_weights=None, with_agreement: bool = True, agreement_threshold: float = 0.1,
             **scheme_overrides) -> KeyEvaluation:
    """Score every key-evaluated project: the panel's indicators by the panel, the rest by rule.

    data: a data directory (``key_evaluation/*.csv`` and ``projects.csv``), a
    :class:`KeyEvaluationData`, or ``{"indicators": …, "panel_scores": …, "projects": …,
    "comments": …}``. A panel row's deduction note is the panel's comment (专家评议意见) where one
    is given; the experts' individual scores are in the result's ``panel_scores``.
    scheme: scoring scheme (default ``mof-2020-project``: no separate execution score, 优 ≥ 90,
    良 80–<90 …); keyword overrides replace scheme fields (``score_rounding="int"``,
    ``grades=GradeBands(on="rounded")`` …). aggregation/trim/expert_weights: how the five
    experts' scores are combined (:func:`perfeval.panel.aggregate`; trimmed mean by default).
    """
    d = _as_data(data)
    if d.indicators is None or len(d.indicators) == 0:
        raise InputError("重点评价指标表没有数据行，不能生成重点评价结果 (no indicator rows)",
                         where=Location(file=INDICATORS_FILE if d.source != "frames" else "indicators"),
                         expected="每个项目每个指标一行", found="0 行")
    ind, scores = _prepare(d)
    comments = _comments(d, ind)
    agg = _panel.aggregate(scores, method=aggregation, trim=trim, expert_weights=expert_weights)
    combined = agg.table.rename(columns={"indicator": "code"})[["project_id", "code", "score"]]
    rows = ind.merge(combined, on=["project_id", "code"], how="left", sort=False)
    is_panel = (rows["scored_by"] == "panel").to_numpy()
    sch = get_scheme(scheme, **scheme_overrides)
    rows["rule"] = np.where(is_panel, PANEL_RULE, rows["rule_kind"].astype(str))
    # the combined panel score is a row score like any other: it follows the scheme's score rounding
    rows["score"] = apply_rounding(np.where(is_panel, rows["score"].to_numpy(dtype=float), np.nan),
                                   sch.score_rounding)
    rows["rule_params"] = rows["rule_params"].where(~is_panel, None)
    if "reason" not in rows:
        rows["reason"] = None
    rows["reason"] = _panel_reasons(rows, comments, is_panel)
    ids = pd.Index(pd.unique(rows["project_id"]))
    card = score(rows, _budget(d.projects, ids), sch)

    res = card.rows
    panel_mask = (res["scored_by"] == "panel").to_numpy()
    pcode = pd.Index(card.totals["project_id"]).get_indexer(res["project_id"])
    n = len(card.totals)
    pts = np.nan_to_num(res["points"].to_numpy(dtype=float))
    sc = np.nan_to_num(res["score"].to_numpy(dtype=float))
    totals = card.totals.copy()
    totals["panel_points"] = np.bincount(pcode, weights=pts * panel_mask, minlength=n)
    totals["panel_score"] = np.round(np.bincount(pcode, weights=sc * panel_mask, minlength=n), 9)
    totals["rule_points"] = np.bincount(pcode, weights=pts * ~panel_mask, minlength=n)
    totals["rule_score"] = np.round(np.bincount(pcode, weights=sc * ~panel_mask, minlength=n), 9)
    basis = totals["total_unrounded"] if sch.grades.on == "unrounded" else totals["total"]
    totals["margin"] = np.round(_margin(basis.to_numpy(dtype=float), sch.grades), 9)
    if d.projects is not None:
        extra = [c for c in ("department", "sector", "unit") if c in d.projects]
        if extra:
            info = d.projects.assign(project_id=d.projects["project_id"].astype(str))[["project_id"] + extra]
            totals = totals.merge(info, on="project_id", how="left")

    leaf_info = ind[["project_id", "code", "level3", "points"]].rename(columns={"code": "indicator"})
    panel_table = agg.table.merge(leaf_info, on=["project_id", "indicator"], how="left")
    panel_table = panel_table[["project_id", "indicator", "level3", "points", "score", "n_experts", "min", "max",
                               "std", "dropped", "rule"]]

    comment_table = res.loc[panel_mask, ["project_id", "code", "level1", "level2", "level3", "points", "score"]]
    comment_table = comment_table.merge(comments, on=["project_id", "code"], how="inner", sort=False)
    comment_table = comment_table.rename(columns={"code": "indicator"})[list(COMMENT_COLUMNS)].reset_index(drop=True)

    agreement = experts = None
    if with_agreement:
        # agreement on score rates (score ÷ points): on raw scores the indicators' different points
        # alone would make any panel look unanimous
        points = ind[["project_id", "code", "points"]].rename(columns={"code": "indicator"})
        rated = scores.merge(points, on=["project_id", "indicator"], how="left")
        rated["score"] = rated["score"] / rated["points"]
        agr = _panel.agreement(rated[list(PANEL_COLUMNS)], across="indicators", threshold=agreement_threshold)
        agreement = agr.table.rename(columns={"group": "project_id"})
        experts = agr.experts
        totals = totals.merge(agreement[["project_id", "kendall_w", "icc_2_k"]], on="project_id", how="left")
    conventions = {
        **card.conventions,
        "专家分合成 (panel aggregation)": agg.conventions["rule"],
        "专家合成分取舍 (panel score rounding)": "与得分取舍相同 (same as score rounding)",
        "专家评议指标 (panel indicators)": "scored_by = panel（要点/定性/专家评分指标）取专家合成分，规则不另计参考分",
        "专家评议意见 (panel comments)": (
            "专家组对专家评议指标的一致意见：失分指标写明扣分原因，满分指标可附简短评价；作为该指标的说明（reason），"
            "各专家评分留存于工作底稿（panel_scores）"
            if len(comments) else "未提供，专家评议指标无扣分说明；各专家评分留存于工作底稿（panel_scores）"),
        "定量指标 (rule indicators)": "按指标体系规则由年度指标值与实际完成值计算",
        "等级界限距离 (margin)": "总分与最近等级界限之差的绝对值",
    }
    if "system" in ind:
        conventions["行业指标体系 (sector systems)"] = "、".join(sorted(ind["system"].dropna().astype(str).unique()))
    if with_agreement:
        conventions["专家一致性 (agreement)"] = (agr.conventions["grouping"] + "；按得分率（得分÷分值）计算，"
                                                 f"系统性偏离阈值 {agreement_threshold:g}（分值的比例）")
    return KeyEvaluation(scorecard=card, totals=totals, panel=panel_table, agreement=agreement, experts=experts,
                         panel_scores=scores[list(PANEL_COLUMNS)], conventions=conventions, comments=comment_table)


# variant name → (Chinese label, settings passed to evaluate)
CONVENTION_VARIANTS: dict[str, tuple[str, dict]] = {
    "baseline": ("基准：去掉最高最低分平均，得分保留两位小数，按未取舍总分定级", {}),
    "mean": ("专家分算术平均 (arithmetic mean)", {"aggregation": "mean"}),
    "median": ("专家分取中位数 (median)", {"aggregation": "median"}),
    "int": ("各项得分四舍五入取整 (integer scores)", {"score_rounding": "int"}),
    "floor_int": ("各项得分向下取整 (floored integer scores)", {"score_rounding": "floor_int"}),
    "graded_on_rounded": ("按取舍后总分定级 (grade the rounded total)", {"grades_on": "rounded"}),
    "reverse_ratio": ("反向指标按 指标值/实际值×分值 (reverse rule t/a)", {"reverse_variant": "ratio"}),
}


@dataclass(frozen=True)
class Robustness:
    """Grades of every project under each convention variant, and what changed against the baseline."""

    table: pd.DataFrame    # one row per variant: label, count per grade, changed projects
    grades: pd.DataFrame   # project × variant grades
    totals: pd.DataFrame   # project × variant totals
    conventions: dict = field(default_factory=dict)

    @property
    def flipping(self) -> list[str]:
        """Variants under which at least one project changes grade."""
        return self.table.loc[self.table["n_changed"] > 0, "variant"].tolist()

    def _repr_html_(self) -> str:
        return "<h4>等级稳健性 (grade robustness)</h4>" + self.table.to_html(index=False)


def robustness(data, variants: dict | None = None, scheme="mof-2020-project", aggregation: str = "trimmed",
               trim: int = 1, **scheme_overrides) -> Robustness:
    """Re-run :func:`evaluate` under each convention variant and compare grades with the baseline.

    variants: name → (label, settings) like :data:`CONVENTION_VARIANTS` (the default); the
    settings override ``aggregation``/``trim`` or scheme fields. The baseline is ``evaluate``
    with the arguments given here.
    """
    d = _as_data(data)
    variants = dict(CONVENTION_VARIANTS if variants is None else variants)
    variants.setdefault("baseline", (CONVENTION_VARIANTS["baseline"][0], {}))
    base_settings = {"aggregation": aggregation, "trim": trim, **scheme_overrides}
    grades, totals = {}, {}
    base_grades = get_scheme(scheme, **scheme_overrides).grades
    for name, (_label, settings) in variants.items():  # a handful of conventions
        settings = dict(settings)
        if "grades_on" in settings:  # the same bands and labels, only the grading basis changes
            settings["grades"] = dataclasses.replace(base_grades, on=settings.pop("grades_on"))
        run = evaluate(d, scheme=scheme, with_agreement=False, **{**base_settings, **settings})
        t = run.totals.set_index("project_id")
        grades[name], totals[name] = t["grade"], t["total"]
        labels = list(run.scorecard.scheme.grades.labels)
    grade_frame, total_frame = pd.DataFrame(grades), pd.DataFrame(totals)
    base = grade_frame["baseline"]
    records = []
    for name, (label, _settings) in variants.items():
        changed = grade_frame.index[grade_frame[name] != base].tolist()
        counts = grade_frame[name].value_counts().reindex(labels, fill_value=0)
        records.append({"variant": name, "label": label, **{f"n_{g}": int(counts[g]) for g in labels},
                        "n_changed": len(changed), "changed": ",".join(changed)})
    return Robustness(table=pd.DataFrame(records), grades=grade_frame.reset_index(),
                      totals=total_frame.reset_index(),
                      conventions={"基准 (baseline)": base_settings, "scheme": str(scheme)})


__all__ = ["KeyEvaluation", "KeyEvaluationData", "Robustness", "CONVENTION_VARIANTS", "evaluate", "load",
           "robustness"]
