"""Report content from scorecards, following the official outline (财预〔2020〕10号 附件3).

The report notebooks hold no scoring logic: they call these functions and display what they
return. Every section is a frame with Chinese headers or a list of Chinese sentences, so the same
content serves notebooks, HTML, Excel and tests.

- :mod:`perfeval.display` (a low module outside this package, as domain objects use it too) — how numbers
  and sentences are written (万元, two decimals, one "。"), escaped HTML;
- :mod:`.findings` — findings and suggestions from the evidence (lost points, budget, review, panel);
- :mod:`.project` — the sections of one project's report;
- :mod:`.portfolio` — the city-wide comparison for the finance-bureau director;
- :mod:`.exante`, :mod:`.targets`, :mod:`.priority` — the reports of the stages before the budget:
  ex-ante assessment, target-review opinions and their summary, priority ranking under a cap;
- :mod:`.monitoring` — the in-year monitoring dashboard.

User-typed strings stay as typed; the HTML helpers escape them, and the notebooks display HTML,
never Markdown built from user text. A grade withheld by the review reads "未定级".
"""
from ..report.markup import GRADE_WITHHELD, escape_html, grade_label, heading_html, paragraph_html
from . import findings, portfolio
from .assemble import ProjectReport, build_project_report
from .exante import ExanteReport, build_exante_report
from .monitoring import MonitoringReport, build_monitoring_report
from .priority import PriorityReport, build_priority_report
from .targets import TargetReport, TargetSummary, build_target_report, build_target_summary
from .findings import Finding, all_findings
from ..display import html_list, paragraphs_html, table_html
from .portfolio import city_of, department_table, level_matrix, rank_comparison
from .project import (KIND_TITLES, budget_facts, conclusion, conventions_table, dimension_analysis, display_name,
                      experience, fingerprint, indicator_table, no_findings_text, other_matters, overview,
                      overview_text, problems, score_table, suggestions, targets_table, work_text)

__all__ = ["GRADE_WITHHELD", "Finding", "ProjectReport", "build_project_report", "ExanteReport", "build_exante_report",
           "MonitoringReport", "build_monitoring_report", "PriorityReport", "build_priority_report", "TargetReport", "TargetSummary", "build_target_report",
           "build_target_summary", "KIND_TITLES", "all_findings", "budget_facts", "city_of", "conclusion",
           "conventions_table", "department_table", "dimension_analysis", "display_name", "escape_html",
           "experience", "findings", "fingerprint", "grade_label", "heading_html", "html_list",
           "indicator_table", "level_matrix", "no_findings_text", "other_matters", "overview", "overview_text",
           "paragraph_html", "paragraphs_html", "portfolio", "problems", "rank_comparison", "score_table",
           "suggestions", "table_html", "targets_table", "work_text"]
