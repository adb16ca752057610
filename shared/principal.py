"""Who is calling: the principal (roles and unit scope) and the rules about scope.

Pure Python: the web layer (``shared.auth``) builds a ``Principal`` from a verified token,
and every layer asks it the same questions (``can_access_unit``, ``may_manage_unit``).
Global roles see every unit; the others act only within their own ``unit``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shared.errors import Forbidden

# Roles: who uses the platform.
SECURITY_OFFICE = "security_office"  # 安全保卫处: owns the campaign, sees everything
LEADERSHIP = "leadership"  # 领导小组: read-only overview
LEAD_DEPARTMENT = "lead_department"  # 牵头部门
UNIT_MANAGER = "unit_manager"  # a responsible unit's manager
GRID_STAFF = "grid_staff"  # 网格负责人 / 安全员 / 责任人
PSYCH_CENTRE = "psych_centre"  # 心理健康中心
PORTAL = "portal"  # another campus system calling with a service token
# 签到终端: a device in a room that checks enrolled people in and does nothing else (shared.auth
# refuses it every other route). Not in ROLES: no person holds it, only `campus-safety
# kiosk-token` mints it.
KIOSK = "kiosk"
# 人事处: the personnel department keeps the background checks of the grid's people (入职查询,
# 资格审查) with the security office; nothing else. Unit-scoped like a department's roles.
PERSONNEL = "personnel"
# The province installation's own staff (省教育厅, services/province): not a campus role, never
# held by a campus person; only the province's API and its console answer it.
PROVINCE_OFFICE = "province_office"

# The roles in Chinese: in refusals, and wherever the console names a role.
ROLE_LABELS = {
    SECURITY_OFFICE: "安全保卫处",
    LEADERSHIP: "领导小组",
    LEAD_DEPARTMENT: "牵头部门",
    UNIT_MANAGER: "单位负责人",
    GRID_STAFF: "网格员",
    PSYCH_CENTRE: "心理健康中心",
    PORTAL: "系统接口",
    PERSONNEL: "人事处",
    PROVINCE_OFFICE: "省教育厅",
}


def role_names(roles: Iterable[str]) -> str:
    """``roles`` in Chinese, joined: 安全保卫处、单位负责人."""
    return "、".join(ROLE_LABELS.get(role, role) for role in sorted(roles))


ROLES = (
    SECURITY_OFFICE,
    LEADERSHIP,
    LEAD_DEPARTMENT,
    UNIT_MANAGER,
    GRID_STAFF,
    PSYCH_CENTRE,
    PORTAL,
    PERSONNEL,
)
GLOBAL_ROLES = frozenset({SECURITY_OFFICE, LEADERSHIP})
# Roles that act only within the token's ``unit``: a token holding one must name its unit
# (whatever other roles it holds, so the role is never widened to the whole campus).
UNIT_SCOPED_ROLES = frozenset({LEAD_DEPARTMENT, UNIT_MANAGER, GRID_STAFF, PSYCH_CENTRE, PERSONNEL})


@dataclass(frozen=True)
class Principal:
    sub: str
    name: str
    roles: frozenset[str]
    unit: str | None
    # A signed-in person's 学号 and 工号 when the token was issued: what activities enrol by.
    numbers: tuple[str, ...] = ()

    @property
    def is_global(self) -> bool:
        """Sees every unit: the security office, the leadership group, unscoped portals.
        A portal that also holds a unit-scoped role is never unscoped (such a token without
        a unit is refused; this keeps a principal built by hand from widening either)."""
        if self.roles & GLOBAL_ROLES:
            return True
        return PORTAL in self.roles and self.unit is None and not self.roles & UNIT_SCOPED_ROLES

    @property
    def is_kiosk(self) -> bool:
        return KIOSK in self.roles

    @property
    def person_refs(self) -> tuple[str, ...]:
        """What names the caller as a person: the token's 学号/工号, then its subject."""
        return tuple(ref for ref in (*self.numbers, self.sub) if ref)

    def has_any(self, roles: Iterable[str]) -> bool:
        return bool(self.roles & set(roles))

    def can_access_unit(self, unit_code: str | None) -> bool:
        return self.is_global or (self.unit is not None and self.unit == unit_code)

    def require_unit(self, unit_code: str | None) -> None:
        if not self.can_access_unit(unit_code):
            raise Forbidden(f"单位 {unit_code} 不在您的权限范围内")

    def may_manage_unit(self, unit_code: str | None) -> bool:
        """Manages a unit's records: the security office anywhere, a unit manager only in
        their own unit (the one rule behind grid, registers and activities alike)."""
        if SECURITY_OFFICE in self.roles:
            return True
        return UNIT_MANAGER in self.roles and unit_code is not None and self.unit == unit_code

    def require_manage_unit(self, unit_code: str | None) -> None:
        if not self.may_manage_unit(unit_code):
            raise Forbidden(f"单位 {unit_code} 的记录须由安全保卫处或该单位负责人办理")

    def require_role(self, *roles: str) -> None:
        if not self.has_any(roles):
            raise Forbidden(f"此操作须由以下角色之一办理：{role_names(roles)}")


def unit_claim_missing(roles: Iterable[str], unit: str | None) -> str | None:
    """The first unit-scoped role among ``roles`` if ``unit`` is empty, else None."""
    if unit:
        return None
    return next((role for role in sorted(set(roles)) if role in UNIT_SCOPED_ROLES), None)
