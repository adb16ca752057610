"""The province's own staff sign in (issue 19): their password gives a ``province_office``
token the province's API answers; a wrong password is refused in Chinese, a college's token
is refused, repeated guesses wait, a new password ends earlier tokens, and the operator's
command adds a person."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from services.cli import main
from services.province import create_app
from services.province.login import save_person
from shared.api import state
from shared.db import unit_of_work
from shared.migrations import upgrade
from shared.passwords import WeakPassword
from tests.support.fixtures import bearer

PASSWORD = "Province-2021x"


@pytest.fixture
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'province.db'}"
    upgrade("province", url)
    return url


@pytest.fixture
def app(url):
    app = create_app({"database_url": url, "amqp_url": "amqp://guest:guest@127.0.0.1:1/%2F"})
    with app.app_context(), unit_of_work(state().session_factory) as session:
        save_person(session, "wang.li", "王丽", PASSWORD)
    return app


def sign_in(client, password: str = PASSWORD, login: str = "wang.li"):
    return client.post("/auth/login", json={"login": login, "password": password})


def test_the_right_password_gives_a_province_token_the_province_answers(app):
    client = app.test_client()
    reply = sign_in(client)
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()
    assert body["person"]["name"] == "王丽"
    assert body["person"]["roles"] == ["province_office"]
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.get("/province/colleges", headers=headers).status_code == 200
    assert client.get("/auth/session", headers=headers).status_code == 204


def test_a_wrong_password_or_an_unknown_account_is_refused_in_chinese(app):
    client = app.test_client()
    for reply in (sign_in(client, "Wrong-pass1"), sign_in(client, login="nobody")):
        assert reply.status_code == 401
        assert reply.mimetype == "application/problem+json"
        assert reply.get_json()["detail"] == "账号或密码错误"


def test_a_college_token_is_refused_by_the_province(app):
    client = app.test_client()
    campus = bearer("security_office", sub="campus-office")
    for path in ("/province/colleges", "/auth/session"):
        reply = client.get(path, headers=campus)
        assert reply.status_code == 403
        assert "省教育厅" in reply.get_json()["detail"]


def test_repeated_wrong_passwords_wait_even_for_the_right_one(app):
    client = app.test_client()
    for _ in range(5):
        assert sign_in(client, "Wrong-pass1").status_code == 401
    reply = sign_in(client)
    assert reply.status_code == 429
    assert int(reply.headers["Retry-After"]) > 0
    assert "登录失败次数过多" in reply.get_json()["detail"]


def test_signing_out_or_a_new_password_ends_the_token(app):
    client = app.test_client()
    first = {"Authorization": f"Bearer {sign_in(client).get_json()['access_token']}"}
    assert client.post("/auth/logout", headers=first).status_code == 204
    assert client.get("/province/colleges", headers=first).status_code == 401
    second = {"Authorization": f"Bearer {sign_in(client).get_json()['access_token']}"}
    with app.app_context(), unit_of_work(state().session_factory) as session:
        save_person(session, "wang.li", None, "Province-2022y")
    assert client.get("/auth/session", headers=second).status_code == 401
    assert sign_in(client, "Province-2022y").status_code == 200


def test_a_weak_password_is_refused():
    with pytest.raises(WeakPassword):
        save_person(None, "wang.li", "王丽", "12345678")  # type: ignore[arg-type]


def test_the_operator_adds_a_province_user_from_the_command_line(url, monkeypatch):
    monkeypatch.setenv("PROVINCE_DATABASE_URL", url)
    runner = CliRunner()
    args = ["province", "set-password", "--login", "zhao.min", "--name", "赵敏", "--password-stdin"]
    done = runner.invoke(main, args, input=f"{PASSWORD}\n")
    assert done.exit_code == 0, done.output
    assert "赵敏 (zhao.min)" in done.output
    weak = runner.invoke(main, args, input="short\n")
    assert weak.exit_code == 2
    app = create_app({"database_url": url, "amqp_url": "amqp://guest:guest@127.0.0.1:1/%2F"})
    assert sign_in(app.test_client(), login="zhao.min").status_code == 200
