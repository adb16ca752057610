"""Use cases of the clue ledger. Each access to a clue is logged in the caller's transaction;
nothing here records an event or writes a log line (a clue's text must never leave)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.hazards.office.clues import access, domain, queries
from services.hazards.office.models import Clue, ClueAccessLog, ClueFollowUp, ClueReceipt
from services.hazards.registers.domain import invalid
from services.hazards.registers.rows import apply_changes, columns
from shared import context, files
from shared.errors import NotFound, check_version
from shared.principal import Principal


def _log(session: Session, principal: Principal, action: str, clue_id: str | None) -> None:
    session.add(
        ClueAccessLog(
            clue_id=clue_id,
            action=action,
            actor=principal.sub,
            actor_name=principal.name[:100],
            request_id=context.request_id.get(),
        )
    )


def _get(session: Session, clue_id: str, lock: bool = False) -> Clue:
    clue = session.get(Clue, clue_id, with_for_update=lock)
    if clue is None:
        raise NotFound(f"线索 {clue_id} 不存在")
    return clue


def _not_future(day: date, today: date, field: str) -> None:
    if day > today:
        raise invalid(field, "不能晚于今天")


def _touch(clue: Clue, day: date) -> None:
    """A step or follow-up on ``day`` restarts the to-do's clock (never backwards)."""
    clue.last_activity_on = max(clue.last_activity_on, day)
    clue.version += 1


def detail(session: Session, clue: Clue) -> dict[str, Any]:
    """A clue with its follow-ups and receipts (the caller has logged the access)."""
    follow_ups = session.scalars(
        select(ClueFollowUp)
        .where(ClueFollowUp.clue_id == clue.id)
        .order_by(ClueFollowUp.happened_on, ClueFollowUp.created_at)
    ).all()
    receipts = session.scalars(
        select(ClueReceipt).where(ClueReceipt.clue_id == clue.id).order_by(ClueReceipt.uploaded_at)
    ).all()
    return {**columns(clue), "follow_ups": follow_ups, "receipts": receipts}


def create_clue(session: Session, principal: Principal, *, today: date, **fields: Any) -> Clue:
    access.require_office(principal)
    _not_future(fields["received_on"], today, "received_on")
    clue = Clue(
        **fields,
        status=domain.RECORDED,
        last_activity_on=fields["received_on"],
        created_by=principal.sub,
        version=1,
    )
    session.add(clue)
    session.flush()
    _log(session, principal, "create", clue.id)
    return clue


def read_clue(session: Session, principal: Principal, clue_id: str) -> dict[str, Any]:
    """One clue with its follow-ups and receipts; the read is logged (commit with it)."""
    access.require_office(principal)
    clue = _get(session, clue_id)
    _log(session, principal, "read", clue.id)
    return detail(session, clue)


def list_clues(
    session: Session, principal: Principal, filters: dict[str, Any], today: date, days: int
) -> list[Clue]:
    """The office's working list, oldest activity first; each clue listed counts as read."""
    access.require_office(principal)
    stmt = select(Clue).order_by(Clue.last_activity_on, Clue.received_on, Clue.id)
    for key in ("kind", "status", "unit_code"):
        if filters.get(key):
            stmt = stmt.where(getattr(Clue, key) == filters[key])
    if filters.get("receiving_agency"):
        stmt = stmt.where(Clue.receiving_agency == filters["receiving_agency"])
    if filters.get("received_from"):
        stmt = stmt.where(Clue.received_on >= filters["received_from"])
    if filters.get("received_to"):
        stmt = stmt.where(Clue.received_on <= filters["received_to"])
    if "stale" in filters:
        condition = queries.stale(today, days)
        stmt = stmt.where(condition if filters["stale"] else ~condition)
    clues = list(session.scalars(stmt.limit(1000)))
    for clue in clues:
        _log(session, principal, "list", clue.id)
    return clues


def update_clue(
    session: Session,
    principal: Principal,
    clue_id: str,
    changes: dict[str, Any],
    if_match: int | None,
    today: date,
) -> dict[str, Any]:
    access.require_office(principal)
    clue = _get(session, clue_id, lock=True)
    check_version(clue, if_match, "线索")
    domain.check_open(clue.status, "修改")
    if "received_on" in changes:
        _not_future(changes["received_on"], today, "received_on")
    wanted = {k: v for k, v in changes.items() if k in domain.UPDATABLE}
    if apply_changes(clue, wanted):
        clue.version += 1
    _log(session, principal, "update", clue.id)
    return detail(session, clue)


def verify(
    session: Session,
    principal: Principal,
    clue_id: str,
    *,
    verification: str,
    verified_on: date,
    today: date,
    note: str | None = None,
) -> dict[str, Any]:
    """核实: the result (属实 / 部分属实 / 不属实) and what the check found."""
    access.require_office(principal)
    clue = _get(session, clue_id, lock=True)
    domain.check_verifiable(clue.status)
    _not_future(verified_on, today, "verified_on")
    domain.check_day_not_before(verified_on, clue.received_on, "verified_on", "收到线索的日期")
    clue.status, clue.verification = domain.VERIFIED, verification
    clue.verified_on, clue.verification_note = verified_on, note
    _touch(clue, verified_on)
    _log(session, principal, "verify", clue.id)
    return detail(session, clue)


def handle(
    session: Session,
    principal: Principal,
    clue_id: str,
    *,
    handling: str,
    handled_on: date,
    today: date,
    **fields: Any,
) -> dict[str, Any]:
    """处置或移交: in house, or handed over to an agency (date, receiving officer)."""
    access.require_office(principal)
    clue = _get(session, clue_id, lock=True)
    agency = fields.get("receiving_agency")
    domain.check_handling(clue.status, handling, agency, fields)
    _not_future(handled_on, today, "handled_on")
    earliest = clue.verified_on or clue.received_on
    domain.check_day_not_before(handled_on, earliest, "handled_on", "核实日期")
    clue.status, clue.handling, clue.handled_on = handling, handling, handled_on
    clue.handling_note = fields.get("note")
    if handling == domain.HANDED_OVER:
        clue.receiving_agency = agency
        clue.agency_name = fields.get("agency_name") or domain.AGENCIES[str(agency)]
        clue.receiving_officer = fields.get("receiving_officer")
    _touch(clue, handled_on)
    _log(session, principal, "handle", clue.id)
    return detail(session, clue)


def add_receipt(
    session: Session, principal: Principal, clue_id: str, upload: files.Upload
) -> ClueReceipt:
    """The hand-over's receipt (回执): a photo or PDF, stored as hazards' attachments are."""
    access.require_office(principal)
    clue = _get(session, clue_id, lock=True)
    domain.check_receipt(clue.status)
    stored = files.accept(upload)
    receipt = ClueReceipt(
        clue_id=clue.id, media_type=stored.media_type, **stored.columns(principal.sub)
    )
    session.add(receipt)
    session.flush()
    _log(session, principal, "receipt", clue.id)
    return receipt


def receipt_of(
    session: Session, principal: Principal, clue_id: str, receipt_id: str
) -> ClueReceipt:
    """A receipt to download; the download is logged."""
    access.require_office(principal)
    clue = _get(session, clue_id)
    receipt = session.get(ClueReceipt, receipt_id)
    if receipt is None or receipt.clue_id != clue.id:
        raise NotFound(f"回执 {receipt_id} 不存在")
    _log(session, principal, "download", clue.id)
    return receipt


def add_follow_up(
    session: Session,
    principal: Principal,
    clue_id: str,
    *,
    happened_on: date,
    note: str,
    today: date,
    by_name: str | None = None,
) -> dict[str, Any]:
    """跟进: what was learnt or done; restarts the to-do's clock."""
    access.require_office(principal)
    clue = _get(session, clue_id, lock=True)
    domain.check_open(clue.status, "跟进")
    _not_future(happened_on, today, "happened_on")
    domain.check_day_not_before(happened_on, clue.received_on, "happened_on", "收到线索的日期")
    session.add(
        ClueFollowUp(
            clue_id=clue.id,
            happened_on=happened_on,
            note=note,
            by_name=by_name or principal.name[:50],
            created_by=principal.sub,
        )
    )
    _touch(clue, happened_on)
    session.flush()
    _log(session, principal, "follow_up", clue.id)
    return detail(session, clue)


def close(
    session: Session,
    principal: Principal,
    clue_id: str,
    *,
    closed_on: date,
    outcome: str,
    today: date,
) -> dict[str, Any]:
    """办结: the outcome; the clue leaves the to-do and takes no more steps."""
    access.require_office(principal)
    clue = _get(session, clue_id, lock=True)
    domain.check_closable(clue.status, clue.verification)
    _not_future(closed_on, today, "closed_on")
    earliest = clue.handled_on or clue.verified_on or clue.received_on
    domain.check_day_not_before(closed_on, earliest, "closed_on", "上一环节的日期")
    clue.status, clue.closed_on, clue.outcome = domain.CLOSED, closed_on, outcome
    _touch(clue, closed_on)
    _log(session, principal, "close", clue.id)
    return detail(session, clue)


def summary(session: Session, principal: Principal) -> dict[str, Any]:
    """Counts by kind and status: never a clue (security office and leadership)."""
    access.require_counter(principal)
    rows = session.execute(
        select(Clue.kind, Clue.status, func.count()).group_by(Clue.kind, Clue.status)
    )
    return domain.counts(rows)


def access_log(session: Session, principal: Principal, clue_id: str | None = None):
    """The audit trail, newest first (the security office; no clue content)."""
    access.require_office(principal)
    stmt = select(ClueAccessLog).order_by(ClueAccessLog.id.desc())
    if clue_id:
        stmt = stmt.where(ClueAccessLog.clue_id == clue_id)
    return list(session.scalars(stmt.limit(1000)))
