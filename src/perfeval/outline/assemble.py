"""One project's report assembled from a data folder: everything the report notebook shows.

``build_project_report(data_dir, project_id, kind, scheme)`` reads the project (its form, or the key
evaluation's tables), scores it, gathers its budget story from monitoring, its declared targets and
(for key evaluations) the panel's comments and its own self-evaluation, and computes every section.
The notebook only displays; tests and the publication lint use the same object. A scheme whose
points do not fit the form stops the report with a clear message (the batch records it as failed
for that project): a report never publishes a total out of 110.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import datasets, settings
from ..errors import InputError
from ..report.markup import escape_html
from . import findings as F
from . import project as P

DEFAULT_SCHEMES = {"self": "mof-2020", "key": "mof-2020-project"}
SCHEME_FIT_CODES = ("SCHEME_MISMATCH", "POINTS_TOTAL")


@dataclass
class ProjectReport:
    """The content of one project's report (frames and sentences), and what it was made from."""

    kind: str
    project_id: str
    name: str
    card: object
    meta: dict
    budget: dict
    declared: pd.DataFrame
    findings: list
    conclusion: dict
    inputs: list
    evaluation: object | None = None
    self_result: dict | None = None
    system_title: str | None = None
    year: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return P.KIND_TITLES[self.kind]

    def heading_html(self) -> str:
        """The report's heading: the project's name, the kind of report, its code and unit."""
        t = self.card.project(self.project_id).totals.iloc[0]
        unit = self.meta.get("unit") or t.get("unit") or ""
        return (f"<h1>{escape_html(self.name)}</h1><p><strong>{escape_html(self.title)}</strong>"
                f"（{escape_html(self.year or '')} 年度；项目编码 {escape_html(self.project_id)}"
                + (f"；实施单位 {escape_html(unit)}" if unit else "") + "）</p>")

    def check_scheme_fits(self) -> None:
        """A scheme whose points do not add up with the form's is an error for this report."""
        flags = self.card.project(self.project_id).flags
        bad = flags[flags["code"].isin(SCHEME_FIT_CODES)]
        if len(bad):
            raise InputError("评分方案与表内分值不符，不能生成报告 (the scheme does not fit the form)："
                             + bad["message"].iloc[0].split("：", 1)[-1], expected="与表内分值相符的评分方案",
                             found=self.card.scheme.name)


def _self_card(data: Path, project_id: str, scheme, score_basis: str):
    import perfeval as pe

    forms, path = datasets.self_evaluation_forms(data, project_id)
    rows, budget = pe.forms_to_frames(forms)
    return pe.score(rows, budget, scheme, headline=score_basis), forms, path


def project_monitoring(data: Path, project_id: str, monitoring=None):
    """(the year's monitoring or None, the sentence saying why the project's monitoring facts are unknown).

    Absent or header-only payments give no monitoring at all; payments that do not cover the project
    leave its monitoring facts unknown (absent is not zero: no reminder, no zero-spend listing).
    """
    from .. import monitor
    from ..city.year import PRESENT, Year

    known = Year.load(data)
    if known.status("projects") != PRESENT:
        datasets.projects(data)  # the project list itself is missing or empty: its own clear error
    note = known.absence_text("payments", project_id)
    if not known.has("payments"):
        return None, note
    mon = monitoring if monitoring is not None else monitor.monitor(data)
    if project_id in set(getattr(mon, "not_covered", ())):
        note = note or "资金支付数据中没有本项目的记录，月度执行监控情况从略。"
    return mon, note


def build_project_report(data_dir, project_id, kind: str = "self", scheme=None, monitoring=None,
                         key_evaluation=None, score_basis: str | None = None) -> ProjectReport:
    """Every section of one project's report. ``monitoring``/``key_evaluation``: precomputed (a batch
    may pass them); computed from the data folder otherwise. ``score_basis``: the self-evaluation total
    the report states (:mod:`perfeval.basis`; the year's setting when None)."""
    from .. import keyeval

    if kind not in P.KIND_TITLES:
        raise InputError("报告类型须为 self（单位自评）或 key（重点评价）", expected="self / key", found=kind)
    data = Path(data_dir)
    project_id = str(project_id)
    score_basis = settings.score_basis(data, score_basis)
    mon, payments_note = project_monitoring(data, project_id, monitoring)
    year = getattr(mon, "year", None)
    evaluation = self_result = system_title = None
    if kind == "self":
        meta = datasets.project(data, project_id)
        card, forms, path = _self_card(data, project_id, scheme or DEFAULT_SCHEMES["self"], score_basis)
        meta.update(goal_expected=forms[0].goal_expected, goal_actual=forms[0].goal_actual)
        year = forms[0].year or year
        inputs = [path, data / "projects.csv", data / "payments.csv"]
        comments = None
    else:
        kdata = keyeval.load(data)
        meta = datasets.project(data, project_id, among=pd.unique(kdata.indicators["project_id"].astype(str)))
        whole = key_evaluation if key_evaluation is not None else keyeval.evaluate(kdata, scheme=scheme or
                                                                                   DEFAULT_SCHEMES["key"])
        evaluation = whole.project(project_id)
        card = evaluation.scorecard
        system_id = kdata.indicators.loc[kdata.indicators.project_id == project_id, "system"].iloc[0]
        from ..systems import load_system

        system_title = load_system(system_id).title
        comments = getattr(evaluation, "comments", None)
        inputs = [data / "key_evaluation" / "indicators.csv", data / "key_evaluation" / "panel_scores.csv",
                  data / "projects.csv", data / "payments.csv"]
        if (data / "key_evaluation" / "panel_comments.csv").exists():
            inputs.append(data / "key_evaluation" / "panel_comments.csv")
        form = datasets.form_path(data, project_id)
        if form.is_file():
            own, forms, _ = _self_card(data, project_id, DEFAULT_SCHEMES["self"], score_basis)
            t = own.totals.iloc[0]
            headline = own.scheme.headline == "reviewed"
            self_result = {"total": t["reviewed_total" if headline else "total"],
                           "grade": t["reviewed_grade" if headline else "grade"]}
            meta.update(goal_expected=forms[0].goal_expected, goal_actual=forms[0].goal_actual)
            year = forms[0].year or year
            inputs.append(form)
    budget = P.budget_facts(meta, mon, absent=payments_note)
    found = F.all_findings(card, project_id, budget, comments)
    report = ProjectReport(
        kind=kind, project_id=project_id, name=P.display_name(meta, card, project_id), card=card, meta=meta,
        budget=budget, declared=datasets.declared_targets(data, project_id), findings=found,
        conclusion=P.conclusion(card, project_id, kind, self_result), inputs=[p for p in inputs if Path(p).exists()],
        evaluation=evaluation, self_result=self_result, system_title=system_title, year=year)
    report.check_scheme_fits()
    return report
