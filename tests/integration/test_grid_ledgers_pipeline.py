"""Issue 16's grid ledgers end to end on PostgreSQL and RabbitMQ: a head without a valid
background check is refused with a 409 naming the check, the personnel department records
one (its reads logged), the head is assigned; no text of the check reaches the grid's
outbox or another service's database; a head's signed letter travels to reporting, whose
sweep after the campaign's phase-one deadline flags exactly the head who had not signed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import inspect, text

from services.registry import create_app
from services.reporting import commands
from services.reporting.sweeps import run_letter_sweep
from shared.config import load_settings
from shared.db import make_engine, make_session_factory, unit_of_work
from tests.support.fixtures import bearer, suite_env
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

SO = bearer("security_office", sub="office")
PERSONNEL = bearer("personnel", unit="RSC", sub="hr-1")
NOTE = "外聘教师入职查询：无违法犯罪记录（公安回函第 2021-118 号）"
VALID_UNTIL = "2039-07-13"  # a date no other record carries
FLAGGED = "SELECT unit_code, person_name, person_basis FROM flags WHERE rule = 'unsigned_letter'"


def everything_in(url: str) -> str:
    """Every row of every table of a database, as text."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
            return "\n".join(
                str(row) for t in tables for row in conn.execute(text(f'SELECT * FROM "{t}"'))
            )
    finally:
        engine.dispose()


def test_checks_guard_heads_and_unsigned_letters_are_flagged_through_the_broker(
    databases, amqp_url, processes
):
    # the workers' own sweeps stay out of the way: the test runs the letter sweep itself
    env = suite_env(databases, amqp_url, CAMPUS_SWEEP_SECONDS="3600")
    for service in ("grid", "hazards", "reporting"):
        processes.worker(service, env)
    today = date.today()
    factory = make_session_factory(make_engine(databases.urls["reporting"]))
    with unit_of_work(factory) as session:
        # the plan shifted to start today: units the grid announces now answer for it
        commands.load_seed_campaign(session, demo_start=today)
    deadline = databases.scalar(
        "reporting", "SELECT deadline FROM campaign_phases ORDER BY position LIMIT 1"
    )
    config = {"amqp_url": amqp_url, "database_url": databases.urls["grid"]}
    grid = create_app("grid", {**config, "checked_posts": "head,safety_officer"}).test_client()

    def post(path, body, headers=SO):
        response = grid.post(path, json=body, headers=headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    post("/units", {"code": "JD", "name": "机电工程学院", "kind": "college"})
    root = post("/cells", {"code": "C", "name": "学院", "area_type": "campus"})
    unit = {"code": "JD", "name": "机电", "area_type": "unit", "unit_code": "JD"}
    unit_cell = post("/cells", {**unit, "parent_id": root["id"]})["id"]
    lab = {"code": "JD-LAB", "name": "化工实训室", "area_type": "lab", "parent_id": unit_cell}
    lab = post("/cells", lab)["id"]
    dean = post("/people", {"name": "张院长", "phone": "13800000001", "unit_code": "JD"})["id"]
    hired = post("/people", {"name": "外聘王", "phone": "13800000002", "unit_code": "JD"})["id"]
    heads = {"dean": (unit_cell, dean), "hired": (lab, hired)}

    def assign(key):
        cell, person = heads[key]
        body = {"cell_id": cell, "person_id": person, "role": "head"}
        return grid.post("/assignments", json={**body, "effective_from": str(today)}, headers=SO)

    refused = assign("hired")
    assert refused.status_code == 409
    assert refused.get_json()["check"] == "background_check"
    assert [p["name"] for p in refused.get_json()["invalid_params"]] == ["person_id"]
    checked_on = str(today - timedelta(days=10))
    for person in (dean, hired):
        check = {"person_id": person, "kind": "onboarding", "checked_on": checked_on}
        post("/checks", {**check, "result": "passed", "valid_until": VALID_UNTIL, "note": NOTE})
    valid = grid.get(f"/checks?unit_code=JD&valid_on={today}&kind=onboarding", headers=PERSONNEL)
    assert len(valid.get_json()) == 2
    assert grid.get("/checks?valid_on=2040-01-01", headers=SO).get_json() == []
    assert grid.get("/checks", headers=bearer("unit_manager", unit="JD")).status_code == 403
    assignments = {key: assign(key).get_json()["id"] for key in heads}
    assert databases.scalar("grid", "SELECT count(*) FROM background_check_access_log") == 4
    letter = {"assignment_id": assignments["dean"], "year": deadline.year}
    post("/letters", {**letter, "signed_on": str(today)})

    wait_until(
        lambda: (
            databases.scalar("reporting", "SELECT count(*) FROM letter_projection") == 1
            and databases.scalar("reporting", "SELECT count(*) FROM grid_assignments") == 2
        ),
        timeout=30,
        message="reporting's letters and grid projection",
    )
    after = datetime.combine(deadline + timedelta(days=2), datetime.min.time(), UTC)
    settings = load_settings("reporting")
    assert run_letter_sweep(factory, settings, after) == {"letter_flags": 1}
    assert databases.rows("reporting", FLAGGED) == [("JD", "外聘王", "place_holder")]
    assert run_letter_sweep(factory, settings, after) == {"letter_flags": 0}

    for service in ("grid", "hazards", "reporting"):
        wait_until(
            lambda service=service: (
                databases.scalar(service, "SELECT count(*) FROM outbox WHERE published_at IS NULL")
                == 0
            ),
            timeout=30,
            message=f"{service}'s outbox relayed",
        )
    grid_outbox = "\n".join(str(r) for r in databases.rows("grid", "SELECT * FROM outbox"))
    assert "letter.signed" in grid_outbox
    for value in (NOTE, "onboarding", "入职查询", VALID_UNTIL):
        assert value not in grid_outbox, value
        for service in ("hazards", "reporting", "education"):
            assert value not in everything_in(databases.urls[service]), (service, value)
