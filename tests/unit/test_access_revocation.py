"""Access taken away in the grid ends the person's tokens (issue 14 item 10): at once on
the grid, and on each other service as soon as its worker applies ``access.revoked``
(here the handler is applied directly; tests/integration/test_token_revocation.py runs
the real pipeline)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from shared.api import state
from shared.events.outbox import OutboxMessage
from tests.support.events import consume, event
from tests.support.fixtures import bearer
from tests.support.handlers import handlers_of
from tests.support.waiting import wait_until
from tests.unit.test_grid_login import PASSWORD, grid, ok, person, set_password, sign_in

__all__ = ["grid"]  # the fixture, shared with the sign-in tests

SO = bearer("security_office", sub="office")


def _token(grid) -> dict[str, str]:
    return {"Authorization": f"Bearer {ok(sign_in(grid))['access_token']}"}


def _revocations(grid) -> list[dict]:
    with state_of(grid).session_factory() as session:
        bodies = session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.event_type == "access.revoked")
        )
        return [json.loads(body)["data"] for body in bodies]


def state_of(client):
    with client.application.app_context():
        return state()


@pytest.fixture
def signed_in(grid):
    staff = person(grid, roles=("grid_staff", "leadership"))
    set_password(grid, staff["id"])
    return staff, _token(grid)


def test_a_removed_role_ends_the_person_s_tokens(grid, signed_in):
    staff, token = signed_in
    assert grid.get("/units", headers=token).status_code == 200
    ok(grid.patch(f"/people/{staff['id']}", json={"roles": ["grid_staff"]}, headers=SO))
    refused = grid.get("/units", headers=token)
    assert refused.status_code == 401 and "登录已失效" in refused.get_json()["detail"]
    assert grid.get("/auth/session", headers=token).status_code == 401
    [announced] = _revocations(grid)
    assert announced["person_id"] == staff["id"] and announced["reason"] == "roles_changed"
    assert grid.get("/units", headers=_token(grid)).status_code == 200  # sign in again


def test_a_role_added_or_a_new_name_changes_nothing(grid, signed_in):
    staff, token = signed_in
    roles = ["grid_staff", "leadership", "unit_manager"]
    ok(grid.patch(f"/people/{staff['id']}", json={"roles": roles, "name": "张三"}, headers=SO))
    assert grid.get("/units", headers=token).status_code == 200
    assert _revocations(grid) == []


def test_another_unit_ends_the_person_s_tokens(grid, signed_in):
    staff, token = signed_in
    unit = {"code": "XX", "name": "信息学院", "kind": "college"}
    assert grid.post("/units", json=unit, headers=SO).status_code == 201
    ok(grid.patch(f"/people/{staff['id']}", json={"unit_code": "XX"}, headers=SO))
    assert grid.get("/units", headers=token).status_code == 401
    assert [r["reason"] for r in _revocations(grid)] == ["unit_changed"]


def test_a_changed_password_ends_the_old_sessions(grid, signed_in):
    staff, token = signed_in
    body = {"current_password": PASSWORD, "new_password": "Xinmima2026!"}
    assert grid.post("/auth/password", json=body, headers=token).status_code == 204
    assert grid.get("/units", headers=token).status_code == 401
    fresh = ok(sign_in(grid, password="Xinmima2026!"))["access_token"]
    fresh = {"Authorization": f"Bearer {fresh}"}
    assert grid.get("/units", headers=fresh).status_code == 200
    assert [r["reason"] for r in _revocations(grid)] == ["password_changed"]


def test_the_office_takes_a_sign_in_away(grid, signed_in):
    staff, token = signed_in
    manager = bearer("unit_manager", unit="JD", sub="manager-JD")
    assert grid.delete(f"/people/{staff['id']}/password", headers=manager).status_code == 403
    assert grid.get("/units", headers=token).status_code == 200
    assert grid.delete(f"/people/{staff['id']}/password", headers=SO).status_code == 204
    assert grid.get("/units", headers=token).status_code == 401
    assert sign_in(grid).status_code == 401  # no password any more
    assert ok(grid.get(f"/people/{staff['id']}", headers=SO))["can_sign_in"] is False
    assert grid.delete("/people/nobody/password", headers=SO).status_code == 404


def test_another_service_refuses_the_token_once_its_worker_applied_the_event(
    make_app, grid, signed_in
):
    staff, token = signed_in
    hazards = make_app("hazards")
    client = hazards.test_client()
    assert client.get("/labels", headers=token).status_code == 200
    ok(grid.patch(f"/people/{staff['id']}", json={"roles": ["grid_staff"]}, headers=SO))
    [announced] = _revocations(grid)
    moment = datetime.fromisoformat(announced["not_before"])
    data = {**announced, "not_before": moment, "expires_at": None}
    # Applied twice, and an older moment after it: the latest moment holds.
    older = {**data, "not_before": moment - timedelta(hours=1)}
    events = [event("access.revoked", "grid", staff["id"], d) for d in (data, older, data)]
    with hazards.app_context():
        handlers = handlers_of("hazards", state().settings)
        with state().session_factory() as session:
            consume(session, handlers, events)
    # The worker's commit is seen by the web app within its memo's second (here at once:
    # one process); the token is refused.
    wait_until(
        lambda: client.get("/labels", headers=token).status_code == 401,
        timeout=3,
        message="hazards refusing the revoked token",
    )
    assert client.get("/labels", headers=_token(grid)).status_code == 200
