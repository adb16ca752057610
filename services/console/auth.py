"""Who is signed in (the session cookie holds the token grid's /auth/login gave), the
default-deny guard for pages, and the CSRF token every POST form carries.

Signing out ends the session for good, not only in the browser that signs out: the cookie
is signed, not encrypted, so a copy taken before sign-out would otherwise keep working
until the token expires. Sign-out (views/account.py) revokes the token in the grid (``POST
/auth/logout``), and a request's cookie is honoured only while the grid's ``GET
/auth/session`` accepts its token (not signed out, its person's access not revoked since;
otherwise the person is sent to sign in again, told why). A worker remembers a positive
answer for ``SESSION_CHECK_SECONDS`` (one grid call per person per few seconds, not per
page); the worker that signs a token out forgets it at once, another may honour a copied
cookie for at most that long. When the grid cannot be reached the cookie is honoured (the
pages need the services anyway; a 401 from any of them still ends the session).

The token itself is revoked for the APIs too: every service refuses it within seconds
(shared/revocation_store.py, fed by the grid's ``access.revoked`` event).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from flask import abort, current_app, flash, g, redirect, request, session, url_for

from services.console.client import ServiceError, call
from shared.principal import Principal

SESSION_CHECK_SECONDS = 10
REVOKED_MESSAGE = "登录已失效：您已在别处退出，或密码、权限已变更，请重新登录"
_CHECKED = "console_session_checks"  # app.extensions: token digest -> checked until

PUBLIC_ENDPOINTS = {"auth.login", "static", "health.healthz", "health.readyz", "health.metrics"}
PUBLIC_ENDPOINTS |= {"auth.favicon", "auth.cas"}


def sign_in_service() -> str:
    """The service people sign in with: the grid, or the province in province mode."""
    return current_app.config.get("CONSOLE_AUTH_SERVICE", "grid")


def province_mode() -> bool:
    return current_app.config.get("CONSOLE_MODE") == "province"


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def sign_in(reply: dict[str, Any]) -> None:
    """Start a fresh session for the person (a new CSRF token too)."""
    person = reply["person"]
    session.clear()
    session.permanent = True
    session["token"] = reply["access_token"]
    session["expires_at"] = int(time.time()) + int(reply.get("expires_in") or 0)
    session["user"] = {
        "id": person["id"],
        "name": person["name"],
        "unit": person.get("unit_code"),
        "unit_name": person.get("unit_name"),  # the header's; the code where a grid is older
        "roles": list(person.get("roles") or []),
        "number": person.get("number"),  # 学号 / 工号: what activities enrol people by
    }
    csrf_token()


def _checked() -> dict[str, float]:
    return current_app.extensions.setdefault(_CHECKED, {})


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def signed_out(token: str) -> bool:
    """Whether the grid says this token was signed out (see the module docstring)."""
    checked, key, now = _checked(), _digest(token), time.monotonic()
    if checked.get(key, 0.0) > now:
        return False
    try:
        call(sign_in_service(), "GET", "/auth/session", token=token)
    except ServiceError as exc:
        if exc.status == 401:  # signed out (or no longer valid)
            checked.pop(key, None)
            return True
        current_app.logger.warning("session check failed: %s", exc)
        return False
    if len(checked) > 10_000:  # keep the memo small: drop what has lapsed
        for stale in [k for k, until in checked.items() if until <= now]:
            del checked[stale]
    checked[key] = now + SESSION_CHECK_SECONDS
    return False


def forget(token: str) -> None:
    """This worker stops trusting its memo of ``token`` (it has just been signed out)."""
    _checked().pop(_digest(token), None)


def load_user() -> None:
    g.user = None
    user = session.get("user")
    token = session.get("token")
    if not (user and token):
        if user:
            session.clear()
        return
    if session.get("expires_at", 0) <= time.time():
        session.clear()
    elif signed_out(token):
        session.clear()
        flash(REVOKED_MESSAGE, "info")
    else:
        g.user = Principal(user["id"], user["name"], frozenset(user["roles"]), user["unit"])
        g.token = token


def protect():
    """Every page needs a signed-in person; every POST needs the session's CSRF token."""
    if request.method == "POST":
        sent = request.form.get("csrf_token", "")
        expected = session.get("csrf", "")
        if not expected or not hmac.compare_digest(sent, expected):
            abort(400, description="表单已过期，请刷新页面后重试")
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if g.user is None:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return None


def token() -> str:
    return g.token


def user() -> Principal:
    return g.user


def user_number() -> str:
    """The signed-in person's student or staff number, when the grid knows it."""
    return (session.get("user") or {}).get("number") or ""


def template_context() -> dict[str, Any]:
    unit_name = (session.get("user") or {}).get("unit_name")
    return {
        "user": g.get("user"),
        "unit_name": unit_name,
        "csrf_token": csrf_token,
        "cas_enabled": cas_enabled,
        "province_mode": province_mode(),
        "home_endpoint": "province.colleges" if province_mode() else "dashboard.index",
    }


# -- campus sign-in over CAS (统一身份认证); the grid validates tickets (POST /auth/cas) -----
_CAS_SENT = "cas_next"  # in the session while this browser is at the CAS: where to go after


def cas_enabled() -> bool:
    return bool(current_app.config.get("CONSOLE_CAS_URL"))


def cas_login_url(target: str) -> str:
    """The CAS server's sign-in page, coming back to the console's callback; the session
    remembers that this browser was sent there, and the page to show after."""
    session[_CAS_SENT] = target
    query = urlencode({"service": current_app.config["CONSOLE_CAS_SERVICE"]})
    return f"{current_app.config['CONSOLE_CAS_URL'].rstrip('/')}/login?{query}"


def cas_returned() -> str | None:
    """The page to show after sign-in, when this browser was sent to the CAS from here;
    None for a ticket it did not ask for (a link someone planted to sign the person in as
    somebody else): such a ticket is never used, the browser goes to the CAS itself."""
    return session.pop(_CAS_SENT, None)


def cas_sign_in(ticket: str) -> None:
    """The grid validates the ticket and answers a token as for a password (ServiceError
    with its Chinese reason otherwise); the session starts."""
    service = current_app.config["CONSOLE_CAS_SERVICE"]
    reply = call(
        "grid", "POST", "/auth/cas", token=None, json_body={"ticket": ticket, "service": service}
    )
    sign_in(reply.json())
