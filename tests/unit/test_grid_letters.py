"""Responsibility letters (安全责任书, 一岗双责, issue 16): a letter per post and year, recorded
by the holder, the unit's manager or the security office, with its signed scan (PDF, JPEG,
PNG only); the grid lists the year's posts and who has not signed, each unit its own."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from tests.support.fixtures import bearer

SO = bearer("security_office", sub="office")
JD_MANAGER = bearer("unit_manager", unit="JD", sub="manager-JD")
XX_MANAGER = bearer("unit_manager", unit="XX", sub="manager-XX")
LEADER = bearer("leadership", sub="leader")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 32
TODAY = date.today()
YEAR = TODAY.year


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def assert_problem(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.get_json()
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    if field:
        assert field in [p["name"] for p in problem.get("invalid_params", [])], problem
    return problem


@pytest.fixture
def grid(make_app, tmp_path):
    client = make_app("grid", files_dir=str(tmp_path / "files")).test_client()
    root = {"code": "C", "name": "学院", "area_type": "campus"}
    root_id = ok(client.post("/cells", json=root, headers=SO), 201)["id"]
    client.assignments, client.people = {}, {}
    for code in ("JD", "XX"):
        unit = {"code": code, "name": code, "kind": "college"}
        ok(client.post("/units", json=unit, headers=SO), 201)
        cell = {"code": code, "name": code, "area_type": "unit", "parent_id": root_id}
        cell_id = ok(client.post("/cells", json={**cell, "unit_code": code}, headers=SO), 201)["id"]
        place = {"code": f"{code}-1", "name": f"{code}1号楼", "area_type": "teaching"}
        place_id = ok(client.post("/cells", json={**place, "parent_id": cell_id}, headers=SO), 201)
        for role, phone in (("head", "13800000001"), ("safety_officer", "13800000002")):
            body = {"name": f"{code}{role}", "phone": phone, "unit_code": code}
            person = ok(client.post("/people", json=body, headers=SO), 201)["id"]
            body = {"cell_id": place_id["id"], "person_id": person, "role": role}
            body["effective_from"] = f"{YEAR}-01-01"
            assignment = ok(client.post("/assignments", json=body, headers=SO), 201)
            client.assignments[(code, role)] = assignment["id"]
            client.people[(code, role)] = person
    return client


def sign(grid, key=("JD", "head"), headers=SO, **fields):
    body = {"assignment_id": grid.assignments[key], "year": YEAR, "signed_on": TODAY.isoformat()}
    return grid.post("/letters", json={**body, **fields}, headers=headers)


def upload(grid, letter_id, content=PNG, name="scan.png", headers=SO):
    data = {"file": (io.BytesIO(content), name)}
    return grid.post(
        f"/letters/{letter_id}/scan", data=data, headers=headers, content_type="multipart/form-data"
    )


def test_the_holder_signs_and_the_unsigned_are_listed_per_unit_and_year(grid):
    holder = bearer("grid_staff", unit="JD", sub=grid.people[("JD", "head")])
    listed = ok(grid.get(f"/letters?year={YEAR}", headers=SO))
    assert len(listed) == 4 and not any(p["signed"] for p in listed)
    letter = ok(sign(grid, headers=holder), 201)
    assert letter["has_scan"] is False and letter["year"] == YEAR
    unsigned = ok(grid.get(f"/letters?year={YEAR}&signed=false&unit_code=JD", headers=JD_MANAGER))
    assert [(p["role"], p["role_label"]) for p in unsigned] == [("safety_officer", "网格安全员")]
    signed = ok(grid.get(f"/letters?year={YEAR}&signed=true", headers=SO))
    assert [p["letter"]["id"] for p in signed] == [letter["id"]]
    assert {p["unit_code"] for p in ok(grid.get(f"/letters?year={YEAR}", headers=XX_MANAGER))} == {
        "XX"
    }
    assert ok(grid.get(f"/letters?year={YEAR - 1}", headers=SO)) == []  # nobody held posts then
    assert len(ok(grid.get(f"/letters?year={YEAR}", headers=LEADER))) == 4


def test_only_the_holder_the_units_manager_or_the_office_record_a_letter(grid):
    other_staff = bearer("grid_staff", unit="JD", sub=grid.people[("JD", "safety_officer")])
    for headers in (XX_MANAGER, other_staff, LEADER, bearer("personnel", unit="RSC")):
        assert_problem(sign(grid, headers=headers), 403)
    letter = ok(sign(grid, headers=JD_MANAGER), 201)
    assert_problem(upload(grid, letter["id"], headers=XX_MANAGER), 403)
    assert_problem(grid.get(f"/letters/{letter['id']}", headers=XX_MANAGER), 403)
    assert ok(grid.get(f"/letters/{letter['id']}", headers=JD_MANAGER))["id"] == letter["id"]
    ok(sign(grid, key=("XX", "head"), headers=SO), 201)


def test_the_signed_scan_is_a_pdf_jpeg_or_png_and_read_back_by_the_unit(grid):
    letter = ok(sign(grid), 201)
    assert_problem(grid.get(f"/letters/{letter['id']}/scan", headers=SO), 404)
    assert upload(grid, letter["id"], WEBP, "scan.webp").status_code == 415
    assert upload(grid, letter["id"], b"hello", "scan.txt").status_code == 415
    stored = ok(upload(grid, letter["id"], headers=JD_MANAGER), 201)
    assert stored["has_scan"] and stored["content_type"] == "image/png"
    got = grid.get(f"/letters/{letter['id']}/scan", headers=JD_MANAGER)
    assert got.status_code == 200 and got.data == PNG
    assert grid.get(f"/letters/{letter['id']}/scan", headers=XX_MANAGER).status_code == 403


def test_bad_input_is_a_4xx_naming_the_field(grid):
    assert_problem(sign(grid, year="2026"), 422, "year")
    assert_problem(sign(grid, year=1800), 422, "year")
    assert_problem(sign(grid, signed_on="2026-02-30"), 422, "signed_on")
    future = (TODAY + timedelta(days=3)).isoformat()
    assert "晚于今天" in assert_problem(sign(grid, signed_on=future), 422, "signed_on")["detail"]
    assert "没有人任职" in assert_problem(sign(grid, year=YEAR - 1), 422, "year")["detail"]
    body = {"assignment_id": "nope", "year": YEAR, "signed_on": TODAY.isoformat()}
    assert_problem(grid.post("/letters", json=body, headers=SO), 404, "assignment_id")
    ok(sign(grid), 201)
    assert "已于" in assert_problem(sign(grid), 409)["detail"]
    assert_problem(grid.get("/letters", headers=SO), 422, "year")
    assert_problem(grid.get(f"/letters?year={YEAR}&signed=maybe", headers=SO), 422, "signed")


def test_a_signed_letter_is_announced_for_reporting_with_its_dates_only(make_app, tmp_path):
    import json

    from sqlalchemy import select

    from shared.api import state
    from shared.events.outbox import OutboxMessage

    app = make_app("grid", files_dir=str(tmp_path / "files"))
    client = app.test_client()
    client.assignments, client.people = {}, {}
    root = ok(
        client.post("/cells", json={"code": "C", "name": "C", "area_type": "campus"}, headers=SO),
        201,
    )
    ok(client.post("/units", json={"code": "JD", "name": "JD", "kind": "college"}, headers=SO), 201)
    unit = {
        "code": "JD",
        "name": "JD",
        "area_type": "unit",
        "parent_id": root["id"],
        "unit_code": "JD",
    }
    cell = ok(client.post("/cells", json=unit, headers=SO), 201)["id"]
    person = ok(
        client.post(
            "/people", json={"name": "甲", "phone": "13800000001", "unit_code": "JD"}, headers=SO
        ),
        201,
    )["id"]
    body = {"cell_id": cell, "person_id": person, "role": "head", "effective_from": f"{YEAR}-01-01"}
    client.assignments[("JD", "head")] = ok(
        client.post("/assignments", json=body, headers=SO), 201
    )["id"]
    letter = ok(sign(client), 201)
    with app.app_context(), state().session_factory() as session:
        rows = list(
            session.scalars(
                select(OutboxMessage).where(OutboxMessage.event_type == "letter.signed")
            )
        )
    assert len(rows) == 1
    assert json.loads(rows[0].body)["data"] == {
        "letter_id": letter["id"],
        "assignment_id": client.assignments[("JD", "head")],
        "year": YEAR,
        "signed_on": TODAY.isoformat(),
    }
