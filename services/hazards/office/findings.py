"""A finding of the office's own rounds (joint inspection, patrol) opens its hazard here:
through the ledger's report command in the caller's transaction, at the place found, with a
source_ref derived from the finding so that posting it twice opens one hazard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from services.hazards import commands as ledger
from services.hazards import domain as ledger_domain
from services.hazards.models import Hazard
from services.hazards.registers import access as places
from shared.grid_projection import GridCell
from shared.principal import Principal


def open_hazard(
    session: Session,
    principal: Principal,
    *,
    source: str,
    finding_ref: str,
    cell_id: str,
    describe: Callable[[str], str],
    category: str,
    subcategory: str | None,
    severity: str,
    found_at: datetime,
    campus_tz: str,
    now: datetime,
    policy: ledger_domain.Policy | None,
) -> tuple[GridCell, Hazard]:
    """The place and the hazard reported there by ``principal`` under the ledger's rules;
    ``describe`` words the hazard from the place's name (the ledger's text stands alone)."""
    cell = places.place(session, cell_id)
    hazard = ledger.create_hazard(
        session,
        principal,
        category=category,
        subcategory=subcategory,
        severity=severity,
        description=describe(cell.name),
        cell_id=cell.cell_id,
        location=cell.location,
        found_at=found_at,
        campus_tz=campus_tz,
        source=source,
        source_ref=finding_ref,
        now=now,
        policy=policy,
    )
    return cell, hazard
