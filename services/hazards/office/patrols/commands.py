"""Use cases of patrols: routes (an ordered list of places), patrols started on a route,
check-ins per place, findings (each opens one hazard through the ledger's report command,
in the same transaction) and the finish, which lists the places missed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from services.hazards import domain as ledger_domain
from services.hazards.office import domain as office
from services.hazards.office import findings
from services.hazards.office.models import Patrol, PatrolCheckIn, PatrolFinding, PatrolRoute
from services.hazards.office.patrols import access, domain
from services.hazards.registers import access as places
from services.hazards.registers.domain import invalid
from services.hazards.registers.rows import apply_changes, columns
from shared.errors import NotFound, check_version
from shared.grid_projection import GridCell
from shared.principal import Principal


# -- routes -------------------------------------------------------------------------------
def _check_places(session: Session, cell_ids: list[str], unit_code: str | None) -> None:
    office.check_no_repeats(cell_ids, "cell_ids", "地点")
    for index, cell_id in enumerate(cell_ids):
        cell = places.place(session, cell_id, f"cell_ids.{index}")
        if unit_code is not None and cell.unit_code != unit_code:
            raise invalid(f"cell_ids.{index}", f"{cell.name}不属于单位 {unit_code}")


def create_route(session: Session, principal: Principal, **fields: Any) -> PatrolRoute:
    access.require_route_writer(principal, fields.get("unit_code"))
    _check_places(session, fields["cell_ids"], fields.get("unit_code"))
    route = PatrolRoute(**fields, created_by=principal.sub, version=1)
    session.add(route)
    session.flush()
    return route


def get_route(
    session: Session, principal: Principal, route_id: str, lock: bool = False
) -> PatrolRoute:
    route = session.get(PatrolRoute, route_id, with_for_update=lock)
    if route is None:
        raise NotFound(f"巡查路线 {route_id} 不存在")
    access.require_route_reader(principal, route)
    return route


def update_route(
    session: Session,
    principal: Principal,
    route_id: str,
    changes: Mapping[str, Any],
    if_match: int | None,
) -> PatrolRoute:
    """Rename, re-order or retire a route; patrols already walked keep their places."""
    route = get_route(session, principal, route_id, lock=True)
    access.require_route_writer(principal, route.unit_code)
    check_version(route, if_match, "巡查路线")
    if "cell_ids" in changes:
        _check_places(session, changes["cell_ids"], route.unit_code)
    if apply_changes(route, changes):
        route.version += 1
    return route


def route_query(principal: Principal, filters: Mapping[str, Any]) -> Select:
    stmt = access.visible_routes(select(PatrolRoute), principal)
    if filters.get("unit_code"):
        stmt = stmt.where(PatrolRoute.unit_code == filters["unit_code"])
    if "active" in filters:
        stmt = stmt.where(PatrolRoute.active.is_(filters["active"]))
    return stmt.order_by(PatrolRoute.unit_code, PatrolRoute.name, PatrolRoute.id)


def place_names(session: Session, cell_ids: list[str]) -> dict[str, GridCell]:
    found = session.scalars(select(GridCell).where(GridCell.cell_id.in_(cell_ids)))
    return {cell.cell_id: cell for cell in found}


def route_detail(session: Session, route: PatrolRoute) -> dict[str, Any]:
    cells = place_names(session, route.cell_ids)
    return {**columns(route), "places": [_place(cells, c) for c in route.cell_ids]}


def _place(cells: dict[str, GridCell], cell_id: str) -> dict[str, Any]:
    cell = cells.get(cell_id)
    return {
        "cell_id": cell_id,
        "name": cell.name if cell else cell_id,
        "code": cell.code if cell else None,
    }


# -- patrols ------------------------------------------------------------------------------
def start(
    session: Session,
    principal: Principal,
    *,
    route_id: str,
    today: date,
    now: datetime,
    patrol_on: date | None = None,
    note: str | None = None,
) -> Patrol:
    """A run of the route by the caller, on ``patrol_on`` (today by default)."""
    route = session.get(PatrolRoute, route_id)
    if route is None:
        raise invalid("route_id", "没有这条巡查路线")
    access.require_runner(principal, route)
    if not route.active:
        raise invalid("route_id", "该巡查路线已停用")
    if patrol_on is not None and patrol_on > today:
        raise invalid("patrol_on", "不能晚于今天")
    patrol = Patrol(
        route_id=route.id,
        route_name=route.name,
        unit_code=route.unit_code,
        cell_ids=list(route.cell_ids),
        patrol_on=patrol_on or today,
        runner=principal.sub,
        runner_name=principal.name[:100],
        status=domain.RUNNING,
        started_at=now,
        note=note,
    )
    session.add(patrol)
    session.flush()
    return patrol


def get_patrol(session: Session, principal: Principal, patrol_id: str, lock: bool = False):
    patrol = session.get(Patrol, patrol_id, with_for_update=lock)
    if patrol is None:
        raise NotFound(f"巡查记录 {patrol_id} 不存在")
    access.require_patrol_reader(principal, patrol)
    return patrol


def _acting(session: Session, principal: Principal, patrol_id: str) -> Patrol:
    patrol = get_patrol(session, principal, patrol_id, lock=True)
    access.require_patrol_actor(principal, patrol)
    return patrol


def _checked(session: Session, patrol_id: str) -> dict[str, PatrolCheckIn]:
    rows = session.scalars(select(PatrolCheckIn).where(PatrolCheckIn.patrol_id == patrol_id))
    return {row.cell_id: row for row in rows}


def _resolve(session: Session, patrol: Patrol, cell_id: str | None, scan: str | None) -> str:
    """The route's place a check-in names: by id, or a scan (URL, id or code)."""
    field, text = ("cell_id", cell_id) if cell_id else ("scan", domain.scanned_place(scan or ""))
    if text in patrol.cell_ids:
        return text
    by_code = session.scalar(
        select(GridCell.cell_id).where(GridCell.cell_id.in_(patrol.cell_ids), GridCell.code == text)
    )
    if by_code is None:
        raise invalid(field, "不是本次巡查路线上的地点")
    return by_code


def check_in(
    session: Session,
    principal: Principal,
    patrol_id: str,
    *,
    now: datetime,
    cell_id: str | None = None,
    scan: str | None = None,
    note: str | None = None,
) -> tuple[Patrol, bool]:
    """签到 at a place of the route; the same place again changes nothing (created False)."""
    patrol = _acting(session, principal, patrol_id)
    domain.check_running(patrol.status, "签到")
    place = _resolve(session, patrol, cell_id, scan)
    if place in _checked(session, patrol.id):
        return patrol, False
    session.add(PatrolCheckIn(patrol_id=patrol.id, cell_id=place, checked_at=now, note=note))
    session.flush()
    return patrol, True


def finish(
    session: Session, principal: Principal, patrol_id: str, *, now: datetime, note: str | None
) -> Patrol:
    """结束巡查: the places not checked in are recorded as missed, in the route's order."""
    patrol = _acting(session, principal, patrol_id)
    domain.check_running(patrol.status, "结束")
    missed = domain.missed_places(patrol.cell_ids, _checked(session, patrol.id))
    patrol.status, patrol.finished_at = domain.FINISHED, now
    patrol.missed, patrol.missed_count = missed, len(missed)
    if note:
        patrol.note = note
    return patrol


def add_finding(
    session: Session,
    principal: Principal,
    patrol_id: str,
    *,
    cell_id: str,
    category: str,
    description: str,
    campus_tz: str,
    now: datetime,
    policy: ledger_domain.Policy | None = None,
    subcategory: str | None = None,
    severity: str = ledger_domain.Severity.GENERAL,
) -> tuple[PatrolFinding, bool]:
    """Something found at a place of the route opens one hazard (source patrol), reported
    by the runner under the ledger's rules, and checks the place in; the same finding posted
    again returns the first (created False) and opens nothing."""
    patrol = _acting(session, principal, patrol_id)
    office.check_place_listed(cell_id, patrol.cell_ids, "cell_id", "本次巡查路线")
    ref = office.finding_id(patrol.id, cell_id, category, description)
    existing = session.get(PatrolFinding, ref)
    if existing is not None:
        return existing, False
    domain.check_running(patrol.status, "记录发现的问题")
    cell, hazard = findings.open_hazard(
        session,
        principal,
        source=domain.SOURCE,
        finding_ref=ref,
        cell_id=cell_id,
        describe=lambda name: domain.hazard_description(patrol.route_name, name, description),
        category=category,
        subcategory=subcategory,
        severity=severity,
        found_at=now,
        campus_tz=campus_tz,
        now=now,
        policy=policy,
    )
    finding = PatrolFinding(
        id=ref,
        patrol_id=patrol.id,
        cell_id=cell.cell_id,
        category=category,
        description=description,
        hazard_id=hazard.id,
        hazard_number=hazard.number,
    )
    session.add(finding)
    if cell.cell_id not in _checked(session, patrol.id):
        session.add(PatrolCheckIn(patrol_id=patrol.id, cell_id=cell.cell_id, checked_at=now))
    session.flush()
    return finding, True


def detail(session: Session, patrol: Patrol) -> dict[str, Any]:
    """The patrol with each place's check-in, what is still to check (or was missed) and
    the findings with their hazards."""
    checked = _checked(session, patrol.id)
    cells = place_names(session, patrol.cell_ids)
    findings = session.scalars(
        select(PatrolFinding)
        .where(PatrolFinding.patrol_id == patrol.id)
        .order_by(PatrolFinding.created_at, PatrolFinding.id)
    ).all()
    missed = domain.missed_places(patrol.cell_ids, checked)
    return {
        **columns(patrol),
        "places": [
            {
                **_place(cells, c),
                "checked_at": checked[c].checked_at if c in checked else None,
                "note": checked[c].note if c in checked else None,
            }
            for c in patrol.cell_ids
        ],
        "checked_count": len(checked),
        "remaining": missed if patrol.status == domain.RUNNING else [],
        "missed": patrol.missed if patrol.status == domain.FINISHED else [],
        "missed_places": [_place(cells, c) for c in (patrol.missed or [])],
        "findings": findings,
    }


def patrol_query(principal: Principal, filters: Mapping[str, Any]) -> Select:
    stmt = access.visible_patrols(select(Patrol), principal)
    for key in ("route_id", "unit_code", "runner", "status"):
        if filters.get(key):
            stmt = stmt.where(getattr(Patrol, key) == filters[key])
    if filters.get("on"):
        stmt = stmt.where(Patrol.patrol_on == filters["on"])
    if filters.get("date_from"):
        stmt = stmt.where(Patrol.patrol_on >= filters["date_from"])
    if filters.get("date_to"):
        stmt = stmt.where(Patrol.patrol_on <= filters["date_to"])
    if filters.get("hazard_id"):  # the patrol whose finding opened that hazard (the backlink)
        found = select(PatrolFinding.patrol_id).where(
            PatrolFinding.hazard_id == filters["hazard_id"]
        )
        stmt = stmt.where(Patrol.id.in_(found))
    if "has_missed" in filters:
        stmt = stmt.where((Patrol.missed_count > 0) == filters["has_missed"])
    return stmt.order_by(Patrol.patrol_on.desc(), Patrol.started_at.desc(), Patrol.id)
