"""The psychological screening follow-up ledger (动态教育防范台账), restricted.

- Only the psychological health centre (role ``psych_centre``) reads or writes records;
  every other caller gets 403 on every record endpoint, whatever their other roles.
- Everyone else sees aggregate counts per unit (their own unit, or all for global roles).
- Every access to a record (reads included) is appended to ``psych_access_log`` in the
  same transaction as the access: who, when, which record, what.
- Records never leave this module's tables: no event is recorded here, nothing is logged,
  and no list export or other endpoint of the service includes them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.education.domain import PSYCH_STATUSES, RISK_LEVELS
from services.education.models import PsychAccessLog, PsychIntervention, PsychRecord
from shared import context
from shared.errors import Forbidden, NotFound
from shared.principal import PSYCH_CENTRE, SECURITY_OFFICE, Principal

UPDATABLE = ("risk_level", "status", "next_follow_up_on", "screening", "class_name", "unit_code")


def require_psych(principal: Principal) -> None:
    if PSYCH_CENTRE not in principal.roles:
        raise Forbidden("the psychological follow-up ledger is restricted to the psych centre")


def _log(session: Session, principal: Principal, action: str, record_id: str | None) -> None:
    session.add(
        PsychAccessLog(
            record_id=record_id,
            action=action,
            actor=principal.sub,
            actor_name=principal.name[:100],
            request_id=context.request_id.get(),
        )
    )


def _get(session: Session, record_id: str, lock: bool = False) -> PsychRecord:
    record = session.get(PsychRecord, record_id, with_for_update=lock)
    if record is None:
        raise NotFound(f"record {record_id} does not exist")
    return record


def create_record(session: Session, principal: Principal, **fields: Any) -> PsychRecord:
    require_psych(principal)
    record = PsychRecord(**fields, created_by=principal.sub, interventions=[])
    session.add(record)
    session.flush()
    _log(session, principal, "create", record.id)
    return record


def read_record(session: Session, principal: Principal, record_id: str) -> PsychRecord:
    """One record with its interventions; the read is logged (commit with the caller)."""
    require_psych(principal)
    record = _get(session, record_id)
    _log(session, principal, "read", record.id)
    return record


def update_record(
    session: Session, principal: Principal, record_id: str, changes: dict
) -> PsychRecord:
    require_psych(principal)
    record = _get(session, record_id, lock=True)
    for key, value in changes.items():
        if key in UPDATABLE:
            setattr(record, key, value)
    _log(session, principal, "update", record.id)
    return record


def add_intervention(
    session: Session,
    principal: Principal,
    record_id: str,
    *,
    happened_on: date,
    measure: str,
    by_name: str | None = None,
    next_follow_up_on: date | None = None,
) -> PsychRecord:
    require_psych(principal)
    record = _get(session, record_id, lock=True)
    record.interventions.append(
        PsychIntervention(
            happened_on=happened_on,
            measure=measure,
            by_name=by_name or principal.name[:50],
            created_by=principal.sub,
        )
    )
    if next_follow_up_on is not None:
        record.next_follow_up_on = next_follow_up_on
    session.flush()
    _log(session, principal, "intervene", record.id)
    return record


def list_records(
    session: Session, principal: Principal, *, unit_code: str | None, status: str | None
) -> list[PsychRecord]:
    """The psych centre's working list; each record listed counts as read and is logged."""
    require_psych(principal)
    stmt = select(PsychRecord).order_by(
        PsychRecord.next_follow_up_on.is_(None), PsychRecord.next_follow_up_on, PsychRecord.id
    )
    if unit_code:
        stmt = stmt.where(PsychRecord.unit_code == unit_code)
    if status:
        stmt = stmt.where(PsychRecord.status == status)
    records = list(session.scalars(stmt))
    for record in records:
        _log(session, principal, "list", record.id)
    return records


def summary(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Counts per unit, by risk level and status: what everyone outside the centre sees.

    Global roles and the psych centre see every unit; others only their own."""
    stmt = select(
        PsychRecord.unit_code, PsychRecord.risk_level, PsychRecord.status, func.count()
    ).group_by(PsychRecord.unit_code, PsychRecord.risk_level, PsychRecord.status)
    if not (principal.is_global or PSYCH_CENTRE in principal.roles):
        if principal.unit is None:
            return []
        stmt = stmt.where(PsychRecord.unit_code == principal.unit)
    units: dict[str, dict[str, Any]] = {}
    for unit, risk, status, count in session.execute(stmt):
        row = units.setdefault(
            unit,
            {
                "unit_code": unit,
                "total": 0,
                "open": 0,
                "by_risk_level": dict.fromkeys(RISK_LEVELS, 0),
                "by_status": dict.fromkeys(PSYCH_STATUSES, 0),
            },
        )
        row["total"] += count
        if status != "closed":
            row["open"] += count
            row["by_risk_level"][risk] = row["by_risk_level"].get(risk, 0) + count
        row["by_status"][status] = row["by_status"].get(status, 0) + count
    return [units[u] for u in sorted(units)]


def access_log(session: Session, principal: Principal, record_id: str | None = None):
    """The audit trail: for the psych centre and the security office (no record content)."""
    if not principal.has_any((PSYCH_CENTRE, SECURITY_OFFICE)):
        raise Forbidden("the access log is for the psych centre and the security office")
    stmt = select(PsychAccessLog).order_by(PsychAccessLog.id.desc())
    if record_id:
        stmt = stmt.where(PsychAccessLog.record_id == record_id)
    return list(session.scalars(stmt.limit(1000)))
