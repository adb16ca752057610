"""Pure rules of background checks: their vocabulary, when a check is valid, which posts
need one and the refusal that names the missing check, and what expires soon.

The one home of the rule "nobody holds a post that needs a check without a valid check on
the post's first day": the grid's assignment command asks ``require_valid_check``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from shared.errors import DomainError

KINDS = {
    "onboarding": "入职查询",
    "qualification": "资格审查",
    "no_criminal_record": "无犯罪记录证明",
}
# The posts that need a check unless the ``checked_posts`` setting says otherwise (the same
# default as shared.config.Settings.checked_posts).
DEFAULT_CHECKED_POSTS = "head,safety_officer"
RESULTS = {"passed": "通过", "failed": "不通过"}
PASSED = "passed"
# Checks whose validity ends within this many days show on the checkers' to-do.
EXPIRING_DAYS = 30
# What the access log records (action): each read or change.
ACCESS_ACTIONS = {"list": "列表查看", "read": "查看", "create": "新建", "update": "修改"}
# What PATCH /checks/{id} may change (the person stays who the check is about).
UPDATABLE = ("kind", "checked_on", "result", "valid_until", "note")
# Field names of a check: none may ever travel in an event (checked by tests).
CHECK_FIELDS = frozenset({"kind", "checked_on", "result", "note", "kind_label", "result_label"})


class CheckMissing(DomainError):
    status = 409
    title = "Background check required"


class InvalidCheck(DomainError):
    status = 422
    title = "Invalid background check"


@dataclass(frozen=True)
class CheckFact:
    """What the rule needs of a check: kind, result and the days it covers."""

    kind: str
    result: str
    checked_on: date
    valid_until: date

    def valid_on(self, day: date) -> bool:
        """Passed, done by ``day`` and not expired on it (the expiry day still counts)."""
        return self.result == PASSED and self.checked_on <= day <= self.valid_until


def checked_posts(setting: str) -> frozenset[str]:
    """The posts (assignment roles) the ``checked_posts`` setting lists."""
    return frozenset(p.strip() for p in (setting or "").split(",") if p.strip())


def needs_check(role: str, posts: Iterable[str]) -> bool:
    return role in set(posts)


def valid_until(checks: Iterable[CheckFact], day: date) -> date | None:
    """The last day the person's valid checks on ``day`` cover, or None."""
    ends = [c.valid_until for c in checks if c.valid_on(day)]
    return max(ends) if ends else None


def check_dates(checked_on: date, until: date) -> None:
    """A check is valid from the day it was made, so its expiry is not before it."""
    if until < checked_on:
        reason = f"有效期至（{until}）不能早于审查日期（{checked_on}）"
        raise InvalidCheck(
            reason, invalid_params=[{"name": "valid_until", "reason": reason, "location": "json"}]
        )


def require_valid_check(
    role: str, role_label: str, posts: Iterable[str], checks: Iterable[CheckFact], day: date
) -> None:
    """409 naming the check when ``role`` needs one and none is valid on ``day``."""
    if not needs_check(role, posts):
        return
    checks = list(checks)
    if valid_until(checks, day) is not None:
        return
    kinds = "、".join(KINDS.values())
    latest = max(checks, key=lambda c: (c.checked_on, c.valid_until), default=None)
    if latest is None:
        why = "没有背景审查记录"
    elif latest.result != PASSED:
        why = f"最近一次{KINDS.get(latest.kind, latest.kind)}（{latest.checked_on}）结果为不通过"
    elif latest.checked_on > day:
        why = f"最近一次{KINDS.get(latest.kind, latest.kind)}在 {latest.checked_on} 才做"
    else:
        why = f"最近一次{KINDS.get(latest.kind, latest.kind)}已于 {latest.valid_until} 过期"
    reason = (
        f"担任{role_label}须有在 {day} 有效的背景审查（{kinds}，结果为通过）：该人员{why}。"
        "请安全保卫处或人事处先登记背景审查"
    )
    raise CheckMissing(
        reason,
        check="background_check",
        invalid_params=[{"name": "person_id", "reason": reason, "location": "json"}],
    )


def expiring(
    checks_by_person: dict[str, list[CheckFact]], today: date, days: int = EXPIRING_DAYS
) -> dict[str, date]:
    """People whose validity ends within ``days`` of ``today`` (and no newer check covers
    them beyond): person id -> the last valid day."""
    horizon = today + timedelta(days=days)
    out = {}
    for person_id, checks in checks_by_person.items():
        until = valid_until(checks, today)
        if until is not None and until <= horizon:
            out[person_id] = until
    return out
