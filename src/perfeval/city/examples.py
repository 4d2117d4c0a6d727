"""One example row for each csv template ``perfeval init`` writes (``templates/<path>``), by registry input key.

Every example is plainly an example — project ``示例-001`` (this year's projects) or ``示例-N01`` (a candidate for
next year) — and is to be deleted when the template is copied into place. A column not named here is blank in
the example. A test checks that every key and column named here is one of the registry's.
"""
from __future__ import annotations

P, N = "示例-001", "示例-N01"
EXAMPLES = {
    "projects": {"project_id": P, "project_name": "示例项目（示例行，请删除）", "department": "某某市某某局", "sector": "教育",
                 "key_evaluation": "false", "unit": "某某市某某中心", "budget_initial": "1000000",
                 "budget_full_year": "1000000", "spent": "950000"},
    "departments": {"department": "某某市某某局", "department_code": "101", "main_sector": "教育", "n_projects": "1",
                    "n_key": "0", "budget_initial": "1000000", "budget_full_year": "1000000", "spent": "950000",
                    "recovered": "0"},
    "targets": {"project_id": P, "level1": "产出指标", "level2": "数量指标", "level3": "培训人次", "target": "≥500人次",
                "seq": "1", "op": "≥", "value": "500", "unit": "人次", "kind": "quantitative"},
    "payments": {"project_id": P, "month": "3", "amount": "250000"},
    "direct_funds": {"project_id": P, "direct_funds": "false"},
    "history_payments": {"year": "2020", "project_id": P, "month": "3", "amount": "200000"},
    "history_budgets": {"year": "2020", "project_id": P, "budget": "900000"},
    "midyear": {"project_id": P, "month": "6", "completion": "0.5", "seq": "1", "level1": "产出指标",
                "level2": "数量指标", "level3": "培训人次", "target": "≥500人次"},
    "schedule": {"month": "6", "share": "0.5"},
    "key_indicators": {"project_id": P, "code": "A101", "level1": "决策", "level2": "项目立项", "level3": "立项依据充分性",
                       "points": "4", "rule_kind": "expert", "scored_by": "panel", "target": "", "actual": "",
                       "system": "sector-education"},
    "key_scores": {"project_id": P, "indicator": "A101", "expert": "专家1", "score": "3"},
    "key_comments": {"project_id": P, "indicator": "A101", "comment": "立项依据较充分，但未开展需求调查。"},
    "exante_candidates": {"project_id": N, "project_name": "示例新增项目", "department": "某某市某某局",
                          "unit": "某某市某某中心", "sector": "教育", "year": "2022", "kind": "新增", "requested": "2000000",
                          "fiscal": "2000000", "other": "0", "period": "2022年", "background": "（项目背景）",
                          "content": "（主要内容）", "goal": "（绩效目标）", "funding": "（资金来源）"},
    "exante_scores": {"project_id": N, "expert": "专家1", "indicator": "A101", "rating": "优"},
    "exante_opinions": {"project_id": N, "expert": "专家1", "dimension": "B", "opinion": "（专家意见）"},
    "exante_cuts": {"project_id": N, "item": "（建议核减的事项）", "amount": "100000", "reason": "（理由）"},
    "requests": {"project_id": P, "project_name": "示例项目", "kind": "延续", "requested": "1000000",
                 "department": "某某市某某局", "unit": "某某市某某中心", "sector": "教育"},
    "control": {"cap": "250000000", "year": "2022", "note": "（说明）"},
    "units": {"unit_id": "101", "unit_name": "某某市某某局（机关本级）", "department_id": "101", "level": "1",
              "parent_id": ""},
    "dept_basic": {"unit_id": "101", "year": "2021", "budget_initial": "12000000", "budget_full_year": "12500000",
                   "spent": "12100000", "budget_personnel": "8000000", "budget_public": "1500000",
                   "budget_project": "3000000", "staff_quota": "50", "staff_actual": "48"},
    "dept_rows": {"entity": "department", "unit_id": "101", "department_id": "101", "year": "2021", "level1": "产出",
                  "level2": "重点工作任务完成", "level3": "重点工作任务完成率", "target": "100%", "actual": "95%",
                  "points": "10", "score": "9.5"},
}

__all__ = ["EXAMPLES"]
