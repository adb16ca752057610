"""Who may keep and read joint inspections: the security office writes them (it invites
the agencies); the campus-wide readers (the office, the leadership, an unscoped portal) read
them. The hazards they open follow the ledger's own access rules."""

from __future__ import annotations

from shared.errors import Forbidden
from shared.principal import SECURITY_OFFICE, Principal


def require_writer(principal: Principal) -> None:
    if SECURITY_OFFICE not in principal.roles:
        raise Forbidden("协同联动检查由安全保卫处登记")


def require_reader(principal: Principal) -> None:
    if not principal.is_global:
        raise Forbidden("协同联动检查记录仅限安全保卫处和领导小组查看")
