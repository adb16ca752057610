"""Education coverage in the reporting statistics, fed only by education events: held
activities per target unit and kind in the period; scheduled or cancelled ones do not
count, a duplicate or stale event changes nothing, units with none are listed with 0."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from shared.events.envelope import Envelope
from tests.support.events import event
from tests.unit.test_reporting_accountability import SO, app, campaign, feed  # noqa: F401

DRILL, LECTURE = "drill", "lecture"


def activity_event(
    event_type: str, sequence: int, activity_id: str, kind: str, targets: list[str], **state
) -> Envelope:
    data = {
        "activity_id": activity_id,
        "kind": kind,
        "title": "消防疏散演练" if kind == DRILL else "校园安全讲座",
        "organiser_unit": "BWC",
        "target_units": targets,
        "venue": "1号教学楼",
        "starts_at": datetime(2021, 11, 9, 1, 30, tzinfo=UTC),  # 09:30 on 11-09 campus time
        "ends_at": datetime(2021, 11, 9, 3, tzinfo=UTC),
        "status": "planned",
        "participants": None,
        **state,
    }
    return event(event_type, "education", activity_id, data, sequence)


def coverage(client, campaign_id: str, **query) -> dict[str, dict]:
    params = "&".join(f"{k}={v}" for k, v in {"campaign_id": campaign_id, **query}.items())
    body = client.get(f"/statistics?{params}", headers=SO).get_json()
    return {row["unit_code"]: row for row in body["education"]}


def test_held_activities_count_per_target_unit_and_kind(app):  # noqa: F811
    campaign_id, _ = campaign(app)
    client = app.test_client()
    drill, lecture, cancelled, planned = (str(uuid.uuid4()) for _ in range(4))
    held = {"status": "held", "participants": 300}
    feed(
        app,
        [
            activity_event("activity.scheduled", 1, drill, DRILL, ["JD", "XX"]),
            activity_event("activity.held", 2, drill, DRILL, ["JD", "XX"], **held),
            activity_event("activity.held", 2, drill, DRILL, ["JD", "XX"], **held),  # twice
            activity_event("activity.held", 2, lecture, LECTURE, ["JD"], **held),
            activity_event("activity.scheduled", 1, lecture, LECTURE, ["JD"]),  # stale
            activity_event("activity.held", 2, cancelled, DRILL, ["JD"], **held),
            activity_event("activity.cancelled", 3, cancelled, DRILL, ["JD"], status="cancelled"),
            activity_event("activity.scheduled", 1, planned, LECTURE, ["XX"]),
        ],
    )
    rows = coverage(client, campaign_id)
    assert rows["JD"]["activities"] == 2 and rows["JD"]["by_kind"] == {DRILL: 1, LECTURE: 1}
    assert rows["XX"]["activities"] == 1 and rows["XX"]["by_kind"] == {DRILL: 1}
    assert rows["CW"]["activities"] == 0 and rows["CW"]["by_kind"] == {}  # none: still listed
    # The period is in campus dates: 11-09 09:30 is in 11-09, not in 11-10 onwards.
    assert coverage(client, campaign_id, period_from="2021-11-10")["JD"]["activities"] == 0
    assert coverage(client, campaign_id, period_to="2021-11-09")["JD"]["activities"] == 2
