"""What a college tells the province (issue 19): nothing without a province link; with one,
the board and figures after each submission, the college's table once its last unit
submitted, its major hazards — all in the strict province catalogue, with no person in them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from marshmallow import ValidationError
from sqlalchemy import select

from services.reporting import commands
from services.reporting.models import CampaignUnit, ReportingDue
from services.reporting.province.link import province_link
from services.reporting.province.models import ProvinceOutboxMessage
from shared.api import state
from shared.config import ConfigError, Settings
from shared.events.province import message_types, validate_data
from shared.grid_projection import GridUnit
from shared.principal import SECURITY_OFFICE, Principal
from tests.support.events import event, feed
from tests.support.handlers import handlers_of
from tests.support.reporting import hazard_event, seed_grid_units

OFFICE = Principal("office", "安全保卫处", frozenset({SECURITY_OFFICE}), None)
TZ = "Asia/Shanghai"
LINK = {"campus_id": "lzxd", "province_publish": "1", "province_amqp_url": "amqp://lzxd:x@h/v"}


def _app(make_app, **config):
    app = make_app("reporting", **config)
    with app.app_context(), state().session_factory() as session:
        commands.load_seed_campaign(session)
        units = session.scalars(select(CampaignUnit)).all()
        seed_grid_units(session, {u.unit_code: u.name for u in units})
        session.commit()
    return app


def _submit_all(app, at: datetime) -> tuple[list[str], ReportingDue]:
    with app.app_context(), state().session_factory() as session:
        due = session.scalars(select(ReportingDue).order_by(ReportingDue.due_on)).first()
        units = sorted(session.scalars(select(CampaignUnit.unit_code)))
        link = province_link(state().settings)
        for unit in units:
            commands.submit(session, OFFICE, due.campaign_id, due.id, unit, at, TZ, link)
        session.commit()
        return units, due


def _messages(app) -> list[dict]:
    with app.app_context(), state().session_factory() as session:
        rows = session.scalars(select(ProvinceOutboxMessage).order_by(ProvinceOutboxMessage.id))
        return [json.loads(r.body) for r in rows]


def test_a_campus_without_a_province_link_writes_nothing_for_the_province(make_app):
    app = _app(make_app)
    _submit_all(app, datetime(2021, 11, 1, tzinfo=UTC))
    assert _messages(app) == []


def test_the_college_table_goes_up_once_when_its_last_unit_submitted(make_app):
    app = _app(make_app, **LINK)
    units, due = _submit_all(app, datetime(2021, 11, 1, tzinfo=UTC))
    messages = _messages(app)
    kinds = [m["type"] for m in messages]
    assert kinds.count("province.board") == len(units)
    assert kinds.count("province.figures") == len(units)
    assert kinds.count("province.table_submitted") == 1
    [table] = [m for m in messages if m["type"] == "province.table_submitted"]
    assert table["data"]["campus_id"] == "lzxd" and table["source"] == "lzxd"
    assert table["data"]["due_on"] == due.due_on.isoformat()
    board = [m for m in messages if m["type"] == "province.board"][-1]["data"]["dues"][0]
    assert (board["units"], board["submitted"], board["missing"]) == (len(units), len(units), 0)
    for message in messages:  # every one in the catalogue, and no unit code or person
        validate_data(message["type"], message["version"], message["data"])
        assert "张伟" not in json.dumps(message, ensure_ascii=False)


def test_a_major_hazard_goes_up_without_its_responsible_person(make_app):
    app = _app(make_app, **LINK)
    handlers = handlers_of("reporting", app.extensions["campus"].settings)
    event = hazard_event("hazard.registered", 2, "h-1", severity="major", status="registered")
    with app.app_context(), state().session_factory() as session:
        feed(session, handlers, [event])
    [message] = _messages(app)
    assert message["type"] == "province.major_hazard" and message["sequence"] == 2
    assert message["data"]["stage"] == "registered"
    text = json.dumps(message, ensure_ascii=False)
    assert "张伟" not in text and "p-1" not in text


def test_province_schemas_refuse_unknown_fields_such_as_a_person():
    data = {
        "campus_id": "lzxd",
        "number": "YH-1",
        "category": "fire",
        "place": None,
        "responsible_unit": "机电工程学院",
        "found_on": "2021-11-01",
        "deadline": None,
        "closed_on": None,
        "stage": "registered",
    }
    assert validate_data("province.major_hazard", 1, data) == data
    with pytest.raises(ValidationError):
        validate_data("province.major_hazard", 1, {**data, "responsible_person_name": "张伟"})
    with pytest.raises(ValidationError):
        validate_data("province.major_hazard", 2, data)
    assert "hazard.closed" not in message_types()


def test_publishing_needs_a_campus_id_and_its_own_broker_user():
    base = Settings(service="reporting", database_url="sqlite://")
    assert province_link(base) is None
    with pytest.raises(ConfigError):
        province_link(base.with_overrides({"province_publish": "1"}))
    with pytest.raises(ConfigError):
        province_link(base.with_overrides({**LINK, "province_amqp_url": "amqp://other:x@h/v"}))


def test_an_incident_goes_up_as_the_college_counts_only(make_app):
    app = _app(make_app, **LINK)
    handlers = handlers_of("reporting", app.extensions["campus"].settings)
    recorded = {
        "incident_id": "i-1",
        "unit_code": "JD",
        "kind": "fire",
        "severity": "major",
        "near_miss": False,
        "major": True,
        "occurred_on": date(2021, 11, 12),
        "deaths": 0,
        "injuries": 2,
    }
    with app.app_context(), state().session_factory() as session:
        feed(session, handlers, [event("incident.recorded", "hazards", "i-1", recorded)])
    [message] = _messages(app)
    assert message["type"] == "province.incidents"
    data = message["data"]
    assert (data["total"], data["major"], data["injuries"]) == (1, 1, 2)
    assert "JD" not in json.dumps(data) and "i-1" not in json.dumps(data)


def test_a_wrong_province_link_stops_the_web_app_at_start(make_app):
    with pytest.raises(ConfigError, match="CAMPUS_ID"):
        make_app("reporting", province_publish="1", campus_id="Not An Id")


def test_a_unit_the_grid_does_not_know_does_not_hold_the_college_table_back(make_app):
    app = _app(make_app, **LINK)
    with app.app_context(), state().session_factory() as session:
        absent = session.get(GridUnit, sorted(session.scalars(select(GridUnit.code)))[0])
        absent_code = absent.code
        session.delete(absent)
        session.commit()
        due = session.scalars(select(ReportingDue).order_by(ReportingDue.due_on)).first()
        units = sorted(session.scalars(select(CampaignUnit.unit_code)))
        link = province_link(state().settings)
        at = datetime(2021, 11, 1, tzinfo=UTC)
        for unit in units:
            if unit != absent_code:  # the sweep would not flag it either
                commands.submit(session, OFFICE, due.campaign_id, due.id, unit, at, TZ, link)
        session.commit()
    kinds = [m["type"] for m in _messages(app)]
    assert kinds.count("province.table_submitted") == 1
    board = [m for m in _messages(app) if m["type"] == "province.board"][-1]["data"]["dues"][0]
    assert (board["units"], board["submitted"]) == (len(units) - 1, len(units) - 1)
