"""Use cases of the food-safety register: outlets, their certificates and daily records, the
list of what falls due, and the sweep that opens a hazard once per lapse (a missing day's
record after the cut-off, a failed pesticide test, an expired certificate)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, exists, literal, select
from sqlalchemy.orm import Session, sessionmaker

from services.hazards import commands as ledger
from services.hazards.models import Hazard
from services.hazards.registers import access
from services.hazards.registers.food_safety import domain
from services.hazards.registers.food_safety.models import (
    FoodCertificate,
    FoodDailyRecord,
    FoodOutlet,
)
from services.hazards.registers.rows import apply_changes, get_or_404
from shared.config import Settings
from shared.db import unit_of_work
from shared.errors import DomainError, check_version
from shared.principal import Principal
from shared.timeutil import campus_today, utcnow

log = logging.getLogger("campus.hazards.registers")


def register_outlet(session: Session, principal: Principal, **fields: Any) -> FoodOutlet:
    cell = access.place(session, fields["cell_id"])
    access.require_writer(principal, cell.unit_code)
    outlet = FoodOutlet(**fields, unit_code=cell.unit_code, created_by=principal.sub, version=1)
    session.add(outlet)
    session.flush()
    return outlet


def get_outlet(
    session: Session, principal: Principal, outlet_id: str, lock: bool = False
) -> FoodOutlet:
    outlet = get_or_404(session, FoodOutlet, outlet_id, "食品经营场所", lock)
    access.require_reader(
        session, principal, outlet.unit_code, domain.FOOD_CATEGORY, f"食品经营场所 {outlet_id} "
    )
    return outlet


def update_outlet(
    session: Session,
    principal: Principal,
    outlet_id: str,
    changes: Mapping[str, Any],
    if_match: int | None = None,
) -> FoodOutlet:
    outlet = get_outlet(session, principal, outlet_id, lock=True)
    access.require_writer(principal, outlet.unit_code)
    check_version(outlet, if_match, "食品经营场所")
    changes = dict(changes)
    if "cell_id" in changes and changes["cell_id"] != outlet.cell_id:
        cell = access.place(session, changes["cell_id"])
        access.require_writer(principal, cell.unit_code)
        changes["unit_code"] = cell.unit_code
    if apply_changes(outlet, changes):
        outlet.version += 1
    return outlet


def add_certificate(
    session: Session, principal: Principal, outlet_id: str, **fields: Any
) -> FoodCertificate:
    outlet = get_outlet(session, principal, outlet_id, lock=True)
    access.require_writer(principal, outlet.unit_code)
    issued_on = fields.pop("issued_on", None)
    domain.check_certificate(fields["expires_on"], issued_on)
    certificate = FoodCertificate(outlet_id=outlet.id, created_by=principal.sub, **fields)
    session.add(certificate)
    session.flush()
    return certificate


def certificates_of(session: Session, outlet_id: str) -> list[FoodCertificate]:
    return list(
        session.scalars(
            select(FoodCertificate)
            .where(FoodCertificate.outlet_id == outlet_id)
            .order_by(FoodCertificate.expires_on, FoodCertificate.holder_name)
        )
    )


def add_record(
    session: Session, principal: Principal, outlet_id: str, today: date, **fields: Any
) -> FoodDailyRecord:
    """A daily record, append-only: a correction is a new record (the old one stays)."""
    outlet = get_outlet(session, principal, outlet_id)
    access.require_writer(principal, outlet.unit_code)
    domain.check_record(
        fields["kind"],
        fields["day"],
        today,
        fields.get("result"),
        fields.get("batch_no"),
        fields.get("origin"),
    )
    record = FoodDailyRecord(outlet_id=outlet.id, recorded_by=principal.sub, **fields)
    session.add(record)
    session.flush()
    return record


def records_of(session: Session, outlet_id: str, day: date | None = None) -> list[FoodDailyRecord]:
    stmt = select(FoodDailyRecord).where(FoodDailyRecord.outlet_id == outlet_id)
    if day is not None:
        stmt = stmt.where(FoodDailyRecord.day == day)
    return list(
        session.scalars(stmt.order_by(FoodDailyRecord.day.desc(), FoodDailyRecord.recorded_at))
    )


def outlet_query(principal: Principal, filters: Mapping[str, Any], today: date) -> Select:
    """The outlets in the caller's scope; due=expired|due_soon: those with such a certificate
    (the due list)."""
    stmt = access.visible(
        select(FoodOutlet), principal, FoodOutlet.unit_code, literal(domain.FOOD_CATEGORY)
    )
    for key in ("unit_code", "cell_id", "kind", "status"):
        if filters.get(key):
            stmt = stmt.where(getattr(FoodOutlet, key) == filters[key])
    due = filters.get("due")
    if due:
        cert = select(FoodCertificate.id).where(FoodCertificate.outlet_id == FoodOutlet.id)
        if due == domain.DueState.EXPIRED:
            cert = cert.where(FoodCertificate.expires_on < today)
        else:
            cert = cert.where(
                FoodCertificate.expires_on >= today,
                FoodCertificate.expires_on <= today + timedelta(days=domain.DUE_SOON_DAYS),
            )
        stmt = stmt.where(exists(cert))
    return stmt.order_by(FoodOutlet.unit_code, FoodOutlet.kind, FoodOutlet.name)


def earliest_expiry(session: Session, outlet_ids: list[str]) -> dict[str, date]:
    """Each outlet's soonest-expiring certificate (its due state on the list)."""
    if not outlet_ids:
        return {}
    rows = session.execute(
        select(FoodCertificate.outlet_id, FoodCertificate.expires_on).where(
            FoodCertificate.outlet_id.in_(outlet_ids)
        )
    ).all()
    soonest: dict[str, date] = {}
    for outlet_id, expires_on in rows:
        if outlet_id not in soonest or expires_on < soonest[outlet_id]:
            soonest[outlet_id] = expires_on
    return soonest


# -- the sweep --------------------------------------------------------------------------------
def open_food_hazards(session: Session, now: datetime, campus_tz: str, cutoff_hour: int) -> int:
    """Open one hazard per lapse; returns how many. Each hazard's source_ref is unique in the
    ledger (domain.*_ref), so a second run opens nothing."""
    day = domain.last_closed_day(now, campus_tz, cutoff_hour)
    today = campus_today(campus_tz, now)
    outlets = session.scalars(
        select(FoodOutlet)
        .where(FoodOutlet.status == domain.OutletStatus.OPEN.value)
        .order_by(FoodOutlet.id)
        .with_for_update(skip_locked=True)  # a concurrent sweep takes the others
    ).all()
    opened = 0
    for outlet in outlets:
        for ref, subcategory, description in _lapses(
            session, outlet, day, today, campus_tz, cutoff_hour
        ):
            if _open(session, outlet, ref, subcategory, description, now, campus_tz):
                opened += 1
    return opened


def _lapses(
    session: Session, outlet: FoodOutlet, day: date, today: date, campus_tz: str, cutoff_hour: int
) -> list[tuple[str, str, str]]:
    lapses = []
    # A missing record of the last closed day (an outlet registered after its cut-off owes none).
    if outlet.created_at <= domain.cutoff_of(day, campus_tz, cutoff_hour):
        recorded = set(
            session.scalars(
                select(FoodDailyRecord.kind).where(
                    FoodDailyRecord.outlet_id == outlet.id, FoodDailyRecord.day == day
                )
            )
        )
        missing = domain.missing_records(outlet.kind, recorded)
        if missing:
            lapses.append(
                (
                    domain.missing_ref(outlet.id, day),
                    domain.subcategory_of(outlet.kind, "missing"),
                    domain.missing_description(outlet.name, outlet.kind, day, missing),
                )
            )
    for record in session.scalars(
        select(FoodDailyRecord).where(
            FoodDailyRecord.outlet_id == outlet.id,
            FoodDailyRecord.result == domain.TestResult.FAIL.value,
        )
    ):
        lapses.append(
            (
                domain.failed_test_ref(record.id),
                domain.subcategory_of(outlet.kind, "test"),
                domain.failed_test_description(outlet.name, record.day, record.item),
            )
        )
    for cert in session.scalars(
        select(FoodCertificate).where(
            FoodCertificate.outlet_id == outlet.id, FoodCertificate.expires_on < today
        )
    ):
        lapses.append(
            (
                domain.expired_ref(cert.id, cert.expires_on),
                domain.subcategory_of(outlet.kind, "cert"),
                domain.expired_description(
                    outlet.name, cert.kind, cert.holder_name, cert.expires_on
                ),
            )
        )
    return lapses


def _open(
    session: Session,
    outlet: FoodOutlet,
    ref: str,
    subcategory: str,
    description: str,
    now: datetime,
    campus_tz: str,
) -> bool:
    """Open the lapse's hazard in a savepoint unless one has it: one bad entry must not block
    the others'."""
    if session.scalar(
        select(Hazard.id).where(Hazard.source == domain.SOURCE, Hazard.source_ref == ref)
    ):
        return False
    try:
        with session.begin_nested():
            ledger.create_hazard(
                session,
                ledger.SYSTEM,
                category=domain.FOOD_CATEGORY,
                subcategory=subcategory,
                description=description,
                cell_id=outlet.cell_id,
                location=outlet.location,
                found_at=now,
                campus_tz=campus_tz,
                source=domain.SOURCE,
                source_ref=ref,
            )
    except DomainError as exc:
        log.warning("food outlet %s: no hazard opened: %s", outlet.id, exc)
        return False
    return True


def run_food_sweep(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> int:
    """The worker's periodic task (services.hazards.sweeps.TASKS signature)."""
    with unit_of_work(factory) as session:
        return open_food_hazards(
            session, now or utcnow(), settings.campus_timezone, settings.food_cutoff_hour
        )
