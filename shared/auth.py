"""JWT bearer authentication with roles and unit scope.

Tokens are HS256 with claims ``sub``, ``name``, ``roles``, ``unit``, ``iat``, ``exp`` and
``jti`` (the id a single sign-out revokes). Every
route requires a valid token unless it is explicitly public (health, metrics, API
docs). The principal a token carries, and the scope rules, are ``shared.principal``.

A unit-scoped role (unit manager, grid staff, lead department, psych centre) means
nothing without the unit it acts in, and must never fall back to "every unit": a token
carrying one without a ``unit`` claim is refused (401), and none is minted.

A valid token is still refused once its person lost access or signed out with it: the app
provides the check (``REVOCATION_CHECK`` in ``app.extensions``, see
``shared.revocation_store``; it reads the service's own database), asked on every request.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import jwt
from flask import current_app, g, request

from shared import context
from shared.errors import Forbidden, Unauthorized
from shared.principal import Principal, unit_claim_missing
from shared.revocation import token_id

# app.extensions key of the app's check: (sub, token id, issued at) -> refused?
REVOCATION_CHECK = "campus_revocation_check"
RevocationCheck = Callable[[str, str, float], bool]

ALGORITHM = "HS256"

# Reachable without a token: the health checks, metrics and the API documents, matched as
# whole paths (a prefix match once let any route starting with "/docs" or "/metrics" in).
PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"})

# Why a token is refused, in the words of the person whose page shows it.
MISSING = "未登录：请求缺少 Bearer 令牌"
EXPIRED = "登录已过期，请重新登录"
INVALID = "令牌无效"


def unit_claim_needed(role: str) -> str:
    return f"{INVALID}：角色 {role} 须写明所属单位（unit）"


def _why_invalid(exc: jwt.InvalidTokenError) -> str:
    """PyJWT's reason in Chinese (its own words are English)."""
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return f"缺少 {exc.claim} 声明"
    if isinstance(exc, jwt.ImmatureSignatureError):
        return "尚未生效（nbf）"
    if isinstance(exc, jwt.InvalidSignatureError):
        return "签名不符"
    if isinstance(exc, jwt.InvalidAlgorithmError):
        return "签名算法不被接受"
    if isinstance(exc, jwt.DecodeError):
        return "无法解析"
    return "内容不符合要求"


def mint_token(
    secret: str,
    sub: str,
    roles: Iterable[str],
    unit: str | None = None,
    name: str | None = None,
    ttl_seconds: int = 12 * 3600,
    numbers: Iterable[str] = (),
) -> str:
    """A signed token; ValueError for a unit-scoped role without ``unit`` (it would be
    refused on every request). ``numbers``: every 学号/工号 the person holds (the claim
    ``numbers``); a changed number revokes the token (services/grid/commands.py)."""
    roles = sorted(set(roles))
    role = unit_claim_missing(roles, unit)
    if role is not None:
        raise ValueError(f"token needs a unit claim for role {role}")
    # iat to the millisecond: a token minted right after its person's access was revoked
    # (a new password, then signing in) is not mistaken for one issued before.
    now = round(time.time(), 3)
    claims = {
        "sub": sub,
        "name": name or sub,
        "roles": roles,
        "unit": unit,
        "iat": now,
        "exp": int(now) + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    numbers = [n for n in numbers if n]
    if numbers:
        claims["numbers"] = numbers
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


@dataclass(frozen=True)
class VerifiedToken:
    """What a verified token says: who, until when, issued when, and its id."""

    principal: Principal
    expires: float
    issued_at: float
    token_id: str


def decode_token(secret: str, token: str, revoked: RevocationCheck | None = None) -> Principal:
    """The token's principal. A portal sends the same token with every request, so a
    verified token is remembered (signature checked once); its expiry and ``revoked``
    (the app's revocation check) are asked on every use, so a cached token stops working
    the second it expires or soon after it is revoked."""
    verified = verified_token(secret, token)
    if time.time() >= verified.expires:
        raise Unauthorized(EXPIRED)
    if revoked is not None and revoked(
        verified.principal.sub, verified.token_id, verified.issued_at
    ):
        raise Unauthorized("登录已失效（已退出或权限已变更），请重新登录")
    return verified.principal


def bearer_principal(token: str) -> Principal:
    """The principal of a bearer token sent to this app (its secret, its revocations)."""
    check = current_app.extensions.get(REVOCATION_CHECK)
    return decode_token(current_app.config["JWT_SECRET"], token, check)


@lru_cache(maxsize=4096)
def verified_token(secret: str, token: str) -> VerifiedToken:
    # Failures raise and are not cached: only valid tokens take a place.
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp"]}
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized(EXPIRED) from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"{INVALID}：{_why_invalid(exc)}") from exc
    roles = claims.get("roles") or []
    unit = claims.get("unit")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise Unauthorized(f"{INVALID}：roles（角色）须为文字的列表")
    if unit is not None and not isinstance(unit, str):
        raise Unauthorized(f"{INVALID}：unit（单位）须为文字")
    # Only ``numbers``: a token that carried one ``number`` (before a changed number revoked
    # tokens) checks in by its subject alone.
    numbers = claims.get("numbers") or []
    if not isinstance(numbers, list) or not all(isinstance(n, str) for n in numbers):
        raise Unauthorized(f"{INVALID}：numbers（学号/工号）须为文字的列表")
    role = unit_claim_missing(roles, unit)
    if role is not None:
        # Not cached either: a token that names no unit for a unit-scoped role is refused,
        # never read as campus-wide.
        raise Unauthorized(unit_claim_needed(role))
    principal = Principal(
        sub=str(claims["sub"]),
        name=str(claims.get("name") or claims["sub"]),
        roles=frozenset(roles),
        unit=unit,
        numbers=tuple(n for n in numbers if n),
    )
    issued_at = claims.get("iat")
    issued_at = float(issued_at) if isinstance(issued_at, int | float) else 0.0
    return VerifiedToken(
        principal, float(claims["exp"]), issued_at, token_id(claims.get("jti"), token)
    )


def public(view):
    """Mark a view reachable without a bearer token because it authenticates the caller
    by other means (e.g. a calendar feed's signed key). Put it right above ``def`` so the
    mark survives the wrappers of flask-smorest's decorators."""
    view.campus_public = True
    return view


def kiosk(view):
    """Mark a view a kiosk (``shared.principal.KIOSK``) may call: a kiosk token is refused
    every other route. Put it right above ``def``, as ``public``."""
    view.campus_kiosk = True
    return view


def authenticate_request() -> None:
    """``before_request`` hook: default-deny every non-public route."""
    if request.path in PUBLIC_PATHS:
        return
    if getattr(current_app.view_functions.get(request.endpoint), "campus_public", False):
        return
    if request.endpoint is None:
        return  # unknown route: let the 404/405 problem answer
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(MISSING)
    principal = bearer_principal(token.strip())
    view = current_app.view_functions.get(request.endpoint)
    if principal.is_kiosk and not getattr(view, "campus_kiosk", False):
        raise Forbidden("签到终端只能用于活动签到")
    g.principal = principal
    context.actor.set(principal.sub)


def current_principal() -> Principal:
    return g.principal
