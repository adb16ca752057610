"""The console shows the services' own words for their codes (each service's GET /labels):
what the real hazard service sends is what the page says, fetched once per process with the
signed-in person's token; a service that cannot answer leaves its codes shown as they are."""

from __future__ import annotations

import re

from services.console.client import ServiceError
from tests.support.fixtures import bearer
from tests.unit.test_console_app import HAZARD, client, csrf, fake, sign_in  # noqa: F401

LATE = {
    "action": "major_unresolved",
    "from_status": "in_remediation",
    "to_status": "in_remediation",
    "actor": "system",
    "actor_name": "系统",
    "comment": None,
    "at": "2026-12-01T02:00:00+00:00",
}


def hazard_routes(fake) -> None:  # noqa: F811
    fake.routes[("hazards", "GET", "/hazards/h-1")] = HAZARD
    fake.routes[("hazards", "GET", "/hazards/h-1/history")] = [LATE]
    fake.routes[("hazards", "GET", "/hazards/h-1/attachments")] = []
    fake.routes[("hazards", "GET", "/hazards")] = [HAZARD]
    fake.routes[("grid", "GET", "/units")] = [{"code": "JD", "name": "机电工程学院"}]


def options(page: str, select_id: str) -> list[str]:
    select = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def test_the_pages_say_what_the_hazard_service_sends(client, fake, make_app):  # noqa: F811
    """Nothing changed in the console: its words are the real service's answer."""
    service = make_app("hazards").test_client()
    served = service.get("/labels", headers=bearer("unit_manager", unit="JD")).get_json()
    fake.routes[("hazards", "GET", "/labels")] = served
    sign_in(client, fake)
    hazard_routes(fake)
    page = client.get("/hazards/h-1").get_data(as_text=True)
    said = {a["code"]: a["label"] for a in served["actions"]}
    assert f"<strong>{said['major_unresolved']}</strong>" in page
    assert said["major_unresolved"] == "重大安全隐患悬而不决"  # as the plan (and reporting) say
    ledger = client.get("/hazards").get_data(as_text=True)
    stages = [s["label"] for s in served["stages"]]
    assert stages[0] == "已发现" and stages[-1] == "已存档"  # the loop's order, as sent
    assert options(ledger, "f-status")[1:] == stages


def test_labels_are_fetched_once_with_the_person_s_token(client, fake):  # noqa: F811
    sign_in(client, fake)
    hazard_routes(fake)
    for _ in range(3):
        assert client.get("/hazards/h-1").status_code == 200
    assert fake.label_calls == [("hazards", "token-of-p1")]


def test_a_service_without_labels_leaves_its_codes(client, fake):  # noqa: F811
    """Once per page while it cannot answer, and its words as soon as it can."""
    fake.routes[("hazards", "GET", "/labels")] = ServiceError(503, {"title": "down"}, "hazards")
    sign_in(client, fake)
    hazard_routes(fake)
    page = client.get("/hazards/h-1").get_data(as_text=True)
    assert "<strong>major_unresolved</strong>" in page
    assert fake.label_calls == [("hazards", "token-of-p1")]  # not once per label on the page
    fake.routes[("hazards", "GET", "/labels")] = {
        "actions": [{"code": "major_unresolved", "label": "重大安全隐患悬而不决"}]
    }
    page = client.get("/hazards/h-1").get_data(as_text=True)
    assert "<strong>重大安全隐患悬而不决</strong>" in page


def test_a_step_s_flash_names_it_in_the_service_s_words(client, fake):  # noqa: F811
    sign_in(client, fake)
    fake.routes[("hazards", "POST", "/hazards/h-1/accept")] = HAZARD
    client.post(
        "/hazards/h-1/actions/accept",
        data={"csrf_token": csrf(client, "/account/password"), "etag": '"5"'},
    )
    hazard_routes(fake)
    assert "验收通过：操作成功" in client.get("/hazards/h-1").get_data(as_text=True)
