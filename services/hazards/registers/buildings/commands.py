"""Use cases of the buildings register: put a building on file, edit it, its evacuation
drawing and construction sites, what its page lists, and the sweep that opens a major
hazard once per unsafe or lapsed appraisal."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, String, cast, literal, or_, select
from sqlalchemy.orm import Session, sessionmaker

from services.hazards import commands as ledger
from services.hazards.domain import Severity
from services.hazards.models import Hazard, RiskPoint, SpecialEquipment
from services.hazards.registers import access
from services.hazards.registers.buildings import domain
from services.hazards.registers.buildings.models import Building, ConstructionSite
from services.hazards.registers.chemicals.domain import CHEMICALS_CATEGORY
from services.hazards.registers.chemicals.models import ChemicalStore
from services.hazards.registers.domain import already_used
from services.hazards.registers.risks.commands import subtree
from services.hazards.registers.rows import apply_changes, columns, get_or_404
from shared import files
from shared.config import Settings
from shared.db import unit_of_work
from shared.errors import DomainError, NotFound, check_version
from shared.principal import Principal
from shared.timeutil import campus_today, utcnow

log = logging.getLogger("campus.hazards.registers")
SOURCE = "building"  # the hazards' source; source_ref from domain.*_ref


def register_building(
    session: Session, principal: Principal, today: date, **fields: Any
) -> Building:
    cell = access.place(session, fields["cell_id"])
    access.require_writer(principal, cell.unit_code)
    if session.scalar(select(Building.id).where(Building.cell_id == cell.cell_id)):
        raise already_used("cell_id", "已建档", f"地点 {cell.name} 已建档")
    _check(fields, today)
    building = Building(**fields, unit_code=cell.unit_code, created_by=principal.sub, version=1)
    session.add(building)
    session.flush()
    return building


def _check(fields: Mapping[str, Any], today: date) -> None:
    domain.check_built_year(fields.get("built_year"), today)
    domain.check_appraisal(
        fields.get("appraised_on"),
        fields.get("appraisal_grade"),
        fields.get("appraisal_due"),
        today,
    )


def get_building(
    session: Session, principal: Principal, building_id: str, lock: bool = False
) -> Building:
    building = get_or_404(session, Building, building_id, "建筑", lock)
    access.require_reader(
        session, principal, building.unit_code, domain.BUILDING_CATEGORY, f"建筑 {building_id} "
    )
    return building


def update_building(
    session: Session,
    principal: Principal,
    building_id: str,
    changes: Mapping[str, Any],
    today: date,
    if_match: int | None = None,
) -> Building:
    building = get_building(session, principal, building_id, lock=True)
    access.require_writer(principal, building.unit_code)
    check_version(building, if_match, "建筑档案")
    merged = {**columns(building), **changes}
    _check(merged, today)
    if apply_changes(building, changes):
        building.version += 1
    return building


def attach_drawing(
    session: Session, principal: Principal, building_id: str, upload: files.Upload
) -> Building:
    """The evacuation drawing (疏散图): a newer upload replaces the one on file."""
    building = get_building(session, principal, building_id, lock=True)
    access.require_writer(principal, building.unit_code)
    stored = files.accept(upload)
    building.drawing_sha256 = stored.sha256
    building.drawing_filename = stored.filename
    building.drawing_media_type = stored.media_type
    building.drawing_size = stored.size
    building.drawing_uploaded_by = principal.sub
    building.drawing_uploaded_at = utcnow()
    building.version += 1
    session.flush()
    return building


def drawing_of(session: Session, principal: Principal, building_id: str) -> tuple[str, str, str]:
    building = get_building(session, principal, building_id)
    if not building.drawing_sha256:
        raise NotFound(f"建筑 {building.name} 尚未上传疏散图")
    return building.drawing_sha256, str(building.drawing_media_type), str(building.drawing_filename)


def add_site(
    session: Session, principal: Principal, building_id: str, **fields: Any
) -> ConstructionSite:
    building = get_building(session, principal, building_id, lock=True)
    access.require_writer(principal, building.unit_code)
    domain.check_site(fields["starts_on"], fields["ends_on"])
    site = ConstructionSite(building_id=building.id, created_by=principal.sub, **fields)
    session.add(site)
    session.flush()
    return site


def sites_of(session: Session, building_ids: list[str]) -> dict[str, list[ConstructionSite]]:
    found: dict[str, list[ConstructionSite]] = {key: [] for key in building_ids}
    if building_ids:
        rows = session.scalars(
            select(ConstructionSite)
            .where(ConstructionSite.building_id.in_(building_ids))
            .order_by(ConstructionSite.starts_on.desc())
        )
        for site in rows:
            found[site.building_id].append(site)
    return found


def related(session: Session, principal: Principal, building_id: str) -> dict[str, list]:
    """The building page's lists: the risk points, hazards, special equipment and chemicals
    stores of the building's place and of every place below it in the grid (its floors and
    rooms), each as far as the caller may read them; each names its place (``cell_id``)."""
    building = get_building(session, principal, building_id)
    places = subtree(session, building.cell_id)

    def listed(model: Any, category: Any, order: Any, limit: int | None = None) -> list:
        stmt = access.visible(
            select(model).where(model.cell_id.in_(places)), principal, model.unit_code, category
        ).order_by(order)
        return session.scalars(stmt.limit(limit) if limit else stmt).all()

    def rows(records: list, keys: tuple[str, ...]) -> list[dict[str, Any]]:
        return [{key: getattr(r, key) for key in ("id", *keys, "cell_id")} for r in records]

    stores = listed(ChemicalStore, literal(CHEMICALS_CATEGORY), ChemicalStore.name)
    points = listed(RiskPoint, RiskPoint.category, RiskPoint.name)
    hazards = listed(Hazard, Hazard.category, Hazard.found_at.desc(), limit=100)
    equipment = listed(
        SpecialEquipment, literal("special_equipment"), SpecialEquipment.registration_no
    )
    return {
        "chemical_stores": rows(stores, ("name", "keeper_name")),
        "risk_points": rows(points, ("name", "category", "level")),
        "hazards": rows(hazards, ("number", "status", "severity")),
        "equipment": rows(equipment, ("name", "registration_no", "kind")),
    }


def building_query(principal: Principal, filters: Mapping[str, Any], today: date) -> Select:
    stmt = access.visible(
        select(Building), principal, Building.unit_code, literal(domain.BUILDING_CATEGORY)
    )
    for key in ("unit_code", "cell_id", "use", "structure"):
        if filters.get(key):
            stmt = stmt.where(getattr(Building, key) == filters[key])
    if filters.get("grade"):
        stmt = stmt.where(Building.appraisal_grade == filters["grade"])
    if filters.get("risk_flag"):  # JSON list: a text match works on both databases
        flag = f'"{filters["risk_flag"]}"'
        stmt = stmt.where(cast(Building.risk_flags, String).contains(flag))
    due = filters.get("due")
    unsafe = Building.appraisal_grade.in_([g.value for g in domain.UNSAFE_GRADES])
    if due == domain.AppraisalState.UNSAFE:
        stmt = stmt.where(unsafe)
    elif due == domain.AppraisalState.LAPSED:
        stmt = stmt.where(Building.appraisal_due < today)
    elif due == domain.AppraisalState.DUE_SOON:
        stmt = stmt.where(
            Building.appraisal_due >= today,
            Building.appraisal_due <= today + timedelta(days=domain.DUE_SOON_DAYS),
        )
    if filters.get("sort") == "due":
        return stmt.order_by(
            Building.appraisal_due.is_(None), Building.appraisal_due, Building.name
        )
    return stmt.order_by(Building.unit_code, Building.name)


# -- the sweep: a major hazard once per unsafe grade or lapsed appraisal ----------------------
def open_building_hazards(session: Session, now: datetime, campus_tz: str) -> int:
    today = campus_today(campus_tz, now)
    candidates = session.scalars(
        select(Building)
        .where(
            or_(
                Building.appraisal_grade.in_([g.value for g in domain.UNSAFE_GRADES]),
                Building.appraisal_due < today,
            )
        )
        .order_by(Building.name)
        .with_for_update(skip_locked=True)  # a concurrent sweep takes the others
    ).all()
    opened = 0
    for building in candidates:
        found = domain.hazards_due(
            building.id,
            building.name,
            building.appraisal_grade,
            building.appraised_on,
            building.appraisal_due,
            today,
        )
        for ref, description in found:
            if session.scalar(
                select(Hazard.id).where(Hazard.source == SOURCE, Hazard.source_ref == ref)
            ):
                continue
            opened += _open(session, building, ref, description, now, campus_tz)
    return opened


def _open(
    session: Session, building: Building, ref: str, description: str, now: datetime, tz: str
) -> int:
    """In a savepoint: one bad record must not block the others'."""
    try:
        with session.begin_nested():
            ledger.create_hazard(
                session,
                ledger.SYSTEM,
                category=domain.BUILDING_CATEGORY,
                subcategory=domain.APPRAISAL_SUBCATEGORY,
                description=description,
                cell_id=building.cell_id,
                severity=Severity.MAJOR,
                location=building.name,
                found_at=now,
                campus_tz=tz,
                source=SOURCE,
                source_ref=ref,
            )
    except DomainError as exc:
        log.warning("building %s: no hazard opened: %s", building.id, exc)
        return 0
    return 1


def run_building_sweep(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> int:
    """The worker's periodic task (services.hazards.sweeps.TASKS signature)."""
    with unit_of_work(factory) as session:
        return open_building_hazards(session, now or utcnow(), settings.campus_timezone)
