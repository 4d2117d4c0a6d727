"""The closed vocabularies of an indicator system: kinds, sectors and weightings (header), directions (nodes)."""

KINDS = {
    "self": "单位自评 (self-evaluation)",
    "project": "部门/财政评价 (project evaluation)",
    "dept": "部门整体支出评价 (department overall)",
    "exante": "事前绩效评估 (ex-ante assessment)",
    "target-review": "绩效目标审核 (target review)",
    "sector": "行业重点评价 (sector key evaluation)",
}
SECTORS = {
    "education": "教育", "water": "水利", "environment": "生态环境",
    "agriculture": "农业农村", "urban": "城市建设与管理",
}
WEIGHTINGS = {
    "points": "分值制：下级分值之和等于上级分值 (absolute points)",
    "relative": "权重制：同一上级下的权重之和为 1 (relative weights)",
}
DIRECTIONS = {
    "higher": "越高越好 (higher is better)", "lower": "越低越好 (lower is better)",
    "equal": "等于指标值为好 (on target)", "qualitative": "定性 (qualitative)",
}
