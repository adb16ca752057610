"""driver education from education's attendance (驾驶人安全教育来源)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 04:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema: the activity a driver's last safety education came from (the dates
    already typed by hand stay, with no activity: 手工录入)."""
    with op.batch_alter_table("vehicle_drivers") as batch_op:
        batch_op.add_column(
            sa.Column("last_education_activity_id", sa.String(length=36), nullable=True)
        )
        batch_op.add_column(
            sa.Column("last_education_activity_title", sa.String(length=200), nullable=True)
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("vehicle_drivers") as batch_op:
        batch_op.drop_column("last_education_activity_title")
        batch_op.drop_column("last_education_activity_id")
