"""The console's landing page, 我的待办 (issue 15), against the real hazard and education
services run in process: the steps waiting for the signed-in unit manager from each
service, merged and sorted by due date, each linked to the page where it is taken; a
service that is down is a Chinese notice for its part, never a 500."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from services.console.client import Reply, ServiceError
from shared.timeutil import utcnow
from tests.support.fixtures import bearer
from tests.unit.test_console_app import client, fake, sign_in  # noqa: F401
from tests.unit.test_education_api import edu  # noqa: F401

JD = bearer("unit_manager", unit="JD", sub="manager-JD")  # the signed-in person, as a token


@pytest.fixture
def services(make_app, edu, fake, monkeypatch):  # noqa: F811
    """The console's calls to hazards and education answered by the real services; the
    reporting service is down (unreachable, as the client reports it)."""
    real = {
        "hazards": make_app("hazards").test_client(),
        "education": edu,
    }

    def call(name, method, path, *, token, params=None, json_body=None, headers=None, **kw):
        if name == "reporting" and path == "/todo":
            raise ServiceError(503, {"detail": "统计报表服务暂时无法访问"}, name)
        if name not in real or path == "/labels":
            return fake(name, method, path, token=token, params=params, json_body=json_body, **kw)
        answer = real[name].open(
            path, method=method, query_string=params, json=json_body, headers=JD
        )
        if answer.status_code >= 400:
            raise ServiceError(answer.status_code, answer.get_json() or {}, name)
        sent = {k.lower(): v for k, v in answer.headers.items()}
        return Reply(answer.status_code, sent, answer.data, answer.content_type)

    monkeypatch.setattr("services.console.views.common.call", call)
    fake.routes[("grid", "GET", "/todo")] = {
        "service": "grid",
        "total": 0,
        "items": [],
        "counts": [],
    }
    return real


def cards(page: str) -> list[tuple[str, str]]:
    """(link, kind label) of each to-do card, in the page's order."""
    return re.findall(
        r'<span class="badge">([^<]+)</span>.*?<p class="todo-title"><a href="([^"]+)">', page, re.S
    )


def test_the_landing_page_merges_the_services_steps_by_due_date(client, fake, services):  # noqa: F811
    sign_in(client, fake)
    hazards, education = services["hazards"], services["education"]
    late = hazards.post(
        "/hazards",
        json={"unit_code": "JD", "category": "fire", "description": "配电箱未上锁"},
        headers=JD,
    ).get_json()
    hazards.post(f"/hazards/{late['id']}/register", json={"deadline": "2021-11-22"}, headers=JD)
    hazards.post(f"/hazards/{late['id']}/report", json={}, headers=JD)
    fresh = hazards.post(
        "/hazards",
        json={"unit_code": "JD", "category": "fire", "description": "灭火器过期"},
        headers=JD,
    ).get_json()
    now = utcnow()
    drill = education.post(
        "/activities",
        json={
            "kind": "drill",
            "title": "火灾疏散逃生演练",
            "organiser_unit": "JD",
            "targets": [{"unit_code": "JD"}],
            "venue": "1号教学楼",
            "starts_at": (now - timedelta(hours=2)).isoformat(),
            "ends_at": (now - timedelta(hours=1)).isoformat(),
        },
        headers=JD,
    ).get_json()
    assert "id" in drill, drill

    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert cards(page) == [
        ("落实整改（四落实）", f"/hazards/{late['id']}"),  # due 2021-11-22: overdue, first
        ("录入演练结果", f"/education/activities/{drill['id']}"),  # due today
        ("登记评估", f"/hazards/{fresh['id']}"),  # no deadline yet: last
    ]
    assert "逾期" in page and "截止日期：2021-11-22" in page
    # Reporting is down: a notice in Chinese for its part, the rest still shown.
    assert "统计报表服务暂时无法访问，其中的待办事项暂不显示" in page
    assert 'href="/overview"' in page  # the dashboard stays reachable (概览)
    nav = page[page.index('<nav aria-label="主导航">') :]
    assert '<a href="/" aria-current="page">我的待办</a>' in nav
    assert '<a href="/overview">概览</a>' in nav  # on every page, from the main menu


def test_nothing_waiting_says_so(client, fake, services):  # noqa: F811
    sign_in(client, fake)
    page = client.get("/").get_data(as_text=True)
    assert "目前没有等待您处理的事项" not in page  # a service is down: no false "nothing"
    assert "统计报表服务暂时无法访问" in page


STATS = {
    "totals": {"found": 7, "overdue": 2, "rectified": 3, "rectification_rate": 0.4286},
    "by_status": {"discovered": 1, "in_remediation": 3, "accepted": 3},
    "rows": [{"key": "JD", "found": 7, "rectified": 3, "rectification_rate": 0.4286}],
}


def test_the_overview_counts_are_links_to_the_lists_behind_them(client, fake):  # noqa: F811
    sign_in(client, fake)
    fake.routes[("grid", "GET", "/units")] = [{"code": "JD", "name": "机电工程学院"}]
    fake.routes[("reporting", "GET", "/campaigns")] = []
    fake.routes[("reporting", "GET", "/statistics")] = STATS
    fake.routes[("reporting", "GET", "/flags")] = []
    goal = {"label": "无重大安全事故", "major_incidents": 0, "met": True}
    incidents = {"incidents": 2, "near_misses": 1, "goal": goal}
    fake.routes[("reporting", "GET", "/statistics/incidents")] = incidents
    page = client.get("/overview").get_data(as_text=True)
    assert 'id="goal-no-major">已实现' in page  # 无重大安全事故 (issue 16)
    assert re.search(r'id="stat-overdue" href="/hazards\?overdue=true">2<', page)
    assert 'id="stat-major" href="/hazards?severity=major"' in page
    stages = re.findall(r'href="/hazards\?status=(\w+)">([^<]+) <strong>(\d+)</strong>', page)
    assert stages[:4] == [
        ("discovered", "已发现", "1"),
        ("registered", "已登记", "0"),
        ("reported", "已报告", "0"),
        ("in_remediation", "整改中", "3"),
    ]
    assert ("accepted", "已验收", "3") in stages


def answer(service: str, total: int, items: list[dict]) -> dict:
    return {"service": service, "total": total, "items": items, "counts": []}


def test_a_long_to_do_shows_the_soonest_fifty_and_says_how_many_more(client, fake):  # noqa: F811
    sign_in(client, fake)
    hazard = {"kind": "rectify", "kind_label": "整改完成", "overdue": False}
    fake.routes[("hazards", "GET", "/todo")] = answer(
        "hazards",
        60,
        [
            {
                **hazard,
                "title": f"隐患{n}",
                "due_on": f"2030-01-{n + 2:02d}",
                "target": {"hazard_id": f"h{n}"},
            }
            for n in range(25)
        ]
        * 2,
    )
    flag = {"kind": "explain_flag", "kind_label": "提交情况说明", "title": "隐患逾期未整改"}
    fake.routes[("reporting", "GET", "/todo")] = answer(
        "reporting",
        1,
        [{**flag, "due_on": "2030-01-01", "overdue": False, "target": {"flag_id": "f-1"}}],
    )
    for service in ("education", "grid"):
        fake.routes[(service, "GET", "/todo")] = answer(service, 0, [])
    page = client.get("/").get_data(as_text=True)
    shown = cards(page)
    assert len(shown) == 50 and shown[0] == ("提交情况说明", "/reporting/flags/f-1")  # due first
    assert "另有 11 项未列出" in page
