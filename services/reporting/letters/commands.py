"""The unsigned-letter sweep (``Rule.UNSIGNED_LETTER``): once a campaign's phase-one
deadline has passed, one flag per head (网格负责人) who held a place of an answering unit
on that day without a responsibility letter for the deadline's year signed by then. What
happens after the deadline neither raises nor clears it (a letter signed late is late), so
the answer is the same whenever the sweep runs; idempotent by the cause key."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reporting.commands import campaign_unit_names
from services.reporting.domain import Rule, answers_for, cause_key, due_passed
from services.reporting.flags import raise_flag, units_in_grid
from services.reporting.letters import domain
from services.reporting.letters.models import LetterProjection
from services.reporting.models import Campaign, CampaignPhase, Flag
from shared.grid_projection import GridAssignment, GridCell


def letter_sweep(session: Session, now: datetime, tz: str) -> dict[str, int]:
    """After each campaign's phase-one deadline: the heads without a signed letter."""
    raised = 0
    in_grid = units_in_grid(session)
    for campaign_id in session.scalars(select(Campaign.id)):
        phases = session.scalars(
            select(CampaignPhase).where(CampaignPhase.campaign_id == campaign_id)
        )
        phase = domain.phase_one(phases)
        if phase is None or not due_passed(now, phase.deadline, tz):
            continue
        units = campaign_unit_names(session, campaign_id)
        raised += _flag_unsigned(session, campaign_id, phase, units, in_grid, now, tz)
    return {"letter_flags": raised}


def _flag_unsigned(
    session: Session,
    campaign_id: str,
    phase: CampaignPhase,
    units: dict[str, str],
    in_grid: dict[str, datetime | None],
    now: datetime,
    tz: str,
) -> int:
    deadline, year = phase.deadline, phase.deadline.year
    prefix = cause_key(Rule.UNSIGNED_LETTER, campaign_id) + ":"
    flagged = set(
        session.scalars(
            select(Flag.cause_key).where(Flag.cause_key.startswith(prefix, autoescape=True))
        )
    )
    signed = _signed_by(session, year, deadline)
    heads = session.execute(
        select(GridAssignment, GridCell)
        .join(GridCell, GridCell.cell_id == GridAssignment.cell_id)
        .where(GridAssignment.role == domain.HEAD, GridCell.unit_code.is_not(None))
        .order_by(GridCell.unit_code, GridCell.code)
    )
    raised = 0
    for head, cell in heads:
        unit = cell.unit_code
        key = cause_key(Rule.UNSIGNED_LETTER, campaign_id, head.assignment_id, year)
        if (
            key in flagged
            or head.assignment_id in signed
            or unit not in units
            or unit not in in_grid
            or not answers_for(in_grid[unit], deadline, tz)
            or not domain.owes_letter(head.role, head.effective_from, head.effective_to, deadline)
        ):
            continue
        flag = raise_flag(
            session,
            Rule.UNSIGNED_LETTER,
            unit,
            key,
            campaign_id=campaign_id,
            cell_id=cell.cell_id,
            day=deadline,
            at=now,
            evidence={
                "assignment_id": head.assignment_id,
                "cell_id": cell.cell_id,
                "cell_name": cell.name,
                "year": year,
                "phase": phase.name,
                "deadline": deadline.isoformat(),
            },
        )
        raised += flag is not None
    return raised


def _signed_by(session: Session, year: int, deadline: date) -> set[str]:
    """The posts whose letter for ``year`` was signed by ``deadline``."""
    rows = session.execute(
        select(LetterProjection.assignment_id, LetterProjection.signed_on).where(
            LetterProjection.year == year
        )
    )
    return {a for a, signed_on in rows if domain.signed_in_time(signed_on, deadline)}
