"""responsibility letters as reporting knows them (the flag for a head without a signed letter)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 01:15:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "letter_projection",
        sa.Column("letter_id", sa.String(length=36), nullable=False),
        sa.Column("assignment_id", sa.String(length=36), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("letter_id", name=op.f("pk_letter_projection")),
    )
    with op.batch_alter_table("letter_projection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_letter_projection_assignment_id"), ["assignment_id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("letter_projection")
