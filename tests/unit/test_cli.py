from __future__ import annotations

from click.testing import CliRunner

from services.cli import main
from shared.auth import decode_token
from shared.config import DEV_JWT_SECRET


def test_token_prints_only_the_bare_token():
    result = CliRunner().invoke(
        main,
        [
            "token",
            "--sub",
            "p-7",
            "--role",
            "unit_manager",
            "--role",
            "grid_staff",
            "--unit",
            "JD",
            "--name",
            "张老师",
        ],
    )
    assert result.exit_code == 0, result.output
    principal = decode_token(DEV_JWT_SECRET, result.stdout.strip())
    assert principal.sub == "p-7"
    assert principal.roles == {"unit_manager", "grid_staff"}
    assert (principal.unit, principal.name) == ("JD", "张老师")
    assert "\n" not in result.stdout.strip()


def test_unknown_role_is_refused():
    result = CliRunner().invoke(main, ["token", "--sub", "x", "--role", "janitor"])
    assert result.exit_code == 2
    assert "janitor" in result.output


def test_run_without_rabbitmq_explains_instead_of_a_traceback(monkeypatch):
    monkeypatch.setenv("CAMPUS_AMQP_URL", "amqp://guest:guest@127.0.0.1:1/%2F")
    result = CliRunner().invoke(main, ["run"])
    assert result.exit_code == 2
    assert "RabbitMQ is not reachable at amqp://***@127.0.0.1:1/%2F" in result.output
    assert "rabbitmq-server -detached" in result.output
    assert "Traceback" not in result.output


def test_production_without_a_secret_is_refused(monkeypatch):
    monkeypatch.setenv("CAMPUS_ENV", "production")
    monkeypatch.delenv("CAMPUS_JWT_SECRET", raising=False)
    result = CliRunner().invoke(main, ["token", "--sub", "x", "--role", "portal"])
    assert result.exit_code == 2
    assert "CAMPUS_JWT_SECRET" in result.output


def test_a_unit_scoped_role_needs_a_unit():
    """A unit-scoped role without --unit would mint a token every service refuses (401):
    the CLI says so instead of printing one."""
    for role in ("unit_manager", "grid_staff", "lead_department", "psych_centre"):
        result = CliRunner().invoke(main, ["token", "--sub", "x", "--role", role])
        assert result.exit_code == 2, (role, result.output)
        assert f"--unit is required for role {role}" in result.output
        assert result.stdout.count(".") < 2  # no token printed
    mixed = ["token", "--sub", "x", "--role", "security_office", "--role", "unit_manager"]
    assert CliRunner().invoke(main, mixed).exit_code == 2
    for role in ("security_office", "leadership", "portal"):
        result = CliRunner().invoke(main, ["token", "--sub", "x", "--role", role])
        assert result.exit_code == 0, (role, result.output)
        assert decode_token(DEV_JWT_SECRET, result.stdout.strip()).unit is None
