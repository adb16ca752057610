"""Campus sign-in over CAS (统一身份认证, issue 15): the console sends the browser to a CAS
server started by the test, the grid validates the ticket it comes back with (CAS 2.0 and
3.0), maps the number to a person and answers a token; every failure is a Chinese message
on the sign-in page, never a 500."""

from __future__ import annotations

import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from services.console import create_app as create_console
from services.console.client import Reply, ServiceError
from services.grid import login
from tests.support.cas_server import Account, CasState, cas_server
from tests.support.fixtures import bearer

SO = bearer("security_office", sub="office")
PUBLIC_URL = "https://safety.example.edu.cn/console"
CALLBACK = f"{PUBLIC_URL}/login/cas"
PASSWORD = "Anquan2021!"


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


@pytest.fixture
def cas() -> Iterator[tuple[str, CasState]]:
    with cas_server() as running:
        yield running


def _free_port_url() -> str:
    """The URL of a CAS server that is down: a port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/cas"


@pytest.fixture
def make_grid(make_app):
    def _make(cas_url: str | None, **cas_settings):
        app = make_app("grid", public_url=PUBLIC_URL, cas_url=cas_url, **cas_settings)
        grid = app.test_client()
        unit = {"code": "JD", "name": "机电工程学院", "kind": "college"}
        ok(grid.post("/units", json=unit, headers=SO), 201)
        return grid

    return _make


def add_person(grid, roles=("grid_staff",), sign_in=True, **numbers) -> dict:
    body = {"name": "张网格", "phone": "13800000003", "unit_code": "JD", "roles": list(roles)}
    person = ok(grid.post("/people", json={**body, **numbers}, headers=SO), 201)
    if sign_in:  # the security office opened sign-in for the person
        put = grid.put(f"/people/{person['id']}/password", json={"password": PASSWORD}, headers=SO)
        assert put.status_code == 204
    return person


def console_for(grid, monkeypatch, cas_url: str | None):
    """The console, its grid calls answered by the real grid app in process."""

    def call(service, method, path, *, token, params=None, json_body=None, headers=None, **kw):
        assert service == "grid", f"unexpected call {service} {method} {path}"
        sent = {"Authorization": f"Bearer {token}"} if token else {}
        answer = grid.open(path, method=method, query_string=params, json=json_body, headers=sent)
        if answer.status_code >= 400:
            raise ServiceError(answer.status_code, answer.get_json() or {}, "grid")
        sent_back = {k.lower(): v for k, v in answer.headers.items()}
        return Reply(answer.status_code, sent_back, answer.data, answer.content_type)

    for module in ("auth", "views.account", "views.common", "labels"):
        monkeypatch.setattr(f"services.console.{module}.call", call)
    app = create_console(
        {"secret_key": "test-secret-key-0123456789", "public_url": PUBLIC_URL, "cas_url": cas_url}
    )
    return app.test_client()


def through_cas(console, next_path="/account/password"):
    """The browser's way: the button, the CAS server (signed in there), back to the console
    with a ticket. The console's answer to the ticket."""
    sent = console.get(f"/login/cas?next={urllib.parse.quote(next_path)}")
    assert sent.status_code == 302
    at_cas = urllib.parse.urlsplit(sent.location)
    assert dict(urllib.parse.parse_qsl(at_cas.query)) == {"service": CALLBACK}

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect, urllib.request.ProxyHandler({}))
    try:
        opener.open(sent.location, timeout=10)
        raise AssertionError("the CAS server did not send the browser back")
    except urllib.error.HTTPError as back:
        location = back.headers["Location"]
    assert location.startswith(CALLBACK + "?ticket=")
    return console.get(location.removeprefix(PUBLIC_URL))


def page_error(response) -> str:
    found = re.search(r'id="login-error">([^<]*)<', response.get_data(as_text=True))
    assert found, response.get_data(as_text=True)
    return found.group(1)


def signed_in_user(console) -> dict:
    with console.session_transaction() as session:
        return dict(session.get("user") or {})


# -- through the console ----------------------------------------------------------------
def test_cas_3_sign_in_through_the_console_as_the_right_person(cas, make_grid, monkeypatch):
    cas_url, state = cas
    grid = make_grid(cas_url)
    person = add_person(grid, roles=("grid_staff", "unit_manager"), staff_no="JD101")
    console = console_for(grid, monkeypatch, cas_url)
    assert "统一身份认证登录" in console.get("/login").get_data(as_text=True)

    state.signed_in = Account("JD101")
    back = through_cas(console)
    assert back.status_code == 302 and back.location == "/account/password"
    user = signed_in_user(console)
    assert (user["id"], user["name"], user["unit"]) == (person["id"], "张网格", "JD")
    assert sorted(user["roles"]) == ["grid_staff", "unit_manager"]
    assert "张网格" in console.get("/account/password").get_data(as_text=True)
    assert state.validations[0]["service"] == CALLBACK


def test_cas_2_sign_in_by_the_user_name(cas, make_grid, monkeypatch):
    cas_url, state = cas
    grid = make_grid(cas_url, cas_version="2")
    add_person(grid, roles=("security_office",), student_no="S2021001")
    console = console_for(grid, monkeypatch, cas_url)
    state.signed_in = Account("S2021001", {"employeeNumber": "ignored"})
    assert through_cas(console, "/").status_code == 302
    assert signed_in_user(console)["roles"] == ["security_office"]


def test_the_number_carried_by_an_attribute(cas, make_grid, monkeypatch):
    cas_url, state = cas
    grid = make_grid(cas_url, cas_attribute="employeeNumber")
    person = add_person(grid, staff_no="JD102")
    console = console_for(grid, monkeypatch, cas_url)
    state.signed_in = Account("zhangwangge", {"cn": "张网格", "employeeNumber": "JD102"})
    assert through_cas(console).status_code == 302
    assert signed_in_user(console)["id"] == person["id"]


def test_the_sign_in_page_has_no_cas_button_without_a_cas_server(make_grid, monkeypatch):
    console = console_for(make_grid(None), monkeypatch, None)
    assert "统一身份认证" not in console.get("/login").get_data(as_text=True)
    assert console.get("/login/cas?ticket=ST-1").location == "/login"


def test_a_wrong_ticket_is_a_chinese_message(cas, make_grid, monkeypatch):
    cas_url, state = cas
    console = console_for(make_grid(cas_url), monkeypatch, cas_url)
    console.get("/login/cas")  # sent to the CAS server
    answer = console.get("/login/cas?ticket=ST-999-forged")
    assert answer.status_code == 401
    assert "登录票据无效或已过期" in page_error(answer)
    assert state.validations[0]["ticket"] == "ST-999-forged"  # the CAS server said no
    assert signed_in_user(console) == {}


@pytest.mark.parametrize(
    ("mode", "status", "message"),
    [
        ("down", 502, "暂时无法访问"),
        ("hang", 504, "响应超时"),
        ("malformed", 502, "无法识别"),
        ("entities", 502, "无法识别"),  # a DTD is refused, no entity is ever resolved
    ],
)
def test_a_cas_server_down_slow_or_confused_is_a_chinese_message(
    cas, make_grid, monkeypatch, mode, status, message
):
    cas_url, state = cas
    if mode == "down":
        cas_url = _free_port_url()
    state.mode = mode
    grid = make_grid(cas_url, cas_timeout_seconds=1)
    add_person(grid, staff_no="JD101")
    console = console_for(grid, monkeypatch, cas_url)
    console.get("/login/cas")
    answer = console.get("/login/cas?ticket=ST-1-cas-test")
    assert answer.status_code == status
    assert message in page_error(answer) and "统一身份认证" in page_error(answer)
    assert signed_in_user(console) == {}


def test_an_answer_without_the_configured_attribute_is_not_a_sign_in(cas, make_grid):
    """A CAS 2.0 server sends no attributes: the number is missing, not the CAS user."""
    cas_url, state = cas
    grid = make_grid(cas_url, cas_version="2", cas_attribute="employeeNumber")
    add_person(grid, staff_no="JD101")
    ticket = state.issue(CALLBACK, Account("JD101", {"employeeNumber": "JD101"}))
    answer = grid.post("/auth/cas", json={"ticket": ticket, "service": CALLBACK})
    assert answer.status_code == 502 and "无法识别" in answer.get_json()["detail"]


def test_an_unknown_number_is_refused_in_chinese(cas, make_grid, monkeypatch):
    cas_url, state = cas
    console = console_for(make_grid(cas_url), monkeypatch, cas_url)
    state.signed_in = Account("T9999999")
    answer = through_cas(console)
    assert answer.status_code == 403
    assert page_error(answer) == "该统一身份账号未在平台登记，请联系安全保卫处"


@pytest.mark.parametrize(
    ("roles", "sign_in", "message"),
    [
        (("grid_staff",), False, "未开通登录或登录权限已被收回"),
        ((), True, "尚未分配角色"),
    ],
)
def test_a_person_who_may_not_sign_in_is_refused(
    cas, make_grid, monkeypatch, roles, sign_in, message
):
    cas_url, state = cas
    grid = make_grid(cas_url)
    add_person(grid, roles=roles, sign_in=sign_in, staff_no="JD101")
    console = console_for(grid, monkeypatch, cas_url)
    state.signed_in = Account("JD101")
    answer = through_cas(console)
    assert answer.status_code == 403 and message in page_error(answer)
    assert signed_in_user(console) == {}


def test_sign_in_taken_away_closes_cas_sign_in_too(cas, make_grid, monkeypatch):
    cas_url, state = cas
    grid = make_grid(cas_url)
    person = add_person(grid, staff_no="JD101")
    assert grid.delete(f"/people/{person['id']}/password", headers=SO).status_code == 204
    console = console_for(grid, monkeypatch, cas_url)
    state.signed_in = Account("JD101")
    assert "登录权限已被收回" in page_error(through_cas(console))


def test_a_ticket_the_browser_did_not_ask_for_is_never_used(cas, make_grid, monkeypatch):
    """A link planted to sign the person in as someone else (login CSRF): the console sends
    the browser to the CAS itself and never hands the planted ticket to the grid."""
    cas_url, state = cas
    console = console_for(make_grid(cas_url), monkeypatch, cas_url)
    planted = state.issue(CALLBACK, Account("JD101"))
    answer = console.get(f"/login/cas?ticket={planted}")
    assert answer.status_code == 302 and answer.location.startswith(f"{cas_url}/login?")
    assert state.validations == [] and signed_in_user(console) == {}


# -- the grid's API --------------------------------------------------------------------------
def test_the_grid_takes_tickets_for_the_console_s_callback_only(cas, make_grid):
    cas_url, state = cas
    grid = make_grid(cas_url)
    add_person(grid, staff_no="JD101")
    elsewhere = "https://evil.example.com/login/cas"
    ticket = state.issue(elsewhere, Account("JD101"))
    refused = grid.post("/auth/cas", json={"ticket": ticket, "service": elsewhere})
    assert refused.status_code == 422
    assert refused.get_json()["invalid_params"][0]["name"] == "service"
    assert state.validations == []  # refused before the CAS server is asked
    # A ticket issued for another service, sent as ours: the CAS server refuses it.
    answer = grid.post("/auth/cas", json={"ticket": ticket, "service": CALLBACK})
    assert answer.status_code == 401


def test_the_grid_answers_the_same_token_as_password_sign_in(cas, make_grid):
    cas_url, state = cas
    grid = make_grid(cas_url)
    person = add_person(grid, staff_no="JD101")
    ticket = state.issue(CALLBACK, Account("JD101"))
    reply = ok(grid.post("/auth/cas", json={"ticket": ticket, "service": CALLBACK}))
    assert reply["person"]["id"] == person["id"] and reply["token_type"] == "Bearer"
    token = {"Authorization": f"Bearer {reply['access_token']}"}
    assert grid.get("/auth/session", headers=token).status_code == 204
    # Used once: the same ticket again is refused.
    again = grid.post("/auth/cas", json={"ticket": ticket, "service": CALLBACK})
    assert again.status_code == 401


def test_without_a_cas_server_configured_the_grid_says_so(make_grid):
    answer = make_grid(None).post("/auth/cas", json={"ticket": "ST-1", "service": CALLBACK})
    assert answer.status_code == 404 and "未启用统一身份认证" in answer.get_json()["detail"]


def test_wrong_tickets_count_against_the_address_limit(cas, make_grid, monkeypatch):
    cas_url, _state = cas
    monkeypatch.setattr(login, "MAX_FAILURES_PER_IP", 2)
    grid = make_grid(cas_url)
    statuses = [
        grid.post("/auth/cas", json={"ticket": f"ST-{n}-x", "service": CALLBACK}).status_code
        for n in range(3)
    ]
    assert statuses == [401, 401, 429]
