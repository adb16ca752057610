"""The console's 周整改 and 月汇总 pages (services faked as in test_console_app): what the
reporting service answers, in Chinese, with the .xlsx links and the chosen week/month."""

from __future__ import annotations

from tests.unit.test_console_app import PERSON, client, fake, sign_in  # noqa: F401

WEEKLY = {
    "week": "2021-W47",
    "week_start": "2021-11-22",
    "week_end": "2021-11-28",
    "as_of": "2021-11-24T02:00:00+00:00",
    "closed_basis": "closed_at",
    "units": [
        {
            "unit_code": "JD",
            "unit_name": "机电工程学院",
            "due": 1,
            "overdue": 1,
            "items": [
                {
                    "hazard_id": "h-a",
                    "number": "YH-A",
                    "unit_code": "JD",
                    "category": "fire",
                    "severity": "general",
                    "status": "in_remediation",
                    "found_at": "2021-11-10T02:00:00+00:00",
                    "deadline": "2021-11-20",
                    "state": "overdue",
                    "days_overdue": 4,
                    "responsible_person_name": "张伟",
                },
                {
                    "hazard_id": "h-b",
                    "number": "YH-B",
                    "unit_code": "JD",
                    "category": "lab_chemicals",
                    "severity": "major",
                    "status": "rectified",
                    "found_at": "2021-11-15T02:00:00+00:00",
                    "deadline": "2021-11-26",
                    "state": "due",
                    "days_overdue": 0,
                    "responsible_person_name": None,
                },
            ],
        }
    ],
    "totals": {"due": 1, "overdue": 1},
}
ROW = {
    "open_at_start": 2,
    "found": 2,
    "closed_in_period": 2,
    "open_at_end": 2,
    "cumulative_found": 5,
    "cumulative_closed": 3,
    "cumulative_rate": 0.6,
    "overdue_at_end": 1,
    "major": 1,
}
MONTHLY = {
    "month": "2021-11",
    "period_start": "2021-11-01",
    "period_end": "2021-11-30",
    "since": None,
    "closed_basis": "closed_at",
    "units": [
        {
            "unit_code": "JD",
            "unit_name": "机电工程学院",
            "rows": [{"key": "fire", **ROW}],
            "totals": ROW,
        }
    ],
    "by_category": [{"key": "fire", **ROW}],
    "totals": ROW,
}


def test_weekly_page_lists_each_units_due_and_late_hazards(client, fake):  # noqa: F811
    sign_in(client, fake)
    fake.routes[("reporting", "GET", "/statistics/weekly")] = WEEKLY
    page = client.get("/reporting/weekly?week=2021-W47").get_data(as_text=True)
    assert fake.calls[-1][3]["params"] == {"week": "2021-W47"}
    assert "隐患周整改清单" in page and "机电工程学院：到期 1 项，逾期 1 项" in page
    assert 'href="/hazards/h-a">YH-A</a>' in page
    assert "消防安全" in page and "整改中" in page and "已逾期" in page
    assert "待验收" in page and "本周到期" in page and "重大隐患" in page
    assert 'value="2021-W47"' in page
    assert 'href="/reporting/weekly.xlsx?week=2021-W47"' in page


def test_the_offices_weekly_page_counts_each_unit_and_links_its_list(
    client,  # noqa: F811
    fake,  # noqa: F811
    monkeypatch,
):
    """The whole campus's list runs to thousands of rows: the office's page asks for each
    unit's counts only, and each unit's name opens that unit's list."""
    monkeypatch.setitem(PERSON, "roles", ["security_office"])
    monkeypatch.setitem(PERSON, "unit_code", None)
    sign_in(client, fake)
    fake.routes[("reporting", "GET", "/statistics/weekly")] = {
        **WEEKLY,
        "units": [{**WEEKLY["units"][0], "items": []}],
    }
    page = client.get("/reporting/weekly?week=2021-W47").get_data(as_text=True)
    assert fake.calls[-1][3]["params"] == {"week": "2021-W47", "summary": True}
    assert 'id="weekly-summary"' in page and "YH-A" not in page
    assert 'href="/reporting/weekly?week=2021-W47&amp;unit_code=JD">机电工程学院</a>' in page
    assert '<td data-label="本周到期">1</td><td data-label="已逾期">1</td>' in page

    fake.routes[("reporting", "GET", "/statistics/weekly")] = WEEKLY
    page = client.get("/reporting/weekly?week=2021-W47&unit_code=JD").get_data(as_text=True)
    assert fake.calls[-1][3]["params"] == {"week": "2021-W47", "unit_code": "JD"}
    assert 'href="/hazards/h-a">YH-A</a>' in page and "返回各单位汇总" in page


def test_monthly_page_shows_the_month_per_unit_and_category(client, fake):  # noqa: F811
    sign_in(client, fake)
    fake.routes[("reporting", "GET", "/statistics/monthly")] = MONTHLY
    page = client.get("/reporting/monthly").get_data(as_text=True)
    assert fake.calls[-1][3]["params"] == {}
    assert "隐患排查治理月汇总" in page and "上月结转未整改" in page
    assert "<td>消防安全</td><td>2</td><td>2</td><td>2</td><td>2</td><td>1</td><td>1</td>" in page
    assert 'value="2021-11"' in page
    assert 'href="/reporting/monthly.xlsx?month=2021-11"' in page
