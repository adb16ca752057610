"""What the console asks the hazard ledger (SQLite, no broker): the steps the caller may
take next (``my_actions``) and a place as the ledger's grid copy knows it."""

from __future__ import annotations

import pytest

from shared.api import state
from shared.grid_projection import GridCell, GridUnit
from tests.support.fixtures import bearer
from tests.support.workflow import STEPS_TO_CLOSE, headers

SO = bearer("security_office", sub="office")
JD = headers("unit_manager", "manager", "JD")
STAFF = headers("grid_staff", "staff", "JD")
LEAD = bearer("lead_department", unit="BWC", sub="lead")
XX = bearer("unit_manager", unit="XX", sub="manager-XX")


@pytest.fixture
def client(make_app):
    return make_app("hazards").test_client()


def mine(client, hazard_id, who) -> list[str]:
    response = client.get(f"/hazards/{hazard_id}", headers=who)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["my_actions"]


def test_my_actions_follow_the_loop_and_the_actor_rules(client):
    hazard = client.post(
        "/hazards",
        json={"unit_code": "JD", "category": "fire", "description": "灭火器过期"},
        headers=JD,
    ).get_json()
    assert "my_actions" not in hazard  # only a single hazard's GET computes them
    hid = hazard["id"]
    assert mine(client, hid, JD) == ["register"]
    assert mine(client, hid, STAFF) == []  # grid staff do not register
    assert mine(client, hid, SO) == ["register"]
    assert client.get(f"/hazards/{hid}", headers=XX).status_code == 403
    steps = {path: (body, role, sub) for path, body, role, sub in STEPS_TO_CLOSE}
    for path in ("register", "report", "start-remediation", "rectify"):
        body, role, sub = steps[path]
        response = client.post(
            f"/hazards/{hid}/{path}", json=body, headers=headers(role, sub, "JD")
        )
        assert response.status_code == 200, response.get_json()
    assert mine(client, hid, STAFF) == []  # the rectifier does not accept his own work
    assert mine(client, hid, JD) == []  # the unit does not accept its own work (验收)
    assert mine(client, hid, SO) == ["accept", "reject"]
    assert mine(client, hid, LEAD) == ["accept", "reject"]  # fire is led by BWC
    assert client.post(f"/hazards/{hid}/accept", json={}, headers=LEAD).status_code == 200
    assert mine(client, hid, JD) == []
    assert mine(client, hid, SO) == ["close"]


def test_a_plan_awaiting_approval_is_offered_to_its_judges(client):
    """批准整改计划: offered to the security office and the category's lead department,
    never to the unit that wrote the plan; gone once approved."""
    hazard = client.post(
        "/hazards",
        json={"unit_code": "JD", "category": "fire", "description": "防火门损坏"},
        headers=JD,
    ).get_json()
    hid = hazard["id"]
    plan = {
        "responsible_person": "张伟",
        "measures": "更换防火门",
        "contingency_plan": "专人值守",
        "quick_fix": False,
        "rectification_plan": "申请经费，寒假施工",
        "interim_measures": "设警示带",
    }
    for path, body in (("register", {"deadline": "2030-01-01"}), ("report", {})):
        assert client.post(f"/hazards/{hid}/{path}", json=body, headers=JD).status_code == 200
    started = client.post(f"/hazards/{hid}/start-remediation", json=plan, headers=JD)
    assert started.status_code == 200, started.get_json()
    assert "approve_plan" not in mine(client, hid, JD)
    assert mine(client, hid, SO)[-1] == "approve_plan"
    assert mine(client, hid, LEAD) == ["approve_plan"]
    approved = client.post(f"/hazards/{hid}/plan-approval", json={}, headers=LEAD)
    assert approved.status_code == 200, approved.get_json()
    assert "approve_plan" not in mine(client, hid, SO) + mine(client, hid, LEAD)


def test_place_from_the_ledger_s_grid_copy(client):
    with client.application.app_context(), state().session_factory() as session:
        session.add(GridUnit(code="JD", name="机电工程学院", kind="college", last_sequence=1))
        for cell_id, name, level, parent in (
            ("root", "兰州现代职业学院", 1, None),
            ("u", "机电工程学院", 2, "root"),
            ("b1", "1号教学楼", 3, "u"),
        ):
            session.add(
                GridCell(
                    cell_id=cell_id,
                    code=cell_id,
                    name=name,
                    level=level,
                    parent_id=parent,
                    unit_code=None if level == 1 else "JD",
                    area_type="teaching",
                    location="东区" if cell_id == "b1" else None,
                    last_sequence=1,
                )
            )
        session.commit()
    place = client.get("/cells/b1", headers=SO).get_json()
    assert place["path"] == ["机电工程学院", "1号教学楼"]
    assert (place["unit_code"], place["unit_name"], place["location"]) == (
        "JD",
        "机电工程学院",
        "东区",
    )
    assert client.get("/cells/nowhere", headers=SO).status_code == 404
    assert client.get("/cells/b1").status_code == 401
