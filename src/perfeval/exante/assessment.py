"""The ex-ante assessment itself: a panel's ratings → item, dimension and total scores → a conclusion.

`assess` takes the experts' scores as a long frame (``project_id, expert, indicator`` and ``rating``
(优/良/中/差) or ``score``). ``indicator`` names what was scored, at one level per project: a leaf
of the system (code ``A101`` or its name), a dimension (``A`` or 立项必要性) or the total (``总分``).
A rating becomes points as the leaf's points × the rating's share (a setting: the system's
``grades``, 优 100 % / 良 80 % / 中 60 % / 差 40 % by default, a practice convention — domain.md §3).

Each (project, indicator) is combined over the experts by :func:`perfeval.panel.aggregate` (mean,
trimmed mean or median), then summed up to dimensions and the total. With the mean this total is
the mean of the experts' totals (the published case: five experts whose totals average 80). The
conclusion comes from a named :class:`~.rules.ConclusionRule` on the unrounded total; an optional
floor per dimension ("单项底线") keeps a project with one very weak dimension out of the top band.
The weak dimensions (score below ``weak_below`` of their points) are listed; the suggested amount is
the requested amount less the items the panel found uneconomic (``cuts``), 0 when not supported.
Every step is a frame operation over all projects at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import compare
from .. import panel as _panel
from .._frames import numeric_column
from .._matrix import MethodResult
from ..conventions import ROUNDINGS, apply_rounding
from ..errors import InputError, Location
from .rules import OUTCOMES, ConclusionRule, get_rule

SCORE_COLUMNS = ("project_id", "expert", "indicator")
TOTAL_WORDS = ("总分", "合计", "total", "综合得分")
DEFAULT_RATINGS = {"优": 1.0, "良": 0.8, "中": 0.6, "差": 0.4}
LEVEL_LABELS = {"item": "逐项评分", "dimension": "按维度评分", "total": "只给总分"}
WEAK_BELOW = 0.8


@dataclass(frozen=True, kw_only=True)
class ExanteAssessment(MethodResult):
    """Per project: totals and conclusion; per dimension and item: the panel's combined scores.

    ``totals``: project_id, project_name, total, conclusion, outcome, band, rule_text, weak,
    n_experts, level, requested, cut, suggested, margin, kendall_w, icc_2_k, agreement_note.
    ``dimensions``: project_id, code, dimension, points, score, rate, weak.
    ``items``: project_id, code, dimension, item, points, score, min, max, std, n_experts.
    ``experts``: project_id, expert, each dimension's subtotal and the expert's total.
    ``scores`` (the cleaned long input), ``cuts``, ``opinions``; ``rule`` the conclusion rule;
    ``ratings`` the share of an item's points per rating.
    """

    totals: pd.DataFrame
    dimensions: pd.DataFrame
    items: pd.DataFrame
    experts: pd.DataFrame
    scores: pd.DataFrame
    cuts: pd.DataFrame
    opinions: pd.DataFrame
    rule: ConclusionRule
    system_title: str
    ratings: dict

    @property
    def project_ids(self) -> list[str]:
        return self.totals["project_id"].tolist()

    def project(self, project_id) -> "ExanteAssessment":
        """The same result restricted to one project (an unknown id is an InputError listing the valid ones)."""
        pid = str(project_id)
        if pid not in set(self.project_ids):
            raise InputError("事前评估结果中没有这个项目 (unknown project)", expected="、".join(self.project_ids),
                             found=pid)
        pick = {name: getattr(self, name)[getattr(self, name)["project_id"] == pid].reset_index(drop=True)
                for name in ("totals", "dimensions", "items", "experts", "scores", "cuts", "opinions")}
        return ExanteAssessment(**pick, rule=self.rule, system_title=self.system_title, ratings=self.ratings,
                                conventions=self.conventions, tables=self.tables)

    def to_frame(self, chinese: bool = True) -> pd.DataFrame:
        """One row per project; Chinese headers, money in 万元 (two decimals) when ``chinese``."""
        t = self.totals
        if not chinese:
            return t.copy()
        return pd.DataFrame({
            "项目编码": t["project_id"], "项目名称": t["project_name"], "总分": t["total"].round(2),
            "评估结论": t["conclusion"], "薄弱维度": t["weak"], "专家数": t["n_experts"],
            "申请金额（万元）": (t["requested"] / 1e4).round(2), "核减（万元）": (t["cut"] / 1e4).round(2),
            "建议安排（万元）": (t["suggested"] / 1e4).round(2)})

    def _repr_html_(self) -> str:
        from ..display import table_html

        return (f"<b>事前绩效评估</b>（{self.system_title}；{self.rule.title}）"
                + table_html(self.to_frame().assign(总分=lambda f: f["总分"].map(lambda v: f"{v:.2f}"))))


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------

def _system(system):
    from ..systems import IndicatorSystem, load_system

    sys_ = system if isinstance(system, IndicatorSystem) else load_system(system)
    frame = sys_.to_frame()
    dims = frame[frame["depth"] == 1][["code", "name", "points"]].rename(columns={"name": "dimension"})
    leaves = sys_.leaves()
    first = leaves["rule_params"].map(lambda p: dict(p).get("grades") if p else None).dropna()
    grades = {str(k): float(v) for k, v in dict(first.iloc[0]).items()} if len(first) else dict(DEFAULT_RATINGS)
    leaves = leaves.assign(dimension=leaves["level1"],
                           dim_code=leaves["code"].map(_ancestor(frame)))[["code", "dim_code", "dimension",
                                                                            "level2", "level3", "points"]]
    return sys_, dims.reset_index(drop=True), leaves, grades


def _ancestor(frame: pd.DataFrame) -> dict:
    """Leaf code → code of its level-1 ancestor (walking parent links, one step per level)."""
    parent = dict(zip(frame["code"], frame["parent_code"]))
    depth = dict(zip(frame["code"], frame["depth"]))
    out = {}
    for code in frame["code"]:  # a few dozen nodes
        c = code
        while depth[c] > 1:
            c = parent[c]
        out[code] = c
    return out


def _ratings(ratings, default: dict) -> dict:
    shares = dict(default if ratings is None else ratings)
    bad = {k: v for k, v in shares.items() if not (isinstance(v, (int, float)) and 0 <= float(v) <= 1)}
    if not shares or bad:
        raise InputError("评分档次须换算为 0 至 1 之间的得分比例 (rating shares must lie in 0…1)",
                         expected="如 {'优': 1.0, '良': 0.8, '中': 0.6, '差': 0.4}", found=bad or shares)
    return {str(k).strip(): float(v) for k, v in shares.items()}


def _resolve(long: pd.DataFrame, dims: pd.DataFrame, leaves: pd.DataFrame, file: str) -> pd.DataFrame:
    """Map each row's indicator to (level, code, points); a project scored at two levels is an error."""
    text = long["indicator"].astype(str).str.strip()
    table = pd.concat([
        pd.DataFrame({"key": leaves["code"], "level": "item", "code": leaves["code"], "points": leaves["points"]}),
        pd.DataFrame({"key": leaves["level3"], "level": "item", "code": leaves["code"], "points": leaves["points"]}),
        pd.DataFrame({"key": dims["code"], "level": "dimension", "code": dims["code"], "points": dims["points"]}),
        pd.DataFrame({"key": dims["dimension"], "level": "dimension", "code": dims["code"], "points": dims["points"]}),
        pd.DataFrame({"key": list(TOTAL_WORDS), "level": "total", "code": "总分",
                      "points": float(dims["points"].sum())}),
    ]).drop_duplicates("key")
    found = pd.DataFrame({"key": text}).merge(table, on="key", how="left")
    unknown = found["level"].isna().to_numpy()
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise InputError("评分指向体系中不存在的指标 (unknown indicator)",
                         where=Location(file=file, row=i + 2, column="indicator"),
                         expected="末级指标编码或名称（如 A101）、维度（如 立项必要性）或 总分", found=text.iloc[i])
    out = long.assign(level=found["level"].to_numpy(), code=found["code"].to_numpy(),
                      points=found["points"].to_numpy(dtype=float))
    levels = out.groupby("project_id")["level"].nunique()
    if (levels > 1).any():
        pid = levels.index[levels > 1][0]
        mixed = "、".join(LEVEL_LABELS[x] for x in sorted(out.loc[out.project_id == pid, "level"].unique()))
        raise InputError("同一项目的评分须在同一层级（逐项、维度或总分）(one level per project)",
                         where=Location(file=file, column="indicator"), found=f"项目 {pid}：{mixed}")
    return out


def _clean_scores(scores: pd.DataFrame, dims, leaves, grades: dict, file: str) -> pd.DataFrame:
    """The long frame with level, code, points and a numeric score in points."""
    if not isinstance(scores, pd.DataFrame):
        raise InputError("专家评分须为 DataFrame (scores must be a DataFrame)",
                         expected="列 project_id, expert, indicator, rating 或 score", found=type(scores).__name__)
    missing = [c for c in SCORE_COLUMNS if c not in scores.columns]
    if missing or not ({"rating", "score"} & set(scores.columns)):
        raise InputError("专家评分缺少列 (missing columns)", where=Location(file=file),
                         expected="project_id, expert, indicator，以及 rating（优/良/中/差）或 score（分）",
                         found=", ".join(map(str, scores.columns)))
    long = scores.reset_index(drop=True).copy()
    for column in SCORE_COLUMNS:
        blank = long[column].isna() | (long[column].astype(str).str.strip() == "")
        if blank.any():
            i = int(np.flatnonzero(blank.to_numpy())[0])
            raise InputError("标识列有空值 (missing identifier)", where=Location(file=file, row=i + 2, column=column),
                             expected="非空", found=None)
        long[column] = long[column].astype(str).str.strip()
    long = _resolve(long, dims, leaves, file)
    given = numeric_column(long, "score", file=file, first_row=2) if "score" in long else np.full(len(long), np.nan)
    rating = long["rating"].astype(object).where(long["rating"].notna(), "").astype(str).str.strip() \
        if "rating" in long else pd.Series("", index=long.index)
    share = rating.map(grades).to_numpy(dtype=float)
    unknown = (rating != "").to_numpy() & np.isnan(share)
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise InputError("评分档次无法识别 (unknown rating)", where=Location(file=file, row=i + 2, column="rating"),
                         expected=" / ".join(grades), found=rating.iloc[i])
    value = np.where(np.isnan(given), share * long["points"].to_numpy(dtype=float), given)
    if np.isnan(value).any():
        i = int(np.flatnonzero(np.isnan(value))[0])
        raise InputError("评分为空 (no rating or score)", where=Location(file=file, row=i + 2),
                         expected="rating（优/良/中/差）或 score（分）", found=None)
    out_of_range = compare.lt(value, 0) | compare.gt(value, long["points"].to_numpy(dtype=float))
    if out_of_range.any():
        i = int(np.flatnonzero(out_of_range)[0])
        raise InputError("评分超出 0 至分值的范围 (score outside 0…points)",
                         where=Location(file=file, row=i + 2, column="score"),
                         expected=f"0 ≤ 评分 ≤ {long.at[i, 'points']:g}", found=value[i])
    long["score"] = value
    long["rating"] = rating.where(rating != "", None)
    dup = long.duplicated(["project_id", "code", "expert"], keep=False)
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError("同一专家对同一指标评分多次 (duplicate score)", where=Location(file=file, row=i + 2),
                         found=f"项目 {long.at[i, 'project_id']}，指标 {long.at[i, 'indicator']}，专家 {long.at[i, 'expert']}")
    _check_complete(long, dims, leaves, file)
    return long[["project_id", "expert", "indicator", "level", "code", "points", "rating", "score"]]


def _check_complete(long: pd.DataFrame, dims, leaves, file: str) -> None:
    """Every expert of a project scored every indicator of its level (a sum over part of a sheet is no total)."""
    expected = pd.concat([pd.DataFrame({"level": "item", "code": leaves["code"]}),
                          pd.DataFrame({"level": "dimension", "code": dims["code"]}),
                          pd.DataFrame({"level": ["total"], "code": ["总分"]})])
    panel = long[["project_id", "expert", "level"]].drop_duplicates()
    need = panel.merge(expected, on="level")
    have = long[["project_id", "expert", "code"]].assign(_ok=True)
    gap = need.merge(have, on=["project_id", "expert", "code"], how="left")
    gap = gap[gap["_ok"].isna()]
    if len(gap):
        first = gap.iloc[0]
        raise InputError("专家评分不完整 (incomplete score sheet)", where=Location(file=file),
                         expected="每位专家对该项目同一层级的全部指标评分",
                         found=f"项目 {first['project_id']} 专家 {first['expert']} 缺少 {first['code']}（共缺 {len(gap)} 项）")


def _amounts(candidates, cuts, ids: list[str], files: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(project_id, project_name, requested) and the cuts (project_id, item, amount, reason), checked.

    ``files`` names where the tables came from (``candidates``, ``cuts``: the real paths when read
    from a data folder) for the errors: a blank or negative requested amount of an assessed project,
    a cut of a project that is not a candidate, a negative cut.
    """
    files = {"candidates": "candidates", "cuts": "cuts", **(files or {})}
    if candidates is None:
        cand = pd.DataFrame({"project_id": ids, "project_name": None, "requested": np.nan})
    else:
        cand = candidates.copy().reset_index(drop=True)
        cand["project_id"] = cand["project_id"].astype(str).str.strip()
        if "project_name" not in cand:
            cand["project_name"] = None
        if "requested" in cand:
            cand["requested"] = numeric_column(cand, "requested", file=files["candidates"], first_row=2)
            assessed = cand["project_id"].isin(ids).to_numpy()
            bad = assessed & (np.isnan(cand["requested"].to_numpy()) | compare.lt(cand["requested"].fillna(0), 0))
            if bad.any():  # a blank would make the suggestion NaN, a negative one a wrong number
                i = int(np.flatnonzero(bad)[0])
                raise InputError("已评估项目的申请金额须为非负数，不能为空 (requested must be a non-negative amount)",
                                 where=Location(file=files["candidates"], row=i + 2, column="requested"),
                                 expected="非负金额（元）", found=_shown(candidates["requested"].iloc[i]))
        else:
            cand["requested"] = np.nan
        absent = [i for i in ids if i not in set(cand["project_id"])]  # scored but not a candidate: no amount
        if absent and "requested" in candidates:
            raise InputError("已评分的项目不在候选项目表中，无法确定申请金额 (scored project missing from candidates)",
                             where=Location(file=files["candidates"], column="project_id"),
                             expected="专家评分中的每个项目各占一行", found="、".join(absent))
        cand = cand[["project_id", "project_name", "requested"]]
    if cuts is None or len(cuts) == 0:
        cut = pd.DataFrame({"project_id": pd.Series(dtype=object), "item": pd.Series(dtype=object),
                            "amount": pd.Series(dtype=float), "reason": pd.Series(dtype=object)})
    else:
        cut = cuts.copy().reset_index(drop=True)
        for column in ("project_id", "item", "amount"):
            if column not in cut:
                raise InputError("核减明细缺少列 (cuts: missing column)", where=Location(file=files["cuts"]),
                                 expected="project_id, item, amount, reason", found=", ".join(map(str, cut.columns)))
        cut["project_id"] = cut["project_id"].astype(str).str.strip()
        known = cand["project_id"].tolist() if candidates is not None else list(ids)
        stray = ~cut["project_id"].isin(known).to_numpy()
        if stray.any():  # a cut that matches no candidate would be dropped: the suggestion would be too high
            i = int(np.flatnonzero(stray)[0])
            raise InputError("核减明细中的项目编码不在候选项目中 (cut for an unknown project)",
                             where=Location(file=files["cuts"], row=i + 2, column="project_id"),
                             expected="、".join(map(str, known)), found=cut["project_id"].iloc[i])
        cut["amount"] = numeric_column(cut, "amount", file=files["cuts"], first_row=2, required=True)
        if "reason" not in cut:
            cut["reason"] = None
        if compare.lt(cut["amount"], 0).any():
            i = int(np.flatnonzero(compare.lt(cut["amount"], 0))[0])
            raise InputError("核减金额不能为负 (negative cut)",
                             where=Location(file=files["cuts"], row=i + 2, column="amount"), found=cut["amount"].iloc[i])
        cut = cut[["project_id", "item", "amount", "reason"]].reset_index(drop=True)
    return cand, cut


def _shown(value):
    return "（空）" if value is None or (isinstance(value, float) and np.isnan(value)) else value


# --------------------------------------------------------------------------------------------
# the assessment
# --------------------------------------------------------------------------------------------

def assess(expert_scores, system="exante", method: str = "mean", thresholds="default", *, ratings=None,
           trim: int = 1, weak_below: float = WEAK_BELOW, floor: float | None = None, candidates=None,
           cuts=None, opinions=None, rounding: str = "half_up_2dp") -> ExanteAssessment:
    """Assess every project of ``expert_scores`` (or of an :class:`~.data.ExanteData` / data folder).

    ``method``: how the experts' scores of an indicator are combined (``mean``, ``trimmed`` —
    ``trim`` highest and lowest dropped — or ``median``). ``thresholds``: a preset of
    :data:`~.rules.THRESHOLDS` (``default``, ``local-60``), a :class:`~.rules.ConclusionRule` or a
    dict. ``ratings``: share of the points per rating (default: the system's grades).
    ``weak_below``: a dimension scoring below this share of its points is weak. ``floor``: if a
    share is given, a project with a dimension below it cannot reach the top band (off by
    default: no source). ``candidates``: project_id, project_name, requested (元); ``cuts``:
    project_id, item, amount (元), reason — the items found uneconomic; ``opinions``: the experts'
    written opinions, carried for reports. ``rounding`` names how scores are shown; the conclusion
    is drawn from the unrounded total.
    """
    from .data import FILES, FOLDER, ExanteData, load

    source = "expert_scores"
    files = None
    if isinstance(expert_scores, (str, bytes)) or hasattr(expert_scores, "__fspath__"):
        expert_scores = load(expert_scores)
    if isinstance(expert_scores, ExanteData):
        data = expert_scores
        candidates = data.candidates if candidates is None else candidates
        cuts = data.cuts if cuts is None else cuts
        opinions = data.opinions if opinions is None else opinions
        expert_scores, source = data.scores, data.scores_file
        if data.source != "frames":
            files = {k: str(Path(data.source) / FOLDER / FILES[k]) for k in ("candidates", "cuts")}
    if method not in ("mean", "trimmed", "median"):
        raise InputError("未知的专家分合成方法 (unknown method)", expected="mean / trimmed / median", found=method)
    if not (isinstance(weak_below, (int, float)) and 0 < weak_below <= 1):
        raise InputError("薄弱维度的得分率界限须在 0 到 1 之间 (weak_below in (0, 1])", found=weak_below)
    if floor is not None and not (isinstance(floor, (int, float)) and 0 < floor <= 1):
        raise InputError("单项底线须在 0 到 1 之间 (floor in (0, 1])", found=floor)
    apply_rounding(0.0, rounding)  # an unknown rounding name is an error before any work
    rule = get_rule(thresholds)
    sys_, dims, leaves, grades = _system(system)
    shares = _ratings(ratings, grades)
    long = _clean_scores(expert_scores, dims, leaves, shares, source)

    combined = _panel.aggregate(long.rename(columns={"code": "_c"}).assign(indicator=lambda f: f["_c"]),
                                method=method, trim=trim).table
    cells = long.drop_duplicates(["project_id", "code"])[["project_id", "code", "level", "points"]]
    cells = cells.merge(combined.rename(columns={"indicator": "code"}), on=["project_id", "code"], how="left")
    dims_t, items = _dimension_scores(cells, dims, leaves, weak_below)
    totals = _totals(cells, dims_t, long, rule, weak_below, floor)
    ids = totals["project_id"].tolist()
    cand, cut = _amounts(candidates, cuts, ids, files)
    totals = _suggested(totals, cand, cut, files)
    totals = _agreement(totals, long)
    experts = _expert_totals(long, leaves)
    opinions = _opinions(opinions, ids)
    show = {c: apply_rounding(totals[c], rounding) for c in ("total",)}
    conventions = {
        "指标体系 (system)": sys_.title,
        "评分档次换算 (ratings)": "；".join(f"{k} {v:.0%}" for k, v in shares.items()) + "（得该项分值的比例）",
        "专家分合成 (panel aggregation)": _panel.AGGREGATION_RULES[method].format(trim=trim)
        + "；逐项合成后加总为维度得分和总分",
        "结论规则 (conclusion rule)": f"{rule.title}：{rule.describe()}",
        "规则来源 (rule source)": rule.source,
        "薄弱维度 (weak dimension)": f"维度得分低于该维度分值的 {weak_below:.0%}",
        "单项底线 (dimension floor)": ("不设" if floor is None else
                                     f"任一维度得分低于该维度分值的 {floor:.0%} 时，结论不高于“{rule.labels[min(1, len(rule.labels) - 1)]}”"),
        "建议安排金额 (suggested amount)": "申请金额减去专家组认定不经济的核减项目；结论为不予支持的，建议安排 0",
        "得分取舍 (rounding)": ROUNDINGS[rounding].split(" (")[0],
        "定级依据 (graded on)": "按未取舍总分得出结论，恰好等于分数线的按达到计",
    }
    return ExanteAssessment(totals=totals.assign(total_shown=show["total"]), dimensions=dims_t, items=items,
                            experts=experts, scores=long, cuts=cut[cut["project_id"].isin(ids)].reset_index(drop=True),
                            opinions=opinions, rule=rule, system_title=sys_.title, ratings=shares, conventions=conventions,
                            tables={"combined": combined})


def _dimension_scores(cells: pd.DataFrame, dims: pd.DataFrame, leaves: pd.DataFrame, weak_below: float):
    """Dimension scores (items summed; a dimension scored directly kept) and the item table."""
    item_cells = cells[cells["level"] == "item"].merge(leaves, on="code", suffixes=("", "_leaf"))
    items = item_cells[["project_id", "code", "dimension", "level2", "level3", "points", "score", "min", "max",
                        "std", "n_experts"]].rename(columns={"level3": "item"})
    from_items = item_cells.groupby(["project_id", "dim_code"], sort=False)["score"].sum().rename("score")
    from_items = from_items.reset_index().rename(columns={"dim_code": "code"})
    direct = cells[cells["level"] == "dimension"][["project_id", "code", "score"]]
    scored = pd.concat([from_items, direct], ignore_index=True)
    out = scored.merge(dims, on="code")
    out["rate"] = out["score"] / out["points"]
    out["weak"] = compare.lt(out["rate"], weak_below)
    order = {c: i for i, c in enumerate(dims["code"])}
    out = out.assign(_o=out["code"].map(order)).sort_values(["project_id", "_o"], kind="stable").drop(columns="_o")
    return out[["project_id", "code", "dimension", "points", "score", "rate", "weak"]].reset_index(drop=True), \
        items.reset_index(drop=True)


def _totals(cells, dims_t, long, rule: ConclusionRule, weak_below, floor) -> pd.DataFrame:
    projects = long.drop_duplicates("project_id")[["project_id", "level"]]
    by_dims = dims_t.groupby("project_id", sort=False)["score"].sum()
    direct = cells[cells["level"] == "total"].set_index("project_id")["score"]
    total = projects["project_id"].map(by_dims).fillna(projects["project_id"].map(direct)).to_numpy(dtype=float)
    band = rule.index(total)
    why = np.array([f"{rule.band_text(b)}" for b in band], dtype=object)
    if floor is not None:
        low = dims_t[compare.lt(dims_t["rate"], floor)]
        first_low = low.groupby("project_id", sort=False)["dimension"].first()
        hit = projects["project_id"].map(first_low)
        capped = hit.notna().to_numpy() & (band == 0)
        if capped.any():
            band = np.where(capped, 1, band)
            why = np.where(capped, "总分虽达到最高档，但" + hit.astype(object).fillna("").to_numpy(dtype=object)
                           + f"得分低于其分值的 {floor:.0%}（单项底线）", why)
    weak = dims_t[dims_t["weak"]].sort_values(["project_id", "rate"], kind="stable")
    weak_names = weak.groupby("project_id", sort=False)["dimension"].agg("、".join)
    n_experts = long.groupby("project_id", sort=False)["expert"].nunique()
    labels = np.asarray(rule.labels, dtype=object)[band]
    outcomes = np.asarray(rule.outcomes, dtype=object)[band]
    bounds = np.asarray(rule.lower_bounds, dtype=float)
    margin = np.abs(total[:, None] - bounds[None, :]).min(axis=1) if len(bounds) else np.full(len(total), np.nan)
    return pd.DataFrame({
        "project_id": projects["project_id"].to_numpy(), "total": total, "conclusion": labels, "outcome": outcomes,
        "band": band, "rule_text": [f"{w}，结论为“{lab}”" for w, lab in zip(why, labels)],
        "weak": _text(projects["project_id"].map(weak_names)),
        "n_experts": projects["project_id"].map(n_experts).to_numpy(dtype=int),
        "level": projects["level"].to_numpy(), "margin": margin})


def _text(values: pd.Series) -> np.ndarray:
    """Text with "" where missing (a mapped column that may be all missing, hence float)."""
    return values.astype(object).where(values.notna(), "").to_numpy(dtype=object)


def _suggested(totals: pd.DataFrame, cand: pd.DataFrame, cut: pd.DataFrame, files: dict | None = None) -> pd.DataFrame:
    out = totals.merge(cand.drop_duplicates("project_id"), on="project_id", how="left")
    cut_sum = cut.groupby("project_id")["amount"].sum()
    out["cut"] = out["project_id"].map(cut_sum).fillna(0.0)
    over = compare.gt(out["cut"], out["requested"])
    if over.any():
        i = int(np.flatnonzero(over)[0])
        raise InputError("核减金额超过申请金额 (cuts exceed the requested amount)",
                         where=Location(file=(files or {}).get("cuts", "cuts"), column="amount"),
                         expected=f"≤ {out.at[i, 'requested']:,.2f} 元", found=f"项目 {out.at[i, 'project_id']}："
                                                                           f"{out.at[i, 'cut']:,.2f} 元")
    supported = (out["outcome"] != "reject").to_numpy()
    out["suggested"] = np.where(supported, out["requested"] - out["cut"], 0.0)
    out.loc[out["requested"].isna(), "suggested"] = np.nan
    return out


def _agreement(totals: pd.DataFrame, long: pd.DataFrame) -> pd.DataFrame:
    """Kendall's W and ICC(2,k) per project over its items or dimensions (none for totals only)."""
    ranked = long[long["level"] != "total"]
    out = totals.assign(kendall_w=np.nan, icc_2_k=np.nan, agreement_note="")
    if len(ranked):
        agree = _panel.agreement(ranked.rename(columns={"code": "_c"}).assign(indicator=lambda f: f["_c"])
                                 [["project_id", "indicator", "expert", "score"]], across="indicators").table
        agree = agree.set_index("group")
        for column in ("kendall_w", "icc_2_k"):
            out[column] = out["project_id"].map(agree[column])
        out["agreement_note"] = out["project_id"].map(agree["note"]).astype(object).fillna("")
    only_total = (out["level"] == "total").to_numpy()
    out.loc[only_total, "agreement_note"] = "专家只给出总分，无法计算评分一致性"
    return out


def _expert_totals(long: pd.DataFrame, leaves: pd.DataFrame) -> pd.DataFrame:
    """Each expert's subtotal per dimension and total (the panel's sheet, for the appendix)."""
    dim_of = pd.concat([leaves.set_index("code")["dim_code"],
                        pd.Series(leaves["dim_code"].unique(), index=leaves["dim_code"].unique())])
    dim_of = dim_of[~dim_of.index.duplicated()]
    keyed = long.assign(dim=long["code"].map(dim_of).fillna("总分"))
    wide = keyed.pivot_table(index=["project_id", "expert"], columns="dim", values="score", aggfunc="sum",
                             sort=False)
    wide["total"] = keyed.groupby(["project_id", "expert"], sort=False)["score"].sum()
    return wide.reset_index().rename_axis(columns=None)


def _opinions(opinions, ids: list[str]) -> pd.DataFrame:
    columns = ["project_id", "expert", "dimension", "opinion"]
    if opinions is None or len(opinions) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    o = opinions.copy()
    if "opinion" not in o or "project_id" not in o:
        raise InputError("专家意见表缺少列 (opinions: missing column)", where=Location(file="opinions"),
                         expected="project_id, expert, dimension, opinion", found=", ".join(map(str, o.columns)))
    for column in columns:
        if column not in o:
            o[column] = None
    o["project_id"] = o["project_id"].astype(str).str.strip()
    o = o[o["project_id"].isin(ids) & o["opinion"].notna()]
    return o[columns].reset_index(drop=True)


def outcome_label(outcome) -> str:
    """The outcome in words (支持 / 调整完善后支持 / 不予支持)."""
    return OUTCOMES.get(outcome, "")


__all__ = ["ExanteAssessment", "assess", "outcome_label", "DEFAULT_RATINGS", "WEAK_BELOW"]
