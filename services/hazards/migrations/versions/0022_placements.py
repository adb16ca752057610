"""practical training and internships (实训实习、校外社会实践)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 02:35:00.000000

"""

from collections.abc import Sequence

# revision identifiers, used by Alembic.
revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""


def downgrade() -> None:
    """Downgrade schema."""
