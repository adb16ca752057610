"""周整改 and 月汇总 (GET /statistics/weekly, /statistics/monthly and their .xlsx): hazard
events fed through the reporting handlers, a fixed clock, expectations written by hand.

Campus time is Asia/Shanghai (UTC+8): "11-30 23:30" on campus is 15:30 UTC."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from services.reporting.handlers import event_handlers
from services.reporting.statistics import api as statistics_api
from shared.api import state
from tests.support.events import feed as consume_all
from tests.support.fixtures import bearer
from tests.support.reporting import hazard_event

SO = bearer("security_office", sub="office")
TZ = "Asia/Shanghai"


def utc(month: int, day: int, hour: int = 2, minute: int = 0, year: int = 2021) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def app(make_app):
    return make_app("reporting", campus_timezone=TZ)


@pytest.fixture
def client(app):
    return app.test_client()


def feed(app, events) -> None:
    with app.app_context(), state().session_factory() as session:
        consume_all(session, event_handlers(TZ), events)


def hazard(hazard_id: str, number: str, found_at: datetime, **state) -> list:
    """A hazard's creation and, if it has a later state, that state's event."""
    created = hazard_event("hazard.created", 1, hazard_id, number=number, found_at=found_at)
    if not state:
        return [created]
    kind = "hazard.closed" if state.get("status") == "closed" else "hazard.remediation_started"
    return [created, hazard_event(kind, 5, hazard_id, number=number, found_at=found_at, **state)]


def at(clock: datetime, monkeypatch) -> None:
    monkeypatch.setattr(statistics_api, "now", lambda: clock)


# -- 周整改 -----------------------------------------------------------------------------------
@pytest.fixture
def week_ledger(app):
    events = [
        # JD: late since 11-20; due on 11-26 and on 11-24 (today); due next week; fixed.
        *hazard("a", "YH-A", utc(11, 10), status="in_remediation", deadline="2021-11-20"),
        *hazard("b", "YH-B", utc(11, 15), status="in_remediation", deadline="2021-11-26"),
        *hazard("c", "YH-C", utc(11, 15), status="in_remediation", deadline="2021-11-24"),
        *hazard("d", "YH-D", utc(11, 15), status="in_remediation", deadline="2021-11-30"),
        *hazard("e", "YH-E", utc(11, 10), status="closed", deadline="2021-11-18",
                closed_at=utc(11, 19)),
        # JD: late on 11-19, closed out on 11-23 — late in week 46, gone in week 47.
        *hazard("i", "YH-I", utc(11, 10), status="closed", deadline="2021-11-19",
                closed_at=utc(11, 23)),
        # JD: no deadline yet (not registered): on nobody's weekly list.
        *hazard("g", "YH-G", utc(11, 10)),
        # XX: rectified, awaiting acceptance, deadline 11-23 passed.
        *hazard("f", "YH-F", utc(11, 12), unit_code="XX", status="rectified",
                deadline="2021-11-23"),
    ]  # fmt: skip
    feed(app, events)


def test_weekly_lists_what_is_due_or_late_per_unit(client, week_ledger, monkeypatch):
    """日检查、周整改、月汇总: the security office's weekly list — per unit, every hazard
    whose deadline falls in the week or has already passed while it is still open."""
    at(utc(11, 24), monkeypatch)  # Wednesday 2021-11-24 10:00 on campus
    body = client.get("/statistics/weekly?week=2021-W47", headers=SO).get_json()
    assert (body["week"], body["week_start"], body["week_end"]) == (
        "2021-W47",
        "2021-11-22",
        "2021-11-28",
    )
    assert body["as_of"] == "2021-11-24T02:00:00+00:00"
    listed = {
        u["unit_code"]: [(i["number"], i["state"], i["days_overdue"]) for i in u["items"]]
        for u in body["units"]
    }
    assert listed == {
        "JD": [("YH-A", "overdue", 4), ("YH-C", "due", 0), ("YH-B", "due", 0)],
        "XX": [("YH-F", "overdue", 1)],
    }
    jd = next(u for u in body["units"] if u["unit_code"] == "JD")
    assert (jd["due"], jd["overdue"]) == (2, 1)
    assert body["totals"] == {"due": 2, "overdue": 2}

    # This week is the default; a unit's manager sees their own unit only.
    assert client.get("/statistics/weekly", headers=SO).get_json()["week"] == "2021-W47"
    xx = client.get("/statistics/weekly", headers=bearer("unit_manager", unit="XX")).get_json()
    assert [u["unit_code"] for u in xx["units"]] == ["XX"]
    other = client.get("/statistics/weekly?unit_code=JD", headers=bearer("unit_manager", unit="XX"))
    assert other.status_code == 403


def test_a_weekly_summary_has_each_units_counts_without_its_hazards(
    client, week_ledger, monkeypatch
):
    at(utc(11, 24), monkeypatch)
    body = client.get("/statistics/weekly?week=2021-W47&summary=true", headers=SO).get_json()
    counts = {u["unit_code"]: (u["due"], u["overdue"], u["items"]) for u in body["units"]}
    assert counts == {"JD": (2, 1, []), "XX": (0, 1, [])}
    assert body["totals"] == {"due": 2, "overdue": 2}


def test_a_past_weeks_list_stays_as_it_was_at_its_end(client, week_ledger, monkeypatch):
    """A past week is listed as it stood at its end (Sunday 24:00 on campus): a hazard
    closed out after that week is still on that week's list, late."""
    at(utc(11, 24), monkeypatch)
    body = client.get("/statistics/weekly?week=2021-W46", headers=SO).get_json()
    assert body["as_of"] == "2021-11-21T16:00:00+00:00"  # 2021-11-22 00:00 on campus
    listed = [
        (i["number"], i["state"], i["days_overdue"]) for u in body["units"] for i in u["items"]
    ]
    assert listed == [("YH-I", "overdue", 3), ("YH-A", "overdue", 2)]


def test_weekly_xlsx_has_chinese_headers(client, week_ledger, monkeypatch):
    at(utc(11, 24), monkeypatch)
    response = client.get("/statistics/weekly.xlsx?week=2021-W47", headers=SO)
    assert response.status_code == 200
    assert "weekly-2021-W47.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].value == "隐患周整改清单（2021年第47周）"
    assert [c.value for c in sheet[3]][:4] == ["序号", "单位", "隐患编号", "隐患类别"]
    rows = [list(r) for r in sheet.iter_rows(min_row=4, values_only=True)]
    assert rows[0][2:] == [
        "YH-A",
        "消防安全",
        "一般隐患",
        "整改中",
        "2021-11-10 10:00",
        "2021-11-20",
        "已逾期",
        4,
        "张伟",
    ]
    assert [r[2] for r in rows[:-1]] == ["YH-A", "YH-C", "YH-B", "YH-F"]
    assert rows[3][5] == "待验收"
    assert rows[-1][1:3] == ["合计", "本周到期 2 项，已逾期 2 项"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("week=2021-W60", "week"), ("week=2021-47", "week"), ("week=1000-W01", "week")],
)
def test_a_week_that_does_not_exist_is_a_422_naming_it(client, query, field):
    response = client.get(f"/statistics/weekly?{query}", headers=SO)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert [p["name"] for p in response.get_json()["invalid_params"]] == [field]


# -- 月汇总 -----------------------------------------------------------------------------------
@pytest.fixture
def month_ledger(app):
    events = [
        # JD fire: carried over (late since 11-05); carried over and closed in November;
        # found and closed in November (major); found in November, closed in December.
        *hazard("m1", "YH-M1", utc(10, 20), status="in_remediation", deadline="2021-11-05"),
        *hazard("m2", "YH-M2", utc(10, 25), status="closed", closed_at=utc(11, 3)),
        *hazard("m3", "YH-M3", utc(11, 5), status="closed", severity="major",
                closed_at=utc(11, 20)),
        *hazard("m5", "YH-M5", utc(11, 28), status="closed", deadline="2021-11-29",
                closed_at=utc(12, 1)),
        # JD fire: found and closed in October: not November's.
        *hazard("m8", "YH-M8", utc(10, 1), status="closed", closed_at=utc(10, 30)),
        # JD lab chemicals: found in November, due in December.
        *hazard("m4", "YH-M4", utc(11, 10), category="lab_chemicals", status="in_remediation",
                deadline="2021-12-10"),
        # XX: found 11-30 23:30 on campus (November's), and 12-01 00:10 (December's).
        *hazard("m6", "YH-M6", utc(11, 30, 15, 30), unit_code="XX"),
        *hazard("m7", "YH-M7", utc(11, 30, 16, 10), unit_code="XX"),
    ]  # fmt: skip
    feed(app, events)


def measures(row: dict) -> tuple:
    return (
        row["open_at_start"],
        row["found"],
        row["closed_in_period"],
        row["open_at_end"],
        row["overdue_at_end"],
        row["major"],
    )


def test_monthly_summary_per_unit_and_category(client, month_ledger, monkeypatch):
    """月汇总: a campus-calendar month per unit and category — carried over, found, closed,
    open at the month's end (of those overdue), major — and it reconciles."""
    at(utc(12, 2), monkeypatch)
    body = client.get("/statistics/monthly?month=2021-11", headers=SO).get_json()
    assert (body["month"], body["period_start"], body["period_end"]) == (
        "2021-11",
        "2021-11-01",
        "2021-11-30",
    )
    by_unit = {(u["unit_code"], r["key"]): measures(r) for u in body["units"] for r in u["rows"]}
    #                   start found closed end overdue major
    assert by_unit == {
        ("JD", "fire"): (2, 2, 2, 2, 2, 1),
        ("JD", "lab_chemicals"): (0, 1, 0, 1, 0, 0),
        ("XX", "fire"): (0, 1, 0, 1, 0, 0),
    }
    assert {r["key"]: measures(r) for r in body["by_category"]} == {
        "fire": (2, 3, 2, 3, 2, 1),
        "lab_chemicals": (0, 1, 0, 1, 0, 0),
    }
    assert measures(body["totals"]) == (2, 4, 2, 4, 2, 1)
    jd = next(u for u in body["units"] if u["unit_code"] == "JD")
    assert measures(jd["totals"]) == (2, 3, 2, 3, 2, 1)

    # December (the default month on 12-02): XX's 00:10 hazard is December's.
    december = client.get("/statistics/monthly", headers=SO).get_json()
    assert december["month"] == "2021-12"
    xx = next(u for u in december["units"] if u["unit_code"] == "XX")
    assert measures(xx["totals"]) == (1, 1, 0, 2, 0, 0)


def test_monthly_scope_xlsx_and_bad_month(client, month_ledger, monkeypatch):
    at(utc(12, 2), monkeypatch)
    xx = client.get(
        "/statistics/monthly?month=2021-11", headers=bearer("unit_manager", unit="XX")
    ).get_json()
    assert [u["unit_code"] for u in xx["units"]] == ["XX"]
    assert measures(xx["totals"]) == (0, 1, 0, 1, 0, 0)

    response = client.get("/statistics/monthly.xlsx?month=2021-11", headers=SO)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].value == "隐患排查治理月汇总（2021年11月）"
    assert [c.value for c in sheet[3]] == [
        "单位",
        "隐患类别",
        "上月结转未整改",
        "本月发现",
        "本月整改",
        "月末未整改",
        "其中逾期未整改",
        "本月发现重大隐患",
    ]
    rows = [list(r) for r in sheet.iter_rows(min_row=4, values_only=True)]
    assert rows[-1] == ["全校", "合计", 2, 4, 2, 4, 2, 1]

    bad = client.get("/statistics/monthly?month=2021-13", headers=SO)
    assert bad.status_code == 422
    assert bad.content_type == "application/problem+json"
    assert [p["name"] for p in bad.get_json()["invalid_params"]] == ["month"]
