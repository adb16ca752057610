"""when the grid first announced each unit

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 18:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "unit_joined",
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("joined_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("unit_code", name=op.f("pk_unit_joined")),
    )
    # Units known before the join time was kept: no time, they answer for every due date.
    op.execute("INSERT INTO unit_joined (unit_code, joined_at) SELECT code, NULL FROM grid_units")


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("unit_joined")
