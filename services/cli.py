"""campus-safety: run the suite, mint and revoke tokens, migrate, replay events, manage dead
letters."""

from __future__ import annotations

import json
import os
import sys
from datetime import date, datetime

import click

from services.registry import CONSOLE, CONSOLE_PORT, PORTS, SERVICES
from services.supervisor import Program, Supervisor
from shared.auth import mint_token
from shared.config import ConfigError, load_settings
from shared.principal import KIOSK, PORTAL, ROLES, unit_claim_missing

service_choice = click.Choice(SERVICES)
# A portal's or a kiosk's token is configured once per school year at most: longer, and it
# outlives the people who know where it is set. `campus-safety revoke` ends one earlier.
MAX_TTL_HOURS = 366 * 24


def _ttl_seconds(ttl_hours: float) -> int:
    """``--ttl-hours`` in seconds, refused (exit 2) outside (0, ``MAX_TTL_HOURS``]."""
    if not 0 < ttl_hours <= MAX_TTL_HOURS:
        raise click.BadParameter(
            f"有效期须大于 0 且不超过 {MAX_TTL_HOURS} 小时（366 天）/ "
            f"must be more than 0 and at most {MAX_TTL_HOURS} hours (366 days)",
            param_hint="--ttl-hours",
        )
    return int(ttl_hours * 3600)


def _fail(message: str) -> None:
    click.echo(f"campus-safety: {message}", err=True)
    sys.exit(2)


def _settings(service: str):
    try:
        return load_settings(service)
    except ConfigError as exc:
        _fail(str(exc))


def _require_broker(amqp_url: str) -> None:
    from shared.events.topology import connect

    try:
        connect(amqp_url, heartbeat=0).close()
    except Exception as exc:
        _fail(
            f"RabbitMQ is not reachable at {_redact(amqp_url)} ({exc.__class__.__name__}).\n"
            "  Start it (Debian: `apt-get install rabbitmq-server`, then "
            "`rabbitmq-server -detached`), or point CAMPUS_AMQP_URL at a running broker."
        )


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


@click.group()
def main() -> None:
    """校安 campus safety platform: command-line tool."""


@main.command()
@click.option("--sub", required=True, help="Subject: a person's id or a portal's name.")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@click.option(
    "--unit",
    default=None,
    help="Unit code; required for unit_manager, grid_staff, lead_department, psych_centre.",
)
@click.option("--name", default=None, help="Display name (defaults to --sub).")
@click.option("--ttl-hours", default=12.0, show_default=True, type=float)
def token(sub: str, roles: tuple[str, ...], unit: str | None, name: str | None, ttl_hours: float):
    """Print a bearer token (and nothing else) for a person or a portal."""
    scoped = unit_claim_missing(roles, unit)
    if scoped is not None:
        # Every service would refuse such a token (401): say so now, not at first use.
        raise click.UsageError(
            f"--unit is required for role {scoped}: it acts only within its unit "
            "(only security_office, leadership and portal tokens go without one)"
        )
    ttl_seconds = _ttl_seconds(ttl_hours)
    secret = _settings("grid").jwt_secret
    click.echo(mint_token(secret, sub, roles, unit=unit, name=name, ttl_seconds=ttl_seconds))


@main.command("kiosk-token")
@click.option(
    "--device", required=True, help="Which device, e.g. 3号楼报告厅签到机 (up to 50 characters)."
)
@click.option("--ttl-hours", default=12.0, show_default=True, type=float)
def kiosk_token(device: str, ttl_hours: float) -> None:
    """Print a token for a check-in kiosk (签到终端): a device in a room that checks enrolled
    people in with the room's code, naming each person, and may call nothing else. Check-ins
    it makes are recorded as made by kiosk:DEVICE."""
    device = device.strip()
    if not device or len(device) > 50:
        raise click.BadParameter("1 to 50 characters", param_hint="--device")
    ttl_seconds = _ttl_seconds(ttl_hours)
    secret = _settings("grid").jwt_secret
    token = mint_token(
        secret,
        f"kiosk:{device}",
        [KIOSK],
        name=f"签到终端（{device}）",
        ttl_seconds=ttl_seconds,
    )
    click.echo(token)


@main.command()
@click.option(
    "--sub", required=True, help="Whose tokens: a portal's name, kiosk:DEVICE, or a person's id."
)
def revoke(sub: str) -> None:
    """End every token minted for SUB until now (a portal's, a kiosk's, a person's): the
    grid refuses them at once and announces access.revoked, so every service refuses them
    within seconds of the grid worker relaying it. A token minted afterwards works."""
    from services.grid import revocations
    from shared import revocation
    from shared.db import make_engine, make_session_factory, unit_of_work

    sub = sub.strip()
    if not sub or len(sub) > 64:
        raise click.BadParameter("1 to 64 characters / 须为 1 至 64 个字符", param_hint="--sub")
    engine = make_engine(_settings("grid").database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            revocations.person_access(session, sub, revocation.REVOKED_BY_OPERATOR)
    finally:
        engine.dispose()
    click.echo(f"tokens of {sub} issued until now are revoked on every service")


@main.command("set-password")
@click.option("--person", "person", required=True, help="Person id, staff or student number.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice([r for r in ROLES if r != PORTAL]),
    help="Also replace the person's sign-in roles (repeat for several).",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password(person: str, roles: tuple[str, ...], password_stdin: bool) -> None:
    """Set a person's sign-in password (and roles) in the grid database: how the security
    office gives the first people access to the console."""
    from services.grid import login
    from shared.db import make_engine, make_session_factory, unit_of_work

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    engine = make_engine(_settings("grid").database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            found = login.find_person(session, person)
            if found is None:
                _fail(f"no person with id, staff or student number {person!r}")
            try:
                login.set_password(session, found, password)
            except login.WeakPassword as exc:
                _fail(exc.detail)
            if roles:
                found.roles = sorted(set(roles))
            summary = f"{found.name} ({found.id}, {found.unit_code}): roles {found.roles or '-'}"
    finally:
        engine.dispose()
    click.echo(f"password set for {summary}")


@main.command()
@click.option("--service", "services", multiple=True, type=service_choice)
def migrate(services: tuple[str, ...]) -> None:
    """Apply database migrations (all services by default)."""
    from shared.migrations import upgrade

    for service in services or SERVICES:
        upgrade(service, _settings(service).database_url)
        click.echo(f"{service}: migrated", err=True)


def _seed_campaign(demo: bool = False, start: date | None = None) -> str:
    """The 2021 plan: the campaign in reporting, its dates in the education calendar.
    ``demo``: its dates shifted to start ``start`` (default: today on campus)."""
    from services.education.commands import load_seed_themed_dates
    from services.reporting.commands import load_seed_campaign
    from shared.db import make_engine, make_session_factory, unit_of_work
    from shared.timeutil import campus_time, utcnow

    demo_start = None
    if demo:
        demo_start = start or campus_time(utcnow(), _settings("reporting").campus_timezone).date()

    def campaign(session) -> str:
        loaded = load_seed_campaign(session, demo_start)
        return f"loaded campaign {loaded.code}" if loaded else "the campaign is already there"

    def themed_dates(session) -> str:
        return f"{load_seed_themed_dates(session)} campaign dates added to the calendar"

    done = []
    for service, load in (("reporting", campaign), ("education", themed_dates)):
        engine = make_engine(_settings(service).database_url)
        with unit_of_work(make_session_factory(engine)) as session:
            done.append(f"{service}: {load(session)}")
        engine.dispose()
    return "; ".join(done)


@main.command("seed-campaign")
@click.option("--demo", is_flag=True, help="shift the plan's dates to start today: live due dates")
@click.option(
    "--start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="with --demo: the day the shifted campaign starts (default today)",
)
def seed_campaign(demo: bool, start) -> None:
    """Load the 2021 demo campaign (兰州现代职业学院, 2021 plan) into reporting."""
    click.echo(_seed_campaign(demo, start.date() if start else None))


def _seed_demo(console_url: str) -> None:
    """Seed the demo campus (services/demo); print its accounts, or why it was skipped."""
    from services import demo

    try:
        result = demo.seed_demo(_settings)
    except demo.DemoRefused as exc:
        _fail(str(exc))
    except Exception as exc:  # broker or database trouble: say what, never a traceback
        _fail(f"演示校园未建好：{exc.__class__.__name__}: {exc}")
    if not result.seeded:
        click.echo(f"demo: {result.message}", err=True)
        return
    click.echo(f"demo: {result.message}")
    click.echo(demo.accounts_table(result.accounts, console_url))


@main.command("seed-demo")
@click.option(
    "--console-url",
    default=f"http://127.0.0.1:{CONSOLE_PORT}/",
    show_default=True,
    help="where the printed accounts sign in",
)
def seed_demo(console_url: str) -> None:
    """Seed the demo campus (演示校园) into an empty installation on purpose: units, places,
    people of every role with demo passwords (printed once), hazards in every stage, an
    activity and a drill, the campaign with live due dates. Refused in production; skipped
    when the databases hold data. Needs RabbitMQ (the events flow as in real work)."""
    from services import demo

    try:
        demo.check_allowed(_settings)
    except demo.DemoRefused as exc:
        _fail(str(exc))
    _require_broker(_settings("grid").amqp_url)
    click.echo(f"seed: {_seed_campaign(demo=True)}", err=True)
    _seed_demo(console_url)


@main.command()
@click.argument("service", type=service_choice)
@click.option("--relay-only", is_flag=True)
@click.option("--consumer-only", is_flag=True)
def worker(service: str, relay_only: bool, consumer_only: bool) -> None:
    """Run one service's worker (outbox relay + event consumer), as ``python -m
    services.<service>.worker`` runs it (its ``main``: the reporting worker's adds the
    mail intake)."""
    import importlib

    argv = ["--relay-only"] * relay_only + ["--consumer-only"] * consumer_only
    importlib.import_module(f"services.{service}.worker").main(argv)


@main.command()
@click.argument("service", type=service_choice)
@click.option("--type", "event_type", default=None, help="Only events of this type.")
@click.option("--since", default=None, help="Only events recorded at or after this ISO time.")
def replay(service: str, event_type: str | None, since: str | None) -> None:
    """Re-publish SERVICE's events from its outbox (consumers' inboxes skip ones they have)."""
    from sqlalchemy import update

    from shared.db import make_engine, make_session_factory, unit_of_work
    from shared.events.outbox import OutboxMessage

    stmt = update(OutboxMessage).values(published_at=None, next_attempt_at=None, attempts=0)
    if event_type:
        stmt = stmt.where(OutboxMessage.event_type == event_type)
    if since:
        try:
            stmt = stmt.where(OutboxMessage.created_at >= datetime.fromisoformat(since))
        except ValueError:
            _fail(f"--since must be an ISO-8601 time, got {since!r}")
    engine = make_engine(_settings(service).database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        count = session.execute(stmt).rowcount
    click.echo(f"{service}: {count} events queued for re-publication by the worker's relay")


@main.command("check-counters")
@click.option("--rebuild", is_flag=True, help="After reporting them, count them again.")
def check_counters(rebuild: bool) -> None:
    """Recount reporting's hazard counters (what the statistics read) from its hazard
    projection; print every difference and exit 1 if there is one."""
    from services.reporting.statistics import counters
    from shared.db import make_engine, make_session_factory, unit_of_work

    settings = _settings("reporting")
    engine = make_engine(settings.database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        lines = counters.differences(session, settings.campus_timezone)
        if lines and rebuild:
            counters.rebuild(session, settings.campus_timezone)
    engine.dispose()
    for line in lines:
        click.echo(line)
    if not lines:
        click.echo("reporting: 隐患计数与隐患投影一致 (counters match the projection)")
        return
    done = "，已重新计数 (rebuilt)" if rebuild else "；--rebuild 可重新计数"
    click.echo(f"reporting: {len(lines)} 处计数与隐患投影不符{done}", err=True)
    sys.exit(1)


@main.command()
@click.argument("service", type=service_choice)
@click.option("--now", default=None, help="Clock for the sweep (ISO time with offset).")
def sweep(service: str, now: str | None) -> None:
    """Run SERVICE's periodic sweep once (the worker runs it every CAMPUS_SWEEP_SECONDS)."""
    from services.registry import periodic_tasks
    from shared.db import make_engine, make_session_factory

    moment = None
    if now:
        try:
            moment = datetime.fromisoformat(now)
        except ValueError:
            _fail(f"--now must be an ISO-8601 time, got {now!r}")
        if moment.tzinfo is None:
            _fail("--now needs a UTC offset, e.g. 2021-11-23T09:00:00+08:00")
    settings = _settings(service)
    factory = make_session_factory(make_engine(settings.database_url))
    for task in periodic_tasks(service):
        result = task(factory, settings, moment) if moment else task(factory, settings)
        click.echo(f"{service} {task.__name__}: {result}")


@main.group("dead-letters")
def dead_letters() -> None:
    """Inspect and requeue poison messages parked in <service>.dead."""


@dead_letters.command("list")
@click.argument("service", type=service_choice)
def dead_letters_list(service: str) -> None:
    from shared.events.dead_letters import peek

    settings = _settings(service)
    _require_broker(settings.amqp_url)
    letters = peek(settings.amqp_url, service)
    for letter in letters:
        click.echo(json.dumps(letter, ensure_ascii=False))
    click.echo(f"{len(letters)} dead letters in {service}.dead", err=True)


@dead_letters.command("requeue")
@click.argument("service", type=service_choice)
@click.option("--id", "event_ids", multiple=True, help="Only these event ids (default: all).")
def dead_letters_requeue(service: str, event_ids: tuple[str, ...]) -> None:
    from shared.events.dead_letters import requeue

    settings = _settings(service)
    _require_broker(settings.amqp_url)
    count = requeue(settings.amqp_url, settings.exchange, service, set(event_ids) or None)
    click.echo(f"{count} dead letters requeued to {service}.events")


@main.command()
@click.option(
    "--port-base",
    default=PORTS["grid"],
    show_default=True,
    type=int,
    help="Port of the first service; the others follow.",
)
@click.option(
    "--console-port",
    default=None,
    type=int,
    help="Port of the web console (default: the port before --port-base, 5000).",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--web-workers", default=2, show_default=True, type=int)
@click.option("--migrate/--no-migrate", "do_migrate", default=True)
@click.option(
    "--demo/--no-demo",
    default=True,
    help="on empty databases, seed the demo campus and print its accounts (never in production)",
)
def run(
    port_base: int,
    console_port: int | None,
    host: str,
    web_workers: int,
    do_migrate: bool,
    demo: bool,
) -> None:
    """Run the whole suite: four gunicorn apps, four workers and the web console. A process
    that exits is started again (1 s, doubling to 30 s), as systemd does in production;
    Ctrl-C stops all. On empty databases it first seeds the demo campus (--no-demo: not)."""
    from services.demo import demo_wanted
    from shared.migrations import upgrade

    _require_broker(_settings("grid").amqp_url)
    if do_migrate:
        for service in SERVICES:
            upgrade(service, _settings(service).database_url)
        click.echo(f"seed: {_seed_campaign(demo=True)}", err=True)
    console_port = console_port or port_base - 1
    if demo_wanted(demo, _settings("grid"), do_migrate):
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        _seed_demo(f"http://{shown}:{console_port}/")
    local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # how processes reach each other
    env = {**os.environ, "CAMPUS_LOG_FORMAT": os.environ.get("CAMPUS_LOG_FORMAT", "text")}
    env.setdefault("CAMPUS_REPORT_URL", f"http://{local}:{console_port}/report")  # roster QR codes
    env.setdefault("CAMPUS_PUBLIC_URL", f"http://{local}:{console_port}")  # e-mails, sign-in QR
    programs = suite_programs(env, host, local, port_base, console_port, web_workers)
    click.echo(f"{CONSOLE:>10}: http://{host}:{console_port}/", err=True)
    for offset, service in enumerate(SERVICES):
        click.echo(f"{service:>10}: http://{host}:{port_base + offset}/docs", err=True)
    sys.exit(Supervisor(programs).run())


def suite_programs(
    env: dict[str, str], host: str, local: str, port_base: int, console_port: int, workers: int
) -> list[Program]:
    """The processes of `campus-safety run`: the console, then each service's web app
    (gunicorn) and worker."""

    def gunicorn(port: int, package: str) -> list[str]:
        return [
            *(sys.executable, "-m", "gunicorn", "--config", "python:deploy.gunicorn_conf"),
            *("--bind", f"{host}:{port}", "--workers", str(workers)),
            f"services.{package}:create_app()",
        ]

    urls = {
        f"CONSOLE_{service.upper()}_URL": f"http://{local}:{port_base + offset}"
        for offset, service in enumerate(SERVICES)
    }
    programs = [Program(f"{CONSOLE}.web", gunicorn(console_port, CONSOLE), {**env, **urls})]
    for offset, service in enumerate(SERVICES):
        programs.append(Program(f"{service}.web", gunicorn(port_base + offset, service), env))
        worker = [sys.executable, "-m", f"services.{service}.worker"]
        programs.append(Program(f"{service}.worker", worker, env))
    return programs


def _add_province() -> None:
    """`campus-safety province …`: the province installation's own commands."""
    from services.province.cli import province

    main.add_command(province)


_add_province()
