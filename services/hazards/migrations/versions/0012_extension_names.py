"""the names of who asked for and who decided an extension (延期申请)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 12:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("extension_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("requested_by_name", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("decided_by_name", sa.String(length=50), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("extension_requests", schema=None) as batch_op:
        batch_op.drop_column("decided_by_name")
        batch_op.drop_column("requested_by_name")
