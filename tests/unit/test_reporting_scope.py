"""Reporting never widens a caller without a unit to the whole campus (SQLite)."""

from __future__ import annotations

import time
import uuid
from datetime import date

import jwt
import pytest

from services.reporting import commands
from services.reporting.access import unit_filter
from shared.api import state
from shared.auth import mint_token
from shared.config import DEV_JWT_SECRET
from shared.errors import Forbidden
from shared.principal import (
    GRID_STAFF,
    LEADERSHIP,
    PORTAL,
    SECURITY_OFFICE,
    UNIT_MANAGER,
    Principal,
)
from tests.support.fixtures import bearer
from tests.support.handlers import handlers_of
from tests.support.reporting import hazard_event

EVENT_HANDLERS = handlers_of("reporting")

READS = ("/statistics", "/statistics/export.xlsx?group_by=unit", "/flags")


def raw_bearer(**claims) -> dict[str, str]:
    """A genuinely signed token with exactly these claims (mint_token refuses some)."""
    now = int(time.time())
    payload = {"sub": "x", "name": "x", "iat": now, "exp": now + 600, **claims}
    return {"Authorization": f"Bearer {jwt.encode(payload, DEV_JWT_SECRET)}"}


@pytest.fixture
def client(make_app):
    app = make_app("reporting")
    with app.app_context(), state().session_factory() as session:
        commands.load_seed_campaign(session)
        for unit in ("JD", "XX"):  # one hazard each, one overdue flag each
            event = hazard_event(
                "hazard.overdue",
                3,
                str(uuid.uuid4()),
                number=f"YH-2021-{unit}",
                unit_code=unit,
                status="in_remediation",
                deadline=date(2021, 11, 20),
                responsible_person_id=None,
                responsible_person_name=None,
                overdue=True,
            )
            EVENT_HANDLERS[event.type](session, event)
        session.commit()
    return app.test_client()


@pytest.mark.parametrize("role", [UNIT_MANAGER, GRID_STAFF])
def test_a_scoped_token_without_a_unit_sees_nothing(client, role):
    for path in READS:
        response = client.get(path, headers=raw_bearer(roles=[role]))
        assert response.status_code == 401, (path, response.status_code)
        assert f"角色 {role} 须写明所属单位" in response.get_json()["detail"]


def test_a_scoped_token_with_its_unit_sees_its_unit(client):
    jd = bearer(UNIT_MANAGER, unit="JD")
    stats = client.get("/statistics", headers=jd).get_json()
    assert set(stats["by_unit"]) == {"JD"}
    assert {f["unit_code"] for f in client.get("/flags", headers=jd).get_json()} == {"JD"}
    office = client.get("/statistics", headers=bearer(SECURITY_OFFICE)).get_json()
    assert set(office["by_unit"]) == {"JD", "XX"}


def test_a_token_with_neither_a_global_role_nor_a_unit_is_refused_not_widened(client):
    nobody = {"Authorization": f"Bearer {mint_token(DEV_JWT_SECRET, 'nobody', [])}"}
    for path in READS:
        assert client.get(path, headers=nobody).status_code == 403, path


def test_only_global_principals_are_campus_wide():
    def who(roles, unit=None):
        return Principal("x", "x", frozenset(roles), unit)

    assert who({SECURITY_OFFICE}).is_global and who({LEADERSHIP}).is_global
    assert who({PORTAL}).is_global  # a campus-wide service token, by design
    assert not who({PORTAL}, "JD").is_global
    assert not who({PORTAL, UNIT_MANAGER}).is_global  # never a campus-wide unit manager
    assert not who({UNIT_MANAGER}).can_access_unit(None)
    assert unit_filter(who({SECURITY_OFFICE}), None) is None
    assert unit_filter(who({UNIT_MANAGER}, "JD"), None) == "JD"
    for scoped in (who({UNIT_MANAGER}), who({GRID_STAFF}, ""), who(set())):
        with pytest.raises(Forbidden):
            unit_filter(scoped, None)
