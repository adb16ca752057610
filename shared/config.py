"""Configuration from the environment, with defaults that are safe for a laptop.

Every service reads the same variables; only the database URL is per service
(``<SERVICE>_DATABASE_URL``). Production mode (``CAMPUS_ENV=production``) refuses
the development JWT secret so a campus server never runs with a published key, and a
secret shorter than 32 bytes (HS256's key size).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from shared.client_ip import PROXY_SOURCE
from shared.installation import ENV, UNNAMED, read_campus_id

DEV_JWT_SECRET = "dev-only-insecure-secret-change-me"
# HS256 wants a key at least as long as its hash (RFC 7518 3.2): 256 bits.
PRODUCTION_JWT_SECRET_BYTES = 32
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Peers whose X-Forwarded-For names the client (shared.client_ip): the address the shipped
# nginx (proxy_bind) and the console connect from; not 127.0.0.1, every local process's.
DEFAULT_TRUSTED_PROXIES = PROXY_SOURCE
# The console's page that receives a CAS ticket, under CAMPUS_PUBLIC_URL: the console sends
# people to CAS with it, the grid accepts tickets issued for it only (services/grid/cas.py).
CAS_CALLBACK_PATH = "/login/cas"


class ConfigError(RuntimeError):
    """Raised when the environment describes a configuration that must not run."""


def _var_dir() -> Path:
    """Where local state lives by default: SQLite files and uploaded files."""
    var = Path(os.environ.get("CAMPUS_VAR_DIR", PROJECT_ROOT / "var"))
    var.mkdir(parents=True, exist_ok=True)
    return var


def _default_db_url(service: str) -> str:
    return f"sqlite:///{_var_dir() / service}.db"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    service: str
    database_url: str
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/%2F"
    exchange: str = "campus.events"
    jwt_secret: str = DEV_JWT_SECRET
    environment: str = "development"
    campus_timezone: str = "Asia/Shanghai"
    # The installation's identity (shared.installation): on every published event and export.
    campus_id: str = UNNAMED
    delivery_limit: int = 5
    prefetch: int = 200
    consumer_batch: int = 100
    relay_batch: int = 500
    relay_poll_seconds: float = 0.005
    # Web apps ping a pooled database connection only after it idled this long (shared.db).
    db_ping_after_idle_seconds: float = 2.0
    log_json: bool = True
    report_base_url: str = "http://127.0.0.1:5000/report"  # the console's phone report page
    files_dir: str = str(PROJECT_ROOT / "var" / "files")
    upload_max_bytes: int = 10 * 1024 * 1024
    # Grid posts nobody may take without a valid background check (services/grid/checks):
    # comma-separated assignment roles; empty turns the rule off (e.g. before checks exist).
    checked_posts: str = "head,safety_officer"
    # A ledger export above this many rows is written by the hazards worker as a file to
    # download when ready (POST /hazards/exports); the web answer would outlast a request.
    export_sync_rows: int = 5_000
    # Issue 12's hazard rules: a major hazard needs an approved rectification plan within
    # this many days of registration (重大隐患悬而不决 otherwise); the acceptor (验收) has
    # this many working days (Mon–Fri) after rectification; the security office's own unit
    # code (it accepts for a lead department's own hazards, and names what it reports).
    major_plan_days: int = 7
    acceptance_working_days: int = 3
    security_office_unit: str = "BWC"
    sweep_seconds: float = 60.0
    smtp_host: str | None = None  # unset: e-mails wait in the notifications table
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "campus-safety@localhost"
    smtp_starttls: bool = False
    reminder_days: int = 3
    public_url: str = "http://127.0.0.1:5000"  # the web console, linked from e-mails
    # host:port of the reporting worker's SMTP listener for tables mailed in (unset: off).
    mail_intake: str | None = None
    # Days a unit has to explain a flag (from raising) and to appeal a decision (from it);
    # a decision not appealed in time, or decided on appeal, is final.
    flag_review_days: int = 10
    # Group robots that receive the flag notices and reminders (services.reporting.robots):
    # the campus-wide WeCom and DingTalk robots (unset: none), DingTalk's signing secret, and
    # an extra robot per unit (CAMPUS_UNIT_ROBOTS, JSON: see ``unit_robots``).
    wecom_webhook: str | None = None
    dingtalk_webhook: str | None = None
    dingtalk_secret: str | None = None
    unit_robots: dict[str, dict[str, str]] = field(default_factory=dict)
    trusted_proxies: str = DEFAULT_TRUSTED_PROXIES
    # Campus sign-in (统一身份认证) over CAS: the server's URL (unset: passwords only), its
    # protocol ("3": /p3/serviceValidate, "2": /serviceValidate), the attribute carrying the
    # staff or student number (empty: the CAS user), seconds to wait for its answer.
    cas_url: str | None = None
    cas_version: str = "3"
    cas_attribute: str = ""
    cas_timeout_seconds: int = 5
    # The campus hour by which a food outlet's daily records (陪餐、留样、农残检测) are due.
    food_cutoff_hour: int = 20
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def cas_service_url(self) -> str:
        """The CAS ``service``: the console's callback page at its public address."""
        return self.public_url.rstrip("/") + CAS_CALLBACK_PATH

    def with_overrides(self, overrides: dict[str, Any] | None) -> Settings:
        if not overrides:
            return self
        known = {k: v for k, v in overrides.items() if k in self.__dataclass_fields__}
        extra = {k: v for k, v in overrides.items() if k not in self.__dataclass_fields__}
        return replace(self, **known, extra={**self.extra, **extra})

    def check(self) -> None:
        if self.production and self.jwt_secret == DEV_JWT_SECRET:
            raise ConfigError(
                "CAMPUS_ENV=production needs CAMPUS_JWT_SECRET set to a secret of your own"
            )
        size = len(self.jwt_secret.encode("utf-8"))
        if self.production and size < PRODUCTION_JWT_SECRET_BYTES:
            raise ConfigError(
                f"CAMPUS_ENV=production needs CAMPUS_JWT_SECRET of at least "
                f"{PRODUCTION_JWT_SECRET_BYTES} bytes (HS256 key), got {size}; generate one "
                "with: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        if len(self.jwt_secret) < 16:
            raise ConfigError("CAMPUS_JWT_SECRET must be at least 16 characters")
        if self.cas_version not in ("2", "3"):
            raise ConfigError(f"CAMPUS_CAS_VERSION must be 2 or 3, got {self.cas_version!r}")
        _campus_id({ENV: self.campus_id})


def _campus_id(env: Mapping[str, str]) -> str:
    try:
        return read_campus_id(env)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def load_settings(service: str, overrides: dict[str, Any] | None = None) -> Settings:
    env = os.environ
    settings = Settings(
        service=service,
        database_url=env.get(f"{service.upper()}_DATABASE_URL") or _default_db_url(service),
        amqp_url=env.get("CAMPUS_AMQP_URL", Settings.amqp_url),
        exchange=env.get("CAMPUS_EXCHANGE", Settings.exchange),
        jwt_secret=env.get("CAMPUS_JWT_SECRET", DEV_JWT_SECRET),
        environment=env.get("CAMPUS_ENV", "development"),
        campus_timezone=env.get("CAMPUS_TIMEZONE", "Asia/Shanghai"),
        campus_id=_campus_id(env),
        delivery_limit=_int("CAMPUS_DELIVERY_LIMIT", 5),
        prefetch=_int("CAMPUS_PREFETCH", 200),
        consumer_batch=_int("CAMPUS_CONSUMER_BATCH", 100),
        relay_batch=_int("CAMPUS_RELAY_BATCH", 500),
        log_json=env.get("CAMPUS_LOG_FORMAT", "json") == "json",
        report_base_url=env.get("CAMPUS_REPORT_URL", Settings.report_base_url),
        files_dir=env.get("CAMPUS_FILES_DIR") or str(_var_dir() / "files"),
        upload_max_bytes=_int("CAMPUS_UPLOAD_MAX_BYTES", Settings.upload_max_bytes),
        checked_posts=env.get("CAMPUS_CHECKED_POSTS", Settings.checked_posts),
        export_sync_rows=_int("CAMPUS_EXPORT_SYNC_ROWS", Settings.export_sync_rows),
        major_plan_days=_int("CAMPUS_MAJOR_PLAN_DAYS", Settings.major_plan_days),
        acceptance_working_days=_int(
            "CAMPUS_ACCEPTANCE_WORKING_DAYS", Settings.acceptance_working_days
        ),
        security_office_unit=env.get("CAMPUS_SECURITY_OFFICE_UNIT")
        or Settings.security_office_unit,
        sweep_seconds=float(_int("CAMPUS_SWEEP_SECONDS", 60)),
        smtp_host=env.get("CAMPUS_SMTP_HOST") or None,
        smtp_port=_int("CAMPUS_SMTP_PORT", 25),
        smtp_user=env.get("CAMPUS_SMTP_USER") or None,
        smtp_password=env.get("CAMPUS_SMTP_PASSWORD") or None,
        smtp_from=env.get("CAMPUS_SMTP_FROM", Settings.smtp_from),
        smtp_starttls=env.get("CAMPUS_SMTP_STARTTLS", "") in ("1", "true", "yes"),
        reminder_days=_int("CAMPUS_REMINDER_DAYS", 3),
        public_url=env.get("CAMPUS_PUBLIC_URL", Settings.public_url),
        mail_intake=env.get("CAMPUS_MAIL_INTAKE") or None,
        flag_review_days=_int("CAMPUS_FLAG_REVIEW_DAYS", Settings.flag_review_days),
        wecom_webhook=env.get("CAMPUS_WECOM_WEBHOOK") or None,
        dingtalk_webhook=env.get("CAMPUS_DINGTALK_WEBHOOK") or None,
        dingtalk_secret=env.get("CAMPUS_DINGTALK_SECRET") or None,
        unit_robots=unit_robots(env.get("CAMPUS_UNIT_ROBOTS", "")),
        trusted_proxies=trusted_proxies_from_environment(),
        cas_url=env.get("CAMPUS_CAS_URL") or None,
        cas_version=env.get("CAMPUS_CAS_VERSION") or Settings.cas_version,
        cas_attribute=env.get("CAMPUS_CAS_ATTRIBUTE", "").strip(),
        cas_timeout_seconds=_int("CAMPUS_CAS_TIMEOUT_SECONDS", Settings.cas_timeout_seconds),
        food_cutoff_hour=_int("CAMPUS_FOOD_CUTOFF_HOUR", Settings.food_cutoff_hour),
    )
    settings = settings.with_overrides(overrides)
    settings.check()
    return settings


def trusted_proxies_from_environment() -> str:
    """``CAMPUS_TRUSTED_PROXIES``: addresses or networks, comma-separated ("" trusts none)."""
    return os.environ.get("CAMPUS_TRUSTED_PROXIES", DEFAULT_TRUSTED_PROXIES)


ROBOT_KINDS = ("wecom", "dingtalk")


def unit_robots(raw: str) -> dict[str, dict[str, str]]:
    """``CAMPUS_UNIT_ROBOTS``: ``{"JD":{"kind":"wecom","url":"https://…"},"XX":{"kind":
    "dingtalk","url":"https://…","secret":"SEC…"}}``, one group robot per unit code that
    also receives that unit's notices; refused at start-up when malformed, so a typo does not
    silently drop a unit's notices."""
    if not raw.strip():
        return {}
    try:
        robots = json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"CAMPUS_UNIT_ROBOTS is not JSON: {exc}") from exc
    if not isinstance(robots, dict):
        raise ConfigError("CAMPUS_UNIT_ROBOTS must be a JSON object keyed by unit code")
    for unit, robot in robots.items():
        if not (
            isinstance(robot, dict)
            and all(isinstance(v, str) for v in robot.values())
            and robot.get("kind") in ROBOT_KINDS
            and robot.get("url", "").startswith(("http://", "https://"))
        ):
            raise ConfigError(
                f"CAMPUS_UNIT_ROBOTS[{unit!r}] needs kind (wecom or dingtalk), an http(s) url "
                "and optionally a secret, all strings"
            )
    return robots
