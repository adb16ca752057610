"""Emergency plans in reporting's statistics (SQLite, no broker): the projection of
emergency_plan.changed keeps each plan's newest state whatever the order or the repeats,
and GET /statistics counts per unit the plans in force, those not drilled within their
period and those past their review date — judged on the day asked, in the caller's scope."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.reporting import commands
from services.reporting.statistics import api as statistics_api
from shared.api import state
from tests.support.events import event
from tests.support.events import feed as consume_all
from tests.support.fixtures import bearer
from tests.support.handlers import handlers_of

HANDLERS = handlers_of("reporting")
SO = bearer("security_office", sub="office")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
XGC = bearer("lead_department", unit="XGC", sub="lead-XGC")  # leads 安全教育 (education)
JWC = bearer("lead_department", unit="JWC", sub="lead-JWC")  # leads 实验室危化品, not education


@pytest.fixture
def client(make_app, monkeypatch):
    app = make_app("reporting")
    with app.app_context(), state().session_factory() as session:
        commands.load_seed_campaign(session)
        session.commit()
    # the campus day asked: 2026-03-01 (noon in Shanghai)
    monkeypatch.setattr(statistics_api, "now", lambda: datetime(2026, 3, 1, 4, tzinfo=UTC))
    return app.test_client()


def feed(client, *events) -> None:
    with client.application.app_context(), state().session_factory() as session:
        consume_all(session, HANDLERS, events)


def changed(plan_id: str, sequence: int = 1, **data):
    state_ = {
        "plan_id": plan_id,
        "unit_code": "JD",
        "scenario": "fire",
        "title": "机电工程学院火灾事故应急预案",
        "edition": "2026版",
        "status": "in_force",
        "approved_on": date(2025, 9, 1),
        "review_due": date(2027, 1, 10),
        "last_drilled_on": None,
        "drill_due": date(2026, 3, 1),  # due today: still in time
        **data,
    }
    return event("emergency_plan.changed", "hazards", plan_id, state_, sequence)


def plans(client, headers=SO, **query) -> dict:
    response = client.get("/statistics", query_string=query, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["emergency_plans"]


def test_plans_count_per_unit_as_of_the_day_asked(client):
    feed(
        client,
        changed("p-fire"),
        changed("p-flood", scenario="flood", drill_due=date(2026, 2, 28)),  # undrilled
        changed("p-crowd", drill_due=date(2026, 1, 1), review_due=date(2026, 2, 1)),  # both
        changed("p-xx", unit_code="XX", review_due=date(2026, 2, 1)),  # past review
        changed("p-old", unit_code="XX", status="withdrawn", drill_due=date(2020, 1, 1)),
    )
    got = plans(client)
    assert got["as_of"] == "2026-03-01"
    assert got["units"] == [
        {"unit_code": "JD", "plans": 3, "undrilled": 2, "review_overdue": 1, "lapsed": 2},
        {"unit_code": "XX", "plans": 1, "undrilled": 0, "review_overdue": 1, "lapsed": 1},
    ]
    assert got["totals"] == {"plans": 4, "undrilled": 2, "review_overdue": 2, "lapsed": 3}


def test_the_newest_state_wins_over_repeats_and_late_arrivals(client):
    drilled = changed("p-fire", 2, last_drilled_on=date(2026, 1, 5), drill_due=date(2026, 7, 4))
    feed(client, changed("p-fire", drill_due=date(2026, 1, 1)))
    assert plans(client)["totals"]["undrilled"] == 1
    feed(client, drilled, drilled, changed("p-fire", drill_due=date(2026, 1, 1)))  # stale last
    assert plans(client)["totals"] == {"plans": 1, "undrilled": 0, "review_overdue": 0, "lapsed": 0}
    feed(client, changed("p-fire", 3, status="withdrawn", drill_due=date(2026, 7, 4)))
    assert plans(client)["units"] == []


def test_each_caller_sees_the_plans_of_their_scope(client):
    feed(client, changed("p-jd"), changed("p-xx", unit_code="XX", drill_due=date(2026, 1, 1)))
    assert [u["unit_code"] for u in plans(client, JD)["units"]] == ["JD"]
    assert [u["unit_code"] for u in plans(client, XGC)["units"]] == ["JD", "XX"]
    assert plans(client, JWC)["units"] == []  # plans are the education category's
    assert plans(client, SO, category="fire")["totals"]["plans"] == 0
    assert plans(client, SO, category="education")["totals"]["plans"] == 2
