"""The web console without the services (their HTTP answers faked): sign-in, the session
cookie, CSRF, error pages, and buttons only for the steps the hazard service allows."""

from __future__ import annotations

import json
import re

import pytest

from services.console import create_app
from services.console.charts import Bar, bar_chart
from services.console.client import Reply, ServiceError
from services.console.views.common import safe_next
from services.grid.api.labels import grid_labels
from services.hazards.api.labels import hazard_labels
from services.reporting.api.labels import reporting_labels

PERSON = {"id": "p-1", "name": "李主任", "unit_code": "JD", "roles": ["unit_manager"]}
HAZARD = {
    "id": "h-1",
    "number": "YH-2026-00001",
    "unit_code": "JD",
    "cell_id": None,
    "category": "fire",
    "category_label": "消防安全",
    "lead_department": "BWC",
    "lead_department_name": "安全保卫处",
    "severity": "general",
    "severity_label": "一般隐患",
    "status": "rectified",
    "status_label": "待验收",
    "allowed_actions": ["accept", "reject"],
    "my_actions": [],
    "description": "灭火器过期",
    "found_at": "2026-11-29T06:00:00+00:00",
    "deadline": "2026-12-13",
    "reopen_count": 0,
    "version": 5,
}


class FakeServices:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str, str], object] = {
            # The grid's session check (services/console/auth.py): not signed out.
            ("grid", "GET", "/auth/session"): {},
            ("grid", "POST", "/auth/logout"): {},
            # Each service's words for its codes, as the services themselves serve them.
            ("grid", "GET", "/labels"): grid_labels(),
            ("hazards", "GET", "/labels"): hazard_labels(),
            ("reporting", "GET", "/labels"): reporting_labels(),
        }
        self.calls: list[tuple[str, str, str, dict]] = []
        self.label_calls: list[tuple[str, str | None]] = []  # (service, token): kept apart

    def __call__(self, service, method, path, *, token, **kwargs):
        if (method, path) == ("GET", "/labels"):
            self.label_calls.append((service, token))
        else:
            self.calls.append((service, method, path, {"token": token, **kwargs}))
        answer = self.routes.get((service, method, path))
        if answer is None:
            raise AssertionError(f"unexpected call {service} {method} {path}")
        if isinstance(answer, ServiceError):
            raise answer
        headers = {"etag": '"5"'} if path.startswith("/hazards/") else {}
        return Reply(200, headers, json.dumps(answer).encode(), "application/json")


@pytest.fixture
def fake(monkeypatch):
    services = FakeServices()
    modules = ("services.console.auth", "services.console.views.account")
    for module in (*modules, "services.console.views.common", "services.console.labels"):
        monkeypatch.setattr(f"{module}.call", services)
    return services


@pytest.fixture
def client(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("CAMPUS_VAR_DIR", str(tmp_path))
    return create_app({"secret_key": "test-secret-key-0123456789"}).test_client()


def csrf(client, path="/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client, fake, next_path="/"):
    fake.routes[("grid", "POST", "/auth/login")] = {
        "access_token": "token-of-p1",
        "token_type": "Bearer",
        "expires_in": 3600,
        "person": PERSON,
    }
    return client.post(
        "/login",
        data={
            "login": "JD100",
            "password": "secret-1",
            "csrf_token": csrf(client),
            "next": next_path,
        },
    )


def test_pages_need_a_signed_in_person(client):
    response = client.get("/hazards?status=rectified")
    assert response.status_code == 302
    assert response.location == "/login?next=/hazards?status%3Drectified"
    assert client.get("/healthz").status_code == 200


def test_sign_in_sets_a_safe_cookie_and_goes_back(client, fake):
    response = sign_in(client, fake, next_path="/hazards")
    assert response.status_code == 302 and response.location == "/hazards"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert fake.calls[-1][3]["json_body"] == {"login": "JD100", "password": "secret-1"}
    assert fake.calls[-1][3]["token"] is None


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil"])
def test_only_local_paths_after_sign_in(target):
    assert safe_next(target) == "/"


def test_posts_need_the_csrf_token(client, fake):
    sign_in(client, fake)
    response = client.post("/logout")
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    ok = client.post("/logout", data={"csrf_token": csrf(client, "/account/password")})
    assert ok.status_code == 302 and ok.location == "/login"


def test_a_cookie_copied_before_sign_out_no_longer_opens_pages(client, fake):
    sign_in(client, fake)
    fake.routes[("grid", "GET", "/units")] = [{"code": "JD", "name": "机电工程学院"}]
    copied = client.get_cookie("campus_console").value
    thief = client.application.test_client()
    thief.set_cookie("campus_console", copied)
    assert thief.get("/account/password").status_code == 200  # before sign-out it works
    out = client.post("/logout", data={"csrf_token": csrf(client, "/account/password")})
    assert out.status_code == 302 and out.location == "/login"
    logout = [c for c in fake.calls if c[1:3] == ("POST", "/auth/logout")]
    assert len(logout) == 1 and logout[0][3]["token"] == "token-of-p1"
    # The grid now answers 401 for that token; the worker's memo of it was dropped.
    fake.routes[("grid", "GET", "/auth/session")] = ServiceError(
        401, {"title": "Unauthorized", "detail": "signed out"}, "grid"
    )
    response = thief.get("/account/password")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert thief.get("/").status_code == 302


def test_the_session_check_is_remembered_briefly(client, fake):
    sign_in(client, fake)

    def checks() -> int:
        return sum(c[1:3] == ("GET", "/auth/session") for c in fake.calls)

    before = checks()
    for _ in range(3):
        assert client.get("/account/password").status_code == 200
    assert checks() == before + 1  # one grid call per SESSION_CHECK_SECONDS, not per page
    memo = client.application.extensions["console_session_checks"]
    for key in memo:
        memo[key] = 0.0  # the memo has lapsed: asked again
    assert client.get("/account/password").status_code == 200
    assert checks() == before + 2


def test_a_grid_outage_does_not_sign_everyone_out(client, fake):
    sign_in(client, fake)
    client.application.extensions.pop("console_session_checks", None)
    fake.routes[("grid", "GET", "/auth/session")] = ServiceError(503, {"title": "down"}, "grid")
    assert client.get("/account/password").status_code == 200


def test_rate_limited_sign_in_says_when_to_retry(client, fake):
    fake.routes[("grid", "POST", "/auth/login")] = ServiceError(
        429, {"title": "Too Many Requests", "retry_after": 600}, "grid"
    )
    response = client.post(
        "/login", data={"login": "JD100", "password": "x", "csrf_token": csrf(client)}
    )
    assert response.status_code == 429
    assert "10 分钟后再试" in response.get_data(as_text=True)


def test_only_the_steps_the_service_allows_become_buttons(client, fake):
    sign_in(client, fake)
    for mine, buttons in (([], set()), (["accept", "reject"], {"accept", "reject"})):
        fake.routes[("hazards", "GET", "/hazards/h-1")] = {**HAZARD, "my_actions": mine}
        fake.routes[("hazards", "GET", "/hazards/h-1/history")] = []
        fake.routes[("hazards", "GET", "/hazards/h-1/attachments")] = []
        fake.routes[("grid", "GET", "/units")] = [{"code": "JD", "name": "机电工程学院"}]
        page = client.get("/hazards/h-1").get_data(as_text=True)
        assert set(re.findall(r'id="action-([a-z_]+)"', page)) == buttons
        assert 'lang="zh-CN"' in page


def test_actions_send_the_version_read(client, fake):
    sign_in(client, fake)
    fake.routes[("hazards", "POST", "/hazards/h-1/start-remediation")] = HAZARD
    token = csrf(client, "/account/password")
    response = client.post(
        "/hazards/h-1/actions/start_remediation",
        data={"csrf_token": token, "etag": '"4"', "measures": "更换", "quick_fix": "no"},
    )
    assert response.status_code == 302 and response.location == "/hazards/h-1"
    _, _, path, sent = fake.calls[-1]
    assert path == "/hazards/h-1/start-remediation"
    assert sent["headers"] == {"If-Match": '"4"'} and sent["token"] == "token-of-p1"
    assert sent["json_body"] == {"measures": "更换", "quick_fix": False}


def test_the_judge_approves_a_rectification_plan_from_its_button(client, fake):
    """批准整改计划 is offered when the service lists it and posts to its own endpoint."""
    sign_in(client, fake)
    waiting = {
        **HAZARD,
        "status": "in_remediation",
        "my_actions": ["approve_plan"],
        "plan_deadline": "2027-03-31",
        "plan_approved_at": None,
    }
    fake.routes[("hazards", "GET", "/hazards/h-1")] = waiting
    fake.routes[("hazards", "GET", "/hazards/h-1/history")] = []
    fake.routes[("hazards", "GET", "/hazards/h-1/attachments")] = []
    fake.routes[("grid", "GET", "/units")] = [{"code": "JD", "name": "机电工程学院"}]
    page = client.get("/hazards/h-1").get_data(as_text=True)
    assert 'id="action-approve_plan"' in page and "批准整改计划" in page
    assert "2027-03-31（待批准）" in page
    fake.routes[("hazards", "GET", "/hazards/h-1")] = {
        **waiting,
        "my_actions": [],
        "plan_approved_at": "2026-12-01T02:00:00+00:00",
    }
    assert "2027-03-31（已于 2026-12-01 10:00 批准）" in client.get("/hazards/h-1").get_data(
        as_text=True
    )
    fake.routes[("hazards", "POST", "/hazards/h-1/plan-approval")] = waiting
    response = client.post(
        "/hazards/h-1/actions/approve_plan",
        data={"csrf_token": csrf(client, "/account/password"), "etag": '"5"', "comment": "可行"},
    )
    assert response.status_code == 302
    _, _, path, sent = fake.calls[-1]
    assert path == "/hazards/h-1/plan-approval"
    assert sent["headers"] == {"If-Match": '"5"'} and sent["json_body"] == {"comment": "可行"}


def test_refusals_do_not_repeat_the_service_s_detail(client, fake):
    sign_in(client, fake)
    fake.routes[("hazards", "GET", "/hazards/h-9")] = ServiceError(
        403, {"detail": "hazard YH-2026-00009 belongs to unit 'XX'"}, "hazards"
    )
    response = client.get("/hazards/h-9")
    assert response.status_code == 403
    assert "YH-2026-00009" not in response.get_data(as_text=True)


def test_an_expired_token_signs_the_person_out(client, fake):
    sign_in(client, fake)
    fake.routes[("hazards", "GET", "/hazards/h-1")] = ServiceError(401, {}, "hazards")
    response = client.get("/hazards/h-1")
    assert response.status_code == 302 and response.location.startswith("/login?next=")
    assert client.get("/").status_code == 302


def test_charts_are_labelled_svg():
    svg = str(bar_chart("c", "整改率", [Bar("<机电>", 0.5, "1/2"), Bar("信息", None)]))
    assert svg.startswith('<svg class="chart" id="c" role="img"')
    assert "&lt;机电&gt;" in svg and "<机电>" not in svg
    assert "50%" in svg and "无数据" in svg


# -- behind nginx: the console under CONSOLE_URL_PREFIX (/console) ----------------------------
@pytest.fixture
def prefixed(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("CAMPUS_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("CONSOLE_URL_PREFIX", "/console")
    return create_app({"secret_key": "test-secret-key-0123456789"}).test_client()


def _links(page: str) -> list[str]:
    """Every URL a page points at (links, forms, scripts, styles, images)."""
    return re.findall(r'(?:href|src|action)="([^"#?][^"]*)"', page)


def test_the_console_works_under_its_prefix(prefixed, fake):
    # A page asked for signs in first, under the prefix; `next` is the console's own path.
    response = prefixed.get("/console/report?cell=c-1")
    assert response.status_code == 302
    assert response.location == "/console/login?next=/report?cell%3Dc-1"
    login = prefixed.get(response.location)
    assert login.status_code == 200
    page = login.get_data(as_text=True)
    assert 'action="/console/login"' in page
    links = _links(page)
    assert links and all(link.startswith("/console/") for link in links), links
    assert prefixed.get("/console/static/console.css").status_code == 200
    # Sign in, then follow the redirect back to the phone report page (roster QR codes).
    fake.routes[("grid", "POST", "/auth/login")] = {
        "access_token": "token-of-p1",
        "expires_in": 3600,
        "person": PERSON,
    }
    fake.routes[("hazards", "GET", "/cells/c-1")] = {
        "cell_id": "c-1",
        "path": ["主校区", "图书馆"],
        "location": None,
    }
    signed_in = prefixed.post(
        "/console/login",
        data={
            "login": "JD100",
            "password": "secret-1",
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
            "next": "/report?cell=c-1",
        },
    )
    assert signed_in.status_code == 302
    assert signed_in.location == "/console/report?cell=c-1"
    cookie = signed_in.headers["Set-Cookie"]
    assert "Path=/console;" in cookie and "HttpOnly" in cookie  # not sent to the APIs
    report = prefixed.get(signed_in.location, follow_redirects=True)
    assert report.status_code == 200 and report.request.path == "/console/report"
    page = report.get_data(as_text=True)
    assert "主校区 / 图书馆" in page
    links = _links(page)
    assert "/console/hazards" in links and "/console/reporting/board" in links
    assert all(link.startswith("/console/") for link in links), links
    assert 'href="/console/report" aria-current="page"' in page
    # Redirects after an action stay under the prefix.
    fake.routes[("hazards", "POST", "/hazards")] = {"id": "h-1", "number": "YH-2026-00001"}
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    posted = prefixed.post(
        "/console/report?cell=c-1",
        data={"csrf_token": token, "category": "fire", "description": "灭火器过期"},
    )
    assert posted.status_code == 302 and posted.location == "/console/hazards/h-1"
    logout = prefixed.post("/console/logout", data={"csrf_token": token})
    assert logout.status_code == 302 and logout.location == "/console/login"


def test_outside_its_prefix_the_console_answers_only_health_and_the_root(prefixed):
    root = prefixed.get("/")
    assert root.status_code == 302 and root.location == "/console/"
    assert prefixed.get("/healthz").status_code == 200  # compose/systemd checks, Prometheus
    assert prefixed.get("/metrics").status_code == 200
    assert prefixed.get("/console/healthz").status_code == 200
    for path in ("/hazards", "/login", "/report", "/static/console.css"):
        assert prefixed.get(path).status_code == 404, path


def test_a_forwarded_prefix_header_is_not_trusted(client, prefixed):
    """Only the setting moves the console: a client's X-Forwarded-Prefix changes nothing."""
    evil = {"X-Forwarded-Prefix": "//evil.example", "X-Script-Name": "//evil.example"}
    response = client.get("/hazards", headers=evil)
    assert response.location == "/login?next=/hazards"
    assert "evil" not in client.get("/login", headers=evil).get_data(as_text=True)
    response = prefixed.get("/console/hazards", headers=evil)
    assert response.location == "/console/login?next=/hazards"
    assert "evil" not in prefixed.get("/console/login", headers=evil).get_data(as_text=True)
    # Nor a SCRIPT_NAME the WSGI server took from a request header: the setting is the path.
    response = prefixed.get("/console/hazards", environ_overrides={"SCRIPT_NAME": "//evil.x"})
    assert response.location == "/console/login?next=/hazards"


def test_the_prefix_setting_is_a_plain_path():
    from services.console.app import url_prefix

    assert url_prefix({"url_prefix": ""}) == ""
    assert url_prefix({"url_prefix": "/console/"}) == "/console"
    for bad in ("console", "//evil.example", "https://evil.example/", "/a b", "/con?x"):
        with pytest.raises(ValueError):
            url_prefix({"url_prefix": bad})


def test_a_campaign_without_due_dates_has_an_empty_board(client, fake):
    sign_in(client, fake)
    fake.routes[("reporting", "GET", "/campaigns")] = [
        {"id": "c-1", "name": "2026 年专项整治", "reporting_dues": [], "units": []}
    ]
    response = client.get("/reporting/board")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "2026 年专项整治" in page and "尚未设置统计表报送日期" in page


def test_a_service_s_4xx_is_shown_as_that_4xx_with_its_reason(client, fake):
    sign_in(client, fake)
    fake.routes[("hazards", "GET", "/hazards")] = ServiceError(
        422,
        {
            "title": "Unprocessable Entity",
            "detail": "found_from: Not a valid date.",
            "invalid_params": [{"name": "found_from", "reason": "Not a valid date."}],
        },
        "hazards",
    )
    response = client.get("/hazards?found_from=yesterday")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "服务出错" not in page and "填写有误（422）" in page
    assert "发现日期（起）：Not a valid date." in page
    # A conflict without parameters: its detail.
    fake.routes[("hazards", "GET", "/hazards")] = ServiceError(
        409, {"detail": "the campaign is closed"}, "hazards"
    )
    response = client.get("/hazards")
    assert response.status_code == 409 and "the campaign is closed" in response.get_data(
        as_text=True
    )
    # The service failing stays the console's 502; unreachable stays 503.
    fake.routes[("hazards", "GET", "/hazards")] = ServiceError(500, {}, "hazards")
    response = client.get("/hazards")
    assert response.status_code == 502 and "服务出错" in response.get_data(as_text=True)
    fake.routes[("hazards", "GET", "/hazards")] = ServiceError(503, {}, "hazards")
    assert client.get("/hazards").status_code == 503


def test_the_calendar_groups_activities_by_campus_month(client, fake):
    sign_in(client, fake)
    fake.routes[("education", "GET", "/calendar")] = {
        "from": "2026-11-01",
        "to": "2026-12-31",
        "themed_dates": [],
        "activities": [
            {  # 07:00 on 1 December in Shanghai: still 30 November in UTC
                "id": "a-1",
                "title": "晨间消防演练",
                "kind_label": "应急演练",
                "status_label": "已安排",
                "starts_at": "2026-11-30T23:00:00+00:00",
                "ends_at": "2026-12-01T00:00:00+00:00",
                "venue": None,
            }
        ],
    }
    fake.routes[("grid", "GET", "/units")] = [{"code": "JD", "name": "机电工程学院"}]
    fake.routes[("education", "GET", "/calendar/JD/subscription")] = {
        "unit_code": "JD",
        "url": "https://edu.example/calendar/JD.ics?key=k",
        "webcal_url": "webcal://edu.example/calendar/JD.ics?key=k",
    }
    page = client.get("/education").get_data(as_text=True)
    assert "2026 年 12 月" in page and "2026 年 11 月" not in page
    assert "2026-12-01 07:00" in page


def test_the_sign_in_qr_opens_a_check_in_page_that_checks_in(client, fake):
    """Scanning the projector's QR code: sign in, then the code is filled in and the page
    names the signed-in person; a wrong code is said on the page, the right one checks in.
    Only oneself: no 学号 field, and a person_ref slipped into the form is not sent on."""
    fake.routes[("grid", "POST", "/auth/login")] = {
        "access_token": "token-of-s1",
        "token_type": "Bearer",
        "expires_in": 3600,
        "person": {**PERSON, "roles": ["grid_staff"], "number": "2021010101"},
    }
    page = client.get("/education/activities/a-1/check-in?code=K7Q2P9")
    assert page.status_code == 302 and "/login?next=" in page.location
    client.post(
        "/login",
        data={
            "login": "2021010101",
            "password": "secret-1",
            "csrf_token": csrf(client),
            "next": "/education/activities/a-1/check-in?code=K7Q2P9",
        },
    )
    fake.routes[("education", "GET", "/activities/a-1")] = {
        "id": "a-1",
        "title": "消防疏散演练",
        "starts_at": "2026-11-29T01:30:00+00:00",
        "ends_at": "2026-11-29T03:00:00+00:00",
        "venue": "1号教学楼",
    }
    form = client.get("/education/activities/a-1/check-in?code=K7Q2P9").get_data(as_text=True)
    assert 'value="K7Q2P9"' in form and "消防疏散演练" in form
    assert "签到人：李主任（2021010101）" in form and 'name="person_ref"' not in form
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    problem = {"title": "Wrong code", "detail": "the sign-in code is wrong", "status": 422}
    fake.routes[("education", "POST", "/activities/a-1/check-in")] = ServiceError(
        422, problem, "education"
    )
    wrong = client.post(
        "/education/activities/a-1/check-in",
        data={"csrf_token": token, "code": "000000", "person_ref": "2021010101"},
    )
    assert wrong.status_code == 200 and 'name="code"' in wrong.get_data(as_text=True)
    fake.routes[("education", "POST", "/activities/a-1/check-in")] = {
        "activity_id": "a-1",
        "person_ref": "2021010101",
        "name": "张三",
        "checked_in_at": "2026-11-29T01:35:00+00:00",
    }
    done = client.post(
        "/education/activities/a-1/check-in",
        data={"csrf_token": token, "code": "K7Q2P9", "person_ref": "2021010102"},
    ).get_data(as_text=True)
    assert "张三（2021010101）已于 09:35 签到" in done
    sent = [c for c in fake.calls if c[1] == "POST" and c[2].endswith("/check-in")][-1]
    assert sent[3]["json_body"] == {"code": "K7Q2P9"}  # the token says who checks in


def test_the_menu_comes_in_sections_each_role_sees_its_own():
    """The security office's thirty pages in sections (on a desk, one button each); a
    section holding one page of a role's is that page on its own."""
    from services.console.menu import menu_groups_for
    from shared.principal import GRID_STAFF, SECURITY_OFFICE, Principal

    app = create_app({"secret_key": "test-secret-key-0123456789"})
    office = Principal("o", "王保卫", frozenset({SECURITY_OFFICE}), "BWC")
    staff = Principal("s", "张网格", frozenset({GRID_STAFF}), "JD")
    with app.test_request_context("/"):
        sections = dict(menu_groups_for(office))
        mine = dict(menu_groups_for(staff))
    assert [label for _, label in sections[""]] == ["我的待办", "概览", "隐患台账", "上报隐患"]
    registers = {label for _, label in sections["登记台账"]}
    assert {"日常巡查", "危化品台账", "建筑建档", "应急预案", "食品安全"} <= registers
    assert {label for _, label in sections["保卫工作"]} >= {"安全事故", "线索台账"}
    assert "线索台账" not in {label for items in mine.values() for _, label in items}
    assert "统计与问责" not in mine and [label for _, label in mine["保卫工作"]] == ["巡查"]
