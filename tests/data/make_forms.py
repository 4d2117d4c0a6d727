"""Write the fictional self-evaluation form fixtures (项目支出绩效自评表) under tests/data/forms/.

Every layout and parsing hazard of /work/shared/real-tables.md is carried by at least one
fixture, and the review findings a reviewer must find are planted on purpose; README.md (also
written here) lists them with the budget amounts and published totals. All names are fictional
(示例市…). Seeded and byte-reproducible: run ``python tests/data/make_forms.py`` and the files
do not change.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import random
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
from perfeval.io._xlsx import save_workbook  # noqa: E402  (deterministic, atomic save)

SEED = 20210611
OUT = Path(__file__).resolve().parent / "forms"
STAMP = dt.datetime(2022, 3, 31)
THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(horizontal="center", vertical="center", wrap_text=True)
PCT0, PCT2, THOUSANDS, MONTH = "0%", "0.00%", "#,##0.00", 'yyyy"年"m"月"'
DASH = "—"

rng = random.Random(SEED)
DONE = ["已按计划完成。", "完成情况良好。", "达到预期。"]


def r(text: str) -> str:
    """A seeded choice among equivalent remarks, so texts vary the way real forms do."""
    return rng.choice(DONE) if text == "*" else text


# -- the sheet builder -----------------------------------------------------------------------
PLAIN = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
NOPOINTS = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "得分", "偏差原因分析及改进措施"]
SPLIT = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "实际完成值", "分值", "得分",
         "偏差原因分析及改进措施"]
COEF = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分系数", "得分", "偏差原因分析及改进措施"]
SELFSCORE = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "自评分", "偏差原因分析及改进措施"]
FIELDS = {"一级指标": "l1", "二级指标": "l2", "三级指标": "l3", "年度指标值": "target", "实际完成值": "actual",
          "分值": "points", "得分": "score", "偏差原因分析及改进措施": "reason", "指标性质": "nature",
          "指标值": "value", "度量单位": "unit", "得分系数": "coef", "自评分": "self_score"}


def put(ws, row, col, value, fmt=None):
    """Write a cell; (number, format) tuples and datetimes get a number format."""
    if isinstance(value, tuple):
        value, fmt = value
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # typed as text ("=0件"), not a formula
    if isinstance(value, dt.datetime) and fmt is None:
        fmt = MONTH
    if fmt:
        cell.number_format = fmt
    cell.alignment = WRAP
    cell.font = Font(name="宋体", size=10)
    return cell


def merge(ws, r0, c0, r1, c1):
    if (r0, c0) != (r1, c1):
        ws.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)


def runs(keys):
    """(first, last) index pairs of runs of equal consecutive keys."""
    out, start = [], 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            out.append((start, i - 1))
            start = i
    return out


def build_form(ws, spec: dict) -> None:
    layout = spec.get("layout", "plain")
    standard = {"plain": PLAIN, "split": SPLIT, "nopoints": NOPOINTS, "coef": COEF, "selfscore": SELFSCORE}[layout]
    fields = [FIELDS[h] for h in standard]
    heads = [spec.get("labels", {}).get(h, h) for h in standard]  # label variants as printed
    pm = 1 if spec.get("pm_column", True) else 0
    n = pm + len(heads)
    col = {f: pm + 1 + i for i, f in enumerate(fields)}
    row = 1
    put(ws, row, 1, spec.get("title", "项目支出绩效自评表")).font = Font(name="宋体", size=16, bold=True)
    merge(ws, row, 1, row, n)
    row += 1
    if spec.get("unit_note"):
        put(ws, row, 1, spec.get("year_text"))
        merge(ws, row, 1, row, n - 2)
        put(ws, row, n - 1, spec["unit_note"])
        merge(ws, row, n - 1, row, n)
    else:
        put(ws, row, 1, spec.get("year_text"))
        merge(ws, row, 1, row, n)
    row += 1
    half = n // 2
    put(ws, row, 1, "项目名称")
    merge(ws, row, 1, row, 2)
    put(ws, row, 3, spec["name"])
    merge(ws, row, 3, row, n)
    row += 1
    for (l1, v1), (l2, v2) in spec.get("header_pairs", [(("主管部门", spec["dept"]), ("实施单位", spec["unit"]))]):
        put(ws, row, 1, l1)
        merge(ws, row, 1, row, 2)
        put(ws, row, 3, v1)
        merge(ws, row, 3, row, half)
        put(ws, row, half + 1, l2)
        put(ws, row, half + 2, v2)
        merge(ws, row, half + 2, row, n)
        row += 1
    # money block: block title merged down, row labels, six value columns at the right
    money = spec["money"]
    first_value = n - 5
    put(ws, row, 1, spec.get("money_title", "项目资金（万元）"))
    merge(ws, row, 1, row + len(money), 1)
    merge(ws, row, 2, row, first_value - 1)
    for j, head in enumerate(spec.get("money_heads", ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率",
                                                       "得分"])):
        put(ws, row, first_value + j, head)
    for i, values in enumerate(money):
        rr = row + 1 + i
        put(ws, rr, 2, values[0])
        merge(ws, rr, 2, rr, first_value - 1)
        for j, v in enumerate(values[1:]):
            put(ws, rr, first_value + j, v)
    row += len(money) + 1
    # 年度总体目标
    mid = 1 + (n - 1 + 1) // 2
    if spec.get("goal_inline"):
        put(ws, row, 1, "年度总体目标")
        put(ws, row, 2, spec["goal_expected"])
        merge(ws, row, 2, row, n)
        row += 1
    else:
        put(ws, row, 1, "年度总体目标")
        merge(ws, row, 1, row + 1, 1)
        put(ws, row, 2, "预期目标")
        merge(ws, row, 2, row, mid)
        put(ws, row, mid + 1, "实际完成情况")
        merge(ws, row, mid + 1, row, n)
        put(ws, row + 1, 2, spec["goal_expected"])
        merge(ws, row + 1, 2, row + 1, mid)
        put(ws, row + 1, mid + 1, spec["goal_actual"])
        merge(ws, row + 1, mid + 1, row + 1, n)
        row += 2
    # indicator heading (one row, or two with 年度指标值 over 指标性质/指标值/度量单位)
    heading_row = row
    if spec.get("heading", True):
        if layout == "split":
            for f, h in zip(fields, heads):
                if f in ("nature", "value", "unit"):
                    put(ws, row + 1, col[f], h)
                else:
                    put(ws, row, col[f], h)
                    merge(ws, row, col[f], row + 1, col[f])
            put(ws, row, col["nature"], "年度指标值")
            merge(ws, row, col["nature"], row, col["unit"])
            row += 2
        else:
            for f, h in zip(fields, heads):
                put(ws, row, col[f], h)
            row += 1
        if pm:
            put(ws, heading_row, 1, "绩效指标")
    body = spec["rows"]
    body_start = row
    for i, item in enumerate(body):
        for f in fields:
            v = item.get(f)
            if v is not None and v != "":
                put(ws, body_start + i, col[f], r(v) if f == "reason" and isinstance(v, str) else v)
    last = body_start + len(body) - 1
    if pm and spec.get("heading", True):
        merge(ws, heading_row, 1, last, 1)
    for first, end in runs([b.get("l1") for b in body]):
        merge(ws, body_start + first, col["l1"], body_start + end, col["l1"])
    for first, end in runs([(b.get("l1"), b.get("l2")) for b in body]):
        merge(ws, body_start + first, col["l2"], body_start + end, col["l2"])
    # one score per 二级 group: rows marked merge_up share the 分值/得分 cells of the row above
    starts = [i for i, b in enumerate(body) if not b.get("merge_up")]
    for k, s in enumerate(starts):
        e = (starts[k + 1] - 1) if k + 1 < len(starts) else len(body) - 1
        if e > s:
            for f in ("points", "score"):
                if f in col:
                    merge(ws, body_start + s, col[f], body_start + e, col[f])
    row = last + 1
    footer = spec.get("footer", "mof")
    score_col = col["self_score" if layout == "selfscore" else "score"]
    if footer == "mof":
        label_end = (col["points"] if "points" in col else score_col) - 1
        put(ws, row, 1, "总分")
        merge(ws, row, 1, row, label_end)
        if "points" in col:
            put(ws, row, col["points"], spec.get("footer_points", 100))
        put(ws, row, score_col, spec["total"])
        merge(ws, row, score_col + 1, row, n) if score_col < n else None
        put(ws, row + 1, 1, spec.get("grade_label", "评价等级"))
        merge(ws, row + 1, 1, row + 1, label_end)
        put(ws, row + 1, label_end + 1, spec["grade"])
        merge(ws, row + 1, label_end + 1, row + 1, n)
        row += 2
    else:  # one row: 总分 | value | 等级 | value
        put(ws, row, 1, "总分")
        merge(ws, row, 1, row, 3)
        put(ws, row, 4, spec["total"])
        merge(ws, row, 4, row, 5)
        put(ws, row, 6, spec.get("grade_label", "评价等级"))
        merge(ws, row, 6, row, 7)
        put(ws, row, 8, spec["grade"])
        merge(ws, row, 8, row, n)
        row += 1
    for text in spec.get("footnotes", []):
        put(ws, row, 1, text).alignment = Alignment(horizontal="left", wrap_text=True)
        merge(ws, row, 1, row, n)
        row += 1
    for rr in range(3, last + 3):
        for cc in range(1, n + 1):
            ws.cell(row=rr, column=cc).border = BORDER
    widths = {"l3": 28, "reason": 30, "target": 14, "actual": 14}
    for f, c in col.items():
        ws.column_dimensions[get_column_letter(c)].width = widths.get(f, 12)
    ws.column_dimensions["A"].width = 14


def save(wb, name: str) -> None:
    path = OUT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(wb, path, STAMP)


def single(spec: dict, name: str, sheet: str) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    build_form(ws, spec)
    save(wb, name)


def row(l1, l2, l3, target, actual, points, score, reason="", **extra):
    return {"l1": l1, "l2": l2, "l3": l3, "target": target, "actual": actual, "points": points, "score": score,
            "reason": reason, **extra}


def money_rows(total, details, points=10, rate=None, score=None, blank=DASH):
    """年度资金总额 row plus detail rows; details are (label, initial, full, spent)."""
    out = [("年度资金总额", *total, points, rate, score)]
    out += [(label, *vals, blank, blank, blank) for label, *vals in details]
    return out


def half_up(x: float, dp: int = 2) -> float:
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-dp), rounding=ROUND_HALF_UP))


# -- the fixtures ----------------------------------------------------------------------------
O, E, S = "产出指标", "效益指标", "满意度指标"
SAT = "服务对象满意度指标"

MOF_CLEAN = dict(
    name="示例市城区道路养护项目", dept="示例市住房和城乡建设局", unit="示例市市政设施养护中心",
    year_text="（2021年度）",
    header_pairs=[(("主管部门", "示例市住房和城乡建设局"), ("实施单位", "示例市市政设施养护中心")),
                  (("项目负责人", "李某"), ("项目编码", "SL2021-001"))],
    money=money_rows((500, 520, 508.3), [("其中：当年财政拨款", 500, 500, 488.3), ("上年结转资金", 0, 20, 20),
                                          ("其他资金", 0, 0, 0)], 10, (0.9775, PCT2), 9.78),
    goal_expected="完成城区主次干道日常养护120公里，路面完好率保持在95%以上，群众出行满意度不低于90%。",
    goal_actual="完成城区主次干道日常养护126公里，路面完好率96.5%，群众出行满意度93%。",
    rows=[row(O, "数量指标", "道路养护里程", "≥120公里", "126公里", 10, 10, "*"),
          row(O, "数量指标", "井盖病害处置数量", "≥300个", "285个", 10, 9.5,
              "部分井盖病害涉及管线权属单位，需协调处置，已移交并跟踪。"),
          row(O, "质量指标", "养护工程验收合格率", (1, PCT0), (1, PCT0), 10, 10, "*"),
          row(O, "质量指标", "路面完好率", "≥95%", "96.5%", 5, 5, "*"),
          row(O, "时效指标", "病害处置及时率", "≥90%", "92%", 5, 5, "*"),
          row(O, "成本指标", "每公里养护成本", "≤4.3万元", "4.03万元", 10, 10, "*"),
          row(E, "社会效益指标", "道路通行状况", "明显改善", "明显改善", 10, 10, "*"),
          row(E, "社会效益指标", "交通事故中道路因素占比", "≤5%", "3.8%", 10, 10, "*"),
          row(E, "可持续影响指标", "道路设施使用寿命", "≥10年", "10年", 10, 10, "*"),
          row(S, SAT, "市民出行满意度", "≥90%", "93%", 10, 10, "*")],
    total=99.28, grade="优")

YUNNAN = dict(
    name="示例市困难学生资助项目", dept="示例市教育体育局", unit="示例市学生资助管理中心",
    year_text="（2022年度）", layout="split", pm_column=False,
    money=money_rows((80, 80, 80), [("其中：本年财政拨款", 80, 80, 80), ("上年结转资金", DASH, DASH, DASH),
                                      ("其他资金", DASH, DASH, DASH)], 10, "100%", 10),
    goal_expected="资助家庭经济困难学生不少于735人次，确保不因贫失学。",
    goal_actual="资助家庭经济困难学生742人次，无因贫失学学生。",
    rows=[dict(l1=O, l2="数量指标", l3="受资助学生人次", nature="≥", value=735, unit="人次", actual="742人次",
               points=15, score=15),
          dict(l1=O, l2="数量指标", l3="资助政策宣传覆盖学校数", nature="≧", value=36, unit="个", actual="≥36个",
               points=10, score=10),
          dict(l1=O, l2="质量指标", l3="资助对象识别准确率", nature="=", value=100, unit="%", actual="100%",
               points=10, score=10),
          dict(l1=O, l2="时效指标", l3="资助资金发放及时率", nature="≥", value=95, unit="百分比", actual="98%",
               points=10, score=10),
          dict(l1=O, l2="成本指标", l3="生均资助标准", nature="≤", value=1000, unit="元/人", actual="1000元/人",
               points=5, score=5),
          dict(l1=E, l2="社会效益指标", l3="因贫辍学学生人数", nature="=", value=0, unit="人", actual="0人",
               points=10, score=10),
          dict(l1=E, l2="社会效益指标", l3="家庭经济困难学生就学保障", nature="定性", value="有效保障", unit="",
               actual="有效保障", points=10, score=10),
          dict(l1=E, l2="可持续影响指标", l3="资助政策知晓率", nature="≥", value=90, unit="%(百分比)",
               actual="93%", points=10, score=10),
          dict(l1=S, l2=SAT, l3="受助学生及家长满意度", nature="≥", value=(0.9, PCT0), unit="%",
               actual=(0.95, PCT0), points=10, score=10)],
    total=100, grade="优")

PROVINCIAL = dict(
    name="示例县基层农技推广体系改革与建设补助项目", dept="示例县农业农村局", unit="示例县农业技术推广中心",
    year_text="（2021年度）", labels={"偏差原因分析及改进措施": "偏差原因"},
    money=money_rows((None, 200, 197.12), [("其中：本年财政拨款", None, 200, 197.12), ("上年结转资金", DASH, DASH, DASH),
                                             ("其他资金", DASH, DASH, DASH)], "20分*执行率", "98.57%", 19.71),
    goal_expected="培训基层农技人员600人次，建设农业科技示范基地5个，带动农户1000户。",
    goal_actual="培训基层农技人员612人次，建成示范基地5个，带动农户1080户。",
    rows=[row(O, "数量指标", "培训基层农技人员人次", "≥600人次", "612人次", 10, 10),
          row(O, "数量指标", "建设示范基地数量", "≥5个", "5个", 10, 10),
          row(O, "质量指标", "培训合格率", "≥95%", "97%", 10, 10),
          row(O, "时效指标", "示范基地建成时间", "2021年12月", "2021年12月", 10, 10),
          row(E, "经济效益指标", "示范基地亩均增收", "≥200元", "236元", 10, 10),
          row(E, "社会效益指标", "带动农户数", "≥1000户", "1080户", 10, 10),
          row(E, "可持续影响指标", "农技服务体系运行", "长期", "长期", 10, 10),
          row(E, "满意度指标", "服务对象满意度", "≥90%", "94%", 10, 10)],
    footer="oneline", grade_label="等级", total=99.71, grade="优秀")

YUAN = dict(
    name="示例县农村饮水安全巩固提升工程", dept="示例县水务局", unit="示例县农村供水管理站",
    year_text="（2021年度）", money_title="项目资金（元）", unit_note="单位：元", pm_column=False,
    money=money_rows(("1,200,000.00", "1,215,457.60", (1150000, THOUSANDS)),
                     [("其中：当年财政拨款", "1,000,000.00", "1,015,457.60", "950,000.00"),
                      ("上年结转资金", "200,000.00", "200,000.00", "200,000.00"), ("其他资金", DASH, DASH, DASH)],
                     10, (0.9461, PCT2), 9.46),
    goal_expected="新建集中供水工程4处，改造供水管网25公里，巩固提升12000人饮水安全。",
    goal_actual="建成集中供水工程2处，改造管网18公里，6000人饮水条件得到改善。",
    rows=[row(O, "数量指标", "新建集中供水工程", "≥4处", "2处", 15, 7.5, "2处工程因选址调整，延至次年实施。"),
          row(O, "数量指标", "改造供水管网长度", "≥25公里", "18公里", 15, 10.8, "管网改造受征地影响，部分路段未完工。"),
          row(O, "质量指标", "水质检测合格率", "≥95%", "90%", 10, 9.47, "部分水源地雨季浑浊度超标，已增设净化设备。"),
          row(O, "时效指标", "工程完工及时率", "100%", "75%", 10, 7.5, "受雨季影响工期延误。"),
          row(E, "社会效益指标", "受益人口", "≥12000人", "6000人", 15, 7.5, "2处工程未完工，对应人口未受益。"),
          row(E, "可持续影响指标", "工程设计使用年限", "≥20年", "20年", 15, 15, "*"),
          row(S, SAT, "受益群众满意度", "≥90%", "85%", 10, 9.44, "部分村组供水时段不稳定。")],
    total=76.67, grade="合格")

ZERO_TOTAL = dict(
    name="示例市社区养老服务补助项目", dept="示例市民政局", unit="示例市养老服务指导中心",
    year_text="（2021年度）", pm_column=False, goal_inline=True,
    money=money_rows((0, 0, 0), [("其中：当年财政拨款", 300, 300, 285), ("上年结转资金", 0, 0, 0),
                                   ("其他资金", 0, 0, 0)], 10, 95, 9.5),
    goal_expected="为辖区60个社区养老服务站点提供运营补助，服务老年人不少于1.2万人次。",
    rows=[row(O, "数量指标", "补助社区养老服务站点", "≥60个", "60个", 20, 20),
          row(O, "质量指标", "站点运营达标率", "≥90%", "95%", 15, 15),
          row(O, "时效指标", "补助资金拨付及时率", "100%", "100%", 15, 15),
          row(E, "社会效益指标", "服务老年人人次", "≥1.2万人次", "1.3万人次", 15, 15),
          row(E, "可持续影响指标", "站点持续运营率", "≥95%", "98%", 15, 15),
          row(S, SAT, "服务老人满意度", "≥90%", "96%", 10, 10)],
    total=99.5, grade="优")

GREENING = dict(
    name="示例市城区绿化提升项目", dept="示例市城市管理局", unit="示例市园林绿化服务中心",
    year_text="（2021年度）",
    money=money_rows((260, 260, 254.8), [("其中：当年财政拨款", 260, 260, 254.8), ("上年结转资金", DASH, DASH, DASH),
                                           ("其他资金", DASH, DASH, DASH)], 10, (0.98, PCT0), 9.8),
    goal_expected="新增城区绿地5万平方米，补植行道树800株，绿化覆盖率达到40%。",
    goal_actual="新增绿地5.2万平方米，补植行道树820株，绿化覆盖率41%。",
    rows=[row(O, "数量指标", "新增绿地面积", "≥5万平方米", "5.2万平方米", 20, 20),
          row(O, "数量指标", "补植行道树", "≥800株", "820株", None, None, merge_up=True),
          row(O, "质量指标", "苗木成活率", "≥90%", "93%", 15, 15),
          row(O, "质量指标", "绿化工程验收合格率", "100%", "100%", None, None, merge_up=True),
          row(O, "时效指标", "绿化工程完工时间", dt.datetime(2021, 11, 30), dt.datetime(2021, 10, 25), 15, 15),
          row(E, "生态效益指标", "城区绿化覆盖率", "≥40%", "41%", 15, 15),
          row(E, "生态效益指标", "空气质量优良天数比例", "≥85%", "88%", None, None, merge_up=True),
          row(E, "社会效益指标", "公园绿地服务半径覆盖率", "≥80%", "83%", 15, 15),
          row(S, SAT, "市民满意度", "≥90%", "92%", 10, 10)],
    total=98.8, grade="优")

ROADS = dict(
    name="示例县乡村道路硬化项目", dept="示例县交通运输局", unit="示例县公路事业发展中心",
    year_text="（2021年度）", layout="nopoints", labels={"偏差原因分析及改进措施": "偏差原因"},
    money=money_rows((450, 450, 436.5), [("其中：当年财政拨款", 450, 450, 436.5), ("上年结转资金", DASH, DASH, DASH),
                                           ("其他资金", DASH, DASH, DASH)], 10, (0.97, PCT0), 9.7),
    goal_expected="硬化乡村道路12公里，惠及沿线群众8000人。",
    goal_actual="硬化乡村道路12.5公里，惠及沿线群众8600人。",
    rows=[row(O, "数量指标", "硬化道路里程", "≥12公里", "12.5公里", None, 20),
          row(O, "质量指标", "工程验收合格率", "100%", "100%", None, 15),
          row(O, "时效指标", "完工及时率", "≥95%", "100%", None, 15),
          row(E, "社会效益指标", "受益群众人数", "≥8000人", "8600人", None, 15),
          row(E, "可持续影响指标", "道路设计使用年限", "≥15年", "15年", None, 15),
          row(S, SAT, "沿线群众满意度", "≥90%", "95%", None, 10)],
    grade_label="等级", total=99.7, grade="优")

TRAINING = dict(
    name="示例市新型农民技术培训项目", dept="示例市农业农村局", unit="示例市农民科技教育培训中心",
    year_text="（2021年度）",
    money=money_rows((150, 150, 150), [("其中：当年财政拨款", 150, 150, 150), ("上年结转资金", DASH, DASH, DASH),
                                         ("其他资金", DASH, DASH, DASH)], 10, (1, PCT0), 10),
    goal_expected="培训农民1000人次，推广新技术2000亩，参训农户增收500元以上。",
    goal_actual="培训农民1050人次，推广新技术2100亩，参训农户平均增收560元。",
    rows=[row(O, "数量指标", "培训农民总人次", "≥1000人次", "1050人次", 20, 20),
          row(O, "数量指标", "其中：种植技术培训", "≥600人次", "630人次", 10, 10),
          row(O, "数量指标", "其中：养殖技术培训", "≥400人次", "420人次", 10, 10),
          row(O, "质量指标", "培训合格率", "≥90%", "95%", 15, 15),
          row(O, "时效指标", "培训完成及时率", "100%", "100%", 15, 15),
          row(E, "经济效益指标", "参训农户增收", "≥500元/户", "560元/户", 15, 15),
          row(E, "经济效益指标", "其中：示范户增收", "≥1000元/户", "1100元/户", None, None),
          row(E, "社会效益指标", "新技术推广面积", "≥2000亩", "2100亩", 15, 15),
          row(S, SAT, "参训农民满意度", "≥90%", "96%", 10, 10)],
    total=100, grade="良")

HAZARDS = dict(
    name="示例市公共文化服务提升项目", dept="示例市文化广电旅游局", unit="示例市图书馆",
    year_text="（2021年度）",
    money=money_rows((150, 160, 152), [("其中：当年财政拨款", 150, 150, 142), ("其他资金", 0, 10, 10)],
                     10, (0.95, PCT0), 9.5),
    goal_expected="年接待读者30万人次，新增馆藏图书5000册，开展公益讲座24场。",
    goal_actual="年接待读者32万人次，新增馆藏5200册，开展公益讲座24场。",
    rows=[row(O, "数量指标", "图书馆年接待读者人次≥30万人次", "", "32万人次", 10, 10, DASH),
          row(O, "数量指标", "新增馆藏图书5000册", "", "5200册", 10, 10, "无"),
          row(O, "数量指标", "指标1", "", "", None, None),
          row(O, "数量指标", "指标2：", "", "", None, None, "—"),
          row(O, "数量指标", "开展公益讲座场次", "≥24场", "24场", 10, 8, ""),
          row(O, "质量指标", "读者投诉处理率", (1, PCT0), (1, PCT0), 10, 10, "/"),
          row(O, "质量指标", "……", "", "", None, None),
          row(O, "时效指标", "数字阅读平台上线时间", dt.datetime(2021, 12, 1), dt.datetime(2021, 11, 15), 5, 5,
              "-"),
          row(O, "成本指标", "安全责任事故", "=0件", "0件", 5, 5, 0),
          row(E, "社会效益指标", "全民阅读活动参与人次", "≥5万人次", "4.2万人次", 10, 10, ""),
          row(E, "社会效益指标", "其中：青少年参与人次", "≥2万人次", "2.1万人次", None, None),
          row(E, "社会效益指标", "", "", "", None, None),
          row(E, "社会效益指标", "公共文化服务覆盖率", "≥85%", "80%", 10, 9.41, ""),
          row(E, "可持续影响指标", "服务设施长效管护机制", "健全", "健全", 10, 10, "无"),
          row(S, SAT, "读者满意度（≥90%）", "", (0.93, PCT0), 10, 10, DASH)],
    total=96.91, grade="优",
    footnotes=["注：1.偏差原因分析及改进措施栏无偏差的填“—”。2.本表金额单位为万元。"])

REVIEW = dict(
    name="示例市老旧小区改造项目", dept="示例市住房和城乡建设局", unit="示例市城市更新服务中心",
    year_text="（2021年度）",
    money=money_rows((800, 800, 800), [("其中：当年财政拨款", 600, 600, 600), ("上年结转资金", 200, 200, 200),
                                         ("其他资金", DASH, DASH, DASH)], 10, (1, PCT2), 10),
    goal_expected="完成12个老旧小区改造，加装电梯30部，惠及居民4000户。",
    goal_actual="完成9个小区改造，加装电梯24部，惠及居民3000户。",
    rows=[row(O, "数量指标", "改造小区数量", "≥12个", "9个", 20, 15, "3个小区因管线迁改延期至次年。"),
          row(O, "数量指标", "加装电梯数量", "≥30部", "24部", 10, 8, "部分楼栋居民意见未统一，正在协调。"),
          row(O, "质量指标", "工程验收合格率", "100%", "100%", 10, 10),
          row(O, "时效指标", "改造完成及时率", "≥90%", "90%", 10, 10),
          row(O, "成本指标", "户均改造成本", "≤3.5万元", "3.4万元", 10, 10),
          row(E, "社会效益指标", "受益居民户数", "≥4000户", "3000户", 10, 7.5, "延期小区居民尚未受益。"),
          row(E, "社会效益指标", "项目管理规范性", "", "规范", 10, 10),
          row(E, "可持续影响指标", "小区长效管理机制", "建立", "已建立", 10, 10),
          row(S, SAT, "居民满意度", "≥90%", "85.5%", 10, 9.5, "部分居民对施工期间出行不便有意见。")],
    total=100, grade="优")

NOTES_SHEET = ["填表说明", "1. 本工作簿每个工作表为一个项目的自评表，金额单位为万元。",
               "2. 偏差原因须逐项填写，无偏差的填“—”。", "3. 评价等级：90分（含）以上为优，80分（含）至90分为良，"
               "60分（含）至80分为中，60分以下为差。"]

CSV_LINES = [
    ["项目支出绩效自评表"], ["（2021年度）"],
    ["项目名称", "示例市农贸市场升级改造项目"],
    ["主管部门", "示例市商务局", "", "", "实施单位", "示例市市场服务中心"],
    ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
    ["", "年度资金总额", "1,000.00", "1,000.00", "650.00", "10", "65.00%", "6.5"],
    ["", "其中：当年财政拨款", "1,000.00", "1,000.00", "650.00", DASH, DASH, DASH],
    ["", "上年结转资金", DASH, DASH, DASH, DASH, DASH, DASH],
    ["", "其他资金", DASH, DASH, DASH, DASH, DASH, DASH],
    ["年度总体目标", "预期目标", "", "", "实际完成情况"],
    ["", "改造农贸市场5个，新增标准化摊位100个。", "", "", "改造农贸市场5个，新增标准化摊位260个。"],
    PLAIN,
    [O, "数量指标", "改造农贸市场数量", "≥5个", "5个", "15", "15", DASH],
    ["", "", "新增标准化摊位", "≥100个", "260个", "15", "15", DASH],
    ["", "质量指标", "改造工程验收合格率", "100%", "100%", "10", "10", DASH],
    ["", "时效指标", "改造完成及时率", "≥95%", "100%", "10", "10", DASH],
    [E, "社会效益指标", "市场食品安全抽检合格率", "≥98%", "99%", "15", "15", DASH],
    ["", "经济效益指标", "入驻商户营业额增长率", "≥5%", "6%", "15", "15", DASH],
    [S, SAT, "商户和市民满意度", "≥90%", "92%", "10", "10", DASH],
    ["总分", "", "", "", "", "100", "96.5", ""],
    ["评价等级", "优"],
]


def write_csv(lines, path: Path, encoding="utf-8-sig") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)
    path.write_bytes(buffer.getvalue().encode(encoding))


def broken() -> None:
    """Unreadable forms for the error tests."""
    bad_points = {**MOF_CLEAN, "rows": [dict(MOF_CLEAN["rows"][0]), {**MOF_CLEAN["rows"][1], "points": "十分"},
                                        *MOF_CLEAN["rows"][2:]]}
    single(bad_points, "broken/points_text.xlsx", "自评表")
    single({**MOF_CLEAN, "heading": False}, "broken/no_heading.xlsx", "自评表")
    single({**MOF_CLEAN, "total": "九十九"}, "broken/total_text.xlsx", "自评表")
    (OUT / "broken" / "not_a_workbook.xlsx").write_bytes("这不是 Excel 文件，只是一段文字。\n".encode("utf-8"))
    wb = Workbook()
    ws = wb.active
    ws.title = "填表说明"
    for i, text in enumerate(NOTES_SHEET, 1):
        ws.cell(row=i, column=1, value=text)
    save(wb, "broken/no_form.xlsx")
    lines = [list(line) for line in CSV_LINES]
    lines[14] = [*lines[14][:6], "满分", DASH]
    write_csv(lines, OUT / "broken" / "score_text.csv")


README_ROWS = [
    # file, sheet, layouts/hazards, budget (元: full-year / spent), exec score, Σ points / Σ scores (counted),
    # published total, grade, findings
    ("mof_clean.xlsx", "自评表",
     "clean MOF form; 项目编码 + 项目负责人; 绩效指标 column merged down; 10/50/30/10; 万元; 执行率 0.9775 with "
     "format 0.00%; 100% targets stored as numbers with format 0%; one partial row with a reason",
     "5,200,000 / 5,083,000", "10 → 9.78", "90 / 89.5", "99.28", "优", "none"),
    ("yunnan_split.xlsx", "项目支出绩效自评表",
     "Yunnan split 指标性质/指标值/度量单位 under a merged 年度指标值 (two heading rows); ≧ operator; units 百分比 and "
     "%(百分比); 定性 row; zero target (=0人); actual with operator (≥36个); 0.9 with format 0% → “≥90%”; "
     "本年财政拨款; 2022年度; rate as text “100%”", "800,000 / 800,000", "10 → 10", "90 / 90", "100", "优",
     "none"),
    ("provincial_exec20.xlsx", "Sheet1",
     "provincial 20 + 80: execution 分值 written “20分*执行率”; 产出 40 / 效益 40 (满意度 inside 效益); 年初预算数 "
     "blank; rate as text; heading 偏差原因; footer on one row with label 等级; grade variant 优秀",
     "2,000,000 / 1,971,200", "20 → 19.71", "80 / 80", "99.71", "优秀",
     "RATE_MISMATCH (published 98.57 %, amounts give 98.56 %)"),
    ("yuan_thousands.xlsx", "绩效自评",
     "money in 元 (block title 项目资金（元） and note 单位：元); thousands separators as text (1,215,457.60) and as "
     "#,##0.00 number format; proportional partial scores with reasons; grade variant 合格 (= 中)",
     "1,215,457.60 / 1,150,000", "10 → 9.46", "90 / 67.21", "76.67", "合格", "none"),
    ("zero_total_row.xlsx", "自评表",
     "年度资金总额 row all zeros, amounts only in the detail rows; 执行率 written as the plain number 95; 年度总体目标 "
     "on one row (no 预期/实际 sub-labels)", "3,000,000 / 2,850,000 (detail rows; total row 0)", "10 → 9.5",
     "90 / 90", "99.5", "优", "TOTALS_ROW_INCONSISTENT (total row 0 vs details 3,000,000 / 2,850,000)"),
    ("multi_sheet.xlsx", "城区绿化",
     "one score per 二级 group: 分值/得分 merged down each group (first row counts, the others counted=False); date "
     "cells with format yyyy\"年\"m\"月\"", "2,600,000 / 2,548,000", "10 → 9.8", "90 / 90", "98.8", "优",
     "SUM_MISMATCH (9.8 + 90 = 99.8 ≠ 98.8)"),
    ("multi_sheet.xlsx", "乡村道路",
     "no 分值 column at all (points NaN; scores only); heading 偏差原因; grade label 等级", "4,500,000 / 4,365,000",
     "10 → 9.7", "— / 90", "99.7", "优", "none (no points: scoring needs an indicator system)"),
    ("multi_sheet.xlsx", "农业技术培训",
     "分值 on a total row and on its 其中 sub-rows (total row counted=False); a 其中 sub-row without points "
     "(counted=False)", "1,500,000 / 1,500,000", "10 → 10", "90 / 90", "100", "良",
     "GRADE_MISMATCH (100 is 优, form says 良)"),
    ("multi_sheet.xlsx", "填表说明", "notes sheet, not a form: skipped with a note", "", "", "", "", "", ""),
    ("hazards.xlsx", "自评表",
     "targets in the indicator name with empty target cells (…≥30万人次, …5000册, 读者满意度（≥90%）); placeholder rows "
     "指标1, 指标2：, ……; an all-empty row; blank markers in reasons (—, 无, /, -, a literal 0); date target/actual "
     "(2021年12月 / 2021年11月); zero target =0件; 其中 sub-row without points; footnote row 注：…",
     "1,600,000 / 1,520,000", "10 → 9.5", "90 / 87.41", "96.91", "优",
     "MET_BUT_DEDUCTED (开展公益讲座场次 24/24, 8 of 10, no reason); UNMET_FULL_MARKS (全民阅读活动参与人次 4.2 < 5万, "
     "10 of 10); MISSING_REASON (公共文化服务覆盖率 80 % < 85 %, 9.41 of 10, empty reason); the first two also "
     "deviate from the rule (AWARD_DEVIATES)"),
    ("csv_form.csv", "—",
     "csv (UTF-8 with BOM); 一级/二级 written once with blanks below (no merges); money with thousands separators; "
     "rate as text 65.00%", "10,000,000 / 6,500,000", "10 → 6.5", "90 / 90", "96.5", "优",
     "LOW_EXEC_ALL_MET (65 % with every output target met); TARGET_TOO_EASY (新增标准化摊位 ≥100个, actual 260个)"),
    ("review_findings.xlsx", "自评表",
     "points 10 + 100 = 110 while the form's total is 100; a blank target with an actual", "8,000,000 / 8,000,000",
     "10 → 10", "100 / 90", "100", "优",
     "POINTS_TOTAL (10 + 100 = 110); UNPARSED_TARGET (项目管理规范性: target blank, actual 规范)"),
]

BROKEN_ROWS = [
    ("broken/points_text.xlsx", "分值 “十分” in the second indicator row (row 15, column G)"),
    ("broken/no_heading.xlsx", "no indicator heading row (一级指标/二级指标/三级指标…)"),
    ("broken/total_text.xlsx", "总分 “九十九” under 得分 (row 24, column H)"),
    ("broken/not_a_workbook.xlsx", "plain text with an .xlsx name"),
    ("broken/no_form.xlsx", "only a notes sheet, no form"),
    ("broken/score_text.csv", "得分 “满分” in csv line 15, column G"),
]


IDS = {  # (file, sheet) → (project_id as read, indicator rows kept / counted)
    ("mof_clean.xlsx", "自评表"): ("SL2021-001", "10 / 10"),
    ("yunnan_split.xlsx", "项目支出绩效自评表"): ("yunnan_split:项目支出绩效自评表", "9 / 9"),
    ("provincial_exec20.xlsx", "Sheet1"): ("provincial_exec20:Sheet1", "8 / 8"),
    ("yuan_thousands.xlsx", "绩效自评"): ("yuan_thousands:绩效自评", "7 / 7"),
    ("zero_total_row.xlsx", "自评表"): ("zero_total_row:自评表", "6 / 6"),
    ("multi_sheet.xlsx", "城区绿化"): ("multi_sheet:城区绿化", "9 / 6"),
    ("multi_sheet.xlsx", "乡村道路"): ("multi_sheet:乡村道路", "6 / 6"),
    ("multi_sheet.xlsx", "农业技术培训"): ("multi_sheet:农业技术培训", "9 / 7"),
    ("multi_sheet.xlsx", "填表说明"): ("", ""),
    ("hazards.xlsx", "自评表"): ("hazards:自评表", "11 / 10"),
    ("csv_form.csv", "—"): ("csv_form", "7 / 7"),
    ("review_findings.xlsx", "自评表"): ("review_findings:自评表", "9 / 9"),
}


def readme() -> str:
    lines = ["# Self-evaluation form fixtures (项目支出绩效自评表)", "",
             "Written by `tests/data/make_forms.py` (seeded, byte-reproducible; all names fictional). "
             "Money in the budget columns is in 元 as `forms_to_frames` returns it; execution score = 分值 × "
             "全年执行数 / 全年预算数, half-up to 2 dp; Σ points / Σ scores are over `counted` rows only; "
             "published total and grade as printed on the form.", "",
             "| file | sheet | project_id | rows kept / counted | layouts and hazards | budget full-year / spent (元) "
             "| exec 分值 → 得分 | Σ points / Σ scores | published total | grade | planted review findings |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join([f, sh, *IDS[(f, sh)], *rest]) + " |" for f, sh, *rest in README_ROWS]
    lines += ["", "Review codes not listed for a form are not expected there (rows are proportional to 2 dp, "
              "rates reproduce their amounts, totals = execution score + Σ row scores).", "",
              "## Broken forms (`broken/`): each must raise `InputError`", "", "| file | problem |", "|---|---|"]
    lines += [f"| {f} | {p} |" for f, p in BROKEN_ROWS]
    import make_money_forms  # the money-block layouts (it builds on this module's sheet builder)

    lines += make_money_forms.readme_lines()
    return "\n".join(lines) + "\n"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    single(MOF_CLEAN, "mof_clean.xlsx", "自评表")
    single(YUNNAN, "yunnan_split.xlsx", "项目支出绩效自评表")
    single(PROVINCIAL, "provincial_exec20.xlsx", "Sheet1")
    single(YUAN, "yuan_thousands.xlsx", "绩效自评")
    single(ZERO_TOTAL, "zero_total_row.xlsx", "自评表")
    single(HAZARDS, "hazards.xlsx", "自评表")
    single(REVIEW, "review_findings.xlsx", "自评表")
    wb = Workbook()
    for i, (spec, sheet) in enumerate([(GREENING, "城区绿化"), (ROADS, "乡村道路"), (TRAINING, "农业技术培训")]):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = sheet
        build_form(ws, spec)
    notes = wb.create_sheet("填表说明")
    for i, text in enumerate(NOTES_SHEET, 1):
        notes.cell(row=i, column=1, value=text)
    save(wb, "multi_sheet.xlsx")
    write_csv(CSV_LINES, OUT / "csv_form.csv")
    broken()
    import make_money_forms

    make_money_forms.main()
    (OUT / "README.md").write_text(readme(), encoding="utf-8")
    # sanity: published totals are what the planted findings say
    assert half_up(10 * 508.3 / 520) == 9.78 and half_up(20 * 197.12 / 200) == 19.71
    assert half_up(10 * 1150000 / 1215457.6) == 9.46


if __name__ == "__main__":
    main()
