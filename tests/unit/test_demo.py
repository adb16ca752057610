"""The demo campus's guards, without a broker: when `campus-safety run` seeds it, that
production settings refuse it (and leave the databases alone), that no production process
runs the seeding command, and that the printed accounts line up."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from services.cli import main
from services.demo import Account, DemoRefused, accounts_table, demo_wanted, seed_demo
from services.demo.table import _cells
from services.grid.models import Unit
from services.registry import SERVICES
from shared.config import Settings, load_settings
from shared.db import make_engine, make_session_factory
from tests.support.databases import migrated_sqlite

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_SECRET = "a-production-secret-of-at-least-32-bytes-0123456789"


def test_run_seeds_the_demo_unless_told_not_to_and_never_in_production():
    development = Settings(service="grid", database_url="sqlite://")
    production = Settings(
        service="grid",
        database_url="sqlite://",
        environment="production",
        jwt_secret=PRODUCTION_SECRET,
    )
    assert demo_wanted(True, development)
    assert not demo_wanted(False, development)  # run --no-demo
    assert not demo_wanted(True, development, migrate=False)  # run --no-migrate
    assert not demo_wanted(True, production)


@pytest.fixture
def production_env(tmp_path, monkeypatch) -> str:
    urls = {s: migrated_sqlite(s, tmp_path / f"{s}.db") for s in SERVICES}
    for service, url in urls.items():
        monkeypatch.setenv(f"{service.upper()}_DATABASE_URL", url)
    monkeypatch.setenv("CAMPUS_ENV", "production")
    monkeypatch.setenv("CAMPUS_JWT_SECRET", PRODUCTION_SECRET)
    monkeypatch.setenv("CAMPUS_AMQP_URL", "amqp://guest:guest@127.0.0.1:1/%2F")
    return urls["grid"]


def units_in(url: str) -> int:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return session.scalar(select(func.count()).select_from(Unit))
    finally:
        engine.dispose()


def test_production_settings_refuse_the_demo(production_env):
    with pytest.raises(DemoRefused, match="生产环境"):
        seed_demo(load_settings)
    result = CliRunner().invoke(main, ["seed-demo"])
    assert result.exit_code == 2
    assert "生产环境（CAMPUS_ENV=production）不写入演示数据" in result.output
    assert "RabbitMQ" not in result.output  # refused before anything else is tried
    assert units_in(production_env) == 0


def test_no_production_process_runs_the_dev_command_or_seeds():
    """systemd and docker compose start gunicorn and the workers themselves: neither
    `campus-safety run` (which seeds on empty databases) nor `seed-demo`."""
    started = [
        line.split("=", 1)[1]
        for path in sorted((ROOT / "deploy" / "systemd").glob("*.service"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("ExecStart")
    ]
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    started += re.findall(r"^\s*command:\s*(.+)$", compose, flags=re.MULTILINE)
    assert any("gunicorn" in command for command in started)  # what we read is the real list
    for command in started:
        words = re.findall(r"[\w-]+", command)
        assert "seed-demo" not in words, command
        assert not ("campus-safety" in words and "run" in words), command
        assert not ("services" in words and "run" in words), command


def test_the_printed_accounts_line_up_in_a_terminal():
    accounts = [
        Account("安全保卫处", "赵安平", "安全保卫处", "demo-office", "abcdef2345"),
        Account("网格员", "周网格", "机电工程学院", "demo-grid", "ghjkmn6789"),
    ]
    table = accounts_table(accounts, "http://127.0.0.1:5000/")
    assert "http://127.0.0.1:5000/" in table
    rows = table.splitlines()[1:4]  # the header, then each account
    columns = {
        _cells(row[: row.index(word)])
        for row, word in zip(rows, ("登录名", "demo-office", "demo-grid"), strict=True)
    }
    assert len(columns) == 1  # the sign-in names start in the same terminal column
