"""a drill names the emergency plan it exercises

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 02:35:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("plan_id", sa.String(length=36), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("plan_id")
