"""A token names its person by every 学号/工号 they hold when it is issued (claim
``numbers``), and a changed number ends the person's tokens (review of issue 14, item 8):
after a manager renumbers P and gives P's old number to Q, P's old token checks in nobody,
and a person with both a student and a staff number checks in by either."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.api import state
from shared.auth import decode_token, mint_token
from shared.config import DEV_JWT_SECRET
from shared.events import Envelope
from shared.timeutil import utcnow
from tests.support.fixtures import bearer
from tests.support.handlers import handlers_of
from tests.unit.test_access_revocation import _revocations
from tests.unit.test_grid_login import PASSWORD, grid, ok

__all__ = ["grid"]  # the fixture, shared with the sign-in tests

SO = bearer("security_office", sub="office")
JD_MANAGER = bearer("unit_manager", unit="JD", sub="manager-JD")


def new_person(grid, name: str, phone: str, **numbers) -> dict:
    body = {"name": name, "phone": phone, "unit_code": "JD", "roles": ["grid_staff"], **numbers}
    created = ok(grid.post("/people", json=body, headers=SO), 201)
    put = grid.put(f"/people/{created['id']}/password", json={"password": PASSWORD}, headers=SO)
    assert put.status_code == 204
    return created


def token_of(grid, login: str) -> dict[str, str]:
    signed = ok(grid.post("/auth/login", json={"login": login, "password": PASSWORD}))
    return {"Authorization": f"Bearer {signed['access_token']}"}


@pytest.fixture
def edu(make_app):
    app = make_app("education")
    with app.app_context(), state().session_factory.begin() as session:
        for code in ("JD", "BWC"):
            unit = {"code": code, "name": code, "kind": "college"}
            handlers_of("education")["unit.changed"](
                session, Envelope("unit.changed", 1, "grid", code, 1, unit)
            )
    client = app.test_client()
    now = utcnow()
    body = {
        "kind": "lecture",
        "title": "实验室安全讲座",
        "organiser_unit": "BWC",
        "starts_at": (now - timedelta(minutes=10)).isoformat(),
        "ends_at": (now + timedelta(minutes=50)).isoformat(),
        "venue": "报告厅",
        "targets": [{"unit_code": "JD"}],
    }
    activity = ok(client.post("/activities", json=body, headers=SO), 201)
    client.activity_id = activity["id"]
    client.code = ok(client.get(f"/activities/{activity['id']}/sign-in", headers=SO))["code"]
    return client


def enrol(edu, *people: tuple[str, str]) -> None:
    body = {"people": [{"person_ref": r, "name": n, "unit_code": "JD"} for r, n in people]}
    ok(edu.post(f"/activities/{edu.activity_id}/enrolments", json=body, headers=SO))


def check_in(edu, headers):
    path = f"/activities/{edu.activity_id}/check-in"
    return edu.post(path, json={"code": edu.code}, headers=headers)


def checked_in(edu) -> set[str]:
    listed = ok(edu.get(f"/activities/{edu.activity_id}/enrolments", headers=SO))
    return {p["person_ref"] for p in listed if p["checked_in_at"]}


def test_a_changed_number_ends_the_person_s_tokens(grid):
    p = new_person(grid, "P", "13800000001", student_no="S1")
    old = token_of(grid, "S1")
    ok(grid.patch(f"/people/{p['id']}", json={"student_no": "S2"}, headers=JD_MANAGER))
    ok(grid.post("/people", json={"name": "Q", "phone": "13800000002", "unit_code": "JD",
                                  "student_no": "S1"}, headers=JD_MANAGER), 201)  # fmt: skip
    refused = grid.get("/units", headers=old)
    assert refused.status_code == 401 and "登录已失效" in refused.get_json()["detail"]
    assert [r["reason"] for r in _revocations(grid)] == ["number_changed"]
    assert grid.get("/units", headers=token_of(grid, "S2")).status_code == 200


@pytest.mark.parametrize("enrolled_by", ["S7", "T7"])
def test_a_person_with_two_numbers_checks_in_by_either(grid, edu, enrolled_by):
    new_person(grid, "研究生助教", "13800000007", student_no="S7", staff_no="T7")
    enrol(edu, (enrolled_by, "研究生助教"))
    done = ok(check_in(edu, token_of(grid, "S7")))
    assert done["person_ref"] == enrolled_by
    assert checked_in(edu) == {enrolled_by}


def test_a_token_minted_without_numbers_checks_in_by_its_subject(edu):
    token = mint_token(DEV_JWT_SECRET, "P-sub", ["grid_staff"], unit="JD")
    assert decode_token(DEV_JWT_SECRET, token).numbers == ()
    enrol(edu, ("P-sub", "P"), ("S1", "Q"))
    ok(check_in(edu, {"Authorization": f"Bearer {token}"}))
    assert checked_in(edu) == {"P-sub"}
