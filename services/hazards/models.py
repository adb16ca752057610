"""Tables of the hazard ledger service."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.db import UTCDateTime, new_metadata
from shared.files import StoredFileColumns
from shared.grid_projection import GridProjectionBase
from shared.timeutil import utcnow


def _uuid() -> str:
    return str(uuid.uuid4())


BigId = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    metadata = new_metadata()


class Hazard(Base):
    __tablename__ = "hazards"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    unit_code: Mapped[str] = mapped_column(String(32))  # indexed with the list key below
    cell_id: Mapped[str | None] = mapped_column(String(36), index=True)
    category: Mapped[str] = mapped_column(String(32))
    # One of the category's sub-categories (shared.vocabulary.SUBCATEGORIES), if known.
    subcategory: Mapped[str | None] = mapped_column(String(32))
    lead_department: Mapped[str] = mapped_column(String(32), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # indexed with the list key below
    description: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(200))
    found_by: Mapped[str] = mapped_column(String(64))
    found_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Resolved from the grid projection as of the finding date (who answers for the place).
    responsible_person_id: Mapped[str | None] = mapped_column(String(36))
    responsible_person_name: Mapped[str | None] = mapped_column(String(50))
    deadline: Mapped[date | None] = mapped_column(Date)
    # 四落实 and, for hazards that cannot be fixed quickly, the rectification plan.
    remediation_person: Mapped[str | None] = mapped_column(String(50))
    measures: Mapped[str | None] = mapped_column(Text)
    contingency_plan: Mapped[str | None] = mapped_column(Text)
    quick_fix: Mapped[bool] = mapped_column(Boolean, default=True)
    rectification_plan: Mapped[str | None] = mapped_column(Text)
    interim_measures: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    # Where the hazard came from: report | inspection | drill | equipment, and its id there.
    source: Mapped[str] = mapped_column(String(16), default="report")
    source_ref: Mapped[str | None] = mapped_column(String(64))
    overdue_notified_for: Mapped[date | None] = mapped_column(Date)
    # Issue 12 (services.hazards.domain's docstring): who reported it, when it was
    # registered, the approved rectification plan's deadline, the rectification awaiting
    # acceptance and who accepts it, and what the sweep announced (once per cause).
    reporter_unit: Mapped[str | None] = mapped_column(String(32))
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the plan clock of a major hazard started: its registration as major, or a
    # later raise to major (before registration: its reporting). None when general.
    major_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    plan_deadline: Mapped[date | None] = mapped_column(Date)
    plan_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rectified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the last time
    acceptance_due: Mapped[date | None] = mapped_column(Date)  # only while rectified
    acceptor_unit: Mapped[str | None] = mapped_column(String(32))
    # The rectification round (reopen_count) whose late acceptance was announced.
    acceptance_notified_round: Mapped[int | None] = mapped_column(Integer)
    # 悬而不决 announced for having no plan (the column's name is older: before issue 12 it
    # meant announced for being open too long, which counts as the same cause).
    major_no_plan_notified: Mapped[bool] = mapped_column(
        "major_unresolved_notified", Boolean, default=False
    )
    plan_overdue_notified_for: Mapped[date | None] = mapped_column(Date)
    # When each of these happened, carried in the events so that accountability dates a
    # lateness by the facts, whatever order the events reach it in: the current deadline
    # was set, the overdue and the late acceptance were announced, acceptance was decided.
    deadline_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acceptance_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acceptance_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)  # = sequence of its latest event
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("source", "source_ref", name="uq_hazards_source_ref"),
        # The ledger's order (newest first on its pages, oldest first in the export).
        Index("ix_hazards_found_at_number", "found_at", "number"),
        # The list's filters, each followed by its key: a filtered page after a cursor is
        # an index range in order (services.hazards.ledger_pages; migration 0026).
        Index("ix_hazards_unit_found", "unit_code", "found_at", "number"),
        Index("ix_hazards_unit_status_found", "unit_code", "status", "found_at", "number"),
        Index("ix_hazards_status_found", "status", "found_at", "number"),
        Index("ix_hazards_category_found", "category", "found_at", "number"),
    )

    # Every lead department of the category when the hazard was found (the campaign's
    # co-leads, services.hazards.leads); ``lead_department`` above stays the first of them.
    leads: Mapped[list[HazardLead]] = relationship(
        order_by="HazardLead.position", lazy="selectin", cascade="all, delete-orphan"
    )

    # Its extension requests, oldest first: read with the hazard by the views that show
    # them (``commands.get_hazard(..., extensions=True)``), never loaded by surprise.
    extension_requests: Mapped[list[ExtensionRequest]] = relationship(
        order_by="ExtensionRequest.created_at", lazy="raise", viewonly=True
    )

    @property
    def lead_departments(self) -> list[str]:
        """The lead departments; a hazard written before co-leads has only its one."""
        return [lead.unit_code for lead in self.leads] or [self.lead_department]


class HazardTransition(Base):
    """Who moved a hazard from which stage to which, when and why (append-only)."""

    __tablename__ = "hazard_transitions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    hazard_id: Mapped[str] = mapped_column(ForeignKey("hazards.id"), index=True)
    action: Mapped[str] = mapped_column(String(32), default="create")
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str | None] = mapped_column(String(50))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class HazardNumberCounter(Base):
    """Last serial used per year; incremented in the creating transaction (gap-free)."""

    __tablename__ = "hazard_number_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_serial: Mapped[int] = mapped_column(Integer, default=0)


class ExtensionRequest(Base):
    """延期申请: a new deadline asked for, approved or refused."""

    __tablename__ = "extension_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    hazard_id: Mapped[str] = mapped_column(ForeignKey("hazards.id"), index=True)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_by_name: Mapped[str | None] = mapped_column(String(50))  # names, never ids
    requested_deadline: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    # The deadline when it was asked, and whether it had passed then (only the security
    # office asks after it).
    deadline_when_asked: Mapped[date | None] = mapped_column(Date)
    asked_after_deadline: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_by_name: Mapped[str | None] = mapped_column(String(50))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Attachment(StoredFileColumns, Base):
    """A photo or document of a hazard; the bytes live outside the database, by hash."""

    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    hazard_id: Mapped[str] = mapped_column(ForeignKey("hazards.id"), index=True)
    media_type: Mapped[str] = mapped_column(String(64))


class IdempotencyKey(Base):
    """A portal's Idempotency-Key and the hazard its first request created."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "<sub>:<key>"
    request_hash: Mapped[str] = mapped_column(String(64))
    hazard_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# -- registers: risks (task 三), daily inspections (七), special equipment (十) -------------
# Imported here so the classes above stay untouched while other work edits them.
from sqlalchemy import JSON  # noqa: E402


class RiskPoint(Base):
    """风险点: a risk identified at a place, graded by the LS method (register_rules)."""

    __tablename__ = "risk_points"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    unit_code: Mapped[str] = mapped_column(String(32), index=True)  # the cell's, at writing
    cell_id: Mapped[str] = mapped_column(String(36), index=True)
    category: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    hazard_factors: Mapped[str | None] = mapped_column(Text)  # 主要危险因素
    likelihood: Mapped[int] = mapped_column(Integer)
    severity: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(8), index=True)
    control_measures: Mapped[str] = mapped_column(Text)
    emergency_measures: Mapped[str | None] = mapped_column(Text)
    owner_name: Mapped[str] = mapped_column(String(50))
    next_review_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ChecklistTemplate(Base):
    """A daily-inspection checklist (检查表) of one category; items are [{code, text}]."""

    __tablename__ = "checklist_templates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    code: Mapped[str] = mapped_column(String(48), unique=True)
    category: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(100))
    items: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Inspection(Base):
    """日检查: one place checked against one checklist; items are copied, so later edits of
    the template never rewrite what was checked."""

    __tablename__ = "inspections"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    template_id: Mapped[str] = mapped_column(ForeignKey("checklist_templates.id"), index=True)
    template_code: Mapped[str] = mapped_column(String(48))
    template_name: Mapped[str] = mapped_column(String(100))
    template_version: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(32))
    unit_code: Mapped[str] = mapped_column(String(32), index=True)
    cell_id: Mapped[str] = mapped_column(String(36), index=True)
    inspector: Mapped[str] = mapped_column(String(64))
    inspector_name: Mapped[str | None] = mapped_column(String(50))
    performed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    inspected_on: Mapped[date] = mapped_column(Date, index=True)  # campus date: coverage
    note: Mapped[str | None] = mapped_column(Text)
    passed: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    not_applicable: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InspectionItem(Base):
    __tablename__ = "inspection_items"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspections.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(24))
    text: Mapped[str] = mapped_column(String(200))
    result: Mapped[str] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(Text)
    # The hazard a failed item opened (numbers never change, so it is kept beside the id).
    hazard_id: Mapped[str | None] = mapped_column(ForeignKey("hazards.id"))
    hazard_number: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (UniqueConstraint("inspection_id", "code", name="uq_inspection_items_code"),)


class SpecialEquipment(Base):
    """特种设备台账: one registered item of special equipment and its periodic inspection dates."""

    __tablename__ = "special_equipment"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    registration_no: Mapped[str] = mapped_column(String(64), unique=True)  # 使用登记证编号
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(100))
    unit_code: Mapped[str] = mapped_column(String(32), index=True)
    cell_id: Mapped[str] = mapped_column(String(36), index=True)
    location: Mapped[str | None] = mapped_column(String(200))
    keeper_name: Mapped[str] = mapped_column(String(50))
    last_inspected_on: Mapped[date | None] = mapped_column(Date)
    next_inspection_due: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default="in_use")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class EquipmentInspection(Base):
    """定期检验记录 (append-only): what moved an equipment's last/next inspection dates."""

    __tablename__ = "equipment_inspections"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    equipment_id: Mapped[str] = mapped_column(ForeignKey("special_equipment.id"), index=True)
    inspected_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(16))
    next_due: Mapped[date | None] = mapped_column(Date)
    agency: Mapped[str | None] = mapped_column(String(100))  # 检验机构
    report_no: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# -- lead departments of categories, from the campaign (rule: the campaign's data wins) -----
class LeadCampaign(Base):
    """A campaign whose categories reached us (``campaign.categories_published``); the
    newest one (by start date) decides the leads in ``category_leads``."""

    __tablename__ = "lead_campaigns"

    campaign_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    categories: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    last_sequence: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CategoryLead(Base):
    """One lead department of one category, as the newest published campaign names it."""

    __tablename__ = "category_leads"

    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)  # 0 = the first lead
    campaign_id: Mapped[str] = mapped_column(String(36))


class HazardLead(Base):
    """One of a hazard's lead departments (who sees, accepts and reports on it)."""

    __tablename__ = "hazard_leads"

    hazard_id: Mapped[str] = mapped_column(ForeignKey("hazards.id"), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)

    # A department's co-leads (position > 0) without reading the hazards it leads first
    # (services.hazards.leads.hazard_led_by; migration 0026).
    __table_args__ = (Index("ix_hazard_leads_unit_position", "unit_code", "position"),)


class ExportJob(Base):
    """A ledger export written by the worker (services.hazards.export_jobs): who asked,
    with which filters and scope, how far it got, and when its file was written."""

    __tablename__ = "export_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    requested_by: Mapped[str] = mapped_column(String(64), index=True)  # the token's sub
    # The requester's scope when asking (the worker applies it; the download needs it).
    roles: Mapped[list[str]] = mapped_column(JSON)
    unit: Mapped[str | None] = mapped_column(String(32))
    filters: Mapped[dict[str, Any]] = mapped_column(JSON)  # HazardQuerySchema, dumped
    title: Mapped[str] = mapped_column(String(200))  # the sheet's title and the file's name
    status: Mapped[str] = mapped_column(String(16), index=True)  # queued|running|done|failed
    rows_total: Mapped[int | None] = mapped_column(Integer)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    size: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The runner's last sign of life: a running job silent for long is taken up again.
    progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# The tables this service's migrations create (checked against them in tests/contract):
# its own and its copy of the grid (fed by grid events).
SCHEMA = [Base.metadata, GridProjectionBase.metadata]

# The incidents ledger's tables (issue 16) live in their area, on this Base.
from services.hazards.incidents import models as _incidents  # noqa: E402, F401

# The security office's registers (services.hazards.office: clues, joint inspections,
# patrols) keep their tables in their own module, on this Base, so SCHEMA covers them.
from services.hazards.office import models as _office_models  # noqa: E402, F401

# The buildings register (建筑建档, issue 17) keeps its tables in its own package, on this Base.
from services.hazards.registers.buildings import models as _buildings_models  # noqa: E402, F401

# The chemicals register (危化品, issue 17) keeps its tables in its package, on this Base.
from services.hazards.registers.chemicals import models as _chemical_models  # noqa: E402, F401

# The emergency-plan register (issue 17) keeps its tables in its package, on this Base.
from services.hazards.registers.emergency_plans import models as _plan_models  # noqa: E402, F401

# The food-safety register (食品安全, issue 17): its tables in its package, on this Base.
from services.hazards.registers.food_safety import models as _food_models  # noqa: E402, F401

# The placement register (实训实习, issue 17) keeps its tables in its own package, on this Base.
from services.hazards.registers.placements import models as _placement_models  # noqa: E402, F401

# The vehicles and drivers register (issue 17) keeps its tables in its package, on this Base.
from services.hazards.registers.vehicles import models as _vehicles_models  # noqa: E402, F401
