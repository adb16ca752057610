"""Portal and kiosk tokens minted by the CLI can be ended, and live a bounded time (review
of issue 14, item 10): ``campus-safety revoke --sub`` writes the grid's revocation and
announces ``access.revoked`` for every service; ``--ttl-hours`` has a ceiling."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from services.cli import MAX_TTL_HOURS, main
from tests.support.waiting import wait_until
from tests.unit.test_access_revocation import _revocations
from tests.unit.test_grid_login import grid

__all__ = ["grid"]  # the fixture, shared with the sign-in tests


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def bearer_of(result) -> dict[str, str]:
    assert result.exit_code == 0, result.output
    return {"Authorization": f"Bearer {result.stdout.strip()}"}


@pytest.fixture
def grid_db(grid, monkeypatch):
    monkeypatch.setenv("GRID_DATABASE_URL", grid.app_.extensions["campus"].settings.database_url)
    return grid


def test_a_revoked_portal_token_is_refused_and_every_service_is_told(grid_db):
    grid = grid_db
    portal = bearer_of(cli("token", "--sub", "portal-jwc", "--role", "portal"))
    assert grid.get("/units", headers=portal).status_code == 200
    done = cli("revoke", "--sub", "portal-jwc")
    assert done.exit_code == 0, done.output
    wait_until(
        lambda: grid.get("/units", headers=portal).status_code == 401,
        timeout=3,
        message="the grid refusing the revoked portal token",
    )
    [announced] = _revocations(grid)
    assert (announced["person_id"], announced["reason"]) == ("portal-jwc", "revoked_by_operator")
    fresh = bearer_of(cli("token", "--sub", "portal-jwc", "--role", "portal"))
    assert grid.get("/units", headers=fresh).status_code == 200  # a new one works


def test_a_kiosk_token_is_revoked_by_its_device(grid_db):
    kiosk = bearer_of(cli("kiosk-token", "--device", "报告厅签到机"))
    assert cli("revoke", "--sub", "kiosk:报告厅签到机").exit_code == 0
    wait_until(
        lambda: grid_db.get("/units", headers=kiosk).status_code == 401,
        timeout=3,
        message="the grid refusing the revoked kiosk token",
    )


@pytest.mark.parametrize(
    "command",
    [["token", "--sub", "portal-jwc", "--role", "portal"], ["kiosk-token", "--device", "d"]],
)
@pytest.mark.parametrize("hours", [str(MAX_TTL_HOURS + 1), "0", "-1"])
def test_a_token_s_lifetime_has_a_ceiling(command, hours):
    refused = cli(*command, "--ttl-hours", hours)
    assert refused.exit_code == 2 and not refused.stdout.strip()
    assert "--ttl-hours" in refused.output and "366" in refused.output


def test_revoke_names_a_subject(grid_db):
    refused = cli("revoke", "--sub", " ")
    assert refused.exit_code == 2 and "--sub" in refused.output
