"""The console's activity form offers the emergency plans in force (the hazards register)
for a drill to name; the drill is scheduled with the plan (education's plan_id)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.education.models import Activity
from shared.api import state
from shared.grid_projection import GridUnit
from tests.support.console import console_over
from tests.support.fixtures import bearer
from tests.unit.test_console_education_pages import (  # noqa: F401 (fixtures)
    activity_form,
    apps,
    signed_in,
)
from tests.unit.test_console_grid_admin import post, text

JD = bearer("unit_manager", unit="JD", sub="manager-JD")


@pytest.fixture
def console(apps, make_app, monkeypatch, tmp_path):  # noqa: F811
    hazards = make_app("hazards")
    with hazards.app_context(), state().session_factory() as session, session.begin():
        session.add(GridUnit(code="JD", name="机电工程学院", kind="college", last_sequence=1))
    body = {
        "unit_code": "JD",
        "scenario": "fire",
        "title": "机电工程学院火灾事故应急预案",
        "edition": "2026版",
        "review_due": "2030-01-10",
        "drill_period_days": 180,
    }
    made = hazards.test_client().post("/emergency-plans", json=body, headers=JD)
    assert made.status_code == 201, made.get_json()
    app = console_over({**apps, "hazards": hazards}, monkeypatch, tmp_path)
    app.plan_id_ = made.get_json()["id"]  # the plan the form offers
    return app


def test_a_drill_is_scheduled_against_a_plan_from_the_form(console, apps):  # noqa: F811
    manager = signed_in(console, "J001")
    form = manager.get("/education/activities/new").get_data(as_text=True)
    assert "演练所依据的应急预案" in form and "机电工程学院火灾事故应急预案（火灾，2026版）" in form
    form_body = activity_form("消防疏散演练", "2031-11-09", "09:00", "10:30", kind="drill")
    sent = post(manager, "/education/activities/new", {**form_body, "plan_id": console.plan_id_})
    assert sent.status_code == 302, text(sent)
    with apps["education"].app_context(), state().session_factory() as session:
        [plan_id] = session.scalars(select(Activity.plan_id)).all()
    assert plan_id == console.plan_id_
