"""Who may keep routes, run patrols and read them, each rule in Python and, for lists, SQL.

A route belongs to a unit (its manager keeps it; only that unit's places) or, without a
unit, to the security office (门卫值守 and campus-wide rounds, any places). A patrol of a
unit's route is run by the unit's manager or grid staff, or the security office; the
office's routes by the office. Only the runner (or the security office) checks in, records
findings and finishes. A patrol is read by its unit's people, the campus-wide readers and
its runner.
"""

from __future__ import annotations

from sqlalchemy import Select, false, or_

from services.hazards.office.models import Patrol, PatrolRoute
from shared.errors import Forbidden
from shared.principal import GRID_STAFF, SECURITY_OFFICE, UNIT_MANAGER, Principal


def require_route_writer(principal: Principal, unit_code: str | None) -> None:
    if unit_code is None and SECURITY_OFFICE not in principal.roles:
        raise Forbidden("不属于单位的巡查路线（门卫值守等）由安全保卫处维护")
    principal.require_manage_unit(unit_code)


def can_read_route(principal: Principal, route: PatrolRoute) -> bool:
    if route.unit_code is None:
        return principal.is_global
    return principal.can_access_unit(route.unit_code)


def require_route_reader(principal: Principal, route: PatrolRoute) -> None:
    if not can_read_route(principal, route):
        raise Forbidden(f"巡查路线「{route.name}」不在您的权限范围内")


def visible_routes(stmt: Select, principal: Principal) -> Select:
    """SQL twin of ``can_read_route``."""
    if principal.is_global:
        return stmt
    if principal.unit is None:
        return stmt.where(false())
    return stmt.where(PatrolRoute.unit_code == principal.unit)


def require_runner(principal: Principal, route: PatrolRoute) -> None:
    """Who may walk a route: the security office any; a unit's manager and grid staff
    their unit's."""
    if SECURITY_OFFICE in principal.roles:
        return
    unit_people = principal.roles & {UNIT_MANAGER, GRID_STAFF}
    if route.unit_code is not None and unit_people and principal.unit == route.unit_code:
        return
    raise Forbidden(
        f"巡查路线「{route.name}」须由安全保卫处"
        + (f"或单位 {route.unit_code} 的负责人、网格员" if route.unit_code else "")
        + "巡查"
    )


def require_patrol_actor(principal: Principal, patrol: Patrol) -> None:
    """Check-ins, findings and the finish: the runner, or the security office."""
    if patrol.runner == principal.sub or SECURITY_OFFICE in principal.roles:
        return
    raise Forbidden("只有本次巡查的巡查人或安全保卫处可以签到、记录发现和结束巡查")


def can_read_patrol(principal: Principal, patrol: Patrol) -> bool:
    if patrol.runner == principal.sub:
        return True
    if patrol.unit_code is None:
        return principal.is_global
    return principal.can_access_unit(patrol.unit_code)


def require_patrol_reader(principal: Principal, patrol: Patrol) -> None:
    if not can_read_patrol(principal, patrol):
        raise Forbidden("该巡查记录不在您的权限范围内")


def visible_patrols(stmt: Select, principal: Principal) -> Select:
    """SQL twin of ``can_read_patrol``."""
    if principal.is_global:
        return stmt
    conditions = [Patrol.runner == principal.sub]
    if principal.unit is not None:
        conditions.append(Patrol.unit_code == principal.unit)
    return stmt.where(or_(*conditions))
