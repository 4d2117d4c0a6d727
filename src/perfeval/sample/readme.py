"""``data/sample/README.md``: the data dictionary (Chinese and English) and the story in numbers.

Written by the generator from the city it has just built, so the numbers in the README are always
those of the files beside it. The key-evaluation grades are the story's intent; the test suite
recomputes them from the CSVs with :func:`perfeval.keyeval.evaluate`.
"""
from __future__ import annotations

import pandas as pd

from . import story as S


def comment_is_praise(comments: pd.Series) -> pd.Series:
    """Whether each comment is one of the story's positive notes on a full-marks indicator."""
    praise = "|".join(f"(?:{S.template_pattern(t)})" for tiers in S.PANEL_COMMENTS.values()
                      for t in tiers.get("praise", ()))
    return comments.astype(str).str.match(praise)

DICTIONARY = """\
## 数据字典 (data dictionary)

金额单位均为元（表单内为万元）；CSV 为 UTF-8（带 BOM，Excel 可直接打开），行已排序，浮点数固定格式。
Money is in 元 (the forms show 万元). CSVs are UTF-8 with BOM, sorted, with a fixed float format.

### `projects.csv` — 项目清单 (one row per project)

| 列 column | 含义 | meaning |
|---|---|---|
| `project_id` | 项目编码（SZ2021-001 …） | project id |
| `project_name` | 项目名称 | project name |
| `department` | 主管部门 | department in charge |
| `unit` | 实施单位 | implementing unit |
| `sector` | 行业（教育、水利、生态环保、农业农村、城市基础设施 …） | sector |
| `key_evaluation` | 是否开展第三方重点绩效评价（true/false） | key-evaluated by a third party |
| `budget_initial` | 年初预算数（元） | initial budget |
| `budget_full_year` | 全年预算数（元）＝年初预算数 − 收回统筹 | full-year (adjusted) budget |
| `spent` | 全年执行数（元）＝全年支付合计 | spent in the year (sum of payments) |
| `recovered` | 年底收回统筹金额（元） | unspent money recovered at year end |

### `departments.csv` — 部门汇总 (one row per department)

`department_code` 部门编码, `department` 部门名称, `main_sector` 主要行业 (main sector), `n_projects` 项目数,
`n_key` 重点评价项目数, `budget_initial` / `budget_full_year` / `spent` / `recovered` 各项目合计（元）(sums).

### `targets.csv` — 绩效目标申报表的指标（tidy declared targets）

| 列 | 含义 | meaning |
|---|---|---|
| `project_id`, `seq` | 项目编码、指标序号 | project, row number |
| `level1`, `level2`, `level3` | 一级、二级、三级指标 | indicator levels |
| `target` | 年度指标值（原文，如 ≥12.5公里、=100%、2021年12月、明显改善） | target as written |
| `op`, `value`, `unit`, `kind` | `perfeval.parse_values` 解析出的运算符、数值、单位、类型 | parsed operator, value, unit, kind |

### `payments.csv` — 月度支付 (monthly payments)

`project_id`, `month`（1–12）, `amount`（当月支付，元 / paid in the month）. 每个项目 12 行，未支付的月份为 0。

### `forms/<project_id>.xlsx` — 项目支出绩效自评表 (self-evaluation forms)

每个项目一个工作簿，财预〔2020〕10号附件2 版式：项目名称、主管部门、实施单位、项目负责人、项目编码；
项目资金（万元）：年度资金总额 / 其中：当年财政拨款 / 上年结转资金 / 其他资金 × 年初预算数、全年预算数、全年执行数、
分值、执行率、得分；年度总体目标；绩效指标（一级/二级/三级指标、年度指标值、实际完成值、分值、得分、
偏差原因分析及改进措施）；总分与评价等级。用 `perfeval.io.read_self_evaluation` 读取。
One workbook per project in the MOF layout; read with `perfeval.io.read_self_evaluation`.

### `declarations/<project_id>.xlsx` — 项目支出绩效目标申报表 (target declarations)

项目名称、编码、负责人、主管部门、实施单位，资金情况（万元），年度总体目标，一级/二级/三级指标与指标值。
The declared targets of each project (the same rows as `targets.csv`).

### `self_evaluation/rows.csv`, `self_evaluation/budget.csv` — 自评表的 tidy 数据

正是 `perfeval.io.forms_to_frames(read_self_evaluation(...))` 对全部自评表给出的两张表（指标行与预算行），
可直接交给 `perfeval.score(rows, budget)`。Exactly what `forms_to_frames` returns for the 187 forms.

- rows: `project_id, project_name, level1, level2, level3, target, actual, points（分值）, score（自评得分）,
  reason（偏差原因）, counted（是否计分）, target_nature, target_value, target_unit, source_file, source_sheet,
  source_row（表内行号）`.
- budget: `project_id, project_name, department, unit, money_unit, budget_initial, budget_full_year, spent`（元）,
  `exec_points（执行率分值）, published_rate（表内执行率）, published_exec_score（表内执行得分）,
  published_total（表内总分）, published_grade（表内等级）`, `total_row_budget_full_year, total_row_spent`
  （年度资金总额行的全年预算数与执行数 / the totals row）, `detail_budget_full_year, detail_spent`
  （明细行合计 / sum of the detail rows）, `money_problem`（资金表在表内但无法读取时的说明；此时不评定等级）,
  `reader_notes`（读表说明，一行一条 / what the reader tolerated）, `source_file, source_sheet`.

### `key_evaluation/indicators.csv` — 重点评价指标 (one row per key project and leaf indicator)

| 列 | 含义 | meaning |
|---|---|---|
| `project_id`, `system` | 项目编码、行业指标体系编号（sector-education …） | project, sector system |
| `code`, `level1`, `level2`, `level3` | 指标编码与各级名称（决策/过程/产出/效益） | leaf code and levels |
| `points` | 分值（合计 100） | points (sum 100) |
| `rule_kind`, `rule_params` | 评分规则及参数（JSON） | scoring rule and its parameters |
| `scored_by` | `panel` 由专家组评分（要点、定性、专家指标）；`rule` 按规则由数据计算 | who scores it |
| `target`, `actual` | 年度指标值、实际完成值（定量指标；定性指标为申报目标与单位自报） | target, actual |
| `reason` | 偏差原因（与自评表相同）或扣分说明；专家评议指标为空，其意见见 `panel_comments.csv` | deviation reason or deduction note (blank on panel rows) |

### `key_evaluation/panel_scores.csv` — 专家评分 (expert panel scores)

`project_id`, `indicator`（= indicators.csv 的 `code`）, `expert`（专家1 … 专家5）, `score`（0 至分值，0.5 分一档）.

### `key_evaluation/panel_comments.csv` — 专家评议意见 (the panel's written comments)

专家组对专家评议指标（`indicators.csv` 中 `scored_by = panel`）的一致意见，每个指标至多一条：

| 列 | 含义 | meaning |
|---|---|---|
| `project_id` | 项目编码 | project |
| `indicator` | 指标编码（= indicators.csv 的 `code`，只限专家评议指标） | panel indicator's code |
| `comment` | 评议意见：合成分低于分值的指标写明失分原因（按失分比例轻重措辞，引用本项目的行业、预算、指标和进度数据）；满分指标为一句简短肯定 | the panel's opinion: why points were lost, graded by the share lost; a short positive note on full marks |

`perfeval.keyeval.load` 读取此文件（可缺省）；`evaluate` 把意见作为专家评议指标的扣分说明（`reason`），
并在结果的 `comments` 中给出（附一至三级指标、分值与专家组合成分）。各专家的评分仍在 `panel_scores.csv`。
Read by `keyeval.load` (optional); `evaluate` uses each comment as its panel row's deduction note and returns
them as `KeyEvaluation.comments`. The experts' individual scores stay in `panel_scores.csv`.

### `exante/` — 下一年度新增项目的事前绩效评估 (ex-ante assessment of next year's new projects)

`perfeval.exante.assess("data/sample")` 读取；`perfeval exante --data data/sample --out 输出目录` 生成报告。

| 文件 | 列 | 含义 |
|---|---|---|
| `exante/candidates.csv` | `project_id`, `project_name`, `department`, `unit`, `sector`, `year`, `kind` | 候选项目（新增）、部门、单位、行业、预算年度、类型 |
| | `requested`, `fiscal`, `other` | 申请资金总额、其中财政资金、其他资金（元） |
| | `period`, `background`, `content`, `goal`, `funding` | 实施期、立项背景、主要内容、总体绩效目标、资金构成说明 |
| `exante/scores.csv` | `project_id`, `expert`, `indicator`, `rating` | 每位专家对事前评估评分表（`exante` 体系）每个评估要点的评定（优/良/中/差） |
| `exante/opinions.csv` | `project_id`, `expert`, `dimension`, `opinion` | 专家书面意见及其所属维度（A 立项必要性 … E 筹资合规性） |
| `exante/cuts.csv` | `project_id`, `item`, `amount`, `reason` | 专家组认定不经济、建议核减的支出（元） |

### `next_year/` — 下一年度预算编制 (next year's budget preparation)

| 文件 | 列 | 含义 |
|---|---|---|
| `next_year/requests.csv` | `project_id`, `project_name`, `department`, `unit`, `sector`, `kind`, `requested` | 申请安排的项目（新增/延续）与申请金额（元） |
| `next_year/control.csv` | `year`, `cap`, `note` | 可安排的资金控制数（元） |
| `next_year/declarations/<project_id>.xlsx` | — | 下一年度项目支出绩效目标申报表（与 `declarations/` 同一版式）；`perfeval review-targets` 审核 |

延续项目的项目编码沿用上年；上年实际完成值取自 `self_evaluation/rows.csv`，审核“目标值不高于上年实际完成值”时使用。
Continuing projects keep last year's code; their last actual values come from `self_evaluation/rows.csv`.

### `monitoring/` — 绩效运行监控的补充数据 (monitoring extras)

`perfeval.monitor.at("data/sample", "2021-06")` 与 `perfeval monitor --data data/sample --as-of 2021-06` 读取（均可缺省）。

| 文件 | 列 | 含义 |
|---|---|---|
| `monitoring/direct_funds.csv` | `project_id`, `direct_funds` | 是否直达资金项目（true/false），重点监控 |
| `monitoring/history_payments.csv` | `year`, `project_id`, `month`, `amount` | 2019、2020 年各项目的月度支付（元），年底执行率预测的月度支付进度取自于此 |
| `monitoring/history_budgets.csv` | `year`, `project_id`, `budget` | 2019、2020 年各项目的年初预算数（元） |
| `monitoring/midyear_targets.csv` | `project_id`, `month`, `seq`, `level1`, `level2`, `level3`, `target`, `completion` | 部分项目6月底报送的数量指标完成比例（截至当月底完成值 ÷ 全年目标值），用于双监控；其中埋设了资金与目标明显偏离的项目 |

示例市按直线序时进度（月份 ÷ 12）监控。本地另有序时进度表的，可放 `monitoring/schedule.csv`（列 `month`、`share`：
1–12 月各一行，月底累计序时进度，如 0.5 或 50%，逐月不减，12月不超过 100%）：监控看板、`perfeval monitor` 和年度
报告中的进度比、预警灯和各节点名单按它计算，并注明“自定义序时进度”（年底执行率预测的序时外推法仍按月份 ÷ 12）。

### `story.json` — 故事设定 (the story's intentions)

生成器写下的设定：随机种子、项目与部门数、重点评价项目及其预期等级、6月底滞后与10月底未破零的项目、
年底收回的项目、埋设的自评表问题。测试用 `perfeval.monitor`、`perfeval.score`、`perfeval.keyeval`
从数据重新计算并与之核对——结论不是从这里读出来的。
The generator's intentions (seed, counts, intended key grades, monitoring lists, planted flaws);
the tests recompute every finding from the data and compare.
"""


def _yi(yuan: float) -> str:
    return f"{yuan / 1e8:.2f}"


def readme_text(city) -> str:
    p = city.projects
    st = city.story
    key = p[p["key_evaluation"]]
    by_sector = key.groupby("sector").agg(n=("project_id", "size"), budget=("budget_full_year", "sum"))
    by_sector = by_sector.reindex([s for s in S.SECTOR_SYSTEMS if s in by_sector.index])
    grade_of = {pid: g for g, ids in st["key_evaluation"]["grades_intended"].items() for pid in ids}
    sector_lines = "\n".join(
        f"| {sector} | `{S.SECTOR_SYSTEMS[sector]}` | {int(r.n)} | {_yi(r.budget)} | "
        f"{sum(grade_of[i] == '优' for i in key.loc[key['sector'] == sector, 'project_id'])} / "
        f"{sum(grade_of[i] == '良' for i in key.loc[key['sector'] == sector, 'project_id'])} |"
        for sector, r in by_sector.iterrows())
    mon = st["monitoring"]
    rec = p[p["recovered"] > 0]
    names = p.set_index("project_id")["project_name"]
    flaw_lines = "\n".join(f"| {f['project_id']} | {names[f['project_id']]} | `{f['code']}` | {f['level3'] or '—'} | "
                           f"{f['note']} |" for f in st["planted_flaws"])
    rates = p["spent"] / p["budget_full_year"]
    counts = pd.Series(list(grade_of.values())).value_counts()
    self_grades = p["published_grade"].value_counts().reindex(list(S.GRADE_LABELS)).dropna().astype(int)
    comments = city.panel_comments.assign(lost=~comment_is_praise(city.panel_comments["comment"]))
    per_project = comments[comments["lost"]].groupby("project_id").size()
    n_comments, n_lost = len(comments), int(comments["lost"].sum())
    n_praise, per_min, per_max = n_comments - n_lost, int(per_project.min()), int(per_project.max())
    lag_rate = S.MONEY_LAG_RATE
    return f"""# 示例市 2021 年预算绩效管理样例数据 (sample city data)

> 虚构城市“示例市”的一年数据，由 `perfeval sample --seed {st['seed']} --out data/sample` 生成；
> 同一种子得到逐字节相同的文件。所有地名、单位名和人名均为虚构。
> A fictional city's year of budget performance data, generated by the command above; the same seed
> gives byte-identical files. Every name is fictional.

故事取自一份地级市的《预算绩效管理工作开展情况说明》（2021 年度）：单位自评 {st['n_projects']} 个项目，各项目预算执行率均达到
95% 以上；6 月底支出进度不理想的项目提醒加快支付，10 月底仍未破零的项目列入重点关注台账，年底确实无法支付的资金
收回统筹；财政部门委托第三方对教育、水利、环保、农业农村、城市基础设施等 23 个项目开展重点绩效评价，涉及资金
20.33 亿元，“优”10 个、“良”13 个。

## 故事的数字 (the story in numbers)

- 部门 {st['n_departments']} 个，项目 {st['n_projects']} 个（departments, projects）；年初预算合计 {_yi(p['budget_initial'].sum())} 亿元，
  全年预算合计 {_yi(p['budget_full_year'].sum())} 亿元，全年执行 {_yi(p['spent'].sum())} 亿元。
- 执行率（全年执行数 / 全年预算数）最低 {rates.min():.2%}，全部 ≥ 95%（every final execution rate ≥ 95 %）。
- 自评表的表内等级：{'，'.join(f'{g} {n} 个' for g, n in self_grades.items())}（self-evaluation grades as published）。
- 6 月底进度比（累计执行率 ÷ 序时进度 6/12）低于 80% 而被提醒的项目 {len(mon['june_lagging'])} 个：
  {', '.join(mon['june_lagging'])}。
- 10 月底仍未破零、列入重点关注台账的项目 {len(mon['october_zero'])} 个：{', '.join(mon['october_zero'])}。
- 年底收回统筹 {len(rec)} 个项目、合计 {rec['recovered'].sum():,.0f} 元（{', '.join(mon['recovered'])}），
  收回后全年预算数调减，执行率达到 95% 以上。
- 重点绩效评价 {len(key)} 个项目，全年预算合计 {_yi(key['budget_full_year'].sum())} 亿元，
  预期等级 优 {counts.get('优', 0)} 个、良 {counts.get('良', 0)} 个；专家组 5 人（专家1…专家5），
  专家评分去掉一个最高分和一个最低分后平均（`perfeval.keyeval.evaluate`）。每个总分距等级界限至少 0.6 分，
  改用算术平均、中位数、整数得分、按取舍后总分定级或反向指标比值法都不改变等级；各项得分向下取整会改变
  部分项目的等级（见 `tests/test_keyeval.py`）。
- 专家评议意见 {n_comments} 条（`key_evaluation/panel_comments.csv`）：{n_lost} 个失分的专家评议指标各有一条失分原因
  （每个项目 {per_min}–{per_max} 条），{n_praise} 个满分指标附简短肯定意见。
- 自评表的偏差原因与指标相符：按二级指标类别和指标名称选取；资金拨付、到位或采购方面的原因只用于执行率低于
  {lag_rate:.0%}、列入6月或10月监控名单或年底收回资金的项目。

| 行业 sector | 指标体系 system | 项目数 | 全年预算（亿元） | 优 / 良 |
|---|---|---|---|---|
{sector_lines}

### 自评表中埋设的问题 (planted imperfections, for review to find)

`perfeval.score(rows, budget)` 的复核提示会找出下列问题（并在相关行给出 `AWARD_DEVIATES`）；其余自评表没有复核提示。

| 项目 | 名称 | 复核代码 | 三级指标 | 说明 |
|---|---|---|---|---|
{flaw_lines}

另有 {st['n_projects'] - len(st['planted_flaws'])} 个项目中的少数指标未完成并已按比例扣分、填写偏差原因，属正常情况。

{next_year_text(city)}

{DICTIONARY}{_dept_section()}"""


FLAW_WORDS = {"drop_timeliness": "缺少时效指标", "vague_outputs": "产出指标为定性表述", "below_history": "目标值低于上年实际完成值",
              "no_goal": "未填写年度总体目标", "inputs_as_outputs": "把资金到位率、投入人员作为产出指标",
              "satisfaction_100": "满意度目标为 100%"}


def _dept_section() -> str:
    from .departments import readme_section

    return readme_section()


def next_year_text(city) -> str:
    """The next budget year's story (ex-ante candidates, declarations, requests, the cap)."""
    from . import story_next as N

    nx = city.story.get("next_year")
    if not nx or city.planning is None:
        return ""
    plan = city.planning
    names = dict(zip(city.projects["project_id"], city.projects["project_name"]))
    names.update({c.project_id: c.project_name for c in N.CANDIDATES})
    cand = "\n".join(f"| {c.project_id} | {c.project_name} | {c.requested / 1e4:,.2f} | {c.intended}"
                      + (f"（专家总分平均恰为 {c.exact_total:.2f} 分）" if c.exact_total is not None else "") + " |"
                      for c in N.CANDIDATES)
    flaws = "\n".join(f"| {pid} | {names[pid]} | {'、'.join(FLAW_WORDS[f] for f in fl)} |"
                       for pid, fl in nx["planted_declaration_flaws"].items())
    req = plan["requests"]
    undeclared = [c.project_id for c in N.CANDIDATES if c.project_id not in set(nx["declared"])]
    return f"""## 下一预算年度（{nx['year']}）(the next budget year)

事前绩效评估、绩效目标审核和择优排序所用的数据（`exante/`、`next_year/`；`perfeval.exante`、`perfeval.review.review_targets`、
`perfeval.budget`）。

- 新增项目 {len(N.CANDIDATES)} 个申请事前绩效评估（专家组 {len(N.EXPERTS)} 人，逐项按优/良/中/差评定），其中有入河干流生态修复治理和产业园基础设施项目：

| 项目 | 名称 | 申请（万元） | 预期结论（默认规则） |
|---|---|---|---|
{cand}

  按地方规定“平均分 ≤ 60 分不予立项、> 60 分建议立项”，平均恰为 60 分的项目不予立项。
- {nx['year']} 年度绩效目标申报表 {len(nx['declared'])} 份（延续项目 {len(N.CONTINUING)} 份、新增项目 {len(N.NEW_DECLARATIONS)} 份；
  {('、'.join(undeclared) + ' 未编报') if undeclared else '全部编报'}）。埋设的问题：

| 项目 | 名称 | 申报表中的问题 |
|---|---|---|
{flaws}

  另外，延续项目沿用上年的指标：上年表中没有成本指标的仍然没有；城区幼儿园维修改造项目按单位成本 × 改造面积测算的资金需求远高于其预算。
- 申请安排的项目 {len(req)} 个，申请资金 {req['requested'].sum() / 1e4:,.2f} 万元；资金控制数 {nx['cap_yuan'] / 1e4:,.2f} 万元
  （`next_year/control.csv`）。"""
