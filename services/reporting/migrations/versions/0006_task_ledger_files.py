"""task ledger files

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "task_ledger_files",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["task_ledger_entries.id"],
            name=op.f("fk_task_ledger_files_entry_id_task_ledger_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_ledger_files")),
    )
    with op.batch_alter_table("task_ledger_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_task_ledger_files_entry_id"), ["entry_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("task_ledger_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_ledger_files_entry_id"))

    op.drop_table("task_ledger_files")
