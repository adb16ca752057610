"""我的待办 in reporting (GET /todo, issue 15), on the 2021 seed campaign with a fixed
clock: a flag waits for its unit's explanation and the office's decision; a table waits
for its unit's manager from the reminder days on; phase work waits for the unit's manager,
then for a lead department of the task; each leaves the list once its step is taken."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.reporting.api import flags as flags_api
from services.reporting.work import api as work_api
from tests.support.fixtures import bearer
from tests.support.reporting import hazard_event
from tests.unit.test_reporting_accountability import SO, app, campaign, feed, flags  # noqa: F401
from tests.unit.test_reporting_work import Clock, Seed, lead, manager, own_entry


@pytest.fixture
def clock(monkeypatch):
    """Both clocks (the to-do's and the phase work's): 2021-11-12 10:00 campus time."""
    fixed = Clock(datetime(2021, 11, 12, 2, 0, tzinfo=UTC))
    monkeypatch.setattr(flags_api, "now", fixed)
    monkeypatch.setattr(work_api, "now", fixed)
    return fixed


@pytest.fixture
def client(app):  # noqa: F811
    return app.test_client()


def items(client, who, kind: str) -> list[dict]:
    answer = client.get("/todo", headers=who)
    assert answer.status_code == 200, answer.get_json()
    return [i for i in answer.get_json()["items"] if i["kind"] == kind]


def test_a_flag_waits_for_its_units_explanation_then_the_offices_decision(app, client, clock):  # noqa: F811
    feed(app, [hazard_event("hazard.major_unresolved", 3, str(uuid.uuid4()), severity="major")])
    [flag] = flags(app)
    clock.moment = flag.raised_at + timedelta(days=1)
    jd, xx = bearer("unit_manager", unit="JD"), bearer("unit_manager", unit="XX")
    [explain] = items(client, jd, "explain_flag")
    assert explain["target"] == {"flag_id": flag.id} and explain["kind_label"] == "提交情况说明"
    closes = (flag.raised_at + timedelta(days=10)).astimezone(ZoneInfo("Asia/Shanghai"))
    assert explain["due_on"] == closes.date().isoformat()
    assert items(client, xx, "explain_flag") == []  # another unit's manager
    assert items(client, SO, "explain_flag") == []  # the office decides, it does not explain
    assert [i["target"] for i in items(client, SO, "decide_flag")] == [{"flag_id": flag.id}]

    text = {"text": "设备采购周期长，已采取临时管控"}
    assert client.post(f"/flags/{flag.id}/explanation", json=text, headers=jd).status_code == 201
    assert items(client, jd, "explain_flag") == []
    decision = {"status": "confirmed", "reason": "属实"}
    assert client.post(f"/flags/{flag.id}/decision", json=decision, headers=SO).status_code == 200
    assert items(client, SO, "decide_flag") == []


def test_a_table_waits_for_its_units_manager_from_the_reminder_days(app, client, clock):  # noqa: F811
    campaign_id, dues = campaign(app)
    first = dues[0]  # due 2021-11-22; reminders 3 days ahead
    jd = bearer("unit_manager", unit="JD", sub="m-JD")
    clock.moment = datetime(2021, 11, 18, 2, tzinfo=UTC)
    assert items(client, jd, "submit_table") == []  # not yet
    clock.moment = datetime(2021, 11, 20, 2, tzinfo=UTC)
    [table] = items(client, jd, "submit_table")
    assert (table["due_on"], table["overdue"]) == ("2021-11-22", False)
    assert table["target"] == {"campaign_id": campaign_id, "due_id": first.id, "unit_code": "JD"}
    assert items(client, SO, "submit_table") == []  # the unit's manager submits
    clock.moment = datetime(2021, 11, 23, 2, tzinfo=UTC)
    [late] = items(client, jd, "submit_table")
    assert late["overdue"] is True  # still owed, late
    sent = client.post(
        f"/campaigns/{campaign_id}/dues/{first.id}/submissions",
        json={"unit_code": "JD"},
        headers=jd,
    )
    assert sent.status_code == 201, sent.get_json()
    assert items(client, jd, "submit_table") == []


def test_phase_work_waits_for_the_unit_then_for_a_lead_of_the_task(app, client, clock):  # noqa: F811
    seed = Seed(app)
    task = seed.tasks["七"]  # led by BWC; every unit answers for it

    def work_of(who, kind: str) -> list[tuple[str, str]]:
        return [(i["target"]["task_id"], i["target"]["phase_id"]) for i in items(client, who, kind)]

    owed = work_of(manager("JD"), "submit_work")
    assert (task, seed.phases[0]) in owed  # the running phase
    assert all(phase == seed.phases[0] for _, phase in owed)  # later phases have not begun
    own_entry(client, seed, "七", "JD")
    submitted = client.post(seed.work("七", 0, "JD", "submit"), json={}, headers=manager("JD"))
    assert submitted.status_code == 200, submitted.get_json()
    assert (task, seed.phases[0]) not in work_of(manager("JD"), "submit_work")
    [review] = items(client, lead("BWC"), "review_work")
    assert review["title"].startswith("机电工程学院")  # the unit's name, never its code
    assert work_of(lead("JWC"), "review_work") == []  # JWC does not lead 七
    confirmed = client.post(seed.work("七", 0, "JD", "confirm"), json={}, headers=lead("BWC"))
    assert confirmed.status_code == 200
    assert items(client, lead("BWC"), "review_work") == []
