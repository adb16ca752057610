"""The console shows reporting's emergency-plan figures: 概览 the campus's plans in force,
not drilled in time and past review (each linking to the register's due list), the units
with lapsed plans by name; the statistics page a table per unit."""

from __future__ import annotations

from datetime import date, timedelta

from shared.api import state
from shared.timeutil import campus_today
from tests.support.events import event
from tests.support.events import feed as consume_all
from tests.support.handlers import handlers_of
from tests.unit.test_console_incidents import (  # noqa: F401 (fixtures)
    apps,
    campus,
    console,
    signed_in,
    text,
)


def changed(plan_id: str, unit_code: str, drill_due: date) -> object:
    data = {
        "plan_id": plan_id,
        "unit_code": unit_code,
        "scenario": "fire",
        "title": "火灾事故应急预案",
        "edition": "2026版",
        "status": "in_force",
        "approved_on": None,
        "review_due": drill_due + timedelta(days=400),
        "last_drilled_on": None,
        "drill_due": drill_due,
    }
    return event("emergency_plan.changed", "hazards", plan_id, data)


def test_overview_and_statistics_show_the_plans(apps, campus, console):  # noqa: F811
    reporting = apps["reporting"]
    today = campus_today("Asia/Shanghai")
    with reporting.app_context(), state().session_factory() as session:
        consume_all(
            session,
            handlers_of("reporting", state().settings),
            [
                changed("p-jd-1", "JD", today - timedelta(days=3)),  # not drilled in time
                changed("p-jd-2", "JD", today + timedelta(days=30)),
                changed("p-xx", "XX", today + timedelta(days=30)),
            ],
        )
    office = signed_in(console, "S001")
    overview = text(office.get("/overview"))
    assert 'id="stat-plans" href="/registers/emergency-plans?status=in_force">3<' in overview
    assert 'id="stat-plans-undrilled" href="/registers/emergency-plans?lapse=drill">1<' in overview
    assert "有超期预案的单位：机电工程学院（1）" in overview
    page = text(office.get("/reporting/statistics"))
    rows = page.split('id="plans-table"')[1]
    assert '<th scope="row">机电工程学院</th><td>2</td><td>1</td><td>0</td><td>1</td>' in rows
    assert '<th scope="row">信息工程学院</th><td>1</td><td>0</td>' in rows
