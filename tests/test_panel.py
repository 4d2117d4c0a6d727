"""Expert panels: Kendall's W, ICC, score aggregation and agreement — published examples and rules."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval.errors import InputError
from perfeval.panel import aggregate, agreement, icc, kendall_w

ANXIETY = np.array([  # raters × subjects
    [3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3],
    [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4],
    [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2],
])

SHROUT_FLEISS = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]])


def test_kendall_w_with_ties_desctools_anxiety_example():
    """R package DescTools (Signorell et al.), `KendallW` help page: the `anxiety` ratings (20 subjects,
    3 raters; from package irr, Gamer et al.) with tie correction: W = 0.5396569, Kendall
    chi-squared = 30.76, df = 19, p-value = 0.04288."""
    result = kendall_w(ANXIETY)
    assert result.w == pytest.approx(0.5396569, abs=5e-8)
    assert round(result.chi2, 2) == 30.76 and result.df == 19
    assert round(result.p_value, 5) == 0.04288
    assert result.ties_correction > 0
    uncorrected = kendall_w(ANXIETY, ties="uncorrected")
    assert uncorrected.w < result.w and uncorrected.ties_correction == 0


def test_kendall_w_siegel_castellan_1988_example():
    """Siegel, S. & Castellan, N. J. (1988), *Nonparametric Statistics for the Behavioral Sciences*,
    2nd ed., §9.4 example (3 raters ranking 8 attributes), as reproduced on the DescTools `KendallW`
    help page: W = 0.6560847, chi-squared = 13.778, df = 7, p = 0.05528."""
    ranks = pd.DataFrame({"airfare": [5, 1, 4], "climate": [6, 7, 5], "season": [7, 6, 1],
                          "people": [1, 2, 3], "program": [2, 3, 2], "publicity": [4, 5, 7],
                          "present": [3, 4, 6], "interest": [8, 8, 8]}, index=[4, 21, 11])
    result = kendall_w(ranks)
    assert result.w == pytest.approx(0.6560847, abs=5e-8)
    assert round(result.chi2, 3) == 13.778 and result.df == 7
    assert round(result.p_value, 5) == 0.05528
    assert list(result.rank_sums.index) == list(ranks.columns)
    assert "Kendall" in result._repr_html_()


def test_kendall_w_degenerate_input():
    assert kendall_w([[1, 2, 3], [1, 2, 3]]).w == pytest.approx(1.0)
    with pytest.raises(InputError, match="2 位专家"):
        kendall_w([[1, 2, 3]])
    with pytest.raises(InputError, match="2 个被评对象"):
        kendall_w([[1], [2]])
    with pytest.raises(InputError, match="W 无定义"):
        kendall_w([[5, 5, 5], [7, 7, 7]])
    with pytest.raises(InputError, match="缺失"):
        kendall_w([[1, np.nan, 3], [1, 2, 3]])


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 6), st.integers(2, 7), st.data())
def test_kendall_w_properties(m, n, data):
    scores = np.asarray(data.draw(st.lists(st.lists(st.integers(0, 4), min_size=n, max_size=n),
                                           min_size=m, max_size=m)), dtype=float)
    if (scores == scores[:, :1]).all():
        return  # undefined, tested above
    result = kendall_w(scores)
    assert -1e-12 <= result.w <= 1 + 1e-12
    assert kendall_w(scores[::-1]).w == pytest.approx(result.w)          # raters' order is irrelevant
    assert kendall_w(np.exp(scores)).w == pytest.approx(result.w)        # only ranks matter
    assert result.chi2 == pytest.approx(m * (n - 1) * result.w)


def test_icc_shrout_fleiss_1979_table():
    """Shrout, P. E. & Fleiss, J. L. (1979), "Intraclass correlations: uses in assessing rater
    reliability", Psychological Bulletin 86(2):420–428, Table 2 data (6 targets × 4 judges) and
    Table 4 results: ICC(1,1) = .17, ICC(2,1) = .29, ICC(3,1) = .71, ICC(1,4) = .44,
    ICC(2,4) = .62, ICC(3,4) = .91."""
    result = icc(SHROUT_FLEISS)
    printed = {"icc_1_1": 0.17, "icc_2_1": 0.29, "icc_3_1": 0.71,
               "icc_1_k": 0.44, "icc_2_k": 0.62, "icc_3_k": 0.91}
    for name, value in printed.items():
        assert round(getattr(result, name), 2) == value, name
    assert (result.n_targets, result.n_judges) == (6, 4)
    assert "ICC(2) 双向随机" in result._repr_html_()
    anova = result.explain()["anova"]
    assert anova["df"].tolist() == [5, 3, 15, 23]
    with pytest.raises(InputError, match="ICC 无定义"):
        icc([[3, 3], [3, 3]])
    with pytest.raises(InputError):
        icc([[1, 2, 3]])


def _long(matrix, project="P1", experts=None):
    experts = experts or [f"专家{j + 1}" for j in range(matrix.shape[1])]
    return pd.DataFrame([(project, f"指标{i + 1}", experts[j], float(matrix[i, j]))
                         for i in range(matrix.shape[0]) for j in range(matrix.shape[1])],
                        columns=["project_id", "indicator", "expert", "score"])


def test_aggregate_rules():
    scores = _long(np.array([[8, 9, 7, 10, 2], [5, 5, 5, 5, 5]]))
    mean = aggregate(scores).table
    assert mean["score"].tolist() == pytest.approx([7.2, 5.0])
    assert mean["n_experts"].tolist() == [5, 5] and mean["min"].tolist() == [2, 5]
    assert mean["std"].iloc[1] == 0.0
    trimmed = aggregate(scores, method="trimmed").table
    assert trimmed["score"].tolist() == pytest.approx([8.0, 5.0])
    assert trimmed["dropped"].iloc[0] == "专家5、专家4"
    assert trimmed["dropped"].iloc[1] == "专家1、专家5"  # equal scores: earliest dropped low, latest high
    assert "去掉 1 个最高分和 1 个最低分" in trimmed["rule"].iloc[0]
    assert aggregate(scores, method="median").table["score"].tolist() == [8.0, 5.0]
    weighted = aggregate(scores, method="weighted",
                         expert_weights={"专家1": 1, "专家2": 1, "专家3": 1, "专家4": 1, "专家5": 0}).table
    assert weighted["score"].tolist() == pytest.approx([8.5, 5.0])
    result = aggregate(scores, method="trimmed")
    assert result.score.loc[("P1", "指标1")] == pytest.approx(8.0)
    assert "合成得分" in result._repr_html_()


def test_trimmed_mean_needs_enough_experts():
    scores = _long(np.array([[8, 9], [5, 6]]))
    with pytest.raises(InputError, match="至少需要 3 位专家"):
        aggregate(scores, method="trimmed")
    with pytest.raises(InputError, match="至少需要 5 位专家"):
        aggregate(_long(np.ones((1, 4))), method="trimmed", trim=2)


def test_aggregate_wide_frame_and_bad_input():
    wide = pd.DataFrame({"决策": [18.0, 19.0, 17.0], "过程": [25.0, 27.0, 26.0]}, index=["甲", "乙", "丙"])
    table = aggregate(wide, project="2023-水利-01").table
    assert table["project_id"].unique().tolist() == ["2023-水利-01"]
    assert table.set_index("indicator")["score"].to_dict() == pytest.approx({"决策": 18.0, "过程": 26.0})
    bad = _long(np.array([[8.0, 9.0, 7.0]]))
    bad["score"] = bad["score"].astype(object)
    bad.loc[1, "score"] = "九"
    with pytest.raises(InputError, match="第 2 行"):
        aggregate(bad)
    duplicate = pd.concat([_long(np.array([[8.0, 9.0]])), _long(np.array([[8.0]]))], ignore_index=True)
    with pytest.raises(InputError, match="多次"):
        aggregate(duplicate)
    with pytest.raises(InputError, match="缺少列"):
        aggregate(pd.DataFrame({"project_id": [1], "score": [2]}))
    with pytest.raises(InputError, match="专家2"):
        aggregate(_long(np.ones((1, 5))), method="weighted", expert_weights={"专家1": 1})
    with pytest.raises(InputError, match="合成规则|method"):
        aggregate(_long(np.ones((1, 3))), method="mode")


def test_agreement_on_shrout_fleiss_data():
    """Per project, the indicators are the objects and the experts the raters: the Shrout & Fleiss
    (1979) table entered as one project reproduces ICC(2,1) = .29 and ICC(2,4) = .62."""
    scores = pd.concat([_long(SHROUT_FLEISS, "P1"), _long(SHROUT_FLEISS[::-1], "P2")], ignore_index=True)
    result = agreement(scores, threshold=3.0)
    row = result.table.set_index("group").loc["P1"]
    assert round(row["icc_2_1"], 2) == 0.29 and round(row["icc_2_k"], 2) == 0.62
    assert row["kendall_w"] == pytest.approx(kendall_w(SHROUT_FLEISS.T).w)
    assert row["n_experts"] == 4 and row["n_objects"] == 6 and row["note"] == ""
    # judge 1 scores about 3.2 above the others' mean, judge 2 about 3.7 below
    experts = result.experts
    assert experts.loc["专家1", "mean_signed_deviation"] == pytest.approx(
        np.mean(SHROUT_FLEISS[:, 0] - SHROUT_FLEISS[:, 1:].mean(axis=1)))
    assert result.flagged == ["专家1", "专家2"]
    assert experts.loc["专家2", "direction"] == "偏低"
    by_indicator = agreement(scores, across="projects")
    assert len(by_indicator.table) == 6 and (by_indicator.table["n_objects"] == 2).all()
    assert "专家一致性" in result._repr_html_()


def test_agreement_undefined_groups_and_gaps():
    constant = _long(np.full((3, 3), 10.0), "满分项目")
    varied = _long(np.array([[8.0, 9.0, 7.0], [5.0, 6.0, 4.0], [9.0, 9.0, 8.0]]), "普通项目")
    result = agreement(pd.concat([constant, varied], ignore_index=True))
    table = result.table.set_index("group")
    assert np.isnan(table.loc["满分项目", "kendall_w"]) and "无定义" in table.loc["满分项目", "note"]
    assert np.isfinite(table.loc["普通项目", ["kendall_w", "icc_2_1", "icc_2_k"]].astype(float)).all()
    gap = pd.concat([constant, varied.drop(index=4)], ignore_index=True)
    gapped = agreement(gap).table.set_index("group")  # an incomplete group is reported, the others go on
    assert np.isnan(gapped.loc["普通项目", "kendall_w"]) and "不完整" in gapped.loc["普通项目", "note"]
    assert "无定义" in gapped.loc["满分项目", "note"]
    with pytest.raises(InputError, match="across"):
        agreement(varied, across="experts")
