"""flag history, explanations, appeals, assessment weights

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 16:30:00.000000

"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Campaigns created before the assessment became campaign data keep the formula they were
# scored with: 100 − 5 × confirmed − 2 × open − 1 × explained, whatever the rule.
PREVIOUS_ASSESSMENT = {
    "base": 100,
    "deductions": {
        rule: 1
        for rule in (
            "late_submission",
            "missing_submission",
            "overdue_hazard",
            "major_unresolved",
            "phase_task_incomplete",
            "late_acceptance",
        )
    },
    "status_factors": {
        "confirmed": 5,
        "open": 2,
        "resolved_late": 2,
        "explained": 1,
        "withdrawn": 0,
        "superseded": 0,
    },
}


MOMENTS = (
    "deadline_set_at",
    "overdue_since",
    "plan_approved_at",
    "acceptance_overdue_since",
    "acceptance_decided_at",
)


def upgrade() -> None:
    """Upgrade schema. Long because a revision declares every table of its step in
    one place, as data; split, one schema change would be read in pieces."""
    with op.batch_alter_table("hazard_projection", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registered_at", shared.db.UTCDateTime(timezone=True)))
        batch_op.add_column(sa.Column("rectified_at", shared.db.UTCDateTime(timezone=True)))
        batch_op.add_column(sa.Column("plan_deadline", sa.Date()))
        batch_op.add_column(sa.Column("acceptance_due", sa.Date()))
        batch_op.add_column(sa.Column("acceptor_unit", sa.String(length=32)))
        batch_op.add_column(
            sa.Column("acceptance_overdue", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("major_unresolved_reason", sa.String(length=16)))
        batch_op.add_column(sa.Column("reporter_unit", sa.String(length=32)))
        for name in MOMENTS:
            batch_op.add_column(sa.Column(name, shared.db.UTCDateTime(timezone=True)))

    op.add_column("campaigns", sa.Column("assessment", sa.JSON()))
    campaigns = sa.table("campaigns", sa.column("assessment", sa.JSON()))
    op.execute(campaigns.update().values(assessment=json.loads(json.dumps(PREVIOUS_ASSESSMENT))))

    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_basis", sa.String(length=24)))
        batch_op.add_column(sa.Column("days_late", sa.Integer()))
        batch_op.add_column(sa.Column("superseded_by", sa.String(length=36)))
        batch_op.add_column(sa.Column("explained_at", shared.db.UTCDateTime(timezone=True)))
        batch_op.add_column(sa.Column("appealed_at", shared.db.UTCDateTime(timezone=True)))
        batch_op.add_column(sa.Column("appeal_decided_at", shared.db.UTCDateTime(timezone=True)))

    op.create_table(
        "flag_steps",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("flag_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("actor_name", sa.String(length=100), nullable=True),
        sa.Column("actor_unit", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["flag_id"], ["flags.id"], name=op.f("fk_flag_steps_flag_id_flags")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flag_steps")),
    )
    with op.batch_alter_table("flag_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flag_steps_flag_id"), ["flag_id"], unique=False)

    op.create_table(
        "flag_files",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("flag_id", sa.String(length=36), nullable=False),
        sa.Column("step", sa.String(length=24), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["flag_id"], ["flags.id"], name=op.f("fk_flag_files_flag_id_flags")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flag_files")),
    )
    with op.batch_alter_table("flag_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flag_files_flag_id"), ["flag_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("flag_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flag_files_flag_id"))
    op.drop_table("flag_files")
    with op.batch_alter_table("flag_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flag_steps_flag_id"))
    op.drop_table("flag_steps")
    with op.batch_alter_table("flags", schema=None) as batch_op:
        for name in (
            "appeal_decided_at",
            "appealed_at",
            "explained_at",
            "superseded_by",
            "days_late",
            "person_basis",
        ):
            batch_op.drop_column(name)
    # In place (not a batch copy): SQLite refuses to copy a table other rows refer to.
    op.drop_column("campaigns", "assessment")
    with op.batch_alter_table("hazard_projection", schema=None) as batch_op:
        for name in (
            *reversed(MOMENTS),
            "reporter_unit",
            "major_unresolved_reason",
            "acceptance_overdue",
            "acceptor_unit",
            "acceptance_due",
            "plan_deadline",
            "rectified_at",
            "registered_at",
        ):
            batch_op.drop_column(name)
