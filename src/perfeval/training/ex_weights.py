"""Module 4 — 权重怎么来: AHP judgement matrices and their consistency, entropy and CRITIC weights,
and how weights move grades. Checkers call :mod:`perfeval.weights` and :mod:`perfeval.methods`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import methods, weights
from .registry import exercise

CRITERIA = ["决策", "过程", "产出", "效益"]
# a panel's matrix with one judgement typed the wrong way round (决策 : 效益 written 4 instead of 1/4)
GIVEN_MATRIX = [[1, "1/2", "1/3", 4],
                [2, 1, "1/2", "1/2"],
                [3, 2, 1, "1/2"],
                ["1/4", 2, 2, 1]]
BUILD_CRITERIA = ["产出", "效益", "满意度"]
BUILD_JUDGEMENTS = {("产出", "效益"): 3, ("产出", "满意度"): 5, ("效益", "满意度"): 2}
BUILD_TEXT = "产出比效益稍微重要（3）；产出比满意度明显重要（5）；效益比满意度介于同等与稍微重要之间（2）"


def _matrix(answer, n: int) -> np.ndarray:
    """The answer as an n×n matrix of numbers (fractions as text allowed), via the library's parser."""
    return weights.parse_pairwise(answer, labels=CRITERIA[:n] if n == 4 else BUILD_CRITERIA).values.to_numpy(dtype=float)


def _fix_solution(data=None):
    fixed = [list(r) for r in GIVEN_MATRIX]
    fixed[0][3], fixed[3][0] = "1/4", 4
    return fixed


@exercise("m4-ahp-fix", 4, "找出并改正不一致的判断",
          "专家组对决策、过程、产出、效益两两比较得到的判断矩阵（GIVEN_MATRIX）一致性比例 CR 超过 0.10。请只改一个判断"
          "（及其对称位置的倒数），使 CR < 0.10：答案写成改好的 4×4 矩阵（列表的列表，分数可写成 \"1/3\"）。",
          placeholder=[], solution=_fix_solution)
def _ahp_fix(answer, data):
    given = _matrix(GIVEN_MATRIX, 4)
    new = _matrix(answer, 4)
    result = weights.ahp(answer, labels=CRITERIA)
    changed = [(CRITERIA[i], CRITERIA[j]) for i in range(4) for j in range(i + 1, 4)
               if not np.isclose(given[i, j], new[i, j], rtol=1e-3)]
    right, wrong, hints = [], [], []
    if not changed:
        wrong.append("矩阵与原来一样，还没有改动任何判断。")
    elif len(changed) > 1:
        wrong.append(f"改动了 {len(changed)} 个判断（{'、'.join(a + '与' + b for a, b in changed)}）：练习要求只改一个。"
                     "专家的判断不能随意改，只改明显录错或前后矛盾的那一个。")
    else:
        right.append(f"只改了一个判断（{changed[0][0]}与{changed[0][1]}），其倒数位置也相应改了。")
    if result.consistent:
        right.append(f"改后 CR = {result.cr:.3f} < 0.10，通过一致性检验。")
    else:
        wrong.append(f"改后 CR = {result.cr:.3f}，仍不小于 0.10：判断之间仍有矛盾（如 A 比 B 重要、B 比 C 重要，却写 C 比 A 重要）。")
        hints.append("用 weights.ahp(矩阵, labels=CRITERIA).suggest() 看哪个判断与权重之比 w_i/w_j 偏离最大。")
    return right, wrong, hints


@exercise("m4-ahp-build", 4, "由专家的话写出判断矩阵",
          f"专家的判断：{BUILD_TEXT}。请按 1–9 标度写出产出、效益、满意度的 3×3 判断矩阵（列表的列表，分数可写成 \"1/3\"）。",
          placeholder=[], solution=[[1, 3, 5], ["1/3", 1, 2], ["1/5", "1/2", 1]])
def _ahp_build(answer, data):
    m = _matrix(answer, 3)
    right, wrong = [], []
    idx = {c: i for i, c in enumerate(BUILD_CRITERIA)}
    for (a, b), v in BUILD_JUDGEMENTS.items():
        i, j = idx[a], idx[b]
        if np.isclose(m[i, j], v, rtol=1e-3):
            right.append(f"{a}比{b}：第 {i + 1} 行第 {j + 1} 列写对了，对称位置是它的倒数。")
        elif np.isclose(m[i, j], 1 / v, rtol=1e-3):
            wrong.append(f"{a}比{b}：方向写反了。第 i 行第 j 列表示第 i 个指标比第 j 个指标重要的程度，"
                         "“A 比 B 重要”写在 A 行 B 列，数大于 1。")
        else:
            wrong.append(f"{a}比{b}：标度不对。1 同等重要，3 稍微重要，5 明显重要，7 强烈重要，9 极端重要，2、4、6、8 居中。")
    r = weights.ahp(answer, labels=BUILD_CRITERIA)
    hints = [f"这个矩阵的 CR = {r.cr:.3f}（{'通过' if r.consistent else '未通过'}一致性检验，界限 0.10）。"]
    return right, wrong, hints


# --- entropy and CRITIC ------------------------------------------------------------------------
DECISION = pd.DataFrame({"完成率": [0.98, 0.97, 0.99, 0.96, 0.98],
                         "满意度": [0.95, 0.70, 0.88, 0.60, 0.92],
                         "单位成本": [210, 230, 200, 250, 220]},
                        index=["项目甲", "项目乙", "项目丙", "项目丁", "项目戊"])
TYPES = ["max", "max", "min"]


def _objective_solution(data=None):
    e = weights.entropy(DECISION, types=TYPES).weights
    c = weights.critic(DECISION, types=TYPES).weights
    return {"熵权法": str(e.idxmax()), "CRITIC": str(c.idxmax())}


@exercise("m4-objective", 4, "熵权法和 CRITIC 把最大权重给谁",
          "五个项目三个指标（DECISION；单位成本越低越好）。先不计算，判断熵权法和 CRITIC 各把最大的权重给哪个指标，"
          "再用 weights.entropy / weights.critic 验证：答案写成 {\"熵权法\": 指标, \"CRITIC\": 指标}。",
          placeholder={"熵权法": "", "CRITIC": ""}, solution=_objective_solution)
def _objective(answer, data):
    truth = _objective_solution()
    why = {"熵权法": "熵权法看各指标在项目之间的分布：标准化（最小-最大，每列拉到 0–1）后分布越不均匀（信息熵越小），"
                  "权重越大；注意标准化之后，原始数值差距小的列也会被拉开",
           "CRITIC": "CRITIC 看对比强度（标准化后的标准差）乘以冲突性（与其他指标的相关越弱越大）"}
    right, wrong = [], []
    for method, name in truth.items():
        given = str((answer or {}).get(method, "")).strip() if isinstance(answer, dict) else ""
        if not given:
            wrong.append(f"还没有写{method}的答案。")
        elif given not in DECISION.columns:
            wrong.append(f"{method}：“{given}”不是指标名称（{'、'.join(DECISION.columns)}）。")
        elif given == name:
            right.append(f"{method}：{given}。{why[method]}。")
        else:
            wrong.append(f"{method}：不是“{given}”。{why[method]}；比较三列数在五个项目之间拉开的程度。")
    return right, wrong, []


# --- robustness of grades to weights -------------------------------------------------------------
RATES = pd.DataFrame({"产出": [0.98, 0.95, 0.82, 0.90], "效益": [0.97, 0.80, 0.85, 0.95],
                      "满意度": [0.96, 0.93, 0.90, 0.80], "预算执行": [1.00, 0.96, 0.75, 0.92]},
                     index=["项目甲", "项目乙", "项目丙", "项目丁"])
POINTS = [50, 30, 10, 10]


def sensitivity():
    """The robustness run of the exercise (10 000 draws around 50/30/10/10, seed 0)."""
    return methods.sensitivity(RATES, POINTS, n_draws=10_000, seed=0)


@exercise("m4-robust", 4, "权重一变，谁的等级最不稳",
          "四个项目的一级指标得分率（RATES），权重 50/30/10/10。权重在专家意见附近变动时，哪个项目的等级最容易改变？"
          "先看总分离 90、80 分线有多近，再用 methods.sensitivity 验证：答案写项目名称。",
          placeholder="", solution=lambda data: str(sensitivity().p_grade_change.idxmax()))
def _robust(answer, data):
    s = sensitivity()
    p, base = s.p_grade_change, s.base_total
    given = str(answer).strip()
    if given not in p.index:
        return [], [f"“{given}”不是项目名称（{'、'.join(p.index)}）。"], []
    line = f"{given}的总分 {base[given]:.2f}，等级改变的概率 {p[given]:.1%}"
    if given == p.idxmax():
        return [f"{line}，是四个项目中最高的：总分离等级分界线最近，权重稍一变动就跨线。"], [], []
    return [], [f"{line}，不是最高的。等级会不会变，取决于总分离最近的分界线（90、80、60 分）有多远，以及它在各指标上"
                "得分率的差异（差异越大，权重变动对总分的影响越大）。"], []
