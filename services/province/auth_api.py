"""/auth for the province's own staff: sign in (a token with role ``province_office``),
ask whether a token still holds (the console asks before each page), sign out."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import request
from marshmallow import Schema, fields, validate

from services.province import login
from services.province.api import require_province
from shared.api import Blueprint, read_session, state, transaction
from shared.auth import public, verified_token
from shared.client_ip import client_ip as shared_client_ip
from shared.errors import Unauthorized
from shared.problems import problem_response
from shared.revocation_store import is_token_refused, revoke_token
from shared.timeutil import utcnow

blp = Blueprint("auth", __name__, description="省级登录 province sign-in")


class LoginSchema(Schema):
    login = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=128)
    )


class SignedInPersonSchema(Schema):
    id = fields.String()
    name = fields.String()
    unit_code = fields.String(allow_none=True)
    unit_name = fields.String(allow_none=True)
    roles = fields.List(fields.String())


class LoginResultSchema(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer(metadata={"description": "seconds"})
    person = fields.Nested(SignedInPersonSchema)


def _client_ip() -> str:
    return shared_client_ip(
        request.remote_addr,
        request.headers.get("X-Forwarded-For"),
        state().settings.trusted_proxies,
    )[:45]


def _bearer():
    header = request.headers.get("Authorization", "")
    return verified_token(state().settings.jwt_secret, header.split(" ", 1)[-1].strip())


@blp.route("/auth/login", methods=["POST"])
@blp.arguments(LoginSchema)
@blp.response(200, LoginResultSchema)
@blp.alt_response(401, description="wrong account or password")
@blp.alt_response(429, description="too many failed attempts (Retry-After)")
@public
def sign_in(payload):
    """A member of the province's staff signs in; the token carries ``province_office``."""
    name, ip, now = payload["login"].strip(), _client_ip(), utcnow()
    with transaction() as session:
        attempt = login.begin_attempt(session, name, ip, now)
    try:
        with transaction() as session:
            login.check_rate_limits(session, attempt, now)
    except login.TooManyAttempts as exc:
        with transaction() as session:
            login.forget_attempt(session, attempt)
        return problem_response(
            exc.status,
            exc.title,
            exc.detail,
            headers={"Retry-After": str(exc.retry_after)},
            retry_after=exc.retry_after,
        )
    with transaction() as session:
        person = login.verify(session, name, payload["password"])
        signed = login.token_for(state().settings.jwt_secret, person)
        login.attempt_succeeded(session, attempt)
        return {
            "access_token": signed.access_token,
            "token_type": "Bearer",
            "expires_in": signed.expires_in,
            "person": {
                "id": person.id,
                "name": person.name,
                "unit_code": None,
                "unit_name": "省教育厅",
                "roles": [login.PROVINCE_OFFICE],
            },
        }


@blp.route("/auth/session", methods=["GET"])
@blp.response(204)
@blp.alt_response(401, description="the token is expired, invalid, signed out or revoked")
def session_alive():
    """204 while the bearer token holds (not signed out, no new password since)."""
    require_province()
    token = _bearer()
    if is_token_refused(read_session(), token.principal.sub, token.token_id, token.issued_at):
        raise Unauthorized("登录已失效（已退出或密码已变更），请重新登录")


@blp.route("/auth/logout", methods=["POST"])
@blp.response(204)
def sign_out():
    """Sign out: the bearer token stops working on the province's API at once."""
    require_province()
    token = _bearer()
    with transaction() as session:
        revoke_token(
            session,
            token.token_id,
            token.principal.sub,
            datetime.fromtimestamp(token.expires, UTC),
        )
