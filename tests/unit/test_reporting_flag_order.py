"""Hazard flags in reporting follow the projection's state, whatever order the events
arrive in, and are dated by the campus calendar (SQLite)."""

from __future__ import annotations

import itertools
import random
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from services.reporting import commands
from services.reporting.handlers import event_handlers
from services.reporting.models import Campaign, Flag, HazardProjection
from shared.api import state
from shared.events.envelope import Envelope
from shared.grid_projection import GridAssignment, GridCell
from tests.support.handlers import handlers_of
from tests.support.reporting import hazard_event

EVENT_HANDLERS = handlers_of("reporting")

D1, D2 = "2021-11-20", "2021-11-30"
# One major hazard's life, in sequence: (sequence, type, state). Overdue on its first
# deadline, extended, overdue again, announced major-unresolved, rectified, fixed. The unit's
# part ends when it is rectified (awaiting acceptance is the acceptor's time).
HISTORY = [
    (1, "hazard.created", {"status": "discovered"}),
    (2, "hazard.registered", {"status": "registered", "deadline": D1}),
    (3, "hazard.overdue", {"status": "in_remediation", "deadline": D1, "overdue": True}),
    (4, "hazard.deadline_extended", {"status": "in_remediation", "deadline": D2}),
    (5, "hazard.overdue", {"status": "in_remediation", "deadline": D2, "overdue": True}),
    (6, "hazard.major_unresolved", {"status": "in_remediation", "deadline": D2, "overdue": True}),
    (7, "hazard.rectified", {"status": "rectified", "deadline": D2, "overdue": True}),
    (8, "hazard.accepted", {"status": "accepted", "deadline": D2}),
    (9, "hazard.closed", {"status": "closed", "deadline": D2}),
]
# Extended while overdue, then events that do not touch the flags (rectified, rejected)
# before the next announcements: flags must still end right when these come first.
D3 = "2021-12-10"
QUIET_HISTORY = [
    (1, "hazard.created", {"status": "discovered"}),
    (2, "hazard.overdue", {"status": "in_remediation", "deadline": D1, "overdue": True}),
    (3, "hazard.deadline_extended", {"status": "in_remediation", "deadline": D2}),
    (4, "hazard.rectified", {"status": "rectified", "deadline": D2}),
    (5, "hazard.rejected", {"status": "in_remediation", "deadline": D2}),
    (6, "hazard.major_unresolved", {"status": "in_remediation", "deadline": D2}),
    (7, "hazard.overdue", {"status": "in_remediation", "deadline": D2, "overdue": True}),
    (8, "hazard.deadline_extended", {"status": "in_remediation", "deadline": D3}),
    (9, "hazard.rectified", {"status": "rectified", "deadline": D3}),
]
# Open flags after the first k events of HISTORY delivered in order.
OPEN_IN_ORDER = {
    1: set(),
    2: set(),
    3: {("overdue_hazard", f"overdue_hazard:H:{D1}")},
    4: set(),
    5: {("overdue_hazard", f"overdue_hazard:H:{D2}")},
    6: {("overdue_hazard", f"overdue_hazard:H:{D2}"), ("major_unresolved", "major_unresolved:H")},
    7: set(),
    8: set(),
    9: set(),
}


@pytest.fixture
def app(make_app):
    app = make_app("reporting")
    with app.app_context(), state().session_factory() as session:
        commands.load_seed_campaign(session)  # LZXD-2021: 2021-11-08 .. 2022-01-03
        session.commit()
    return app


def session_of(app):
    with app.app_context():
        return state().session_factory()


def event(
    event_type: str,
    sequence: int,
    hazard_id: str,
    occurred_at: datetime | None = None,
    **changes,
) -> Envelope:
    """A major JD hazard's event; a closed one carries its closing time."""
    state = {"number": f"YH-2021-{sequence:05d}", "severity": "major", **changes}
    if state.get("status") == "closed":
        state["closed_at"] = datetime(2021, 12, 20, tzinfo=UTC)
    return hazard_event(event_type, sequence, hazard_id, occurred_at, **state)


def deliver(session, history, order, handlers=EVENT_HANDLERS) -> str:
    """Deliver ``history`` (a list of (sequence, type, state)) in ``order`` (indexes) for
    a new hazard, each event as its own delivery; returns the hazard id."""
    hazard_id = str(uuid.uuid4())
    for i in order:
        sequence, event_type, changes = history[i]
        envelope = event(event_type, sequence, hazard_id, **changes)
        handlers[envelope.type](session, envelope)
    session.flush()
    return hazard_id


def open_flags(session, hazard_id: str) -> set[tuple[str, str]]:
    flags = session.scalars(
        select(Flag).where(Flag.cause_key.like(f"%:{hazard_id}%"), Flag.resolved_at.is_(None))
    ).all()
    return {(f.rule, f.cause_key.replace(hazard_id, "H")) for f in flags}


def all_flags(session, hazard_id: str) -> list[Flag]:
    return session.scalars(select(Flag).where(Flag.cause_key.like(f"%:{hazard_id}%"))).all()


def orders(k: int, sample: int = 80):
    """Every order of k events (k <= 5), else the reversed one and a seeded sample."""
    if k <= 5:
        return list(itertools.permutations(range(k)))
    rng = random.Random(k)
    picked = [tuple(range(k))[::-1]]
    for _ in range(sample):
        order = list(range(k))
        rng.shuffle(order)
        picked.append(tuple(order))
    return picked


def test_the_audited_case_a_late_overdue_after_closed_keeps_the_lateness_on_record(app):
    """An overdue announcement delivered after the close still happened before it (its
    sequence says so): the lateness is on record either way, as resolved_late, and never
    open — the same flag as when the events come in order."""
    history = [HISTORY[0], HISTORY[2], HISTORY[8]]  # created 1, overdue 3, closed 9
    with session_of(app) as session:
        hazard_id = deliver(session, history, [0, 2, 1])  # overdue arrives after closed
        [late] = all_flags(session, hazard_id)
        projected = session.get(HazardProjection, hazard_id)
        assert (projected.status, projected.overdue, projected.last_sequence) == (
            "closed",
            False,
            9,
        )
        in_order = deliver(session, history, [0, 1, 2])
        [flag] = all_flags(session, in_order)  # raised, then on record as fixed late
        assert flag.status == late.status == "resolved_late"
        assert flag.days_late == late.days_late == 30  # deadline 11-20, closed 12-20
        assert flag.resolved_at is not None and late.resolved_at is not None


@pytest.mark.parametrize("k", range(1, len(HISTORY) + 1))
@pytest.mark.parametrize("name", ["history", "quiet"])
def test_flags_end_as_if_delivered_in_order_whatever_the_order(app, name, k):
    """The first k events of a hazard's history delivered in every order (a sample of them
    past 5 events): the open flags are those of the in-order delivery. One test per k, so
    that the long ones can run side by side."""
    full = HISTORY if name == "history" else QUIET_HISTORY
    history = full[:k]
    with session_of(app) as session:
        in_order = open_flags(session, deliver(session, history, range(k)))
        if name == "history":
            assert in_order == OPEN_IN_ORDER[k], k
        session.rollback()
        for order in orders(k):
            got = open_flags(session, deliver(session, history, order))
            # Each delivery is a hazard of its own: forgetting it keeps the flag table
            # (and the test's run time) from growing with every order tried.
            session.rollback()
            assert got == in_order, [history[i][:2] for i in order]


def test_redelivered_and_stale_events_keep_one_flag_per_cause(app):
    """Duplicates and late events: one flag per cause; lateness that happened (the first
    deadline, then extended) stays on record as resolved_late, never withdrawn."""
    with session_of(app) as session:
        order = [0, 1, 2, 2, 4, 3, 5, 4, 5, 2]  # duplicates and late ones, up to major
        hazard_id = deliver(session, HISTORY, order)

        def statuses():
            return {
                f.cause_key.replace(hazard_id, "H"): f.status for f in all_flags(session, hazard_id)
            }

        assert statuses() == {
            f"overdue_hazard:H:{D1}": "resolved_late",
            f"overdue_hazard:H:{D2}": "open",
            "major_unresolved:H": "open",
        }
        sequence, event_type, changes = HISTORY[6]  # rectified, then delivered again
        for _ in range(2):
            EVENT_HANDLERS[event_type](session, event(event_type, sequence, hazard_id, **changes))
        session.flush()
        assert statuses() == {
            f"overdue_hazard:H:{D1}": "resolved_late",
            f"overdue_hazard:H:{D2}": "resolved_late",
            "major_unresolved:H": "resolved_late",
        }


# -- campus dates ----------------------------------------------------------------------------
def test_a_flag_belongs_to_the_campaign_running_when_its_cause_arose_by_campus_date(app):
    """A major hazard announced unresolved at 2021-11-07 17:30 UTC — 2021-11-08 01:30 in
    Lanzhou (UTC+8), the campaign's first day — is the campaign's; bound to UTC the same
    instant is 2021-11-07, before it. A hazard found before the campaign and overdue during
    it (carried over) is the campaign's too; one overdue before it began is not."""
    early = datetime(2021, 11, 7, 17, 30, tzinfo=UTC)
    before = datetime(2021, 10, 20, 2, tzinfo=UTC)
    major = {"status": "in_remediation", "found_at": early}
    carried = {"status": "in_remediation", "deadline": D1, "overdue": True, "found_at": before}
    old = {
        "status": "in_remediation",
        "deadline": "2021-11-01",
        "overdue": True,
        "found_at": before,
    }
    with session_of(app) as session:
        campaign_id = session.scalar(select(Campaign.id))

        def campaign_of_flag(handlers, event_type, changes, occurred_at=None):
            hazard_id = str(uuid.uuid4())
            envelope = event(event_type, 3, hazard_id, occurred_at=occurred_at, **changes)
            handlers[event_type](session, envelope)
            session.flush()
            [flag] = all_flags(session, hazard_id)
            return flag.campaign_id

        assert campaign_of_flag(EVENT_HANDLERS, "hazard.major_unresolved", major, early) == (
            campaign_id
        )
        utc = event_handlers("UTC")
        assert campaign_of_flag(utc, "hazard.major_unresolved", major, early) is None
        assert campaign_of_flag(EVENT_HANDLERS, "hazard.overdue", carried) == campaign_id
        assert campaign_of_flag(EVENT_HANDLERS, "hazard.overdue", old) is None


def test_a_major_unresolved_flag_names_the_head_of_the_campus_day(app):
    """The sweep announces at 01:00 on 2021-12-10 campus time (17:00 UTC on the 9th), the
    day the new head took over: the new head answers for it."""
    with session_of(app) as session:
        session.add(
            GridCell(
                cell_id="cell-lab",
                code="JD-LAB",
                name="实训楼",
                level=3,
                parent_id=None,
                unit_code="JD",
                area_type="lab",
                last_sequence=1,
            )
        )
        for assignment_id, name, starts, ends in (
            ("a-old", "王旧", date(2021, 9, 1), date(2021, 12, 10)),
            ("a-new", "李新", date(2021, 12, 10), None),
        ):
            session.add(
                GridAssignment(
                    assignment_id=assignment_id,
                    cell_id="cell-lab",
                    person_id=f"p-{assignment_id}",
                    person_name=name,
                    role="head",
                    effective_from=starts,
                    effective_to=ends,
                    last_sequence=1,
                )
            )
        session.flush()
        hazard_id = str(uuid.uuid4())
        announced = event(
            "hazard.major_unresolved",
            4,
            hazard_id,
            occurred_at=datetime(2021, 12, 9, 17, 0, tzinfo=UTC),
            status="in_remediation",
            cell_id="cell-lab",
        )
        EVENT_HANDLERS[announced.type](session, announced)
        session.flush()
        [flag] = all_flags(session, hazard_id)
        assert flag.person_name == "李新"
