"""the hazardous chemicals register (危化品: catalogue, stores, movements)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 02:35:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    """Upgrade schema.

    Long because it creates the four tables of the register in one revision.
    """
    op.create_table(
        "chemical_items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("cas_no", sa.String(length=20), nullable=False),
        sa.Column("hazard_class", sa.String(length=24), nullable=False),
        sa.Column("precursor", sa.Boolean(), nullable=False),
        sa.Column("explosive_precursor", sa.Boolean(), nullable=False),
        sa.Column("highly_toxic", sa.Boolean(), nullable=False),
        sa.Column("measure", sa.String(length=10), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chemical_items")),
        sa.UniqueConstraint("cas_no", name=op.f("uq_chemical_items_cas_no")),
    )
    op.create_table(
        "chemical_stores",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("cell_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("segregation_class", sa.String(length=24), nullable=False),
        sa.Column("keeper_name", sa.String(length=50), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chemical_stores")),
    )
    op.create_index(op.f("ix_chemical_stores_unit_code"), "chemical_stores", ["unit_code"])
    op.create_index(op.f("ix_chemical_stores_cell_id"), "chemical_stores", ["cell_id"])
    op.create_table(
        "chemical_movements",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("store_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("counterparty", sa.String(length=100), nullable=True),
        sa.Column("licence_no", sa.String(length=64), nullable=True),
        sa.Column("purpose", sa.String(length=200), nullable=True),
        sa.Column("second_person", sa.String(length=50), nullable=True),
        sa.Column("manifest_no", sa.String(length=64), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_chemical_movements_quantity")),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["chemical_items.id"],
            name=op.f("fk_chemical_movements_item_id_chemical_items"),
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["chemical_stores.id"],
            name=op.f("fk_chemical_movements_store_id_chemical_stores"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chemical_movements")),
    )
    for column in ("store_id", "item_id", "unit_code", "occurred_on"):
        op.create_index(op.f(f"ix_chemical_movements_{column}"), "chemical_movements", [column])
    op.create_table(
        "chemical_counts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("store_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("counted_on", sa.Date(), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("balance", sa.Integer(), nullable=False),
        sa.Column("counted_by", sa.String(length=50), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["chemical_items.id"],
            name=op.f("fk_chemical_counts_item_id_chemical_items"),
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["chemical_stores.id"],
            name=op.f("fk_chemical_counts_store_id_chemical_stores"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chemical_counts")),
    )
    op.create_index(op.f("ix_chemical_counts_store_id"), "chemical_counts", ["store_id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("chemical_counts")
    for column in ("occurred_on", "unit_code", "item_id", "store_id"):
        op.drop_index(op.f(f"ix_chemical_movements_{column}"), table_name="chemical_movements")
    op.drop_table("chemical_movements")
    op.drop_index(op.f("ix_chemical_stores_cell_id"), table_name="chemical_stores")
    op.drop_index(op.f("ix_chemical_stores_unit_code"), table_name="chemical_stores")
    op.drop_table("chemical_stores")
    op.drop_table("chemical_items")
