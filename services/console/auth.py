"""Who is signed in (the session cookie holds the token grid's /auth/login gave), the
default-deny guard for pages, and the CSRF token every POST form carries."""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Any

from flask import abort, g, redirect, request, session, url_for

from shared.auth import Principal

PUBLIC_ENDPOINTS = {"auth.login", "static", "health.healthz", "health.readyz", "health.metrics"}
PUBLIC_ENDPOINTS |= {"auth.favicon"}


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
        "roles": list(person.get("roles") or []),
        "number": person.get("number"),  # 学号 / 工号: what activities enrol people by
    }
    csrf_token()


def load_user() -> None:
    g.user = None
    user = session.get("user")
    if user and session.get("token") and session.get("expires_at", 0) > time.time():
        g.user = Principal(user["id"], user["name"], frozenset(user["roles"]), user["unit"])
        g.token = session["token"]
    elif user:
        session.clear()


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
    return {"user": g.get("user"), "csrf_token": csrf_token}
