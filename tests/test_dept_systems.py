"""The department-overall indicator systems (dept-overall.md §2.2, §8.3): each validated, each leaf with formula,
direction and rule; a formula whose left side names a data-sheet indicator is one perfeval computes; the §3 rules
as shipped score the note's worked examples."""
from __future__ import annotations

import numpy as np
import pytest

from perfeval.dept.formulas import FORMULAS, NAME_TO_KEY, normalise_name
from perfeval.rules import apply_rules
from perfeval.systems import load_system, validate_file
from perfeval.systems import systems_dir

DEPT_SYSTEMS = ["dept-overall", "dept-hunan", "dept-chongqing", "dept-hubei-20-80", "dept-jiangxi",
                "dept-sichuan-2017", "dept-mof-layout", "dept-two-wings"]


@pytest.mark.parametrize("system_id", DEPT_SYSTEMS)
def test_every_leaf_has_direction_and_rule_and_formula_rows_are_computable(system_id):
    assert validate_file(systems_dir() / f"{system_id}.yaml") == []
    system = load_system(system_id)
    assert system.kind == "dept" and system.total == 100
    leaves = system.leaves()
    assert leaves["direction"].notna().all() and leaves["rule_kind"].notna().all(), system_id
    if system_id != "dept-overall":  # the 2013 file is kept as it was, plus directions
        assert leaves["formula"].notna().all(), system_id
    for name, formula, direction in zip(leaves["name"], leaves["formula"], leaves["direction"]):
        key = NAME_TO_KEY.get(normalise_name([name]).iloc[0])
        if key is None:
            continue
        assert formula and NAME_TO_KEY.get(normalise_name([formula.split("=")[0]]).iloc[0]) == key, (system_id, name)
        assert direction == FORMULAS[key].direction, (system_id, name)


def _score(system_id, code, actual):
    row = load_system(system_id).to_frame().set_index("code").loc[code]
    a = np.atleast_1d(np.asarray(actual, dtype=float))
    n = len(a)
    return apply_rules(np.full(n, row["rule_kind"], dtype=object), np.full(n, row["points"]), np.full(n, np.nan), a,
                       None, params=[row["rule_params"]] * n).reference


def test_the_hunan_rules_score_the_worked_examples():
    assert _score("dept-hunan", "B101", [96.4, 93.0, 89.9]).tolist() == pytest.approx([6, 4, 2])  # 预算完成率
    assert _score("dept-hunan", "B102", [15.0, 10.0, 0.0, 31.0]).tolist() == pytest.approx([1, 2, 3, 0])  # 预算调整率
    assert _score("dept-hunan", "A202", [8.0]).tolist() == pytest.approx([0.0 + 3 - 3])  # 3 − 0.8 × 8 → 0
    # 结转结余: none (−100 % change) 3; not above last year 2; more 0
    assert _score("dept-hunan", "B104", [-100.0, -20.0, 0.0, 5.0]).tolist() == pytest.approx([3, 2, 2, 0])
    assert _score("dept-hunan", "B202", [0, 2, 9]).tolist() == [5, 3, 0]  # 资金使用合规性, per violation
