"""The sample city's departments as a whole (部门整体支出, issue 19): units, the data sheet for two years and
each unit's self-evaluation rows, with a few planted problems.

``build(seed, projects)`` draws from its own generator (``default_rng([seed, 19])``, so every other sample
number stays as it was) and returns the frames that ``write`` puts into the data folder::

    units.csv        each department its 机关本级 (level 1, unit_id = department code) and 0–4 二级 units
                     (the largest units named in projects.csv, else made-up service centres);
    dept_basic.csv   one row per unit and year (2020, 2021), 元; 项目支出 ≥ the unit's projects in
                     projects.csv (a project of an unlisted unit counts to its 机关本级); 人员 + 公用 + 项目 =
                     全年预算数; 2020's 三公 and 年末结转结余 are 2021's "last year" / 年初;
    dept_rows.csv    the 2021 self-evaluation rows of every unit (system dept-overall or dept-hunan by
                     department), typed actuals of formula rows from the data sheet, scores by the rules;
    dept_forms/      the same rows as workbooks, one per department, in three layouts (:mod:`.dept_forms`);
    dept_story.json  what was planted (:data:`PLANTED`), for the tests and the README.

Planted: a 二级 unit with money and no self-evaluation; a 机关本级 whose 三公经费 rise sharply; a department
whose consolidated grade differs from the money-weighted mean of its units (per-unit violations that add up
in the roll-up); a unit whose typed 在职人员控制率 disagrees with the sheet (在职 > 编制 there); a unit whose
预算调整 exceeds 30 %.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from . import story as S
from .dept_rows import unit_rows

YEARS = (S.YEAR - 1, S.YEAR)
SUFFIXES = ("事务服务中心", "信息中心", "综合执法支队", "培训中心")
MAX_SUBUNITS = 4
# department codes of the planted cases (chosen among the sample's 40 departments; see the tests)
PLANTED = {"missing_form_department": "101", "sangong_up_department": "110", "grades_differ_department": "102",
           "typed_differs_department": "104", "adjustment_department": "103"}


def _money(x) -> np.ndarray:
    """Amounts in 元 rounded to 100 元."""
    return np.round(np.asarray(x, dtype=float) / 100.0) * 100.0


def build_units(rng, projects: pd.DataFrame) -> pd.DataFrame:
    """units.csv: the 40 departments and their 二级 units."""
    p = projects.assign(department_code=projects["department_code"].astype(str))
    depts = p.groupby("department_code", sort=True)["department"].first()
    own = p[p["unit"] != p["department"]]
    size = own.groupby(["department_code", "unit"], sort=True)["budget_full_year"].sum().reset_index()
    size = size.sort_values(["department_code", "budget_full_year", "unit"], ascending=[True, False, True],
                            kind="mergesort")
    size = size.groupby("department_code").head(MAX_SUBUNITS)
    made = []
    without = [c for c in depts.index if c not in set(size["department_code"])]
    counts = rng.integers(0, 3, len(without))  # 0–2 made-up units where projects name none
    for code, k in zip(without, counts):  # one step per department (40 at most)
        made += [(code, depts[code] + SUFFIXES[j]) for j in range(k)]
    subs = pd.concat([size[["department_code", "unit"]],
                      pd.DataFrame(made, columns=["department_code", "unit"])], ignore_index=True)
    subs = subs.sort_values(["department_code"], kind="mergesort")
    subs["seq"] = subs.groupby("department_code").cumcount() + 1
    level2 = pd.DataFrame({"unit_id": subs["department_code"] + "-" + subs["seq"].map("{:02d}".format),
                           "unit_name": subs["unit"], "department_id": subs["department_code"], "level": 2,
                           "parent_id": subs["department_code"]})
    level1 = pd.DataFrame({"unit_id": depts.index, "unit_name": depts.to_numpy(), "department_id": depts.index,
                           "level": 1, "parent_id": None})
    out = pd.concat([level1, level2], ignore_index=True)
    return out.sort_values(["department_id", "level", "unit_id"], kind="mergesort").reset_index(drop=True)


def _project_money(units: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """Per unit: Σ budget_initial / budget_full_year / spent of its projects and of its key projects."""
    p = projects.assign(department_code=projects["department_code"].astype(str))
    by_name = units.set_index(["department_id", "unit_name"])["unit_id"]
    keys = pd.MultiIndex.from_arrays([p["department_code"], p["unit"]])
    uid = pd.Series(by_name.reindex(keys).to_numpy(), index=p.index)
    p["unit_id"] = uid.fillna(p["department_code"])  # a project of an unlisted unit counts to 机关本级
    key = p["key_evaluation"].astype(str).str.lower().isin(["true", "1"])
    g = p.assign(key_spent=p["spent"].where(key, 0.0)).groupby("unit_id")
    return g[["budget_initial", "budget_full_year", "spent", "key_spent"]].sum()


def build_basic(rng, units: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """dept_basic.csv for both years (see the module docstring)."""
    n = len(units)
    top = (units["level"] == 1).to_numpy()
    pm = _project_money(units, projects).reindex(units["unit_id"]).fillna(0.0)
    has_p = pm["budget_full_year"].to_numpy() > 0
    u = rng.random((24, n))
    quota = np.where(top, 30 + np.floor(u[0] * 120), 10 + np.floor(u[0] * 50))
    staff = quota - np.floor(u[1] * 4)
    personnel = _money(staff * (150000 + u[2] * 80000))
    public = _money(staff * (30000 + u[3] * 20000))
    project_b = np.where(has_p, _money(pm["budget_full_year"].to_numpy() * (1.02 + 0.1 * u[4])),
                         _money(500000 + u[4] * 4500000))
    project_s = np.where(has_p, np.minimum(project_b, _money(pm["spent"].to_numpy()
                                                             + (project_b - pm["budget_full_year"].to_numpy())
                                                             * (0.6 + 0.4 * u[5]))),
                         _money(project_b * (0.93 + 0.07 * u[5])))
    full = personnel + public + project_b
    adjustment = _money(full * 0.08 * u[6])
    initial = full - adjustment
    sp_pers = _money(personnel * (0.97 + 0.03 * u[7]))
    sp_pub = _money(public * (0.88 + 0.12 * u[8]))
    spent = sp_pers + sp_pub + project_s
    fund = np.where(u[9] < 0.3, _money(project_b * 0.3 * u[10]), 0.0)
    other = _money(full * 0.03 * u[11])
    general = full - fund - other
    sg_budget_last = _money(np.where(top, 200000 + 600000 * u[12], 30000 + 120000 * u[12]))
    sg_budget = _money(sg_budget_last * (0.85 + 0.15 * u[13]))
    sg_spent_last = _money(sg_budget_last * (0.75 + 0.25 * u[14]))
    sg_spent = _money(sg_budget * (0.75 + 0.25 * u[15]))
    proc_b = _money(project_b * (0.1 + 0.3 * u[16]))
    proc_s = _money(proc_b * (0.9 + 0.1 * u[17]))
    carry_start = _money(full * 0.04 * u[18])
    carry_end = _money(carry_start * (0.6 + 0.4 * u[19]))
    assets = _money(np.where(top, 5e6 + 4.5e7 * u[20], 1e6 + 9e6 * u[20]))
    in_use = _money(assets * (0.92 + 0.08 * u[21]))
    key = np.where(pm["key_spent"].to_numpy() > 0, np.minimum(project_s, pm["key_spent"].to_numpy()),
                   0.0) + _money((project_s - np.minimum(project_s, pm["key_spent"].to_numpy())) * (0.6 + 0.3 * u[22]))
    dept = units["department_id"].to_numpy()
    # planted: 三公 up sharply (the 机关本级); 预算调整 > 30 %; 在职 > 编制 (typed control rate disagrees)
    up = top & (dept == PLANTED["sangong_up_department"])
    sg_budget = np.where(up, _money(sg_budget_last * 1.6), sg_budget)
    sg_spent = np.where(up, _money(sg_budget * 0.97), sg_spent)
    adj = top & (dept == PLANTED["adjustment_department"])
    adjustment = np.where(adj, _money(full * 0.26), adjustment)  # 0.26 / 0.74 of the initial budget > 30 %
    initial = full - adjustment
    over = top & (dept == PLANTED["typed_differs_department"])
    staff = np.where(over, quota + 4, staff)
    day = 1 + np.floor(u[23] * 20)
    this = pd.DataFrame({
        "unit_id": units["unit_id"].to_numpy(), "year": S.YEAR, "budget_initial": initial,
        "budget_full_year": full, "spent": spent, "budget_personnel": personnel, "budget_public": public,
        "budget_project": project_b, "spent_personnel": sp_pers, "spent_public": sp_pub,
        "spent_project": project_s, "income_general": general, "income_fund": fund, "income_special": 0.0,
        "income_other": other, "adjustment": adjustment, "staff_quota": quota, "staff_actual": staff,
        "sangong_budget": sg_budget, "sangong_budget_last": sg_budget_last, "sangong_spent": sg_spent,
        "sangong_spent_last": sg_spent_last, "procurement_budget": proc_b, "procurement_spent": proc_s,
        "carryover_start": carry_start, "carryover_end": carry_end, "assets_total": assets,
        "assets_in_use": in_use, "key_project_spending": _money(key),
        "budget_published": [f"{S.YEAR}-02-{int(d):02d}" for d in day],
        "final_published": [f"{S.YEAR}-08-{int(d):02d}" for d in day]})
    return pd.concat([_last_year(rng, this), this], ignore_index=True)


def _last_year(rng, this: pd.DataFrame) -> pd.DataFrame:
    """2020: money scaled from 2021 (split kept exact); 三公 and 结转结余 those 2021 calls last year's."""
    n = len(this)
    f = 0.9 + 0.12 * rng.random((3, n))
    last = this.copy()
    last["year"] = S.YEAR - 1
    for col, i in (("budget_personnel", 0), ("budget_public", 0), ("budget_project", 1), ("spent_personnel", 0),
                   ("spent_public", 0), ("spent_project", 1), ("procurement_budget", 1),
                   ("procurement_spent", 1), ("assets_total", 2), ("assets_in_use", 2),
                   ("key_project_spending", 1), ("adjustment", 2), ("income_fund", 1), ("income_other", 2)):
        last[col] = _money(this[col] * f[i])
    last["budget_full_year"] = last["budget_personnel"] + last["budget_public"] + last["budget_project"]
    last["spent"] = last["spent_personnel"] + last["spent_public"] + last["spent_project"]
    last["budget_initial"] = last["budget_full_year"] - last["adjustment"]
    last["income_general"] = last["budget_full_year"] - last["income_fund"] - last["income_other"]
    last["sangong_budget"], last["sangong_spent"] = this["sangong_budget_last"], this["sangong_spent_last"]
    last["sangong_budget_last"] = _money(this["sangong_budget_last"] * f[2])
    last["sangong_spent_last"] = _money(this["sangong_spent_last"] * f[2])
    last["carryover_end"] = this["carryover_start"]
    last["carryover_start"] = _money(this["carryover_start"] * f[0])
    last["budget_published"] = this["budget_published"].str.replace(str(S.YEAR), str(S.YEAR - 1))
    last["final_published"] = this["final_published"].str.replace(str(S.YEAR), str(S.YEAR - 1))
    return last


def build(seed: int, projects: pd.DataFrame) -> dict:
    """Every department table of the sample city (its own random stream)."""
    rng = np.random.default_rng([int(seed), 19])
    units = build_units(rng, projects)
    basic = build_basic(rng, units, projects)
    missing = units[(units["department_id"] == PLANTED["missing_form_department"]) & (units["level"] == 2)]
    no_form = missing["unit_id"].iloc[-1]
    rows, systems = unit_rows(rng, units[units["unit_id"] != no_form], basic[basic["year"] == S.YEAR], PLANTED)
    story = {**PLANTED, "missing_form_unit": no_form, "typed_differs_unit": PLANTED["typed_differs_department"],
             "typed_differs_indicator": "在职人员控制率", "years": list(YEARS), "systems": systems,
             "n_departments": int((units["level"] == 1).sum()), "n_units": int(len(units))}
    return {"units": units, "basic": basic, "rows": rows, "story": story}


def write(tables: dict, out: Path) -> None:
    """units.csv, dept_basic.csv, dept_rows.csv, dept_forms/ and dept_story.json into ``out``."""
    from ..io import _xlsx as X
    from . import dept_forms
    from .files import write_csv

    out = Path(out)
    write_csv(tables["units"], out / "units.csv")
    write_csv(tables["basic"], out / "dept_basic.csv")
    write_csv(tables["rows"], out / "dept_rows.csv")
    dept_forms.write(tables, out)
    X.atomic_write(out / "dept_story.json", (json.dumps(tables["story"], ensure_ascii=False, indent=2,
                                                        sort_keys=True) + "\n").encode("utf-8"))


def readme_section() -> str:
    """The sample README's section on the department files (every file and column named)."""
    from ..dept.basic import BASIC_FIELDS

    basic_cols = "、".join(f"`{k}`（{v}）" for k, v in BASIC_FIELDS.items())
    p = PLANTED
    return f"""
## 部门整体支出绩效评价 (department-overall evaluation)

`perfeval dept --data data/sample --out 输出目录` 与 `perfeval.dept.evaluate` 读取。40 个部门各有机关本级（一级预算单位，
编码即部门编码）和 0–4 个二级预算单位；金额为元。

| 文件 | 列 | 含义 |
|---|---|---|
| `units.csv` | `unit_id`, `unit_name`, `department_id`, `level`, `parent_id` | 预算单位层级（级次 1 = 部门/机关本级，2 = 二级预算单位） |
| `dept_basic.csv` | `unit_id`, `year`, 及下列各列 | 部门整体支出基础数据表：每个单位 2020、2021 年各一行；项目支出不少于 `projects.csv` 中该单位的项目 |
| `dept_forms/<department_id>.xlsx` | — | 同一批指标行写成的部门整体自评表（每个单位一个工作表；评分表、财政部格式、湖北系统表格三种版式轮换） |
| `dept_rows.csv` | `entity`, `unit_id`, `department_id`, `year`, `system`, `code`, `level1`, `level2`, `level3`, `points`, `target`, `actual`, `target_value`, `actual_value`, `op`, `unit`, `rule`, `rule_params`, `standard`, `score`, `reason` | 2021 年各单位的部门整体支出绩效自评表指标行（指标体系 dept-overall 或 dept-hunan；`standard` 为评分标准原文） |

`dept_basic.csv` 的列：{basic_cols}。

`dept_story.json` 记下埋设的问题（测试用 `perfeval.dept` 从数据重新发现）：部门 {p['missing_form_department']} 有一个二级单位
有资金但未提交自评表；部门 {p['sangong_up_department']} 机关本级三公经费预算较上年大幅增长；部门 {p['grades_differ_department']}
各单位自评均为“优”，但合并评价（违规事项汇总后）为“良”；部门 {p['typed_differs_department']} 机关本级在职人数超过编制，
自评表填报的在职人员控制率与基础数据表不符；部门 {p['adjustment_department']} 机关本级预算调整率超过 30%。
"""
