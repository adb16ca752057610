"""A hazard's sub-category (the points the plan names within each focus task): validated
against its category, returned with its label, filterable, exported, and carried by the
hazard.* events — which stay readable by reporting when written before the field existed."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from services.reporting.models import HazardProjection
from shared import vocabulary
from shared.api import state
from shared.db import make_engine, make_session_factory
from shared.events.catalog import HAZARD_EVENT_TYPES, validate_data
from shared.events.outbox import OutboxMessage
from tests.support.databases import migrated_sqlite
from tests.support.events import feed
from tests.support.fixtures import bearer
from tests.support.handlers import handlers_of
from tests.support.reporting import hazard_event

EVENT_HANDLERS = handlers_of("reporting")

SO = bearer("security_office", sub="office")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
NEW = {"unit_code": "JD", "category": "fire", "description": "宿舍楼疏散通道堆放杂物"}


@pytest.fixture
def app(make_app, tmp_path):
    return make_app("hazards", files_dir=str(tmp_path / "files"))


@pytest.fixture
def client(app):
    return app.test_client()


def outbox(app) -> list[dict]:
    with app.app_context(), state().session_factory() as session:
        bodies = session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id)).all()
    return [json.loads(body) for body in bodies]


def invalid_names(response) -> list[str]:
    return [p["name"] for p in response.get_json()["invalid_params"]]


# -- the vocabulary ------------------------------------------------------------------------------
def test_every_category_has_its_sub_categories_with_chinese_labels():
    assert set(vocabulary.SUBCATEGORIES) == set(vocabulary.CATEGORIES)
    for category, subs in vocabulary.SUBCATEGORIES.items():
        assert subs, category
        for code, label in subs.items():
            assert code.isascii() and code.replace("_", "").isalnum() and len(code) <= 32
            assert any("\u4e00" <= ch <= "\u9fff" for ch in label), (category, code)
    assert "dormitory" in vocabulary.SUBCATEGORIES["fire"]
    assert vocabulary.subcategory_label("fire", "dormitory") == "宿舍"
    assert vocabulary.subcategory_label("fire", None) is None
    assert vocabulary.is_subcategory_of("food", "canteen")
    assert not vocabulary.is_subcategory_of("food", "dormitory")


# -- the API -------------------------------------------------------------------------------------
def test_a_hazard_with_a_sub_category_is_labelled_filtered_exported_and_announced(client, app):
    created = client.post("/hazards", json={**NEW, "subcategory": "dormitory"}, headers=JD)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["subcategory"], body["subcategory_label"]) == ("dormitory", "宿舍")
    plain = client.post("/hazards", json=NEW, headers=JD).get_json()
    assert (plain["subcategory"], plain["subcategory_label"]) == (None, None)

    one = client.get(f"/hazards/{body['id']}", headers=JD).get_json()
    assert one["subcategory_label"] == "宿舍"
    listed = client.get("/hazards?subcategory=dormitory", headers=JD).get_json()
    assert [h["id"] for h in listed] == [body["id"]]
    assert client.get("/hazards?subcategory=library", headers=JD).get_json() == []
    assert len(client.get("/hazards?category=fire", headers=JD).get_json()) == 2
    bad_filter = client.get("/hazards?subcategory=nonsense", headers=JD)
    assert bad_filter.status_code == 422 and "subcategory" in invalid_names(bad_filter)

    export = client.get("/hazards/export.xlsx?subcategory=dormitory", headers=JD)
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True))
    header = rows[2]
    assert header[header.index("类别") + 1] == "子类别"
    (row,) = rows[3:]
    assert row[header.index("隐患编号")] == body["number"]
    assert row[header.index("子类别")] == "宿舍"

    created_events = [e for e in outbox(app) if e["type"] == "hazard.created"]
    assert [e["data"]["subcategory"] for e in created_events] == ["dormitory", None]


@pytest.mark.parametrize(
    "subcategory",
    [
        "canteen",  # fire's and food's
        "waste_disposal",  # lab_chemicals'
        "periodic_inspection",  # special_equipment's
    ],
)
def test_a_sub_category_of_another_category_is_422_naming_it(client, app, subcategory):
    category = "traffic"
    assert not vocabulary.is_subcategory_of(category, subcategory)
    response = client.post(
        "/hazards", json={**NEW, "category": category, "subcategory": subcategory}, headers=JD
    )
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert invalid_names(response) == ["subcategory"]
    assert outbox(app) == []  # nothing created, nothing announced


def test_an_unknown_sub_category_is_422_naming_it(client, app):
    for value in ("no_such_thing", "", "宿舍"):
        response = client.post("/hazards", json={**NEW, "subcategory": value}, headers=JD)
        assert response.status_code == 422, (value, response.get_json())
        assert "subcategory" in invalid_names(response)
    assert outbox(app) == []


def test_the_same_rule_holds_with_an_idempotency_key(client, app):
    headers = {**JD, "Idempotency-Key": "k-1"}
    wrong = client.post("/hazards", json={**NEW, "subcategory": "canteen_x"}, headers=headers)
    assert wrong.status_code == 422
    foreign = {**NEW, "category": "political", "subcategory": "dormitory"}
    response = client.post("/hazards", json=foreign, headers=headers)
    assert response.status_code == 422 and invalid_names(response) == ["subcategory"]
    first = client.post("/hazards", json={**NEW, "subcategory": "library"}, headers=headers)
    again = client.post("/hazards", json={**NEW, "subcategory": "library"}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]


# -- the events ----------------------------------------------------------------------------------
def test_hazard_events_without_the_field_still_validate():
    old = hazard_event("hazard.created", 1, "h-old").data
    assert "subcategory" not in old
    for event_type in HAZARD_EVENT_TYPES:
        assert validate_data(event_type, 1, old) == old
        assert validate_data(event_type, 1, {**old, "subcategory": None})
        assert validate_data(event_type, 1, {**old, "subcategory": "dormitory"})


def test_reporting_applies_old_and_new_hazard_events_alike(tmp_path):
    url = migrated_sqlite("reporting", tmp_path / "reporting.db")
    factory = make_session_factory(make_engine(url))
    old = hazard_event("hazard.created", 1, "h-old")  # written before sub-categories
    new = hazard_event("hazard.created", 1, "h-new", subcategory="dormitory")
    registered = hazard_event("hazard.registered", 2, "h-old", status="registered")
    assert "subcategory" not in old.data and new.data["subcategory"] == "dormitory"
    with factory() as session:
        feed(session, EVENT_HANDLERS, [old, new, registered])
    with factory() as session:
        rows = {r.hazard_id: r for r in session.scalars(select(HazardProjection))}
    assert (rows["h-old"].status, rows["h-old"].last_sequence) == ("registered", 2)
    assert (rows["h-new"].status, rows["h-new"].category) == ("discovered", "fire")
