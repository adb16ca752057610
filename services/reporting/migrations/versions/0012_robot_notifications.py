"""robot notifications: notices queued for the WeCom / DingTalk group robots

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 08:10:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "robot_messages",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("link_path", sa.String(length=300), nullable=True),
        sa.Column("delivered", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_robot_messages")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_robot_messages_dedupe_key")),
    )
    with op.batch_alter_table("robot_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_robot_messages_status"), ["status"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("robot_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_robot_messages_status"))
    op.drop_table("robot_messages")
