"""The ledger export reads plain rows (issue 14 item 1, the 50,000-row bench): one statement
for the hazards and their lead departments, however many rows, instead of an ORM object per
hazard and a query for the leads of every batch; and the file says what it said before:
each hazard once, its leads in their order, the caller's scope."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import event

from services.hazards.export_jobs import commands
from services.hazards.models import Hazard, HazardLead
from shared.api import state
from tests.support.fixtures import bearer

SO = bearer("security_office", sub="office")
XGC = bearer("lead_department", unit="XGC", sub="lead-XGC")  # 学生工作处
FOUND = datetime(2021, 11, 10, 1, 0, tzinfo=UTC)


def hazard(i: int, unit: str, leads: list[str] | None, lead_department: str = "BWC") -> Hazard:
    """Hazard ``i``; ``leads`` in their order (None: one written before co-leads)."""
    return Hazard(
        number=f"YH-2021-{i:05d}",
        unit_code=unit,
        category="fire",
        lead_department=lead_department,
        severity="general",
        status="discovered",
        description=f"第{i}号隐患",
        found_by="u-1",
        found_at=FOUND + timedelta(minutes=i),
        leads=[HazardLead(unit_code=code, position=n) for n, code in enumerate(leads or [])],
    )


@pytest.fixture
def app(make_app, tmp_path):
    return make_app("hazards", files_dir=str(tmp_path / "files"), export_sync_rows=10)


def add(app, hazards: list[Hazard]) -> None:
    with app.app_context(), state().session_factory() as session, session.begin():
        session.add_all(hazards)


def background_export(app, headers: dict) -> tuple[list[tuple], list[str]]:
    """The rows of the file the worker writes for ``headers``' person, and every statement
    the database was sent meanwhile."""
    client = app.test_client()
    location = client.post("/hazards/exports", json={}, headers=headers).headers["Location"]
    with app.app_context():
        factory, settings = state().session_factory, state().settings
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    engine = factory.kw["bind"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert commands.run_next(factory, settings) is not None
    finally:
        event.remove(engine, "before_cursor_execute", record)
    content = client.get(f"{location}/file", headers=headers).data
    sheet = openpyxl.load_workbook(io.BytesIO(content))["隐患台账"]
    return list(sheet.iter_rows(min_row=4, values_only=True)), statements


def reads_of_leads(statements: list[str]) -> int:
    return sum("hazard_leads" in statement for statement in statements)


@pytest.mark.timeout(120)
def test_the_leads_are_read_in_one_statement_however_many_rows(app):
    """Before, every batch of 500 hazards cost one more query for their leads (and an ORM
    object per hazard): 1,600 hazards read the leads four times."""
    counts = {}
    for first, rows in ((0, 100), (100, 1_600)):  # the ledger grows to 1,600 hazards
        add(app, [hazard(i, "JD", ["BWC", "XGC"][: 1 + (i % 3 == 0)]) for i in range(first, rows)])
        written, statements = background_export(app, SO)
        assert len(written) == rows
        counts[rows] = reads_of_leads(statements)
    assert counts[100] == counts[1_600] == 1


def test_each_hazard_is_one_row_with_its_leads_in_their_order(app):
    add(
        app,
        [
            hazard(1, "JD", ["XGC", "BWC"]),  # co-led: 学生工作处 first, as the campaign says
            hazard(2, "JD", None, lead_department="XGC"),  # before co-leads: its one lead
            hazard(3, "JD", ["BWC"]),
            hazard(4, "XX", ["BWC", "XGC", "HQC"]),
        ],
    )
    rows, _ = background_export(app, SO)
    assert [(row[1], row[13]) for row in rows] == [
        ("YH-2021-00001", "学生工作处、安全保卫处"),
        ("YH-2021-00002", "学生工作处"),
        ("YH-2021-00003", "安全保卫处"),
        ("YH-2021-00004", "安全保卫处、学生工作处、后勤管理处"),
    ]
    assert [row[0] for row in rows] == [1, 2, 3, 4]  # 序号 counts hazards, not lead rows


def test_a_lead_departments_export_holds_what_it_leads_each_once(app):
    """The scope's EXISTS on the leads and the leads read beside each row stay apart: a
    co-led hazard of another unit is one row naming every lead, a hazard led by others
    is absent."""
    add(
        app,
        [
            hazard(1, "JD", ["BWC", "XGC"]),
            hazard(2, "JD", ["BWC"]),
            hazard(3, "XX", None, lead_department="XGC"),
        ],
    )
    rows, _ = background_export(app, XGC)
    assert [(row[1], row[13]) for row in rows] == [
        ("YH-2021-00001", "安全保卫处、学生工作处"),
        ("YH-2021-00003", "学生工作处"),
    ]


def test_the_answer_at_once_reads_the_same_rows(app):
    add(app, [hazard(1, "JD", ["BWC", "XGC"]), hazard(2, "JD", ["BWC"])])
    answer = app.test_client().get("/hazards/export.xlsx", headers=SO)
    assert answer.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(answer.data))["隐患台账"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [(row[0], row[1], row[13]) for row in rows] == [
        (1, "YH-2021-00001", "安全保卫处、学生工作处"),
        (2, "YH-2021-00002", "安全保卫处"),
    ]
