"""The hazards register announces each plan's state (emergency_plan.changed, outbox, same
transaction) when it is registered, revised, withdrawn or drilled — sequence = the plan's
version, no personal data — and says nothing when nothing changed. Migration 0024 announces
the plans already on file."""

from __future__ import annotations

from sqlalchemy import create_engine, select, text

from shared.api import state
from shared.events import Envelope
from shared.events.catalog import validate_data
from shared.events.outbox import OutboxMessage
from shared.migrations import upgrade
from tests.unit.test_emergency_plans import (  # noqa: F401 (fixtures)
    JD,
    app,
    client,
    completed,
    deliver,
    ok,
    plan,
)


def announced(app) -> list[Envelope]:  # noqa: F811
    with app.app_context(), state().session_factory() as session:
        rows = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.event_type == "emergency_plan.changed")
            .order_by(OutboxMessage.id)
        ).all()
        return [Envelope.from_json(row.body) for row in rows]


def test_each_change_of_a_plan_is_announced_with_its_state(client, app):  # noqa: F811
    fire = plan(client)
    [first] = announced(app)
    assert (first.subject, first.sequence) == (fire["id"], 1)
    assert first.data == {
        "plan_id": fire["id"],
        "unit_code": "JD",
        "scenario": "fire",
        "title": "机电工程学院火灾事故应急预案",
        "edition": "2026版",
        "status": "in_force",
        "approved_on": "2026-01-10",
        "review_due": "2027-01-10",
        "last_drilled_on": None,
        "drill_due": "2026-07-09",
    }
    assert "approved_by" not in first.data  # a person's name stays in the register

    deliver(app, completed(fire["id"], "drill-1", "2026-03-01T10:00:00+08:00"))
    deliver(app, completed(fire["id"], "drill-1", "2026-03-01T10:00:00+08:00"))  # again
    drilled = announced(app)[-1]
    assert (drilled.sequence, drilled.data["last_drilled_on"]) == (2, "2026-03-01")
    assert drilled.data["drill_due"] == "2026-08-28"

    same = ok(client.patch(f"/emergency-plans/{fire['id']}", json={}, headers=JD))
    assert same["version"] == 2 and len(announced(app)) == 2  # nothing changed, no event
    ok(client.patch(f"/emergency-plans/{fire['id']}", json={"status": "withdrawn"}, headers=JD))
    withdrawn = announced(app)[-1]
    assert (withdrawn.sequence, withdrawn.data["status"]) == (3, "withdrawn")
    assert [e.sequence for e in announced(app)] == [1, 2, 3]


PLAN_ROW = """
INSERT INTO emergency_plans (
    id, unit_code, scenario, title, edition, approved_by, approved_on, review_due,
    drill_period_days, last_drilled_on, next_drill_due, status, created_by, version,
    created_at, updated_at
) VALUES (
    'p1', 'JD', 'flood', '机电工程学院防汛应急预案', '2025版', '张院长', '2025-05-01',
    '2027-05-01', 365, '2025-06-01', '2026-06-01', 'in_force', 'u-1', 3,
    '2025-05-01 09:00:00', '2025-06-01 09:00:00'
)
"""


def test_0024_announces_the_plans_already_on_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'hazards.db'}"
    upgrade("hazards", url, "0023")
    with create_engine(url).begin() as conn:
        conn.execute(text(PLAN_ROW))
    upgrade("hazards", url)
    with create_engine(url).begin() as conn:
        rows = conn.execute(text("SELECT event_type, sequence, body FROM outbox")).all()
    [(event_type, sequence, body)] = rows
    envelope = Envelope.from_json(body)
    assert (event_type, sequence, envelope.sequence) == ("emergency_plan.changed", 3, 3)
    assert envelope.data["drill_due"] == "2026-06-01"
    assert envelope.data["status"] == "in_force" and "approved_by" not in envelope.data
    assert validate_data("emergency_plan.changed", 1, envelope.data) == envelope.data
