"""drill problems remember the Idempotency-Key of the request that added them

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 08:50:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("drill_problems", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("request_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_drill_problems_request_key"), ["request_key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("drill_problems", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drill_problems_request_key"))
        batch_op.drop_column("request_hash")
        batch_op.drop_column("request_key")
