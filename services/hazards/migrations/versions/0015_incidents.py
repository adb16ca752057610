"""the incidents ledger (安全事故/事件)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 01:15:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("cell_id", sa.String(length=36), nullable=False),
        sa.Column("occurred_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("near_miss", sa.Boolean(), nullable=False),
        sa.Column("severity", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("deaths", sa.Integer(), nullable=False),
        sa.Column("injuries", sa.Integer(), nullable=False),
        sa.Column("loss_yuan", sa.Integer(), nullable=False),
        sa.Column("immediate_actions", sa.Text(), nullable=True),
        sa.Column("causes", sa.Text(), nullable=True),
        sa.Column("investigated_by", sa.String(length=64), nullable=True),
        sa.Column("investigated_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("responsible_unit", sa.String(length=32), nullable=True),
        sa.Column("responsibility", sa.Text(), nullable=True),
        sa.Column("found_on", sa.Date(), nullable=True),
        sa.Column("found_by", sa.String(length=64), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_by_name", sa.String(length=50), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incidents_unit_code"), ["unit_code"])
        batch_op.create_index(batch_op.f("ix_incidents_cell_id"), ["cell_id"])
        batch_op.create_index(batch_op.f("ix_incidents_occurred_on"), ["occurred_on"])
    op.create_table(
        "incident_reports",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("told", sa.String(length=100), nullable=False),
        sa.Column("told_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("told_by", sa.String(length=50), nullable=True),
        sa.Column("channel", sa.String(length=50), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_reports_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_reports")),
    )
    with op.batch_alter_table("incident_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_reports_incident_id"), ["incident_id"])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("incident_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_reports_incident_id"))
    op.drop_table("incident_reports")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_occurred_on"))
        batch_op.drop_index(batch_op.f("ix_incidents_cell_id"))
        batch_op.drop_index(batch_op.f("ix_incidents_unit_code"))
    op.drop_table("incidents")
