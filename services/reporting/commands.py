"""Use cases of reporting and accountability. Each runs in the caller's transaction."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.reporting import domain, statistics
from services.reporting.domain import FlagStatus, Rule
from services.reporting.models import (
    Campaign,
    CampaignPhase,
    CampaignTask,
    CampaignUnit,
    Flag,
    Notification,
    ReportingDue,
    Submission,
)
from shared.auth import PORTAL, SECURITY_OFFICE, UNIT_MANAGER, Principal
from shared.db import utcnow
from shared.errors import DomainError, NotFound
from shared.grid_projection import GridCell, GridUnit, accountable_person
from shared.timeutil import campus_time

SEED_CAMPAIGN = Path(__file__).parent / "data" / "campaign-2021.json"


class Conflict(DomainError):
    title = "Conflict"


# -- campaigns --------------------------------------------------------------------------
def create_campaign(session: Session, principal: Principal, data: dict[str, Any]) -> Campaign:
    """A campaign is data: phases, tasks, reporting due dates and units, in one go."""
    principal.require_role(SECURITY_OFFICE)
    if session.scalar(select(Campaign.id).where(Campaign.code == data["code"])):
        raise Conflict(f"campaign {data['code']} already exists")
    campaign = Campaign(
        code=data["code"], name=data["name"], starts_on=data["starts_on"], ends_on=data["ends_on"]
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
    return campaign


def load_seed_campaign(session: Session) -> Campaign | None:
    """Load the 2021 demo campaign unless it is there already; returns it if created."""
    from services.reporting.schemas import CampaignCreateSchema

    data = CampaignCreateSchema().load(json.loads(SEED_CAMPAIGN.read_text(encoding="utf-8")))
    if session.scalar(select(Campaign.id).where(Campaign.code == data["code"])):
        return None
    office = Principal("system", "系统", frozenset({SECURITY_OFFICE}), None)
    return create_campaign(session, office, data)


def get_due(session: Session, campaign_id: str, due_id: str) -> ReportingDue:
    due = session.get(ReportingDue, due_id)
    if due is None or due.campaign_id != campaign_id:
        raise NotFound(f"due date {due_id} is not part of campaign {campaign_id}")
    return due


def unit_name(session: Session, campaign_id: str, unit_code: str) -> str:
    unit = session.get(CampaignUnit, (campaign_id, unit_code))
    if unit is not None:
        return unit.name
    grid = session.get(GridUnit, unit_code)
    return grid.name if grid else unit_code


# -- submissions ------------------------------------------------------------------------
def table_snapshot(session: Session, due: ReportingDue, unit_code: str, tz: str) -> dict:
    """The unit's statistics table for the due's period, by category, with totals."""
    filters = statistics.Filters(
        tz=tz, found_from=due.period_start, found_to=due.period_end, unit_code=unit_code
    )
    rows = statistics.aggregate(session, filters, group_by="category")
    return {
        "unit_code": unit_code,
        "period_start": due.period_start.isoformat(),
        "period_end": due.period_end.isoformat(),
        "rows": rows,
        "totals": statistics.totals(rows),
    }


def submit(
    session: Session,
    principal: Principal,
    campaign_id: str,
    due_id: str,
    unit_code: str,
    now: datetime,
    tz: str,
) -> Submission:
    """A unit submits its table: the snapshot is frozen; after the due date it is flagged.
    Its manager submits (or the security office, or a portal, on its behalf)."""
    principal.require_role(SECURITY_OFFICE, UNIT_MANAGER, PORTAL)
    principal.require_unit(unit_code)
    due = get_due(session, campaign_id, due_id)
    if session.get(CampaignUnit, (campaign_id, unit_code)) is None:
        raise NotFound(f"unit {unit_code} does not take part in campaign {campaign_id}")
    existing = find_submission(session, due.id, unit_code)
    if existing is not None:
        raise Conflict(
            f"{unit_code} already submitted the table due {due.due_on} "
            f"at {existing.submitted_at.isoformat()}"
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
    insert_once(session, submission, f"{unit_code} already submitted the table due {due.due_on}")
    if late:
        raise_flag(
            session,
            Rule.LATE_SUBMISSION,
            unit_code,
            domain.cause_key(Rule.LATE_SUBMISSION, due.id, unit_code),
            campaign_id=campaign_id,
            evidence={
                "due_on": due.due_on.isoformat(),
                "submitted_at": campus_time(now, tz).isoformat(),
                "submission_id": submission.id,
            },
            day=campus_time(now, tz).date(),
        )
    return submission


def insert_once(session: Session, row: Any, message: str) -> None:
    """Insert under a unique constraint: a concurrent twin becomes a 409, not a 500."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as exc:
        raise Conflict(message) from exc


def unit_cells(session: Session) -> dict[str, str]:
    """Each unit's top grid cell (from the grid projection), whose head answers for it."""
    rows = session.execute(
        select(GridCell.unit_code, GridCell.cell_id)
        .where(GridCell.unit_code.is_not(None))
        .order_by(GridCell.level.desc(), GridCell.code.desc())
    ).all()
    return {unit: cell for unit, cell in rows}  # the last one written wins: lowest level


def find_submission(session: Session, due_id: str, unit_code: str) -> Submission | None:
    return session.scalar(
        select(Submission).where(Submission.due_id == due_id, Submission.unit_code == unit_code)
    )


# -- flags ------------------------------------------------------------------------------
def raise_flag(
    session: Session,
    rule: Rule,
    unit_code: str,
    key: str,
    *,
    evidence: dict[str, Any],
    day: date,
    campaign_id: str | None = None,
    cell_id: str | None = None,
    person: tuple[str | None, str | None] | None = None,
) -> Flag | None:
    """Raise the flag of one cause, once. Names the person responsible at the time."""
    if session.scalar(select(Flag.id).where(Flag.cause_key == key)):
        return None
    if person is None:
        # No place named (a unit's submission, say): the head of the unit's own cell answers.
        cell_id = cell_id or unit_cells(session).get(unit_code)
        holder = accountable_person(session, cell_id, day) if cell_id else None
        person = (holder.person_id, holder.person_name) if holder else (None, None)
    flag = Flag(
        cause_key=key,
        rule=rule.value,
        unit_code=unit_code,
        campaign_id=campaign_id,
        person_id=person[0],
        person_name=person[1],
        evidence=evidence,
        status=FlagStatus.OPEN.value,
    )
    session.add(flag)
    session.flush()
    queue_flag_notice(session, flag)
    return flag


def resolve_hazard_flags(
    session: Session,
    hazard_id: str,
    reason: str,
    rules: tuple[Rule, ...],
    keep: str | None = None,
) -> int:
    """The cause went away: open flags it raised are withdrawn, decided ones resolved.
    ``keep``: the cause key of a flag whose cause is still there (left as it is)."""
    stmt = select(Flag).where(
        Flag.rule.in_([rule.value for rule in rules]),
        Flag.cause_key.like(f"%:{hazard_id}%"),
        Flag.resolved_at.is_(None),
    )
    if keep is not None:
        stmt = stmt.where(Flag.cause_key != keep)
    flags = session.scalars(stmt).all()
    now = utcnow()
    for flag in flags:
        flag.resolved_at = now
        if flag.status == FlagStatus.OPEN:
            flag.status = FlagStatus.WITHDRAWN.value
            flag.decided_by = "system"
            flag.decided_at = now
            flag.decision_reason = reason
    return len(flags)


def decide_flag(
    session: Session, principal: Principal, flag_id: str, status: str, reason: str
) -> Flag:
    """Only the security office decides flags; every decision keeps who and why."""
    principal.require_role(SECURITY_OFFICE)
    flag = session.get(Flag, flag_id, with_for_update=True)
    if flag is None:
        raise NotFound(f"flag {flag_id} does not exist")
    flag.status = status
    flag.decided_by = principal.sub
    flag.decided_at = utcnow()
    flag.decision_reason = reason
    return flag


# -- the sweep ----------------------------------------------------------------------------
def sweep(session: Session, now: datetime, tz: str, reminder_days: int, base_url: str) -> dict:
    """Missing submissions after each due date (one flag per unit and date), reminders
    before it (one per unit and date). Idempotent: the clock is a parameter."""
    today = campus_time(now, tz).date()
    counts = {"missing": 0, "reminders": 0}
    dues = session.scalars(select(ReportingDue).order_by(ReportingDue.due_on)).all()
    for due in dues:
        units = session.scalars(
            select(CampaignUnit).where(CampaignUnit.campaign_id == due.campaign_id)
        ).all()
        submitted = set(
            session.scalars(select(Submission.unit_code).where(Submission.due_id == due.id))
        )
        for unit in units:
            if unit.unit_code in submitted:
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
                )
                counts["missing"] += flag is not None
            elif domain.reminder_due(today, due.due_on, reminder_days):
                counts["reminders"] += queue_reminder(session, unit, due, base_url)
    return counts


# -- notifications ------------------------------------------------------------------------
def _queue(session: Session, key: str, unit: CampaignUnit | None, subject: str, body: str) -> bool:
    if unit is None or not unit.email:
        return False
    if session.scalar(select(Notification.id).where(Notification.dedupe_key == key)):
        return False
    session.add(
        Notification(
            dedupe_key=key,
            unit_code=unit.unit_code,
            to_address=unit.email,
            subject=subject,
            body=body,
            status="pending",
            attempts=0,
        )
    )
    return True


def queue_reminder(session: Session, unit: CampaignUnit, due: ReportingDue, base_url: str) -> bool:
    # The console's submission board for this due date (sign-in, then the table and the
    # submit button); the API's own table URL would need a bearer token a mail reader lacks.
    link = f"{base_url}/reporting/board?campaign={due.campaign_id}&due={due.id}"
    return _queue(
        session,
        f"reminder:{due.id}:{unit.unit_code}",
        unit,
        f"【提醒】{unit.name}：请于 {due.due_on} 前报送《校园安全专项整治工作隐患问题统计表》",
        f"{unit.name}：\n\n请于 {due.due_on}（含）前报送本单位"
        f"《校园安全专项整治工作隐患问题统计表》"
        f"（统计期间 {due.period_start} 至 {due.period_end}）。\n"
        f"统计表：{link}\n\n安全保卫处",
    )


def queue_flag_notice(session: Session, flag: Flag) -> bool:
    unit = None
    if flag.campaign_id:
        unit = session.get(CampaignUnit, (flag.campaign_id, flag.unit_code))
    if unit is None:
        unit = session.scalar(
            select(CampaignUnit).where(CampaignUnit.unit_code == flag.unit_code).limit(1)
        )
    label = domain.RULE_LABELS[Rule(flag.rule)]
    who = f"（责任人：{flag.person_name}）" if flag.person_name else ""
    return _queue(
        session,
        f"flag:{flag.cause_key}",
        unit,
        f"【问责记录】{flag.unit_code}：{label}",
        f"{unit.name if unit else flag.unit_code}{who}：\n\n已登记问责记录：{label}。\n"
        f"依据：{json.dumps(flag.evidence, ensure_ascii=False)}\n如有说明，请联系安全保卫处。",
    )


def campaign_of(session: Session, day: date) -> str | None:
    """The campaign running on ``day`` (the latest started), if any."""
    return session.scalar(
        select(Campaign.id)
        .where(Campaign.starts_on <= day, Campaign.ends_on >= day)
        .order_by(Campaign.starts_on.desc())
        .limit(1)
    )
