"""Words every service shares: hazard categories (the plan's focus areas), their
sub-categories, and the lead departments (牵头部门).

Which departments lead a category is campaign data, not code: each campaign lists its
categories with their lead units (reporting's ``campaign.categories_published``), and the
hazard ledger follows the newest campaign published. ``DEFAULT_LEADS`` below is only the
fallback for a category no campaign has named yet (a fresh install before the seed
campaign is loaded); the campaign's data always wins over it."""

from __future__ import annotations

# Categories follow the plan's focus areas (整治重点): code -> Chinese label. These codes
# are what hazards, checklists and risk points are filed under; a campaign names the
# leads of each of them.
CATEGORIES: dict[str, str] = {
    "responsibility": "责任落实",
    "grid": "网格管理",
    "prevention": "安全防控",
    "public_security": "治安安全",
    "crime_prevention": "涉校违法犯罪防范",
    "education": "安全教育和心理健康教育",
    "fire": "消防安全",
    "traffic": "通勤车及交通安全",
    "food": "食品安全",
    "lab_chemicals": "实验实训室危化品",
    "special_equipment": "特种设备",
    "construction": "建筑与施工安全",
    "political": "政治安全",
}
# Default lead departments per category, first one first (it is also kept as a hazard's
# single ``lead_department``). Only used until a campaign publishes its own leads; they
# follow the 2021 plan's table, where tasks 一, 五, 六 and 八 have co-leads. 九 (食品) names
# no lead, so the department that answers for it (后勤管理处) leads it.
DEFAULT_LEADS: dict[str, tuple[str, ...]] = {
    "responsibility": ("DZB", "BWC"),
    "grid": ("BWC",),
    "prevention": ("BWC",),
    "public_security": ("BWC",),
    "crime_prevention": ("BWC", "XGC"),
    "education": ("XGC", "BWC"),
    "fire": ("BWC",),
    "traffic": ("HQC", "DZB", "BWC"),
    "food": ("HQC",),
    "lab_chemicals": ("JWC",),
    "special_equipment": ("JWC",),
    "construction": ("HQC",),
    "political": ("XCB",),
}
# Sub-categories: what each focus task of the plan (三、整治重点) names as its points — the
# places, links or matters it says to check. code -> {sub-category code: Chinese label}.
SUBCATEGORIES: dict[str, dict[str, str]] = {
    # (一) 强化责任落实
    "responsibility": {
        "subject_responsibility": "各级安全主体责任",
        "all_staff_system": "全员安全责任体系",
        "accountability_mechanism": "明责、知责、履责、问责运行机制",
        "party_government": "党政同责、一岗双责",
    },
    # (二) 完善网格管理
    "grid": {
        "staff_adjustment": "网格人员动态调整",
        "hazard_supervision": "网格隐患排查督促指导",
        "roster_posting": "网格管理人员名单公示",
    },
    # (三) 加强安全防控
    "prevention": {
        "risk_assessment": "安全风险辨识评估",
        "risk_control": "风险预警、管控、公告",
        "hazard_inspection": "隐患排查治理（日检查、周整改、月汇总）",
        "coordination": "协同联动机制",
    },
    # (四) 治安安全整治
    "public_security": {
        "security_staff": "专业保安配备",
        "security_facilities": "安防设施和技防建设",
        "conflict_resolution": "涉校涉生矛盾化解",
        "key_persons": "重点人员管控",
        "gate_patrol": "门卫值守和内部巡查",
        "intrusion": "无关人员和危险物品进校园",
        "surroundings": "校园周边综合治理",
        "gate_traffic": "校门口及周边道路交通秩序",
    },
    # (五) 涉校违法犯罪防范治理
    "crime_prevention": {
        "bullying": "校园暴力和欺凌",
        "abuse": "学生侵害和虐待",
        "telecom_fraud": "电信网络诈骗",
        "legacy_cases": "历史遗留问题",
        "staff_screening": "入职查询和从业资格审查",
        "minor_protection": "未成年人保护",
        "legal_education": "普法宣传与法治教育",
    },
    # (六) 落实安全教育和心理健康教育任务
    "education": {
        "safety_education": "安全主题教育",
        "drills": "安全演练和自救互救",
        "practice_safety": "实训实习和校外社会实践安全",
        "psych_courses": "心理健康教育课程",
        "psych_intervention": "心理问题学生排查干预",
        "counseling": "心理健康辅导室和教师配备",
    },
    # (七) 消防安全整治: the places it singles out, then its management tasks
    "fire": {
        "high_rise": "高层建筑",
        "canteen": "学生食堂",
        "dormitory": "宿舍",
        "teaching_building": "教学楼",
        "library": "图书馆",
        "lab": "实验实训室",
        "hazmat_warehouse": "危险品仓库",
        "storage_warehouse": "物资仓库",
        "management_rules": "消防安全管理制度",
        "rescue_linkage": "消防救援联动机制",
        "education_drill": "消防安全教育和疏散逃生演练",
    },
    # (八) 通勤车及交通安全整治
    "traffic": {
        "commuter_vehicles": "通勤车辆和公务车辆运行安全",
        "driver_education": "驾驶人安全教育",
        "traffic_education": "师生交通安全教育",
        "motor_vehicles": "院内机动车辆行驶",
        "ebike_parking": "电动车乱停乱放",
        "illegal_charging": "违规充电",
    },
    # (九) 食品安全整治: the service places, then its management tasks
    "food": {
        "canteen": "食堂",
        "supermarket": "超市",
        "tea_shop": "茶饮店",
        "distribution_center": "配送中心",
        "management_rules": "食品安全管理制度",
        "self_inspection": "食品安全自查自纠",
        "pesticide_residue": "农产品农药残留检测",
        "cold_chain": "冷链食材溯源",
        "dean_responsibility": "院长负责制和陪餐制度",
    },
    # (十) 实验实训室危化品安全整治: the links it says to check
    "lab_chemicals": {
        "responsibility_system": "分级管理责任体系和监督体系",
        "hazard_sources": "危险源全周期管理",
        "purchase": "危化品购买",
        "storage": "危化品存储",
        "use": "危化品使用",
        "waste_disposal": "危险废弃物处置",
        "utilities": "水、电、气安全管理",
    },
    # (十) 特种设备 (电梯、压力容器、气瓶): the matters it says to check
    "special_equipment": {
        "registration": "设备使用登记",
        "periodic_inspection": "定期检验",
        "safety_organization": "安全管理机构设置",
        "staffing": "安全管理人员及作业人员配备",
        "operating_rules": "管理制度与操作规程",
        "emergency_plan": "应急预案制定及演练",
    },
    # (十一) 建筑与施工安全整治
    "construction": {
        # 全面排查建筑物安全隐患，逐一建档造册: the buildings register's appraisal lapses
        "building_appraisal": "建筑物安全排查与房屋安全鉴定",
        "illegal_construction": "违法建设",
        "structure_change": "违规改变建筑主体结构或使用功能",
        "corrosion_aging": "建筑物内外设施腐蚀老化",
        "low_lying": "低洼地带",
        "geological": "地质灾害点和易滑坡地段",
        "lightning": "易遭受雷击区域",
        "subsidence": "基础沉陷",
        "construction_site": "在建项目施工场所隔离管理",
    },
    # (十二) 维护国家政治安全
    "political": {
        "ideological_education": "党史学习教育和思政工作",
        "ideology_responsibility": "意识形态工作责任制",
        "propaganda_positions": "宣传思想文化阵地",
        "online_media": "网络媒体",
        "key_groups": "重点领域和重点人群",
        "risk_assessment": "政治安全与意识形态风险研判",
    },
}
ALL_SUBCATEGORIES = sorted({sub for subs in SUBCATEGORIES.values() for sub in subs})
# Lead departments (牵头部门) by unit code, as in the 2021 plan.
LEAD_DEPARTMENTS = {
    "DZB": "党政办公室",
    "BWC": "安全保卫处",
    "XGC": "学生工作处",
    "HQC": "后勤管理处",
    "JWC": "教务处",
    "XCB": "宣传统战部",
}


def category_label(code: str) -> str:
    return CATEGORIES.get(code, code)


def subcategory_label(category: str, subcategory: str | None) -> str | None:
    """The sub-category's Chinese label (None without one; the code if unknown)."""
    if subcategory is None:
        return None
    return SUBCATEGORIES.get(category, {}).get(subcategory, subcategory)


def is_subcategory_of(category: str, subcategory: str) -> bool:
    return subcategory in SUBCATEGORIES.get(category, {})


def default_leads(category: str) -> list[str]:
    """The built-in leads of ``category``: only a fallback while no campaign names them."""
    return list(DEFAULT_LEADS.get(category, ()))


def default_led_categories(unit_code: str) -> list[str]:
    """The categories ``unit_code`` leads by default (no campaign has named their leads)."""
    return [code for code, leads in DEFAULT_LEADS.items() if unit_code in leads]
