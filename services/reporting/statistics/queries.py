"""Statistics from the local projections only (never by calling another service).

One aggregate query over the hazard projection, grouped by the requested dimension,
with the campaign's measures: found, rectified, in remediation, overdue, major,
rectification rate (整改率) and average days to close. Then the numbers of a period
(carried over, found, closed, left open; cumulative since a start), which reconcile, and
the weekly list of what is due or late.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Date, Row, bindparam, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from services.reporting import domain
from services.reporting.models import ActivityProjection, CampaignUnit, HazardProjection
from services.reporting.statistics import counters
from services.reporting.statistics.models import HazardCount, HazardTableCount, HazardUnitCount
from shared import hazard_stages as stages
from shared.db import UTCDateTime
from shared.timeutil import campus_time

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


def _counter_where(stmt, table, f: Filters, fine: bool):
    """``Filters`` on a counter table: campus days found, unit, and (fine) category, severity."""
    c = table.c
    if f.found_from:
        stmt = stmt.where(c.found_day >= f.found_from)
    if f.found_to:
        stmt = stmt.where(c.found_day <= f.found_to)
    if f.unit_code:
        stmt = stmt.where(c.unit_code == f.unit_code)
    if fine:
        for value, column in ((f.category, c.category), (f.severity, c.severity)):
            if value:
                stmt = stmt.where(column == value)
    # A hazard that moved on leaves its old key at zero: no row, as no hazard, before.
    return stmt.where(c.hazards > 0)


def summary(
    session: Session, f: Filters, group_by: str = "unit"
) -> tuple[list[dict], list[tuple[str, str, int]]]:
    """The measures per value of ``group_by`` and the counts per (unit, stage), from the
    counters (``statistics.counters``), not the hazards: by unit without a category or
    severity filter from the per-unit day counts (a few rows per day and unit), else from
    the fine ones; GROUP BY (key, unit, stage), rolled up here (bench/statistics.py)."""
    counters.flush(session)  # this transaction's own events, if any (the consumer's)
    fine = group_by != "unit" or bool(f.category or f.severity)
    t = HazardCount.__table__ if fine else HazardUnitCount.__table__
    c = t.c
    key = c[DIMENSIONS[group_by].key]
    if fine:
        overdue = func.sum(c.hazards).filter(c.overdue.is_(True))
        major = func.sum(c.hazards).filter(c.severity == "major")
    else:
        overdue, major = func.sum(c.overdue), func.sum(c.major)
    group = [key, c.status] if group_by == "unit" else [key, c.unit_code, c.status]
    stmt = _counter_where(
        select(
            key.label("key"),
            c.unit_code.label("unit"),
            c.status.label("status"),
            func.sum(c.hazards).label("found"),
            overdue.label("overdue"),
            major.label("major"),
            func.sum(c.micros_to_close).label("micros"),
            func.sum(c.closed).label("closed"),
        ).group_by(*group),
        t,
        f,
        fine,
    ).order_by(key)
    return _rolled_up(session.execute(stmt))


def _rolled_up(records: Iterable[Any]) -> tuple[list[dict], list[tuple[str, str, int]]]:
    """(key, unit, status, found, overdue, major, micros, closed) groups → one row of
    measures per key, and the counts per (unit, stage)."""
    sums: dict[str, dict[str, float]] = {}
    counts: list[tuple[str, str, int]] = []
    for r in records:
        found = int(r.found or 0)
        if not found:  # a unit's table: carried over, none found in the period
            continue
        acc = sums.setdefault(r.key, dict.fromkeys((*MEASURES, "closed", "seconds"), 0))
        acc["found"] += found
        acc["rectified"] += found if r.status in stages.FIXED else 0
        acc["in_remediation"] += found if r.status in stages.UNDER_REMEDIATION else 0
        acc["overdue"] += int(r.overdue or 0)
        acc["major"] += int(r.major or 0)
        acc["closed"] += int(r.closed or 0)
        acc["seconds"] += int(r.micros or 0) / 1_000_000
        counts.append((r.unit, r.status, found))
    return [_measures_row(k, acc) for k, acc in sums.items()], counts


def _measures_row(key: str, acc: dict[str, float]) -> dict:
    return {
        "key": key,
        **{m: int(acc[m]) for m in (*MEASURES, "closed")},
        "rectification_rate": domain.rate(int(acc["rectified"]), int(acc["found"])),
        "average_days_to_close": _days(acc["seconds"], int(acc["closed"])),
    }


def aggregate(session: Session, f: Filters, group_by: str = "unit") -> list[dict]:
    """One row per value of ``group_by`` with every measure."""
    return summary(session, f, group_by)[0]


def _days(seconds: float, closed: int) -> float | None:
    return round(seconds / closed / 86400, 2) if closed else None


def totals(rows: list[dict]) -> dict:
    """Rows added up; the average time to close weighted by the hazards closed in each."""
    sums = {m: sum(r[m] for r in rows) for m in (*MEASURES, "closed")}
    seconds = sum(
        r["average_days_to_close"] * 86400 * r["closed"]
        for r in rows
        if r["average_days_to_close"] is not None
    )
    return {
        **sums,
        "rectification_rate": domain.rate(sums["rectified"], sums["found"]),
        "average_days_to_close": _days(seconds, sums["closed"]),
    }


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


# -- periods: carried over, found, closed, left open (the province's table, 月汇总) ----------
# A period's numbers are read from two moments of each hazard: when it was found and when it
# was closed. "Closed" (整改) is the close-out time the projection holds (销号, ``closed_at``);
# the projection keeps no earlier time of acceptance, so a hazard accepted but not yet closed
# out is still open here. A close-out stamped before the finding (clock skew) counts at the
# finding, so no hazard is ever closed before it was found and every period reconciles:
# open at start + found − closed = open at end.
CLOSED_BASIS = "closed_at"
PERIOD_MEASURES = (
    "open_at_start",  # 期初未整改: found before the period, not closed before it
    "found",  # 本期发现
    "closed_in_period",  # 本期整改
    "open_at_end",  # 期末未整改
    "cumulative_found",  # 累计发现: since the start (the campaign's, or ever)
    "cumulative_closed",  # 累计整改
    "overdue_at_end",  # open at the end and past its (current) deadline
    "major",  # found in the period and major
)


@dataclass(frozen=True)
class Period:
    start: date  # campus dates, inclusive
    end: date
    since: date | None = None  # count hazards found from this day on (None: all of them)


def fixed_moment():
    """The moment a hazard counts as closed: its close-out, never before its finding."""
    p = HazardProjection
    return type_coerce(
        case((p.closed_at < p.found_at, p.found_at), else_=p.closed_at), UTCDateTime()
    )


def _period_columns(start, end) -> list:
    """The period's measures as sums over ``hazard_table_counts``: campus days found and
    closed (``fixed_moment``'s day; NO_DAY while open) stand for the moments, since a
    period starts and ends at a campus midnight. ``start``, ``end``: dates or parameters."""
    c = HazardTableCount.__table__.c
    n = func.sum(c.hazards)
    open_at_end = c.closed_day > end  # NO_DAY (open) is after every period
    return [
        n.filter(c.found_day < start, c.closed_day >= start).label("open_at_start"),
        n.filter(c.found_day >= start).label("found_in_period"),
        n.filter(c.closed_day >= start, c.closed_day <= end).label("closed_in_period"),
        n.filter(open_at_end).label("open_at_end"),
        n.label("cumulative_found"),
        n.filter(c.closed_day <= end).label("cumulative_closed"),
        n.filter(open_at_end, c.deadline <= end).label("overdue_at_end"),
        func.sum(c.major).filter(c.found_day >= start).label("major"),
    ]


def _period_scope(stmt, period: Period, unit_code: str | None, categories: list[str] | None):
    """Hazards found by the period's end (and from ``since``, if given)."""
    c = HazardTableCount.__table__.c
    stmt = stmt.where(c.found_day <= period.end, c.hazards > 0)
    if period.since is not None:
        stmt = stmt.where(c.found_day >= min(period.since, period.start))
    if unit_code:
        stmt = stmt.where(c.unit_code == unit_code)
    if categories is not None:
        stmt = stmt.where(c.category.in_(categories))
    return stmt


def _period_values(r: Row) -> dict[str, int]:
    values = {m: int(getattr(r, m) or 0) for m in PERIOD_MEASURES if m != "found"}
    return {**values, "found": int(r.found_in_period or 0)}


def period_measures(
    session: Session,
    tz: str,
    period: Period,
    unit_code: str | None = None,
    categories: list[str] | None = None,
) -> dict[tuple[str, str], dict[str, int]]:
    """The period's measures per (unit, category), from the counters (``tz``: theirs, the
    consumer's campus days)."""
    counters.flush(session)
    c = HazardTableCount.__table__.c
    stmt = select(
        c.unit_code.label("unit"),
        c.category.label("category"),
        *_period_columns(period.start, period.end),
    ).group_by(c.unit_code, c.category)
    stmt = _period_scope(stmt, period, unit_code, categories)
    return {(r.unit, r.category): _period_values(r) for r in session.execute(stmt)}


def unit_table(
    session: Session, period: Period, unit_code: str
) -> tuple[list[dict], dict[str, dict[str, int]]]:
    """A unit's table from one scan of its counters (``commands.table_snapshot``): what
    ``aggregate`` by category gives for the hazards found in the period, and the period's
    measures by category."""
    counters.flush(session)
    since = min(period.since, period.start) if period.since else date.min
    params = {"start": period.start, "end": period.end, "since": since, "unit": unit_code}
    rows, measures = [], {}
    for r in session.execute(_unit_table_statement(), params):
        measures[r.key] = _period_values(r)
        if r.found_in_period:
            acc = {m: int(getattr(r, m) or 0) for m in _TABLE_MEASURES}
            acc |= {"found": int(r.found_in_period), "major": int(r.major or 0)}
            rows.append(_measures_row(r.key, {**acc, "seconds": acc["micros_to_close"] / 1e6}))
    return rows, measures


@lru_cache(maxsize=1)
def _unit_table_statement():
    """Built once, the days and the unit as parameters: building it cost as much as a
    quarter of running it."""
    c = HazardTableCount.__table__.c
    start, end = bindparam("start", type_=Date), bindparam("end", type_=Date)
    found = c.found_day >= start
    return (
        select(
            c.category.label("key"),
            *(func.sum(c[m]).filter(found).label(m) for m in _TABLE_MEASURES),
            *_period_columns(start, end),
        )
        .where(
            c.unit_code == bindparam("unit"),
            c.found_day >= bindparam("since", type_=Date),
            c.found_day <= end,
            c.hazards > 0,
        )
        .group_by(c.category)
    )


_TABLE_MEASURES = ("rectified", "in_remediation", "overdue", "closed", "micros_to_close")


def period_totals(rows: list[dict]) -> dict:
    """Rows added up, with the cumulative rectification rate (累计整改率) of the sums."""
    sums = {m: sum(r.get(m, 0) for r in rows) for m in PERIOD_MEASURES}
    return {
        **sums,
        "cumulative_rate": domain.rate(sums["cumulative_closed"], sums["cumulative_found"]),
    }


def period_row(key: str, measures: dict[str, int] | None) -> dict:
    values = measures or dict.fromkeys(PERIOD_MEASURES, 0)
    return {"key": key, **period_totals([values])}


def period_report(
    session: Session,
    tz: str,
    period: Period,
    names: dict[str, str],
    listed: Iterable[str] = (),
    unit_code: str | None = None,
    categories: list[str] | None = None,
) -> dict:
    """The period per unit (by category, with the unit's total), by category and in total.
    ``listed``: units shown even without a hazard (a campaign's); ``names``: code → name."""
    measures = period_measures(session, tz, period, unit_code, categories)
    codes = {u for u, _ in measures} | ({unit_code} if unit_code else set(listed))
    by_unit = []
    for code in sorted(codes):
        rows = [period_row(c, m) for (u, c), m in sorted(measures.items()) if u == code]
        by_unit.append(
            {
                "unit_code": code,
                "unit_name": names.get(code, code),
                "rows": rows,
                "totals": period_totals(rows),
            }
        )
    categories_seen = sorted({c for _, c in measures})
    by_category = [
        period_row(c, period_totals([m for (_, k), m in measures.items() if k == c]))
        for c in categories_seen
    ]
    return {
        "period_start": period.start,
        "period_end": period.end,
        "since": period.since,
        "closed_basis": CLOSED_BASIS,
        "units": by_unit,
        "by_category": by_category,
        "totals": period_totals(by_category),
    }


# -- 周整改: what is due or late in a week, per unit ------------------------------------------
def due_or_late(
    session: Session,
    tz: str,
    week_start: date,
    week_end: date,
    now: datetime,
    unit_code: str | None = None,
    categories: list[str] | None = None,
) -> dict:
    """Hazards with a deadline in the week or before it that were still open at the list's
    moment: now, or the end of the week once it is over (a past week's list stays as it
    was then). Each is "due" (deadline not yet passed at that moment) or "overdue" (with
    the campus days since its deadline), by the same "closed" as the period table."""
    p = HazardProjection
    as_of = min(now, domain.end_of_day(week_end, tz)).astimezone(UTC)
    as_of_day = campus_time(as_of, tz).date()
    closed = fixed_moment()
    # Plain rows of the columns a line shows, not projection objects: the list may hold
    # thousands of lines on a large campus.
    stmt = (
        select(*(getattr(p, name) for name in _DUE_COLUMNS))
        .where(
            p.deadline.is_not(None),
            p.deadline <= week_end,
            p.found_at < as_of,
            or_(closed.is_(None), closed >= as_of),
        )
        .order_by(p.unit_code, p.deadline, p.number)
    )
    if unit_code:
        stmt = stmt.where(p.unit_code == unit_code)
    if categories is not None:
        stmt = stmt.where(p.category.in_(categories))
    units: dict[str, list[dict]] = {}
    for hazard in session.execute(stmt):
        units.setdefault(hazard.unit_code, []).append(_due_item(hazard, as_of_day))
    return {
        "week_start": week_start,
        "week_end": week_end,
        "as_of": as_of,
        "closed_basis": CLOSED_BASIS,
        "units": [
            {
                "unit_code": code,
                "due": sum(i["state"] == "due" for i in items),
                "overdue": sum(i["state"] == "overdue" for i in items),
                "items": items,
            }
            for code, items in units.items()
        ],
    }


_DUE_COLUMNS = (
    "hazard_id",
    "number",
    "unit_code",
    "category",
    "severity",
    "status",
    "found_at",
    "deadline",
    "responsible_person_name",
)


def _due_item(hazard: Row, as_of_day: date) -> dict:
    """A line of 周整改: "due" while its deadline has not passed, else "overdue" by days."""
    late = domain.days_overdue(hazard.deadline, as_of_day)
    return {
        **hazard._asdict(),
        "state": "overdue" if late else "due",
        "days_overdue": late,
    }


def with_period(rows: list[dict], measures: dict[str, dict[str, int]]) -> list[dict]:
    """Rows of ``aggregate`` (by category) with each category's period measures; a category
    with hazards carried over but none found in the period gets a row of its own."""
    by_key = {r["key"]: r for r in rows}
    blank = {
        **dict.fromkeys((*MEASURES, "closed"), 0),
        "rectification_rate": None,
        "average_days_to_close": None,
    }
    return [
        {**by_key.get(k, {"key": k, **blank}), **period_row(k, measures.get(k))}
        for k in sorted(set(by_key) | set(measures))
    ]
