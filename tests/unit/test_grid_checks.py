"""Background checks (入职查询、资格审查, issue 16): only the security office and the
personnel department read or write them, every read is logged, no text of a check reaches
an event or the log, a head or safety officer needs a check valid on the post's first day
(409 naming the check), and checks expiring within 30 days wait on the checkers' to-do.
(SQLite, no broker: the grid's outbox rows are read from its own database.)"""

from __future__ import annotations

import io
import logging
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, func, select, text

from services.grid.checks.domain import CHECK_FIELDS
from services.grid.models import BackgroundCheck, BackgroundCheckAccessLog
from shared.api import state
from shared.events.catalog import CATALOG
from shared.events.outbox import OutboxMessage
from shared.migrations import upgrade
from tests.support.fixtures import bearer

SO = bearer("security_office", sub="office")
PERSONNEL = bearer("personnel", unit="RSC", sub="hr-1")
JD_MANAGER = bearer("unit_manager", unit="JD", sub="manager-JD")
REFUSED = {
    "leadership": bearer("leadership"),
    "unit_manager": JD_MANAGER,
    "grid_staff": bearer("grid_staff", unit="JD"),
    "lead_department": bearer("lead_department", unit="BWC"),
    "psych_centre": bearer("psych_centre", unit="XLZX"),
    "portal": bearer("portal"),
}
NOTE = "外聘教师王某入职查询：公安系统无违法记录"
TODAY = date.today()


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


@pytest.fixture
def grid(make_app):
    app = make_app("grid", checked_posts="head,safety_officer")
    client = app.test_client()
    client.app_ = app
    ok(
        client.post("/units", json={"code": "JD", "name": "机电", "kind": "college"}, headers=SO),
        201,
    )
    root = ok(
        client.post(
            "/cells", json={"code": "C", "name": "学院", "area_type": "campus"}, headers=SO
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
    place = {"code": "JD-B1", "name": "1号楼", "area_type": "teaching", "parent_id": unit_id}
    client.place = ok(client.post("/cells", json=place, headers=JD_MANAGER), 201)["id"]
    body = {"name": "王外聘", "phone": "13800000001", "unit_code": "JD", "staff_no": "W001"}
    client.person = ok(client.post("/people", json=body, headers=JD_MANAGER), 201)["id"]
    return client


def count(client, model, **where) -> int:
    with client.app_.app_context(), state().session_factory() as session:
        stmt = select(func.count()).select_from(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return session.scalar(stmt)


def check_body(person_id: str, **fields) -> dict:
    return {
        "person_id": person_id,
        "kind": "onboarding",
        "checked_on": (TODAY - timedelta(days=10)).isoformat(),
        "result": "passed",
        "valid_until": (TODAY + timedelta(days=365)).isoformat(),
        "note": NOTE,
        **fields,
    }


def record_check(grid, headers=SO, **fields) -> dict:
    return ok(grid.post("/checks", json=check_body(grid.person, **fields), headers=headers), 201)


def assign(grid, role="head", on=None, headers=SO):
    body = {"cell_id": grid.place, "person_id": grid.person, "role": role}
    if on:
        body["effective_from"] = on.isoformat()
    return grid.post("/assignments", json=body, headers=headers)


def assert_problem(response, status: int, field: str) -> dict:
    assert response.status_code == status, response.get_json()
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert field in [p["name"] for p in problem.get("invalid_params", [])], problem
    return problem


# -- who -------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", sorted(REFUSED))
def test_only_the_office_and_personnel_touch_checks(grid, who):
    check = record_check(grid)
    headers = REFUSED[who]
    for method, path, body in (
        ("POST", "/checks", check_body(grid.person)),
        ("GET", "/checks", None),
        ("GET", f"/checks/{check['id']}", None),
        ("PATCH", f"/checks/{check['id']}", {"result": "failed"}),
        ("GET", "/checks/access-log", None),
    ):
        response = grid.open(path, method=method, json=body, headers=headers)
        assert response.status_code == 403, (method, path, response.get_json())
        assert NOTE not in response.get_data(as_text=True)
    assert count(grid, BackgroundCheck) == 1


def test_the_office_and_personnel_record_read_list_and_change_and_reads_are_logged(grid):
    created = record_check(grid, headers=PERSONNEL)
    assert created["kind_label"] == "入职查询" and created["result_label"] == "通过"
    assert created["person_name"] == "王外聘" and created["unit_code"] == "JD"
    record_check(grid, kind="qualification", result="failed")
    assert ok(grid.get(f"/checks/{created['id']}", headers=SO))["note"] == NOTE
    listed = ok(grid.get(f"/checks?person_id={grid.person}", headers=PERSONNEL))
    assert len(listed) == 2
    assert [c["kind"] for c in ok(grid.get("/checks?result=failed", headers=SO))] == [
        "qualification"
    ]
    assert len(ok(grid.get("/checks?unit_code=JD&kind=onboarding", headers=SO))) == 1
    assert ok(grid.get("/checks?unit_code=XX", headers=SO)) == []
    valid = ok(grid.get(f"/checks?valid_on={TODAY.isoformat()}", headers=SO))
    assert [c["id"] for c in valid] == [created["id"]]
    changed = ok(grid.patch(f"/checks/{created['id']}", json={"note": None}, headers=PERSONNEL))
    assert changed["note"] is None and changed["version"] == 2
    assert count(grid, BackgroundCheckAccessLog, action="read") == 1
    assert count(grid, BackgroundCheckAccessLog, action="list") == 2 + 1 + 1 + 1
    assert count(grid, BackgroundCheckAccessLog, action="create") == 2
    assert count(grid, BackgroundCheckAccessLog, action="update") == 1
    log = ok(grid.get(f"/checks/access-log?person_id={grid.person}", headers=SO))
    assert {e["actor"] for e in log} == {"office", "hr-1"}
    assert NOTE not in str(log)


def test_bad_input_is_a_4xx_naming_the_field(grid):
    for field, value in (
        ("kind", "x"),
        ("result", "ok"),
        ("checked_on", "2021-13-01"),
        ("person_id", ""),
    ):
        body = {**check_body(grid.person), field: value}
        assert_problem(grid.post("/checks", json=body, headers=SO), 422, field)
    early = check_body(grid.person, checked_on="2026-05-01", valid_until="2026-04-30")
    assert (
        "不能早于"
        in assert_problem(grid.post("/checks", json=early, headers=SO), 422, "valid_until")[
            "detail"
        ]
    )
    missing = check_body("nobody")
    assert_problem(grid.post("/checks", json=missing, headers=SO), 404, "person_id")
    check = record_check(grid)
    late = {"valid_until": "2000-01-01"}
    assert_problem(grid.patch(f"/checks/{check['id']}", json=late, headers=SO), 422, "valid_until")
    assert grid.get("/checks/nope", headers=SO).status_code == 404


# -- the post's rule -------------------------------------------------------------------------
def test_a_head_without_a_valid_check_is_a_409_naming_the_check(grid):
    problem = assert_problem(assign(grid), 409, "person_id")
    assert problem["check"] == "background_check"
    assert "网格负责人" in problem["detail"] and "背景审查" in problem["detail"]
    assert "没有背景审查记录" in problem["detail"]
    assert_problem(assign(grid, role="safety_officer"), 409, "person_id")
    ok(assign(grid, role="responsible"), 201)  # not a checked post by default
    expired = {
        "checked_on": (TODAY - timedelta(days=400)).isoformat(),
        "valid_until": (TODAY - timedelta(days=1)).isoformat(),
    }
    record_check(grid, **expired)
    assert "过期" in assert_problem(assign(grid), 409, "person_id")["detail"]
    record_check(grid, result="failed")  # the latest check failed
    assert "不通过" in assert_problem(assign(grid), 409, "person_id")["detail"]
    check = record_check(grid)
    ok(assign(grid, headers=JD_MANAGER), 201)  # the manager needs no access to the check
    # the check must hold on the post's first day, not only today
    later = TODAY + timedelta(days=400)
    ok(
        grid.patch(
            f"/checks/{check['id']}",
            json={"valid_until": (later - timedelta(days=1)).isoformat()},
            headers=SO,
        )
    )
    assert_problem(assign(grid, role="safety_officer", on=later), 409, "person_id")


def test_the_posts_follow_the_setting(make_app):
    client = make_app("grid", checked_posts="").test_client()
    ok(
        client.post("/units", json={"code": "JD", "name": "机电", "kind": "college"}, headers=SO),
        201,
    )
    root = ok(
        client.post(
            "/cells", json={"code": "C", "name": "学院", "area_type": "campus"}, headers=SO
        ),
        201,
    )
    body = {"name": "李四", "phone": "13800000002", "unit_code": "JD"}
    person = ok(client.post("/people", json=body, headers=SO), 201)["id"]
    unit = {
        "code": "JD",
        "name": "JD",
        "area_type": "unit",
        "parent_id": root["id"],
        "unit_code": "JD",
    }
    cell = ok(client.post("/cells", json=unit, headers=SO), 201)["id"]
    place = ok(
        client.post(
            "/cells",
            json={"code": "P", "name": "P", "area_type": "lab", "parent_id": cell},
            headers=SO,
        ),
        201,
    )["id"]
    body = {"cell_id": place, "person_id": person, "role": "head"}
    ok(client.post("/assignments", json=body, headers=SO), 201)


def test_the_roster_import_refuses_a_head_without_a_check_beside_the_person(grid):
    table = "姓名,联系电话,工号,网格编码,角色\n新来的,13800000009,N001,JD-B1,网格负责人\n"
    files = {"file": (io.BytesIO(table.encode("utf-8")), "roster.csv", "text/csv")}
    response = grid.post(
        "/units/JD/roster-import",
        data=files,
        headers=JD_MANAGER,
        content_type="multipart/form-data",
    )
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["row_errors"]
    assert errors and errors[0]["column"] in ("工号", "姓名") and "背景审查" in errors[0]["reason"]


# -- never out -------------------------------------------------------------------------------
def test_no_text_of_a_check_reaches_an_event_or_the_log(grid, caplog):
    caplog.set_level(logging.DEBUG)
    check = record_check(grid)
    ok(grid.get(f"/checks/{check['id']}", headers=SO))
    ok(grid.get("/checks", headers=PERSONNEL))
    ok(grid.patch(f"/checks/{check['id']}", json={"kind": "qualification"}, headers=SO))
    ok(assign(grid), 201)
    assert_problem(
        grid.post("/checks", json=check_body(grid.person, kind="?"), headers=SO), 422, "kind"
    )
    with grid.app_.app_context(), state().session_factory() as session:
        rows = [str(m.__dict__) for m in session.scalars(select(OutboxMessage))]
    assert rows  # the assignment's event is there
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for value in (NOTE, "入职查询", "资格审查", "onboarding", "qualification", "passed", "通过"):
        assert not any(value in row for row in rows), value
        assert value not in logged, value


def test_no_check_field_appears_in_any_event_payload_of_the_catalogue():
    columns = {c.name for c in BackgroundCheck.__table__.columns}
    assert (
        columns
        - {"id", "person_id", "valid_until", "version", "created_by", "created_at", "updated_at"}
        <= CHECK_FIELDS
    )
    grid_events = ("unit.", "cell.", "assignment.", "person.", "access.")
    for (event_type, version), schema_cls in CATALOG.items():
        if not event_type.startswith(grid_events):
            continue  # other services' "kind" is theirs; only the grid knows checks
        # unit.changed's "kind" is the unit's (college, office): not a check's
        leaked = set(schema_cls._declared_fields) & (CHECK_FIELDS - {"kind"})
        assert not leaked, f"{event_type} v{version} carries check fields {leaked}"


# -- to-do -----------------------------------------------------------------------------------
def test_checks_expiring_within_30_days_wait_on_the_checkers_to_do(grid):
    record_check(grid, valid_until=(TODAY + timedelta(days=20)).isoformat())
    for headers in (SO, PERSONNEL):
        items = [
            i for i in ok(grid.get("/todo", headers=headers))["items"] if i["kind"] == "renew_check"
        ]
        assert len(items) == 1 and items[0]["target"] == {"person_id": grid.person}
        assert "王外聘（机电）" in items[0]["title"] and NOTE not in items[0]["title"]
    assert not [
        i for i in ok(grid.get("/todo", headers=JD_MANAGER))["items"] if i["kind"] == "renew_check"
    ]
    record_check(grid, valid_until=(TODAY + timedelta(days=200)).isoformat())  # renewed
    assert not [i for i in ok(grid.get("/todo", headers=SO))["items"] if i["kind"] == "renew_check"]


# -- the migration ---------------------------------------------------------------------------
UNIT_ROW = "INSERT INTO units (code, name, kind, version, updated_at) "
UNIT_ROW += "VALUES ('JD', '机电', 'college', 1, '2026-01-01')"
PERSON_ROW = "INSERT INTO people (id, name, phone, unit_code, roles, updated_at) "
PERSON_ROW += "VALUES ('p1', '王', '13800000000', 'JD', '[]', '2026-01-01')"
CHECK_ROW = "INSERT INTO background_checks (id, person_id, kind, checked_on, result, "
CHECK_ROW += "valid_until, version, created_by, created_at, updated_at) VALUES ('c1', 'p1', "
CHECK_ROW += (
    "'onboarding', '2026-01-01', 'passed', '2027-01-01', 1, 'x', '2026-01-01', '2026-01-01')"
)


def test_the_migrations_add_checks_and_letters_keeping_the_grid(tmp_path):
    url = f"sqlite:///{tmp_path / 'grid.db'}"
    upgrade("grid", url, "0007")
    with create_engine(url).begin() as conn:
        conn.execute(text(UNIT_ROW))
        conn.execute(text(PERSON_ROW))
    upgrade("grid", url)
    with create_engine(url).begin() as conn:
        assert conn.execute(text("SELECT name FROM people WHERE id = 'p1'")).scalar() == "王"
        conn.execute(text(CHECK_ROW))
        assert conn.execute(text("SELECT count(*) FROM responsibility_letters")).scalar() == 0
