"""Pure rules of the special-equipment register (特种设备).

The next periodic inspection (定期检验) date is a campus calendar date; equipment in use is
overdue from the day after it. TSG rules ask the user to apply for the inspection one month
before it falls due, hence the 30-day "due soon".
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from services.hazards.registers.domain import invalid

EQUIPMENT_CATEGORY = "special_equipment"  # the hazard category of the register
DUE_SUBCATEGORY = "periodic_inspection"  # 定期检验 fell due unrecorded


class EquipmentKind(StrEnum):
    ELEVATOR = "elevator"
    BOILER = "boiler"
    PRESSURE_VESSEL = "pressure_vessel"
    GAS_CYLINDER = "gas_cylinder"
    PRESSURE_PIPING = "pressure_piping"
    LIFTING = "lifting"
    FIELD_VEHICLE = "field_vehicle"
    AMUSEMENT = "amusement"
    PASSENGER_ROPEWAY = "passenger_ropeway"


EQUIPMENT_KIND_LABELS = {
    EquipmentKind.ELEVATOR: "电梯",
    EquipmentKind.BOILER: "锅炉",
    EquipmentKind.PRESSURE_VESSEL: "压力容器",
    EquipmentKind.GAS_CYLINDER: "气瓶",
    EquipmentKind.PRESSURE_PIPING: "压力管道",
    EquipmentKind.LIFTING: "起重机械",
    EquipmentKind.FIELD_VEHICLE: "场（厂）内专用机动车辆",
    EquipmentKind.AMUSEMENT: "大型游乐设施",
    EquipmentKind.PASSENGER_ROPEWAY: "客运索道",
}


class EquipmentStatus(StrEnum):
    IN_USE = "in_use"  # 在用
    SUSPENDED = "suspended"  # 停用
    RETIRED = "retired"  # 报废


EQUIPMENT_STATUS_LABELS = {
    EquipmentStatus.IN_USE: "在用",
    EquipmentStatus.SUSPENDED: "停用",
    EquipmentStatus.RETIRED: "报废",
}


class PeriodicResult(StrEnum):
    PASS = "pass"  # 合格
    CONDITIONAL = "conditional"  # 基本符合要求（整改后使用）
    FAIL = "fail"  # 不合格: must not stay in use


PERIODIC_RESULT_LABELS = {
    PeriodicResult.PASS: "合格",
    PeriodicResult.CONDITIONAL: "基本符合要求",
    PeriodicResult.FAIL: "不合格",
}


class DueState(StrEnum):
    OVERDUE = "overdue"  # 超期未检
    DUE_SOON = "due_soon"  # 一个月内到期
    OK = "ok"
    UNKNOWN = "unknown"  # no due date recorded


DUE_STATE_LABELS = {
    DueState.OVERDUE: "超期未检",
    DueState.DUE_SOON: "即将到期",
    DueState.OK: "在有效期内",
    DueState.UNKNOWN: "未登记检验日期",
}
DUE_SOON_DAYS = 30


def inspection_overdue(next_due: date | None, today: date) -> bool:
    """Due "2021-11-22" means inspected by the end of that campus day: overdue from the 23rd.
    SQL twin: equipment.commands.equipment_query (due=overdue) and the due sweep."""
    return next_due is not None and today > next_due


def due_state(next_due: date | None, today: date, soon_days: int = DUE_SOON_DAYS) -> DueState:
    if next_due is None:
        return DueState.UNKNOWN
    if inspection_overdue(next_due, today):
        return DueState.OVERDUE
    if (next_due - today).days <= soon_days:
        return DueState.DUE_SOON
    return DueState.OK


def needs_due_hazard(status: str, next_due: date | None, today: date) -> bool:
    """Only equipment still in use is a hazard when its periodic inspection lapses."""
    return status == EquipmentStatus.IN_USE and inspection_overdue(next_due, today)


def check_periodic_inspection(
    inspected_on: date, result: str, next_due: date | None, today: date
) -> None:
    """A periodic inspection happened (not in the future) and, unless failed, sets a later due
    date; a failed one may omit it (the equipment is taken out of use)."""
    if inspected_on > today:
        raise invalid("inspected_on", f"晚于今天（{today}）")
    if next_due is None and result != PeriodicResult.FAIL:
        raise invalid("next_due", "检验结果不是不合格时必填")
    if next_due is not None and next_due <= inspected_on:
        raise invalid("next_due", "须晚于检验日期")


def supersedes(last_inspected_on: date | None, inspected_on: date) -> bool:
    """A back-filled older inspection is kept in the history but does not move the dates."""
    return last_inspected_on is None or inspected_on >= last_inspected_on


def status_after(result: str, current: str) -> str:
    """检验不合格的特种设备不得继续使用: a failed inspection suspends equipment in use."""
    if result == PeriodicResult.FAIL and current == EquipmentStatus.IN_USE:
        return EquipmentStatus.SUSPENDED.value
    return current


def due_hazard_ref(equipment_id: str, due: date) -> str:
    """The lapse's hazard source_ref: one hazard per equipment per lapsed due date."""
    return f"{equipment_id}:{due.isoformat()}"


def equipment_hazard_description(name: str, kind: str, registration_no: str, due: date) -> str:
    label = EQUIPMENT_KIND_LABELS.get(EquipmentKind(kind), kind)
    return (
        f"特种设备{name}（{label}，使用登记证编号 {registration_no}）定期检验已于 {due} 到期，"
        "未见检验记录，超期未检设备应停止使用并尽快申请检验"
    )
