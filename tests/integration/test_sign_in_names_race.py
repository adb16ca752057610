"""One namespace of sign-in names holds under concurrent writes on PostgreSQL (issue 14,
item 4): two people given the same number at the same moment, one as a staff number and
one as a student number, both pass the check in Python (neither sees the other's
uncommitted row); the sign_in_names primary key lets one through and answers the other
with the 409 naming its field."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy.orm import Session

from services.grid import commands
from services.grid.models import Person
from shared.principal import SECURITY_OFFICE, Principal

pytestmark = pytest.mark.integration

OFFICE = Principal(sub="office", name="保卫处", roles=frozenset({SECURITY_OFFICE}), unit=None)
DEADLINE = 10.0


def new_person(session: Session, name: str, **numbers) -> Person:
    return commands.create_person(
        session, OFFICE, name=name, phone="13800000001", unit_code="JD", **numbers
    )


def waiting_on_a_lock(databases) -> bool:
    return bool(
        databases.scalar(
            "grid",
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
    )


def test_the_same_number_given_to_two_people_at_once_signs_in_only_one(databases):
    engine = databases.engine("grid")
    with Session(engine) as session, session.begin():
        commands.create_unit(session, OFFICE, code="JD", name="机电工程学院", kind="college")
    first = Session(engine)
    first.begin()
    new_person(first, "张老师", staff_no="R-1")  # flushed, not committed
    outcome: dict[str, object] = {}

    def second() -> None:
        try:
            with Session(engine) as session, session.begin():
                new_person(session, "李同学", student_no="R-1")
            outcome["second"] = "created"
        except commands.AlreadyExists as exc:
            outcome["second"] = exc

    thread = threading.Thread(target=second)
    thread.start()
    deadline = time.monotonic() + DEADLINE
    while thread.is_alive() and not waiting_on_a_lock(databases):  # poll, with a deadline
        assert time.monotonic() < deadline, "the second writer neither finished nor waited"
        time.sleep(0.01)
    first.commit()
    first.close()
    thread.join(DEADLINE)
    refused = outcome.get("second")
    assert isinstance(refused, commands.AlreadyExists), refused
    assert refused.status == 409 and refused.extra["invalid_params"][0]["name"] == "student_no"
    holders = databases.rows(
        "grid", "SELECT name FROM people WHERE staff_no = 'R-1' OR student_no = 'R-1'"
    )
    assert holders == [("张老师",)]
