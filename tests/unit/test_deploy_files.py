"""Deployment files agree with the service registry: compose, systemd, nginx, Dockerfile."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from services.registry import CONSOLE, CONSOLE_PORT, PORTS, SERVICES

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = ROOT / "docker-compose.yml"
NGINX = DEPLOY / "nginx" / "campus-safety.conf"
SYSTEMD = DEPLOY / "systemd"
TEST_SECRET = "deploy-test-secret-0123456789"

APP_SERVICES = [f"{s}-{kind}" for s in SERVICES for kind in ("web", "worker")]
EXPECTED_COMPOSE = {*APP_SERVICES, f"{CONSOLE}-web", "postgres", "rabbitmq", "migrate"}


def _docker_compose_works() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        result = subprocess.run(
            ["docker", "compose", "version"], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def _compose_config(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "config", "--format", "json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _check_compose_model(services: dict) -> None:
    """Checks shared by the docker-rendered and the PyYAML-parsed compose model."""
    missing = EXPECTED_COMPOSE - set(services)
    assert not missing, f"services missing from docker-compose.yml: {sorted(missing)}"
    assert services["migrate"]["command"] == ["campus-safety", "migrate"]
    assert services["migrate"]["restart"] == "no"
    for name in APP_SERVICES:
        service = services[name]
        depends = service["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["rabbitmq"]["condition"] == "service_healthy", name
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        env = service["environment"]
        assert env["CAMPUS_ENV"] == "production", name
        base = name.rsplit("-", 1)[0]
        assert f"{base.upper()}_DATABASE_URL" in env, name
        assert "CAMPUS_AMQP_URL" in env, name
    for service, port in PORTS.items():
        web = services[f"{service}-web"]
        command = " ".join(web["command"])
        assert f"0.0.0.0:{port}" in command and f"services.{service}:create_app()" in command
        assert f"127.0.0.1:{port}/healthz" in " ".join(web["healthcheck"]["test"])
        assert f"services.{service}.worker" in " ".join(services[f"{service}-worker"]["command"])
    console = services[f"{CONSOLE}-web"]  # the web console: no database, no worker
    assert f"0.0.0.0:{CONSOLE_PORT}" in " ".join(console["command"])
    assert f"services.{CONSOLE}:create_app()" in " ".join(console["command"])
    assert f"127.0.0.1:{CONSOLE_PORT}/healthz" in " ".join(console["healthcheck"]["test"])
    for service, port in PORTS.items():
        assert console["environment"][f"CONSOLE_{service.upper()}_URL"].endswith(f":{port}")


# (a) docker compose renders the file ------------------------------------------------------


@pytest.fixture(scope="module")
def compose_available() -> None:
    if not _docker_compose_works():
        pytest.skip("docker with the compose plugin is not available (`docker compose version`)")


def test_compose_config_renders_every_service(compose_available) -> None:
    result = _compose_config({**os.environ, "CAMPUS_JWT_SECRET": TEST_SECRET})
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    _check_compose_model(services)
    for name in APP_SERVICES:
        assert services[name]["environment"]["CAMPUS_JWT_SECRET"] == TEST_SECRET


def test_compose_config_requires_jwt_secret(compose_available) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CAMPUS_JWT_SECRET"}
    result = _compose_config(env)
    assert result.returncode != 0
    assert "set CAMPUS_JWT_SECRET" in result.stderr


# (b) without docker: PyYAML, when it happens to be installed -------------------------------


def test_compose_yaml_structure() -> None:
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed")
    document = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert "x-service-env" in document
    assert document["x-service-env"]["CAMPUS_JWT_SECRET"] == (
        "${CAMPUS_JWT_SECRET:?set CAMPUS_JWT_SECRET}"
    )
    _check_compose_model(document["services"])


def test_compose_text_lists_every_service() -> None:
    """A dependency-free check that runs everywhere: every service is a key under services."""
    text = COMPOSE.read_text(encoding="utf-8")
    services_block = text.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    declared = set(re.findall(r"^  ([a-z][a-z0-9-]*):\s*$", services_block, re.MULTILINE))
    assert declared == EXPECTED_COMPOSE
    assert "&service-env" in text
    assert "${CAMPUS_JWT_SECRET:?set CAMPUS_JWT_SECRET}" in text


# (c) systemd env examples and nginx routes for every registered service -------------------


@pytest.mark.parametrize("service", SERVICES)
def test_systemd_env_example_per_service(service: str) -> None:
    example = SYSTEMD / f"{service}.env.example"
    assert example.is_file(), f"missing {example.relative_to(ROOT)}"
    values = dict(
        line.split("=", 1)
        for line in example.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    assert values["GUNICORN_BIND"] == f"127.0.0.1:{PORTS[service]}"
    assert values[f"{service.upper()}_DATABASE_URL"].endswith(f"/{service}")


def test_systemd_units_use_instance_env_files() -> None:
    common = (SYSTEMD / "common.env.example").read_text(encoding="utf-8")
    assert "CAMPUS_JWT_SECRET=" in common and "CAMPUS_ENV=production" in common
    for kind in ("web", "worker"):
        unit = (SYSTEMD / f"campus-safety-{kind}@.service").read_text(encoding="utf-8")
        assert "EnvironmentFile=/etc/campus-safety/common.env" in unit
        assert "EnvironmentFile=/etc/campus-safety/%i.env" in unit
        for option in ("Restart=always", "NoNewPrivileges=yes", "ProtectSystem=strict"):
            assert option in unit, f"{kind}: {option}"
    target = (SYSTEMD / "campus-safety.target").read_text(encoding="utf-8")
    for service in SERVICES:
        assert f"campus-safety-web@{service}.service" in target
        assert f"campus-safety-worker@{service}.service" in target


@pytest.mark.parametrize("service", SERVICES)
def test_nginx_routes_service_to_its_port(service: str) -> None:
    conf = NGINX.read_text(encoding="utf-8")
    upstreams = dict(re.findall(r"upstream\s+(\w+)\s*\{([^}]*)\}", conf))
    location = re.search(rf"location /{service}/ \{{([^}}]*)\}}", conf)
    assert location, f"no `location /{service}/` block"
    proxy_pass = re.search(r"proxy_pass http://(\w+)/;", location.group(1))
    assert proxy_pass, f"/{service}/ must proxy_pass to an upstream with a trailing slash"
    assert f":{PORTS[service]};" in upstreams[proxy_pass.group(1)]
    # proxy_set_header inside a location would discard the server-level ones (X-Request-ID).
    assert "proxy_set_header" not in location.group(1)


def test_nginx_server_settings() -> None:
    conf = NGINX.read_text(encoding="utf-8")
    assert "client_max_body_size 16m;" in conf
    assert re.search(r"proxy_set_header X-Request-ID \$\w*request_id;", conf)
    assert "return 301 https://$host$request_uri;" in conf
    assert "ssl_certificate " in conf and "ssl_protocols TLSv1.2 TLSv1.3;" in conf


def test_dockerfile_runs_as_non_root_with_gunicorn_conf() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users and not users[-1].startswith(("root", "0"))
    assert "deploy/gunicorn_conf.py" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".venv" in ignored and "!deploy/gunicorn_conf.py" in ignored
