"""The statistics table in the province's shape reconciles, period by period, unit by unit.

《校园安全专项整治工作隐患问题统计表》 per reporting period (the plan: "认真填报《校园安全专项
整治工作隐患问题统计表》……先后于 11 月 22 日、12 月 6 日、12 月 20 日、2022 年 1 月 3 日……报送"):
per unit and category, hazards carried over (期初未整改), found (本期发现), closed (本期整改)
and left open (期末未整改), and since the campaign's start (累计发现、累计整改). A hazard is
closed at its close-out (销号, ``closed_at``), never before it was found.

The expected numbers are counted here from the generated hazards, on campus dates, not by
the code under test.
"""

from __future__ import annotations

import io
import random
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select

from services.reporting import commands
from services.reporting.handlers import event_handlers
from services.reporting.models import Campaign, CampaignUnit, HazardProjection, ReportingDue
from services.reporting.statistics import counters
from shared.api import state
from tests.support.events import feed
from tests.support.fixtures import bearer
from tests.support.reporting import hazard_event

SO = bearer("security_office", sub="office")
TZ = "Asia/Shanghai"
CAMPUS = ZoneInfo(TZ)
CATEGORIES = ("fire", "lab_chemicals", "traffic", "food", "construction", "public_security")
MEASURES = ("open_at_start", "found", "closed_in_period", "open_at_end")
CUMULATIVE = ("cumulative_found", "cumulative_closed")
HAZARDS = 10_000


@pytest.fixture
def app(make_app):
    app = make_app("reporting", campus_timezone=TZ)
    with app.app_context(), state().session_factory() as session:
        commands.load_seed_campaign(session)
        session.commit()
    return app


def session_of(app):
    with app.app_context():
        return state().session_factory()


def the_campaign(app) -> tuple[Campaign, list[ReportingDue], list[str]]:
    with session_of(app) as session:
        campaign = session.scalars(select(Campaign)).one()
        dues = session.scalars(select(ReportingDue).order_by(ReportingDue.period_start)).all()
        units = session.scalars(select(CampaignUnit.unit_code)).all()
        session.expunge_all()
        return campaign, dues, list(units)


def campus_day(moment: datetime) -> date:
    return moment.astimezone(CAMPUS).date()


# -- the independent count ---------------------------------------------------------------------
def expected_period(
    hazards: list[dict], since: date, start: date, end: date
) -> dict[tuple[str, str], Counter]:
    """The four numbers and the cumulative ones per (unit, category), by campus dates."""
    counts: dict[tuple[str, str], Counter] = {}
    for h in hazards:
        found = campus_day(h["found_at"])
        if not since <= found <= end:
            continue
        closed_at = h["closed_at"]
        closed = None if closed_at is None else max(found, campus_day(closed_at))
        c = counts.setdefault((h["unit_code"], h["category"]), Counter())
        c["cumulative_found"] += 1
        if found < start and (closed is None or closed >= start):
            c["open_at_start"] += 1
        if found >= start:
            c["found"] += 1
        if closed is not None and start <= closed <= end:
            c["closed_in_period"] += 1
        if closed is None or closed > end:
            c["open_at_end"] += 1
        else:
            c["cumulative_closed"] += 1
    return counts


def numbers(row: dict) -> dict[str, int]:
    return {m: row[m] for m in (*MEASURES, *CUMULATIVE)}


def reconciles(row: dict) -> bool:
    return (
        row["open_at_start"] + row["found"] - row["closed_in_period"] == row["open_at_end"]
        and row["cumulative_found"] - row["cumulative_closed"] == row["open_at_end"]
    )


# -- the generated campaign ----------------------------------------------------------------------
def generate(units: list[str], start: date, end: date, seed: int = 20211108) -> list[dict]:
    """Hazards found from ten days before the campaign to ten days after it, at random
    minutes — one in ten at a campus midnight, the edge of a period; seven in ten closed
    out within 40 days (some after the campaign), a few stamped a minute before their
    finding (clock skew), some accepted but not yet closed out (still open)."""
    rng = random.Random(seed)
    first = datetime.combine(start - timedelta(days=10), datetime.min.time(), CAMPUS)
    minutes = ((end - start).days + 21) * 24 * 60
    rows = []
    for i in range(HAZARDS):
        found = first + timedelta(minutes=rng.randrange(minutes))
        if rng.random() < 0.1:
            found = found.replace(hour=0, minute=0)
        closed = None
        status = rng.choice(["registered", "in_remediation", "rectified", "accepted"])
        roll = rng.random()
        if roll < 0.7:
            closed = found + timedelta(minutes=rng.randrange(40 * 24 * 60))
            if rng.random() < 0.1:  # closed out at a campus midnight
                closed = (closed + timedelta(days=1)).replace(hour=0, minute=0)
            status = "closed"
        elif roll < 0.72:
            closed, status = found - timedelta(minutes=1), "closed"
        found_utc = found.astimezone(UTC)
        rows.append(
            {
                "hazard_id": str(uuid.UUID(int=rng.getrandbits(128))),
                "number": f"YH-{i:05d}",
                "unit_code": rng.choice([*units, "ZZ"]),  # ZZ: a unit outside the campaign
                "category": rng.choice(CATEGORIES),
                "severity": "major" if rng.random() < 0.05 else "general",
                "status": status,
                "found_at": found_utc,
                "deadline": campus_day(found_utc) + timedelta(days=rng.randrange(1, 30)),
                "closed_at": None if closed is None else closed.astimezone(UTC),
                "overdue": False,
                "reopen_count": 0,
                "last_sequence": 1,
            }
        )
    return rows


def test_every_period_reconciles_for_every_unit_of_10000_hazards(app):
    """认真填报《校园安全专项整治工作隐患问题统计表》: for every unit and every reporting
    period of a generated campaign of 10,000 hazards, 期初未整改 + 本期发现 − 本期整改 =
    期末未整改 — by category and in total, in the campus's tables and in each unit's own
    table — and every number is the one counted from the hazards themselves."""
    campaign, dues, units = the_campaign(app)
    hazards = generate(units, campaign.starts_on, campaign.ends_on)
    with session_of(app) as session:
        session.execute(insert(HazardProjection), hazards)
        # Written past the consumer: its counters counted as the check command counts them.
        counters.rebuild(session, TZ)
        session.commit()

    client = app.test_client()
    body = client.get(f"/statistics/periods?campaign_id={campaign.id}", headers=SO).get_json()
    assert [p["due_id"] for p in body["periods"]] == [d.id for d in dues]
    assert body["campaign_start"] == campaign.starts_on.isoformat()

    for due, period in zip(dues, body["periods"], strict=True):
        expected = expected_period(hazards, campaign.starts_on, due.period_start, due.period_end)
        # Every campaign unit has a table, with or without hazards; so has ZZ, which has some.
        assert {u["unit_code"] for u in period["units"]} == {*units, "ZZ"}
        for unit in period["units"]:
            code = unit["unit_code"]
            for row in unit["rows"]:
                assert reconciles(row), (due.due_on, code, row)
                assert numbers(row) == {
                    m: expected[(code, row["key"])][m] for m in (*MEASURES, *CUMULATIVE)
                }, (due.due_on, code, row["key"])
            assert reconciles(unit["totals"]), (due.due_on, code)
            unit_expected = sum((c for (u, _), c in expected.items() if u == code), Counter())
            assert numbers(unit["totals"]) == {
                m: unit_expected[m] for m in (*MEASURES, *CUMULATIVE)
            }
        campus = sum(expected.values(), Counter())
        assert reconciles(period["totals"])
        assert numbers(period["totals"]) == {m: campus[m] for m in (*MEASURES, *CUMULATIVE)}
        for row in period["by_category"]:
            assert reconciles(row)

        # Each unit's own table (what it submits) holds the same numbers and reconciles.
        with session_of(app) as session:
            for code in units:
                table = commands.table_snapshot(session, due, code, TZ)
                mine = {c: n for (u, c), n in expected.items() if u == code}
                assert {r["key"]: numbers(r) for r in table["rows"]} == {
                    c: {m: n[m] for m in (*MEASURES, *CUMULATIVE)} for c, n in mine.items()
                }
                assert all(reconciles(r) for r in table["rows"])
                assert reconciles(table["totals"])

    # Periods chain: what one leaves open is what the next one carries over.
    for before, after in zip(body["periods"], body["periods"][1:], strict=False):
        assert before["totals"]["open_at_end"] == after["totals"]["open_at_start"]


def test_hazard_events_through_the_handlers_reconcile(app):
    """The table reads what the hazard events said: a hazard found in the first period and
    closed out in the second is carried over once, closed once, and never counted again."""
    campaign, dues, _ = the_campaign(app)
    first, second = dues[0], dues[1]
    found = datetime(2021, 11, 10, 2, tzinfo=UTC)
    events = [
        # a: found in period 1, closed out in period 2 (2021-11-25).
        hazard_event("hazard.created", 1, "a", found_at=found),
        hazard_event(
            "hazard.closed",
            7,
            "a",
            found_at=found,
            status="closed",
            closed_at=datetime(2021, 11, 25, 2, tzinfo=UTC),
        ),
        # b: found and closed out in period 1.
        hazard_event("hazard.created", 1, "b", found_at=found),
        hazard_event(
            "hazard.closed",
            7,
            "b",
            found_at=found,
            status="closed",
            closed_at=datetime(2021, 11, 12, 2, tzinfo=UTC),
        ),
        # c: found in period 1, accepted, not yet closed out: still open.
        hazard_event("hazard.created", 1, "c", found_at=found),
        hazard_event("hazard.accepted", 6, "c", found_at=found, status="accepted"),
        # d: found at 00:00 on campus on period 2's first day (16:00 UTC the day before).
        hazard_event("hazard.created", 1, "d", found_at=datetime(2021, 11, 22, 16, tzinfo=UTC)),
        # e: found before the campaign started: not the campaign's.
        hazard_event("hazard.created", 1, "e", found_at=datetime(2021, 11, 1, 2, tzinfo=UTC)),
    ]
    with session_of(app) as session:
        feed(session, event_handlers(TZ), events)
        tables = [commands.table_snapshot(session, due, "JD", TZ) for due in (first, second)]

    def four(table: dict) -> tuple[int, ...]:
        return tuple(table["totals"][m] for m in (*MEASURES, *CUMULATIVE))

    #               start found closed end  cum.found cum.closed
    assert four(tables[0]) == (0, 3, 1, 2, 3, 1)
    assert four(tables[1]) == (2, 1, 1, 2, 4, 2)
    assert tables[0]["campaign_start"] == "2021-11-08"
    # The columns of before stay: found in the period, rectified by status (a, b, c).
    assert (tables[0]["totals"]["rectified"], tables[0]["totals"]["closed"]) == (3, 2)

    # The unit's .xlsx carries the province's columns after the ones it had.
    client = app.test_client()
    table = client.get(f"/campaigns/{campaign.id}/dues/{second.id}/table?unit_code=JD", headers=SO)
    sheet = load_workbook(io.BytesIO(table.data)).active
    header = [c.value for c in sheet[3]]
    assert header[:3] == ["序号", "隐患类别", "排查隐患数"]
    assert header[-7:] == [
        "期初未整改",
        "本期发现",
        "本期整改",
        "期末未整改",
        "累计发现",
        "累计整改",
        "累计整改率",
    ]
    assert list(sheet.iter_rows(values_only=True))[-1][-7:] == (2, 1, 1, 2, 4, 2, "50.0%")
    assert "累计自：2021-11-08" in [c.value for c in sheet[2]][3]

    # The campus's workbook: a sheet per period, the campus total last.
    book = load_workbook(
        io.BytesIO(
            client.get(f"/statistics/periods.xlsx?campaign_id={campaign.id}", headers=SO).data
        )
    )
    assert book.sheetnames == ["1108-1122", "1123-1206", "1207-1220", "1221-0103"]
    last_row = list(book["1123-1206"].iter_rows(values_only=True))[-1]
    assert last_row == ("全校", "合计", 2, 1, 1, 2, 4, 2, "50.0%")
