"""Who may touch the clue ledger: the clues are the security office's alone, the counts
also the leadership's."""

from __future__ import annotations

from shared.errors import Forbidden
from shared.principal import LEADERSHIP, SECURITY_OFFICE, Principal


def require_office(principal: Principal) -> None:
    """Every clue endpoint, reads included: the security office only, whatever other roles."""
    if SECURITY_OFFICE not in principal.roles:
        raise Forbidden("线索台账仅限安全保卫处使用")


def may_count(principal: Principal) -> bool:
    return principal.has_any((SECURITY_OFFICE, LEADERSHIP))


def require_counter(principal: Principal) -> None:
    if not may_count(principal):
        raise Forbidden("线索统计仅限安全保卫处和领导小组查看")
