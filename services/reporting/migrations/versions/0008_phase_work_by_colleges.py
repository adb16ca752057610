"""phase work kept by colleges, confirmed by lead departments

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 16:30:00.000000

"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The phase of the shipped campaign data that is the lead departments' own (督导检查): a
# campaign loaded before phases carried a party gets it here, as the data now says.
LEAD_DEPARTMENTS_PHASE = "supervision"


def upgrade() -> None:
    """Upgrade schema. Long because a revision declares every table of its step in
    one place, as data; split, one schema change would be read in pieces."""
    # A plain ADD COLUMN (no batch copy): other tables' rows refer to the phases, and
    # SQLite would refuse to drop the table a batch operation copies.
    op.add_column(
        "campaign_phases",
        sa.Column("party", sa.String(length=16), nullable=False, server_default="units"),
    )
    phases = sa.table(
        "campaign_phases", sa.column("code", sa.String), sa.column("party", sa.String)
    )
    op.execute(
        phases.update()
        .where(phases.c.code == LEAD_DEPARTMENTS_PHASE)
        .values(party="lead_departments")
    )

    # A completion used to be a lead department's "done" for the unit: it stays as work
    # submitted and confirmed by that person at that moment.
    with op.batch_alter_table("task_completions", schema=None) as batch_op:
        batch_op.alter_column("completed_at", new_column_name="submitted_at")
        batch_op.alter_column("completed_by", new_column_name="submitted_by")
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="confirmed")
        )
        batch_op.add_column(sa.Column("decided_at", shared.db.UTCDateTime(timezone=True)))
        batch_op.add_column(sa.Column("decided_by", sa.String(length=64)))
        batch_op.add_column(sa.Column("decided_unit", sa.String(length=32)))
        batch_op.add_column(sa.Column("return_reason", sa.Text()))
    with op.batch_alter_table("task_completions", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None)

    op.create_table(
        "task_completion_steps",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("completion_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("actor_unit", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["completion_id"],
            ["task_completions.id"],
            name=op.f("fk_task_completion_steps_completion_id_task_completions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_completion_steps")),
        sa.UniqueConstraint("completion_id", "position", name="uq_task_completion_steps_position"),
    )
    with op.batch_alter_table("task_completion_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_task_completion_steps_completion_id"), ["completion_id"], unique=False
        )

    completions = sa.table(
        "task_completions",
        sa.column("id", sa.String),
        sa.column("submitted_at", shared.db.UTCDateTime(timezone=True)),
        sa.column("submitted_by", sa.String),
        sa.column("note", sa.Text),
        sa.column("decided_at", shared.db.UTCDateTime(timezone=True)),
        sa.column("decided_by", sa.String),
    )
    steps = sa.table(
        "task_completion_steps",
        sa.column("id", sa.String),
        sa.column("completion_id", sa.String),
        sa.column("position", sa.Integer),
        sa.column("step", sa.String),
        sa.column("actor", sa.String),
        sa.column("text", sa.Text),
        sa.column("at", shared.db.UTCDateTime(timezone=True)),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            completions.c.id,
            completions.c.submitted_at,
            completions.c.submitted_by,
            completions.c.note,
        )
    ).all()
    for completion_id, at, by, note in rows:
        bind.execute(
            steps.insert(),
            [
                {
                    "id": str(uuid.uuid4()),
                    "completion_id": completion_id,
                    "position": position,
                    "step": step,
                    "actor": by,
                    "text": text,
                    "at": at,
                }
                for position, step, text in ((1, "submitted", note), (2, "confirmed", None))
            ],
        )
    op.execute(
        completions.update().values(
            decided_at=completions.c.submitted_at, decided_by=completions.c.submitted_by
        )
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("task_completion_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_completion_steps_completion_id"))
    op.drop_table("task_completion_steps")

    # Only confirmed work was "done" in the old sense; the rest is dropped with the column.
    completions = sa.table("task_completions", sa.column("status", sa.String))
    op.execute(completions.delete().where(completions.c.status != "confirmed"))
    with op.batch_alter_table("task_completions", schema=None) as batch_op:
        batch_op.drop_column("return_reason")
        batch_op.drop_column("decided_unit")
        batch_op.drop_column("decided_by")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("status")
        batch_op.alter_column("submitted_by", new_column_name="completed_by")
        batch_op.alter_column("submitted_at", new_column_name="completed_at")

    op.drop_column("campaign_phases", "party")  # SQLite ≥ 3.35 drops it in place
