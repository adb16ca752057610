"""Pure rules of the education service: overlaps, the sign-in window, themed dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.education import domain
from services.education.domain import Booking
from shared.events.catalog import ACTIVITY_KINDS, ACTIVITY_STATUSES

T0 = datetime(2021, 11, 9, 1, 0, tzinfo=UTC)  # 09:00 campus time
HOUR = timedelta(hours=1)


def booking(start: datetime, end: datetime, venue="报告厅", targets=(("JD", None),), id_="a"):
    return Booking(id_, f"活动{id_}", domain.normalize_venue(venue), start, end, frozenset(targets))


def test_kinds_and_states_are_the_catalogues():
    # The events' schema is the contract with reporting: same kinds, same states.
    assert tuple(domain.Kind) == ACTIVITY_KINDS
    assert tuple(domain.Status) == ACTIVITY_STATUSES
    assert set(domain.KIND_LABELS) == set(domain.Kind)


def test_touching_intervals_do_not_overlap():
    assert not domain.overlaps(T0, T0 + HOUR, T0 + HOUR, T0 + 2 * HOUR)
    assert not domain.overlaps(T0 + HOUR, T0 + 2 * HOUR, T0, T0 + HOUR)
    assert domain.overlaps(T0, T0 + HOUR, T0 + HOUR - timedelta(seconds=1), T0 + 2 * HOUR)
    assert domain.overlaps(T0, T0 + 3 * HOUR, T0 + HOUR, T0 + 2 * HOUR)  # containment


def test_venue_clash_names_the_earliest_clashing_booking_and_ignores_other_rooms():
    others = [
        booking(T0 + HOUR, T0 + 2 * HOUR, id_="late"),
        booking(T0, T0 + HOUR, id_="early"),
        booking(T0, T0 + 2 * HOUR, venue="操场", id_="elsewhere"),
    ]
    clash = domain.venue_clash(domain.normalize_venue(" 报告厅 "), T0, T0 + 2 * HOUR, others)
    assert clash is not None and clash.activity_id == "early"
    assert domain.venue_clash("报告厅", T0 + 2 * HOUR, T0 + 3 * HOUR, others) is None
    assert domain.venue_clash(None, T0, T0 + HOUR, others) is None  # no venue, no clash


def test_double_booked_targets_whole_unit_or_same_class():
    other = booking(T0, T0 + HOUR, venue="操场", targets=(("JD", "机电2101班"),))
    hits = domain.double_bookings([("JD", None), ("XX", None)], T0, T0 + HOUR, [other])
    assert [(t, b.activity_id) for t, b in hits] == [(("JD", None), "a")]
    assert domain.double_bookings([("JD", "机电2102班")], T0, T0 + HOUR, [other]) == []
    assert domain.double_bookings([("JD", None)], T0 + HOUR, T0 + 2 * HOUR, [other]) == []


@pytest.mark.parametrize(
    ("now", "allowed"),
    [
        (T0 - timedelta(minutes=16), False),
        (T0 - domain.CHECK_IN_GRACE, True),
        (T0, True),
        (T0 + HOUR - timedelta(seconds=1), True),
        (T0 + HOUR, False),
        (T0 + 2 * HOUR, False),
    ],
)
def test_check_in_window(now, allowed):
    assert domain.check_in_allowed(now, T0, T0 + HOUR) is allowed


def test_sign_in_codes_are_random_and_compared_leniently():
    codes = {domain.new_sign_in_code() for _ in range(50)}
    assert len(codes) == 50
    code = codes.pop()
    assert len(code) == domain.CODE_LENGTH and set(code) <= set(domain.CODE_ALPHABET)
    assert domain.code_matches(f" {code.lower()} ", code)
    assert not domain.code_matches(code[:-1], code)


def test_suggestions_for_a_year_hold_the_national_days_and_campaign_dates():
    campaign = [
        domain.Suggestion(
            "p1",
            "自查自纠阶段",
            "安全进校园",
            date(2021, 11, 8),
            date(2021, 11, 15),
            (),
            "campaign",
        ),
        domain.Suggestion("p0", "去年", "", date(2020, 3, 1), date(2020, 3, 2), (), "campaign"),
    ]
    got = domain.suggestions_for_year(2021, campaign)
    assert [(s.name, s.starts_on, s.ends_on) for s in got] == [
        ("安全生产月", date(2021, 6, 1), date(2021, 6, 30)),
        ("自查自纠阶段", date(2021, 11, 8), date(2021, 11, 15)),
        ("全国消防日", date(2021, 11, 9), date(2021, 11, 9)),
        ("全国交通安全日", date(2021, 12, 2), date(2021, 12, 2)),
    ]
    fire = next(s for s in got if s.key == "fire_safety_day")
    assert "drill" in fire.suggested_kinds and fire.source == "national"


def test_campus_day_bounds_are_campus_midnights():
    starts, ends = domain.campus_day_bounds(date(2021, 11, 9), date(2021, 11, 9), "Asia/Shanghai")
    assert starts.astimezone(UTC) == datetime(2021, 11, 8, 16, 0, tzinfo=UTC)
    assert ends - starts == timedelta(days=1)


def test_rate():
    assert domain.rate(3, 4) == 0.75
    assert domain.rate(0, 0) is None
