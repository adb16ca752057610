"""incidents as reporting counts them (statistics, the no-major-incident figure)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 01:15:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "incident_projection",
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("severity", sa.String(length=24), nullable=False),
        sa.Column("near_miss", sa.Boolean(), nullable=False),
        sa.Column("major", sa.Boolean(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("deaths", sa.Integer(), nullable=False),
        sa.Column("injuries", sa.Integer(), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("incident_id", name=op.f("pk_incident_projection")),
    )
    with op.batch_alter_table("incident_projection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_projection_unit_code"), ["unit_code"])
        batch_op.create_index(batch_op.f("ix_incident_projection_occurred_on"), ["occurred_on"])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("incident_projection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_projection_occurred_on"))
        batch_op.drop_index(batch_op.f("ix_incident_projection_unit_code"))
    op.drop_table("incident_projection")
