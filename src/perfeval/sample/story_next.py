"""The sample city's next budget year (2022) as data: ex-ante candidates, declarations, requests.

The seed report names the stages before the budget: 事前绩效评估 of major new projects (入黄干流生态
修复治理 such as 清水沟、南干沟, an industrial park such as 中国自动化绿色精密锻造产业园), 绩效目标审核
of every declared project, and 择优排序 of the candidates under the budget's means (轻重缓急). This
module holds the words and the plan of that story; ``next_year.py`` draws the numbers. Everything is
fictional.

* :data:`CANDIDATES` — six new projects assessed ex ante by a five-expert panel, each with the level
  the panel sees per dimension (share of the points), the conclusion the story intends under the
  default rule (one of them exactly 60.00: 部分支持 under the default rule, 不予立项 under the local
  rule "≤ 60 不予立项"), the written opinions and the items found uneconomic;
* :data:`CONTINUING` — projects of 2021 that ask for money again in 2022, with the flaws planted in
  their 2022 target declarations (inputs declared as outputs, a missing 时效 indicator, unmeasurable
  wording, targets below last year's actual, a 100 % satisfaction target, no overall goal);
* :data:`NEW_DECLARATIONS` — the target declarations of five of the six new projects (the sixth
  submitted none);
* :data:`CAP_YUAN` — the means available for these requests in 2022 (财力控制数).
"""
from __future__ import annotations

from typing import NamedTuple

NEXT_YEAR = 2022
CAP_YUAN = 230_000_000.0          # 2.30 亿元 for the 2022 requests below
EXPERTS = ("专家1", "专家2", "专家3", "专家4", "专家5")
# each expert's leaning, as a share of an item's points (专家2 strict, 专家5 lenient)
EXPERT_BIAS = (0.0, -0.04, 0.01, -0.01, 0.04)
DIMENSIONS = ("A", "B", "C", "D", "E")   # 立项必要性, 投入经济性, 绩效目标合理性, 实施方案可行性, 筹资合规性


class Candidate(NamedTuple):
    """A new project assessed ex ante."""

    project_id: str
    project_name: str
    department: str
    unit: str
    sector: str
    requested: float               # 元
    other_funds: float             # 元 from other sources (上级补助, 自筹)
    period: str
    levels: tuple                  # the panel's view per dimension A–E, as a share of the points
    intended: str                  # conclusion under the default rule
    exact_total: float | None      # a total the panel's sheet must add up to exactly (mean of five)
    background: str
    content: str
    goal: str
    funding: str
    opinions: tuple                # (dimension code, opinion) per expert, in expert order
    cuts: tuple                    # (item, amount 元, reason)


CANDIDATES: tuple[Candidate, ...] = (
    Candidate(
        "SZ2022-N01", "示例市清水河入河干流生态修复治理项目", "示例市水务局", "示例市水利工程建设管理中心", "水利",
        68_500_000.0, 10_000_000.0, "2022—2023年", (0.94, 0.80, 0.88, 0.86, 0.90), "予以支持", None,
        "清水河是示例市入河干流的主要支流，沿线排污口分散、河道淤积、岸坡裸露，2021年断面水质有4个月未达到Ⅲ类。"
        "市委、市政府将清水河生态修复列为2022年重点民生工程。",
        "实施河道清淤疏浚12.5公里，建设生态护岸8.2公里，整治入河排污口23处，建设人工湿地1处（约15公顷），"
        "并配套建设水质自动监测站2座。",
        "项目实施后清水河入河断面水质稳定达到Ⅲ类，河道防洪标准达到20年一遇，沿岸群众满意度达到90%以上。",
        "申请市级财政资金5,850.00万元，另申请上级水污染防治专项资金1,000.00万元。",
        (("B", "河道景观亮化工程与生态修复目标关联不大，建议从本项目中剔除。"),
         ("A", "项目符合流域水生态保护规划，立项依据充分，与部门职责相符。"),
         ("C", "绩效目标基本量化，建议补充湿地水质净化效果指标。"),
         ("B", "工程监理费按收费上限计取，建议按市场询价下浮后重新测算。"),
         ("D", "实施方案进度安排合理，汛期施工组织措施需进一步细化。")),
        (("河道景观亮化工程", 3_200_000.0, "与生态修复目标关联不大，不属于本项目必要支出"),
         ("工程监理费（按上限计取部分）", 450_000.0, "监理费按收费上限计取，按市场询价下浮后核减"))),
    Candidate(
        "SZ2022-N02", "示例市绿色精密锻造产业园基础设施建设项目", "示例市工业和信息化局", "示例市工业和信息化局", "科技产业",
        120_000_000.0, 30_000_000.0, "2022—2024年", (0.84, 0.62, 0.78, 0.70, 0.62), "部分支持（调整完善后支持）", None,
        "为承接精密锻造产业转移，示例市规划建设绿色精密锻造产业园，首期已有3家企业签订入园协议，园区道路、管网等"
        "基础设施尚未配套。",
        "建设园区道路6.8公里、给排水及燃气管网14公里、110千伏变电站1座，建设标准化厂房8万平方米及园区展示中心。",
        "2024年底前建成园区基础设施并具备企业入驻条件，入驻企业不少于10家，带动新增就业1,200人。",
        "申请市级财政资金9,000.00万元，园区平台公司融资3,000.00万元。",
        (("B", "标准化厂房属经营性资产，应由市场主体投资建设，不宜使用财政资金。"),
         ("E", "平台公司融资部分的还款来源不明确，存在形成隐性债务的风险，须补充论证。"),
         ("B", "园区展示中心不属于基础设施，建议核减。"),
         ("D", "入园企业仅3家签约，分期建设方案应与招商进度挂钩。"),
         ("C", "就业目标测算依据不足，建议按签约企业用工计划重新测算。")),
        (("标准化厂房建设", 45_000_000.0, "属经营性资产，应由市场主体投资建设"),
         ("园区展示中心", 6_000_000.0, "不属于园区基础设施，非必要支出"),
         ("园区平台公司融资", 30_000_000.0, "还款来源不明确，存在形成隐性债务的风险，补充论证前不纳入安排"))),
    Candidate(
        "SZ2022-N03", "示例市南干沟水环境综合整治项目", "示例市生态环境局", "示例市水环境保护中心", "生态环保",
        42_000_000.0, 0.0, "2022年", (0.86, 0.80, 0.84, 0.82, 0.86), "予以支持", None,
        "南干沟承接城区东部雨污混流排水，旱季黑臭、雨季溢流，是2021年环保督察反馈问题之一，需限期整改。",
        "新建截污管网9.6公里，改造雨污混接点41处，建设一体化污水处理设施2座，实施沟道生态修复3.2公里。",
        "2022年底前消除南干沟黑臭水体，沟道出口断面主要水质指标达到Ⅳ类，周边居民满意度达到90%以上。",
        "全部申请市级财政资金4,200.00万元。",
        (("A", "属环保督察反馈问题整改项目，立项必要、时间紧迫。"),
         ("B", "在线监测设备单价高于市场询价，建议按询价结果核减。"),
         ("D", "截污管网与城区排水管网改造项目存在衔接，须明确界面，避免重复建设。"),
         ("C", "绩效目标明确，水质目标与督察整改要求一致。"),
         ("E", "资金来源清晰，筹资方式合规。")),
        (("在线监测设备（高于询价部分）", 850_000.0, "设备单价高于市场询价，按询价结果核减"),)),
    Candidate(
        "SZ2022-N04", "示例市智慧城市运行管理中心建设项目", "示例市政务服务管理局", "示例市政务服务管理局", "一般公共服务",
        38_000_000.0, 0.0, "2022—2023年", (0.50, 0.46, 0.50, 0.58, 0.70), "不予支持", None,
        "拟建设全市统一的城市运行管理中心，汇聚城管、交通、应急等部门数据，实现城市运行“一屏统览”。",
        "建设运行管理中心大厅及指挥大屏，采购服务器、存储和网络设备，开发城市运行综合管理平台。",
        "城市运行管理水平明显提升，部门协同效率有效提高。",
        "全部申请市级财政资金3,800.00万元。",
        (("A", "与已建成的一网通办平台和城市运行监测平台功能大量重复，唯一性不足。"),
         ("B", "服务器、存储按高配置测算，单价明显高于同类项目，预算测算依据不充分。"),
         ("C", "绩效目标以“明显提升”“有效提高”等定性表述为主，无法考核。"),
         ("A", "未提供部门数据共享的前期论证和集体决策材料。"),
         ("D", "平台建成后的运维经费和人员未落实，可持续性存疑。")),
        ()),
    Candidate(
        "SZ2022-N05", "示例市社区老年助餐服务体系建设项目", "示例市民政局", "示例市民政局", "社会保障",
        9_800_000.0, 1_800_000.0, "2022年", (0.94, 0.88, 0.92, 0.90, 0.92), "予以支持", None,
        "示例市60岁以上老年人口占比达19.6%，独居、高龄老人就餐难问题突出，2021年试点的8个社区助餐点运行良好。",
        "新建社区老年助餐点40个，对高龄、失能、低保老年人给予每餐3元至5元的就餐补助。",
        "2022年建成助餐点40个，覆盖城区社区80%以上，年服务老年人不少于30万人次，用餐老人满意度达到90%以上。",
        "申请市级财政资金800.00万元，福利彩票公益金180.00万元。",
        (("A", "回应老年人就餐难的民生需求，试点基础好，必要性充分。"),
         ("C", "绩效目标具体可考核。"),
         ("B", "助餐点建设按每个20万元测算，标准合理。"),
         ("D", "运营主体通过政府购买服务确定，方案可行。"),
         ("E", "福彩公益金配套已落实。")),
        ()),
    Candidate(
        "SZ2022-N06", "示例市中小学校园足球场地提升工程", "示例市教育局", "示例市教育局", "教育",
        16_500_000.0, 0.0, "2022年", (0.66, 0.62, 0.50, 0.56, 0.66), "部分支持（调整完善后支持）", 60.0,
        "全市中小学现有足球场地31块，其中人造草坪老化、存在安全隐患的12块。",
        "翻新改造人造草坪足球场12块，新建笼式足球场8块。",
        "校园足球场地条件得到改善。",
        "全部申请市级财政资金1,650.00万元。",
        (("C", "未编报绩效目标申报表，绩效目标过于笼统，无法考核。"),
         ("B", "新建笼式足球场与学校现有场地重复，建议优先翻新改造。"),
         ("D", "实施方案未明确各校施工时序，可能影响正常教学。"),
         ("A", "场地改造有安全需要，但应与体育设施建设规划衔接。"),
         ("E", "资金来源为市级财政，合规。")),
        (("新建笼式足球场", 4_800_000.0, "与学校现有场地重复建设"),)),
)


class NewDeclaration(NamedTuple):
    """A new project's 2022 target declaration: overall goal and (level1, level2, level3, target) rows."""

    project_id: str
    goal: str | None
    rows: tuple


NEW_DECLARATIONS: tuple[NewDeclaration, ...] = (
    NewDeclaration("SZ2022-N01", "2022年完成清水河河道清淤疏浚12.5公里、生态护岸8.2公里，入河断面水质稳定达到Ⅲ类。", (
        ("产出指标", "数量指标", "河道清淤疏浚长度", "≥12.5公里"),
        ("产出指标", "数量指标", "建设生态护岸长度", "≥8.2公里"),
        ("产出指标", "数量指标", "整治入河排污口", "≥23处"),
        ("产出指标", "质量指标", "工程验收合格率", "=100%"),
        ("产出指标", "时效指标", "主体工程完工时间", "2023年10月"),
        ("产出指标", "成本指标", "单位河道综合治理成本", "≤560万元/公里"),
        ("效益指标", "生态效益指标", "入河断面水质达到Ⅲ类的月份占比", "≥90%"),
        ("效益指标", "社会效益指标", "河道防洪标准", "≥20年一遇"),
        ("满意度指标", "服务对象满意度指标", "沿岸群众满意度", "≥90%"))),
    NewDeclaration("SZ2022-N02", "2024年底前建成园区道路、管网和变电站，具备企业入驻条件。", (
        ("产出指标", "数量指标", "建设园区道路", "≥6.8公里"),
        ("产出指标", "数量指标", "建设给排水及燃气管网", "≥14公里"),
        ("产出指标", "质量指标", "工程验收合格率", "=100%"),
        ("产出指标", "时效指标", "基础设施完工时间", "2024年12月"),
        ("产出指标", "成本指标", "道路综合造价", "≤900万元/公里"),
        ("效益指标", "经济效益指标", "入驻企业数量", "≥10家"),
        ("效益指标", "社会效益指标", "带动新增就业", "≥1200人"),
        ("满意度指标", "服务对象满意度指标", "入园企业满意度", "=100%"))),
    NewDeclaration("SZ2022-N03", "2022年底前消除南干沟黑臭水体，出口断面主要水质指标达到Ⅳ类。", (
        ("产出指标", "数量指标", "新建截污管网", "≥9.6公里"),
        ("产出指标", "数量指标", "改造雨污混接点", "≥41处"),
        ("产出指标", "数量指标", "建设一体化污水处理设施", "≥2座"),
        ("产出指标", "质量指标", "工程验收合格率", "=100%"),
        ("产出指标", "时效指标", "完工时间", "2022年11月"),
        ("产出指标", "成本指标", "截污管网建设成本", "≤260万元/公里"),
        ("效益指标", "生态效益指标", "黑臭水体消除比例", "=100%"),
        ("效益指标", "生态效益指标", "出口断面主要水质指标达标率", "≥90%"),
        ("满意度指标", "服务对象满意度指标", "周边居民满意度", "≥90%"))),
    NewDeclaration("SZ2022-N04", "城市运行管理水平明显提升。", (
        ("产出指标", "数量指标", "建设城市运行管理平台", "按计划完成"),
        ("产出指标", "数量指标", "接入部门数据", "全面接入"),
        ("产出指标", "质量指标", "平台运行质量", "稳定可靠"),
        ("产出指标", "时效指标", "完成时间", "2023年6月"),
        ("产出指标", "成本指标", "项目总成本", "≤3800万元"),
        ("效益指标", "社会效益指标", "部门协同效率", "有效提高"),
        ("满意度指标", "服务对象满意度指标", "使用部门满意度", "≥90%"))),
    NewDeclaration("SZ2022-N05", "2022年建成社区老年助餐点40个，年服务老年人不少于30万人次。", (
        ("产出指标", "数量指标", "新建社区老年助餐点", "≥40个"),
        ("产出指标", "数量指标", "年服务老年人", "≥30万人次"),
        ("产出指标", "质量指标", "助餐点食品安全检查合格率", "=100%"),
        ("产出指标", "时效指标", "助餐点建成时间", "2022年9月"),
        ("产出指标", "成本指标", "助餐点建设补助标准", "≤20万元/个"),
        ("效益指标", "社会效益指标", "城区社区助餐服务覆盖率", "≥80%"),
        ("满意度指标", "服务对象满意度指标", "用餐老人满意度", "≥90%"))),
)


class Continuing(NamedTuple):
    """A 2021 project asking for money again in 2022, and what is wrong with its 2022 declaration."""

    project_id: str
    factor: float          # 2022 request = 2021 initial budget × factor (rounded to 万元)
    flaws: tuple           # names of the planted flaws (see next_year.FLAWS)


CONTINUING: tuple[Continuing, ...] = (
    Continuing("SZ2021-001", 1.00, ()),
    Continuing("SZ2021-002", 0.40, ("drop_timeliness",)),
    Continuing("SZ2021-006", 1.05, ()),
    Continuing("SZ2021-013", 1.00, ()),                       # its 2021 unit cost × area is far above its budget
    Continuing("SZ2021-052", 1.00, ()),                       # graded 良 in its 2021 self-evaluation
    Continuing("SZ2021-067", 1.10, ("vague_outputs",)),
    Continuing("SZ2021-069", 1.00, ()),
    Continuing("SZ2021-103", 1.02, ()),
    Continuing("SZ2021-131", 1.00, ("below_history",)),       # beat its 2021 target 2.6 times, asks for less again
    Continuing("SZ2021-162", 0.90, ("no_goal", "inputs_as_outputs", "drop_timeliness", "satisfaction_100")),
    Continuing("SZ2021-174", 1.00, ("satisfaction_100",)),
    Continuing("SZ2021-175", 1.00, ("inputs_as_outputs",)),
)

# inputs declared as outputs (the local guide: 财力、人力、物力投入数量不能作为绩效目标, domain.md §4.3)
INPUT_ROWS = (("产出指标", "数量指标", "资金到位率", "=100%"),
              ("产出指标", "数量指标", "投入工作人员", "≥30人"))
# unmeasurable wording for the first outputs of a declaration
VAGUE_WORDS = ("按计划完成", "按期建成", "验收合格", "质量良好")

__all__ = ["CANDIDATES", "CAP_YUAN", "CONTINUING", "Candidate", "Continuing", "DIMENSIONS", "EXPERTS",
           "EXPERT_BIAS", "INPUT_ROWS", "NEW_DECLARATIONS", "NEXT_YEAR", "NewDeclaration", "VAGUE_WORDS"]
