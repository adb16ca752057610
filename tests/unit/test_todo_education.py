"""我的待办 in education (GET /todo, issue 15): an activity that took place waits for its
record with those who manage it — a drill for its results, another activity to be marked
held — and leaves the list once recorded; a future or cancelled one never waits."""

from __future__ import annotations

from datetime import timedelta

from shared.timeutil import utcnow
from tests.unit.test_education_api import (  # noqa: F401
    JD_MANAGER,
    JD_STAFF,
    SO,
    XX_MANAGER,
    activity,
    edu,
    ok,
    past_drill,
)


def waiting(edu, who) -> dict[str, str]:  # noqa: F811
    """activity id → the kind of record waiting for ``who``."""
    return {
        i["target"]["activity_id"]: i["kind"] for i in ok(edu.get("/todo", headers=who))["items"]
    }


def test_a_drill_that_took_place_waits_for_its_results_with_its_organisers(edu):  # noqa: F811
    drill = past_drill(edu, organiser_unit="JD", targets=[{"unit_code": "JD"}])
    assert waiting(edu, JD_MANAGER) == {drill["id"]: "record_drill"}
    assert waiting(edu, SO) == {drill["id"]: "record_drill"}
    assert waiting(edu, XX_MANAGER) == {}  # another unit's manager
    assert waiting(edu, JD_STAFF) == {}  # grid staff read it but do not record it
    item = ok(edu.get("/todo", headers=JD_MANAGER))["items"][0]
    assert item["kind_label"] == "录入演练结果" and item["title"].startswith("火灾疏散逃生演练")
    assert item["due_on"] is not None and item["overdue"] is False

    ok(
        edu.post(f"/activities/{drill['id']}/drill-result", json={"participants": 30}, headers=SO),
        201,
    )
    assert waiting(edu, JD_MANAGER) == {}  # recorded: it leaves the list


def test_a_past_lecture_waits_to_be_marked_held_and_a_future_one_does_not(edu):  # noqa: F811
    now = utcnow()
    past = activity(
        edu,
        starts_at=(now - timedelta(hours=3)).isoformat(),
        ends_at=(now - timedelta(hours=2)).isoformat(),
    )
    activity(
        edu,
        title="交通安全讲座",
        starts_at=(now + timedelta(days=2)).isoformat(),
        ends_at=(now + timedelta(days=2, hours=1)).isoformat(),
    )
    assert waiting(edu, SO) == {past["id"]: "mark_held"}
    assert waiting(edu, JD_MANAGER) == {}  # organised by BWC, aimed at JD: not JD's to record
    ok(edu.post(f"/activities/{past['id']}/held", json={"participants": 80}, headers=SO))
    assert waiting(edu, SO) == {}
