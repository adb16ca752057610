"""Pure rules of the food-safety register (食品安全, plan task 九).

An outlet keeps, every campus day, the records its kind calls for (a canteen: 陪餐 and 留样;
a tea shop: 留样; a distribution centre: 农残检测 of what it takes in). A day's records are
due by the cut-off hour (CAMPUS_FOOD_CUTOFF_HOUR, campus time); after it, a missing record,
a failed pesticide test (农残检测不合格) or an expired licence or health certificate is a hazard.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from services.hazards.registers.domain import invalid

FOOD_CATEGORY = "food"  # the hazard category of the register
SOURCE = "food_safety"  # the hazards' source: with source_ref, one hazard per lapse
DUE_SOON_DAYS = 30  # a certificate expiring within a month shows on the due list


class OutletKind(StrEnum):
    CANTEEN = "canteen"
    SUPERMARKET = "supermarket"
    TEA_SHOP = "tea_shop"
    DISTRIBUTION_CENTER = "distribution_center"


OUTLET_KIND_LABELS = {
    OutletKind.CANTEEN: "食堂",
    OutletKind.SUPERMARKET: "超市",
    OutletKind.TEA_SHOP: "茶饮店",
    OutletKind.DISTRIBUTION_CENTER: "配送中心",
}


class OutletStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # 停业: no daily records due, no hazards


OUTLET_STATUS_LABELS = {OutletStatus.OPEN: "营业", OutletStatus.CLOSED: "停业"}


class CertificateKind(StrEnum):
    LICENCE = "licence"  # 食品经营许可证
    HEALTH = "health"  # 从业人员健康证明


CERTIFICATE_KIND_LABELS = {
    CertificateKind.LICENCE: "食品经营许可证",
    CertificateKind.HEALTH: "健康证明",
}


class RecordKind(StrEnum):
    ACCOMPANY = "accompany"  # 陪餐
    SAMPLE = "sample"  # 留样
    PESTICIDE = "pesticide"  # 农残检测
    COLD_CHAIN = "cold_chain"  # 冷链溯源


RECORD_KIND_LABELS = {
    RecordKind.ACCOMPANY: "陪餐",
    RecordKind.SAMPLE: "留样",
    RecordKind.PESTICIDE: "农残检测",
    RecordKind.COLD_CHAIN: "冷链溯源",
}


class TestResult(StrEnum):
    __test__ = False  # not a pytest class
    PASS = "pass"
    FAIL = "fail"


TEST_RESULT_LABELS = {TestResult.PASS: "合格", TestResult.FAIL: "不合格"}

# What each kind of outlet records every day (冷链溯源 is per delivery, never "missing").
DAILY_RECORDS: dict[str, tuple[RecordKind, ...]] = {
    OutletKind.CANTEEN: (RecordKind.ACCOMPANY, RecordKind.SAMPLE),
    OutletKind.SUPERMARKET: (),
    OutletKind.TEA_SHOP: (RecordKind.SAMPLE,),
    OutletKind.DISTRIBUTION_CENTER: (RecordKind.PESTICIDE,),
}


class DueState(StrEnum):
    EXPIRED = "expired"  # 已过期
    DUE_SOON = "due_soon"  # 一个月内到期
    OK = "ok"


DUE_STATE_LABELS = {
    DueState.EXPIRED: "已过期",
    DueState.DUE_SOON: "即将到期",
    DueState.OK: "在有效期内",
}


def expired(expires_on: date, today: date) -> bool:
    """Valid through its expiry day; expired from the next. SQL twin: commands' due filter."""
    return today > expires_on


def due_state(expires_on: date, today: date, soon_days: int = DUE_SOON_DAYS) -> DueState:
    if expired(expires_on, today):
        return DueState.EXPIRED
    if (expires_on - today).days <= soon_days:
        return DueState.DUE_SOON
    return DueState.OK


def check_record(
    kind: str,
    day: date,
    today: date,
    result: str | None,
    batch_no: str | None,
    origin: str | None,
) -> None:
    """A daily record is of a day already begun; a test has a result; a cold-chain batch
    names its batch and origin (溯源 is nothing without them)."""
    if day > today:
        raise invalid("day", f"晚于今天（{today}）")
    if kind == RecordKind.PESTICIDE and result is None:
        raise invalid("result", "农残检测须填写检测结果")
    if kind != RecordKind.PESTICIDE and result is not None:
        raise invalid("result", "只有农残检测填写检测结果")
    if kind == RecordKind.COLD_CHAIN:
        if not batch_no:
            raise invalid("batch_no", "冷链溯源须填写批次号")
        if not origin:
            raise invalid("origin", "冷链溯源须填写产地")


def check_certificate(expires_on: date, issued_on: date | None = None) -> None:
    if issued_on is not None and expires_on <= issued_on:
        raise invalid("expires_on", "须晚于发证日期")


def last_closed_day(now: datetime, campus_tz: str, cutoff_hour: int) -> date:
    """The newest campus day whose records were due (its cut-off hour has passed)."""
    local = now.astimezone(ZoneInfo(campus_tz))
    return local.date() if local.hour >= cutoff_hour else local.date() - timedelta(days=1)


def cutoff_of(day: date, campus_tz: str, cutoff_hour: int) -> datetime:
    """The moment a day's records fell due (an outlet registered later owes none that day)."""
    return datetime(day.year, day.month, day.day, cutoff_hour, tzinfo=ZoneInfo(campus_tz))


def missing_records(kind: str, recorded: set[str]) -> list[RecordKind]:
    return [k for k in DAILY_RECORDS.get(kind, ()) if k not in recorded]


def missing_ref(outlet_id: str, day: date) -> str:
    return f"daily:{outlet_id}:{day.isoformat()}"


def failed_test_ref(record_id: str) -> str:
    return f"test:{record_id}"


def expired_ref(certificate_id: str, expires_on: date) -> str:
    return f"cert:{certificate_id}:{expires_on.isoformat()}"


def missing_description(name: str, kind: str, day: date, missing: list[RecordKind]) -> str:
    what = "、".join(RECORD_KIND_LABELS[k] for k in missing)
    return f"{OUTLET_KIND_LABELS[OutletKind(kind)]}{name} {day} 未按时登记{what}记录"


def failed_test_description(name: str, day: date, item: str | None) -> str:
    return f"{name} {day} 农残检测不合格（{item or '未注明样品'}），相关食材应停止使用并追溯来源"


def expired_description(name: str, kind: str, holder: str, expires_on: date) -> str:
    label = CERTIFICATE_KIND_LABELS[CertificateKind(kind)]
    return f"{name}的{label}（{holder}）已于 {expires_on} 到期，过期证照不得继续经营或上岗"


def subcategory_of(outlet_kind: str, lapse: str) -> str:
    """The hazard's subcategory (shared.vocabulary's food list)."""
    return "pesticide_residue" if lapse == "test" else str(outlet_kind)
