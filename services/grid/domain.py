"""Pure rules of the grid (网格管理): validation, the cell tree, assignment history.

Assignment periods are half-open: ``[effective_from, effective_to)``. When the holder
of a role changes on day D, the old assignment ends on D and the new one starts on D,
so "who held the role on D" is the new holder and there is never a gap or an overlap.
``held_on`` is that rule; the other services' projection of the grid applies the same
pure function (shared.periods.held_on).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from shared import periods
from shared.errors import DomainError


class Role(StrEnum):
    HEAD = "head"  # 网格负责人
    SAFETY_OFFICER = "safety_officer"  # 网格安全员
    RESPONSIBLE = "responsible"  # 网格责任人


ROLE_LABELS = {
    Role.HEAD: "网格负责人",
    Role.SAFETY_OFFICER: "网格安全员",
    Role.RESPONSIBLE: "网格责任人",
}
# A cell has one head and one safety officer at a time; responsible persons may be several.
SINGLE_HOLDER_ROLES = frozenset({Role.HEAD, Role.SAFETY_OFFICER})
REQUIRED_ROLES = (Role.HEAD, Role.SAFETY_OFFICER)

UNIT_KINDS = {"college": "二级学院", "office": "机关处室", "other": "其他单位"}

AREA_TYPES = {
    "campus": "校园",
    "unit": "单位",
    "teaching": "教学区",
    "dormitory": "住宿区",
    "lab": "实验实训区",
    "canteen": "食堂",
    "office": "办公区",
    "warehouse": "仓库",
    "sports": "运动场馆",
    "library": "图书馆",
    "other": "其他",
}

ROOT_LEVEL, UNIT_LEVEL = 1, 2

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


class TreeConflict(DomainError):
    title = "Grid tree conflict"


class AssignmentConflict(DomainError):
    title = "Assignment conflict"


class PlaceEnded(DomainError):
    status = 422
    title = "Invalid end date"


def normalize_phone(raw: str) -> str | None:
    """A mainland mobile (13812345678) or landline (0931-8123456) number, or None."""
    phone = re.sub(r"[\s()（）]", "", raw or "").removeprefix("+86")
    return phone if MOBILE.match(phone) or LANDLINE.match(phone) else None


def chain_to_root(cell_id: str, parent_of: Mapping[str, str | None]) -> list[str]:
    """The cell, its parent, … up to the root (一级抓一级: each level supervises the next)."""
    chain, seen = [], set()
    current: str | None = cell_id
    while current is not None:
        if current in seen:
            raise TreeConflict(f"网格树在 {current} 处成环")
        seen.add(current)
        chain.append(current)
        current = parent_of.get(current)
    return chain


def check_move(cell_id: str, new_parent_id: str, parent_of: Mapping[str, str | None]) -> None:
    """Refuse a move that would make a cell its own ancestor."""
    if new_parent_id == cell_id or cell_id in chain_to_root(new_parent_id, parent_of):
        raise TreeConflict(
            "网格不能移到它自己或它的下级之下",
            cell_id=cell_id,
            new_parent_id=new_parent_id,
        )


def check_end_place(
    level: int, ended_on: date | None, open_children: Sequence[str], day: date, today: date
) -> None:
    """A place (level 3+) may be ended (停用) once, on a day not after today, when no place
    under it is still open: the tree never holds an open place below an ended one."""
    if level <= UNIT_LEVEL:
        raise TreeConflict("学校和单位两级网格不能停用，只能停用地点")
    if ended_on is not None:
        raise TreeConflict(f"该地点已于 {ended_on} 停用")
    if open_children:
        raise TreeConflict(
            f"该地点下还有 {len(open_children)} 个未停用的地点，请先停用或移走它们",
            open_children=list(open_children),
        )
    if day > today:
        reason = f"停用日期不能晚于今天（{today}）"
        raise PlaceEnded(
            reason, invalid_params=[{"name": "ended_on", "reason": reason, "location": "json"}]
        )


def check_open(ended_on: date | None, what: str) -> None:
    """An ended place takes nothing new: no place under it, no move, no assignment."""
    if ended_on is not None:
        raise TreeConflict(f"该地点已于 {ended_on} 停用，{what}")


def child_level(parent_level: int | None) -> int:
    return ROOT_LEVEL if parent_level is None else parent_level + 1


def held_on(effective_from: date, effective_to: date | None, day: date) -> bool:
    """The assignment covers ``day``: from its first day until, not including, its end."""
    return periods.held_on(effective_from, effective_to, day)


@dataclass(frozen=True)
class Period:
    person_id: str
    effective_from: date
    effective_to: date | None  # exclusive; None = still current

    def covers(self, day: date) -> bool:
        return held_on(self.effective_from, self.effective_to, day)


def holders_on(periods: Iterable[Period], day: date) -> list[str]:
    return [p.person_id for p in periods if p.covers(day)]


def check_handover(current: Sequence[Period], starts: date) -> None:
    """A new holder may start on or after the current holder's start, never before it."""
    for period in current:
        if starts < period.effective_from:
            raise AssignmentConflict(
                f"现任人员自 {period.effective_from} 起任职，"
                f"接任人员的起始日期（{starts}）不能早于此",
                current_from=period.effective_from.isoformat(),
            )


def check_end(period: Period, ends: date) -> None:
    if not periods.can_end_on(period.effective_from, ends):
        raise AssignmentConflict(f"自 {period.effective_from} 开始的网格安排不能在 {ends} 结束")


def missing_roles(current_roles: Iterable[str]) -> list[str]:
    """Roles a cell must have and has no current holder for (a gap in the grid)."""
    held = set(current_roles)
    return [role.value for role in REQUIRED_ROLES if role.value not in held]
