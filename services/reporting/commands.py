"""Use cases of reporting and accountability. Each runs in the caller's transaction."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.reporting import domain, flags, notifications, robots
from services.reporting.domain import Conflict, FlagStatus, Rule
from services.reporting.flags import raise_flag
from services.reporting.models import (
    Campaign,
    CampaignCategory,
    CampaignPhase,
    CampaignTask,
    CampaignUnit,
    Flag,
    ReportingDue,
    RobotMessage,
    Submission,
)
from services.reporting.province import messages as province_messages
from services.reporting.province.link import ProvinceLink
from services.reporting.statistics import queries as statistics
from shared import vocabulary
from shared.errors import NotFound
from shared.events import record_event
from shared.grid_projection import GridUnit
from shared.principal import PORTAL, SECURITY_OFFICE, UNIT_MANAGER, Principal
from shared.timeutil import campus_time

SEED_CAMPAIGN = Path(__file__).parent / "data" / "campaign-2021.json"
SYSTEM_OFFICE = Principal("system", "系统", frozenset({SECURITY_OFFICE}), None)  # seeds, loads
SOURCE = "reporting"  # the events this service announces


# -- campaigns --------------------------------------------------------------------------
def create_campaign(session: Session, principal: Principal, data: dict[str, Any]) -> Campaign:
    """A campaign is data: phases, tasks, reporting due dates and units, in one go."""
    principal.require_role(SECURITY_OFFICE)
    if session.scalar(select(Campaign.id).where(Campaign.code == data["code"])):
        raise Conflict(f"专项整治编码 {data['code']} 已存在")
    campaign = Campaign(
        code=data["code"],
        name=data["name"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        assessment=data.get("assessment"),
    )
    session.add(campaign)
    session.flush()
    for i, phase in enumerate(sorted(data["phases"], key=lambda p: p["deadline"])):
        session.add(CampaignPhase(campaign_id=campaign.id, position=i + 1, **phase))
    for i, task in enumerate(data["tasks"]):
        session.add(CampaignTask(campaign_id=campaign.id, position=i + 1, **task))
    for due in data["reporting_dues"]:
        session.add(ReportingDue(campaign_id=campaign.id, **due))
    for unit in data["units"]:
        session.add(CampaignUnit(campaign_id=campaign.id, **unit))
    session.flush()
    publish_categories(session, principal, campaign, data.get("categories") or [])
    return campaign


def publish_categories(
    session: Session, principal: Principal, campaign: Campaign, categories: list[dict[str, Any]]
) -> None:
    """Keep the campaign's hazard categories and their lead departments (co-leads), and
    announce them in the same transaction: the hazard ledger lets the newest campaign decide
    who sees and accepts new hazards. No categories: nothing changes there."""
    if not categories:
        return
    for i, category in enumerate(categories):
        session.add(CampaignCategory(campaign_id=campaign.id, position=i + 1, **category))
    record_event(
        session,
        event_type="campaign.categories_published",
        source=SOURCE,
        subject=campaign.id,
        sequence=1,  # the categories are written once, with the campaign
        data={
            "campaign_id": campaign.id,
            "code": campaign.code,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "categories": [
                {k: c[k] for k in ("code", "label", "task_number", "lead_units")}
                for c in categories
            ],
        },
        actor=principal.sub,
    )
    session.flush()


def led_categories(session: Session, unit_code: str) -> list[str]:
    """The categories ``unit_code`` leads, co-leads included: as the newest campaign that
    names its categories says (the hazard ledger follows the same one), else the built-in
    defaults (shared.vocabulary.DEFAULT_LEADS, only until a campaign names them)."""
    newest = session.scalar(
        select(CampaignCategory.campaign_id)
        .join(Campaign, Campaign.id == CampaignCategory.campaign_id)
        .order_by(Campaign.starts_on.desc(), Campaign.code.desc())
        .limit(1)
    )
    leads = {code: vocabulary.default_leads(code) for code in vocabulary.CATEGORIES}
    if newest is not None:
        rows = session.execute(
            select(CampaignCategory.code, CampaignCategory.lead_units).where(
                CampaignCategory.campaign_id == newest
            )
        )
        leads |= {code: list(units) for code, units in rows}
    return [code for code, units in leads.items() if unit_code in units]


def load_seed_campaign(session: Session, demo_start: date | None = None) -> Campaign | None:
    """Load the 2021 demo campaign unless it is there already; returns it if created.
    ``demo_start``: the plan's dates shifted to begin that day (domain.shift_campaign)."""
    from services.reporting.schemas import CampaignCreateSchema

    data = CampaignCreateSchema().load(json.loads(SEED_CAMPAIGN.read_text(encoding="utf-8")))
    if demo_start is not None:
        data = domain.shift_campaign(data, demo_start)
    if session.scalar(select(Campaign.id).where(Campaign.code == data["code"])):
        return None
    return create_campaign(session, SYSTEM_OFFICE, data)


def get_campaign(session: Session, campaign_id: str) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"专项整治 {campaign_id} 不存在")
    return campaign


def campaign_unit_names(session: Session, campaign_id: str) -> dict[str, str]:
    """Unit code → the unit's name in the campaign's data."""
    rows = session.execute(
        select(CampaignUnit.unit_code, CampaignUnit.name).where(
            CampaignUnit.campaign_id == campaign_id
        )
    )
    return dict(rows.all())


def get_due(session: Session, campaign_id: str, due_id: str) -> ReportingDue:
    due = session.get(ReportingDue, due_id)
    if due is None or due.campaign_id != campaign_id:
        raise NotFound(f"报送期 {due_id} 不属于专项整治 {campaign_id}")
    return due


def unit_name(session: Session, campaign_id: str, unit_code: str) -> str:
    """The unit's name in the campaign, else the grid's, else its code."""
    unit = session.get(CampaignUnit, (campaign_id, unit_code))
    if unit is not None:
        return unit.name
    grid = session.get(GridUnit, unit_code)
    return grid.name if grid else unit_code


def unit_names(session: Session) -> dict[str, str]:
    """``unit_name`` for every unit at once: the grid's names, overridden by the
    campaigns' own."""
    names = dict(session.execute(select(GridUnit.code, GridUnit.name)).all())
    return names | dict(session.execute(select(CampaignUnit.unit_code, CampaignUnit.name)).all())


# -- submissions ------------------------------------------------------------------------
def table_snapshot(session: Session, due: ReportingDue, unit_code: str, tz: str) -> dict:
    """The unit's statistics table for the due's period, by category, with totals: the
    measures of the hazards found in the period and, in the province's shape, what was
    carried over, found, closed and left open in the period and since the campaign's
    start (open at start + found − closed = open at end), read from the unit's counters
    (statistics.unit_table)."""
    since = session.get(Campaign, due.campaign_id).starts_on
    period = statistics.Period(due.period_start, due.period_end, since=since)
    # One scan of the unit's counters (campus days, the consumer's ``tz``).
    rows, measures = statistics.unit_table(session, period, unit_code)
    rows = statistics.with_period(rows, measures)
    return {
        "unit_code": unit_code,
        "period_start": due.period_start.isoformat(),
        "period_end": due.period_end.isoformat(),
        "campaign_start": since.isoformat(),
        "closed_basis": statistics.CLOSED_BASIS,
        "rows": rows,
        "totals": {**statistics.totals(rows), **statistics.period_totals(rows)},
    }


def submit(
    session: Session,
    principal: Principal,
    campaign_id: str,
    due_id: str,
    unit_code: str,
    now: datetime,
    tz: str,
    province: ProvinceLink | None = None,
) -> Submission:
    """A unit submits its table: the snapshot is frozen; after the due date it is flagged.
    Its manager submits (or the security office, or a portal, on its behalf). With a
    ``province`` link, what the province sees of it goes to the province outbox too."""
    principal.require_role(SECURITY_OFFICE, UNIT_MANAGER, PORTAL)
    principal.require_unit(unit_code)
    due = get_due(session, campaign_id, due_id)
    if session.get(CampaignUnit, (campaign_id, unit_code)) is None:
        raise NotFound(f"单位 {unit_code} 不参加专项整治 {campaign_id}")
    existing = find_submission(session, due.id, unit_code)
    if existing is not None:
        raise Conflict(
            f"{unit_code} 已于 {existing.submitted_at.isoformat()} 报送 {due.due_on} 的统计表"
        )
    late = domain.is_late(now, due.due_on, tz)
    submission = Submission(
        due_id=due.id,
        unit_code=unit_code,
        submitted_at=now,
        submitted_by=principal.sub,
        late=late,
        snapshot=table_snapshot(session, due, unit_code, tz),
    )
    insert_once(session, submission, f"{unit_code} 已报送 {due.due_on} 的统计表")
    if late:
        record_late_submission(session, due, unit_code, submission, tz)
    if province is not None:
        province_messages.on_submission(session, province, due, submission, tz)
    return submission


def record_late_submission(
    session: Session, due: ReportingDue, unit_code: str, submission: Submission, tz: str
) -> None:
    """One cause, one penalty. A table that came late is 逾期报送, which supersedes the
    未报送 the sweep raised — unless the security office already decided that one: its
    decision stands (confirmed, explained or withdrawn, say for an approved delay) and the
    late table adds a step to it, no second penalty."""
    now = submission.submitted_at
    missing = flags.find(session, domain.cause_key(Rule.MISSING_SUBMISSION, due.id, unit_code))
    if missing is not None and FlagStatus(missing.status) not in domain.UNDECIDED:
        flags.note_submission(session, missing, campus_time(now, tz), now)
        return
    flag = raise_flag(
        session,
        Rule.LATE_SUBMISSION,
        unit_code,
        domain.cause_key(Rule.LATE_SUBMISSION, due.id, unit_code),
        campaign_id=due.campaign_id,
        evidence={
            "due_on": due.due_on.isoformat(),
            "submitted_at": campus_time(now, tz).isoformat(),
            "submission_id": submission.id,
        },
        day=campus_time(now, tz).date(),
        at=now,
    )
    late = flag or flags.find(session, domain.cause_key(Rule.LATE_SUBMISSION, due.id, unit_code))
    if late is not None and missing is not None:
        flags.supersede(session, missing, late, now)


def insert_once(session: Session, row: Any, message: str) -> None:
    """Insert under a unique constraint: a concurrent twin becomes a 409, not a 500."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as exc:
        raise Conflict(message) from exc


def find_submission(session: Session, due_id: str, unit_code: str) -> Submission | None:
    return session.scalar(
        select(Submission).where(Submission.due_id == due_id, Submission.unit_code == unit_code)
    )


# -- the sweep ----------------------------------------------------------------------------
def sweep(session: Session, now: datetime, tz: str, reminder_days: int, base_url: str) -> dict:
    """Missing submissions after each due date (one flag per unit and date), reminders
    before it (one per unit and date), for the campaign's units the grid knows.
    Idempotent: the clock is a parameter."""
    today = campus_time(now, tz).date()
    counts = {"missing": 0, "reminders": 0}
    in_grid = flags.units_in_grid(session)
    missing_flagged = {  # units with an undecided 未报送, by due: see record_late_submission
        key
        for key in session.scalars(
            select(Flag.cause_key).where(
                Flag.rule == Rule.MISSING_SUBMISSION.value,
                Flag.status.in_([s.value for s in domain.UNDECIDED]),
            )
        )
    }
    dues = session.scalars(select(ReportingDue).order_by(ReportingDue.due_on)).all()
    for due in dues:
        units = session.scalars(
            select(CampaignUnit).where(CampaignUnit.campaign_id == due.campaign_id)
        ).all()
        done = session.scalars(select(Submission).where(Submission.due_id == due.id)).all()
        submitted = {s.unit_code for s in done}
        late_by_unit = {
            s.unit_code: s
            for s in done
            if s.late
            and domain.cause_key(Rule.MISSING_SUBMISSION, due.id, s.unit_code) in missing_flagged
        }
        for unit in units:
            if unit.unit_code in submitted:
                late = late_by_unit.get(unit.unit_code)
                if late is not None:  # a late table that raced this sweep's 未报送
                    record_late_submission(session, due, unit.unit_code, late, tz)
                continue
            if unit.unit_code not in in_grid or not domain.answers_for(
                in_grid[unit.unit_code], due.due_on, tz
            ):
                continue
            if domain.due_passed(now, due.due_on, tz):
                flag = raise_flag(
                    session,
                    Rule.MISSING_SUBMISSION,
                    unit.unit_code,
                    domain.cause_key(Rule.MISSING_SUBMISSION, due.id, unit.unit_code),
                    campaign_id=due.campaign_id,
                    evidence={"due_on": due.due_on.isoformat(), "checked_at": now.isoformat()},
                    day=due.due_on,
                    at=now,
                )
                counts["missing"] += flag is not None
            elif domain.reminder_due(today, due.due_on, reminder_days):
                counts["reminders"] += queue_reminder(session, unit, due, base_url)
    return counts


TABLE = "校园安全专项整治工作隐患问题统计表"


# -- notifications ------------------------------------------------------------------------
def _queue(session: Session, key: str, unit: CampaignUnit | None, subject: str, body: str) -> bool:
    if unit is None:
        return False
    return notifications.queue_mail(session, key, unit.unit_code, unit.email, subject, body)


def queue_reminder(
    session: Session,
    unit: CampaignUnit,
    due: ReportingDue,
    base_url: str,
    key: str | None = None,
    passed: bool = False,
) -> bool:
    # The console's submission board for this due date (sign-in, then the table and the
    # submit button); the API's own table URL would need a bearer token a mail reader lacks.
    link = f"{base_url}/reporting/board?campaign={due.campaign_id}&due={due.id}"
    key = key or f"reminder:{due.id}:{unit.unit_code}"
    robots.queue_reminder(session, unit, due, key, passed)  # the group chats hear of it too
    if passed:
        subject = f"【催报】{unit.name}：{due.due_on} 应报送的《{TABLE}》尚未报送"
        ask = f"本单位应于 {due.due_on}（含）前报送的"
        ask += "《校园安全专项整治工作隐患问题统计表》尚未报送，请尽快报送"
    else:
        subject = (
            f"【提醒】{unit.name}：请于 {due.due_on} 前报送《校园安全专项整治工作隐患问题统计表》"
        )
        ask = f"请于 {due.due_on}（含）前报送本单位《校园安全专项整治工作隐患问题统计表》"
    return _queue(
        session,
        key,
        unit,
        subject,
        f"{unit.name}：\n\n{ask}（统计期间 {due.period_start} 至 {due.period_end}）。\n"
        f"统计表：{link}\n\n安全保卫处",
    )


def remind(
    session: Session,
    principal: Principal,
    campaign_id: str,
    due_id: str,
    unit_code: str,
    now: datetime,
    tz: str,
    base_url: str,
) -> dict:
    """催报 by the security office: a unit that has not submitted the table is reminded now,
    by e-mail and the group robots (the outbox the sweep's reminders use); once a campus
    day per unit and due date, so a double click does not send two."""
    principal.require_role(SECURITY_OFFICE)
    due = get_due(session, campaign_id, due_id)
    unit = session.get(CampaignUnit, (campaign_id, unit_code))
    if unit is None:
        raise NotFound(f"单位 {unit_code} 不参加专项整治 {campaign_id}")
    if find_submission(session, due.id, unit_code) is not None:
        raise Conflict(f"{unit.name}已报送 {due.due_on} 的统计表，无需催报")
    day = campus_time(now, tz).date()
    key = f"remind:{due.id}:{unit_code}:{day.isoformat()}"
    if session.scalar(select(RobotMessage.id).where(RobotMessage.dedupe_key == key)):
        raise Conflict(f"今天（{day}）已向{unit.name}催报，请明天再催")
    passed = domain.due_passed(now, due.due_on, tz)
    mailed = queue_reminder(session, unit, due, base_url, key, passed)
    return {
        "unit_code": unit_code,
        "unit_name": unit.name,
        "due_on": due.due_on,
        "reminded_at": now,
        "email": mailed,
    }


def campaign_of(session: Session, day: date) -> str | None:
    """The campaign running on ``day`` (the latest started), if any."""
    return session.scalar(
        select(Campaign.id)
        .where(Campaign.starts_on <= day, Campaign.ends_on >= day)
        .order_by(Campaign.starts_on.desc())
        .limit(1)
    )
