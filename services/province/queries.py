"""What the province's API and exports read: colleges, their tables and figures, the
province-wide totals, and each province due date's late and missing colleges."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.province import domain
from services.province.models import (
    College,
    CollegeBoard,
    CollegeFigures,
    CollegeIncidents,
    CollegeTable,
    MajorHazard,
)
from shared.errors import NotFound


def colleges(session: Session) -> list[dict[str, Any]]:
    tables = session.scalars(select(CollegeTable)).all()
    out = []
    for college in session.scalars(select(College).order_by(College.campus_id)):
        own = [t for t in tables if t.campus_id == college.campus_id]
        out.append(
            {
                "campus_id": college.campus_id,
                "name": college.name,
                "tables": len(own),
                "late_tables": sum(1 for t in own if t.late),
            }
        )
    return out


def college(session: Session, campus_id: str) -> dict[str, Any]:
    row = session.get(College, campus_id)
    if row is None:
        raise NotFound(f"省级汇总中没有学校 {campus_id}")
    where = {"campus_id": campus_id}
    return {
        "campus_id": row.campus_id,
        "name": row.name,
        "tables": [_table(t) for t in _all(session, CollegeTable, where, CollegeTable.due_on)],
        "figures": [  # newest period first
            _figures(f)
            for f in _all(session, CollegeFigures, where, CollegeFigures.period_end.desc())
        ],
        "boards": [
            {"campaign": b.campaign, "as_of": b.as_of, "dues": b.dues}
            for b in _all(session, CollegeBoard, where)
        ],
        "major_hazards": [
            _hazard(h) for h in _all(session, MajorHazard, where, MajorHazard.number)
        ],
        "incidents": _incidents(session.get(CollegeIncidents, campus_id)),
    }


def _incidents(row: CollegeIncidents | None) -> dict[str, Any] | None:
    if row is None:
        return None
    names = ("as_of", "total", "major", "deaths", "injuries")
    return {name: getattr(row, name) for name in names}


def _all(session: Session, model: type, where: dict[str, str], *order) -> list:
    stmt = select(model).filter_by(**where)
    return session.scalars(stmt.order_by(*order) if order else stmt).all()


def _table(t: CollegeTable) -> dict[str, Any]:
    return {
        "campaign": t.campaign,
        "due_on": t.due_on,
        "period_start": t.period_start,
        "period_end": t.period_end,
        "submitted_at": t.submitted_at,
        "late": t.late,
        "rows": t.rows,
        "totals": t.totals,
    }


def _figures(f: CollegeFigures) -> dict[str, Any]:
    return {
        "campaign": f.campaign,
        "period_start": f.period_start,
        "period_end": f.period_end,
        "as_of": f.as_of,
        "figures": f.figures,
    }


def _hazard(h: MajorHazard) -> dict[str, Any]:
    return {
        "number": h.number,
        "category": h.category,
        "place": h.place,
        "responsible_unit": h.responsible_unit,
        "found_on": h.found_on,
        "deadline": h.deadline,
        "closed_on": h.closed_on,
        "stage": h.stage,
    }


def totals(session: Session) -> dict[str, Any]:
    """Each college's figures for its latest period (its cumulative ones as of then) and
    the province's totals of them; the major hazards open and in all; the incidents."""
    names = dict(session.execute(select(College.campus_id, College.name)).all())
    newest: dict[str, CollegeFigures] = {}  # each college's latest period
    for f in session.scalars(select(CollegeFigures).order_by(CollegeFigures.period_end)):
        if f.campus_id in names:
            newest[f.campus_id] = f
    figures = list(newest.values())
    hazards = session.scalars(select(MajorHazard)).all()
    return {
        "colleges": len(names),
        "reporting": len({f.campus_id for f in figures}),
        "by_college": [
            {"campus_id": f.campus_id, "name": names[f.campus_id], **_figures(f)}
            for f in sorted(figures, key=lambda f: f.campus_id)
        ],
        "totals": domain.add_up(f.figures for f in figures),
        "major_hazards": {
            "total": len(hazards),
            "open": sum(1 for h in hazards if h.closed_on is None),
        },
        "incidents": domain.add_up(
            {"total": i.total, "major": i.major, "deaths": i.deaths, "injuries": i.injuries}
            for i in session.scalars(select(CollegeIncidents))
        ),
    }


def dues(session: Session, today: date) -> list[dict[str, Any]]:
    """Per province due date (every date a college's board names), which college sent its
    table on time, late, not at all (the date passed), or not yet."""
    names = dict(session.execute(select(College.campus_id, College.name)).all())
    statuses = domain.due_statuses(names, *_dues_and_tables(session), today)

    def named(ids: tuple[str, ...]) -> list[dict[str, str]]:
        return [{"campus_id": i, "name": names[i]} for i in ids]

    return [
        {
            "due_on": s.due_on,
            "on_time": named(s.on_time),
            "late": named(s.late),
            "missing": named(s.missing),
            "waiting": named(s.waiting),
        }
        for s in statuses
    ]


def _dues_and_tables(session: Session) -> tuple[set[date], dict[tuple[str, date], bool]]:
    """Every province due date (any college's board names it, or a table answers it), and
    the tables sent: (campus, due date) → late."""
    boards = session.scalars(select(CollegeBoard))
    due_dates = {date.fromisoformat(d["due_on"]) for b in boards for d in b.dues}
    sent = {(t.campus_id, t.due_on): t.late for t in session.scalars(select(CollegeTable))}
    return due_dates | {due_on for _, due_on in sent}, sent


def flags(session: Session, today: date) -> list[dict[str, Any]]:
    """The province's accountability flags on its colleges (domain.college_flags), each
    naming the college."""
    names = dict(session.execute(select(College.campus_id, College.name)).all())
    statuses = domain.due_statuses(names, *_dues_and_tables(session), today)
    hazards = [
        domain.HazardState(h.campus_id, h.number, h.deadline, h.closed_on)
        for h in session.scalars(select(MajorHazard))
        if h.campus_id in names
    ]
    found = domain.college_flags(statuses, hazards, today)
    return [{**f, "name": names[str(f["campus_id"])]} for f in found]


def register_colleges(session: Session, colleges: dict[str, str]) -> None:
    """The province's colleges (campus id → name), from PROVINCE_COLLEGES: a campus id is
    the broker user its federation upstream connects as."""
    for campus_id, name in colleges.items():
        row = session.get(College, campus_id)
        if row is None:
            session.add(College(campus_id=campus_id, name=name))
        else:
            row.name = name
