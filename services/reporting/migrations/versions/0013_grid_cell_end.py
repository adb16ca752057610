"""the grid projection keeps a place's end (停用): grid_cells.ended_on

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 13:50:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("grid_cells") as batch:
        batch.add_column(sa.Column("ended_on", sa.Date(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("grid_cells") as batch:
        batch.drop_column("ended_on")
