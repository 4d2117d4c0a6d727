"""The city-wide report assembled from a data folder: what the portfolio notebook shows.

``build_city_report(data_dir, year=None)`` scores every self-evaluation, runs the key evaluation and
the monitoring, decides next year's budget (:func:`perfeval.budget.decisions_from_data`: one ledger, of
which ``applied`` is the 结果应用 view), and computes every table and sentence of :mod:`.portfolio`, plus the appendix
(multi-criteria ranking, grade robustness) with its plain-language reading. City name and year come
from the data (departments' names, the forms' year), unless given.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import basis as B
from .. import settings
from .. import datasets
from .. import display as fmt
from . import portfolio as PF

ROBUST_DRAWS = 2000


@dataclass
class CityReport:
    city: str
    year: int | None
    projects: pd.DataFrame
    card: object
    totals: pd.DataFrame
    key: object               # keyeval.KeyEvaluation, None without key-evaluation data
    key_totals: pd.DataFrame  # empty without key-evaluation data, with attrs["absent"] the sentence saying so
    monitoring: object
    applied: object = None  # budget.ResultsApplied: this year's projects in the ledger of next year's decisions
    decisions: object = None  # budget.Decisions: the ledger (this year's projects and next year's requests)
    monitoring_note: str | None = None  # why monitoring is unknown (no payments data), else None
    score_basis: str = B.DEFAULT_BASIS  # totals["total"/"grade"] are on this basis (perfeval.basis)

    @property
    def basis_label(self) -> str:
        """复核后得分 / 单位自评得分: what every score of this report is."""
        return B.label(self.score_basis)

    def basis_sentence(self) -> str:
        return fmt.sentence(B.sentence(self.score_basis))

    @property
    def title(self) -> str:
        return f"{self.city} {self.year or ''} 年度预算绩效管理情况报告".replace("  ", " ")

    @property
    def labels(self) -> list[str]:
        return list(self.card.scheme.grades.labels)

    def suggestions(self) -> list[str]:
        """有关建议 for the city, each answering a finding of this report."""
        out = []
        comparison, _ = PF.self_vs_key(self.totals, self.key_totals, self.projects,
                                       None if self.key is None else self.key.scorecard.levels)
        lower = comparison[comparison["自评等级"] != comparison["重点评价等级"]]
        if len(lower):
            out.append(f"对自评等级高于重点评价等级的 {len(lower)} 个项目，责成主管部门说明差异原因，并将其自评结果纳入抽查复核；"
                       "次年预算安排以重点评价结果为准")
        rec = self.monitoring.recovered if self.monitoring is not None else pd.DataFrame({"recovered": []})
        if len(rec):
            out.append(f"对年底收回统筹资金的 {len(rec)} 个项目（合计 {fmt.wan_text(rec['recovered'].sum())}），次年预算按实际执行"
                       "能力核定，前期准备不足的项目暂缓安排")
        flagged = self.card.flags["project_id"].nunique()
        if flagged:
            out.append(f"对复核发现问题的 {flagged} 个项目，反馈主管部门限期更正自评表并说明偏差原因，整改情况纳入下年度自评复核")
        graded = self.totals["grade"].map(fmt.grade_label)  # on the year's basis, as the results are applied
        weak = int(graded.isin(["中", "差"]).sum())
        if weak:
            out.append(f"对评价等级为“中”“差”的 {weak} 个项目，按结果应用规定核减或暂停次年预算，并督促整改")
        out.append("加强绩效目标审核，指导部门设置可衡量的数量、质量、时效和成本指标，避免目标明显偏低")
        return [fmt.sentence(x) for x in out]


def build_city_report(data_dir, year: int | None = None, city: str | None = None,
                      score_basis: str | None = None) -> CityReport:
    """Every table and sentence of the city-wide report; self-evaluation totals and grades on the year's
    score basis (``score_basis``, :mod:`perfeval.basis`; the folder's setting when None)."""
    import perfeval as pe
    from .. import keyeval, monitor

    data = Path(data_dir)
    score_basis = settings.score_basis(data, score_basis)
    projects = datasets.projects(data)
    rows, budget = datasets.self_evaluation(data)
    card = pe.score(rows, budget, "mof-2020", headline=score_basis)
    totals = B.on_basis(datasets.attach_projects(card.totals, data), score_basis)
    from ..city.year import Year

    known = Year.load(data)  # absent or header-only inputs: unknown, never zeros
    key_note = known.absence_text("key_indicators")
    if key_note is None:
        key = keyeval.evaluate(keyeval.load(data))
        key_totals = datasets.attach_projects(key.totals, data)
    else:  # no key evaluation given: its sections say so (key_totals.attrs["absent"]), no grade from nothing
        key = None
        key_totals = pd.DataFrame({c: pd.Series(dtype=object) for c in
                                   ("project_id", "total", "grade", "department", "sector", "key_evaluation")})
        key_totals.attrs["absent"] = key_note.replace("本节从略。", "重点评价情况从略")
    mon = monitor.monitor(data) if known.has("payments") else None
    from ..budget.decisions import decisions_from_data

    decisions = decisions_from_data(data, self_totals=card.totals, key_totals=key_totals, monitoring=mon,
                                    score_basis=score_basis)
    applied = decisions.applied()
    year = year or settings.load(data).year
    if year is None and "source_file" in budget and len(budget):
        first = datasets.project(data, budget["project_id"].iloc[0])
        forms, _ = datasets.self_evaluation_forms(data, first["project_id"])
        year = forms[0].year
    return CityReport(city=settings.city_name(data, projects["department"], city), year=year, projects=projects, card=card,
                      totals=totals, key=key, key_totals=key_totals, monitoring=mon, applied=applied,
                      decisions=decisions, score_basis=score_basis,
                      monitoring_note=known.absence_text("payments"))


def robustness_table(robust) -> pd.DataFrame:
    """The key evaluation's grade under each scoring convention, in Chinese (no variant codes)."""
    t = robust.table
    labels = [c[2:] for c in t.columns if c.startswith("n_") and c != "n_changed"]
    out = pd.DataFrame({"计分约定": t["label"].map(lambda s: s.split(" (")[0])})
    for g in labels:
        out[f"{g}（个）"] = t[f"n_{g}"].astype(int).to_numpy()
    out["等级变化的项目数"] = t["n_changed"].astype(int).to_numpy()
    return out
