"""Education keeps hazards' emergency plans from emergency_plan.changed (newest sequence
wins) and refuses a drill naming a withdrawn plan — when scheduled or changed — with a 409
problem+json naming plan_id in Chinese; a plan it has not heard of yet is taken on trust
(the announcement may lag the drill's form)."""

from __future__ import annotations

from datetime import date

from shared.api import state
from tests.support.events import event
from tests.unit.test_education_api import (  # noqa: F401 (fixtures)
    EVENT_HANDLERS,
    SO,
    edu,
)
from tests.unit.test_education_drill_plans import schedule

PLAN = "6f1d2b7c-9e10-4c55-9a51-0b6c8a523f7e"
OTHER = "0b6c8a52-3f7e-4c55-9a51-6f1d2b7c9e10"


def announce(edu, plan_id: str, status: str, sequence: int) -> None:  # noqa: F811
    data = {
        "plan_id": plan_id,
        "unit_code": "JD",
        "scenario": "fire",
        "title": "机电工程学院火灾事故应急预案",
        "edition": "2026版",
        "status": status,
        "approved_on": date(2026, 1, 10),
        "review_due": date(2027, 1, 10),
        "last_drilled_on": None,
        "drill_due": date(2026, 7, 9),
    }
    envelope = event("emergency_plan.changed", "hazards", plan_id, data, sequence)
    with edu.app_.app_context(), state().session_factory.begin() as session:
        EVENT_HANDLERS[envelope.type](session, envelope)


def refused_on_plan(response) -> str:
    assert response.status_code == 409, response.get_json()
    assert response.content_type == "application/problem+json"
    assert [p["name"] for p in response.get_json()["invalid_params"]] == ["plan_id"]
    return response.get_json()["detail"]


def test_a_drill_naming_a_withdrawn_plan_is_refused(edu):  # noqa: F811
    announce(edu, PLAN, "in_force", 1)
    assert schedule(edu, plan_id=PLAN).status_code == 201
    announce(edu, PLAN, "withdrawn", 2)
    announce(edu, PLAN, "in_force", 1)  # the older state delivered late changes nothing
    detail = refused_on_plan(schedule(edu, plan_id=PLAN, venue="操场"))
    assert "已废止" in detail and "《机电工程学院火灾事故应急预案》" in detail

    unknown = schedule(edu, plan_id=OTHER, venue="礼堂")  # not announced yet: accepted
    assert unknown.status_code == 201, unknown.get_json()
    drill = unknown.get_json()
    patch = edu.patch(
        f"/activities/{drill['id']}",
        json={"plan_id": PLAN},
        headers={**SO, "If-Match": unknown.headers["ETag"]},
    )
    refused_on_plan(patch)
    got = edu.get(f"/activities/{drill['id']}", headers=SO).get_json()
    assert got["plan_id"] == OTHER  # the refused change left the drill as it was
