"""The incidents ledger (安全事故/事件) over HTTP (SQLite, no broker): record, read, list with
filters, change by its actors only, 4xx naming the field; the report chain, the
investigation, the hazards it revealed (opened in the hazard ledger, linked both ways) and
the finding of responsibility with its event."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from services.hazards.incidents import domain
from shared.api import state
from shared.events import catalog
from shared.events.outbox import OutboxMessage
from shared.grid_projection import GridAssignment, GridCell, GridUnit
from tests.support.fixtures import bearer

SO = bearer("security_office", sub="office")
LEADER = bearer("leadership", sub="leader")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
XX = bearer("unit_manager", unit="XX", sub="manager-XX")
STAFF = bearer("grid_staff", unit="JD", sub="staff-JD")
BWC = bearer("lead_department", unit="BWC", sub="bwc")

CELLS = {
    "root": ("LZXD", "兰州现代职业学院", 1, None, None),
    "jd": ("JD", "机电工程学院", 2, "root", "JD"),
    "xx": ("XX", "信息工程学院", 2, "root", "XX"),
    "lab": ("JD-LAB", "化工实训室", 3, "jd", "JD"),
    "dorm": ("XX-D2", "2号宿舍楼", 3, "xx", "XX"),
}
FIRE = {
    "occurred_at": "2021-11-15T14:30:00+08:00",
    "cell_id": "lab",
    "kind": "laboratory",
    "severity": "general",
    "title": "化工实训室试剂起火",
    "narrative": "学生实训时酒精灯引燃试剂瓶，现场扑灭",
    "injuries": 1,
    "loss_yuan": 3200,
    "immediate_actions": "使用灭火器扑灭，送医处理烫伤",
}


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def problem_fields(response, status=422) -> list[str]:
    assert response.status_code == status, response.get_json()
    assert response.content_type == "application/problem+json"
    return [p["name"] for p in response.get_json()["invalid_params"]]


@pytest.fixture
def app(make_app):
    app = make_app("hazards")
    with app.app_context(), state().session_factory() as session, session.begin():
        for code, name in (("JD", "机电工程学院"), ("XX", "信息工程学院"), ("HQ", "后勤管理处")):
            session.add(GridUnit(code=code, name=name, kind="college", last_sequence=1))
        for cell_id, (code, name, level, parent, unit) in CELLS.items():
            session.add(
                GridCell(
                    cell_id=cell_id,
                    code=code,
                    name=name,
                    level=level,
                    parent_id=parent,
                    unit_code=unit,
                    area_type="teaching",
                    location=None,
                    ended_on=date(2021, 12, 1) if cell_id == "dorm" else None,
                    last_sequence=1,
                )
            )
        session.add(
            GridAssignment(
                assignment_id="a-1",
                cell_id="lab",
                person_id="p-lab",
                person_name="王实验",
                role="head",
                effective_from=date(2021, 1, 1),
                effective_to=None,
                last_sequence=1,
            )
        )
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def events(app, event_type: str) -> list[dict]:
    with app.app_context(), state().session_factory() as session:
        bodies = session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.event_type == event_type)
            .order_by(OutboxMessage.id)
        ).all()
    return [json.loads(body) for body in bodies]


def record(client, headers=SO, **changes) -> dict:
    return ok(client.post("/incidents", json={**FIRE, **changes}, headers=headers), 201)


def test_the_catalogue_knows_the_domain_words():
    assert tuple(k.value for k in domain.IncidentKind) == catalog.INCIDENT_KINDS
    assert tuple(s.value for s in domain.IncidentSeverity) == catalog.INCIDENT_SEVERITIES


def test_record_and_read_an_incident_with_its_counts_event(app, client):
    incident = record(client, JD)
    assert (incident["unit_code"], incident["occurred_on"]) == ("JD", "2021-11-15")
    assert (incident["kind_label"], incident["severity_label"]) == ("实验室安全事故", "一般")
    assert incident["major"] is False and incident["hazards"] == [] and incident["reports"] == []
    assert incident["my_actions"] == ["edit", "report"]  # a unit manager records, no more
    read = client.get(f"/incidents/{incident['id']}", headers=SO)
    assert ok(read)["my_actions"] == ["edit", "report", "investigate", "open_hazard", "find"]
    assert read.headers["ETag"] == '"1"'
    [event] = events(app, "incident.recorded")
    assert event["data"] == {
        "incident_id": incident["id"],
        "unit_code": "JD",
        "kind": "laboratory",
        "severity": "general",
        "near_miss": False,
        "major": False,
        "occurred_on": "2021-11-15",
        "deaths": 0,
        "injuries": 1,
    }
    # no text of the incident leaves the ledger
    assert "酒精灯" not in json.dumps(event, ensure_ascii=False)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cell_id": "nowhere"}, "cell_id"),
        ({"cell_id": "root"}, "cell_id"),  # no unit
        ({"cell_id": "dorm", "occurred_at": "2021-12-02T10:00:00+08:00"}, "cell_id"),  # ended
        ({"occurred_at": "2999-01-01T00:00:00+08:00"}, "occurred_at"),
        ({"near_miss": True}, "near_miss"),  # a near miss with an injury
        ({"kind": "meteor"}, "kind"),
        ({"severity": "huge"}, "severity"),
        ({"deaths": -1}, "deaths"),
        ({"title": ""}, "title"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field(client, changes, field):
    response = client.post("/incidents", json={**FIRE, **changes}, headers=SO)
    assert field in problem_fields(response)


def test_an_ended_place_still_takes_an_incident_of_before_its_end(client):
    incident = record(client, SO, cell_id="dorm", occurred_at="2021-11-20T10:00:00+08:00")
    assert incident["unit_code"] == "XX"


@pytest.mark.parametrize(
    ("headers", "status"),
    [(SO, 201), (JD, 201), (XX, 403), (STAFF, 403), (BWC, 403), (LEADER, 403)],
)
def test_who_records(client, headers, status):
    assert client.post("/incidents", json=FIRE, headers=headers).status_code == status


@pytest.mark.parametrize(
    ("headers", "status"),
    [(SO, 200), (LEADER, 200), (JD, 200), (XX, 403), (STAFF, 403), (BWC, 403)],
)
def test_who_reads(client, headers, status):
    incident = record(client)
    assert client.get(f"/incidents/{incident['id']}", headers=headers).status_code == status


def test_list_filters_and_scope(client):
    lab = record(client)
    near = record(
        client,
        near_miss=True,
        injuries=0,
        kind="fire",
        occurred_at="2021-11-20T09:00:00+08:00",
    )
    theirs = record(
        client,
        cell_id="dorm",
        kind="theft",
        severity="larger",
        injuries=0,
        occurred_at="2021-11-18T09:00:00+08:00",
    )

    def ids(headers=SO, **query) -> list[str]:
        return [i["id"] for i in ok(client.get("/incidents", query_string=query, headers=headers))]

    assert ids() == [near["id"], theirs["id"], lab["id"]]  # newest first
    assert ids(unit_code="XX") == [theirs["id"]]
    assert ids(kind="fire") == [near["id"]]
    assert ids(severity="larger") == [theirs["id"]]
    assert ids(near_miss="true") == [near["id"]]
    assert ids(occurred_from="2021-11-16", occurred_to="2021-11-19") == [theirs["id"]]
    assert ids(found="false") == [near["id"], theirs["id"], lab["id"]]
    assert ids(JD) == [near["id"], lab["id"]]  # his unit's only
    assert ids(XX) == [theirs["id"]]
    assert ids(STAFF) == [] and ids(BWC) == []
    assert "kind" in problem_fields(client.get("/incidents?kind=meteor", headers=SO))


def test_changes_by_its_actors_only_and_never_after_the_finding(app, client):
    incident = record(client, JD)
    path = f"/incidents/{incident['id']}"
    assert client.patch(path, json={"severity": "larger"}, headers=XX).status_code == 403
    assert client.patch(path, json={"severity": "larger"}, headers=LEADER).status_code == 403
    changed = client.patch(path, json={"severity": "larger"}, headers={**JD, "If-Match": '"1"'})
    assert ok(changed)["severity_label"] == "较大" and changed.headers["ETag"] == '"2"'
    stale = client.patch(path, json={"title": "改"}, headers={**JD, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert [e["data"]["severity"] for e in events(app, "incident.recorded")] == [
        "general",
        "larger",
    ]
    assert "near_miss" in problem_fields(client.patch(path, json={"near_miss": True}, headers=JD))
    # the investigation and the finding are the office's
    causes = {"causes": "试剂存放不规范，实训前未检查"}
    assert client.put(f"{path}/investigation", json=causes, headers=JD).status_code == 403
    assert ok(client.put(f"{path}/investigation", json=causes, headers=SO))["causes"]
    finding = {"unit_code": "JD", "text": "实训室管理制度落实不到位", "found_on": "2021-11-25"}
    assert client.post(f"{path}/finding", json=finding, headers=JD).status_code == 403
    found = ok(client.post(f"{path}/finding", json=finding, headers=SO))
    assert (found["responsible_unit"], found["found_on"]) == ("JD", "2021-11-25")
    assert found["my_actions"] == ["report", "open_hazard"]
    assert client.post(f"{path}/finding", json=finding, headers=SO).status_code == 409
    assert client.patch(path, json={"title": "改"}, headers=SO).status_code == 409
    assert client.put(f"{path}/investigation", json=causes, headers=SO).status_code == 409


def test_the_finding_is_announced_with_the_place_of_the_unit_found(app, client):
    first, second = record(client), record(client)
    finding = {"text": "管理不到位", "found_on": "2021-11-25"}
    ok(
        client.post(
            f"/incidents/{first['id']}/finding", json={**finding, "unit_code": "JD"}, headers=SO
        )
    )
    ok(
        client.post(
            f"/incidents/{second['id']}/finding", json={**finding, "unit_code": "HQ"}, headers=SO
        )
    )
    found = [e["data"] for e in events(app, "incident.responsibility_found")]
    assert found == [
        {
            "incident_id": first["id"],
            "unit_code": "JD",
            "cell_id": "lab",  # the place is JD's: its holder that day answers
            "occurred_on": "2021-11-15",
            "kind": "laboratory",
            "severity": "general",
        },
        {
            "incident_id": second["id"],
            "unit_code": "HQ",
            "cell_id": None,  # another unit answers by its head
            "occurred_on": "2021-11-15",
            "kind": "laboratory",
            "severity": "general",
        },
    ]
    assert "管理不到位" not in json.dumps(found, ensure_ascii=False)


@pytest.mark.parametrize(
    ("finding", "field"),
    [
        ({"unit_code": "NOPE"}, "unit_code"),
        ({"found_on": "2021-11-01"}, "found_on"),  # before the incident
        ({"found_on": "2999-01-01"}, "found_on"),
        ({"text": ""}, "text"),
    ],
)
def test_a_bad_finding_names_its_field(client, finding, field):
    incident = record(client)
    body = {"unit_code": "JD", "text": "管理不到位", "found_on": "2021-11-25", **finding}
    response = client.post(f"/incidents/{incident['id']}/finding", json=body, headers=SO)
    assert field in problem_fields(response)


def test_report_chain(client):
    incident = record(client, JD)
    path = f"/incidents/{incident['id']}/reports"
    entry = {"told": "安全保卫处值班室", "told_at": "2021-11-15T14:40:00+08:00", "channel": "电话"}
    ok(client.post(path, json=entry, headers=JD), 201)
    ok(
        client.post(
            path,
            json={**entry, "told": "分管校领导", "told_at": "2021-11-15T15:00:00+08:00"},
            headers=SO,
        ),
        201,
    )
    assert client.post(path, json=entry, headers=XX).status_code == 403
    early = {**entry, "told_at": "2021-11-15T14:00:00+08:00"}
    assert "told_at" in problem_fields(client.post(path, json=early, headers=JD))
    chain = ok(client.get(f"/incidents/{incident['id']}", headers=JD))["reports"]
    assert [e["told"] for e in chain] == ["安全保卫处值班室", "分管校领导"]


def test_revealed_hazards_are_opened_in_the_ledger_and_linked_both_ways(app, client):
    incident = record(client, JD)
    path = f"/incidents/{incident['id']}/hazards"
    body = {"category": "lab_chemicals", "description": "危化品柜未上锁"}
    assert client.post(path, json=body, headers=JD).status_code == 403
    first = ok(client.post(path, json=body, headers=SO), 201)
    second = ok(
        client.post(path, json={"category": "fire", "description": "灭火器过期"}, headers=SO), 201
    )
    assert (first["source_ref"], second["source_ref"]) == (
        f"{incident['id']}:1",
        f"{incident['id']}:2",
    )
    hazard = ok(client.get(f"/hazards/{first['id']}", headers=SO))
    assert (hazard["source"], hazard["cell_id"], hazard["unit_code"]) == ("incident", "lab", "JD")
    assert hazard["responsible_person_name"] == "王实验"  # the ledger's own rules applied
    assert domain.incident_of(hazard["source"], hazard["source_ref"]) == incident["id"]
    read = ok(client.get(f"/incidents/{incident['id']}", headers=JD))
    assert [h["number"] for h in read["hazards"]] == [first["number"], second["number"]]
    listed = ok(client.get("/incidents", headers=SO))
    assert listed[0]["hazard_count"] == 2
    assert "category" in problem_fields(
        client.post(path, json={"category": "x", "description": "d"}, headers=SO)
    )
    assert "cell_id" in problem_fields(
        client.post(path, json={**body, "cell_id": "nowhere"}, headers=SO)
    )
    assert len(events(app, "hazard.created")) == 2


def test_unknown_incident_is_a_404_in_chinese(client):
    response = client.get("/incidents/nope", headers=SO)
    assert response.status_code == 404 and "不存在" in response.get_json()["detail"]
