"""`campus-safety province …`: the province installation (a separate installation, not one of
a college's services): migrate its database, add its staff, run it."""

from __future__ import annotations

import os
import sys

import click

from services.province import PORT, SERVICE
from shared.config import ConfigError, load_settings

CONSOLE_PORT = 5010  # the province console; a college's console is on 5000


def _settings():
    try:
        return load_settings(SERVICE)
    except ConfigError as exc:
        click.echo(f"campus-safety: {exc}", err=True)
        sys.exit(2)


@click.group("province")
def province() -> None:
    """省级汇总: the province installation (its database: PROVINCE_DATABASE_URL)."""


@province.command()
def migrate() -> None:
    """Apply the province database's migrations."""
    from shared.migrations import upgrade

    upgrade(SERVICE, _settings().database_url)
    click.echo("province: migrated", err=True)


@province.command("set-password")
@click.option("--login", required=True, help="The account (登录名), e.g. wang.li")
@click.option("--name", default=None, help="The person's name (姓名); kept when omitted.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password(login: str, name: str | None, password_stdin: bool) -> None:
    """Add a member of the province's staff (role province_office, 省教育厅) or set a new
    password; tokens signed in with an earlier one stop working."""
    from services.province import login as province_login
    from shared.db import make_engine, make_session_factory, unit_of_work
    from shared.passwords import WeakPassword

    login = login.strip()
    if not login or len(login) > 64:
        raise click.BadParameter("1 to 64 characters / 须为 1 至 64 个字符", param_hint="--login")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    from shared.migrations import upgrade

    url = _settings().database_url
    upgrade(SERVICE, url)  # a first user on a new installation: its tables first
    engine = make_engine(url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            person = province_login.save_person(session, login, name, password)
            summary = f"{person.name} ({person.id}): province_office"
    except WeakPassword as exc:
        click.echo(f"campus-safety: {exc.detail}", err=True)
        sys.exit(2)
    finally:
        engine.dispose()
    click.echo(f"password set for {summary}")


@province.command()
@click.option("--port", default=PORT, show_default=True, type=int, help="The province API.")
@click.option("--console-port", default=CONSOLE_PORT, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--web-workers", default=2, show_default=True, type=int)
@click.option("--migrate/--no-migrate", "do_migrate", default=True)
def run(port: int, console_port: int, host: str, web_workers: int, do_migrate: bool) -> None:
    """Run the province installation: its API (gunicorn), its worker (the consumer of
    province.in; CAMPUS_AMQP_URL is the province vhost, PROVINCE_COLLEGES its colleges) and
    the province console (CONSOLE_MODE=province). A process that exits is started again;
    Ctrl-C stops all."""
    from services.supervisor import Supervisor
    from shared.migrations import upgrade

    if do_migrate:
        upgrade(SERVICE, _settings().database_url)
    local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    env = {**os.environ, "CAMPUS_LOG_FORMAT": os.environ.get("CAMPUS_LOG_FORMAT", "text")}
    click.echo(f"province console: http://{host}:{console_port}/", err=True)
    click.echo(f"province API: http://{host}:{port}/docs", err=True)
    sys.exit(Supervisor(province_programs(env, host, local, port, console_port, web_workers)).run())


def province_programs(
    env: dict[str, str], host: str, local: str, port: int, console_port: int, workers: int
):
    """The processes of `campus-safety province run`."""
    from services.supervisor import Program

    def gunicorn(bind_port: int, app: str) -> list[str]:
        return [
            *(sys.executable, "-m", "gunicorn", "--config", "python:deploy.gunicorn_conf"),
            *("--bind", f"{host}:{bind_port}", "--workers", str(workers)),
            app,
        ]

    console_env = {
        **env,
        "CONSOLE_MODE": "province",
        "CONSOLE_PROVINCE_URL": f"http://{local}:{port}",
    }
    return [
        Program(
            "province.console", gunicorn(console_port, "services.console:create_app()"), console_env
        ),
        Program("province.web", gunicorn(port, "services.province:create_app()"), env),
        Program("province.worker", [sys.executable, "-m", "services.province.worker"], env),
    ]
