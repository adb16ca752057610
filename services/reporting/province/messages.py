"""What the college tells the province, written to ``province_outbox`` in the caller's
transaction: the frozen college table when its last unit submitted, the submission board and
the college's figures after each submission, a major hazard after each change of it.

College level only: a table is its units' frozen tables added up; the board counts units;
no person's name or id is read here, and the strict province schemas would refuse one."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.reporting import domain, flags
from services.reporting.models import (
    Campaign,
    CampaignUnit,
    HazardProjection,
    ReportingDue,
    Submission,
)
from services.reporting.province.link import ProvinceLink
from services.reporting.province.models import ProvinceOutboxMessage
from services.reporting.statistics import queries as statistics
from shared.events.envelope import Envelope
from shared.events.province import serialize_data
from shared.grid_projection import GridCell, GridUnit
from shared.timeutil import campus_time

_RATES = ("rectification_rate", "average_days_to_close", "cumulative_rate")


def subject_of(*parts: str) -> str:
    """The subject of a message, at most 64 characters (the envelope's limit): a long
    campaign code is replaced by its digest, the same every time."""
    subject = ":".join(parts)
    if len(subject) <= 64:
        return subject
    return f"{parts[0]}:{hashlib.sha1(subject.encode()).hexdigest()}"


def record(
    session: Session,
    link: ProvinceLink,
    message_type: str,
    subject: str,
    data: dict[str, Any],
    sequence: int | None = None,
) -> Envelope:
    """Validate against the province catalogue and add to the transaction; ``sequence``:
    the subject's own (a hazard's), else one more than the last this subject sent."""
    if sequence is None:
        last = session.scalar(
            select(func.max(ProvinceOutboxMessage.sequence)).where(
                ProvinceOutboxMessage.subject == subject
            )
        )
        sequence = (last or 0) + 1
    envelope = Envelope(
        type=message_type,
        version=1,
        source=link.campus_id,
        subject=subject,
        sequence=sequence,
        data=serialize_data(message_type, 1, {**data, "campus_id": link.campus_id}),
    )
    session.add(
        ProvinceOutboxMessage(
            message_id=envelope.id,
            message_type=message_type,
            subject=subject,
            sequence=sequence,
            body=envelope.to_json().decode(),
        )
    )
    return envelope


# -- after a unit's submission ----------------------------------------------------------------
def on_submission(
    session: Session, link: ProvinceLink, due: ReportingDue, submission: Submission, tz: str
) -> None:
    """The board and the figures; the college's table once its last unit submitted.
    Submissions of one campaign take their turn here (the campaign's row locked until
    commit): each then sees the others', so the last one sends the table, once, and the
    subjects' sequences never repeat."""
    session.execute(select(Campaign.id).where(Campaign.id == due.campaign_id).with_for_update())
    campaign = session.get(Campaign, due.campaign_id)
    units = set(
        session.scalars(
            select(CampaignUnit.unit_code).where(CampaignUnit.campaign_id == due.campaign_id)
        )
    )
    session.flush()
    now = submission.submitted_at
    record(
        session,
        link,
        "province.board",
        subject_of("board", campaign.code),
        board(session, campaign, units, now, tz),
    )
    record(
        session,
        link,
        "province.figures",
        subject_of("figures", campaign.code, due.period_end.isoformat()),
        figures(session, campaign, due, now, tz),
    )
    done = session.scalars(select(Submission).where(Submission.due_id == due.id)).all()
    expected = answering(session, units, due, tz)
    if expected and expected <= {s.unit_code for s in done}:
        record(
            session,
            link,
            "province.table_submitted",
            subject_of("table", campaign.code, due.due_on.isoformat()),
            college_table(campaign, due, done, now, tz),
        )


def answering(session: Session, units: set[str], due: ReportingDue, tz: str) -> set[str]:
    """The campaign's units that answer for ``due``: the sweep's rule (known to the grid
    before the date passed, ``domain.answers_for``), so the province's 未报送 is the
    college's own."""
    in_grid = flags.units_in_grid(session)
    return {u for u in units if u in in_grid and domain.answers_for(in_grid[u], due.due_on, tz)}


def board(session: Session, campaign: Campaign, units: set[str], now: datetime, tz: str) -> dict:
    dues = session.scalars(
        select(ReportingDue)
        .where(ReportingDue.campaign_id == campaign.id)
        .order_by(ReportingDue.due_on)
    ).all()
    by_due: dict[str, list[Submission]] = defaultdict(list)
    for s in session.scalars(select(Submission).where(Submission.due_id.in_([d.id for d in dues]))):
        by_due[s.due_id].append(s)
    rows = []
    for due in dues:
        expected = answering(session, units, due, tz)
        done = [s for s in by_due[due.id] if s.unit_code in units]
        unsent = expected - {s.unit_code for s in done}
        rows.append(
            {
                "due_on": due.due_on,
                "units": len(expected),
                "submitted": len(done),
                "late": sum(1 for s in done if s.late),
                "missing": len(unsent) if domain.due_passed(now, due.due_on, tz) else 0,
            }
        )
    return {"campaign": campaign.code, "as_of": now, "dues": rows}


def figures(
    session: Session, campaign: Campaign, due: ReportingDue, now: datetime, tz: str
) -> dict:
    """The whole college's period and cumulative measures for the due's period."""
    period = statistics.Period(due.period_start, due.period_end, since=campaign.starts_on)
    measures = statistics.period_measures(session, tz, period)
    values = statistics.period_totals(list(measures.values()))
    return {
        "campaign": campaign.code,
        "period_start": due.period_start,
        "period_end": due.period_end,
        "as_of": now,
        "figures": values,
    }


def college_table(
    campaign: Campaign, due: ReportingDue, done: list[Submission], now: datetime, tz: str
) -> dict:
    """The units' frozen tables added up by category; rates computed again from the sums,
    the average days to close weighted by the hazards each unit closed."""
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for submission in done:
        for row in submission.snapshot.get("rows", []):
            acc = sums[row["key"]]
            for name, value in row.items():
                if name in ("key", *_RATES) or not isinstance(value, int | float):
                    continue
                acc[name] += value
            days = row.get("average_days_to_close")
            if days is not None:
                acc["_seconds"] += days * 86400 * row.get("closed", 0)
    rows = [_row(key, acc) for key, acc in sorted(sums.items())]
    totals = {**statistics.totals(rows), **statistics.period_totals(rows)} if rows else {}
    completed = max(s.submitted_at for s in done)
    return {
        "campaign": campaign.code,
        "due_on": due.due_on,
        "period_start": due.period_start,
        "period_end": due.period_end,
        "submitted_at": completed,
        "late": domain.is_late(completed, due.due_on, tz),
        "rows": [{"key": r["key"], "figures": _numbers(r)} for r in rows],
        "totals": _numbers(totals),
    }


def _row(key: str, acc: dict[str, float]) -> dict:
    counts = {name: int(value) for name, value in acc.items() if not name.startswith("_")}
    for name in (*statistics.MEASURES, "closed", *statistics.PERIOD_MEASURES):
        counts.setdefault(name, 0)
    closed = counts["closed"]
    return {
        "key": key,
        **counts,
        "rectification_rate": domain.rate(counts["rectified"], counts["found"]),
        "average_days_to_close": round(acc["_seconds"] / closed / 86400, 2) if closed else None,
    }


def _numbers(values: dict) -> dict[str, float | None]:
    return {
        k: v for k, v in values.items() if k != "key" and (v is None or isinstance(v, int | float))
    }


# -- after a hazard's change ------------------------------------------------------------------
def on_hazard(session: Session, link: ProvinceLink, hazard_id: str, tz: str) -> None:
    """A major hazard's current state (the projection's, newest), as the province may see
    it; its sequence is the hazard's own, so the province keeps the newest."""
    hazard = session.get(HazardProjection, hazard_id)
    if hazard is None or hazard.severity != "major":
        return
    place = session.get(GridCell, hazard.cell_id) if hazard.cell_id else None
    unit = session.get(GridUnit, hazard.unit_code)
    record(
        session,
        link,
        "province.major_hazard",
        subject_of("hazard", hazard.hazard_id),
        {
            "number": hazard.number,
            "category": hazard.category,
            "place": place.name if place is not None else None,
            "responsible_unit": unit.name if unit is not None else hazard.unit_code,
            "found_on": campus_time(hazard.found_at, tz).date(),
            "deadline": hazard.deadline,
            "closed_on": campus_time(hazard.closed_at, tz).date() if hazard.closed_at else None,
            "stage": hazard.status,
        },
        sequence=hazard.last_sequence,
    )


# -- after an incident ------------------------------------------------------------------------
def on_incidents(session: Session, link: ProvinceLink, as_of: datetime) -> None:
    """The college's incident counts (安全事故: all recorded, major, deaths, injuries) —
    counts only, nothing of who or where."""
    from services.reporting.incidents.models import IncidentProjection as I  # noqa: N817

    total, major, deaths, injuries = session.execute(
        select(
            func.count(),
            func.count().filter(I.major.is_(True)),
            func.coalesce(func.sum(I.deaths), 0),
            func.coalesce(func.sum(I.injuries), 0),
        )
    ).one()
    counts = {"total": total, "major": major, "deaths": deaths, "injuries": injuries}
    record(session, link, "province.incidents", "incidents", {"as_of": as_of, **counts})
