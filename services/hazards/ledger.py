"""The ledger (隐患台账) as a list shows it: one statement for the caller's scope and the
list's filters, used by the list, the export and the worker's export jobs alike; and the
names a printed ledger shows for unit codes and cell ids; and the rows an export reads
(``ledger_rows``: plain tuples of the columns the sheet shows, streamed)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, aliased

from services.hazards import access, queries
from services.hazards.models import Hazard, HazardLead, HazardTransition
from shared.grid_projection import GridCell, GridUnit
from shared.hazard_stages import OPEN
from shared.principal import Principal
from shared.timeutil import campus_today

EQUAL_FILTERS = ("unit_code", "cell_id", "category", "subcategory", "status", "severity")


def ledger_query(principal: Principal, query: dict[str, Any], tz: str, now: datetime) -> Select:
    """Hazards ``principal`` sees (``access.visible_to``) that match ``query``
    (``HazardQuerySchema``: equal fields, overdue, finding dates in campus days, text)."""
    stmt = access.visible_to(select(Hazard), principal)
    for key in EQUAL_FILTERS:
        if query.get(key):
            stmt = stmt.where(getattr(Hazard, key) == query[key])
    if "open" in query:  # not yet struck off (销号) or archived: still owed
        opened = Hazard.status.in_(sorted(OPEN))
        stmt = stmt.where(opened if query["open"] else ~opened)
    if "overdue" in query:  # the unit's: awaiting acceptance is not the unit's time
        today = campus_today(tz, now)
        late = queries.overdue(today) if query["overdue"] else queries.not_overdue(today)
        stmt = stmt.where(late)
    zone = ZoneInfo(tz)
    if query.get("found_from"):
        stmt = stmt.where(Hazard.found_at >= datetime.combine(query["found_from"], time(), zone))
    if query.get("found_to"):
        end = datetime.combine(query["found_to"] + timedelta(days=1), time(), zone)
        stmt = stmt.where(Hazard.found_at < end)
    if query.get("q"):
        text = query["q"]
        stmt = stmt.where(
            or_(
                Hazard.description.contains(text, autoescape=True),
                Hazard.number.contains(text, autoescape=True),
                Hazard.location.contains(text, autoescape=True),
            )
        )
    return stmt


def in_ledger_order(stmt: Select) -> Select:
    """The printed ledger's order: as found, oldest first."""
    return stmt.order_by(Hazard.found_at, Hazard.number)


class LedgerRow(NamedTuple):
    """A hazard as the printed ledger shows it: the attributes ``ledger_export`` reads, and
    no more (a ``Hazard`` has the same ones)."""

    number: str
    unit_code: str
    cell_id: str | None
    location: str | None
    category: str
    subcategory: str | None
    description: str
    severity: str
    status: str
    found_by: str
    reporter_unit: str | None
    found_at: datetime
    remediation_person: str | None
    responsible_person_name: str | None
    deadline: date | None
    measures: str | None
    reopen_count: int | None
    closed_at: datetime | None
    found_by_name: str | None  # 发现人 by name: the creating step's actor_name
    lead_departments: list[str]


# The creating step's name of the reporter (its account id is no name for a sheet).
_FINDER_NAME = (
    select(HazardTransition.actor_name)
    .where(HazardTransition.hazard_id == Hazard.id, HazardTransition.action == "create")
    .order_by(HazardTransition.id)
    .limit(1)
    .correlate(Hazard)
    .scalar_subquery()
)
_COLUMNS = (*(getattr(Hazard, name) for name in LedgerRow._fields[:-2]), _FINDER_NAME)
_ID, _LEAD_DEPARTMENT, _LEAD = len(_COLUMNS), len(_COLUMNS) + 1, len(_COLUMNS) + 2
SORT_MEMORY = "64MB"  # PostgreSQL's work_mem for an export's statement (its transaction only)
_make_row = LedgerRow._make  # from a tuple, without the keyword handling of LedgerRow(...)


def ledger_rows(session: Session, stmt: Select, batch: int = 1000) -> Iterator[LedgerRow]:
    """The hazards of ``stmt`` (``ledger_query``'s) in ledger order as ``LedgerRow``s: only
    the sheet's columns, read as plain rows (building ORM objects was most of an export's
    time) and streamed ``batch`` at a time (a server-side cursor on PostgreSQL). The lead
    departments come in the same statement, one row per lead in their order, gathered here."""
    lead = aliased(HazardLead)  # its own alias: visible_to's EXISTS keeps its own table
    rows = (
        in_ledger_order(stmt.with_only_columns(*_COLUMNS, Hazard.id, Hazard.lead_department))
        .outerjoin(lead, lead.hazard_id == Hazard.id)
        .add_columns(lead.unit_code)
        .order_by(Hazard.id, lead.position)
    )
    connection = session.connection()
    options: dict[str, Any] = {"yield_per": batch}
    if connection.dialect.name == "postgresql":
        if getattr(connection.connection.dbapi_connection, "autocommit", False):
            # A web read session (shared.api.read_session) has no transaction block for a
            # server-side cursor; its export is bounded by CAMPUS_EXPORT_SYNC_ROWS: read whole.
            options = {}
        else:
            # The ledger's order sorted in memory: at the default 4 MB, 50,000 rows went to disk.
            connection.exec_driver_sql(f"SET LOCAL work_mem = '{SORT_MEMORY}'")
    last_id, current = None, None
    # The connection's Core result: no ORM row processing for plain columns.
    result = connection.execute(rows, execution_options=options)
    for values in result:
        if values[_ID] == last_id:  # the same hazard's next lead
            current.lead_departments.append(values[_LEAD])
            continue
        if current is not None:
            yield current
        # A hazard written before co-leads has no lead rows: its one lead department.
        leads = [values[_LEAD] if values[_LEAD] is not None else values[_LEAD_DEPARTMENT]]
        current, last_id = _make_row((*values[:_ID], leads)), values[_ID]
    if current is not None:
        yield current


def place_names(session: Session) -> dict[str, dict[str, str]]:
    """The exports' ``unit_names`` and ``cell_names``, from the copy of the grid."""
    return {
        "unit_names": dict(session.execute(select(GridUnit.code, GridUnit.name)).all()),
        "cell_names": dict(session.execute(select(GridCell.cell_id, GridCell.name)).all()),
    }


def place_paths(session: Session, cell_ids: set[str]) -> dict[str, str]:
    """Each cell's place as people read it: the names from the unit down (the top cell,
    the campus, left out, as ``GET /cells/<id>`` does), one query per level of the tree."""
    cells: dict[str, GridCell] = {}
    wanted = {cell_id for cell_id in cell_ids if cell_id}
    while wanted:
        found = session.scalars(select(GridCell).where(GridCell.cell_id.in_(wanted))).all()
        cells.update((cell.cell_id, cell) for cell in found)
        wanted = {c.parent_id for c in found if c.parent_id and c.parent_id not in cells}
    paths = {}
    for cell_id in cell_ids:
        names, current, seen = [], cells.get(cell_id), set()
        while current is not None and current.cell_id not in seen and current.level > 1:
            seen.add(current.cell_id)
            names.insert(0, current.name)
            current = cells.get(current.parent_id) if current.parent_id else None
        if names:
            paths[cell_id] = " / ".join(names)
    return paths


def scope_label(session: Session, principal: Principal, query: dict[str, Any]) -> str:
    """Whose ledger an export holds: the filtered unit, else the caller's own unit, else
    全校 (a campus-wide caller without a unit filter)."""
    code = query.get("unit_code") or (None if principal.is_global else principal.unit)
    if not code:
        return "全校"
    return session.scalar(select(GridUnit.name).where(GridUnit.code == code)) or code


def export_name(scope: str, day: date) -> str:
    """An export's file name without ``.xlsx``: 隐患台账-<单位>-<日期>."""
    safe = "".join("_" if ch in '/\\:*?"<>|' else ch for ch in scope)
    return f"隐患台账-{safe}-{day:%Y-%m-%d}"
