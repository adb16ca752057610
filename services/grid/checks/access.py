"""Who may touch background checks: the security office and the personnel department (人事处)
only, reads included, whatever their unit (hired staff join every unit). Nobody else learns
more than the grid's 409 when a post needs a check."""

from __future__ import annotations

from shared.errors import Forbidden
from shared.principal import PERSONNEL, SECURITY_OFFICE, Principal

CHECKERS = (SECURITY_OFFICE, PERSONNEL)


def may_check(principal: Principal) -> bool:
    return principal.has_any(CHECKERS)


def require_checker(principal: Principal) -> None:
    """Every /checks endpoint: the security office or the personnel department."""
    if not may_check(principal):
        raise Forbidden("背景审查记录仅限安全保卫处和人事处查看和登记")
