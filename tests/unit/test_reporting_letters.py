"""Reporting and the grid's responsibility letters (issue 16; SQLite, no broker): after the
campaign's phase-one deadline (2021-11-15 in the seed) the sweep raises one flag per head
(网格负责人) who held a place that day without the year's letter signed by then, naming that
head; signed in time, started after the deadline, or another post: no flag; idempotent
however often it runs or the letter is delivered."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from services.reporting import commands
from services.reporting.letters.commands import letter_sweep
from services.reporting.models import Flag
from shared.api import state
from shared.grid_projection import GridAssignment, GridCell
from tests.support.events import event
from tests.support.events import feed as consume_all
from tests.support.handlers import handlers_of
from tests.support.reporting import seed_unit_head

HANDLERS = handlers_of("reporting")
TZ = "Asia/Shanghai"
ON_DEADLINE = datetime(2021, 11, 15, 8, 0, tzinfo=UTC)  # 16:00 on campus, the 15th
AFTER = datetime(2021, 11, 15, 16, 0, tzinfo=UTC)  # 00:00 on the 16th on campus


def head(assignment_id, cell_id, person, name, start, end=None, role="head"):
    return GridAssignment(
        assignment_id=assignment_id,
        cell_id=cell_id,
        person_id=person,
        person_name=name,
        role=role,
        effective_from=start,
        effective_to=end,
        last_sequence=1,
    )


@pytest.fixture
def app(make_app):
    app = make_app("reporting")
    with app.app_context(), state().session_factory() as session:
        commands.load_seed_campaign(session)
        seed_unit_head(session, "JD", "机电工程学院", "p-jd", "张院长")
        seed_unit_head(session, "XX", "信息工程学院", "p-xx", "李院长")
        for cell_id, name in (("lab", "化工实训室"), ("hall", "报告厅"), ("room", "机房")):
            session.add(
                GridCell(
                    cell_id=cell_id,
                    code=cell_id,
                    name=name,
                    level=3,
                    parent_id="cell-jd",
                    unit_code="JD",
                    area_type="lab",
                    last_sequence=1,
                )
            )
        session.add_all(
            [
                head("a-lab", "lab", "p-lab", "王实训", date(2021, 9, 1)),
                head("a-hall", "hall", "p-hall", "赵新任", date(2021, 11, 20)),  # after it
                head("a-old", "room", "p-old", "钱离任", date(2021, 9, 1), date(2021, 11, 1)),
                head("a-so", "room", "p-so", "孙安全", date(2021, 9, 1), role="safety_officer"),
            ]
        )
        session.commit()
    return app


def signed(letter_id: str, assignment_id: str, on: date, year: int = 2021):
    data = {"letter_id": letter_id, "assignment_id": assignment_id, "year": year, "signed_on": on}
    return event("letter.signed", "grid", letter_id, data, 1)


def feed(app, events) -> None:
    with app.app_context(), state().session_factory() as session:
        consume_all(session, HANDLERS, events)


def sweep(app, now: datetime) -> dict[str, int]:
    with app.app_context(), state().session_factory() as session:
        answer = letter_sweep(session, now, TZ)
        session.commit()
        return answer


def flags(app) -> list[Flag]:
    with app.app_context(), state().session_factory() as session:
        return list(session.scalars(select(Flag).where(Flag.rule == "unsigned_letter")))


def test_heads_without_a_letter_signed_by_phase_ones_deadline_are_flagged_once(app):
    letters = [
        signed("l-jd", "a-cell-jd", date(2021, 11, 10)),  # in time
        signed("l-lab", "a-lab", date(2021, 11, 16)),  # a day late
        signed("l-xx-2020", "a-cell-xx", date(2020, 12, 1), year=2020),  # last year's
    ]
    feed(app, letters + letters[:1])  # delivered twice: kept once
    assert sweep(app, ON_DEADLINE) == {"letter_flags": 0}  # the deadline day is not over
    assert sweep(app, AFTER) == {"letter_flags": 2}
    raised = {f.evidence["assignment_id"]: f for f in flags(app)}
    assert set(raised) == {"a-lab", "a-cell-xx"}
    lab = raised["a-lab"]
    assert (lab.unit_code, lab.person_id, lab.person_name) == ("JD", "p-lab", "王实训")
    assert lab.person_basis == "place_holder" and lab.evidence["cell_name"] == "化工实训室"
    assert lab.evidence["year"] == 2021 and lab.evidence["deadline"] == "2021-11-15"
    xx = raised["a-cell-xx"]
    assert (xx.unit_code, xx.person_id, xx.person_basis) == ("XX", "p-xx", "unit_head")
    assert lab.steps[0].text.startswith("安全责任书未签订")
    assert sweep(app, AFTER) == {"letter_flags": 0}  # idempotent
    feed(app, [signed("l-xx", "a-cell-xx", date(2021, 11, 20))])  # late: stays flagged
    assert sweep(app, datetime(2021, 12, 1, tzinfo=UTC)) == {"letter_flags": 0}
    assert len(flags(app)) == 2


def test_the_migration_adds_the_letters_keeping_reportings_data(tmp_path):
    from sqlalchemy import create_engine, text

    from shared.migrations import upgrade

    url = f"sqlite:///{tmp_path / 'reporting.db'}"
    upgrade("reporting", url, "0014")
    with create_engine(url).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO grid_units (code, name, kind, last_sequence) "
                "VALUES ('JD', '机电工程学院', 'college', 1)"
            )
        )
    upgrade("reporting", url)
    with create_engine(url).connect() as conn:
        assert conn.execute(text("SELECT name FROM grid_units")).scalar() == "机电工程学院"
        assert conn.execute(text("SELECT count(*) FROM letter_projection")).scalar() == 0
