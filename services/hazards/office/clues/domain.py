"""Pure rules of the clue ledger (线索摸排与移交): kinds, stages and the steps between them,
the outside agencies, the follow-up clock of the office's to-do, and the counts that are
all anyone sees outside the office.

A clue is recorded (已登记), verified (已核实, with a result), then handled in house
(本单位处置) or handed over to an outside agency (已移交: date, receiving officer, receipt),
followed up (跟进) until its outcome (已办结). An unfounded clue (不属实) may be closed
straight after verification. Nothing of a clue ever leaves the ledger: no event, no export,
no log line carries it (``CLUE_FIELDS`` names what must never travel).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from services.hazards.registers.domain import invalid
from shared.errors import DomainError

KINDS = {
    "bullying": "欺凌",
    "abuse": "虐待",
    "fraud": "诈骗",
    "infiltration": "渗透",
    "illegal": "违法犯罪",
    "historical": "历史遗留问题",
}
RECORDED, VERIFIED, IN_HOUSE, HANDED_OVER, CLOSED = (
    "recorded",
    "verified",
    "in_house",
    "handed_over",
    "closed",
)
STATUSES = {
    RECORDED: "已登记",
    VERIFIED: "已核实",
    IN_HOUSE: "本单位处置中",
    HANDED_OVER: "已移交",
    CLOSED: "已办结",
}
OPEN_STATUSES = (RECORDED, VERIFIED, IN_HOUSE, HANDED_OVER)
VERIFICATIONS = {"confirmed": "属实", "partly": "部分属实", "unfounded": "不属实"}
UNFOUNDED = "unfounded"
HANDLINGS = {IN_HOUSE: "本单位处置", HANDED_OVER: "移交外部机关"}
AGENCIES = {
    "police": "派出所",
    "market": "市场监管",
    "fire": "消防",
    "emergency": "应急管理",
    "other": "其他",
}
# What the access log records (action): each read or change of a clue.
ACCESS_ACTIONS = {
    "list": "列表查看",
    "read": "查看",
    "create": "登记",
    "update": "修改",
    "verify": "核实",
    "handle": "处置/移交",
    "receipt": "上传回执",
    "download": "下载回执",
    "follow_up": "跟进",
    "close": "办结",
}
# Days without a follow-up after which an open clue waits on the office's to-do.
DEFAULT_FOLLOW_UP_DAYS = 14
# Field names of a clue: none of them may ever travel in an event (checked by tests).
CLUE_FIELDS = frozenset(
    {
        "content",
        "origin",
        "verification_note",
        "handling_note",
        "receiving_officer",
        "outcome",
        "follow_ups",
        "note",
    }
)
# What PATCH /clues/{id} may change (the steps have their own endpoints).
UPDATABLE = ("kind", "unit_code", "content", "origin", "received_on")


def _refuse(step: str, status: str, field: str = "status") -> DomainError:
    return DomainError(
        f"线索{STATUSES.get(status, status)}，不能{step}",
        invalid_params=[{"name": field, "reason": f"线索{STATUSES.get(status, status)}"}],
    )


def check_open(status: str, step: str) -> None:
    if status == CLOSED:
        raise _refuse(step, status)


def check_verifiable(status: str) -> None:
    """核实: a recorded clue, or a verified one whose result is corrected."""
    if status not in (RECORDED, VERIFIED):
        raise _refuse("核实", status)


def check_handling(status: str, handling: str, agency: str | None, fields: dict[str, Any]) -> None:
    """处置或移交: after verification, once; a hand-over names the agency (and its name when
    其他), the date and the receiving officer."""
    if status != VERIFIED:
        raise _refuse("处置或移交" if status != RECORDED else "处置或移交（须先核实）", status)
    if handling == HANDED_OVER:
        if agency is None:
            raise invalid("receiving_agency", "移交须选择接收机关")
        if agency == "other" and not fields.get("agency_name"):
            raise invalid("agency_name", "接收机关为「其他」时须填写机关名称")
        if not fields.get("receiving_officer"):
            raise invalid("receiving_officer", "移交须填写接收人")


def check_closable(status: str, verification: str | None) -> None:
    """办结: once handled (in house or handed over), or an unfounded clue once verified."""
    if status in (IN_HOUSE, HANDED_OVER):
        return
    if status == VERIFIED and verification == UNFOUNDED:
        return
    raise _refuse("办结（须先处置或移交；核实不属实的可直接办结）", status)


def check_receipt(status: str) -> None:
    if status != HANDED_OVER:
        raise _refuse("上传移交回执（仅已移交的线索）", status)


def check_day_not_before(day: date, earliest: date, field: str, what: str) -> None:
    if day < earliest:
        raise invalid(field, f"不能早于{what}（{earliest.isoformat()}）")


def follow_up_due(last_activity_on: date, days: int) -> date:
    """The day by which the next follow-up is due."""
    return last_activity_on + timedelta(days=days)


def is_stale(status: str, last_activity_on: date, today: date, days: int) -> bool:
    """An open clue with no follow-up (nor step) in ``days`` days: on the office's to-do.
    SQL twin: ``queries.stale``."""
    return status in OPEN_STATUSES and follow_up_due(last_activity_on, days) <= today


def counts(rows: Iterable[tuple[str, str, int]]) -> dict[str, Any]:
    """(kind, status, count) rows as totals: all anyone outside the office may see."""
    out: dict[str, Any] = {
        "total": 0,
        "open": 0,
        "by_kind": dict.fromkeys(KINDS, 0),
        "by_status": dict.fromkeys(STATUSES, 0),
    }
    for kind, status, number in rows:
        out["total"] += number
        out["open"] += number if status in OPEN_STATUSES else 0
        out["by_kind"][kind] = out["by_kind"].get(kind, 0) + number
        out["by_status"][status] = out["by_status"].get(status, 0) + number
    return out
