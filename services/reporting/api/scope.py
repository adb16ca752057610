"""Who sees what in reporting: units their own; lead departments the categories they
lead; the security office and the leadership group everything."""

from __future__ import annotations

from shared.auth import LEAD_DEPARTMENT, Principal
from shared.vocabulary import CATEGORIES


def led_categories(principal: Principal) -> list[str]:
    if LEAD_DEPARTMENT not in principal.roles:
        return []
    return [code for code, (_, lead) in CATEGORIES.items() if lead == principal.unit]


def unit_filter(principal: Principal, requested: str | None) -> str | None:
    """The unit a caller's query is limited to (403 outside their scope)."""
    if requested:
        if not led_categories(principal):
            principal.require_unit(requested)
        return requested
    return None if principal.is_global or led_categories(principal) else principal.unit
