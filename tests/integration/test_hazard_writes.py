"""On PostgreSQL a report and a step of the loop are each one write statement
(services.hazards.commands.writes): what they write reads back the same as the ORM's
flush wrote it, co-leads, history and announcements included."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import event

from services.registry import create_app
from tests.support.fixtures import bearer
from tests.support.workflow import STEPS_TO_CLOSE, headers

pytestmark = pytest.mark.integration

OFFICE = bearer("security_office", sub="office-1")
NEW = {
    "unit_code": "JD",
    "category": "traffic",  # three co-leads by default: HQC, DZB, BWC
    "description": "校门口减速带损坏",
    "location": "东门",
    "found_at": "2021-11-10T09:00:00+08:00",
}
REGISTER = {"severity": "general", "comment": "登记", "deadline": "2021-11-30"}


@pytest.fixture
def app(databases, amqp_url):
    return create_app("hazards", {"database_url": databases.urls["hazards"], "amqp_url": amqp_url})


@pytest.fixture
def statements(app) -> list[str]:
    """The SQL statements the app sends, first word and table."""
    sent: list[str] = []

    def keep(_conn, _cursor, statement, _params, _context, _many) -> None:
        sent.append(" ".join(statement.split()[:3]))

    event.listen(app.extensions["campus"].engine, "before_cursor_execute", keep)
    return sent


def same(read: dict, answered: dict) -> bool:
    """What GET reads equals what the write answered (its fields; the same instants)."""
    instant = {"found_at": datetime.fromisoformat}
    return all(
        instant.get(name, str)(read[name]) == instant.get(name, str)(value)
        if value is not None
        else read[name] is None
        for name, value in answered.items()
    )


def announced(databases) -> list[tuple[str, int, dict]]:
    rows = databases.rows("hazards", "SELECT event_type, sequence, body FROM outbox ORDER BY id")
    return [(kind, sequence, json.loads(body)["data"]) for kind, sequence, body in rows]


def test_a_report_is_one_write_and_reads_back_as_answered(app, databases, statements):
    client = app.test_client()
    client.post("/hazards", json={**NEW, "description": "先报的一条"}, headers=OFFICE)
    statements.clear()
    created = client.post("/hazards", json=NEW, headers=OFFICE)
    assert created.status_code == 201
    writes = [s for s in statements if not s.startswith("SELECT")]
    assert len(writes) == 1 and writes[0].startswith("WITH"), statements
    hazard = created.get_json()
    assert hazard["number"] == "YH-2021-00002"
    assert hazard["lead_departments"] == ["HQC", "DZB", "BWC"]
    assert same(client.get(f"/hazards/{hazard['id']}", headers=OFFICE).get_json(), hazard)
    leads = databases.rows(
        "hazards",
        "SELECT unit_code FROM hazard_leads WHERE hazard_id = :id ORDER BY position",
        id=hazard["id"],
    )
    assert [unit for (unit,) in leads] == ["HQC", "DZB", "BWC"]
    history = client.get(f"/hazards/{hazard['id']}/history", headers=OFFICE).get_json()
    assert [(step["action"], step["to_status"]) for step in history] == [("create", "discovered")]
    kind, sequence, data = announced(databases)[-1]
    assert (kind, sequence, data["number"]) == ("hazard.created", 1, "YH-2021-00002")
    assert data["lead_departments"] == ["HQC", "DZB", "BWC"]


def test_a_step_is_one_read_and_one_write(app, databases, statements):
    client = app.test_client()
    hazard = client.post("/hazards", json=NEW, headers=OFFICE).get_json()
    statements.clear()
    moved = client.post(f"/hazards/{hazard['id']}/register", json=REGISTER, headers=OFFICE)
    assert moved.status_code == 200
    assert len(statements) == 2 and statements[1].startswith("WITH"), statements
    assert moved.headers["ETag"] == '"2"'
    again = client.get(f"/hazards/{hazard['id']}", headers=OFFICE).get_json()
    assert same(again, moved.get_json())
    assert (again["status"], again["deadline"], again["version"]) == ("registered", "2021-11-30", 2)
    history = client.get(f"/hazards/{hazard['id']}/history", headers=OFFICE).get_json()
    assert [step["to_status"] for step in history] == ["discovered", "registered"]
    kind, sequence, data = announced(databases)[-1]
    assert (kind, sequence, data["status"]) == ("hazard.registered", 2, "registered")
    assert data["number"] == hazard["number"]


def test_a_step_with_a_regrade_announces_both_in_order(app, databases):
    """A step that writes more than its own rows (here the re-grade's) takes the flush."""
    client = app.test_client()
    hazard = client.post("/hazards", json=NEW, headers=OFFICE).get_json()
    major = {**REGISTER, "severity": "major", "comment": "车流量大"}
    moved = client.post(f"/hazards/{hazard['id']}/register", json=major, headers=OFFICE)
    assert moved.status_code == 200, moved.get_json()
    assert (moved.get_json()["severity"], moved.get_json()["version"]) == ("major", 3)
    assert [(kind, sequence) for kind, sequence, _ in announced(databases)] == [
        ("hazard.created", 1),
        ("hazard.severity_changed", 2),
        ("hazard.registered", 3),
    ]


def test_a_resent_report_with_its_key_creates_nothing_more(app, databases):
    client = app.test_client()
    keyed = {**OFFICE, "Idempotency-Key": "report-1"}
    first = client.post("/hazards", json=NEW, headers=keyed)
    again = client.post("/hazards", json=NEW, headers=keyed)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    assert databases.scalar("hazards", "SELECT count(*) FROM hazards") == 1
    assert databases.scalar("hazards", "SELECT count(*) FROM outbox") == 1


def test_a_hazard_is_read_with_its_leads_and_extensions_in_one_query(app, statements):
    client = app.test_client()
    unit = bearer("unit_manager", unit="JD", sub="manager-JD")
    hazard = client.post("/hazards", json=NEW, headers=OFFICE).get_json()
    later = {**REGISTER, "deadline": "2030-11-30"}
    client.post(f"/hazards/{hazard['id']}/register", json=later, headers=OFFICE)
    asks = [("2030-12-31", "材料未到货"), ("2031-01-15", "施工队排期")]
    for new_deadline, reason in asks:
        asked = client.post(
            f"/hazards/{hazard['id']}/extensions",
            json={"new_deadline": new_deadline, "reason": reason},
            headers=unit,
        )
        assert asked.status_code == 201, asked.get_json()
        refused = client.post(
            f"/hazards/extensions/{asked.get_json()['id']}/decision",
            json={"approve": False, "comment": "不同意"},
            headers=OFFICE,
        )
        assert refused.status_code == 200, refused.get_json()
    statements.clear()
    read = client.get(f"/hazards/{hazard['id']}", headers=OFFICE).get_json()
    assert len(statements) == 1, statements
    assert read["lead_departments"] == ["HQC", "DZB", "BWC"]
    assert [(e["requested_deadline"], e["reason"]) for e in read["extensions"]] == asks


def test_the_whole_loop_reads_back_as_answered_at_every_step(app, databases):
    client = app.test_client()
    hazard = client.post("/hazards", json=NEW, headers=OFFICE).get_json()
    for path, body, role, sub in STEPS_TO_CLOSE:
        moved = client.post(
            f"/hazards/{hazard['id']}/{path}", json=body, headers=headers(role, sub, "JD")
        )
        assert moved.status_code == 200, (path, moved.get_json())
        read = client.get(f"/hazards/{hazard['id']}", headers=OFFICE).get_json()
        assert same(read, moved.get_json()), path
    sequences = [sequence for _, sequence, _ in announced(databases)]
    assert sequences == list(range(1, len(STEPS_TO_CLOSE) + 2))
    assert announced(databases)[-1][2]["status"] == read["status"]
