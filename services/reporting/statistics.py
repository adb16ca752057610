"""Statistics from the local projections only (never by calling another service).

One aggregate query over the hazard projection, grouped by the requested dimension,
with the campaign's measures: found, rectified, in remediation, overdue, major,
rectification rate (整改率) and average days to close.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Float, case, cast, func, select
from sqlalchemy.orm import Session

from services.reporting import domain
from services.reporting.models import ActivityProjection, CampaignUnit, HazardProjection

DIMENSIONS = {
    "unit": HazardProjection.unit_code,
    "category": HazardProjection.category,
    "severity": HazardProjection.severity,
}
MEASURES = ("found", "rectified", "in_remediation", "overdue", "major")


@dataclass(frozen=True)
class Filters:
    tz: str
    found_from: date | None = None  # campus dates, inclusive
    found_to: date | None = None
    unit_code: str | None = None
    category: str | None = None
    severity: str | None = None


def _seconds_to_close(dialect: str):
    found, closed = HazardProjection.found_at, HazardProjection.closed_at
    if dialect == "postgresql":
        return func.extract("epoch", closed - found)
    return (func.julianday(closed) - func.julianday(found)) * 86400.0


def _where(stmt, f: Filters):
    if f.found_from:
        stmt = stmt.where(HazardProjection.found_at >= domain.start_of_day(f.found_from, f.tz))
    if f.found_to:
        stmt = stmt.where(HazardProjection.found_at < domain.end_of_day(f.found_to, f.tz))
    for value, column in (
        (f.unit_code, HazardProjection.unit_code),
        (f.category, HazardProjection.category),
        (f.severity, HazardProjection.severity),
    ):
        if value:
            stmt = stmt.where(column == value)
    return stmt


def _count_if(condition):
    return func.sum(case((condition, 1), else_=0))


def aggregate(session: Session, f: Filters, group_by: str = "unit") -> list[dict]:
    """One row per value of ``group_by`` with every measure."""
    key = DIMENSIONS[group_by]
    dialect = session.get_bind().dialect.name
    p = HazardProjection
    stmt = _where(
        select(
            key.label("key"),
            func.count().label("found"),
            _count_if(p.status.in_(domain.RECTIFIED_STATUSES)).label("rectified"),
            _count_if(p.status.in_(domain.IN_REMEDIATION_STATUSES)).label("in_remediation"),
            _count_if(p.overdue.is_(True)).label("overdue"),
            _count_if(p.severity == "major").label("major"),
            func.avg(cast(_seconds_to_close(dialect), Float)).label("seconds_to_close"),
        ).group_by(key),
        f,
    ).order_by(key)
    return [_row(r) for r in session.execute(stmt)]


def _row(r) -> dict:
    seconds = r.seconds_to_close
    return {
        "key": r.key,
        **{m: int(getattr(r, m) or 0) for m in MEASURES},
        "rectification_rate": domain.rate(int(r.rectified or 0), int(r.found)),
        "average_days_to_close": round(seconds / 86400, 2) if seconds is not None else None,
    }


def totals(rows: list[dict]) -> dict:
    sums = {m: sum(r[m] for r in rows) for m in MEASURES}
    weighted = [
        (r["average_days_to_close"], r["rectified"])
        for r in rows
        if r["average_days_to_close"] is not None
    ]
    closed = sum(n for _, n in weighted)
    return {
        **sums,
        "rectification_rate": domain.rate(sums["rectified"], sums["found"]),
        "average_days_to_close": (
            round(sum(d * n for d, n in weighted) / closed, 2) if closed else None
        ),
    }


def status_counts(session: Session, f: Filters) -> list[tuple[str, str, int]]:
    p = HazardProjection
    stmt = _where(select(p.unit_code, p.status, func.count()).group_by(p.unit_code, p.status), f)
    return [tuple(r) for r in session.execute(stmt)]


def education_coverage(session: Session, campaign_id: str | None, f: Filters) -> list[dict]:
    """Held activities per target unit in the period, by kind; units with none included."""
    stmt = select(ActivityProjection).where(ActivityProjection.status == "held")
    if f.found_from:
        stmt = stmt.where(ActivityProjection.starts_at >= domain.start_of_day(f.found_from, f.tz))
    if f.found_to:
        stmt = stmt.where(ActivityProjection.starts_at < domain.end_of_day(f.found_to, f.tz))
    counts: dict[str, dict[str, int]] = {}
    for activity in session.scalars(stmt):
        for unit in activity.target_units:
            kinds = counts.setdefault(unit, {})
            kinds[activity.kind] = kinds.get(activity.kind, 0) + 1
    units = set(counts)
    if campaign_id:
        units |= set(
            session.scalars(
                select(CampaignUnit.unit_code).where(CampaignUnit.campaign_id == campaign_id)
            )
        )
    if f.unit_code:
        units = {f.unit_code}
    return [
        {
            "unit_code": u,
            "activities": sum(counts.get(u, {}).values()),
            "by_kind": counts.get(u, {}),
        }
        for u in sorted(units)
    ]
