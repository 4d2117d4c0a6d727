"""The analytic hierarchy process (层次分析法): one judgement matrix, a hierarchy of them, a panel's.

``ahp(matrix)`` derives priority weights from a pairwise-comparison matrix on Saaty's 1–9 scale
with one of three estimators (domain.md §8.2):

* ``eigen`` (特征根法): the principal right eigenvector, normalised to sum 1; λmax its eigenvalue;
* ``geometric`` (方根法): w_i ∝ (Π_j a_ij)^(1/n);
* ``arithmetic`` (和积法): normalise every column to sum 1, then average the rows.

For the two approximations λmax = (1/n) Σ_i (A w)_i / w_i. CI = (λmax − n)/(n − 1), CR = CI/RI,
accepted when CR < 0.10; n ≤ 2 is always consistent with CR = 0. The random index RI comes from a
named table (``RI_TABLES``); every result records the table's name, source and values.

``ahp_hierarchy(tree)`` composes local weights down a tree of criteria (unbalanced trees are the
normal case) and reports the hierarchy's overall consistency ratio
CR = Σ_j a_j CI_j / Σ_j a_j RI_j over all judgement matrices j, a_j being the global weight of the
element the matrix elaborates (Saaty 1980, consistency of a hierarchy). ``group_ahp(matrices)``
aggregates a panel's matrices cell by cell with the weighted geometric mean, which keeps the
aggregate reciprocal, then runs ``ahp``.

Matrices may be DataFrames (labels taken from the index), nested lists or arrays, with numbers or
fraction strings such as "1/3". Bad input (not square, missing, non-positive, not reciprocal
within ``reciprocal_tol``) raises InputError naming the cell by its labels.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import compare
from .._matrix import as_weights, named_items
from ..errors import InputError
from .combine import WeightResult

# --------------------------------------------------------------------------------------------
# Random index tables
# --------------------------------------------------------------------------------------------

RI_TABLES: dict[str, dict] = {
    "saaty1980": {
        "label": "Saaty (1980)",
        "source": "Saaty, T. L. (1980). The Analytic Hierarchy Process. McGraw-Hill; as tabulated in "
                  "domain.md §8.2 [S43] (n = 1…15).",
        "values": {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45,
                   10: 1.49, 11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59},
    },
    "cn": {
        "label": "中国教材常用表 (CN textbook)",
        "source": "Table widely printed in Chinese textbooks, commonly attributed to a 1,000-sample "
                  "simulation by 龚木森 / 许树柏; attribution unverified (domain.md §8.2 [S43e]).",
        "values": {1: 0.0, 2: 0.0, 3: 0.52, 4: 0.89, 5: 1.12, 6: 1.26, 7: 1.36, 8: 1.41, 9: 1.46,
                   10: 1.49, 11: 1.52, 12: 1.54, 13: 1.56, 14: 1.58, 15: 1.59},
    },
    "saaty2005": {
        "label": "Saaty (2005)",
        "source": "Saaty, T. L. (2005). Theory and Applications of the Analytic Network Process. "
                  "Pittsburgh: RWS Publications, p. 31. Values as transcribed in the AHPy library "
                  "(PhilipGriffith/AHPy, random_index='saaty'); the book itself was not consulted.",
        "values": {1: 0.0, 2: 0.0, 3: 0.52, 4: 0.89, 5: 1.11, 6: 1.25, 7: 1.35, 8: 1.40, 9: 1.45,
                   10: 1.49, 11: 1.52, 12: 1.54, 13: 1.56, 14: 1.58, 15: 1.59},
    },
    "donegan_dodd": {
        "label": "Donegan & Dodd (1991)",
        "source": "Donegan, H. A. & Dodd, F. J. (1991). A note on Saaty's random indexes. "
                  "Mathematical and Computer Modelling 15(10), 135–137. Values as transcribed in the "
                  "AHPy library (PhilipGriffith/AHPy, random_index='dd'); the paper itself was not "
                  "consulted. Only the tabulated sizes are available (no interpolation).",
        "values": {1: 0.0, 2: 0.0, 3: 0.4914, 4: 0.8286, 5: 1.0591, 6: 1.1797, 7: 1.2519,
                   8: 1.3171, 9: 1.3733, 10: 1.4055, 11: 1.4213, 12: 1.4497, 13: 1.4643,
                   14: 1.4822, 15: 1.4969, 16: 1.5078, 17: 1.5153, 18: 1.5262, 19: 1.5313,
                   20: 1.5371, 25: 1.5619, 30: 1.5772, 40: 1.5976, 50: 1.6102, 60: 1.6178,
                   70: 1.6237, 80: 1.6277, 90: 1.6213, 100: 1.6339},
    },
    "tummala_ling": {
        "label": "Tummala & Ling (1998)",
        "source": "Tummala, V. M. R. & Ling, H. (1998). A note on the computation of the mean random "
                  "consistency index of the analytic hierarchy process (AHP). Theory and Decision "
                  "44, 221–230. NOT AVAILABLE: the table's values could not be verified from a "
                  "source, so none are shipped; pass ri={n: value, …} with the values from the paper.",
        "values": None,
    },
}

METHOD_ALIASES = {
    "eigen": "eigen", "eigenvector": "eigen", "特征根法": "eigen", "特征向量法": "eigen",
    "geometric": "geometric", "方根法": "geometric", "几何平均法": "geometric",
    "arithmetic": "arithmetic", "和积法": "arithmetic", "算术平均法": "arithmetic",
}
METHOD_LABELS = {
    "eigen": "特征根法 (principal eigenvector)",
    "geometric": "方根法 (row geometric mean)",
    "arithmetic": "和积法 (normalised columns, row average)",
}
SAATY_SCALE = np.array([1 / 9, 1 / 8, 1 / 7, 1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2,
                        1, 2, 3, 4, 5, 6, 7, 8, 9], dtype=float)


def _resolve_ri(ri) -> tuple[str, dict[int, float], str]:
    """(name, table, source) for a table name, a dict n → RI, or a single number."""
    if isinstance(ri, str):
        if ri not in RI_TABLES:
            raise InputError("未知的随机一致性指标表 (unknown RI table)",
                             expected=" / ".join(RI_TABLES), found=ri)
        entry = RI_TABLES[ri]
        if entry["values"] is None:
            raise InputError(f"RI 表 {ri} 的数值未能核实，未随包提供 (values not verified, not shipped)",
                             expected="ri={n: RI, …}（按原文填写）或其他表名", found=ri)
        return ri, dict(entry["values"]), entry["source"]
    if isinstance(ri, dict):
        try:
            table = {int(k): float(v) for k, v in ri.items()}
        except (TypeError, ValueError) as exc:
            raise InputError("自定义 RI 表须为 {阶数: RI} (custom RI table must map n to a number)",
                             found=ri) from exc
        table.setdefault(1, 0.0)
        table.setdefault(2, 0.0)
        return "custom", table, "用户提供 (user supplied)"
    if isinstance(ri, (int, float)) and not isinstance(ri, bool) and np.isfinite(ri) and ri >= 0:
        return "custom", {}, f"用户提供的单个 RI = {float(ri)} (user supplied)"
    raise InputError("ri 须为表名、{阶数: RI} 字典或一个非负数 (ri must be a table name, a dict or a number)",
                     found=ri)


def random_index(n: int, table="saaty1980") -> float:
    """RI for an n × n matrix from a named table (or a dict n → RI, or a number); n ≤ 2 → 0."""
    if isinstance(table, (int, float)) and not isinstance(table, bool):
        _resolve_ri(table)
        return 0.0 if n <= 2 else float(table)
    name, values, _ = _resolve_ri(table)
    if n <= 2:
        return 0.0
    if n not in values:
        raise InputError(f"RI 表 {name} 没有 n = {n} 的数值 (no RI for this size)",
                         expected="表中的阶数 " + ", ".join(str(k) for k in sorted(values)) +
                                  "；或传入 ri=数值", found=n)
    return float(values[n])


# --------------------------------------------------------------------------------------------
# Parsing and validation
# --------------------------------------------------------------------------------------------

_FRACTION = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*/\s*([0-9]*\.?[0-9]+)\s*$")


def _cell_value(text):
    """Float of one judgement (number, '3', '1/3', '1／3'); NaN when empty; None when unreadable."""
    if text is None:
        return np.nan
    if isinstance(text, (int, float, np.integer, np.floating)) and not isinstance(text, bool):
        return float(text)
    if isinstance(text, str):
        s = text.strip().replace("／", "/").replace("⁄", "/").replace("∕", "/")
        if s == "" or s.lower() in ("nan", "none", "-", "—"):
            return np.nan
        match = _FRACTION.match(s)
        if match:
            den = float(match.group(2))
            return float(match.group(1)) / den if den != 0 else None
        try:
            return float(s)
        except ValueError:
            return None
    return None


def _where(labels, i, j, value=None) -> str:
    text = f"行 {labels[i]!r}，列 {labels[j]!r}"
    return text if value is None else f"{text}：{value!r}"


@dataclass(frozen=True)
class PairwiseMatrix:
    """A validated judgement matrix: float values, the cells as written, and the labels."""

    values: pd.DataFrame
    as_written: pd.DataFrame
    filled_from_upper: bool = False


def parse_pairwise(matrix, labels=None, name: str = "判断矩阵", reciprocal_tol: float = 0.05,
                   from_upper: bool = False) -> PairwiseMatrix:
    """Validate a pairwise-comparison matrix and return its float values and cells as written.

    Checks: square; every cell readable (numbers or fractions such as "1/3"); no missing cell
    (with ``from_upper=True`` missing lower-triangle cells are filled with 1/a_ji); positive;
    diagonal 1; reciprocal, |a_ij·a_ji − 1| ≤ ``reciprocal_tol``. Errors name the cell.
    """
    if isinstance(matrix, PairwiseMatrix):
        return matrix
    if isinstance(matrix, pd.DataFrame):
        frame = matrix.copy()
        if labels is None and frame.shape[0] == frame.shape[1]:
            if isinstance(frame.index, pd.RangeIndex) and not isinstance(frame.columns, pd.RangeIndex):
                frame.index = frame.columns  # labels given on the header only
            elif set(frame.index) == set(frame.columns):
                frame = frame.loc[:, list(frame.index)]
            else:
                raise InputError(f"{name} 的行标签与列标签不一致 (row and column labels differ)",
                                 expected=", ".join(map(str, frame.index)),
                                 found=", ".join(map(str, frame.columns)))
    else:
        arr = np.asarray(matrix, dtype=object)
        if arr.ndim == 0:
            arr = arr.reshape(1, 1)
        if arr.ndim != 2:
            raise InputError(f"{name} 须为二维方阵 (must be a square 2-D matrix)", found=f"{arr.ndim}-D")
        frame = pd.DataFrame(arr)
    rows, cols = frame.shape
    if rows != cols or rows == 0:
        hint = "；若第一列是指标名称，请先设为行索引 (set it as the index)" if cols == rows + 1 else ""
        raise InputError(f"{name} 须为方阵 (must be square){hint}", expected="n × n",
                         found=f"{rows} × {cols}")
    if labels is not None:
        labels = list(labels)
        if len(labels) != rows:
            raise InputError(f"{name} 的标签个数与阶数不符 (number of labels != matrix size)",
                             expected=rows, found=len(labels))
        frame.index = labels
        frame.columns = labels
    labels = list(frame.index)
    if len(set(labels)) != len(labels):
        raise InputError(f"{name} 的标签有重复 (duplicate labels)", found=labels)

    cells = frame.to_numpy(dtype=object)
    # one small matrix (n ≤ ~15): reading each judgement text is not a per-data-row loop
    parsed = np.frompyfunc(_cell_value, 1, 1)(cells)
    unreadable = np.frompyfunc(lambda v: v is None, 1, 1)(parsed).astype(bool)
    if unreadable.any():
        i, j = np.argwhere(unreadable)[0]
        raise InputError(f"{name} 有无法识别的判断值 (unreadable judgement)",
                         expected="正数或分数，如 3、0.5、1/3", found=_where(labels, i, j, cells[i, j]))
    a = parsed.astype(float)
    n = rows
    fill = np.zeros((n, n), dtype=bool)
    if from_upper:
        fill = np.tril(np.ones((n, n), dtype=bool), k=-1) & np.isnan(a) & ~np.isnan(a.T)
        a = np.where(fill, 1.0 / np.where(fill, a.T, 1.0), a)
        diag_missing = np.isnan(np.diag(a))
        a[np.diag_indices(n)] = np.where(diag_missing, 1.0, np.diag(a))
        fill[np.diag_indices(n)] = diag_missing
    missing = np.isnan(a)
    if missing.any():
        i, j = np.argwhere(missing)[0]
        hint = "；若只填了上三角，可用 from_upper=True" if i > j else ""
        raise InputError(f"{name} 缺少判断值 (missing judgement){hint}",
                         expected="每个单元格都有正数判断值", found=_where(labels, i, j, cells[i, j]))
    if not np.isfinite(a).all():
        i, j = np.argwhere(~np.isfinite(a))[0]
        raise InputError(f"{name} 有无穷大的判断值 (infinite judgement)", found=_where(labels, i, j, cells[i, j]))
    if (a <= 0).any():
        i, j = np.argwhere(a <= 0)[0]
        raise InputError(f"{name} 的判断值须为正数 (judgements must be positive)",
                         expected="> 0", found=_where(labels, i, j, cells[i, j]))
    diag_bad = np.abs(np.diag(a) - 1.0) > reciprocal_tol
    if diag_bad.any():
        i = int(np.argmax(diag_bad))
        raise InputError(f"{name} 的对角线须为 1 (diagonal must be 1)", expected=1,
                         found=_where(labels, i, i, cells[i, i]))
    product = a * a.T
    bad = np.triu(np.abs(product - 1.0) > reciprocal_tol, k=1)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise InputError(f"{name} 不满足互反性 a_ji = 1/a_ij (not reciprocal)",
                         expected=f"行 {labels[j]!r} 列 {labels[i]!r} ≈ 1/{a[i, j]:g} = {1 / a[i, j]:.4g}"
                                  f"（容差 {reciprocal_tol}）",
                         found=f"{_where(labels, i, j, cells[i, j])}；{_where(labels, j, i, cells[j, i])}")
    values = pd.DataFrame(a, index=labels, columns=labels)
    written = pd.DataFrame(cells, index=labels, columns=labels)
    if fill.any():
        written = written.mask(fill, values.map(_scale_text))
    return PairwiseMatrix(values=values, as_written=written, filled_from_upper=bool(fill.any()))


def _scale_text(value: float) -> str:
    """A judgement as people write it: 5, 1/3, or the number itself when off the 1–9 scale."""
    if value >= 1:
        return f"{value:g}" if abs(value - round(value)) > 1e-9 else str(int(round(value)))
    inverse = 1.0 / value
    if abs(inverse - round(inverse)) < 1e-9:
        return f"1/{int(round(inverse))}"
    return f"{value:.4g}"


# --------------------------------------------------------------------------------------------
# Priorities (batch-capable: arrays of shape (..., n, n))
# --------------------------------------------------------------------------------------------

def _priorities(a: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Weights (..., n) and λmax (...) of one or a stack of positive matrices."""
    n = a.shape[-1]
    if method == "eigen":
        vals, vecs = np.linalg.eig(a)
        k = np.argmax(vals.real, axis=-1)
        lam = np.take_along_axis(vals.real, k[..., None], axis=-1)[..., 0]
        vec = np.take_along_axis(vecs.real, k[..., None, None], axis=-1)[..., 0]
        vec = np.abs(vec)  # the Perron vector of a positive matrix has one sign
        w = vec / vec.sum(axis=-1, keepdims=True)
        return w, lam
    if method == "geometric":
        g = np.exp(np.log(a).mean(axis=-1))
        w = g / g.sum(axis=-1, keepdims=True)
    else:  # arithmetic
        w = (a / a.sum(axis=-2, keepdims=True)).mean(axis=-1)
    aw = (a @ w[..., None])[..., 0]
    lam = (aw / w).mean(axis=-1) if n > 1 else np.ones(a.shape[:-2])
    return w, lam


def _consistency(lam, n: int, ri_value: float):
    """CI and CR; n ≤ 2 is consistent by definition. λmax < n (rounding noise, or judgements
    such as 0.33 for 1/3 that are reciprocal only within the tolerance) gives CI = 0."""
    if n <= 2:
        return np.zeros_like(np.asarray(lam, dtype=float)), np.zeros_like(np.asarray(lam, dtype=float))
    ci = np.maximum((np.asarray(lam, dtype=float) - n) / (n - 1), 0.0)
    cr = ci / ri_value if ri_value > 0 else np.zeros_like(ci)
    return ci, cr


def _power_iterations(a: np.ndarray, max_iter: int = 100, tol: float = 1e-12) -> pd.DataFrame:
    """The power method w_{k+1} = A w_k / Σ A w_k from equal weights, for the audit trail."""
    n = a.shape[0]
    w = np.full(n, 1.0 / n)
    rows = [w]
    for _ in range(max_iter):  # iterations, not data rows
        nxt = a @ w
        nxt = nxt / nxt.sum()
        rows.append(nxt)
        if np.abs(nxt - w).max() < tol:
            break
        w = nxt
    frame = pd.DataFrame(rows)
    frame.index.name = "迭代次数"
    return frame


# --------------------------------------------------------------------------------------------
# Single matrix
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True, eq=False)
class AHPResult(WeightResult):
    """Weights and consistency of one judgement matrix; `suggest()` lists judgements to revisit."""

    lambda_max: float
    ci: float
    ri: float
    cr: float
    consistent: bool
    n: int
    matrix: pd.DataFrame
    as_written: pd.DataFrame
    threshold: float = 0.10

    def summary_lines(self) -> list[str]:
        verdict = "通过" if self.consistent else "未通过"
        return [f"方法 (method)：{self.conventions.get('method')}；RI 表：{self.conventions.get('ri_table')}",
                f"λmax = {self.lambda_max:.4f}，CI = {self.ci:.4f}，RI = {self.ri:.2f}，"
                f"CR = {self.cr:.4f}（{verdict}一致性检验，阈值 CR < {self.threshold:g}）"]

    def suggest(self, top: int = 5) -> pd.DataFrame:
        """The judgements that contribute most to inconsistency, each with a suggested 1–9 value.

        For every judgement a_ij above the diagonal the deviation ε_ij = a_ij · w_j / w_i is
        computed (1 for a perfectly consistent judgement); the table is sorted by |ln ε_ij|. The
        suggestion is the value on Saaty's scale (1/9 … 9) nearest, on a log scale, to the
        consistent ratio w_i / w_j; "修改后CR" is the CR after changing only that pair (a_ij and
        its reciprocal), with the same estimator and RI table.
        """
        n = self.n
        labels = list(self.matrix.index)
        if n < 2:
            return pd.DataFrame(columns=["行指标", "列指标", "原判断", "原判断值", "一致比值 w_i/w_j",
                                         "偏离 ε", "|ln ε|", "建议值", "建议值数值", "修改后CR"])
        a = self.matrix.to_numpy(dtype=float)
        w = self.weights.to_numpy(dtype=float)
        iu, ju = np.triu_indices(n, k=1)
        ratio = w[iu] / w[ju]
        eps = a[iu, ju] / ratio
        dev = np.abs(np.log(eps))
        nearest = SAATY_SCALE[np.argmin(np.abs(np.log(SAATY_SCALE)[None, :] - np.log(ratio)[:, None]),
                                        axis=1)]
        stack = np.broadcast_to(a, (iu.size, n, n)).copy()
        k = np.arange(iu.size)
        stack[k, iu, ju] = nearest
        stack[k, ju, iu] = 1.0 / nearest
        _, lam = _priorities(stack, self.conventions["method_key"])
        _, new_cr = _consistency(lam, n, self.ri)
        table = pd.DataFrame({
            "行指标": [labels[i] for i in iu], "列指标": [labels[j] for j in ju],
            "原判断": [self.as_written.iat[i, j] for i, j in zip(iu, ju)],
            "原判断值": a[iu, ju], "一致比值 w_i/w_j": ratio, "偏离 ε": eps, "|ln ε|": dev,
            "建议值": [_scale_text(v) for v in nearest], "建议值数值": nearest, "修改后CR": new_cr,
        })
        order = np.lexsort((np.arange(iu.size), -dev))
        return table.iloc[order[:top]].reset_index(drop=True)


def _method_key(method: str) -> str:
    if method not in METHOD_ALIASES:
        raise InputError("未知的权重计算方法 (unknown AHP method)",
                         expected="eigen（特征根法）/ geometric（方根法）/ arithmetic（和积法）", found=method)
    return METHOD_ALIASES[method]


def _ahp_from_pairwise(pm: PairwiseMatrix, method: str, ri, threshold: float,
                       reciprocal_tol: float, extra_conventions=None, extra_tables=None,
                       result_class=None, **extra_fields):
    key = _method_key(method)
    ri_name, _, ri_source = _resolve_ri(ri)
    a = pm.values.to_numpy(dtype=float)
    labels = list(pm.values.index)
    n = a.shape[0]
    ri_value = random_index(n, ri)
    w, lam = _priorities(a, key)
    lam = float(lam)
    ci, cr = (float(x) for x in _consistency(lam, n, ri_value))
    consistent = bool(compare.lt(cr, threshold))
    aw = a @ w
    tables = {"判断矩阵": pm.values.copy()}
    if key == "eigen":
        tables["特征向量迭代"] = _power_iterations(a).set_axis(labels, axis=1)
    elif key == "geometric":
        tables["行几何平均"] = pd.DataFrame({"指标": labels, "行乘积": np.prod(a, axis=1),
                                         "几何平均": np.exp(np.log(a).mean(axis=1)), "权重": w})
    else:
        tables["列和"] = pd.DataFrame({"指标": labels, "列和": a.sum(axis=0)})
        tables["列归一化矩阵"] = pd.DataFrame(a / a.sum(axis=0), index=labels, columns=labels)
    tables["一致性计算"] = pd.DataFrame({"指标": labels, "权重 w": w, "(Aw)_i": aw, "(Aw)_i / w_i": aw / w})
    _, ri_values, _ = _resolve_ri(ri)
    conventions = {
        "method": METHOD_LABELS[key], "method_key": key,
        "lambda_max_rule": ("最大特征值 (principal eigenvalue)" if key == "eigen"
                            else "λmax = (1/n) Σ (Aw)_i / w_i"),
        "ri_table": ri_name, "ri_source": ri_source,
        "ri_values": {k: v for k, v in sorted(ri_values.items())} or {"*": float(ri)},
        "threshold": threshold, "consistency_rule": f"CR < {threshold:g} 为通过；n ≤ 2 恒一致，CR = 0",
        "reciprocal_tol": reciprocal_tol, "filled_from_upper": pm.filled_from_upper,
        "notes": ["下三角按上三角的倒数补齐 (lower triangle filled with reciprocals)"]
                 if pm.filled_from_upper else [],
    }
    if n > 2 and lam < n - 1e-9:
        conventions["notes"].append(
            f"λmax = {lam:.4f} < n = {n}：判断矩阵仅在容差内互反（如以 0.33 代替 1/3），CI 记为 0 "
            f"(λmax below n because the matrix is reciprocal only within the tolerance; CI set to 0)")
    if extra_conventions:
        extra = dict(extra_conventions)
        conventions["notes"] = conventions["notes"] + list(extra.pop("notes", []))
        conventions.update(extra)
    if extra_tables:
        tables.update(extra_tables)
    cls = result_class or AHPResult
    return cls(weights=pd.Series(w, index=labels, name="权重"), lambda_max=lam, ci=ci, ri=ri_value,
               cr=cr, consistent=consistent, n=n, matrix=pm.values.copy(), as_written=pm.as_written,
               threshold=threshold, conventions=conventions, tables=tables, **extra_fields)


def ahp(matrix, method: str = "eigen", ri="saaty1980", labels=None, threshold: float = 0.10,
        reciprocal_tol: float = 0.05, from_upper: bool = False) -> AHPResult:
    """Priority weights and consistency of one pairwise-comparison matrix.

    ``method``: ``"eigen"`` (特征根法, default), ``"geometric"`` (方根法), ``"arithmetic"`` (和积法).
    ``ri``: a table name from ``RI_TABLES`` (default ``"saaty1980"``), a dict n → RI, or a number.
    ``labels`` names the criteria when the matrix has none. ``from_upper=True`` fills an empty
    lower triangle with reciprocals of the upper one.
    """
    pm = parse_pairwise(matrix, labels=labels, reciprocal_tol=reciprocal_tol, from_upper=from_upper)
    return _ahp_from_pairwise(pm, method, ri, threshold, reciprocal_tol)


# --------------------------------------------------------------------------------------------
# Group AHP
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True, eq=False)
class GroupAHPResult(AHPResult):
    """AHP on the panel's aggregated matrix; `.individual` holds each expert's own result."""

    individual: dict = field(default_factory=dict)
    expert_weights: pd.Series | None = None


def group_ahp(matrices, expert_weights=None, method: str = "eigen", ri="saaty1980",
              labels=None, threshold: float = 0.10, reciprocal_tol: float = 0.05,
              from_upper: bool = False) -> GroupAHPResult:
    """Aggregate several experts' judgement matrices by the weighted geometric mean, then ``ahp``.

    ``matrices`` is a list or a dict (expert → matrix) with the same criteria (the order of the
    first is used). ``expert_weights`` (None = equal) are normalised; the result says if they were.
    """
    names, items = named_items(matrices, "专家", "专家判断矩阵")
    if not items:
        raise InputError("没有专家判断矩阵 (no matrices given)")
    parsed = [parse_pairwise(m, labels=labels, name=f"{nm} 的判断矩阵", reciprocal_tol=reciprocal_tol,
                             from_upper=from_upper) for nm, m in zip(names, items)]
    order = list(parsed[0].values.index)
    stack = []
    for nm, pm in zip(names, parsed):
        if set(pm.values.index) != set(order) or len(pm.values.index) != len(order):
            raise InputError(f"{nm} 的判断矩阵指标与第一位专家不一致 (criteria differ between experts)",
                             expected=", ".join(map(str, order)),
                             found=", ".join(map(str, pm.values.index)))
        stack.append(pm.values.loc[order, order].to_numpy(dtype=float))
    stack = np.stack(stack)
    if isinstance(expert_weights, (dict, pd.Series)) and set(expert_weights.keys()) != set(names):
        raise InputError("专家权重的专家名称与判断矩阵不一致 (expert names differ)",
                         expected=", ".join(names), found=", ".join(map(str, expert_weights.keys())))
    ew = as_weights(expert_weights, names, name="专家权重")
    lam = ew.values.to_numpy(dtype=float)
    aggregated = np.exp(np.tensordot(lam, np.log(stack), axes=1))
    agg_frame = pd.DataFrame(aggregated, index=order, columns=order)
    agg_pm = PairwiseMatrix(values=agg_frame, as_written=agg_frame.map(lambda v: round(float(v), 4)))
    individual = {nm: _ahp_from_pairwise(PairwiseMatrix(values=pm.values.loc[order, order],
                                                        as_written=pm.as_written.loc[order, order]),
                                         method, ri, threshold, reciprocal_tol)
                  for nm, pm in zip(names, parsed)}
    experts = pd.DataFrame({"专家": names, "专家权重": lam,
                            "λmax": [r.lambda_max for r in individual.values()],
                            "CI": [r.ci for r in individual.values()],
                            "CR": [r.cr for r in individual.values()],
                            "一致性": [r.consistent for r in individual.values()]})
    notes = ["专家权重之和不为 1，已归一化 (expert weights rescaled)"] if ew.rescaled else []
    inconsistent = [nm for nm, r in individual.items() if not r.consistent]
    if inconsistent:
        notes.append("以下专家的判断矩阵未通过一致性检验：" + "、".join(inconsistent))
    result = _ahp_from_pairwise(
        agg_pm, method, ri, threshold, reciprocal_tol,
        extra_conventions={"aggregation": "加权几何平均 (weighted geometric mean of judgements, AIJ)",
                           "expert_weights": dict(zip(names, lam.tolist())),
                           "expert_weights_rescaled": ew.rescaled, "notes": notes},
        extra_tables={"专家一致性": experts}, result_class=GroupAHPResult,
        individual=individual, expert_weights=pd.Series(lam, index=names, name="专家权重"))
    return result
