"""The Chinese meaning of every column the stage registry names, for the README that ``perfeval init`` writes.

The CSV files keep their machine headers (``project_id``, ``budget_full_year`` …: what the readers need); a
bureau reads here what each one holds. A test checks that every column of :data:`perfeval.city.registry.INPUTS`
has its meaning, so a new column cannot be left unexplained.
"""
from __future__ import annotations

from ..dept.basic import BASIC_FIELDS, DATE_FIELDS

COLUMN_MEANINGS = {
    # department-overall evaluation (units.csv, dept_basic.csv, dept_rows.csv): amounts in 元
    "unit_id": "预算单位编码", "unit_name": "预算单位名称", "department_id": "所属部门（一级预算单位）编码",
    "level": "单位级次：1 一级预算单位（部门本身），2 二级预算单位", "parent_id": "上级单位编码（一级单位空白）",
    "entity": "评价对象：project 项目、unit 单位、department 部门", "actual_value": "实际完成值（数值）",
    "measure": "计量口径", "rule": "评分规则", "coefficient": "得分系数", "standard": "评分标准（原文）",
    "project_id": "项目编码（与自评表的“项目编码”一致）",
    "project_name": "项目名称",
    "department": "主管部门（如 某某市教育局）",
    "unit": "实施单位",
    "sector": "行业/领域（如 教育、卫生健康；决定重点评价用哪套行业指标体系，空白则无法按行业汇总对比）",
    "key_evaluation": "是否开展财政重点评价：true 或 false",
    "budget_initial": "年初预算数（元）",
    "budget_full_year": "全年预算数（元，执行率的分母）",
    "spent": "全年执行数（元）",
    "recovered": "收回的资金（元）",
    "year": "年度（四位年份）",
    "department_code": "部门编码",
    "main_sector": "部门主要行业",
    "n_projects": "项目个数",
    "n_key": "重点评价项目个数",
    "level1": "一级指标",
    "level2": "二级指标",
    "level3": "三级指标",
    "points": "分值",
    "score": "得分",
    "target": "年度指标值（如 ≥95%）",
    "actual": "实际完成值",
    "reason": "偏差原因分析及改进措施",
    "counted": "是否计入总分：true 或 false（空白为计入）",
    "target_nature": "指标性质（正向、反向、定性……）",
    "target_value": "指标值（数值部分）",
    "target_unit": "度量单位",
    "source_file": "来源文件",
    "source_sheet": "来源工作表",
    "source_row": "来源行号",
    "money_unit": "表内金额单位（元、万元、亿元）",
    "exec_points": "预算执行率的分值",
    "published_rate": "表内填写的执行率",
    "published_exec_score": "表内填写的执行率得分",
    "published_total": "表内填写的总分",
    "published_grade": "表内填写的评价等级",
    "seq": "序号",
    "op": "比较符号（=、≥、≤、>、<）",
    "value": "指标值（数值）",
    "kind": "类型（指标：quantitative 定量 / qualitative 定性；项目：新增 或 延续）",
    "month": "月份（1–12）",
    "amount": "金额（元）",
    "direct_funds": "是否直达资金：true 或 false",
    "budget": "预算数（元）",
    "completion": "完成比例（0–1，如 0.74）",
    "share": "序时进度累计比例（0–1）",
    "code": "指标编码（如 A101）",
    "rule_kind": "评分规则类型（如 checklist、rate、binary）",
    "scored_by": "评分方式：rule 按规则计算 / panel 专家评议",
    "system": "指标体系编号（见 perfeval systems list）",
    "rule_params": "评分规则参数（JSON）",
    "indicator": "指标编码",
    "expert": "专家（如 专家1）",
    "comment": "专家评议意见",
    "requested": "申请金额（元）",
    "fiscal": "其中：财政资金（元）",
    "other": "其中：其他资金（元）",
    "period": "实施期限",
    "background": "项目背景",
    "content": "主要内容",
    "goal": "绩效目标",
    "funding": "资金来源",
    "rating": "评级（优、良、中、差）",
    "dimension": "评估维度",
    "opinion": "专家意见",
    "item": "建议核减的事项",
    "cap": "资金控制数（元）",
    "note": "说明",
}
# the department data sheet's fields, with the labels of perfeval.dept.basic (amounts in 元)
_UNITS = {"staff_quota": "（人）", "staff_actual": "（人）", **{k: "" for k in DATE_FIELDS}}
COLUMN_MEANINGS.update({k: label + _UNITS.get(k, "（元）") for k, label in BASIC_FIELDS.items() if k not in COLUMN_MEANINGS})

__all__ = ["COLUMN_MEANINGS"]
