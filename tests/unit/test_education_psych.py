"""The psychological follow-up ledger (动态教育防范台账): only the psych centre touches
records, everyone else gets counts, every read is in the access log, and no record field
travels in an event, a log line or another endpoint."""

from __future__ import annotations

import logging

import pytest
from marshmallow import fields as ma_fields
from sqlalchemy import func, select

from services.education.models import PsychAccessLog, PsychRecord
from services.education.psych.domain import PSYCH_RECORD_FIELDS
from shared.api import state
from shared.events.catalog import CATALOG
from shared.events.outbox import OutboxMessage
from tests.support.fixtures import bearer

PSYCH = bearer("psych_centre", unit="XLZX", sub="psy-1")
OTHERS = {
    "security_office": bearer("security_office"),
    "leadership": bearer("leadership"),
    "unit_manager": bearer("unit_manager", unit="JD"),
    "grid_staff": bearer("grid_staff", unit="JD"),
    "lead_department": bearer("lead_department", unit="XGC"),
    "portal": bearer("portal"),
    "office_and_manager": bearer(["security_office", "unit_manager"], unit="XLZX"),
}
STUDENT = {
    "unit_code": "JD",
    "student_ref": "2021010199",
    "student_name": "赵六六",
    "class_name": "机电2101班",
    "risk_level": "high",
    "screening": "UPI 筛查阳性，自述长期失眠",
    "next_follow_up_on": "2021-11-20",
}


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


@pytest.fixture
def edu(make_app):
    app = make_app("education")
    client = app.test_client()
    client.app_ = app
    return client


def count(client, model, **where) -> int:
    with client.app_.app_context(), state().session_factory() as session:
        stmt = select(func.count()).select_from(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return session.scalar(stmt)


def record(client, **fields) -> dict:
    return ok(client.post("/psych/records", json={**STUDENT, **fields}, headers=PSYCH), 201)


def record_endpoints(record_id: str) -> list[tuple[str, str, dict | None]]:
    return [
        ("POST", "/psych/records", STUDENT),
        ("GET", "/psych/records", None),
        ("GET", f"/psych/records/{record_id}", None),
        ("PATCH", f"/psych/records/{record_id}", {"risk_level": "low"}),
        (
            "POST",
            f"/psych/records/{record_id}/interventions",
            {"happened_on": "2021-11-12", "measure": "个别谈心"},
        ),
    ]


@pytest.mark.parametrize("role", sorted(OTHERS))
def test_everyone_without_the_psych_role_gets_403_on_every_record_endpoint(edu, role):
    existing = record(edu)
    for method, path, body in record_endpoints(existing["id"]):
        response = edu.open(path, method=method, json=body, headers=OTHERS[role])
        assert response.status_code == 403, (role, method, path)
        assert "赵六六" not in response.get_data(as_text=True)
    assert edu.get(f"/psych/records/{existing['id']}").status_code == 401
    assert count(edu, PsychRecord) == 1  # nothing written
    assert count(edu, PsychAccessLog, action="read") == 0  # and nothing read
    # …but counts per unit are theirs to see
    assert edu.get("/psych/summary", headers=OTHERS[role]).status_code == 200


def test_the_psych_centre_reads_and_writes_and_every_read_is_logged(edu):
    created = record(edu)
    assert created["risk_level_label"] == "高风险" and created["status_label"] == "跟踪关注"
    got = ok(edu.get(f"/psych/records/{created['id']}", headers=PSYCH))
    assert got["student_name"] == "赵六六"
    ok(edu.get(f"/psych/records/{created['id']}", headers=PSYCH))
    after = ok(
        edu.post(
            f"/psych/records/{created['id']}/interventions",
            json={
                "happened_on": "2021-11-12",
                "measure": "个别谈心，联系家长",
                "next_follow_up_on": "2021-11-26",
            },
            headers=PSYCH,
        ),
        201,
    )
    assert after["next_follow_up_on"] == "2021-11-26"
    assert [i["measure"] for i in after["interventions"]] == ["个别谈心，联系家长"]
    patched = ok(
        edu.patch(f"/psych/records/{created['id']}", json={"status": "referred"}, headers=PSYCH)
    )
    assert patched["status"] == "referred"
    listed = ok(edu.get("/psych/records?unit_code=JD", headers=PSYCH))
    assert [r["id"] for r in listed] == [created["id"]]
    ok(edu.get(f"/psych/records/{'0' * 36}", headers=PSYCH), 404)

    log = ok(edu.get(f"/psych/access-log?record_id={created['id']}", headers=PSYCH))
    assert [e["action"] for e in reversed(log)] == [
        "create",
        "read",
        "read",
        "intervene",
        "update",
        "list",
    ]
    assert {e["actor"] for e in log} == {"psy-1"}
    assert all(e["at"] and e["request_id"] for e in log)
    # the log is readable by the security office (audit), never by a unit
    assert len(ok(edu.get("/psych/access-log", headers=OTHERS["security_office"]))) == 6
    ok(edu.get("/psych/access-log", headers=OTHERS["unit_manager"]), 403)
    assert "赵六六" not in edu.get("/psych/access-log", headers=PSYCH).get_data(as_text=True)


def test_everyone_else_sees_only_counts_per_unit_in_scope(edu):
    record(edu)
    record(edu, student_ref="2", student_name="钱七", risk_level="medium")
    record(edu, student_ref="3", student_name="孙八", unit_code="XX", status="closed")
    office = ok(edu.get("/psych/summary", headers=OTHERS["security_office"]))
    assert office == [
        {
            "unit_code": "JD",
            "total": 2,
            "open": 2,
            "by_risk_level": {"high": 1, "medium": 1, "low": 0},
            "by_status": {"following": 2, "referred": 0, "closed": 0},
        },
        {
            "unit_code": "XX",
            "total": 1,
            "open": 0,
            "by_risk_level": {"high": 0, "medium": 0, "low": 0},
            "by_status": {"following": 0, "referred": 0, "closed": 1},
        },
    ]
    jd = ok(edu.get("/psych/summary", headers=OTHERS["grid_staff"]))
    assert [u["unit_code"] for u in jd] == ["JD"]
    text = edu.get("/psych/summary", headers=OTHERS["security_office"]).get_data(as_text=True)
    assert not any(name in text for name in ("赵六六", "钱七", "孙八", "2021010199"))
    assert count(edu, PsychAccessLog, action="read") == 0  # counts read no record


def test_psych_records_never_reach_events_or_logs(edu, caplog):
    caplog.set_level(logging.DEBUG)
    created = record(edu)
    ok(edu.get(f"/psych/records/{created['id']}", headers=PSYCH))
    ok(edu.get("/psych/records", headers=PSYCH))
    edu.get(f"/psych/records/{created['id']}", headers=OTHERS["security_office"])
    assert count(edu, OutboxMessage) == 0
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for value in ("赵六六", "2021010199", "UPI"):
        assert value not in logged


def _field_names(schema_cls) -> set[str]:
    names = set()
    for name, field in schema_cls._declared_fields.items():
        names.add(field.data_key or name)
        inner = getattr(field, "inner", None)
        nested = getattr(field, "nested", None) or getattr(inner, "nested", None)
        if nested is not None and not isinstance(nested, str | ma_fields.Field):
            names |= _field_names(nested if isinstance(nested, type) else type(nested))
    return names


def test_no_psych_field_appears_in_any_event_payload_of_the_catalogue():
    assert {"student_ref", "risk_level", "interventions"} <= PSYCH_RECORD_FIELDS
    columns = {c.name for c in PsychRecord.__table__.columns} - {
        "id",
        "unit_code",
        "status",
        "created_by",
        "created_at",
        "updated_at",
    }
    assert columns <= PSYCH_RECORD_FIELDS  # the list keeps up with the table
    for (event_type, version), schema_cls in CATALOG.items():
        leaked = _field_names(schema_cls) & PSYCH_RECORD_FIELDS
        assert not leaked, f"{event_type} v{version} carries psych fields {leaked}"
