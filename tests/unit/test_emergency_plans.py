"""The emergency-plan register (应急预案) over HTTP (SQLite, no broker): CRUD in scope, 4xx
naming the field, drills from education's drill.completed (idempotent, any order), the
lapse sweep (one hazard per lapse), the to-do, the summary and the .xlsx export."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import openpyxl
import pytest

from services.hazards.registers.emergency_plans import domain
from services.hazards.registers.emergency_plans.drills import mark_drilled, run_plan_sweep
from shared.api import state
from shared.events import Envelope
from shared.grid_projection import GridUnit
from tests.support.fixtures import bearer

SO = bearer("security_office", sub="office")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
XX = bearer("unit_manager", unit="XX", sub="manager-XX")
STAFF = bearer("grid_staff", unit="JD", sub="staff-JD")
TZ = "Asia/Shanghai"


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def problem_fields(response, status=422) -> list[str]:
    assert response.status_code == status, response.get_json()
    assert response.content_type == "application/problem+json"
    return [p["name"] for p in response.get_json()["invalid_params"]]


@pytest.fixture
def app(make_app):
    app = make_app("hazards")
    with app.app_context(), state().session_factory() as session, session.begin():
        session.add_all(
            [
                GridUnit(code="JD", name="机电工程学院", kind="college", last_sequence=1),
                GridUnit(code="XX", name="信息工程学院", kind="college", last_sequence=1),
            ]
        )
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def plan(client, who=JD, expect=201, **extra):
    body = {
        "unit_code": "JD",
        "scenario": "fire",
        "title": "机电工程学院火灾事故应急预案",
        "edition": "2026版",
        "approved_by": "张院长",
        "approved_on": "2026-01-10",
        "review_due": "2027-01-10",
        "drill_period_days": 180,
        **extra,
    }
    return ok(client.post("/emergency-plans", json=body, headers=who), expect)


def completed(plan_id: str | None, drill_id: str, at: str) -> Envelope:
    body = {
        "drill_id": drill_id,
        "target_units": ["JD"],
        "participants": 300,
        "evacuation_seconds": 190,
        "problems": 0,
        "completed_at": at,
        "plan_id": plan_id,
    }
    return Envelope("drill.completed", 1, "education", drill_id, 2, body, actor="office")


def deliver(app, event: Envelope) -> None:
    with app.app_context(), state().session_factory() as session, session.begin():
        mark_drilled(session, event, TZ)


def sweep(app, at: str) -> int:
    with app.app_context():
        return run_plan_sweep(
            state().session_factory, state().settings, now=datetime.fromisoformat(at)
        )


def test_the_drill_due_date_counts_from_the_last_drill_or_the_approval():
    created = date(2026, 3, 1)
    assert domain.drill_due(None, date(2026, 1, 10), 180, created) == date(2026, 7, 9)
    assert domain.drill_due(None, None, 180, created) == date(2026, 8, 28)
    assert domain.drill_due(date(2026, 5, 1), date(2026, 1, 10), 30, created) == date(2026, 5, 31)
    due, review = date(2026, 7, 9), date(2027, 1, 10)
    assert domain.lapses("in_force", due, review, due) == []  # the due day is still in time
    assert domain.lapses("in_force", due, review, due + timedelta(days=1)) == [domain.Lapse.DRILL]
    assert domain.lapses("in_force", due, review, date(2027, 1, 11)) == [
        domain.Lapse.DRILL,
        domain.Lapse.REVIEW,
    ]
    assert domain.lapses("withdrawn", due, review, date(2030, 1, 1)) == []


def test_a_unit_registers_reads_and_edits_its_plans_in_its_scope(client):
    created = plan(client)
    assert created["next_drill_due"] == "2026-07-09"
    assert created["scenario_label"] == "火灾"
    assert created["status_label"] == "现行有效"
    ok(client.get(f"/emergency-plans/{created['id']}", headers=JD))
    assert client.get(f"/emergency-plans/{created['id']}", headers=XX).status_code == 403
    assert client.get("/emergency-plans", headers=XX).get_json() == []
    assert [p["id"] for p in ok(client.get("/emergency-plans", headers=SO))] == [created["id"]]
    plan(client, who=XX, expect=403)
    plan(client, who=STAFF, expect=403)
    edited = ok(
        client.patch(
            f"/emergency-plans/{created['id']}",
            json={"drill_period_days": 90, "edition": "2026修订版"},
            headers={**JD, "If-Match": '"1"'},
        )
    )
    assert (edited["next_drill_due"], edited["edition"], edited["version"]) == (
        "2026-04-10",
        "2026修订版",
        2,
    )
    assert (
        client.patch(
            f"/emergency-plans/{created['id']}",
            json={"title": "x"},
            headers={**JD, "If-Match": '"1"'},
        ).status_code
        == 412
    )
    assert (
        client.patch(
            f"/emergency-plans/{created['id']}", json={"title": "x"}, headers=XX
        ).status_code
        == 403
    )


def test_bad_input_is_4xx_naming_the_field_in_chinese(client):
    assert problem_fields(
        client.post("/emergency-plans", json={"unit_code": "JD"}, headers=JD)
    ) >= ["scenario"]
    assert "drill_period_days" in problem_fields(
        client.post(
            "/emergency-plans",
            json={
                "unit_code": "JD",
                "scenario": "fire",
                "title": "t",
                "edition": "1",
                "review_due": "2027-01-01",
                "drill_period_days": 0,
            },
            headers=JD,
        )
    )
    assert "scenario" in problem_fields(
        client.post("/emergency-plans", json={"scenario": "meteor"}, headers=JD)
    )
    response = client.post(
        "/emergency-plans",
        json={
            "unit_code": "JD",
            "scenario": "fire",
            "title": "t",
            "edition": "1",
            "approved_on": "2026-01-10",
            "review_due": "2026-01-01",
            "drill_period_days": 30,
        },
        headers=JD,
    )
    assert problem_fields(response) == ["review_due"]
    assert "须晚于批准日期" in response.get_json()["detail"]
    plan(client, who=SO, unit_code="ZZ", expect=422)
    plan(client)
    assert problem_fields(
        client.post(
            "/emergency-plans",
            json={
                "unit_code": "JD",
                "scenario": "fire",
                "title": "again",
                "edition": "2026版",
                "review_due": "2027-01-10",
                "drill_period_days": 180,
            },
            headers=JD,
        ),
        409,
    ) == ["edition"]
    assert client.get("/emergency-plans/nope", headers=SO).status_code == 404


def test_drills_mark_the_plan_drilled_once_in_any_order(client, app):
    fire = plan(client)
    later = completed(fire["id"], "drill-2", "2026-06-01T10:00:00+08:00")
    earlier = completed(fire["id"], "drill-1", "2026-03-01T10:00:00+08:00")
    deliver(app, later)
    deliver(app, later)  # delivered again
    deliver(app, earlier)  # an older drill arriving late keeps the later date
    deliver(app, completed(None, "drill-3", "2026-06-02T10:00:00+08:00"))  # no plan: nothing
    deliver(app, completed("no-such-plan", "drill-4", "2026-06-02T10:00:00+08:00"))
    got = ok(client.get(f"/emergency-plans/{fire['id']}", headers=JD))
    assert (got["last_drilled_on"], got["last_drill_id"]) == ("2026-06-01", "drill-2")
    assert got["next_drill_due"] == "2026-11-28"
    drills = ok(client.get(f"/emergency-plans/{fire['id']}/drills", headers=JD))
    assert [d["drill_id"] for d in drills] == ["drill-2", "drill-1"]


def test_the_sweep_opens_one_hazard_per_lapse_and_none_on_a_second_run(client, app):
    fire = plan(client)  # drill due 2026-07-09, review due 2027-01-10
    plan(client, scenario="flood", title="防汛应急预案", status="withdrawn", expect=422)
    flood = plan(
        client,
        scenario="flood",
        title="防汛应急预案",
        approved_on="2026-06-01",
        review_due="2028-01-01",
    )
    assert sweep(app, "2026-07-09T15:00:00+00:00") == 0  # 9 Jul 23:00 campus time: in time
    assert sweep(app, "2026-07-09T16:00:00+00:00") == 1  # 10 Jul: the fire plan lapsed
    assert sweep(app, "2026-07-09T16:00:00+00:00") == 0
    assert sweep(app, "2027-01-11T02:00:00+00:00") == 2  # the flood drill and the fire review
    assert sweep(app, "2027-01-11T02:00:00+00:00") == 0
    hazards = ok(client.get("/hazards?category=education", headers=SO))
    refs = sorted(h["source_ref"] for h in hazards)
    assert refs == sorted(
        [
            f"{fire['id']}:drill:2026-07-09",
            f"{fire['id']}:review:2027-01-10",
            f"{flood['id']}:drill:2026-11-28",
        ]
    )
    assert {(h["source"], h["unit_code"], h["subcategory"]) for h in hazards} == {
        ("emergency_plan", "JD", "drills")
    }


def test_lapsed_plans_show_on_the_to_do_and_in_the_summary(client, app):
    fire = plan(client, approved_on="2025-01-10", review_due="2026-01-10", drill_period_days=30)
    plan(
        client,
        scenario="earthquake",
        title="地震应急预案",
        approved_on=None,
        review_due="2030-01-01",
    )
    plan(client, who=XX, unit_code="XX", approved_on="2025-01-10", drill_period_days=30)
    todo = ok(client.get("/todo", headers=JD))
    mine = [i for i in todo["items"] if i["kind"] == "emergency_plan"]
    assert {i["target"]["plan_id"] for i in mine} == {fire["id"]}
    assert {i["title"].split("》")[1] for i in mine} == {"超期未演练", "超期未修订"}
    assert all(i["title"].startswith("机电工程学院 应急预案《") for i in mine)  # names, not codes
    assert all(i["overdue"] for i in mine)
    assert not [
        i for i in ok(client.get("/todo", headers=STAFF))["items"] if i["kind"] == "emergency_plan"
    ]
    assert ok(client.get("/emergency-plans/summary", headers=JD)) == {
        "plans": 2,
        "undrilled": 1,
        "review_overdue": 1,
        "lapsed": 1,
    }
    assert ok(client.get("/emergency-plans/summary", headers=SO))["lapsed"] == 2
    assert ok(client.get("/emergency-plans/summary?unit_code=XX", headers=SO))["plans"] == 1
    overdue = ok(client.get("/emergency-plans?lapse=review", headers=JD))
    assert [p["id"] for p in overdue] == [fire["id"]]
    assert overdue[0]["lapse_labels"] == ["超期未演练", "超期未修订"]


def test_the_register_exports_as_xlsx_with_chinese_headers(client):
    plan(client)
    response = client.get("/emergency-plans/export.xlsx", headers=SO)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:4] == ("单位", "预案类别", "预案名称", "版本号")
    assert rows[2][:4] == ("JD", "火灾", "机电工程学院火灾事故应急预案", "2026版")
