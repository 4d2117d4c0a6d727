"""The city's annual report on its performance work (《预算绩效管理工作开展情况说明》), every number computed.

The seed report is such a report; this module writes it for a data folder in the seed's structure
and register: a preamble; 一、总体情况 (the seed's organisational section is not in the data, so the
year's scale stands in its place); 二、优化管理体系，稳步推进绩效管理 — （一）事前绩效评估（二）绩效目标管理
（三）绩效监控管理（四）绩效评价管理（五）绩效信息公开; 三、多措并举，全力抓好今后工作 (each item answering a
finding of the year); 附表 (key evaluations and their grades, results applied, ex-ante conclusions,
the bases of the figures).

Sources: the city-wide report (:func:`.city.build_city_report`: self-evaluations scored and
reviewed, key evaluation, monitoring, and the ledger of next year's decisions,
:func:`perfeval.budget.decisions_from_data`, with the ex-ante assessment, the review of next year's
declarations and the ranking it was made from), and ``targets.csv``. Every budget figure — results
applied, the ex-ante projects' 建议安排, the ranking — is read from that one ledger, so it is the number
of 结果应用.xlsx and of the priority report. ``AnnualReport.facts`` holds every number the text states,
so tests check the numbers, not the wording.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import compare, datasets
from ..exante.rules import short_label
from ..report.markup import grade_label
from . import applied as A
from .. import display as fmt
from .city import CityReport, build_city_report

TITLE = "预算绩效管理工作开展情况说明"
MIN_RATE = 0.95  # the seed's floor: "各项目预算执行率均能达到95%以上"
GRADES = ("优", "良", "中", "差")


@dataclass
class AnnualReport:
    city_report: CityReport
    exante: object | None            # exante.Assessment of next year's new projects
    targets: pd.DataFrame            # targets.csv (this year's declared targets)
    review: object | None            # review of next year's declarations
    priority: object | None          # budget.Priority of next year's requests
    requests: pd.DataFrame | None
    min_rate: float = MIN_RATE
    facts: dict = field(default_factory=dict)
    absent: dict = field(default_factory=dict)  # input key → the sentence said instead of a conclusion from nothing

    @property
    def city(self) -> str:
        return self.city_report.city

    @property
    def year(self):
        return self.city_report.year

    @property
    def next_year(self):
        return None if self.year is None else int(self.year) + 1

    @property
    def title(self) -> str:
        return f"{self.city} {self.year or ''} 年度{TITLE}".replace("  ", " ")

    # ----------------------------------------------------------------------------- text

    def preamble(self) -> list[str]:
        f = self.facts
        return [fmt.sentence(
            f"{self.year or '本'} 年度，{self.city}坚持“花钱必问效，无效必问责”的预算绩效管理理念，将事前绩效评估、绩效目标管理、"
            f"绩效运行监控、绩效评价和结果应用贯穿预算编制、执行、监督全过程，不断完善“预算编制有标准、预算执行有监控、"
            f"绩效评价有重点、评价结果有应用”的预算绩效管理机制。现将有关情况说明如下")]

    def overview(self) -> list[str]:
        f = self.facts
        return [fmt.sentence(
            f"{self.year or '本'} 年度，{self.city} {f['n_departments']} 个部门的 {f['n_projects']} 个项目纳入预算绩效管理，年初预算 "
            f"{fmt.yi_text(f['budget_initial'])}，年底收回统筹后全年预算 {fmt.yi_text(f['budget_full_year'])}，全年执行 "
            f"{fmt.yi_text(f['spent'])}，整体执行率 {fmt.pct(f['spent'] / f['budget_full_year'])}"),
            fmt.sentence("，".join(self._work_done()))]

    def _work_done(self) -> list[str]:
        """The year's work in figures, leaving out what the data do not say (an absent input is not 0)."""
        f, mon = self.facts, self.city_report.monitoring
        done = [] if "exante" in self.absent else [f"全年开展事前绩效评估 {f['n_exante']} 个项目"]
        if "declarations" not in self.absent:
            done.append(f"审核下一年度绩效目标申报表 {f['n_reviewed']} 份")
        if mon is not None:
            done.append(f"按月监控 {f['n_projects'] - len(mon.not_covered)} 个项目的预算执行")
        done.append(f"单位绩效自评 {f['n_self']} 个项目")
        if self.city_report.key is not None:
            done.append(f"财政重点绩效评价 {f['n_key']} 个项目")
        return done

    def exante_text(self) -> list[str]:
        f = self.facts
        if "exante" in self.absent:
            return [fmt.sentence(self.absent["exante"])]
        if not f["n_exante"]:
            return [fmt.sentence("本年度没有申请事前绩效评估的新增项目")]
        r = self.exante
        dims = "、".join(dict.fromkeys(r.dimensions["dimension"]))
        outcomes = "、".join(f"{short_label(k)} {v} 个" for k, v in f["exante_conclusions"].items())
        top = r.totals.sort_values(["requested", "project_id"], ascending=[False, True]).head(2)["project_name"]
        return [fmt.sentence(
            "始终将预算绩效管理作为财政资金管理的首要工作，前置绩效管理关口。"
            f"对 {self.next_year or '下一'} 年度申请新增的 {f['n_exante']} 个项目开展事前绩效评估，申请资金 "
            f"{fmt.wan_text(f['exante_requested'])}；由 {f['exante_experts']} 名专家从{dims}等方面逐项评审论证"),
            fmt.sentence(f"评估结论为{outcomes}，核减不经济的支出 {fmt.wan_text(f['exante_cut'])}；结合绩效目标审核和资金控制数内的"
                         f"择优排序，{f['new_funded']} 个新增项目建议安排 {fmt.wan_text(f['new_decided'])}"
                         + (f"，{f['new_refused']}" if f["new_refused"] else "")),
            fmt.sentence("重点包括" + "、".join(top) + "等项目")]

    def targets_text(self) -> list[str]:
        f = self.facts
        out = []
        if f["n_with_targets"]:
            whom = "所有项目" if f["n_with_targets"] == f["n_projects"] else f"{f['n_projects']} 个项目中的 {f['n_with_targets']} 个"
            out.append(f"编制 {self.year or '本'} 年度部门预算时，{whom}逐一填报绩效目标，共设置绩效指标 {f['n_indicators']:,} 个，"
                       f"其中定量指标和时间指标占 {fmt.pct(f['measurable_share'], 1)}；在批复预算时一并批复项目绩效目标，作为预算执行、"
                       "绩效监控和绩效评价的依据")
        else:
            out.append(self.absent.get("targets", "数据中没有本年度的绩效目标申报记录"))
        if f["n_reviewed"]:
            grades = "、".join(f"“{g}”{n} 份" for g, n in f["review_grades"].items() if n)
            out.append(f"编制 {self.next_year or '下一'} 年度预算时，对 {f['n_reviewed']} 份绩效目标申报表开展审核，审核结论为{grades}；"
                       f"发现须修改的问题 {f['review_major']} 条、建议修改的问题 {f['review_minor']} 条，"
                       "审核为“中”的退回修改，审核为“差”的不得进入预算编审流程")
        if self.priority is not None:
            p = self.priority
            out.append(f"根据事前评估、目标审核和上年度评价结果，按照轻重缓急对申请安排的 {len(p.table)} 个项目合理排序，在资金控制数 "
                       f"{fmt.wan_text(p.cap)}内安排 {f['priority_funded']} 个项目 {fmt.wan_text(f['priority_used'])}；资金控制线以下 "
                       f"{f['priority_below']} 个，因否决规则不予安排 {f['priority_gated']} 个"
                       + (f"，绩效目标审核为“中”退回修改 {f['priority_revise']} 个" if f["priority_revise"] else "")
                       + (f"，上年评价为“差”取消或暂停 {f['priority_stop']} 个" if f["priority_stop"] else ""))
        return [fmt.sentence(x) for x in out]

    def monitoring_text(self) -> list[str]:
        f = self.facts
        mon = self.city_report.monitoring
        if mon is None:  # no payments data: nothing is said about reminders, zero spending or recovery
            return [fmt.sentence(self.city_report.monitoring_note or "未提供资金支付数据，本节从略")]
        by_action = {cp.action: cp for cp in mon.checkpoints}
        n_covered = f["n_projects"] - len(mon.not_covered)
        parts = [f"依托预算执行数据，按月跟踪 {n_covered} 个项目的资金支出和序时进度"
                 + (f"（{len(mon.not_covered)} 个项目没有支付记录，未纳入监控）" if mon.not_covered else "")]
        if "remind" in by_action:
            cp = by_action["remind"]
            parts.append(f"{cp.month} 月底支出进度不理想（进度比低于 {cp.min_progress:.0%}）的 {f['n_remind']} 个项目，及时提醒单位加快资金"
                         "支付进度")
        if "watch" in by_action:
            parts.append(f"{by_action['watch'].month} 月底仍未破零的 {f['n_watch']} 个项目，列入重点关注台账")
        parts.append(f"年底对执行率仍低于 {self.min_rate:.0%} 的 {f['n_recovered']} 个项目收回统筹资金 "
                     f"{fmt.wan_text(f['recovered'])}" if f["n_recovered"] else "年底没有需要收回统筹的资金")
        return [fmt.sentence("；".join(parts)),
                fmt.sentence("预算年度结束时，结合部门决算集中审查项目是否完成年度绩效目标，作为下一年度预算审查的重要依据")]

    def evaluation_text(self) -> list[str]:
        f = self.facts
        basis = "按全年执行数 ÷ 年底收回统筹后的全年预算数计算，"
        before = "收回统筹前执行率（全年支付 ÷ 年初预算数）"
        n_before = f["n_below_before_recovery"]
        if f["all_above_min"]:
            rate = basis + f"各项目预算执行率均达到 {self.min_rate:.0%} 以上（最低 {fmt.pct(f['min_exec_rate'])}）"
            rate += (f"；其中 {n_before} 个项目{before}低于 {self.min_rate:.0%}，系年底收回其未支付资金、调减全年预算数后达到"
                     if n_before else f"；{before}也均达到 {self.min_rate:.0%} 以上")
        else:
            rate = basis + (f"{f['n_above_min']} 个项目预算执行率达到 {self.min_rate:.0%} 以上，占 "
                            f"{fmt.pct(f['share_above_min'], 1)}，最低 {fmt.pct(f['min_exec_rate'])}")
            rate += f"；{before}低于 {self.min_rate:.0%} 的项目 {n_before} 个" if n_before else ""
        grades = "、".join(f"“{g}”{n} 个" for g, n in f["self_grades"].items() if n)
        self_text = (f"按照“谁负责项目实施，谁进行绩效评价”“自评为主，重点评价”的原则，组织项目实施单位对 {self.year or '本'} 年度预算安排的 "
                     f"{f['n_self']} 个项目开展绩效自评，{rate}；自评等级（{self.city_report.basis_label}）为{grades}")
        if f["n_flags"]:
            self_text += f"；复核发现自评表填报问题 {f['n_flags']} 条，涉及 {f['n_flag_projects']} 个项目，反馈单位更正"
        key_grades = "，".join(f"达到“{g}”等级的项目 {n} 个" for g, n in f["key_grades"].items() if n)
        key_text = (f"同时，由财政部门委托第三方评价机构，对民生关注度高、具有代表性、财政投入大的支出项目开展重点绩效评价：重点对"
                    f"{'、'.join(f['key_sectors'])}等 {len(f['key_sectors'])} 个领域的 {f['n_key']} 个项目进行绩效评价，涉及资金 "
                    f"{fmt.yi_text(f['key_money'])}，{key_grades}") if f["n_key"] else (
                        self.city_report.key_totals.attrs.get("absent") or "本年度未开展财政重点绩效评价")
        applied = A.overview(self.city_report.applied)
        total = (f"综上，本年度 {f['n_projects']} 个项目和 {f['n_new_requests']} 个新增申请项目，下一年度预算共建议安排 "
                 f"{fmt.wan_text(f['decided_total'])}（" + "、".join(f"{k} {n} 个" for k, n in f["decisions"].items() if n) + "）")
        from .dept_city import annual_paragraph

        dept = [annual_paragraph(self.city_report.decisions.dept)] if f["dept"] is not None else []
        return [fmt.sentence(self_text), fmt.sentence(key_text)] + dept + [
                fmt.sentence("始终将绩效评价结果与部门预算安排紧密挂钩，作为编制部门预算、调整支出结构和完善政策制度的重要依据")] + applied \
            + [fmt.sentence(total)]

    def disclosure_text(self) -> list[str]:
        f = self.facts
        out = [f"在批复 {self.year or '本'} 年度预算时一并批复项目绩效目标，要求预算单位将 {f['disclosed_targets']} 个项目的绩效目标随部门预算"
               "在门户网站一并公开" if f["disclosed_targets"] or "targets" not in self.absent
               else "未提供绩效目标申报数据，绩效目标公开情况从略"]
        out.append(f"{f['n_self']} 个项目的绩效自评结果随部门决算公开；{f['n_key']} 个重点绩效评价项目的评价结果按程序在政府门户网站"
                   "预决算板块单独公开，主动接受社会监督" if f["n_key"] else f"{f['n_self']} 个项目的绩效自评结果随部门决算公开")
        return [fmt.sentence(x) for x in out]

    def next_steps(self) -> list[str]:
        """三、今后工作: "（一）压实绩效管理主体责任。……" — each answering a finding of the year."""
        f = self.facts
        out = []
        duty = "各主管部门要充分履行主体职责，加强对本部门及所属单位的预算绩效管理"
        if f["n_key_higher"]:
            duty += f"；对自评等级高于重点评价等级的 {f['n_key_higher']} 个项目，责成主管部门说明原因，并纳入自评抽查复核"
        duty += "。财政部门严格把关，对未制定项目绩效目标或目标制定不完整，及上年度未开展绩效自评的项目一律不予安排预算"
        if f["review_grades"].get("差"):
            duty += f"；{self.next_year or '下一'} 年度绩效目标审核为“差”的 {f['review_grades']['差']} 份申报表不得进入预算编审流程"
        out.append(("压实绩效管理主体责任", duty))
        if f["top_findings"]:
            train = ("针对绩效目标审核中发现的主要问题（" + "、".join(f"“{m}”{n} 份" for m, n in f["top_findings"])
                     + "），组织财政部门、预算单位和第三方机构开展业务培训，指导部门设置可衡量的数量、质量、时效和成本指标，提高绩效目标编制质量")
        else:
            train = "组织财政部门、预算单位和第三方机构开展业务培训，提高绩效目标编制和绩效自评质量"
        out.append(("强化绩效管理基础业务", train))
        if f["n_remind"] is None:
            watch = "建立资金支付数据按月报送机制，按月监控支出进度，对直达资金重点监控"
        elif f["n_remind"] or f["n_recovered"]:
            watch = (f"对 {f['n_remind']} 个 6 月底进度滞后、{f['n_recovered']} 个年底收回统筹资金的项目，下一年度按实际执行能力核定预算，"
                     "前期准备不足的项目暂缓安排；继续按月监控支出进度，对直达资金重点监控")
        else:
            watch = "继续按月监控支出进度，对直达资金重点监控"
        out.append(("加强预算执行监控", watch))
        t = self.city_report.applied.table
        n_hit = int(t["action_code"].isin(A.HIT).sum())
        use = (f"落实评价结果应用，对压减、取消或暂停、不予安排、退回修改的 {n_hit} 个项目督促限期整改" if n_hit else
               "落实评价结果应用，评价结果为“优”的项目优先保障，发现问题的项目督促限期整改")
        use += (f"；督促有关单位在 {self.city_report.applied.rules.plan_days} 日期限内报送整改计划（期限见第二部分），"
                "整改情况纳入下一年度绩效评价")  # the rule itself is stated once, in 二
        out.append(("抓好评价结果应用和整改", use))
        return [f"（{'一二三四五六'[i]}）{h}。{fmt.sentence(p)}" for i, (h, p) in enumerate(out)]

    # ----------------------------------------------------------------------------- tables

    def affected(self) -> pd.DataFrame:
        """The projects cut, stopped or not funded next year (empty when there are none)."""
        return A.affected(self.city_report.applied)

    def key_table(self) -> pd.DataFrame:
        """附表: 序号 | 主管部门 | 项目名称 | 资金量（万元） | 评价等级 (a bureau's result list)."""
        k = self.city_report.key_totals
        info = self.city_report.projects.set_index("project_id")
        return pd.DataFrame({"序号": range(1, len(k) + 1), "主管部门": k["department"].to_numpy(),
                             "项目名称": info["project_name"].reindex(k["project_id"]).to_numpy(),
                             "领域": k["sector"].to_numpy(),
                             "资金量（万元）": info["budget_full_year"].reindex(k["project_id"]).map(fmt.wan).to_numpy(),
                             "评价得分": k["total"].map(fmt.score).to_numpy(),
                             "评价等级": k["grade"].map(grade_label).to_numpy()})

    def exante_table(self) -> pd.DataFrame:
        if self.exante is None:
            return pd.DataFrame()
        t = self.exante.totals
        table = pd.DataFrame({"项目名称": t["project_name"], "评估得分": t["total"].map(fmt.score),
                              "评估结论": t["conclusion"], "申请资金（万元）": t["requested"].map(fmt.wan),
                              "核减（万元）": t["cut"].map(fmt.wan), "评估核定金额（万元）": t["suggested"].map(fmt.wan)})
        ledger = self.city_report.decisions.ledger.set_index("project_id")  # the one decision of each project
        ids = t["project_id"].astype(str)
        known = ids.isin(ledger.index).to_numpy()
        table["下一年度决定"] = ledger["decision"].reindex(ids).fillna("—").to_numpy()
        table["安排（万元）"] = ledger["amount"].reindex(ids).map(fmt.wan).where(known, "—").to_numpy()
        return table

    def bases_table(self) -> pd.DataFrame:
        """附表: how each figure was counted (the report's conventions)."""
        mon = self.city_report.monitoring
        rows = {
            "预算执行率": f"全年执行数 ÷ 全年预算数（年底收回统筹后）；达标线 {self.min_rate:.0%}；"
                     "收回统筹前执行率为全年支付 ÷ 年初预算数",
            "自评等级": ("自评表按财预〔2020〕10号评分规则复核后的等级（自评得分高于规则允许最高分的按最高分计）"
                     if self.city_report.score_basis == "reviewed" else "单位自评表填报的等级")
            + "；本年度各报告、索引、结果应用和公开表均采用同一口径",
            "重点评价资金": "重点评价项目的全年预算数合计",
            "重点评价等级": "未提供重点评价数据" if self.city_report.key is None else
                "专家评议指标按评价组专家分合成（" + fmt.chinese(self.city_report.key.conventions.get(
                    "专家分合成 (panel aggregation)", "算术平均")) + "），定量指标按规则计算，合计后定级："
                + fmt.chinese(self.city_report.key.conventions.get("评价等级 (grade bands)", "优、良、中、差")),
            "绩效运行监控": "未提供资金支付数据" if mon is None else "；".join(
                fmt.chinese(f"{k}：{v}") for k, v in mon.conventions.items()
                                if k.startswith(("进度比", "监控节点", "年底收回"))),
            "绩效指标": "本年度绩效目标申报表中的三级指标；定量指标含时间指标",
            "绩效信息公开": "填报绩效目标的项目随部门预算公开绩效目标；自评结果随部门决算公开；重点评价结果单独公开",
        }
        rows.update({f"结果应用·{k}": v for k, v in self.city_report.applied.conventions().items() if k != "比较精度"})
        return pd.DataFrame({"项目": list(rows), "口径": [fmt.clause(v) for v in rows.values()]})


def _top_findings(findings: pd.DataFrame, n: int = 3) -> list[tuple[str, int]]:
    """The most frequent kinds of target-review findings: (title, declarations), a missing category by name."""
    from ..review.target_codes import TARGET_CODES

    title = findings["code"].map(lambda c: TARGET_CODES.get(c, ("", "", c))[2])
    title = findings["message"].where(findings["code"] == "MISSING_CATEGORY", title)
    counts = findings.assign(title=title).groupby("title", sort=False)["project_id"].nunique()
    return [(t, int(k)) for t, k in counts.sort_values(ascending=False, kind="stable").head(n).items()]


def _refused(new: pd.DataFrame) -> str:
    """"不予安排 3 个（事前评估不予支持 1 个、未编报绩效目标 1 个、资金控制线以下 1 个）" for the new projects without money."""
    out = new[new["amount"] <= 0]
    if out.empty:
        return ""
    first = out["reason_codes"].map(lambda codes: next((k for k in codes if k in _WHY), ""))
    parts = []
    for decision, rows in out.groupby("decision", sort=False):
        why = first[rows.index].map(lambda k: _WHY.get(k, "")).value_counts(sort=False)
        detail = "、".join(f"{w} {n} 个" for w, n in why.items() if w)
        parts.append(f"{decision} {len(rows)} 个" + (f"（{detail}）" if detail else ""))
    return "；".join(parts)


_WHY = {"EXANTE_REJECTED": "事前评估不予支持", "NO_EXANTE": "未开展事前评估", "NO_TARGETS": "未编报绩效目标",
        "TARGETS_POOR": "绩效目标审核为“差”", "TARGETS_REVISE": "绩效目标审核为“中”", "BELOW_LINE": "资金控制线以下"}


def _facts(r: AnnualReport) -> dict:
    c = r.city_report
    projects = c.projects
    d = c.decisions
    L = d.ledger
    rate = pd.to_numeric(projects["spent"], errors="coerce") / pd.to_numeric(projects["budget_full_year"], errors="coerce")
    self_ids = set(c.totals["project_id"])
    self_rate = rate[projects["project_id"].isin(self_ids)]
    above = compare.ge(self_rate.to_numpy(dtype=float), r.min_rate)
    key = c.key_totals.merge(projects[["project_id", "budget_full_year"]], on="project_id", how="left",
                             suffixes=("_key", ""))
    mon = c.monitoring
    graded_self = c.totals["grade"].map(grade_label)  # on the year's score basis (c.score_basis), as the text says
    graded_key = c.key_totals["grade"].map(grade_label)
    f = {"n_projects": len(projects), "n_departments": int(projects["department"].nunique()),
         "budget_initial": float(projects["budget_initial"].sum()), "budget_full_year": float(projects["budget_full_year"].sum()),
         "spent": float(projects["spent"].sum()),
         "n_self": len(c.totals), "min_exec_rate": float(self_rate.min()) if len(self_rate) else float("nan"),
         "n_above_min": int(above.sum()), "share_above_min": float(above.mean()) if len(above) else float("nan"),
         "all_above_min": bool(len(above) and above.all()),
         "self_grades": {g: int((graded_self == g).sum()) for g in GRADES + ("未定级",)},
         "n_flags": len(c.card.flags), "n_flag_projects": int(c.card.flags["project_id"].nunique()),
         "n_key": len(c.key_totals), "key_money": float(key["budget_full_year"].sum()),
         "key_sectors": list(dict.fromkeys(c.key_totals.sort_values("project_id")["sector"].dropna())),
         "key_grades": {g: int((graded_key == g).sum()) for g in GRADES + ("未定级",)},
         # None (unknown) without payments data — never 0 (nobody lagged)
         "n_remind": None if mon is None else len(mon.reminders),
         "n_watch": None if mon is None else len(mon.watch_list),
         "n_recovered": None if mon is None else len(mon.recovered),
         "recovered": None if mon is None else float(mon.recovered["recovered"].sum()),
         # self-evaluated projects whose rate before year-end recovery (payments ÷ budget_initial) was below the floor
         "n_below_before_recovery": None if mon is None else int(compare.lt(
             mon.recovery.loc[mon.recovery["project_id"].isin(self_ids), "rate_before"].dropna().to_numpy(dtype=float),
             r.min_rate).sum()),
         "applied": c.applied.counts()}
    s = c.applied.summary().set_index("action")
    f["applied_budget"] = s["budget"].to_dict()
    f["applied_change"] = float(s["change"].sum())
    f["decisions"], f["decided_total"] = d.counts(), d.total  # the whole ledger: this year's projects and new requests
    new = L[L["kind"] == "new"]
    f["n_new_requests"] = len(new)
    f["new_decided"], f["new_funded"] = float(new["amount"].sum()), int((new["amount"] > 0).sum())
    f["new_refused"] = _refused(new)
    comparison = c.totals.set_index("project_id")["grade"].map(grade_label)  # on the year's score basis
    order = {g: i for i, g in enumerate(GRADES)}
    kg = c.key_totals.set_index("project_id")["grade"].map(grade_label)
    both = kg.index.intersection(comparison.index)
    f["n_key_higher"] = int((comparison[both].map(order).fillna(9) < kg[both].map(order).fillna(9)).sum())
    ex = r.exante
    f["n_exante"] = 0 if ex is None else len(ex.totals)
    if ex is not None:
        f.update(exante_requested=float(ex.totals["requested"].sum()), exante_suggested=float(ex.totals["suggested"].sum()),
                 exante_cut=float(ex.totals["cut"].sum()), exante_experts=int(ex.totals["n_experts"].max()),
                 exante_conclusions={k: int(v) for k, v in ex.totals["conclusion"].value_counts(sort=False).items()})
    t = r.targets
    f["n_with_targets"] = int(t["project_id"].nunique()) if len(t) else 0
    f["n_indicators"] = len(t)
    f["measurable_share"] = float(t["kind"].isin(["quantitative", "date"]).mean()) if len(t) and "kind" in t else float("nan")
    rv = r.review
    f["n_reviewed"] = 0 if rv is None else len(rv.summary)
    f["review_grades"] = {} if rv is None else {g: int((rv.summary["grade"] == g).sum()) for g in GRADES}
    f["review_major"] = 0 if rv is None else int(rv.summary["n_critical"].sum() + rv.summary["n_major"].sum())
    f["review_minor"] = 0 if rv is None else int(rv.summary["n_minor"].sum())
    f["top_findings"] = [] if rv is None or rv.findings.empty else _top_findings(rv.findings)
    p = r.priority
    if p is not None:
        status = p.table["status"].value_counts()
        f.update(priority_funded=int(status.get("全额安排", 0) + status.get("部分安排", 0)),
                 priority_below=int(status.get("未安排（资金线以下）", 0)), priority_gated=int(status.get("不予安排", 0)),
                 priority_revise=int(status.get("退回修改", 0)), priority_stop=int(status.get("取消或暂停", 0)),
                 priority_used=float(L.loc[L["asked"], "amount"].sum()), priority_cap=float(p.cap))
    f["disclosed_targets"] = f["n_with_targets"]
    from .dept_city import facts as dept_facts

    f["dept"] = dept_facts(d.dept)  # the ledger's department evaluation (None: not carried out, nothing said)
    return f


def _absent(data: Path) -> dict:
    """The sentences said for the inputs the data folder does not give (absent or header-only)."""
    from ..city.year import Year

    known = Year.load(data)
    out = {}
    if not (known.has("exante_candidates") and known.has("exante_scores")):
        out["exante"] = "未提供事前绩效评估数据（exante/candidates.csv、scores.csv），本节从略"
    if not known.has("targets"):
        out["targets"] = known.absence_text("targets").replace("本节从略。", "本年度绩效目标情况从略")
    if not known.has("declarations"):
        out["declarations"] = "未提供下一年度绩效目标申报表（next_year/declarations/）"
    if not known.has("payments"):
        out["payments"] = known.absence_text("payments")
    return out


def build_annual_report(data_dir, year: int | None = None, city: str | None = None,
                        min_rate: float = MIN_RATE) -> AnnualReport:
    """Every number and sentence of the city's annual report for the data folder."""
    from .. import exante as ex

    data = Path(data_dir)
    city_report = build_city_report(data, year, city)
    evidence = city_report.decisions.evidence  # the ledger's evidence: ex-ante, target review, requests
    assessment = evidence.exante if evidence is not None else ex.assess(data) if ex.exists(data) else None
    targets = datasets.read_table(data / "targets.csv") if (data / "targets.csv").is_file() else pd.DataFrame()
    review = requests = None
    priority = city_report.decisions.priority  # the ranking view of the ledger
    if evidence is not None:
        review, requests = evidence.review, evidence.candidates
    else:
        from ..budget.candidates import review_next_year

        review = review_next_year(data)
    report = AnnualReport(city_report=city_report, exante=assessment, targets=targets, review=review,
                          priority=priority, requests=requests, min_rate=min_rate, absent=_absent(data))
    report.facts = _facts(report)
    return report


__all__ = ["AnnualReport", "MIN_RATE", "TITLE", "build_annual_report"]
