"""emergency plans (应急预案)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 02:35:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "emergency_plans",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("scenario", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("edition", sa.String(length=32), nullable=False),
        sa.Column("approved_by", sa.String(length=50), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("review_due", sa.Date(), nullable=False),
        sa.Column("drill_period_days", sa.Integer(), nullable=False),
        sa.Column("last_drilled_on", sa.Date(), nullable=True),
        sa.Column("next_drill_due", sa.Date(), nullable=False),
        sa.Column("last_drill_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_plans")),
        sa.UniqueConstraint("unit_code", "scenario", "edition", name="uq_emergency_plans_edition"),
    )
    for column in ("unit_code", "scenario", "review_due", "next_drill_due", "status"):
        op.create_index(
            op.f(f"ix_emergency_plans_{column}"), "emergency_plans", [column], unique=False
        )
    op.create_table(
        "emergency_plan_drills",
        sa.Column("drill_id", sa.String(length=36), nullable=False),
        sa.Column("plan_id", sa.String(length=36), nullable=False),
        sa.Column("drilled_on", sa.Date(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("recorded_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["emergency_plans.id"],
            name=op.f("fk_emergency_plan_drills_plan_id_emergency_plans"),
        ),
        sa.PrimaryKeyConstraint("drill_id", name=op.f("pk_emergency_plan_drills")),
    )
    op.create_index(
        op.f("ix_emergency_plan_drills_plan_id"),
        "emergency_plan_drills",
        ["plan_id"],
        unique=False,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_emergency_plan_drills_plan_id"), table_name="emergency_plan_drills")
    op.drop_table("emergency_plan_drills")
    for column in ("unit_code", "scenario", "review_due", "next_drill_due", "status"):
        op.drop_index(op.f(f"ix_emergency_plans_{column}"), table_name="emergency_plans")
    op.drop_table("emergency_plans")
