"""The education service over HTTP (SQLite, no broker): scheduling conflicts, the .ics
feed, sign-in and attendance, drill results and their events, coverage, themed dates."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from icalendar import Calendar
from PIL import Image
from sqlalchemy import select

from shared.api import state
from shared.events import Envelope
from shared.events.outbox import OutboxMessage
from shared.timeutil import utcnow
from tests.support.fixtures import bearer
from tests.support.handlers import handlers_of

EVENT_HANDLERS = handlers_of("education")

SO = bearer("security_office")
JD_MANAGER = bearer("unit_manager", unit="JD")
XX_MANAGER = bearer("unit_manager", unit="XX")
JD_STAFF = bearer("grid_staff", unit="JD", sub="jd-staff")
CW_STAFF = bearer("grid_staff", unit="CW")
SHANGHAI = ZoneInfo("Asia/Shanghai")
UNITS = {"JD": "机电工程学院", "XX": "信息工程学院", "CW": "财务处", "BWC": "安全保卫处"}


def ok(response, status=200):
    assert response.status_code == status, response.get_json() or response.data[:300]
    return response.get_json()


def apply(app, event_type: str, subject: str, data: dict, sequence: int = 1) -> None:
    """Feed an event to the education service's handlers, as its consumer would."""
    with app.app_context(), state().session_factory.begin() as session:
        EVENT_HANDLERS[event_type](
            session, Envelope(event_type, 1, "grid", subject, sequence, data)
        )


@pytest.fixture
def edu(make_app):
    app = make_app(
        "education",
        public_base_url="https://edu.campus.example",
        public_url="https://safety.campus.example/console",  # the web console
    )
    for code, name in UNITS.items():
        apply(app, "unit.changed", code, {"code": code, "name": name, "kind": "college"})
    apply(
        app,
        "cell.changed",
        "cell-jd-b1",
        {
            "cell_id": "cell-jd-b1",
            "code": "JD-B1",
            "name": "1号教学楼",
            "level": 3,
            "parent_id": None,
            "unit_code": "JD",
            "area_type": "teaching",
            "location": None,
        },
    )
    client = app.test_client()
    client.app_ = app
    return client


def at(hours: float, base: datetime = datetime(2031, 11, 9, 9, 0, tzinfo=SHANGHAI)) -> str:
    return (base + timedelta(hours=hours)).isoformat()


def activity(client, headers=SO, status=201, **fields):
    body = {
        "kind": "lecture",
        "title": "消防安全知识讲座",
        "organiser_unit": "BWC",
        "targets": [{"unit_code": "JD"}],
        "venue": "1号报告厅",
        "starts_at": at(0),
        "ends_at": at(1),
        **fields,
    }
    return ok(client.post("/activities", json=body, headers=headers), status)


def outbox(client) -> list[Envelope]:
    with client.app_.app_context(), state().session_factory() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return [Envelope.from_json(r.body) for r in rows]


# -- scheduling -------------------------------------------------------------------------------
def test_overlapping_venue_booking_is_409_naming_the_clash_and_adjacent_is_fine(edu):
    first = activity(edu, title="消防安全知识讲座")
    assert first["kind_label"] == "科普讲座" and first["status"] == "planned"
    clash = edu.post(
        "/activities",
        json={
            "kind": "case_education",
            "title": "交通安全案例教育",
            "organiser_unit": "XX",
            "targets": [{"unit_code": "XX"}],
            "venue": " 1号报告厅 ",  # the same room, typed differently
            "starts_at": at(0.5),
            "ends_at": at(1.5),
        },
        headers=XX_MANAGER,
    )
    assert clash.status_code == 409
    assert clash.content_type == "application/problem+json"
    problem = clash.get_json()
    assert problem["conflicting_activity"]["id"] == first["id"]
    assert problem["conflicting_activity"]["title"] == "消防安全知识讲座"
    assert "消防安全知识讲座" in problem["detail"] and "2031-11-09 09:00" in problem["detail"]
    # end == start on either side: no overlap
    after = activity(edu, title="之后", starts_at=at(1), ends_at=at(2), headers=SO)
    before = activity(edu, title="之前", starts_at=at(-1), ends_at=at(0), headers=SO)
    assert after["warnings"] == [] or all(w["code"] for w in after["warnings"])
    assert before["id"] != after["id"]
    # a different room at the same time is fine; a cancelled booking frees the room
    activity(edu, title="别处", venue="操场", targets=[{"unit_code": "XX"}])
    ok(edu.post(f"/activities/{first['id']}/cancel", json={"reason": "讲师因故"}, headers=SO))
    again = activity(edu, title="改期讲座", starts_at=at(0.5), ends_at=at(0.75))
    assert again["venue"] == "1号报告厅"


def test_moving_an_activity_onto_a_booked_slot_is_409_and_if_match_guards_edits(edu):
    a = activity(edu, title="A")
    b = activity(edu, title="B", starts_at=at(2), ends_at=at(3))
    response = edu.patch(
        f"/activities/{b['id']}", json={"starts_at": at(0.5)}, headers={**SO, "If-Match": '"1"'}
    )
    assert response.status_code == 409
    assert response.get_json()["conflicting_activity"]["id"] == a["id"]
    stale = edu.patch(
        f"/activities/{b['id']}", json={"title": "B2"}, headers={**SO, "If-Match": '"9"'}
    )
    assert stale.status_code == 412
    moved = edu.patch(
        f"/activities/{b['id']}",
        json={"starts_at": at(1), "ends_at": at(2)},
        headers={**SO, "If-Match": '"1"'},
    )
    assert ok(moved)["version"] == 2 and moved.headers["ETag"] == '"2"'
    types = [(e.type, e.subject, e.sequence) for e in outbox(edu)]
    assert types[-1] == ("activity.scheduled", b["id"], 2)


def test_a_target_unit_booked_twice_gets_a_warning_not_an_error(edu):
    first = activity(
        edu, title="消防演练", kind="drill", venue="操场", targets=[{"unit_code": "JD"}]
    )
    second = activity(
        edu,
        title="心理健康课",
        kind="mental_health",
        venue="心理辅导室",
        targets=[{"unit_code": "JD", "class_name": "机电2101班"}, {"unit_code": "XX"}],
        starts_at=at(0.5),
        ends_at=at(1.5),
    )
    assert [(w["code"], w["unit_code"], w["activity_id"]) for w in second["warnings"]] == [
        ("target_double_booked", "JD", first["id"])
    ]
    assert "消防演练" in second["warnings"][0]["detail"]
    assert second["target_units"] == ["JD", "XX"]


def test_access_security_office_all_unit_managers_their_own_others_read_in_scope(edu):
    ok(edu.post("/activities", json={}, headers=JD_MANAGER), 422)  # validation first
    mine = activity(edu, headers=JD_MANAGER, organiser_unit="JD", venue="机电楼101")
    denied = edu.post(
        "/activities",
        json={
            "kind": "lecture",
            "title": "x",
            "organiser_unit": "XX",
            "targets": [{"unit_code": "XX"}],
            "starts_at": at(3),
            "ends_at": at(4),
        },
        headers=JD_MANAGER,
    )
    assert denied.status_code == 403
    ok(edu.post(f"/activities/{mine['id']}/cancel", json={"reason": "x"}, headers=XX_MANAGER), 403)
    xx_only = activity(edu, organiser_unit="XX", targets=[{"unit_code": "XX"}], venue="信息楼")
    assert ok(edu.get(f"/activities/{mine['id']}", headers=JD_STAFF))["id"] == mine["id"]
    ok(edu.get(f"/activities/{xx_only['id']}", headers=JD_STAFF), 403)
    listed = ok(edu.get("/activities", headers=JD_STAFF))
    assert [a["id"] for a in listed] == [mine["id"]]
    assert len(ok(edu.get("/activities", headers=SO))) == 2
    unknown = edu.post(
        "/activities",
        json={
            "kind": "lecture",
            "title": "x",
            "organiser_unit": "BWC",
            "targets": [{"unit_code": "NOPE"}],
            "starts_at": at(5),
            "ends_at": at(6),
        },
        headers=SO,
    )
    assert unknown.status_code == 422 and "NOPE" in unknown.get_json()["detail"]
    ok(edu.get("/activities"), 401)


def test_events_carry_the_activity_state_with_increasing_sequence(edu):
    a = activity(edu)
    ok(edu.post(f"/activities/{a['id']}/cancel", json={"reason": "天气原因"}, headers=SO))
    events = [e for e in outbox(edu) if e.subject == a["id"]]
    assert [(e.type, e.sequence) for e in events] == [
        ("activity.scheduled", 1),
        ("activity.cancelled", 2),
    ]
    assert events[1].data["status"] == "cancelled"
    assert events[1].data["target_units"] == ["JD"]
    assert events[1].source == "education"
    again = edu.post(f"/activities/{a['id']}/cancel", json={"reason": "x"}, headers=SO)
    assert again.status_code == 409


# -- calendar ---------------------------------------------------------------------------------
def test_ics_feed_parses_and_holds_the_units_activities_in_shanghai_time(edu):
    now = utcnow().replace(microsecond=0)
    base = now.astimezone(SHANGHAI).replace(minute=0, second=0) + timedelta(days=2)
    jd = activity(
        edu, title="消防疏散演练", kind="drill", starts_at=at(0, base), ends_at=at(1, base)
    )
    organised = activity(
        edu,
        headers=JD_MANAGER,
        title="实验室安全讲座",
        organiser_unit="JD",
        targets=[{"unit_code": "XX"}],
        venue="机电楼101",
        starts_at=at(24, base),
        ends_at=at(25, base),
    )
    cancelled = activity(edu, title="取消的讲座", starts_at=at(48, base), ends_at=at(49, base))
    ok(edu.post(f"/activities/{cancelled['id']}/cancel", json={"reason": "改期"}, headers=SO))
    other = activity(
        edu,
        title="信息学院讲座",
        targets=[{"unit_code": "XX"}],
        venue="信息楼",
        starts_at=at(3, base),
        ends_at=at(4, base),
    )

    sub = ok(edu.get("/calendar/JD/subscription", headers=JD_STAFF))
    assert sub["url"].startswith("https://edu.campus.example/calendar/JD.ics?key=")
    assert sub["webcal_url"].startswith("webcal://edu.campus.example/calendar/JD.ics?key=")
    path = sub["url"].removeprefix("https://edu.campus.example")
    response = edu.get(path)  # a phone: no Authorization header, the key in the URL
    assert response.status_code == 200, response.data[:300]
    assert response.headers["Content-Type"].startswith("text/calendar")

    cal = Calendar.from_ical(response.data)
    assert cal["X-WR-TIMEZONE"] == "Asia/Shanghai"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    events = {
        str(e["UID"]).split("@")[0]: e
        for e in cal.walk("VEVENT")
        if not str(e["UID"]).startswith("themed-")
    }
    assert set(events) == {jd["id"], organised["id"], cancelled["id"]}
    assert other["id"] not in events
    drill = events[jd["id"]]
    assert str(drill["SUMMARY"]) == "【安全演练】消防疏散演练"
    assert str(drill["LOCATION"]) == "1号报告厅"
    assert drill["DTSTART"].params["TZID"] == "Asia/Shanghai"
    start = drill.decoded("DTSTART")
    assert start.tzinfo is not None and start.utcoffset() == timedelta(hours=8)
    assert start == datetime.fromisoformat(jd["starts_at"])
    assert (start.hour, start.minute) == (base.hour, 0)  # wall-clock time on campus
    assert drill.decoded("DTEND") == datetime.fromisoformat(jd["ends_at"])
    assert "DTSTART;TZID=Asia/Shanghai:" in response.data.decode()
    assert str(events[cancelled["id"]]["STATUS"]) == "CANCELLED"
    assert str(drill["STATUS"]) == "CONFIRMED"

    assert edu.get("/calendar/JD.ics?key=" + "0" * 32).status_code == 403
    assert edu.get(path.replace("/JD.ics", "/XX.ics")).status_code == 403  # JD's key
    assert edu.get("/calendar/JD.ics").status_code == 401
    assert edu.get("/calendar/JD.ics", headers=JD_STAFF).status_code == 200
    assert edu.get("/calendar/JD.ics", headers=CW_STAFF).status_code == 403
    ok(edu.get("/calendar/JD/subscription", headers=CW_STAFF), 403)


def test_feed_refuses_odd_keys_and_unit_codes_without_breaking(edu):
    """Anything in the URL is a 4xx, never a 500: a non-ASCII key, a unit code with a line
    break (once a broken Content-Disposition header) or a quote."""
    response = edu.get("/calendar/JD.ics?key=密钥")
    assert response.status_code == 403 and response.is_json
    for unit_code in ("J%0AD", 'J"D', "机电"):
        response = edu.get(f"/calendar/{unit_code}.ics", headers=SO)
        assert response.status_code == 404, response.data
        assert response.mimetype == "application/problem+json"


def test_dates_beyond_the_campus_calendar_are_a_422_naming_the_field(edu):
    for query in ("from=0001-01-01&to=2026-01-01", "from=2026-01-01&to=9999-12-31"):
        response = edu.get(f"/calendar?{query}", headers=SO)
        assert response.status_code == 422, response.data
        assert response.mimetype == "application/problem+json"
        errors = json.dumps(response.get_json(), ensure_ascii=False)
        assert "日期须在 1900-01-01 到 2999-12-31 之间" in errors


def test_json_calendar_lists_activities_and_themed_dates_in_the_window(edu):
    activity(edu, title="消防日讲座")
    activity(edu, title="别的单位", targets=[{"unit_code": "XX"}], venue="操场")
    got = ok(edu.get("/calendar?unit_code=JD&from=2031-11-01&to=2031-12-31", headers=JD_STAFF))
    assert [a["title"] for a in got["activities"]] == ["消防日讲座"]
    assert got["timezone"] == "Asia/Shanghai"
    assert [t["name"] for t in got["themed_dates"]] == ["全国消防日", "全国交通安全日"]
    ok(edu.get("/calendar?unit_code=XX", headers=JD_STAFF), 403)
    mine = ok(edu.get("/calendar?from=2031-11-01&to=2031-12-31", headers=JD_STAFF))
    assert [a["title"] for a in mine["activities"]] == ["消防日讲座"]


def test_themed_date_suggestions_include_campaign_dates(edu):
    ok(
        edu.post(
            "/themed-dates",
            json={
                "name": "校园安全专项整治·整改完善阶段",
                "theme": "安全进校园",
                "starts_on": "2021-11-16",
                "ends_on": "2021-12-15",
                "suggested_kinds": ["drill"],
            },
            headers=SO,
        ),
        201,
    )
    ok(
        edu.post(
            "/themed-dates",
            json={"name": "x", "starts_on": "2021-01-01", "ends_on": "2021-01-01"},
            headers=JD_MANAGER,
        ),
        403,
    )
    got = ok(edu.get("/themed-dates/suggestions?year=2021", headers=JD_STAFF))
    assert [(s["name"], s["starts_on"], s["source"]) for s in got] == [
        ("安全生产月", "2021-06-01", "national"),
        ("全国消防日", "2021-11-09", "national"),
        ("校园安全专项整治·整改完善阶段", "2021-11-16", "campaign"),
        ("全国交通安全日", "2021-12-02", "national"),
    ]
    assert got[1]["suggested_kind_labels"][0] == "安全演练"
    assert [s["name"] for s in ok(edu.get("/themed-dates/suggestions?year=2022", headers=SO))] == [
        "安全生产月",
        "全国消防日",
        "全国交通安全日",
    ]
    ok(edu.get("/themed-dates/suggestions", headers=SO), 422)


def test_seed_campaign_dates_load_once(edu):
    from services.education.commands.themed_dates import load_seed_themed_dates

    with edu.app_.app_context(), state().session_factory.begin() as session:
        assert load_seed_themed_dates(session) == 3
    with edu.app_.app_context(), state().session_factory.begin() as session:
        assert load_seed_themed_dates(session) == 0
    names = [s["name"] for s in ok(edu.get("/themed-dates/suggestions?year=2021", headers=SO))]
    assert "校园安全专项整治·自查自纠阶段" in names


def test_coverage_lists_units_without_an_activity_of_the_kind(edu):
    past = datetime(2021, 11, 9, 9, 0, tzinfo=SHANGHAI)
    drill = activity(
        edu,
        kind="drill",
        title="消防演练",
        targets=[{"unit_code": "JD"}],
        starts_at=at(0, past),
        ends_at=at(1, past),
    )
    ok(edu.post(f"/activities/{drill['id']}/held", json={"participants": 120}, headers=SO))
    activity(  # planned only: counts with include_planned
        edu,
        kind="drill",
        title="计划演练",
        targets=[{"unit_code": "XX"}],
        venue="操场",
        starts_at=at(48, past),
        ends_at=at(49, past),
    )
    activity(  # another kind: never counts for drills
        edu,
        kind="lecture",
        title="讲座",
        targets=[{"unit_code": "CW"}],
        venue="会议室",
        starts_at=at(0, past),
        ends_at=at(1, past),
    )
    got = ok(edu.get("/coverage?kind=drill&from=2021-11-01&to=2021-11-30", headers=SO))
    assert got["kind_label"] == "安全演练"
    assert got["uncovered"] == ["BWC", "CW", "XX"]
    assert {u["unit_code"]: u["activities"] for u in got["units"]} == {
        "BWC": 0,
        "CW": 0,
        "JD": 1,
        "XX": 0,
    }
    planned = ok(
        edu.get(
            "/coverage?kind=drill&from=2021-11-01&to=2021-11-30&include_planned=true", headers=SO
        )
    )
    assert planned["uncovered"] == ["BWC", "CW"]
    december = ok(edu.get("/coverage?kind=drill&from=2021-12-01&to=2021-12-31", headers=SO))
    assert december["uncovered"] == ["BWC", "CW", "JD", "XX"]
    mine = ok(edu.get("/coverage?kind=drill&from=2021-11-01&to=2021-11-30", headers=CW_STAFF))
    assert mine["uncovered"] == ["CW"] and len(mine["units"]) == 1


# -- attendance -------------------------------------------------------------------------------
def live_activity(edu, **fields):
    """An activity going on now (started 10 minutes ago), so its sign-in window is open."""
    now = utcnow()
    return activity(
        edu,
        starts_at=(now - timedelta(minutes=10)).isoformat(),
        ends_at=(now + timedelta(minutes=50)).isoformat(),
        **fields,
    )


PEOPLE = [
    {"person_ref": "2021010101", "name": "张三", "unit_code": "JD", "class_name": "机电2101班"},
    {"person_ref": "2021010102", "name": "李四", "unit_code": "JD", "class_name": "机电2101班"},
    {"person_ref": "2021020101", "name": "王五", "unit_code": "XX"},
]


def test_check_in_with_the_right_code_inside_the_window_succeeds_once_per_person(edu):
    a = live_activity(edu, targets=[{"unit_code": "JD"}, {"unit_code": "XX"}], capacity=10)
    got = ok(edu.post(f"/activities/{a['id']}/enrolments", json={"people": PEOPLE}, headers=SO))
    assert got == {"enrolled": 3, "already_enrolled": 0, "total": 3}
    again = ok(
        edu.post(f"/activities/{a['id']}/enrolments", json={"people": PEOPLE[:1]}, headers=SO)
    )
    assert again == {"enrolled": 0, "already_enrolled": 1, "total": 3}
    sign_in = ok(edu.get(f"/activities/{a['id']}/sign-in", headers=SO))
    code = sign_in["code"]
    # The console's check-in page: a phone signs in there, the code comes filled in.
    console = "https://safety.campus.example/console"
    assert sign_in["url"] == f"{console}/education/activities/{a['id']}/check-in?code={code}"

    student = bearer("grid_staff", unit="JD", sub="2021010101")
    first = ok(edu.post(f"/activities/{a['id']}/check-in", json={"code": code}, headers=student))
    assert first["person_ref"] == "2021010101" and first["name"] == "张三"
    twice = edu.post(f"/activities/{a['id']}/check-in", json={"code": code}, headers=student)
    assert twice.status_code == 409 and twice.get_json()["title"] == "Already checked in"
    wrong = edu.post(f"/activities/{a['id']}/check-in", json={"code": "WRONG1"}, headers=student)
    assert wrong.status_code == 422 and wrong.get_json()["title"] == "Wrong sign-in code"
    # Only a kiosk names the person (tests/unit/test_check_in_self.py): a device's token.
    kiosk = bearer("kiosk", sub="kiosk:1号报告厅")
    ok(
        edu.post(
            f"/activities/{a['id']}/check-in",
            json={"code": code.lower(), "person_ref": "2021020101"},
            headers=kiosk,
        )
    )
    stranger = edu.post(
        f"/activities/{a['id']}/check-in", json={"code": code, "person_ref": "999"}, headers=kiosk
    )
    assert stranger.status_code == 409 and stranger.get_json()["title"] == "Not enrolled"

    rates = ok(edu.get(f"/activities/{a['id']}/attendance", headers=SO))
    assert (rates["enrolled"], rates["checked_in"], rates["rate"]) == (3, 2, 0.6667)
    assert rates["by_unit"] == [
        {"unit_code": "JD", "enrolled": 2, "checked_in": 1, "rate": 0.5},
        {"unit_code": "XX", "enrolled": 1, "checked_in": 1, "rate": 1.0},
    ]
    jd_view = ok(edu.get(f"/activities/{a['id']}/attendance", headers=JD_STAFF))
    assert [r["unit_code"] for r in jd_view["by_unit"]] == ["JD"]
    listed = ok(edu.get(f"/activities/{a['id']}/enrolments", headers=JD_STAFF))
    assert {p["person_ref"] for p in listed} == {"2021010101", "2021010102"}
    today = utcnow().astimezone(SHANGHAI).date().isoformat()
    summary = ok(edu.get(f"/attendance?from={today}&to={today}", headers=SO))
    assert [(u["unit_code"], u["rate"]) for u in summary["units"]] == [("JD", 0.5), ("XX", 1.0)]
    held = ok(edu.post(f"/activities/{a['id']}/held", json={}, headers=SO))
    assert held["participants"] == 2 and held["status"] == "held"


@pytest.mark.parametrize("offset", [timedelta(hours=2), timedelta(hours=-2)])
def test_check_in_outside_the_window_is_refused(edu, offset):
    now = utcnow()
    a = activity(
        edu,
        starts_at=(now + offset).isoformat(),
        ends_at=(now + offset + timedelta(hours=1)).isoformat(),
    )
    ok(edu.post(f"/activities/{a['id']}/enrolments", json={"people": PEOPLE[:1]}, headers=SO))
    code = ok(edu.get(f"/activities/{a['id']}/sign-in", headers=SO))["code"]
    student = bearer("grid_staff", unit="JD", sub="2021010101")
    response = edu.post(f"/activities/{a['id']}/check-in", json={"code": code}, headers=student)
    assert response.status_code == 409
    problem = response.get_json()
    assert problem["title"] == "Check-in is closed" and "opens_at" in problem
    assert ok(edu.get(f"/activities/{a['id']}/attendance", headers=SO))["checked_in"] == 0


def test_check_in_rule_takes_the_clock_as_a_parameter(edu):
    from services.education import domain
    from services.education.commands import attendance
    from shared.principal import KIOSK, Principal

    a = activity(edu, starts_at=at(0), ends_at=at(1))
    ok(edu.post(f"/activities/{a['id']}/enrolments", json={"people": PEOPLE[:2]}, headers=SO))
    code = ok(edu.get(f"/activities/{a['id']}/sign-in", headers=SO))["code"]
    kiosk = Principal("kiosk:1号报告厅", "签到终端", frozenset({KIOSK}), None)
    start = datetime.fromisoformat(a["starts_at"])
    with edu.app_.app_context(), state().session_factory.begin() as session:
        with pytest.raises(domain.CheckInClosed):
            attendance.check_in(
                session,
                kiosk,
                a["id"],
                code=code,
                person_ref="2021010101",
                now=start - timedelta(minutes=16),
                campus_tz="Asia/Shanghai",
            )
        enrolment = attendance.check_in(
            session,
            kiosk,
            a["id"],
            code=code,
            person_ref="2021010101",
            now=start - timedelta(minutes=5),
            campus_tz="Asia/Shanghai",
        )
        assert enrolment.checked_in_at == (start - timedelta(minutes=5)).astimezone(UTC)
        with pytest.raises(domain.CheckInClosed):
            attendance.check_in(
                session,
                kiosk,
                a["id"],
                code=code,
                person_ref="2021010102",
                now=start + timedelta(hours=1),
                campus_tz="Asia/Shanghai",
            )


def test_enrolment_scope_and_capacity(edu):
    a = live_activity(edu, targets=[{"unit_code": "JD"}, {"unit_code": "XX"}], capacity=2)
    ok(
        edu.post(
            f"/activities/{a['id']}/enrolments", json={"people": PEOPLE[2:]}, headers=JD_MANAGER
        ),
        403,
    )
    ok(
        edu.post(
            f"/activities/{a['id']}/enrolments", json={"people": PEOPLE[:2]}, headers=JD_MANAGER
        )
    )
    full = edu.post(
        f"/activities/{a['id']}/enrolments", json={"people": PEOPLE[2:]}, headers=XX_MANAGER
    )
    assert full.status_code == 409 and full.get_json()["capacity"] == 2


def test_sign_in_qr_code_decodes_to_the_sign_in_url(edu):
    a = live_activity(edu)
    url = ok(edu.get(f"/activities/{a['id']}/sign-in", headers=SO))["url"]
    png = edu.get(f"/activities/{a['id']}/sign-in/qr", headers=SO)
    assert png.status_code == 200 and png.mimetype == "image/png"
    decoded = [b.text for b in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))]
    assert decoded == [url]
    svg = edu.get(f"/activities/{a['id']}/sign-in/qr?format=svg", headers=SO)
    assert svg.mimetype == "image/svg+xml" and svg.data.startswith(b"<svg")
    ok(edu.get(f"/activities/{a['id']}/sign-in", headers=JD_STAFF), 403)  # code: organisers


# -- drills -----------------------------------------------------------------------------------
def past_drill(edu, **fields):
    now = utcnow()
    return activity(
        edu,
        kind="drill",
        title="火灾疏散逃生演练",
        venue="1号教学楼",
        starts_at=(now - timedelta(hours=2)).isoformat(),
        ends_at=(now - timedelta(hours=1)).isoformat(),
        **fields,
    )


def test_drill_results_publish_one_problem_found_per_problem_and_drill_completed(edu):
    drill = past_drill(edu)
    report = ok(
        edu.post(
            f"/activities/{drill['id']}/drill-result",
            json={
                "participants": 356,
                "evacuation_seconds": 185,
                "observations": "3层东侧楼梯疏散拥堵",
                "problems": [
                    {
                        "category": "fire",
                        "description": "3层安全出口指示灯不亮",
                        "cell_id": "cell-jd-b1",
                    },
                    {"category": "fire", "severity": "major", "description": "消防通道堆放杂物"},
                ],
            },
            headers=SO,
        ),
        201,
    )
    assert report["status"] == "held" and report["participants"] == 356
    assert [p["category_label"] for p in report["problems"]] == ["消防安全", "消防安全"]
    assert all(p["hazard_number"] is None for p in report["problems"])
    assert report["hazard_numbers"] == []
    events = outbox(edu)
    found = [e for e in events if e.type == "drill.problem_found"]
    assert len(found) == 2
    assert {e.subject for e in found} == {p["id"] for p in report["problems"]}
    assert all(e.sequence == 1 and e.data["drill_id"] == drill["id"] for e in found)
    assert {e.data["unit_code"] for e in found} == {"JD"}  # from the cell / the only target
    assert found[0].data["cell_id"] == "cell-jd-b1"
    mine = [(e.type, e.sequence) for e in events if e.subject == drill["id"]]
    assert mine == [("activity.scheduled", 1), ("activity.held", 2), ("drill.completed", 3)]
    completed = next(e for e in events if e.type == "drill.completed")
    assert completed.data["problems"] == 2 and completed.data["evacuation_seconds"] == 185

    twice = edu.post(
        f"/activities/{drill['id']}/drill-result", json={"participants": 1}, headers=SO
    )
    assert twice.status_code == 409
    later = ok(
        edu.post(
            f"/activities/{drill['id']}/problems",
            json={"problems": [{"category": "fire", "description": "灭火器过期"}]},
            headers=SO,
        ),
        201,
    )
    assert len(later) == 1
    last = outbox(edu)[-1]
    assert (last.type, last.sequence, last.data["problems"]) == ("drill.completed", 4, 3)


def test_resent_problems_with_an_idempotency_key_add_nothing(edu):
    """A portal whose answer was lost resends the same request: same problems back (200),
    no second problem, no second drill.problem_found (so no second hazard)."""
    drill = past_drill(edu)
    ok(
        edu.post(f"/activities/{drill['id']}/drill-result", json={"participants": 9}, headers=SO),
        201,
    )
    url = f"/activities/{drill['id']}/problems"
    body = {"problems": [{"category": "fire", "description": "灭火器过期"}]}
    key = {**SO, "Idempotency-Key": "debrief-2021-11-09"}
    first = ok(edu.post(url, json=body, headers=key), 201)
    again = ok(edu.post(url, json=body, headers=key), 200)
    assert [p["id"] for p in again] == [p["id"] for p in first]
    found = [e for e in outbox(edu) if e.type == "drill.problem_found"]
    assert [e.subject for e in found] == [first[0]["id"]]
    different = {"problems": [{"category": "fire", "description": "别的"}]}
    reused = edu.post(url, json=different, headers=key)
    assert reused.status_code == 422 and "Idempotency-Key" in reused.get_json()["title"]
    other = ok(edu.post(url, json=body, headers={**SO, "Idempotency-Key": "another"}), 201)
    assert other[0]["id"] != first[0]["id"]  # a new key is a new request
    too_long = edu.post(url, json=body, headers={**SO, "Idempotency-Key": "k" * 101})
    assert too_long.status_code == 400


def test_drill_problems_are_checked_before_they_are_announced(edu):
    drill = past_drill(edu, targets=[{"unit_code": "JD"}, {"unit_code": "XX"}])

    def post(problem):
        return edu.post(
            f"/activities/{drill['id']}/drill-result",
            json={"participants": 10, "problems": [problem]},
            headers=SO,
        )

    assert post({"category": "fire", "description": "x", "cell_id": "nope"}).status_code == 422
    assert post({"category": "fire", "description": "x"}).status_code == 422  # which unit?
    assert post({"category": "bogus", "description": "x", "unit_code": "JD"}).status_code == 422
    assert (
        post(
            {"category": "fire", "description": "x", "cell_id": "cell-jd-b1", "unit_code": "XX"}
        ).status_code
        == 422
    )
    tomorrow = (utcnow() + timedelta(days=1)).isoformat()
    future_find = post(
        {"category": "fire", "description": "x", "unit_code": "JD", "found_at": tomorrow}
    )
    assert future_find.status_code == 422  # a finding date is a fact (issue 12, rule 14)
    assert future_find.get_json()["invalid_params"][0]["name"] == "problems.found_at"
    assert [e.type for e in outbox(edu)] == ["activity.scheduled"]  # nothing half-done
    lecture = live_activity(edu, venue="别处")
    ok(
        edu.post(f"/activities/{lecture['id']}/drill-result", json={"participants": 1}, headers=SO),
        409,
    )
    future = activity(edu, kind="drill", venue="操场", starts_at=at(0), ends_at=at(1))
    ok(
        edu.post(f"/activities/{future['id']}/drill-result", json={"participants": 1}, headers=SO),
        409,
    )
    ok(
        edu.post(
            f"/activities/{drill['id']}/drill-result", json={"participants": 1}, headers=JD_MANAGER
        ),
        403,
    )


def test_the_drill_shows_the_hazard_numbers_that_came_back(edu):
    drill = past_drill(edu)
    report = ok(
        edu.post(
            f"/activities/{drill['id']}/drill-result",
            json={
                "participants": 50,
                "problems": [{"category": "fire", "description": "灭火器过期"}],
            },
            headers=SO,
        ),
        201,
    )
    problem_id = report["problems"][0]["id"]
    state_ = {
        "hazard_id": "h-1",
        "number": "YH-2031-00007",
        "unit_code": "JD",
        "cell_id": None,
        "category": "fire",
        "lead_department": "BWC",
        "severity": "general",
        "status": "discovered",
        "found_at": "2031-11-09T01:00:00+00:00",
        "deadline": None,
        "responsible_person_id": None,
        "responsible_person_name": None,
        "reopen_count": 0,
        "overdue": False,
        "closed_at": None,
        "source": "drill",
        "source_ref": problem_id,
    }
    apply(edu.app_, "hazard.registered", "h-1", {**state_, "status": "registered"}, sequence=2)
    apply(edu.app_, "hazard.created", "h-1", state_, sequence=1)  # late and stale: ignored
    apply(edu.app_, "hazard.created", "h-2", {**state_, "hazard_id": "h-2", "source": "report"})
    got = ok(edu.get(f"/activities/{drill['id']}/drill-result", headers=JD_STAFF))
    assert got["hazard_numbers"] == ["YH-2031-00007"]
    assert got["problems"][0]["hazard_status"] == "registered"
