"""Walking a hazard through the closed loop in tests, over HTTP or through commands."""

from __future__ import annotations

from typing import Any

from shared.auth import mint_token
from shared.config import DEV_JWT_SECRET
from shared.principal import GRID_STAFF, SECURITY_OFFICE, UNIT_MANAGER, Principal

# (URL path segment, JSON body, role, subject) for each step from discovered to closed.
STEPS_TO_CLOSE: tuple[tuple[str, dict[str, Any], str, str], ...] = (
    ("register", {"deadline": "2030-06-30", "severity": "general"}, UNIT_MANAGER, "manager"),
    ("report", {"comment": "已上报"}, UNIT_MANAGER, "manager"),
    (
        "start-remediation",
        {
            "responsible_person": "张伟",
            "measures": "更换过期灭火器",
            "contingency_plan": "临时增配灭火器并加强巡查",
        },
        UNIT_MANAGER,
        "manager",
    ),
    ("rectify", {"evidence": "已更换，见照片"}, GRID_STAFF, "staff"),
    # 验收 is judged outside the unit: the security office (or the category's lead dept).
    ("accept", {"comment": "复查合格"}, SECURITY_OFFICE, "office"),
    ("close", {"comment": "销号"}, SECURITY_OFFICE, "office"),
)


def actor(role: str, sub: str, unit: str) -> Principal:
    scoped = None if role == SECURITY_OFFICE else unit
    return Principal(f"{sub}-{unit}", sub, frozenset({role}), scoped)


def headers(role: str, sub: str, unit: str) -> dict[str, str]:
    who = actor(role, sub, unit)
    token = mint_token(DEV_JWT_SECRET, who.sub, who.roles, unit=who.unit, name=who.name)
    return {"Authorization": f"Bearer {token}"}


def close_via_commands(session, hazard_id: str, unit: str, steps=STEPS_TO_CLOSE) -> None:
    """Apply ``steps`` with the hazard service's commands (bodies parsed by its schemas)."""
    from services.hazards import commands
    from services.hazards.api.hazards import ACTION_SCHEMAS

    for path, body, role, sub in steps:
        action, schema = ACTION_SCHEMAS[path]
        commands.transition(session, actor(role, sub, unit), hazard_id, action, schema().load(body))
