"""The sample city's department self-evaluation rows (``dept_rows.csv``): every unit with a form scores every
leaf of its department's system (dept-overall or dept-hunan).

Formula rows carry the data sheet's value as the typed actual (rounded to 0.01 %) and are scored by the
system's rule; other rate rows (完成率, 满意度 …) draw an actual near 100 %; count rows (违规资金, 未按时拨付)
draw 0 or 1 events; judged rows (qualitative, checklist, auto) draw a share of their points, with a reason
wherever points are lost. Planted (see :mod:`.departments`): the typed 在职人员控制率 of one 机关本级 disagrees
with its sheet; in one department every unit has one violation event and judged losses that put it at 88.9
before that row, so each unit stays 优 while the roll-up (events add up) drops the department to 良.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ..dept.formulas import NAME_TO_KEY, derive, normalise_name
from ..rules import apply_rules
from . import story as S

SYSTEMS = ("dept-overall", "dept-hunan")
# formula key → (op, target value in %): the sample's targets
TARGETS = {"staff_control": ("<=", 100), "sangong_change": ("<=", 0), "sangong_control": ("<=", 100),
           "budget_adjustment": ("<=", 10), "carryover_rate": ("<=", 5), "carryover_change": ("<=", 0),
           "public_control": ("<=", 100), "procurement_rate": (">=", 95), "assets_use": (">=", 95),
           "key_share": (">=", 60), "completion": (">=", 95)}
JUDGED = ("qualitative", "checklist", "auto", "expert")
COUNT_KINDS = ("per_event",)
REASONS = np.array(["部分佐证材料不完整", "个别工作任务未按计划完成", "制度执行存在薄弱环节", "指标细化程度不够"],
                   dtype=object)
GRADES_DIFFER_SUBTOTAL = 88.9  # before the violation row: each unit 90.9 (优), the roll-up 88.9 (良)


def _leaves(system_id: str) -> pd.DataFrame:
    from ..systems import load_system

    f = load_system(system_id).to_frame()
    f = f[f["is_leaf"]].reset_index(drop=True)
    return f.assign(system=system_id)


def _kinds(leaves: pd.DataFrame) -> pd.Series:
    """rate (formula or percent), count, or judged — for each leaf."""
    key = normalise_name(leaves["level3"]).map(NAME_TO_KEY)
    count = leaves["rule_kind"].isin(COUNT_KINDS) | ((leaves["rule_kind"] == "deduction") & key.isna()
                                                    & (leaves["direction"] == "lower"))
    judged = leaves["rule_kind"].isin(JUDGED)
    return pd.Series(np.where(key.notna(), "formula", np.where(count, "count", np.where(judged, "judged", "rate"))),
                     index=leaves.index)


def unit_rows(rng, units: pd.DataFrame, sheet: pd.DataFrame, planted: dict) -> tuple[pd.DataFrame, dict]:
    """(rows, {department: system}) for ``units`` (those with a form) from the year's ``sheet``."""
    depts = sorted(units["department_id"].unique())
    system = {d: SYSTEMS[i % 2] for i, d in enumerate(depts)}
    system[planted["grades_differ_department"]] = "dept-overall"
    leaves = pd.concat([_leaves(s) for s in SYSTEMS], ignore_index=True)
    leaves["row_kind"] = _kinds(leaves)
    leaves["formula_key"] = normalise_name(leaves["level3"]).map(NAME_TO_KEY)
    u = units[["unit_id", "department_id", "level"]].assign(system=units["department_id"].map(system))
    r = u.merge(leaves, on="system", how="left", sort=False)
    r = r.sort_values(["department_id", "level", "unit_id", "code"], kind="mergesort").reset_index(drop=True)
    n = len(r)
    draw = rng.random((4, n))
    derived = derive(sheet, "unit_id").dropna(subset=["value"])
    value = pd.Series(derived["value"].to_numpy(),
                      index=pd.MultiIndex.from_arrays([derived["unit_id"], derived["formula"]]))
    a = pd.Series(value.reindex(pd.MultiIndex.from_arrays([r["unit_id"], r["formula_key"]])).to_numpy(), index=r.index)
    a = a.round(2)
    kind = r["row_kind"]
    op = r["formula_key"].map({k: v[0] for k, v in TARGETS.items()})
    t = r["formula_key"].map({k: float(v[1]) for k, v in TARGETS.items()})
    rate = kind == "rate"
    op, t = op.where(~rate, ">="), t.where(~rate, 100.0)
    a = a.where(~rate, np.round(np.where(draw[0] < 0.7, 100.0, 90.0 + 10.0 * draw[1]), 1))
    count = kind == "count"
    op, t = op.where(~count, "<="), t.where(~count, 0.0)
    a = a.where(~count, np.where(draw[0] < 0.12, 1.0, 0.0))
    gd = (r["department_id"] == planted["grades_differ_department"]).to_numpy()
    violation = gd & (r["code"] == "B202").to_numpy()
    a = a.where(~(gd & rate.to_numpy()), 100.0)
    a = a.where(~violation, 1.0)
    typed = (r["unit_id"] == planted["typed_differs_department"]) & (r["formula_key"] == "staff_control")
    a = a.where(~typed, 98.0)  # typed on the form; the sheet says more than 100 %
    params = [p if isinstance(p, dict) and p else None for p in r["rule_params"]]
    quant = (kind != "judged").to_numpy()
    rule = r["rule_kind"].where(r["rule_kind"] != "auto", "qualitative")
    scored = apply_rules(np.where(quant, rule, "none"), r["points"], t.where(pd.Series(quant)), a.where(pd.Series(quant)),
                         None, params=params)
    share = np.where(draw[2] < 0.7, 1.0, np.where(draw[2] < 0.9, 0.9, 0.8))
    share = np.where(gd, 1.0, share)
    score = np.where(quant, np.round(scored.reference, 2), np.round(r["points"].to_numpy() * share, 1))
    score = _plant_subtotal(r, score, gd & ~violation)
    lost = score < r["points"].to_numpy() - 1e-9
    reason = np.where(~lost, None, np.where(kind == "formula", "完成值未达到目标值，按评分标准扣分",
                      np.where(count, "发现违规使用资金或未按时拨付 " + a.fillna(0).astype(int).astype(str) + " 处",
                               REASONS[np.floor(draw[3] * len(REASONS)).astype(int)])))
    pct = kind.isin(["formula", "rate"])
    sym = op.map({">=": "≥", "<=": "≤"}).fillna("")
    target = np.where(pct, sym + t.map("{:g}".format) + "%", np.where(count, t.map("{:g}".format).radd(sym) + "处", None))
    actual = np.where(pct, a.map("{:g}".format) + "%", np.where(count, a.fillna(0).map("{:g}".format) + "处", None))
    target = np.where(t.isna(), None, target)
    actual = np.where(a.isna() & quant, None, actual)
    out = pd.DataFrame({
        "entity": "unit", "unit_id": r["unit_id"], "department_id": r["department_id"], "year": S.YEAR,
        "system": r["system"], "code": r["code"], "level1": r["level1"], "level2": r["level2"],
        "level3": r["level3"], "points": r["points"], "target": target, "actual": actual,
        "target_value": t.where(pd.Series(quant)), "actual_value": a.where(pd.Series(quant)),
        "op": op.where(pd.Series(quant)), "unit": np.where(pct, "%", np.where(count, "处", None)),
        "rule": rule, "rule_params": [json.dumps(p, ensure_ascii=False, sort_keys=True) if p else None for p in params],
        "standard": r["standard"], "score": score, "reason": reason})
    return out, {d: system[d] for d in depts}


def _plant_subtotal(r: pd.DataFrame, score: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """In the grades-differ department, take points off the 效果 judged rows so that every unit's rows other
    than the violation sum to :data:`GRADES_DIFFER_SUBTOTAL`."""
    score = score.copy()
    if not rows.any():
        return score
    sub = pd.Series(np.where(rows, score, 0.0)).groupby(r["unit_id"]).transform("sum").to_numpy()
    excess = np.round(sub - GRADES_DIFFER_SUBTOTAL, 2)
    first = rows & (r["code"] == "D101").to_numpy()
    second = rows & (r["code"] == "D102").to_numpy()
    take1 = np.minimum(excess, r["points"].to_numpy())
    score = np.where(first, np.round(score - take1, 2), score)
    rest = pd.Series(np.where(first, excess - take1, 0.0)).groupby(r["unit_id"]).transform("sum").to_numpy()
    return np.where(second, np.round(score - rest, 2), score)
