"""vehicles, drivers and trips (通勤车、公务车)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 02:35:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema.

    Long because it creates the register's three tables (vehicles, drivers, trips) at once.
    """
    op.create_table(
        "vehicles",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("plate_no", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=True),
        sa.Column("seats", sa.Integer(), nullable=True),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("cell_id", sa.String(length=36), nullable=False),
        sa.Column("inspection_due", sa.Date(), nullable=False),
        sa.Column("insurance_due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicles")),
        sa.UniqueConstraint("plate_no", name=op.f("uq_vehicles_plate_no")),
    )
    op.create_index(op.f("ix_vehicles_unit_code"), "vehicles", ["unit_code"], unique=False)
    op.create_table(
        "vehicle_drivers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("staff_no", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("cell_id", sa.String(length=36), nullable=False),
        sa.Column("licence_class", sa.String(length=8), nullable=False),
        sa.Column("licence_expiry", sa.Date(), nullable=False),
        sa.Column("last_education_on", sa.Date(), nullable=True),
        sa.Column("education_due", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicle_drivers")),
        sa.UniqueConstraint("staff_no", name=op.f("uq_vehicle_drivers_staff_no")),
    )
    op.create_index(
        op.f("ix_vehicle_drivers_unit_code"), "vehicle_drivers", ["unit_code"], unique=False
    )
    op.create_table(
        "vehicle_trips",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("vehicle_id", sa.String(length=36), nullable=False),
        sa.Column("driver_id", sa.String(length=36), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("trip_on", sa.Date(), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["driver_id"],
            ["vehicle_drivers.id"],
            name=op.f("fk_vehicle_trips_driver_id_vehicle_drivers"),
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicles.id"], name=op.f("fk_vehicle_trips_vehicle_id_vehicles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicle_trips")),
    )
    for column in ("driver_id", "trip_on", "unit_code", "vehicle_id"):
        op.create_index(op.f(f"ix_vehicle_trips_{column}"), "vehicle_trips", [column], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("vehicle_trips")
    op.drop_index(op.f("ix_vehicle_drivers_unit_code"), table_name="vehicle_drivers")
    op.drop_table("vehicle_drivers")
    op.drop_index(op.f("ix_vehicles_unit_code"), table_name="vehicles")
    op.drop_table("vehicles")
