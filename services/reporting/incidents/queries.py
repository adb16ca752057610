"""The incident statistics read from the projection (never the hazard service)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session

from services.reporting.incidents import domain
from services.reporting.incidents.models import IncidentProjection as P


def incident_statistics(
    session: Session, unit_code: str | None, start: date | None, end: date | None
) -> dict:
    """Counts per unit and kind of the incidents that happened in [start, end] (campus days)."""
    stmt = select(
        P.unit_code,
        P.kind,
        func.count(),
        func.sum(cast(P.near_miss, Integer)),
        func.sum(cast(P.major, Integer)),
        func.sum(P.deaths),
        func.sum(P.injuries),
    ).group_by(P.unit_code, P.kind)
    if unit_code:
        stmt = stmt.where(P.unit_code == unit_code)
    if start:
        stmt = stmt.where(P.occurred_on >= start)
    if end:
        stmt = stmt.where(P.occurred_on <= end)
    rows = [
        domain.Row(unit, kind, count, int(near or 0), int(major or 0), int(d or 0), int(i or 0))
        for unit, kind, count, near, major, d, i in session.execute(stmt)
    ]
    return {"period_from": start, "period_to": end, "unit_code": unit_code, **domain.tally(rows)}
