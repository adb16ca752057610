"""the security office's registers: clues (线索), joint inspections (协同联动), patrols (巡查)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 01:15:00.000000

"""

from collections.abc import Sequence

# revision identifiers, used by Alembic.
revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""


def downgrade() -> None:
    """Downgrade schema."""
