"""Deployment files agree with the service registry: compose, systemd, nginx, Dockerfile."""

from __future__ import annotations

import json
import os
import re
import secrets
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
TEST_SECRET = "deploy-test-secret-0123456789-0123456789"  # 32+ bytes, as production wants

APP_SERVICES = [f"{s}-{kind}" for s in SERVICES for kind in ("web", "worker")]
EXPECTED_COMPOSE = {*APP_SERVICES, f"{CONSOLE}-web", "postgres", "rabbitmq", "migrate"}
# Every gunicorn process: the four services and the web console, by port.
WEB_PORTS = {**PORTS, CONSOLE: CONSOLE_PORT}
# Attachments inside the image (CAMPUS_VAR_DIR=/app/var): one volume for every app container.
COMPOSE_FILES_DIR = "/app/var/files"


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
    # Hazard attachments: every app container has CAMPUS_FILES_DIR on the same named volume
    # (the hazards web app writes there; downloads, PDFs and backups read it).
    for name in [*APP_SERVICES, f"{CONSOLE}-web", "migrate"]:
        service = services[name]
        assert service["environment"]["CAMPUS_FILES_DIR"] == COMPOSE_FILES_DIR, name
        assert _volume_mounts(service).get(COMPOSE_FILES_DIR) == "campus-files", name


def _volume_mounts(service: dict) -> dict[str, str]:
    """target -> named volume, from the short ("vol:/path") or the long (rendered) syntax."""
    mounts = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
            mounts[target] = source
        elif volume.get("type") == "volume":
            mounts[volume["target"]] = volume["source"]
    return mounts


# (a) docker compose renders the file ------------------------------------------------------


@pytest.fixture(scope="module")
def compose_available() -> None:
    if not _docker_compose_works():
        pytest.skip("docker with the compose plugin is not available (`docker compose version`)")


def test_compose_config_renders_every_service(compose_available) -> None:
    result = _compose_config({**os.environ, "CAMPUS_JWT_SECRET": TEST_SECRET})
    assert result.returncode == 0, result.stderr
    rendered = json.loads(result.stdout)
    services = rendered["services"]
    _check_compose_model(services)
    assert "campus-files" in rendered["volumes"]
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
    assert "campus-files" in document["volumes"]


def test_compose_text_lists_every_service() -> None:
    """A dependency-free check that runs everywhere: every service is a key under services."""
    text = COMPOSE.read_text(encoding="utf-8")
    services_block = text.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    declared = set(re.findall(r"^  ([a-z][a-z0-9-]*):\s*$", services_block, re.MULTILINE))
    assert declared == EXPECTED_COMPOSE
    assert {name for name in declared if name.endswith("-web")} == {
        f"{name}-web" for name in WEB_PORTS
    }
    assert "&service-env" in text
    assert "${CAMPUS_JWT_SECRET:?set CAMPUS_JWT_SECRET}" in text
    assert f"CAMPUS_FILES_DIR: {COMPOSE_FILES_DIR}" in text
    assert f"- campus-files:{COMPOSE_FILES_DIR}" in text
    assert re.search(r"^  campus-files:\s*$", text.split("\nvolumes:\n", 1)[1], re.MULTILINE)


# (c) systemd env examples and nginx routes for every registered service -------------------


def _env_file(path: Path) -> dict[str, str]:
    """NAME=value lines of an env file (comments and blank lines skipped)."""
    return dict(
        line.split("=", 1)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )


@pytest.mark.parametrize("service", SERVICES)
def test_systemd_env_example_per_service(service: str) -> None:
    example = SYSTEMD / f"{service}.env.example"
    assert example.is_file(), f"missing {example.relative_to(ROOT)}"
    values = _env_file(example)
    assert values["GUNICORN_BIND"] == f"127.0.0.1:{PORTS[service]}"
    assert values[f"{service.upper()}_DATABASE_URL"].endswith(f"/{service}")


def test_systemd_env_example_for_the_console() -> None:
    example = SYSTEMD / f"{CONSOLE}.env.example"
    assert example.is_file(), f"missing {example.relative_to(ROOT)}"
    values = _env_file(example)
    assert values["GUNICORN_BIND"] == f"127.0.0.1:{CONSOLE_PORT}"
    for service, port in PORTS.items():  # what `campus-safety run` and compose set
        assert values[f"CONSOLE_{service.upper()}_URL"] == f"http://127.0.0.1:{port}"


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


@pytest.mark.parametrize("name", sorted(WEB_PORTS))
def test_every_web_process_has_a_systemd_unit(name: str) -> None:
    """Each gunicorn process of docker-compose (`<name>-web`) runs under systemd as an
    instance of campus-safety-web@.service, wanted by the target, bound to its port."""
    target = (SYSTEMD / "campus-safety.target").read_text(encoding="utf-8")
    wanted = re.findall(r"^Wants=(.*)$", target, re.MULTILINE)
    assert f"campus-safety-web@{name}.service" in " ".join(wanted).split()
    unit = (SYSTEMD / "campus-safety-web@.service").read_text(encoding="utf-8")
    assert "'services.%i:create_app()'" in unit  # services.console:create_app() for console
    assert _env_file(SYSTEMD / f"{name}.env.example")["GUNICORN_BIND"] == (
        f"127.0.0.1:{WEB_PORTS[name]}"
    )


# Environment variables read by the code (shared/config.py and the few read elsewhere), sorted
# by what a production server must do about them. A new variable fails
# test_every_setting_is_sorted until it is put in one of these sets.
PRODUCTION_MUST_SET = {
    "CAMPUS_ENV",  # production: refuses the development secret and short ones
    "CAMPUS_JWT_SECRET",  # the secret
    "CAMPUS_AMQP_URL",  # carries the RabbitMQ password
    "CAMPUS_VAR_DIR",  # default databases and files: must be writable under the units
    "CAMPUS_FILES_DIR",  # attachments: writable, shared by replicas, backed up
    "CAMPUS_REPORT_URL",  # roster QR codes: the default (127.0.0.1) is no use on a phone
    "CAMPUS_EDUCATION_URL",  # sign-in QR codes and calendar feeds, behind nginx's /education
    "CAMPUS_PUBLIC_URL",  # links in e-mails: the default (127.0.0.1) is no use
}
DOCUMENTED_OPTIONAL = {  # in common.env.example, possibly commented out
    "CAMPUS_TIMEZONE",
    "CAMPUS_LOG_FORMAT",
    "CAMPUS_SMTP_HOST",
    "CAMPUS_SMTP_PORT",
    "CAMPUS_SMTP_USER",
    "CAMPUS_SMTP_PASSWORD",
    "CAMPUS_SMTP_FROM",
    "CAMPUS_SMTP_STARTTLS",
    "CAMPUS_WECOM_WEBHOOK",  # group robots for notices: off until the campus names them
    "CAMPUS_DINGTALK_WEBHOOK",
    "CAMPUS_DINGTALK_SECRET",
    "CAMPUS_UNIT_ROBOTS",
    "CAMPUS_MAIL_INTAKE",  # the statistics table by e-mail: off until the campus relays to it
    "CAMPUS_TRUSTED_PROXIES",  # 127.0.0.2: the shipped nginx's proxy_bind and the console
    "CAMPUS_CAS_URL",  # campus sign-in (统一身份认证): off until the campus's CAS is named
    "CAMPUS_CAS_VERSION",
    "CAMPUS_CAS_ATTRIBUTE",
    "CAMPUS_CAS_TIMEOUT_SECONDS",
    "CAMPUS_PROVINCE_PUBLISH",  # the province link (docs/province.md): off until it exists
    "CAMPUS_ID",
    "CAMPUS_PROVINCE_AMQP_URL",
}
DEFAULT_IS_RIGHT = {  # tuning knobs, README only
    "CAMPUS_EXCHANGE",
    "CAMPUS_DELIVERY_LIMIT",  # must equal x-delivery-limit in the RabbitMQ definitions
    "CAMPUS_PREFETCH",
    "CAMPUS_CONSUMER_BATCH",
    "CAMPUS_RELAY_BATCH",
    "CAMPUS_UPLOAD_MAX_BYTES",
    "CAMPUS_EXPORT_SYNC_ROWS",  # larger ledger exports go to the hazards worker
    "CAMPUS_MAJOR_PLAN_DAYS",
    "CAMPUS_ACCEPTANCE_WORKING_DAYS",
    "CAMPUS_SECURITY_OFFICE_UNIT",  # the seeded campaign's 安全保卫处
    "CAMPUS_SWEEP_SECONDS",
    "CAMPUS_REMINDER_DAYS",
    "CAMPUS_FLAG_REVIEW_DAYS",  # the campaign's review window for explanations and appeals
    "CAMPUS_CLUE_FOLLOW_UP_DAYS",  # days a clue may wait for a follow-up (docs/clues.md)
    "CAMPUS_CHECKED_POSTS",  # posts that need a valid background check (head, safety officer)
    "CAMPUS_FOOD_CUTOFF_HOUR",  # when a food outlet's daily records are due
}
ENV_READ = re.compile(r"""(?:environ\.get|env\.get|getenv|_int)\(\s*["'](CAMPUS_[A-Z0-9_]+)["']""")


def _settings_read_by_the_code() -> set[str]:
    sources = [
        path  # shared/config.py, and the few read where they are used
        for path in [*(ROOT / "shared").rglob("*.py"), *(ROOT / "services").rglob("*.py")]
        if "testing" not in path.parts
    ]
    return {name for path in sources for name in ENV_READ.findall(path.read_text("utf-8"))}


def test_every_setting_is_sorted() -> None:
    read = _settings_read_by_the_code()
    assert {"CAMPUS_JWT_SECRET", "CAMPUS_FILES_DIR", "CAMPUS_AMQP_URL"} <= read  # the scan works
    unsorted = read - PRODUCTION_MUST_SET - DOCUMENTED_OPTIONAL - DEFAULT_IS_RIGHT
    assert not unsorted, (
        f"new settings {sorted(unsorted)}: add each to one of the sets above (and, unless its "
        "default is right for production, to deploy/systemd/common.env.example)"
    )
    stale = (PRODUCTION_MUST_SET | DOCUMENTED_OPTIONAL | DEFAULT_IS_RIGHT) - read
    assert not stale, f"no longer read by the code: {sorted(stale)}"


def test_common_env_example_sets_what_production_needs() -> None:
    path = SYSTEMD / "common.env.example"
    values = _env_file(path)
    text = path.read_text(encoding="utf-8")
    missing = sorted(PRODUCTION_MUST_SET - set(values))
    assert not missing, f"{path.relative_to(ROOT)} does not set {missing}"
    undocumented = [
        name for name in sorted(DOCUMENTED_OPTIONAL) if not re.search(rf"^#?{name}=", text, re.M)
    ]
    assert not undocumented, f"{path.relative_to(ROOT)} does not mention {undocumented}"
    assert values["CAMPUS_ENV"] == "production"
    # The units may write only under ReadWritePaths (ProtectSystem=strict).
    unit = (SYSTEMD / "campus-safety-web@.service").read_text(encoding="utf-8")
    writable = re.search(r"^ReadWritePaths=(\S+)$", unit, re.MULTILINE).group(1)
    for name in ("CAMPUS_VAR_DIR", "CAMPUS_FILES_DIR"):
        assert values[name].startswith(writable), f"{name} outside {writable}"
    assert values["CAMPUS_FILES_DIR"] != values["CAMPUS_VAR_DIR"]
    # Placeholders, never a usable secret or password; the secret's is refused as it stands.
    assert values["CAMPUS_JWT_SECRET"] == "CHANGE-ME"
    assert ":CHANGE-ME@" in values["CAMPUS_AMQP_URL"]


def test_production_refuses_the_example_secret_until_it_is_replaced(monkeypatch) -> None:
    from shared.config import ConfigError, load_settings

    values = _env_file(SYSTEMD / "common.env.example")
    for name in ("CAMPUS_ENV", "CAMPUS_JWT_SECRET"):
        monkeypatch.setenv(name, values[name])
    with pytest.raises(ConfigError, match="CAMPUS_JWT_SECRET"):
        load_settings("grid", {"database_url": "sqlite://"})
    # What the comment in the file generates is accepted.
    monkeypatch.setenv("CAMPUS_JWT_SECRET", secrets.token_urlsafe(48))
    assert load_settings("grid", {"database_url": "sqlite://"}).production


def _nginx_https_server(conf: str) -> str:
    """The `server { listen 443 … }` block (the port-80 one only redirects)."""
    start = conf.index("listen 443")
    return conf[start:]


def _nginx_location(conf: str, path: str) -> str:
    location = re.search(rf"location {re.escape(path)} \{{([^}}]*)\}}", _nginx_https_server(conf))
    assert location, f"no `location {path}` block in the HTTPS server"
    return location.group(1)


@pytest.mark.parametrize("service", SERVICES)
def test_nginx_routes_service_to_its_port(service: str) -> None:
    conf = NGINX.read_text(encoding="utf-8")
    upstreams = dict(re.findall(r"upstream\s+(\w+)\s*\{([^}]*)\}", conf))
    location = _nginx_location(conf, f"/{service}/")
    proxy_pass = re.search(r"proxy_pass http://(\w+)/;", location)
    assert proxy_pass, f"/{service}/ must proxy_pass to an upstream with a trailing slash"
    assert f":{PORTS[service]};" in upstreams[proxy_pass.group(1)]
    # proxy_set_header inside a location would discard the server-level ones (X-Request-ID).
    assert "proxy_set_header" not in location


def _nginx_route(conf: str, path: str) -> str:
    """The body of the location nginx picks for ``path`` in the HTTPS server: an exact
    (`=`) match; else the first matching regex (`~`); else the longest prefix."""
    server = _nginx_https_server(conf)
    locations = re.findall(r"location (=|~)?\s*(\S+) \{([^}]*)\}", server)
    for kind, pattern, body in locations:
        if kind == "=" and pattern == path:
            return body
    for kind, pattern, body in locations:
        if kind == "~" and re.search(pattern, path):
            return body
    prefixes = [(loc, body) for kind, loc, body in locations if not kind and path.startswith(loc)]
    assert prefixes, f"no nginx location serves {path}"
    return max(prefixes, key=lambda item: len(item[0]))[1]


def _console_prefix() -> str:
    return _env_file(SYSTEMD / f"{CONSOLE}.env.example")["CONSOLE_URL_PREFIX"]


def test_nginx_routes_the_console_prefix_to_the_console() -> None:
    conf = NGINX.read_text(encoding="utf-8")
    upstreams = dict(re.findall(r"upstream\s+(\w+)\s*\{([^}]*)\}", conf))
    prefix = _console_prefix()
    assert prefix == "/console"
    location = _nginx_location(conf, f"{prefix}/")
    # No URI after the upstream: the path reaches the console unchanged (/console/login), and
    # the console, mounted at CONSOLE_URL_PREFIX, answers it.
    proxy_pass = re.search(r"proxy_pass http://(\w+);", location)
    assert proxy_pass, f"{prefix}/ must proxy_pass to the console's upstream, without a URI"
    assert f":{CONSOLE_PORT};" in upstreams[proxy_pass.group(1)]
    assert "proxy_set_header" not in location
    # The phone report page posts several photos at once (the console accepts 64 MiB).
    assert "client_max_body_size 64m;" in location
    # The site's root opens the console; nothing else falls through to nginx's own files.
    assert re.search(rf"location = / \{{\s*return 302 {re.escape(prefix)}/;", conf)
    assert _nginx_location(conf, "/").strip() == "return 404;"
    # The console's metrics stay off the public site like the services' ones.
    assert re.search(r"location = /metrics \{\s*return 404;", conf)
    blocked = re.search(r"location ~ \^/\(([a-z|]+)\)/metrics\$ \{\s*return 404;", conf)
    assert blocked and set(blocked.group(1).split("|")) == {*SERVICES, prefix.strip("/")}


def test_every_console_page_reaches_the_console_behind_nginx(tmp_path, monkeypatch) -> None:
    """Each route of the console (as the prefixed app serves it) is passed by nginx to the
    console, not to a service API whose prefix the console's own pages share (/hazards …)."""
    from services.console import create_app

    monkeypatch.setenv("CAMPUS_VAR_DIR", str(tmp_path))
    conf = NGINX.read_text(encoding="utf-8")
    upstreams = dict(re.findall(r"upstream\s+(\w+)\s*\{([^}]*)\}", conf))
    prefix = _console_prefix()
    app = create_app({"secret_key": "deploy-test", "url_prefix": prefix})
    rules = [re.sub(r"<[^>]+>", "x", rule.rule) for rule in app.url_map.iter_rules()]
    assert "/hazards" in rules and "/report" in rules and "/login" in rules
    for rule in rules:
        location = _nginx_route(conf, prefix + rule)
        if rule == "/metrics":  # Prometheus reads the console's port directly
            assert location.strip() == "return 404;"
            continue
        proxy_pass = re.search(r"proxy_pass http://(\w+)/?;", location)
        assert proxy_pass, f"{prefix + rule} is not passed on by nginx"
        assert f":{CONSOLE_PORT};" in upstreams[proxy_pass.group(1)], f"{prefix + rule}"
    # The app answers under the prefix, as nginx passes the path on.
    client = app.test_client()
    assert client.get(f"{prefix}/login").status_code == 200
    assert client.get("/login").status_code == 404


def test_public_console_addresses_carry_the_console_prefix() -> None:
    """Roster QR codes (CAMPUS_REPORT_URL) and e-mail links (CAMPUS_PUBLIC_URL, +
    /reporting/board) must open the console, under its nginx prefix, not the APIs."""
    values = _env_file(SYSTEMD / "common.env.example")
    prefix = _console_prefix()
    report = re.match(r"https://[^/]+(/.*)$", values["CAMPUS_REPORT_URL"])
    public = re.match(r"https://[^/]+(/.*)$", values["CAMPUS_PUBLIC_URL"])
    assert report and report.group(1) == f"{prefix}/report"
    assert public and public.group(1) == prefix
    conf = NGINX.read_text(encoding="utf-8")
    for path in (report.group(1), f"{public.group(1)}/reporting/board"):
        assert "campus_console" in _nginx_route(conf, path), path


def test_every_web_process_has_an_nginx_route() -> None:
    conf = _nginx_https_server(NGINX.read_text(encoding="utf-8"))
    upstreams = dict(re.findall(r"upstream\s+(\w+)\s*\{([^}]*)\}", NGINX.read_text("utf-8")))
    routed_ports = set()
    for upstream in re.findall(r"proxy_pass http://(\w+)/?;", conf):
        routed_ports |= {int(port) for port in re.findall(r":(\d+);", upstreams[upstream])}
    assert routed_ports == set(WEB_PORTS.values())


def test_nginx_server_settings() -> None:
    conf = NGINX.read_text(encoding="utf-8")
    assert "client_max_body_size 16m;" in conf
    assert re.search(r"proxy_set_header X-Request-ID \$\w*request_id;", conf)
    assert "return 301 https://$host$request_uri;" in conf
    assert "ssl_certificate " in conf and "ssl_protocols TLSv1.2 TLSv1.3;" in conf
    # nginx faces the clients: the services take the first X-Forwarded-For entry from a
    # trusted proxy, so nginx must not pass on one the client wrote itself.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
    assert "$proxy_add_x_forwarded_for" not in conf


def test_dockerfile_runs_as_non_root_with_gunicorn_conf() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users and not users[-1].startswith(("root", "0"))
    assert "deploy/gunicorn_conf.py" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".venv" in ignored and "!deploy/gunicorn_conf.py" in ignored


def test_dockerfile_exposes_every_web_port_and_owns_the_files_dir() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    exposed = {
        int(p) for line in re.findall(r"^EXPOSE (.*)$", dockerfile, re.M) for p in line.split()
    }
    assert exposed == set(WEB_PORTS.values())
    # The compose volume mounted at CAMPUS_FILES_DIR copies this directory's owner.
    assert re.search(
        rf"mkdir -p {COMPOSE_FILES_DIR} && chown -R campus:campus /app/var", dockerfile
    )


def test_gunicorn_accepts_the_shipped_config(monkeypatch) -> None:
    """gunicorn validates every setting at start-up; a value of the wrong type stops all
    five web apps (a list for forwarded_allow_ips once did)."""
    from gunicorn.config import Config

    monkeypatch.setenv("CAMPUS_TRUSTED_PROXIES", "127.0.0.2, 172.16.0.0/12")
    namespace: dict = {"__file__": str(ROOT / "deploy/gunicorn_conf.py")}
    exec(
        compile((ROOT / "deploy/gunicorn_conf.py").read_text("utf-8"), "gunicorn_conf", "exec"),
        namespace,
    )
    config = Config()
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)  # raises on a value gunicorn would refuse
    assert config.forwarded_allow_ips == ["127.0.0.2", "172.16.0.0/12"]
    assert config.limit_request_line == 8190
