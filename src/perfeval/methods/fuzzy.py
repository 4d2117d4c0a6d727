"""Fuzzy comprehensive evaluation (模糊综合评价): B = A ∘ R, graded by maximum membership or B·C.

R is the membership matrix (factors × grades; r_ij = share of experts or respondents placing
factor i in grade j), A the factor weights. Four composition operators are offered
(domain.md §8.6): M(·,⊕) weighted average (default), M(∧,∨) main-factor decisive, M(·,∨) and
M(∧,⊕). Multi-level evaluation stacks the B vectors of the groups into the next level's R.
Helpers build R from expert votes or from continuous values with piecewise-linear memberships.
"""
from __future__ import annotations

from html import escape

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._matrix import MethodResult, as_matrix, as_weights
from ..errors import InputError, Location
from .topsis import weights_note

DEFAULT_GRADES = ("优", "良", "中", "差")

OPERATORS = {
    "M(.,+)": "M(·,⊕)：b_j = Σ_i a_i r_ij（加权平均型，利用全部信息）",
    "M(^,v)": "M(∧,∨)：b_j = max_i min(a_i, r_ij)（主因素决定型）",
    "M(.,v)": "M(·,∨)：b_j = max_i a_i r_ij（主因素突出型）",
    "M(^,+)": "M(∧,⊕)：b_j = min(1, Σ_i min(a_i, r_ij))",
}
_OPERATOR_ALIASES = {
    "M(.,+)": "M(.,+)", "M(·,⊕)": "M(.,+)", "M(*,+)": "M(.,+)", "weighted_average": "M(.,+)",
    "M(^,v)": "M(^,v)", "M(∧,∨)": "M(^,v)", "min_max": "M(^,v)",
    "M(.,v)": "M(.,v)", "M(·,∨)": "M(.,v)", "M(*,v)": "M(.,v)",
    "M(^,+)": "M(^,+)", "M(∧,⊕)": "M(^,+)",
}


@dataclass(frozen=True, kw_only=True)
class FuzzyResult(MethodResult):
    """B (隶属度 of the whole object to each grade), its normalisation, the grade and the score.

    `nodes` holds the result of every group of a multi-level evaluation by name (empty for a
    single-level evaluation).
    """

    B: pd.Series
    B_normalized: pd.Series
    grade: str
    grade_tied: bool
    score: float | None
    weights: pd.Series
    nodes: dict = field(default_factory=dict, repr=False)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"B": self.B, "B_normalized": self.B_normalized})

    def _repr_html_(self) -> str:
        table = self.to_frame().rename(columns={"B": "隶属度 B", "B_normalized": "归一化隶属度"}).T
        lines = [f"等级（最大隶属度）：{escape(str(self.grade))}" + ("（并列，取靠前等级）" if self.grade_tied else "")]
        if self.score is not None:
            lines.append(f"综合得分 B·C = {self.score:.2f}")
        return (f"<b>模糊综合评价</b>（{self.conventions['operator']}）"
                + table.to_html(float_format=lambda v: f"{v:.4f}") + "<p>" + "；".join(lines) + "</p>")


def _operator_key(operator: str) -> str:
    key = _OPERATOR_ALIASES.get(str(operator).replace(" ", ""))
    if key is None:
        raise InputError("未知的模糊合成算子 (unknown composition operator)",
                         expected=" / ".join(OPERATORS), found=operator)
    return key


def _compose(a: np.ndarray, r: np.ndarray, key: str) -> np.ndarray:
    if key == "M(.,+)":
        return a @ r
    if key == "M(^,v)":
        return np.minimum(a[:, None], r).max(axis=0)
    if key == "M(.,v)":
        return (a[:, None] * r).max(axis=0)
    return np.minimum(1.0, np.minimum(a[:, None], r).sum(axis=0))


def _resolve_grades(frame: pd.DataFrame, grades) -> list:
    n = frame.shape[1]
    if grades is None:
        if not isinstance(frame.columns, pd.RangeIndex):
            return list(frame.columns)
        if n == len(DEFAULT_GRADES):
            return list(DEFAULT_GRADES)
        raise InputError("隶属度矩阵的等级列未命名，且列数不是 4，请给出 grades (name the grades)",
                         expected="grades=(…)，与列数相同", found=f"{n} 列")
    grades = list(grades)
    if len(grades) != n:
        raise InputError("等级个数与隶属度矩阵列数不符 (grades length != number of columns)",
                         expected=n, found=len(grades))
    return grades


def _membership_frame(membership, grades) -> pd.DataFrame:
    frame = as_matrix(membership, name="隶属度矩阵 (membership matrix)")
    frame.columns = _resolve_grades(frame, grades)
    values = frame.to_numpy()
    outside = (values < 0) | (values > 1)
    if outside.any():
        i, j = np.argwhere(outside)[0]
        raise InputError("隶属度须在 [0, 1] 内 (membership must lie in [0, 1])",
                         where=Location(row=int(i) + 1, column=str(frame.columns[j])),
                         expected="0 ≤ r ≤ 1", found=f"因素 {frame.index[i]!r}：{values[i, j]}")
    return frame


def _score_vector(grade_scores, grades) -> np.ndarray | None:
    if grade_scores is None:
        return None
    if isinstance(grade_scores, dict):
        missing = [g for g in grades if g not in grade_scores]
        if missing:
            raise InputError("等级分值缺少某些等级 (grade scores missing for some grades)", found=missing)
        grade_scores = [grade_scores[g] for g in grades]
    scores = np.asarray(grade_scores, dtype=float).ravel()
    if scores.size != len(grades) or not np.isfinite(scores).all():
        raise InputError("等级分值须为与等级一一对应的数值 (one finite score per grade)",
                         expected=f"{len(grades)} 个数值", found=list(np.ravel(grade_scores)))
    return scores


def fuzzy_evaluate(membership, weights, operator: str = "M(.,+)", grade_scores=None,
                   grades=None) -> FuzzyResult:
    """One-level fuzzy comprehensive evaluation B = A ∘ R.

    `membership`: factors × grades matrix with values in [0, 1] (rows need not sum to 1 when they
    come from membership functions). `weights`: one weight per factor (rescaled to sum 1 and
    recorded if they do not). `grades`: None takes the frame's column labels, or ("优", "良", "中",
    "差") for an unlabelled 4-column matrix. `grade_scores` (e.g. (95, 85, 70, 50)) gives the score
    B_normalized · C. The grade is the maximum membership; a tie goes to the better (earlier) grade
    and `grade_tied` says so.
    """
    key = _operator_key(operator)
    frame = _membership_frame(membership, grades)
    grade_labels = list(frame.columns)
    weight_vector = as_weights(weights, frame.index, name="因素权重 (factor weights)")
    a = weight_vector.values.to_numpy()
    b = _compose(a, frame.to_numpy(), key)
    total = float(b.sum())
    if total <= 0:
        raise InputError("合成结果 B 全为 0，无法归一化与定级 (B is all zero)",
                         found="隶属度或权重全为 0 (all memberships or weights are 0)")
    b_normalized = b / total
    best = int(np.argmax(b))
    tied = bool((b >= b[best] - 1e-12).sum() > 1)
    scores = _score_vector(grade_scores, grade_labels)
    score = float(b_normalized @ scores) if scores is not None else None
    conventions = {
        "method": "模糊综合评价 (fuzzy comprehensive evaluation)",
        "operator": OPERATORS[key],
        "grades": grade_labels,
        "weights": weights_note(weight_vector),
        "grading": "最大隶属度原则；并列时取靠前（较优）等级 (maximum membership; ties go to the better grade)",
        "normalization": "B 除以其各分量之和 (B divided by its sum)",
        "score": ("综合得分 = 归一化 B · C，C = " + ", ".join(f"{g}:{s:g}" for g, s in zip(grade_labels, scores))
                  if scores is not None else "未给出等级分值 (no grade scores)"),
    }
    tables = {
        "membership": frame.copy(),
        "row_sums": pd.DataFrame({"row_sum": frame.sum(axis=1)}),
        "weights": pd.DataFrame({"weight": weight_vector.values}),
        "B": pd.DataFrame([b, b_normalized], index=["B", "B_normalized"], columns=grade_labels),
    }
    return FuzzyResult(B=pd.Series(b, index=grade_labels, name="B"),
                       B_normalized=pd.Series(b_normalized, index=grade_labels, name="B_normalized"),
                       grade=grade_labels[best], grade_tied=tied, score=score,
                       weights=weight_vector.values.rename("weight"),
                       conventions=conventions, tables=tables)


def fuzzy_evaluate_tree(tree: dict, operator: str = "M(.,+)", grade_scores=None, grades=None,
                        stack: str = "normalized") -> FuzzyResult:
    """Multi-level fuzzy evaluation from a tree of membership matrices.

    A node is {"name", "weights", "membership"} for a group of factors, or {"name", "weights",
    "children": [node, …]} for a higher level whose factors are its children (weights in the
    children's order, or a dict by child name). Each child's B is computed first and stacked as a
    row of the parent's R: `stack="normalized"` (default) stacks B normalised to sum 1, "raw"
    stacks B as composed (identical for M(·,⊕) with rows summing to 1). Returns the root's result;
    `.nodes[name]` has every node's result.
    """
    if stack not in ("normalized", "raw"):
        raise InputError("stack 须为 normalized 或 raw", found=stack)
    nodes: dict[str, FuzzyResult] = {}

    def evaluate(node: dict, path: str) -> FuzzyResult:
        if not isinstance(node, dict) or "name" not in node:
            raise InputError("树的节点须为含 name 的字典 (each node must be a dict with a name)",
                             where=Location(path=path), found=type(node).__name__)
        name = node["name"]
        here = f"{path}/{name}" if path else str(name)
        if "weights" not in node:
            raise InputError("节点缺少权重 (node has no weights)", where=Location(path=here))
        try:
            if "children" in node:
                children = [evaluate(child, here) for child in node["children"]]
                names = [str(child_node.get("name")) for child_node in node["children"]]
                if len(set(names)) != len(names):
                    raise InputError("同一节点下的子节点重名 (duplicate child names)", found=names)
                rows = [c.B_normalized if stack == "normalized" else c.B for c in children]
                membership = pd.DataFrame([r.to_numpy() for r in rows], index=names,
                                          columns=rows[0].index)
                result = fuzzy_evaluate(membership, node["weights"], operator, grade_scores, None)
            elif "membership" in node:
                result = fuzzy_evaluate(node["membership"], node["weights"], operator, grade_scores, grades)
            else:
                raise InputError("节点须有 membership 或 children (node needs membership or children)")
        except InputError as error:
            if error.where.path:
                raise
            raise InputError(error.reason, where=Location(path=here), expected=error.expected,
                             found=error.found) from error
        if name in nodes:
            raise InputError("节点名称重复 (duplicate node name)", where=Location(path=here), found=name)
        conventions = dict(result.conventions, stack=("下层 B 归一化后作为上层隶属度行 (child B normalised before stacking)"
                                                      if stack == "normalized" else "下层 B 原值作为上层隶属度行"))
        result = FuzzyResult(B=result.B, B_normalized=result.B_normalized, grade=result.grade,
                             grade_tied=result.grade_tied, score=result.score, weights=result.weights,
                             conventions=conventions, tables=result.tables)
        nodes[name] = result
        return result

    root = evaluate(tree, "")
    return FuzzyResult(B=root.B, B_normalized=root.B_normalized, grade=root.grade,
                       grade_tied=root.grade_tied, score=root.score, weights=root.weights,
                       conventions=root.conventions, tables=root.tables, nodes=nodes)


def membership_from_votes(votes, grades=None, factor: str = "factor", grade: str = "grade") -> pd.DataFrame:
    """Membership matrix from expert or respondent votes: r_ij = votes for grade j / votes on factor i.

    `votes` is either a counts table (factors × grades, non-negative numbers) or a long table with
    one row per vote and columns `factor` and `grade`. `grades` fixes the order (and catches
    unknown labels); None keeps the counts table's columns, or the default 优/良/中/差 for a long
    table. A factor with no votes raises InputError naming it.
    """
    if isinstance(votes, pd.DataFrame) and {factor, grade} <= set(votes.columns):
        labels = list(grades) if grades is not None else list(DEFAULT_GRADES)
        given = votes[grade].map(lambda g: str(g).strip())
        unknown = ~given.isin([str(g) for g in labels])
        if unknown.any():
            row = int(np.argmax(unknown.to_numpy()))
            raise InputError("投票中有未知等级 (unknown grade in votes)",
                             where=Location(row=row + 1, column=grade), expected=labels,
                             found=votes[grade].iloc[row])
        counts = pd.crosstab(votes[factor], given).reindex(columns=[str(g) for g in labels], fill_value=0)
        counts.columns = labels
        counts = counts.reindex(pd.unique(votes[factor]))
    else:
        counts = as_matrix(votes, name="票数表 (vote counts)", allow_negative=False)
        counts.columns = _resolve_grades(counts, grades)
    totals = counts.sum(axis=1)
    if (totals <= 0).any():
        raise InputError("某因素没有任何投票 (a factor has no votes)", found=totals[totals <= 0].index[0])
    return counts.div(totals, axis=0).astype(float)


def membership_from_values(values, centers, grades=None) -> pd.DataFrame:
    """Continuous values → membership rows by piecewise-linear interpolation between grade centres.

    `centers`: one representative value per grade in grade order (e.g. (95, 85, 70, 50) for
    优/良/中/差); they must be strictly monotone (decreasing when larger is better, increasing when
    smaller is better). A value at or beyond the best centre belongs fully to the best grade, at or
    beyond the worst centre fully to the worst; in between it is shared linearly by the two
    adjacent grades, so every row sums to 1 [domain.md §8.6, S47b].
    """
    centers = np.asarray(centers, dtype=float).ravel()
    labels = list(grades) if grades is not None else (list(DEFAULT_GRADES) if centers.size == 4 else None)
    if labels is None or len(labels) != centers.size:
        raise InputError("等级个数须与中心值个数相同 (one centre per grade)",
                         expected=centers.size, found=None if labels is None else len(labels))
    steps = np.diff(centers)
    if centers.size < 2 or not np.isfinite(centers).all() or not ((steps < 0).all() or (steps > 0).all()):
        raise InputError("等级中心值须严格单调 (centres must be strictly monotone)", found=centers.tolist())
    series = values if isinstance(values, pd.Series) else pd.Series(np.ravel(values))
    x = as_matrix(series.to_frame("value"), name="指标值 (values)").to_numpy().ravel()
    # Work on ascending centres; position k in ascending order ↔ grade index order[k].
    order = np.argsort(centers)
    ascending = centers[order]
    clipped = np.clip(x, ascending[0], ascending[-1])
    upper = np.clip(np.searchsorted(ascending, clipped, side="left"), 1, ascending.size - 1)
    lower = upper - 1
    share_upper = (clipped - ascending[lower]) / (ascending[upper] - ascending[lower])
    out = np.zeros((x.size, centers.size))
    rows = np.arange(x.size)
    out[rows, order[upper]] = share_upper
    out[rows, order[lower]] += 1.0 - share_upper
    return pd.DataFrame(out, index=series.index, columns=labels)
