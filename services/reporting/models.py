"""Tables of the reporting and accountability service."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.db import UTCDateTime, new_metadata
from shared.files import StoredFileColumns
from shared.grid_projection import GridProjectionBase
from shared.timeutil import utcnow


def _uuid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = new_metadata()


# -- projections (fed only by events) -------------------------------------------------------
class HazardProjection(Base):
    """Local copy of each hazard's latest state, fed only by hazard.* events."""

    __tablename__ = "hazard_projection"

    hazard_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    number: Mapped[str] = mapped_column(String(32))
    unit_code: Mapped[str] = mapped_column(String(32), index=True)
    cell_id: Mapped[str | None] = mapped_column(String(36))
    category: Mapped[str] = mapped_column(String(32))
    lead_department: Mapped[str | None] = mapped_column(String(32))
    # Every lead department (co-leads), first = lead_department; None on older events.
    lead_departments: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responsible_person_id: Mapped[str | None] = mapped_column(String(36))
    responsible_person_name: Mapped[str | None] = mapped_column(String(50))
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who is late, and on which deadline: the unit (the rectification deadline), the
    # acceptor (the acceptance deadline), a major hazard's plan (its plan's deadline).
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rectified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    plan_deadline: Mapped[date | None] = mapped_column(Date)
    acceptance_due: Mapped[date | None] = mapped_column(Date)
    acceptor_unit: Mapped[str | None] = mapped_column(String(32))
    # A server default too: bulk loads (bench/statistics.py) and old rows need no value.
    acceptance_overdue: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    major_unresolved_reason: Mapped[str | None] = mapped_column(String(16))
    reporter_unit: Mapped[str | None] = mapped_column(String(32))
    # When those facts happened (the hazard's state says): a flag raised or resolved from
    # a late, reordered event is dated by them, not by the event's arrival.
    deadline_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    plan_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acceptance_overdue_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acceptance_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sequence: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_hazard_projection_found_unit", "found_at", "unit_code"),)


class ActivityProjection(Base):
    """Education activities (activity.* and drill.completed), for education coverage."""

    __tablename__ = "activity_projection"

    activity_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    organiser_unit: Mapped[str] = mapped_column(String(32))
    target_units: Mapped[list[str]] = mapped_column(JSON)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))
    participants: Mapped[int | None] = mapped_column(Integer)
    last_sequence: Mapped[int] = mapped_column(Integer)


class DrillResultProjection(Base):
    """Drill results (drill.completed): participants, evacuation time, problems found."""

    __tablename__ = "drill_result_projection"

    drill_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    target_units: Mapped[list[str]] = mapped_column(JSON)
    participants: Mapped[int] = mapped_column(Integer)
    evacuation_seconds: Mapped[int | None] = mapped_column(Integer)
    problems: Mapped[int] = mapped_column(Integer)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_sequence: Mapped[int] = mapped_column(Integer)


class UnitJoined(Base):
    """When the grid first announced a unit (its earliest unit.changed event): a unit
    answers for due dates after that, not before (domain.answers_for)."""

    __tablename__ = "unit_joined"

    unit_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# -- campaigns (data, not code) -------------------------------------------------------------
class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    # The year-end assessment's rules (assessment.domain.Rules): data of the campaign, not code.
    assessment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CampaignPhase(Base):
    __tablename__ = "campaign_phases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    deadline: Mapped[date] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer)
    # Whose work the phase is (work.domain.PhaseParty), from the campaign's data: each answering
    # unit's own work, or the lead departments' (督导检查: a report on every college).
    party: Mapped[str] = mapped_column(String(16), default="units", server_default="units")


class CampaignTask(Base):
    """A focus task (整治重点) with its lead departments and responsible units."""

    __tablename__ = "campaign_tasks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    number: Mapped[str] = mapped_column(String(8))  # 一 … 十二
    title: Mapped[str] = mapped_column(String(200))
    lead_units: Mapped[list[str]] = mapped_column(JSON)
    responsible_units: Mapped[list[str]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer)


class CampaignCategory(Base):
    """A hazard category of the campaign and its lead departments (co-leads allowed):
    announced to the hazard ledger (``campaign.categories_published``), which follows them."""

    __tablename__ = "campaign_categories"

    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    task_number: Mapped[str | None] = mapped_column(String(8))  # the focus task (一 … 十二)
    lead_units: Mapped[list[str]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer)


class ReportingDue(Base):
    """A due date of the statistics table and the period it covers."""

    __tablename__ = "reporting_dues"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)


class CampaignUnit(Base):
    """A unit taking part (it submits the statistics table), with its contact e-mail."""

    __tablename__ = "campaign_units"

    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(200))


# -- submissions and accountability ----------------------------------------------------------
class Submission(Base):
    """A unit's statistics table for a due date, frozen when submitted."""

    __tablename__ = "submissions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    due_id: Mapped[str] = mapped_column(ForeignKey("reporting_dues.id"), index=True)
    unit_code: Mapped[str] = mapped_column(String(32))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_by: Mapped[str] = mapped_column(String(64))
    late: Mapped[bool] = mapped_column(Boolean)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("due_id", "unit_code", name="uq_submissions_due_unit"),)


class Flag(Base):
    """问责记录: one per cause (``cause_key``), never deleted; decided by the security office."""

    __tablename__ = "flags"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    cause_key: Mapped[str] = mapped_column(String(200), unique=True)
    rule: Mapped[str] = mapped_column(String(32), index=True)
    unit_code: Mapped[str] = mapped_column(String(32), index=True)
    campaign_id: Mapped[str | None] = mapped_column(String(36))
    person_id: Mapped[str | None] = mapped_column(String(36))
    person_name: Mapped[str | None] = mapped_column(String(50))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="open")
    # Which rule chose the person (domain.PersonBasis): a flag says why it names whom.
    person_basis: Mapped[str | None] = mapped_column(String(24))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Lateness that happened stays on record: whole days past the deadline when it ended.
    days_late: Mapped[int | None] = mapped_column(Integer)
    superseded_by: Mapped[str | None] = mapped_column(String(36))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(Text)
    explained_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    appealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    appeal_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    steps: Mapped[list[FlagStep]] = relationship(
        order_by=lambda: FlagStep.position, lazy="selectin"
    )
    files: Mapped[list[FlagFile]] = relationship(
        order_by=lambda: (FlagFile.uploaded_at, FlagFile.id), lazy="selectin"
    )


class FlagStep(Base):
    """One step of a flag's history (domain.ReviewStep), in the order taken (``position``):
    raised, the unit's explanation, the decision, the appeal, superseded … each with who,
    when and the words."""

    __tablename__ = "flag_steps"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    flag_id: Mapped[str] = mapped_column(ForeignKey("flags.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16))  # the flag's status after the step
    actor: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str | None] = mapped_column(String(100))
    actor_unit: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class FlagFile(StoredFileColumns, Base):
    """A file of the unit's explanation or appeal (bytes by content hash: shared.files)."""

    __tablename__ = "flag_files"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    flag_id: Mapped[str] = mapped_column(ForeignKey("flags.id"), index=True)
    step: Mapped[str] = mapped_column(String(24))  # explanation or appeal
    content_type: Mapped[str] = mapped_column(String(64))


class Notification(Base):
    """An e-mail to send; the worker sends pending ones and retries with backoff."""

    __tablename__ = "notifications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    unit_code: Mapped[str] = mapped_column(String(32))
    to_address: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RobotMessage(Base):
    """A notice for the WeCom / DingTalk group robots (services.reporting.robots): queued
    with its cause, sent by the worker to the robots configured then, retried with backoff;
    ``delivered`` names the robots that took it, so a retry skips them."""

    __tablename__ = "robot_messages"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    unit_code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    link_path: Mapped[str | None] = mapped_column(String(300))  # the console page, no host
    delivered: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# -- task work ledgers (工作台账) and supervision reports (督查报告) -------------------------
class TaskLedgerEntry(Base):
    """A line of a focus task's work ledger: a responsible unit's own phase work (工作机构,
    工作方案, 自查台账, 整改方案 …, written by the unit about itself) or a lead department's
    self-inspection item, action or evidence (text with an optional link or reference, and
    files uploaded to it: ``LedgerFile``)."""

    __tablename__ = "task_ledger_entries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("campaign_tasks.id"), index=True)
    phase_id: Mapped[str | None] = mapped_column(ForeignKey("campaign_phases.id"))
    kind: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str | None] = mapped_column(String(32))  # the unit it concerns, if one
    content: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    reference: Mapped[str | None] = mapped_column(String(200))
    author_unit: Mapped[str | None] = mapped_column(String(32))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    files: Mapped[list[LedgerFile]] = relationship(
        order_by=lambda: (LedgerFile.uploaded_at, LedgerFile.id), lazy="selectin"
    )


class LedgerFile(StoredFileColumns, Base):
    """A file (photo, PDF) of a ledger entry's evidence; the bytes live outside the
    database, by content hash (shared.files)."""

    __tablename__ = "task_ledger_files"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    entry_id: Mapped[str] = mapped_column(ForeignKey("task_ledger_entries.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(64))


class TaskCompletion(Base):
    """A responsible unit's work on a focus task in one phase (its ledger entries of that
    phase): submitted by the unit, then confirmed or returned by a lead department of the
    task (work.domain.WorkStatus). ``submitted_*`` is the latest submission, ``decided_*`` the
    latest decision; every step is kept in ``TaskCompletionStep``."""

    __tablename__ = "task_completions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("campaign_tasks.id"))
    phase_id: Mapped[str] = mapped_column(ForeignKey("campaign_phases.id"))
    unit_code: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_by: Mapped[str] = mapped_column(String(64))
    # Not standing (submitted or confirmed) at the phase deadline: work.domain.work_in_time.
    late: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_unit: Mapped[str | None] = mapped_column(String(32))
    return_reason: Mapped[str | None] = mapped_column(Text)

    steps: Mapped[list[TaskCompletionStep]] = relationship(
        order_by=lambda: TaskCompletionStep.position, lazy="selectin"
    )

    __table_args__ = (
        UniqueConstraint("task_id", "phase_id", "unit_code", name="uq_task_completions_cell"),
    )


class TaskCompletionStep(Base):
    """One step of a unit's phase work: submitted, confirmed or returned (the status it led
    to), who took it for which unit, when, and the note or the reason for sending it back."""

    __tablename__ = "task_completion_steps"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    completion_id: Mapped[str] = mapped_column(ForeignKey("task_completions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    actor_unit: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("completion_id", "position", name="uq_task_completion_steps_position"),
    )


class SupervisionReport(Base):
    """督查报告: a lead department on one secondary college in one phase, with a score."""

    __tablename__ = "supervision_reports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    phase_id: Mapped[str] = mapped_column(ForeignKey("campaign_phases.id"))
    author_unit: Mapped[str] = mapped_column(String(32))
    unit_code: Mapped[str] = mapped_column(String(32))
    findings: Mapped[str] = mapped_column(Text)
    score: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint(
            "campaign_id",
            "phase_id",
            "author_unit",
            "unit_code",
            name="uq_supervision_reports_one_per_college",
        ),
    )


# What the college tells the province (issue 19) lives in its area, on this Base.
from services.reporting.province import models as _province  # noqa: E402, F401

# The tables this service's migrations create (checked against them in tests/contract):
# its own and its copy of the grid (fed by grid events).
SCHEMA = [Base.metadata, GridProjectionBase.metadata]

# The incidents projection (issue 16) lives in its area, on this Base.
from services.reporting.incidents import models as _incidents  # noqa: E402, F401

# The responsibility letters projection (issue 16) lives in its area, on this Base.
from services.reporting.letters import models as _letters  # noqa: E402, F401

# The emergency plans projection (issue 17) lives in its area, on this Base.
from services.reporting.plans import models as _plans  # noqa: E402, F401

# The hazard counters the statistics read (issue 18) live in their area, on this Base.
from services.reporting.statistics import models as _counters  # noqa: E402, F401
