"""The stage registry: every stage of the city's year, its input files and columns, and where its code lives.

One entry per stage (单位自评, 重点评价, 事前评估, 目标审核, 择优排序, 运行监控, 结果应用, 信息公开, 年度报告,
部门整体评价):
the data files it reads (path relative to the data folder; a ``{project_id}`` in the path means one file
per project), their required and optional columns and a Chinese description, and — as dotted names and
plain strings, so that this module imports nothing heavy — its library function, its outline builder, its
notebook template(s) and its command. :class:`perfeval.city.Year` reads a data folder through it, the
batch (`perfeval.cli.batch.build_tasks`) takes its stages and templates from it, and the docs page of
the data folder (`docs/data-folder.md`, :mod:`perfeval.city.docs`) is written from it. A new stage is one
new package plus one entry here.
"""
from __future__ import annotations

from dataclasses import dataclass

from .._formfiles import FORM_SUFFIXES


@dataclass(frozen=True)
class Input:
    """One input of the data folder: a file (or one file per project), its columns and what it holds."""

    key: str                          # the name a stage and Year use: "payments", "key_indicators", …
    path: str                         # relative to the data folder; "{project_id}" = one file per project
    description: str                  # Chinese, for the docs page and messages
    required: tuple[str, ...] = ()    # columns that must be there (csv inputs)
    optional: tuple[str, ...] = ()    # columns read when present
    per_project: bool = False         # one file per project (forms, declarations)
    suffixes: tuple[str, ...] = ()    # per-project files: every suffix accepted (the path's when empty)

    @property
    def glob(self) -> str:
        """The glob of the input's files (the path itself for a single file)."""
        return self.path.replace("{project_id}", "*")

    def accepts(self, name: str) -> bool:
        """Whether a file name in the input's folder is one of its files (a per-project input's suffixes)."""
        if name.startswith(("~$", ".")):
            return False
        suffix = "." + name.rpartition(".")[2].lower() if "." in name else ""
        return suffix in (self.suffixes or ("." + self.path.rpartition(".")[2].lower(),))

    @property
    def is_csv(self) -> bool:
        return self.path.endswith(".csv")


@dataclass(frozen=True)
class Stage:
    """One stage of the year: what it reads, and the names of its function, outline, notebooks and command."""

    name: str                          # "self", "key", … (the batch kind where it has one)
    title: str                         # Chinese name of the stage
    needs: tuple[str, ...]             # input keys the stage cannot do without
    uses: tuple[str, ...] = ()         # input keys it reads when present (absent: the report says so)
    function: str = ""                 # the library function, dotted
    outline: str = ""                  # the outline builder, dotted ("" where the stage has no report)
    notebook: str = ""                 # the per-project report template ("" where none)
    summary_notebook: str = ""         # the city-wide report template ("" where none)
    command: str = ""                  # the CLI command that runs the stage
    cli: str = ""                      # the module of perfeval.cli that registers that command (dotted)
    batch_kind: str = ""               # the `perfeval batch --kind` that makes its reports ("" where none)


INPUTS: tuple[Input, ...] = (
    Input("projects", "projects.csv", "项目清单：每个项目一行（编码、名称、主管部门、行业、是否重点评价、预算与执行金额，元）",
          required=("project_id", "project_name", "department", "sector", "key_evaluation"),
          optional=("unit", "budget_initial", "budget_full_year", "spent", "recovered", "year")),
    Input("departments", "departments.csv", "部门汇总：每个部门一行（编码、名称、主要行业、项目数、金额合计）",
          required=("department",),
          optional=("department_code", "main_sector", "n_projects", "n_key", "budget_initial", "budget_full_year",
                    "spent", "recovered")),
    Input("forms", "forms/{project_id}.xlsx", "项目支出绩效自评表（每个项目一个文件；也可为 .xls、.et、.ods、.csv、.docx、.html，"
          "`perfeval import forms` 导入）", per_project=True, suffixes=FORM_SUFFIXES),
    Input("self_rows", "self_evaluation/rows.csv", "自评表的指标行（整理后的表，与自评表工作簿二选一）",
          required=("project_id", "level1", "level2", "level3", "points", "score"),
          optional=("project_name", "target", "actual", "reason", "counted", "target_nature", "target_value",
                    "target_unit", "source_file", "source_sheet", "source_row")),
    Input("self_budget", "self_evaluation/budget.csv", "自评表的资金情况（整理后的表，与 rows.csv 同时提供）",
          required=("project_id", "budget_full_year", "spent"),
          optional=("project_name", "department", "unit", "money_unit", "budget_initial", "exec_points",
                    "published_rate", "published_exec_score", "published_total", "published_grade")),
    Input("targets", "targets.csv", "本年度绩效目标申报表的指标（随预算批复的绩效目标）",
          required=("project_id", "level1", "level2", "level3", "target"),
          optional=("seq", "op", "value", "unit", "kind")),
    Input("payments", "payments.csv", "资金支付：每个项目每月一行（元）；未支付的月份可不列，全年未支付的项目应有一行金额 0",
          required=("project_id", "month", "amount")),
    Input("direct_funds", "monitoring/direct_funds.csv", "直达资金标记", required=("project_id", "direct_funds")),
    Input("history_payments", "monitoring/history_payments.csv", "以前年度的月度支付（年底执行预测用）",
          required=("year", "project_id", "month", "amount")),
    Input("history_budgets", "monitoring/history_budgets.csv", "以前年度的预算数（年底执行预测用）",
          required=("year", "project_id", "budget")),
    Input("midyear", "monitoring/midyear_targets.csv", "年中绩效目标完成情况（双监控用）",
          required=("project_id", "month", "completion"),
          optional=("seq", "level1", "level2", "level3", "target")),
    Input("schedule", "monitoring/schedule.csv", "财政部门自定的序时进度（1–12 月累计比例）", required=("month", "share")),
    Input("key_indicators", "key_evaluation/indicators.csv", "重点评价指标表：每个项目每个指标一行",
          required=("project_id", "code", "level1", "level2", "level3", "points", "rule_kind", "scored_by", "target",
                    "actual"),
          optional=("system", "rule_params", "reason")),
    Input("key_scores", "key_evaluation/panel_scores.csv", "重点评价专家评分：每位专家每个专家评议指标一行",
          required=("project_id", "indicator", "expert", "score")),
    Input("key_comments", "key_evaluation/panel_comments.csv", "重点评价专家评议意见", required=("project_id", "indicator", "comment")),
    Input("exante_candidates", "exante/candidates.csv", "事前绩效评估候选项目：每个项目一行",
          required=("project_id",),
          optional=("project_name", "department", "unit", "sector", "year", "kind", "requested", "fiscal", "other",
                    "period", "background", "content", "goal", "funding")),
    Input("exante_scores", "exante/scores.csv", "事前评估专家评分（等级或分数）",
          required=("project_id", "expert", "indicator"), optional=("rating", "score")),
    Input("exante_opinions", "exante/opinions.csv", "事前评估专家意见", required=("project_id", "expert", "dimension", "opinion")),
    Input("exante_cuts", "exante/cuts.csv", "事前评估建议核减的事项", required=("project_id", "item", "amount"),
          optional=("reason",)),
    Input("requests", "next_year/requests.csv", "下一年度申请安排的项目",
          required=("project_id", "project_name", "kind", "requested"), optional=("department", "unit", "sector")),
    Input("control", "next_year/control.csv", "下一年度资金控制数（元）", required=("cap",), optional=("year", "note")),
    Input("declarations", "next_year/declarations/{project_id}.xlsx", "下一年度绩效目标申报表（每个项目一个工作簿）",
          per_project=True),
    Input("units", "units.csv", "预算单位层级：每个单位一行（一级预算单位即部门本身，二级预算单位填上级单位）",
          required=("unit_id", "unit_name", "department_id", "level", "parent_id")),
    Input("dept_basic", "dept_basic.csv", "部门整体支出基础数据表：每个单位每年一行（预算、执行、基本/项目支出、人员、三公经费、"
          "政府采购、结转结余、固定资产、预决算公开，元）",
          required=("unit_id", "year", "budget_initial", "budget_full_year", "spent"),
          optional=("budget_personnel", "budget_public", "budget_project", "spent_personnel", "spent_public",
                    "spent_project", "income_general", "income_fund", "income_special", "income_other", "adjustment",
                    "staff_quota", "staff_actual", "sangong_budget", "sangong_budget_last", "sangong_spent",
                    "sangong_spent_last", "procurement_budget", "procurement_spent", "carryover_start",
                    "carryover_end", "assets_total", "assets_in_use", "key_project_spending", "budget_published",
                    "final_published")),
    Input("dept_rows", "dept_rows.csv", "部门（单位）整体支出绩效自评表的指标行（整理后的表；entity 区分项目/单位/部门）",
          required=("entity", "unit_id", "level1", "level2", "level3", "points", "score"),
          optional=("department_id", "project_id", "year", "code", "target", "actual", "target_value", "actual_value",
                    "op", "unit", "measure", "rule", "rule_params", "coefficient", "standard", "reason", "counted",
                    "source_file", "source_sheet", "source_row")),
)

STAGES: tuple[Stage, ...] = (
    Stage("self", "单位绩效自评", needs=("projects", "forms"), uses=("self_rows", "self_budget", "targets", "payments"),
          function="perfeval.score", outline="perfeval.outline.assemble.build_project_report",
          notebook="project_report.ipynb", summary_notebook="portfolio.ipynb", command="perfeval report / perfeval batch --kind self", cli="perfeval.cli.batch",
          batch_kind="self"),
    Stage("key", "财政重点绩效评价", needs=("projects", "key_indicators", "key_scores"),
          uses=("key_comments", "forms", "targets", "payments"), function="perfeval.keyeval.evaluate",
          outline="perfeval.outline.assemble.build_project_report", notebook="project_report.ipynb",
          summary_notebook="portfolio.ipynb", command="perfeval report --kind key / perfeval batch --kind key", cli="perfeval.cli.batch",
          batch_kind="key"),
    Stage("exante", "事前绩效评估", needs=("exante_candidates", "exante_scores"), uses=("exante_opinions", "exante_cuts"),
          function="perfeval.exante.assess", outline="perfeval.outline.exante.build_exante_report",
          notebook="exante_report.ipynb", command="perfeval exante", cli="perfeval.cli.exante", batch_kind="exante"),
    Stage("targets", "绩效目标审核", needs=("declarations",), uses=("self_rows",),
          function="perfeval.review.review_targets", outline="perfeval.outline.targets.build_target_report",
          notebook="target_review.ipynb", summary_notebook="target_summary.ipynb", command="perfeval review-targets", cli="perfeval.cli.review",
          batch_kind="targets"),
    Stage("priority", "择优排序", needs=("requests",), uses=("control", "exante_candidates", "declarations", "self_rows",
                                                             "key_indicators"),
          function="perfeval.budget.decisions_from_data", outline="perfeval.outline.priority.build_priority_report",
          summary_notebook="priority.ipynb", command="perfeval prioritise", cli="perfeval.cli.budget",
          batch_kind="priority"),
    Stage("monitoring", "绩效运行监控", needs=("projects", "payments"),
          uses=("direct_funds", "history_payments", "history_budgets", "midyear", "schedule"),
          function="perfeval.monitor.at", outline="perfeval.outline.monitoring.build_monitoring_report",
          summary_notebook="monitoring.ipynb", command="perfeval monitor", cli="perfeval.cli.monitor", batch_kind="monitor"),
    Stage("results", "评价结果应用", needs=("projects",), uses=("forms", "self_rows", "self_budget", "key_indicators",
                                                               "key_scores", "payments", "requests", "control",
                                                               "exante_candidates", "declarations"),
          function="perfeval.budget.decisions_from_data", outline="perfeval.outline.applied.overview",
          command="perfeval apply-results", cli="perfeval.cli.budget"),
    Stage("disclosure", "绩效信息公开", needs=("projects",), uses=("targets", "forms", "self_rows", "key_indicators"),
          function="perfeval.disclose.disclose", command="perfeval disclose", cli="perfeval.cli.disclose"),
    Stage("annual", "预算绩效管理工作开展情况说明", needs=("projects",),
          uses=("forms", "self_rows", "self_budget", "key_indicators", "key_scores", "payments", "targets",
                "exante_candidates", "requests", "declarations"),
          function="perfeval.outline.annual.build_annual_report", outline="perfeval.outline.annual.build_annual_report",
          summary_notebook="annual_report.ipynb", command="perfeval annual / perfeval batch --kind annual",
          cli="perfeval.cli.annual",
          batch_kind="annual"),
    Stage("dept", "部门整体支出绩效评价", needs=("units", "dept_basic", "dept_rows"), uses=("projects",),
          function="perfeval.dept.evaluate", outline="perfeval.outline.dept.build_dept_report",
          notebook="dept_report.ipynb", summary_notebook="dept_summary.ipynb",
          command="perfeval dept / perfeval batch --kind dept", cli="perfeval.cli.dept", batch_kind="dept"),
)

_INPUTS = {i.key: i for i in INPUTS}
_STAGES = {s.name: s for s in STAGES}


def input_spec(key: str) -> Input:
    """The registry entry of one input (a KeyError names the known ones)."""
    try:
        return _INPUTS[key]
    except KeyError:
        raise KeyError(f"unknown input {key!r}; known: {', '.join(_INPUTS)}") from None


def stage(name: str) -> Stage:
    """The registry entry of one stage."""
    try:
        return _STAGES[name]
    except KeyError:
        raise KeyError(f"unknown stage {name!r}; known: {', '.join(_STAGES)}") from None


def batch_stages() -> tuple[Stage, ...]:
    """The stages that make reports in a batch, in the batch's order."""
    return tuple(s for s in STAGES if s.batch_kind)


__all__ = ["INPUTS", "Input", "STAGES", "Stage", "batch_stages", "input_spec", "stage"]
