"""co-lead departments of hazard categories

Each campaign's hazard categories with their lead units (``campaign_categories``), and
every lead department of a hazard in the hazard projection (``lead_departments``; NULL for
states announced before co-leads, read as the single ``lead_department``). Campaigns loaded
before have no categories: the hazard ledger keeps its default leads until a campaign
publishes its own.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 16:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "campaign_categories",
        sa.Column("campaign_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("task_number", sa.String(length=8), nullable=True),
        sa.Column("lead_units", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_categories_campaign_id_campaigns"),
        ),
        sa.PrimaryKeyConstraint("campaign_id", "code", name=op.f("pk_campaign_categories")),
    )
    with op.batch_alter_table("hazard_projection", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lead_departments", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("hazard_projection", schema=None) as batch_op:
        batch_op.drop_column("lead_departments")
    op.drop_table("campaign_categories")
