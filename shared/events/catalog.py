"""One marshmallow schema per event type and version.

Producers validate ``data`` before writing the outbox; consumers validate on receipt.
Hazard events carry the hazard's state after the change (event-carried state
transfer), so a consumer's projection never needs to call the hazard service and
can apply events in any order by keeping the highest ``sequence`` it has seen.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from shared.events.fast_schema import compile_schema
from shared.plan_lapses import PlanStatus
from shared.revocation import REASONS as REVOCATION_REASONS

HAZARD_STATUSES = (
    "discovered",
    "registered",
    "reported",
    "in_remediation",
    "rectified",
    "accepted",
    "closed",
    "archived",
)
SEVERITIES = ("general", "major")
# no approved rectification plan in time; past the approved plan's deadline
MAJOR_UNRESOLVED_REASONS = ("no_plan", "plan_overdue")
GRID_ROLES = ("head", "safety_officer", "responsible")


class UnknownEventType(ValidationError):
    pass


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class HazardStateV1(_Strict):
    """The hazard after the change; every hazard.* event carries it."""

    hazard_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    number = fields.String(required=True, validate=validate.Length(min=1, max=32))
    unit_code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    cell_id = fields.String(required=True, allow_none=True)
    category = fields.String(required=True, validate=validate.Length(min=1, max=32))
    # Added later: optional, so the events written before it still validate.
    subcategory = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=32)
    )
    lead_department = fields.String(required=True, validate=validate.Length(min=1, max=32))
    # Every lead department of the category, first = lead_department (co-leads); optional,
    # so older events validate: consumers read None as [lead_department].
    lead_departments = fields.List(
        fields.String(validate=validate.Length(min=1, max=32)),
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1),
    )
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES))
    status = fields.String(required=True, validate=validate.OneOf(HAZARD_STATUSES))
    found_at = fields.AwareDateTime(required=True, format="iso")
    deadline = fields.Date(required=True, allow_none=True)
    responsible_person_id = fields.String(required=True, allow_none=True)
    responsible_person_name = fields.String(required=True, allow_none=True)
    reopen_count = fields.Integer(required=True, validate=validate.Range(min=0))
    overdue = fields.Boolean(required=True)
    closed_at = fields.AwareDateTime(required=True, allow_none=True, format="iso")
    source = fields.String(required=True, validate=validate.Length(min=1, max=16))
    source_ref = fields.String(required=True, allow_none=True)
    # Issue 12 (accountability): optional, so the events written before them still validate.
    # The unit (department) that reported the hazard: a lead department inspecting
    # another unit names itself here.
    reporter_unit = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=32)
    )
    registered_at = fields.AwareDateTime(load_default=None, allow_none=True, format="iso")  # 登记
    # The deadline of the approved rectification plan (整改计划) of a hazard that cannot be
    # fixed at once; None without such a plan.
    plan_deadline = fields.Date(load_default=None, allow_none=True)
    rectified_at = fields.AwareDateTime(load_default=None, allow_none=True, format="iso")
    # While awaiting acceptance (待验收): the acceptor's last day, and who the acceptor is.
    acceptance_due = fields.Date(load_default=None, allow_none=True)
    acceptor_unit = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=32)
    )
    acceptance_overdue = fields.Boolean(load_default=False)  # announced late (验收逾期)
    # Why the hazard was announced 悬而不决, while that still holds.
    major_unresolved_reason = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(MAJOR_UNRESOLVED_REASONS)
    )
    # When things happened, so a consumer dates lateness by the facts whatever order the
    # events reach it in: the current deadline was set, the overdue and the late
    # acceptance were announced (while they hold), the plan approved, acceptance decided.
    deadline_set_at = fields.AwareDateTime(load_default=None, allow_none=True, format="iso")
    overdue_since = fields.AwareDateTime(load_default=None, allow_none=True, format="iso")
    plan_approved_at = fields.AwareDateTime(load_default=None, allow_none=True, format="iso")
    acceptance_overdue_since = fields.AwareDateTime(
        load_default=None, allow_none=True, format="iso"
    )
    acceptance_decided_at = fields.AwareDateTime(load_default=None, allow_none=True, format="iso")


# Every stage of the loop, and what the sweep and extensions announce, carries the state.
HAZARD_EVENT_TYPES = (
    "hazard.created",
    "hazard.registered",
    "hazard.reported",
    "hazard.remediation_started",
    "hazard.rectified",
    "hazard.accepted",
    "hazard.rejected",
    "hazard.closed",
    "hazard.archived",
    "hazard.deadline_extended",
    "hazard.overdue",
    "hazard.major_unresolved",
    "hazard.acceptance_overdue",
    "hazard.severity_changed",
    "hazard.plan_approved",  # a judge approved the rectification plan (整改计划)
)


class DrillProblemFoundV1(_Strict):
    """A drill revealed a problem; the hazard ledger opens a hazard for it (once)."""

    drill_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    problem_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    unit_code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    cell_id = fields.String(required=True, allow_none=True)
    category = fields.String(required=True, validate=validate.Length(min=1, max=32))
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES))
    description = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    found_at = fields.AwareDateTime(required=True, format="iso")


ACTIVITY_KINDS = ("lecture", "drill", "case_education", "hands_on", "mental_health", "themed_event")
ACTIVITY_STATUSES = ("planned", "held", "cancelled")


class ActivityStateV1(_Strict):
    """An education activity after the change (education service). Never personal data."""

    activity_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    kind = fields.String(required=True, validate=validate.OneOf(ACTIVITY_KINDS))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    organiser_unit = fields.String(required=True, validate=validate.Length(min=1, max=32))
    target_units = fields.List(
        fields.String(validate=validate.Length(min=1, max=32)), required=True
    )
    venue = fields.String(required=True, allow_none=True)
    starts_at = fields.AwareDateTime(required=True, format="iso")
    ends_at = fields.AwareDateTime(required=True, format="iso")
    status = fields.String(required=True, validate=validate.OneOf(ACTIVITY_STATUSES))
    participants = fields.Integer(required=True, allow_none=True)


class DrillCompletedV1(_Strict):
    """A drill's results were recorded (education service)."""

    drill_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    target_units = fields.List(
        fields.String(validate=validate.Length(min=1, max=32)), required=True
    )
    participants = fields.Integer(required=True, validate=validate.Range(min=0))
    evacuation_seconds = fields.Integer(required=True, allow_none=True)
    problems = fields.Integer(required=True, validate=validate.Range(min=0))
    completed_at = fields.AwareDateTime(required=True, format="iso")
    # The emergency plan (应急预案, hazards' register) the drill exercised; absent in older
    # events, so optional.
    plan_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=36))


class UnitChangedV1(_Strict):
    """A unit was created or changed (grid service)."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    kind = fields.String(required=True, validate=validate.Length(min=1, max=16))


class CellChangedV1(_Strict):
    """A grid cell was created, edited, moved or ended (grid service)."""

    cell_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    level = fields.Integer(required=True, validate=validate.Range(min=1))
    parent_id = fields.String(required=True, allow_none=True)
    unit_code = fields.String(required=True, allow_none=True)
    area_type = fields.String(required=True)
    location = fields.String(required=True, allow_none=True)
    # Added later (停用): optional, so the events written before them still validate. The
    # campus date the place was ended from, and why; None while it is in use.
    ended_on = fields.Date(load_default=None, allow_none=True)
    end_reason = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=200)
    )


class AssignmentChangedV1(_Strict):
    """A person's role for a cell was opened or closed (grid service)."""

    assignment_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    cell_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    person_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    person_name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    role = fields.String(required=True, validate=validate.OneOf(GRID_ROLES))
    effective_from = fields.Date(required=True)
    effective_to = fields.Date(required=True, allow_none=True)


class CategoryLeadsV1(_Strict):
    """A hazard category of a campaign and the departments that lead it (co-leads)."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    label = fields.String(required=True, validate=validate.Length(min=1, max=100))
    task_number = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=8)
    )
    lead_units = fields.List(
        fields.String(validate=validate.Length(min=1, max=32)),
        required=True,
        validate=validate.Length(min=1),
    )


class CampaignCategoriesPublishedV1(_Strict):
    """A campaign's categories and their lead departments (reporting service); the
    hazard ledger follows the newest campaign's (by starts_on)."""

    campaign_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    categories = fields.List(
        fields.Nested(CategoryLeadsV1), required=True, validate=validate.Length(min=1)
    )


class AccessRevokedV1(_Strict):
    """A person lost access (grid service): their tokens issued before ``not_before`` are
    refused; or one token (``token_id``, its jti) was signed out, refused until
    ``expires_at``. Every service keeps these in its own database (shared.revocation_store)."""

    person_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reason = fields.String(required=True, validate=validate.OneOf(REVOCATION_REASONS))
    not_before = fields.AwareDateTime(required=True, allow_none=True, format="iso")
    token_id = fields.String(
        required=True, allow_none=True, validate=validate.Length(min=1, max=64)
    )
    expires_at = fields.AwareDateTime(required=True, allow_none=True, format="iso")

    @validates_schema
    def _names_what_is_revoked(self, data: dict[str, Any], **_kwargs: Any) -> None:
        token = data.get("token_id") is not None and data.get("expires_at") is not None
        if data.get("not_before") is None and not token:
            raise ValidationError("not_before, or token_id with expires_at, is required")


CATALOG: dict[tuple[str, int], type[Schema]] = {
    **{(event_type, 1): HazardStateV1 for event_type in HAZARD_EVENT_TYPES},
    ("drill.problem_found", 1): DrillProblemFoundV1,
    ("drill.completed", 1): DrillCompletedV1,
    ("activity.scheduled", 1): ActivityStateV1,
    ("activity.held", 1): ActivityStateV1,
    ("activity.cancelled", 1): ActivityStateV1,
    ("unit.changed", 1): UnitChangedV1,
    ("cell.changed", 1): CellChangedV1,
    ("assignment.changed", 1): AssignmentChangedV1,
    ("campaign.categories_published", 1): CampaignCategoriesPublishedV1,
    ("access.revoked", 1): AccessRevokedV1,
}

# -- the incidents ledger (hazard service, issue 16): counts and the finding, never text ----
INCIDENT_KINDS = (
    "fire",
    "traffic",
    "laboratory",
    "food_poisoning",
    "injury",
    "drowning",
    "violence",
    "theft",
    "natural",
    "other",
)
INCIDENT_SEVERITIES = ("general", "larger", "major", "especially_major")


class IncidentRecordedV1(_Strict):
    """An incident or near miss as statistics count it, after its recording or a change
    (the newest sequence wins): no narrative, no names."""

    incident_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    unit_code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    kind = fields.String(required=True, validate=validate.OneOf(INCIDENT_KINDS))
    severity = fields.String(required=True, validate=validate.OneOf(INCIDENT_SEVERITIES))
    near_miss = fields.Boolean(required=True)
    # 重大及以上 and not a near miss: the ledger's rule, what 「无重大安全事故」 counts.
    major = fields.Boolean(required=True)
    occurred_on = fields.Date(required=True)
    deaths = fields.Integer(required=True, validate=validate.Range(min=0))
    injuries = fields.Integer(required=True, validate=validate.Range(min=0))


class IncidentResponsibilityFoundV1(_Strict):
    """责任认定: the unit found responsible for an incident and where it happened (the place
    when it is that unit's, else None: the unit answers by its head). Reporting raises one
    accountability flag for it."""

    incident_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    unit_code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    cell_id = fields.String(required=True, allow_none=True, validate=validate.Length(max=36))
    occurred_on = fields.Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(INCIDENT_KINDS))
    severity = fields.String(required=True, validate=validate.OneOf(INCIDENT_SEVERITIES))


CATALOG[("incident.recorded", 1)] = IncidentRecordedV1
CATALOG[("incident.responsibility_found", 1)] = IncidentResponsibilityFoundV1

# -- emergency plans (hazards' register, issue 17): a plan's state after each change ------
PLAN_STATUSES = tuple(status.value for status in PlanStatus)


class EmergencyPlanChangedV1(_Strict):
    """应急预案 after it was registered, approved, revised, withdrawn or drilled (the newest
    sequence wins). Carries the due dates, so a consumer judges the lapses itself on the day
    asked (shared.plan_lapses): time passing sends no event. No personal data."""

    plan_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    unit_code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    scenario = fields.String(required=True, validate=validate.Length(min=1, max=32))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    edition = fields.String(required=True, validate=validate.Length(min=1, max=32))
    status = fields.String(required=True, validate=validate.OneOf(PLAN_STATUSES))
    approved_on = fields.Date(required=True, allow_none=True)
    review_due = fields.Date(required=True)
    last_drilled_on = fields.Date(required=True, allow_none=True)
    drill_due = fields.Date(required=True)


CATALOG[("emergency_plan.changed", 1)] = EmergencyPlanChangedV1


# -- responsibility letters (grid, issue 16): a post's letter for a year was signed ---------
class LetterSignedV1(_Strict):
    """安全责任书: the letter of a post (an assignment) for a year, signed on a day. Reporting
    flags a head without one at the campaign's phase-one deadline."""

    letter_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    assignment_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))
    signed_on = fields.Date(required=True)


CATALOG[("letter.signed", 1)] = LetterSignedV1


# -- attendance (education): a person signed in to an activity -------------------------------
class AttendanceRecordedV1(_Strict):
    """A person's attendance of an education activity was recorded (签到). INTERNAL: it names
    the person by staff or student number (工号/学号, no name, no phone) so a register kept
    by number can take the attendance (the hazards' drivers: periodic safety education); it
    stays on the campus broker and is never exported or shown outside the campus systems.
    Never announced for a mental-health course (who attends one stays in education)."""

    activity_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    kind = fields.String(required=True, validate=validate.OneOf(ACTIVITY_KINDS))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    theme = fields.String(required=True, allow_none=True, validate=validate.Length(max=100))
    held_on = fields.Date(required=True)  # the activity's campus day
    person_ref = fields.String(required=True, validate=validate.Length(min=1, max=64))
    unit_code = fields.String(required=True, validate=validate.Length(min=1, max=32))


CATALOG[("attendance.recorded", 1)] = AttendanceRecordedV1

_INSTANCES: dict[tuple[str, int], Schema] = {key: cls() for key, cls in CATALOG.items()}
_COMPILED = {
    key: compile_schema(schema) or (lambda _data: False) for key, schema in _INSTANCES.items()
}


def event_types() -> set[str]:
    return {event_type for event_type, _ in CATALOG}


def validate_data(event_type: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
    """Return ``data`` if it matches the catalogued schema, else raise ValidationError."""
    schema = _INSTANCES.get((event_type, version))
    if schema is None:
        raise UnknownEventType(f"no schema for event {event_type} v{version}")
    if _COMPILED[(event_type, version)](data):  # fast_schema: only ever "valid" when it is
        return data
    errors = schema.validate(data)
    if errors:
        raise ValidationError(errors)
    return data


def serialize_data(event_type: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
    """Dump Python values (dates, datetimes) to their JSON form, then validate it."""
    schema = _INSTANCES.get((event_type, version))
    if schema is None:
        raise UnknownEventType(f"no schema for event {event_type} v{version}")
    return validate_data(event_type, version, schema.dump(data))
