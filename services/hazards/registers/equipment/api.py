"""/equipment: the special-equipment register (特种设备) and its periodic inspections."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from services.hazards.models import EquipmentInspection, SpecialEquipment
from services.hazards.registers.equipment import commands, domain
from services.hazards.registers.equipment.schemas import (
    EquipmentCreateSchema,
    EquipmentQuerySchema,
    EquipmentSchema,
    EquipmentUpdateSchema,
    PeriodicInspectionCreateSchema,
    PeriodicInspectionSchema,
)
from services.hazards.registers.rows import columns
from shared.api import Blueprint, page_of, read_session, state, transaction, with_etag
from shared.api import if_match_version as if_match
from shared.auth import current_principal
from shared.timeutil import campus_today

blp = Blueprint(
    "equipment", __name__, url_prefix="/equipment", description="特种设备 special equipment"
)


def today() -> date:
    return campus_today(state().settings.campus_timezone)


def view(equipment: SpecialEquipment, day: date) -> dict[str, Any]:
    """The entry with its due state (超期未检 / 即将到期) as of the campus day."""
    return {
        **columns(equipment),
        "due_state": domain.due_state(equipment.next_inspection_due, day).value,
    }


@blp.route("", methods=["POST"])
@blp.arguments(EquipmentCreateSchema)
@blp.response(201, EquipmentSchema)
def register_equipment(payload):
    """Register equipment at a place; the registration number (使用登记证编号) is unique."""
    with transaction() as session:
        equipment = commands.register_equipment(session, current_principal(), **payload)
        return with_etag(equipment, view(equipment, today()), 201)


@blp.route("", methods=["GET"])
@blp.arguments(EquipmentQuerySchema, location="query")
@blp.response(200, EquipmentSchema(many=True))
@blp.paginate()
def list_equipment(query, pagination_parameters):
    """The register in the caller's scope; due=overdue|due_soon finds what needs 定期检验."""
    day = today()
    stmt = commands.equipment_query(current_principal(), query, day)
    return [view(e, day) for e in page_of(stmt, pagination_parameters)]


@blp.route("/<equipment_id>", methods=["GET"])
@blp.response(200, EquipmentSchema)
def get_equipment(equipment_id: str):
    equipment = commands.get_equipment(read_session(), current_principal(), equipment_id)
    return with_etag(equipment, view(equipment, today()))


@blp.route("/<equipment_id>", methods=["PATCH"])
@blp.arguments(EquipmentUpdateSchema)
@blp.response(200, EquipmentSchema)
@blp.alt_response(412, description="If-Match does not match the equipment's version")
def update_equipment(payload, equipment_id: str):
    """Edit the entry (not its inspection dates: record an inspection for those)."""
    with transaction() as session:
        equipment = commands.update_equipment(
            session, current_principal(), equipment_id, payload, if_match()
        )
        return with_etag(equipment, view(equipment, today()))


@blp.route("/<equipment_id>/inspections", methods=["POST"])
@blp.arguments(PeriodicInspectionCreateSchema)
@blp.response(201, PeriodicInspectionSchema)
def record_periodic_inspection(payload, equipment_id: str):
    """定期检验: date, result, next due date → the entry's last/next dates (a failed
    inspection takes equipment in use out of use)."""
    tz = state().settings.campus_timezone
    with transaction() as session:
        record, _ = commands.record_periodic_inspection(
            session, current_principal(), equipment_id, campus_tz=tz, **payload
        )
        return record


@blp.route("/<equipment_id>/inspections", methods=["GET"])
@blp.response(200, PeriodicInspectionSchema(many=True))
def list_periodic_inspections(equipment_id: str):
    session = read_session()
    commands.get_equipment(session, current_principal(), equipment_id)
    return session.scalars(
        select(EquipmentInspection)
        .where(EquipmentInspection.equipment_id == equipment_id)
        .order_by(EquipmentInspection.inspected_on.desc(), EquipmentInspection.recorded_at.desc())
    ).all()
