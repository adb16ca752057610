"""extensions, acceptance deadlines, rectification plans, severity history

Issue 12's facts on each hazard: who reported it (``reporter_unit``), when it was registered
and rectified, the approved rectification plan's deadline and when it was approved, the
acceptance due date and its acceptor, the plan clock of a major hazard, and what the sweep
announced (once per cause). Extension requests record the deadline when they were asked and
whether it had passed.

Existing rows: the times come from their history (the first registration, the last
rectification, the start of remediation of a hazard that is not a quick fix); the plan
clock of a major hazard starts at its registration (at its reporting if not registered);
``major_unresolved_notified`` (announced under the old open-too-long rule) now means
announced for having no plan (the model's ``major_no_plan_notified``), so a hazard already
announced is not announced again for the same cause. A hazard awaiting acceptance at
upgrade gets its acceptance due date when next rectified; who reported the older hazards is
not known. ``hazards`` is altered in place, never copied (on SQLite a copy would drop the
table the history, attachments and leads reference).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 16:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENT = shared.db.UTCDateTime(timezone=True)


def _from_history(aggregate: str, action: str) -> str:
    return (
        f"(SELECT {aggregate}(t.at) FROM hazard_transitions t "
        f"WHERE t.hazard_id = hazards.id AND t.action = '{action}')"
    )


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("hazards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reporter_unit", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("registered_at", _MOMENT, nullable=True))
        batch_op.add_column(sa.Column("major_since", _MOMENT, nullable=True))
        batch_op.add_column(sa.Column("plan_deadline", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("plan_approved_at", _MOMENT, nullable=True))
        batch_op.add_column(sa.Column("rectified_at", _MOMENT, nullable=True))
        batch_op.add_column(sa.Column("acceptance_due", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("acceptor_unit", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("acceptance_notified_round", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("plan_overdue_notified_for", sa.Date(), nullable=True))
    with op.batch_alter_table("extension_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deadline_when_asked", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "asked_after_deadline", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )

    op.execute(
        f"UPDATE hazards SET registered_at = {_from_history('MIN', 'register')}, "
        f"rectified_at = {_from_history('MAX', 'rectify')}"
    )
    op.execute(
        f"UPDATE hazards SET plan_approved_at = {_from_history('MAX', 'start_remediation')}, "
        "plan_deadline = deadline "
        "WHERE quick_fix = false AND status NOT IN ('discovered', 'registered', 'reported')"
    )
    op.execute(
        "UPDATE hazards SET major_since = COALESCE(registered_at, created_at) "
        "WHERE severity = 'major'"
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("extension_requests", schema=None) as batch_op:
        batch_op.drop_column("asked_after_deadline")
        batch_op.drop_column("deadline_when_asked")
    columns = (
        "plan_overdue_notified_for",
        "acceptance_notified_round",
        "acceptor_unit",
        "acceptance_due",
        "rectified_at",
        "plan_approved_at",
        "plan_deadline",
        "major_since",
        "registered_at",
        "reporter_unit",
    )
    if op.get_bind().dialect.name == "sqlite":
        # In place (SQLite 3.35+): a batch copy would drop ``hazards``, which the history,
        # attachments and leads reference, and fail on the foreign keys once rows exist.
        for column in columns:
            op.execute(f"ALTER TABLE hazards DROP COLUMN {column}")
        return
    with op.batch_alter_table("hazards", schema=None) as batch_op:
        for column in columns:
            batch_op.drop_column(column)
