"""/auth: people sign in with a password and get a bearer token; passwords are set here.

Portals keep using service tokens from `campus-safety token`: nothing changes for them.
The client address counted by the rate limits is the connection's, or the first
``X-Forwarded-For`` address when the connection comes from a trusted proxy
(``CAMPUS_TRUSTED_PROXIES``, default the loopback addresses: the console and nginx; see
shared/client_ip.py).
"""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from services.grid import commands, login
from services.grid.models import Person
from services.grid.schemas import (
    LoginResultSchema,
    LoginSchema,
    PasswordChangeSchema,
    PasswordSetSchema,
)
from shared.api import state, transaction
from shared.auth import current_principal, public
from shared.client_ip import client_ip as shared_client_ip
from shared.db import utcnow
from shared.errors import Unauthorized, problem_response

blp = Blueprint("auth", __name__, description="登录与密码 sign-in and passwords")


def client_ip() -> str:
    return shared_client_ip(request.remote_addr, request.headers.get("X-Forwarded-For"))[:45]


def _too_many(exc: login.TooManyAttempts):
    return problem_response(
        exc.status,
        exc.title,
        exc.detail,
        headers={"Retry-After": str(exc.retry_after)},
        retry_after=exc.retry_after,
    )


@blp.route("/auth/login", methods=["POST"])
@blp.arguments(LoginSchema)
@blp.response(200, LoginResultSchema)
@blp.alt_response(401, description="wrong account or password")
@blp.alt_response(429, description="too many failed attempts (Retry-After)")
@public
def sign_in(payload):
    """Sign in with a staff/student number and password; the token carries the person's
    roles and unit. Failed attempts are limited per account and per client address."""
    name, password, ip, now = payload["login"].strip(), payload["password"], client_ip(), utcnow()
    try:
        with transaction() as session:
            login.check_rate_limits(session, name, ip, now)
    except login.TooManyAttempts as exc:
        return _too_many(exc)
    try:
        with transaction() as session:
            person = login.verify(session, name, password)
            signed = login.token_for(state().settings.jwt_secret, person)
            login.record_attempt(session, name, ip, True, now)
            return {
                "access_token": signed.access_token,
                "token_type": "Bearer",
                "expires_in": signed.expires_in,
                "person": {
                    "id": person.id,
                    "name": person.name,
                    "unit_code": person.unit_code,
                    "roles": sorted(person.roles or []),
                    "number": person.student_no or person.staff_no,
                },
            }
    except Unauthorized:
        with transaction() as session:
            login.record_attempt(session, name, ip, False, now)
        raise


@blp.route("/auth/password", methods=["POST"])
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
@blp.alt_response(429, description="too many failed attempts (Retry-After)")
def change_own_password(payload):
    """A signed-in person changes their own password (the current one is checked)."""
    principal, ip, now = current_principal(), client_ip(), utcnow()
    try:
        with transaction() as session:
            login.check_rate_limits(session, principal.sub, ip, now)
    except login.TooManyAttempts as exc:
        return _too_many(exc)
    try:
        with transaction() as session:
            person = login.verify(session, principal.sub, payload["current_password"])
            login.set_password(session, person, payload["new_password"])
            login.record_attempt(session, principal.sub, ip, True, now)
    except Unauthorized:
        with transaction() as session:
            login.record_attempt(session, principal.sub, ip, False, now)
        raise


@blp.route("/people/<person_id>/password", methods=["PUT"])
@blp.arguments(PasswordSetSchema)
@blp.response(204)
def set_password(payload, person_id: str):
    """The security office sets a person's (initial) password."""
    with transaction() as session:
        person = commands.get_or_404(session, Person, person_id, "person", lock=True)
        login.require_password_admin(current_principal(), person)
        login.set_password(session, person, payload["password"])
