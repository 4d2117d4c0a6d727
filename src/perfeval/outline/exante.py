"""The ex-ante assessment report of one candidate project (事前绩效评估报告), in its official outline.

一、评估对象基本情况 (背景, 内容, 绩效目标, 资金构成) · 二、评估工作开展情况 (目的和对象, 思路和方法, 程序)
· 三、综合评估情况与评估结论 (one paragraph per dimension, then the overall conclusion) · 四、相关建议 ·
五、其他需要说明的问题 · 附表 (专家评分汇总, 各专家评分, 评估约定, 输入文件) — domain.md §3 [S20].

``build_exante_report(data_dir, project_id, method, thresholds)`` assesses every candidate (so the
report can say where this one stands) and returns an :class:`ExanteReport` whose methods give the
sections as sentences and frames with Chinese headers; the notebook only displays them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import datasets
from ..exante.rules import short_label
from ..report.markup import escape_html
from .. import display as fmt

TITLE = "项目事前绩效评估报告"
DIMENSION_ADVICE = {  # advice for a weak dimension, by its name in the exante system
    "立项必要性": "补充立项依据和需求测算，说明与现有项目、平台的区别，避免重复建设",
    "投入经济性": "按支出标准和市场询价重新测算预算明细，剔除非必要支出",
    "绩效目标合理性": "按产出、效益、满意度细化量化绩效目标，使目标与资金规模相匹配",
    "实施方案可行性": "细化实施步骤和进度安排，明确组织保障和风险应对措施",
    "筹资合规性": "明确各渠道资金来源和落实情况",
}
# said of 筹资合规性 only where the project counts on money other than the fiscal request
OTHER_FUNDS_ADVICE = "，其他资金 {other} 须说明来源和还款安排，不得形成隐性债务"
OUTCOME_ADVICE = {  # {amount}: the suggested amount (support, partial) or the request (reject)
    "support": "建议按 {amount} 纳入下一年度预算，并在预算批复时一并批复绩效目标",
    "partial": "建议项目单位按专家意见调整完善实施方案、预算和绩效目标，经财政部门审核后按不超过 {amount} 安排",
    "reject": "建议申请的 {amount} 暂不纳入下一年度预算安排；项目单位可在补充论证、解决主要问题后重新申报",
}


@dataclass
class ExanteReport:
    """Everything the ex-ante report shows, for one candidate (``result`` holds all candidates)."""

    project_id: str
    meta: dict
    result: object          # ExanteAssessment of every candidate
    declaration: object     # Declaration of the candidate, or None
    inputs: list

    @property
    def one(self):
        return self.result.project(self.project_id)

    @property
    def t(self) -> pd.Series:
        return self.one.totals.iloc[0]

    @property
    def name(self) -> str:
        return self.meta.get("project_name") or self.project_id

    @property
    def year(self):
        return self.meta.get("year")

    def heading_html(self) -> str:
        return (f"<h1>{escape_html(self.name)}</h1><p><strong>{TITLE}</strong>（{escape_html(self.year or '')} 年度预算；"
                f"项目编码 {escape_html(self.project_id)}；申报单位 {escape_html(self.meta.get('unit') or '')}）</p>")

    # ---------------------------------------------------------------- 一、评估对象基本情况
    def background(self) -> list[str]:
        m = self.meta
        return [fmt.sentence(f"立项背景：{fmt.clause(m.get('background') or '申报材料未说明')}"),
                fmt.sentence(f"主要内容：{fmt.clause(m.get('content') or '申报材料未说明')}"),
                fmt.sentence(f"实施期：{m.get('period') or '—'}；主管部门：{m.get('department') or '—'}；"
                             f"实施单位：{m.get('unit') or '—'}")]

    def goal(self) -> str:
        return fmt.sentence(f"项目申报的总体绩效目标：{fmt.clause(self.meta.get('goal') or '未填写')}")

    def targets(self) -> pd.DataFrame:
        """The declared indicators (一级/二级/三级指标, 指标值); empty when no declaration was filed."""
        if self.declaration is None:
            return pd.DataFrame()
        r = self.declaration.rows
        return pd.DataFrame({"一级指标": r["level1"], "二级指标": r["level2"], "三级指标": r["level3"],
                             "指标值": r["target"]})

    def funding(self) -> pd.DataFrame:
        m = self.meta
        return pd.DataFrame({"资金构成": ["申请资金总额", "其中：申请财政资金", "其他资金"],
                             "金额（万元）": [fmt.wan(m.get("requested")), fmt.wan(m.get("fiscal")),
                                        fmt.wan(m.get("other"))]})

    # ---------------------------------------------------------------- 二、评估工作开展情况
    def work(self) -> list[str]:
        r, t = self.result, self.t
        conv = r.conventions
        n_items = int((r.items["project_id"] == self.project_id).sum()) or "—"
        how = fmt.chinese(conv["专家分合成 (panel aggregation)"])
        return [
            fmt.sentence(f"评估目的和对象：对申请纳入 {self.year or ''} 年度预算的新增项目“{self.name}”开展事前绩效评估，"
                         "判断项目是否必要、投入是否经济、目标是否合理、方案是否可行、筹资是否合规，为预算安排提供依据"),
            fmt.sentence(f"评估思路和方法：采用专家评审法，按《{r.system_title}》从立项必要性、投入经济性、绩效目标合理性、"
                         f"实施方案可行性、筹资合规性五个维度（各 20 分）共 {n_items} 个评估要点评分；每个要点按"
                         + "、".join(r.ratings) + "评定，分别得该要点分值的 " + "、".join(f"{v:.0%}" for v in r.ratings.values())
                         + f"；{int(t['n_experts'])} 名专家独立评分，{how}"),
            fmt.sentence("评估程序：审核项目申报书、实施方案、预算明细"
                         + ("和绩效目标申报表等资料" if self.declaration is not None else "等资料（项目未编报绩效目标申报表）")
                         + f"，与项目单位座谈了解情况，{int(t['n_experts'])} 名专家独立评分并提出 {len(self.one.opinions)} "
                         "条书面意见，汇总形成评估结论"),
        ]

    # ---------------------------------------------------------------- 三、综合评估情况与评估结论
    def dimensions(self) -> list[tuple[str, str]]:
        """(heading, paragraph) per dimension: score, the items that lost most, the experts' opinions."""
        one = self.one
        digits = "一二三四五六七八九十"
        items = one.items
        out = []
        for i, d in enumerate(one.dimensions.itertuples()):  # five dimensions
            text = f"该维度分值 {fmt.points(d.points)} 分，专家组评分 {fmt.score(d.score)} 分，得分率 {fmt.pct(d.rate, 1)}"
            lost = items[(items["dimension"] == d.dimension) & (items["score"] < items["points"] - 1e-9)]
            lost = lost.sort_values("score", kind="stable").head(2)
            if len(lost):
                text += "。失分较多的评估要点：" + "；".join(
                    f"“{x.item}”{fmt.score(x.score)}/{fmt.points(x.points)} 分" for x in lost.itertuples())
            if d.weak:
                text += f"。得分率低于 {self._weak_share()}，为薄弱维度"
            words = one.opinions[one.opinions["dimension"] == d.code]["opinion"].tolist()
            if words:
                text += "。专家意见：" + "；".join(fmt.clause(w) for w in words)
            out.append((f"（{digits[i]}）{d.dimension}", fmt.sentence(text)))
        return out

    def _weak_share(self) -> str:
        return self.result.conventions["薄弱维度 (weak dimension)"].split("的 ")[-1]

    def conclusion(self) -> str:
        t, rule = self.t, self.result.rule
        text = (f"综合专家组评分，项目总分 {fmt.score(t['total'])} 分（满分 100 分），按“{rule.title}”，"
                f"{fmt.clause(t['rule_text'])}")
        if t["weak"]:
            text += f"。薄弱维度：{t['weak']}"
        if pd.notna(t.get("requested")):
            if t["outcome"] == "reject":
                text += f"。申请资金 {fmt.wan_text(t['requested'])}，建议不予安排"
            elif t["cut"] > 0:
                text += (f"。申请资金 {fmt.wan_text(t['requested'])}，专家组建议核减 {fmt.wan_text(t['cut'])}，"
                         f"建议安排 {fmt.wan_text(t['suggested'])}")
            else:
                text += f"。申请资金 {fmt.wan_text(t['requested'])}，未发现不经济的支出，建议按申请金额安排"
        return fmt.sentence(text)

    def score_table(self) -> pd.DataFrame:
        d = self.one.dimensions
        table = pd.DataFrame({"评估维度": d["dimension"], "分值": d["points"].map(fmt.points),
                              "得分": d["score"].map(fmt.score), "得分率": d["rate"].map(lambda v: fmt.pct(v, 1)),
                              "薄弱维度": d["weak"].map({True: "是", False: "否"})})
        total = pd.DataFrame({"评估维度": ["合计"], "分值": [fmt.points(d["points"].sum())],
                              "得分": [fmt.score(self.t["total"])], "得分率": [fmt.pct(self.t["total"] / 100, 1)],
                              "薄弱维度": [""]})
        return pd.concat([table, total], ignore_index=True)

    def levels(self) -> pd.DataFrame:
        """The dimensions in the shape of a scorecard's level-1 rows (for ``charts.level1_rates``)."""
        d = self.one.dimensions
        return pd.DataFrame({"level": 1, "level1": d["dimension"], "rate": d["rate"], "score": d["score"].round(2),
                             "points": d["points"]})

    # ---------------------------------------------------------------- 四、相关建议
    def suggestions(self) -> list[str]:
        t, one = self.t, self.one
        amount = t["requested"] if t["outcome"] == "reject" else t["suggested"]
        out = [OUTCOME_ADVICE[t["outcome"]].format(amount=fmt.wan_text(amount) if pd.notna(amount) else "核定的金额")]
        for c in one.cuts.itertuples():
            out.append(f"核减“{c.item}”{fmt.wan_text(c.amount)}：{fmt.clause(c.reason or '专家组认定为不经济支出')}")
        weak = one.dimensions[one.dimensions["weak"]].sort_values("rate", kind="stable")
        items = one.items[one.items["score"] < one.items["points"] - 1e-9].sort_values("score", kind="stable")
        other = self.meta.get("other")
        for d in weak.itertuples():  # each weak dimension answered at its weakest item, in the project's figures
            advice = DIMENSION_ADVICE.get(d.dimension, "按专家意见补充完善")
            if d.dimension == "筹资合规性" and other and other == other and float(other) > 0:
                advice += OTHER_FUNDS_ADVICE.format(other=fmt.wan_text(other))
            worst = items[items["dimension"] == d.dimension].head(1)
            where = f"（得分率 {fmt.pct(d.rate, 1)}" + (f"，失分最多的要点为“{worst['item'].iloc[0]}”" if len(worst) else "") + "）"
            out.append(f"{d.dimension}方面{where}：{advice}")
        if self.declaration is None:
            out.append("项目未编报绩效目标申报表，应按规定补报，经审核后方可进入预算编审流程")
        return [fmt.sentence(x) for x in out]

    # ---------------------------------------------------------------- 五、其他需要说明的问题
    def other_matters(self) -> list[str]:
        t = self.t
        out = []  # one conclusion: the rule in force is stated in 三 and the appendix, no other rule here
        experts = self.one.experts["total"]
        if len(experts):
            out.append(f"{len(experts)} 名专家给出的总分在 {fmt.score(experts.min())}–{fmt.score(experts.max())} 分之间"
                       + (f"；按评估要点计算的专家评分一致性（肯德尔 W）为 {t['kendall_w']:.2f}，"
                          "各要点评分差异较小时该系数偏低，不代表专家意见分歧" if pd.notna(t["kendall_w"]) else ""))
        out.append("本评估依据项目单位提供的申报材料和座谈情况作出，材料的真实性由项目单位负责；项目实施条件发生重大变化的，"
                   "应重新评估")
        return [fmt.sentence(x) for x in out]

    # ---------------------------------------------------------------- 附表
    def panel_table(self) -> pd.DataFrame:
        """附表1: each item's ratings by expert and the panel's combined score."""
        one = self.one
        wide = one.scores.pivot(index="code", columns="expert", values="rating" if one.scores["rating"].notna().all()
                                else "score")
        items = one.items.set_index("code")
        order = [c for c in items.index if c in wide.index]
        table = pd.DataFrame({"评估维度": items.loc[order, "dimension"], "评估要点": items.loc[order, "item"],
                              "分值": items.loc[order, "points"].map(fmt.points)})
        for expert in wide.columns:
            table[expert] = wide.loc[order, expert].map(lambda v: v if isinstance(v, str) else fmt.points(v))
        table["专家组评分"] = items.loc[order, "score"].map(fmt.score)
        return table.reset_index(drop=True).rename_axis(columns=None)

    def experts_table(self) -> pd.DataFrame:
        """附表2: each expert's subtotal per dimension and total."""
        e = self.one.experts
        names = self.one.dimensions.set_index("code")["dimension"]
        cols = [c for c in names.index if c in e]
        table = pd.DataFrame({"专家": e["expert"]})
        for c in cols:
            table[names[c]] = e[c].map(fmt.score)
        table["总分"] = e["total"].map(fmt.score)
        return table

    def conventions_table(self) -> pd.DataFrame:
        from ..exante import THRESHOLDS

        conv = dict(self.result.conventions)
        others = [rule.title for rule in THRESHOLDS.values() if rule.key != self.result.rule.key]
        if others:  # named only, never applied: the report has one conclusion
            conv["其他可选结论规则 (other rules)"] = "、".join(others) + "（本报告未采用）"
        return pd.DataFrame({"约定": [k.split(" (")[0] for k in conv],
                             "取值": [fmt.clause(fmt.chinese(v)) for v in conv.values()]})


def build_exante_report(data_dir, project_id, method: str = "mean", thresholds="default") -> ExanteReport:
    """Every section of one candidate's ex-ante report (all candidates are assessed alike)."""
    from .. import exante
    from ..exante.data import FOLDER
    from ..io.declaration import read_declarations

    data = Path(data_dir)
    loaded = exante.load(data)
    meta = exante.candidate(loaded, project_id)
    result = exante.assess(loaded, method=method, thresholds=thresholds)
    path = datasets.next_year_declaration(data, meta["project_id"])
    declaration = read_declarations(path)[0] if path.is_file() else None
    inputs = sorted((data / FOLDER).glob("*.csv")) + ([path] if path.is_file() else [])
    return ExanteReport(project_id=str(meta["project_id"]), meta=meta, result=result, declaration=declaration,
                        inputs=inputs)


__all__ = ["DIMENSION_ADVICE", "ExanteReport", "OUTCOME_ADVICE", "TITLE", "build_exante_report", "short_label"]
