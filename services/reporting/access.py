"""Who sees what in reporting's requests: units their own; lead departments the categories
they lead; the security office and the leadership group everything (the campaign's work
has its own rules in ``work.access``).

Only a global principal (``Principal.is_global``) is ever given every unit: anyone else
without a unit of their own is refused, never widened to the whole campus (tokens with a
unit-scoped role and no unit are already refused at authentication).
"""

from __future__ import annotations

from services.reporting import commands
from shared.api import read_session
from shared.errors import Forbidden
from shared.principal import LEAD_DEPARTMENT, Principal


def led_categories(principal: Principal) -> list[str]:
    """The categories the caller leads (co-leads too), from the newest campaign's data."""
    if LEAD_DEPARTMENT not in principal.roles or not principal.unit:
        return []
    return commands.led_categories(read_session(), principal.unit)


def own_unit(principal: Principal) -> str:
    """The unit a non-global caller is confined to (403 if their token names none)."""
    if not principal.unit:
        raise Forbidden("您的账号未写明所属单位；只有全校范围的角色可以查看所有单位")
    return principal.unit


def unit_filter(principal: Principal, requested: str | None) -> str | None:
    """The unit a caller's query is limited to (403 outside their scope); None (every
    unit) only for global principals and lead departments (limited to their categories)."""
    if requested:
        if not led_categories(principal):
            principal.require_unit(requested)
        return requested
    if principal.is_global or led_categories(principal):
        return None
    return own_unit(principal)


def category_filter(principal: Principal, requested: str | None) -> list[str] | None:
    """The categories a caller's query is limited to: a lead department's are those it
    leads (403 for another one); None is every category (one requested: just that one)."""
    led = led_categories(principal)
    if led and not principal.is_global:
        if requested and requested not in led:
            raise Forbidden(f"类别 {requested} 由其他部门牵头")
        return [requested] if requested else led
    return [requested] if requested else None
