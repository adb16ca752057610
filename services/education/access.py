"""Who may manage or read activities of the education service.

The security office manages every activity; a unit's manager manages the activities their
unit organises and enrols their own unit's people into activities aimed at it; everyone
else reads the activities of their unit (organised by it or aimed at it). Each reading
rule is written here twice, side by side: as a Python predicate and as its SQL form.
(The psych ledger has its own rules: services.education.psych.access.)
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from services.education.models import Activity, ActivityTarget
from shared.errors import Forbidden, UnprocessableEntity
from shared.principal import UNIT_MANAGER, Principal


def can_manage(principal: Principal, organiser_unit: str) -> bool:
    return principal.may_manage_unit(organiser_unit)


def require_manager(principal: Principal, organiser_unit: str) -> None:
    """Security office anywhere; a unit manager for the activities their unit organises."""
    if not can_manage(principal, organiser_unit):
        raise Forbidden(f"只有安全保卫处或该单位的负责人可以办理单位 {organiser_unit} 的活动")


def can_read(principal: Principal, activity: Activity) -> bool:
    if principal.is_global:
        return True
    return principal.unit is not None and (
        principal.unit == activity.organiser_unit or principal.unit in activity.target_units
    )


def visible_condition(principal: Principal) -> ColumnElement[bool] | None:
    """SQL form of ``can_read``: activities the principal may read (None: all)."""
    if principal.is_global:
        return None
    if principal.unit is None:
        return Activity.id.is_(None)  # nothing
    aimed_at_unit = select(ActivityTarget.activity_id).where(
        ActivityTarget.unit_code == principal.unit
    )
    return (Activity.organiser_unit == principal.unit) | Activity.id.in_(aimed_at_unit)


def require_readable(principal: Principal, activity: Activity) -> None:
    if not can_read(principal, activity):
        raise Forbidden(f"活动 {activity.id} 不在您的单位权限范围内")


def sees_every_unit(principal: Principal, activity: Activity) -> bool:
    """Enrolments and attendance of every unit: global roles and the organiser's managers;
    a reader from a target unit sees their own unit's people only."""
    return principal.is_global or can_manage(principal, activity.organiser_unit)


def require_enroller(principal: Principal, activity: Activity, people: list[dict]) -> None:
    """The organiser's manager (or the security office) enrols anyone; a target unit's
    manager enrols their own unit's people into activities aimed at it."""
    if can_manage(principal, activity.organiser_unit):
        return
    for person in people:
        if not (
            UNIT_MANAGER in principal.roles
            and principal.unit == person["unit_code"]
            and person["unit_code"] in activity.target_units
        ):
            raise Forbidden(
                "单位负责人只能把本单位的人报名到面向本单位的活动；"
                f"{person['person_ref']} 属于单位 {person['unit_code']}"
            )


def check_in_refs(principal: Principal, person_ref: str | None) -> tuple[str, ...]:
    """Whom a check-in may name. A signed-in person checks in themselves only: the person
    comes from the token (every 学号/工号 it carries, claim ``numbers``, and its subject),
    and a number naming anyone else is refused; a token without numbers (minted by
    ``campus-safety token``) checks in by its subject. A kiosk (a device in the room:
    ``shared.principal.KIOSK``) names the person."""
    if principal.is_kiosk:
        if not person_ref:
            raise UnprocessableEntity(
                "签到终端须填写签到人的学号或工号",
                invalid_params=[{"name": "person_ref", "reason": "必填", "location": "json"}],
            )
        return (person_ref,)
    if person_ref and person_ref not in principal.person_refs:
        raise Forbidden("只能为本人签到：所填学号/工号不是当前登录的账号")
    return (person_ref,) if person_ref else principal.person_refs
