"""Reporting and the incidents ledger's events (SQLite, no broker): the projection behind
GET /statistics/incidents (per unit and kind, the goal 「无重大安全事故」), and the one flag a
finding of responsibility raises, naming the person who held the place that day — however
often the finding is delivered."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from services.reporting import commands
from services.reporting.models import Flag
from shared.api import state
from shared.grid_projection import GridAssignment, GridCell
from tests.support.events import event
from tests.support.events import feed as consume_all
from tests.support.fixtures import bearer
from tests.support.handlers import handlers_of
from tests.support.reporting import seed_grid_units, seed_unit_head

HANDLERS = handlers_of("reporting")
SO = bearer("security_office", sub="office")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
XX = bearer("unit_manager", unit="XX", sub="manager-XX")


@pytest.fixture
def app(make_app):
    app = make_app("reporting")
    with app.app_context(), state().session_factory() as session:
        commands.load_seed_campaign(session)
        seed_unit_head(session, "JD", "机电工程学院", "p-head", "张院长")
        seed_grid_units(session, {"XX": "信息工程学院"})
        session.add(
            GridCell(
                cell_id="lab",
                code="JD-LAB",
                name="化工实训室",
                level=3,
                parent_id="cell-jd",
                unit_code="JD",
                area_type="lab",
                last_sequence=1,
            )
        )
        for person, name, start, end in (
            ("p-old", "王旧", date(2021, 9, 1), date(2021, 11, 20)),
            ("p-new", "李新", date(2021, 11, 21), None),
        ):
            session.add(
                GridAssignment(
                    assignment_id=f"a-{person}",
                    cell_id="lab",
                    person_id=person,
                    person_name=name,
                    role="head",
                    effective_from=start,
                    effective_to=end,
                    last_sequence=1,
                )
            )
        session.commit()
    return app


def feed(app, events) -> None:
    with app.app_context(), state().session_factory() as session:
        consume_all(session, HANDLERS, events)


def recorded(incident_id: str, sequence: int = 1, **data):
    state = {
        "incident_id": incident_id,
        "unit_code": "JD",
        "kind": "fire",
        "severity": "general",
        "near_miss": False,
        "major": False,
        "occurred_on": date(2021, 11, 15),
        "deaths": 0,
        "injuries": 0,
        **data,
    }
    return event("incident.recorded", "hazards", incident_id, state, sequence)


def found(incident_id: str, cell_id: str | None = "lab", unit_code: str = "JD"):
    data = {
        "incident_id": incident_id,
        "unit_code": unit_code,
        "cell_id": cell_id,
        "occurred_on": date(2021, 11, 15),
        "kind": "laboratory",
        "severity": "general",
    }
    at = datetime(2021, 11, 25, 2, tzinfo=UTC)
    return event("incident.responsibility_found", "hazards", incident_id, data, 3, at)


def incident_flags(app) -> list[Flag]:
    with app.app_context(), state().session_factory() as session:
        return session.scalars(select(Flag).where(Flag.rule == "incident_responsibility")).all()


def test_statistics_per_unit_and_kind_and_the_goal(app):
    client = app.test_client()
    feed(
        app,
        [
            recorded("i-1"),
            recorded("i-2", kind="traffic", injuries=2),
            recorded("i-3", near_miss=True),
            recorded("i-4", unit_code="XX", kind="theft"),
            recorded("i-5", occurred_on=date(2022, 3, 1)),  # after the campaign
        ],
    )
    stats = client.get("/statistics/incidents?period_to=2022-01-31", headers=SO).get_json()
    assert (stats["incidents"], stats["near_misses"], stats["injuries"]) == (4, 1, 2)
    assert stats["by_kind"] == {"fire": 2, "theft": 1, "traffic": 1}
    assert [(u["unit_code"], u["incidents"], u["by_kind"]) for u in stats["by_unit"]] == [
        ("JD", 3, {"fire": 2, "traffic": 1}),
        ("XX", 1, {"theft": 1}),
    ]
    assert stats["goal"] == {"label": "无重大安全事故", "major_incidents": 0, "met": True}
    # a change of grade comes as a newer incident.recorded: the goal follows; a stale one
    # (delivered late) changes nothing
    feed(app, [recorded("i-2", 2, severity="major", major=True), recorded("i-2", 1)])
    goal = client.get("/statistics/incidents", headers=SO).get_json()["goal"]
    assert goal == {"label": "无重大安全事故", "major_incidents": 1, "met": False}
    # units see their own; another's is refused
    mine = client.get("/statistics/incidents", headers=JD).get_json()
    assert [u["unit_code"] for u in mine["by_unit"]] == ["JD"]
    assert client.get("/statistics/incidents?unit_code=JD", headers=XX).status_code == 403
    bad = client.get("/statistics/incidents?period_from=soon", headers=SO)
    assert bad.status_code == 422
    assert bad.get_json()["invalid_params"][0]["name"] == "period_from"


def test_a_finding_raises_one_flag_naming_the_holder_of_that_day(app):
    finding = found("i-1")
    again = found("i-1")  # the same finding announced afresh (a replay: a new event id)
    assert again.id != finding.id
    feed(app, [finding])
    feed(app, [finding, again])  # redelivered, and replayed
    [flag] = incident_flags(app)
    assert (flag.unit_code, flag.person_name, flag.person_basis) == ("JD", "王旧", "place_holder")
    assert flag.campaign_id is not None  # 2021-11-15 falls in the seed campaign
    assert flag.evidence["incident_id"] == "i-1"
    client = app.test_client()
    view = client.get(f"/flags/{flag.id}", headers=SO).get_json()
    assert view["rule_label"] == "安全事故责任认定"


def test_another_unit_found_responsible_answers_by_its_head(app):
    feed(app, [found("i-9", cell_id=None, unit_code="JD")])
    [flag] = incident_flags(app)
    assert (flag.person_name, flag.person_basis) == ("张院长", "unit_head")
