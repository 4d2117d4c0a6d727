"""Write the money-block, score-column and grading-refusal fixtures under tests/data/forms/ (called by make_forms.py).

Each money-block layout that published forms from other provinces use (real-tables.md, "Money-block
variants seen") is one sheet of money_variants.xlsx, with its own 项目编码; the forms that must not
be graded (an unreadable or unrecognised money block, a negative amount, a blank 得分) and a workbook
with a cover sheet are files of their own. Amounts in 万元; every indicator target is met, so a
form's total is its execution score + 90 (or + 80 on 20-point forms).
"""
from __future__ import annotations

from openpyxl import Workbook

from make_forms import DASH, E, O, PCT2, S, SAT, build_form, row, save, single

ROWS90 = [row(O, "数量指标", "完成任务数量", "≥10个", "10个", 20, 20),
          row(O, "质量指标", "验收合格率", "100%", "100%", 15, 15),
          row(O, "时效指标", "按期完成率", "≥95%", "98%", 15, 15),
          row(E, "社会效益指标", "受益人数", "≥500人", "560人", 15, 15),
          row(E, "可持续影响指标", "长效管护机制", "健全", "健全", 15, 15),
          row(S, SAT, "服务对象满意度", "≥90%", "93%", 10, 10)]
ROWS80 = [row(O, "数量指标", "完成任务数量", "≥10个", "10个", 20, 20),
          row(O, "质量指标", "验收合格率", "100%", "100%", 10, 10),
          row(O, "时效指标", "按期完成率", "≥95%", "98%", 10, 10),
          row(E, "社会效益指标", "受益人数", "≥500人", "560人", 15, 15),
          row(E, "可持续影响指标", "长效管护机制", "健全", "健全", 15, 15),
          row(S, SAT, "服务对象满意度", "≥90%", "93%", 10, 10)]
MOF_HEADS = ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]


def spec(code: str, name: str, heads, money, rows=ROWS90, total=None, grade="优", **extra) -> dict:
    return dict(name=name, dept="示例市财政局", unit="示例市预算绩效管理中心", year_text="（2021年度）",
                header_pairs=[(("主管部门", "示例市财政局"), ("实施单位", "示例市预算绩效管理中心")),
                              (("项目负责人", "王某"), ("项目编码", code))],
                money_heads=heads, money=money, goal_expected="按计划完成年度任务。", goal_actual="已按计划完成。",
                rows=rows, total=total, grade=grade, **extra)


# sheet → (spec, what it carries, exec points → score, total, expected review codes)
VARIANTS = {
    "预算数AB": (spec("MB2021-001", "示例市农村公路养护补助项目", ["预算数(A)", "执行数(B)", "执行率(B/A)", "得分（20分*执行率）"],
                      [("年度资金总额", 300, 291, "97.00%", 19.4), ("其中：财政拨款", 300, 291, DASH, DASH)],
                      ROWS80, 99.4),
                 "older 20/80 form: 预算数(A) / 执行数(B) / 执行率(B/A) / 得分（20分*执行率）, no 分值 column: the "
                 "points sit in the heading", "20 → 19.4", "99.4", ""),
    "调整预算数": (spec("MB2021-002", "示例市社区卫生服务能力提升项目",
                        ["年初预算数", "调整预算数(A)", "全年执行数(B)", "分值", "执行率(B/A)", "得分"],
                        [("年度总金额", 500, 480, 456, 10, "95%", 9.5),
                         ("其中：当年财政拨款", 500, 480, 456, DASH, DASH, DASH),
                         ("上年结转资金", "/", "/", "/", "/", "/", "/"),
                         ("其他资金", "详见附件", "一", "/", DASH, DASH, DASH)], total=99.5),
                   "调整预算数(A); row label 年度总金额; 其中 sub-rows of “/” and junk (详见附件, OCR “一”): notes, "
                   "not a refusal", "10 → 9.5", "99.5", ""),
    "调整后预算数": (spec("MB2021-003", "示例市公共法律服务体系建设项目", ["年初预算数", "调整后预算数", "全年执行数", "分值", "执行率",
                                                                "得分"],
                          [("资金总额", 250, 250, 245, 10, (0.98, PCT2), 9.8),
                           ("其中：当年财政拨款", 250, 250, 245, DASH, DASH, DASH)], total=99.8),
                     "调整后预算数; row label 资金总额", "10 → 9.8", "99.8", ""),
    "全年调整预算数": (spec("MB2021-004", "示例市中小学校舍维修项目", ["年初预算数", "全年（调整）预算数", "全年执行数", "分值", "执行率",
                                                            "得分"],
                            [("年度资金总额", 1000, 1200, 1140, 10, "95%", 9.5),
                             ("其中：当年财政拨款", 1000, 1200, 1140, "—", "—", "—")], total=99.5),
                       "全年（调整）预算数 (full-width brackets)", "10 → 9.5", "99.5", ""),
    "到位数": (spec("MB2021-005", "示例市就业创业补贴项目", ["预算数", "到位数", "执行数", "分值", "执行率", "得分"],
                    [("年度资金总额", 800, 780, 760, 10, "95%", 9.5)], total=99.5),
               "预算数 / 到位数 / 执行数: the rate is 执行数 / 预算数, 到位数 is noted", "10 → 9.5", "99.5", ""),
    "本级合计": (spec("MB2021-006", "示例市水污染防治专项项目", ["本级", "合计", "执行数", "分值", "执行率", "得分"],
                      [("年度资金总额", 300, 400, 392, 10, "98%", 9.8)], total=99.8),
                 "本级 / 合计 / 执行数: 合计 is the budget, 本级 a component", "10 → 9.8", "99.8", ""),
    "仅年初预算数": (spec("MB2021-007", "示例市文化惠民演出项目", ["年初预算数(A)", "执行数(B)", "执行率(B/A)", "分值", "得分"],
                          [("年度资金总额", 600, 570, "95%", 10, 9.5)], total=99.5),
                     "only 年初预算数(A): the rate is on it (EXEC_BASE_FALLBACK under the default base 全年预算数)",
                     "10 → 9.5", "99.5", "EXEC_BASE_FALLBACK"),
    "无行标签": (spec("MB2021-008", "示例市老年助餐服务项目", MOF_HEADS, [(None, 100, 100, 97, 10, "97%", 9.7)], total=99.7),
                 "a single money row with no label", "10 → 9.7", "99.7", ""),
    "表头分值": (spec("MB2021-009", "示例市智慧城管平台运维项目", ["年初预算数", "全年预算数", "全年执行数", "分值 20", "执行率", "得分"],
                      [("年度资金总额", 1000, 1000, 990, None, "99%", 19.8)], ROWS80, 99.8),
                 "execution points in the heading “分值 20”, the 分值 cell blank", "20 → 19.8", "99.8", ""),
    "超预算": (spec("MB2021-010", "示例市应急物资储备项目", MOF_HEADS, [("年度资金总额", 100, 100, 105, 10, "105%", 10.5)],
                    total=100.5),
               "spent 105 of a budget of 100; the form's execution score 10.5 is above its 10 points", "10 → 10",
               "100", "OVER_BUDGET, EXEC_SCORE_OVER_POINTS"),
}

NAMES_ROWS = [row(O, "数量指标", "完成任务数量", "≥10个", "10个", 20, 20),
              row(O, "质量指标", "档案管理规范性（5分）", "规范", "规范", None, 5),
              row(O, "质量指标", "资金使用合规性4分", "合规", "合规", 4, 4),
              row(O, "时效指标", "按期完成率", "≥95%", "98%", 16, 16),
              row(E, "社会效益指标", "受益人数", "≥500人", "560人", 15, 15),
              row(E, "可持续影响指标", "农技服务体系运行", "长期", "长期", 20, 20),
              row(S, SAT, "服务对象满意度", "≥90%", "93%", 10, 10)]
STANDARD_MONEY = [("年度资金总额", 200, 200, 190, 10, "95%", 9.5), ("其中：当年财政拨款", 200, 200, 190, DASH, DASH, DASH)]
BLANK_SCORE_ROWS = [dict(r) for r in ROWS90]
BLANK_SCORE_ROWS[2] = {**BLANK_SCORE_ROWS[2], "score": None}

# file → (spec, what it carries, expected review codes; none of these forms may be graded but cover_sheet)
SINGLES = {
    "money_unreadable.xlsx": (spec("MB2021-011", "示例市河道保洁项目", MOF_HEADS,
                                   [("年度资金总额", 500, 520, "约508万", 10, "97.75%", 9.78)] + STANDARD_MONEY[1:],
                                   total=99.78),
                              "全年执行数 “约508万” on the 年度资金总额 row (row 7, column F): MONEY_UNREADABLE, no grade",
                              "MONEY_UNREADABLE"),
    "money_unrecognised.xlsx": (spec("MB2021-012", "示例市街道照明改造项目",
                                     ["资金来源一", "资金来源二", "使用情况", "分值", "比例", "得分"],
                                     [("年度资金总额", 120, 80, 190, 10, "95%", 9.5)], total=99.5),
                                "a 项目资金 block whose headings name no budget or spending column: MONEY_UNREADABLE "
                                "naming the row, no grade", "MONEY_UNREADABLE"),
    "money_invalid.xlsx": (spec("MB2021-013", "示例市防汛物资采购项目", MOF_HEADS,
                                [("年度资金总额", 200, 200, -50, 10, "-25%", 0)], total=90),
                           "a negative 全年执行数 (−50): MONEY_INVALID, no grade", "MONEY_INVALID"),
    "blank_score.xlsx": (spec("MB2021-014", "示例市体育设施维护项目", MOF_HEADS, STANDARD_MONEY, BLANK_SCORE_ROWS,
                              total=99.5),
                         "the 得分 of 按期完成率 (row 14) left blank while every other row is scored: NOT_SCORED, no "
                         "grade; the rule score is not filled in", "NOT_SCORED, SUM_MISMATCH"),
}
COVER = spec("MB2021-015", "示例市基层农技推广项目", MOF_HEADS, STANDARD_MONEY, NAMES_ROWS, total=99.5)
COVER_CELLS = [("项目支出绩效自评报告", None), (None, None), ("项目名称", "示例市基层农技推广项目"),
               ("主管部门", "示例市财政局"), ("填报单位", "示例市预算绩效管理中心"), ("填报日期", "2022年3月31日")]


def _scored_by(rows, column: str, coefficient: bool = False):
    """ROWS90 with the scores moved into another column (自评分), or as 得分系数 with 得分 left blank."""
    out = []
    for r in rows:
        moved = {**r, "score": None}
        if coefficient:
            moved["coef"] = round(r["score"] / r["points"], 4)
        else:
            moved[column] = r["score"]
        out.append(moved)
    return out


SCORE_COLUMNS = {  # sheet → (spec, what, exec → score, total)
    "自评分列": (spec("MB2021-016", "示例市农贸市场监管项目", MOF_HEADS, STANDARD_MONEY, _scored_by(ROWS90, "self_score"),
                      total=99.5, layout="selfscore", pm_column=False),
                 "an empty 得分 column beside 自评分, which holds the scores (and the total under it)", "10 → 9.5", "99.5"),
    "得分系数": (spec("MB2021-017", "示例市城乡供水保障项目", MOF_HEADS, STANDARD_MONEY,
                      _scored_by(ROWS90[:1] + [{**ROWS90[1], "score": 12}] + ROWS90[2:], "coef", coefficient=True),
                      total=96.5, layout="coef", pm_column=False),
                 "得分系数 column (score = 分值 × 系数; 验收合格率 0.8 × 15 = 12), 得分 left blank", "10 → 9.5", "96.5"),
}


def main() -> None:
    wb = Workbook()
    for i, (sheet, (form, *_)) in enumerate(VARIANTS.items()):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = sheet
        build_form(ws, form)
    save(wb, "money_variants.xlsx")
    wb = Workbook()
    for i, (sheet, (form, *_)) in enumerate(SCORE_COLUMNS.items()):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = sheet
        build_form(ws, form)
    save(wb, "score_columns.xlsx")
    for name, (form, *_) in SINGLES.items():
        single(form, name, "自评表")
    wb = Workbook()
    cover = wb.active
    cover.title = "封面"
    for r, (label, value) in enumerate(COVER_CELLS, 1):
        cover.cell(row=r, column=1, value=label)
        cover.cell(row=r, column=2, value=value)
    build_form(wb.create_sheet("自评表"), COVER)
    save(wb, "cover_sheet.xlsx")


def readme_lines() -> list[str]:
    lines = ["", "## Money-block layouts (`money_variants.xlsx`, one sheet each) — every one is scored",
             "", "| sheet | project_id | layout | exec 分值 → 得分 | computed total | expected review codes |",
             "|---|---|---|---|---|---|"]
    for sheet, (form, what, exec_, total, codes) in VARIANTS.items():
        code = form["header_pairs"][1][1][1]
        lines.append(f"| {sheet} | {code} | {what} | {exec_} | {total} | {codes or 'none'} |")
    lines += ["", "## Score columns (`score_columns.xlsx`, one sheet each) — both scored", "",
              "| sheet | project_id | layout | exec 分值 → 得分 | computed total |", "|---|---|---|---|---|"]
    for sheet, (form, what, exec_, total) in SCORE_COLUMNS.items():
        lines.append(f"| {sheet} | {form['header_pairs'][1][1][1]} | {what} | {exec_} | {total} |")
    lines += ["", "## Forms that must not be graded, and a cover sheet", "",
              "| file | project_id | what | expected review codes |", "|---|---|---|---|"]
    for name, (form, what, codes) in SINGLES.items():
        lines.append(f"| {name} | {form['header_pairs'][1][1][1]} | {what} | {codes} |")
    lines.append("| cover_sheet.xlsx | MB2021-015 | sheet 封面 laid out as label/value cells (项目名称 → …, 填报日期 → …) "
                 "in front of the form on sheet 自评表: 封面 is skipped with a note naming the sheet taken; "
                 "“（5分）”/“4分” in indicator names are points, not targets (a blank 分值 cell takes the 5); "
                 "长期/长期 and 规范/规范 count as met; exec 10 → 9.5, total 99.5, 优 | none |")
    return lines
