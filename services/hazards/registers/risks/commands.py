"""Use cases of the risk register: identify and re-assess risk points, list them, a
place's risk announcement (风险公告) and the colour counts per unit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from services.hazards.models import RiskPoint
from services.hazards.registers import access
from services.hazards.registers.risks import domain
from services.hazards.registers.rows import apply_changes, columns, get_or_404
from shared.errors import NotFound, check_version
from shared.grid_projection import GridCell, GridUnit
from shared.principal import Principal


def create_risk(session: Session, principal: Principal, **fields: Any) -> RiskPoint:
    cell = access.place(session, fields["cell_id"])
    access.require_writer(principal, cell.unit_code)
    score = domain.risk_score(fields["likelihood"], fields["severity"])
    risk = RiskPoint(
        **fields,
        unit_code=cell.unit_code,
        score=score,
        level=domain.level_for_score(score).value,
        created_by=principal.sub,
        updated_by=principal.sub,
        version=1,
    )
    session.add(risk)
    session.flush()
    return risk


def get_risk(session: Session, principal: Principal, risk_id: str, lock: bool = False) -> RiskPoint:
    risk = get_or_404(session, RiskPoint, risk_id, "risk point", lock)
    access.require_reader(session, principal, risk.unit_code, risk.category, f"风险点 {risk_id} ")
    return risk


def update_risk(
    session: Session,
    principal: Principal,
    risk_id: str,
    changes: Mapping[str, Any],
    if_match: int | None = None,
) -> RiskPoint:
    """Re-assess a risk point: the level follows L and S; moving it needs both units."""
    risk = get_risk(session, principal, risk_id, lock=True)
    access.require_writer(principal, risk.unit_code)
    check_version(risk, if_match, "风险点")
    changes = dict(changes)
    if "cell_id" in changes and changes["cell_id"] != risk.cell_id:
        cell = access.place(session, changes["cell_id"])
        access.require_writer(principal, cell.unit_code)
        changes["unit_code"] = cell.unit_code
    likelihood = changes.get("likelihood", risk.likelihood)
    severity = changes.get("severity", risk.severity)
    score = domain.risk_score(likelihood, severity)
    changes.update(score=score, level=domain.level_for_score(score).value)
    if apply_changes(risk, changes):
        risk.updated_by = principal.sub
        risk.version += 1
    return risk


def _visible_points(principal: Principal, stmt: Select) -> Select:
    return access.visible(stmt, principal, RiskPoint.unit_code, RiskPoint.category)


def risk_query(principal: Principal, filters: Mapping[str, Any]) -> Select:
    stmt = _visible_points(principal, select(RiskPoint))
    for key in ("unit_code", "cell_id", "level", "category"):
        if filters.get(key):
            stmt = stmt.where(getattr(RiskPoint, key) == filters[key])
    if filters.get("review_due_by"):
        stmt = stmt.where(RiskPoint.next_review_on <= filters["review_due_by"])
    return stmt.order_by(RiskPoint.unit_code, RiskPoint.score.desc(), RiskPoint.name)


def subtree(session: Session, cell_id: str) -> list[str]:
    """The cell and every cell below it (a building's board shows its rooms' risks too)."""
    children: dict[str | None, list[str]] = {}
    for child, parent in session.execute(select(GridCell.cell_id, GridCell.parent_id)):
        children.setdefault(parent, []).append(child)
    out, stack = [], [cell_id]
    while stack:
        current = stack.pop()
        if current not in out:
            out.append(current)
            stack.extend(children.get(current, []))
    return out


def announcement(session: Session, principal: Principal, cell_id: str) -> dict[str, Any]:
    """风险公告: the place's risk points (and those of the places below it), red → blue.
    A lead department from another unit sees the points of the categories it leads."""
    cell = session.get(GridCell, cell_id)
    if cell is None:
        raise NotFound(f"网格（地点）{cell_id} 不在网格中")
    access.require_board_reader(principal, cell)
    names = dict(session.execute(select(GridCell.cell_id, GridCell.name)).all())
    points = session.scalars(
        _visible_points(principal, select(RiskPoint)).where(
            RiskPoint.cell_id.in_(subtree(session, cell_id))
        )
    )
    ordered = sorted(points, key=lambda p: domain.announcement_key(p.level, p.score, p.name))
    top = domain.highest_level(p.level for p in ordered)
    unit = session.get(GridUnit, cell.unit_code) if cell.unit_code else None
    return {
        "cell_id": cell.cell_id,
        "cell_name": cell.name,
        "unit_code": cell.unit_code,
        "unit_name": unit.name if unit else None,
        "highest_level": top.value if top else None,
        "highest_level_label": domain.RISK_LEVEL_LABELS[top] if top else None,
        "counts": domain.colour_counts(p.level for p in ordered),
        "points": [{**columns(p), "cell_name": names.get(p.cell_id)} for p in ordered],
    }


def risk_summary(
    session: Session, principal: Principal, unit_code: str | None = None
) -> list[dict[str, Any]]:
    """Risk points by colour per unit (units without any still listed for global roles)."""
    if unit_code is not None:
        access.require_unit_reader(session, principal, unit_code)
    stmt = _visible_points(
        principal, select(RiskPoint.unit_code, RiskPoint.level, func.count())
    ).group_by(RiskPoint.unit_code, RiskPoint.level)
    if unit_code is not None:
        stmt = stmt.where(RiskPoint.unit_code == unit_code)
    counts: dict[str, dict[str, int]] = {}
    for unit, level, count in session.execute(stmt):
        row = counts.setdefault(unit, domain.colour_counts([]))
        row[level] = count
    names = dict(session.execute(select(GridUnit.code, GridUnit.name)).all())
    if unit_code is not None:
        units = [unit_code]
    elif principal.is_global:
        units = sorted(set(names) | set(counts))
    else:
        units = sorted(set(counts) | ({principal.unit} if principal.unit else set()))
    return [
        {
            "unit_code": unit,
            "unit_name": names.get(unit),
            **counts.get(unit, domain.colour_counts([])),
            "total": sum(counts.get(unit, {}).values()),
        }
        for unit in units
    ]
