"""我的待办 in the hazard ledger (GET /todo, issue 15): each role sees exactly the steps of
the loop waiting for it, in its scope, and a step leaves the list once it is taken."""

from __future__ import annotations

from tests.support.fixtures import bearer
from tests.support.workflow import STEPS_TO_CLOSE, headers
from tests.unit.test_hazard_workflow import (  # noqa: F401
    JD,
    NEW,
    SO,
    STAFF,
    XX,
    app,
    client,
    new_hazard,
    step,
    to_stage,
)

STAFF_XX = bearer("grid_staff", unit="XX", sub="staff-XX")


def todo(client, who) -> dict:  # noqa: F811
    answer = client.get("/todo", headers=who)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def waiting(client, who) -> dict[str, str]:  # noqa: F811
    """hazard id → the kind of step waiting for ``who``."""
    return {i["target"]["hazard_id"]: i["kind"] for i in todo(client, who)["items"]}


def test_a_hazard_waits_for_whoever_takes_its_next_step_in_its_unit(client):  # noqa: F811
    found = new_hazard(client)
    assert waiting(client, JD) == {found["id"]: "register"}
    assert found["id"] not in waiting(client, STAFF)  # grid staff do not register
    assert waiting(client, XX) == {}  # another unit's manager: nothing

    fixing = new_hazard(client, description="2号楼配电箱未上锁")
    step(client, fixing["id"], "register", {"deadline": "2021-11-22", "severity": "general"})
    step(client, fixing["id"], "report", {"comment": "已上报"})
    step(
        client,
        fixing["id"],
        "start-remediation",
        {"responsible_person": "张伟", "measures": "加锁", "contingency_plan": "专人值守"},
    )
    item = next(i for i in todo(client, STAFF)["items"] if i["target"]["hazard_id"] == fixing["id"])
    assert item["kind"] == "rectify" and item["kind_label"] == "整改完成"
    assert item["due_on"] == "2021-11-22" and item["overdue"] is True
    assert item["title"].endswith("2号楼配电箱未上锁")
    assert fixing["id"] not in waiting(client, STAFF_XX)  # grid staff of another unit

    assert (
        step(client, fixing["id"], "rectify", {"evidence": "已加锁"}, who=STAFF).status_code == 200
    )
    assert fixing["id"] not in waiting(client, STAFF)  # done: it leaves the list
    assert waiting(client, SO)[fixing["id"]] == "accept"  # now the judge's turn
    assert fixing["id"] not in waiting(client, JD)  # never the unit's own acceptance


def test_counts_cover_every_kind(client):  # noqa: F811
    for n in range(3):
        new_hazard(client, description=f"隐患{n}")
    answer = todo(client, JD)
    assert answer["total"] == 3
    assert answer["counts"] == [
        {"kind": "register", "kind_label": "登记评估", "count": 3, "overdue": 0}
    ]


def test_an_extension_request_waits_for_its_judge_not_its_unit(client):  # noqa: F811
    hazard = new_hazard(client)
    to_stage(client, hazard["id"], "start-remediation")
    asked = client.post(
        f"/hazards/{hazard['id']}/extensions",
        json={"new_deadline": "2030-12-31", "reason": "材料未到货"},
        headers=JD,
    )
    request_id = asked.get_json()["id"]
    decisions = [i for i in todo(client, SO)["items"] if i["kind"] == "decide_extension"]
    assert [i["target"] for i in decisions] == [
        {"hazard_id": hazard["id"], "extension_id": request_id}
    ]
    assert "2030-12-31" in decisions[0]["title"] and decisions[0]["due_on"] == "2030-06-30"
    assert all(i["kind"] != "decide_extension" for i in todo(client, JD)["items"])
    client.post(f"/hazards/extensions/{request_id}/decision", json={"approve": True}, headers=SO)
    assert all(i["kind"] != "decide_extension" for i in todo(client, SO)["items"])


def test_the_to_do_needs_a_sign_in(client):  # noqa: F811
    assert client.get("/todo").status_code == 401


def test_a_lead_department_judges_other_units_hazards_of_its_categories(client):  # noqa: F811
    lead = bearer("lead_department", unit="BWC", sub="bwc")  # BWC leads fire hazards
    bwc = bearer("unit_manager", unit="BWC", sub="manager-BWC")
    others = new_hazard(client)  # JD's fire hazard
    to_stage(client, others["id"], "rectify")
    own = client.post("/hazards", json={**NEW, "unit_code": "BWC"}, headers=bwc).get_json()
    for path, body, role, sub in STEPS_TO_CLOSE:
        if path == "accept":
            break
        assert step(client, own["id"], path, body, who=headers(role, sub, "BWC")).status_code == 200
    assert todo(client, SO)["total"] == 2  # both await 验收
    answer = todo(client, lead)
    assert [i["target"]["hazard_id"] for i in answer["items"]] == [others["id"]]
    assert answer["counts"] == [{"kind": "accept", "kind_label": "验收", "count": 1, "overdue": 0}]
    assert answer["total"] == 1  # its own unit's hazard is neither listed nor counted


def test_whoever_rectified_is_never_offered_the_acceptance(client):  # noqa: F811
    # The to-do reads who rectified each listed hazard in one query for the page
    # (queries.history_read_ahead): the rule still holds per hazard.
    both = bearer(["grid_staff", "security_office"], unit="JD", sub="office-and-staff")
    mine, others = new_hazard(client), new_hazard(client, description="2号楼配电箱未上锁")
    for hazard in (mine, others):
        to_stage(client, hazard["id"], "start-remediation")
    assert step(client, mine["id"], "rectify", {"evidence": "已整改"}, who=both).status_code == 200
    assert (
        step(client, others["id"], "rectify", {"evidence": "已整改"}, who=STAFF).status_code == 200
    )
    assert waiting(client, both) == {others["id"]: "accept"}
    assert waiting(client, SO) == {mine["id"]: "accept", others["id"]: "accept"}
