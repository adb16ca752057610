"""hazard counters: what the statistics read instead of the hazards (issue 18)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 01:50:00.000000

Filled from the projection on upgrade (campus days in CAMPUS_TIMEZONE, as the worker's
settings), so statistics answer as before from the first request; the consumer keeps them
from then on, and ``campus-safety check-counters`` compares them with the projection.
"""

import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

# revision identifiers, used by Alembic.
revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    _hazard_counts()
    _hazard_unit_counts()
    _hazard_table_counts()
    # An existing ledger's counters, counted the way the check command counts them.
    from services.reporting.statistics import counters

    with Session(bind=op.get_bind()) as session:
        counters.rebuild(session, os.environ.get("CAMPUS_TIMEZONE", "Asia/Shanghai"))
        session.flush()


def _hazard_counts() -> None:
    op.create_table(
        "hazard_counts",
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("found_day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("closed_day", sa.Date(), nullable=False),
        sa.Column("hazards", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("micros_to_close", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "unit_code",
            "found_day",
            "category",
            "severity",
            "status",
            "overdue",
            "deadline",
            "closed_day",
            name=op.f("pk_hazard_counts"),
        ),
    )


def _hazard_unit_counts() -> None:
    op.create_table(
        "hazard_unit_counts",
        sa.Column("found_day", sa.Date(), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("hazards", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.Column("major", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("micros_to_close", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "found_day", "unit_code", "status", name=op.f("pk_hazard_unit_counts")
        ),
    )


def _hazard_table_counts() -> None:
    op.create_table(
        "hazard_table_counts",
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("found_day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("closed_day", sa.Date(), nullable=False),
        sa.Column("hazards", sa.Integer(), nullable=False),
        sa.Column("major", sa.Integer(), nullable=False),
        sa.Column("rectified", sa.Integer(), nullable=False),
        sa.Column("in_remediation", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("micros_to_close", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "unit_code",
            "found_day",
            "category",
            "deadline",
            "closed_day",
            name=op.f("pk_hazard_table_counts"),
        ),
    )
    op.create_index(
        "ix_hazard_table_counts_unit_cover",
        "hazard_table_counts",
        ["unit_code", "found_day"],
        postgresql_include=[
            "category",
            "deadline",
            "closed_day",
            "hazards",
            "major",
            "rectified",
            "in_remediation",
            "overdue",
            "closed",
            "micros_to_close",
        ],
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_hazard_table_counts_unit_cover", table_name="hazard_table_counts")
    op.drop_table("hazard_table_counts")
    op.drop_table("hazard_unit_counts")
    op.drop_table("hazard_counts")
