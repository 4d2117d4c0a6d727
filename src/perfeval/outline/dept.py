"""Content of the department-overall reports (部门整体支出绩效自评报告, dept-overall.md §7): frames and sentences
for ``notebooks/dept_report.ipynb`` (one department) and ``notebooks/dept_summary.ipynb`` (the city comparison).

:func:`load_city` reads ``units.csv``, ``dept_basic.csv`` and ``dept_rows.csv`` of a data folder and runs
:func:`perfeval.dept.evaluate` once; :class:`DeptReport` is one department's view of it, in the order of the
synthesis of §7: 基本情况 (units, people), 部门整体支出情况 (money by 基本/项目 and by source, 三公 this year vs
last), 自评得分与等级 (both views, blocks), 扣分指标 (with the 评分标准 quoted and the units' reasons), 所属单位
(money, score, grade, missing forms), 存在的问题 and 建议 drawn from the evidence only (an indicator that lost no
points is never a finding), 附表. A figure the data sheet does not give is said to be not given, never shown as 0.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import display as fmt
from ..report.markup import escape_html

ROWS_FILE, UNITS_FILE, BASIC_FILE = "dept_rows.csv", "units.csv", "dept_basic.csv"
NOT_GIVEN = "未提供"
MONEY_ROWS = (("合计", "budget_full_year", "spent"), ("基本支出·人员经费", "budget_personnel", "spent_personnel"),
              ("基本支出·公用经费", "budget_public", "spent_public"), ("项目支出", "budget_project", "spent_project"))
SOURCES = (("一般公共预算", "income_general"), ("政府性基金", "income_fund"), ("财政专户管理资金", "income_special"),
           ("其他资金", "income_other"))
UNCHECKED = ("未纳入的项目", "部门资金与所属单位合计不符")  # checks that need inputs load_city does not pass
SHARP_RISE = 0.10  # 三公经费 up more than 10 % on last year: a finding


@dataclass(frozen=True)
class City:
    """The city's department inputs and their evaluation (one year)."""

    units: pd.DataFrame
    basic: pd.DataFrame
    rows: pd.DataFrame
    evaluation: object  # perfeval.dept.DeptEvaluation
    year: int


def load_city(data_dir, year: int | None = None) -> City:
    """Read the three department files of ``data_dir`` and evaluate the year (latest in the sheet by default)."""
    from .. import dept
    from ..dept._csv import read_text_csv

    data = Path(data_dir)
    units = dept.read_units(data / UNITS_FILE)
    basic = dept.read_basic(data / BASIC_FILE, units)
    rows = read_text_csv(data / ROWS_FILE)
    evaluation = dept.evaluate(units, rows, basic, year=year)
    return City(units, basic, rows, evaluation, evaluation.rollup.year)


def _pct_of(num, den) -> str:
    return fmt.pct(num / den) if pd.notna(num) and pd.notna(den) and den > 0 else "—"


def _amount(v) -> str:
    return fmt.wan(v) if pd.notna(v) else NOT_GIVEN


@dataclass(frozen=True)
class DeptReport:
    """One department's report content."""

    city: City
    department_id: str

    # ---------------------------------------------------------------- basics
    @property
    def name(self) -> str:
        u = self.city.units
        return str(u.loc[u["unit_id"] == self.department_id, "unit_name"].iloc[0])

    @property
    def result(self) -> pd.Series:
        d = self.city.evaluation.ranking.departments
        found = d[d["department_id"] == self.department_id]
        if len(found):
            return found.iloc[0]
        # no unit of the department sent a form: nothing to score, no grade, no rank (absent, not zero)
        return pd.Series({"department_id": self.department_id, "consolidated_total": np.nan, "mean_of_units": np.nan,
                          "grade_consolidated": None, "grade_mean_of_units": None, "grades_differ": False,
                          "rank": pd.NA})

    def _sheet(self, year: int) -> pd.Series:
        c = self.city.evaluation.rollup.consolidated_sheet
        sel = c[(c["department_id"] == self.department_id) & (c["year"] == year)]
        return sel.iloc[0] if len(sel) else pd.Series(dtype=object)

    def heading_html(self) -> str:
        return (f"<h1>{escape_html(self.name)}</h1><p><strong>部门整体支出绩效自评报告</strong>"
                f"（{self.city.year} 年度；部门编码 {escape_html(self.department_id)}）</p>")

    def summary_text(self) -> list[str]:
        r, n = self.result, len(self.city.evaluation.ranking.departments)
        ranked = f"在全市 {n} 个部门中排第 {int(r['rank'])} 名" if pd.notna(r["rank"]) else "因数据不全未排名"
        total = (f"部门整体自评合并得分 {fmt.score(r['consolidated_total'])} 分，等级“{r['grade_consolidated']}”，{ranked}"
                 if pd.notna(r["consolidated_total"]) else "部门整体合并得分无法计算（有指标未评分），不作等级结论")
        out = [fmt.sentence(total)]
        if pd.notna(r["mean_of_units"]):
            out.append(fmt.sentence(f"所属单位自评总分按资金额度加权平均为 {fmt.score(r['mean_of_units'])} 分"
                                    f"（等级“{r['grade_mean_of_units']}”）"
                                    + (f"；与合并得分相差 {fmt.score(abs(r['mean_of_units'] - r['consolidated_total']))} 分、"
                                       "等级不同，以合并评价为准，差异原因见“存在的问题”" if r["grades_differ"] else "")))
        return out

    def units_of(self) -> pd.DataFrame:
        u = self.city.units
        return u[u["department_id"] == self.department_id]

    def basics_text(self) -> list[str]:
        units = self.units_of()
        n2 = int((units["level"] == 2).sum())
        s = self._sheet(self.city.year)
        staff = (f"编制 {fmt.points(s['staff_quota'])} 人，在职 {fmt.points(s['staff_actual'])} 人"
                 if pd.notna(s.get("staff_quota")) and pd.notna(s.get("staff_actual")) else "编制数、在职人数未提供")
        return [fmt.sentence(f"{self.name}为一级预算单位，部门预算由机关本级和 {n2} 个二级预算单位组成"
                             if n2 else f"{self.name}为一级预算单位，部门预算仅含机关本级"),
                fmt.sentence(f"{self.city.year} 年部门合计{staff}")]

    def people_table(self) -> pd.DataFrame:
        b = self.city.basic
        u = self.units_of()
        cur = b[b["year"] == self.city.year].set_index("unit_id")
        return pd.DataFrame({"单位": u["unit_name"].to_numpy(),
                             "级次": np.where(u["level"] == 1, "一级（机关本级）", "二级").tolist(),
                             "编制数": u["unit_id"].map(cur["staff_quota"]).map(fmt.points).replace("—", NOT_GIVEN).to_numpy(),
                             "在职人数": u["unit_id"].map(cur["staff_actual"]).map(fmt.points).replace("—", NOT_GIVEN).to_numpy()})

    # ---------------------------------------------------------------- money
    def money_table(self) -> pd.DataFrame:
        s = self._sheet(self.city.year)
        return pd.DataFrame([{"项目": label, "全年预算数（万元）": _amount(s.get(b)), "执行数（万元）": _amount(s.get(e)),
                              "执行率": _pct_of(s.get(e), s.get(b))} for label, b, e in MONEY_ROWS])

    def money_text(self) -> list[str]:
        s = self._sheet(self.city.year)
        out = [fmt.sentence(f"{self.city.year} 年部门年初预算 {fmt.wan_text(s['budget_initial'])}，全年预算 "
                            f"{fmt.wan_text(s['budget_full_year'])}，全年执行 {fmt.wan_text(s['spent'])}，预算完成率 "
                            f"{_pct_of(s['spent'], s['budget_full_year'])}")]
        adj = s.get("adjustment")
        out.append(fmt.sentence(f"年度预算调整（追加、调减）合计 {fmt.wan_text(adj)}，占年初预算的 "
                                f"{_pct_of(adj, s['budget_initial'])}" if pd.notna(adj) else "预算调整数未提供"))
        return out

    def source_table(self) -> pd.DataFrame:
        s = self._sheet(self.city.year)
        return pd.DataFrame([{"资金来源": label, "金额（万元）": _amount(s.get(f)),
                              "占全年预算": _pct_of(s.get(f), s.get("budget_full_year"))} for label, f in SOURCES])

    def sangong(self) -> tuple[pd.DataFrame, list[str]]:
        """三公经费 this year vs last (budget and spending) and the sentence."""
        s = self._sheet(self.city.year)
        rows, text = [], []
        for label, now, last in (("预算数", "sangong_budget", "sangong_budget_last"),
                                 ("支出数", "sangong_spent", "sangong_spent_last")):
            a, b = s.get(now), s.get(last)
            change = (a - b) / b if pd.notna(a) and pd.notna(b) and b > 0 else np.nan
            rows.append({"三公经费": label, f"{self.city.year}年（万元）": _amount(a),
                         f"{self.city.year - 1}年（万元）": _amount(b), "增减": fmt.pct(change)})
            if pd.notna(change):
                text.append(f"三公经费{label}较上年{'增长' if change > 0 else '下降'} {fmt.pct(abs(change))}")
            else:
                text.append(f"三公经费{label}本年或上年数未提供，不作比较")
        return pd.DataFrame(rows), [fmt.sentence("；".join(text))]

    # ---------------------------------------------------------------- scores
    def groups(self) -> pd.DataFrame:
        g = self.city.evaluation.rollup.groups
        return g[g["department_id"] == self.department_id]

    def block_table(self) -> pd.DataFrame:
        g = self.groups()
        b = g.groupby("level1", sort=False).agg(points=("points", "sum"), score=("score", lambda s: s.sum(min_count=len(s))))
        return pd.DataFrame({"一级指标": b.index, "分值": b["points"].map(fmt.score).to_numpy(),
                             "得分": b["score"].map(fmt.score).to_numpy(),
                             "得分率": (b["score"] / b["points"]).map(fmt.pct).to_numpy()})

    def deducted(self) -> pd.DataFrame:
        """Indicators that lost points in the roll-up, the 评分标准 quoted, the units' reasons."""
        g = self.groups()
        lost = g[(g["points"] - g["score"]) > 0.005]
        r = self.city.evaluation.rollup.rows
        r = r[(r["department_id"] == self.department_id) & r["reason"].notna()]
        reasons = r.groupby("indicator")["reason"].agg(lambda s: "；".join(dict.fromkeys(map(str, s))))
        value = np.where(lost["measure"].eq("rate") & lost["actual"].notna(),
                         "合并完成值 " + lost["actual"].map(lambda v: f"{v:.2f}%").astype(object) + "（目标 "
                         + lost["op"].fillna("").astype(str).astype(object)
                         + lost["target"].map(lambda v: "" if pd.isna(v) else f"{v:g}%").astype(object) + "）", "")
        return pd.DataFrame({"一级指标": lost["level1"].to_numpy(), "三级指标": lost["level3"].to_numpy(),
                             "完成情况": value,
                             "分值": lost["points"].map(fmt.score).to_numpy(), "得分": lost["score"].map(fmt.score).to_numpy(),
                             "扣分": (lost["points"] - lost["score"]).map(fmt.score).to_numpy(),
                             "评分标准": lost["standard"].fillna("（表内未载评分标准）").to_numpy(),
                             "扣分原因（单位填报）": lost["indicator"].map(reasons).fillna("单位未说明").to_numpy()})

    def units_table(self) -> pd.DataFrame:
        """Every unit of the department: money, score, grade, rank, and whether its form came in."""
        ev = self.city.evaluation
        u = self.units_of()
        cur = self.city.basic[self.city.basic["year"] == self.city.year].set_index("unit_id")
        ranked = ev.ranking.units.set_index("unit_id")
        missing = set(ev.rollup.coverage.missing_forms["unit_id"])
        form = np.where(u["unit_id"].isin(ranked.index), "已提交",
                        np.where(u["unit_id"].isin(missing), "未提交（有资金）", "未提交"))
        return pd.DataFrame({"单位": u["unit_name"].to_numpy(), "全年预算数（万元）": u["unit_id"].map(cur["budget_full_year"]).map(_amount).to_numpy(),
                             "执行数（万元）": u["unit_id"].map(cur["spent"]).map(_amount).to_numpy(),
                             "自评总分": u["unit_id"].map(ranked["total"]).map(fmt.score).to_numpy(),
                             "等级": u["unit_id"].map(ranked["grade"]).fillna("—").to_numpy(),
                             "部门内排名": u["unit_id"].map(ranked["rank_in_department"]).map(
                                 lambda v: "—" if pd.isna(v) else str(int(v))).to_numpy(),
                             "自评表": form})

    # ---------------------------------------------------------------- findings
    def findings(self) -> list[tuple[str, str]]:
        """(problem, suggestion) pairs, each from evidence in the data (none when nothing was lost or flagged)."""
        ev, dep = self.city.evaluation, self.department_id
        out = []
        for _, row in self.deducted().iterrows():  # each with the department's own figures, never a stock sentence
            done = f"{row['完成情况']}，" if row["完成情况"] else ""
            out.append((f"“{row['三级指标']}”{done}得 {row['得分']} 分（满分 {row['分值']}），扣 {row['扣分']} 分："
                        f"{fmt.clause(row['扣分原因（单位填报）'])}",
                        f"针对“{row['三级指标']}”扣减的 {row['扣分']} 分，{self.name}对照评分标准逐项整改："
                        f"{fmt.clause(row['评分标准'])}"))
        miss = ev.rollup.coverage.missing_forms
        for _, m in miss[miss["department_id"] == dep].iterrows():
            out.append((f"{m['unit_name']}有资金（全年预算 {fmt.wan_text(m['budget_full_year'])}）但未提交单位整体支出自评表",
                        f"督促{m['unit_name']}补报自评表，所属单位全部纳入部门整体评价"))
        diff = ev.rollup.coverage.differs
        for _, d in diff[diff["department_id"] == dep].iterrows():
            out.append((f"“{d['level3']}”表内填报 {d['reported_actual']:.2f}%，按基础数据表计算为 {d['derived_actual']:.2f}%，二者不符",
                        "核实基础数据表与自评表的填报口径，按基础数据重新计算并修正自评表"))
        r = self.result
        if bool(r["grades_differ"]):
            out.append((f"合并评价 {fmt.score(r['consolidated_total'])} 分（{r['grade_consolidated']}）与所属单位加权平均 "
                        f"{fmt.score(r['mean_of_units'])} 分（{r['grade_mean_of_units']}）等级不同",
                        f"{self.name}逐项分析合并评价与单位平均相差的 {fmt.score(abs(r['mean_of_units'] - r['consolidated_total']))} 分来自哪些指标"
                        "（如违规事项合计、比率汇总），对相关单位逐一落实整改"))
        s = self._sheet(self.city.year)
        a, b = s.get("sangong_budget"), s.get("sangong_budget_last")
        if pd.notna(a) and pd.notna(b) and b > 0 and (a - b) / b > SHARP_RISE:
            out.append((f"三公经费预算较上年增长 {fmt.pct((a - b) / b)}，未体现“只减不增”的要求",
                        "压减三公经费预算，说明增长原因并从严审核"))
        return out

    def problems(self) -> list[str]:
        return [p for p, _ in self.findings()]

    def suggestions(self) -> list[str]:
        return list(dict.fromkeys(s for _, s in self.findings()))

    def application_text(self) -> list[str]:
        """结果应用: the treatment of the department's grade and of each unit's (:func:`perfeval.dept.consequences`)."""
        from ..dept import consequences

        r = self.result
        dep = consequences(pd.DataFrame({"unit_id": [self.department_id], "grade": [r["grade_consolidated"]]}))
        t = dep.iloc[0]
        share = f"（核减比例 {fmt.pct(t['cut_share'], 0)}，为 perfeval 默认设定）" if t["grade"] == "中" else ""
        out = [fmt.sentence(f"{self.name}合并评价总分 {fmt.score(r['consolidated_total'])} 分、等级“{t['grade']}”，"
                            f"下一年度部门预算建议{t['treatment']}{share}"
                            if pd.notna(t["grade"]) else f"{self.name}无合并评价等级，结果应用不作结论")]
        units = self.city.evaluation.ranking.units
        units = units[units["department_id"] == self.department_id]
        if len(units):
            c = consequences(units, grade_column="grade")
            names = self.city.units.set_index("unit_id")["unit_name"]
            weak = c[c["grade"].isin(["中", "差"])]
            out.append(fmt.sentence("所属单位中，" + "；".join(f"{names[u]}（{g}）{tr}" for u, g, tr in
                                                              zip(weak["unit_id"], weak["grade"], weak["treatment"])))
                       if len(weak) else fmt.sentence(
                           f"所属 {len(c)} 个单位自评等级均在“良”及以上（"
                           + "、".join(f"{names[u]}“{g}”" for u, g in zip(c["unit_id"], c["grade"])) + "），按等级据实安排"))
        miss = self.city.evaluation.rollup.coverage.missing_forms
        miss = miss[miss["department_id"] == self.department_id]
        if len(miss):
            out.append(fmt.sentence("、".join(miss["unit_name"]) + "未提交自评表，没有等级，结果应用不作结论，须先补报自评"))
        return out

    def conventions(self) -> pd.DataFrame:
        return conventions_table(self.city)


def conventions_table(city: City) -> pd.DataFrame:
    """The conventions of the evaluation, in Chinese (the rule's code name left out)."""
    conv = city.evaluation.conventions()
    text = [re.sub(r"\s*[A-Za-z_]+(?=：)", "", fmt.chinese(v)) for v in conv.values()]
    return pd.DataFrame({"约定": [fmt.chinese(k) for k in conv], "内容": text})


def build_dept_report(data_dir, department_id: str, year: int | None = None) -> DeptReport:
    """One department's report (an InputError names a department not in units.csv)."""
    from ..errors import InputError, Location

    city = load_city(data_dir, year)
    if department_id not in set(city.units.loc[city.units["level"] == 1, "unit_id"]):
        raise InputError("部门不在 units.csv 中 (unknown department)", where=Location(file=UNITS_FILE),
                         expected="units.csv 中级次为 1 的单位编码", found=department_id)
    return DeptReport(city, str(department_id))


def ranking_table(city: City) -> pd.DataFrame:
    """The city's departments ranked: both views, grades, money, flags."""
    ev = city.evaluation
    d = ev.ranking.departments
    names = city.units.set_index("unit_id")["unit_name"]
    missing = ev.rollup.coverage.missing_forms.groupby("department_id").size()
    return pd.DataFrame({"排名": d["rank"].map(lambda v: "—" if pd.isna(v) else str(int(v))).to_numpy(),
                         "部门": d["department_id"].map(names).to_numpy(),
                         "合并评价得分": d["consolidated_total"].map(fmt.score).to_numpy(),
                         "等级": d["grade_consolidated"].fillna("—").to_numpy(),
                         "单位加权平均": d["mean_of_units"].map(fmt.score).to_numpy(),
                         "等级（单位均值）": d["grade_mean_of_units"].fillna("—").to_numpy(),
                         "两口径等级不同": np.where(d["grades_differ"], "是", "").tolist(),
                         "参评单位全年预算（万元）": d["money"].map(_amount).to_numpy(),
                         "未交自评表单位": d["department_id"].map(missing).fillna(0).astype(int).to_numpy()})


def grade_counts(city: City) -> pd.DataFrame:
    d = city.evaluation.ranking.departments
    counts = d["grade_consolidated"].value_counts()
    grades = ["优", "良", "中", "差"]
    return pd.DataFrame({"等级": grades, "部门数": [int(counts.get(g, 0)) for g in grades]})


def city_text(city: City) -> list[str]:
    ev = city.evaluation
    d = ev.ranking.departments
    cov = ev.rollup.coverage.summary()
    n_units = int(len(city.units))
    return [fmt.sentence(f"{city.year} 年全市 {len(d)} 个部门（{n_units} 个预算单位）开展部门整体支出绩效自评，"
                         f"合并评价平均 {fmt.score(d['consolidated_total'].mean())} 分"),
            fmt.sentence("；".join(f"{k} {v} 个" for k, v in cov.items() if k not in UNCHECKED)
                         + "；部门资金表与所属单位合计、项目覆盖未核对（未提供部门自评表资金表和项目对应关系）")]
