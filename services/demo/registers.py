"""The demo campus's issue-17 registers: hazardous chemicals, buildings, emergency plans,
vehicles and drivers, food safety and placements, each with a few believable records and at
least one lapse, so that their lists, due lists and 我的待办 are not empty on a first look.

Every body goes through the register API's own create schema (so what is seeded is what
the API would accept) and then its use case, by the person who keeps it: JD's manager for
JD's places, the security office for the canteen and the campus vehicles. Dates count from
the campus's today, so the lapses stay lapses whenever the demo is seeded. Nothing here
opens a hazard except the one stock count that differs (账实不符); the worker's sweeps open
the others, once per lapse, as they would on a real campus."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from marshmallow import Schema
from sqlalchemy.orm import Session

from shared.config import Settings
from shared.principal import Principal

# How many hazards the registers open while seeding (the stock count that differs).
OPENED_HAZARDS = 1

CHEMICALS = (
    {"name": "无水乙醇", "cas_no": "64-17-5", "hazard_class": "flammable", "measure": "mL"},
    {"name": "异丙醇", "cas_no": "67-63-0", "hazard_class": "flammable", "measure": "mL"},
    {
        "name": "丙酮",
        "cas_no": "67-64-1",
        "hazard_class": "flammable",
        "precursor": True,  # 易制毒（第三类）
        "measure": "mL",
    },
)

# (item, kind, quantity, days from today, what the kind needs) of JD's cabinet this term
MOVEMENTS = (
    ("无水乙醇", "purchase", 5000, -60, {"counterparty": "兰州化学试剂有限公司"}),
    ("异丙醇", "purchase", 2500, -60, {"counterparty": "兰州化学试剂有限公司"}),
    (
        "丙酮",
        "purchase",
        1000,
        -58,
        {"counterparty": "兰州化学试剂有限公司", "licence_no": "甘公易制毒备 2026-017"},
    ),
    ("无水乙醇", "issue", 800, -30, {"counterparty": "王老师", "purpose": "电路板清洗实训"}),
    (
        "丙酮",
        "issue",
        200,
        -20,
        {"counterparty": "王老师", "purpose": "焊接前除油", "second_person": "陈实训"},
    ),
    ("无水乙醇", "return", 100, -29, {"counterparty": "王老师"}),
)


def _load(schema: type[Schema], body: dict[str, Any]) -> dict[str, Any]:
    return schema().load(body)


def _day(today: date, days: int) -> str:
    return (today + timedelta(days=days)).isoformat()


def seed_registers(
    session: Session,
    settings: Settings,
    principals: dict[str, Principal],
    cells: dict[str, str],
    now: datetime,
    today: date,
) -> int:
    """All six registers in the caller's transaction; returns the hazards opened."""
    office, manager = principals["office"], principals["manager"]
    _chemicals(session, settings, office, manager, cells, now, today)
    _buildings(session, office, manager, cells, today)
    _plans(session, manager, today)
    _vehicles(session, office, cells, today)
    _food(session, office, cells, today)
    _placements(session, manager, cells, today)
    return OPENED_HAZARDS


def _chemicals(session, settings, office, manager, cells, now, today) -> None:
    """The catalogue (kept by the office), JD's cabinet in the electronics lab with what
    was bought and used this term, and one count short of the ledger (账实不符)."""
    from services.hazards.registers.chemicals import commands
    from services.hazards.registers.chemicals.schemas import (
        CountCreateSchema,
        ItemCreateSchema,
        MovementCreateSchema,
        StoreCreateSchema,
    )

    tz = settings.campus_timezone
    items = {
        spec["name"]: commands.add_item(session, office, **_load(ItemCreateSchema, spec))
        for spec in CHEMICALS
    }
    store = commands.add_store(
        session,
        manager,
        **_load(
            StoreCreateSchema,
            {
                "name": "电工电子实训室危化品柜",
                "cell_id": cells["JD-SX-201"],
                "capacity": 20_000,
                "segregation_class": "flammable",
                "keeper_name": "陈实训",
            },
        ),
    )
    for name, kind, quantity, days, extra in MOVEMENTS:
        body = {
            "item_id": items[name].id,
            "kind": kind,
            "quantity": quantity,
            "occurred_on": _day(today, days),
            **extra,
        }
        commands.record_movement(
            session, manager, store.id, campus_tz=tz, now=now, **_load(MovementCreateSchema, body)
        )
    # 盘点: 4300 mL on the books (5000 − 800 + 100), 4250 mL in the cabinet
    count = {
        "item_id": items["无水乙醇"].id,
        "counted": 4250,
        "counted_on": _day(today, -1),
        "counted_by": "陈实训",
    }
    commands.record_count(
        session, manager, store.id, campus_tz=tz, now=now, **_load(CountCreateSchema, count)
    )


def _buildings(session, office, manager, cells, today) -> None:
    """JD's training building appraised (B, in time), its teaching building past its
    appraisal (the due list's 已过期), the dormitory on file by the office."""
    from services.hazards.registers.buildings.commands import register_building
    from services.hazards.registers.buildings.schemas import BuildingCreateSchema

    for who, body in (
        (
            manager,
            {
                "cell_id": cells["JD-SX"],
                "name": "机电实训楼",
                "built_year": 2012,
                "structure": "frame",
                "floors": 4,
                "area": 6800,
                "use": "laboratory",
                "appraised_on": _day(today, -400),
                "appraisal_grade": "B",
                "appraisal_due": _day(today, 700),
                "fire_facilities": "室内消火栓、自动喷水灭火系统、每层灭火器 8 具",
                "risk_flags": ["lightning"],
            },
        ),
        (
            manager,
            {
                "cell_id": cells["JD-JX"],
                "name": "机电教学楼",
                "built_year": 1998,
                "structure": "brick_concrete",
                "floors": 5,
                "area": 5200,
                "use": "teaching",
                "appraised_on": _day(today, -1500),
                "appraisal_grade": "B",
                "appraisal_due": _day(today, -40),
                "fire_facilities": "室内消火栓、每层灭火器 6 具",
                "risk_flags": [],
            },
        ),
        (
            office,
            {
                "cell_id": cells["HQC-GY3"],
                "name": "学生公寓3号楼",
                "built_year": 2006,
                "structure": "frame",
                "floors": 6,
                "area": 9100,
                "use": "dormitory",
                "appraised_on": _day(today, -200),
                "appraisal_grade": "A",
                "appraisal_due": _day(today, 1600),
                "fire_facilities": "火灾自动报警系统、室内消火栓、应急照明",
                "risk_flags": ["low_lying"],
            },
        ),
    ):
        register_building(session, who, today, **_load(BuildingCreateSchema, body))


def _plans(session, manager, today) -> None:
    """JD's fire plan, approved over a year ago and not drilled since (超期未演练), and its
    lab spill plan, new and in time."""
    from services.hazards.registers.emergency_plans.commands import register_plan
    from services.hazards.registers.emergency_plans.schemas import PlanCreateSchema

    for body in (
        {
            "unit_code": "JD",
            "scenario": "fire",
            "title": "机电工程学院火灾事故应急预案",
            "edition": "2025版",
            "approved_by": "李机电",
            "approved_on": _day(today, -420),
            "review_due": _day(today, 300),
            "drill_period_days": 365,
        },
        {
            "unit_code": "JD",
            "scenario": "lab_spill",
            "title": "实训室危化品泄漏应急处置预案",
            "edition": "2026版",
            "approved_by": "李机电",
            "approved_on": _day(today, -30),
            "review_due": _day(today, 1000),
            "drill_period_days": 180,
        },
    ):
        register_plan(session, manager, today, **_load(PlanCreateSchema, body))


def _vehicles(session, office, cells, today) -> None:
    """The campus shuttle (in force), the official car whose insurance ran out, two drivers
    (one whose licence expires soon and whose safety education is a year old)."""
    from services.hazards.registers.vehicles.commands import register_driver, register_vehicle
    from services.hazards.registers.vehicles.schemas import DriverCreateSchema, VehicleCreateSchema

    place = cells["BWC-JK"]
    for body in (
        {
            "plate_no": "甘A·D3158",
            "kind": "commuter",
            "model": "宇通 ZK6809",
            "seats": 35,
            "inspection_due": _day(today, 150),
            "insurance_due": _day(today, 200),
        },
        {
            "plate_no": "甘A·G7203",
            "kind": "official",
            "model": "大众 帕萨特",
            "seats": 5,
            "inspection_due": _day(today, 90),
            "insurance_due": _day(today, -12),
        },
    ):
        register_vehicle(session, office, **_load(VehicleCreateSchema, {**body, "cell_id": place}))
    for body in (
        {
            "name": "马师傅",
            "staff_no": "BWC-D01",
            "phone": "13800000121",
            "licence_class": "A1",
            "licence_expiry": _day(today, 900),
            "last_education_on": _day(today, -40),
        },
        {
            "name": "杨师傅",
            "staff_no": "BWC-D02",
            "phone": "13800000122",
            "licence_class": "C1",
            "licence_expiry": _day(today, 20),
            "last_education_on": _day(today, -400),
        },
    ):
        register_driver(session, office, **_load(DriverCreateSchema, {**body, "cell_id": place}))


def _food(session, office, cells, today) -> None:
    """The first canteen with its licence, two health certificates (one expired: the due
    list's 已过期) and today's 陪餐, 留样 and 农残检测."""
    from services.hazards.registers.food_safety import commands
    from services.hazards.registers.food_safety.schemas import (
        CertificateCreateSchema,
        OutletCreateSchema,
        RecordCreateSchema,
    )

    outlet = commands.register_outlet(
        session,
        office,
        **_load(
            OutletCreateSchema,
            {
                "name": "第一学生食堂",
                "kind": "canteen",
                "cell_id": cells["HQC-ST1"],
                "location": "一楼、二楼",
                "operator": "兰州膳源餐饮管理有限公司",
                "manager_name": "冯膳食",
            },
        ),
    )
    for body in (
        {
            "kind": "licence",
            "holder_name": "第一学生食堂",
            "number": "JY36201020012345",
            "issued_on": _day(today, -700),
            "expires_on": _day(today, 1100),
        },
        {"kind": "health", "holder_name": "刘厨师", "expires_on": _day(today, 160)},
        {"kind": "health", "holder_name": "张面点", "expires_on": _day(today, -5)},
    ):
        commands.add_certificate(session, office, outlet.id, **_load(CertificateCreateSchema, body))
    for body in (
        {"kind": "accompany", "person_name": "孙后勤", "item": "午餐"},
        {"kind": "sample", "person_name": "冯膳食", "item": "午餐 8 个品种各 125 克"},
        {"kind": "pesticide", "person_name": "冯膳食", "item": "青菜、芹菜", "result": "pass"},
    ):
        body = {**body, "day": today.isoformat()}
        commands.add_record(session, office, outlet.id, today, **_load(RecordCreateSchema, body))


def _placements(session, manager, cells, today) -> None:
    """JD's internship starting within days, insured but without the host's agreement or
    the pre-departure briefing on file (待办: 条件不全), and a training placement two months
    ahead, still being prepared."""
    from services.hazards.registers.placements.commands import record_placement
    from services.hazards.registers.placements.schemas import PlacementCreateSchema

    for body in (
        {
            "kind": "internship",
            "title": "2024级数控技术跟岗实习",
            "host_name": "兰州万里机床有限公司",
            "host_address": "兰州市七里河区",
            "host_contact": "0931-0000000",
            "leader_name": "陈实训",
            "starts_on": _day(today, 5),
            "ends_on": _day(today, 95),
            "student_count": 24,
            "insurance_policy_no": "PICC-2026-0457",
            "insurer": "中国人民财产保险",
            "insurance_from": _day(today, 5),
            "insurance_to": _day(today, 95),
        },
        {
            "kind": "training",
            "title": "电工电子校外实训",
            "host_name": "甘肃电气装备集团",
            "leader_name": "李机电",
            "starts_on": _day(today, 60),
            "ends_on": _day(today, 74),
            "student_count": 30,
        },
    ):
        fields = _load(PlacementCreateSchema, {**body, "cell_id": cells["JD-SX"]})
        record_placement(session, manager, **fields)
