"""Check-in (issue 14, item 8): a signed-in person checks in only themselves, the person
taken from the token; naming someone else is refused. A kiosk — a device in the room, with
a token of its own minted by ``campus-safety kiosk-token`` — names the person, may do
nothing but check in, and is recorded as the one who checked the person in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner

from services.cli import main
from shared.api import state
from shared.events import Envelope
from shared.timeutil import utcnow
from tests.support.fixtures import bearer
from tests.support.handlers import handlers_of

SO = bearer("security_office", sub="office")
PASSWORD = "Anquan2021!"
ZHANG = {"person_ref": "2021010101", "name": "张三", "unit_code": "JD"}
LI = {"person_ref": "2021010102", "name": "李四", "unit_code": "JD"}


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


@pytest.fixture
def edu(make_app):
    app = make_app("education")
    with app.app_context(), state().session_factory.begin() as session:
        for code, name in (("JD", "机电工程学院"), ("BWC", "安全保卫处")):
            unit = {"code": code, "name": name, "kind": "college"}
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
    ok(
        client.post(
            f"/activities/{activity['id']}/enrolments", json={"people": [ZHANG, LI]}, headers=SO
        )
    )
    client.activity_id = activity["id"]
    client.code = ok(client.get(f"/activities/{activity['id']}/sign-in", headers=SO))["code"]
    return client


def check_in(edu, headers, **body):
    return edu.post(
        f"/activities/{edu.activity_id}/check-in", json={"code": edu.code, **body}, headers=headers
    )


def checked_in(edu) -> dict[str, str | None]:
    listed = ok(edu.get(f"/activities/{edu.activity_id}/enrolments", headers=SO))
    return {p["person_ref"]: p["checked_in_at"] for p in listed}


def test_a_signed_in_person_cannot_check_in_someone_else(edu):
    zhang = bearer("grid_staff", unit="JD", sub=ZHANG["person_ref"])
    refused = check_in(edu, zhang, person_ref=LI["person_ref"])
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    assert "本人" in refused.get_json()["detail"]
    assert checked_in(edu)[LI["person_ref"]] is None  # 李四 is still absent

    himself = ok(check_in(edu, zhang))
    assert (himself["person_ref"], himself["name"]) == (ZHANG["person_ref"], "张三")
    assert checked_in(edu)[ZHANG["person_ref"]] is not None


def test_a_person_signed_in_at_the_grid_checks_in_by_the_number_in_the_token(edu, make_app):
    grid = make_app("grid").test_client()
    unit = {"code": "JD", "name": "机电工程学院", "kind": "college"}
    ok(grid.post("/units", json=unit, headers=SO), 201)
    person = {
        "name": "李四",
        "phone": "13800000004",
        "unit_code": "JD",
        "student_no": LI["person_ref"],
        "roles": ["grid_staff"],
    }
    li = ok(grid.post("/people", json=person, headers=SO), 201)
    password = {"password": PASSWORD}
    assert grid.put(f"/people/{li['id']}/password", json=password, headers=SO).status_code < 300
    signed_in = ok(grid.post("/auth/login", json={"login": LI["person_ref"], "password": PASSWORD}))
    token = {"Authorization": f"Bearer {signed_in['access_token']}"}

    assert check_in(edu, token, person_ref=ZHANG["person_ref"]).status_code == 403
    done = ok(check_in(edu, token))  # no number typed: the token says who is signing in
    assert (done["person_ref"], done["name"]) == (LI["person_ref"], "李四")
    assert checked_in(edu)[ZHANG["person_ref"]] is None


def kiosk_token(device: str = "报告厅签到机") -> dict[str, str]:
    result = CliRunner().invoke(main, ["kiosk-token", "--device", device])
    assert result.exit_code == 0, result.output
    return {"Authorization": f"Bearer {result.stdout.strip()}"}


def test_a_kiosk_checks_in_whoever_is_enrolled_and_is_recorded_as_the_kiosk(edu):
    kiosk = kiosk_token()
    done = ok(check_in(edu, kiosk, person_ref=LI["person_ref"]))
    assert done["name"] == "李四"
    listed = ok(edu.get(f"/activities/{edu.activity_id}/enrolments", headers=SO))
    by = {p["person_ref"]: p["checked_in_by"] for p in listed}
    assert "报告厅签到机" in by[LI["person_ref"]] and by[ZHANG["person_ref"]] is None

    nobody = check_in(edu, kiosk)  # a kiosk is nobody: it must name the person
    assert nobody.status_code == 422
    assert nobody.get_json()["invalid_params"][0]["name"] == "person_ref"


def test_a_kiosk_token_does_nothing_but_check_in(edu, make_app):
    kiosk = kiosk_token()
    refused = {
        "education": edu.get("/activities", headers=kiosk),
        "education sign-in code": edu.get(f"/activities/{edu.activity_id}/sign-in", headers=kiosk),
        "grid": make_app("grid").test_client().get("/units", headers=kiosk),
        "hazards": make_app("hazards").test_client().get("/hazards", headers=kiosk),
        "reporting": make_app("reporting").test_client().get("/campaigns", headers=kiosk),
    }
    answers = {where: response.status_code for where, response in refused.items()}
    assert answers == dict.fromkeys(refused, 403)
    assert all("签到" in r.get_json()["detail"] for r in refused.values())
