"""The four evaluation templates the portal starts with, from public sources (EVALUATION.md).

Requirement texts are short paraphrases of the standards' items, not their wording. Points, baseline and
leading values that no public source settles are marked ``uncertain``: city staff confirm or change them on
the template screens before a round chooses the template (a chosen template is frozen).

Item tuple: (code, text, kind, points, unit, direction, baseline, leading, evidence_required, uncertain)
"""

V, R, O, Q = "veto", "required", "optional", "quantitative"  # noqa: E741
LOW, HIGH = "lower", "higher"


def req(code, text, kind, points=0, evidence=True, uncertain=False):
    return (code, text, kind, points, "", "", None, None, evidence, uncertain)


def ind(code, text, points, unit, direction, baseline, leading, uncertain=True):
    return (code, text, Q, points, unit, direction, baseline, leading, True, uncertain)


BASIC_FACTORY = [
    req("J1", "依法设立，近三年无较大及以上安全、环境、质量事故（第十二条所列情形之外）", V),
    req("J2", "遵守有关法律法规、政策和标准，满足相关方要求", V),
    req("J3", "最高管理者承诺并落实绿色工厂建设的职责", V),
    req("J4", "设立绿色工厂管理机构，制定目标、计划并开展培训", V),
]

FACTORY_2018 = {
    "kind": "factory",
    "standard": "GB/T 36132-2018",
    "name": "绿色工厂评价（GB/T 36132-2018）",
    "baseline_share": "0.6",
    "source": "GB/T 36132-2018《绿色工厂评价通则》第4-5章；工信部绿色工厂自评价报告模板（附件2-1）。"
    "一级指标权重按常见引用（基础设施20、管理体系15、能源与资源投入15、产品10、环境排放10、绩效30），待核实。",
    "areas": [
        ("A", "基本要求", BASIC_FACTORY),
        (
            "B",
            "基础设施",
            [
                req("B1", "建筑：节材、节能、节水，使用绿色建材", R, 4, uncertain=True),
                req("B2", "照明：使用节能灯具，分区分级控制", R, 3, uncertain=True),
                req("B3", "专用设备符合产业准入要求，能效达到国家标准", R, 4, uncertain=True),
                req("B4", "通用设备不使用淘汰设备，使用高效节能设备", R, 3, uncertain=True),
                req("B5", "依法配备能源、水、物料计量器具", R, 3, uncertain=True),
                req("B6", "建筑达到绿色建筑标准或充分利用自然采光", O, 3, uncertain=True),
            ],
        ),
        (
            "C",
            "管理体系",
            [
                req("C1", "建立、实施并保持质量管理体系和职业健康安全管理体系", R, 5, uncertain=True),
                req("C2", "建立、实施并保持环境管理体系和能源管理体系", R, 6, uncertain=True),
                req("C3", "环境管理体系、能源管理体系通过第三方认证", O, 2, uncertain=True),
                req("C4", "发布社会责任报告", O, 2, uncertain=True),
            ],
        ),
        (
            "D",
            "能源与资源投入",
            [
                req("D1", "优化用能结构，建设厂区光伏、余热利用等", R, 5, uncertain=True),
                req("D2", "减少材料特别是有害物质的使用，评估替代可能", R, 4, uncertain=True),
                req("D3", "制定并实施绿色采购制度，对供方开展评价", R, 3, uncertain=True),
                req("D4", "使用可再生能源", O, 3, uncertain=True),
            ],
        ),
        (
            "E",
            "产品",
            [
                req("E1", "产品中有害物质的使用符合限制要求", R, 4, uncertain=True),
                req("E2", "开展产品生态设计", O, 2, uncertain=True),
                req("E3", "产品满足能效、节水等标准的先进值", O, 2, uncertain=True),
                req("E4", "开展产品碳足迹核算或核查", O, 2, uncertain=True),
            ],
        ),
        (
            "F",
            "环境排放",
            [
                req("F1", "大气、水体污染物排放符合国家和地方标准及总量控制要求", R, 4, uncertain=True),
                req("F2", "固体废物依法处置，噪声符合排放标准", R, 4, uncertain=True),
                req("F3", "开展温室气体排放核算并经第三方核查", O, 2, uncertain=True),
            ],
        ),
        (
            "G",
            "绩效",
            [
                ind("G1", "容积率", 4, "—", HIGH, "0.8", "1.6"),
                ind("G2", "单位用地面积产值", 4, "万元/亩", HIGH, "500", "2000"),
                ind("G3", "绿色物料使用率", 3, "%", HIGH, "20", "60"),
                ind("G4", "工业固体废物综合利用率", 4, "%", HIGH, "70", "95"),
                ind("G5", "废水处理回用率", 3, "%", HIGH, "20", "60"),
                ind("G6", "单位产品综合能耗", 6, "tce/万元", LOW, "0.10", "0.03"),
                ind("G7", "单位产品碳排放量", 6, "tCO₂e/万元", LOW, "0.30", "0.08"),
            ],
        ),
    ],
}

FACTORY_2025 = {
    "kind": "factory",
    "standard": "GB/T 36132-2025",
    "name": "绿色工厂评价（GB/T 36132-2025）",
    "baseline_share": "0.6",
    "source": "GB/T 36132-2025《绿色工厂评价通则》（2025-12-31实施）：五个一级指标，定量指标按基准值、引领值计分；"
    "能源、碳排放和资源效率约占60%。权重、基准值与引领值均为通用行业的暂定数，53个重点行业应按其行业要求修改，待核实。",
    "areas": [
        ("A", "基本要求", BASIC_FACTORY),
        (
            "EN",
            "能源低碳化",
            [
                ind("EN1", "单位产品综合能耗", 12, "tce/万元", LOW, "0.10", "0.03"),
                ind("EN2", "可再生能源使用比例", 8, "%", HIGH, "5", "30"),
                ind("EN3", "单位产品碳排放量", 10, "tCO₂e/万元", LOW, "0.30", "0.08"),
                req("EN4", "建立能源管理体系并开展能源计量、监测", R, 5, uncertain=True),
            ],
        ),
        (
            "RE",
            "资源高效化",
            [
                ind("RE1", "单位产品取水量", 8, "m³/万元", LOW, "5", "1"),
                ind("RE2", "水重复利用率", 6, "%", HIGH, "60", "95"),
                ind("RE3", "工业固体废物综合利用率", 6, "%", HIGH, "70", "95"),
                ind("RE4", "绿色物料使用率", 5, "%", HIGH, "20", "60"),
            ],
        ),
        (
            "CL",
            "生产洁净化",
            [
                ind("CL1", "单位产品主要污染物产生量", 7, "kg/万元", LOW, "0.5", "0.1"),
                req("CL2", "污染物排放稳定达标，危险废物规范管理", R, 5, uncertain=True),
                req("CL3", "开展清洁生产审核并通过评估", O, 3, uncertain=True),
            ],
        ),
        (
            "PR",
            "产品绿色化",
            [
                req("PR1", "开展产品生态设计或获得绿色设计产品认定", O, 5, uncertain=True),
                req("PR2", "开展产品碳足迹核算", O, 5, uncertain=True),
                req("PR3", "产品有害物质含量符合限制要求", R, 5, uncertain=True),
            ],
        ),
        (
            "LA",
            "用地集约化",
            [
                ind("LA1", "单位用地面积产值", 5, "万元/亩", HIGH, "500", "2000"),
                ind("LA2", "容积率", 5, "—", HIGH, "0.8", "1.6"),
            ],
        ),
    ],
}

PARK = {
    "kind": "park",
    "standard": "绿色工业园区评价要求",
    "name": "绿色工业园区评价",
    "baseline_share": "0.6",
    "source": "工信部绿色园区评价要求（六类指标）；基本要求：近三年无重大污染事故，设立专门机构且专职人员不少于2名。"
    "分值、基准值与引领值为暂定数，待核实；园区填报近三年数据时填最近一年。",
    "areas": [
        (
            "A",
            "基本要求",
            [
                req("J1", "近三年未发生重大污染事故或重大生态破坏事件", V),
                req("J2", "设立绿色园区建设专门机构，专职人员不少于2名", V),
                req("J3", "有明确的四至边界和统一的管理机构", V),
                req("J4", "发布园区绿色工厂培育方案或绿色发展规划", V),
            ],
        ),
        (
            "EN",
            "能源利用绿色化",
            [
                ind("EN1", "能源产出率", 8, "万元/tce", HIGH, "3", "10"),
                ind("EN2", "可再生能源使用比例", 7, "%", HIGH, "5", "15"),
                ind("EN3", "清洁能源使用率", 5, "%", HIGH, "75", "95"),
            ],
        ),
        (
            "RE",
            "资源利用绿色化",
            [
                ind("RE1", "水资源产出率", 6, "元/m³", HIGH, "500", "1500"),
                ind("RE2", "土地资源产出率", 5, "亿元/km²", HIGH, "15", "50"),
                ind("RE3", "工业固体废物综合利用率", 4, "%", HIGH, "70", "95"),
                ind("RE4", "工业用水重复利用率", 4, "%", HIGH, "80", "95"),
                ind("RE5", "中水回用率", 3, "%", HIGH, "20", "50"),
                ind("RE6", "余热资源回收利用率", 3, "%", HIGH, "30", "70"),
                ind("RE7", "再生资源回收利用率", 3, "%", HIGH, "60", "90"),
            ],
        ),
        (
            "IN",
            "基础设施绿色化",
            [
                req("IN1", "污水集中处理设施全覆盖", R, 5, uncertain=True),
                req("IN2", "新建工业建筑执行绿色建筑标准", O, 5, uncertain=True),
                req("IN3", "建设园区能源管理与环境监测平台", O, 5, uncertain=True),
            ],
        ),
        (
            "IG",
            "产业绿色化",
            [
                ind("IG1", "高新技术产业产值占园区工业总产值比例", 5, "%", HIGH, "30", "60"),
                ind("IG2", "绿色工厂产值占园区工业总产值比例", 5, "%", HIGH, "20", "50"),
            ],
        ),
        (
            "EC",
            "生态环境绿色化",
            [
                req("EC1", "主要污染物排放稳定达标，完成总量减排任务", R, 6, uncertain=True),
                ind("EC2", "单位工业增加值碳排放量", 6, "tCO₂e/万元", LOW, "1.0", "0.3"),
                ind("EC3", "园区绿化覆盖率", 3, "%", HIGH, "15", "30"),
            ],
        ),
        (
            "OM",
            "运行管理绿色化",
            [
                req("OM1", "发布园区绿色发展报告", O, 6, uncertain=True),
                req("OM2", "建立园区绿色发展的管理制度和考核机制", R, 6, uncertain=True),
            ],
        ),
    ],
}

SUPPLY_CHAIN = {
    "kind": "supply_chain",
    "standard": "绿色供应链管理企业评价指标",
    "name": "绿色供应链管理企业评价（百分制）",
    "baseline_share": "0.6",
    "source": "工信部绿色供应链管理企业评价指标体系（100分）：战略20、供应商管理20、绿色生产20、绿色回收20、"
    "信息平台10、信息披露10。比率类指标的基准值与引领值为暂定数，待核实。",
    "areas": [
        (
            "ST",
            "绿色供应链管理战略",
            [
                req("ST1", "将绿色供应链管理纳入企业发展规划", O, 8),
                req("ST2", "制定绿色供应链管理目标", O, 6),
                req("ST3", "设立绿色供应链管理专门机构", O, 6),
            ],
        ),
        (
            "SU",
            "实施绿色供应商管理",
            [
                req("SU1", "制定绿色采购标准和制度", O, 4),
                req("SU2", "推动供应商通过质量、环境等体系认证", O, 3),
                req("SU3", "定期对供应商进行审核", O, 3),
                req("SU4", "开展供应商绩效评估", O, 3),
                req("SU5", "对供应商开展绿色培训", O, 3),
                ind("SU6", "低风险供应商占比", 4, "%", HIGH, "50", "90"),
            ],
        ),
        (
            "GP",
            "绿色生产",
            [
                req("GP1", "节能、减排和环保合规", O, 10),
                req("GP2", "产品有害物质限制使用", O, 10),
            ],
        ),
        (
            "RC",
            "绿色回收",
            [
                ind("RC1", "产品回收率", 5, "%", HIGH, "10", "50"),
                ind("RC2", "包装回收率", 5, "%", HIGH, "20", "80"),
                req("RC3", "建立回收体系", O, 5),
                req("RC4", "为下游回收处理企业提供拆解指导", O, 5),
            ],
        ),
        ("IP", "绿色信息平台建设", [req("IP1", "建设绿色供应链管理信息平台", O, 10)]),
        (
            "DI",
            "绿色信息披露",
            [
                req("DI1", "披露企业节能减排减碳信息", O, "2.5"),
                req("DI2", "披露高、中风险供应商审核率及低风险供应商占比", O, "2.5"),
                req("DI3", "披露供应商节能减排减碳信息", O, "2.5"),
                req("DI4", "发布企业社会责任报告（含绿色采购信息）", O, "2.5"),
            ],
        ),
    ],
}

TEMPLATES = [FACTORY_2018, FACTORY_2025, PARK, SUPPLY_CHAIN]


def load(template_model, area_model, item_model, data):
    """Create one template (version 1, a draft) with its areas and items; returns it."""
    template = template_model.objects.create(
        kind=data["kind"],
        standard=data["standard"],
        name=data["name"],
        version=1,
        baseline_share=data["baseline_share"],
        source=data["source"],
    )
    for area_order, (code, name, items) in enumerate(data["areas"]):
        area = area_model.objects.create(template=template, code=code, name=name, order=area_order)
        for order, (icode, text, kind, points, unit, direction, baseline, leading, evidence, uncertain) in enumerate(
            items
        ):
            item_model.objects.create(
                area=area,
                code=icode,
                text=text,
                kind=kind,
                points=points,
                unit=unit,
                direction=direction,
                baseline=baseline,
                leading=leading,
                evidence_required=evidence,
                uncertain=uncertain,
                order=order,
            )
    return template
