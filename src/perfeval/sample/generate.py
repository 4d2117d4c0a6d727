"""The seeded generator of the sample city 示例市 (budget year 2021).

``build_city(seed)`` tells the story in memory (frames only, about a second); ``write_city(city,
out, limit=None)`` writes it; ``generate(seed, out, limit)`` does both. The story is the seed
report's: 187 self-evaluated projects of about forty departments, every final execution rate
≥ 95 % after year-end recovery; June-end laggards and October-end zero-spend projects in the
monthly payments; 23 key evaluations in five sectors with 20.33 亿元 and 10 优 / 13 良 from the
panel and the data, with the panel's written comments (评议意见) on every panel indicator that lost
points; deviation reasons that fit their indicators; a handful of planted imperfections in the
self-evaluation forms.

Randomness comes from one ``numpy.random.default_rng(seed)`` drawn in a fixed order, so the same
seed gives the same city, and every file is written byte-reproducibly (sorted rows, fixed float
format, xlsx with fixed timestamps). ``limit`` writes the per-project workbooks of the first N
projects only (and the self-evaluation CSVs of those forms) — the city-wide CSVs are always
complete — which lets a test regenerate a subset quickly and compare bytes.
"""
from __future__ import annotations

import hashlib
import json
import string
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import keyeval
from ..conventions import GradeBands, apply_rounding
from ..errors import InputError, Location
from ..io import SelfEvaluationForm, forms_to_frames, read_self_evaluation, write_self_evaluation
from ..io import _xlsx as X
from ..io.selfeval_model import MONEY_COLUMNS, ROW_COLUMNS
from ..systems import load_system
from ..systems.model import thaw
from ..targets import parse_values
from . import monitoring as monitoring_extras
from . import next_year
from . import story as S
from .files import number_text, step_decimals, write_csv, write_declaration

DEFAULT_SEED = 2021
KEY_TOTAL_YUAN = 2_033_000_000           # 20.33 亿元 of key-evaluated full-year budgets
N_JUNE_LAGGING_KEY = 2                   # key projects behind schedule at the end of June
N_JUNE_LAGGING_OTHER = 9                 # other laggards (3 of them end below 95 % and are recovered)
N_LAGGING_RECOVERED = 3
N_OCTOBER_ZERO = 4                       # still at zero at the end of October
N_PARTIAL = 16                           # ordinary projects with one missed quantitative target
N_BASIC = 6                              # … with one qualitative target only 基本达到
N_WEAK = 4                               # … that missed three targets by a quarter to a half (良 on the form)
GRADE_MARGIN = 0.6                       # no key total within this distance of a grade boundary
ROBUST_VARIANTS = ("mean", "median", "int", "graded_on_rounded", "reverse_ratio")
MONEY_ROWS = ("年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金")


@dataclass(frozen=True)
class City:
    """The sample city in memory: every table the writer turns into files."""

    seed: int
    projects: pd.DataFrame       # one row per project (story columns included)
    rows: pd.DataFrame           # indicator rows of every project (form rows and key process rows)
    payments: pd.DataFrame       # project_id, month, amount
    key_indicators: pd.DataFrame
    panel_scores: pd.DataFrame
    panel_comments: pd.DataFrame  # project_id, indicator, comment: the panel's written opinions
    story: dict
    planning: dict | None = None  # the next budget year: ex-ante candidates, declarations, requests (next_year)
    monitoring: dict | None = None  # 直达资金, earlier years' payments, mid-year targets (sample.monitoring)

    @property
    def project_ids(self) -> list[str]:
        return self.projects["project_id"].tolist()


# --------------------------------------------------------------------------------------------
# small vectorised helpers
# --------------------------------------------------------------------------------------------

# the sample city's own settings (perfeval.settings): who issues its reports and when, and the score basis
CITY_SETTINGS = ("# 示例市的城市设置（perfeval init 会为自己的城市写出同样的文件）\n"
                 "city: 示例市\nyear: 2021\nbureau: 示例市财政局\nissuer: 示例市财政局\n"
                 "report_date: 2022-04-30\nmoney_unit: 万元\nscore_basis: reviewed\n")

def _round_step(x: np.ndarray, step: np.ndarray) -> np.ndarray:
    return np.round(np.round(np.asarray(x, float) / step) * step, 6)


def _floor_step(x: np.ndarray, step: np.ndarray) -> np.ndarray:
    return np.round(np.floor(np.asarray(x, float) / step + 1e-9) * step, 6)


def _split_points(total: np.ndarray, n: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Integer points per row: total split over n rows, the remainder to the first rows."""
    base = np.floor(total / n)
    return base + (rank < (total - base * n))


def _pick(rng, candidates: np.ndarray, k: int) -> np.ndarray:
    return np.sort(rng.choice(candidates, size=k, replace=False)) if k else np.array([], dtype=candidates.dtype)


# --------------------------------------------------------------------------------------------
# 1. the catalogue: departments, units, projects
# --------------------------------------------------------------------------------------------

def _catalogue(rng) -> pd.DataFrame:
    records = []
    for dept in S.DEPARTMENTS:  # forty departments, a few entries each
        for unit, kind, names in dept.projects:
            for name in names:
                key = name.startswith("★")
                sector = kind if key else S.TYPES[kind][0]
                records.append({"department_code": dept.code, "department": dept.name, "unit": unit,
                                "project_name": name[2:] if key else name, "sector": sector,
                                "spec_key": S.SECTOR_SYSTEMS[kind] if key else kind, "key_evaluation": key,
                                "key_grade": name[1] if key else None,
                                "system": S.SECTOR_SYSTEMS[kind] if key else None})
    projects = pd.DataFrame(records)
    n = len(projects)
    projects.insert(0, "project_id", [f"{S.ID_PREFIX}{i:03d}" for i in range(1, n + 1)])
    projects["manager"] = np.asarray(S.MANAGERS, dtype=object)[rng.integers(0, len(S.MANAGERS), n)]
    return projects


# --------------------------------------------------------------------------------------------
# 2. money: budgets, monthly payments, year-end recovery
# --------------------------------------------------------------------------------------------

def _budgets(rng, projects: pd.DataFrame) -> pd.DataFrame:
    p = projects.copy()
    n = len(p)
    key = p["key_evaluation"].to_numpy()
    n_key = int(key.sum())
    shares = 0.5 / n_key + 0.5 * rng.dirichlet(np.full(n_key, 2.0))
    key_amounts = np.floor(shares * KEY_TOTAL_YUAN / 1e4) * 1e4
    key_amounts[np.argmax(key_amounts)] += KEY_TOTAL_YUAN - key_amounts.sum()
    other = np.clip(np.exp(rng.normal(np.log(2.5e6), 1.0, n)), 2e5, 3e7)
    budget = np.round(other / 1e3) * 1e3
    budget[key] = key_amounts

    # spending profiles: who lags in June, who is still at zero in October, who ends below 95 %
    idx_key, idx_other = np.flatnonzero(key), np.flatnonzero(~key)
    lag_key = _pick(rng, idx_key, N_JUNE_LAGGING_KEY)
    chosen = _pick(rng, idx_other, N_JUNE_LAGGING_OTHER + N_OCTOBER_ZERO)
    order = rng.permutation(len(chosen))
    zero = np.sort(chosen[order[:N_OCTOBER_ZERO]])
    lag_other = np.sort(chosen[order[N_OCTOBER_ZERO:]])
    recovered_lag = _pick(rng, lag_other, N_LAGGING_RECOVERED)
    profile = np.full(n, "normal", dtype=object)
    profile[lag_key] = "june_lagging"
    profile[lag_other] = "june_lagging"
    profile[recovered_lag] = "lagging_recovered"
    profile[zero] = "october_zero"

    u = rng.random((2, n))
    june = np.where(profile == "normal", 0.42 + 0.20 * u[0], 0.08 + 0.24 * u[0])
    june[profile == "october_zero"] = 0.0
    final = np.minimum(1.0, 0.955 + 0.075 * u[1])
    final[key] = np.minimum(1.0, 0.965 + 0.055 * u[1][key])
    final[profile == "lagging_recovered"] = 0.82 + 0.11 * u[1][profile == "lagging_recovered"]
    final[profile == "october_zero"] = 0.35 + 0.5 * u[1][profile == "october_zero"]
    spent = np.round(final * budget / 100.0) * 100.0
    short = spent / budget < 0.95
    recovered = np.where(short, budget - spent, 0.0)
    p["budget_initial"] = budget
    p["budget_full_year"] = budget - recovered
    p["spent"] = spent
    p["recovered"] = recovered
    p["profile"] = profile
    p["june_share"] = june
    return p


def _payments(rng, p: pd.DataFrame) -> pd.DataFrame:
    """Monthly payments whose cumulative curve passes the June share and ends at the year's spending."""
    n = len(p)
    first = np.array([0.6, 0.8, 1.0, 1.0, 1.1, 1.2]) * np.exp(rng.normal(0, 0.35, (n, 6)))
    second = np.array([1.0, 1.0, 1.1, 1.2, 1.3, 2.2]) * np.exp(rng.normal(0, 0.35, (n, 6)))
    june = p["june_share"].to_numpy()
    share_final = p["spent"].to_numpy() / p["budget_initial"].to_numpy()
    curve = np.hstack([np.cumsum(first, axis=1) / first.sum(axis=1, keepdims=True) * june[:, None],
                       june[:, None] + np.cumsum(second, axis=1) / second.sum(axis=1, keepdims=True)
                       * (share_final - june)[:, None]])
    zero = (p["profile"] == "october_zero").to_numpy()
    late = np.array([1.0, 2.0]) * np.exp(rng.normal(0, 0.2, (n, 2)))
    late_curve = np.cumsum(late, axis=1) / late.sum(axis=1, keepdims=True) * share_final[:, None]
    curve[zero] = np.hstack([np.zeros((int(zero.sum()), 10)), late_curve[zero]])
    units = p["budget_initial"].to_numpy()[:, None] / 100.0        # payments are whole hundreds of 元
    cumulative = np.rint(curve * units)
    cumulative[:, -1] = p["spent"].to_numpy() / 100.0
    monthly = np.diff(np.hstack([np.zeros((n, 1)), cumulative]), axis=1) * 100.0
    return pd.DataFrame({"project_id": np.repeat(p["project_id"].to_numpy(), 12),
                         "month": np.tile(np.arange(1, 13), n), "amount": monthly.ravel()})


# --------------------------------------------------------------------------------------------
# 3. indicator rows: declared targets, actuals, self-evaluation scores
# --------------------------------------------------------------------------------------------

LEVEL2_ORDER = {k: i for i, k in enumerate(S.LEVEL2)}


def _spec_frame() -> pd.DataFrame:
    records = []
    for key, (_sector, specs) in S.TYPES.items():
        for seq, spec in enumerate(specs):
            records.append({"spec_key": key, "seq": seq, "code": None, "on_form": True, **spec._asdict()})
    for system, specs in S.KEY_SPECS.items():
        order = {c: i for i, c in enumerate(load_system(system).leaves()["code"])}
        for code, spec in S.PROCESS_SPECS.items():
            records.append({"spec_key": system, "seq": order[code], "code": code, "on_form": False,
                            **spec._asdict()})
        for code, spec in specs.items():
            records.append({"spec_key": system, "seq": order[code], "code": code, "on_form": True, **spec._asdict()})
    frame = pd.DataFrame(records)
    frame["l2_order"] = frame["level2"].map(LEVEL2_ORDER).fillna(-1)
    return frame


def _draw_rows(rng, p: pd.DataFrame) -> pd.DataFrame:
    """Targets and actuals (all met) for every indicator row of every project."""
    rows = p[["project_id", "spec_key", "key_evaluation", "key_grade"]].merge(_spec_frame(), on="spec_key")
    rows = rows.sort_values(["project_id", "on_form", "l2_order", "seq"], ascending=[True, False, True, True],
                            kind="stable").reset_index(drop=True)
    n = len(rows)
    u = rng.random((3, n))
    kind = rows["kind"].to_numpy()
    lo, hi, step = (rows[c].to_numpy(dtype=float) for c in ("lo", "hi", "step"))
    t = np.where(np.isin(kind, ["count", "ceiling", "fixed"]), _round_step(lo + u[0] * (hi - lo), step), lo)
    t = np.where(kind == "date", np.floor(lo + u[0] * (hi - lo + 1)), t)
    t = np.where(kind == "zero", 0.0, t)
    a = t.copy()
    grow = (kind == "count") & (hi > lo)
    a = np.where(grow, np.maximum(t, _round_step(t * (1 + 0.12 * u[1]), step)), a)
    above = (kind == "rate") & (rows["op"].to_numpy() == "≥")
    a = np.where(above, _round_step(t + (hi - t) * (0.15 + 0.8 * u[1]), step), a)
    a = np.where(kind == "sat", _round_step(t + (hi - t) * (0.1 + 0.85 * u[1]), step), a)
    a = np.where(kind == "date", t - (u[1] < 0.5), a)
    a = np.where(kind == "ceiling", np.minimum(t, _round_step(t * (0.9 + 0.1 * u[1]), step)), a)
    rows["t_value"], rows["a_value"], rows["u_miss"] = t, a, u[2]
    rows["met"] = True
    rows["basic"] = False
    return rows


def _texts(rows: pd.DataFrame) -> pd.DataFrame:
    """Target and actual cells as text (≥12.5公里, =100%, 2021年12月, 明显改善 …)."""
    kind = rows["kind"].to_numpy()
    dec = step_decimals(rows["step"].to_numpy(dtype=float))
    unit = rows["unit"].to_numpy(dtype=object)
    t_num = number_text(rows["t_value"].to_numpy(), dec) + unit
    a_num = number_text(rows["a_value"].to_numpy(), dec) + unit
    op = rows["op"].to_numpy(dtype=object)
    month_t = rows["t_value"].to_numpy(dtype=int).astype(str)
    month_a = rows["a_value"].to_numpy(dtype=int).astype(str)
    target = np.where(kind == "date", f"{S.YEAR}年" + month_t.astype(object) + "月", op + t_num)
    actual = np.where(kind == "date", f"{S.YEAR}年" + month_a.astype(object) + "月", a_num)
    is_text = kind == "text"
    target = np.where(is_text, rows["text"].to_numpy(dtype=object), target)
    actual = np.where(is_text, np.where(rows["basic"].to_numpy(), "基本达到", rows["text"].to_numpy(dtype=object)),
                      actual)
    return rows.assign(target=target, actual=actual)


def _misses(rng, rows: pd.DataFrame, p: pd.DataFrame) -> pd.DataFrame:
    """Missed targets: a few ordinary projects, and the shortfalls that make a key project 良."""
    rows = rows.copy()
    kind = rows["kind"].to_numpy()
    fine_grained = (rows["t_value"] / rows["step"] >= 20).to_numpy()   # a shortfall of a few % is visible
    eligible = (rows["on_form"].to_numpy() & fine_grained
                & ((kind == "count") & (rows["hi"] > rows["lo"]).to_numpy()
                   | (kind == "rate") & (rows["t_value"] > 0).to_numpy() | (kind == "sat")))
    key_row = rows["key_evaluation"].to_numpy(dtype=bool)
    # ordinary projects: one missed quantitative target (N_PARTIAL) or one qualitative 基本达到 (N_BASIC)
    ordinary = p.loc[~p["key_evaluation"], "project_id"].to_numpy()
    has_text = rows.loc[rows["kind"] == "text", "project_id"].unique()
    chosen = _pick(rng, ordinary, N_PARTIAL)
    basic = _pick(rng, np.setdiff1d(np.intersect1d(ordinary, has_text), chosen), N_BASIC)
    weak = _pick(rng, np.setdiff1d(ordinary, np.union1d(chosen, basic)), N_WEAK)
    cand = rows[eligible & np.isin(rows["project_id"], chosen)]
    miss_idx = cand.loc[cand.groupby("project_id")["u_miss"].idxmin()].index.to_numpy()
    text_rows = rows[(rows["kind"] == "text") & rows["project_id"].isin(basic)]
    basic_idx = text_rows.loc[text_rows.groupby("project_id")["u_miss"].idxmin()].index.to_numpy()
    weak_rows = rows[eligible & np.isin(rows["project_id"], weak)]
    weak_idx = weak_rows[weak_rows.groupby("project_id")["u_miss"].rank(method="first") <= 3].index.to_numpy()
    shortfall = np.zeros(len(rows))
    shortfall[miss_idx] = 0.03 + 0.12 * rng.random(len(miss_idx))
    shortfall[weak_idx] = 0.25 + 0.25 * rng.random(len(weak_idx))
    # key projects: 良 miss two or three targets by 3–15 %, 优 at most one by 1–4 %
    grade = rows["key_grade"].to_numpy(dtype=object)
    rank = rows.assign(_u=np.where(eligible & key_row, rows["u_miss"], np.inf)).groupby("project_id")["_u"].rank(
        method="first").to_numpy()
    n_key_miss = p.set_index("project_id")["key_grade"].map({"良": 2, "优": 0}).fillna(0)
    extra = pd.Series(rng.integers(0, 2, len(p)), index=p["project_id"])
    wanted = (n_key_miss + extra).reindex(rows["project_id"]).to_numpy()
    key_miss = eligible & key_row & (rank <= wanted)
    size = rng.random(len(rows))
    shortfall = np.where(key_miss & (grade == "良"), 0.03 + 0.12 * size, shortfall)
    shortfall = np.where(key_miss & (grade == "优"), 0.01 + 0.03 * size, shortfall)
    missed = shortfall > 0
    t = rows["t_value"].to_numpy()
    step = rows["step"].to_numpy(dtype=float)
    a_count = np.minimum(_floor_step(t * (1 - shortfall), step), t - step)
    a_rate = _round_step(t * (1 - shortfall), step)
    a_sat = np.minimum(_round_step(t - 0.5 - 25 * np.minimum(shortfall, 0.2), step), t - step)
    a = rows["a_value"].to_numpy()
    a = np.where(missed & (kind == "count"), a_count, a)
    a = np.where(missed & (kind == "rate"), np.minimum(a_rate, t - step), a)
    a = np.where(missed & (kind == "sat"), a_sat, a)
    rows["a_value"] = a
    rows["met"] = ~missed
    rows.loc[basic_idx, "basic"] = True
    return rows


def _choose(candidates: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Column of the k-th true cell per row, k = ⌊u × number of true cells⌋ (-1 where none is true)."""
    n = candidates.sum(axis=1)
    k = np.floor(u * n).astype(int)
    pos = np.argmax(np.cumsum(candidates, axis=1) > k[:, None], axis=1)
    return np.where(n > 0, pos, -1)


def _lagging(p: pd.DataFrame) -> pd.Series:
    """Projects whose spending lagged (by project_id): final execution below ``story.MONEY_LAG_RATE``, on the
    June or October monitoring list, or with money recovered at year end."""
    rate = p["spent"] / p["budget_full_year"]
    lag = (rate < S.MONEY_LAG_RATE) | (p["profile"] != "normal") | (p["recovered"] > 0)
    return pd.Series(lag.to_numpy(), index=p["project_id"].to_numpy())


def _reasons(rng, rows: pd.DataFrame, p: pd.DataFrame) -> np.ndarray:
    """A deviation reason for every row that lost points, fitting its indicator.

    The candidates of a row are the story's reasons of its 二级 category whose name and project
    patterns match and whose kind (quantitative / qualitative) fits; a money cause only where the
    project's spending lagged (:func:`_lagging`). The most specific candidates win
    (``Reason.priority``); one of them is drawn with the row's uniform number.
    """
    reason = np.full(len(rows), None, dtype=object)
    lost = (~rows["met"].to_numpy()) | rows["basic"].to_numpy()
    pick = rng.random(len(rows))
    sel = np.flatnonzero(lost)
    r = rows.iloc[sel]
    level2 = r["level2"].to_numpy(dtype=object)
    kind = np.where(r["kind"].to_numpy() == "text", "text", "num")
    names = r["name"].astype(str)
    project_names = r["project_id"].map(p.set_index("project_id")["project_name"]).astype(str)
    lag = r["project_id"].map(_lagging(p)).to_numpy(dtype=bool)
    table = S.REASONS
    fits = np.zeros((len(r), len(table)), dtype=bool)
    for j, item in enumerate(table):  # about a hundred texts, each matched against all rows at once
        ok = (level2 == item.level2) & ((item.kind == "") | (kind == item.kind))
        if item.match:
            ok &= names.str.contains(item.match, regex=True).to_numpy()
        if item.project:
            ok &= project_names.str.contains(item.project, regex=True).to_numpy()
        if item.money:
            ok &= lag
        fits[:, j] = ok
    priority = np.array([item.priority for item in table])
    best = np.where(fits, priority[None, :], -1).max(axis=1) if len(table) else np.full(len(r), -1)
    fits &= priority[None, :] == best[:, None]
    choice = _choose(fits, pick[sel])
    if (choice < 0).any():
        i = int(np.flatnonzero(choice < 0)[0])
        raise RuntimeError(f"示例市：没有适合指标“{names.iloc[i]}”（{level2[i]}）的偏差原因")
    reason[sel] = np.asarray([item.text for item in table], dtype=object)[choice]
    return reason


def _score_forms(rows: pd.DataFrame) -> pd.DataFrame:
    """Points on the form (产出 50 / 效益 30 / 满意度 10) and the unit's own scores."""
    rows = rows.copy()
    level = rows["level2"].map(lambda k: S.LEVEL2.get(k, (None, None)))
    rows["level1"] = [x[0] for x in level]
    rows["level2_name"] = [x[1] for x in level]
    form = rows["on_form"].to_numpy()
    key = ["project_id", "level1"]
    n = rows[form].groupby(key)["seq"].transform("size").reindex(rows.index).to_numpy()
    rank = rows[form].groupby(key).cumcount().reindex(rows.index).to_numpy()
    total = rows["level1"].map(S.LEVEL1_POINTS).to_numpy(dtype=float)
    points = np.where(form, _split_points(total, np.where(form, n, 1), np.where(form, rank, 0)), np.nan)
    t, a = rows["t_value"].to_numpy(), rows["a_value"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(t > 0, a / t, 1.0)
    partial = apply_rounding(np.clip(ratio, 0, 1) * points, "half_up_2dp")
    score = np.where(rows["met"].to_numpy(), points, partial)
    score = np.where(rows["basic"].to_numpy(), apply_rounding(0.9 * points, "half_up_2dp"), score)
    rows["points"] = points
    rows["score"] = np.where(form, score, np.nan)
    return rows


def _plant_flaws(rng, rows: pd.DataFrame, p: pd.DataFrame) -> tuple[pd.DataFrame, list[dict], dict]:
    """The imperfections a reviewer should find (a handful of ordinary projects).

    Returns the changed rows, the story's list of flaws and per-project total adjustments.
    """
    rows = rows.copy()
    all_met = rows.groupby("project_id")["met"].transform("all") & ~rows.groupby("project_id")["basic"].transform("any")
    clean = np.setdiff1d(p.loc[~p["key_evaluation"], "project_id"].to_numpy(),
                         rows.loc[~all_met, "project_id"].unique())
    kind = rows["kind"]
    growable = (kind == "count") & (rows["hi"] > rows["lo"]) & rows["on_form"] & (rows["t_value"] / rows["step"] >= 20)
    rate100 = (kind == "rate") & (rows["op"] == "=") & (rows["t_value"] == 100)
    sat_row = kind == "sat"
    plan = [("MISSING_REASON", growable), ("MISSING_REASON", growable), ("UNMET_FULL_MARKS", sat_row),
            ("UNMET_FULL_MARKS", growable), ("MET_BUT_DEDUCTED", rate100), ("TARGET_TOO_EASY", growable),
            ("SUM_MISMATCH", pd.Series(True, index=rows.index))]
    flaws, adjust, used = [], {}, set()
    for code, mask in plan:  # seven planted findings
        pool = np.setdiff1d(np.intersect1d(clean, rows.loc[mask, "project_id"].unique()), sorted(used))
        pid = str(rng.choice(pool))
        used.add(pid)
        idx = rows.index[mask & (rows["project_id"] == pid)][0]
        r = rows.loc[idx]
        t, w = float(r["t_value"]), float(r["points"])
        step = float(r["step"])
        if code == "MISSING_REASON":
            a = min(float(_floor_step(np.array([t * 0.9]), np.array([step]))[0]), t - step)
            rows.loc[idx, ["a_value", "met"]] = [a, False]
            rows.loc[idx, "score"] = apply_rounding(a / t * w, "half_up_2dp")
            note = "目标未完成并按比例扣分，偏差原因未填写"
        elif code == "UNMET_FULL_MARKS":
            a = round(t - 2.3, 1) if r["kind"] == "sat" else float(_floor_step(np.array([t * 0.85]),
                                                                               np.array([step]))[0])
            rows.loc[idx, ["a_value", "met"]] = [a, False]
            note = "目标未完成却自评满分，未说明原因"
        elif code == "MET_BUT_DEDUCTED":
            rows.loc[idx, "score"] = w - 2.0
            note = "目标已完成却扣 2 分，未说明原因"
        elif code == "TARGET_TOO_EASY":
            rows.loc[idx, "a_value"] = float(_round_step(np.array([t * 2.6]), np.array([step]))[0])
            note = "实际完成值为目标值的 2.6 倍，目标明显偏低"
        else:
            adjust[pid] = -3.0
            note = "表内总分比执行得分与各项得分之和少 3 分"
        flaws.append({"project_id": pid, "code": code, "level3": None if code == "SUM_MISMATCH" else r["name"],
                      "note": note})
    return rows, flaws, adjust


# --------------------------------------------------------------------------------------------
# 4. the key evaluations: leaves, targets, the panel
# --------------------------------------------------------------------------------------------

def _key_indicators(p: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    leaves = []
    for system in S.KEY_SPECS:  # five sector systems
        f = load_system(system).leaves()
        params = [json.dumps(thaw(v) if v is not None else {}, ensure_ascii=False, sort_keys=True)
                  for v in f["rule_params"]]
        leaves.append(f[["code", "level1", "level2", "level3", "points", "rule_kind", "scored_by"]]
                      .assign(system=system, rule_params=params, leaf_order=np.arange(len(f))))
    leaves = pd.concat(leaves, ignore_index=True)
    key = p.loc[p["key_evaluation"], ["project_id", "system"]]
    ind = key.merge(leaves, on="system")
    cells = rows.loc[rows["code"].notna(), ["project_id", "code", "target", "actual", "reason"]]
    ind = ind.merge(cells, on=["project_id", "code"], how="left")
    ind = ind.sort_values(["project_id", "leaf_order"], kind="stable").reset_index(drop=True)
    cols = ["project_id", "system", "code", "level1", "level2", "level3", "points", "rule_kind", "rule_params",
            "scored_by", "target", "actual", "reason"]
    return ind[cols]


def _process_cells(rng, rows: pd.DataFrame, p: pd.DataFrame) -> pd.DataFrame:
    """过程 indicators of key projects: 资金到位率, the final 预算执行率, 资金使用合规性."""
    rows = rows.copy()
    money = p.set_index("project_id")
    rate = (money["spent"] / money["budget_full_year"]).reindex(rows["project_id"]).to_numpy()
    b102 = (rows["code"] == "B102").to_numpy()
    rows.loc[b102, "actual"] = np.char.mod("%.2f%%", apply_rounding(rate[b102] * 100, "half_up_2dp"))
    b103 = (rows["code"] == "B103").to_numpy()
    grade = rows["key_grade"].to_numpy(dtype=object)
    violation = b103 & (grade == "良") & (rng.random(len(rows)) < 0.4)
    rows.loc[violation, "actual"] = "1项"
    rows.loc[violation, "reason"] = S.COMPLIANCE_NOTE
    return rows


def _panel_draw(rng, panel: pd.DataFrame, q: pd.Series) -> pd.DataFrame:
    """Five experts' scores (0.5 steps) around q × points per indicator, with each expert's leaning."""
    m = len(panel)
    qj = np.clip(q.reindex(panel["project_id"]).to_numpy() + rng.normal(0, 0.04, m), 0.3, 1.0)
    bias = np.asarray(S.EXPERT_BIAS)
    pts = panel["points"].to_numpy()
    raw = pts[:, None] * (qj[:, None] + bias[None, :] + rng.normal(0, 0.06, (m, len(S.EXPERTS))))
    scores = np.clip(np.round(raw * 2) / 2, 0, pts[:, None])
    return pd.DataFrame({"project_id": np.repeat(panel["project_id"].to_numpy(), len(S.EXPERTS)),
                         "indicator": np.repeat(panel["code"].to_numpy(), len(S.EXPERTS)),
                         "expert": np.tile(np.asarray(S.EXPERTS, dtype=object), m),
                         "score": scores.ravel()})


def _panel_scores(rng, ind: pd.DataFrame, p: pd.DataFrame) -> pd.DataFrame:
    """Panel scores that make each key project's grade the story's, robustly.

    A target total is drawn inside the grade (优 92–96, 良 83–87.5); the panel's level is set so
    that rule part + panel part meets it; then each project is redrawn until its total keeps
    ``GRADE_MARGIN`` from every boundary and no convention of ``ROBUST_VARIANTS`` changes its grade.
    """
    projects = p.loc[p["key_evaluation"]].set_index("project_id")
    panel = ind[ind["scored_by"] == "panel"][["project_id", "code", "points"]].reset_index(drop=True)
    zeros = panel.assign(score=0.0).rename(columns={"code": "indicator"})
    zeros = pd.DataFrame({"project_id": np.repeat(zeros["project_id"], len(S.EXPERTS)).to_numpy(),
                          "indicator": np.repeat(zeros["indicator"], len(S.EXPERTS)).to_numpy(),
                          "expert": np.tile(np.asarray(S.EXPERTS, dtype=object), len(zeros)), "score": 0.0})
    data = {"indicators": ind, "panel_scores": zeros, "projects": None}
    rule_part = keyeval.evaluate(data, with_agreement=False).totals.set_index("project_id")["total"]
    panel_points = panel.groupby("project_id")["points"].sum()
    grade = projects["key_grade"]
    u = pd.Series(rng.random(len(projects)), index=projects.index)
    target = np.where(grade == "优", 92.0 + 4.0 * u, 83.0 + 4.5 * u)
    target = pd.Series(target, index=projects.index)
    q = ((target - rule_part) / panel_points).clip(0.3, 0.97)
    scores = _panel_draw(rng, panel, q)
    variants = {k: keyeval.CONVENTION_VARIANTS[k] for k in ("baseline",) + ROBUST_VARIANTS}
    for attempt in range(300):
        data = {"indicators": ind, "panel_scores": scores, "projects": None}
        check = keyeval.robustness(data, variants=variants)
        base = check.grades.set_index("project_id")
        totals = check.totals.set_index("project_id")["baseline"]
        bands = GradeBands()
        margin = pd.Series(keyeval._margin(totals.to_numpy(), bands), index=totals.index)
        ok = (base["baseline"] == grade.reindex(base.index)) & (margin >= GRADE_MARGIN)
        for v in ROBUST_VARIANTS:
            ok &= base[v] == base["baseline"]
        bad = ok.index[~ok]
        if len(bad) == 0:
            return scores.sort_values(["project_id", "indicator", "expert"], kind="stable").reset_index(drop=True)
        centre = pd.Series(np.where(grade == "优", 94.0, 85.0), index=grade.index)
        q_new = ((centre - rule_part) / panel_points).clip(0.3, 0.97)
        redo = panel["project_id"].isin(bad).to_numpy()
        fresh = _panel_draw(rng, panel[redo], q_new)
        keep = ~scores["project_id"].isin(bad)
        scores = pd.concat([scores[keep], fresh], ignore_index=True)
    raise RuntimeError(f"示例市重点评价：300 次重抽后仍有项目等级不稳 ({', '.join(bad)})")


def _fill(template: str, facts: pd.DataFrame) -> pd.Series:
    """``template`` with its {fields} replaced by the columns of ``facts``, row by row."""
    out = pd.Series("", index=facts.index, dtype=object)
    for literal, field, _spec, _conv in string.Formatter().parse(template):  # a few parts
        out = out + literal
        if field:
            out = out + facts[field].astype(str)
    return out


def _fields(template: str) -> list[str]:
    return [field for _lit, field, _spec, _conv in string.Formatter().parse(template) if field]


def _comment_facts(p: pd.DataFrame, rows: pd.DataFrame, payments: pd.DataFrame) -> pd.DataFrame:
    """What the panel's comments may quote of each key project (text; "" where the data has nothing)."""
    key = p[p["key_evaluation"]].set_index("project_id")
    words = pd.DataFrame.from_dict(S.SECTOR_WORDS, orient="index")
    facts = words.reindex(key["sector"]).set_axis(key.index)
    facts["department"] = key["department"]
    facts["unit"] = key["unit"]
    facts["budget"] = number_text(key["budget_full_year"].to_numpy() / 1e4, np.full(len(key), 2))
    form = rows[rows["on_form"] & rows["key_evaluation"]]
    facts["n_targets"] = form.groupby("project_id").size().reindex(key.index).fillna(0).astype(int).astype(str)
    qual = form[form["kind"] == "text"].groupby("project_id")["name"]
    n_qual = qual.size().reindex(key.index).fillna(0).astype(int)
    facts["n_qual"] = np.where(n_qual > 0, n_qual.astype(str), "")
    facts["qual_target"] = ("“" + qual.first() + "”").reindex(key.index).fillna("")
    benefit = form[form["level1"] == "效益指标"].groupby("project_id")["name"].first()
    facts["benefit"] = ("“" + benefit + "”").reindex(key.index).fillna("")
    for column, missed in (("missed", form[~form["met"]]),
                           ("missed_benefit", form[~form["met"] & (form["level1"] == "效益指标")])):
        first = missed.groupby("project_id")[["name", "target", "actual"]].first()   # its first missed target
        line = "“" + first["name"] + "”年度指标值" + first["target"] + "、实际完成" + first["actual"]
        facts[column] = line.reindex(key.index).fillna("")
    paid = payments[payments["month"] <= 6].groupby("project_id")["amount"].sum().reindex(key.index)
    june = number_text(paid.to_numpy() / key["budget_initial"].to_numpy() * 100, np.full(len(key), 1)) + "%"
    facts["june"] = np.where(key["profile"] == "june_lagging", june, "")
    return facts


def _panel_comments(rng, key_ind: pd.DataFrame, panel: pd.DataFrame, p: pd.DataFrame, rows: pd.DataFrame,
                    payments: pd.DataFrame) -> pd.DataFrame:
    """The panel's agreed opinion (评议意见) on each panel indicator that lost points, and a short
    positive one on each that kept full marks.

    The combined score is the one :func:`perfeval.keyeval.evaluate` gives by default (trimmed
    mean, two decimals); the share of points lost picks the tier (``story.MINOR_SHARE`` …); one of
    the tier's texts for the indicator whose fields the project's data can fill is drawn.
    """
    run = keyeval.evaluate({"indicators": key_ind, "panel_scores": panel, "projects": None}, with_agreement=False)
    res = run.rows.loc[run.rows["scored_by"] == "panel", ["project_id", "code", "level3", "points", "score"]]
    res = res.reset_index(drop=True)
    share = ((res["points"] - res["score"]) / res["points"]).to_numpy(dtype=float)
    tier = np.select([share <= 1e-9, share < S.MINOR_SHARE, share < S.SERIOUS_SHARE],
                     ["praise", "minor", "moderate"], "serious")
    family = res["level3"].map(S.panel_family).to_numpy(dtype=object)
    facts = _comment_facts(p, rows, payments).reindex(res["project_id"]).reset_index(drop=True)
    facts["indicator"] = res["level3"].to_numpy(dtype=object)
    u = rng.random(len(res))
    templates = [(fam, t, text) for fam, tiers in S.PANEL_COMMENTS.items() for t, texts in tiers.items()
                 for text in texts]
    fits = np.zeros((len(res), len(templates)), dtype=bool)
    for j, (fam, t, text) in enumerate(templates):  # some seventy texts, each against all rows at once
        ok = (family == fam) & (tier == t)
        for field in _fields(text):
            ok &= (facts[field].astype(str) != "").to_numpy()
        fits[:, j] = ok
    choice = _choose(fits, u)
    if (choice < 0).any():
        i = int(np.flatnonzero(choice < 0)[0])
        raise RuntimeError(f"示例市：没有适合专家评议指标“{res.at[i, 'level3']}”（{tier[i]}）的评议意见")
    comment = np.empty(len(res), dtype=object)
    for j in np.unique(choice):  # the texts in use
        sel = choice == j
        comment[sel] = _fill(templates[j][2], facts[sel]).to_numpy(dtype=object)
    return pd.DataFrame({"project_id": res["project_id"].to_numpy(), "indicator": res["code"].to_numpy(),
                         "comment": comment})


# --------------------------------------------------------------------------------------------
# the whole story
# --------------------------------------------------------------------------------------------

def _exec_score(budget: np.ndarray, spent: np.ndarray):
    """(published rate, execution score) exactly as the mof-2020 scheme computes them."""
    rate = apply_rounding(spent / budget * 100.0, "half_up_2dp") / 100.0
    return rate, apply_rounding(S.EXEC_POINTS * np.clip(rate, 0, 1), "half_up_2dp")


def build_city(seed: int = DEFAULT_SEED) -> City:
    """The whole sample city in memory (no files written)."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise InputError("随机种子须为非负整数 (seed must be a non-negative integer)", found=seed)
    rng = np.random.default_rng(int(seed))
    projects = _catalogue(rng)
    projects = _budgets(rng, projects)
    payments = _payments(rng, projects)
    rows = _draw_rows(rng, projects)
    rows = _misses(rng, rows, projects)
    rows = _score_forms(rows)
    rows, flaws, adjust = _plant_flaws(rng, rows, projects)
    rows = _texts(rows)
    rows["reason"] = _reasons(rng, rows, projects)
    planted_missing = [f["project_id"] for f in flaws if f["code"] in ("MISSING_REASON", "UNMET_FULL_MARKS")]
    clear = rows["project_id"].isin(planted_missing) & ~rows["met"]
    rows.loc[clear, "reason"] = None
    rows = _process_cells(rng, rows, projects)
    key_ind = _key_indicators(projects, rows)
    panel = _panel_scores(rng, key_ind, projects)

    rate, exec_score = _exec_score(projects["budget_full_year"].to_numpy(), projects["spent"].to_numpy())
    form_sum = rows[rows["on_form"]].groupby("project_id")["score"].sum().reindex(projects["project_id"]).to_numpy()
    total = apply_rounding(exec_score + form_sum, "half_up_2dp")
    total = total + projects["project_id"].map(adjust).fillna(0.0).to_numpy()
    projects["published_rate"] = rate
    projects["exec_score"] = exec_score
    projects["published_total"] = np.round(total, 2)
    projects["published_grade"] = GradeBands().grade(projects["published_total"].to_numpy())
    carry_u = rng.random((2, len(projects)))
    carry = np.where(carry_u[0] < 0.15, np.round(carry_u[1] * 0.2 * projects["spent"].to_numpy() / 1e4) * 1e4, 0.0)
    projects["carryover"] = carry
    comments = _panel_comments(rng, key_ind, panel, projects, rows, payments)

    monitor_story = {
        "june_lagging": sorted(projects.loc[projects["profile"] != "normal", "project_id"]),
        "october_zero": sorted(projects.loc[projects["profile"] == "october_zero", "project_id"]),
        "recovered": sorted(projects.loc[projects["recovered"] > 0, "project_id"]),
    }
    key = projects[projects["key_evaluation"]]
    story = {
        "seed": int(seed), "year": S.YEAR, "city": S.CITY, "n_projects": int(len(projects)),
        "n_departments": int(projects["department"].nunique()),
        "key_evaluation": {"n_projects": int(len(key)),
                           "budget_full_year_yuan": float(key["budget_full_year"].sum()),
                           "grades_intended": {g: sorted(key.loc[key["key_grade"] == g, "project_id"])
                                               for g in ("优", "良")},
                           "experts": list(S.EXPERTS)},
        "monitoring": monitor_story,
        "planted_flaws": sorted(flaws, key=lambda f: (f["project_id"], f["code"])),
    }
    planning = next_year.build(seed, projects, rows)
    story["next_year"] = _next_year_story(planning)
    extras = monitoring_extras.build(seed, projects, rows, payments)  # its own random stream
    return City(seed=int(seed), projects=projects, rows=rows, payments=payments, key_indicators=key_ind,
                panel_scores=panel, panel_comments=comments, story=story, planning=planning, monitoring=extras)


def _next_year_story(planning: dict) -> dict:
    """What the next year's data is meant to show (the tests recompute it with the library)."""
    from . import story_next as N

    return {"year": N.NEXT_YEAR, "cap_yuan": N.CAP_YUAN,
            "exante_intended": {c.project_id: c.intended for c in N.CANDIDATES},
            "exante_exact_total": {c.project_id: c.exact_total for c in N.CANDIDATES if c.exact_total is not None},
            "declared": sorted(d["project_id"] for d in planning["declarations"]),
            "planted_declaration_flaws": {c.project_id: list(c.flaws) for c in N.CONTINUING if c.flaws},
            "requests": int(len(planning["requests"]))}


# --------------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------------

def _bool_text(values) -> np.ndarray:
    return np.where(np.asarray(values, dtype=bool), "true", "false")


def _form(city: City, project: pd.Series, rows: pd.DataFrame, goals: tuple[str, str]) -> SelfEvaluationForm:
    b, f, s, c = (float(project[k]) / 1e4 for k in ("budget_initial", "budget_full_year", "spent", "carryover"))
    money = pd.DataFrame(np.nan, index=list(MONEY_ROWS), columns=MONEY_COLUMNS)
    money.loc["年度资金总额"] = [b, f, s, S.EXEC_POINTS, float(project["published_rate"]),
                            float(project["exec_score"])]
    money.loc["其中：当年财政拨款", ["budget_initial", "budget_full_year", "spent"]] = [b - c, f - c, s - c]
    money.loc["上年结转资金", ["budget_initial", "budget_full_year", "spent"]] = [c, c, c]
    money.loc["其他资金", ["budget_initial", "budget_full_year", "spent"]] = [0.0, 0.0, 0.0]
    amounts = ["budget_initial", "budget_full_year", "spent"]
    money[amounts] = money[amounts].round(2)
    body = pd.DataFrame({
        "level1": rows["level1"].to_numpy(), "level2": rows["level2_name"].to_numpy(),
        "level3": rows["name"].to_numpy(), "target": rows["target"].to_numpy(), "actual": rows["actual"].to_numpy(),
        "points": rows["points"].to_numpy(dtype=float), "score": rows["score"].to_numpy(dtype=float),
        "reason": rows["reason"].to_numpy(dtype=object), "counted": True, "target_nature": None,
        "target_value": None, "target_unit": None, "source_row": 0})[ROW_COLUMNS]
    return SelfEvaluationForm(
        project_id=project["project_id"], project_name=project["project_name"], department=project["department"],
        unit=project["unit"], manager=project["manager"], year=S.YEAR, money_unit="万元", money=money,
        goal_expected=goals[0], goal_actual=goals[1], rows=body, published_total=float(project["published_total"]),
        published_grade=str(project["published_grade"]), source_file=S.CITY, source_sheet=None)


def _goals(rows: pd.DataFrame) -> pd.DataFrame:
    """年度总体目标 (expected / actual) per project, composed from its first indicators."""
    form = rows[rows["on_form"]].copy()
    first = form.groupby(["project_id", "level1"]).cumcount()
    pick = form[((form["level1"] == "产出指标") & (first < 3)) | ((form["level1"] != "产出指标") & (first < 1))]
    expected = (pick["name"] + pick["target"]).groupby(pick["project_id"]).agg("，".join)
    actual = (pick["name"] + pick["actual"]).groupby(pick["project_id"]).agg("，".join)
    return pd.DataFrame({"expected": f"{S.YEAR}年度目标：" + expected + "。",
                         "actual": "全年完成情况：" + actual + "。"})


def _projects_csv(p: pd.DataFrame) -> pd.DataFrame:
    out = p[["project_id", "project_name", "department", "unit", "sector", "key_evaluation", "budget_initial",
             "budget_full_year", "spent", "recovered"]].copy()
    out["key_evaluation"] = _bool_text(out["key_evaluation"])
    return out


def _departments_csv(p: pd.DataFrame) -> pd.DataFrame:
    g = p.groupby(["department_code", "department"], sort=True)
    out = g.agg(n_projects=("project_id", "size"), n_key=("key_evaluation", "sum"),
                budget_initial=("budget_initial", "sum"), budget_full_year=("budget_full_year", "sum"),
                spent=("spent", "sum"), recovered=("recovered", "sum")).reset_index()
    main = p.groupby("department_code")["sector"].agg(lambda s: s.value_counts().index[0])
    out.insert(2, "main_sector", out["department_code"].map(main))
    return out


def _targets_csv(rows: pd.DataFrame) -> pd.DataFrame:
    form = rows[rows["on_form"]].copy()
    form["seq"] = form.groupby("project_id").cumcount() + 1
    parsed = parse_values(form["target"])
    return pd.DataFrame({
        "project_id": form["project_id"].to_numpy(), "seq": form["seq"].to_numpy(),
        "level1": form["level1"].to_numpy(), "level2": form["level2_name"].to_numpy(),
        "level3": form["name"].to_numpy(), "target": form["target"].to_numpy(),
        "op": parsed["op"].to_numpy(), "value": parsed["value"].to_numpy(dtype=float),
        "unit": parsed["unit"].to_numpy(), "kind": parsed["kind"].to_numpy()})


def write_city(city: City, out, limit: int | None = None) -> dict:
    """Write the city into ``out`` (created if needed); returns {relative path: sha256}.

    ``limit`` = N writes the workbooks (forms, declarations) of the first N projects only and the
    self-evaluation CSVs read back from them; the city-wide CSVs are always complete.
    """
    from .readme import readme_text

    out = Path(out)
    if limit is not None and (not isinstance(limit, (int, np.integer)) or limit < 1):
        raise InputError("项目数须为正整数 (limit must be a positive integer)", found=limit)
    for sub in ("forms", "declarations", "self_evaluation", "key_evaluation"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    p = city.projects
    write_csv(_projects_csv(p), out / "projects.csv")
    write_csv(_departments_csv(p), out / "departments.csv")
    write_csv(_targets_csv(city.rows), out / "targets.csv")
    write_csv(city.payments, out / "payments.csv")
    write_csv(city.key_indicators, out / "key_evaluation" / "indicators.csv")
    write_csv(city.panel_scores, out / "key_evaluation" / "panel_scores.csv")
    write_csv(city.panel_comments, out / "key_evaluation" / "panel_comments.csv")
    X.atomic_write(out / "story.json",
                   (json.dumps(city.story, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    X.atomic_write(out / "README.md", readme_text(city).encode("utf-8"))
    X.atomic_write(out / "city.yaml", CITY_SETTINGS.encode("utf-8"))

    chosen = p if limit is None else p.iloc[: int(limit)]
    form_rows = city.rows[city.rows["on_form"]]
    by_project = dict(tuple(form_rows.groupby("project_id", sort=False)))
    goals = _goals(city.rows)
    paths = []
    for _, project in chosen.iterrows():  # one workbook pair per project
        pid = project["project_id"]
        rows = by_project[pid]
        goal = (goals.at[pid, "expected"], goals.at[pid, "actual"])
        path = out / "forms" / f"{pid}.xlsx"
        write_self_evaluation([_form(city, project, rows, goal)], path)
        write_declaration(out / "declarations" / f"{pid}.xlsx", project, rows, goal[0])
        paths.append(path)
    forms = [form for path in paths for form in read_self_evaluation(path)]
    sv_rows, sv_budget = forms_to_frames(forms)
    write_csv(sv_rows.sort_values(["project_id", "source_row"], kind="stable"),
              out / "self_evaluation" / "rows.csv")
    write_csv(sv_budget.sort_values("project_id", kind="stable"), out / "self_evaluation" / "budget.csv")
    if city.planning is not None:
        next_year.write(city.planning, out)
    if city.monitoring is not None:
        monitoring_extras.write(city.monitoring, out)
    from . import departments

    departments.write(departments.build(city.seed, p), out)
    return checksums(out)


def checksums(out) -> dict:
    """sha256 of every file under ``out`` (relative POSIX paths, sorted)."""
    out = Path(out)
    return {f.relative_to(out).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(out.rglob("*")) if f.is_file()}


def generate(seed: int = DEFAULT_SEED, out="data/sample", limit: int | None = None) -> City:
    """Build the sample city from ``seed`` and write it to ``out``."""
    city = build_city(seed)
    target = Path(out)
    if target.exists() and not target.is_dir():
        raise InputError("输出路径不是文件夹 (output is not a folder)", where=Location(file=str(target)))
    write_city(city, target, limit)
    return city


__all__ = ["City", "DEFAULT_SEED", "build_city", "checksums", "generate", "write_city", "write_csv"]
