"""Bearer tokens on all four services, and the production secret.

Every service refuses, with a 401 ``application/problem+json`` and ``WWW-Authenticate:
Bearer``, on a read and on a write: no token, another scheme, a token that is not a JWT,
expired, not yet valid, signed with another secret, unsigned (alg "none"), signed with
another algorithm (HS512), a payload altered after signing, or claims missing ``sub`` or
``exp`` or of the wrong type, or a unit-scoped role (unit manager, grid staff, lead
department, psych centre) without a ``unit``. A valid token on the same request is
accepted (control).

In production (``CAMPUS_ENV=production``) a service refuses to start with the published
development secret (``create_app`` raises ``ConfigError``), starts with a secret of its
own, and then refuses tokens minted with the development secret.
"""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from services.registry import SERVICES, create_app
from shared.auth import mint_token
from shared.config import DEV_JWT_SECRET, ConfigError
from tests.security.campus import UNREACHABLE_BROKER
from tests.security.conftest import assert_problem
from tests.support.databases import migrated_sqlite
from tests.support.fixtures import bearer

# a read and a write of each service (the token is checked before either runs)
REQUESTS = {
    "grid": [("GET", "/units"), ("POST", "/units")],
    "hazards": [("GET", "/hazards"), ("POST", "/hazards")],
    "education": [("GET", "/activities"), ("POST", "/activities")],
    "reporting": [("GET", "/flags"), ("POST", "/campaigns")],
}
OTHER_SECRET = "another-campus-secret-of-32-chars"
CAMPUS_SECRET = "a-campus-secret-of-our-own-for-2021"


def _claims(**overrides) -> dict:
    now = int(time.time())
    claims = {"sub": "x", "name": "x", "roles": ["security_office"], "iat": now, "exp": now + 600}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _b64(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _tampered() -> str:
    """A unit manager's genuine token whose payload now claims the security office."""
    header, _, signature = mint_token(DEV_JWT_SECRET, "m", ["unit_manager"], unit="JD").split(".")
    return f"{header}.{_b64(_claims(sub='m', roles=['security_office']))}.{signature}"


def _unsigned_hs256() -> str:
    """Header says HS256, the signature is simply left off."""
    token = jwt.encode(_claims(), DEV_JWT_SECRET, algorithm="HS256")
    return token.rsplit(".", 1)[0] + "."


def _bad_tokens() -> dict[str, tuple[str | None, str]]:
    """Minted when a test runs, not at import: the suite outlives a short-lived token."""
    return {
        "no header": (None, "缺少 Bearer 令牌"),
        "basic scheme": ("Basic dGVzdDp0ZXN0", "缺少 Bearer 令牌"),
        "empty bearer": ("Bearer ", "缺少 Bearer 令牌"),
        "not a jwt": ("Bearer not-a-jwt", "令牌无效"),
        "expired": (jwt.encode(_claims(exp=int(time.time()) - 5), DEV_JWT_SECRET), "登录已过期"),
        "not yet valid": (
            jwt.encode(_claims(nbf=int(time.time()) + 3600), DEV_JWT_SECRET),
            "令牌无效",
        ),
        "another secret": (jwt.encode(_claims(), OTHER_SECRET), "令牌无效"),
        "alg none": (jwt.encode(_claims(), None, algorithm="none"), "令牌无效"),
        "signature stripped": (_unsigned_hs256(), "令牌无效"),
        "HS512": (jwt.encode(_claims(), DEV_JWT_SECRET, algorithm="HS512"), "令牌无效"),
        "tampered payload": (_tampered(), "令牌无效"),
        "no sub": (jwt.encode(_claims(sub=None), DEV_JWT_SECRET), "sub"),
        "no exp": (jwt.encode(_claims(exp=None), DEV_JWT_SECRET), "exp"),
        "roles not a list": (jwt.encode(_claims(roles="security_office"), DEV_JWT_SECRET), "roles"),
        "unit not a string": (jwt.encode(_claims(unit=["JD"]), DEV_JWT_SECRET), "unit"),
        # A unit-scoped role with no unit is refused, never read as campus-wide.
        **{
            f"{role} without a unit": (
                jwt.encode(_claims(roles=[role]), DEV_JWT_SECRET),
                f"角色 {role} 须写明所属单位",
            )
            for role in ("unit_manager", "grid_staff", "lead_department", "psych_centre")
        },
        "unit_manager with an empty unit": (
            jwt.encode(_claims(roles=["unit_manager"], unit=""), DEV_JWT_SECRET),
            "角色 unit_manager 须写明所属单位",
        ),
        "portal and grid_staff without a unit": (
            jwt.encode(_claims(roles=["portal", "grid_staff"]), DEV_JWT_SECRET),
            "角色 grid_staff 须写明所属单位",
        ),
    }


BAD_TOKEN_CASES = list(_bad_tokens())


def _header(value: str | None) -> dict[str, str]:
    if value is None:
        return {}
    if value.startswith(("Basic ", "Bearer ")):
        return {"Authorization": value}
    return {"Authorization": f"Bearer {value}"}


@pytest.fixture(scope="module")
def clients(tmp_path_factory):
    root = tmp_path_factory.mktemp("tokens")
    out = {}
    for service in SERVICES:
        url = migrated_sqlite(service, root / f"{service}.db")
        app = create_app(service, {"database_url": url, "amqp_url": UNREACHABLE_BROKER})
        out[service] = app.test_client()
    return out


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("case", BAD_TOKEN_CASES)
def test_bad_tokens_are_401_problems_on_every_service(clients, service, case):
    token, detail = _bad_tokens()[case]
    for method, path in REQUESTS[service]:
        response = clients[service].open(path, method=method, headers=_header(token), json={})
        body = assert_problem(response, 401)
        assert detail in body["detail"], (case, body["detail"])
        assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("service", SERVICES)
def test_a_valid_token_passes_the_same_requests(clients, service):
    for method, path in REQUESTS[service]:
        response = clients[service].open(
            path, method=method, headers=bearer("security_office"), json={}
        )
        assert response.status_code in (200, 422), (path, response.get_json())


# -- production ---------------------------------------------------------------------------
@pytest.fixture
def production(monkeypatch, tmp_path):
    """CAMPUS_ENV=production with no secret of its own; returns the config of a service."""
    monkeypatch.setenv("CAMPUS_ENV", "production")
    monkeypatch.delenv("CAMPUS_JWT_SECRET", raising=False)

    def config(service: str) -> dict:
        url = migrated_sqlite(service, tmp_path / f"{service}.db")
        return {"database_url": url, "amqp_url": UNREACHABLE_BROKER}

    return config


@pytest.mark.parametrize("service", SERVICES)
def test_production_refuses_to_start_with_the_development_secret(production, service):
    with pytest.raises(ConfigError, match="CAMPUS_JWT_SECRET"):
        create_app(service, production(service))
    with pytest.raises(ConfigError):  # named explicitly, it is still the published one
        create_app(service, {**production(service), "jwt_secret": DEV_JWT_SECRET})


@pytest.mark.parametrize("service", SERVICES)
def test_production_starts_with_its_own_secret_and_refuses_development_tokens(
    production, monkeypatch, service
):
    monkeypatch.setenv("CAMPUS_JWT_SECRET", CAMPUS_SECRET)
    app = create_app(service, production(service))
    assert app.extensions["campus"].settings.production
    client = app.test_client()
    method, path = REQUESTS[service][0]
    forged = client.open(path, method=method, headers=bearer("security_office"))
    assert_problem(forged, 401)
    own = mint_token(CAMPUS_SECRET, "so-1", ["security_office"])
    response = client.open(path, method=method, headers={"Authorization": f"Bearer {own}"})
    assert response.status_code == 200, response.get_json()


def test_a_short_secret_is_refused_in_any_environment():
    with pytest.raises(ConfigError, match="16 characters"):
        create_app("hazards", {"database_url": "sqlite://", "jwt_secret": "short"})


def test_a_remembered_token_stops_working_when_it_expires(monkeypatch):
    """Verified tokens are cached for speed; the cache must not outlive the token."""
    from shared import auth

    token = mint_token(DEV_JWT_SECRET, "portal-x", ["security_office"], ttl_seconds=60)
    assert auth.decode_token(DEV_JWT_SECRET, token).sub == "portal-x"
    assert auth.decode_token(DEV_JWT_SECRET, token).sub == "portal-x"  # from the cache
    later = time.time() + 61
    monkeypatch.setattr(auth.time, "time", lambda: later)
    with pytest.raises(auth.Unauthorized, match="登录已过期"):
        auth.decode_token(DEV_JWT_SECRET, token)
    with pytest.raises(auth.Unauthorized):  # the same token under another secret
        auth.decode_token(OTHER_SECRET, token)


def test_no_token_is_minted_for_a_unit_scoped_role_without_a_unit():
    for role in ("unit_manager", "grid_staff", "lead_department", "psych_centre"):
        with pytest.raises(ValueError, match=f"needs a unit claim for role {role}"):
            mint_token(DEV_JWT_SECRET, "x", [role])
        with pytest.raises(ValueError, match=role):
            mint_token(DEV_JWT_SECRET, "x", ["security_office", role], unit="")
    for roles in (["security_office"], ["leadership"], ["portal"]):
        assert mint_token(DEV_JWT_SECRET, "x", roles)
