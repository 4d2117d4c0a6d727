"""Target-review reports: one opinion per declaration (绩效目标审核意见) and the city's summary.

Per declaration: 一、项目及绩效目标概况 · 二、审核结论 (grade, its consequence under 财预〔2015〕88号,
the checks by family) · 三、审核发现及修改意见 · 四、审核要点与规则 · 附表 (输入文件). The city summary:
总体情况, 审核结论与结果应用, 分部门情况, 主要问题, 须修改和不得进入预算编审的项目, 有关建议, 附录 (规则).
``build_target_report`` / ``build_target_summary`` review every declaration of a data folder's next
year (``next_year/declarations``, last year's values as history) and return objects whose methods
give each section as sentences and frames with Chinese headers.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import datasets
from ..report.markup import escape_html
from ..review.target_codes import FAMILIES, SEVERITIES, TARGET_CODES
from .. import display as fmt

TITLE = "项目支出绩效目标审核意见"
SUMMARY_TITLE = "绩效目标审核情况汇总"
GRADE_MEANING = {"优": "绩效目标完整、可衡量，与资金规模相匹配", "良": "绩效目标基本符合要求，个别内容需要调整",
                 "中": "绩效目标存在须修改的问题", "差": "绩效目标存在严重问题或多类须修改的问题"}


def _rules_table(review) -> pd.DataFrame:
    return pd.DataFrame({"审核要点": list(review.conventions), "规则": [fmt.clause(v) for v in review.conventions.values()]})


@dataclass
class TargetReport:
    """The review opinion of one declaration (``review`` holds every declaration of the folder)."""

    project_id: str
    review: object
    inputs: list

    @property
    def one(self):
        return self.review.project(self.project_id)

    @property
    def s(self) -> pd.Series:
        return self.one.summary.iloc[0]

    @property
    def h(self) -> pd.Series:
        return self.one.header.iloc[0]

    @property
    def name(self) -> str:
        return self.s["project_name"] or self.project_id

    @property
    def year(self):
        y = self.h.get("year")
        return None if pd.isna(y) else int(y)

    def heading_html(self) -> str:
        return (f"<h1>{escape_html(self.name)}</h1><p><strong>{TITLE}</strong>（{escape_html(self.year or '')} 年度；"
                f"项目编码 {escape_html(self.project_id)}；主管部门 {escape_html(self.h.get('department') or '')}）</p>")

    def overview(self) -> pd.DataFrame:
        h = self.h
        return pd.DataFrame({"项目": ["项目名称", "主管部门", "实施单位", "年度资金总额（万元）", "其中：财政拨款（万元）",
                                    "其他资金（万元）"],
                             "内容": [self.name, h.get("department") or "—", h.get("unit") or "—", fmt.wan(h.get("funds")),
                                    fmt.wan(h.get("fiscal")), fmt.wan(h.get("other"))]})

    def goal(self) -> str:
        goal = self.h.get("goal")
        return fmt.sentence("年度总体目标：" + (fmt.clause(goal) if isinstance(goal, str) and goal.strip() else "未填写"))

    def indicators(self) -> pd.DataFrame:
        r = self.one.rows
        table = pd.DataFrame({"一级指标": r["level1"], "二级指标": r["level2"], "三级指标": r["level3"],
                              "指标值": r["target"]})
        if r["history"].notna().any():
            table["上年实际完成值"] = r["history"].fillna("—")
        return table

    def indicator_text(self) -> str:
        s = self.s
        return fmt.sentence(f"申报绩效指标 {int(s['n_indicators'])} 个，其中定量（含时间）指标 {int(s['n_measurable'])} 个，"
                            f"占 {fmt.pct(s['measurable_share'], 1)}，按类别为{self._category_counts()}")

    def _category_counts(self) -> str:
        """“数量 3 个、质量 2 个…”: the project's own indicators by category, in the order declared."""
        c = self.one.rows["category"].fillna("其他").astype(str)
        counts = c.value_counts(sort=False)
        return "、".join(f"{k} {int(v)} 个" for k, v in counts.items()) or "无"

    def conclusion(self) -> str:
        s = self.s
        counts = [f"{label} {int(s[f'n_{key}'])} 项" for key, label in SEVERITIES.items() if s[f"n_{key}"]]
        found = "，".join(counts) if counts else "未发现问题"
        funds = f"申报资金 {fmt.wan_text(s['funds'])}，" if s.get("funds") == s.get("funds") and s.get("funds") else ""
        found = f"发现{found}" if counts else found
        return fmt.sentence(f"审核 {int(s['n_indicators'])} 个绩效指标，{found}。{funds}审核结论为“{s['grade']}”"
                            f"（{s['grade_reason']}：{GRADE_MEANING[s['grade']]}），按审核结果应用规定{s['consequence']}")

    def families(self) -> pd.DataFrame:
        """Each family of checks: how many findings and the result (通过 / 建议修改 / 须修改 / 严重问题)."""
        f = self.one.findings
        rows = []
        for family in FAMILIES:  # six families of checks
            part = f[f["family"] == family]
            worst = part["severity"].map({"critical": 0, "major": 1, "minor": 2}).min() if len(part) else None
            result = "通过" if worst is None else SEVERITIES[["critical", "major", "minor"][int(worst)]]
            rows.append({"审核内容": family, "发现问题（项）": len(part), "结果": result})
        return pd.DataFrame(rows)

    def findings(self) -> pd.DataFrame:
        f = self.one.findings
        return pd.DataFrame({"问题性质": f["severity"].map(SEVERITIES), "审核内容": f["family"],
                             "指标": f["indicator"].fillna("（整表）"), "审核意见": f["message"].map(fmt.sentence),
                             "修改建议": f["fix"].map(fmt.sentence)})

    def no_findings_text(self) -> str:
        s = self.s
        return (f"{int(s['n_indicators'])} 个绩效指标（{self._category_counts()}）均未发现问题：绩效目标要素完整、"
                f"可衡量，与申报资金 {fmt.wan_text(s['funds'])} 相匹配。")

    def rules_table(self) -> pd.DataFrame:
        return _rules_table(self.review)


def build_target_report(data_dir, project_id) -> TargetReport:
    """The review opinion of one next-year declaration of a data folder."""
    from ..budget.candidates import review_next_year
    from ..errors import InputError

    data = Path(data_dir)
    review = review_next_year(data)
    if review is None:
        raise InputError("数据目录中没有下一年度的绩效目标申报表", expected="next_year/declarations/*.xlsx")
    one = review.project(project_id)  # an unknown id lists the valid ones
    folder = data / datasets.NEXT_YEAR / "declarations"
    inputs = [folder / str(name) for name in one.summary["source_file"] if (folder / str(name)).is_file()]
    history = data / "self_evaluation" / "rows.csv"
    return TargetReport(project_id=str(project_id), review=review,
                        inputs=inputs + ([history] if history.is_file() else []))


@dataclass
class TargetSummary:
    """The city's summary of a year's target review."""

    review: object
    city: str
    year: int | None
    inputs: list

    @property
    def title(self) -> str:
        return f"{self.city} {self.year or ''} 年度{SUMMARY_TITLE}".replace("  ", " ")

    def overview(self) -> list[str]:
        s = self.review.summary
        counts = self.review.grade_counts()
        text = (f"共审核 {len(s)} 份项目支出绩效目标申报表，涉及资金 {fmt.wan_text(s['funds'].sum())}。审核结论："
                + "，".join(f"“{g}” {n} 个" for g, n in counts.items()))
        share = s["measurable_share"]
        more = (f"定量（含时间）指标占比平均为 {fmt.pct(share.mean(), 1)}，最低 {fmt.pct(share.min(), 1)}；"
                f"共发现问题 {len(self.review.findings)} 项，其中须修改 {int(s['n_major'].sum())} 项、"
                f"严重问题 {int(s['n_critical'].sum())} 项、建议修改 {int(s['n_minor'].sum())} 项")
        return [fmt.sentence(text), fmt.sentence(more)]

    def grades(self) -> pd.DataFrame:
        s = self.review.summary
        counts = self.review.grade_counts()
        money = s.groupby("grade")["funds"].sum().reindex(counts.index).fillna(0.0)
        return pd.DataFrame({"审核结论": counts.index, "项目数（个）": counts.to_numpy(),
                             "涉及资金（万元）": money.map(fmt.wan).to_numpy(),
                             "结果应用": [self.review.rules.consequences[g] for g in counts.index]})

    def departments(self) -> pd.DataFrame:
        s = self.review.summary.assign(department=lambda f: f["department"].fillna("（未填写）"))
        table = s.pivot_table(index="department", columns="grade", values="project_id", aggfunc="count",
                              fill_value=0).reindex(columns=["优", "良", "中", "差"], fill_value=0)
        table.columns = [f"{g}（个）" for g in table.columns]
        table.insert(0, "申报表（份）", s.groupby("department").size())
        return table.rename_axis("主管部门").reset_index()

    def problems(self) -> pd.DataFrame:
        f = self.review.findings
        if f.empty:
            return pd.DataFrame()
        g = f.groupby("code").agg(n=("project_id", "size"), projects=("project_id", "nunique"))
        order = {c: i for i, c in enumerate(TARGET_CODES)}
        g = g.assign(_o=g.index.map(order)).sort_values(["projects", "_o"], ascending=[False, True])
        return pd.DataFrame({"问题": [TARGET_CODES[c][2] for c in g.index], "审核内容": [TARGET_CODES[c][0] for c in g.index],
                             "问题性质": [SEVERITIES[self.review.rules.severity_of(c)] if c != "MISSING_CATEGORY"
                                      else "须修改或建议修改" for c in g.index],
                             "出现次数": g["n"].to_numpy(), "涉及项目（个）": g["projects"].to_numpy()})

    def to_revise(self) -> pd.DataFrame:
        """The declarations graded 中 or 差, with their main problems."""
        s = self.review.summary
        bad = s[s["grade"].isin(["中", "差"])]
        if bad.empty:
            return pd.DataFrame()
        f = self.review.findings
        main = f[f["severity"].isin(["critical", "major"])].drop_duplicates(["project_id", "code"])
        titles = main.assign(t=main["code"].map(lambda c: TARGET_CODES[c][2])).groupby("project_id")["t"].agg("、".join)
        return pd.DataFrame({"项目名称": bad["project_name"], "主管部门": bad["department"],
                             "年度资金总额（万元）": bad["funds"].map(fmt.wan), "审核结论": bad["grade"],
                             "主要问题": bad["project_id"].map(titles).astype(object).fillna(""), "结果应用": bad["consequence"]})

    def suggestions(self) -> list[str]:
        s, f = self.review.summary, self.review.findings
        out = []
        n_bad = int(s["grade"].isin(["中", "差"]).sum())
        if n_bad:
            out.append(f"对审核结论为“中”“差”的 {n_bad} 个项目，按审核意见退回修改，修改后重新审核；结论为“差”的项目本年度不进入预算编审流程")
        codes = set(f["code"])
        if "INPUT_AS_OUTPUT" in codes:
            out.append("加强对预算单位的指导：资金到位、预算执行、投入人员等投入类内容不得作为产出指标")
        if codes & {"VAGUE_OUTPUT", "LOW_MEASURABILITY"}:
            out.append("产出指标一律量化，定性表述只用于确实无法量化的效益指标，并写明判断标准")
        if "BELOW_HISTORY" in codes:
            out.append("延续项目的目标值参照上年实际完成值设定，不得低于已达到的水平")
        if "MISSING_CATEGORY" in codes:
            out.append("按产出数量、质量、时效、成本和效益、满意度完整设置指标，成本指标与预算测算口径一致")
        out.append("绩效目标与预算同步批复、同步公开，作为预算执行监控和绩效评价的依据")
        return [fmt.sentence(x) for x in out]

    def rules_table(self) -> pd.DataFrame:
        return _rules_table(self.review)


def build_target_summary(data_dir, city: str | None = None) -> TargetSummary:
    from ..budget.candidates import review_next_year
    from ..errors import InputError
    from ..settings import city_name

    data = Path(data_dir)
    review = review_next_year(data)
    if review is None:
        raise InputError("数据目录中没有下一年度的绩效目标申报表", expected="next_year/declarations/*.xlsx")
    year = review.header["year"].dropna()
    departments = datasets.projects(data)["department"] if (data / "projects.csv").is_file() else review.header[
        "department"]
    return TargetSummary(review=review, city=city_name(data, departments, city),
                         year=int(year.iloc[0]) if len(year) else None, inputs=datasets.next_year_declarations(data))


__all__ = ["TargetReport", "TargetSummary", "build_target_report", "build_target_summary"]
