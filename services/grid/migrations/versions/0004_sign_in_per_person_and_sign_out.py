"""sign-in limits per person; signed-out console tokens

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f("ix_login_attempts_person_id"), ["person_id"])
    # The day of attempts already kept counts for the person its login names.
    op.execute(
        "UPDATE login_attempts SET person_id = (SELECT people.id FROM people "
        "WHERE people.staff_no = login_attempts.login OR people.student_no = "
        "login_attempts.login OR people.id = login_attempts.login LIMIT 1)"
    )
    op.create_table(
        "signed_out_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("expires_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_signed_out_tokens")),
    )
    with op.batch_alter_table("signed_out_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signed_out_tokens_expires_at"), ["expires_at"])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("signed_out_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signed_out_tokens_expires_at"))
    op.drop_table("signed_out_tokens")
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_attempts_person_id"))
        batch_op.drop_column("person_id")
