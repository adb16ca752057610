"""emergency plan events: announce the plans registered before emergency_plan.changed existed

The consumers (reporting's statistics, education's drills) learn plans only from
``emergency_plan.changed``; the plans already on file are announced once here, through the
outbox, in their current state (sequence = the plan's version, so a later change still
wins). Self-contained on purpose: a migration must not follow the application's code.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 04:00:00.000000

"""

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENT_TYPE = "emergency_plan.changed"
PLANS = sa.text(
    "SELECT id, unit_code, scenario, title, edition, status, approved_on, review_due, "
    "last_drilled_on, next_drill_due, version FROM emergency_plans ORDER BY created_at, id"
)
OUTBOX = sa.table(
    "outbox",
    sa.column("event_id", sa.String),
    sa.column("event_type", sa.String),
    sa.column("subject", sa.String),
    sa.column("sequence", sa.Integer),
    sa.column("body", sa.Text),
    sa.column("created_at", sa.DateTime),
    sa.column("attempts", sa.Integer),
)


def _day(value) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else value.isoformat()


def upgrade() -> None:
    """Write one emergency_plan.changed per plan on file (none on an empty register)."""
    bind = op.get_bind()
    now = datetime.now(UTC)
    rows = []
    for plan in bind.execute(PLANS).mappings():
        event_id = str(uuid.uuid4())
        body = {
            "type": EVENT_TYPE,
            "version": 1,
            "source": "hazards",
            "subject": plan["id"],
            "sequence": plan["version"],
            "data": {
                "plan_id": plan["id"],
                "unit_code": plan["unit_code"],
                "scenario": plan["scenario"],
                "title": plan["title"],
                "edition": plan["edition"],
                "status": plan["status"],
                "approved_on": _day(plan["approved_on"]),
                "review_due": _day(plan["review_due"]),
                "last_drilled_on": _day(plan["last_drilled_on"]),
                "drill_due": _day(plan["next_drill_due"]),
            },
            "actor": None,
            "correlation_id": None,
            "id": event_id,
            "occurred_at": now.isoformat(),
        }
        rows.append(
            {
                "event_id": event_id,
                "event_type": EVENT_TYPE,
                "subject": plan["id"],
                "sequence": plan["version"],
                "body": json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                "created_at": now,
                "attempts": 0,
            }
        )
    if rows:
        op.bulk_insert(OUTBOX, rows)


def downgrade() -> None:
    """The announcements stay: they are the service's event log (consumers already hold them)."""
