"""Staff numbers, student numbers and person ids are one namespace of sign-in names
(issue 14, item 4): none can name two people, whichever of the three each is, so nobody
can take over another person's sign-in; and a unit manager keeps to his own unit's
people when he fills his places. (SQLite, no broker; the race on PostgreSQL is in
tests/integration/test_sign_in_names_race.py.)"""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import create_engine, text

from shared.migrations import upgrade
from tests.support.fixtures import bearer

SO = bearer("security_office", sub="office")
JD_MANAGER = bearer("unit_manager", unit="JD", sub="manager-JD")
PASSWORD = "Anquan2021!"


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


@pytest.fixture
def grid(make_app):
    client = make_app("grid").test_client()
    for code, name in (("JD", "机电工程学院"), ("XX", "信息工程学院")):
        ok(
            client.post("/units", json={"code": code, "name": name, "kind": "college"}, headers=SO),
            201,
        )
    root = ok(
        client.post(
            "/cells", json={"code": "LZXD", "name": "学院", "area_type": "campus"}, headers=SO
        ),
        201,
    )
    unit = {
        "code": "JD",
        "name": "JD",
        "area_type": "unit",
        "parent_id": root["id"],
        "unit_code": "JD",
    }
    unit_id = ok(client.post("/cells", json=unit, headers=SO), 201)["id"]
    place = {"code": "JD-B1", "name": "1号教学楼", "area_type": "teaching", "parent_id": unit_id}
    client.place = ok(client.post("/cells", json=place, headers=JD_MANAGER), 201)["id"]
    return client


def person(grid, name, unit, headers=SO, **numbers) -> dict:
    body = {"name": name, "phone": "13800000003", "unit_code": unit, **numbers}
    return ok(grid.post("/people", json=body, headers=headers), 201)


def sign_in(grid, login):
    return grid.post("/auth/login", json={"login": login, "password": PASSWORD})


def signed_in_person(grid, name, unit, roles, **numbers) -> tuple[dict, dict]:
    """A person with a password and roles, and the bearer header of their own sign-in."""
    someone = person(grid, name, unit, roles=roles, **numbers)
    body = {"password": PASSWORD}
    assert grid.put(f"/people/{someone['id']}/password", json=body, headers=SO).status_code == 204
    login = numbers.get("staff_no") or numbers.get("student_no")
    token = ok(sign_in(grid, login))["access_token"]
    return someone, {"Authorization": f"Bearer {token}"}


def assert_name_taken(response, field: str) -> None:
    assert response.status_code == 409, response.get_json()
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert [p["name"] for p in problem["invalid_params"]] == [field]
    assert "登录名" in problem["detail"]


def test_a_manager_cannot_take_another_units_student_number_and_lock_the_student_out(grid):
    student, _ = signed_in_person(grid, "李同学", "XX", ["grid_staff"], student_no="2021001")
    manager, as_manager = signed_in_person(grid, "王主任", "JD", ["unit_manager"], staff_no="T900")
    response = grid.patch(
        f"/people/{manager['id']}", json={"staff_no": "2021001"}, headers=as_manager
    )
    assert_name_taken(response, "staff_no")
    assert ok(sign_in(grid, "2021001"))["person"]["id"] == student["id"]
    assert ok(sign_in(grid, "T900"))["person"]["id"] == manager["id"]


@pytest.mark.parametrize(
    ("taken_as", "given_as"), [("staff_no", "student_no"), ("student_no", "staff_no")]
)
def test_a_new_person_cannot_be_given_a_number_someone_signs_in_with(grid, taken_as, given_as):
    """(A person id is a sign-in name too; numbers are too short to ever equal one.)"""
    person(grid, "张老师", "XX", **{taken_as: "N-1"})
    body = {"name": "赵同学", "phone": "13800000004", "unit_code": "JD", given_as: "N-1"}
    assert_name_taken(grid.post("/people", json=body, headers=JD_MANAGER), given_as)
    assert ok(grid.get("/people?unit_code=JD", headers=SO)) == []


def test_a_number_given_up_is_free_for_another_person_and_no_longer_signs_in(grid):
    first, _ = signed_in_person(grid, "张老师", "JD", ["grid_staff"], staff_no="T001")
    ok(grid.patch(f"/people/{first['id']}", json={"staff_no": "T002"}, headers=JD_MANAGER))
    assert sign_in(grid, "T001").status_code == 401
    assert ok(sign_in(grid, "T002"))["person"]["id"] == first["id"]
    second = person(grid, "赵同学", "JD", headers=JD_MANAGER, student_no="T001")
    assert second["student_no"] == "T001"
    # A person may keep the same number as staff and student number (it names only them).
    ok(grid.patch(f"/people/{first['id']}", json={"student_no": "T002"}, headers=JD_MANAGER))


def test_a_manager_fills_his_places_only_with_his_own_units_people(grid):
    outsider = person(grid, "王芳", "XX", staff_no="X007")
    insider = person(grid, "李娜", "JD", staff_no="T002")
    body = {"cell_id": grid.place, "role": "head", "effective_from": "2021-09-01"}
    refused = grid.post(
        "/assignments", json={**body, "person_id": outsider["id"]}, headers=JD_MANAGER
    )
    assert refused.status_code == 403, refused.get_json()
    assert "保卫处" in refused.get_json()["detail"]
    ok(
        grid.post("/assignments", json={**body, "person_id": insider["id"]}, headers=JD_MANAGER),
        201,
    )
    later = {**body, "effective_from": "2021-10-01", "person_id": outsider["id"]}
    ok(grid.post("/assignments", json=later, headers=SO), 201)  # the security office may


def test_a_manager_cannot_change_the_numbers_of_another_units_person(grid):
    outsider = person(grid, "王芳", "XX", student_no="2021009")
    change = {"student_no": "2021010"}
    assert (
        grid.patch(f"/people/{outsider['id']}", json=change, headers=JD_MANAGER).status_code == 403
    )
    assert (
        ok(grid.patch(f"/people/{outsider['id']}", json=change, headers=SO))["student_no"]
        == "2021010"
    )


def roster(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "联系电话", "工号", "学号", "网格编码", "角色", "生效日期"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def import_roster(grid, content: bytes):
    return grid.post(
        "/units/JD/roster-import",
        data={"file": (io.BytesIO(content), "roster.csv")},
        content_type="multipart/form-data",
        headers=JD_MANAGER,
    )


def test_the_roster_import_keeps_to_one_namespace_and_to_the_unit(grid):
    person(grid, "王芳", "XX", staff_no="X007", phone="13700000007")
    person(grid, "李同学", "XX", student_no="2021001")
    rows = [
        ["刘洋", "13800000004", "2021001", "", "JD-B1", "网格安全员", "2021-09-01"],  # XX's number
        ["王芳", "13700000007", "X007", "", "JD-B1", "网格责任人", "2021-09-01"],  # XX's person
    ]
    refused = import_roster(grid, roster(rows))
    assert refused.status_code == 422, refused.get_json()
    errors = refused.get_json()["row_errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(2, "工号"), (3, "工号")]
    assert "登录名" in errors[0]["reason"] and "保卫处" in errors[1]["reason"]
    assert ok(grid.get("/people?unit_code=JD", headers=SO)) == []


# -- the migration --------------------------------------------------------------------------
PEOPLE = "INSERT INTO people (id, name, phone, unit_code, staff_no, student_no, roles, updated_at) "


def grid_database_before_the_names(tmp_path, people: list[tuple]) -> str:
    url = f"sqlite:///{tmp_path / 'grid.db'}"
    upgrade("grid", url, "0005")
    with create_engine(url).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO units (code, name, kind, version, updated_at) "
                "VALUES ('JD', 'JD', 'college', 1, '2026-01-01')"
            )
        )
        for row in people:
            conn.execute(
                text(
                    PEOPLE
                    + "VALUES (:id, 'n', '13800000000', 'JD', :staff, :student, '[]', '2026-01-01')"
                ),
                dict(zip(("id", "staff", "student"), row, strict=True)),
            )
    return url


def test_the_migration_names_every_person_by_id_and_numbers(tmp_path):
    url = grid_database_before_the_names(
        tmp_path, [("p1", "T001", None), ("p2", None, "2021001"), ("p3", "S9", "S9")]
    )
    upgrade("grid", url)
    with create_engine(url).connect() as conn:
        names = set(conn.execute(text("SELECT name, person_id FROM sign_in_names")).all())
    assert names == {
        ("p1", "p1"),
        ("T001", "p1"),
        ("p2", "p2"),
        ("2021001", "p2"),
        ("p3", "p3"),
        ("S9", "p3"),
    }


def test_the_migration_refuses_people_who_already_share_a_sign_in_name(tmp_path):
    url = grid_database_before_the_names(tmp_path, [("p1", "T001", None), ("p2", None, "T001")])
    with pytest.raises(RuntimeError, match=r"'T001' \(2 people\)") as refused:
        upgrade("grid", url)
    # The advice works before the migration: SQL, not the API that needs its table.
    assert "UPDATE people SET staff_no = NULL WHERE id = " in str(refused.value)
    assert "PATCH" not in str(refused.value)
