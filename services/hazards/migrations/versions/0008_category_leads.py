"""co-lead departments of hazard categories from the campaign

The newest campaign's categories and their lead units (``lead_campaigns``, materialised in
``category_leads``), and every lead department of each hazard (``hazard_leads``). Hazards
written before have one lead: it is copied, so the SQL visibility filter needs no fallback.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 16:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "lead_campaigns",
        sa.Column("campaign_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.Column("received_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_lead_campaigns")),
    )
    op.create_table(
        "category_leads",
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("category", "unit_code", name=op.f("pk_category_leads")),
    )
    with op.batch_alter_table("category_leads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_category_leads_unit_code"), ["unit_code"])
    op.create_table(
        "hazard_leads",
        sa.Column("hazard_id", sa.String(length=36), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hazard_id"], ["hazards.id"], name=op.f("fk_hazard_leads_hazard_id_hazards")
        ),
        sa.PrimaryKeyConstraint("hazard_id", "unit_code", name=op.f("pk_hazard_leads")),
    )
    with op.batch_alter_table("hazard_leads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hazard_leads_unit_code"), ["unit_code"])
    op.execute(
        "INSERT INTO hazard_leads (hazard_id, unit_code, position) "
        "SELECT id, lead_department, 0 FROM hazards"
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("hazard_leads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hazard_leads_unit_code"))
    op.drop_table("hazard_leads")
    with op.batch_alter_table("category_leads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_category_leads_unit_code"))
    op.drop_table("category_leads")
    op.drop_table("lead_campaigns")
