"""practical training and internships (实训实习、校外社会实践)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 02:35:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "placements",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("cell_id", sa.String(length=36), nullable=False),
        sa.Column("host_name", sa.String(length=100), nullable=False),
        sa.Column("host_address", sa.String(length=200), nullable=True),
        sa.Column("host_contact", sa.String(length=100), nullable=True),
        sa.Column("leader_name", sa.String(length=50), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("student_count", sa.Integer(), nullable=False),
        sa.Column("students", sa.JSON(), nullable=False),
        sa.Column("insurance_policy_no", sa.String(length=64), nullable=True),
        sa.Column("insurer", sa.String(length=100), nullable=True),
        sa.Column("insurance_from", sa.Date(), nullable=True),
        sa.Column("insurance_to", sa.Date(), nullable=True),
        sa.Column("briefing_activity_id", sa.String(length=36), nullable=True),
        sa.Column("briefing_held_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("finished_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placements")),
    )
    op.create_index(op.f("ix_placements_kind"), "placements", ["kind"], unique=False)
    op.create_index(op.f("ix_placements_unit_code"), "placements", ["unit_code"], unique=False)
    op.create_index(op.f("ix_placements_starts_on"), "placements", ["starts_on"], unique=False)
    op.create_index(op.f("ix_placements_status"), "placements", ["status"], unique=False)
    op.create_table(
        "placement_agreements",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("placement_id", sa.String(length=36), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["placement_id"],
            ["placements.id"],
            name=op.f("fk_placement_agreements_placement_id_placements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement_agreements")),
    )
    op.create_index(
        op.f("ix_placement_agreements_placement_id"),
        "placement_agreements",
        ["placement_id"],
        unique=False,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_placement_agreements_placement_id"), table_name="placement_agreements")
    op.drop_table("placement_agreements")
    for column in ("status", "starts_on", "unit_code", "kind"):
        op.drop_index(op.f(f"ix_placements_{column}"), table_name="placements")
    op.drop_table("placements")
