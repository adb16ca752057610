"""The HTTP contract every service shares, shown on the hazard ledger (SQLite, no broker).

Tokens (expired, forged, unsigned…) and production secrets are tested on all four
services in tests/security/test_tokens.py."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select, text

from services.hazards.commands import events as hazard_events
from services.hazards.models import Hazard
from shared.api import file_response, read_session, state
from shared.events.outbox import OutboxMessage
from tests.support.fixtures import bearer
from tests.support.workflow import STEPS_TO_CLOSE, headers

NEW = {"unit_code": "JD", "category": "fire", "description": "3号楼灭火器过期"}
SO = bearer("security_office")


def problem(response) -> dict:
    assert response.content_type == "application/problem+json", response.data
    body = response.get_json()
    assert body["status"] == response.status_code
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def count(app, model) -> int:
    with state_of(app).session_factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def state_of(app):
    with app.app_context():
        return state()


def test_create_writes_the_hazard_and_its_event_together(client, hazards_app):
    response = client.post("/hazards", json=NEW, headers={**SO, "X-Request-ID": "rid-42"})
    assert response.status_code == 201
    hazard = response.get_json()
    assert hazard["number"].startswith("YH-") and hazard["status"] == "discovered"
    assert response.headers["X-Request-ID"] == "rid-42"
    with state_of(hazards_app).session_factory() as session:
        row = session.scalars(select(OutboxMessage)).one()
    event = json.loads(row.body)
    assert (event["type"], event["subject"], event["sequence"]) == (
        "hazard.created",
        hazard["id"],
        1,
    )
    assert event["data"]["number"] == hazard["number"]  # numbered last, announced as such
    assert event["correlation_id"] == "rid-42"
    assert event["actor"] == "tester"
    assert row.published_at is None


def test_numbers_are_gap_free_within_a_year(client):
    numbers = [
        client.post(
            "/hazards", json={**NEW, "found_at": "2021-11-10T09:00:00+08:00"}, headers=SO
        ).get_json()["number"]
        for _ in range(3)
    ]
    assert numbers == ["YH-2021-00001", "YH-2021-00002", "YH-2021-00003"]


def test_a_failing_event_leaves_nothing_half_written(client, hazards_app, monkeypatch):
    monkeypatch.setattr(hazard_events, "hazard_state", lambda h: {"hazard_id": h.id})
    response = client.post("/hazards", json=NEW, headers=SO)
    assert response.status_code == 500
    assert problem(response)["detail"] == "服务内部出错，请稍后再试。"
    assert count(hazards_app, Hazard) == 0
    assert count(hazards_app, OutboxMessage) == 0


def test_the_loop_records_one_event_per_step(client, hazards_app):
    hazard = client.post("/hazards", json=NEW, headers=SO).get_json()
    for path, body, role, sub in STEPS_TO_CLOSE:
        response = client.post(
            f"/hazards/{hazard['id']}/{path}", json=body, headers=headers(role, sub, "JD")
        )
        assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "closed"
    again = client.post(f"/hazards/{hazard['id']}/close", headers=SO)
    assert again.status_code == 409
    assert problem(again)["current_status"] == "closed"
    assert count(hazards_app, OutboxMessage) == 1 + len(STEPS_TO_CLOSE)


def test_unit_scope_is_enforced(client):
    jd = bearer("unit_manager", unit="JD")
    xx = bearer("unit_manager", unit="XX")
    response = client.post("/hazards", json={**NEW, "unit_code": "XX"}, headers=jd)
    assert response.status_code == 403
    assert "XX" in problem(response)["detail"]
    mine = client.post("/hazards", json=NEW, headers=jd).get_json()
    client.post("/hazards", json={**NEW, "unit_code": "XX"}, headers=xx)
    refused = client.get(f"/hazards/{mine['id']}", headers=xx)
    assert refused.status_code == 403  # and it tells an outsider nothing about the hazard
    assert mine["number"] not in refused.text and "JD" not in refused.text
    listed = client.get("/hazards", headers=jd).get_json()
    assert {h["unit_code"] for h in listed} == {"JD"}
    assert len(client.get("/hazards", headers=SO).get_json()) == 2


def test_roles_are_enforced(client):
    leadership = bearer("leadership")
    assert client.post("/hazards", json=NEW, headers=leadership).status_code == 403
    hazard = client.post("/hazards", json=NEW, headers=bearer("unit_manager", unit="JD")).get_json()
    manager_close = client.post(
        f"/hazards/{hazard['id']}/close", headers=bearer("unit_manager", unit="JD")
    )
    assert manager_close.status_code == 403
    assert "安全保卫处" in problem(manager_close)["detail"]


def test_missing_and_invalid_fields_are_named(client):
    response = client.post("/hazards", json={"unit_code": "JD", "category": "meteor"}, headers=SO)
    assert response.status_code == 422
    params = {p["name"]: p for p in problem(response)["invalid_params"]}
    assert set(params) == {"category", "description"}
    assert params["description"]["reason"] == "必填，不能缺少。"
    assert params["category"]["location"] == "json"


def test_bad_json_is_a_400_problem(client):
    response = client.post(
        "/hazards", data="{not json", content_type="application/json", headers=SO
    )
    assert response.status_code == 400
    assert "JSON" in problem(response)["detail"]


def test_bad_query_parameters_are_named(client):
    response = client.get("/hazards?status=lost&page_size=100000", headers=SO)
    assert response.status_code == 422
    names = {p["name"] for p in problem(response)["invalid_params"]}
    assert "status" in names


@pytest.mark.parametrize(
    "if_match",
    [
        "²",  # a latin-1 header byte str.isdigit() takes but int() refuses
        '"³"',
        'W/"1²"',
        "9" * 5000,  # more digits than int() converts
        '"-1"',
        "abc",
        '""',
    ],
)
def test_a_malformed_if_match_is_a_400_naming_the_header(client, hazards_app, if_match):
    hazard = client.post("/hazards", json=NEW, headers=SO).get_json()
    response = client.post(
        f"/hazards/{hazard['id']}/register",
        json={"deadline": "2030-01-01"},
        headers={**SO, "If-Match": if_match},
    )
    assert response.status_code == 400
    body = problem(response)
    assert "If-Match" in body["detail"]
    assert body["invalid_params"] == [
        {"name": "If-Match", "reason": "不是本服务给出的 ETag", "location": "headers"}
    ]
    assert client.get(f"/hazards/{hazard['id']}", headers=SO).get_json()["status"] == "discovered"
    assert count(hazards_app, OutboxMessage) == 1  # only hazard.created


def test_if_match_takes_strong_weak_and_any(client):
    hazard = client.post("/hazards", json=NEW, headers=SO).get_json()
    url = f"/hazards/{hazard['id']}"
    bodies = {path: body for path, body, _, _ in STEPS_TO_CLOSE}
    for if_match, path in (('"1"', "register"), ('W/"2"', "report"), ("*", "start-remediation")):
        sent = {**SO, "If-Match": if_match}
        response = client.post(f"{url}/{path}", json=bodies[path], headers=sent)
        assert response.status_code == 200, response.get_json()
    stale = client.post(f"{url}/rectify", json={"evidence": "x"}, headers={**SO, "If-Match": "3"})
    assert stale.status_code == 412 and problem(stale)["current_version"] == 4


def test_unknown_route_and_wrong_method(client):
    assert problem(client.get("/nowhere"))["title"] == "Not Found"
    response = client.delete("/hazards", headers=SO)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    problem(response)
    assert client.get("/hazards/does-not-exist", headers=SO).status_code == 404


def test_health_metrics_and_docs_are_public(client):
    assert client.get("/healthz").get_json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 503  # the broker of the unit tests is unreachable
    assert ready.get_json()["checks"] == {"database": "ok", "broker": "unavailable"}
    client.get("/hazards", headers=SO)
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'http_requests_total{endpoint="hazards.list_hazards",method="GET",status="200"}' in (
        metrics
    )
    spec = client.get("/openapi.json").get_json()
    assert "/hazards/{hazard_id}/close" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_download_names_cannot_break_the_header():
    """Filenames come from request data; a quote or a line break must not end the header,
    and a Chinese name reaches the browser intact (RFC 6266 filename*)."""
    evil = file_response(b"x", "text/plain", 'a"b\r\nSet-Cookie: x.txt')
    assert evil.headers["Content-Disposition"].startswith('attachment; filename="a_b__Set-Cookie')
    assert "\r" not in evil.headers["Content-Disposition"]
    chinese = file_response(b"x", "application/pdf", "YH-2026-00001-整改通知单.pdf", inline=True)
    assert chinese.headers["Content-Disposition"] == (
        'inline; filename="YH-2026-00001-_____.pdf"; '
        "filename*=UTF-8''YH-2026-00001-%E6%95%B4%E6%94%B9%E9%80%9A%E7%9F%A5%E5%8D%95.pdf"
    )


def test_read_sessions_refuse_to_write(client, hazards_app):
    """A change must commit with its event (transaction()); a read session cannot hold one."""
    created = client.post("/hazards", json=NEW, headers=SO).get_json()
    with hazards_app.test_request_context():
        session = read_session()
        hazard = session.get(Hazard, created["id"])
        hazard.description = "悄悄改掉"
        with pytest.raises(RuntimeError, match="transaction"):
            session.flush()
    assert (
        client.get(f"/hazards/{created['id']}", headers=SO).get_json()["description"]
        == (NEW["description"])
    )


def test_on_sqlite_an_open_read_does_not_hold_the_write_lock(client, hazards_app):
    """A request reading (a slow export, say) must not stall the worker's writes: read
    sessions begin a deferred transaction, WAL readers never block the writer."""
    client.post("/hazards", json=NEW, headers=SO)
    with hazards_app.test_request_context():
        reading = read_session()
        assert reading.scalars(select(Hazard)).all()  # its transaction is open now
        with state().session_factory() as writer:
            writer.execute(text("PRAGMA busy_timeout = 200"))  # fail fast if locked
            writer.execute(text("UPDATE hazards SET description = '已核实'"))
            writer.commit()
    assert count(hazards_app, Hazard) == 1


def test_a_hazard_says_whether_the_caller_may_add_files(client):
    """The console shows the upload form only when the upload would be accepted."""
    created = client.post("/hazards", json=NEW, headers=SO).get_json()
    url = f"/hazards/{created['id']}"
    assert client.get(url, headers=SO).get_json()["may_attach"] is True
    jd_staff = bearer("grid_staff", unit="JD")
    assert client.get(url, headers=jd_staff).get_json()["may_attach"] is True
    assert client.get(url, headers=bearer("leadership")).get_json()["may_attach"] is False
