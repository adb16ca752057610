"""/campaigns: campaigns as data, the statistics table, submissions and the board."""

from __future__ import annotations

from sqlalchemy import select

from services.reporting import commands, domain
from services.reporting.models import (
    Campaign,
    CampaignCategory,
    CampaignPhase,
    CampaignTask,
    CampaignUnit,
    ReportingDue,
    Submission,
)
from services.reporting.province.link import province_link
from services.reporting.schemas import (
    BoardSchema,
    CampaignCreateSchema,
    CampaignSchema,
    ReminderSchema,
    RemindSchema,
    SubmissionSchema,
    SubmitSchema,
    TableQuerySchema,
    TableViewSchema,
)
from services.reporting.statistics import exports
from shared.api import Blueprint, file_response, read_session, state, transaction
from shared.auth import current_principal
from shared.errors import NotFound
from shared.principal import SECURITY_OFFICE
from shared.timeutil import utcnow

blp = Blueprint("campaigns", __name__, url_prefix="/campaigns", description="专项整治 campaigns")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def campaign_view(session, campaign: Campaign) -> dict:
    def rows(model, order):
        return session.scalars(
            select(model).where(model.campaign_id == campaign.id).order_by(order)
        ).all()

    return {
        "id": campaign.id,
        "code": campaign.code,
        "name": campaign.name,
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "phases": rows(CampaignPhase, CampaignPhase.position),
        "tasks": rows(CampaignTask, CampaignTask.position),
        "reporting_dues": rows(ReportingDue, ReportingDue.due_on),
        "units": rows(CampaignUnit, CampaignUnit.unit_code),
        "categories": rows(CampaignCategory, CampaignCategory.position),
    }


@blp.route("", methods=["POST"])
@blp.arguments(CampaignCreateSchema)
@blp.response(201, CampaignSchema)
def create_campaign(payload):
    """A new campaign with its phases, tasks, due dates and units — no code change."""
    with transaction() as session:
        campaign = commands.create_campaign(session, current_principal(), payload)
        return campaign_view(session, campaign)


@blp.route("", methods=["GET"])
@blp.response(200, CampaignSchema(many=True))
def list_campaigns():
    session = read_session()
    campaigns = session.scalars(select(Campaign).order_by(Campaign.starts_on.desc())).all()
    return [campaign_view(session, c) for c in campaigns]


@blp.route("/<campaign_id>", methods=["GET"])
@blp.response(200, CampaignSchema)
def get_campaign(campaign_id: str):
    session = read_session()
    return campaign_view(session, commands.get_campaign(session, campaign_id))


@blp.route("/<campaign_id>/dues/<due_id>/table", methods=["GET"])
@blp.arguments(TableQuerySchema, location="query")
@blp.response(200, content_type=XLSX)
def statistics_table(query, campaign_id: str, due_id: str):
    """《校园安全专项整治工作隐患问题统计表》 of a unit for the due date's period (.xlsx):
    once the unit has submitted, the table exactly as submitted (its time as generation
    time); before, as the statistics stand now."""
    unit_code = query["unit_code"]
    current_principal().require_unit(unit_code)
    session = read_session()
    due = commands.get_due(session, campaign_id, due_id)
    view = _table_view(session, due, unit_code)
    return file_response(
        exports.statistics_table_xlsx(
            view["snapshot"], view["unit_name"], view["generated_at"], view["tz"]
        ),
        XLSX,
        f"statistics-{unit_code}-{due.due_on}.xlsx",
    )


def _table_view(session, due: ReportingDue, unit_code: str) -> dict:
    """The unit's table: as submitted (frozen, its time as generation time), else as the
    statistics stand now."""
    tz = state().settings.campus_timezone
    submitted = commands.find_submission(session, due.id, unit_code)
    if submitted is not None:
        snapshot, generated_at = submitted.snapshot, submitted.submitted_at
    else:
        snapshot, generated_at = commands.table_snapshot(session, due, unit_code, tz), utcnow()
    return {
        "unit_code": unit_code,
        "unit_name": commands.unit_name(session, due.campaign_id, unit_code),
        "submitted": submitted is not None,
        "submitted_at": submitted.submitted_at if submitted else None,
        "generated_at": generated_at,
        "snapshot": snapshot,
        "tz": tz,
    }


@blp.route("/<campaign_id>/dues/<due_id>/table/view", methods=["GET"])
@blp.arguments(TableQuerySchema, location="query")
@blp.response(200, TableViewSchema)
def statistics_table_view(query, campaign_id: str, due_id: str):
    """The same table as JSON, cell for cell as the .xlsx prints it: what the unit would
    submit now (its preview before 报送), or what it submitted."""
    unit_code = query["unit_code"]
    current_principal().require_unit(unit_code)
    session = read_session()
    view = _table_view(session, commands.get_due(session, campaign_id, due_id), unit_code)
    cells = exports.statistics_table(
        view["snapshot"], view["unit_name"], view["generated_at"], view["tz"]
    )
    return {**view, **cells}


@blp.route("/<campaign_id>/dues/<due_id>/tables.xlsx", methods=["GET"])
@blp.response(200, content_type=XLSX)
def submitted_tables(campaign_id: str, due_id: str):
    """Every table submitted for the due date, a sheet per unit (the units the caller may
    read: the office and the leadership all, a unit its own)."""
    principal = current_principal()
    session = read_session()
    due = commands.get_due(session, campaign_id, due_id)
    tz = state().settings.campus_timezone
    found = session.scalars(
        select(Submission).where(Submission.due_id == due.id).order_by(Submission.unit_code)
    ).all()
    tables = [
        exports.statistics_table(
            s.snapshot, commands.unit_name(session, campaign_id, s.unit_code), s.submitted_at, tz
        )
        for s in found
        if principal.can_access_unit(s.unit_code)
    ]
    return file_response(
        exports.statistics_tables_xlsx(tables, f"{due.due_on} 尚无单位报送统计表"),
        XLSX,
        f"隐患问题统计表-各单位-{due.due_on}.xlsx",
    )


@blp.route("/<campaign_id>/dues/<due_id>/reminders", methods=["POST"])
@blp.arguments(RemindSchema)
@blp.response(201, ReminderSchema)
def remind(payload, campaign_id: str, due_id: str):
    """催报: the security office reminds a unit that has not submitted, by e-mail and the
    group robots (queued; the worker sends them), once a campus day per unit."""
    settings = state().settings
    with transaction() as session:
        return commands.remind(
            session,
            current_principal(),
            campaign_id,
            due_id,
            payload["unit_code"],
            utcnow(),
            settings.campus_timezone,
            settings.public_url,
        )


@blp.route("/<campaign_id>/dues/<due_id>/submissions", methods=["POST"])
@blp.arguments(SubmitSchema)
@blp.response(201, SubmissionSchema)
def submit(payload, campaign_id: str, due_id: str):
    """A unit submits its table; the snapshot, time and submitter are frozen."""
    with transaction() as session:
        return commands.submit(
            session,
            current_principal(),
            campaign_id,
            due_id,
            payload["unit_code"],
            utcnow(),
            state().settings.campus_timezone,
            province=province_link(state().settings),
        )


@blp.route("/<campaign_id>/dues/<due_id>/submissions/<unit_code>", methods=["GET"])
@blp.response(200, SubmissionSchema)
def get_submission(campaign_id: str, due_id: str, unit_code: str):
    """What the unit submitted for the due date: the frozen snapshot, when and by whom."""
    current_principal().require_unit(unit_code)
    session = read_session()
    due = commands.get_due(session, campaign_id, due_id)
    submitted = commands.find_submission(session, due.id, unit_code)
    if submitted is None:
        raise NotFound(f"{unit_code} 尚未报送 {due.due_on} 的统计表")
    return submitted


@blp.route("/<campaign_id>/dues/<due_id>/board", methods=["GET"])
@blp.response(200, BoardSchema)
def board(campaign_id: str, due_id: str):
    """Who submitted, when, late or not, and who has not (units see their own row)."""
    principal = current_principal()
    session = read_session()
    due = commands.get_due(session, campaign_id, due_id)
    units = session.scalars(
        select(CampaignUnit)
        .where(CampaignUnit.campaign_id == campaign_id)
        .order_by(CampaignUnit.unit_code)
    ).all()
    submissions = {
        s.unit_code: s
        for s in session.scalars(select(Submission).where(Submission.due_id == due.id))
    }
    passed = domain.due_passed(utcnow(), due.due_on, state().settings.campus_timezone)
    reminds = SECURITY_OFFICE in principal.roles
    rows = []
    for unit in units:
        if not principal.can_access_unit(unit.unit_code):
            continue
        s = submissions.get(unit.unit_code)
        rows.append(
            {
                "unit_code": unit.unit_code,
                "unit_name": unit.name,
                "submitted": s is not None,
                "submitted_at": s.submitted_at if s else None,
                "submitted_by": s.submitted_by if s else None,
                "late": s.late if s else None,
                "overdue": s is None and passed,
                "may_remind": s is None and reminds,
            }
        )
    return {
        "due_id": due.id,
        "due_on": due.due_on,
        "period_start": due.period_start,
        "period_end": due.period_end,
        "submitted": sum(r["submitted"] for r in rows),
        "missing": sum(not r["submitted"] for r in rows),
        "units": rows,
    }
