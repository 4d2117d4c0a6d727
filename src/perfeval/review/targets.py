"""Review of declared performance targets (绩效目标审核, 财预〔2015〕88号): findings and a grade per declaration.

`review_targets(declarations, history=None, rules=None)` checks every declared table at once (one
boolean mask per check over all rows of all declarations, never a loop per row):

* completeness — 产出 (数量、质量、时效、成本), 效益 and 满意度 indicators present; every indicator has
  an operator, a value and a unit; an annual overall goal; the year's funds;
* measurability — outputs with a number, and the share of quantitative (or dated) indicators;
* relevance — inputs declared as outputs (资金到位, 预算执行, staff assigned, amounts of money as
  quantities; a local guide: 财力、人力、物力投入数量不能作为绩效目标, domain.md §4.3);
* appropriateness — cost indicators against the budget: a total cost above the year's funds, or a
  unit cost × its quantity far from them (the quantity is the first 数量 indicator counted in the
  cost's unit: 元/公里 → 公里, also 万公里);
* ambition — a ≥ target at or below last year's actual (equal only counts when last year's actual beat
  last year's target: a standard met exactly, such as a 50-year design life, may stay); a 100 %
  satisfaction target;
* plausibility — a satisfaction target that is a percentage within a sane range.

The grade follows the 88号 meaning of the grades: 优 no finding; 良 only findings the finance bureau
can settle with the unit (minor); 中 a finding the unit must revise (major); 差 a critical finding
or ``major_limit`` different major ones. Consequences per grade are verified [S22]; the checks'
thresholds and severities are perfeval defaults (unverified) — every one is a field of
:class:`TargetRules` and printed with the result.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .. import compare
from ..errors import InputError
from ..targets import parse_values, target_range
from .codes import is_blank_text
from .target_codes import (CATEGORY_FIXES, CATEGORY_LABELS, FINDING_COLUMNS, FINDING_LABELS, SEVERITIES,
                           SEVERITY_ORDER, TARGET_CODES, empty_findings)

OUTPUT_CATEGORIES = ("数量", "质量", "时效", "成本")
GRADES = ("优", "良", "中", "差")
CONSEQUENCES = {  # 财预〔2015〕88号 审核结果 [S22]
    "优": "直接进入预算编审流程",
    "良": "由财政部门与单位协商调整绩效目标后进入预算编审流程",
    "中": "退回单位修改完善绩效目标后重新报送审核",
    "差": "不得进入预算编审流程",
}
INPUT_WORDS = (r"资金到位|到位率|预算执行|执行率|支出进度|支付进度|资金支出率|资金支付率|资金拨付率|拨付进度|资金使用率|投入资金|资金投入|投入金额|"
               r"投入.{0,4}人员|人员投入|配备.{0,4}人员|工作人员|参与人员|投入人数|经费投入|"
               r"(?<!及时)拨付(?!及时)|资金下达|下达资金|经费$|经费(?:投入|总额|金额|支出|使用|到位)|资金使用(?!效益)|"
               r"购置.{0,4}(?:资金|经费|费用|金额)")
# rates that cannot exceed 100 % (a growth or reduction rate can)
CAPPED_RATE = r"率$"
UNCAPPED_RATE = r"增长|增幅|提高|提升|下降|降低|减少|变化|节约|回报|收益|利润"
MONEY_UNIT = r"^(千元|万元|亿元|元)/(.+)$"
MONEY_FACTOR = {"元": 1.0, "千元": 1e3, "万元": 1e4, "亿元": 1e8}
QUANTITY_PREFIX = {"": 1.0, "万": 1e4, "千": 1e3, "百": 1e2}
NOT_PREFIXED = ("百分点", "百分比", "千瓦时", "千瓦", "万千瓦")  # units that only look like 百/千/万 + a count unit


@dataclass(frozen=True)
class TargetRules:
    """Every setting of the target review, with its default (perfeval's choices unless a source is named)."""

    required: tuple = ("数量", "质量", "时效", "成本", "效益", "满意度")
    category_severity: dict = field(default_factory=lambda: {"数量": "major", "质量": "major", "时效": "major",
                                                             "效益": "major", "成本": "minor", "满意度": "minor"})
    min_measurable: float = 0.6
    input_words: str = INPUT_WORDS
    capped_rate: str = CAPPED_RATE        # indicator names of rates that cannot exceed 100 %
    uncapped_rate: str = UNCAPPED_RATE    # … except growth, reduction and return rates
    cost_over: float = 0.2
    cost_under: float = 0.5
    satisfaction_range: tuple = (80.0, 100.0)
    major_limit: int = 3
    severity: dict = field(default_factory=dict)   # code → severity, overriding TARGET_CODES
    consequences: dict = field(default_factory=lambda: dict(CONSEQUENCES))

    def __post_init__(self):
        unknown = [c for c in self.required if c not in CATEGORY_LABELS]
        bad_sev = {k: v for k, v in {**self.category_severity, **self.severity}.items() if v not in SEVERITIES}
        bad_code = [c for c in self.severity if c not in TARGET_CODES]
        if unknown or bad_sev or bad_code:
            raise InputError("绩效目标审核规则有误 (invalid target-review rules)",
                             expected=f"类别 {'、'.join(CATEGORY_LABELS)}；问题性质 {' / '.join(SEVERITIES)}",
                             found={"类别": unknown, "问题性质": bad_sev, "代码": bad_code})
        if not (0 <= self.min_measurable <= 1 and self.cost_over >= 0 and 0 <= self.cost_under <= 1
                and self.satisfaction_range[0] < self.satisfaction_range[1] and self.major_limit >= 1):
            raise InputError("绩效目标审核规则的阈值超出范围 (a threshold out of range)",
                             found={"min_measurable": self.min_measurable, "cost_over": self.cost_over,
                                    "cost_under": self.cost_under, "satisfaction_range": self.satisfaction_range,
                                    "major_limit": self.major_limit})

    def severity_of(self, code: str) -> str:
        return self.severity.get(code, TARGET_CODES[code][1])

    def describe(self) -> dict:
        """The settings in Chinese, one line each (printed in every report)."""
        lo, hi = self.satisfaction_range
        return {
            "必备指标类别": "、".join(CATEGORY_LABELS[c] for c in self.required)
            + "（缺少" + "、".join(CATEGORY_LABELS[c] for c, s in self.category_severity.items() if s == "major")
            + "须修改，缺少其他类别建议修改）",
            "可衡量性": f"定量（含时间）指标占全部指标的比例不低于 {self.min_measurable:.0%}；产出指标须为定量或时间",
            "投入不得作为产出": "产出指标名称含资金到位、预算执行、支出进度、资金拨付或下达、经费、投入资金或投入人员等，"
                        "或以金额作为产出数量（购置的设备、车辆数量是产出，购置资金不是）",
            "比率上限": "准确率、合格率、完成率等比率（增长率、下降率等除外）的目标值不超过 100%",
            "上年实际的单位": "目标值与上年实际完成值的单位不同（万人次与人次等按倍数换算后）时无法比较，建议统一单位",
            "成本与预算": f"按成本指标测算的资金需求高于年度资金总额 {self.cost_over:.0%} 以上，或不足其 {self.cost_under:.0%}",
            "目标值不低于上年": "“≥”类指标的目标值低于上年实际完成值，或上年超额完成而目标值仍等于上年实际完成值"
                          "（满意度指标和 100% 的目标值除外）",
            "满意度": f"满意度目标为百分比，在 {lo:g}%–{hi:g}% 之间；目标为 100% 建议调整",
            "审核结论": f"无问题为“优”；只有建议修改的问题为“良”；有须修改的问题为“中”；有严重问题或 {self.major_limit} 类以上"
                    "须修改的问题为“差”",
            "审核结果应用": "；".join(f"{g}：{c}" for g, c in self.consequences.items()),
        }


@dataclass(frozen=True, kw_only=True)
class TargetReview:
    """The review of a set of declarations.

    ``summary``: one row per declaration (project, funds, counts, measurable share, categories,
    findings by severity, grade, consequence). ``findings``: project_id, code, severity, family,
    level1, level2, indicator, row, message, fix, expected, found. ``rows``: the declared indicators
    parsed (category, op, value, unit, kind, measurable, history). ``rules``: the settings used.
    """

    summary: pd.DataFrame
    findings: pd.DataFrame
    rows: pd.DataFrame
    header: pd.DataFrame
    rules: TargetRules
    conventions: dict

    @property
    def project_ids(self) -> list[str]:
        return self.summary["project_id"].tolist()

    def project(self, project_id) -> "TargetReview":
        pid = str(project_id)
        if pid not in set(self.project_ids):
            raise InputError("审核结果中没有这个项目 (unknown declaration)", expected="、".join(self.project_ids),
                             found=pid)
        pick = {name: getattr(self, name)[getattr(self, name)["project_id"] == pid].reset_index(drop=True)
                for name in ("summary", "findings", "rows", "header")}
        return replace(self, **pick)

    def grade_counts(self) -> pd.Series:
        return self.summary["grade"].value_counts().reindex(list(GRADES), fill_value=0)

    def findings_table(self) -> pd.DataFrame:
        """The findings in Chinese (问题性质, 审核内容, 指标, 审核意见, 修改建议), project name added."""
        names = self.summary.set_index("project_id")["project_name"]
        f = self.findings.assign(project_name=self.findings["project_id"].map(names),
                                 severity=self.findings["severity"].map(SEVERITIES),
                                 title=self.findings["code"].map(lambda c: TARGET_CODES[c][2]))
        cols = ["project_id", "project_name", "severity", "family", "title", "level1", "level2", "indicator",
                "message", "fix"]
        return f[cols].rename(columns=FINDING_LABELS)

    def summary_table(self) -> pd.DataFrame:
        s = self.summary
        return pd.DataFrame({
            "项目编码": s["project_id"], "项目名称": s["project_name"], "主管部门": s["department"],
            "年度资金总额（万元）": (s["funds"] / 1e4).round(2), "指标数": s["n_indicators"],
            "定量指标占比": (s["measurable_share"] * 100).round(1).astype(str) + "%",
            "严重问题": s["n_critical"], "须修改": s["n_major"], "建议修改": s["n_minor"],
            "审核结论": s["grade"], "结果应用": s["consequence"]})

    def to_xlsx(self, path, date: str | None = None):
        """The findings workbook: 审核结论 / 审核发现 / 申报指标 / 审核规则 (Chinese headers, atomic, reproducible)."""
        from ..export import write_sheets

        rows = self.rows.rename(columns={"project_id": "项目编码", "level1": "一级指标", "level2": "二级指标",
                                         "level3": "三级指标", "target": "指标值", "category": "类别",
                                         "history": "上年实际完成值", "source_row": "行号", "source_file": "文件"})
        rows = rows[[c for c in ("项目编码", "一级指标", "二级指标", "三级指标", "指标值", "类别", "上年实际完成值", "文件",
                                 "行号") if c in rows]]
        conv = pd.DataFrame({"规则": list(self.conventions), "设置": [str(v) for v in self.conventions.values()]})
        return write_sheets(path, {"审核结论": self.summary_table(), "审核发现": self.findings_table(),
                                   "申报指标": rows, "审核规则": conv}, title="绩效目标审核结果", date=date)

    def _repr_html_(self) -> str:
        from ..display import table_html

        counts = "，".join(f"{g} {n} 个" for g, n in self.grade_counts().items())
        return (f"<b>绩效目标审核</b>（{len(self.summary)} 份申报表：{counts}）" + table_html(self.summary_table())
                + table_html(self.findings_table()))


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------

def _frames(declarations) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows, header) from declarations, paths, or a (rows, header) pair of frames."""
    from ..io.declaration import Declaration, declarations_to_frames, read_declarations

    if isinstance(declarations, tuple) and len(declarations) == 2 and all(
            isinstance(x, pd.DataFrame) for x in declarations):
        rows, header = (x.copy() for x in declarations)
    else:
        items = [declarations] if isinstance(declarations, (str, Declaration)) or hasattr(declarations, "__fspath__") \
            else list(declarations)
        decls = [d for item in items for d in ([item] if isinstance(item, Declaration) else read_declarations(item))]
        rows, header = declarations_to_frames(decls)
    for frame, need in ((rows, ("project_id", "level1", "level2", "level3", "target")), (header, ("project_id",))):
        missing = [c for c in need if c not in frame]
        if missing:
            raise InputError("申报表数据缺少列 (missing columns)", expected=", ".join(need), found=f"缺少 {missing}")
    for column, default in (("history", None), ("source_row", None), ("source_file", None)):
        if column not in rows:
            rows[column] = default
    for column, default in (("project_name", None), ("department", None), ("funds", np.nan), ("goal", None),
                            ("source_file", None)):
        if column not in header:
            header[column] = default
    rows["project_id"] = rows["project_id"].astype(str)
    header["project_id"] = header["project_id"].astype(str)
    dup = header["project_id"].duplicated()
    if dup.any():
        raise InputError("同一项目有多份申报表 (duplicate declaration)",
                         found=f"{header.loc[dup, 'project_id'].iloc[0]}（{header.loc[dup, 'source_file'].iloc[0]}）")
    return rows.reset_index(drop=True), header.reset_index(drop=True)


def _with_history(rows: pd.DataFrame, history) -> pd.DataFrame:
    """Last year's actual (and target, when known) for each row: the form's own column, else ``history``."""
    rows = rows.assign(history_target=None)
    if history is None:
        return rows
    h = history.copy()
    if not {"project_id", "level3", "actual"} <= set(h.columns):
        raise InputError("上年完成情况表缺少列 (history: missing columns)", expected="project_id, level3, actual[, target]",
                         found=", ".join(map(str, h.columns)))
    h["project_id"] = h["project_id"].astype(str)
    keep = ["project_id", "level3", "actual"] + (["target"] if "target" in h else [])
    h = h[keep].drop_duplicates(["project_id", "level3"]).rename(columns={"actual": "_actual", "target": "_target"})
    merged = rows.merge(h, on=["project_id", "level3"], how="left")
    own = merged["history"].notna()
    merged["history"] = merged["history"].where(own, merged["_actual"])
    if "_target" in merged:
        merged["history_target"] = merged["_target"].where(~own, None)
    return merged.drop(columns=[c for c in ("_actual", "_target") if c in merged])


def _categorise(rows: pd.DataFrame, year) -> pd.DataFrame:
    l1, l2 = rows["level1"].fillna("").astype(str), rows["level2"].fillna("").astype(str)
    l3 = rows["level3"].fillna("").astype(str)
    sat = l1.str.contains("满意") | l2.str.contains("满意") | l3.str.contains("满意度|满意率")
    output = l1.str.contains("产出") & ~sat
    category = np.select([sat, output & l2.str.contains("数量"), output & l2.str.contains("质量"),
                          output & l2.str.contains("时效"), output & l2.str.contains("成本"), output,
                          l1.str.contains("效益") & ~sat],
                         ["满意度", "数量", "质量", "时效", "成本", "产出", "效益"], default="其他")
    parsed = parse_values(rows["target"], names=rows["level3"], year=year)
    out = rows.assign(category=category, output=output.to_numpy(), satisfaction=sat.to_numpy())
    for column in ("op", "value", "unit", "kind", "base_value", "base_unit"):
        out[column] = parsed[column].to_numpy()
    out["measurable"] = out["kind"].isin(["quantitative", "date"]).to_numpy()
    return out


# --------------------------------------------------------------------------------------------
# findings
# --------------------------------------------------------------------------------------------

def _found(code: str, sel: pd.DataFrame, rules: TargetRules, message, expected=None, found=None,
           severity=None, fix=None) -> pd.DataFrame:
    """Finding rows for the selected rows (or projects); texts are built on the subset only."""
    n = len(sel)
    if n == 0:
        return empty_findings()

    def values(v):
        if v is None:
            return [None] * n
        return list(v(sel)) if callable(v) else [v] * n

    row_level = "level3" in sel
    return pd.DataFrame({
        "project_id": sel["project_id"].to_numpy(), "code": code,
        "severity": values(severity) if severity is not None else rules.severity_of(code),
        "family": TARGET_CODES[code][0],
        "level1": sel["level1"].to_numpy(dtype=object) if row_level else None,
        "level2": sel["level2"].to_numpy(dtype=object) if row_level else None,
        "indicator": sel["level3"].to_numpy(dtype=object) if row_level else None,
        "row": sel["source_row"].to_numpy(dtype=object) if "source_row" in sel else None,
        "message": values(message), "fix": values(fix) if fix is not None else TARGET_CODES[code][3],
        "expected": values(expected), "found": values(found)})


def _q(s: pd.Series) -> pd.Series:
    """Text in Chinese quotes: “…”."""
    return "“" + s.fillna("").astype(str) + "”"


def _completeness(r: pd.DataFrame, header: pd.DataFrame, rules: TargetRules) -> list[pd.DataFrame]:
    out = []
    n_rows = r.groupby("project_id").size().reindex(header["project_id"]).fillna(0).to_numpy()
    has_output = r[r["output"]].groupby("project_id").size().reindex(header["project_id"]).fillna(0).to_numpy() > 0
    empty = header[n_rows == 0]
    out.append(_found("NO_INDICATORS", empty, rules, "申报表中没有绩效指标"))
    out.append(_found("NO_OUTPUT", header[(n_rows > 0) & ~has_output], rules,
                      "申报表只有效益或满意度指标，没有反映项目直接产出的产出指标"))
    out.append(_found("NO_GOAL", header[is_blank_text(header["goal"])], rules, "年度总体目标为空"))
    funds = pd.to_numeric(header["funds"], errors="coerce")
    out.append(_found("NO_FUNDS", header[funds.isna()], rules, "资金情况中没有年度资金总额"))
    bad_funds = funds.notna() & ~compare.gt(funds.fillna(0), 0)
    out.append(_found("FUNDS_NOT_POSITIVE", header[bad_funds].assign(_wan=(funds[bad_funds] / 1e4).map(
        lambda x: f"{x:,.2f}")), rules, lambda s: "年度资金总额须为正数，实际为 " + s["_wan"] + " 万元",
        expected="正数", found=lambda s: s["_wan"] + " 万元"))
    present = r[["project_id", "category"]].drop_duplicates().assign(_has=True)
    need = header.loc[n_rows > 0, ["project_id"]].merge(pd.DataFrame({"category": list(rules.required)}), how="cross")
    gap = need.merge(present, on=["project_id", "category"], how="left")
    gap = gap[gap["_has"].isna()]
    label = gap["category"].map(CATEGORY_LABELS)
    out.append(_found("MISSING_CATEGORY", gap.assign(_label=label), rules, lambda s: "缺少" + s["_label"],
                      expected=lambda s: s["_label"], found="无",
                      severity=lambda s: s["category"].map(rules.category_severity).fillna("major"),
                      fix=lambda s: s["category"].map(CATEGORY_FIXES)))
    blank = r["kind"] == "blank"
    quant = r["kind"] == "quantitative"
    no_op_rows = r.loc[quant & r["op"].isna(), "target"]
    ranged = pd.Series([isinstance(t, str) and target_range(t) is not None for t in no_op_rows],  # few rows
                       index=no_op_rows.index, dtype=bool).reindex(r.index, fill_value=False)
    no_op = quant & r["op"].isna() & ~ranged
    no_unit = quant & r["unit"].isna()
    bad = blank | no_op | no_unit
    why = pd.Series("", index=r.index, dtype=object)
    why = why.where(~blank, "未填写指标值")
    why = why.where(~no_op, why + np.where(why != "", "，", "") + "缺少运算符（≥、≤ 或 =）")
    why = why.where(~no_unit, why + np.where(why != "", "，", "") + "缺少计量单位")
    sel = r[bad].assign(_why=why[bad])
    out.append(_found("INDICATOR_INCOMPLETE", sel, rules,
                      lambda s: "“" + s["level3"].astype(str) + "”的指标值" + _q(s["target"]).where(
                          s["target"].notna(), "") + s["_why"],
                      expected="运算符 + 数值 + 单位，如“≥500人次”", found=lambda s: s["target"]))
    return out


def _measurability(r: pd.DataFrame, header: pd.DataFrame, rules: TargetRules) -> list[pd.DataFrame]:
    vague = r["category"].isin(OUTPUT_CATEGORIES) & r["kind"].isin(["qualitative", "unparsed"])
    out = [_found("VAGUE_OUTPUT", r[vague], rules,
                  lambda s: "产出指标“" + s["level3"].astype(str) + "”的指标值" + _q(s["target"]) + "是定性表述，无法考核",
                  expected="定量指标值（数值 + 单位）或完成时间", found=lambda s: s["target"])]
    share = r.groupby("project_id")["measurable"].mean()
    low = share[compare.lt(share, rules.min_measurable)]
    sel = header[header["project_id"].isin(low.index)].assign(_share=lambda h: h["project_id"].map(low))
    out.append(_found("LOW_MEASURABILITY", sel, rules,
                      lambda s: "定量（含时间）指标只占全部指标的 " + (s["_share"] * 100).round(1).astype(str) + "%",
                      expected=f"≥ {rules.min_measurable:.0%}", found=lambda s: (s["_share"] * 100).round(1).astype(str)
                      + "%"))
    return out


def _relevance(r: pd.DataFrame, rules: TargetRules) -> list[pd.DataFrame]:
    named = r["level3"].fillna("").astype(str).str.contains(rules.input_words, regex=True)
    money_qty = r["category"].isin(["数量", "质量", "时效"]) & (r["base_unit"] == "元")
    hit = r["output"] & (named | money_qty)
    why = np.where(named[hit], "反映的是资金或人员投入，不是项目的产出", "以资金金额作为产出数量")
    return [_found("INPUT_AS_OUTPUT", r[hit].assign(_why=why), rules,
                   lambda s: "产出指标“" + s["level3"].astype(str) + "”（" + s["target"].fillna("").astype(str) + "）"
                   + s["_why"], expected="项目提供的产品或服务", found=lambda s: s["level3"])]


def _appropriateness(r: pd.DataFrame, header: pd.DataFrame, rules: TargetRules) -> list[pd.DataFrame]:
    """Cost indicators against the year's funds (total costs, and unit cost × the first matching quantity)."""
    funds = header.set_index("project_id")["funds"].astype(float)
    cols = ["project_id", "level1", "level2", "level3", "source_row", "target"]
    cost = r[(r["category"] == "成本") & (r["kind"] == "quantitative")]
    total = cost[(cost["base_unit"] == "元") & ~cost["op"].eq(">=")]
    total = total[cols].assign(_need=total["base_value"], _basis="成本指标本身")
    per = cost["unit"].fillna("").astype(str).str.extract(MONEY_UNIT)
    unit_cost = cost[per[0].notna()].assign(_factor=per[0].dropna().map(MONEY_FACTOR), _denom=per[1].dropna())
    qty = r[(r["category"] == "数量") & (r["kind"] == "quantitative") & r["unit"].notna()]
    qty = qty.assign(_seq=np.arange(len(qty)), _unit=qty["unit"].astype(str))
    forms = [qty[qty["_unit"].str.startswith(p) & (qty["_unit"].str.len() > len(p))].assign(
        _denom=lambda q, n=len(p): q["_unit"].str[n:], _qf=f) for p, f in QUANTITY_PREFIX.items() if p]
    qty = pd.concat(forms + [qty.assign(_denom=qty["_unit"], _qf=1.0)]).sort_values("_seq", kind="stable")
    qty = qty[["project_id", "_denom", "_qf", "value", "level3", "target", "_seq"]].rename(
        columns={"value": "_qv", "level3": "_qname", "target": "_qtarget"})
    paired = unit_cost.reset_index().merge(qty, on=["project_id", "_denom"], how="inner")
    paired = paired.sort_values(["index", "_seq"], kind="stable").drop_duplicates("index")
    paired = paired[cols].assign(
        _need=(paired["value"] * paired["_factor"] * paired["_qv"] * paired["_qf"]).to_numpy(),
        _basis=("“" + paired["level3"].astype(str) + "”×“" + paired["_qname"].astype(str) + "”（"
                + paired["_qtarget"].astype(str) + "）").to_numpy())
    checked = pd.concat([total, paired], ignore_index=True)
    checked["_funds"] = checked["project_id"].map(funds)
    checked["_ratio"] = checked["_need"] / checked["_funds"]
    over = compare.gt(checked["_ratio"], 1 + rules.cost_over)
    under = compare.lt(checked["_ratio"], rules.cost_under) & (checked["_basis"] != "成本指标本身").to_numpy()
    hit = checked[(over | under) & np.asarray(compare.gt(checked["_funds"].fillna(0), 0))]  # funds ≤ 0: FUNDS_NOT_POSITIVE

    def wan(v):
        return (v / 1e4).map(lambda x: f"{x:,.2f}")

    return [_found("COST_VS_BUDGET", hit, rules,
                   lambda s: "按" + s["_basis"] + "测算的资金需求为 " + wan(s["_need"]) + " 万元，是年度资金总额 "
                   + wan(s["_funds"]) + " 万元的 " + (s["_ratio"] * 100).round(0).astype(int).astype(str) + "%",
                   expected=f"年度资金总额的 {rules.cost_under:.0%}–{1 + rules.cost_over:.0%}",
                   found=lambda s: wan(s["_need"]) + " 万元")]


def _ambition(r: pd.DataFrame, rules: TargetRules, year) -> list[pd.DataFrame]:
    out = []
    has = r["history"].notna() & r["op"].eq(">=") & (r["kind"] == "quantitative") & ~r["satisfaction"]
    at_ceiling = (r["unit"] == "%") & compare.ge(r["value"].fillna(0), 100)
    cand = r[has & ~at_ceiling]
    if len(cand):
        hist = _counted(parse_values(cand["history"], year=year))
        last_t = _counted(parse_values(cand["history_target"], year=year))
        now = _counted(cand)
        comparable = (hist["kind"] == "quantitative").to_numpy()
        same_unit = (hist["base_unit"].fillna("∅").to_numpy() == now["base_unit"].fillna("∅").to_numpy()) & comparable
        below = compare.lt(now["base_value"], hist["base_value"])
        equal = compare.ge(now["base_value"], hist["base_value"]) & compare.le(now["base_value"], hist["base_value"])
        beat = last_t["base_value"].isna() | compare.gt(hist["base_value"], last_t["base_value"].fillna(np.inf))
        hit = same_unit & (below | (equal & beat)).to_numpy()
        sel = cand[hit]
        out.append(_found("BELOW_HISTORY", sel, rules,
                          lambda s: "“" + s["level3"].astype(str) + "”的目标值" + _q(s["target"]) + "不高于上年实际完成值"
                          + _q(s["history"]), expected=lambda s: "高于" + s["history"].astype(str),
                          found=lambda s: s["target"]))
        other = cand[comparable & ~same_unit]
        out.append(_found("HISTORY_UNIT_MISMATCH", other, rules,
                          lambda s: "“" + s["level3"].astype(str) + "”的目标值" + _q(s["target"]) + "与上年实际完成值"
                          + _q(s["history"]) + "单位不同，无法比较目标是否高于上年",
                          expected="与上年实际完成值相同的计量单位", found=lambda s: s["target"]))
    l3 = r["level3"].fillna("").astype(str)
    capped = (l3.str.contains(rules.capped_rate, regex=True) & ~l3.str.contains(rules.uncapped_rate, regex=True)
              & ~r["satisfaction"] & (r["kind"] == "quantitative") & (r["unit"] == "%") & r["op"].isin([">=", "="]))
    over = r[capped & compare.gt(r["value"].fillna(0), 100)]
    out.append(_found("RATE_OVER_100", over, rules,
                      lambda s: "“" + s["level3"].astype(str) + "”的目标值" + _q(s["target"]) + "超过 100%，比率不可能达到",
                      expected="不超过 100%", found=lambda s: s["target"]))
    sat = r[r["satisfaction"]]
    pct = (sat["kind"] == "quantitative") & (sat["unit"] == "%")
    full = pct & compare.ge(sat["value"].fillna(0), 100)
    out.append(_found("SATISFACTION_100", sat[full], rules,
                      lambda s: "“" + s["level3"].astype(str) + "”的目标值为" + _q(s["target"]),
                      expected="参照上年调查结果设定，如 ≥90%", found=lambda s: s["target"]))
    lo, hi = rules.satisfaction_range
    off = ~pct | compare.lt(sat["value"].fillna(-1), lo) | compare.gt(sat["value"].fillna(-1), hi)
    out.append(_found("SATISFACTION_RANGE", sat[off], rules,
                      lambda s: "“" + s["level3"].astype(str) + "”的目标值" + _q(s["target"]) + "不是 "
                      + f"{lo:g}%–{hi:g}% 之间的百分比",
                      expected=f"{lo:g}%–{hi:g}% 之间的百分比", found=lambda s: s["target"]))
    return out


def _counted(parsed: pd.DataFrame) -> pd.DataFrame:
    """base_value / base_unit with a 万/千/百 prefix of a count unit multiplied out (0.5万人次 → 5000 人次)."""
    unit = parsed["base_unit"].fillna("").astype(str)
    value = parsed["base_value"].astype(float)
    factor = pd.Series(1.0, index=parsed.index)
    rest = unit.copy()
    for prefix, f in QUANTITY_PREFIX.items():
        if not prefix:
            continue
        hit = unit.str.startswith(prefix) & (unit.str.len() > len(prefix)) & ~unit.isin(NOT_PREFIXED)
        factor = factor.where(~hit, f)
        rest = rest.where(~hit, unit.str[len(prefix):])
    return parsed.assign(base_value=value * factor, base_unit=rest.where(unit != "", None))


def _grade(header: pd.DataFrame, findings: pd.DataFrame, rules: TargetRules) -> pd.DataFrame:
    counts = findings.groupby(["project_id", "severity"]).size().unstack(fill_value=0)
    counts = counts.reindex(index=header["project_id"], columns=list(SEVERITIES), fill_value=0)
    major_codes = findings[findings["severity"] == "major"].groupby("project_id")["code"].nunique()
    major_codes = major_codes.reindex(header["project_id"]).fillna(0).to_numpy()
    n_crit, n_major, n_minor = (counts[c].to_numpy() for c in SEVERITIES)
    grade = np.select([(n_crit > 0) | (major_codes >= rules.major_limit), n_major > 0, n_minor > 0],
                      ["差", "中", "良"], default="优")
    why = np.select([n_crit > 0, major_codes >= rules.major_limit, n_major > 0, n_minor > 0],
                    ["有严重问题", f"有 {rules.major_limit} 类以上须修改的问题", "有须修改的问题", "只有建议修改的问题"],
                    default="未发现问题")
    return pd.DataFrame({"n_critical": n_crit, "n_major": n_major, "n_minor": n_minor, "grade": grade,
                         "grade_reason": why, "consequence": pd.Series(grade).map(rules.consequences).to_numpy()})


def review_targets(declarations, history=None, rules: TargetRules | None = None, year: int | None = None
                   ) -> TargetReview:
    """Review declared targets: ``declarations`` are :class:`~perfeval.io.declaration.Declaration`
    objects, paths of 申报表 (xlsx/csv), or a ``(rows, header)`` pair of frames as
    :func:`~perfeval.io.declaration.declarations_to_frames` gives. ``history``: last year's values
    (``project_id, level3, actual`` and optionally ``target`` — a self-evaluation ``rows.csv`` fits),
    used where a form has no column of its own. ``year`` helps read dates without a year."""
    rules = rules or TargetRules()
    rows, header = _frames(declarations)
    unknown = sorted(set(rows["project_id"]) - set(header["project_id"]))
    if unknown:
        raise InputError("指标行的项目不在申报表表头中 (rows of an unknown declaration)", found=unknown[:5])
    r = _categorise(_with_history(rows, history), year)
    parts = (_completeness(r, header, rules) + _measurability(r, header, rules) + _relevance(r, rules)
             + _appropriateness(r, header, rules) + _ambition(r, rules, year))
    frames = [f for f in parts if len(f)]
    findings = pd.concat(frames, ignore_index=True) if frames else empty_findings()
    order = pd.Index(header["project_id"]).get_indexer(findings["project_id"])
    rank = {code: i for i, code in enumerate(TARGET_CODES)}
    findings = findings.assign(_o=order, _s=findings["severity"].map(SEVERITY_ORDER),
                               _r=pd.to_numeric(findings["row"], errors="coerce").fillna(-1),
                               _c=findings["code"].map(rank))
    findings = findings.sort_values(["_o", "_s", "_c", "_r"], kind="stable")[FINDING_COLUMNS].reset_index(drop=True)
    n = r.groupby("project_id").agg(n_indicators=("level3", "size"), n_measurable=("measurable", "sum"))
    n = n.reindex(header["project_id"]).fillna(0).astype(int)
    cats = r[r["category"].isin(CATEGORY_LABELS)].groupby("project_id")["category"].agg(
        lambda c: "、".join(x for x in CATEGORY_LABELS if x in set(c)))
    summary = header[["project_id", "project_name", "department", "funds"]].assign(
        n_indicators=n["n_indicators"].to_numpy(), n_measurable=n["n_measurable"].to_numpy(),
        measurable_share=np.where(n["n_indicators"] > 0, n["n_measurable"] / n["n_indicators"].clip(lower=1), 0.0),
        categories=header["project_id"].map(cats).astype(object).fillna("").to_numpy())
    summary = pd.concat([summary.reset_index(drop=True), _grade(header, findings, rules)], axis=1)
    summary["source_file"] = header["source_file"].to_numpy()
    conventions = {**rules.describe(), "比较精度": compare.DESCRIPTION,
                   "依据": "财预〔2015〕88号《中央部门预算绩效目标管理办法》（审核结果及应用）；审核要点和阈值为默认设置，可按本地办法调整"}
    keep = ["project_id", "level1", "level2", "level3", "target", "category", "op", "value", "unit", "kind",
            "measurable", "history", "source_file", "source_row"]
    return TargetReview(summary=summary, findings=findings, rows=r[keep], header=header, rules=rules,
                        conventions=conventions)


__all__ = ["CONSEQUENCES", "GRADES", "TargetReview", "TargetRules", "review_targets"]
