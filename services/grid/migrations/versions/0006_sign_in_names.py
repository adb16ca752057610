"""one namespace of sign-in names (ids, staff and student numbers)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10 10:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every sign-in name of every person, once per person (a person whose staff and student
# numbers are equal names himself twice).
NAMES = (
    "SELECT id AS name, id AS person_id FROM people "
    "UNION SELECT staff_no, id FROM people WHERE staff_no IS NOT NULL "
    "UNION SELECT student_no, id FROM people WHERE student_no IS NOT NULL"
)


def upgrade() -> None:
    """Upgrade schema."""
    collisions = (
        op.get_bind()
        .execute(
            sa.text(
                f"SELECT name, COUNT(*) FROM ({NAMES}) AS names GROUP BY name "
                "HAVING COUNT(*) > 1 ORDER BY name"
            )
        )
        .all()
    )
    if collisions:
        raise RuntimeError(_refusal(collisions))
    op.create_table(
        "sign_in_names",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_sign_in_names_person_id_people")
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sign_in_names")),
    )
    with op.batch_alter_table("sign_in_names", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_names_person_id"), ["person_id"])
    op.execute(f"INSERT INTO sign_in_names (name, person_id) {NAMES}")


def _refusal(collisions: list) -> str:
    """What the operator reads: the shared names, and the SQL that frees one (the grid's
    API cannot: its people endpoints need the table this migration could not create)."""
    listed = ", ".join(f"{name!r} ({count} people)" for name, count in collisions[:20])
    more = f" and {len(collisions) - 20} more" if len(collisions) > 20 else ""
    return (
        "cannot make sign-in names unique: these staff numbers, student numbers or ids "
        f"name more than one person: {listed}{more}. Find them with "
        "SELECT id, name, staff_no, student_no FROM people WHERE staff_no = '<number>' "
        "OR student_no = '<number>' OR id = '<number>'; give each person numbers of their "
        "own in the grid database (UPDATE people SET staff_no = NULL WHERE id = '<id>'; "
        "or student_no, or a new number), then migrate again."
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("sign_in_names", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_names_person_id"))
    op.drop_table("sign_in_names")
