"""我的待办 in the grid: places (level 3+) with nobody in a role they must have today
(``queries.gaps``, the gaps list's own rule), for those who assign people to them — the
security office anywhere, a unit's manager in their unit (``access.require_manager``).
The grid sets no date by which a gap must be filled, so these items carry none."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from services.grid import access, commands, domain, queries
from services.grid.checks import commands as checks
from services.grid.checks.access import may_check
from shared.errors import DomainError
from shared.principal import SECURITY_OFFICE, UNIT_MANAGER, Principal
from shared.todo import TodoItem

FILL_GAP = "fill_gap"
RENEW_CHECK = "renew_check"
KIND_LABELS = {FILL_GAP: "指定网格人员", RENEW_CHECK: "背景审查即将到期"}


def todo(session: Session, principal: Principal, day: date) -> list[TodoItem]:
    """The gaps ``principal`` fills on ``day``, and the background checks that expire
    soon for those who keep them (the security office and the personnel department)."""
    items = _gaps(session, principal, day)
    if may_check(principal):
        items.extend(_expiring_checks(session, day))
    return items


def _expiring_checks(session: Session, day: date) -> list[TodoItem]:
    """A person's valid checks end within 30 days (checks' domain): only "valid until"
    leaves the restricted ledger here, never the check's kind, result or note."""
    items = []
    for person_id, (person, until) in checks.expiring(session, day).items():
        unit = commands.unit_name(session, person.unit_code)
        title = f"{person.name}（{unit}）的背景审查 {until} 到期"
        items.append(
            TodoItem(
                RENEW_CHECK, KIND_LABELS[RENEW_CHECK], title, until, False, {"person_id": person_id}
            )
        )
    return items


def _gaps(session: Session, principal: Principal, day: date) -> list[TodoItem]:
    if SECURITY_OFFICE in principal.roles:
        unit = None
    elif UNIT_MANAGER in principal.roles and principal.unit:
        unit = principal.unit
    else:
        return []
    items = []
    for gap in queries.gaps(session, day, unit):
        cell = gap["cell"]
        try:
            access.require_manager(principal, cell.unit_code)
        except DomainError:
            continue
        missing = "、".join(domain.ROLE_LABELS[domain.Role(r)] for r in gap["missing_roles"])
        title = f"{cell.name}：缺{missing}"
        items.append(
            TodoItem(FILL_GAP, KIND_LABELS[FILL_GAP], title, None, False, {"cell_id": cell.id})
        )
    return items
