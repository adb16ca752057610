"""plan statistics: the emergency plans projection the statistics count

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 04:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "emergency_plan_projection",
        sa.Column("plan_id", sa.String(length=36), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("scenario", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("review_due", sa.Date(), nullable=False),
        sa.Column("drill_due", sa.Date(), nullable=False),
        sa.Column("last_drilled_on", sa.Date(), nullable=True),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_emergency_plan_projection")),
    )
    with op.batch_alter_table("emergency_plan_projection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_emergency_plan_projection_unit_code"), ["unit_code"])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("emergency_plan_projection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_emergency_plan_projection_unit_code"))
    op.drop_table("emergency_plan_projection")
