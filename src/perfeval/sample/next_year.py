"""The sample city's next budget year (2022): the tables and forms the stages before the budget read.

``build(seed, projects, rows)`` draws, from its own generator (``default_rng([seed, 2022])``, so the
2021 story keeps every number), the ex-ante panel's ratings of the six candidates of
:mod:`.story_next`, the 2022 target declarations of the continuing projects (targets moved on
from 2021's actuals, flaws planted as the story says) and of five new projects, and the 2022
requests. ``write(planning, projects, out)`` writes::

    exante/candidates.csv, scores.csv, opinions.csv, cuts.csv
    next_year/requests.csv, control.csv, declarations/<project_id>.xlsx

The ex-ante totals are redrawn until each candidate's conclusion under the default rule is the
story's with at least ``MARGIN`` points from a threshold; the candidate with an exact total has its
panel's sheet nudged, one rating at a time, until the five experts' totals average exactly that.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import story as S
from . import story_next as N

MARGIN = 1.5
GRADES = np.array([0.4, 0.6, 0.8, 1.0])
GRADE_LABELS = np.array(["差", "中", "良", "优"], dtype=object)
DEFAULT_BANDS = ((80.0, "予以支持"), (60.0, "部分支持（调整完善后支持）"), (-np.inf, "不予支持"))


# --------------------------------------------------------------------------------------------
# ex-ante: the panel's ratings
# --------------------------------------------------------------------------------------------

def _leaves() -> pd.DataFrame:
    from ..systems import load_system

    leaves = load_system("exante").leaves()
    return pd.DataFrame({"code": leaves["code"], "dim": leaves["code"].str[0], "points": leaves["points"]})


def _draw_ratings(rng, level: np.ndarray) -> np.ndarray:
    """Grade index (0 差 … 3 优) per cell: the cell's level stochastically rounded between adjacent grades."""
    x = np.clip(level + rng.normal(0.0, 0.05, level.shape), 0.4, 1.0)
    low = np.clip(np.floor((x - 0.4) / 0.2 + 1e-9), 0, 2).astype(int)
    up_share = (x - GRADES[low]) / 0.2
    return low + (rng.random(level.shape) < up_share)


def _conclusion(total: float) -> str:
    return next(label for bound, label in DEFAULT_BANDS if total >= bound - 1e-9)


def _nudge(rng, grade: np.ndarray, points: np.ndarray, want_sum: float) -> np.ndarray:
    """Move single ratings one grade up or down until the sheet's points add up to ``want_sum``."""
    grade = grade.copy()
    for _ in range(grade.size * 4):  # each step moves one rating by one grade
        diff = round(float((GRADES[grade] * points).sum()) - want_sum, 6)
        if abs(diff) < 1e-6:
            return grade
        movable = np.flatnonzero((grade.ravel() > 0) if diff > 0 else (grade.ravel() < 3))
        pick = movable[rng.integers(len(movable))]
        grade.flat[pick] += -1 if diff > 0 else 1
    raise RuntimeError("示例市事前评估：无法凑出指定的总分")


def _panel(rng, cand: N.Candidate, leaves: pd.DataFrame) -> np.ndarray:
    """Grade indices experts × leaves for one candidate, drawn until its conclusion is the story's."""
    level = pd.Series(cand.levels, index=N.DIMENSIONS).reindex(leaves["dim"]).to_numpy()
    points = leaves["points"].to_numpy(dtype=float)
    n = len(N.EXPERTS)
    for _ in range(500):  # a few draws at most
        cell = level[None, :] + np.asarray(N.EXPERT_BIAS)[:, None]
        grade = _draw_ratings(rng, np.broadcast_to(cell, (n, len(points))))
        if cand.exact_total is not None:
            grade = _nudge(rng, grade, np.broadcast_to(points, grade.shape), cand.exact_total * n)
            return grade
        total = float((GRADES[grade] * points).sum()) / n
        bounds = np.array([b for b, _ in DEFAULT_BANDS[:-1]])
        if _conclusion(total) == cand.intended and np.abs(total - bounds).min() >= MARGIN:
            return grade
    raise RuntimeError(f"示例市事前评估：500 次重抽后 {cand.project_id} 的结论仍不是 {cand.intended}")


def exante_tables(rng) -> dict[str, pd.DataFrame]:
    leaves = _leaves()
    candidates, scores, opinions, cuts = [], [], [], []
    for cand in N.CANDIDATES:  # six candidates
        grade = _panel(rng, cand, leaves)
        n, m = grade.shape
        scores.append(pd.DataFrame({"project_id": cand.project_id, "expert": np.repeat(N.EXPERTS, m),
                                    "indicator": np.tile(leaves["code"].to_numpy(), n),
                                    "rating": GRADE_LABELS[grade.ravel()]}))
        candidates.append({"project_id": cand.project_id, "project_name": cand.project_name,
                           "department": cand.department, "unit": cand.unit, "sector": cand.sector,
                           "year": N.NEXT_YEAR, "kind": "新增", "requested": cand.requested,
                           "fiscal": cand.requested - cand.other_funds, "other": cand.other_funds,
                           "period": cand.period, "background": cand.background, "content": cand.content,
                           "goal": cand.goal, "funding": cand.funding})
        opinions.append(pd.DataFrame({"project_id": cand.project_id, "expert": list(N.EXPERTS),
                                      "dimension": [d for d, _ in cand.opinions],
                                      "opinion": [o for _, o in cand.opinions]}))
        cuts.append(pd.DataFrame({"project_id": cand.project_id, "item": [c[0] for c in cand.cuts],
                                  "amount": [c[1] for c in cand.cuts], "reason": [c[2] for c in cand.cuts]}))
    return {"candidates": pd.DataFrame(candidates), "scores": pd.concat(scores, ignore_index=True),
            "opinions": pd.concat(opinions, ignore_index=True),
            "cuts": pd.concat(cuts, ignore_index=True).astype({"amount": float})}


# --------------------------------------------------------------------------------------------
# 2022 target declarations
# --------------------------------------------------------------------------------------------

def _ceil_step(x, step):
    return np.round(np.ceil(np.asarray(x, float) / step - 1e-9) * step, 6)


def _moved_on(rng, r: pd.DataFrame, flaws: tuple) -> pd.Series:
    """2022 targets from 2021: above last year's actual where it beat its target (or, with the
    ``below_history`` flaw, a little above last year's target but below its actual)."""
    from .files import number_text, step_decimals

    kind, op = r["kind"].to_numpy(), r["op"].to_numpy(dtype=object)
    t, a, step = (r[c].to_numpy(dtype=float) for c in ("t_value", "a_value", "step"))
    beat = a > t + 1e-9
    grow = 1.0 + 0.01 + 0.05 * rng.random(len(r))
    t22 = t.copy()
    count = (kind == "count") & beat
    t22 = np.where(count, _ceil_step(a * grow, step), t22)
    rate = (kind == "rate") & (op == "≥") & beat
    t22 = np.where(rate, np.minimum(100.0, _ceil_step(a + step, step)), t22)
    if "below_history" in flaws:
        t22 = np.where(count, _ceil_step(t * 1.08, step), t22)
    unit = r["unit"].to_numpy(dtype=object)
    text = op + number_text(t22, step_decimals(step)) + unit
    month = t.astype(int).astype(str).astype(object)
    text = np.where(kind == "date", f"{N.NEXT_YEAR}年" + month + "月", text)
    text = np.where(kind == "text", r["text"].to_numpy(dtype=object), text)
    return pd.Series(text, index=r.index, dtype=object)


def _continuing_rows(rng, rows: pd.DataFrame, item: N.Continuing) -> pd.DataFrame:
    r = rows[(rows["project_id"] == item.project_id) & rows["on_form"]].copy()
    r["target"] = _moved_on(rng, r, item.flaws)
    out = r[["level1", "level2_name", "name", "target"]].reset_index(drop=True)
    if "drop_timeliness" in item.flaws:
        out = out[~out["level2_name"].str.contains("时效")]
    if "vague_outputs" in item.flaws:
        outputs = out.index[(out["level1"] == "产出指标") & ~out["level2_name"].str.contains("时效")][:3]
        out.loc[outputs, "target"] = list(N.VAGUE_WORDS[:len(outputs)])
    if "satisfaction_100" in item.flaws:
        out.loc[out["level1"] == "满意度指标", "target"] = "=100%"
    if "inputs_as_outputs" in item.flaws:
        extra = pd.DataFrame(list(N.INPUT_ROWS), columns=["level1", "level2_name", "name", "target"])
        last_qty = int(np.flatnonzero(out["level2_name"].str.contains("数量").to_numpy())[-1])
        out = pd.concat([out.iloc[:last_qty + 1], extra, out.iloc[last_qty + 1:]], ignore_index=True)
    return out.reset_index(drop=True)


def _goal(rows: pd.DataFrame) -> str:
    """年度总体目标 composed from the first outputs and the first effect, as the 2021 forms do."""
    outputs = rows[rows["level1"] == "产出指标"].head(3)
    effect = rows[rows["level1"] == "效益指标"].head(1)
    parts = (pd.concat([outputs, effect])["name"] + pd.concat([outputs, effect])["target"]).tolist()
    return f"{N.NEXT_YEAR}年度目标：" + "，".join(parts) + "。"


def declarations(rng, projects: pd.DataFrame, rows: pd.DataFrame) -> list[dict]:
    """Every 2022 declaration: project header, funds, goal (None where the story leaves it out), rows."""
    out = []
    by_id = projects.set_index("project_id")
    for item in N.CONTINUING:  # a dozen continuing projects
        p = by_id.loc[item.project_id]
        r = _continuing_rows(rng, rows, item)
        out.append({"project_id": item.project_id, "project_name": p["project_name"], "manager": p["manager"],
                    "department": p["department"], "unit": p["unit"], "sector": p["sector"], "kind": "延续",
                    "funds": float(np.round(p["budget_initial"] * item.factor / 1e4) * 1e4), "other": 0.0,
                    "goal": None if "no_goal" in item.flaws else _goal(r), "rows": r})
    candidates = {c.project_id: c for c in N.CANDIDATES}
    managers = np.asarray(S.MANAGERS, dtype=object)
    for i, decl in enumerate(N.NEW_DECLARATIONS):
        c = candidates[decl.project_id]
        r = pd.DataFrame(list(decl.rows), columns=["level1", "level2_name", "name", "target"])
        out.append({"project_id": c.project_id, "project_name": c.project_name,
                    "manager": managers[(7 * i + 3) % len(managers)], "department": c.department, "unit": c.unit,
                    "sector": c.sector, "kind": "新增", "funds": c.requested, "other": c.other_funds,
                    "goal": decl.goal, "rows": r})
    return out


def requests(decls: list[dict]) -> pd.DataFrame:
    """The 2022 requests: every declared project, and the new candidates that declared nothing."""
    frame = pd.DataFrame([{k: d[k] for k in ("project_id", "project_name", "department", "unit", "sector", "kind")}
                          | {"requested": d["funds"]} for d in decls])
    declared = set(frame["project_id"])
    extra = pd.DataFrame([{"project_id": c.project_id, "project_name": c.project_name, "department": c.department,
                           "unit": c.unit, "sector": c.sector, "kind": "新增", "requested": c.requested}
                          for c in N.CANDIDATES if c.project_id not in declared])
    return pd.concat([frame, extra], ignore_index=True).sort_values("project_id", kind="stable").reset_index(drop=True)


def build(seed: int, projects: pd.DataFrame, rows: pd.DataFrame) -> dict:
    """The next year's tables in memory (own random stream: the 2021 story is untouched)."""
    rng = np.random.default_rng([int(seed), N.NEXT_YEAR])
    tables = exante_tables(rng)
    decls = declarations(rng, projects, rows)
    return {**tables, "declarations": decls, "requests": requests(decls),
            "control": pd.DataFrame({"year": [N.NEXT_YEAR], "cap": [N.CAP_YUAN],
                                     "note": [f"{N.NEXT_YEAR}年市级项目支出（新增及延续）财力控制数"]})}


def write(planning: dict, out: Path) -> None:
    """Write the next year's tables and declaration workbooks under ``out``."""
    from .files import write_csv, write_declaration

    out = Path(out)
    (out / "exante").mkdir(parents=True, exist_ok=True)
    (out / "next_year" / "declarations").mkdir(parents=True, exist_ok=True)
    for name in ("candidates", "scores", "opinions", "cuts"):
        write_csv(planning[name], out / "exante" / f"{name}.csv")
    write_csv(planning["requests"], out / "next_year" / "requests.csv")
    write_csv(planning["control"], out / "next_year" / "control.csv")
    for d in planning["declarations"]:  # sixteen workbooks
        head = pd.Series({k: d[k] for k in ("project_id", "project_name", "manager", "department", "unit")})
        write_declaration(out / "next_year" / "declarations" / f"{d['project_id']}.xlsx", head, d["rows"],
                           d["goal"], year=N.NEXT_YEAR, funds=d["funds"], other=d["other"])


__all__ = ["build", "declarations", "exante_tables", "requests", "write"]
