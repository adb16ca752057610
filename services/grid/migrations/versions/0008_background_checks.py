"""background checks of the grid's people (入职查询、资格审查) and their access log

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 01:40:00.000000

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
        "background_checks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_background_checks_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_background_checks")),
    )
    with op.batch_alter_table("background_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_background_checks_person_id"), ["person_id"])
        batch_op.create_index(batch_op.f("ix_background_checks_valid_until"), ["valid_until"])
    op.create_table(
        "background_check_access_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("check_id", sa.String(length=36), nullable=True),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_background_check_access_log")),
    )
    with op.batch_alter_table("background_check_access_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_background_check_access_log_check_id"), ["check_id"])
        batch_op.create_index(batch_op.f("ix_background_check_access_log_person_id"), ["person_id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("background_check_access_log")
    op.drop_table("background_checks")
