"""the security office's registers: clues (线索), joint inspections (协同联动), patrols (巡查)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 01:15:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema.

    Long because it creates the ten tables of the three registers in one revision.
    """
    op.create_table(
        "clue_access_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("clue_id", sa.String(length=36), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clue_access_log")),
    )
    op.create_index(
        op.f("ix_clue_access_log_clue_id"), "clue_access_log", ["clue_id"], unique=False
    )
    op.create_table(
        "clues",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("verification", sa.String(length=16), nullable=True),
        sa.Column("verification_note", sa.Text(), nullable=True),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("handling", sa.String(length=16), nullable=True),
        sa.Column("handled_on", sa.Date(), nullable=True),
        sa.Column("handling_note", sa.Text(), nullable=True),
        sa.Column("receiving_agency", sa.String(length=16), nullable=True),
        sa.Column("agency_name", sa.String(length=100), nullable=True),
        sa.Column("receiving_officer", sa.String(length=50), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("last_activity_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clues")),
    )
    op.create_index(op.f("ix_clues_kind"), "clues", ["kind"], unique=False)
    op.create_index(op.f("ix_clues_last_activity_on"), "clues", ["last_activity_on"], unique=False)
    op.create_index(op.f("ix_clues_status"), "clues", ["status"], unique=False)
    op.create_index(op.f("ix_clues_unit_code"), "clues", ["unit_code"], unique=False)
    op.create_table(
        "joint_inspections",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("agencies", sa.JSON(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("cell_ids", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_by_name", sa.String(length=100), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_inspections")),
    )
    op.create_index(
        op.f("ix_joint_inspections_inspected_on"),
        "joint_inspections",
        ["inspected_on"],
        unique=False,
    )
    op.create_table(
        "patrol_routes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=True),
        sa.Column("cell_ids", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_routes")),
    )
    op.create_index(
        op.f("ix_patrol_routes_unit_code"), "patrol_routes", ["unit_code"], unique=False
    )
    op.create_table(
        "clue_follow_ups",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("clue_id", sa.String(length=36), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by_name", sa.String(length=50), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clue_id"], ["clues.id"], name=op.f("fk_clue_follow_ups_clue_id_clues")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clue_follow_ups")),
    )
    op.create_index(
        op.f("ix_clue_follow_ups_clue_id"), "clue_follow_ups", ["clue_id"], unique=False
    )
    op.create_table(
        "clue_receipts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("clue_id", sa.String(length=36), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clue_id"], ["clues.id"], name=op.f("fk_clue_receipts_clue_id_clues")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clue_receipts")),
    )
    op.create_index(op.f("ix_clue_receipts_clue_id"), "clue_receipts", ["clue_id"], unique=False)
    op.create_table(
        "joint_findings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("inspection_id", sa.String(length=36), nullable=False),
        sa.Column("cell_id", sa.String(length=36), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("hazard_id", sa.String(length=36), nullable=False),
        sa.Column("hazard_number", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hazard_id"], ["hazards.id"], name=op.f("fk_joint_findings_hazard_id_hazards")
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["joint_inspections.id"],
            name=op.f("fk_joint_findings_inspection_id_joint_inspections"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_findings")),
    )
    op.create_index(
        op.f("ix_joint_findings_hazard_id"), "joint_findings", ["hazard_id"], unique=False
    )
    op.create_index(
        op.f("ix_joint_findings_inspection_id"), "joint_findings", ["inspection_id"], unique=False
    )
    op.create_table(
        "patrols",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("route_id", sa.String(length=36), nullable=False),
        sa.Column("route_name", sa.String(length=100), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=True),
        sa.Column("cell_ids", sa.JSON(), nullable=False),
        sa.Column("patrol_on", sa.Date(), nullable=False),
        sa.Column("runner", sa.String(length=64), nullable=False),
        sa.Column("runner_name", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("missed", sa.JSON(), nullable=True),
        sa.Column("missed_count", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["route_id"], ["patrol_routes.id"], name=op.f("fk_patrols_route_id_patrol_routes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrols")),
    )
    op.create_index(op.f("ix_patrols_patrol_on"), "patrols", ["patrol_on"], unique=False)
    op.create_index(op.f("ix_patrols_route_id"), "patrols", ["route_id"], unique=False)
    op.create_index(op.f("ix_patrols_runner"), "patrols", ["runner"], unique=False)
    op.create_index(op.f("ix_patrols_status"), "patrols", ["status"], unique=False)
    op.create_index(op.f("ix_patrols_unit_code"), "patrols", ["unit_code"], unique=False)
    op.create_table(
        "patrol_check_ins",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("patrol_id", sa.String(length=36), nullable=False),
        sa.Column("cell_id", sa.String(length=36), nullable=False),
        sa.Column("checked_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patrol_id"], ["patrols.id"], name=op.f("fk_patrol_check_ins_patrol_id_patrols")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_check_ins")),
        sa.UniqueConstraint("patrol_id", "cell_id", name="uq_patrol_check_ins_place"),
    )
    op.create_index(
        op.f("ix_patrol_check_ins_patrol_id"), "patrol_check_ins", ["patrol_id"], unique=False
    )
    op.create_table(
        "patrol_findings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("patrol_id", sa.String(length=36), nullable=False),
        sa.Column("cell_id", sa.String(length=36), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("hazard_id", sa.String(length=36), nullable=False),
        sa.Column("hazard_number", sa.String(length=32), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hazard_id"], ["hazards.id"], name=op.f("fk_patrol_findings_hazard_id_hazards")
        ),
        sa.ForeignKeyConstraint(
            ["patrol_id"], ["patrols.id"], name=op.f("fk_patrol_findings_patrol_id_patrols")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_findings")),
    )
    op.create_index(
        op.f("ix_patrol_findings_hazard_id"), "patrol_findings", ["hazard_id"], unique=False
    )
    op.create_index(
        op.f("ix_patrol_findings_patrol_id"), "patrol_findings", ["patrol_id"], unique=False
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_patrol_findings_patrol_id"), table_name="patrol_findings")
    op.drop_index(op.f("ix_patrol_findings_hazard_id"), table_name="patrol_findings")
    op.drop_table("patrol_findings")
    op.drop_index(op.f("ix_patrol_check_ins_patrol_id"), table_name="patrol_check_ins")
    op.drop_table("patrol_check_ins")
    op.drop_index(op.f("ix_patrols_unit_code"), table_name="patrols")
    op.drop_index(op.f("ix_patrols_status"), table_name="patrols")
    op.drop_index(op.f("ix_patrols_runner"), table_name="patrols")
    op.drop_index(op.f("ix_patrols_route_id"), table_name="patrols")
    op.drop_index(op.f("ix_patrols_patrol_on"), table_name="patrols")
    op.drop_table("patrols")
    op.drop_index(op.f("ix_joint_findings_inspection_id"), table_name="joint_findings")
    op.drop_index(op.f("ix_joint_findings_hazard_id"), table_name="joint_findings")
    op.drop_table("joint_findings")
    op.drop_index(op.f("ix_clue_receipts_clue_id"), table_name="clue_receipts")
    op.drop_table("clue_receipts")
    op.drop_index(op.f("ix_clue_follow_ups_clue_id"), table_name="clue_follow_ups")
    op.drop_table("clue_follow_ups")
    op.drop_index(op.f("ix_patrol_routes_unit_code"), table_name="patrol_routes")
    op.drop_table("patrol_routes")
    op.drop_index(op.f("ix_joint_inspections_inspected_on"), table_name="joint_inspections")
    op.drop_table("joint_inspections")
    op.drop_index(op.f("ix_clues_unit_code"), table_name="clues")
    op.drop_index(op.f("ix_clues_status"), table_name="clues")
    op.drop_index(op.f("ix_clues_last_activity_on"), table_name="clues")
    op.drop_index(op.f("ix_clues_kind"), table_name="clues")
    op.drop_table("clues")
    op.drop_index(op.f("ix_clue_access_log_clue_id"), table_name="clue_access_log")
    op.drop_table("clue_access_log")
