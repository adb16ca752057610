"""responsibility letters (安全责任书) per post and year, with the signed scan

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 01:45:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "responsibility_letters",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("assignment_id", sa.String(length=36), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("uploaded_by", sa.String(length=64), nullable=True),
        sa.Column("uploaded_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_responsibility_letters_assignment_id_assignments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responsibility_letters")),
        sa.UniqueConstraint(
            "assignment_id", "year", name=op.f("uq_responsibility_letters_assignment_id")
        ),
    )
    with op.batch_alter_table("responsibility_letters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_responsibility_letters_assignment_id"), ["assignment_id"]
        )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("responsibility_letters")
