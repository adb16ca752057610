"""buildings on file (建筑建档)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 02:35:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "buildings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cell_id", sa.String(length=36), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("built_year", sa.Integer(), nullable=True),
        sa.Column("structure", sa.String(length=16), nullable=False),
        sa.Column("floors", sa.Integer(), nullable=True),
        sa.Column("area", sa.Float(), nullable=True),
        sa.Column("use", sa.String(length=16), nullable=False),
        sa.Column("appraised_on", sa.Date(), nullable=True),
        sa.Column("appraisal_grade", sa.String(length=1), nullable=True),
        sa.Column("appraisal_due", sa.Date(), nullable=True),
        sa.Column("fire_facilities", sa.Text(), nullable=True),
        sa.Column("risk_flags", sa.JSON(), nullable=False),
        sa.Column("drawing_sha256", sa.String(length=64), nullable=True),
        sa.Column("drawing_filename", sa.String(length=200), nullable=True),
        sa.Column("drawing_media_type", sa.String(length=64), nullable=True),
        sa.Column("drawing_size", sa.Integer(), nullable=True),
        sa.Column("drawing_uploaded_by", sa.String(length=64), nullable=True),
        sa.Column("drawing_uploaded_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buildings")),
        sa.UniqueConstraint("cell_id", name=op.f("uq_buildings_cell_id")),
    )
    op.create_index(op.f("ix_buildings_unit_code"), "buildings", ["unit_code"], unique=False)
    op.create_index(
        op.f("ix_buildings_appraisal_due"), "buildings", ["appraisal_due"], unique=False
    )
    op.create_table(
        "building_sites",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("building_id", sa.String(length=36), nullable=False),
        sa.Column("project", sa.String(length=100), nullable=False),
        sa.Column("contractor", sa.String(length=100), nullable=True),
        sa.Column("isolated", sa.Boolean(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["building_id"], ["buildings.id"], name=op.f("fk_building_sites_building_id_buildings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_building_sites")),
    )
    op.create_index(
        op.f("ix_building_sites_building_id"), "building_sites", ["building_id"], unique=False
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_building_sites_building_id"), table_name="building_sites")
    op.drop_table("building_sites")
    op.drop_index(op.f("ix_buildings_appraisal_due"), table_name="buildings")
    op.drop_index(op.f("ix_buildings_unit_code"), table_name="buildings")
    op.drop_table("buildings")
