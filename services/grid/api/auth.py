"""/auth: people sign in with a password and get a bearer token; passwords are set here.

Portals keep using service tokens from `campus-safety token`: nothing changes for them.
The client address counted by the rate limits is the connection's, or the first
``X-Forwarded-For`` address when the connection comes from a trusted proxy (the app's
``Settings.trusted_proxies``, ``CAMPUS_TRUSTED_PROXIES``; by default 127.0.0.2 alone,
where the shipped nginx and the console connect from; see shared/client_ip.py).
"""

from __future__ import annotations

from flask import request
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session

from services.grid import access, cas, commands, login, sign_in_attempts
from services.grid.models import Person, Unit
from services.grid.schemas import (
    LoginResultSchema,
    LoginSchema,
    PasswordChangeSchema,
    PasswordSetSchema,
)
from shared.api import Blueprint, read_session, state, transaction
from shared.auth import VerifiedToken, current_principal, public, verified_token
from shared.client_ip import client_ip as shared_client_ip
from shared.errors import DomainError, Forbidden, NotFound, Unauthorized
from shared.principal import SECURITY_OFFICE
from shared.problems import problem_response
from shared.timeutil import utcnow

blp = Blueprint("auth", __name__, description="登录与密码 sign-in and passwords")


def client_ip() -> str:
    return shared_client_ip(
        request.remote_addr,
        request.headers.get("X-Forwarded-For"),
        state().settings.trusted_proxies,
    )[:45]


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
    roles and unit. Failed attempts are limited per person (whichever number names them)
    and per client address."""
    name, password, ip, now = payload["login"].strip(), payload["password"], client_ip(), utcnow()
    attempt = _limited_attempt(name, ip, now)
    if not isinstance(attempt, int):
        return attempt
    try:
        with transaction() as session:
            person = login.verify(session, name, password)
            signed = login.token_for(state().settings.jwt_secret, person)
            login.attempt_succeeded(session, attempt)
            return _token_answer(signed, session)
    except Forbidden:  # the right password, no roles yet: not a failed guess
        with transaction() as session:
            login.forget_attempt(session, attempt)
        raise


def _token_answer(signed: login.SignedIn, session: Session) -> dict:
    """What a sign-in answers, by password or by CAS: the token and who it is for (with
    the unit's name, which the console's header shows)."""
    person = signed.person
    unit = session.get(Unit, person.unit_code) if person.unit_code else None
    return {
        "access_token": signed.access_token,
        "token_type": "Bearer",
        "expires_in": signed.expires_in,
        "person": {
            "id": person.id,
            "name": person.name,
            "unit_code": person.unit_code,
            "unit_name": unit.name if unit else None,
            "roles": sorted(person.roles or []),
            "number": person.student_no or person.staff_no,
        },
    }


class CasSignInSchema(Schema):
    ticket = fields.String(
        required=True,
        validate=validate.Length(min=1, max=256),
        metadata={"description": "the service ticket the CAS server gave the browser"},
    )
    service = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2048),
        metadata={"description": "the service URL the ticket was issued for: the console's"},
    )


@blp.route("/auth/cas", methods=["POST"])
@blp.arguments(CasSignInSchema)
@blp.response(200, LoginResultSchema)
@blp.alt_response(401, description="the CAS server refused the ticket")
@blp.alt_response(403, description="the number names nobody, or a person who may not sign in")
@blp.alt_response(404, description="CAS sign-in is not configured (CAMPUS_CAS_URL)")
@blp.alt_response(422, description="the service URL is not the console's callback")
@blp.alt_response(429, description="too many failed attempts (Retry-After)")
@blp.alt_response(502, description="the CAS server is down or answered nonsense")
@blp.alt_response(504, description="the CAS server did not answer in time")
@public
def sign_in_cas(payload):
    """Sign in through the campus's unified identity service (统一身份认证, CAS): the grid
    validates the ticket with the CAS server, maps the staff or student number it carries
    to a person as password sign-in does, and answers the same token. Failures count
    against the client address's limit as password failures do."""
    settings = state().settings
    if not settings.cas_url:
        raise NotFound(cas.NOT_CONFIGURED)
    cas.check_service(payload["service"], settings.cas_service_url)
    config = cas.CasConfig(
        settings.cas_url,
        settings.cas_version,
        settings.cas_attribute,
        settings.cas_timeout_seconds,
    )
    # A ticket is random and used once: only the per-address limit can ever apply to it.
    attempt = _limited_attempt(f"CAS {payload['ticket']}", client_ip(), utcnow())
    if not isinstance(attempt, int):
        return attempt
    try:
        number = cas.validate_ticket(config, payload["service"], payload["ticket"])
        with transaction() as session:
            person = login.find_person(session, number)
            if person is None:
                raise cas.NotRegistered(cas.NOT_REGISTERED)
            if not login.may_sign_in(person):
                raise Forbidden(cas.SIGN_IN_CLOSED)
            signed = login.token_for(settings.jwt_secret, person)
            login.attempt_succeeded(session, attempt)
            return _token_answer(signed, session)
    except DomainError as exc:
        if not isinstance(exc, cas.TicketRefused | cas.NotRegistered):  # not a failed guess
            with transaction() as session:
                login.forget_attempt(session, attempt)
        raise


def _limited_attempt(name: str, ip: str, now, person_id: str | None = None):
    """The id of this attempt, recorded (as a failure) and committed before the limits
    are counted, so concurrent attempts see each other; or the 429 answer."""
    with transaction() as session:
        attempt = login.begin_attempt(session, name, ip, now, person_id)
    try:
        with transaction() as session:
            login.check_rate_limits(session, attempt, now)
    except login.TooManyAttempts as exc:
        with transaction() as session:
            login.forget_attempt(session, attempt)
        return _too_many(exc)
    return attempt


@blp.route("/auth/password", methods=["POST"])
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
@blp.alt_response(429, description="too many failed attempts (Retry-After)")
def change_own_password(payload):
    """A signed-in person changes their own password (the current one is checked)."""
    principal, ip, now = current_principal(), client_ip(), utcnow()
    attempt = _limited_attempt(principal.sub, ip, now, person_id=principal.sub)
    if not isinstance(attempt, int):
        return attempt
    try:
        with transaction() as session:
            person = login.verify(session, principal.sub, payload["current_password"])
            login.set_password(session, person, payload["new_password"])
            login.attempt_succeeded(session, attempt)
    except login.WeakPassword:  # the right password, a weak new one: not a failed guess
        with transaction() as session:
            login.forget_attempt(session, attempt)
        raise


def _bearer() -> VerifiedToken:
    """The request's bearer token (verified already by the app's authentication)."""
    token = request.headers.get("Authorization", "").partition(" ")[2].strip()
    return verified_token(state().settings.jwt_secret, token)


@blp.route("/auth/logout", methods=["POST"])
@blp.response(204)
def sign_out():
    """Sign out: the bearer token stops working on every service within seconds (the grid
    at once; the others when the ``access.revoked`` event reaches their workers)."""
    with transaction() as session:
        login.sign_out(session, _bearer())


@blp.route("/auth/session", methods=["GET"])
@blp.response(204)
@blp.alt_response(401, description="the token is expired, invalid, signed out or revoked")
def session_alive():
    """204 while the bearer token is valid, not signed out, and its person has not lost
    access since it was issued; the web console asks before serving a page."""
    if login.is_revoked(read_session(), _bearer()):
        raise Unauthorized("登录已失效（已退出或权限已变更），请重新登录")


@blp.route("/people/<person_id>/password", methods=["PUT"])
@blp.arguments(PasswordSetSchema)
@blp.response(204)
def set_password(payload, person_id: str):
    """The security office sets a person's password; tokens signed in with an earlier
    password stop working on every service."""
    with transaction() as session:
        person = commands.get_or_404(session, Person, person_id, "person", lock=True)
        access.require_password_admin(current_principal(), person)
        login.set_password(session, person, payload["password"])


@blp.route("/people/<person_id>/password", methods=["DELETE"])
@blp.response(204)
def remove_sign_in(person_id: str):
    """The security office takes a person's sign-in away: the password is removed and
    every token the person holds stops working on every service within seconds."""
    with transaction() as session:
        person = commands.get_or_404(session, Person, person_id, "person", lock=True)
        access.require_password_admin(current_principal(), person)
        login.remove_sign_in(session, person)


# The attempts report's schemas live here, beside the one endpoint that uses them.
class AttemptsQuerySchema(Schema):
    hours = fields.Integer(
        load_default=24,
        validate=validate.Range(min=1, max=24),
        metadata={"description": "how many hours back (1-24; attempts are kept a day)"},
    )


class AttemptGroupSchema(Schema):
    login = fields.String(metadata={"description": "the account as typed (one of them)"})
    person_id = fields.String(allow_none=True)
    person_name = fields.String(allow_none=True)
    unit_code = fields.String(allow_none=True)
    ip = fields.String(metadata={"description": "the client address"})
    failures = fields.Integer()
    first_at = fields.AwareDateTime(format="iso")
    last_at = fields.AwareDateTime(format="iso")
    delayed_until = fields.AwareDateTime(format="iso", allow_none=True)
    level = fields.String(metadata={"description": "many | few"})
    level_label = fields.String(metadata={"description": "失败较多（已逐次延迟）/ 少量失败"})


@blp.route("/auth/attempts", methods=["GET"])
@blp.arguments(AttemptsQuerySchema, location="query")
@blp.response(200, AttemptGroupSchema(many=True))
def attempts(query):
    """The security office sees failed sign-ins of the last hours, grouped by account and
    client address, most failures first: an attack on one account, or a spray from one
    address, shows at the top."""
    current_principal().require_role(SECURITY_OFFICE)
    return sign_in_attempts.recent_failures(read_session(), utcnow(), query["hours"])
