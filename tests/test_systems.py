"""Tests for perfeval.systems: shipped YAML systems, validation, inheritance, weights, packaging."""
from __future__ import annotations

import copy
import math
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from perfeval.errors import InputError, ValidationError
from perfeval.systems import (
    AUTO_INFERENCE, RULE_KINDS, IndicatorSystem, Rule, list_systems, load_system, systems_dir,
    validate_data, validate_file,
)
from perfeval.systems.yaml_reader import read_yaml

REPO = Path(__file__).resolve().parents[1]
SHIPPED = ["mof-2020-self", "mof-2020-project", "dept-overall", "exante", "target-review",
           "sector-education", "sector-water", "sector-environment", "sector-agriculture",
           "sector-urban", "dept-hunan", "dept-chongqing", "dept-hubei-20-80", "dept-jiangxi", "dept-sichuan-2017",
           "dept-mof-layout", "dept-two-wings"]
SECTORS = {"sector-education": "education", "sector-water": "water",
           "sector-environment": "environment", "sector-agriculture": "agriculture",
           "sector-urban": "urban"}


def level1(system: IndicatorSystem) -> dict[str, float]:
    return {n.name: n.points for n in system.nodes}


def write(tmp_path: Path, data: dict, name: str | None = None) -> Path:
    path = tmp_path / f"{name or data['id']}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- shipped systems
def test_every_shipped_system_is_listed_and_valid():
    listing = list_systems()
    assert sorted(listing["id"]) == sorted(SHIPPED)
    assert (listing["problems"] == 0).all()
    assert (listing["total"] == 100).all()
    for system_id in SHIPPED:
        assert validate_file(systems_dir() / f"{system_id}.yaml") == []
        system = load_system(system_id)
        assert system.id == system_id
        frame = system.to_frame()
        assert frame["code"].is_unique
        # every leaf says how it is scored; every rule kind is a known one
        leaves = system.leaves()
        assert leaves["rule_kind"].notna().all(), system_id
        assert set(leaves["rule_kind"]) <= set(RULE_KINDS)
        n_leaves = listing.set_index("id").loc[system_id, "n_leaves"]
        assert n_leaves == len(leaves)


def test_self_evaluation_system_is_10_50_30_10():
    """Level-1 points of the 单位自评 table: 预算执行率 10, 产出 50, 效益 30, 满意度 10.

    Source: 中江县水利局 2022 项目支出绩效自评表 notes (chacewang.com/newsdetail/news242266.html,
    domain.md [S3]); explainer fudaoke.com/exam/3256757.html ([S4]).
    """
    system = load_system("mof-2020-self")
    assert level1(system) == {"预算执行率": 10, "产出指标": 50, "效益指标": 30, "满意度指标": 10}
    assert system.kind == "self" and system.total == 100
    execution = system.find("A")
    assert execution.rule.kind == "execution"
    assert execution.rule.effective_params() == {"base": "full_year", "cap": True}
    output = system.find("B")
    assert [c.name for c in output.children] == ["数量指标", "质量指标", "时效指标", "成本指标"]
    assert all(c.open and c.points is None for c in output.children)
    benefit = system.find("C")
    assert [c.name for c in benefit.children] == [
        "经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"]
    frame = system.to_frame()
    # per-project points stay unset (NaN), not silently zero
    assert frame.set_index("code").loc["B1", "points"] != frame.set_index("code").loc["B1", "points"]


def test_project_framework_has_the_10号文_indicators():
    """L1–L3 names of the 财预〔2020〕10号 附件1 framework as listed in domain.md §1.1 [S10]."""
    system = load_system("mof-2020-project")
    assert list(level1(system)) == ["决策", "过程", "产出", "效益"]
    points = level1(system)
    assert sum(points.values()) == 100
    assert points["产出"] + points["效益"] >= 60
    names = set(system.to_frame()["name"])
    for expected in ["项目立项", "绩效目标", "资金投入", "资金管理", "组织实施", "产出数量", "产出质量",
                     "产出时效", "产出成本", "项目效益", "立项依据充分性", "立项程序规范性",
                     "绩效目标合理性", "绩效指标明确性", "预算编制科学性", "资金分配合理性",
                     "资金到位率", "预算执行率", "资金使用合规性", "管理制度健全性", "制度执行有效性",
                     "实际完成率", "质量达标率", "完成及时性", "成本节约率", "经济效益", "社会效益",
                     "生态效益", "可持续影响", "服务对象满意度"]:
        assert expected in names, expected
    leaves = system.leaves().set_index("name")
    assert leaves.loc["实际完成率", "formula"] == "实际完成率 = 实际产出数 / 计划产出数 × 100%"
    assert leaves.loc["预算执行率", "rule_kind"] == "step"
    assert leaves.loc["预算执行率", "rule_params"]["bands"][0] == [95, 1.0]   # [S14]
    assert leaves.loc["资金使用合规性", "rule_kind"] == "deduction"
    # evidence lists ([S11]) on every indicator that is not filled in per project
    fixed = leaves[~leaves["open"]]
    assert all(len(e) > 0 for e in fixed["evidence"])


def test_dept_overall_input_block_matches_the_published_framework():
    """投入 15 = 目标设定 5 (2 + 3) + 预算配置 10 (3 + 3 + 4); deductions −0.1 per point over 100%
    for 在职人员控制率 and −0.3 per point of growth for “三公经费”变动率.

    Sources: 部门整体支出绩效评价共性指标框架 (m.taodocs.com/p-534480183.html, domain.md [S16]);
    deduction rules (domain.md [S17]).
    """
    system = load_system("dept-overall")
    assert list(level1(system)) == ["投入", "过程", "产出", "效果"]
    assert system.find("A").points == 15
    assert [(c.name, c.points) for c in system.find("A1").children] == [
        ("绩效目标合理性", 2), ("绩效指标明确性", 3)]
    assert [(c.name, c.points) for c in system.find("A2").children] == [
        ("在职人员控制率", 3), ("“三公经费”变动率", 3), ("重点支出安排率", 4)]
    staff = system.find("A201").rule
    assert (staff.kind, staff.params["per_unit"], staff.params["limit"]) == ("deduction", 0.1, 100)
    three = system.find("A202").rule
    assert (three.kind, three.params["per_unit"], three.params["limit"]) == ("deduction", 0.3, 0)


def test_exante_has_five_dimensions_of_20_with_5_point_items():
    """Ex-ante sheet: 立项必要性 20 (2 × 10 = 4 × 5-point items rated 优/良/中/差), 投入经济性 20, …

    Source: 事前绩效评价的几种评价方案比较 (docx.baby/p/20791027535051.html, domain.md [S19]);
    dimension names from a municipal ex-ante rule (chacewang.com/newsdetail/news379739.html, [S20]).
    """
    system = load_system("exante")
    assert level1(system) == {"立项必要性": 20, "投入经济性": 20, "绩效目标合理性": 20,
                              "实施方案可行性": 20, "筹资合规性": 20}
    leaves = system.leaves()
    assert (leaves["points"] == 5).all() and len(leaves) == 20
    assert set(leaves["rule_kind"]) == {"expert"}
    assert leaves["rule_params"].iloc[0]["grades"] == {"优": 1.0, "良": 0.8, "中": 0.6, "差": 0.4}
    assert set(leaves["scored_by"]) == {"panel"}


def test_target_review_is_four_criteria_of_25():
    system = load_system("target-review")
    assert level1(system) == {"完整性": 25, "相关性": 25, "适当性": 25, "可行性": 25}
    assert all(len(n.children) >= 2 for n in system.nodes)


@pytest.mark.parametrize("system_id", list(SECTORS))
def test_sector_system_keeps_the_common_framework(system_id):
    base = load_system("mof-2020-project")
    system = load_system(system_id)
    assert (system.kind, system.sector, system.extends) == ("sector", SECTORS[system_id],
                                                            "mof-2020-project")
    assert [(n.code, n.name, n.points) for n in system.nodes] == [
        (n.code, n.name, n.points) for n in base.nodes]
    leaves = system.leaves()
    assert math.isclose(leaves["points"].sum(), 100.0, abs_tol=1e-9)
    # 决策 and 过程 are inherited unchanged
    assert system.find("A") == base.find("A") and system.find("B") == base.find("B")
    # something sector-specific was added under 产出 and 效益
    base_leaf_names = set(base.leaves()["name"])
    for top in ("C", "D"):
        names = {n.name for n, _, _ in system.find(top).walk() if n.is_leaf}
        assert names - base_leaf_names, top
    sector_leaves = leaves[leaves["level1"].isin(["产出", "效益"])
                           & ~leaves["name"].isin(base_leaf_names)]
    quantitative = sector_leaves[sector_leaves["rule_kind"].isin(["positive", "reverse"])]
    assert len(quantitative) >= 3
    assert quantitative["description"].str.contains("示例指标值").all()
    assert (sector_leaves["scored_by"] == "panel").any()


# ----------------------------------------------------------------------------- validation
def _broken_system() -> dict:
    return {
        "id": "broken", "kind": "project", "total": 100, "weighting": "points",
        "nodes": [
            {"code": "A", "name": "决策", "points": 20, "children": [
                {"code": "A1", "name": "立项", "points": 12},      # children sum 12 + 10 = 22 ≠ 20
                {"code": "A1", "name": "重复编码", "points": 10},  # duplicate code
            ]},
            {"code": "B", "name": "产出", "points": 50, "children": [
                {"code": "B1", "name": "数量", "points": 20, "rule": {
                    "kind": "step", "bands": [[80, 0.6], [90, 1.0]]}},            # not descending
                {"code": "B2", "name": "质量", "points": 10, "weight": 0.5},       # both given
                {"code": "B3", "points": 10, "rule": {"kind": "magic"}},          # no name, bad kind
                {"code": "B4", "name": "时效", "points": 10, "rule": {
                    "kind": "date", "late_share": 1.5}},                          # outside [0, 1]
            ]},
            {"code": "C", "name": "效益", "points": 5, "children": [
                {"code": "C1", "name": "要点", "points": 3, "rule": {
                    "kind": "checklist", "items": [{"name": "一", "points": 1},
                                                   {"name": "二", "points": 1}]}},  # 2 ≠ 3
                {"code": "C2", "name": "扣分", "points": 2, "rule": {
                    "kind": "deduction", "unit_size": "一个百分点"}},
                {"name": "无编码", "points": 0, "rule": {
                    "kind": "reverse", "variant": "cubic", "colour": "red"}},      # no code
                {"code": "C4", "name": "分档", "points": 0, "rule": {
                    "kind": "step", "bands": [[90, 1.2]], "on": 3}},               # share, type
                {"code": "C5", "name": "负分", "points": -1},                       # negative
            ]},
        ],
    }


EXPECTED_BROKEN = [
    ("title", "缺少体系名称"),
    ("nodes[0]", "下级分值之和 22 不等于本级分值 20"),
    ("nodes[0].children[1].code", "重复"),
    ("nodes[1].children[0].rule.bands", "阈值须从高到低排列"),
    ("nodes[1].children[0].rule.bands", "得分比例须随阈值降低而不增加"),
    ("nodes[1].children[1]", "不能同时给出 points 和 weight"),
    ("nodes[1].children[2].name", "缺少指标名称"),
    ("nodes[1].children[2].rule.kind", "未知的评分规则 'magic'"),
    ("nodes[1].children[3].rule.late_share", "不得大于 1"),
    ("nodes[2].children[0].rule.items", "检查项分值之和 2 不等于指标分值 3"),
    ("nodes[2].children[1].rule.per_unit", "缺少必填参数 per_unit"),
    ("nodes[2].children[1].rule.unit_size", "须为数值"),
    ("nodes[2].children[2].code", "缺少编码"),
    ("nodes[2].children[2].rule.variant", "须为 linear / ratio 之一"),
    ("nodes[2].children[2].rule.colour", "不接受参数 'colour'"),
    ("nodes[2].children[3].rule.bands[0]", "得分比例须在 0–1 之间"),
    ("nodes[2].children[3].rule.on", "须为 actual / rate 之一"),
    ("nodes[2].children[4].points", "不得为负"),
    ("total", "总分 100 不等于一级指标分值之和 75"),
]


def _has(problems: list[str], path: str, text: str) -> bool:
    return any(p.startswith(f"{path}: ") and text in p for p in problems)


def test_broken_yaml_reports_every_problem_at_once(tmp_path):
    path = write(tmp_path, _broken_system())
    with pytest.raises(ValidationError) as info:
        load_system(path)
    problems = info.value.problems
    missing = [(p, t) for p, t in EXPECTED_BROKEN if not _has(problems, p, t)]
    assert not missing, (missing, problems)
    assert len(problems) == len(EXPECTED_BROKEN)
    assert "校验未通过" in str(info.value) and f"共 {len(problems)} 处问题" in str(info.value)
    assert validate_file(path) == problems


def test_missing_id_and_wrong_header_fields_are_reported():
    problems = validate_data({"title": "x", "kind": "county", "version": 2020.1, "total": 0,
                              "weighting": "percent", "nodes": [], "colour": 1})
    for path, text in [("id", "缺少体系编号"), ("kind", "未知的体系类型"), ("version", "加引号"),
                       ("total", "总分须为正数"), ("weighting", "points（分值）或 relative"),
                       ("nodes", "缺少指标列表"), ("colour", "未知的字段")]:
        assert _has(problems, path, text), (path, problems)


def test_file_name_must_match_id(tmp_path):
    data = {"id": "one", "title": "t", "kind": "project", "total": 10,
            "nodes": [{"code": "A", "name": "a", "points": 10, "rule": "positive"}]}
    path = write(tmp_path, data, name="other")
    assert validate_file(path) == [
        "id: 体系编号 'one' 与文件名 'other.yaml' 不一致，应为 other (id must match the file name)"]
    assert validate_file(write(tmp_path, data)) == []


def test_yaml_syntax_error_has_line_and_column(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: bad\ntitle: t\nnodes:\n  - code: A\n    name: [unclosed\n", encoding="utf-8")
    problems = validate_file(path)
    assert len(problems) == 1 and "YAML 语法错误" in problems[0]
    assert problems[0].startswith("第 ") and "行第" in problems[0] and "列" in problems[0]
    with pytest.raises(ValidationError) as info:
        load_system(path)
    assert info.value.problems == problems


def test_duplicate_yaml_keys_and_yaml11_booleans(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text(
        "id: dup\ntitle: t\nkind: project\ntotal: 10\nnodes:\n"
        "  - code: A\n    name: a\n    points: 10\n    points: 5\n"
        "    rule: {kind: step, on: rate, bands: [[100, 1.0]]}\n", encoding="utf-8")
    problems = validate_file(path)
    assert problems == ["第 9 行第 5 列 (line 9, column 5): 重复的键 'points'，后一个会覆盖前一个 "
                        "(duplicate key)", "total: 总分 10 不等于一级指标分值之和 5 "
                        "(total must equal the sum of level-1 points)"]
    # yaml.safe_load turns the key `on` into True; validation still reads it as `on`
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert True in data["nodes"][0]["rule"]
    data["nodes"][0]["points"] = 10
    assert validate_data(data) == []


def test_unknown_base_system_is_reported(tmp_path):
    data = {"id": "child", "title": "t", "kind": "sector", "sector": "water", "extends": "nosuch",
            "nodes": [{"code": "C1", "name": "x", "points": 10}]}
    problems = validate_file(write(tmp_path, data))
    assert len(problems) == 1 and problems[0].startswith("extends: 未找到被继承的体系 'nosuch'")
    assert "mof-2020-project" in problems[0]   # lists what is available


def test_extends_replaces_and_adds_nodes(tmp_path):
    data = {"id": "my-water", "title": "自定义", "kind": "sector", "sector": "water",
            "extends": "mof-2020-project",
            "nodes": [
                {"code": "C101", "name": "实际完成率", "points": 6, "rule": "positive"},
                {"code": "C102", "parent": "C1", "name": "新建堤防长度", "points": 4,
                 "rule": {"kind": "positive"}},
            ]}
    system = load_system(write(tmp_path, data))
    assert [c.code for c in system.find("C1").children] == ["C101", "C102"]
    assert system.find("C101").points == 6 and system.find("C101").evidence == ()
    assert system.total == 100 and system.weighting == "points"
    assert math.isclose(system.leaves()["points"].sum(), 100)

    # an addition that breaks the parent's sum is reported on the merged tree, with the parent
    data["nodes"] = data["nodes"][1:]
    problems = validate_file(write(tmp_path, data))
    assert problems == [
        "merged:nodes[2].children[0]: 下级分值之和 14 不等于本级分值 10 (children's points sum "
        "to 14, expected 10)〔C1 产出数量〕"]

    # unknown parent, and a replacement that tries to move a node
    data["nodes"] = [{"code": "X1", "parent": "ZZ", "name": "x", "points": 1},
                     {"code": "C101", "parent": "D1", "name": "y", "points": 10}]
    problems = validate_file(write(tmp_path, data))
    assert _has(problems, "nodes[0].parent", "未找到上级节点 'ZZ'")
    assert _has(problems, "nodes[1].parent", "不能改到 D1 之下")


def test_extends_finds_base_next_to_the_file_and_detects_cycles(tmp_path):
    base = {"id": "base", "title": "基础", "kind": "project", "total": 10,
            "nodes": [{"code": "A", "name": "a", "points": 6, "rule": "positive"},
                      {"code": "B", "name": "b", "points": 4, "rule": "positive"}]}
    child = {"id": "child", "title": "子", "kind": "sector", "sector": "urban", "extends": "base",
             "nodes": [{"code": "B", "name": "b2", "points": 4, "children": [
                 {"code": "B1", "name": "b21", "points": 4, "rule": "expert"}]}]}
    write(tmp_path, base)
    system = load_system(write(tmp_path, child))
    assert system.find("B").name == "b2" and system.find("B1").rule.kind == "expert"
    assert system.total == 10

    cyc_a = {**base, "id": "cyc-a", "extends": "cyc-b"}
    cyc_b = {**base, "id": "cyc-b", "extends": "cyc-a"}
    write(tmp_path, cyc_b)
    problems = validate_file(write(tmp_path, cyc_a))
    assert any("循环继承" in p for p in problems), problems


# ----------------------------------------------------------------------------- relative weights
def test_relative_weights_resolve_to_absolute_points():
    """A level-1 indicator weighted 50 of 100 whose level-2 children are weighted 75 and 25 within
    it resolves to 37.5 and 12.5 points.

    Source: hktianyi/Meeting admin/src/main/webapp/WEB-INF/views/task/kpi/dtg.jsp (GitHub; the
    kpi sheets list 预算绩效 权重 50 with 预算管理 75 and 财务管理 25), domain.md §1.2 [S42].
    """
    data = {"id": "kpi", "title": "相对权重示例", "kind": "project", "total": 100,
            "weighting": "relative",
            "nodes": [
                {"code": "A", "name": "预算绩效", "weight": 0.5, "children": [
                    {"code": "A1", "name": "预算管理", "weight": 0.75, "rule": "positive"},
                    {"code": "A2", "name": "财务管理", "weight": 0.25, "rule": "positive"}]},
                {"code": "B", "name": "业务绩效", "weight": 0.5, "rule": "expert"}]}
    system = IndicatorSystem.from_dict(data)
    frame = system.to_frame().set_index("code")
    assert frame.loc["A", "points"] == 50
    assert frame.loc["A1", "points"] == 37.5 and frame.loc["A2", "points"] == 12.5
    assert frame.loc["A1", "weight"] == 0.75
    assert "37.5分" in system.render_tree() and "权重 0.75" in system.render_tree()

    broken = copy.deepcopy(data)
    broken["nodes"][0]["children"][1]["weight"] = 0.2
    broken["nodes"][0]["weight"] = 0.4
    assert validate_data(broken) == [
        "nodes[0]: 下级权重之和 0.95 不等于本级权重 1 (children's weight sum to 0.95, expected 1)"
        "〔A 预算绩效〕",
        "nodes: 一级指标权重之和 0.9 不等于 1 (level-1 weights must sum to 1)"]
    del broken["nodes"][1]["weight"]
    broken["nodes"][1]["points"] = 50
    assert _has(validate_data(broken), "nodes[1].points", "请用 weight 写相对权重")


def test_fractional_points_are_legal():
    data = {"id": "half", "title": "t", "kind": "project", "total": 25,
            "nodes": [{"code": "A", "name": "a", "points": 25, "children": [
                {"code": "A1", "name": "a1", "points": 12.5, "rule": "positive"},
                {"code": "A2", "name": "a2", "points": 12.5, "rule": "positive"}]}]}
    assert validate_data(data) == []


# ----------------------------------------------------------------------------- model and display
def test_to_frame_lists_nodes_in_tree_order_with_level_names():
    system = load_system("mof-2020-project")
    frame = system.to_frame()
    assert list(frame.columns[:10]) == ["code", "parent_code", "depth", "level1", "level2",
                                        "level3", "name", "points", "weight", "rule_kind"]
    for column in ("rule_params", "open", "is_leaf", "description", "standard", "formula"):
        assert column in frame.columns
    assert list(frame["code"][:5]) == ["A", "A1", "A101", "A102", "A2"]
    row = frame.set_index("code").loc["A1"]
    assert (row["parent_code"], row["depth"], row["level1"], row["level2"]) == ("A", 2, "决策", "项目立项")
    assert row["level3"] is None and not row["is_leaf"]
    leaf = frame.set_index("code").loc["A101"]
    assert (leaf["level1"], leaf["level2"], leaf["level3"]) == ("决策", "项目立项", "立项依据充分性")
    assert leaf["weight"] == pytest.approx(4 / 6)
    # every level-1 block's leaves add up to its points
    leaves = system.leaves()
    assert leaves.groupby("level1", sort=False)["points"].sum().to_dict() == {
        "决策": 15, "过程": 20, "产出": 35, "效益": 30}
    assert frame.set_index("code").loc["B102", "rule_params"] == {
        "bands": [[95, 1.0], [85, 0.8], [75, 0.6], [60, 0.4]], "on": "actual"}


def test_find_and_unknown_code():
    system = load_system("mof-2020-self")
    assert system.find("D1").name == "服务对象满意度指标"
    with pytest.raises(InputError) as info:
        system.find("Z9")
    assert "Z9" in str(info.value) and "D1" in str(info.value)


def test_render_tree_and_html_are_chinese():
    system = load_system("mof-2020-project")
    tree = system.render_tree()
    assert tree.splitlines()[0] == "项目支出绩效评价共性指标体系（部门评价/财政评价） [mof-2020-project] 版本 2020.1"
    assert "├── A 决策 · 15分" in tree
    assert "│   │   ├── A101 立项依据充分性 · 4分 · 要点计分（4 个要点）" in tree
    assert "B102 预算执行率 · 4分 · 分档计分（on=actual" in tree
    html = system._repr_html_()
    for label in ("编码", "一级指标", "三级指标", "分值", "评分规则", "评分标准", "分档计分"):
        assert label in html
    assert "<table" in html


def test_rule_objects_validate_and_fill_defaults():
    assert Rule("reverse").effective_params() == {"variant": "linear"}
    assert Rule("deduction", {"per_unit": 0.5}).effective_params() == {
        "per_unit": 0.5, "unit_size": 1.0, "direction": "over"}
    with pytest.raises(ValidationError) as info:
        Rule("deduction", {"per_unit": 0})
    assert "须大于 0" in info.value.problems[0]
    rule = Rule("step", {"bands": [[90, 1.0], [60, 0.5]]})
    with pytest.raises(TypeError):
        rule.params["on"] = "rate"   # immutable
    assert rule.params["bands"] == ((90, 1.0), (60, 0.5))
    node = load_system("mof-2020-project").find("B102")
    assert hash(node) == hash(load_system("mof-2020-project").find("B102"))


def test_rule_kinds_table_is_complete_and_documented():
    assert set(RULE_KINDS) == {"positive", "reverse", "equal", "qualitative", "binary", "step",
                               "deduction", "checklist", "execution", "date", "expert", "auto",
                               "step_reverse", "per_event", "linear_penalty", "share_met", "coefficient"}
    for kind, spec in RULE_KINDS.items():
        assert spec.kind == kind and spec.label and spec.description
        assert any("\u4e00" <= ch <= "\u9fff" for ch in spec.label + spec.description)
        assert spec.scored_by in ("rule", "panel", "inferred")
    assert set(AUTO_INFERENCE.values()) <= set(RULE_KINDS)
    readme = (REPO / "indicators" / "README.md").read_text(encoding="utf-8")
    for kind, spec in RULE_KINDS.items():
        assert f"`{kind}`" in readme, kind
        for param in spec.params:
            assert f"`{param}`" in readme, (kind, param)


# ----------------------------------------------------------------------------- locations, wheel
def test_systems_dir_is_the_checkout_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("PERFEVAL_INDICATORS", raising=False)
    assert systems_dir() == REPO / "indicators"
    monkeypatch.setenv("PERFEVAL_INDICATORS", str(tmp_path))
    assert systems_dir() == tmp_path
    assert list_systems().empty
    with pytest.raises(InputError):
        load_system("mof-2020-self")
    (tmp_path / "bad.yaml").write_text("id: bad\nkind: project\n", encoding="utf-8")
    listing = list_systems()
    assert list(listing["id"]) == ["bad"] and listing["problems"].iloc[0] == 3  # title, total, nodes


def test_wheel_contains_the_yaml_files(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(REPO)], check=True, capture_output=True,
                   timeout=300)
    wheels = list(tmp_path.glob("perfeval-*.whl"))
    assert len(wheels) == 1
    names = set(zipfile.ZipFile(wheels[0]).namelist())
    for system_id in SHIPPED:
        assert f"perfeval/indicators/{system_id}.yaml" in names
    assert "perfeval/systems/__init__.py" in names

    # installed from the wheel (no checkout around it), systems_dir() falls back to the package copy
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
                    "--target", str(target), str(wheels[0])], check=True, capture_output=True,
                   timeout=300)
    env = {k: v for k, v in os.environ.items() if k != "PERFEVAL_INDICATORS"}
    env["PYTHONPATH"] = str(target)
    script = ("from perfeval import systems; s = systems.load_system('sector-water'); "
              "print(systems.systems_dir()); print(len(systems.list_systems()), s.total)")
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                         text=True, cwd=tmp_path, env=env, timeout=120).stdout.splitlines()
    assert Path(out[0]) == target / "perfeval" / "indicators"
    assert out[1] == f"{len(SHIPPED)} 100.0"


# ----------------------------------------------------------------------------- properties
@st.composite
def points_trees(draw):
    """A random valid points tree (depth ≤ 3) and the YAML paths of its nodes."""
    amounts = st.one_of(st.integers(0, 30).map(float),
                        st.floats(0, 30, allow_nan=False, allow_infinity=False))

    def node(code: str, depth: int) -> dict:
        n_children = draw(st.integers(0, 3)) if depth < 3 else 0
        item = {"code": code, "name": f"指标{code}"}
        if n_children:
            item["children"] = [node(f"{code}{i}", depth + 1) for i in range(n_children)]
            item["points"] = math.fsum(c["points"] for c in item["children"])
        else:
            item["points"] = draw(amounts)
            item["rule"] = {"kind": draw(st.sampled_from(["positive", "reverse", "expert", "auto"]))}
        return item

    nodes = [node(chr(ord("A") + i), 1) for i in range(draw(st.integers(1, 4)))]
    total = math.fsum(n["points"] for n in nodes)
    assume(total > 0)
    return {"id": "random", "title": "随机体系", "kind": "project", "total": total,
            "weighting": "points", "nodes": nodes}


def _leaves_with_parent_path(nodes, path="nodes", parent_path="total"):
    for i, node in enumerate(nodes):
        here = f"{path}[{i}]"
        if node.get("children"):
            yield from _leaves_with_parent_path(node["children"], f"{here}.children", here)
        else:
            yield here, parent_path, node


@settings(max_examples=60, deadline=None)
@given(points_trees(), st.data())
def test_random_valid_tree_validates_and_a_perturbed_leaf_names_its_parent(data, draw):
    assert validate_data(data) == []
    system = IndicatorSystem.from_dict(data)
    assert math.isclose(system.leaves()["points"].sum(), data["total"], rel_tol=1e-12, abs_tol=1e-9)

    leaves = list(_leaves_with_parent_path(data["nodes"]))
    _, parent_path, leaf = draw.draw(st.sampled_from(leaves))
    leaf["points"] += draw.draw(st.floats(0.01, 10))
    problems = validate_data(data)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{parent_path}: ")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.floats(0.05, 1.0), min_size=1, max_size=4), min_size=1, max_size=4),
       st.sampled_from([100.0, 20.0, 1.0]))
def test_random_relative_tree_leaf_points_sum_to_total(raw, total):
    top = [sum(group) for group in raw]
    nodes = []
    for i, group in enumerate(raw):
        children = [{"code": f"N{i}{j}", "name": "子", "weight": w / sum(group), "rule": "positive"}
                    for j, w in enumerate(group)]
        nodes.append({"code": f"N{i}", "name": "父", "weight": top[i] / sum(top),
                      "children": children})
    data = {"id": "rel", "title": "t", "kind": "project", "total": total,
            "weighting": "relative", "nodes": nodes}
    assert validate_data(data) == []
    leaves = IndicatorSystem.from_dict(data).leaves()
    assert math.isclose(leaves["points"].sum(), total, rel_tol=1e-9)
    assert (leaves["points"] >= 0).all()


_KEYS = st.sampled_from(["id", "title", "kind", "total", "weighting", "extends", "nodes", "code",
                         "name", "points", "weight", "rule", "kind", "children", "bands", "items",
                         "on", "tiers", "grades", "open", "evidence", "parent"]) | st.text(max_size=3)
_JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 200) | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(_JUNK)
def test_validation_reports_instead_of_raising_on_arbitrary_data(value):
    problems = validate_data(value)
    assert isinstance(problems, list) and all(isinstance(p, str) for p in problems)


_PROJECT_RAW = read_yaml(REPO / "indicators" / "mof-2020-project.yaml")[0]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_corrupting_any_field_of_a_shipped_system_is_reported_not_raised(data):
    raw = copy.deepcopy(_PROJECT_RAW)
    nodes = []

    def collect(items):
        for node in items:
            nodes.append(node)
            collect(node.get("children") or [])

    collect(raw["nodes"])
    target = data.draw(st.sampled_from([raw] + nodes))
    key = data.draw(_KEYS)
    junk = data.draw(_JUNK)
    target[key] = junk
    problems = validate_data(raw)
    assert all(isinstance(p, str) for p in problems)
    if problems:
        with pytest.raises(ValidationError):
            IndicatorSystem.from_dict(raw)
    else:
        IndicatorSystem.from_dict(raw).to_frame()
