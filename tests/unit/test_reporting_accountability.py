"""Campaigns, statistics, the statistics table, submissions, flags and e-mail (SQLite)."""

from __future__ import annotations

import io
import json
import re
import socket
import uuid
from datetime import UTC, datetime
from email.header import decode_header, make_header

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from services.reporting import commands
from services.reporting.models import Campaign, CampaignUnit, Flag, Notification, ReportingDue
from services.reporting.sweeps import run_sweep, send_mail
from shared.api import state
from shared.errors import Forbidden
from shared.events.envelope import Envelope
from shared.principal import GRID_STAFF, LEADERSHIP, UNIT_MANAGER, Principal
from tests.support.events import feed as consume_all
from tests.support.fixtures import bearer
from tests.support.handlers import handlers_of
from tests.support.reporting import hazard_event, seed_grid_units, seed_unit_head
from tests.support.waiting import wait_until

EVENT_HANDLERS = handlers_of("reporting")

SO = bearer("security_office", sub="office")
TZ = "Asia/Shanghai"


@pytest.fixture
def app(make_app):
    app = make_app("reporting")
    with app.app_context(), state().session_factory() as session:
        commands.load_seed_campaign(session)
        in_grid(session)
        session.commit()
    return app


def in_grid(session) -> None:
    """Every unit of the seed campaign is known to the grid (only those are flagged)."""
    units = session.scalars(select(CampaignUnit)).all()
    seed_grid_units(session, {u.unit_code: u.name for u in units})


@pytest.fixture
def client(app):
    return app.test_client()


def session_of(app):
    with app.app_context():
        return state().session_factory()


def campaign(app) -> tuple[str, list[ReportingDue]]:
    with session_of(app) as session:
        c = session.scalars(select(Campaign)).one()
        dues = session.scalars(
            select(ReportingDue)
            .where(ReportingDue.campaign_id == c.id)
            .order_by(ReportingDue.due_on)
        ).all()
        return c.id, dues


def manager(unit: str) -> Principal:
    return Principal(f"m-{unit}", unit, frozenset({UNIT_MANAGER}), unit)


def feed(app, events: list[Envelope]) -> None:
    with session_of(app) as session:
        consume_all(session, EVENT_HANDLERS, events)


def flags(app) -> list[Flag]:
    with session_of(app) as session:
        return session.scalars(select(Flag).order_by(Flag.rule, Flag.unit_code)).all()


def test_the_2021_plan_is_the_seed_and_a_second_campaign_needs_no_code(client):
    campaigns = client.get("/campaigns", headers=SO).get_json()
    seed = campaigns[0]
    assert seed["code"] == "LZXD-2021"
    assert [p["deadline"] for p in seed["phases"]] == ["2021-11-15", "2021-12-15", "2021-12-30"]
    assert [d["due_on"] for d in seed["reporting_dues"]] == [
        "2021-11-22",
        "2021-12-06",
        "2021-12-20",
        "2022-01-03",
    ]
    assert len(seed["tasks"]) == 12 and seed["tasks"][6]["title"] == "消防安全整治"
    body = {
        "code": "LZXD-2022",
        "name": "2022 年校园安全专项整治",
        "starts_on": "2022-09-01",
        "ends_on": "2022-12-31",
        "phases": [{"code": "self", "name": "自查", "deadline": "2022-09-30"}],
        "reporting_dues": [
            {"due_on": "2022-10-10", "period_start": "2022-09-01", "period_end": "2022-10-09"}
        ],
        "units": [{"unit_code": "JD", "name": "机电工程学院", "email": "jd@example.edu.cn"}],
    }
    assert (
        client.post("/campaigns", json=body, headers=bearer("unit_manager", unit="JD")).status_code
        == 403
    )
    created = client.post("/campaigns", json=body, headers=SO)
    assert created.status_code == 201, created.get_json()
    assert client.post("/campaigns", json=body, headers=SO).status_code == 409
    bad = client.post(
        "/campaigns", json={**body, "code": "X", "starts_on": "2023-01-01"}, headers=SO
    )
    assert bad.status_code == 422 and bad.get_json()["invalid_params"][0]["name"] == "starts_on"


def test_late_and_missing_submissions_with_a_fixed_clock(app):
    campaign_id, dues = campaign(app)
    first = dues[0]  # due 2021-11-22
    on_time = datetime(2021, 11, 22, 15, 59, tzinfo=UTC)  # 23:59 campus time
    late = datetime(2021, 11, 22, 16, 0, 30, tzinfo=UTC)  # 00:00:30 on 11-23 campus time
    with session_of(app) as session:
        commands.submit(session, manager("JD"), campaign_id, first.id, "JD", on_time, TZ)
        commands.submit(session, manager("XX"), campaign_id, first.id, "XX", late, TZ)
        session.commit()
    assert [(f.rule, f.unit_code) for f in flags(app)] == [("late_submission", "XX")]
    with app.app_context():
        factory, cfg = state().session_factory, state().settings
    before_due = datetime(2021, 11, 22, 12, 0, tzinfo=UTC)
    assert run_sweep(factory, cfg, before_due)["missing"] == 0
    after_due = datetime(2021, 11, 23, 1, 0, tzinfo=UTC)
    units = 14  # the seed campaign's units
    assert run_sweep(factory, cfg, after_due)["missing"] == units - 2
    assert run_sweep(factory, cfg, after_due)["missing"] == 0
    missing = [f for f in flags(app) if f.rule == "missing_submission"]
    assert len(missing) == units - 2 and {"JD", "XX"}.isdisjoint(f.unit_code for f in missing)
    assert all(f.evidence["due_on"] == "2021-11-22" for f in missing)
    with session_of(app) as session, pytest.raises(commands.Conflict):
        commands.submit(session, manager("JD"), campaign_id, first.id, "JD", after_due, TZ)


def test_submission_flags_name_the_units_head_and_only_managers_submit(app):
    """A unit's late or missing table is on its head (the unit cell's 网格负责人 that day);
    the leadership group reads, it does not submit for a unit, nor do the unit's staff."""
    campaign_id, dues = campaign(app)
    first = dues[0]  # due 2021-11-22
    with session_of(app) as session:
        seed_unit_head(session, "JD", "机电工程学院", "p-li", "李娜")
        leader = Principal("leader", "领导", frozenset({LEADERSHIP}), None)
        staff = Principal("jd-staff", "网格员", frozenset({GRID_STAFF}), "JD")
        late = datetime(2021, 11, 23, 2, tzinfo=UTC)
        for reader in (leader, staff):
            with pytest.raises(Forbidden):
                commands.submit(session, reader, campaign_id, first.id, "JD", late, TZ)
        commands.submit(session, manager("JD"), campaign_id, first.id, "JD", late, TZ)
        session.commit()
    with app.app_context():
        factory, cfg = state().session_factory, state().settings
    run_sweep(factory, cfg, datetime(2021, 11, 23, 3, tzinfo=UTC))
    by_unit = {(f.rule, f.unit_code): f for f in flags(app)}
    assert by_unit[("late_submission", "JD")].person_name == "李娜"
    assert by_unit[("missing_submission", "XX")].person_name is None  # XX has no grid yet


def test_statistics_and_the_table_agree(client, app):
    ids = [str(uuid.uuid4()) for _ in range(6)]
    events = [hazard_event("hazard.created", 1, h) for h in ids]
    events += [
        hazard_event(
            "hazard.created", 1, str(uuid.uuid4()), category="lab_chemicals", severity="major"
        )
    ]
    events += [hazard_event("hazard.created", 1, str(uuid.uuid4()), unit_code="XX")]
    events += [hazard_event("hazard.remediation_started", 4, ids[0], status="in_remediation")]
    closed_at = datetime(2021, 11, 14, 2, tzinfo=UTC)
    events += [hazard_event("hazard.closed", 7, ids[1], status="closed", closed_at=closed_at)]
    events += [
        hazard_event(
            "hazard.overdue",
            5,
            ids[2],
            status="in_remediation",
            overdue=True,
            deadline="2021-11-12",
        )
    ]
    events += [hazard_event("hazard.created", 1, ids[1])]  # stale, reordered: ignored
    feed(app, events)
    campaign_id, dues = campaign(app)
    stats = client.get(
        f"/statistics?campaign_id={campaign_id}&unit_code=JD&group_by=category", headers=SO
    ).get_json()
    assert stats["totals"]["found"] == 7
    assert (
        stats["totals"]["rectified"],
        stats["totals"]["in_remediation"],
        stats["totals"]["overdue"],
    ) == (1, 2, 1)
    assert stats["totals"]["major"] == 1
    assert stats["totals"]["rectification_rate"] == round(1 / 7, 4)
    assert stats["totals"]["average_days_to_close"] == 4.0
    table = client.get(f"/campaigns/{campaign_id}/dues/{dues[0].id}/table?unit_code=JD", headers=SO)
    assert table.status_code == 200
    sheet = load_workbook(io.BytesIO(table.data)).active
    assert sheet["A1"].value == "校园安全专项整治工作隐患问题统计表"
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    total = rows[-1]
    assert total[1] == "合计" and total[2:7] == (7, 1, 1, 2, 1)
    assert {r[1] for r in rows[:-1]} == {"消防安全", "实验实训室危化品"}

    # Submitted: the table is frozen; a hazard found afterwards is not in it.
    jd = bearer("unit_manager", unit="JD")
    due_url = f"/campaigns/{campaign_id}/dues/{dues[0].id}"
    assert client.get(f"{due_url}/submissions/JD", headers=jd).status_code == 404
    sent = client.post(f"{due_url}/submissions", json={"unit_code": "JD"}, headers=jd)
    assert sent.status_code == 201
    feed(app, [hazard_event("hazard.created", 1, str(uuid.uuid4()))])
    frozen = client.get(f"{due_url}/submissions/JD", headers=SO).get_json()
    assert (
        frozen["snapshot"]["totals"]["found"] == 7
        and frozen["submitted_by"] == sent.json["submitted_by"]
    )
    again = load_workbook(io.BytesIO(client.get(f"{due_url}/table?unit_code=JD", headers=SO).data))
    assert list(again.active.iter_rows(min_row=4, values_only=True))[-1][2] == 7
    assert (
        client.get(
            f"{due_url}/submissions/JD", headers=bearer("unit_manager", unit="XX")
        ).status_code
        == 403
    )
    export = client.get("/statistics/export.xlsx?group_by=unit", headers=SO)
    assert load_workbook(io.BytesIO(export.data)).active.cell(row=3, column=2).value == "排查隐患数"
    mine = client.get("/statistics", headers=bearer("unit_manager", unit="XX")).get_json()
    assert set(mine["by_unit"]) == {"XX"} and mine["totals"]["found"] == 1
    assert (
        client.get(
            "/statistics?unit_code=JD", headers=bearer("unit_manager", unit="XX")
        ).status_code
        == 403
    )


def test_overdue_flags_name_the_person_and_stay_on_record_when_fixed_late(client, app):
    hazard = str(uuid.uuid4())
    overdue = hazard_event(
        "hazard.overdue", 5, hazard, status="in_remediation", overdue=True, deadline="2021-11-20"
    )
    feed(app, [overdue, overdue])  # delivered twice: one flag
    [flag] = flags(app)
    assert (flag.rule, flag.unit_code, flag.person_name, flag.status) == (
        "overdue_hazard",
        "JD",
        "张伟",
        "open",
    )
    assert flag.evidence["deadline"] == "2021-11-20"
    listed = client.get("/flags", headers=bearer("unit_manager", unit="JD")).get_json()
    assert [f["id"] for f in listed] == [flag.id]
    assert client.get("/flags", headers=bearer("unit_manager", unit="XX")).get_json() == []
    feed(
        app,
        [
            hazard_event(
                "hazard.closed",
                8,
                hazard,
                status="closed",
                closed_at=datetime(2021, 11, 25, tzinfo=UTC),
            )
        ],
    )
    [flag] = flags(app)
    assert (flag.status, flag.decided_by, flag.days_late) == ("resolved_late", None, 5)
    assert flag.resolved_at


def test_only_the_security_office_decides_flags(client, app):
    feed(app, [hazard_event("hazard.major_unresolved", 3, str(uuid.uuid4()), severity="major")])
    [flag] = flags(app)
    decision = {"status": "confirmed", "reason": "重大隐患30天未整改"}
    assert (
        client.post(
            f"/flags/{flag.id}/decision", json=decision, headers=bearer("unit_manager", unit="JD")
        ).status_code
        == 403
    )
    no_reason = client.post(f"/flags/{flag.id}/decision", json={"status": "confirmed"}, headers=SO)
    assert (
        no_reason.status_code == 422
        and no_reason.get_json()["invalid_params"][0]["name"] == "reason"
    )
    decided = client.post(f"/flags/{flag.id}/decision", json=decision, headers=SO).get_json()
    assert (decided["status"], decided["decided_by"], decided["decision_reason"]) == (
        "confirmed",
        "office",
        "重大隐患30天未整改",
    )


class SmtpSink:
    """A local SMTP server (aiosmtpd) the test can start and stop."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.messages: list = []
        self.controller = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Message

        sink = self

        class Collect(Message):
            def handle_message(self, message):
                sink.messages.append(message)

        self.controller = Controller(Collect(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None


def test_reminders_reach_smtp_and_survive_an_outage(make_app):
    sink = SmtpSink()
    app = make_app(
        "reporting",
        smtp_host="127.0.0.1",
        smtp_port=sink.port,
        public_url="https://campus.example",
    )
    with app.app_context():
        factory, cfg = state().session_factory, state().settings
    with factory() as session:
        commands.load_seed_campaign(session)
        in_grid(session)
        session.commit()
    three_days_before = datetime(2021, 11, 19, 1, 0, tzinfo=UTC)
    assert run_sweep(factory, cfg, three_days_before)["reminders"] == 14
    # The SMTP server is down: nothing is lost, events still process.
    assert send_mail(factory, cfg, three_days_before)["failed"] == 14
    feed(app, [hazard_event("hazard.created", 1, str(uuid.uuid4()))])
    sink.start()
    try:
        later = datetime(2021, 11, 19, 2, 0, tzinfo=UTC)
        assert send_mail(factory, cfg, later)["sent"] == 14
        wait_until(lambda: len(sink.messages) == 14, timeout=10, message="14 e-mails")
        jd = next(m for m in sink.messages if m["To"] == "jd@campus.example.edu.cn")
        assert jd["Auto-Submitted"] == "auto-generated"  # nobody's auto-responder answers it
        body = jd.get_payload(decode=True).decode("utf-8")
        subject = str(make_header(decode_header(jd["Subject"])))
        assert "机电工程学院" in subject and "2021-11-22" in subject
        # the console's submission board of that due date (the API link would need a token)
        link = re.search(r"https://campus\.example/reporting/board\?campaign=(\S+)&due=(\S+)", body)
        assert link, body
        with factory() as session:
            due = session.get(ReportingDue, link.group(2))
            assert due.campaign_id == link.group(1) and str(due.due_on) == "2021-11-22"
        assert send_mail(factory, cfg, later)["sent"] == 0  # sent once
        assert run_sweep(factory, cfg, later)["reminders"] == 0  # queued once per unit and date
    finally:
        sink.stop()
    with factory() as session:
        assert session.scalar(select(func.count()).where(Notification.status == "pending")) == 0


def test_the_flags_list_comes_a_page_at_a_time_with_the_total(client, app):
    """GET /flags reads one page in SQL (a campus may have thousands of flags): the pages
    follow one another newest first, and the header counts them all."""
    with app.app_context():
        factory, cfg = state().session_factory, state().settings
    assert run_sweep(factory, cfg, datetime(2021, 11, 23, 1, 0, tzinfo=UTC))["missing"] == 14
    pages = []
    for page in (1, 2, 3):
        answer = client.get(f"/flags?page_size=5&page={page}", headers=SO)
        assert answer.status_code == 200
        assert json.loads(answer.headers["X-Pagination"])["total"] == 14
        pages.append([f["id"] for f in answer.get_json()])
    assert [len(p) for p in pages] == [5, 5, 4]
    everything = client.get("/flags?page_size=50", headers=SO).get_json()
    assert [f["id"] for f in everything] == pages[0] + pages[1] + pages[2]
    assert len(set(pages[0] + pages[1] + pages[2])) == 14
