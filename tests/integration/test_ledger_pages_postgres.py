"""The ledger list by cursor on PostgreSQL (issue 18): the flows of the SQLite tests
(tests/unit/test_hazard_ledger_pages.py) on the production database, where the key is a row
comparison served by the filters' indexes; and past 10,000 hazards the total an estimate,
flagged in X-Pagination and shown as 约 N 条 on the console's 隐患台账."""

from __future__ import annotations

import json
import re
import time
from html import unescape

import pytest
from sqlalchemy import func, literal_column, select, text
from sqlalchemy.orm import Session

from services.hazards import ledger_pages
from services.hazards.models import Hazard
from services.registry import create_app
from tests.support.fixtures import bearer
from tests.unit import test_hazard_ledger_pages as pages

pytestmark = pytest.mark.integration

SO = bearer("security_office", sub="office")
MANY = 10_050  # past the exact count's bound (10,000)


@pytest.fixture
def apps(databases, amqp_url, tmp_path):
    def app(service: str):
        config = {
            "database_url": databases.urls[service],
            "amqp_url": amqp_url,
            "files_dir": str(tmp_path / service),
        }
        return create_app(service, config)

    return {"grid": app("grid"), "hazards": app("hazards")}


@pytest.mark.parametrize("flow", pages.FLOWS, ids=lambda flow: flow.__name__.removeprefix("flow_"))
def test_the_ledger_by_cursor_on_postgresql(apps, flow):
    flow(apps["hazards"].test_client(), apps["hazards"])


def test_the_console_ledger_by_cursor_on_postgresql(apps, monkeypatch, tmp_path):
    console = pages.office_console(apps["grid"], apps["hazards"], monkeypatch, tmp_path)
    pages.flow_the_console_pages_by_cursor_keeping_the_filters(console, apps["hazards"])


def seed_many(databases) -> None:
    """MANY hazards of JD awaiting registration, and 30 closed (in SQL: a test's seconds)."""
    databases.execute(
        "hazards",
        """
        INSERT INTO hazards (id, number, unit_code, category, lead_department, severity,
            status, description, found_by, found_at, quick_fix, reopen_count, source,
            major_unresolved_notified, version, created_at, updated_at)
        SELECT md5('h' || i)::uuid::text, 'YH-2025-' || lpad(i::text, 6, '0'), 'JD', 'fire',
            'BWC', 'general', CASE WHEN i <= :many THEN 'discovered' ELSE 'closed' END,
            '隐患 ' || i, 'u-1', timestamptz '2025-01-01 00:00+00' + i * interval '1 minute',
            true, 0, 'report', false, 1, now(), now()
        FROM generate_series(1, :many + 30) AS i
        """,
        many=MANY,
    )
    databases.execute("hazards", "ANALYZE hazards")


def test_past_ten_thousand_the_total_is_an_estimate_and_says_so(
    apps, databases, monkeypatch, tmp_path
):
    console = pages.office_console(apps["grid"], apps["hazards"], monkeypatch, tmp_path)
    seed_many(databases)
    client = apps["hazards"].test_client()

    def pagination(**query) -> dict:
        response = client.get("/hazards", query_string=query, headers=SO)
        assert response.status_code == 200, response.get_json()
        return json.loads(response.headers["X-Pagination"])

    estimated = pagination(status="discovered")
    assert estimated["total_exact"] is False
    assert estimated["total"] > 10_000 and abs(estimated["total"] - MANY) < MANY // 5
    closed = pagination(status="closed")
    assert (closed["total"], closed["total_exact"]) == (30, True)  # few: counted

    page = unescape(console.get("/hazards?status=discovered").get_data(as_text=True))
    total = re.search(r'约 <strong id="ledger-total">([\d,]+)</strong> 条', page)
    assert total and int(total.group(1).replace(",", "")) == estimated["total"]
    assert "（超过一万条时为估计数）" in page and re.search(r"第 1 页，共约 [\d,]+ 页", page)
    listed = unescape(console.get("/hazards?status=closed").get_data(as_text=True))
    assert re.search(r'共 <strong id="ledger-total">30</strong> 条', listed)
    assert '约 <strong id="ledger-total">' not in listed

    # Deep down by cursor: page after page, newest first, none twice.
    cursor, seen = None, []
    for _ in range(3):
        query = {"status": "discovered", "page_size": 100, **({"cursor": cursor} if cursor else {})}
        response = client.get("/hazards", query_string=query, headers=SO)
        seen += [hazard["number"] for hazard in response.get_json()]
        cursor = json.loads(response.headers["X-Pagination"])["next_cursor"]
    assert seen == [f"YH-2025-{i:06d}" for i in range(MANY, MANY - 300, -1)]


def test_a_count_that_takes_too_long_gives_the_estimate_and_the_session_goes_on(
    databases, monkeypatch
):
    """A filter no index serves with few matches reads the whole ledger to count them: past
    COUNT_BUDGET_MS the count is cancelled and the planner's estimate given (not exact);
    the web read session (autocommit) answers its next query as before. The budget is kept
    for ledgers the planner deems costly to read (here: any, the seeded one being small)."""
    seed_many(databases)
    monkeypatch.setattr(ledger_pages, "COST_WORTH_A_BUDGET", 0.0)
    engine = databases.engine("hazards").execution_options(isolation_level="AUTOCOMMIT")
    # A condition PostgreSQL evaluates once per statement, slower than the budget.
    slow = literal_column("(SELECT true FROM pg_sleep(0.2))")
    with Session(engine) as session:
        started = time.perf_counter()
        total, exact = ledger_pages.bounded_count(session, select(Hazard).where(slow))
        assert time.perf_counter() - started < 0.2  # cancelled, not waited for
        assert exact is False and total > 0
        assert session.scalar(select(func.count()).select_from(Hazard)) == MANY + 30
        assert session.scalar(text("SHOW statement_timeout")) == "0"
        quick = select(Hazard).where(Hazard.status == "closed")
        assert ledger_pages.bounded_count(session, quick) == (30, True)


def test_a_small_ledger_is_counted_exactly_however_slow_the_moment(databases):
    """Below COST_WORTH_A_BUDGET the count runs without the budget: a busy machine (here a
    condition slower than the budget) delays the total but never turns it into 约."""
    seed_many(databases)
    engine = databases.engine("hazards").execution_options(isolation_level="AUTOCOMMIT")
    slow = literal_column("(SELECT true FROM pg_sleep(0.1))")
    with Session(engine) as session:
        total, exact = ledger_pages.bounded_count(
            session, select(Hazard).where(slow, Hazard.status == "closed")
        )
        assert (total, exact) == (30, True)
