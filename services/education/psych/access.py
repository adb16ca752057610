"""Who may touch the psych ledger: records are the psych centre's alone, the access log is
also the security office's, the counts are everyone's within their scope."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false

from services.education.models import PsychRecord
from shared.errors import Forbidden
from shared.principal import PSYCH_CENTRE, SECURITY_OFFICE, Principal


def require_psych(principal: Principal) -> None:
    """Every record endpoint, reads included: the psych centre only, whatever other roles."""
    if PSYCH_CENTRE not in principal.roles:
        raise Forbidden("心理健康跟踪台账仅限心理健康中心使用")


def require_log_reader(principal: Principal) -> None:
    if not principal.has_any((PSYCH_CENTRE, SECURITY_OFFICE)):
        raise Forbidden("访问记录仅限心理健康中心和安全保卫处查看")


def counts_everywhere(principal: Principal) -> bool:
    """Global roles and the psych centre count every unit; others only their own."""
    return principal.is_global or PSYCH_CENTRE in principal.roles


def counted_condition(principal: Principal) -> ColumnElement[bool] | None:
    """SQL form of the counts' scope (None: every unit)."""
    if counts_everywhere(principal):
        return None
    if principal.unit is None:
        return false()
    return PsychRecord.unit_code == principal.unit
