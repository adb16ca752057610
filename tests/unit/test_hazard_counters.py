"""The hazard counters the statistics read: moved by each newer hazard state, untouched by
stale and duplicate events, and checked against the projection (check-counters)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from click.testing import CliRunner
from sqlalchemy import text

from services.cli import main
from services.reporting.handlers import event_handlers
from services.reporting.statistics import counters
from services.reporting.statistics.models import NO_DAY
from shared.api import state
from tests.support.events import consume, feed
from tests.support.fixtures import bearer
from tests.support.reporting import hazard_event

SO = bearer("security_office", sub="office")
TZ = "Asia/Shanghai"
# 00:30 on 2021-11-11 on campus: the campus day, not the UTC one (2021-11-10).
FOUND = datetime(2021, 11, 10, 16, 30, tzinfo=UTC)
CLOSED = datetime(2021, 11, 14, 3, 15, 7, 250, tzinfo=UTC)


def session_of(app):
    with app.app_context():
        return state().session_factory()


def history(hazard_id: str) -> list:
    """Found, registered with a deadline, announced overdue, closed out."""
    return [
        hazard_event("hazard.created", 1, hazard_id, found_at=FOUND),
        hazard_event(
            "hazard.registered", 2, hazard_id, found_at=FOUND, status="registered",
            deadline="2021-11-12",
        ),
        hazard_event(
            "hazard.overdue", 3, hazard_id, found_at=FOUND, status="registered",
            deadline="2021-11-12", overdue=True,
        ),
        hazard_event(
            "hazard.closed", 5, hazard_id, found_at=FOUND, status="closed",
            deadline="2021-11-12", overdue=True, closed_at=CLOSED,
        ),
    ]  # fmt: skip


def test_each_newer_state_moves_the_hazard_and_stale_or_duplicate_events_do_not(make_app):
    app = make_app("reporting", campus_timezone=TZ)
    handlers = event_handlers(TZ)
    with session_of(app) as session:
        feed(session, handlers, history("a")[:3] + history("b")[:1])
        fine, units, _ = counters.stored(session)
        day = date(2021, 11, 11)
        assert fine == {
            ("JD", day, "fire", "general", "registered", True, date(2021, 11, 12), NO_DAY): [
                1, 0, 0
            ],
            ("JD", day, "fire", "general", "discovered", False, NO_DAY, NO_DAY): [1, 0, 0],
        }  # fmt: skip
        assert units == {
            (day, "JD", "registered"): [1, 1, 0, 0, 0],
            (day, "JD", "discovered"): [1, 0, 0, 0, 0],
        }
        feed(session, handlers, history("a")[3:])
        micros = (CLOSED - FOUND).days * 86_400_000_000 + (CLOSED - FOUND).seconds * 10**6 + 250
        closed_key = ("JD", day, "fire", "general", "closed", True, date(2021, 11, 12))
        assert counters.stored(session)[0][(*closed_key, date(2021, 11, 14))] == [1, 1, micros]

        before = counters.stored(session)
        stale = hazard_event(
            "hazard.rectified", 4, "a", found_at=FOUND, status="rectified", overdue=True
        )
        feed(session, handlers, [stale, history("b")[0]])  # stale, then a duplicate
        assert counters.stored(session) == before
        assert counters.differences(session, TZ) == []


def test_counters_are_what_the_statistics_read(make_app):
    app = make_app("reporting", campus_timezone=TZ)
    with session_of(app) as session:
        feed(session, event_handlers(TZ), history("a") + history("b")[:2])
        session.execute(text("DELETE FROM hazard_counts"))
        session.execute(text("DELETE FROM hazard_unit_counts"))
        session.execute(text("DELETE FROM hazard_table_counts"))
        session.commit()
    body = app.test_client().get("/statistics?group_by=unit", headers=SO).get_json()
    assert body["rows"] == []  # the hazards are still there; the counters are not


def test_check_counters_reports_a_corrupted_counter_and_rebuilds(make_app, monkeypatch):
    app = make_app("reporting", campus_timezone=TZ)
    with session_of(app) as session:
        feed(session, event_handlers(TZ), history("a") + history("b")[:2])
        session.execute(
            text("UPDATE hazard_unit_counts SET hazards = hazards + 2 WHERE status = 'closed'")
        )
        session.commit()
        lines = counters.differences(session, TZ)
    assert lines == ["hazard_unit_counts (2021-11-11, JD, closed): 存 [3, 1, 0, 1, "
                     f"{(CLOSED - FOUND) // counters.MICROSECOND}]，应为 [1, 1, 0, 1, "
                     f"{(CLOSED - FOUND) // counters.MICROSECOND}]"]  # fmt: skip
    with app.app_context():
        monkeypatch.setenv("REPORTING_DATABASE_URL", state().settings.database_url)
    monkeypatch.setenv("CAMPUS_TIMEZONE", TZ)
    runner = CliRunner()
    first = runner.invoke(main, ["check-counters"])
    assert first.exit_code == 1, first.output
    assert lines[0] in first.stdout
    rebuilt = runner.invoke(main, ["check-counters", "--rebuild"])
    assert rebuilt.exit_code == 1, rebuilt.output
    again = runner.invoke(main, ["check-counters"])
    assert again.exit_code == 0, again.output
    assert "一致" in again.stdout


def test_a_failed_event_leaves_no_count_and_the_others_commit(make_app):
    """The consumer replays a failed batch one SAVEPOINT per event: the event that fails
    after its counters were noted leaves none of them; the others are counted once."""
    app = make_app("reporting", campus_timezone=TZ)
    handlers = dict(event_handlers(TZ))
    apply = handlers["hazard.registered"]

    def failing(session, event):
        apply(session, event)  # counters noted, then the handler fails
        if event.data["hazard_id"] == "b":
            raise RuntimeError("boom")

    handlers["hazard.registered"] = failing
    with session_of(app) as session:
        outcomes = consume(session, handlers, history("a")[:2] + history("b")[:2])
        session.commit()
        assert sorted(outcomes.values()) == ["ack", "ack", "ack", "requeue"]
        assert counters.differences(session, TZ) == []
        fine, units, _ = counters.stored(session)
        assert sorted(key[4] for key in fine) == ["discovered", "registered"]
        assert units == {
            (date(2021, 11, 11), "JD", "registered"): [1, 0, 0, 0, 0],
            (date(2021, 11, 11), "JD", "discovered"): [1, 0, 0, 0, 0],
        }
