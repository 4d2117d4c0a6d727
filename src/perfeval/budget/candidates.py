"""The candidates for next year's budget, assembled from a data folder's evidence.

For every request in ``next_year/requests.csv``: the ex-ante conclusion, score and suggested amount
of a new project (:func:`perfeval.exante.assess` on ``exante/``), the target-review grade of its
2022 declaration (:func:`perfeval.review.review_targets` on ``next_year/declarations/``, with last
year's actual values from the self-evaluations as history), and for a continuing project last
year's grade and score — the key evaluation's where there is one (``key_precedence``, a setting),
else the self-evaluation's reviewed result — and whether it was self-evaluated at all.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import datasets


@dataclass
class Evidence:
    """What the ranking was made from: the candidates frame and the results behind it."""

    candidates: pd.DataFrame
    exante: object | None
    review: object | None
    cap: float | None
    year: int | None


def review_next_year(data_dir, rules=None):
    """The review of next year's declarations, with last year's self-evaluated values as history."""
    from ..review.targets import review_targets

    data = Path(data_dir)
    files = datasets.next_year_declarations(data)
    if not files:
        return None
    history = None
    if (data / "self_evaluation" / "rows.csv").is_file():
        history, _ = datasets.self_evaluation(data)
    return review_targets(files, history=history, rules=rules)


def last_year_results(data_dir, ids, key_precedence: bool = True, score_basis: str | None = None) -> pd.DataFrame:
    """project_id, last_grade, last_score, last_source, self_evaluated for the given (continuing) projects;
    self-evaluations on the year's score basis (:mod:`perfeval.basis`; the folder's setting when None)."""
    import perfeval as pe
    from .. import basis, keyeval, settings
    from ..city.year import Year

    data = Path(data_dir)
    ids = [str(i) for i in ids]
    out = pd.DataFrame({"project_id": ids, "last_grade": None, "last_score": np.nan, "last_source": None,
                        "self_evaluated": False})
    if not ids:
        return out
    rows, budget = datasets.self_evaluation(data, ids)
    if len(budget):
        t = pe.score(rows, budget).totals.set_index("project_id")
        has = out["project_id"].isin(t.index)
        cols = basis.columns(settings.score_basis(data, score_basis))
        out.loc[has, "last_grade"] = out.loc[has, "project_id"].map(t[cols["grade"]])
        out.loc[has, "last_score"] = out.loc[has, "project_id"].map(t[cols["total"]]).astype(float)
        out.loc[has, "last_source"] = "单位自评"
        out.loc[has, "self_evaluated"] = True
    if key_precedence and Year.load(data).has("key_indicators"):  # header-only = absent: no key grades
        kdata = keyeval.load(data)
        keyed = [i for i in ids if i in set(kdata.indicators["project_id"].astype(str))]
        if keyed:
            k = keyeval.evaluate(kdata).totals.set_index("project_id")
            hit = out["project_id"].isin(keyed)
            out.loc[hit, "last_grade"] = out.loc[hit, "project_id"].map(k["grade"])
            out.loc[hit, "last_score"] = out.loc[hit, "project_id"].map(k["total"]).astype(float)
            out.loc[hit, "last_source"] = "重点评价"
    return out


def candidates_from_data(data_dir, *, exante_rule="default", exante_method: str = "mean", review_rules=None,
                         key_precedence: bool = True, score_basis: str | None = None) -> Evidence:
    """The candidates frame :func:`~.priority.prioritise` takes, from a data folder (the sample city's layout)."""
    from .. import exante as ex

    data = Path(data_dir)
    requests = datasets.next_year_requests(data)
    c = requests.copy()
    c["project_id"] = c["project_id"].astype(str)
    assessment = ex.assess(data, method=exante_method, thresholds=exante_rule) if ex.exists(data) else None
    if assessment is not None:
        t = assessment.totals.set_index("project_id")
        c["exante_outcome"] = c["project_id"].map(t["outcome"])
        c["exante_conclusion"] = c["project_id"].map(t["conclusion"])
        c["exante_score"] = c["project_id"].map(t["total"])
        c["suggested"] = c["project_id"].map(t["suggested"])
    review = review_next_year(data, review_rules)
    grades = review.summary.set_index("project_id")["grade"] if review is not None else pd.Series(dtype=object)
    c["target_grade"] = c["project_id"].map(grades)
    c["declared"] = c["project_id"].isin(grades.index)
    continuing = c.loc[c["kind"].astype(str).str.strip().isin(["延续", "continuing"]), "project_id"]
    last = last_year_results(data, continuing.tolist(), key_precedence, score_basis).set_index("project_id")
    for column in ("last_grade", "last_score", "last_source", "self_evaluated"):
        c[column] = c["project_id"].map(last[column])
    year = None
    if review is not None and "year" in review.header and review.header["year"].notna().any():
        year = int(review.header["year"].dropna().iloc[0])
    return Evidence(candidates=c, exante=assessment, review=review, cap=datasets.next_year_cap(data), year=year)


__all__ = ["Evidence", "candidates_from_data", "last_year_results", "review_next_year"]
