"""A drill names the emergency plan it exercises (education migration 0006): set when the
drill is scheduled or later while planned, refused on other kinds (422 naming plan_id),
carried by drill.completed for the hazards register."""

from __future__ import annotations

from datetime import timedelta

from shared.timeutil import utcnow
from tests.unit.test_education_api import (  # noqa: F401 (fixtures)
    SO,
    edu,
    outbox,
)

PLAN = "6f1d2b7c-9e10-4c55-9a51-0b6c8a523f7e"


def schedule(edu, kind: str = "drill", **extra):  # noqa: F811
    now = utcnow()
    body = {
        "kind": kind,
        "title": "火灾疏散逃生演练",
        "organiser_unit": "JD",
        "targets": [{"unit_code": "JD"}],
        "starts_at": (now - timedelta(hours=2)).isoformat(),
        "ends_at": (now - timedelta(hours=1)).isoformat(),
        **extra,
    }
    return edu.post("/activities", json=body, headers=SO)


def test_a_drill_names_its_plan_and_drill_completed_carries_it(edu):  # noqa: F811
    made = schedule(edu)
    assert made.status_code == 201, made.get_json()
    drill = made.get_json()
    assert drill["plan_id"] is None
    etag = made.headers["ETag"]
    changed = edu.patch(
        f"/activities/{drill['id']}", json={"plan_id": PLAN}, headers={**SO, "If-Match": etag}
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["plan_id"] == PLAN
    result = edu.post(
        f"/activities/{drill['id']}/drill-result", json={"participants": 30}, headers=SO
    )
    assert result.status_code == 201, result.get_json()
    [done] = [e for e in outbox(edu) if e.type == "drill.completed"]
    assert done.data["plan_id"] == PLAN


def test_only_a_drill_may_name_a_plan(edu):  # noqa: F811
    refused = schedule(edu, kind="lecture", plan_id=PLAN)
    assert refused.status_code == 422
    assert [p["name"] for p in refused.get_json()["invalid_params"]] == ["plan_id"]
    lecture = schedule(edu, kind="lecture", venue="报告厅")
    patch = edu.patch(
        f"/activities/{lecture.get_json()['id']}",
        json={"plan_id": PLAN},
        headers={**SO, "If-Match": lecture.headers["ETag"]},
    )
    assert patch.status_code == 422
    assert [p["name"] for p in patch.get_json()["invalid_params"]] == ["plan_id"]
    assert "演练" in patch.get_json()["detail"]
