"""Use cases of the placement register: record and edit placements, keep the host's safety
agreement, start (refused while something is missing) and finish, the due list, and the
sweep that opens a hazard once per placement whose start date came without what it needs
or whose insurance ran out under way."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, literal, or_, select
from sqlalchemy.orm import Session, sessionmaker

from services.hazards import commands as ledger
from services.hazards.models import Hazard
from services.hazards.registers import access
from services.hazards.registers.placements import domain
from services.hazards.registers.placements.models import Placement, PlacementAgreement
from services.hazards.registers.rows import apply_changes, get_or_404
from shared import files
from shared.config import Settings
from shared.db import unit_of_work
from shared.errors import DomainError, NotFound, check_version
from shared.principal import Principal
from shared.timeutil import campus_today, utcnow

log = logging.getLogger("campus.hazards.registers")
SOURCE = "placement"  # the hazards' source; source_ref names the placement and the lapse


def readiness(session: Session, placement: Placement) -> domain.Readiness:
    has_agreement = session.scalar(
        select(exists().where(PlacementAgreement.placement_id == placement.id))
    )
    return domain.Readiness(
        starts_on=placement.starts_on,
        ends_on=placement.ends_on,
        has_agreement=bool(has_agreement),
        insurance_policy_no=placement.insurance_policy_no,
        insurance_from=placement.insurance_from,
        insurance_to=placement.insurance_to,
        briefing_activity_id=placement.briefing_activity_id,
        briefing_held_on=placement.briefing_held_on,
    )


def missing_condition() -> ColumnElement[bool]:
    """SQL twin of domain.missing_for_start: something a start needs is missing."""
    p = Placement
    return or_(
        ~exists().where(PlacementAgreement.placement_id == p.id),
        p.insurance_policy_no.is_(None),
        p.insurance_from.is_(None),
        p.insurance_to.is_(None),
        p.insurance_from > p.starts_on,
        p.insurance_to < p.ends_on,
        p.briefing_activity_id.is_(None),
        p.briefing_held_on.is_(None),
        p.briefing_held_on > p.starts_on,
    )


def _title(placement: Placement) -> str:
    return f"实训实习“{placement.title}”"


def _check(fields: Mapping[str, Any]) -> None:
    domain.check_dates(fields.get("starts_on"), fields.get("ends_on"))
    domain.check_insurance_dates(fields.get("insurance_from"), fields.get("insurance_to"))
    domain.check_students(fields.get("student_count"), fields.get("students"))


def record_placement(session: Session, principal: Principal, **fields: Any) -> Placement:
    cell = access.place(session, fields["cell_id"])
    access.require_writer(principal, cell.unit_code)
    _check(fields)
    placement = Placement(
        **fields,
        unit_code=cell.unit_code,
        status=domain.PlacementStatus.PLANNED.value,
        created_by=principal.sub,
        version=1,
    )
    session.add(placement)
    session.flush()
    return placement


def get_placement(
    session: Session, principal: Principal, placement_id: str, lock: bool = False
) -> Placement:
    placement = get_or_404(session, Placement, placement_id, "实训实习", lock)
    access.require_reader(
        session,
        principal,
        placement.unit_code,
        domain.PLACEMENT_CATEGORY,
        f"实训实习 {placement_id} ",
    )
    return placement


def agreements_of(session: Session, placement_id: str) -> list[PlacementAgreement]:
    return list(
        session.scalars(
            select(PlacementAgreement)
            .where(PlacementAgreement.placement_id == placement_id)
            .order_by(PlacementAgreement.uploaded_at.desc())
        )
    )


def update_placement(
    session: Session,
    principal: Principal,
    placement_id: str,
    changes: Mapping[str, Any],
    if_match: int | None = None,
) -> Placement:
    placement = get_placement(session, principal, placement_id, lock=True)
    access.require_writer(principal, placement.unit_code)
    check_version(placement, if_match, "实训实习")
    changes = dict(changes)
    cancel = changes.pop("cancelled", False)
    merged = {c: getattr(placement, c) for c in ("starts_on", "ends_on", "student_count")}
    merged |= {c: getattr(placement, c) for c in ("insurance_from", "insurance_to", "students")}
    _check(merged | changes)
    if "cell_id" in changes and changes["cell_id"] != placement.cell_id:
        cell = access.place(session, changes["cell_id"])
        access.require_writer(principal, cell.unit_code)
        changes["unit_code"] = cell.unit_code
    if cancel:
        if placement.status != domain.PlacementStatus.PLANNED:
            raise domain.PlacementStateConflict(f"{_title(placement)}已开始或已结束，不能取消")
        changes["status"] = domain.PlacementStatus.CANCELLED.value
    if apply_changes(placement, changes):
        placement.version += 1
    return placement


def add_agreement(
    session: Session, principal: Principal, placement_id: str, upload: files.Upload
) -> PlacementAgreement:
    """The host's safety agreement (安全协议): a scan or a PDF, stored by content hash."""
    placement = get_placement(session, principal, placement_id, lock=True)
    access.require_writer(principal, placement.unit_code)
    stored = files.accept(upload)
    agreement = PlacementAgreement(
        placement_id=placement.id, media_type=stored.media_type, **stored.columns(principal.sub)
    )
    session.add(agreement)
    placement.version += 1
    session.flush()
    return agreement


def newest_agreement(
    session: Session, principal: Principal, placement_id: str
) -> PlacementAgreement:
    get_placement(session, principal, placement_id)
    found = agreements_of(session, placement_id)
    if not found:
        raise NotFound(f"实训实习 {placement_id} 尚未上传安全协议")
    return found[0]


def start(session: Session, principal: Principal, placement_id: str, day: date) -> Placement:
    """出发: refused (409 naming each) without agreement, covering insurance or briefing."""
    placement = get_placement(session, principal, placement_id, lock=True)
    access.require_writer(principal, placement.unit_code)
    missing = domain.missing_for_start(readiness(session, placement))
    domain.check_can_start(placement.status, missing, _title(placement))
    placement.status = domain.PlacementStatus.UNDER_WAY.value
    placement.started_on = day
    placement.version += 1
    return placement


def finish(session: Session, principal: Principal, placement_id: str, day: date) -> Placement:
    placement = get_placement(session, principal, placement_id, lock=True)
    access.require_writer(principal, placement.unit_code)
    domain.check_can_finish(placement.status, _title(placement))
    placement.status = domain.PlacementStatus.FINISHED.value
    placement.finished_on = day
    placement.version += 1
    return placement


def placement_query(principal: Principal, filters: Mapping[str, Any], today: date) -> Select:
    stmt = access.visible(
        select(Placement), principal, Placement.unit_code, literal(domain.PLACEMENT_CATEGORY)
    )
    for key in ("unit_code", "kind", "status"):
        if filters.get(key):
            stmt = stmt.where(getattr(Placement, key) == filters[key])
    due = filters.get("due")
    if due:
        last = today if due == domain.DueState.BLOCKED else today + timedelta(domain.DUE_SOON_DAYS)
        first = today + timedelta(days=1) if due == domain.DueState.DUE_SOON else None
        stmt = stmt.where(
            Placement.status == domain.PlacementStatus.PLANNED.value,
            Placement.starts_on <= last,
            missing_condition(),
        )
        if first is not None:
            stmt = stmt.where(Placement.starts_on >= first)
    if filters.get("sort") == "due":
        return stmt.order_by(Placement.starts_on, Placement.title)
    return stmt.order_by(Placement.starts_on.desc(), Placement.title)


# -- the due sweep --------------------------------------------------------------------------
def open_placement_hazards(session: Session, now: datetime, campus_tz: str) -> int:
    """One hazard per placement whose start date came while something is missing, and one
    per lapse of insurance under way; source_ref is unique, so a second run opens none."""
    today = campus_today(campus_tz, now)
    candidates = session.scalars(
        select(Placement)
        .where(
            or_(
                (Placement.status == domain.PlacementStatus.PLANNED.value)
                & (Placement.starts_on <= today),
                (Placement.status == domain.PlacementStatus.UNDER_WAY.value)
                & (Placement.insurance_to < today),
            )
        )
        .order_by(Placement.starts_on, Placement.id)
        .with_for_update(skip_locked=True)
    ).all()
    opened = 0
    for p in candidates:
        missing = domain.missing_for_start(readiness(session, p))
        if domain.needs_start_hazard(p.status, p.starts_on, missing, today):
            ref = domain.start_hazard_ref(p.id, p.starts_on)
            text = domain.start_hazard_description(p.title, p.host_name, p.starts_on, missing)
        elif p.insurance_to and domain.needs_insurance_hazard(p.status, p.insurance_to, today):
            ref = domain.insurance_hazard_ref(p.id, p.insurance_to)
            text = domain.insurance_hazard_description(p.title, p.host_name, p.insurance_to)
        else:
            continue
        if session.scalar(
            select(Hazard.id).where(Hazard.source == SOURCE, Hazard.source_ref == ref)
        ):
            continue
        if _open_hazard(session, p, ref, text, now, campus_tz):
            opened += 1
    return opened


def _open_hazard(
    session: Session, p: Placement, ref: str, text: str, now: datetime, campus_tz: str
) -> bool:
    """In a savepoint: one bad entry must not block the others'."""
    try:
        with session.begin_nested():
            ledger.create_hazard(
                session,
                ledger.SYSTEM,
                category=domain.PLACEMENT_CATEGORY,
                subcategory=domain.PLACEMENT_SUBCATEGORY,
                description=text,
                cell_id=p.cell_id,
                location=p.host_name,
                found_at=now,
                campus_tz=campus_tz,
                source=SOURCE,
                source_ref=ref,
            )
    except DomainError as exc:
        log.warning("placement %s: no hazard opened: %s", p.id, exc)
        return False
    return True


def run_placement_sweep(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> int:
    """The worker's periodic task (services.hazards.sweeps.TASKS signature)."""
    with unit_of_work(factory) as session:
        return open_placement_hazards(session, now or utcnow(), settings.campus_timezone)
