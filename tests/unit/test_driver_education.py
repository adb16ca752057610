"""A driver's periodic safety education comes from education's events (issue 17): a sign-in
to an education activity is announced (attendance.recorded, in the sign-in's transaction),
and the vehicles register takes it for the driver with that staff number — the newest day
wins whatever the order, a re-delivery changes nothing, a date typed by hand stays the
fallback, and the driver's page says where the date came from."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, select, text

from services.hazards.registers.vehicles import domain
from shared.api import state
from shared.events import Envelope
from shared.events.catalog import validate_data
from shared.events.outbox import OutboxMessage
from shared.migrations import upgrade
from shared.timeutil import campus_today, utcnow
from tests.support.fixtures import bearer
from tests.support.handlers import handlers_of
from tests.unit.test_vehicles_register import JD, driver, ok, seed

SO = bearer("security_office", sub="office")


def test_which_activities_count_and_which_day_wins():
    assert domain.counts_as_safety_education("lecture")
    assert domain.counts_as_safety_education("case_education")
    assert domain.counts_as_safety_education("hands_on")
    assert not domain.counts_as_safety_education("mental_health")
    assert not domain.counts_as_safety_education("drill")
    day = date(2026, 5, 10)
    assert domain.takes_attendance(None, None, day)  # never educated: any activity counts
    assert domain.takes_attendance(day - timedelta(days=1), "a-old", day)  # a later one
    assert not domain.takes_attendance(day + timedelta(days=1), None, day)  # an older one
    assert domain.takes_attendance(day, None, day)  # same day over a hand-typed date
    assert not domain.takes_attendance(day, "a-1", day)  # same day again: nothing
    assert domain.education_source_label(None, None) is None
    assert domain.education_source_label(day, None) == "手工录入"
    assert domain.education_source_label(day, "驾驶员安全教育") == "教育活动《驾驶员安全教育》"


@pytest.fixture
def app(make_app):
    return seed(make_app("hazards"))


@pytest.fixture
def client(app):
    return app.test_client()


def attended(app, held_on: str, *, person_ref="D001", kind="lecture", activity="a-1", title=None):
    data = {
        "activity_id": activity,
        "kind": kind,
        "title": title or "驾驶员交通安全教育",
        "theme": "交通安全",
        "held_on": held_on,
        "person_ref": person_ref,
        "unit_code": "JD",
    }
    event = Envelope(
        "attendance.recorded",
        1,
        "education",
        f"enrolment-{activity}-{person_ref}",
        1,
        validate_data("attendance.recorded", 1, data),
    )
    with app.app_context(), state().session_factory.begin() as session:
        handlers_of("hazards")["attendance.recorded"](session, event)
    return event


def test_an_attended_activity_becomes_the_drivers_safety_education(client, app):
    d = driver(client, education="2021-09-01")
    assert d["education_source"] == "手工录入"
    attended(app, "2022-05-10", title="2022年驾驶员安全教育")
    got = ok(client.get(f"/drivers/{d['id']}", headers=JD))
    assert got["last_education_on"] == "2022-05-10"
    assert got["education_valid_until"] == "2023-05-10"
    assert got["education_source"] == "教育活动《2022年驾驶员安全教育》"
    assert got["last_education_activity_id"] == "a-1"
    assert got["version"] == d["version"] + 1

    attended(app, "2022-05-10", title="2022年驾驶员安全教育")  # delivered again
    attended(app, "2022-01-03", activity="a-0")  # an older activity, arriving late
    attended(app, "2023-01-01", kind="mental_health", activity="a-2")  # does not count
    attended(app, "2023-01-01", person_ref="2021010101", activity="a-3")  # not a driver
    again = ok(client.get(f"/drivers/{d['id']}", headers=JD))
    assert again == got


def test_the_due_list_follows_the_attended_activity(client, app):
    today = campus_today("Asia/Shanghai")
    d = driver(client, education=None, expiry=(today + timedelta(days=900)).isoformat())
    lapsed = ok(client.get("/drivers", query_string={"due": "lapsed"}, headers=JD))
    assert [x["id"] for x in lapsed] == [d["id"]]
    attended(app, today.isoformat())
    assert ok(client.get("/drivers", query_string={"due": "lapsed"}, headers=JD)) == []


def test_a_date_typed_by_hand_stays_the_fallback(client, app):
    d = driver(client, education="2021-09-01")
    attended(app, "2022-05-10")
    got = ok(client.get(f"/drivers/{d['id']}", headers=JD))
    # the console's edit form sends the date back unchanged: the activity stays the source
    same = {"last_education_on": "2022-05-10", "phone": "13900000000"}
    kept = ok(client.patch(f"/drivers/{d['id']}", json=same, headers=JD))
    assert kept["education_source"] == "教育活动《驾驶员交通安全教育》"
    assert kept["version"] == got["version"] + 1  # the phone changed
    typed_date = {"last_education_on": "2022-06-01"}
    typed = ok(client.patch(f"/drivers/{d['id']}", json=typed_date, headers=JD))
    assert (typed["education_source"], typed["last_education_activity_id"]) == ("手工录入", None)
    assert typed["education_valid_until"] == "2023-06-01"
    # an activity on the day typed by hand replaces the hand entry; an older one does not
    attended(app, "2022-05-20", activity="a-5")
    assert ok(client.get(f"/drivers/{d['id']}", headers=JD))["education_source"] == "手工录入"
    attended(app, "2022-06-01", activity="a-6", title="六月安全教育")
    latest = ok(client.get(f"/drivers/{d['id']}", headers=JD))
    assert latest["education_source"] == "教育活动《六月安全教育》"


@pytest.mark.parametrize("kind", ["lecture", "mental_health"])
def test_a_check_in_announces_the_attendance_by_number_only(make_app, kind):
    edu_app = make_app("education")
    with edu_app.app_context(), state().session_factory.begin() as session:
        for code, name in (("JD", "机电工程学院"), ("BWC", "安全保卫处")):
            unit = {"code": code, "name": name, "kind": "college"}
            handlers_of("education")["unit.changed"](
                session, Envelope("unit.changed", 1, "grid", code, 1, unit)
            )
    edu = edu_app.test_client()
    now = utcnow()
    body = {
        "kind": kind,
        "title": "驾驶员交通安全教育",
        "theme": "交通安全",
        "organiser_unit": "BWC",
        "starts_at": (now - timedelta(minutes=10)).isoformat(),
        "ends_at": (now + timedelta(minutes=50)).isoformat(),
        "venue": "报告厅",
        "targets": [{"unit_code": "JD"}],
    }
    activity = ok(edu.post("/activities", json=body, headers=SO), 201)
    person = {"person_ref": "D001", "name": "张师傅", "unit_code": "JD"}
    path = f"/activities/{activity['id']}"
    ok(edu.post(f"{path}/enrolments", json={"people": [person]}, headers=SO))
    code = ok(edu.get(f"{path}/sign-in", headers=SO))["code"]
    zhang = bearer("grid_staff", unit="JD", sub="D001")
    ok(edu.post(f"{path}/check-in", json={"code": code}, headers=zhang))
    with edu_app.app_context(), state().session_factory() as session:
        bodies = session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.event_type == "attendance.recorded")
        ).all()
    if kind == "mental_health":  # who attends one stays in education
        assert bodies == []
        return
    assert len(bodies) == 1
    data = Envelope.from_json(bodies[0]).data
    assert data == {
        "activity_id": activity["id"],
        "kind": "lecture",
        "title": "驾驶员交通安全教育",
        "theme": "交通安全",
        "held_on": campus_today("Asia/Shanghai", now - timedelta(minutes=10)).isoformat(),
        "person_ref": "D001",
        "unit_code": "JD",
    }
    sent = bodies[0].decode() if isinstance(bodies[0], bytes) else bodies[0]
    assert "张师傅" not in sent  # a number, never the name


def test_migration_0023_keeps_the_typed_dates_as_typed(tmp_path):
    url = f"sqlite:///{tmp_path / 'hazards.db'}"
    upgrade("hazards", url, "0022")
    with create_engine(url).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO vehicle_drivers (id, name, staff_no, unit_code, cell_id,"
                " licence_class, licence_expiry, last_education_on, education_due, status,"
                " version, created_by, created_at, updated_at) VALUES ('d1', '张师傅', 'D001',"
                " 'JD', 'garage', 'A1', '2027-01-01', '2026-03-01', '2027-03-01', 'active', 1,"
                " 'office', '2026-11-08 09:00:00', '2026-11-08 09:00:00')"
            )
        )
    upgrade("hazards", url, "0023")
    with create_engine(url).begin() as conn:
        row = conn.execute(
            text(
                "SELECT staff_no, last_education_on, last_education_activity_id,"
                " last_education_activity_title FROM vehicle_drivers"
            )
        ).one()
    assert tuple(row) == ("D001", "2026-03-01", None, None)  # 手工录入
