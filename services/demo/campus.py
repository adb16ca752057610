"""The demo campus as data: its units (the 2021 campaign's, so the campaign, the ledger and
the statistics name the same units), the place tree, the people with the roles they sign
in with, and the hazards and activities `seed` makes through the services' commands.

Names are made up; phone numbers are in the range mainland operators keep for tests
(1380000xxxx is not assigned to anyone here on purpose: they are only formally valid)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from services.reporting.commands import SEED_CAMPAIGN
from shared.principal import (
    GRID_STAFF,
    LEAD_DEPARTMENT,
    LEADERSHIP,
    PSYCH_CENTRE,
    SECURITY_OFFICE,
    UNIT_MANAGER,
)

CAMPUS_CODE = "campus"
CAMPUS_NAME = "兰州现代职业学院"


def units() -> list[tuple[str, str, str]]:
    """(code, name, kind) of every unit the 2021 campaign names."""
    plan = json.loads(SEED_CAMPAIGN.read_text(encoding="utf-8"))
    return [(u["unit_code"], u["name"], u["kind"]) for u in plan["units"]]


@dataclass(frozen=True)
class Place:
    """A place under ``parent`` (a unit code for a unit's top places, else a place code)."""

    code: str
    name: str
    area_type: str
    parent: str
    location: str | None = None


PLACES: tuple[Place, ...] = (
    Place("JD-SX", "机电实训楼", "lab", "JD", "校园东区"),
    Place("JD-SX-101", "数控加工实训室", "lab", "JD-SX", "机电实训楼一层"),
    Place("JD-SX-201", "电工电子实训室", "lab", "JD-SX", "机电实训楼二层"),
    Place("JD-JX", "机电教学楼", "teaching", "JD", "校园东区"),
    Place("JD-JX-301", "301 多媒体教室", "teaching", "JD-JX", "机电教学楼三层"),
    Place("XX-XXL", "信息楼", "teaching", "XX", "校园北区"),
    Place("XX-XXL-402", "402 计算机机房", "lab", "XX-XXL", "信息楼四层"),
    Place("CW-SML", "商贸楼", "teaching", "CW", "校园西区"),
    Place("HQC-ST1", "第一学生食堂", "canteen", "HQC", "校园中区"),
    Place("HQC-GY3", "学生公寓3号楼", "dormitory", "HQC", "校园南区"),
    Place("HQC-GY3-512", "3号楼512宿舍", "dormitory", "HQC-GY3", "学生公寓3号楼五层"),
    Place("BWC-JK", "监控中心", "office", "BWC", "行政楼一层"),
)


@dataclass(frozen=True)
class Person:
    """``key``: how the seed refers to them. ``login``: their staff number, which is also
    their sign-in name; None for people who do not sign in. ``roles``: the token's."""

    key: str
    name: str
    unit: str
    phone: str
    login: str | None = None
    roles: tuple[str, ...] = ()


PEOPLE: tuple[Person, ...] = (
    Person("office", "赵安平", "BWC", "13800000101", "demo-office", (SECURITY_OFFICE,)),
    Person("leader", "钱校长", "DZB", "13800000102", "demo-leader", (LEADERSHIP,)),
    Person("lead", "孙后勤", "HQC", "13800000103", "demo-lead", (LEAD_DEPARTMENT,)),
    Person("manager", "李机电", "JD", "13800000104", "demo-manager", (UNIT_MANAGER,)),
    Person("staff", "周网格", "JD", "13800000105", "demo-grid", (GRID_STAFF,)),
    Person("psych", "吴心语", "XLZX", "13800000106", "demo-psych", (PSYCH_CENTRE,)),
    # People of the grid who do not sign in: heads and safety officers of other places.
    Person("xx_head", "郑信息", "XX", "13800000107"),
    Person("xx_officer", "王机房", "XX", "13800000108"),
    Person("hqc_officer", "冯膳食", "HQC", "13800000109"),
    Person("jd_officer", "陈实训", "JD", "13800000110"),
)

# (place code — a unit code for the unit's cell —, role, person key). Some units keep
# their cells without a head or safety officer: the gaps page has something to show.
ASSIGNMENTS: tuple[tuple[str, str, str], ...] = (
    (CAMPUS_CODE, "head", "leader"),
    (CAMPUS_CODE, "safety_officer", "office"),
    ("BWC", "head", "office"),
    ("JD", "head", "manager"),
    ("JD", "safety_officer", "staff"),
    ("JD-SX", "head", "manager"),
    ("JD-SX", "safety_officer", "jd_officer"),
    ("JD-SX-101", "safety_officer", "staff"),
    ("JD-SX-201", "safety_officer", "staff"),
    ("JD-JX", "head", "manager"),
    ("JD-JX", "safety_officer", "staff"),
    ("XX", "head", "xx_head"),
    ("XX-XXL", "safety_officer", "xx_officer"),
    ("HQC", "head", "lead"),
    ("HQC-ST1", "safety_officer", "hqc_officer"),
)

# Background checks (入职查询) of the people assigned above, done a year ago; valid two
# years from today, but 陈实训's ends in 20 days: the office's to-do shows it (issue 16).
CHECKED_DAYS_AGO = 365
CHECK_VALID_DAYS = {"jd_officer": 20}


@dataclass(frozen=True)
class DemoHazard:
    """A hazard reported by ``reporter`` at ``place``, then walked by ``steps`` (paths of
    the hazard API's loop actions, each by the person key given) to the stage it shows."""

    reporter: str
    place: str
    category: str
    subcategory: str | None
    description: str
    steps: tuple[str, ...] = ()
    location: str | None = None


# The loop's steps in order, each with the person who takes it in the demo and its body.
LOOP: tuple[tuple[str, str, dict], ...] = (
    ("register", "manager", {"severity": "general", "deadline_days": 14}),
    ("report", "manager", {"comment": "已报学院安全工作领导小组"}),
    (
        "start-remediation",
        "manager",
        {
            "responsible_person": "陈实训",
            "measures": "更换老化线路，加装漏电保护",
            "contingency_plan": "整改期间停用该区域设备，专人值守",
        },
    ),
    ("rectify", "staff", {"evidence": "已完成整改，现场复查正常"}),
    ("accept", "office", {"comment": "复查合格"}),
    ("close", "office", {"comment": "整改到位，予以销号"}),
    ("archive", "office", {"comment": "资料齐全，备案存档"}),
)
STEP_NAMES = tuple(path for path, _, _ in LOOP)


def steps_to(stage_index: int) -> tuple[str, ...]:
    """The first ``stage_index`` steps of the loop."""
    return STEP_NAMES[:stage_index]


# One hazard in every stage (已发现 … 已存档), then a few more across units.
HAZARDS: tuple[DemoHazard, ...] = (
    DemoHazard("staff", "JD-SX-101", "fire", "lab", "实训室灭火器压力不足，已过检验期"),
    DemoHazard("manager", "JD-SX-201", "fire", "lab", "配电箱线路老化，外皮破损", steps_to(1)),
    DemoHazard(
        "manager", "JD-JX-301", "fire", "teaching_building", "教室安全出口指示灯不亮", steps_to(2)
    ),
    DemoHazard(
        "manager",
        "JD-SX",
        "lab_chemicals",
        "storage",
        "切削液与废机油混放，未分类存储",
        steps_to(3),
    ),
    DemoHazard(
        "manager",
        "JD-JX",
        "fire",
        "teaching_building",
        "楼道堆放废旧桌椅，占用疏散通道",
        steps_to(4),
    ),
    DemoHazard("manager", "JD-SX-101", "special_equipment", None, "行车限位器失灵", steps_to(5)),
    DemoHazard("manager", "JD-SX-201", "fire", "lab", "实训台插线板私拉乱接", steps_to(6)),
    DemoHazard(
        "manager", "JD-JX-301", "fire", "teaching_building", "窗帘靠近投影机热源", steps_to(7)
    ),
    DemoHazard("lead", "HQC-ST1", "food", "canteen", "后厨生熟案板未分开使用"),
    DemoHazard("office", "XX-XXL-402", "fire", "lab", "机房空调冷凝水滴落在电源插座上"),
    DemoHazard("office", "HQC-GY3-512", "fire", "dormitory", "宿舍内使用大功率电器"),
)


@dataclass(frozen=True)
class DemoActivity:
    """An activity of JD's manager ``days`` from today (negative: already held), at
    ``hour`` campus time, ``minutes`` long. A drill's ``problems`` are recorded with its
    result (participants) and each opens a hazard in the ledger (drill.problem_found)."""

    kind: str
    title: str
    venue: str
    days: int
    hour: int
    minutes: int
    theme: str | None = None
    participants: int | None = None
    problems: tuple[dict, ...] = field(default_factory=tuple)


ACTIVITIES: tuple[DemoActivity, ...] = (
    DemoActivity(
        "lecture",
        "实训室消防安全知识讲座",
        "机电教学楼301多媒体教室",
        days=7,
        hour=15,
        minutes=90,
        theme="消防安全",
    ),
    DemoActivity(
        "drill",
        "机电实训楼火灾疏散演练",
        "机电实训楼",
        days=-1,
        hour=10,
        minutes=60,
        theme="应急疏散",
        participants=120,
        problems=(
            {
                "category": "fire",
                "description": "演练中发现实训楼东侧安全出口门锁闭，疏散受阻",
                "place": "JD-SX",
            },
        ),
    ),
)


# -- the registers (风险点、特种设备、日常巡查) --------------------------------------------
@dataclass(frozen=True)
class DemoRisk:
    """A risk point at ``place`` identified by JD's manager (R = L × S sets its colour)."""

    place: str
    category: str
    name: str
    likelihood: int
    severity: int
    control_measures: str
    owner_name: str
    hazard_factors: str | None = None
    emergency_measures: str | None = None


RISKS: tuple[DemoRisk, ...] = (
    DemoRisk(
        "JD-SX-101",
        "special_equipment",
        "桥式起重机（行车）作业区",
        4,
        5,
        "持证上岗，每班前检查限位器和制动器，作业区设警戒线",
        "陈实训",
        "起吊物坠落、限位器失灵",
        "立即停机断电，疏散作业区人员，报告设备管理员",
    ),
    DemoRisk(
        "JD-SX-201",
        "fire",
        "实训配电箱与插线板",
        3,
        4,
        "定期检测线路绝缘，禁止私拉乱接，下课断电",
        "陈实训",
        "线路老化、过载",
        "切断电源，用干粉灭火器扑救初起火灾，拨打119",
    ),
    DemoRisk(
        "JD-SX",
        "lab_chemicals",
        "切削液与废机油暂存点",
        3,
        3,
        "分类存放，设防渗托盘和标识，专人管理台账",
        "陈实训",
        "泄漏、混放",
    ),
    DemoRisk(
        "JD-JX-301", "fire", "多媒体教室电气设备", 2, 3, "投影机周围禁放可燃物，课后断电", "李机电"
    ),
)


@dataclass(frozen=True)
class DemoEquipment:
    """Special equipment at ``place``, last inspected ``last_days`` ago, due in ``due_days``
    (within the month: on the due list as 即将到期, not yet overdue)."""

    registration_no: str
    kind: str
    name: str
    place: str
    location: str
    keeper_name: str
    last_days: int
    due_days: int


EQUIPMENT: tuple[DemoEquipment, ...] = (
    DemoEquipment(
        "起11甘A0001(21)",
        "lifting",
        "5吨桥式起重机",
        "JD-SX-101",
        "实训楼一层东跨",
        "陈实训",
        340,
        25,
    ),
    DemoEquipment(
        "容11甘A0002(20)",
        "pressure_vessel",
        "空压机储气罐",
        "JD-SX-201",
        "二层设备间",
        "陈实训",
        200,
        165,
    ),
)
# The grid staff's daily inspection of a place they hold today, every item passed.
INSPECTION = ("staff", "JD-SX-101", "fire-daily")
