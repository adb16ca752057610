"""when deadlines were set, lateness announced and acceptance decided

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 17:00:00.000000

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

COLUMNS = (
    "deadline_set_at",
    "overdue_notified_at",
    "acceptance_notified_at",
    "acceptance_decided_at",
)


def upgrade() -> None:
    """Upgrade schema."""
    # In place (not a batch copy): other tables refer to hazards.
    for name in COLUMNS:
        op.add_column("hazards", sa.Column(name, shared.db.UTCDateTime(timezone=True)))


def downgrade() -> None:
    """Downgrade schema."""
    for name in reversed(COLUMNS):
        op.drop_column("hazards", name)
