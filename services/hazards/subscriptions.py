"""Event types the hazard ledger consumes: its queue's bindings.

Data only, imported by services.registry to declare every queue's bindings (every
worker declares them all); the service's handlers (services.hazards.handlers.make_handlers)
handle exactly these (tests/contract/test_subscriptions.py)."""

from __future__ import annotations

EVENT_TYPES: frozenset[str] = frozenset(
    {
        # the grid: tokens refused once their person lost access (shared.revocation_store)
        "access.revoked",
        # the grid: routing and responsibility
        "unit.changed",
        "cell.changed",
        "assignment.changed",
        # education: a problem found in a drill opens a hazard
        "drill.problem_found",
        # reporting: the campaign's categories and their lead departments
        "campaign.categories_published",
        # education: a drill that exercised an emergency plan marks it drilled (应急预案)
        "drill.completed",
        # education: a held activity confirms a placement's pre-departure briefing (实训实习)
        "activity.held",
        # education: a driver's attended safety education (车辆驾驶人安全教育)
        "attendance.recorded",
    }
)
