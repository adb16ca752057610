"""food safety (食堂、超市、茶饮店、配送中心)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 02:35:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema: the outlets, their certificates and their daily records.

    Long because it creates the register's three tables in one revision.
    """
    op.create_table(
        "food_outlets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("cell_id", sa.String(length=36), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("operator", sa.String(length=100), nullable=True),
        sa.Column("manager_name", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_food_outlets")),
    )
    op.create_index(op.f("ix_food_outlets_unit_code"), "food_outlets", ["unit_code"])
    op.create_index(op.f("ix_food_outlets_cell_id"), "food_outlets", ["cell_id"])
    op.create_table(
        "food_certificates",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("outlet_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("holder_name", sa.String(length=100), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["outlet_id"],
            ["food_outlets.id"],
            name=op.f("fk_food_certificates_outlet_id_food_outlets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_food_certificates")),
    )
    op.create_index(op.f("ix_food_certificates_outlet_id"), "food_certificates", ["outlet_id"])
    op.create_index(op.f("ix_food_certificates_expires_on"), "food_certificates", ["expires_on"])
    op.create_table(
        "food_daily_records",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("outlet_id", sa.String(length=36), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("person_name", sa.String(length=50), nullable=False),
        sa.Column("item", sa.String(length=200), nullable=True),
        sa.Column("result", sa.String(length=8), nullable=True),
        sa.Column("batch_no", sa.String(length=64), nullable=True),
        sa.Column("origin", sa.String(length=200), nullable=True),
        sa.Column("certificate_no", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["outlet_id"],
            ["food_outlets.id"],
            name=op.f("fk_food_daily_records_outlet_id_food_outlets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_food_daily_records")),
    )
    op.create_index(op.f("ix_food_daily_records_outlet_id"), "food_daily_records", ["outlet_id"])
    op.create_index(op.f("ix_food_daily_records_day"), "food_daily_records", ["day"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_food_daily_records_day"), table_name="food_daily_records")
    op.drop_index(op.f("ix_food_daily_records_outlet_id"), table_name="food_daily_records")
    op.drop_table("food_daily_records")
    op.drop_index(op.f("ix_food_certificates_expires_on"), table_name="food_certificates")
    op.drop_index(op.f("ix_food_certificates_outlet_id"), table_name="food_certificates")
    op.drop_table("food_certificates")
    op.drop_index(op.f("ix_food_outlets_cell_id"), table_name="food_outlets")
    op.drop_index(op.f("ix_food_outlets_unit_code"), table_name="food_outlets")
    op.drop_table("food_outlets")
