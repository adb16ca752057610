"""Use cases of the psych ledger. Each record access is logged in the caller's transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.education.models import PsychAccessLog, PsychIntervention, PsychRecord
from services.education.psych.access import counted_condition, require_log_reader, require_psych
from services.education.psych.domain import UPDATABLE, counts_per_unit
from shared import context
from shared.errors import NotFound
from shared.principal import Principal


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
        raise NotFound(f"记录 {record_id} 不存在")
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
    scope = counted_condition(principal)
    if scope is not None:
        stmt = stmt.where(scope)
    return counts_per_unit(session.execute(stmt))


def access_log(session: Session, principal: Principal, record_id: str | None = None):
    """The audit trail: for the psych centre and the security office (no record content)."""
    require_log_reader(principal)
    stmt = select(PsychAccessLog).order_by(PsychAccessLog.id.desc())
    if record_id:
        stmt = stmt.where(PsychAccessLog.record_id == record_id)
    return list(session.scalars(stmt.limit(1000)))
