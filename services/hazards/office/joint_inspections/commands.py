"""Use cases of joint inspections: record and correct one, list them, and record a finding,
which opens its hazard through the ledger's report command in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.hazards import domain as ledger_domain
from services.hazards.office import domain as office
from services.hazards.office import findings
from services.hazards.office.joint_inspections import access, domain
from services.hazards.office.models import JointFinding, JointInspection
from services.hazards.registers import access as places
from services.hazards.registers.domain import invalid
from services.hazards.registers.rows import apply_changes, columns
from shared.errors import NotFound, check_version
from shared.grid_projection import GridCell
from shared.principal import Principal


def _check_record(session: Session, fields: Mapping[str, Any], today: date) -> None:
    if "inspected_on" in fields and fields["inspected_on"] > today:
        raise invalid("inspected_on", "不能晚于今天")
    for key, what in (("agencies", "机关"), ("members", "人员"), ("cell_ids", "地点")):
        if key in fields:
            office.check_no_repeats(fields[key], key, what)
    for index, cell_id in enumerate(fields.get("cell_ids", ())):
        places.place(session, cell_id, f"cell_ids.{index}")


def create(
    session: Session, principal: Principal, *, today: date, **fields: Any
) -> JointInspection:
    access.require_writer(principal)
    _check_record(session, fields, today)
    record = JointInspection(
        **fields, created_by=principal.sub, created_by_name=principal.name[:100], version=1
    )
    session.add(record)
    session.flush()
    return record


def get(session: Session, principal: Principal, inspection_id: str, lock: bool = False):
    access.require_reader(principal)
    record = session.get(JointInspection, inspection_id, with_for_update=lock)
    if record is None:
        raise NotFound(f"协同联动检查 {inspection_id} 不存在")
    return record


def update(
    session: Session,
    principal: Principal,
    inspection_id: str,
    changes: Mapping[str, Any],
    if_match: int | None,
    today: date,
) -> JointInspection:
    """Correct the record; a place with a finding stays among the places visited."""
    access.require_writer(principal)
    record = get(session, principal, inspection_id, lock=True)
    check_version(record, if_match, "协同联动检查")
    _check_record(session, changes, today)
    if "cell_ids" in changes:
        found_at = {f.cell_id for f in findings_of(session, record.id)}
        dropped = sorted(found_at - set(changes["cell_ids"]))
        if dropped:
            raise invalid("cell_ids", "有发现问题的地点不能移出检查地点")
    if apply_changes(record, changes):
        record.version += 1
    return record


def findings_of(session: Session, inspection_id: str) -> list[JointFinding]:
    return list(
        session.scalars(
            select(JointFinding)
            .where(JointFinding.inspection_id == inspection_id)
            .order_by(JointFinding.created_at, JointFinding.id)
        )
    )


def detail(session: Session, record: JointInspection) -> dict[str, Any]:
    """The record with its findings and the names of its places."""
    names = dict(
        session.execute(
            select(GridCell.cell_id, GridCell.name).where(GridCell.cell_id.in_(record.cell_ids))
        ).all()
    )
    return {
        **columns(record),
        "places": [{"cell_id": c, "name": names.get(c, c)} for c in record.cell_ids],
        "findings": findings_of(session, record.id),
    }


def query(
    session: Session, principal: Principal, filters: Mapping[str, Any]
) -> list[JointInspection]:
    """Newest first; the agency and place filters match one of the record's list."""
    access.require_reader(principal)
    stmt = select(JointInspection).order_by(
        JointInspection.inspected_on.desc(), JointInspection.created_at.desc()
    )
    if filters.get("date_from"):
        stmt = stmt.where(JointInspection.inspected_on >= filters["date_from"])
    if filters.get("date_to"):
        stmt = stmt.where(JointInspection.inspected_on <= filters["date_to"])
    if filters.get("hazard_id"):
        stmt = stmt.where(
            JointInspection.id.in_(
                select(JointFinding.inspection_id).where(
                    JointFinding.hazard_id == filters["hazard_id"]
                )
            )
        )
    rows = list(session.scalars(stmt))
    agency, cell_id = filters.get("with_agency"), filters.get("cell_id")
    return [
        r
        for r in rows
        if (not agency or any(agency in a for a in r.agencies))
        and (not cell_id or cell_id in r.cell_ids)
    ]


def _found_at(day: date, now: datetime, campus_tz: str) -> datetime:
    """The hazard's finding time: the inspection's day (9:00 on campus), never later than now."""
    moment = datetime.combine(day, time(9, 0), tzinfo=ZoneInfo(campus_tz))
    return min(moment, now)


def add_finding(
    session: Session,
    principal: Principal,
    inspection_id: str,
    *,
    cell_id: str,
    category: str,
    description: str,
    campus_tz: str,
    now: datetime,
    policy: ledger_domain.Policy | None = None,
    subcategory: str | None = None,
    severity: str = ledger_domain.Severity.GENERAL,
) -> tuple[JointFinding, bool]:
    """A finding at a place visited opens one hazard (source joint_inspection); the same
    finding again returns the first (created False) and opens nothing."""
    access.require_writer(principal)
    record = get(session, principal, inspection_id, lock=True)
    office.check_place_listed(cell_id, record.cell_ids, "cell_id", "本次检查")
    ref = office.finding_id(record.id, cell_id, category, description)
    existing = session.get(JointFinding, ref)
    if existing is not None:
        return existing, False
    cell, hazard = findings.open_hazard(
        session,
        principal,
        source=domain.SOURCE,
        finding_ref=ref,
        cell_id=cell_id,
        describe=lambda name: domain.hazard_description(record.agencies, name, description),
        category=category,
        subcategory=subcategory,
        severity=severity,
        found_at=_found_at(record.inspected_on, now, campus_tz),
        campus_tz=campus_tz,
        now=now,
        policy=policy,
    )
    finding = JointFinding(
        id=ref,
        inspection_id=record.id,
        cell_id=cell.cell_id,
        category=category,
        description=description,
        hazard_id=hazard.id,
        hazard_number=hazard.number,
        created_by=principal.sub,
    )
    session.add(finding)
    session.flush()
    return finding, True
