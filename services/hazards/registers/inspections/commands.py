"""Use cases of daily inspections: the checklists (检查表) and their shipped seed, recording
an inspection (each failed item opens a hazard in the same transaction, so both commit or
roll back together), lists, and coverage of a unit's places."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from importlib import resources
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from services.hazards import commands as ledger
from services.hazards import domain as ledger_domain
from services.hazards.models import ChecklistTemplate, Inspection, InspectionItem
from services.hazards.registers import access
from services.hazards.registers.domain import already_used, invalid
from services.hazards.registers.inspections import domain
from services.hazards.registers.inspections.schemas import ChecklistCreateSchema
from services.hazards.registers.rows import apply_changes, columns, get_or_404
from shared.errors import check_version
from shared.grid_projection import GridCell
from shared.principal import Principal
from shared.timeutil import utcnow


# -- checklists (检查表) --------------------------------------------------------------------
def create_checklist(session: Session, principal: Principal, **fields: Any) -> ChecklistTemplate:
    access.require_checklist_editor(session, principal, fields["category"])
    if session.scalar(select(ChecklistTemplate.id).where(ChecklistTemplate.code == fields["code"])):
        raise already_used("code", "已被使用", f"检查表编码 {fields['code']} 已存在")
    template = ChecklistTemplate(**fields, version=1)
    session.add(template)
    session.flush()
    return template


def get_checklist(session: Session, template_id: str, lock: bool = False) -> ChecklistTemplate:
    return get_or_404(session, ChecklistTemplate, template_id, "checklist", lock)


def update_checklist(
    session: Session,
    principal: Principal,
    template_id: str,
    changes: Mapping[str, Any],
    if_match: int | None = None,
) -> ChecklistTemplate:
    """Edit a template; past inspections keep the items they were checked against."""
    template = get_checklist(session, template_id, lock=True)
    access.require_checklist_editor(session, principal, template.category)
    check_version(template, if_match, "检查表")
    if apply_changes(template, changes):
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
    policy: ledger_domain.Policy | None = None,
    now: datetime | None = None,
) -> tuple[Inspection, bool]:
    """Record an inspection; every failed item opens one hazard linked to it. A client-
    chosen ``inspection_id`` makes retries safe: the same id again returns the first record
    (created False) and opens nothing more."""
    if inspection_id is not None:
        existing = _recorded_before(session, principal, inspection_id, cell_id, template_id)
        if existing is not None:
            return existing, False
    now = now or utcnow()
    performed_at = performed_at or now
    ledger_domain.check_found_at(performed_at, now, "performed_at")  # a phone's clock may drift
    day = domain.campus_date(performed_at, campus_tz)
    template = _template_in_use(session, template_id)
    cell = access.place(session, cell_id)
    access.require_inspector(session, principal, cell, day, template.category)
    outcomes = domain.evaluate_results(template.items, results)
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
        **domain.result_counts(outcomes),
    )
    if inspection_id is not None:
        inspection.id = inspection_id
    session.add(inspection)
    session.flush()
    opened = functools.partial(
        _open_hazard, session, principal, campus_tz=campus_tz, now=now, policy=policy
    )
    for outcome in outcomes:
        item = _item(inspection, outcome)
        if outcome.result == domain.ItemResult.FAIL:
            hazard = opened(inspection, template, cell, outcome)
            item.hazard_id, item.hazard_number = hazard.id, hazard.number
        session.add(item)
    session.flush()
    return inspection, True


def _recorded_before(
    session: Session, principal: Principal, inspection_id: str, cell_id: str, template_id: str
) -> Inspection | None:
    """The inspection a retry with the same client-chosen id recorded (409 when the id
    names another inspection), or None."""
    existing = session.get(Inspection, inspection_id)
    if existing is None:
        return None
    if (existing.inspector, existing.cell_id, existing.template_id) != (
        principal.sub,
        cell_id,
        template_id,
    ):
        raise already_used("id", "已被使用", f"检查记录编号 {inspection_id} 已用于另一次检查")
    return existing


def _template_in_use(session: Session, template_id: str) -> ChecklistTemplate:
    template = session.get(ChecklistTemplate, template_id)
    if template is None:
        raise invalid("template_id", "没有这个检查表")
    if not template.active:
        raise invalid("template_id", "该检查表已停用")
    return template


def _item(inspection: Inspection, outcome: domain.ItemOutcome) -> InspectionItem:
    return InspectionItem(
        inspection_id=inspection.id,
        position=outcome.position,
        code=outcome.code,
        text=outcome.text,
        result=outcome.result.value,
        note=outcome.note,
    )


def _open_hazard(
    session: Session,
    principal: Principal,
    inspection: Inspection,
    template: ChecklistTemplate,
    cell: GridCell,
    outcome: domain.ItemOutcome,
    *,
    campus_tz: str,
    now: datetime,
    policy: ledger_domain.Policy | None,
):
    """The hazard a failed item opens, found by the inspector when the inspection was."""
    return ledger.create_hazard(
        session,
        principal,
        category=template.category,
        description=domain.hazard_description(template.name, cell.name, outcome),
        cell_id=cell.cell_id,
        location=cell.location,
        found_at=inspection.performed_at,
        campus_tz=campus_tz,
        source="inspection",
        source_ref=domain.hazard_source_ref(inspection.id, outcome),
        now=now,
        policy=policy,
    )


def get_inspection(session: Session, principal: Principal, inspection_id: str) -> Inspection:
    inspection = get_or_404(session, Inspection, inspection_id, "inspection")
    access.require_reader(
        session, principal, inspection.unit_code, inspection.category, f"检查记录 {inspection_id} "
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


def detail(session: Session, inspection: Inspection) -> dict[str, Any]:
    """An inspection with its items and the numbers of the hazards its failures opened."""
    items = inspection_items(session, [inspection.id])[inspection.id]
    return {
        **columns(inspection),
        "items": items,
        "hazard_numbers": [i.hazard_number for i in items if i.hazard_number],
    }


def inspection_query(principal: Principal, filters: Mapping[str, Any]) -> Select:
    stmt = access.visible(select(Inspection), principal, Inspection.unit_code, Inspection.category)
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


# -- coverage -----------------------------------------------------------------------------
def coverage(
    session: Session, principal: Principal, unit_code: str | None, period: domain.Period
) -> dict[str, Any]:
    """Places (cells of level ≥ 3) of the unit with no inspection in the period."""
    if unit_code is None and not principal.is_global:
        if principal.unit is None:
            raise invalid("unit_code", "您的账号不属于某个单位，须写明单位")
        unit_code = principal.unit
    if unit_code is not None:
        principal.require_unit(unit_code)
    places = _places(session, unit_code)
    inspected = session.scalars(
        select(Inspection.cell_id)
        .where(Inspection.inspected_on >= period.start, Inspection.inspected_on <= period.end)
        .distinct()
    )
    missing = set(domain.uninspected([p.cell_id for p in places], inspected))
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


def _places(session: Session, unit_code: str | None) -> list[GridCell]:
    """The places inspected (cells of level ≥ 3 with a unit), of one unit or all."""
    stmt = select(GridCell).where(
        GridCell.level >= domain.PLACE_LEVEL, GridCell.unit_code.is_not(None)
    )
    if unit_code is not None:
        stmt = stmt.where(GridCell.unit_code == unit_code)
    return list(session.scalars(stmt.order_by(GridCell.unit_code, GridCell.code)))
