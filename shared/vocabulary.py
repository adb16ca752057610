"""Words every service shares: hazard categories (the plan's focus areas) and the lead
departments (牵头部门) responsible for them."""

from __future__ import annotations

# Categories follow the plan's focus areas (整治重点): code -> (Chinese label, lead dept).
CATEGORIES: dict[str, tuple[str, str]] = {
    "responsibility": ("责任落实", "DZB"),
    "grid": ("网格管理", "BWC"),
    "prevention": ("安全防控", "BWC"),
    "public_security": ("治安安全", "BWC"),
    "crime_prevention": ("涉校违法犯罪防范", "BWC"),
    "education": ("安全教育和心理健康教育", "XGC"),
    "fire": ("消防安全", "BWC"),
    "traffic": ("通勤车及交通安全", "HQC"),
    "food": ("食品安全", "HQC"),
    "lab_chemicals": ("实验实训室危化品", "JWC"),
    "special_equipment": ("特种设备", "JWC"),
    "construction": ("建筑与施工安全", "HQC"),
    "political": ("政治安全", "XCB"),
}
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
    return CATEGORIES.get(code, (code, ""))[0]


def lead_department(category: str) -> str:
    return CATEGORIES[category][1]
