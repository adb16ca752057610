"""The demo campus (`campus-safety seed-demo`, and `run` on empty databases) seeded into
fresh SQLite databases with a RabbitMQ vhost of the test's own: the printed people sign in
with the printed passwords, the statistics count hazards in every stage (so the events went
through the broker), the activities are there, and a second seed adds nothing."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from services.cli import main
from services.demo import accounts_table, seed_demo
from services.grid.models import Person
from services.hazards.models import Hazard
from services.registry import SERVICES, create_app
from shared.auth import decode_token
from shared.config import DEV_JWT_SECRET, load_settings
from shared.db import make_engine, make_session_factory
from shared.hazard_stages import STAGES
from tests.support.databases import migrated_sqlite

pytestmark = pytest.mark.integration

ROLES = {
    "security_office",
    "leadership",
    "lead_department",
    "unit_manager",
    "grid_staff",
    "psych_centre",
}


@pytest.fixture
def demo_env(tmp_path, monkeypatch, amqp_url) -> dict[str, str]:
    """Fresh migrated SQLite databases and the test's vhost, as the environment says."""
    urls = {s: migrated_sqlite(s, tmp_path / f"{s}.db") for s in SERVICES}
    for service, url in urls.items():
        monkeypatch.setenv(f"{service.upper()}_DATABASE_URL", url)
    monkeypatch.setenv("CAMPUS_AMQP_URL", amqp_url)
    monkeypatch.setenv("CAMPUS_FILES_DIR", str(tmp_path / "files"))
    monkeypatch.delenv("CAMPUS_ENV", raising=False)
    # issue 16: the demo records the checks its heads and safety officers need
    monkeypatch.setenv("CAMPUS_CHECKED_POSTS", "head,safety_officer")
    return urls


def count(url: str, model) -> int:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return session.scalar(select(func.count()).select_from(model))
    finally:
        engine.dispose()


def sign_in(grid, login: str, password: str) -> str:
    response = grid.post("/auth/login", json={"login": login, "password": password})
    assert response.status_code == 200, (login, response.get_json())
    return response.get_json()["access_token"]


def test_demo_campus_signs_in_fills_every_stage_and_seeds_once(demo_env):
    result = seed_demo(load_settings)
    assert result.seeded, result.message

    grid = create_app("grid", {"database_url": demo_env["grid"]}).test_client()
    tokens = {}
    for account in result.accounts:
        token = sign_in(grid, account.login, account.password)
        tokens.update({role: token for role in decode_token(DEV_JWT_SECRET, token).roles})
    assert set(tokens) == ROLES  # one person per role signs in with the printed password
    table = accounts_table(result.accounts, "http://127.0.0.1:5000/")
    for account in result.accounts:
        assert account.login in table and account.password in table and account.name in table

    office = {"Authorization": f"Bearer {tokens['security_office']}"}
    todo = grid.get("/todo", headers=office).get_json()["items"]
    expiring = [i["title"] for i in todo if i["kind"] == "renew_check"]
    assert len(expiring) == 1 and expiring[0].startswith("陈实训（机电工程学院）的背景审查")
    reporting = create_app("reporting", {"database_url": demo_env["reporting"]}).test_client()
    stats = reporting.get("/statistics", headers=office).get_json()
    assert set(stats["by_status"]) == set(STAGES), stats["by_status"]  # each of the loop's

    education = create_app("education", {"database_url": demo_env["education"]}).test_client()
    manager = {"Authorization": f"Bearer {tokens['unit_manager']}"}
    activities = education.get("/activities", headers=manager).get_json()
    assert {a["kind"] for a in activities} == {"lecture", "drill"}
    drill = next(a for a in activities if a["kind"] == "drill")
    report = education.get(f"/activities/{drill['id']}/drill-result", headers=manager).get_json()
    assert report["problems"] and len(report["hazard_numbers"]) == len(report["problems"])

    ledger = create_app("hazards", {"database_url": demo_env["hazards"]}).test_client()
    risks = ledger.get("/risks", headers=manager).get_json()
    assert {r["level"] for r in risks} >= {"red", "yellow"}  # the registers' pages show data
    due = ledger.get("/equipment?due=due_soon", headers=manager).get_json()
    assert len(due) == 1 and due[0]["kind"] == "lifting"
    assert ledger.get("/inspections", headers=manager).get_json()[0]["failed"] == 0
    _registers_of_issue_17_show_records_and_lapses(ledger, office, manager)

    people, hazards = count(demo_env["grid"], Person), count(demo_env["hazards"], Hazard)
    again = seed_demo(load_settings)
    assert not again.seeded and "已有数据" in again.message
    assert (count(demo_env["grid"], Person), count(demo_env["hazards"], Hazard)) == (
        people,
        hazards,
    )


def names(client, path: str, headers: dict, key: str = "name") -> list[str]:
    reply = client.get(path, headers=headers)
    assert reply.status_code == 200, (path, reply.get_json())
    return sorted(row[key] for row in reply.get_json())


def _registers_of_issue_17_show_records_and_lapses(ledger, office, manager) -> None:
    """Each of the six registers holds records, its due list is not empty, and 我的待办
    names the lapses (the registers' own and the hazard the stock count opened)."""
    assert len(names(ledger, "/chemicals", manager)) == 3
    [store] = ledger.get("/chemical-stores", headers=manager).get_json()
    held = ledger.get(f"/chemical-stores/{store['id']}/balances", headers=manager).get_json()
    assert {b["name"]: b["balance"] for b in held}["无水乙醇"] == 4300  # 5000 − 800 + 100
    assert len(names(ledger, "/buildings", office)) == 3
    assert names(ledger, "/buildings?due=lapsed", manager) == ["机电教学楼"]
    plans = names(ledger, "/emergency-plans", manager, "title")
    assert len(plans) == 2
    assert names(ledger, "/emergency-plans?lapse=drill", manager, "title") == [
        "机电工程学院火灾事故应急预案"
    ]
    assert len(names(ledger, "/vehicles", office, "plate_no")) == 2
    assert names(ledger, "/vehicles?due=lapsed", office, "plate_no") == ["甘A·G7203"]
    assert names(ledger, "/drivers?due=lapsed", office) == ["杨师傅"]  # safety education
    assert names(ledger, "/food-outlets?due=expired", office) == ["第一学生食堂"]
    assert len(names(ledger, "/placements", manager, "title")) == 2
    assert names(ledger, "/placements?due=due_soon", manager, "title") == ["2024级数控技术跟岗实习"]

    kinds = {i["kind"] for i in ledger.get("/todo", headers=office).get_json()["items"]}
    assert {"vehicle_lapsed", "driver_lapsed", "building_unsafe", "emergency_plan"} <= kinds
    todo = ledger.get("/todo", headers=manager).get_json()["items"]
    kinds = {i["kind"] for i in todo}
    assert {"building_unsafe", "emergency_plan", "placement_blocked"} <= kinds
    assert any("盘点无水乙醇" in i["title"] for i in todo), todo  # 账实不符: a hazard


def test_seed_demo_command_prints_the_accounts_then_skips(demo_env):
    first = CliRunner().invoke(main, ["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "demo-office" in first.output and "密码" in first.output
    second = CliRunner().invoke(main, ["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "已有数据" in second.output and "demo-office" not in second.output
