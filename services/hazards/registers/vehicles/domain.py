"""Pure rules of the vehicles and drivers register (通勤车、公务车).

A vehicle is in force on a day while its inspection (年检) and insurance (保险) dates are not
past; a driver while the licence (驾驶证) is not expired and the last safety education is
within EDUCATION_PERIOD_DAYS. Dates are campus calendar dates, valid through their day. The
last safety education comes from education's attendance.recorded (an activity the driver
signed in to, matched by staff number); a date typed by hand stays the fallback.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from shared.errors import DomainError

CATEGORY = "traffic"  # 通勤车及交通安全 (plan task 八)
VEHICLE_SUBCATEGORY = "commuter_vehicles"
DRIVER_SUBCATEGORY = "driver_education"
SOURCE = "vehicles"  # the hazards' source; source_ref is lapse_ref(...)
EDUCATION_PERIOD_DAYS = 365  # a driver's safety education is renewed every year
DUE_SOON_DAYS = 30


class VehicleKind(StrEnum):
    COMMUTER = "commuter"
    OFFICIAL = "official"


VEHICLE_KIND_LABELS = {VehicleKind.COMMUTER: "通勤车", VehicleKind.OFFICIAL: "公务车"}


class VehicleStatus(StrEnum):
    IN_USE = "in_use"
    SUSPENDED = "suspended"
    RETIRED = "retired"


VEHICLE_STATUS_LABELS = {
    VehicleStatus.IN_USE: "在用",
    VehicleStatus.SUSPENDED: "停用",
    VehicleStatus.RETIRED: "报废",
}


class DriverStatus(StrEnum):
    ACTIVE = "active"
    LEFT = "left"


DRIVER_STATUS_LABELS = {DriverStatus.ACTIVE: "在岗", DriverStatus.LEFT: "离岗"}

LICENCE_CLASSES = ("A1", "A2", "A3", "B1", "B2", "C1", "C2")


class Lapse(StrEnum):
    """What lapsed; the value is the field that carries its date."""

    INSPECTION = "inspection_due"
    INSURANCE = "insurance_due"
    LICENCE = "licence_expiry"
    EDUCATION = "last_education_on"


LAPSE_LABELS = {
    Lapse.INSPECTION: "车辆年检已过期",
    Lapse.INSURANCE: "车辆保险已过期",
    Lapse.LICENCE: "驾驶证已过期",
    Lapse.EDUCATION: "驾驶人安全教育已超过一年未参加",
}


class DueState(StrEnum):
    LAPSED = "lapsed"
    DUE_SOON = "due_soon"
    OK = "ok"


DUE_STATE_LABELS = {DueState.LAPSED: "已过期", DueState.DUE_SOON: "即将到期", DueState.OK: "有效"}


def education_valid_until(last_education_on: date | None) -> date | None:
    """The last day a safety education counts; None: never educated."""
    if last_education_on is None:
        return None
    return last_education_on + timedelta(days=EDUCATION_PERIOD_DAYS)


# Education's activity kinds (attendance.recorded) that count as a driver's safety education:
# taught safety content (科普讲座、案例教育、亲身体验). A drill exercises an emergency plan,
# a mental-health course or a themed event is not traffic-safety teaching.
SAFETY_EDUCATION_KINDS = frozenset({"lecture", "case_education", "hands_on"})


def counts_as_safety_education(kind: str) -> bool:
    return kind in SAFETY_EDUCATION_KINDS


def takes_attendance(
    last_education_on: date | None, last_activity_id: str | None, held_on: date
) -> bool:
    """Whether an attended activity held on ``held_on`` becomes the driver's last safety
    education: a later one does (the newest date wins, whatever order events arrive in); one
    on the same day does only over a date typed by hand (an activity is the better record,
    and the same event again changes nothing)."""
    if last_education_on is None or held_on > last_education_on:
        return True
    return held_on == last_education_on and last_activity_id is None


def education_source_label(
    last_education_on: date | None, activity_title: str | None
) -> str | None:
    """Where the last safety education's date came from, as the driver's page says it."""
    if last_education_on is None:
        return None
    return f"教育活动《{activity_title}》" if activity_title else "手工录入"


def lapsed(valid_until: date | None, day: date) -> bool:
    """Valid through ``valid_until``; no date means not in force."""
    return valid_until is None or day > valid_until


def vehicle_lapses(inspection_due: date, insurance_due: date, day: date) -> list[Lapse]:
    return [
        lapse
        for lapse, until in ((Lapse.INSPECTION, inspection_due), (Lapse.INSURANCE, insurance_due))
        if lapsed(until, day)
    ]


def driver_lapses(licence_expiry: date, last_education_on: date | None, day: date) -> list[Lapse]:
    return [
        lapse
        for lapse, until in (
            (Lapse.LICENCE, licence_expiry),
            (Lapse.EDUCATION, education_valid_until(last_education_on)),
        )
        if lapsed(until, day)
    ]


def due_state(dates: list[date | None], day: date) -> DueState:
    """The worst of several validity dates, as of ``day``."""
    if any(lapsed(d, day) for d in dates):
        return DueState.LAPSED
    if any(d is not None and (d - day).days <= DUE_SOON_DAYS for d in dates):
        return DueState.DUE_SOON
    return DueState.OK


class TripRefused(DomainError):
    """409: the vehicle or driver is not in force on the trip's day."""

    status = 409
    title = "Conflict"


@dataclass(frozen=True)
class TripParty:
    label: str  # 车辆 粤A12345 / 驾驶人 张三
    lapses: list[Lapse]
    field: str  # vehicle_id / driver_id
    status_ok: bool = True
    status_reason: str = ""


def check_trip(vehicle: TripParty, driver: TripParty) -> None:
    """Refuse a trip by a lapsed or withdrawn vehicle or driver, naming each lapse and its
    party's field (one 409 lists them all)."""
    params, reasons = [], []
    for party in (vehicle, driver):
        for lapse in party.lapses:
            reason = LAPSE_LABELS[lapse]
            params.append({"name": party.field, "reason": reason, "location": "json"})
            reasons.append(f"{party.label}：{reason}")
        if not party.status_ok:
            params.append({"name": party.field, "reason": party.status_reason, "location": "json"})
            reasons.append(f"{party.label}：{party.status_reason}")
    if reasons:
        raise TripRefused("不能出车：" + "；".join(reasons), invalid_params=params)


# Short codes keep a source_ref within the ledger's 64 characters (a uuid is 36 of them).
LAPSE_CODES = {Lapse.INSPECTION: "insp", Lapse.INSURANCE: "ins", Lapse.LICENCE: "lic"}
LAPSE_CODES[Lapse.EDUCATION] = "edu"


def lapse_ref(kind: str, record_id: str, lapse: Lapse, until: date | None) -> str:
    """The lapse's hazard source_ref: one hazard per record, lapse and lapsed date
    (``v:<vehicle id>:ins:2022-03-31``, ``d:<driver id>:edu:none``), at most 54 characters."""
    return f"{kind[0]}:{record_id}:{LAPSE_CODES[lapse]}:{until.isoformat() if until else 'none'}"


def vehicle_hazard_description(plate_no: str, kind: str, lapse: Lapse, until: date) -> str:
    label = VEHICLE_KIND_LABELS.get(VehicleKind(kind), kind)
    return f"{label} {plate_no}：{LAPSE_LABELS[lapse]}（有效期至 {until}），应停止出车并尽快办理"


def driver_hazard_description(name: str, staff_no: str, lapse: Lapse, until: date | None) -> str:
    since = f"（有效期至 {until}）" if until else "（未登记安全教育）"
    return f"驾驶人 {name}（工号 {staff_no}）：{LAPSE_LABELS[lapse]}{since}，不得安排出车"
