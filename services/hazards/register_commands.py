"""Use cases of the three registers: risk points (task 三), daily inspections (七), special
equipment (十). Each takes the caller's session and principal and changes state only inside
the caller's transaction, so an inspection and the hazards its failed items open commit or
roll back together.

Access: the security office writes everywhere, a unit manager within the unit of the place
(the grid cell's unit in the local grid projection); grid staff may inspect the cells they
hold. Reading follows the hazard ledger: one's own unit, everything for global roles, and a
lead department (牵头部门) also sees the categories it leads across units.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, literal, or_, select
from sqlalchemy.orm import Session, sessionmaker

from services.hazards import commands, domain, leads
from services.hazards import register_rules as rules
from services.hazards.models import (
    ChecklistTemplate,
    EquipmentInspection,
    Hazard,
    Inspection,
    InspectionItem,
    RiskPoint,
    SpecialEquipment,
)
from services.hazards.register_schemas import ChecklistCreateSchema
from shared.config import Settings
from shared.db import unit_of_work
from shared.errors import DomainError, Forbidden, NotFound, check_version
from shared.grid_projection import GridCell, GridUnit, cells_held_by
from shared.principal import GRID_STAFF, LEAD_DEPARTMENT, SECURITY_OFFICE, UNIT_MANAGER, Principal
from shared.timeutil import campus_today, utcnow

log = logging.getLogger("campus.hazards.registers")

PLACE_LEVEL = 3  # grid levels 1 campus, 2 unit; places (楼宇、楼层、房间…) from 3 down
EQUIPMENT_CATEGORY = "special_equipment"


class AlreadyExists(DomainError):
    status = 409
    title = "Already exists"


# -- access -------------------------------------------------------------------------------
def require_writer(principal: Principal, unit_code: str | None) -> None:
    principal.require_manage_unit(unit_code, "changing")


def led_categories(session: Session, principal: Principal) -> set[str]:
    """The categories the caller leads, as the newest campaign names them (co-leads too)."""
    if LEAD_DEPARTMENT not in principal.roles:
        return set()
    return leads.led_categories(session, principal.unit)


def can_read(session: Session, principal: Principal, unit_code: str, category: str) -> bool:
    return principal.can_access_unit(unit_code) or category in led_categories(session, principal)


def require_reader(
    session: Session, principal: Principal, unit_code: str, category: str, what: str
) -> None:
    if not can_read(session, principal, unit_code, category):
        raise Forbidden(f"{what} belongs to unit {unit_code!r}, outside your scope")


def visible(
    stmt: Select, principal: Principal, unit_col: ColumnElement, category_col: ColumnElement
) -> Select:
    """Restrict a list query to what ``can_read`` allows (the leads read in SQL)."""
    if principal.is_global:
        return stmt
    conditions = [unit_col == principal.unit] if principal.unit else []
    if LEAD_DEPARTMENT in principal.roles:
        conditions.append(leads.led_category_condition(principal.unit, category_col))
    return stmt.where(or_(*conditions) if conditions else false())


def place(session: Session, cell_id: str, field: str = "cell_id") -> GridCell:
    """A grid cell with a unit (the projection's copy), or 422 naming ``field``."""
    cell = session.get(GridCell, cell_id)
    if cell is None or cell.unit_code is None:
        raise rules.invalid(field, "not a place known to the grid (with a unit)")
    return cell


def _apply(obj: Any, changes: Mapping[str, Any]) -> bool:
    changed = False
    for key, value in changes.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def _get(session: Session, model: type, key: str, label: str, lock: bool = False) -> Any:
    obj = session.get(model, key, with_for_update=lock)
    if obj is None:
        raise NotFound(f"{label} {key} does not exist")
    return obj


def columns(obj: Any) -> dict[str, Any]:
    """A row as a dict, for views that add computed fields beside the stored ones."""
    return {column.key: getattr(obj, column.key) for column in obj.__table__.columns}


def subtree(session: Session, cell_id: str) -> list[str]:
    """The cell and every cell below it (a building's board shows its rooms' risks too)."""
    children: dict[str | None, list[str]] = {}
    for child, parent in session.execute(select(GridCell.cell_id, GridCell.parent_id)):
        children.setdefault(parent, []).append(child)
    out, stack = [], [cell_id]
    while stack:
        current = stack.pop()
        if current not in out:
            out.append(current)
            stack.extend(children.get(current, []))
    return out


# -- risk register (风险辨识评估) -------------------------------------------------------------
def create_risk(session: Session, principal: Principal, **fields: Any) -> RiskPoint:
    cell = place(session, fields["cell_id"])
    require_writer(principal, cell.unit_code)
    score = rules.risk_score(fields["likelihood"], fields["severity"])
    risk = RiskPoint(
        **fields,
        unit_code=cell.unit_code,
        score=score,
        level=rules.level_for_score(score).value,
        created_by=principal.sub,
        updated_by=principal.sub,
        version=1,
    )
    session.add(risk)
    session.flush()
    return risk


def get_risk(session: Session, principal: Principal, risk_id: str, lock: bool = False) -> RiskPoint:
    risk = _get(session, RiskPoint, risk_id, "risk point", lock)
    require_reader(session, principal, risk.unit_code, risk.category, f"risk point {risk_id}")
    return risk


def update_risk(
    session: Session,
    principal: Principal,
    risk_id: str,
    changes: Mapping[str, Any],
    if_match: int | None = None,
) -> RiskPoint:
    """Re-assess a risk point: the level follows L and S; moving it needs both units."""
    risk = get_risk(session, principal, risk_id, lock=True)
    require_writer(principal, risk.unit_code)
    check_version(risk, if_match, "risk point")
    changes = dict(changes)
    if "cell_id" in changes and changes["cell_id"] != risk.cell_id:
        cell = place(session, changes["cell_id"])
        require_writer(principal, cell.unit_code)
        changes["unit_code"] = cell.unit_code
    likelihood = changes.get("likelihood", risk.likelihood)
    severity = changes.get("severity", risk.severity)
    score = rules.risk_score(likelihood, severity)
    changes.update(score=score, level=rules.level_for_score(score).value)
    if _apply(risk, changes):
        risk.updated_by = principal.sub
        risk.version += 1
    return risk


def risk_query(principal: Principal, filters: Mapping[str, Any]) -> Select:
    stmt = visible(select(RiskPoint), principal, RiskPoint.unit_code, RiskPoint.category)
    for key in ("unit_code", "cell_id", "level", "category"):
        if filters.get(key):
            stmt = stmt.where(getattr(RiskPoint, key) == filters[key])
    if filters.get("review_due_by"):
        stmt = stmt.where(RiskPoint.next_review_on <= filters["review_due_by"])
    return stmt.order_by(RiskPoint.unit_code, RiskPoint.score.desc(), RiskPoint.name)


def announcement(session: Session, principal: Principal, cell_id: str) -> dict[str, Any]:
    """风险公告: the place's risk points (and those of the places below it), red → blue.
    A lead department from another unit sees the points of the categories it leads."""
    cell = session.get(GridCell, cell_id)
    if cell is None:
        raise NotFound(f"cell {cell_id} is not a place known to the grid")
    if not (principal.can_access_unit(cell.unit_code) or LEAD_DEPARTMENT in principal.roles):
        raise Forbidden(f"cell {cell_id} belongs to unit {cell.unit_code!r}, outside your scope")
    names = dict(session.execute(select(GridCell.cell_id, GridCell.name)).all())
    points = session.scalars(
        visible(select(RiskPoint), principal, RiskPoint.unit_code, RiskPoint.category).where(
            RiskPoint.cell_id.in_(subtree(session, cell_id))
        )
    )
    ordered = sorted(points, key=lambda p: rules.announcement_key(p.level, p.score, p.name))
    top = rules.highest_level(p.level for p in ordered)
    unit = session.get(GridUnit, cell.unit_code) if cell.unit_code else None
    return {
        "cell_id": cell.cell_id,
        "cell_name": cell.name,
        "unit_code": cell.unit_code,
        "unit_name": unit.name if unit else None,
        "highest_level": top.value if top else None,
        "highest_level_label": rules.RISK_LEVEL_LABELS[top] if top else None,
        "counts": rules.colour_counts(p.level for p in ordered),
        "points": [{**columns(p), "cell_name": names.get(p.cell_id)} for p in ordered],
    }


def risk_summary(
    session: Session, principal: Principal, unit_code: str | None = None
) -> list[dict[str, Any]]:
    """Risk points by colour per unit (units without any still listed for global roles)."""
    if unit_code is not None and not (
        principal.can_access_unit(unit_code) or led_categories(session, principal)
    ):
        raise Forbidden(f"unit {unit_code!r} is outside your scope")
    stmt = visible(
        select(RiskPoint.unit_code, RiskPoint.level, func.count()),
        principal,
        RiskPoint.unit_code,
        RiskPoint.category,
    ).group_by(RiskPoint.unit_code, RiskPoint.level)
    if unit_code is not None:
        stmt = stmt.where(RiskPoint.unit_code == unit_code)
    counts: dict[str, dict[str, int]] = {}
    for unit, level, count in session.execute(stmt):
        row = counts.setdefault(unit, rules.colour_counts([]))
        row[level] = count
    names = dict(session.execute(select(GridUnit.code, GridUnit.name)).all())
    if unit_code is not None:
        units = [unit_code]
    elif principal.is_global:
        units = sorted(set(names) | set(counts))
    else:
        units = sorted(set(counts) | ({principal.unit} if principal.unit else set()))
    return [
        {
            "unit_code": unit,
            "unit_name": names.get(unit),
            **counts.get(unit, rules.colour_counts([])),
            "total": sum(counts.get(unit, {}).values()),
        }
        for unit in units
    ]


# -- checklists (检查表) --------------------------------------------------------------------
def require_checklist_editor(session: Session, principal: Principal, category: str) -> None:
    """College-wide data: the security office, or a lead department of the category."""
    if SECURITY_OFFICE in principal.roles or category in led_categories(session, principal):
        return
    raise Forbidden("checklists are edited by the security office or the category's lead dept")


def create_checklist(session: Session, principal: Principal, **fields: Any) -> ChecklistTemplate:
    require_checklist_editor(session, principal, fields["category"])
    if session.scalar(select(ChecklistTemplate.id).where(ChecklistTemplate.code == fields["code"])):
        raise AlreadyExists(
            f"checklist {fields['code']} already exists",
            invalid_params=[{"name": "code", "reason": "already used", "location": "json"}],
        )
    template = ChecklistTemplate(**fields, version=1)
    session.add(template)
    session.flush()
    return template


def get_checklist(session: Session, template_id: str, lock: bool = False) -> ChecklistTemplate:
    return _get(session, ChecklistTemplate, template_id, "checklist", lock)


def update_checklist(
    session: Session,
    principal: Principal,
    template_id: str,
    changes: Mapping[str, Any],
    if_match: int | None = None,
) -> ChecklistTemplate:
    """Edit a template; past inspections keep the items they were checked against."""
    template = get_checklist(session, template_id, lock=True)
    require_checklist_editor(session, principal, template.category)
    check_version(template, if_match, "checklist")
    if _apply(template, changes):
        template.version += 1
    return template


def checklist_query(filters: Mapping[str, Any]) -> Select:
    stmt = select(ChecklistTemplate).order_by(ChecklistTemplate.category, ChecklistTemplate.code)
    if filters.get("category"):
        stmt = stmt.where(ChecklistTemplate.category == filters["category"])
    if "active" in filters:
        stmt = stmt.where(ChecklistTemplate.active.is_(filters["active"]))
    return stmt


def load_seed_checklists() -> list[dict[str, Any]]:
    """The shipped templates (services/hazards/data/checklists.json), validated."""
    text = resources.files("services.hazards.data").joinpath("checklists.json").read_text("utf-8")
    schema = ChecklistCreateSchema()
    return [schema.load(entry) for entry in json.loads(text)]


def seed_checklists(session: Session) -> int:
    """Insert the shipped templates whose code is not there yet; returns how many.

    Idempotent, and never overwrites a template the campus has since edited.
    """
    existing = set(session.scalars(select(ChecklistTemplate.code)))
    added = 0
    for entry in load_seed_checklists():
        if entry["code"] not in existing:
            session.add(ChecklistTemplate(**entry, version=1))
            added += 1
    session.flush()
    return added


# -- daily inspections (日检查) -------------------------------------------------------------
def require_inspector(
    session: Session, principal: Principal, cell: GridCell, day: date, category: str
) -> None:
    """Security office: all places; unit managers: their unit; grid staff: cells they hold;
    lead departments: any unit's places, with a checklist of a category they lead (督导检查,
    e.g. task 十's laboratory checks)."""
    if SECURITY_OFFICE in principal.roles:
        return
    if UNIT_MANAGER in principal.roles and principal.unit == cell.unit_code:
        return
    if GRID_STAFF in principal.roles and cell.cell_id in cells_held_by(session, principal.sub, day):
        return
    if category in led_categories(session, principal):
        return
    raise Forbidden(
        f"inspecting {cell.name} needs the security office, unit {cell.unit_code}'s manager, "
        "grid staff holding the place, or a lead department of the checklist's category"
    )


def record_inspection(
    session: Session,
    principal: Principal,
    *,
    template_id: str,
    cell_id: str,
    results: list[Mapping[str, Any]],
    campus_tz: str,
    performed_at: datetime | None = None,
    note: str | None = None,
    inspection_id: str | None = None,
    policy: domain.Policy | None = None,
    now: datetime | None = None,
) -> tuple[Inspection, bool]:
    """Record an inspection; every failed item opens one hazard linked to it.

    A client-chosen ``inspection_id`` makes retries safe: the same id again returns the
    first record (created False) and opens nothing more.
    """
    if inspection_id is not None:
        existing = session.get(Inspection, inspection_id)
        if existing is not None:
            if (existing.inspector, existing.cell_id, existing.template_id) != (
                principal.sub,
                cell_id,
                template_id,
            ):
                raise AlreadyExists(
                    f"inspection {inspection_id} already records another inspection",
                    invalid_params=[{"name": "id", "reason": "already used", "location": "json"}],
                )
            return existing, False
    now = now or utcnow()
    performed_at = performed_at or now
    domain.check_found_at(performed_at, now, "performed_at")  # a phone's clock may drift
    day = rules.campus_date(performed_at, campus_tz)
    template = session.get(ChecklistTemplate, template_id)
    if template is None:
        raise rules.invalid("template_id", "no such checklist")
    if not template.active:
        raise rules.invalid("template_id", "the checklist is no longer in use")
    cell = place(session, cell_id)
    require_inspector(session, principal, cell, day, template.category)
    outcomes = rules.evaluate_results(template.items, results)
    inspection = Inspection(
        template_id=template.id,
        template_code=template.code,
        template_name=template.name,
        template_version=template.version,
        category=template.category,
        unit_code=cell.unit_code,
        cell_id=cell.cell_id,
        inspector=principal.sub,
        inspector_name=principal.name,
        performed_at=performed_at,
        inspected_on=day,
        note=note,
        passed=sum(o.result == rules.ItemResult.PASS for o in outcomes),
        failed=sum(o.result == rules.ItemResult.FAIL for o in outcomes),
        not_applicable=sum(o.result == rules.ItemResult.NA for o in outcomes),
    )
    if inspection_id is not None:
        inspection.id = inspection_id
    session.add(inspection)
    session.flush()
    for outcome in outcomes:
        item = InspectionItem(
            inspection_id=inspection.id,
            position=outcome.position,
            code=outcome.code,
            text=outcome.text,
            result=outcome.result.value,
            note=outcome.note,
        )
        if outcome.result == rules.ItemResult.FAIL:
            hazard = commands.create_hazard(
                session,
                principal,
                category=template.category,
                description=rules.hazard_description(template.name, cell.name, outcome),
                cell_id=cell.cell_id,
                location=cell.location,
                found_at=performed_at,
                campus_tz=campus_tz,
                source="inspection",
                source_ref=f"{inspection.id}:{outcome.code}",
                now=now,
                policy=policy,
            )
            item.hazard_id, item.hazard_number = hazard.id, hazard.number
        session.add(item)
    session.flush()
    return inspection, True


def get_inspection(session: Session, principal: Principal, inspection_id: str) -> Inspection:
    inspection = _get(session, Inspection, inspection_id, "inspection")
    require_reader(
        session, principal, inspection.unit_code, inspection.category, f"inspection {inspection_id}"
    )
    return inspection


def inspection_items(session: Session, inspection_ids: Iterable[str]) -> dict[str, list]:
    ids = list(inspection_ids)
    out: dict[str, list[InspectionItem]] = {i: [] for i in ids}
    if ids:
        for item in session.scalars(
            select(InspectionItem)
            .where(InspectionItem.inspection_id.in_(ids))
            .order_by(InspectionItem.inspection_id, InspectionItem.position)
        ):
            out[item.inspection_id].append(item)
    return out


def inspection_query(principal: Principal, filters: Mapping[str, Any]) -> Select:
    stmt = visible(select(Inspection), principal, Inspection.unit_code, Inspection.category)
    for key in ("unit_code", "cell_id", "category", "template_id", "inspector"):
        if filters.get(key):
            stmt = stmt.where(getattr(Inspection, key) == filters[key])
    if filters.get("on"):
        stmt = stmt.where(Inspection.inspected_on == filters["on"])
    if filters.get("date_from"):
        stmt = stmt.where(Inspection.inspected_on >= filters["date_from"])
    if filters.get("date_to"):
        stmt = stmt.where(Inspection.inspected_on <= filters["date_to"])
    if "has_failures" in filters:
        stmt = stmt.where((Inspection.failed > 0) == filters["has_failures"])
    return stmt.order_by(Inspection.performed_at.desc(), Inspection.id)


def coverage(
    session: Session, principal: Principal, unit_code: str | None, period: rules.Period
) -> dict[str, Any]:
    """Places (cells of level ≥ 3) of the unit with no inspection in the period."""
    if unit_code is None and not principal.is_global:
        if principal.unit is None:
            raise rules.invalid("unit_code", "required for callers without a unit")
        unit_code = principal.unit
    if unit_code is not None:
        principal.require_unit(unit_code)
    places_stmt = select(GridCell).where(
        GridCell.level >= PLACE_LEVEL, GridCell.unit_code.is_not(None)
    )
    if unit_code is not None:
        places_stmt = places_stmt.where(GridCell.unit_code == unit_code)
    places = list(session.scalars(places_stmt.order_by(GridCell.unit_code, GridCell.code)))
    inspected = session.scalars(
        select(Inspection.cell_id)
        .where(Inspection.inspected_on >= period.start, Inspection.inspected_on <= period.end)
        .distinct()
    )
    missing = set(rules.uninspected([p.cell_id for p in places], inspected))
    last = dict(
        session.execute(
            select(Inspection.cell_id, func.max(Inspection.inspected_on))
            .where(Inspection.inspected_on <= period.end)
            .group_by(Inspection.cell_id)
        ).all()
    )
    return {
        "unit_code": unit_code,
        "period": period.label,
        "start": period.start,
        "end": period.end,
        "places_total": len(places),
        "inspected_count": len(places) - len(missing),
        "uninspected": [
            {"cell": p, "last_inspected_on": last.get(p.cell_id)}
            for p in places
            if p.cell_id in missing
        ],
    }


# -- special equipment (特种设备) ------------------------------------------------------------
def register_equipment(session: Session, principal: Principal, **fields: Any) -> SpecialEquipment:
    cell = place(session, fields["cell_id"])
    require_writer(principal, cell.unit_code)
    _check_registration_free(session, fields["registration_no"])
    equipment = SpecialEquipment(
        **fields, unit_code=cell.unit_code, created_by=principal.sub, version=1
    )
    session.add(equipment)
    session.flush()
    return equipment


def _check_registration_free(session: Session, number: str, exclude: str | None = None) -> None:
    other = session.scalar(
        select(SpecialEquipment.id).where(SpecialEquipment.registration_no == number)
    )
    if other is not None and other != exclude:
        raise AlreadyExists(
            f"registration number {number} is already registered",
            invalid_params=[
                {"name": "registration_no", "reason": "already registered", "location": "json"}
            ],
        )


def get_equipment(
    session: Session, principal: Principal, equipment_id: str, lock: bool = False
) -> SpecialEquipment:
    equipment = _get(session, SpecialEquipment, equipment_id, "equipment", lock)
    require_reader(
        session, principal, equipment.unit_code, EQUIPMENT_CATEGORY, f"equipment {equipment_id}"
    )
    return equipment


def update_equipment(
    session: Session,
    principal: Principal,
    equipment_id: str,
    changes: Mapping[str, Any],
    if_match: int | None = None,
) -> SpecialEquipment:
    """Edit the register entry. Inspection dates move only by recorded inspections, so each
    change of a due date has a record behind it."""
    equipment = get_equipment(session, principal, equipment_id, lock=True)
    require_writer(principal, equipment.unit_code)
    check_version(equipment, if_match, "equipment")
    changes = dict(changes)
    if "registration_no" in changes:
        _check_registration_free(session, changes["registration_no"], exclude=equipment.id)
    if "cell_id" in changes and changes["cell_id"] != equipment.cell_id:
        cell = place(session, changes["cell_id"])
        require_writer(principal, cell.unit_code)
        changes["unit_code"] = cell.unit_code
    if _apply(equipment, changes):
        equipment.version += 1
    return equipment


def record_periodic_inspection(
    session: Session,
    principal: Principal,
    equipment_id: str,
    *,
    campus_tz: str,
    inspected_on: date,
    result: str,
    next_due: date | None = None,
    agency: str | None = None,
    report_no: str | None = None,
    note: str | None = None,
) -> tuple[EquipmentInspection, SpecialEquipment]:
    """定期检验: keep the record; the newest one sets the last and next inspection dates."""
    equipment = get_equipment(session, principal, equipment_id, lock=True)
    require_writer(principal, equipment.unit_code)
    rules.check_periodic_inspection(inspected_on, result, next_due, campus_today(campus_tz))
    record = EquipmentInspection(
        equipment_id=equipment.id,
        inspected_on=inspected_on,
        result=result,
        next_due=next_due,
        agency=agency,
        report_no=report_no,
        note=note,
        recorded_by=principal.sub,
    )
    session.add(record)
    if rules.supersedes(equipment.last_inspected_on, inspected_on):
        equipment.last_inspected_on = inspected_on
        equipment.next_inspection_due = next_due
        equipment.status = rules.status_after(result, equipment.status)
        equipment.version += 1
    session.flush()
    return record, equipment


def equipment_query(principal: Principal, filters: Mapping[str, Any], today: date) -> Select:
    stmt = select(SpecialEquipment)
    if not principal.is_global:
        led = (
            leads.led_category_condition(principal.unit, literal(EQUIPMENT_CATEGORY))
            if LEAD_DEPARTMENT in principal.roles
            else false()
        )
        stmt = stmt.where(or_(SpecialEquipment.unit_code == principal.unit, led))
    for key in ("unit_code", "cell_id", "kind", "status"):
        if filters.get(key):
            stmt = stmt.where(getattr(SpecialEquipment, key) == filters[key])
    due = filters.get("due")
    if due == rules.DueState.OVERDUE:
        stmt = stmt.where(SpecialEquipment.next_inspection_due < today)
    elif due == rules.DueState.DUE_SOON:
        stmt = stmt.where(
            SpecialEquipment.next_inspection_due >= today,
            SpecialEquipment.next_inspection_due <= today + timedelta(days=rules.DUE_SOON_DAYS),
        )
    return stmt.order_by(SpecialEquipment.unit_code, SpecialEquipment.registration_no)


def open_due_equipment_hazards(session: Session, now: datetime, campus_tz: str) -> int:
    """Open one hazard per equipment per lapsed due date (超期未检); returns how many.

    The hazard's source_ref "<equipment id>:<due date>" is unique in the ledger, so a
    second run at the same clock opens nothing, and a new lapse after the next recorded
    inspection opens a new one.
    """
    today = campus_today(campus_tz, now)
    candidates = session.scalars(
        select(SpecialEquipment)
        .where(
            SpecialEquipment.status == rules.EquipmentStatus.IN_USE.value,
            SpecialEquipment.next_inspection_due < today,
        )
        .order_by(SpecialEquipment.registration_no)
        .with_for_update(skip_locked=True)  # a concurrent sweep takes the others
    ).all()
    opened = 0
    for equipment in candidates:
        due = equipment.next_inspection_due
        if due is None or not rules.needs_due_hazard(equipment.status, due, today):
            continue
        ref = f"{equipment.id}:{due.isoformat()}"
        if session.scalar(
            select(Hazard.id).where(Hazard.source == "equipment", Hazard.source_ref == ref)
        ):
            continue
        try:
            with session.begin_nested():  # one bad entry must not block the others' hazards
                commands.create_hazard(
                    session,
                    commands.SYSTEM,
                    category=EQUIPMENT_CATEGORY,
                    subcategory="periodic_inspection",  # 定期检验 fell due unrecorded
                    description=rules.equipment_hazard_description(
                        equipment.name, equipment.kind, equipment.registration_no, due
                    ),
                    cell_id=equipment.cell_id,
                    location=equipment.location,
                    found_at=now,
                    campus_tz=campus_tz,
                    source="equipment",
                    source_ref=ref,
                )
        except DomainError as exc:
            log.warning("equipment %s: no hazard opened: %s", equipment.registration_no, exc)
            continue
        opened += 1
    return opened


def run_equipment_sweep(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> int:
    """The worker's periodic task (services.hazards.sweeps.TASKS signature)."""
    with unit_of_work(factory) as session:
        return open_due_equipment_hazards(session, now or utcnow(), settings.campus_timezone)
