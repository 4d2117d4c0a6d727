"""The codes of the target declaration review (绩效目标审核), their family, severity and Chinese text.

Kept apart from the self-evaluation review codes (:mod:`.codes`): a declaration has no scores and
no money spent, and its findings lead to a review grade (优/良/中/差), not to a withheld total.
Families follow what a reviewer checks (domain.md §4.2, issue 10): 完整性, 可衡量性, 相关性, 适当性,
目标值设定 (ambition) and 合理性 (plausibility). Severities: ``critical`` (严重: the declaration cannot
enter the budget), ``major`` (须修改: the unit revises and resubmits), ``minor`` (建议修改: settled
with the finance bureau). The grade rule and the consequences are in :mod:`.targets` (``TargetRules``).
"""
from __future__ import annotations

import pandas as pd

SEVERITIES = {"critical": "严重问题", "major": "须修改", "minor": "建议修改"}
SEVERITY_ORDER = {"critical": 0, "major": 1, "minor": 2}

TARGET_CODES = {  # code: (family, default severity, title, how to fix)
    "NO_INDICATORS": ("完整性", "critical", "没有绩效指标",
                      "按产出、效益、满意度三类设置绩效指标，逐项填写指标值和计量单位"),
    "NO_OUTPUT": ("完整性", "critical", "没有产出指标",
                  "补充反映项目直接产出的数量、质量、时效、成本指标"),
    "NO_GOAL": ("完整性", "major", "未填写年度总体目标",
                "用一两句话写明本年度要完成的主要任务和预期效果，并与绩效指标对应"),
    "NO_FUNDS": ("完整性", "major", "未填写年度资金总额",
                 "填写年度资金总额及其中财政拨款、其他资金，与预算申报数一致"),
    "FUNDS_NOT_POSITIVE": ("完整性", "major", "年度资金总额不是正数",
                           "核实年度资金总额：应为正数（元），与预算申报数一致"),
    "MISSING_CATEGORY": ("完整性", "major", "缺少必备的指标类别", ""),
    "INDICATOR_INCOMPLETE": ("完整性", "minor", "指标要素不全",
                             "每个定量指标写明运算符（≥、≤ 或 =）、指标值和计量单位，如“≥500人次”"),
    "VAGUE_OUTPUT": ("可衡量性", "major", "产出指标不可衡量",
                     "将定性表述改为可考核的数值，如数量写明“≥X个”，质量写明合格率，时效写明完成时间"),
    "LOW_MEASURABILITY": ("可衡量性", "major", "定量指标占比偏低",
                          "把“明显改善”“有效提升”等表述细化为有数值、有单位的定量指标"),
    "INPUT_AS_OUTPUT": ("相关性", "major", "把投入当作产出",
                        "资金、人员等投入不能作为绩效目标：删去该指标，改为项目实际提供的产品或服务的数量、质量"),
    "COST_VS_BUDGET": ("适当性", "minor", "成本指标与申报预算不匹配",
                       "核实成本指标的口径和测算依据：按成本指标与数量指标测算的资金需求应与申报预算相符，"
                       "含其他资金的须说明"),
    "RATE_OVER_100": ("合理性", "major", "比率目标超过 100%",
                      "准确率、合格率、覆盖率、完成率等比率最高为 100%，按实际可达到的水平填写，如“≥98%”"),
    "BELOW_HISTORY": ("目标值设定", "minor", "目标值不高于上年实际完成值",
                      "参考上年实际完成值和本年资金规模重新测算，目标值不应低于已达到的水平"),
    "HISTORY_UNIT_MISMATCH": ("目标值设定", "minor", "单位与上年实际不同，无法比较",
                              "目标值与上年实际完成值用同一计量单位（如都用“人次”），以便判断目标是否高于已达到的水平"),
    "SATISFACTION_100": ("目标值设定", "minor", "满意度目标为 100%",
                         "满意度目标宜参照上年调查结果和同类项目设定（如 ≥90%），100% 难以实现也难以考核"),
    "SATISFACTION_RANGE": ("合理性", "minor", "满意度目标值不合理",
                           "满意度指标写明调查对象和百分比目标值，一般在 80% 至 100% 之间"),
}

# what is missing, in words, and how to fill it (MISSING_CATEGORY)
CATEGORY_LABELS = {"数量": "产出数量指标", "质量": "产出质量指标", "时效": "产出时效指标", "成本": "产出成本指标",
                   "效益": "效益指标", "满意度": "满意度指标"}
CATEGORY_FIXES = {
    "数量": "补充反映产出规模的数量指标，如“完成××≥X个（人次、公里）”",
    "质量": "补充质量指标，如“工程验收合格率 =100%”“服务达标率 ≥95%”",
    "时效": "补充时效指标，如“完成时间 2022年10月”或“资金发放及时率 =100%”",
    "成本": "补充成本指标，如单位成本、补助标准（“≤X元/平方米”“=X元/人”），并与预算测算一致",
    "效益": "补充经济、社会、生态或可持续影响方面的效益指标",
    "满意度": "补充服务对象满意度指标，写明调查对象和目标值（如“受益群众满意度 ≥90%”）",
}
FAMILIES = ("完整性", "可衡量性", "相关性", "适当性", "目标值设定", "合理性")
FINDING_COLUMNS = ["project_id", "code", "severity", "family", "level1", "level2", "indicator", "row", "message",
                   "fix", "expected", "found"]
FINDING_LABELS = {"project_id": "项目编码", "project_name": "项目名称", "severity": "问题性质", "family": "审核内容",
                  "level1": "一级指标", "level2": "二级指标", "indicator": "三级指标", "row": "行号", "title": "问题",
                  "message": "审核意见", "fix": "修改建议", "expected": "应为", "found": "实际"}


def empty_findings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in FINDING_COLUMNS})


__all__ = ["CATEGORY_FIXES", "CATEGORY_LABELS", "FAMILIES", "FINDING_COLUMNS", "FINDING_LABELS", "SEVERITIES",
           "SEVERITY_ORDER", "TARGET_CODES", "empty_findings"]
