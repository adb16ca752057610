"""Rule 6 of issue 12: co-lead departments, taken from the campaign's data.

The plan names more than one lead department (牵头部门) for some focus tasks, e.g.
  (五)涉校违法犯罪防范治理 …(牵头部门:安全保卫处、学生工作处,责任部门:各二级学院、机关各处室)
  (八)通勤车及交通安全整治 …(牵头部门:后勤管理处、党政办公室、安保处按职责分工负责)
Every lead of a category sees its hazards in any unit, may accept them (验收), and finds
them in its lists and statistics; which departments lead which category is the campaign's
data (reporting announces it, the hazard ledger follows the newest campaign), not code.
"""

from __future__ import annotations

import dataclasses
import io
import json
import uuid

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from services.hazards import leads as hazard_leads
from services.registry import create_app
from services.reporting import commands as reporting
from shared.api import state
from shared.events.envelope import Envelope
from shared.events.outbox import OutboxMessage
from shared.grid_projection import GridCell, GridUnit
from tests.support.events import feed as consume_all
from tests.support.fixtures import bearer, suite_env
from tests.support.handlers import handlers_of
from tests.support.waiting import wait_until
from tests.support.workflow import STEPS_TO_CLOSE, headers

HAZARD_HANDLERS = handlers_of("hazards")

SO = bearer("security_office", sub="office")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
BWC = bearer("lead_department", unit="BWC", sub="lead-BWC")  # 安全保卫处
XGC = bearer("lead_department", unit="XGC", sub="lead-XGC")  # 学生工作处
HQC = bearer("lead_department", unit="HQC", sub="lead-HQC")  # 后勤管理处
DZB = bearer("lead_department", unit="DZB", sub="lead-DZB")  # 党政办公室
JWC = bearer("lead_department", unit="JWC", sub="lead-JWC")  # 教务处: leads neither
FOUND = "2021-11-20T09:30:00+08:00"  # fixed: within the 2021 campaign
BULLYING = {
    "unit_code": "JD",
    "category": "crime_prevention",
    "subcategory": "bullying",
    "description": "学生宿舍发生欺凌苗头，需排查处置",
    "found_at": FOUND,
}


@pytest.fixture
def reporting_app(make_app):
    app = make_app("reporting")
    with app.app_context(), state().session_factory() as session:
        reporting.load_seed_campaign(session)  # LZXD-2021, with its categories
        session.commit()
    return app


@pytest.fixture
def hazards_app(make_app, tmp_path):
    return make_app("hazards", files_dir=str(tmp_path / "files"))


def published(app) -> list[Envelope]:
    """The categories announcements reporting wrote to its outbox, oldest first."""
    with app.app_context(), state().session_factory() as session:
        bodies = session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.event_type == "campaign.categories_published")
            .order_by(OutboxMessage.id)
        ).all()
    return [Envelope.from_json(body) for body in bodies]


def feed(app, events: list[Envelope]) -> None:
    """Deliver events to the hazard service's handlers as its consumer does."""
    with app.app_context(), state().session_factory() as session:
        consume_all(session, HAZARD_HANDLERS, events)


def report(client, body: dict) -> dict:
    response = client.post("/hazards", json=body, headers=SO)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def to_rectified(client, hazard_id: str) -> None:
    """Register, report, remediate and rectify as the unit does (待验收 afterwards)."""
    for path, body, role, sub in STEPS_TO_CLOSE:
        if path == "accept":
            return
        response = client.post(
            f"/hazards/{hazard_id}/{path}", json=body, headers=headers(role, sub, "JD")
        )
        assert response.status_code == 200, (path, response.get_json())


def listed(client, who: dict) -> set[str]:
    return {h["number"] for h in client.get("/hazards", headers=who).get_json()}


def test_the_seeded_campaign_publishes_its_categories_with_the_plans_co_leads(reporting_app):
    """The campaign's data names the leads of every category: 五 安全保卫处、学生工作处;
    八 后勤管理处、党政办公室、安保处 — announced once, with the campaign."""
    [event] = published(reporting_app)
    leads = {c["code"]: c["lead_units"] for c in event.data["categories"]}
    assert leads["crime_prevention"] == ["BWC", "XGC"]
    assert leads["traffic"] == ["HQC", "DZB", "BWC"]
    assert leads["fire"] == ["BWC"]
    assert event.data["code"] == "LZXD-2021" and event.data["starts_on"] == "2021-11-08"
    shown = reporting_app.test_client().get("/campaigns", headers=SO).get_json()[0]
    assert {c["code"]: c["lead_units"] for c in shown["categories"]} == leads


def test_every_co_lead_sees_lists_and_accepts_the_hazards_of_its_category(
    reporting_app, hazards_app
):
    """(五)…(牵头部门:安全保卫处、学生工作处): a crime-prevention hazard in 机电工程学院 is
    seen, listed and accepted by either lead; a department that leads neither sees nothing."""
    feed(hazards_app, published(reporting_app))
    client = hazards_app.test_client()
    first, second = report(client, BULLYING), report(client, BULLYING)
    assert first["lead_departments"] == ["BWC", "XGC"]
    assert first["lead_department"] == "BWC"  # the first lead, kept for older readers
    assert first["lead_department_names"] == ["安全保卫处", "学生工作处"]

    for lead in (BWC, XGC):
        assert client.get(f"/hazards/{first['id']}", headers=lead).status_code == 200
        assert listed(client, lead) == {first["number"], second["number"]}
    assert client.get(f"/hazards/{first['id']}", headers=JWC).status_code == 403
    assert listed(client, JWC) == set()

    for hazard in (first, second):
        to_rectified(client, hazard["id"])
    for lead in (BWC, XGC):
        mine = client.get(f"/hazards/{first['id']}", headers=lead).get_json()["my_actions"]
        assert "accept" in mine
    assert client.post(f"/hazards/{first['id']}/accept", json={}, headers=JWC).status_code == 403
    # Each co-lead accepts one of them (验收).
    for hazard, lead in ((first, BWC), (second, XGC)):
        accepted = client.post(
            f"/hazards/{hazard['id']}/accept", json={"comment": "复查合格"}, headers=lead
        )
        assert accepted.status_code == 200, accepted.get_json()
        assert accepted.get_json()["status"] == "accepted"

    # What the ledger announces names both leads, so reporting counts the hazard for each.
    with hazards_app.app_context(), state().session_factory() as session:
        body = session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.event_type == "hazard.accepted")
        ).first()
    assert json.loads(body)["data"]["lead_departments"] == ["BWC", "XGC"]


def test_co_leads_find_the_hazard_in_the_ledger_export_and_the_categorys_risks(
    reporting_app, hazards_app
):
    """A co-lead's export (隐患台账) and the place's risk announcement (风险公告) show the
    category's entries to each lead; the export names both leads (牵头部门)."""
    feed(hazards_app, published(reporting_app))
    with hazards_app.app_context(), state().session_factory() as session, session.begin():
        session.add(GridUnit(code="JD", name="机电工程学院", kind="college", last_sequence=1))
        session.add(
            GridCell(
                cell_id="dorm",
                code="JD-D1",
                name="1号学生宿舍",
                level=3,
                parent_id=None,
                unit_code="JD",
                area_type="dorm",
                location=None,
                last_sequence=1,
            )
        )
    client = hazards_app.test_client()
    hazard = report(client, BULLYING)
    risk = {
        "cell_id": "dorm",
        "category": "crime_prevention",
        "name": "宿舍欺凌风险",
        "likelihood": 3,
        "severity": 4,
        "control_measures": "宿管每日巡查，设立举报箱",
        "owner_name": "张伟",
        "next_review_on": "2022-06-30",
    }
    assert client.post("/risks", json=risk, headers=SO).status_code == 201
    for lead in (BWC, XGC):
        export = client.get("/hazards/export.xlsx", headers=lead)
        assert export.status_code == 200
        rows = load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True)
        mine = [row for row in rows if hazard["number"] in row]
        assert len(mine) == 1 and "安全保卫处、学生工作处" in mine[0]
        board = client.get("/risks/announcement?cell_id=dorm", headers=lead).get_json()
        assert [p["name"] for p in board["points"]] == ["宿舍欺凌风险"]
    assert client.get("/risks/announcement?cell_id=dorm", headers=JWC).get_json()["points"] == []


def test_traffic_has_three_leads_and_each_sees_its_hazards(reporting_app, hazards_app):
    """(八)通勤车及交通安全整治…(牵头部门:后勤管理处、党政办公室、安保处按职责分工负责)."""
    feed(hazards_app, published(reporting_app))
    client = hazards_app.test_client()
    hazard = report(
        client,
        {
            "unit_code": "JD",
            "category": "traffic",
            "subcategory": "illegal_charging",
            "description": "宿舍楼下电动车违规充电",
            "found_at": FOUND,
        },
    )
    assert hazard["lead_departments"] == ["HQC", "DZB", "BWC"]
    for lead in (HQC, DZB, BWC):
        assert listed(client, lead) == {hazard["number"]}
    assert listed(client, XGC) == set()


def test_each_co_lead_reports_on_its_categories(reporting_app):
    """A lead department's statistics cover the categories it leads, co-led ones included."""
    client = reporting_app.test_client()
    assert client.get("/statistics?category=crime_prevention", headers=XGC).status_code == 200
    assert client.get("/statistics?category=crime_prevention", headers=BWC).status_code == 200
    assert client.get("/statistics?category=fire", headers=XGC).status_code == 403


def test_a_new_campaign_changes_who_leads_new_hazards_without_a_code_change(
    reporting_app, hazards_app
):
    """Leads are campaign data: a later campaign that names 学生工作处 alone for 五 makes new
    hazards its alone; hazards found before keep the leads they were found with, and an
    older campaign's announcement arriving late changes nothing."""
    seed_event = published(reporting_app)
    client = reporting_app.test_client()
    assert client.post("/campaigns", json=next_year(client), headers=SO).status_code == 201
    feed(hazards_app, seed_event)
    hazards = hazards_app.test_client()
    before = report(hazards, BULLYING)
    newer = [e for e in published(reporting_app) if e.data["code"] == "LZXD-2022"]
    feed(hazards_app, newer)
    after = report(hazards, {**BULLYING, "found_at": "2022-09-10T10:00:00+08:00"})
    assert after["lead_departments"] == ["XGC"]
    assert before["lead_departments"] == ["BWC", "XGC"]
    assert listed(hazards, BWC) == {before["number"]}
    assert listed(hazards, XGC) == {before["number"], after["number"]}
    assert hazards.get(f"/hazards/{after['id']}", headers=BWC).status_code == 403

    # The 2021 announcement delivered again (a replay, another delivery): the newest wins.
    feed(hazards_app, [dataclasses.replace(seed_event[0], id=str(uuid.uuid4()))])
    again = report(hazards, {**BULLYING, "found_at": "2022-09-11T10:00:00+08:00"})
    assert again["lead_departments"] == ["XGC"]


def test_the_newest_campaign_wins_whatever_order_the_announcements_arrive_in(
    reporting_app, hazards_app
):
    """The campaign that starts last decides, even when its announcement arrives first."""
    client = reporting_app.test_client()
    assert client.post("/campaigns", json=next_year(client), headers=SO).status_code == 201
    feed(hazards_app, list(reversed(published(reporting_app))))
    hazard = report(hazards_app.test_client(), BULLYING)
    assert hazard["lead_departments"] == ["XGC"]


def next_year(client) -> dict:
    """The 2022 campaign: the 2021 data, but 学生工作处 alone leads 五 (涉校违法犯罪防范)."""
    seed = client.get("/campaigns", headers=SO).get_json()[0]
    categories = [
        {**c, "lead_units": ["XGC"]} if c["code"] == "crime_prevention" else c
        for c in seed["categories"]
    ]
    body = {
        "code": "LZXD-2022",
        "name": "2022 年校园安全专项整治",
        "starts_on": "2022-09-01",
        "ends_on": "2022-12-31",
        "phases": [{"code": "self_inspection", "name": "自查自纠阶段", "deadline": "2022-09-30"}],
        "reporting_dues": [],
        "units": seed["units"],
        "tasks": [
            {"number": t["number"], "title": t["title"], "lead_units": t["lead_units"]}
            for t in seed["tasks"]
        ],
        "categories": [
            {k: c[k] for k in ("code", "label", "task_number", "lead_units")} for c in categories
        ],
    }
    return body


def test_a_campaigns_categories_are_checked_before_anything_is_written(reporting_app):
    """Categories are all-or-none, each once, led by units of the campaign: a bad list is a
    422 naming ``categories`` and creates no campaign."""
    client = reporting_app.test_client()
    seed = client.get("/campaigns", headers=SO).get_json()[0]
    base = {
        "code": "BAD",
        "name": "x",
        "starts_on": "2022-09-01",
        "ends_on": "2022-12-31",
        "phases": [{"code": "p", "name": "p", "deadline": "2022-09-30"}],
        "reporting_dues": [],
        "units": [{"unit_code": "JD", "name": "机电工程学院"}],
    }
    fire = {"code": "fire", "label": "消防安全", "lead_units": ["JD"]}
    whole = [
        {k: c[k] for k in ("code", "label", "task_number", "lead_units")}
        for c in seed["categories"]
    ]
    for categories in ([fire], [fire, fire], whole):  # partial; twice; leads not units
        response = client.post("/campaigns", json={**base, "categories": categories}, headers=SO)
        assert response.status_code == 422, response.get_json()
        assert "categories" in json.dumps(response.get_json())
    assert [c["code"] for c in client.get("/campaigns", headers=SO).get_json()] == ["LZXD-2021"]


@pytest.mark.integration
def test_a_campaigns_leads_reach_the_hazard_ledger_over_rabbitmq(databases, amqp_url, processes):
    """Over the real broker: reporting's relay publishes the campaign's categories and the
    hazard worker applies them, with no call between the services."""
    env = suite_env(databases, amqp_url, CAMPUS_SWEEP_SECONDS="3600")
    processes.worker("reporting", env)
    processes.worker("hazards", env)
    config = {"amqp_url": amqp_url}
    reporting_client = create_app(
        "reporting", {**config, "database_url": databases.urls["reporting"]}
    ).test_client()
    hazards_app = create_app("hazards", {**config, "database_url": databases.urls["hazards"]})
    body = json.loads(reporting.SEED_CAMPAIGN.read_text(encoding="utf-8"))
    body["code"] = "IT-2022"
    for category in body["categories"]:
        if category["code"] == "crime_prevention":
            category["lead_units"] = ["XGC"]
    created = reporting_client.post("/campaigns", json=body, headers=SO)
    assert created.status_code == 201, created.get_json()

    def leads() -> list[str]:
        with hazards_app.app_context(), state().session_factory() as session:
            return hazard_leads.leads_of(session, "crime_prevention")

    wait_until(lambda: leads() == ["XGC"], timeout=30, message="the campaign's leads")
    hazard = report(hazards_app.test_client(), BULLYING)
    assert hazard["lead_departments"] == ["XGC"]
